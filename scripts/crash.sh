#!/usr/bin/env bash
# Kills the release command line 100 times (kill -9) at seeded random moments of an order import, a
# backup and a restore, and checks every company file it leaves (tests/crash.rs, which the test suite
# runs with 20 kills on the debug build). SUANPAN_CRASH_SEED=<seed> repeats a run's moments;
# SUANPAN_CRASH_KILLS and SUANPAN_CRASH_LINES change how many kills and how large the imported file is.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"

cargo build --release --locked --bin suanpan
target_dir="${CARGO_TARGET_DIR:-$PWD/target}"
export SUANPAN_CRASH_BIN="$target_dir/release/suanpan"
export SUANPAN_CRASH_KILLS="${SUANPAN_CRASH_KILLS:-100}"
# The release build imports several times faster: a larger file keeps each run a few seconds long.
export SUANPAN_CRASH_LINES="${SUANPAN_CRASH_LINES:-300000}"
# The checks run in the test harness (debug); one test at a time, so no run slows another's.
cargo test --workspace --locked --test crash -- --nocapture --test-threads 1
