#!/usr/bin/env bash
# The browser UI test (`make browser`, part of `make test`): a real headless Chromium, driven by
# Selenium (pinned, in a venv), against a live gateway. Everything runs in a loopback-only network
# namespace (`unshare -n`): the browser reaches only the gateway. /docs and /redoc are checked too,
# with Swagger UI 5 and ReDoc 2 served by the gateway itself from a pinned PyPI copy
# (drf-spectacular-sidecar, installed without its Django dependency) through `http.docsAssetsURL`,
# exactly as an offline site would. Screenshots go to $SCREENSHOT_DIR (default .build/screenshots);
# docs/screenshots/ holds the ones the README shows.
set -euo pipefail
cd "$(dirname "$0")/.."

VENV=.build/browser-venv
if [ ! -x "$VENV/bin/python" ] || ! "$VENV/bin/python" -c "import selenium, importlib.util as u; assert u.find_spec('drf_spectacular_sidecar')" 2>/dev/null; then
    echo "browser: installing selenium and the Swagger UI / ReDoc assets (pinned) into $VENV"
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install --quiet selenium==4.27.1
    "$VENV/bin/pip" install --quiet --no-deps drf-spectacular-sidecar==2026.10.1
fi
# The UI's files plus the documentation assets, laid out as http.docsAssetsURL expects.
SITE="$(mktemp -d)"
trap 'rm -rf "$SITE"' EXIT
cp -r Public/. "$SITE/"
ASSETS="$("$VENV/bin/python" -c "import importlib.util, os; print(os.path.dirname(importlib.util.find_spec('drf_spectacular_sidecar').origin))")/static/drf_spectacular_sidecar"
mkdir -p "$SITE/docs-assets"
cp -r "$ASSETS/swagger-ui-dist" "$SITE/docs-assets/swagger-ui-dist@5"
cp -r "$ASSETS/redoc" "$SITE/docs-assets/redoc@2"
for tool in /usr/bin/chromium /usr/bin/chromedriver; do
    [ -x "$tool" ] || { echo "browser: $tool is missing (apt-get install chromium chromium-driver)" >&2; exit 1; }
done
BIN="$(swift build --show-bin-path)/gateway"
[ -x "$BIN" ] || swift build --product gateway
unshare -n true 2>/dev/null || { echo "browser: 'unshare -n' is not available (needs root); refusing to run without isolation" >&2; exit 1; }

SHOTS="$(realpath -m "${SCREENSHOT_DIR:-.build/screenshots}")"
unshare -n bash -c '
    set -euo pipefail
    ip link set lo up
    DATA="$(mktemp -d)"
    TOKEN="ui-$(od -An -N8 -tx1 /dev/urandom | tr -d " \n")"
    GATEWAY_AUTH_ADMIN_TOKEN="$TOKEN" GATEWAY_LOG_LEVEL=warning GATEWAY_HTTP_PUBLIC_DIR="$4" GATEWAY_HTTP_DOCS_ASSETS_URL=/docs-assets \
        "$1" --host 127.0.0.1 --port 8000 --data-dir "$DATA" &
    SERVER=$!
    trap "kill $SERVER 2>/dev/null; wait $SERVER 2>/dev/null; rm -rf $DATA" EXIT
    for _ in $(seq 1 100); do
        "$2/bin/python" -c "import urllib.request; urllib.request.urlopen(\"http://127.0.0.1:8000/health\", timeout=1)" 2>/dev/null && break
        sleep 0.1
    done
    HOME="$DATA" "$2/bin/python" Tests/Browser/ui_test.py http://127.0.0.1:8000 "$TOKEN" "$3"
' browser-test "$BIN" "$VENV" "$SHOTS" "$SITE"
