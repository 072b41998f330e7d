# The two commands a fresh machine needs: `make run` and `make test`.
# Both install the libcurl headers first when they are missing (Debian/Ubuntu), and say so.

SWIFT ?= swift
SUDO := $(shell [ "$$(id -u)" = "0" ] || echo sudo)

.PHONY: run test build deps contract browser clean

deps:
	@if [ ! -f /usr/include/curl/curl.h ] && [ ! -f /usr/include/x86_64-linux-gnu/curl/curl.h ] && [ ! -f /usr/include/aarch64-linux-gnu/curl/curl.h ]; then \
		echo "make: libcurl headers are missing; installing libcurl4-openssl-dev with apt-get"; \
		$(SUDO) apt-get update && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y libcurl4-openssl-dev; \
	fi

run: deps
	$(SWIFT) run gateway

build: deps
	$(SWIFT) build

# Build tests once, then run them without a second (partial) rebuild; then hold the server to its
# OpenAPI document.
test: deps
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build
	$(MAKE) contract
	$(MAKE) browser
	$(MAKE) bench-smoke

# The OpenAPI document validates, and schemathesis finds no 5xx, schema violation or undocumented
# status against a live server (in a loopback-only network namespace; see scripts/contract.sh).
contract: deps
	bash scripts/contract.sh

# The browser UI in a real headless Chromium (Debian's chromium + chromium-driver, Selenium from PyPI),
# loopback-only; saves a screenshot of each tab (see scripts/browser-test.sh).
browser: deps
	bash scripts/browser-test.sh

clean:
	rm -rf .build

.PHONY: bench-micro bench-smoke

# Micro-benchmarks of the hot paths (Benchmarks/GatewayBenchmarks, ordo-one/benchmark): signing, envelope
# encoding, journal append with group commit, subscription matching. The plugin builds them in release
# (about 11 minutes from clean, then under a minute a run). Method and figures: docs/PERFORMANCE.md.
bench-micro: deps
	$(SWIFT) package benchmark

# Each micro-benchmark, and each `gateway bench` command, once on small fixtures from the debug build,
# no timing checked: CI's proof that they still build and run (see scripts/bench-smoke.sh and
# scripts/bench-commands-smoke.sh).
bench-smoke: deps
	SWIFT=$(SWIFT) bash scripts/bench-smoke.sh
	SWIFT=$(SWIFT) bash scripts/bench-commands-smoke.sh
