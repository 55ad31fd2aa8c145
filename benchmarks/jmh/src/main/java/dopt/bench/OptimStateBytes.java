package dopt.bench;

import java.util.List;

/** Prints the optimizer-state bytes of Adam and FRUGAL on OptimStepBench's 100 M parameters as JSON. */
public final class OptimStateBytes {
    public static void main(String[] args) {
        List<dopt.tensor.Param> params = OptimStepBench.params();
        long n = 0;
        for (dopt.tensor.Param p : params) n += p.size();
        long adam = OptimStepBench.optimizer("adam", params).stateBytes();
        long frugal = OptimStepBench.optimizer("frugal", params).stateBytes();
        System.out.println("{\"params\": " + n + ", \"adam\": " + adam + ", \"frugal\": " + frugal + "}");
    }
}
