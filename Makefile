# lnwasm: `make demo` runs the playground, `make test` runs every test.
SHELL := /bin/bash
# pipefail: a benchmark piped through tee still fails the target.
.SHELLFLAGS := -o pipefail -c
GO ?= go
GOROOT := $(shell $(GO) env GOROOT)
VERSION := $(shell git describe --always --dirty 2>/dev/null || echo dev)
BUILD := build
WASM_ENV := GOOS=js GOARCH=wasm
WASM_PATH := PATH="$(GOROOT)/lib/wasm:$$PATH"
# Packages whose code also runs in the browser and is tested under Node.js.
WASM_TEST_PKGS := ./chain/kvdb/ ./bridge/ ./wasm/ ./node/script/ ./node/channel/ ./node/keys/ ./node/invoice/ ./node/onion/ ./node/graph/

.PHONY: all build wasm server demo test test-unit test-wasm test-itest deps bench lint clean fuzz

all: build

build: wasm server

server:
	$(GO) build -o $(BUILD)/server ./server

wasm:
	@mkdir -p $(BUILD)
	$(WASM_ENV) $(GO) build -trimpath -ldflags="-s -w -X main.version=$(VERSION)" -o $(BUILD)/lnwasm.wasm ./wasm
	cp "$(GOROOT)/lib/wasm/wasm_exec.js" $(BUILD)/wasm_exec.js
	$(GO) run ./server/precompress $(BUILD)/lnwasm.wasm $(BUILD)/wasm_exec.js

demo: wasm
	@echo "Starting the regtest playground; the URL to open follows."
	$(GO) run ./server -devnet -devnet-dir "$${XDG_CACHE_HOME:-$$HOME/.cache}/lnwasm/devnet" -assets $(BUILD)

# deps installs what the tests need and caches it: Debian's Chromium (the
# browser tests), websockify (the bridge benchmark's peer); btcd and lnd are built from
# the Go module proxy by the harness on first use (server/devnet).
deps:
	@if ! command -v chromium >/dev/null || ! command -v websockify >/dev/null; then \
		echo "installing chromium and websockify from Debian"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium websockify >/dev/null; \
	fi
	$(GO) run ./itest/ensure

test: deps lint wasm test-unit test-wasm test-itest

test-unit:
	$(GO) test -count=1 -race $$($(GO) list ./... | grep -v /itest)

test-wasm:
	$(WASM_PATH) $(WASM_ENV) $(GO) test -count=1 $(WASM_TEST_PKGS)

test-itest:
	LNWASM_ASSETS=$(CURDIR)/$(BUILD) $(GO) test -count=1 -timeout 20m -v ./itest/ 2>&1 | tee $(BUILD)/itest.log | grep -E '^(=== RUN|--- |PASS|FAIL|ok|panic)|_test.go' ; exit $${PIPESTATUS[0]}

bench: deps wasm
	@mkdir -p $(BUILD)/bench
	$(GO) test -run '^$$' -bench . -benchtime 3000x ./bridge/ | tee $(BUILD)/bench/bridge.txt
	@echo "BOLT 8: ours natively, ours as wasm under Node.js, and lnd's brontide in one process"
	$(GO) test -run '^$$' -bench . -benchtime 2000x ./node/noise/ | tee $(BUILD)/bench/noise.txt
	$(WASM_PATH) $(WASM_ENV) $(GO) test -run '^$$' -bench . -benchtime 300x ./node/noise/ | tee $(BUILD)/bench/noise-wasm.txt
	cd itest/brontide && $(GO) test -run '^$$' -bench . -benchtime 2000x . | tee $(CURDIR)/$(BUILD)/bench/brontide.txt
	@echo "Pathfinding on a generated mainnet-size graph (15,000 nodes, 50,000 channels): native, then wasm under Node.js"
	$(GO) test -run '^$$' -bench FindRoute -benchtime 20x ./node/graph/ | tee $(BUILD)/bench/graph.txt
	$(WASM_PATH) $(WASM_ENV) $(GO) test -run '^$$' -bench FindRoute -benchtime 10x ./node/graph/ | tee $(BUILD)/bench/graph-wasm.txt
	@echo "Commitment updates between two of our channel machines in memory: native, then wasm under Node.js"
	$(GO) test -run '^$$' -bench CommitmentUpdates -benchtime 500x ./node/channel/ | tee $(BUILD)/bench/channel.txt
	$(WASM_PATH) $(WASM_ENV) $(GO) test -run '^$$' -bench CommitmentUpdates -benchtime 200x ./node/channel/ | tee $(BUILD)/bench/channel-wasm.txt
	LNWASM_ASSETS=$(CURDIR)/$(BUILD) $(GO) test -count=1 -run '^$$' -bench . -benchtime 1x -timeout 20m ./itest/ | tee $(BUILD)/bench/itest.txt
	@echo
	$(GO) run ./itest/benchtable $(BUILD)/bench

# fuzz runs every fuzz target in the module for FUZZTIME each, one at a
# time (go test takes one -fuzz target per run). Targets are found by their
# `func Fuzz...` lines, so a new one joins without editing this file. A
# failing input is written to the package's testdata/fuzz/, where it stays
# as a regression seed that `go test` runs. FUZZMINIMIZETIME caps how long
# the fuzzer shrinks each new input, which can otherwise use up a short
# run; FUZZFLAGS passes more flags (FUZZFLAGS=-parallel=1 on a busy machine).
FUZZTIME ?= 30s
FUZZMINIMIZETIME ?= 5s
FUZZFLAGS ?=

fuzz:
	@failed=""; count=0; \
	for dir in $$($(GO) list -f '{{.Dir}}' ./...); do \
		pkg=./$$(realpath --relative-to="$(CURDIR)" "$$dir"); \
		for name in $$(sed -n 's/^func \(Fuzz[A-Za-z0-9_]*\)(.*/\1/p' "$$dir"/*_test.go 2>/dev/null | sort -u); do \
			count=$$((count + 1)); start=$$(date +%s); \
			out=$$($(GO) test -run '^$$' -fuzz "^$$name\$$" -fuzztime $(FUZZTIME) -fuzzminimizetime $(FUZZMINIMIZETIME) $(FUZZFLAGS) "$$pkg/" 2>&1); rc=$$?; \
			secs=$$(( $$(date +%s) - start )); \
			execs=$$(printf '%s\n' "$$out" | sed -n 's/.*execs: \([0-9]*\).*/\1/p' | tail -n 1); \
			if [ $$rc -eq 0 ]; then \
				printf 'fuzz: %-24s %-14s %4ss %11s execs  ok, found nothing\n' "$$name" "$$pkg" "$$secs" "$${execs:-?}"; \
			else \
				input=$$(printf '%s\n' "$$out" | sed -n 's/.*Failing input written to \(.*\)/\1/p' | tail -n 1); \
				what="found $$pkg/$$input"; [ -n "$$input" ] || what="no failing input written, see below"; \
				printf 'fuzz: %-24s %-14s %4ss %11s execs  FAILED: %s\n' "$$name" "$$pkg" "$$secs" "$${execs:-?}" "$$what"; \
				printf '%s\n' "$$out" | tail -n 40 | sed 's/^/    /'; \
				failed="$$failed $$pkg:$$name"; \
			fi; \
		done; \
	done; \
	echo "fuzz: $$count targets, $(FUZZTIME) each"; \
	if [ -n "$$failed" ]; then echo "fuzz: failed:$$failed"; exit 1; fi

lint:
	@fmt=$$(gofmt -l $$(git ls-files '*.go') 2>/dev/null); if [ -n "$$fmt" ]; then echo "gofmt needed: $$fmt"; exit 1; fi
	$(GO) vet ./...
	$(WASM_ENV) $(GO) vet ./wasm/ ./chain/... ./bridge/

clean:
	rm -rf $(BUILD)
