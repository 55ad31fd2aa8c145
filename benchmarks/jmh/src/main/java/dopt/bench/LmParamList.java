package dopt.bench;

import dopt.nn.TransformerLm;

/**
 * Prints, as JSON, each preset's parameters (name → shape) and count, for engine-lm.sh to compare
 * with the PyTorch mirror's: {"1m": {"count": n, "params": {"tok_embeddings.weight": [256, 128], ...}}, ...}.
 */
public final class LmParamList {
    public static void main(String[] args) {
        StringBuilder s = new StringBuilder("{");
        for (String preset : args) {
            TransformerLm lm = new TransformerLm(LmTrainStepBench.config(preset).withMaxSeqLen(8), 1);
            if (s.length() > 1) s.append(", ");
            s.append('"').append(preset).append("\": {\"count\": ").append(lm.paramCount()).append(", \"params\": {");
            String sep = "";
            for (dopt.tensor.Param p : lm.params()) {
                s.append(sep).append('"').append(p.name()).append("\": ").append(java.util.Arrays.toString(p.shape()));
                sep = ", ";
            }
            s.append("}}");
        }
        System.out.println(s.append('}'));
    }
}
