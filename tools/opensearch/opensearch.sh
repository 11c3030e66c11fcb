#!/usr/bin/env bash
# Local single-node OpenSearch for development, tests and CI -- fetched from Maven
# Central only (see pom.xml beside this script), run on 127.0.0.1 with security
# off, single-node discovery, a small heap and its files under .cache/opensearch/.
#
#   bash tools/opensearch/opensearch.sh fetch          # idempotent download/unpack
#   bash tools/opensearch/opensearch.sh start [PORT]   # background; waits for yellow; prints URL
#   bash tools/opensearch/opensearch.sh stop [PORT]    # no PORT: every node started from here
#   bash tools/opensearch/opensearch.sh status [PORT]
#
# `fetch` is implemented here (Maven); start/stop/status are implemented once, in
# search/node.py (OpenSearchNode), which this script runs as a plain script and
# which itself runs `opensearch.sh fetch` when the distribution is missing.
#
# Environment:
#   OPENSEARCH_CACHE_DIR   where everything goes (default: <repo>/.cache/opensearch)
#   OPENSEARCH_MAVEN_REPO  Maven local repository (default: Maven's own, ~/.m2/repository)
#   OPENSEARCH_HEAP        heap size for start (default 512m)
#   OPENSEARCH_JAVA_HOME / JAVA_HOME   the JDK to run it (17 or 21; default: java on PATH)
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
CACHE="${OPENSEARCH_CACHE_DIR:-$ROOT/.cache/opensearch}"
POM="$HERE/pom.xml"

opensearch_version() {
  sed -n 's:.*<opensearch.version>\(.*\)</opensearch.version>.*:\1:p' "$POM" | head -n1
}

fetch() {
  local version home stamp
  version="$(opensearch_version)"
  home="$CACHE/opensearch-$version"
  stamp="$home/.fetched"
  # the stamp records the pom it was fetched with, so editing the pom refetches
  local want
  want="$(sha256sum "$POM" "$HERE"/modules/*/* | sha256sum | cut -d' ' -f1)"
  mkdir -p "$CACHE"
  # one fetch at a time (parallel test workers may all ask for it on a cold cache)
  exec 9>"$CACHE/.fetch.lock"
  flock 9
  if [[ -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then
    ln -sfn "opensearch-$version" "$CACHE/home"
    echo "OpenSearch $version already fetched: $home"
    return 0
  fi
  command -v mvn >/dev/null || { echo "error: mvn (Maven) is not installed (apt-get install maven)" >&2; exit 1; }
  rm -rf "$home"
  local mvn_args=(-B -ntp -q -Dstyle.color=never -f "$POM" "-Dopensearch.cache=$CACHE")
  if [[ -n "${OPENSEARCH_MAVEN_REPO:-}" ]]; then
    mvn_args+=("-Dmaven.repo.local=$OPENSEARCH_MAVEN_REPO")
  fi
  echo "Fetching OpenSearch $version from Maven Central into $home ..."
  local t0=$SECONDS
  # (Maven 3.8 prints stray colour resets even with -B -q: strip them)
  mvn "${mvn_args[@]}" generate-resources 2>&1 | sed 's/\x1b\[[0-9;]*m//g'
  for m in transport-netty4 lang-painless analysis-common; do
    [[ -f "$home/modules/$m/plugin-descriptor.properties" ]] \
      || { echo "error: fetch incomplete: $home/modules/$m has no plugin-descriptor.properties" >&2; exit 1; }
  done
  rm -rf "$CACHE/maven-target"
  echo "$want" >"$stamp"
  ln -sfn "opensearch-$version" "$CACHE/home"
  echo "Fetched OpenSearch $version in $((SECONDS - t0))s ($(du -sh "$home" | cut -f1) unpacked): $home"
}

python_bin() {
  if [[ -x "$ROOT/.venv/bin/python" ]]; then
    echo "$ROOT/.venv/bin/python"
  else
    command -v python3 || { echo "error: python3 not found" >&2; exit 1; }
  fi
}

cmd="${1:-}"
case "$cmd" in
  fetch)
    fetch
    ;;
  start|stop|status)
    shift
    export OPENSEARCH_CACHE_DIR="$CACHE"
    exec "$(python_bin)" "$ROOT/search/node.py" "$cmd" "$@"
    ;;
  version)
    opensearch_version
    ;;
  *)
    echo "usage: $0 {fetch|start [PORT]|stop [PORT]|status [PORT]|version}" >&2
    exit 2
    ;;
esac
