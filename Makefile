# loyaltyd: `make help` lists the targets.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

GO           ?= go
PKGS         ?= ./...
BIN          ?= bin/loyaltyd
TEST_TIMEOUT ?= 15m
FUZZTIME     ?= 2m
# A count, not a duration: a duration-based -fuzztime can fail with a bare
# "context deadline exceeded" at its boundary (go.dev/issue/75804, fixed in Go 1.27).
FUZZTIME_SHORT ?= 3000x

# The race detector needs cgo and a C compiler; without one, tests run without -race.
CC_PATH := $(shell command -v "$$($(GO) env CC 2>/dev/null || echo cc)" 2>/dev/null)
RACE    := $(if $(CC_PATH),-race,)

.PHONY: help build run test test-short bench golden fuzz fmt vet clean _test

help: ## list the targets
	@grep -E '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "}; {printf "  %-11s %s\n", $$1, $$2}'

build: ## build the static binary bin/loyaltyd
	CGO_ENABLED=0 $(GO) build -o $(BIN) ./cmd/loyaltyd

run: ## run the server on the embedded SQLite default (./data)
	$(GO) run ./cmd/loyaltyd serve --data-dir ./data

test: ## the whole suite: throw-away PostgreSQL and Redis, go vet, go test -race
	scripts/test-services.sh $(MAKE) --no-print-directory _test

# _test runs inside test-services.sh, with TEST_DATABASE_URL and TEST_REDIS_URL set.
_test:
	$(GO) vet $(PKGS)
	@$(if $(RACE),,echo "make: no C compiler found: running the tests without -race" >&2)
	CGO_ENABLED=$(if $(RACE),1,0) $(GO) test $(RACE) -count=1 -timeout $(TEST_TIMEOUT) $(PKGS)
	@$(MAKE) --no-print-directory fuzz FUZZTIME=$(FUZZTIME_SHORT)

test-short: ## quick tests without servers (PostgreSQL and Redis cases skip)
	env -u TEST_DATABASE_URL -u TEST_REDIS_URL $(GO) test -short -count=1 $(PKGS)

# BENCHFLAGS go to loyaltyd-bench run (e.g. BENCHFLAGS='--duration 10s'; see bin/loyaltyd-bench run --help).
BENCHFLAGS ?=
# ENGINEFLAGS go to loyaltyd-bench engine (e.g. ENGINEFLAGS='--duration 60s'; see bin/loyaltyd-bench engine --help).
ENGINEFLAGS ?=

bench: ## load benchmark (SQLite, PostgreSQL, net/http ceiling), ORM vs hand-written SQL, micro-benchmarks, engine vs pgbench
	CGO_ENABLED=0 $(GO) build -o $(BIN) ./cmd/loyaltyd
	CGO_ENABLED=0 $(GO) build -o bin/loyaltyd-bench ./cmd/loyaltyd-bench
	scripts/test-services.sh $(MAKE) --no-print-directory _bench

# _bench runs inside test-services.sh, with TEST_DATABASE_URL set.
.PHONY: _bench
_bench:
	bin/loyaltyd-bench run --server $(BIN) $(BENCHFLAGS)
	bin/loyaltyd-bench orm
	$(GO) test -run='^$$' -bench=. -benchmem $(PKGS)
	bin/loyaltyd-bench engine $(ENGINEFLAGS)
	bin/loyaltyd-bench sync --database-url ""
	bin/loyaltyd-bench sync --database-url "$$TEST_DATABASE_URL"
	bin/loyaltyd-bench import --database-url "$$TEST_DATABASE_URL"

golden: ## rewrite golden files from the current output (-update)
	@pkgs=$$(grep -rl --include='*_test.go' 'flag.Bool("update"' . | xargs -r -n1 dirname | sort -u); \
	if [ -z "$$pkgs" ]; then echo "golden: no package has an -update flag"; exit 0; fi; \
	$(GO) test -count=1 $$pkgs -run Golden -update

fuzz: ## run every Fuzz target for FUZZTIME (2m) each (make test runs each for FUZZTIME_SHORT executions)
	@$(GO) test -list '^Fuzz' $(PKGS) | \
	awk '/^Fuzz/ {f[++n] = $$1; next} /^ok / {for (i = 1; i <= n; i++) print $$2, f[i]; n = 0} /^FAIL/ {print "FAIL", $$0; exit 1}' | \
	while read -r pkg fn; do \
		if [ "$$pkg" = FAIL ]; then echo "fuzz: $$fn" >&2; exit 1; fi; \
		echo "fuzz: $$pkg $$fn ($(FUZZTIME))"; \
		$(GO) test -run='^$$' -fuzz="^$$fn\$$" -fuzztime=$(FUZZTIME) "$$pkg"; \
	done

fmt: ## gofmt every Go file
	gofmt -l -w $$(git ls-files -co --exclude-standard '*.go')

vet: ## go vet
	$(GO) vet $(PKGS)

clean: ## remove build output and cached test results (keeps ./data)
	rm -rf bin/
	$(GO) clean -testcache
