package dopt.comm;

import java.util.ArrayList;
import java.util.List;

/**
 * What {@link Communicator#allgatherBytes(byte[], int)} got from each rank: the message, or why
 * there is none. One faulty or silent peer then costs the others one row, not the whole call.
 */
public final class Gathered {

    /** The outcome for one peer. */
    public enum Status {
        /** The message arrived within the cap and the deadline. */
        OK,
        /** The peer's message broke the receiver's cap or framing; nothing was allocated for it. */
        REJECTED,
        /** No complete message arrived before the deadline (or the peer is known to be gone). */
        MISSING
    }

    private final int self;
    private final long timeoutMillis;
    private final byte[][] messages;
    private final Status[] statuses;
    private final String[] reasons;

    /**
     * An empty result for {@code size} ranks, filled by the communicator ({@code self}'s own slot
     * included); {@code timeoutMillis} is the deadline the exceptions report.
     */
    Gathered(int self, int size, long timeoutMillis) {
        this.self = self;
        this.timeoutMillis = timeoutMillis;
        this.messages = new byte[size][];
        this.statuses = new Status[size];
        this.reasons = new String[size];
    }

    /** The reason every communicator gives for a length above the receiver's cap. */
    static String overCap(long claimed, int cap) {
        return "claimed " + claimed + " bytes > cap " + cap;
    }

    void ok(int rank, byte[] message) { set(rank, Status.OK, message, null); }

    void reject(int rank, String reason) { set(rank, Status.REJECTED, null, reason); }

    void miss(int rank, String reason) { set(rank, Status.MISSING, null, reason); }

    private void set(int rank, Status status, byte[] message, String reason) {
        statuses[rank] = status;
        messages[rank] = message;
        reasons[rank] = reason;
    }

    /** Number of ranks, the receiving one included. */
    public int size() { return statuses.length; }

    public Status status(int rank) { return statuses[rank]; }

    /** The message of {@code rank}, or null unless its status is {@link Status#OK}. */
    public byte[] message(int rank) { return messages[rank]; }

    /** Why {@code rank} has no message (e.g. "claimed 2147483647 bytes > cap 4096"); null when OK. */
    public String reason(int rank) { return reasons[rank]; }

    public boolean allOk() {
        for (Status s : statuses) if (s != Status.OK) return false;
        return true;
    }

    /** The ranks with the given status, in rank order. */
    public List<Integer> ranks(Status status) {
        List<Integer> out = new ArrayList<>();
        for (int q = 0; q < statuses.length; q++) if (statuses[q] == status) out.add(q);
        return out;
    }

    /**
     * Every rank's message (index = rank), for callers that cannot go on without all of them:
     * throws {@link CommTimeoutException} naming the missing ranks, else {@link
     * MessageRejectedException} naming the rejected ones, each with its reason.
     */
    public byte[][] requireAll(String op) {
        String missing = describe(Status.MISSING, -1), rejected = describe(Status.REJECTED, -1);
        if (missing != null) throw missing(op, missing);
        if (rejected != null) throw rejected(op, rejected);
        return messages.clone();
    }

    /** The message of {@code rank}, or the exception {@link #requireAll} would throw for it. */
    public byte[] require(int rank, String op) {
        if (statuses[rank] == Status.MISSING) throw missing(op, describe(Status.MISSING, rank));
        if (statuses[rank] == Status.REJECTED) throw rejected(op, describe(Status.REJECTED, rank));
        return messages[rank];
    }

    private CommTimeoutException missing(String op, String who) {
        // the wording of every other timeout, which users and tests look for
        return new CommTimeoutException("rank " + self + ": " + op + " did not complete within " + timeoutMillis / 1000.0
                + " s waiting for " + who + "; that rank has probably died or hung (the bound is the job's comm.timeout_s)");
    }

    private MessageRejectedException rejected(String op, String who) {
        return new MessageRejectedException("rank " + self + ": " + op + " rejected the message of " + who);
    }

    /** "rank 2 (reason), rank 3 (reason)" for the ranks with {@code status} (only {@code only} if not -1), or null if none. */
    private String describe(Status status, int only) {
        StringBuilder s = new StringBuilder();
        for (int q = 0; q < statuses.length; q++)
            if (statuses[q] == status && (only < 0 || q == only))
                s.append(s.length() == 0 ? "" : ", ").append("rank ").append(q).append(" (").append(reasons[q]).append(')');
        return s.length() == 0 ? null : s.toString();
    }
}
