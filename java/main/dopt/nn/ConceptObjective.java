package dopt.nn;

/**
 * How a {@link ConceptBottleneck}'s concept layer is trained, on top of the classifier's
 * cross-entropy (which always reaches the concept layer too, as in the reference trainer, which
 * back-propagates {@code cbl_loss} and {@code ce_loss} into both layers: github.com/Andron00e/SparseCBM,
 * bottlenecks/trainer_utils.py, {@code BottleneckTrainer.train}). Semenov, Ivanov, Beznosikov and
 * Gasnikov 2024, "Sparse Concept Bottleneck Models: Gumbel Tricks in Contrastive Learning", name
 * three: ℓ1, contrastive and Gumbel (Sparse-CBM).
 *
 * <ul>
 *   <li>{@link Kind#L1}: + (λ/C)·‖W_c‖₁ (reference {@code criterion_l1}, λ = 1e-3 there, divided by
 *       the number of concepts C in the trainer). The head reads the raw activations.
 *   <li>{@link Kind#CONTRASTIVE}: + μ·{@link ConceptAlignmentLoss} at τ = 1 without noise (reference
 *       {@code criterion_contrastive}). The head reads the raw activations.
 *   <li>{@link Kind#GUMBEL}: + μ·{@link ConceptAlignmentLoss} with Gumbel noise at temperature τ
 *       (reference {@code criterion_gumbel}, τ = 1 by default), and the head reads the Gumbel-Softmax
 *       of the activations (noise in training, none in evaluation), so that each sample's concept
 *       vector is a distribution concentrated on few concepts: the sparse bottleneck.
 *   <li>{@link Kind#GUMBEL_LOSS_ONLY}: the same Gumbel loss, but the head reads the raw activations: the
 *       reference code's literal wiring ({@code BaseCBModel.forward} returns {@code cbl_out} to the head
 *       and the Gumbel-Softmax appears only inside {@code criterion_gumbel}).
 *   <li>{@link Kind#NONE}: cross-entropy only (an unregularised bottleneck).
 * </ul>
 */
public record ConceptObjective(Kind kind, double weight, double tau) {

    public enum Kind { NONE, L1, CONTRASTIVE, GUMBEL, GUMBEL_LOSS_ONLY }

    public ConceptObjective {
        if (kind == null) throw new IllegalArgumentException("kind must not be null");
        if (!(weight >= 0) || !Double.isFinite(weight)) throw new IllegalArgumentException("objective weight must be finite and >= 0, got " + weight);
        if (!(tau > 0) || !Double.isFinite(tau)) throw new IllegalArgumentException("temperature tau must be positive and finite, got " + tau);
    }

    public static ConceptObjective none() { return new ConceptObjective(Kind.NONE, 0, 1); }

    public static ConceptObjective l1(double lambda) { return new ConceptObjective(Kind.L1, lambda, 1); }

    public static ConceptObjective contrastive(double mu) { return new ConceptObjective(Kind.CONTRASTIVE, mu, 1); }

    public static ConceptObjective gumbel(double mu, double tau) { return new ConceptObjective(Kind.GUMBEL, mu, tau); }

    /** The Gumbel loss with the head on the raw activations (reference wiring). */
    public static ConceptObjective gumbelLossOnly(double mu, double tau) { return new ConceptObjective(Kind.GUMBEL_LOSS_ONLY, mu, tau); }

    /** Whether the concept loss perturbs the logits with Gumbel noise. */
    public boolean gumbelNoise() { return kind == Kind.GUMBEL || kind == Kind.GUMBEL_LOSS_ONLY; }

    /** Whether the head reads the Gumbel-Softmax of the activations rather than the activations. */
    public boolean sparseGate() { return kind == Kind.GUMBEL; }

    /** Whether the objective needs the per-sample concept targets. */
    public boolean needsTargets() { return kind == Kind.CONTRASTIVE || gumbelNoise(); }
}
