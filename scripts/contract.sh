#!/usr/bin/env bash
# The API contract check (`make contract`, part of `make test`):
#   1. the OpenAPI document validates (openapi-spec-validator);
#   2. schemathesis, against a live server, over every operation: no 5xx, no response that violates
#      the document's schemas, content types or headers, no undocumented status code.
# The server and schemathesis run in a network namespace that has only loopback (`unshare -n`), so a
# webhook URL that a generated request registers can never be reached: nothing leaves the machine.
set -euo pipefail
cd "$(dirname "$0")/.."

VENV=.build/contract-venv
DOCUMENT=Sources/Gateway/API/openapi.json
if [ ! -x "$VENV/bin/schemathesis" ]; then
    echo "contract: installing openapi-spec-validator and schemathesis (pinned) into $VENV"
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install --quiet openapi-spec-validator==0.7.1 schemathesis==4.32.5
fi

"$VENV/bin/python" -m openapi_spec_validator "$DOCUMENT"

BIN="$(swift build --show-bin-path)/gateway"
[ -x "$BIN" ] || swift build --product gateway

if ! unshare -n true 2>/dev/null; then
    echo "contract: 'unshare -n' is not available (it needs root or user namespaces); refusing to run" >&2
    echo "contract: schemathesis without network isolation, since generated webhooks could be delivered" >&2
    exit 1
fi
exec unshare -n bash scripts/contract-isolated.sh "$VENV" "$BIN" "$DOCUMENT"
