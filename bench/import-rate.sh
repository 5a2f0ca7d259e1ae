#!/usr/bin/env bash
# bench/import-rate.sh: how fast `wharf import` loads an air-gap bundle, next to the way a user
# would load the same bundle into a plain registry: `skopeo copy oci-archive:... docker://...` into
# docker-registry (CNCF distribution, filesystem storage). Issue 5 asks for this figure.
#
# It builds a synthetic OCI image layout of about --size (a config and --layers gzip layers, each
# a tar holding one file of random bytes), packs it as bundle.tar.zst (tar, zstd -T0 -3), then, for
# --rounds rounds, interleaved (wharf first in odd rounds, skopeo first in even ones):
#
#   wharf    java -jar proxy/target/wharf.jar import --config CFG bundle.tar.zst
#            into an empty data folder, the daemon not running (CFG: a free loopback listen
#            address, the data folder, docker.io pointing at a dead loopback URL)
#   skopeo   skopeo copy --dest-tls-verify=false oci-archive:bundle.tar.zst
#                 docker://127.0.0.1:PORT/library/bench:1
#            into a freshly started, empty docker-registry on a free loopback port
#
# Each step is timed by the wall clock, after a `sync` (so writeback of the step before is not
# counted); the `sync` right after it is timed too and reported as "+sync" (wharf fsyncs what it
# commits, docker-registry does not, so "+sync" is the durable cost of both). Each step's data is
# checked (every blob of the layout, by digest and size, in the distribution layout both write) and
# removed before the next step. The table goes to stdout and WORKDIR/import-rate.md.
#
# Usage: bench/import-rate.sh [options]          (-h for the options)
#
# Environment:
#   JAVA_HOME          the JDK that runs wharf (default: java on the PATH)
#   BENCH_MVN_FLAGS    Maven flags for the build when proxy/target/wharf.jar is missing, split on
#                      spaces (default: -o)
#   BENCH_STOP_TIMEOUT seconds between TERM and KILL when stopping docker-registry (default 15)
#
# The only process started in the background is docker-registry; it is recorded in
# WORKDIR/run/registry.pid (PID and start time) and that PID alone is stopped: after its step, on
# exit, or at the start of the next run with the same work dir.
set -euo pipefail

REPO_ROOT="$(cd -- "$(dirname -- "$(readlink -f -- "${BASH_SOURCE[0]}")")/.." && pwd -P)"

# shared helpers: processes by PID and start time, shell quoting, paths, ports, policy-rc.d
# shellcheck source=bench/lib.sh
source "$REPO_ROOT/bench/lib.sh"

: "${BENCH_STOP_TIMEOUT:=15}"
: "${BENCH_MVN_FLAGS:=-o}"

WHARF_JAR_PATH="$REPO_ROOT/proxy/target/wharf.jar"
JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"
IMAGE_NAME=docker.io/library/bench:1
REGISTRY_REPO=library/bench
REGISTRY_TAG=1

usage() {
  cat <<EOF
Usage: bench/import-rate.sh [options]

Times 'wharf import' of a synthetic bundle.tar.zst against 'skopeo copy oci-archive:' of the same
bundle into an empty docker-registry on 127.0.0.1, interleaved, and writes a markdown table.

Options:
  --size SIZE      total blob bytes of the synthetic image, about (default: 1GiB); a number
                   with B, KiB, MiB, GiB (x 1024) or kB, MB, GB (x 1000)
  --layers N       gzip layers the size is split into (default: 4)
  --rounds N       interleaved rounds, wharf first in odd rounds, skopeo first in even (default: 3)
  --workdir DIR    bundle, data, configs, logs and the report (default: bench/target/import-rate)
  --regenerate     build the bundle again even if the work dir has one of this size
  --no-install     do not apt-get missing tools (fail instead)
  --build          run 'mvn -B -ntp $BENCH_MVN_FLAGS package -DskipTests' even if the jar exists
  -h, --help       this text
EOF
}

log() { printf '[import-rate %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

# ------------------------------------------------------------------------------------ options
SIZE_ARG=1GiB
LAYERS=4
ROUNDS=3
WORKDIR_ARG="$REPO_ROOT/bench/target/import-rate"
REGENERATE=0
INSTALL=1
BUILD=0

need_value() { [[ $# -ge 2 && -n "$2" ]] || die "$1 needs a value (see -h)"; }
while [[ $# -gt 0 ]]; do
  case "$1" in
    --size) need_value "$@"; SIZE_ARG="$2"; shift 2 ;;
    --layers) need_value "$@"; LAYERS="$2"; shift 2 ;;
    --rounds) need_value "$@"; ROUNDS="$2"; shift 2 ;;
    --workdir) need_value "$@"; WORKDIR_ARG="$2"; shift 2 ;;
    --regenerate) REGENERATE=1; shift ;;
    --no-install) INSTALL=0; shift ;;
    --build) BUILD=1; shift ;;
    -h | --help) usage; exit 0 ;;
    *) usage >&2; die "unknown option: $1" ;;
  esac
done

# parse_size TEXT: bytes
parse_size() {
  local text=$1 num unit
  [[ "$text" =~ ^([0-9]+)([A-Za-z]*)$ ]] || return 1
  num=${BASH_REMATCH[1]}
  unit=${BASH_REMATCH[2]}
  case "$unit" in
    "" | B) echo "$num" ;;
    KiB) echo $((num * 1024)) ;;
    MiB) echo $((num * 1024 ** 2)) ;;
    GiB) echo $((num * 1024 ** 3)) ;;
    kB) echo $((num * 1000)) ;;
    MB) echo $((num * 1000 ** 2)) ;;
    GB) echo $((num * 1000 ** 3)) ;;
    *) return 1 ;;
  esac
}
SIZE_BYTES="$(parse_size "$SIZE_ARG")" || die "--size: not a size: $SIZE_ARG (e.g. 1GiB, 256MiB, 100MB)"
[[ "$LAYERS" =~ ^[1-9][0-9]*$ ]] || die "--layers must be a positive integer"
[[ "$ROUNDS" =~ ^[1-9][0-9]*$ ]] || die "--rounds must be a positive integer"
[[ "$BENCH_STOP_TIMEOUT" =~ ^[0-9]+$ ]] || die "BENCH_STOP_TIMEOUT must be a number of seconds"
# each layer holds one file; its tar header, the gzip framing and the config take the rest
LAYER_FILE_BYTES=$((SIZE_BYTES / LAYERS - 4096))
((LAYER_FILE_BYTES > 0)) || die "--size $SIZE_ARG is too small for $LAYERS layers"

W="$(abs_path "$WORKDIR_ARG")"
RUN="$W/run"
LOGS="$W/logs"
LAYOUT="$W/layout"
BUNDLE="$W/bundle.tar.zst"
WHARF_DIR="$W/wharf"
WHARF_DATA="$WHARF_DIR/data"
WHARF_CONFIG="$WHARF_DIR/config.yaml"
REGISTRY_DIR="$W/registry"
REGISTRY_DATA="$REGISTRY_DIR/data"
REGISTRY_CONFIG="$REGISTRY_DIR/config.yml"
SKOPEO_TMP="$W/tmp"
REPORT="$W/import-rate.md"

# start_proc NAME STDOUT_FILE STDERR_FILE CMD [ARGS...]: runs CMD in the background, records it
start_proc() {
  local name=$1 out=$2 err=$3 pid st
  shift 3
  "$@" >>"$out" 2>>"$err" </dev/null &
  pid=$!
  st="$(start_time_of "$pid")" || die "$name exited at once (see $err)"
  echo "$pid $st" >"$RUN/$name.pid"
  log "started $name (pid $pid): $(shell_words "$@")"
}

# stop_recorded NAME: TERM the recorded process if it is still ours, KILL it after
# BENCH_STOP_TIMEOUT seconds
stop_recorded() {
  local name=$1 pid="" st="" i
  [[ -f "$RUN/$name.pid" ]] || return 0
  read -r pid st <"$RUN/$name.pid" || true
  rm -f "$RUN/$name.pid"
  [[ -n "$pid" ]] && is_ours "$pid" "$st" || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < BENCH_STOP_TIMEOUT * 10; i++)); do
    is_ours "$pid" "$st" || break
    sleep 0.1
  done
  if is_ours "$pid" "$st"; then
    log "$name (pid $pid) did not stop within ${BENCH_STOP_TIMEOUT}s: KILL"
    kill -KILL "$pid" 2>/dev/null || true
  fi
  # reap it if it is our child (it is not when a previous run left it)
  wait "$pid" 2>/dev/null || true
  log "stopped $name (pid $pid)"
}

on_exit() {
  local rc=$?
  trap - EXIT INT TERM
  stop_recorded registry
  rm -rf -- "$SKOPEO_TMP"
  remove_policy_rc
  exit "$rc"
}

# ------------------------------------------------------------------------------------ install
POLICY_RC=/usr/sbin/policy-rc.d
created_policy_rc=0

trap on_exit EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

REGISTRY_BIN="$(command -v docker-registry || echo /usr/bin/docker-registry)"

install_tools() {
  local missing=()
  command -v skopeo >/dev/null || missing+=(skopeo)
  [[ -x "$REGISTRY_BIN" ]] || missing+=(docker-registry)
  command -v zstd >/dev/null || missing+=(zstd)
  command -v curl >/dev/null || missing+=(curl)
  ((${#missing[@]})) || return 0
  [[ "$INSTALL" == 1 ]] || die "missing ${missing[*]} (and --no-install given)"
  command -v apt-get >/dev/null || die "missing ${missing[*]}, and no apt-get to install them"
  [[ $(id -u) -eq 0 ]] || die "need root to install: ${missing[*]}"
  # docker-registry's postinst starts a service on :5000; exit 101 ("action forbidden") from
  # policy-rc.d makes invoke-rc.d and deb-systemd-invoke skip that start
  if [[ ! -e "$POLICY_RC" ]]; then
    printf '#!/bin/sh\n# written by wharf bench/import-rate.sh: no service starts during package installs\nexit 101\n' >"$POLICY_RC"
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
  REGISTRY_BIN="$(command -v docker-registry || echo /usr/bin/docker-registry)"
  command -v skopeo >/dev/null && [[ -x "$REGISTRY_BIN" ]] && command -v zstd >/dev/null ||
    die "skopeo, docker-registry or zstd still missing after the install"
}

build_jar() {
  if [[ "$BUILD" == 1 || ! -f "$WHARF_JAR_PATH" ]]; then
    command -v mvn >/dev/null || die "no mvn to build the jar (or build it first)"
    local flags=()
    [[ -n "$BENCH_MVN_FLAGS" ]] && read -r -a flags <<<"$BENCH_MVN_FLAGS"
    log "building: mvn -B -ntp ${flags[*]+${flags[*]} }package -DskipTests (log: $LOGS/build.log)"
    if ! (cd "$REPO_ROOT" && mvn -B -ntp ${flags[@]+"${flags[@]}"} package -DskipTests) >"$LOGS/build.log" 2>&1; then
      tail -n 40 "$LOGS/build.log" >&2
      die "the build failed (see $LOGS/build.log; BENCH_MVN_FLAGS= builds online)"
    fi
  fi
  [[ -f "$WHARF_JAR_PATH" ]] || die "no $WHARF_JAR_PATH after the build"
}

# free_port: a loopback port nothing listens on (20000-59999; checked, not reserved)
free_port() {
  local i port
  for ((i = 0; i < 200; i++)); do
    port=$((20000 + (RANDOM * 32768 + RANDOM) % 40000))
    if port_free "127.0.0.1:$port"; then
      echo "$port"
      return 0
    fi
  done
  die "no free loopback port found"
}

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b - a }'; }
sha256_of() { sha256sum -- "$1" | awk '{ print $1 }'; }
size_of() { stat -c %s -- "$1"; }

# ------------------------------------------------------------------------------------- bundle
# Blobs of the layout, "digest size" per line (config, layers, manifest): what both sides must hold
BLOBS_LIST="$W/blobs.txt"
STAMP="$W/bundle.stamp"

# add_blob FILE: moves FILE into the layout's blobs/sha256 under its digest, prints the digest
add_blob() {
  local digest
  digest="$(sha256_of "$1")"
  mv -- "$1" "$LAYOUT/blobs/sha256/$digest"
  echo "$digest $(size_of "$LAYOUT/blobs/sha256/$digest")" >>"$BLOBS_LIST"
  echo "$digest"
}

build_bundle() {
  local stamp="size=$SIZE_BYTES layers=$LAYERS file=$LAYER_FILE_BYTES"
  if [[ "$REGENERATE" == 0 && -f "$BUNDLE" && -f "$BLOBS_LIST" && -f "$STAMP" && "$(cat "$STAMP")" == "$stamp" ]]; then
    log "reusing $BUNDLE ($stamp; --regenerate builds it again)"
    return 0
  fi
  rm -rf -- "$LAYOUT" "$BUNDLE" "$BLOBS_LIST" "$STAMP"
  mkdir -p "$LAYOUT/blobs/sha256"
  : >"$BLOBS_LIST"
  local gen="$W/gen" i tar diff_ids=() layer_digests=() layer_sizes=() digest
  rm -rf -- "$gen"
  mkdir -p "$gen"
  for ((i = 1; i <= LAYERS; i++)); do
    log "layer $i/$LAYERS: $LAYER_FILE_BYTES random bytes, tar, gzip -1"
    mkdir -p "$gen/l$i"
    head -c "$LAYER_FILE_BYTES" /dev/urandom >"$gen/l$i/random-$i.bin"
    tar=$gen/layer-$i.tar
    tar -cf "$tar" -C "$gen/l$i" --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner "random-$i.bin"
    rm -rf -- "$gen/l$i"
    diff_ids+=("sha256:$(sha256_of "$tar")")
    gzip -1 -n -c -- "$tar" >"$gen/layer-$i.tar.gz"
    rm -f -- "$tar"
    digest="$(add_blob "$gen/layer-$i.tar.gz")"
    layer_digests+=("$digest")
    layer_sizes+=("$(size_of "$LAYOUT/blobs/sha256/$digest")")
  done
  local ids="" layers="" config_digest config_size manifest_digest manifest_size
  for ((i = 0; i < LAYERS; i++)); do
    ids+="${ids:+,}\"${diff_ids[$i]}\""
    layers+="${layers:+,}{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+gzip\",\"digest\":\"sha256:${layer_digests[$i]}\",\"size\":${layer_sizes[$i]}}"
  done
  printf '{"architecture":"amd64","os":"linux","config":{},"rootfs":{"type":"layers","diff_ids":[%s]}}' \
    "$ids" >"$gen/config.json"
  config_size="$(size_of "$gen/config.json")"
  config_digest="$(add_blob "$gen/config.json")"
  printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:%s","size":%s},"layers":[%s]}' \
    "$config_digest" "$config_size" "$layers" >"$gen/manifest.json"
  manifest_size="$(size_of "$gen/manifest.json")"
  manifest_digest="$(add_blob "$gen/manifest.json")"
  printf '{"imageLayoutVersion":"1.0.0"}' >"$LAYOUT/oci-layout"
  printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:%s","size":%s,"annotations":{"io.containerd.image.name":"%s","org.opencontainers.image.ref.name":"%s"}}]}' \
    "$manifest_digest" "$manifest_size" "$IMAGE_NAME" "$IMAGE_NAME" >"$LAYOUT/index.json"
  rm -rf -- "$gen"
  log "packing $BUNDLE (tar, zstd -T0 -3)"
  tar -cf - -C "$LAYOUT" oci-layout index.json blobs | zstd -T0 -3 -q -o "$BUNDLE"
  # the bundle is all the benchmark reads; the layout stays only as the list of what to expect
  rm -rf -- "$LAYOUT"
  echo "$stamp" >"$STAMP"
  log "bundle: $(size_of "$BUNDLE") bytes, manifest sha256:$manifest_digest"
}

# --------------------------------------------------------------------------------- the checks
# missing_blobs ROOT: every blob of the layout not found by digest and size under ROOT (a
# distribution layout: docker/registry/v2/blobs/sha256/ab/abcd.../data), one per line
missing_blobs() {
  local root=$1 digest size f
  while read -r digest size; do
    f="$root/docker/registry/v2/blobs/sha256/${digest:0:2}/$digest/data"
    if [[ ! -f "$f" ]]; then
      echo "sha256:$digest (absent)"
    elif [[ "$(size_of "$f")" != "$size" ]]; then
      echo "sha256:$digest (size $(size_of "$f"), want $size)"
    fi
  done <"$BLOBS_LIST"
}

NOTES=()

# ---------------------------------------------------------------------------------- the steps
WHARF_CMD=()
SKOPEO_CMD=()
REGISTRY_CMD=()
declare -A SECS=() SYNC_SECS=() OWN_SECS=()

write_wharf_config() {
  mkdir -p "$WHARF_DIR"
  cat >"$WHARF_CONFIG" <<EOF
# generated by bench/import-rate.sh: the daemon never runs; import works on the data folder
server:
  http:
    listen: 127.0.0.1:$1
  https:
    listen: ""
storage:
  path: $WHARF_DATA
upstreams:
  # a dead loopback URL: an import never dials an upstream
  - name: dockerhub
    host: docker.io
    url: http://127.0.0.1:9
    tagTtl: 5m
defaultUpstream: docker.io
EOF
}

write_registry_config() {
  mkdir -p "$REGISTRY_DIR"
  cat >"$REGISTRY_CONFIG" <<EOF
# generated by bench/import-rate.sh
version: 0.1
log:
  level: warn
  formatter: text
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: $REGISTRY_DATA
  cache:
    blobdescriptor: inmemory
  maintenance:
    uploadpurging:
      enabled: false
http:
  addr: 127.0.0.1:$1
  secret: wharf-import-rate
EOF
}

# timed NAME ROUND CMD [ARGS...]: sync, run CMD (output to the round's log), record its wall-clock
# seconds, then time the sync after it
timed() {
  local name=$1 round=$2 t0 t1 t2 rc=0 logf="$LOGS/round-$2-$1.log"
  shift 2
  sync
  t0="$(now)"
  "$@" >"$logf" 2>&1 </dev/null || rc=$?
  t1="$(now)"
  sync
  t2="$(now)"
  if [[ "$rc" != 0 ]]; then
    log "$name failed in round $round (exit $rc); its output ($logf):"
    cat -- "$logf" >&2
    die "$name failed: $(shell_words "$@")"
  fi
  SECS[$name,$round]="$(elapsed "$t0" "$t1")"
  SYNC_SECS[$name,$round]="$(elapsed "$t0" "$t2")"
  log "$name round $round: ${SECS[$name,$round]} s (+sync ${SYNC_SECS[$name,$round]} s)"
}

step_wharf() {
  local round=$1 missing
  rm -rf -- "$WHARF_DATA"
  mkdir -p "$WHARF_DATA"
  write_wharf_config "$(free_port)"
  WHARF_CMD=("$JAVA" -jar "$WHARF_JAR_PATH" import --config "$WHARF_CONFIG" "$BUNDLE")
  timed wharf "$round" "${WHARF_CMD[@]}"
  missing="$(missing_blobs "$WHARF_DATA")"
  [[ -z "$missing" ]] || die "wharf import exited 0 but its data folder lacks: $missing (log: $LOGS/round-$round-wharf.log)"
  # the import's own time as it reports it ("imported ... in N ms"): the wall clock minus JVM
  # start-up, config loading and opening the index
  OWN_SECS[$round]="$(tr '\r' '\n' <"$LOGS/round-$round-wharf.log" |
    awk '/^imported .* in [0-9]+ ms/ { for (i = 1; i < NF; i++) if ($(i + 1) == "ms") ms = $i } END { if (ms != "") printf "%.3f", ms / 1000; else print "n/a" }')"
  rm -rf -- "$WHARF_DATA"
}

wait_registry() {
  local url=$1 i pid st code
  read -r pid st <"$RUN/registry.pid"
  for ((i = 0; i < 300; i++)); do
    code="$(curl -s -o /dev/null -m 2 -w '%{http_code}' "$url" || true)"
    [[ "$code" == 200 ]] && return 0
    is_ours "$pid" "$st" || die "docker-registry exited while starting (log: $LOGS/registry.log)"
    sleep 0.1
  done
  die "docker-registry did not answer $url within 30s (log: $LOGS/registry.log)"
}

step_skopeo() {
  local round=$1 port missing
  rm -rf -- "$REGISTRY_DATA" "$SKOPEO_TMP"
  mkdir -p "$REGISTRY_DATA" "$SKOPEO_TMP"
  port="$(free_port)"
  write_registry_config "$port"
  REGISTRY_CMD=("$REGISTRY_BIN" serve "$REGISTRY_CONFIG")
  start_proc registry "$LOGS/registry.log" "$LOGS/registry.log" "${REGISTRY_CMD[@]}"
  wait_registry "http://127.0.0.1:$port/v2/"
  # skopeo unpacks an oci-archive into a temporary folder first: keep it on the work dir's disk
  SKOPEO_CMD=(env "TMPDIR=$SKOPEO_TMP" skopeo copy --dest-tls-verify=false
    "oci-archive:$BUNDLE" "docker://127.0.0.1:$port/$REGISTRY_REPO:$REGISTRY_TAG")
  timed skopeo "$round" "${SKOPEO_CMD[@]}"
  stop_recorded registry
  missing="$(missing_blobs "$REGISTRY_DATA")"
  if [[ -n "$missing" ]]; then
    # e.g. layers recompressed on the way: the copy still counts, with this said in the report
    NOTES+=("round $round: docker-registry does not hold every blob of the bundle as it is ($(tr '\n' ';' <<<"$missing")); see $LOGS/round-$round-skopeo.log")
    log "WARNING: ${NOTES[-1]}"
  fi
  rm -rf -- "$REGISTRY_DATA" "$SKOPEO_TMP"
}

# ------------------------------------------------------------------------------------- report
median() { # VALUES...: the median (mean of the middle two for an even count)
  printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) printf "%.3f", v[(NR + 1) / 2]; else printf "%.3f", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
rate() { awk -v b="$BLOB_BYTES" -v s="$1" 'BEGIN { printf "%.1f", b / s / 1e6 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }

write_report() {
  local r order ws=() ss=() wss=() sss=() os=() wm sm wsm ssm om
  {
    echo "# wharf import vs skopeo copy into docker-registry"
    echo
    echo "Generated by \`bench/import-rate.sh\` on $(date -u '+%Y-%m-%d %H:%M UTC'), repository at $GIT_REV."
    echo
    echo "- Machine: $(nproc) cores ($CPU_MODEL), $(awk '/^MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo) RAM, kernel $(uname -r), work dir on $(df -PT -- "$W" | awk 'NR == 2 { print $2 }'); load average $LOAD_BEFORE before the rounds, $(cut -d' ' -f1-3 /proc/loadavg) after (other work on the machine shows here)"
    echo "- Versions: $JAVA_VERSION; $SKOPEO_VERSION; $REGISTRY_VERSION; $ZSTD_VERSION; $WHARF_VERSION"
    echo "- Bundle: \`$BUNDLE\`, $BUNDLE_BYTES bytes compressed (tar, zstd -T0 -3); $BLOB_BYTES blob bytes in it ($LAYERS gzip layers of one random file each, config, manifest); image $IMAGE_NAME"
    echo "- MB/s = blob bytes / seconds / 10^6. Seconds: wall clock of the command, after a \`sync\`; \"+sync\" adds the \`sync\` right after it (wharf fsyncs what it commits, docker-registry does not). \"wharf's own s\": the time the import reports itself, without JVM start-up and opening the data folder."
    echo "- Each step starts from an empty data folder (docker-registry freshly started, untimed); the data is checked (every blob by digest and size) and removed after it. Order: wharf first in odd rounds, skopeo first in even ones."
    echo
    echo "| round | order | wharf s | wharf MB/s | wharf s +sync | wharf's own s | skopeo s | skopeo MB/s | skopeo s +sync |"
    echo "|---|---|---:|---:|---:|---:|---:|---:|---:|"
    for ((r = 1; r <= ROUNDS; r++)); do
      if ((r % 2)); then order="wharf, skopeo"; else order="skopeo, wharf"; fi
      ws+=("${SECS[wharf,$r]}")
      ss+=("${SECS[skopeo,$r]}")
      wss+=("${SYNC_SECS[wharf,$r]}")
      sss+=("${SYNC_SECS[skopeo,$r]}")
      os+=("${OWN_SECS[$r]}")
      echo "| $r | $order | ${SECS[wharf,$r]} | $(rate "${SECS[wharf,$r]}") | ${SYNC_SECS[wharf,$r]} | ${OWN_SECS[$r]} | ${SECS[skopeo,$r]} | $(rate "${SECS[skopeo,$r]}") | ${SYNC_SECS[skopeo,$r]} |"
    done
    wm="$(median "${ws[@]}")"
    sm="$(median "${ss[@]}")"
    wsm="$(median "${wss[@]}")"
    ssm="$(median "${sss[@]}")"
    om=n/a
    [[ " ${os[*]} " == *" n/a "* ]] || om="$(median "${os[@]}")"
    echo "| **median** | | **$wm** | **$(rate "$wm")** | $wsm | $om | **$sm** | **$(rate "$sm")** | $ssm |"
    echo
    echo "**wharf / skopeo (MB/s, higher is better): $(ratio "$sm" "$wm")** (median seconds; with the sync after each step: $(ratio "$ssm" "$wsm"))"
    echo
    echo "Commands (PORT: a free loopback port per step):"
    echo
    echo '```sh'
    echo "$(shell_words "${WHARF_CMD[@]}")"
    echo "$(shell_words "${REGISTRY_CMD[@]}") &"
    echo "$(shell_words "${SKOPEO_CMD[@]}")" | sed -E 's#127\.0\.0\.1:[0-9]+/#127.0.0.1:PORT/#'
    echo '```'
    if ((${#NOTES[@]})); then
      echo
      echo "Notes:"
      echo
      printf -- '- %s\n' "${NOTES[@]}"
    fi
  } >"$REPORT"
}

# ---------------------------------------------------------------------------------------- main
mkdir -p "$RUN" "$LOGS"
# a registry a previous run left (killed before its exit trap) is stopped; nothing else is touched
stop_recorded registry
install_tools
command -v "$JAVA" >/dev/null 2>&1 || die "no java (install a JDK 17 or later, or set JAVA_HOME)"
build_jar

# the layout (transient), the bundle, and two copies of the blobs at most while a step runs
avail=$(($(df -Pk -- "$W" | awk 'NR == 2 { print $4 }') * 1024))
((avail > SIZE_BYTES * 4)) || die "$W has $avail bytes free; want more than $((SIZE_BYTES * 4)) for --size $SIZE_ARG"

build_bundle
BUNDLE_BYTES="$(size_of "$BUNDLE")"
BLOB_BYTES="$(awk '{ s += $2 } END { print s }' "$BLOBS_LIST")"

CPU_MODEL="$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)"
JAVA_VERSION="$("$JAVA" -version 2>&1 | head -n 1)"
SKOPEO_VERSION="$(skopeo --version)"
REGISTRY_VERSION="docker-registry $("$REGISTRY_BIN" --version | awk '{ print $NF }')"
ZSTD_VERSION="zstd $(zstd -q --version 2>/dev/null || zstd --version | grep -o 'v[0-9.]*')"
WHARF_VERSION="$("$JAVA" -jar "$WHARF_JAR_PATH" --version 2>/dev/null | head -n 1 || echo unknown)"
GIT_REV="$(git -C "$REPO_ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)"
if [[ -n "$(git -C "$REPO_ROOT" status --porcelain --untracked-files=no 2>/dev/null)" ]]; then GIT_REV+=" (modified)"; fi

LOAD_BEFORE="$(cut -d' ' -f1-3 /proc/loadavg)"
log "$ROUNDS rounds: bundle $BUNDLE_BYTES bytes, $BLOB_BYTES blob bytes"
for ((round = 1; round <= ROUNDS; round++)); do
  if ((round % 2)); then
    step_wharf "$round"
    step_skopeo "$round"
  else
    step_skopeo "$round"
    step_wharf "$round"
  fi
done

write_report
echo
cat -- "$REPORT"
log "report: $REPORT"
