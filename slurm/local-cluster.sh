#!/usr/bin/env bash
# A one-machine SLURM cluster (Debian slurm-wlm 22.05 + munge) for the tests and for laptops.
# Everything it writes (slurm.conf, munge key, sockets, state, spool, logs) lives in one private
# folder, $DOPT_SLURM_DIR (default .deps/slurm), so it neither reads nor changes /etc/slurm or a
# system munged, and a system SLURM on the same host keeps its ports (this one uses 16817/16818).
#
#   slurm/local-cluster.sh start    write the configuration, start munged, slurmctld and slurmd,
#                                   wait until sinfo shows this node idle (idempotent)
#   slurm/local-cluster.sh stop     cancel our jobs, stop the three daemons, remove the state
#   slurm/local-cluster.sh status   exit 0 when the cluster answers and the node is up
#   slurm/local-cluster.sh env      print `export SLURM_CONF=...` for sbatch, squeue, sinfo
#
# Exit codes: 0 ok; 1 error; 2 usage; 3 the daemons cannot run here (not root, packages missing,
# a daemon died at start): the integration test skips on 3 only, and says why.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
dir=${DOPT_SLURM_DIR:-$repo/.deps/slurm}
# absolute: SLURM_CONF and the paths inside slurm.conf are used from other working directories
case "$dir" in /*) ;; *) dir="$PWD/$dir" ;; esac
ctld_port=${DOPT_SLURMCTLD_PORT:-16817}
slurmd_port=${DOPT_SLURMD_PORT:-16818}
conf="$dir/slurm.conf"
# UNIX socket paths hold at most 107 bytes: munge's socket and slurmd's per-step sockets (in the
# spool) move to a short folder when the project lives deep in the file system
rt="$dir/rt"
if [ ${#rt} -gt 60 ]; then rt="${TMPDIR:-/tmp}/dopt-slurm-$(printf '%s' "$dir" | cksum | cut -d' ' -f1)"; fi
sock="$rt/munge.socket"
node=$(hostname -s)
export SLURM_CONF="$conf"

say() { printf 'local-cluster: %s\n' "$*" >&2; }
cannot() { say "$*"; exit 3; }
alive() { [ -f "$1" ] && kill -0 "$(cat "$1" 2>/dev/null)" 2>/dev/null; }
# every client call is bounded: a half-started controller must not hang the caller
q() { timeout 10 "$@" 2>/dev/null; }
node_state() { q sinfo -h -N -n "$node" -o '%T' | head -1; }
tail_log() { [ -f "$1" ] && { say "last lines of $1:"; tail -n 15 "$1" | sed 's/^/    /' >&2; }; return 0; }

write_conf() {
  mkdir -p "$dir/munge" "$dir/state" "$dir/log" "$dir/run" "$rt/spool"
  # munged refuses key and socket folders that others can write to
  chmod 0700 "$dir" "$dir/munge" "$rt"
  local cpus
  cpus=$(nproc)
  # at least 2 CPUs, so a 2-task job fits on a 1-core laptop too (config_overrides lets slurmd
  # accept a node with fewer CPUs than configured instead of draining it)
  [ "$cpus" -ge 2 ] || cpus=2
  cat >"$conf" <<CONF
# written by slurm/local-cluster.sh for this host; regenerated on every start
ClusterName=dopt-local
SlurmctldHost=$node(127.0.0.1)
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
# cred_expire also holds a requeued job back (default 120 s); with the 2 s scheduler intervals below a
# requeued job restarts within ~10 s
AuthInfo=socket=$sock,cred_expire=5
StateSaveLocation=$dir/state
SlurmdSpoolDir=$rt/spool
SlurmctldPidFile=$dir/run/slurmctld.pid
SlurmdPidFile=$dir/run/slurmd.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
PlugStackConfig=$dir/plugstack.conf
# no cgroups: process tracking by parent pid, no task binding, no accounting daemon
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MpiDefault=none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SchedulerType=sched/backfill
SchedulerParameters=bf_interval=2,sched_interval=2
SlurmdParameters=config_overrides
ReturnToService=2
# time between SIGTERM and SIGKILL: long enough for dopt run to checkpoint
KillWait=30
# finished jobs stay visible to squeue/scontrol for 5 minutes
MinJobAge=300
# stop wipes the state, so job ids would restart at 1 and a new job would find an old job's folder
# (runs/slurm-<id>) and resume from it: start each cluster's ids from the clock instead
FirstJobId=$(( $(date +%s) / 4 % 50000000 + 1000 ))
InactiveLimit=0
JobRequeue=1
NodeName=$node NodeAddr=127.0.0.1 CPUs=$cpus State=UNKNOWN
PartitionName=local Nodes=$node Default=YES MaxTime=INFINITE State=UP OverSubscribe=NO
CONF
  : >"$dir/plugstack.conf"
}

start_munge() {
  if alive "$dir/run/munged.pid" && [ -S "$sock" ]; then return 0; fi
  if [ ! -s "$dir/munge/munge.key" ]; then
    if command -v mungekey >/dev/null; then
      mungekey --create --keyfile="$dir/munge/munge.key" --force >/dev/null
    else
      dd if=/dev/urandom of="$dir/munge/munge.key" bs=1024 count=1 status=none
    fi
  fi
  chmod 0400 "$dir/munge/munge.key"
  rm -f "$sock" "$sock.lock"
  # --force: this folder lives under the project tree, whose parents munged would otherwise
  # refuse to trust; the key and socket folders themselves are 0700
  timeout 60 munged --force --socket="$sock" --key-file="$dir/munge/munge.key" --pid-file="$dir/run/munged.pid" \
    --log-file="$dir/log/munged.log" --seed-file="$dir/munge/munged.seed" >>"$dir/log/munged.log" 2>&1 \
    || { tail_log "$dir/log/munged.log"; cannot "munged did not start"; }
  for _ in $(seq 1 50); do [ -S "$sock" ] && return 0; sleep 0.1; done
  tail_log "$dir/log/munged.log"; cannot "munged did not open its socket $sock within 5 s"
}

start_daemon() { # name pidfile
  local name=$1 pidf=$2
  if alive "$pidf"; then return 0; fi
  rm -f "$pidf"
  timeout 60 "$name" -f "$conf" >>"$dir/log/$name.out" 2>&1 || { tail_log "$dir/log/$name.log"; tail_log "$dir/log/$name.out"; cannot "$name did not start"; }
  for _ in $(seq 1 50); do alive "$pidf" && return 0; sleep 0.1; done
  tail_log "$dir/log/$name.log"; tail_log "$dir/log/$name.out"; cannot "$name exited right after starting"
}

start() {
  [ "$(id -u)" -eq 0 ] || cannot "needs root: slurmd starts every job as its owner (run the tests as root, or use ./dopt sweep run --local)"
  local p
  for p in munged slurmctld slurmd sbatch sinfo; do
    command -v "$p" >/dev/null || cannot "$p is missing: install Debian slurmd slurmctld slurm-client munge (./dopt setup --slurm)"
  done
  if status >/dev/null 2>&1; then say "already running (SLURM_CONF=$conf)"; return 0; fi
  # a half-running cluster (a daemon died, a stale pid file) is restarted from scratch
  if alive "$dir/run/slurmctld.pid" || alive "$dir/run/slurmd.pid" || alive "$dir/run/munged.pid"; then stop >/dev/null 2>&1 || true; fi
  for p in "$ctld_port" "$slurmd_port"; do
    if (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
      cannot "port $p is taken by another program; set DOPT_SLURMCTLD_PORT/DOPT_SLURMD_PORT to free ports"
    fi
  done
  write_conf
  start_munge
  start_daemon slurmctld "$dir/run/slurmctld.pid"
  start_daemon slurmd "$dir/run/slurmd.pid"
  local s=""
  for _ in $(seq 1 120); do
    s=$(node_state || true)
    case "$s" in
      idle|mixed|allocated) say "running: node $node is $s (SLURM_CONF=$conf)"; return 0 ;;
      drain*|down*|fail*) q scontrol update NodeName="$node" State=RESUME || true ;;
    esac
    alive "$dir/run/slurmctld.pid" || { tail_log "$dir/log/slurmctld.log"; cannot "slurmctld died while starting"; }
    alive "$dir/run/slurmd.pid" || { tail_log "$dir/log/slurmd.log"; cannot "slurmd died while starting"; }
    sleep 0.5
  done
  tail_log "$dir/log/slurmctld.log"; tail_log "$dir/log/slurmd.log"
  say "node $node did not become idle within 60 s (state '${s:-no answer}'; reason: $(q sinfo -h -R -o '%E' || true))"
  exit 1
}

status() {
  alive "$dir/run/munged.pid" && alive "$dir/run/slurmctld.pid" && alive "$dir/run/slurmd.pid" || { say "not running"; return 1; }
  local s
  s=$(node_state || true)
  case "$s" in
    idle|mixed|allocated|completing) echo "local-cluster: running, node $node is $s (SLURM_CONF=$conf)"; return 0 ;;
    *) say "daemons run but node $node is '${s:-not answering}'"; return 1 ;;
  esac
}

# the processes a job left behind carry our SLURM_CONF and a SLURM_JOB_ID in their environment:
# that marks them as ours (the daemons have no job id), and they are ended by pid
job_leftovers() {
  local f pid
  for f in /proc/[0-9]*/environ; do
    pid=${f#/proc/}; pid=${pid%/environ}
    [ "$pid" = "$$" ] && continue
    { tr '\0' '\n' <"$f" | awk -v c="SLURM_CONF=$conf" '$0 == c { a = 1 } /^SLURM_JOB_ID=/ { b = 1 } END { exit !(a && b) }'; } 2>/dev/null \
      && echo "$pid"
  done
  return 0
}

stop_pid() { # pidfile
  local pidf=$1 pid
  [ -f "$pidf" ] || return 0
  pid=$(cat "$pidf" 2>/dev/null || true)
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$pidf"
}

stop() {
  if alive "$dir/run/slurmctld.pid"; then
    q scancel --full --user="$(id -un)" || true
    for _ in $(seq 1 40); do [ -z "$(q squeue -h -o %i || true)" ] && break; sleep 0.5; done
  fi
  stop_pid "$dir/run/slurmd.pid"
  stop_pid "$dir/run/slurmctld.pid"
  local pids
  pids=$(job_leftovers)
  if [ -n "$pids" ]; then
    say "ending processes left by jobs: $(echo $pids)"
    kill -TERM $pids 2>/dev/null || true
    sleep 1
    kill -KILL $(job_leftovers) 2>/dev/null || true
  fi
  stop_pid "$dir/run/munged.pid"
  rm -rf "$dir/state" "$dir/run" "$rt"
  say "stopped"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  env) echo "export SLURM_CONF=$conf" ;;
  *) echo "usage: slurm/local-cluster.sh start|stop|status|env" >&2; exit 2 ;;
esac
