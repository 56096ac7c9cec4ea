#!/usr/bin/env bash
# Sets up the machine and runs every check and test: formatting, lints, the engine's tests,
# and the end-to-end tests that drive the real window under Xvfb.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh test
export PATH="$HOME/.cargo/bin:$PATH"

echo "== cargo fmt"
cargo fmt --all -- --check
echo "== cargo clippy"
cargo clippy --workspace --all-targets --locked -- -D warnings
echo "== build the app for the end-to-end tests"
cargo build --locked -p suanpan-app
echo "== cargo test (engine, CLI, and the real window under Xvfb)"
xvfb-run -a -s "-screen 0 1366x900x24" cargo test --workspace --locked
