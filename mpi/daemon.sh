#!/usr/bin/env bash
# Starts, stops or reports the MPJ Express daemon of this host (niodev needs one per host).
#   mpi/daemon.sh start|stop|status      exit 0 ok; start exits 3 if a daemon already listens; with
#                                        DOPT_MPJ_DAEMON_OWNER=PID the daemon (and its rank JVMs) stops
#                                        when that process is gone (dopt run passes its own pid)
#   mpi/daemon.sh foreground             run the daemon until SIGUSR1 or SIGTERM, then stop it and the
#                                        rank JVMs it started and exit 0: for a supervisor that owns
#                                        it (SLURM's srun in slurm/dopt-job.sbatch, which forwards
#                                        SIGUSR1 to its tasks but answers SIGTERM with SIGKILL)
# Port: $DOPT_MPJ_DAEMON_PORT or the one in $MPJ_HOME/conf/mpjexpress.conf (40055). The daemon also
# uses port 40052 (mpjexpress.mpjdaemon.port.2) and needs a writable user.home: it gets
# mpi/run/home-<port>, or $DOPT_MPJ_DAEMON_HOME (where several nodes may share the repository's
# file system, or dopt run keeps it in the job's folder; start then logs to daemon.log there).
#   mpi/daemon.sh start|stop|status --port-base P
#                                        the ports of the private MPJ_HOME mpi/run/mpj-home-P
#                                        (mpi/private-home.sh): the daemon listens on P+1, and
#                                        `dopt run --dev niodev --machines FILE --port-base P` reaches it
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
action=${1:-}
if [ "${2:-}" = "--port-base" ]; then
  [ $# -eq 3 ] || { echo "usage: mpi/daemon.sh start|stop|status|foreground [--port-base P]" >&2; exit 2; }
  bash "$here/private-home.sh" "$here/run/mpj-home-$3" "$3"
  export MPJ_HOME="$here/run/mpj-home-$3"
elif [ $# -gt 1 ]; then
  echo "usage: mpi/daemon.sh start|stop|status|foreground [--port-base P]" >&2; exit 2
fi
export MPJ_HOME=${MPJ_HOME:-$here/home}
conf_port=$(sed -n 's/^mpjexpress.mpjdaemon.port.1=//p' "$MPJ_HOME/conf/mpjexpress.conf" 2>/dev/null || true)
port=${DOPT_MPJ_DAEMON_PORT:-${conf_port:-40055}}
run="$here/run"
pidf="$run/daemon-$port.pid"
listening() { (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; }

case "$action" in
  start)
    [ -f "$MPJ_HOME/lib/daemon.jar" ] || { echo "daemon.sh: MPJ_HOME $MPJ_HOME is not set up; run ./dopt setup" >&2; exit 1; }
    if listening; then echo "daemon.sh: an MPJ daemon already listens on port $port"; exit 3; fi
    home=${DOPT_MPJ_DAEMON_HOME:-$run/home-$port}
    log=$run/daemon-$port.log
    [ -z "${DOPT_MPJ_DAEMON_HOME:-}" ] || log=$home/daemon.log
    mkdir -p "$home" "$run"
    L="$MPJ_HOME/lib"
    nohup java -Duser.home="$home" \
      -cp "$L/daemon.jar:$L/log4j-1.2.jar:$L/runtimecommon.jar:$L/mpj.jar:$L/commons-io.jar:$L/commons-codec.jar" \
      runtime.daemon.MPJDaemon "$port" >"$log" 2>&1 &
    echo $! >"$pidf"
    if [ -n "${DOPT_MPJ_DAEMON_OWNER:-}" ]; then
      # the daemon of one dopt run dies with it, also after kill -9 of dopt run (which runs no clean-up):
      # a watcher ends the daemon and the rank JVMs it started once the owner's pid is gone
      nohup bash -c 'while kill -0 "$1" 2>/dev/null && kill -0 "$2" 2>/dev/null; do sleep 1; done
        if kill -0 "$2" 2>/dev/null; then pkill -KILL -P "$2"; kill -9 "$2"; rm -f "$3"; fi' \
        _ "$DOPT_MPJ_DAEMON_OWNER" "$(cat "$pidf")" "$pidf" >/dev/null 2>&1 &
    fi
    for _ in $(seq 1 100); do
      if listening; then echo "daemon.sh: MPJ daemon started on port $port (pid $(cat "$pidf"))"; exit 0; fi
      kill -0 "$(cat "$pidf")" 2>/dev/null || { echo "daemon.sh: the MPJ daemon exited; see $log" >&2; tail -5 "$log" >&2; exit 1; }
      sleep 0.2
    done
    echo "daemon.sh: the MPJ daemon did not open port $port within 20 s; see $log" >&2; exit 1 ;;
  stop)
    if [ -f "$pidf" ]; then
      pid=$(cat "$pidf")
      # the daemon's children are the rank JVMs it started; a stopped one (SIGSTOP) acts on SIGTERM
      # only once continued, and one that still runs after 5 s gets SIGKILL
      pkill -TERM -P "$pid" 2>/dev/null || true
      pkill -CONT -P "$pid" 2>/dev/null || true
      for _ in $(seq 1 50); do pgrep -P "$pid" >/dev/null || break; sleep 0.1; done
      pkill -KILL -P "$pid" 2>/dev/null || true
      kill "$pid" 2>/dev/null || true
      for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -9 "$pid" 2>/dev/null || true
      rm -f "$pidf"
      echo "daemon.sh: MPJ daemon on port $port stopped"
    else
      echo "daemon.sh: no daemon started by this project on port $port"
    fi ;;
  foreground)
    [ -f "$MPJ_HOME/lib/daemon.jar" ] || { echo "daemon.sh: MPJ_HOME $MPJ_HOME is not set up; run ./dopt setup" >&2; exit 1; }
    if listening; then echo "daemon.sh: an MPJ daemon already listens on port $port of $(hostname -s)" >&2; exit 3; fi
    home=${DOPT_MPJ_DAEMON_HOME:-$run/home-$port-$(hostname -s)}
    mkdir -p "$home"
    L="$MPJ_HOME/lib"
    echo "daemon.sh: MPJ daemon on $(hostname -s):$port in the foreground (MPJ_HOME $MPJ_HOME, user.home $home)"
    java -Duser.home="$home" \
      -cp "$L/daemon.jar:$L/log4j-1.2.jar:$L/runtimecommon.jar:$L/mpj.jar:$L/commons-io.jar:$L/commons-codec.jar" \
      runtime.daemon.MPJDaemon "$port" &
    jvm=$!
    stop_foreground() {
      pkill -TERM -P "$jvm" 2>/dev/null || true
      kill -TERM "$jvm" 2>/dev/null || true
      wait "$jvm" 2>/dev/null || true
      echo "daemon.sh: MPJ daemon on $(hostname -s):$port stopped"
      exit 0
    }
    trap stop_foreground USR1 TERM INT
    code=0
    wait "$jvm" || code=$?
    exit "$code" ;;
  status)
    if listening; then echo "daemon.sh: an MPJ daemon listens on port $port"; else echo "daemon.sh: no MPJ daemon on port $port"; exit 1; fi ;;
  *) echo "usage: mpi/daemon.sh start|stop|status|foreground [--port-base P]" >&2; exit 2 ;;
esac
