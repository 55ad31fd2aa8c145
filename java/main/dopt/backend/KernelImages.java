package dopt.backend;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;

/**
 * The compiled kernels the jar carries as resources {@code cuda/<file>.fatbin} and
 * {@code cuda/<file>.ptx} (built from {@code cuda/<file>.cu} by CMakeLists.txt; see the pom's
 * resources), and the entry points each file must define.
 */
public final class KernelImages {
    private KernelImages() { }

    /** Source file (without .cu) → its {@code extern "C" __global__} entry points. */
    public static final java.util.Map<String, List<String>> ENTRY_POINTS = java.util.Map.of(
            "elementwise", List.of("fill_f32", "axpy_f32", "scale_f32", "mul_f32", "copy_f32"),
            "reduce", List.of("sum_partials_f32", "sqnorm_partials_f32"),
            "clip", List.of("clip_scale_f32"),
            "gemm", List.of("sgemm_nn", "sgemm_tn", "sgemm_nt"),
            "softmax", List.of("softmax_rows_f32", "softmax_xent_f32"),
            "adam", List.of("adam_direction_f32", "adam_step_f32"),
            "sign", List.of("sign_step_f32"),
            "frugal", List.of("frugal_step_f32"),
            "kate", List.of("kate_step_f32"),
            "topk", List.of("topk_hist_f32", "topk_count_f32", "topk_compact_f32"));

    /** The resource bytes of {@code cuda/<file>.<ext>}, or null when the jar has none. */
    public static byte[] resource(String file, String ext) {
        try (InputStream in = KernelImages.class.getResourceAsStream("/cuda/" + file + "." + ext)) {
            return in == null ? null : in.readAllBytes();
        } catch (IOException e) {
            return null;
        }
    }

    /** PTX text as cuModuleLoadData wants it: NUL-terminated. */
    static byte[] ptx(String file) {
        byte[] text = resource(file, "ptx");
        return text == null ? null : java.util.Arrays.copyOf(text, text.length + 1);
    }

    /** The kernel files missing from the class path (empty when the jar was built with nvcc). */
    public static List<String> missing() {
        List<String> out = new java.util.ArrayList<>();
        for (String f : new java.util.TreeSet<>(ENTRY_POINTS.keySet()))
            if (KernelImages.class.getResource("/cuda/" + f + ".ptx") == null) out.add(f + ".ptx");
        return out;
    }
}
