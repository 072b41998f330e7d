#!/usr/bin/env bash
# Runs every micro-benchmark (Benchmarks/GatewayBenchmarks) once, on small fixtures, without thresholds
# or timing checks: CI's proof that they still build and run. `make bench-micro` is the real run.
#
# It runs the debug executable directly (the debug build `make test` already made), not through
# `swift package benchmark`: the plugin's `--benchmark-build-configuration debug` crashes on Linux
# (it preloads the release malloc interposer into a debug binary), and a release build costs ~11 minutes.
# Run standalone, the package drops a benchmark's error silently, so this script checks that every
# benchmark the executable registered reported results.
set -euo pipefail
cd "$(dirname "$0")/.."

SWIFT="${SWIFT:-swift}"
"$SWIFT" build --product GatewayBenchmarks
binary="$("$SWIFT" build --show-bin-path)/GatewayBenchmarks"
log="$(mktemp)"
trap 'rm -f "$log"' EXIT

if ! GATEWAY_BENCH_SMOKE=1 "$binary" >"$log" 2>&1; then
    tail -n 40 "$log"
    echo "bench-smoke: GatewayBenchmarks exited with an error" >&2
    exit 1
fi
registered=0
failed=0
while IFS= read -r name; do
    registered=$((registered + 1))
    if grep -qxF "Debug results for ${name}:" "$log"; then
        echo "  ran once: ${name}"
    else
        echo "  NO RESULT: ${name}" >&2
        failed=$((failed + 1))
    fi
done < <(sed -n 's/^bench-smoke: registered //p' "$log")
if [ "$registered" -eq 0 ] || [ "$failed" -ne 0 ]; then
    echo "bench-smoke: ${failed} of ${registered} micro-benchmarks reported no result" >&2
    exit 1
fi
echo "bench-smoke: all ${registered} micro-benchmarks ran once (no timing checked)"
