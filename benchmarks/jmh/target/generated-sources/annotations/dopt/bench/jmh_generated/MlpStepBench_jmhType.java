package dopt.bench.jmh_generated;
public class MlpStepBench_jmhType extends MlpStepBench_jmhType_B3 {
}

