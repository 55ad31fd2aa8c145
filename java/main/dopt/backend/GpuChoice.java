package dopt.backend;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Which GPU a rank uses. MPJ's daemon starts all ranks of a node from one SLURM task, so SLURM's
 * local id cannot tell them apart; {@code slurm/dopt-job.sbatch} (with {@code slurm/node-env.sh})
 * exports instead, into every rank's environment:
 * <ul>
 *   <li>{@code DOPT_RANKS_PER_NODE} R: MPJ gives each node a block of consecutive ranks, at most R,
 *       so the local rank is {@code rank mod R} (without it, the global rank);</li>
 *   <li>{@code DOPT_GPU_IDS}: the CUDA ordinals the node's ranks share, e.g. {@code 0,1}: the device
 *       is {@code ids[local rank mod ids]} (without it, {@code local rank mod} the visible devices).</li>
 * </ul>
 * Ordinals count the devices this process sees (CUDA_VISIBLE_DEVICES applies). See slurm/README.md, "GPUs".
 */
public record GpuChoice(int ranksPerNode, List<Integer> gpuIds) {
    public static final String RANKS_PER_NODE = "DOPT_RANKS_PER_NODE", GPU_IDS = "DOPT_GPU_IDS";

    /** {@code ranksPerNode} 0 and {@code gpuIds} empty: not set. */
    public GpuChoice {
        if (ranksPerNode < 0) throw new IllegalArgumentException(RANKS_PER_NODE + " must be positive (got " + ranksPerNode + ")");
        gpuIds = List.copyOf(gpuIds);
        for (int id : gpuIds)
            if (id < 0) throw new IllegalArgumentException(GPU_IDS + " holds CUDA ordinals, 0 or more (got " + id + ")");
    }

    /** Read from an environment such as {@link System#getenv()}; unset or blank variables are not set. */
    public static GpuChoice of(Map<String, String> env) {
        String r = env.getOrDefault(RANKS_PER_NODE, "").strip(), ids = env.getOrDefault(GPU_IDS, "").strip();
        int perNode = 0;
        List<Integer> ordinals = List.of();
        try {
            if (!r.isEmpty()) perNode = Integer.parseInt(r);
            if (perNode == 0 && !r.isEmpty()) throw new NumberFormatException();
            if (!ids.isEmpty()) ordinals = Arrays.stream(ids.split(",")).map(String::strip).map(Integer::valueOf).toList();
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("cannot read the GPU choice from " + RANKS_PER_NODE + "='" + r + "' (a positive number) and "
                    + GPU_IDS + "='" + ids + "' (CUDA ordinals, e.g. 0,1)");
        }
        return new GpuChoice(perNode, ordinals);
    }

    /** The rank's place among the ranks of its node. */
    public int localRank(int rank) {
        return ranksPerNode > 0 ? Math.floorMod(rank, ranksPerNode) : rank;
    }

    /** The CUDA ordinal for {@code rank} when this process sees {@code visibleDevices} devices (at least 1). */
    public int ordinal(int rank, int visibleDevices) {
        int local = localRank(rank);
        if (gpuIds.isEmpty()) return Math.floorMod(local, visibleDevices);
        int id = gpuIds.get(Math.floorMod(local, gpuIds.size()));
        if (id >= visibleDevices)
            throw new IllegalArgumentException(GPU_IDS + " names device " + id + ", but this process sees " + visibleDevices
                    + " (ordinals count the devices in CUDA_VISIBLE_DEVICES from 0)");
        return id;
    }
}
