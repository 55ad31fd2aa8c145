#!/usr/bin/env bash
# Writes a private MPJ_HOME that uses ports of its own, so that niodev jobs (and users) sharing a
# host do not take each other's: MPJ Express's ports are fixed in $MPJ_HOME/conf (40002, 40055, 40052).
#   mpi/private-home.sh DEST BASE    DEST/conf/mpjexpress.conf with the starter on BASE, the daemon
#                                    on BASE+1 and its port manager on BASE+2; DEST/lib links to the
#                                    shared mpi/home/lib (nothing is copied)
# Used by dopt run (--dev niodev), mpi/daemon.sh (DOPT_MPJ_PORT_BASE) and slurm/dopt-job.sbatch.
set -euo pipefail
[ $# -eq 2 ] || { echo "usage: mpi/private-home.sh DEST BASE" >&2; exit 2; }
dest=$1 base=$2
[[ "$base" =~ ^[0-9]+$ ]] && [ "$base" -ge 1024 ] && [ "$base" -le 65533 ] \
  || { echo "private-home.sh: port base must be a number from 1024 to 65533 (got '$base')" >&2; exit 2; }
shared=$(cd "$(dirname "$0")" && pwd)/home
[ -f "$shared/lib/starter.jar" ] || { echo "private-home.sh: $shared is not set up; run ./dopt setup" >&2; exit 1; }
mkdir -p "$dest/conf"
ln -sfn "$shared/lib" "$dest/lib"
sed -e "s/^mpjexpress.mpjrun.port.1=.*/mpjexpress.mpjrun.port.1=$base/" \
    -e "s/^mpjexpress.mpjdaemon.port.1=.*/mpjexpress.mpjdaemon.port.1=$((base + 1))/" \
    -e "s/^mpjexpress.mpjdaemon.port.2=.*/mpjexpress.mpjdaemon.port.2=$((base + 2))/" \
    "$shared/conf/mpjexpress.conf" >"$dest/conf/mpjexpress.conf.tmp"
mv "$dest/conf/mpjexpress.conf.tmp" "$dest/conf/mpjexpress.conf"
