package dopt.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Small job files for integration tests: the demo's model and data, fewer steps. */
final class Jobs {
    private Jobs() { }

    static Path write(Path dir, String name, String body) throws IOException {
        Path f = dir.resolve(name + ".json");
        Files.writeString(f, body);
        return f;
    }

    /** An MLP on the embedded MNIST slice with the given optimizer JSON and steps; checkpoints every {@code every}. */
    static String mlp(String name, String optimizer, int steps, int every, String extra) {
        return """
            {"name": "%s",
             "model": {"type": "mlp", "hidden": [128]},
             "data": {"dataset": "mnist-embedded", "sharding": "iid", "batch_size": 32},
             "optimizer": %s,
             "steps": %d, "seed": 5, "eval_every": 0,
             "checkpoint": {"every": %d, "keep": 10}%s}
            """.formatted(name, optimizer, steps, every, extra.isEmpty() ? "" : ", " + extra)
                // job files refuse a key written twice: an eval_every in extra replaces the default one
                .replace("\"seed\": 5, \"eval_every\": 0,", extra.contains("\"eval_every\"") ? "\"seed\": 5," : "\"seed\": 5, \"eval_every\": 0,");
    }
}
