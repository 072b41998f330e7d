#!/usr/bin/env bash
# Runs inside `unshare -n` (see contract.sh): loopback only. Starts the gateway, waits until it is
# healthy, runs schemathesis with a bounded number of examples per operation, stops the gateway.
set -euo pipefail
VENV="$1" BIN="$2" DOCUMENT="$3"
ip link set lo up

DATA="$(mktemp -d)"
TOKEN="contract-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"
PORT=8000
GATEWAY_AUTH_ADMIN_TOKEN="$TOKEN" GATEWAY_LOG_LEVEL=warning \
    "$BIN" --host 127.0.0.1 --port "$PORT" --data-dir "$DATA" &
SERVER=$!
trap 'kill "$SERVER" 2>/dev/null; wait "$SERVER" 2>/dev/null; rm -rf "$DATA"' EXIT

for _ in $(seq 1 100); do
    if "$VENV/bin/python" -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$PORT/health', timeout=1)" 2>/dev/null; then
        break
    fi
    sleep 0.1
done

"$VENV/bin/schemathesis" run "$DOCUMENT" \
    --url "http://127.0.0.1:$PORT" \
    --header "Authorization: Bearer $TOKEN" \
    --checks not_a_server_error,status_code_conformance,content_type_conformance,response_headers_conformance,response_schema_conformance \
    --exclude-path /admin/stream \
    --max-examples "${CONTRACT_MAX_EXAMPLES:-10}" \
    --seed "${CONTRACT_SEED:-20261129}" \
    --no-color
