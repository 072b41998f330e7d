#!/usr/bin/env bash
# Runs every `gateway bench` command once in a tiny configuration from the debug build, in a
# loopback-only network namespace, checking only that each finishes and prints its figures (no timing
# is asserted: the real runs and their figures are in docs/PERFORMANCE.md). CI's proof they still work.
set -euo pipefail
cd "$(dirname "$0")/.."

SWIFT="${SWIFT:-swift}"
"$SWIFT" build --product gateway
binary="$("$SWIFT" build --show-bin-path)/gateway"
unshare -n true 2>/dev/null || { echo "bench-commands: 'unshare -n' is not available (needs root); refusing to run without isolation" >&2; exit 1; }

unshare -n bash -s "$binary" <<'INNER'
set -euo pipefail
ip link set lo up
gateway="$1"
run() {
    local expect="$1"; shift
    local output
    if ! output="$(timeout 300 "$gateway" bench "$@" 2>&1)"; then
        echo "$output" | tail -n 20
        echo "bench-commands: 'gateway bench $*' failed" >&2
        exit 1
    fi
    if ! grep -q -- "$expect" <<<"$output"; then
        echo "$output" | tail -n 20
        echo "bench-commands: 'gateway bench $*' printed no '$expect'" >&2
        exit 1
    fi
    echo "  ran once: gateway bench $*"
}
run "kernel floor" fanout --subscribers 5 --rate 50 --duration 1
run "server CPU" fanout --subscribers 3 --rate 0 --duration 1 --publish http
run "frames per write" fanout --subscribers 5 --rate 100 --duration 1 --write-delay 50
run "engine" deliveries --subscriptions 3 --events 5
run "rounds of the three phases" deliveries --subscriptions 3 --events 6 --rounds 3
run "webhooks delivered" churn --workers 2 --duration 1
run "per idle connection" idle --connections 50
run "whole application" startup --subscriptions 20 --pending 200
run "start-up load" registry --subscriptions 20
run "events dropped" storm --clients 100
INNER
echo "bench-commands: every gateway bench command ran once (no timing checked)"
