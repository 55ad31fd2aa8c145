#!/usr/bin/env bash
# MPJ Express's mpjrun.sh, working: Debian's mpjrun fails with NoClassDefFoundError:
# org/apache/log4j/Layout (its /usr/share/mpj/lib lacks the jars MPJ's starter needs); this runs the
# same starter from the complete MPJ_HOME that ./dopt setup assembles (mpi/home).
#
#   mpi/mpjrun.sh [-np N] [-dev multicore|niodev] [-machinesfile FILE] JOB.json [dopt run options]
#       a dopt job: the same as ./dopt run JOB --np N --dev D [--machines FILE] [options], with its
#       checks, ports, outcome and exit code (0 done, 75 stopped with a checkpoint, else failed)
#   mpi/mpjrun.sh [MPJ options] CLASS [ARGS...]      any other MPJ program, as mpjrun.sh runs it
#   mpi/mpjrun.sh [MPJ options] -jar JAR [ARGS...]   (options: -np, -dev, -machinesfile, -wdir, -cp,
#                                                    JVM options; mpi/mpjrun.sh -h lists them)
# niodev needs an MPJ daemon on every host of the machines file (./dopt daemon start); a dopt job
# without -machinesfile starts its own on this host.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$here")
say() { echo "mpjrun.sh: $*" >&2; }

# the caller's MPJ_HOME if it is complete (a job's private one), else the project's
if [ -z "${MPJ_HOME:-}" ] || [ ! -f "$MPJ_HOME/lib/log4j-1.2.jar" ] || [ ! -f "$MPJ_HOME/lib/starter.jar" ]; then
  export MPJ_HOME="$here/home"
fi
[ -f "$MPJ_HOME/lib/starter.jar" ] || { say "MPJ Express is not set up in $MPJ_HOME; run ./dopt setup"; exit 1; }

# MPJ's own options (mpjrun.sh -h): the ones that take a value
takes_value() {
  case "$1" in -np|-dev|-dport|-wdir|-mpjport|-mxboardnum|-headnodeip|-psl|-machinesfile|-debug|-src|-profile|-cp|-classpath) return 0 ;; esac
  return 1
}
opts=()
np="" dev="" machines="" others=()
while [ $# -gt 0 ]; do
  case "$1" in
    -jar) break ;;
    -*) if takes_value "$1"; then
          [ $# -ge 2 ] || { say "$1 needs a value"; exit 2; }
          case "$1" in -np) np=$2 ;; -dev) dev=$2 ;; -machinesfile) machines=$2 ;; *) others+=("$1") ;; esac
          opts+=("$1" "$2"); shift 2
        else
          others+=("$1"); opts+=("$1"); shift
        fi ;;
    *) break ;;
  esac
done

if [ $# -gt 0 ] && [[ "$1" == *.json ]]; then
  # a dopt job goes through dopt run, so that it is checked, gets its own ports and reports its outcome
  [ ${#others[@]} -eq 0 ] || { say "${others[0]} does not apply to a dopt job (use -np, -dev, -machinesfile; dopt run options follow JOB: $repo/dopt run --help)"; exit 2; }
  job=$1
  shift
  run=("$repo/dopt" run "$job")
  [ -z "$np" ] || run+=(--np "$np")
  [ -z "$dev" ] || run+=(--dev "$dev")
  [ -z "$machines" ] || run+=(--machines "$machines")
  exec "${run[@]}" "$@"
fi
# MPJ's starter runs niodev ranks in -wdir, by default $MPJ_HOME/bin (absent here): the caller's folder instead
if [ "$dev" = niodev ] && [[ " ${opts[*]} " != *" -wdir "* ]]; then opts+=(-wdir "$PWD"); fi
exec java -jar "$MPJ_HOME/lib/starter.jar" "${opts[@]}" "$@"
