#!/usr/bin/env bash
# One command: installs what the benchmarks need, builds the sample app's jar, starts each
# server on loopback, drives it, stops it, and prints one table (also written to
# benchmarks/results/<date>-<profile>.md, .csv, .svg and .png).
#
#   benchmarks/run.sh            # quick run
#   benchmarks/run.sh --full     # full run: the issue's targets (longer, the more the machine's load makes rows wait)
#   benchmarks/run.sh --quick --only syncro-redis,baseline --workloads fanout --n 1000 --m 10000
#   benchmarks/run.sh --quick --only syncro-redis --workloads rate --cpu-profile /tmp/profiles
#
# Environment: BENCH_AUTH=user:password gives every Syncro connection an HTTP Basic
# header and the server the user as --sample.users.<user>=<password>; the REST writer
# signs in the same way (the sample's REST API needs a user), or as BENCH_REST_AUTH, by
# default alice:alice-secret when BENCH_AUTH=none; BENCH_JVM_ARGS and BENCH_SYNCRO_ARGS
# add JVM options and Spring arguments (e.g. syncro.limits.*).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/.." && pwd)"

missing=()
command -v redis-server >/dev/null || missing+=(redis-server)
command -v chromium >/dev/null || missing+=(chromium)
if [ ${#missing[@]} -gt 0 ]; then
	echo "installing ${missing[*]} from Debian" >&2
	if [ "$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq "${missing[@]}" >&2
	else sudo apt-get update -qq && sudo apt-get install -y -qq "${missing[@]}" >&2; fi
fi

if [ ! -d "$here/node_modules/ws" ] || [ "$here/package-lock.json" -nt "$here/node_modules/.package-lock.json" ]; then
	(cd "$here" && npm ci --no-audit --no-fund --loglevel=error >&2)
fi

jar="$root/sample-app/target/sample-app-0.1.0-SNAPSHOT.jar"
# every module's sources count: the jar nests them all
newest_source="$(find "$root"/syncro-*/src/main "$root/sample-app/src/main" -type f -newer "$jar" 2>/dev/null | head -1 || true)"
if [ ! -f "$jar" ] || [ -n "$newest_source" ]; then
	echo "building the sample app's jar" >&2
	# removed first: a repackaged jar whose own classes did not change keeps its old nested jars
	rm -f "$jar"
	(cd "$root" && mvn -B -q -pl sample-app -am package -DskipTests >&2)
fi

# 10,000 connections: a file descriptor each, in the server and in the drivers
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
if [ "$(ulimit -n)" != unlimited ] && [ "$(ulimit -n)" -lt 12000 ]; then
	echo "warning: ulimit -n is $(ulimit -n); the 10,000-connection workload needs more" >&2
fi

exec node "$here/bench.js" "$@"
