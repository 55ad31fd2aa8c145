#!/usr/bin/env bash
# Allreduce bandwidth, dopt's ring vs MPJ Express's Allreduce, in the same run (OSU/NCCL-test style):
# 2 and 4 ranks under multicore, 2 rank processes under niodev (this host's daemon).
# Writes benchmarks/results/collectives-<date>.md.   benchmarks/collectives.sh [MAX_BYTES]
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
max=${1:-$((512 << 20))}
./dopt setup >/dev/null
export MPJ_HOME="$repo/mpi/home"
out="benchmarks/results/collectives-$(date -u +%F).md"
mkdir -p benchmarks/results
jvm=(-Xmx10g -XX:+UseParallelGC --add-modules=jdk.incubator.vector)
{
  echo "# Collective benchmarks — $(date -u +%F)"
  echo
  echo "Machine: $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1), $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB;"
  echo "$(java -version 2>&1 | head -1); MPJ Express 0.44 (Debian libmpj-java). Mean over ranks of the time per call; results checked."
  echo
  for np in 2 4; do
    java -jar mpi/home/lib/starter.jar -np $np -dev multicore "${jvm[@]}" -cp "$repo/target/dopt.jar" dopt.bench.AllreduceBench "$max" "(multicore)" 2>&1 | grep -v -E '^MPJ Express|^WARNING'
    echo
  done
  wd=$(mktemp -d); echo localhost >"$wd/machines"
  started=0; bash mpi/daemon.sh start >/dev/null && started=1 || true
  # a niodev start can hang when another job holds MPJ's fixed ports: bound it
  timeout 900 java -jar mpi/home/lib/starter.jar -np 2 -dev niodev -machinesfile "$wd/machines" -wdir "$wd" "${jvm[@]}" -cp "$repo/target/dopt.jar" \
    dopt.bench.AllreduceBench "$max" "(niodev, 2 processes on one host)" 2>&1 | grep -v -E '^MPJ Express|^WARNING|Starting process|Stopping Process'
  [ $started = 1 ] && bash mpi/daemon.sh stop >/dev/null
  rm -rf "$wd"
} | tee "$out"
