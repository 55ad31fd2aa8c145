package dopt.bench.jmh_generated;
public class MatmulBench_jmhType extends MatmulBench_jmhType_B3 {
}

