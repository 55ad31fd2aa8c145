package dopt.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dopt.job.Job;
import dopt.job.JobException;
import dopt.job.JobFile;
import dopt.tensor.Param;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Budgets as inputs: the chosen setting is the largest whose exact bytes (the optimizer's own
 * accounting, the compressor's wire bytes) fit, one step more does not, and a budget below every
 * setting is an error naming the least reachable figure.
 */
class BudgetsTest {

    /** An MLP 784-64-64-10's parameters: three matrices and three biases. */
    private static List<Param> mlp() {
        return List.of(new Param("fc1.weight", Param.Role.MATRIX, 64, 784), new Param("fc1.bias", Param.Role.BIAS, 64),
                new Param("fc2.weight", Param.Role.MATRIX, 64, 64), new Param("fc2.bias", Param.Role.BIAS, 64),
                new Param("fc3.weight", Param.Role.MATRIX, 10, 64), new Param("fc3.bias", Param.Role.BIAS, 10));
    }

    private static Job job(String json) throws JobException { return JobFile.parse(json, "t"); }

    private static long adamwBytes(List<Param> ps) {
        Job.OptimizerSpec a = new Job.OptimizerSpec();
        a.name = Job.OptimizerName.ADAMW;
        return Budgets.stateBytes(a, 300, ps);
    }

    @Test
    void frugalBlocksTakeTheLargestRhoWhoseStateFitsAQuarterOfAdamW() throws JobException {
        List<Param> ps = mlp();
        Budgets.Choice c = Budgets.resolve(job("{\"optimizer\": {\"name\": \"frugal\", \"state_budget\": \"25%\"}}"), ps);
        long limit = (long) Math.floor(0.25 * adamwBytes(ps));
        Job.OptimizerSpec o = c.job().optimizer;
        assertNull(o.stateBudget, "the job as run has no budget left");
        assertTrue(Budgets.stateBytes(o, 300, ps) <= limit);
        long coords = 64 * 784 + 64 * 64 + 10 * 64;
        double rho = o.rho;
        o.rho = rho + 1.0 / coords; // one more coordinate under Adam
        assertTrue(Budgets.stateBytes(o, 300, ps) > limit, "maximal: one more window coordinate does not fit");
        assertTrue(rho > 0.2 && rho < 0.25, "Adam on the biases takes part of the budget: rho " + rho);
        assertTrue(c.setting().startsWith("rho "), c.setting());
        assertTrue(c.lines().get(0).contains("25% of AdamW's state"), c.lines().get(0));
    }

    @Test
    void galoreTakesTheLargestRankWithinBytes() throws JobException {
        List<Param> ps = mlp();
        Budgets.Choice c = Budgets.resolve(job("{\"optimizer\": {\"name\": \"galore\", \"state_budget\": \"40KiB\"}}"), ps);
        Job.OptimizerSpec o = c.job().optimizer;
        assertTrue(o.rank < 9, "below the cap (rank < 10, the head's smaller side): the budget decides, rank " + o.rank);
        assertTrue(Budgets.stateBytes(o, 300, ps) <= 40 * 1024);
        o.rank++;
        assertTrue(Budgets.stateBytes(o, 300, ps) > 40 * 1024);
        assertEquals("rank " + (o.rank - 1), c.setting());
    }

    @Test
    void badamTakesAsManyWholeBlocksAsFit() throws JobException {
        List<Param> ps = mlp();
        // the largest matrix alone (64×784) is 401,408 bytes of moments; with fc2 too 434,176
        Budgets.Choice c = Budgets.resolve(job("{\"optimizer\": {\"name\": \"badam\", \"state_budget\": \"430000\"}}"), ps);
        assertEquals(1, c.job().optimizer.blocks);
        // all three blocks at once keep AdamW's moments plus the walk's bookkeeping (72 bytes): just over 100 %
        Budgets.Choice most = Budgets.resolve(job("{\"optimizer\": {\"name\": \"badam\", \"state_budget\": \"100%\"}}"), ps);
        assertEquals(2, most.job().optimizer.blocks);
        Budgets.Choice all = Budgets.resolve(job("{\"optimizer\": {\"name\": \"badam\", \"state_budget\": \"" + (adamwBytes(ps) + 72)
                + "\"}}"), ps);
        assertEquals(3, all.job().optimizer.blocks);
    }

    @Test
    void aBudgetBelowEverySettingNamesTheLeastReachable() throws JobException {
        List<Param> ps = mlp();
        JobException e = assertThrows(JobException.class,
                () -> Budgets.resolve(job("{\"optimizer\": {\"name\": \"badam\", \"state_budget\": \"1KiB\"}}"), ps));
        assertTrue(e.getMessage().contains("below the least state badam can keep"), e.getMessage());
        assertTrue(e.getMessage().contains("blocks 1"), e.getMessage());
        JobException f = assertThrows(JobException.class,
                () -> Budgets.resolve(job("{\"comm\": {\"compressor\": \"sign\", \"bytes_per_step\": \"1%\"}}"), ps));
        assertTrue(f.getMessage().contains("below what compressor sign sends"), f.getMessage());
    }

    @Test
    void topKTakesTheLargestRatioWhoseWireBytesFit() throws JobException {
        List<Param> ps = mlp();
        int n = Flat.length(ps);
        Budgets.Choice c = Budgets.resolve(job("{\"comm\": {\"compressor\": \"topk\", \"bytes_per_step\": \"1%\"}}"), ps);
        long limit = (long) Math.floor(0.01 * 4 * n);
        long bytes = Budgets.messageBytes(c.job(), ps);
        assertTrue(bytes <= limit && bytes > limit - 8, "8 bytes (index and value) per kept coordinate: " + bytes + " vs " + limit);
        assertNull(c.job().comm.bytesPerStep);
    }

    @Test
    void quantisersAndPowerSgdTakeTheMostLevelsOrRankThatFit() throws JobException {
        List<Param> ps = mlp();
        Job q = Budgets.resolve(job("{\"comm\": {\"compressor\": \"qsgd\", \"bytes_per_step\": \"12.5%\"}}"), ps).job();
        // 4 bits per entry (levels 4..7 and the sign) are an eighth of float32, over the budget by the 4-byte norm;
        // levels 0..3 take 2 bits and the sign 1
        assertEquals(3, q.comm.levels);
        Job p = Budgets.resolve(job("{\"comm\": {\"compressor\": \"powersgd\", \"bytes_per_step\": \"20KB\"}}"), ps).job();
        assertTrue(Budgets.messageBytes(p, ps) <= 20_000);
        p.comm.rank++;
        assertTrue(Budgets.messageBytes(p, ps) > 20_000);
    }

    @Test
    void theDenseMeanMeetsABudgetOfItsWholeSize() throws JobException {
        List<Param> ps = mlp();
        Budgets.Choice c = Budgets.resolve(job("{\"comm\": {\"bytes_per_step\": \"100%\"}}"), ps);
        assertEquals(4L * Flat.length(ps), Budgets.messageBytes(c.job(), ps));
        assertTrue(c.lines().get(0).contains("none sends"), c.lines().get(0));
    }
}
