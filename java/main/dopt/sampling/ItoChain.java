package dopt.sampling;

import dopt.random.Rng;
import dopt.state.StateTree;

/**
 * The Ito chain x_{k+1} = x_k − γ b(x_k) + √γ σ(x_k) ξ_k of Ustimenko and Beznosikov (ICLR 2024,
 * arXiv:2310.06081, eq. (1) with exact drift and diffusion, written with a minus sign for
 * gradient drifts): the Euler–Maruyama step of dX = −b(X) dt + σ(X) dW, with the Gaussian
 * increment replaced by any isotropic unit-variance ξ ({@link IsotropicNoise}) and σ scalar and
 * possibly state-dependent. {@link #sgld} is the Langevin case. State: x_k, the noise RNG's words
 * and the drift's own (a mini-batch RNG), registered in a state tree by {@link #register}.
 */
public final class ItoChain {
    private final Drift drift;
    private final Diffusion diffusion;
    private final IsotropicNoise noise;
    private final double stepSize, sqrtStep;
    private final Rng rng;
    private final double[] x, b;

    public ItoChain(Drift drift, Diffusion diffusion, IsotropicNoise noise, double stepSize, Rng rng, double[] x0) {
        if (!(stepSize > 0 && Double.isFinite(stepSize))) throw new IllegalArgumentException("Ito chain step size gamma must be positive and finite: " + stepSize);
        if (x0.length != drift.dim()) throw new IllegalArgumentException("x0 has " + x0.length + " entries, drift " + drift.dim());
        for (double v : x0) if (!Double.isFinite(v)) throw new IllegalArgumentException("x0 has a non-finite entry: " + v);
        this.drift = drift;
        this.diffusion = diffusion;
        this.noise = noise;
        this.stepSize = stepSize;
        this.sqrtStep = Math.sqrt(stepSize);
        this.rng = rng;
        this.x = x0.clone();
        this.b = new double[x0.length];
    }

    /**
     * SGLD (Welling and Teh 2011) as an Ito chain: b = (stochastic) ∇U, σ = √(2/β), whose
     * diffusion limit has the stationary law ∝ exp(−β U).
     */
    public static ItoChain sgld(Drift gradientOfU, double inverseTemperature, IsotropicNoise noise, double stepSize, Rng rng, double[] x0) {
        if (!(inverseTemperature > 0 && Double.isFinite(inverseTemperature))) throw new IllegalArgumentException("inverse temperature beta must be positive: " + inverseTemperature);
        return new ItoChain(gradientOfU, Diffusion.constant(Math.sqrt(2 / inverseTemperature)), noise, stepSize, rng, x0);
    }

    public void step() {
        drift.evaluate(x, b);
        double s = sqrtStep * diffusion.sigma(x);
        for (int i = 0; i < x.length; i++) x[i] += -stepSize * b[i] + s * noise.sample(rng);
    }

    /** The current state, live. */
    public double[] x() { return x; }

    public double stepSize() { return stepSize; }

    /**
     * Registers the chain's state under {@code prefix} by reference: {@code x}, {@code rng} (the
     * noise stream) and the drift's under {@code prefix/drift}.
     */
    public void register(StateTree state, String prefix) {
        state.putDoubles(prefix + "/x", x);
        state.putLongs(prefix + "/rng", rng.state());
        drift.register(state, prefix + "/drift");
    }
}
