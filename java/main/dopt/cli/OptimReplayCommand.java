package dopt.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dopt.io.ReplayFile;
import dopt.optim.NamedRules;
import dopt.optim.Optimizer;
import dopt.optim.Schedule;
import dopt.state.StateTree;
import dopt.tensor.Param;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Applies a named optimizer to given parameters with given gradients, step by step: the
 * conformance interface between dopt's optimizers and values computed elsewhere (by hand, by
 * PyTorch, by a paper's code).
 */
@Command(name = "optim-replay", mixinStandardHelpOptions = true,
        description = {"Replay an optimizer on recorded gradients.",
                "Input HDF5: root attributes 'optimizer' (name) and 'hyperparameters' (JSON), datasets /x0 (1-D or 2-D) and "
                        + "/grads (steps x shape). Output: a copy of the input plus /xs (parameters after each step).",
                "Optimizers: sgd{lr} sgdm{lr,momentum} adam{lr,beta1,beta2,eps,weight_decay} adamw{same} signsgd{lr} rmsprop{lr,alpha,eps} "
                        + "adagrad{lr,eps} kate{lr,eta,eps} adagrad-norm-delay{lr,b0,eta} adagrad-delay{lr,b0,eta} "
                        + "clipped-adam{lr,beta1,beta2,eps,eta,v0,clip} "
                        + "frugal{lr,beta1,beta2,eps,rho,update_gap,lr_free,projector,state_free,order} "
                        + "galore{lr,beta1,beta2,eps,rank,update_gap,scale} badam{lr,beta1,beta2,eps,switch_every,blocks,order} "
                        + "clipped-sgd{lr,clip,clip_mode} clipped-sstm{a,L,nu,B,clip_mode} (its /xs are the query points x, not y); "
                        + "all but clipped-sstm take an optional clip (global norm; per tensor for clipped-adam; clip_mode for clipped-sgd)."})
final class OptimReplayCommand implements Callable<Integer> {
    @Option(names = "--in", required = true, description = "Input case (HDF5).")
    Path in;
    @Option(names = "--out", required = true, description = "Output file (HDF5).")
    Path out;

    @Override
    public Integer call() {
        try {
            ReplayFile.Case c = ReplayFile.read(in);
            @SuppressWarnings("unchecked")
            Map<String, Object> hp = new ObjectMapper().readValue(c.hyperparameters(), Map.class);
            float[][] xs = replay(c.optimizer(), hp, c.x0(), c.shape(), c.grads());
            ReplayFile.writeResult(c, xs, out);
            System.out.println("optim-replay: " + c.optimizer() + " over " + xs.length + " steps -> " + out);
            return 0;
        } catch (Exception e) {
            System.err.println("dopt optim-replay: error: " + e.getMessage());
            return 2;
        }
    }

    /** Parameters after each step; a 2-D parameter is a weight matrix (role MATRIX), a 1-D one a vector. */
    static float[][] replay(String name, Map<String, Object> hp, float[] x0, int[] shape, float[][] grads) {
        Param p = new Param("x", shape.length == 2 ? Param.Role.MATRIX : Param.Role.BIAS, shape);
        System.arraycopy(x0, 0, p.value(), 0, x0.length);
        double lr = NamedRules.lr(name, hp);
        Optimizer opt = new Optimizer(name, NamedRules.build(name, hp), Schedule.constant(lr), List.of(p), new StateTree());
        float[][] xs = new float[grads.length][];
        for (int s = 0; s < grads.length; s++) {
            System.arraycopy(grads[s], 0, p.grad(), 0, x0.length);
            opt.step(s + 1);
            xs[s] = p.value().clone();
        }
        return xs;
    }
}
