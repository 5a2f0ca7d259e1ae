#!/usr/bin/env bash
# bench/run-anchors.sh: wharf side by side with the systems a user would pick instead, in one run
# on loopback (issue 4). It installs what is missing (Debian packages), builds the jars, starts
#
#   registry          docker-registry (CNCF distribution), filesystem storage: the upstream every
#                     proxy pulls through, and a target of its own (serving directly)
#   nginx             nginx with sendfile, serving the upstream's blob FILES and static copies of
#                     its manifests under the OCI URLs: the practical limit
#   nginx-nosendfile  the same files, sendfile off, output_buffers 2 256k (a user-space copy; on
#                     loopback often faster, since the receiver pays for sendfile's page fragments)
#   dist-proxy        docker-registry in proxy mode in front of the upstream, empty cache
#   nginx-relay       nginx proxy_pass to the upstream, keeping nothing: measured in cold-pull only,
#                     as the floor of any proxy (the extra hop, with no hash and no disk)
#   wharf             wharf through deploy/bin/wharf (the launcher's own heap and direct-memory
#                     caps), pulling through the upstream, empty cache
#
# seeds the upstream with the load generator (bench/target/wharf-bench.jar seed), runs every
# scenario against all of them (wharf-bench.jar run, targets interleaved), and writes the results file:
# a generated header (machine, versions, command lines), the generator's report verbatim, and the
# hand-written analysis section kept from the previous file.
#
# Usage: bench/run-anchors.sh [options]          (-h for the options)
#
# Addresses (environment; all on loopback, all must be free):
#   BENCH_UPSTREAM_ADDR           127.0.0.1:5400   upstream docker-registry (target "registry")
#   BENCH_NGINX_ADDR              127.0.0.1:5401   nginx, sendfile on
#   BENCH_NGINX_NOSENDFILE_ADDR   127.0.0.1:5402   nginx, sendfile off
#   BENCH_DIST_PROXY_ADDR         127.0.0.1:5403   docker-registry as a proxy
#   BENCH_NGINX_RELAY_ADDR        127.0.0.1:5407   nginx proxy_pass to the upstream (no cache)
#   BENCH_WHARF_ADDR              127.0.0.1:5404   wharf
#   BENCH_WHARF_HTTPS_ADDR        127.0.0.1:5405   wharf's HTTPS listener (self-signed)
#   BENCH_WHARF_BASE_ADDR         127.0.0.1:5406   the --baseline wharf
# Other environment:
#   JAVA_HOME          the JDK that runs the generator and wharf (default: java on the PATH)
#   BENCH_JAR          the generator jar (default: bench/target/wharf-bench.jar, built if missing)
#   BENCH_MVN_FLAGS    extra Maven flags for the build, split on spaces (e.g. "-o")
#   BENCH_STOP_TIMEOUT seconds between TERM and KILL when stopping a process (default 15)
#
# Every process started is recorded in WORKDIR/run/NAME.pid (PID and its start time) and is the
# only thing stopped: on exit (TERM, then KILL after BENCH_STOP_TIMEOUT), unless --keep; by
# --stop; or at the start of the next run with the same work dir. WHARF_* variables of the caller's
# environment are not passed to wharf (each is a config key or a launcher setting, and the bench
# measures the configuration written here with the launcher's defaults).
set -euo pipefail

REPO_ROOT="$(cd -- "$(dirname -- "$(readlink -f -- "${BASH_SOURCE[0]}")")/.." && pwd -P)"

# shared helpers: processes by PID and start time, shell quoting, paths, ports, policy-rc.d
# shellcheck source=bench/lib.sh
source "$REPO_ROOT/bench/lib.sh"

: "${BENCH_UPSTREAM_ADDR:=127.0.0.1:5400}"
: "${BENCH_NGINX_ADDR:=127.0.0.1:5401}"
: "${BENCH_NGINX_NOSENDFILE_ADDR:=127.0.0.1:5402}"
: "${BENCH_DIST_PROXY_ADDR:=127.0.0.1:5403}"
: "${BENCH_WHARF_ADDR:=127.0.0.1:5404}"
: "${BENCH_WHARF_HTTPS_ADDR:=127.0.0.1:5405}"
: "${BENCH_WHARF_BASE_ADDR:=127.0.0.1:5406}"
: "${BENCH_NGINX_RELAY_ADDR:=127.0.0.1:5407}"
: "${BENCH_STOP_TIMEOUT:=15}"
: "${BENCH_MVN_FLAGS:=}"

WHARF_JAR_PATH="$REPO_ROOT/proxy/target/wharf.jar"
WHARF_LAUNCHER="$REPO_ROOT/deploy/bin/wharf"
BENCH_JAR_PATH="${BENCH_JAR:-$REPO_ROOT/bench/target/wharf-bench.jar}"
JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"

# every media type a manifest can have, so docker-registry returns OCI and Docker ones by tag
# (distribution 2.8 answers an OCI manifest by tag only when it is acceptable)
MANIFEST_ACCEPT="application/vnd.oci.image.index.v1+json, application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.list.v2+json, application/vnd.docker.distribution.manifest.v2+json"

usage() {
  cat <<EOF
Usage: bench/run-anchors.sh [options]

Starts the upstream docker-registry, nginx (sendfile on and off, and a relay: proxy_pass to the
upstream, keeping nothing), docker-registry as a proxy and wharf on 127.0.0.1, seeds the upstream,
runs the load generator against all of them and writes the results file.

Options:
  --profile NAME    default | small | smoke: image sizes and volumes (default: default)
  --rounds N        interleaved rounds per warm scenario (default: the generator's for the profile)
  --scenarios LIST  comma-separated subset of warm-blob,manifest,image-pull,cold-pull,herd,rss
  --workdir DIR     data, configs, logs and reports (default: bench/target/anchors)
  --results FILE    the results file to write (default: bench/RESULTS.md)
  --setup-only      start and seed everything, print URLs and PIDs, run no scenario and write no
                    results; then wait for Ctrl-C (or exit at once with --keep)
  --keep            leave the processes running at exit (stop them later with --stop)
  --stop            stop the processes a previous --keep left running in the work dir, and exit
  --no-install      do not apt-get missing tools (fail instead)
  --https PROVIDER  also measure wharf's HTTPS listener (target wharf-https, same process and data
                    as wharf), with server.https.provider PROVIDER: auto, openssl or jdk
  --baseline JAR    also measure another build of wharf (target wharf-base): JAR is its wharf.jar
                    (say, built from an earlier commit), started by the same launcher with its own
                    data folder, so the report's "wharf / wharf-base" column is wharf against itself
  --build           run 'mvn -B -ntp package -DskipTests' even if the jars exist
  -h, --help        this text

Addresses (environment): BENCH_UPSTREAM_ADDR ($BENCH_UPSTREAM_ADDR), BENCH_NGINX_ADDR
($BENCH_NGINX_ADDR), BENCH_NGINX_NOSENDFILE_ADDR ($BENCH_NGINX_NOSENDFILE_ADDR),
BENCH_DIST_PROXY_ADDR ($BENCH_DIST_PROXY_ADDR), BENCH_WHARF_ADDR ($BENCH_WHARF_ADDR),
BENCH_WHARF_HTTPS_ADDR ($BENCH_WHARF_HTTPS_ADDR), BENCH_WHARF_BASE_ADDR ($BENCH_WHARF_BASE_ADDR),
BENCH_NGINX_RELAY_ADDR ($BENCH_NGINX_RELAY_ADDR).
EOF
}

log() { printf '[anchors %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

# ------------------------------------------------------------------------------------ options
PROFILE=default
ROUNDS=""
SCENARIOS=""
WORKDIR_ARG="$REPO_ROOT/bench/target/anchors"
RESULTS_ARG="$REPO_ROOT/bench/RESULTS.md"
SETUP_ONLY=0
KEEP=0
STOP_ONLY=0
INSTALL=1
BUILD=0
HTTPS_PROVIDER=""
BASELINE_JAR=""

need_value() { [[ $# -ge 2 && -n "$2" ]] || die "$1 needs a value (see -h)"; }
while [[ $# -gt 0 ]]; do
  case "$1" in
    --profile) need_value "$@"; PROFILE="$2"; shift 2 ;;
    --rounds) need_value "$@"; ROUNDS="$2"; shift 2 ;;
    --scenarios) need_value "$@"; SCENARIOS="$2"; shift 2 ;;
    --workdir) need_value "$@"; WORKDIR_ARG="$2"; shift 2 ;;
    --results) need_value "$@"; RESULTS_ARG="$2"; shift 2 ;;
    --setup-only) SETUP_ONLY=1; shift ;;
    --keep) KEEP=1; shift ;;
    --stop) STOP_ONLY=1; shift ;;
    --no-install) INSTALL=0; shift ;;
    --build) BUILD=1; shift ;;
    --https) need_value "$@"; HTTPS_PROVIDER="$2"; shift 2 ;;
    --baseline) need_value "$@"; BASELINE_JAR="$2"; shift 2 ;;
    -h | --help) usage; exit 0 ;;
    *) usage >&2; die "unknown option: $1" ;;
  esac
done

case "$PROFILE" in default | small | smoke) ;; *) die "--profile must be default, small or smoke" ;; esac
case "$HTTPS_PROVIDER" in "" | auto | openssl | jdk) ;; *) die "--https must be auto, openssl or jdk" ;; esac
[[ -z "$ROUNDS" || "$ROUNDS" =~ ^[1-9][0-9]*$ ]] || die "--rounds must be a positive integer"
[[ -z "$SCENARIOS" || "$SCENARIOS" =~ ^[a-z-]+(,[a-z-]+)*$ ]] || die "--scenarios is a comma-separated list"
[[ "$BENCH_STOP_TIMEOUT" =~ ^[0-9]+$ ]] || die "BENCH_STOP_TIMEOUT must be a number of seconds"
if [[ -n "$BASELINE_JAR" ]]; then
  [[ -f "$BASELINE_JAR" ]] || die "--baseline $BASELINE_JAR: no such file"
  BASELINE_JAR="$(readlink -f -- "$BASELINE_JAR")"
fi

W="$(abs_path "$WORKDIR_ARG")"
RESULTS="$(abs_path "$RESULTS_ARG")"
RUN="$W/run"
LOGS="$W/logs"

UPSTREAM_URL="http://$BENCH_UPSTREAM_ADDR"
NGINX_URL="http://$BENCH_NGINX_ADDR"
NGINX_NOSENDFILE_URL="http://$BENCH_NGINX_NOSENDFILE_ADDR"
NGINX_RELAY_URL="http://$BENCH_NGINX_RELAY_ADDR"
DIST_PROXY_URL="http://$BENCH_DIST_PROXY_ADDR"
WHARF_URL="http://$BENCH_WHARF_ADDR"
WHARF_BASE_URL="http://$BENCH_WHARF_BASE_ADDR"

STARTED_NAMES=()
declare -A PID_OF=()
declare -A CMD_OF=()

# start_proc NAME STDOUT_FILE STDERR_FILE CMD [ARGS...]: runs CMD in the background, records it
start_proc() {
  local name=$1 out=$2 err=$3 pid st
  shift 3
  "$@" >>"$out" 2>>"$err" </dev/null &
  pid=$!
  st="$(start_time_of "$pid")" || die "$name exited at once (see $err)"
  echo "$pid $st" >"$RUN/$name.pid"
  STARTED_NAMES+=("$name")
  PID_OF[$name]=$pid
  CMD_OF[$name]="$(shell_words "$@")"
  log "started $name (pid $pid): ${CMD_OF[$name]}"
}

# stop_recorded NAME...: TERM each recorded process that is still ours, KILL what is left after
# BENCH_STOP_TIMEOUT seconds. Children (nginx workers) are collected first and get the same.
stop_recorded() {
  local name pid st kid entry i alive=() kids=() left
  for name in "$@"; do
    [[ -f "$RUN/$name.pid" ]] || continue
    read -r pid st <"$RUN/$name.pid" || true
    if [[ -n "${pid:-}" ]] && is_ours "$pid" "$st"; then
      for kid in $(ps -o pid= --ppid "$pid" 2>/dev/null || true); do
        kids+=("$kid $(start_time_of "$kid" || echo gone)")
      done
      kill -TERM "$pid" 2>/dev/null || true
      alive+=("$name $pid $st")
    fi
    rm -f "$RUN/$name.pid"
  done
  ((${#alive[@]})) || return 0
  for ((i = 0; i < BENCH_STOP_TIMEOUT * 10 && ${#alive[@]} > 0; i++)); do
    sleep 0.1
    left=()
    for entry in "${alive[@]}"; do
      read -r _ pid st <<<"$entry"
      if is_ours "$pid" "$st"; then left+=("$entry"); fi
    done
    alive=(${left[@]+"${left[@]}"})
  done
  for entry in ${alive[@]+"${alive[@]}"}; do
    read -r name pid st <<<"$entry"
    log "$name (pid $pid) did not stop within ${BENCH_STOP_TIMEOUT}s: KILL"
    if is_ours "$pid" "$st"; then kill -KILL "$pid" 2>/dev/null || true; fi
  done
  # workers of a killed nginx master would outlive it
  for entry in ${kids[@]+"${kids[@]}"}; do
    read -r pid st <<<"$entry"
    if is_ours "$pid" "$st"; then kill -KILL "$pid" 2>/dev/null || true; fi
  done
  log "stopped: $*"
}

recorded_names() {
  local f
  for f in "$RUN"/*.pid; do
    [[ -e "$f" ]] || continue
    basename -- "$f" .pid
  done
}

on_exit() {
  local rc=$?
  trap - EXIT INT TERM
  if ((${#STARTED_NAMES[@]})); then
    if [[ "$KEEP" == 1 ]]; then
      log "--keep: left running: $(for n in "${STARTED_NAMES[@]}"; do printf '%s=%s ' "$n" "${PID_OF[$n]}"; done)"
      log "stop them with: $0 --workdir $W --stop"
    else
      local reversed=() i
      for ((i = ${#STARTED_NAMES[@]} - 1; i >= 0; i--)); do reversed+=("${STARTED_NAMES[$i]}"); done
      stop_recorded "${reversed[@]}"
    fi
  fi
  remove_policy_rc
  exit "$rc"
}

# ------------------------------------------------------------------------------------ install
POLICY_RC=/usr/sbin/policy-rc.d
created_policy_rc=0

trap on_exit EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

NGINX_BIN="$(command -v nginx || echo /usr/sbin/nginx)"
REGISTRY_BIN="$(command -v docker-registry || echo /usr/bin/docker-registry)"

install_tools() {
  local missing=()
  [[ -x "$NGINX_BIN" ]] || missing+=(nginx-light)
  [[ -x "$REGISTRY_BIN" ]] || missing+=(docker-registry)
  command -v curl >/dev/null || missing+=(curl)
  command -v jq >/dev/null || missing+=(jq)
  ((${#missing[@]})) || return 0
  [[ "$INSTALL" == 1 ]] || die "missing ${missing[*]} (and --no-install given)"
  command -v apt-get >/dev/null || die "missing ${missing[*]}, and no apt-get to install them"
  [[ $(id -u) -eq 0 ]] || die "need root to install: ${missing[*]}"
  # docker-registry's postinst starts a service on :5000 and nginx's one on :80; exit 101 ("action
  # forbidden") from policy-rc.d makes invoke-rc.d and deb-systemd-invoke skip those starts
  if [[ ! -e "$POLICY_RC" ]]; then
    printf '#!/bin/sh\n# written by wharf bench/run-anchors.sh: no service starts during package installs\nexit 101\n' >"$POLICY_RC"
    chmod 0755 "$POLICY_RC"
    created_policy_rc=1
  fi
  log "apt-get install ${missing[*]}"
  local out
  out="$(mktemp)"
  if ! { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    "${missing[@]}"; } >"$out" 2>&1; then
    cat "$out" >&2
    rm -f "$out"
    die "apt-get failed"
  fi
  rm -f "$out"
  remove_policy_rc
  NGINX_BIN="$(command -v nginx || echo /usr/sbin/nginx)"
  REGISTRY_BIN="$(command -v docker-registry || echo /usr/bin/docker-registry)"
  [[ -x "$NGINX_BIN" && -x "$REGISTRY_BIN" ]] || die "nginx or docker-registry still missing after the install"
}

build_jars() {
  local want=0
  [[ "$BUILD" == 1 || ! -f "$WHARF_JAR_PATH" ]] && want=1
  [[ -z "${BENCH_JAR:-}" && ! -f "$BENCH_JAR_PATH" ]] && want=1
  if [[ "$want" == 1 ]]; then
    command -v mvn >/dev/null || die "no mvn to build the jars (or build them first)"
    local flags=()
    [[ -n "$BENCH_MVN_FLAGS" ]] && read -r -a flags <<<"$BENCH_MVN_FLAGS"
    log "building: mvn -B -ntp ${flags[*]+${flags[*]} }package -DskipTests (log: $LOGS/build.log)"
    if ! (cd "$REPO_ROOT" && mvn -B -ntp ${flags[@]+"${flags[@]}"} package -DskipTests) >"$LOGS/build.log" 2>&1; then
      tail -n 40 "$LOGS/build.log" >&2
      die "the build failed (see $LOGS/build.log)"
    fi
  fi
  [[ -f "$WHARF_JAR_PATH" ]] || die "no $WHARF_JAR_PATH after the build"
  [[ -f "$BENCH_JAR_PATH" ]] || die "no $BENCH_JAR_PATH after the build"
}

check_java() {
  command -v "$JAVA" >/dev/null 2>&1 || die "no java (install a JDK 17 or later, or set JAVA_HOME)"
}

# wait_ready NAME URL SECONDS: polls URL until it answers 200 (or 401: /v2/ behind auth)
wait_ready() {
  local name=$1 url=$2 secs=$3 i code pid st
  read -r pid st <"$RUN/$name.pid"
  for ((i = 0; i < secs * 10; i++)); do
    code="$(curl -s -o /dev/null -m 2 -w '%{http_code}' "$url" || true)"
    [[ "$code" == 200 || "$code" == 401 ]] && return 0
    is_ours "$pid" "$st" || die "$name exited while starting (logs: $LOGS/$name.*)"
    sleep 0.1
  done
  die "$name did not answer $url within ${secs}s (logs: $LOGS/$name.*)"
}

header_value() { # FILE NAME: the value of a response header, without the CR
  awk -v n="$(tr '[:upper:]' '[:lower:]' <<<"$2"):" 'tolower($1) == n { sub(/\r$/, ""); sub(/^[^:]*:[ \t]*/, ""); v = $0 } END { print v }' "$1"
}

# ------------------------------------------------------------------------------ docker-registry
# write_registry_config NAME ADDR [REMOTE_URL]
write_registry_config() {
  local name=$1 addr=$2 remote=${3:-}
  mkdir -p "$W/$name/data"
  {
    cat <<EOF
# generated by bench/run-anchors.sh: $name
version: 0.1
log:
  level: warn
  formatter: text
  accesslog:
    disabled: false
storage:
  filesystem:
    rootdirectory: $W/$name/data
  delete:
    enabled: true
  cache:
    blobdescriptor: inmemory
  maintenance:
    uploadpurging:
      enabled: false
http:
  addr: $addr
  secret: wharf-bench-$name
EOF
    if [[ -n "$remote" ]]; then
      printf 'proxy:\n  remoteurl: %s\n' "$remote"
    fi
  } >"$W/$name/config.yml"
}

# start_registry NAME ADDR [REMOTE_URL]: access log (stdout) -> NAME.access.log, app log -> NAME.log
start_registry() {
  local name=$1 addr=$2
  write_registry_config "$@"
  start_proc "$name" "$LOGS/$name.access.log" "$LOGS/$name.log" "$REGISTRY_BIN" serve "$W/$name/config.yml"
  wait_ready "$name" "http://$addr/v2/" 30
}

# ------------------------------------------------------------------------- nginx static copies
# The file extension of a manifest media type; nginx's types block maps it back to Content-Type.
manifest_ext() {
  case "$1" in
    application/vnd.oci.image.manifest.v1+json) echo oci-manifest ;;
    application/vnd.oci.image.index.v1+json) echo oci-index ;;
    application/vnd.docker.distribution.manifest.v2+json) echo docker-manifest ;;
    application/vnd.docker.distribution.manifest.list.v2+json) echo docker-list ;;
    *) return 1 ;;
  esac
}

# fetch_manifest REPO REF: stores the upstream's manifest under the tag (if REF is one) and under
# its digest, adds both URLs to the maps, prints the digest. Index children are fetched too.
declare -A FETCHED=()
fetch_manifest() {
  local repo=$1 ref=$2 body hdr type digest header_digest ext child r
  body="$W/nginx/fetch.body"
  hdr="$W/nginx/fetch.headers"
  curl -sf -H "Accept: $MANIFEST_ACCEPT" -D "$hdr" -o "$body" "$UPSTREAM_URL/v2/$repo/manifests/$ref" ||
    die "cannot GET manifest $repo:$ref from the upstream"
  type="$(header_value "$hdr" Content-Type)"
  type="${type%%;*}"
  digest="sha256:$(sha256sum "$body" | awk '{ print $1 }')"
  header_digest="$(header_value "$hdr" Docker-Content-Digest)"
  [[ -z "$header_digest" || "$header_digest" == "$digest" ]] ||
    die "$repo:$ref: upstream says $header_digest, the body hashes to $digest"
  ext="$(manifest_ext "$type")" || die "$repo:$ref: unexpected manifest media type '$type'"
  mkdir -p "$W/nginx/static/$repo"
  for r in "$ref" "$digest"; do
    [[ -n "${FETCHED[$repo/$r]:-}" ]] && continue
    cp -- "$body" "$W/nginx/static/$repo/$r.$ext"
    FETCHED[$repo/$r]=1
    printf '  "/v2/%s/manifests/%s" "/%s/%s.%s";\n' "$repo" "$r" "$repo" "$r" "$ext" >>"$W/nginx/manifest-files.map"
    printf '  "/v2/%s/manifests/%s" "%s";\n' "$repo" "$r" "$digest" >>"$W/nginx/manifest-digests.map"
  done
  if [[ "$ext" == oci-index || "$ext" == docker-list ]]; then
    for child in $(jq -r '.manifests[]?.digest' "$body"); do
      [[ -n "${FETCHED[$repo/$child]:-}" ]] || fetch_manifest "$repo" "$child" >/dev/null
    done
  fi
  echo "$digest"
}

# list_pages PATH JQ_FILTER: the filter over every page of a paginated upstream list (_catalog,
# tags/list), following the Link headers
list_pages() {
  local path=$1 filter=$2 hdr="$W/nginx/list.headers" body="$W/nginx/list.body" link
  while [[ -n "$path" ]]; do
    curl -sf -D "$hdr" -o "$body" "$UPSTREAM_URL$path" || die "cannot GET $UPSTREAM_URL$path"
    jq -r "$filter" "$body"
    link="$(header_value "$hdr" Link)"
    path=""
    if [[ "$link" =~ ^\<([^>]+)\>\;[[:space:]]*rel=\"next\" ]]; then
      path="${BASH_REMATCH[1]}"
    fi
  done
  rm -f "$hdr" "$body"
}

# Copies every manifest the upstream holds (every tag of every repository, and the manifests of
# every index) into the static folder, then checks that seed.json names none the upstream lacks.
fill_static_manifests() {
  rm -rf "$W/nginx/static" "$W/nginx/manifest-files.map" "$W/nginx/manifest-digests.map"
  mkdir -p "$W/nginx/static"
  : >"$W/nginx/manifest-files.map"
  : >"$W/nginx/manifest-digests.map"
  local repo tag n=0 repos tags
  repos="$(list_pages "/v2/_catalog?n=100" '.repositories[]?')"
  for repo in $repos; do
    tags="$(list_pages "/v2/$repo/tags/list?n=100" '.tags[]?')"
    for tag in $tags; do
      fetch_manifest "$repo" "$tag" >/dev/null
      n=$((n + 1))
    done
  done
  ((n > 0)) || die "the upstream holds no tagged image after seeding"
  rm -f "$W/nginx/fetch.body" "$W/nginx/fetch.headers"
  # whatever the seed file's layout, each manifest it lists is an object with a manifest or index
  # media type and a digest: every one of those must now be served by nginx
  local d incomplete=0
  for d in $(jq -r '[.. | objects | select((.mediaType? // "" | tostring | test("manifest|index")) and (.digest? | type == "string")) | .digest] | unique[]' "$W/seed.json"); do
    if ! grep -qF "/manifests/$d\"" "$W/nginx/manifest-files.map"; then
      log "seed.json names manifest $d, which no tag of the upstream leads to"
      incomplete=1
    fi
  done
  [[ "$incomplete" == 0 ]] || die "the static manifests are incomplete"
  log "nginx static manifests: $n tags, $(wc -l <"$W/nginx/manifest-files.map") URLs"
}

# nginx_server ADDR SENDFILE_LINES: one server block; both serve the same files the same way
nginx_server() {
  cat <<EOF
  server {
    listen $1;
$2
    location = /v2/ {
      default_type application/json;
      add_header Docker-Distribution-API-Version registry/2.0;
      return 200 '{}';
    }
    # /v2/<name>/blobs/sha256:<hex> -> the upstream's own file of that blob
    location ~ "^/v2/.+/blobs/sha256:(?<blob_hex>(?<blob_h2>[0-9a-f]{2})[0-9a-f]{62})\$" {
      root $W/upstream/data/docker/registry/v2/blobs;
      try_files /sha256/\$blob_h2/\$blob_hex/data =404;
      add_header Docker-Content-Digest sha256:\$blob_hex;
    }
    # /v2/<name>/manifests/<tag or digest> -> the static copy; its extension gives Content-Type
    location ~ "^(?<manifest_uri>/v2/.+/manifests/[^/]+)\$" {
      root $W/nginx/static;
      try_files \$manifest_file =404;
      add_header Docker-Content-Digest \$manifest_digest;
    }
    location / { return 404; }
  }
EOF
}

# nginx_relay_server: forwards everything to the upstream and keeps nothing. Responses pass through
# buffers in memory (never a temp file), over kept-alive upstream connections: the cheapest hop a
# proxy can be, so cold-pull measures what wharf's hash and disk cost on top of it.
nginx_relay_server() {
  cat <<EOF
  upstream bench_upstream {
    server $BENCH_UPSTREAM_ADDR;
    keepalive 64;
  }
  server {
    listen $BENCH_NGINX_RELAY_ADDR;
    location / {
      proxy_pass http://bench_upstream;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host \$http_host;
      proxy_buffering on;
      proxy_buffer_size 64k;
      proxy_buffers 16 64k;
      proxy_busy_buffers_size 128k;
      proxy_max_temp_file_size 0;
      proxy_read_timeout 300s;
    }
  }
EOF
}

write_nginx_conf() {
  local user_line=""
  # as root the master would hand the workers to "nobody"; keep them as the current user
  [[ $(id -u) -eq 0 ]] && user_line="user $(id -un) $(id -gn);"
  mkdir -p "$W/nginx/tmp"
  cat >"$W/nginx/nginx.conf" <<EOF
# generated by bench/run-anchors.sh: static file servers, the practical limit, and the relay
$user_line
worker_processes auto;
daemon off;
master_process on;
pid $W/nginx/nginx.pid;
error_log $LOGS/nginx.error.log warn;
events { worker_connections 4096; }
http {
  sendfile on;
  tcp_nopush on;
  keepalive_requests 1000000;
  keepalive_timeout 65;
  server_tokens off;
  types {
    application/vnd.oci.image.manifest.v1+json oci-manifest;
    application/vnd.oci.image.index.v1+json oci-index;
    application/vnd.docker.distribution.manifest.v2+json docker-manifest;
    application/vnd.docker.distribution.manifest.list.v2+json docker-list;
  }
  default_type application/octet-stream;
  access_log $LOGS/nginx.access.log combined buffer=64k flush=1s;
  client_body_temp_path $W/nginx/tmp/body;
  proxy_temp_path $W/nginx/tmp/proxy;
  fastcgi_temp_path $W/nginx/tmp/fastcgi;
  uwsgi_temp_path $W/nginx/tmp/uwsgi;
  scgi_temp_path $W/nginx/tmp/scgi;
  # manifest URL -> static file and digest, one line per tag and digest the upstream holds
  map_hash_bucket_size 256;
  map_hash_max_size 65536;
  map \$manifest_uri \$manifest_file {
    default /-;
    include $W/nginx/manifest-files.map;
  }
  map \$manifest_uri \$manifest_digest {
    default "";
    include $W/nginx/manifest-digests.map;
  }
$(nginx_server "$BENCH_NGINX_ADDR" "    # sendfile on (from http)")
$(nginx_server "$BENCH_NGINX_NOSENDFILE_ADDR" "    sendfile off;
    output_buffers 2 256k;")
$(nginx_relay_server)
}
EOF
  "$NGINX_BIN" -t -q -e "$LOGS/nginx.error.log" -p "$W/nginx" -c "$W/nginx/nginx.conf" ||
    die "nginx rejects $W/nginx/nginx.conf (see $LOGS/nginx.error.log)"
}

# ------------------------------------------------------------------------------------- wharf
write_wharf_config() {
  mkdir -p "$W/wharf"
  cat >"$W/wharf/wharf.yaml" <<EOF
# generated by bench/run-anchors.sh: wharf pulling through the bench upstream
server:
  http: {listen: $BENCH_WHARF_ADDR}
  https: {listen: $BENCH_WHARF_HTTPS_ADDR, provider: ${HTTPS_PROVIDER:-auto}}
storage: {path: $W/wharf-data}
upstreams:
  - {name: bench-upstream, host: 'upstream.bench:5000', url: '$UPSTREAM_URL', tagTtl: 5m}
defaultUpstream: 'upstream.bench:5000'
EOF
}

start_wharf() {
  write_wharf_config
  # the caller's WHARF_* variables would change the config or the launcher's flags under test
  local unset_args=() v
  for v in $(compgen -e | grep '^WHARF_' || true); do
    log "not passing $v to wharf"
    unset_args+=(-u "$v")
  done
  start_proc wharf "$LOGS/wharf.log" "$LOGS/wharf.log" \
    env ${unset_args[@]+"${unset_args[@]}"} "WHARF_DATA=$W/wharf-data" \
    "$WHARF_LAUNCHER" serve --config "$W/wharf/wharf.yaml"
  wait_ready wharf "$WHARF_URL/v2/" 120
  # the launcher exec'd java in the same process: its flags are what was measured
  local args=()
  mapfile -d '' -t args <"/proc/${PID_OF[wharf]}/cmdline"
  JVM_CMD_OF_WHARF="$(shell_words "${args[@]}")"
}

# The --baseline wharf: the same launcher and upstream, its own data folder and config. A build
# from before issue 6 knows no server.https and would refuse the key; a later one would open
# 0.0.0.0:30003 without it.
start_wharf_base() {
  mkdir -p "$W/wharf-base"
  local https=""
  if unzip -l "$BASELINE_JAR" 2>/dev/null | grep -q 'io/wharf/proxy/config/HttpsListenerConfig'; then
    https="  https: {listen: ''}"
  fi
  cat >"$W/wharf-base/wharf.yaml" <<EOF
# generated by bench/run-anchors.sh: the --baseline wharf ($BASELINE_JAR)
server:
  http: {listen: $BENCH_WHARF_BASE_ADDR}
$https
storage: {path: $W/wharf-base-data}
upstreams:
  - {name: bench-upstream, host: 'upstream.bench:5000', url: '$UPSTREAM_URL', tagTtl: 5m}
defaultUpstream: 'upstream.bench:5000'
EOF
  local unset_args=() v
  for v in $(compgen -e | grep '^WHARF_' || true); do
    unset_args+=(-u "$v")
  done
  start_proc wharf-base "$LOGS/wharf-base.log" "$LOGS/wharf-base.log" \
    env ${unset_args[@]+"${unset_args[@]}"} "WHARF_DATA=$W/wharf-base-data" "WHARF_JAR=$BASELINE_JAR" \
    "$WHARF_LAUNCHER" serve --config "$W/wharf-base/wharf.yaml"
  wait_ready wharf-base "$WHARF_BASE_URL/v2/" 120
}

# ---------------------------------------------------------------------------------- results
machine_line() {
  local cpu mem
  cpu="$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo 2>/dev/null || true)"
  mem="$(awk '/^MemTotal:/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)"
  echo "$(nproc) cores (${cpu:-unknown CPU}), $mem memory, kernel $(uname -r)"
}

wharf_revision() {
  local rev
  rev="$(git -C "$REPO_ROOT" rev-parse --short HEAD 2>/dev/null)" || {
    echo "unknown (not a git checkout)"
    return 0
  }
  if [[ -n "$(git -C "$REPO_ROOT" status --porcelain --untracked-files=no 2>/dev/null)" ]]; then
    rev="$rev-dirty"
  fi
  echo "$rev"
}

# the hand-written analysis of the previous results file, markers included
previous_analysis() {
  if [[ -f "$RESULTS" ]] && grep -q '^<!-- analysis:begin -->' "$RESULTS" && grep -q '^<!-- analysis:end -->' "$RESULTS"; then
    awk '/^<!-- analysis:begin -->/ { on = 1 } on { print } /^<!-- analysis:end -->/ { on = 0 }' "$RESULTS"
  else
    printf '%s\n' '<!-- analysis:begin -->' '## Analysis' '' \
      'Written by hand after a run: what the numbers show and what limits wharf where it misses a target.' \
      '<!-- analysis:end -->'
  fi
}

# write_results REVISION STARTED_AT
write_results() {
  local rev=$1 started=$2 analysis tmp name
  analysis="$(previous_analysis)"
  tmp="$(mktemp "$RESULTS.XXXXXX")"
  {
    echo '# wharf beside its anchors'
    echo
    echo "<!-- generated by bench/run-anchors.sh; everything outside the analysis markers is rewritten on every run -->"
    echo
    echo "Run started $started, finished $(date -u '+%Y-%m-%d %H:%M:%S UTC'). Profile \`$PROFILE\`, rounds: ${ROUNDS:-"the generator's default for the profile"}${SCENARIOS:+, scenarios \`$SCENARIOS\`}. All traffic on 127.0.0.1; the load generator shares the machine's cores with the servers."
    echo
    echo "- Machine: $(machine_line)"
    echo "- JDK (generator and wharf): $(readlink -f -- "$(command -v "$JAVA")"): $("$JAVA" -version 2>&1 | head -n 2 | paste -sd ';' - | sed 's/;/; /')"
    echo "- docker-registry: $("$REGISTRY_BIN" --version 2>&1 | head -n 1 | sed 's/^[^ ]*docker-registry //')"
    echo "- nginx: $("$NGINX_BIN" -v 2>&1 | head -n 1 | sed 's/^nginx version: //')"
    echo "- wharf: $rev"
    [[ -n "$BASELINE_JAR" ]] && echo "- wharf-base: $BASELINE_JAR ($(unzip -p "$BASELINE_JAR" META-INF/MANIFEST.MF 2>/dev/null | awk -F': ' '/^Implementation-Version|^Build-Revision/ { printf "%s ", $2 }' | tr -d '\r')built $(date -u -r "$BASELINE_JAR" '+%Y-%m-%d %H:%M UTC'))"
    echo
    echo "Command lines:"
    echo
    echo '```sh'
    for name in "${STARTED_NAMES[@]}"; do
      printf '# %s\n%s\n' "$name" "${CMD_OF[$name]}"
    done
    printf '# wharf: the JVM the launcher ran\n%s\n' "$JVM_CMD_OF_WHARF"
    printf '# seed\n%s\n' "$SEED_CMD"
    printf '# generator\n%s\n' "$RUN_CMD"
    echo '```'
    echo
    echo '<details><summary>Generated configs</summary>'
    echo
    local f
    for f in upstream/config.yml dist-proxy/config.yml nginx/nginx.conf wharf/wharf.yaml ${BASELINE_JAR:+wharf-base/wharf.yaml}; do
      # shellcheck disable=SC2016 # backquotes are markdown here
      printf '`%s`:\n\n```\n%s\n```\n\n' "$W/$f" "$(cat "$W/$f")"
    done
    echo '</details>'
    echo
    echo '<!-- report:begin (the generator'\''s report, verbatim) -->'
    cat "$W/report.md"
    echo '<!-- report:end -->'
    echo
    printf '%s\n' "$analysis"
  } >"$tmp"
  mv -f -- "$tmp" "$RESULTS"
  log "wrote $RESULTS"
}

# --------------------------------------------------------------------------------------- main
mkdir -p "$W" "$RUN" "$LOGS"

# a previous --keep run in this work dir: its processes hold the ports and the storage
mapfile -t leftovers < <(recorded_names)
if ((${#leftovers[@]})); then
  log "stopping what an earlier run left in $W: ${leftovers[*]}"
  stop_recorded "${leftovers[@]}"
fi
[[ "$STOP_ONLY" == 1 ]] && exit 0
# the logs of this run only
rm -f -- "$LOGS"/*.log "$LOGS"/*.out

STARTED_AT="$(date -u '+%Y-%m-%d %H:%M:%S UTC')"
install_tools
check_java
build_jars
# before this script writes anything into the tree (the results file)
REVISION="$(wharf_revision)"

for addr in "$BENCH_UPSTREAM_ADDR" "$BENCH_NGINX_ADDR" "$BENCH_NGINX_NOSENDFILE_ADDR" "$BENCH_NGINX_RELAY_ADDR" \
  "$BENCH_DIST_PROXY_ADDR" "$BENCH_WHARF_ADDR" "$BENCH_WHARF_HTTPS_ADDR" ${BASELINE_JAR:+"$BENCH_WHARF_BASE_ADDR"}; do
  port_free "$addr" || die "$addr is in use (set the BENCH_*_ADDR variables, see -h)"
done

# every store starts empty: the seed is the upstream's only content, the proxies are cold
rm -rf "$W/upstream" "$W/dist-proxy" "$W/nginx" "$W/wharf" "$W/wharf-data" "$W/wharf-base" "$W/wharf-base-data" \
  "$W/seed.json" "$W/report.md" "$W/raw.json"
mkdir -p "$W/nginx"

start_registry upstream "$BENCH_UPSTREAM_ADDR"

SEED_ARGS=(-jar "$BENCH_JAR_PATH" seed --registry "$UPSTREAM_URL" --profile "$PROFILE" --out "$W/seed.json")
SEED_CMD="$(shell_words "$JAVA" "${SEED_ARGS[@]}")"
log "seeding: $SEED_CMD"
if ! "$JAVA" "${SEED_ARGS[@]}" 2>&1 | tee "$LOGS/seed.log" >&2; then
  die "the seed failed (see $LOGS/seed.log)"
fi
[[ -s "$W/seed.json" ]] || die "the seed wrote no $W/seed.json (see $LOGS/seed.log)"

fill_static_manifests
write_nginx_conf
start_proc nginx "$LOGS/nginx.out" "$LOGS/nginx.out" \
  "$NGINX_BIN" -e "$LOGS/nginx.error.log" -p "$W/nginx" -c "$W/nginx/nginx.conf"
wait_ready nginx "$NGINX_URL/v2/" 10
wait_ready nginx "$NGINX_NOSENDFILE_URL/v2/" 10
wait_ready nginx "$NGINX_RELAY_URL/v2/" 10

start_registry dist-proxy "$BENCH_DIST_PROXY_ADDR" "$UPSTREAM_URL"
start_wharf
[[ -n "$BASELINE_JAR" ]] && start_wharf_base

# nginx must answer every manifest URL as the upstream does (a proxy is not asked: it stays cold)
while read -r uri _; do
  uri="${uri#\"}"
  uri="${uri%\"}"
  for base in "$NGINX_URL" "$NGINX_NOSENDFILE_URL"; do
    curl -sfI -H "Accept: $MANIFEST_ACCEPT" -D "$W/nginx/check.headers" -o /dev/null "$base$uri" ||
      die "nginx does not serve $base$uri"
    want="$(grep -F "\"$uri\"" "$W/nginx/manifest-digests.map" | awk '{ print $2 }' | tr -d '";')"
    [[ "$(header_value "$W/nginx/check.headers" Docker-Content-Digest)" == "$want" ]] ||
      die "nginx serves $base$uri with the wrong digest"
  done
done <"$W/nginx/manifest-files.map"
rm -f "$W/nginx/check.headers"

log "running, all on 127.0.0.1:"
for name in "${STARTED_NAMES[@]}"; do
  case "$name" in
    upstream) url="$UPSTREAM_URL (target registry)" ;;
    nginx) url="$NGINX_URL (nginx), $NGINX_NOSENDFILE_URL (nginx-nosendfile), $NGINX_RELAY_URL (nginx-relay)" ;;
    dist-proxy) url="$DIST_PROXY_URL" ;;
    wharf) url="$WHARF_URL" ;;
    wharf-base) url="$WHARF_BASE_URL ($BASELINE_JAR)" ;;
    *) url="" ;;
  esac
  log "  $name pid ${PID_OF[$name]}  $url"
done
log "logs in $LOGS: $(find "$LOGS" -maxdepth 1 -type f -printf '%f\n' | sort | paste -sd ' ' -)"

if [[ "$SETUP_ONLY" == 1 ]]; then
  [[ "$KEEP" == 1 ]] && exit 0
  log "--setup-only: Ctrl-C stops everything"
  while true; do
    for name in "${STARTED_NAMES[@]}"; do
      read -r pid st <"$RUN/$name.pid"
      is_ours "$pid" "$st" || die "$name (pid $pid) exited (logs: $LOGS/$name.*)"
    done
    sleep 1
  done
fi

NGINX_PID="${PID_OF[nginx]}"
RUN_ARGS=(-jar "$BENCH_JAR_PATH" run --seed "$W/seed.json"
  --upstream "$UPSTREAM_URL" --upstream-log "$LOGS/upstream.access.log" --upstream-storage "$W/upstream/data"
  --target "nginx=$NGINX_URL" --target "nginx-nosendfile=$NGINX_NOSENDFILE_URL"
  --target "registry=$UPSTREAM_URL" --target "dist-proxy=$DIST_PROXY_URL" --target "nginx-relay=$NGINX_RELAY_URL"
  --target "wharf=$WHARF_URL"
  --pid "nginx=$NGINX_PID" --pid "nginx-nosendfile=$NGINX_PID" --pid "registry=${PID_OF[upstream]}"
  --pid "dist-proxy=${PID_OF[dist-proxy]}" --pid "wharf=${PID_OF[wharf]}"
  --proxy dist-proxy --relay nginx-relay --proxy wharf --subject wharf --profile "$PROFILE")
if [[ -n "$HTTPS_PROVIDER" ]]; then
  RUN_ARGS+=(--target "wharf-https=https://$BENCH_WHARF_HTTPS_ADDR" --pid "wharf-https=${PID_OF[wharf]}"
    --proxy wharf-https)
fi
if [[ -n "$BASELINE_JAR" ]]; then
  RUN_ARGS+=(--target "wharf-base=$WHARF_BASE_URL" --pid "wharf-base=${PID_OF[wharf-base]}" --proxy wharf-base)
fi
[[ -n "$SCENARIOS" ]] && RUN_ARGS+=(--scenarios "$SCENARIOS")
[[ -n "$ROUNDS" ]] && RUN_ARGS+=(--rounds "$ROUNDS")
RUN_ARGS+=(--report "$W/report.md" --raw "$W/raw.json")
RUN_CMD="$(shell_words "$JAVA" "${RUN_ARGS[@]}")"
log "generator: $RUN_CMD"
if ! "$JAVA" "${RUN_ARGS[@]}" 2>&1 | tee "$LOGS/generator.log" >&2; then
  die "the generator failed (see $LOGS/generator.log)"
fi
[[ -s "$W/report.md" ]] || die "the generator wrote no report (see $LOGS/generator.log)"

write_results "$REVISION" "$STARTED_AT"
log "report $W/report.md, raw data $W/raw.json, logs in $LOGS"
