package dopt.tensor;

import java.util.Arrays;

/**
 * A named trainable tensor: flat row-major values, a gradient buffer of the same size, a shape
 * and a role. Optimizers route parameter groups by {@link Role} or by name pattern (FRUGAL keeps
 * embeddings, norms and the head under Adam, for instance).
 */
public final class Param {

    /** What a parameter is for; optimizers may treat the groups differently. */
    public enum Role { MATRIX, BIAS, EMBEDDING, NORM, HEAD }

    private final String name;
    private final Role role;
    private final int[] shape;
    private final float[] value;
    private final float[] grad;

    public Param(String name, Role role, int... shape) {
        this.name = name;
        this.role = role;
        this.shape = shape.clone();
        int n = 1;
        for (int d : shape) n = Math.multiplyExact(n, d);
        this.value = new float[n];
        this.grad = new float[n];
    }

    public String name() { return name; }
    public Role role() { return role; }
    public int[] shape() { return shape.clone(); }
    public int size() { return value.length; }
    /** Rows of a 2-D parameter (first dimension); the size for 1-D. */
    public int rows() { return shape[0]; }
    /** Columns of a 2-D parameter; 1 for 1-D. */
    public int cols() { return shape.length > 1 ? value.length / shape[0] : 1; }
    /** The live value buffer. */
    public float[] value() { return value; }
    /** The live gradient buffer (also used in place as the update by optimizers). */
    public float[] grad() { return grad; }

    public void zeroGrad() { Arrays.fill(grad, 0f); }

    @Override public String toString() { return name + Arrays.toString(shape) + " " + role; }
}
