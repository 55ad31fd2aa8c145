# Sourced by slurm/dopt-job.sbatch, on every node of a job, before the rank JVMs start there.
# dopt_gpu_env exports what a rank needs to pick its GPU without talking to SLURM:
#   DOPT_GPUS_PER_NODE  how many GPUs processes on this node can see (0 without GPUs)
#   DOPT_GPU_IDS        their CUDA ordinals as the processes see them: 0,1,...,k-1
# SLURM's SLURM_LOCALID cannot tell the ranks apart: MPJ's daemon starts all ranks of a node from
# one SLURM task. MPJ gives node i the consecutive ranks i*R .. i*R+R-1 (R = DOPT_RANKS_PER_NODE,
# the job script's export), so a rank derives
#   local rank = rank mod R,  GPU ordinal = local rank mod DOPT_GPUS_PER_NODE.
# The ordinal is within CUDA_VISIBLE_DEVICES, which SLURM sets for --gpus/--gres jobs and the CUDA
# runtime renumbers from 0; it is never changed per rank (the ranks of a node share one daemon).
dopt_gpu_env() {
  local n=0
  if [ -n "${CUDA_VISIBLE_DEVICES:-}" ] && [ "${CUDA_VISIBLE_DEVICES}" != "NoDevFiles" ]; then
    n=$(printf '%s\n' "$CUDA_VISIBLE_DEVICES" | tr ',' '\n' | grep -c .)
  elif command -v nvidia-smi >/dev/null 2>&1; then
    n=$(timeout 20 nvidia-smi -L 2>/dev/null | grep -c '^GPU ' || true)
  fi
  export DOPT_GPUS_PER_NODE=${n:-0}
  DOPT_GPU_IDS=""
  local i
  for ((i = 0; i < DOPT_GPUS_PER_NODE; i++)); do DOPT_GPU_IDS+="${DOPT_GPU_IDS:+,}$i"; done
  export DOPT_GPU_IDS
}
