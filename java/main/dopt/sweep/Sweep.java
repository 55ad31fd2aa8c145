package dopt.sweep;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A parsed sweep file (see {@link SweepFile}): the base job, the axes, and how every point runs.
 *
 * @param name         the sweep's name; each point's job is named {@code <name>-pNNN}
 * @param base         the base job as JSON, exactly as written (only what differs from the defaults)
 * @param baseSource   where the base came from, for messages
 * @param axes         dotted job-field path → the values it takes, in file order (the last varies fastest)
 * @param labels       for axes of named variants: path → the variants' labels, in the order of their values
 * @param overrides    fields merged into every point's job after its axes (the quick variant's base), or null
 * @param np           ranks per point
 * @param dev          MPJ device, multicore or niodev
 * @param nodes        nodes per point on SLURM
 * @param ranksPerNode ranks per node on SLURM (niodev)
 * @param folder       the sweep folder (absolute)
 * @param sbatch       extra sbatch options for every array task (partition, time, GPUs)
 * @param maxParallel  at most this many array tasks at once; 0 = no limit
 */
public record Sweep(String name, ObjectNode base, String baseSource, Map<String, List<JsonNode>> axes,
                    Map<String, List<String>> labels, ObjectNode overrides, int np, String dev,
                    int nodes, int ranksPerNode, Path folder, List<String> sbatch, int maxParallel) {

    /** The number of points: the product of the axes' lengths (1 without axes). */
    public int size() {
        int n = 1;
        for (List<JsonNode> values : axes.values()) n = Math.multiplyExact(n, values.size());
        return n;
    }
}
