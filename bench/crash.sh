#!/bin/sh
# The crash suite at bench size: kill -9 of retort at random points of a
# 50-revision chain (transactional and CREATE INDEX CONCURRENTLY revisions,
# one-transaction and per-revision modes), then a rerun; see
# tests/crash_test.cc. Usage: bench/crash.sh [BUILD_DIR] [TRIALS]
# (defaults: build, 200). RETORT_CRASH_SEED=N replays a run.
set -eu
build=${1:-build}
trials=${2:-200}
RETORT_CRASH_TRIALS=$trials exec "$build/retort_integration_tests" \
  --gtest_filter='Crash.*'
