# retort — the two set-up commands of the README live here.
#   make demo   install what is missing, build, run the end-to-end demo (SQLite)
#   make test   install what is missing, build with -Werror, run every test,
#               then build with ASan+UBSan and run the unit tests again,
#               then run each libFuzzer target for 20 s (make fuzz-ci)
# Both work on a fresh Debian 12 machine as root.

SHELL := /bin/bash
JOBS ?= $(shell nproc)
BUILD ?= build
ASAN_BUILD ?= build-asan
FUZZ_BUILD ?= build-fuzz-clang

# Debian packages retort builds and tests with.
DEB_PACKAGES := build-essential cmake pkg-config git ca-certificates \
  libpq-dev libpg-query-dev libsqlite3-dev libtomlplusplus-dev libcli11-dev \
  libfmt-dev nlohmann-json3-dev libgtest-dev libgmock-dev libbenchmark-dev \
  libcurl4-openssl-dev libjemalloc-dev libprotobuf-c-dev postgresql-15 \
  postgresql-client-15 sqlite3 zsh fish groff-base man-db graphviz \
  python3 python3-alembic python3-sqlalchemy python3-psycopg2 \
  clang libclang-rt-14-dev

.PHONY: all deps build demo test unit-test integration-test asan-test bench clean format fuzz-ci reference

all: build

# Installs only what is missing, so a second run costs a dpkg query.
deps:
	@missing=$$(for p in $(DEB_PACKAGES); do \
	  dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q '^install ok installed$$' || echo $$p; \
	done); \
	if [ -n "$$missing" ]; then \
	  echo "installing:" $$missing; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$missing; \
	fi

build: deps
	cmake -S . -B $(BUILD) -DRETORT_WERROR=ON > /dev/null
	cmake --build $(BUILD) -j$(JOBS)

# The demo needs only the retort program: no tests, benchmarks or fuzzers.
demo: deps
	cmake -S . -B $(BUILD) -DRETORT_WERROR=ON > /dev/null
	cmake --build $(BUILD) -j$(JOBS) --target retort
	@bash scripts/demo.sh $(BUILD)/retort

unit-test: build
	cd $(BUILD) && ctest -L unit --output-on-failure -j$(JOBS)

integration-test: build
	cd $(BUILD) && ctest -L integration --output-on-failure

asan-test: deps
	cmake -S . -B $(ASAN_BUILD) -DRETORT_WERROR=ON -DRETORT_SANITIZE=ON \
	  -DRETORT_BUILD_BENCH=OFF -DCMAKE_BUILD_TYPE=Debug > /dev/null
	cmake --build $(ASAN_BUILD) -j$(JOBS) --target retort_unit_tests
	cd $(ASAN_BUILD) && ctest -L unit --output-on-failure -j$(JOBS)

test: build
	cd $(BUILD) && ctest --output-on-failure -j$(JOBS)
	$(MAKE) --no-print-directory asan-test
	$(MAKE) --no-print-directory fuzz-ci

# The libFuzzer targets (fuzz/README.md), built with clang under ASan+UBSan
# from only the core sources they reach, FUZZ_SECONDS each, one at a time.
# The seed is fixed so that CI explores the same inputs each run (a failure
# reproduces; new ground is for bench/fuzz.sh). Longer runs: bash bench/fuzz.sh 300.
FUZZ_SECONDS ?= 20
FUZZ_SEED ?= 20261206
fuzz-ci: deps
	FUZZ_WORK=$(FUZZ_BUILD)/fuzz-ci FUZZ_SEED=$(FUZZ_SEED) JOBS=$(JOBS) \
	  bash bench/fuzz.sh $(FUZZ_SECONDS)

# docs/reference.md, written by the built retort from its command table
# (a unit test fails when it is out of date). Run after adding or changing
# a command, a flag or its help.
reference:
	cmake -S . -B $(BUILD) -DRETORT_WERROR=ON > /dev/null
	cmake --build $(BUILD) -j$(JOBS) --target retort
	$(BUILD)/retort __reference > docs/reference.md.tmp && mv docs/reference.md.tmp docs/reference.md

bench: build
	python3 bench/graph_bench.py $(BUILD)/retort

format:
	clang-format -i $$(git ls-files '*.cc' '*.h')

clean:
	rm -rf $(BUILD) $(ASAN_BUILD)
