package dopt.optim;

import dopt.tensor.Backend;
import java.util.ArrayList;
import java.util.List;

/**
 * Which transformations, in which order, make each optimizer: the one place that composes them.
 * Jobs ({@code train.Optimizers}, from the typed job) and {@link NamedRules} (optim-replay and the
 * experiments, from a name and a hyper-parameter map) both build through these typed factories,
 * so a rule means the same thing wherever it is named. Each factory returns the rule's parts
 * without clipping and without the learning rate; {@link #chain} adds both.
 */
public final class Rules {
    private Rules() { }

    /** FRUGAL's projectors: whole blocks (matrices) under Adam, or a low-rank SVD or random subspace of each matrix. */
    public enum FrugalProjector { BLOCKS, SVD, RANDOM }

    /** {@code [clip] + rule + lr scaling}: global-norm clipping first unless {@code clip} is null. */
    public static GradientTransformation chain(Double clip, List<GradientTransformation> rule, Schedule schedule) {
        List<GradientTransformation> parts = new ArrayList<>();
        if (clip != null) parts.add(new ClipByGlobalNorm(clip));
        parts.addAll(rule);
        parts.add(new ScaleByLearningRate(schedule));
        return new Chain(parts.toArray(GradientTransformation[]::new));
    }

    /** SGD with L2 weight decay added to the gradient, and heavy-ball momentum when {@code momentum > 0} (torch.optim.SGD). */
    public static List<GradientTransformation> sgd(double weightDecay, double momentum, boolean nesterov) {
        List<GradientTransformation> parts = new ArrayList<>(List.of(new AddDecayedWeights(weightDecay)));
        if (momentum > 0) parts.add(new TraceMomentum(momentum, nesterov));
        return parts;
    }

    /** Adam with L2 weight decay added to the gradient (torch.optim.Adam); the step on {@code backend} when it is a device. */
    public static List<GradientTransformation> adam(double beta1, double beta2, double eps, double weightDecay, Backend backend) {
        return List.of(new AddDecayedWeights(weightDecay), new ScaleByAdam(beta1, beta2, eps, backend));
    }

    /** AdamW: decoupled weight decay, scaled by the learning rate (Loshchilov and Hutter 2019). */
    public static List<GradientTransformation> adamw(double beta1, double beta2, double eps, double weightDecay, Backend backend) {
        return List.of(new ScaleByAdam(beta1, beta2, eps, backend), new AddDecayedWeights(weightDecay));
    }

    public static List<GradientTransformation> signSgd() { return List.of(new ScaleBySign()); }

    public static List<GradientTransformation> rmsprop(double alpha, double eps, double weightDecay) {
        return List.of(new AddDecayedWeights(weightDecay), new ScaleByRms(alpha, eps));
    }

    public static List<GradientTransformation> adagrad(double eps, double initialAccumulator) {
        return List.of(new ScaleByAdagrad(eps, initialAccumulator));
    }

    /** KATE; {@code eta < 0} asks for the per-coordinate η = 1/g₁² of the authors' GLM runs. */
    public static List<GradientTransformation> kate(double eta, double eps) {
        return List.of(eta < 0 ? ScaleByKate.withEtaFromFirstGradient(eps) : new ScaleByKate(eta, eps));
    }

    /**
     * FRUGAL (see {@link BlockAdam} and {@link ProjectedAdam}) on the matrices, Adam on the other
     * parameters; {@code freeScale} = lr_free / lr; {@code randomOrder} applies to the blocks
     * projector only. Decoupled weight decay on all parameters follows, as in the paper.
     */
    public static List<GradientTransformation> frugal(double rho, FrugalProjector projector, int updateGap, ProjectedAdam.FreeRule free,
                                                      double freeScale, boolean randomOrder, double beta1, double beta2, double eps,
                                                      double weightDecay, long seed) {
        return frugal(rho, projector, updateGap, free, freeScale, randomOrder, beta1, beta2, eps, weightDecay, seed, ProjectedAdam.Moments.RESET);
    }

    /** FRUGAL as above; {@code moments} at a refresh of the svd and random projectors (blocks restart them). */
    public static List<GradientTransformation> frugal(double rho, FrugalProjector projector, int updateGap, ProjectedAdam.FreeRule free,
                                                      double freeScale, boolean randomOrder, double beta1, double beta2, double eps,
                                                      double weightDecay, long seed, ProjectedAdam.Moments moments) {
        GradientTransformation matrices = switch (projector) {
            case BLOCKS -> BlockAdam.frugal(rho, updateGap, randomOrder, free == ProjectedAdam.FreeRule.SIGN ? BlockAdam.Free.SIGN
                    : BlockAdam.Free.SGD, freeScale, beta1, beta2, eps, seed);
            case SVD, RANDOM -> ProjectedAdam.frugal(rho, projector == FrugalProjector.SVD ? Projector.Kind.SVD : Projector.Kind.RANDOM,
                    updateGap, free, freeScale, beta1, beta2, eps, seed, moments);
        };
        return List.of(Partition.matricesAndOthers("frugal", matrices, new ScaleByAdam(beta1, beta2, eps)), new AddDecayedWeights(weightDecay));
    }

    /** GaLore on the matrices, Adam on the other parameters, with decoupled weight decay on all parameters after it. */
    public static List<GradientTransformation> galore(int rank, int updateGap, double scale, double beta1, double beta2, double eps,
                                                      double weightDecay) {
        return galore(rank, updateGap, scale, beta1, beta2, eps, weightDecay, ProjectedAdam.Moments.KEEP);
    }

    /** GaLore as above, with {@code moments} at a refresh. */
    public static List<GradientTransformation> galore(int rank, int updateGap, double scale, double beta1, double beta2, double eps,
                                                      double weightDecay, ProjectedAdam.Moments moments) {
        return List.of(Partition.matricesAndOthers("galore", ProjectedAdam.galore(rank, updateGap, scale, beta1, beta2, eps, moments),
                new ScaleByAdam(beta1, beta2, eps)), new AddDecayedWeights(weightDecay));
    }

    /** BAdam on the matrices, Adam on the other parameters, with decoupled weight decay on all parameters after it. */
    public static List<GradientTransformation> badam(int switchEvery, int blocks, boolean randomOrder, double beta1, double beta2,
                                                     double eps, double weightDecay, long seed) {
        return List.of(Partition.matricesAndOthers("badam", BlockAdam.badam(switchEvery, blocks, randomOrder, beta1, beta2, eps, seed),
                new ScaleByAdam(beta1, beta2, eps)), new AddDecayedWeights(weightDecay));
    }
}
