package dopt.train;

import dopt.aggregate.Attack;
import dopt.aggregate.GaussianAttack;
import dopt.comm.Communicator;
import dopt.random.Rng;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * Which ranks are Byzantine in a run and what they send. They are real ranks: each computes on its
 * own shard and sends its message through the same collective as the honest ones. An omniscient
 * attack ({@link Attack}: sign flip, IPM, ALIE, ...; aggregation.md) is computed from the round's
 * honest gradients, which the Byzantine ranks receive first, point to point from every honest rank
 * (the simulation's price of omniscience, counted in the bytes like any message). The attack
 * {@code garbage} sends malformed bytes instead (a wrong length, NaN and Inf), which validation
 * must reject.
 */
final class ByzantineRanks {
    /**
     * What a Byzantine rank sends in place of its gradient: an omniscient attack's row, malformed
     * bytes, or (label flipping, an attack on its data: {@link LabelFlip}) its own message unchanged.
     */
    enum Kind { ATTACK, GARBAGE, LABEL_FLIP }

    /** The {@code byzantine.attack} names that are not message attacks of {@code dopt.aggregate}. */
    static final String GARBAGE = "garbage", LABEL_FLIP = "label_flip";

    private final int[] byzantine;
    private final boolean[] isByzantine;
    private final Kind kind;
    private final Attack attack;
    private final Rng rng;
    private final int n;
    private final float[][] honestRows, forged;
    private final ByteBuffer wire;

    /**
     * {@code byzantine}: the Byzantine ranks, ascending; {@code attack} null for {@link Kind#GARBAGE};
     * {@code rng}: this rank's generator (Gaussian noise, garbage), seeded, so a run is reproducible.
     */
    ByzantineRanks(int ranks, int[] byzantine, Kind kind, Attack attack, Rng rng, int n) {
        this.byzantine = byzantine.clone();
        this.isByzantine = new boolean[ranks];
        for (int b : byzantine) {
            if (b < 0 || b >= ranks) throw new IllegalArgumentException("byzantine rank " + b + " is not one of the " + ranks + " ranks");
            isByzantine[b] = true;
        }
        if (byzantine.length >= ranks) throw new IllegalArgumentException("at least one rank must be honest");
        if ((kind == Kind.ATTACK) != (attack != null)) throw new IllegalArgumentException("an attack needs its rows, garbage none");
        this.kind = kind;
        this.attack = attack;
        this.rng = rng;
        this.n = n;
        int h = ranks - byzantine.length;
        this.honestRows = kind == Kind.ATTACK ? new float[h][n] : new float[0][];
        this.forged = kind == Kind.ATTACK ? new float[byzantine.length][n] : new float[0][];
        this.wire = ByteBuffer.allocate(4 * n).order(ByteOrder.LITTLE_ENDIAN);
    }

    boolean isByzantine(int rank) { return isByzantine[rank]; }

    int count() { return byzantine.length; }

    /**
     * The message {@code comm}'s rank sends this round, given its honest one ({@code mine}: n
     * little-endian floats); a collective call among all ranks for an omniscient attack.
     */
    byte[] message(Communicator comm, byte[] mine) { return message(comm, mine, null); }

    /**
     * The same under partial participation: only the ranks with {@code takingPart[r]} (every rank
     * when null) send this round. A Byzantine rank that takes part sees the honest messages of the
     * round, those of the honest ranks taking part; when none takes part it forges from its own
     * honest message, the only one it has (a sign flip then sends its own message negated). A rank
     * that does not take part returns {@code mine}, which nobody reads.
     */
    byte[] message(Communicator comm, byte[] mine, boolean[] takingPart) {
        int rank = comm.rank();
        if (kind == Kind.LABEL_FLIP || takingPart != null && !takingPart[rank]) return mine;
        if (kind == Kind.GARBAGE) return isByzantine[rank] ? garbage(mine.length) : mine;
        // the Byzantine ranks see every honest gradient of the round before they send
        if (!isByzantine[rank]) {
            for (int b : byzantine) if (takingPart == null || takingPart[b]) comm.send(b, mine);
            return mine;
        }
        int h = 0;
        for (int r = 0; r < isByzantine.length; r++) {
            if (isByzantine[r] || takingPart != null && !takingPart[r]) continue;
            ByteBuffer in = ByteBuffer.wrap(comm.recv(r, 4 * n)).order(ByteOrder.LITTLE_ENDIAN);
            in.asFloatBuffer().get(honestRows[h++]);
        }
        if (h == 0) ByteBuffer.wrap(mine).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(honestRows[h++]);
        if (attack instanceof GaussianAttack g) for (int j = 0; j < n; j++) g.noise()[j] = (float) rng.nextGaussian();
        attack.forge(honestRows, h, forged, forged.length);
        wire.clear();
        wire.asFloatBuffer().put(forged[Arrays.binarySearch(byzantine, rank)]);
        return wire.array();
    }

    /** A malformed message: one byte short, or the right length full of NaN and Inf, alternately. */
    private byte[] garbage(int length) {
        if (rng.nextDouble() < 0.5) return new byte[Math.max(0, length - 1)];
        ByteBuffer b = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i + 4 <= length; i += 4) b.putFloat(i, (i / 4) % 2 == 0 ? Float.NaN : Float.POSITIVE_INFINITY);
        return b.array();
    }
}
