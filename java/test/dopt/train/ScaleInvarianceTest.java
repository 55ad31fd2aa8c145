package dopt.train;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dopt.comm.LocalCommunicator;
import dopt.io.Trace;
import dopt.job.Job;
import dopt.job.JobFile;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * KATE's claim on real data: logistic (softmax) regression on Spambase, once with standardized
 * features and once with each feature further multiplied by a factor between 10⁻² and 10²: KATE's
 * loss trajectory is the same, AdaGrad's is not.
 */
class ScaleInvarianceTest {
    @TempDir Path dir;

    private float[] losses(String optimizer, String dataset) throws Exception {
        Job j = JobFile.parse("""
            {"name": "inv", "model": {"hidden": [], "init": "zeros"},
             "data": {"dataset": "%s", "batch_size": 64}, "optimizer": %s,
             "steps": 60, "seed": 3, "eval_every": 0, "checkpoint": {"every": 0, "keep": 1}}"""
                .formatted(dataset, optimizer), "inv");
        Path out = dir.resolve(optimizer.hashCode() + "-" + dataset);
        new Trainer(j, new LocalCommunicator(), out, dir, new PrintStream(new ByteArrayOutputStream())).run();
        float[][] l = Trace.read(out.resolve("trace.h5")).floats("global_loss");
        float[] v = new float[l.length];
        for (int s = 0; s < l.length; s++) v[s] = l[s][0];
        return v;
    }

    private static double worstRelative(float[] a, float[] b) {
        double worst = 0;
        for (int i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]) / Math.max(1e-6, Math.abs(a[i])));
        return worst;
    }

    @Test
    void kateIgnoresFeatureScalesOnSpambaseAndAdagradDoesNot() throws Exception {
        // KATE needs b0 = 0 and eta = 0 (or eta scaled like 1/g^2) for exact invariance; the job's default eps is Adam's
        String kateJob = "{\"name\": \"kate\", \"lr\": 0.05, \"eps\": 0}";
        double kateGap = worstRelative(losses(kateJob, "spambase-standardized"), losses(kateJob, "spambase-rescaled"));
        String ada = "{\"name\": \"adagrad\", \"lr\": 0.05, \"eps\": 0}";
        double adaGap = worstRelative(losses(ada, "spambase-standardized"), losses(ada, "spambase-rescaled"));
        System.out.printf("scale invariance on Spambase: KATE worst relative loss gap %.2e, AdaGrad %.2e%n", kateGap, adaGap);
        assertTrue(kateGap < 1e-3, "KATE's losses agree within " + kateGap);
        assertTrue(adaGap > 0.05, "AdaGrad's losses differ by " + adaGap);
    }
}
