# Shell helpers the bench scripts share (run-anchors.sh, import-rate.sh): sourced, not run.
# Each script defines log() (its own prefix) and the policy-rc.d variables POLICY_RC and
# created_policy_rc before calling these.

# absolute, whatever the caller's working directory, so configs and logs name real paths
abs_path() {
  local dir
  dir="$(dirname -- "$1")"
  mkdir -p -- "$dir"
  echo "$(cd -- "$dir" && pwd -P)/$(basename -- "$1")"
}

die() {
  log "ERROR: $*"
  exit 1
}

# is_ours PID START_TIME: the PID is alive and still the process that was started
is_ours() {
  local now
  now="$(start_time_of "$1")" || return 1
  [[ "$now" == "$2" ]]
}

# ---------------------------------------------------------------------------- small helpers
# port_free HOST:PORT: nothing accepts connections there
port_free() {
  local host=${1%:*} port=${1##*:}
  ! (exec 3<>"/dev/tcp/$host/$port") 2>/dev/null
}

remove_policy_rc() {
  # only a file this script wrote; a container base image may ship its own
  if [[ "$created_policy_rc" == 1 ]]; then
    rm -f "$POLICY_RC"
    created_policy_rc=0
  fi
}

# shell_words ARG...: a command line to paste into a shell; only words that need it are quoted
shell_words() {
  local out="" a sq="'" escaped_sq="'\\''"
  for a in "$@"; do
    if [[ "$a" =~ ^[A-Za-z0-9_@%+=:,./-]+$ ]]; then
      out+="$a "
    else
      out+="'${a//$sq/$escaped_sq}' "
    fi
  done
  echo "${out% }"
}

# ---------------------------------------------------------------------------------- processes
# The start time (field 22 of /proc/PID/stat, clock ticks since boot) survives exec, so it tells
# our process (env -> launcher -> java keeps one PID) from a later one that reuses its number.
start_time_of() {
  local stat
  stat="$(cat "/proc/$1/stat" 2>/dev/null)" || return 1
  # the command name in field 2 may hold spaces: count fields after its closing parenthesis
  stat="${stat##*) }"
  awk '{ print $20 }' <<<"$stat"
}
