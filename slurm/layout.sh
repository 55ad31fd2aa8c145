# Sourced by slurm/dopt-job.sbatch: where a job's ranks go. The MPJ machines file for a SLURM
# allocation, honouring how many tasks SLURM gave each node (SLURM_TASKS_PER_NODE, e.g. "4(x2),2"
# for 4, 4 and 2), and the CPU binding of the daemon step.
#
# MPJ Express 0.44 drops repeated lines of a machines file and gives its m machines consecutive
# blocks of ranks, as even as it can (np/m each, one more for the first np mod m). So a layout such
# as 4+2 would become 3+3. Here each node is written once per c ranks, c the greatest common divisor
# of the tasks per node (then MPJ gives every line exactly c ranks, in order), and the repeated lines
# of a node are spelled differently so that MPJ keeps them: host names are case-insensitive, so
# node1, Node1 and nODE1 resolve alike (resolv/hosts lookups and DNS ignore case).
#   dopt_tasks_per_node "4(x2),2"          prints 4 4 2
#   dopt_machines_file NP SPEC HOST...     prints the machines file; exit 2 (with a reason on stderr)
#                                          if NP is not the tasks' sum or a name has too few letters
#   dopt_max_tasks_per_node SPEC           prints 4 (the ranks of the fullest node: DOPT_RANKS_PER_NODE)
#   dopt_daemon_cpu_bind TASKPLUGIN        prints --cpu-bind=none where SLURM binds tasks to cores

dopt_tasks_per_node() {
  local part n times out=() parts
  IFS=, read -r -a parts <<<"$1"
  for part in "${parts[@]}"; do
    if [[ "$part" =~ ^([0-9]+)\(x([0-9]+)\)$ ]]; then
      n=${BASH_REMATCH[1]} times=${BASH_REMATCH[2]}
    elif [[ "$part" =~ ^[0-9]+$ ]]; then
      n=$part times=1
    else
      echo "layout.sh: cannot read tasks per node '$1' (expected SLURM's form, e.g. 4(x2),2)" >&2; return 2
    fi
    while [ "$times" -gt 0 ]; do out+=("$n"); times=$((times - 1)); done
  done
  echo "${out[*]}"
}

dopt_max_tasks_per_node() {
  local t max=0
  for t in $(dopt_tasks_per_node "$1") ; do [ "$t" -gt "$max" ] && max=$t; done
  echo "$max"
}

# the i-th spelling of a host name: bit j of i flips the case of its j-th letter (0: as given)
dopt_host_spelling() {
  local name=$1 i=$2 out="" ch j=0 k
  for ((k = 0; k < ${#name}; k++)); do
    ch=${name:k:1}
    if [[ "$ch" == [[:alpha:]] ]]; then
      if (( (i >> j) & 1 )); then
        if [[ "$ch" == [[:lower:]] ]]; then ch=${ch^}; else ch=${ch,}; fi
      fi
      j=$((j + 1))
    fi
    out+=$ch
  done
  if (( i >> j )); then echo "layout.sh: '$name' has too few letters for $((i + 1)) spellings" >&2; return 2; fi
  echo "$out"
}

dopt_machines_file() {
  local np=$1 spec=$2
  shift 2
  local hosts=("$@") tasks c=0 t a b sum=0 i k
  read -r -a tasks <<<"$(dopt_tasks_per_node "$spec")" || return 2
  [ ${#tasks[@]} -eq ${#hosts[@]} ] \
    || { echo "layout.sh: ${#hosts[@]} host(s) but tasks per node '$spec' names ${#tasks[@]}" >&2; return 2; }
  for t in "${tasks[@]}"; do
    sum=$((sum + t))
    a=$c b=$t
    while [ "$b" -ne 0 ]; do k=$((a % b)); a=$b; b=$k; done
    c=$a
  done
  [ "$np" -eq "$sum" ] || { echo "layout.sh: $np ranks, but the allocation has $sum tasks ($spec)" >&2; return 2; }
  for i in "${!hosts[@]}"; do
    for ((k = 0; k < tasks[i] / c; k++)); do dopt_host_spelling "${hosts[i]}" "$k" || return 2; done
  done
}

# The daemon step has one task per node, and every rank JVM its daemon starts inherits that task's
# CPU binding: under task/affinity (or task/cgroup's binding) all ranks of a node would share one
# core. Without a binding plugin (task/none) srun would only warn that it cannot bind.
dopt_daemon_cpu_bind() {
  case "$1" in
    *affinity*|*cgroup*) echo "--cpu-bind=none" ;;
  esac
}
