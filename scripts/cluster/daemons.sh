# shellcheck shell=bash
# Starting and stopping the cluster's processes (sourced). Each runs in a session of its own
# with its pid in $RUN_DIR/NAME.pid and its output in $LOG_DIR/NAME.log. A pid counts as ours
# only while its command line names $DATA_DIR (every daemon's flags do), so a stale pid file
# never leads to signalling a process that reused the number.

owned_pid() { # owned_pid NAME: prints the pid when that process is alive and ours
  local pid; pid=$(cat "$RUN_DIR/$1.pid" 2>/dev/null) || return 1
  [ -r "/proc/$pid/cmdline" ] && tr '\0' ' ' < "/proc/$pid/cmdline" | grep -qF "$DATA_DIR" \
    && echo "$pid"
}

start_daemon() { # start_daemon NAME COMMAND...
  local name=$1; shift
  mkdir -p "$RUN_DIR" "$LOG_DIR"
  owned_pid "$name" >/dev/null && return 0
  setsid "$@" >"$LOG_DIR/$name.log" 2>&1 </dev/null &
  local pid=$! i
  echo "$pid" > "$RUN_DIR/$name.pid"
  # Until the forked shell has exec'd the daemon, its command line is this script's, and
  # owned_pid would call the new daemon dead (a start then failed with "exited" and an empty
  # log): wait for the exec, or for the process to end, at most 5 s.
  for ((i = 0; i < 100; i++)); do
    running "$pid" && ! owned_pid "$name" >/dev/null || break
    sleep 0.05
  done
}

# check_daemon NAME: fails with the end of its log when the process has died.
check_daemon() {
  owned_pid "$1" >/dev/null && return 0
  tail -n 30 "$LOG_DIR/$1.log" >&2 || true
  die "$1 exited (log: $LOG_DIR/$1.log)"
}

# wait_ready SECONDS NAME COMMAND...: like wait_for, but gives up at once when NAME has died.
wait_ready() {
  local deadline=$((SECONDS + $1)) name=$2; shift 2
  until "$@" >/dev/null 2>&1; do
    check_daemon "$name"
    [ $SECONDS -lt $deadline ] || die "timed out waiting for $name (log: $LOG_DIR/$name.log)"
    sleep 0.5
  done
}

# running PID: alive and not a zombie waiting for init to reap it.
running() { [ -r "/proc/$1/stat" ] && [ "$(cut -d' ' -f3 "/proc/$1/stat" 2>/dev/null)" != Z ]; }

# stop_daemons NAME...: SIGTERM to each daemon's process group (setsid made it the leader, so
# helpers it forked, like socat's per-connection children, go too), all at once; SIGKILL to
# whatever still runs after $STOP_GRACE seconds (default 10).
stop_daemons() {
  local name pid pids=() i grace=${STOP_GRACE:-10}
  for name in "$@"; do
    pid=$(owned_pid "$name") && { pids+=("$pid"); kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid"; }
    rm -f "$RUN_DIR/$name.pid"
  done
  for ((i = 0; i < grace * 10; i++)); do
    for pid in "${pids[@]}"; do running "$pid" && break; pid=; done
    [ -z "${pid:-}" ] && return 0
    sleep 0.1
  done
  for pid in "${pids[@]}"; do kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true; done
}
