package dopt.pipeline;

import dopt.comm.Communicator;
import dopt.nn.Stage;
import dopt.tensor.Param;
import java.util.List;

/**
 * One rank's part of a pipelined step: stage {@code stage} of {@code stages} (rank = stage) runs its
 * {@link Schedule}'s passes over the step's micro-batches, receiving activations from the previous
 * rank and gradients from the next, and sending its own on through the links' {@link WireCodec}s.
 * Afterwards the stage's parameters hold the gradient of the batch's mean loss: the mean over the
 * micro-batches of each one's mean-loss gradient, added in micro-batch order.
 *
 * <p>Every receive is bounded by the communicator's deadline, so a dead or hung neighbour ends the
 * step with its {@link dopt.comm.CommTimeoutException}, which names that rank. A message to a
 * neighbour is held back until this rank's next receive: when that receive is from the same
 * neighbour, both go in one {@link Communicator#sendRecv}, the pairing of Megatron-LM's
 * send_forward_recv_backward, without which the 1F1B steady state deadlocks wherever sends of large
 * messages wait for their receiver (MPJ).
 */
public final class StagePipeline {
    private final Communicator comm;
    private final Stage model;
    private final int stage, stages, microBatches, rows;
    private final Schedule.Op[] ops;
    private final int slots;
    /** Links: activations in (from stage − 1), out (to stage + 1); gradients in (from stage + 1), out (to stage − 1). */
    private final WireCodec activationsIn, activationsOut, gradientsIn, gradientsOut;
    private final float[] input, received;
    private final int[] labels;
    private final List<Param> params;
    private byte[] pending;
    private int pendingTo = -1;
    private long activationBytes, gradientBytes;

    /**
     * {@code rows}: rows per micro-batch. The codecs of links this stage does not have (activations
     * in on the first stage, out on the last; gradients the other way round) are null.
     */
    public StagePipeline(Communicator comm, int stage, int stages, Stage model, Schedule schedule, int microBatches, int rows,
                         WireCodec activationsIn, WireCodec activationsOut, WireCodec gradientsIn, WireCodec gradientsOut) {
        if (comm.size() != stages || comm.rank() != stage)
            throw new IllegalArgumentException("stage " + stage + " of " + stages + " on rank " + comm.rank() + " of " + comm.size());
        if ((stage == 0) != (activationsIn == null) || (stage == 0) != (gradientsOut == null)
                || (stage == stages - 1) != (activationsOut == null) || (stage == stages - 1) != (gradientsIn == null))
            throw new IllegalArgumentException("stage " + stage + " of " + stages + ": a codec for each link it has, and only those");
        if (model.isLast() != (stage == stages - 1)) throw new IllegalArgumentException("the last stage must end in the loss");
        this.comm = comm;
        this.model = model;
        this.stage = stage;
        this.stages = stages;
        this.microBatches = microBatches;
        this.rows = rows;
        this.ops = schedule.ops(stage, stages, microBatches).toArray(new Schedule.Op[0]);
        this.slots = schedule.slots(stage, stages, microBatches);
        if (model.slots() < slots) throw new IllegalArgumentException("the stage stashes " + model.slots() + " micro-batches, the schedule needs " + slots);
        checkLength(activationsIn, rows * model.inputWidth(), "activations in");
        checkLength(gradientsOut, rows * model.inputWidth(), "gradients out");
        checkLength(activationsOut, rows * model.outputWidth(), "activations out");
        checkLength(gradientsIn, rows * model.outputWidth(), "gradients in");
        this.activationsIn = activationsIn;
        this.activationsOut = activationsOut;
        this.gradientsIn = gradientsIn;
        this.gradientsOut = gradientsOut;
        this.input = new float[rows * model.inputWidth()];
        this.received = new float[rows * Math.max(model.inputWidth(), model.outputWidth())];
        this.labels = new int[rows];
        this.params = model.params();
    }

    private static void checkLength(WireCodec c, int n, String link) {
        if (c != null && c.length() != n) throw new IllegalArgumentException(link + ": the codec carries " + c.length() + " floats, a micro-batch " + n);
    }

    /**
     * One step on the batch {@code x} (rows × input width; read by the first stage) with {@code y}
     * (read by the last stage), {@code microBatches × rows} rows. Leaves the batch's gradient in the
     * stage's parameters; returns the batch's mean loss on the last stage, NaN on the others.
     */
    public float step(float[] x, int[] y) {
        int width = model.inputWidth();
        double lossSum = 0;
        boolean first = true;
        for (Schedule.Op op : ops) {
            int j = op.microBatch(), slot = j % slots;
            if (op.forward()) {
                float[] in;
                if (stage == 0) {
                    flush();
                    System.arraycopy(x, j * rows * width, input, 0, rows * width);
                    in = input;
                } else {
                    in = receive(stage - 1, activationsIn);
                }
                float[] out = model.forward(slot, in, rows);
                if (model.isLast()) {
                    System.arraycopy(y, j * rows, labels, 0, rows);
                    lossSum += model.loss(slot, labels, rows);
                } else {
                    hold(stage + 1, activationsOut.encode(out));
                    activationBytes += activationsOut.messageBytes();
                }
            } else {
                float[] outputGrad = null;
                if (model.isLast()) flush();
                else outputGrad = receive(stage + 1, gradientsIn);
                float[] inputGrad = model.backward(slot, outputGrad, rows, !first);
                first = false;
                if (stage > 0) {
                    hold(stage - 1, gradientsOut.encode(inputGrad));
                    gradientBytes += gradientsOut.messageBytes();
                }
            }
        }
        flush();
        if (microBatches > 1) {
            float inv = 1f / microBatches;
            for (Param p : params) {
                float[] g = p.grad();
                for (int i = 0; i < g.length; i++) g[i] *= inv;
            }
        }
        return model.isLast() ? (float) (lossSum / microBatches) : Float.NaN;
    }

    /** The message of the pass just run, sent before this rank's next receive or with it. */
    private void hold(int to, byte[] msg) {
        pending = msg;
        pendingTo = to;
    }

    private void flush() {
        if (pending == null) return;
        comm.send(pendingTo, pending);
        pending = null;
    }

    private float[] receive(int from, WireCodec codec) {
        byte[] msg;
        if (pending != null && pendingTo == from) {
            msg = comm.sendRecv(pendingTo, pending, from, codec.messageBytes());
            pending = null;
        } else {
            flush();
            msg = comm.recv(from, codec.messageBytes());
        }
        codec.decode(msg, received);
        return received;
    }

    /** This stage's parameters, whose gradients {@link #step} leaves. */
    public List<Param> params() { return params; }

    /** Payload bytes this stage has sent forward (activations) and backward (gradients) so far, without the communicator's headers. */
    public long activationBytesSent() { return activationBytes; }

    public long gradientBytesSent() { return gradientBytes; }
}
