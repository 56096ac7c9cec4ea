#!/usr/bin/env bash
# Sets up the machine, builds Suanpan, and opens the desktop app on a demo company
# (every demo user's password is demo1234; the owner is `boss`, a salesperson `zhangwei`).
#   SCALE=20 scripts/demo.sh     a bigger demo company (20,000 customers)
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh app
export PATH="$HOME/.cargo/bin:$PATH"

cargo build --release -p suanpan -p suanpan-app
target_dir="${CARGO_TARGET_DIR:-target}"
data_dir="${XDG_DATA_HOME:-$HOME/.local/share}/suanpan"
demo="$data_dir/demo.sqlite"
if [[ ! -s "$demo" ]]; then
  mkdir -p "$data_dir"
  "$target_dir/release/suanpan" --db "$demo" demo --scale "${SCALE:-5}"
fi
echo "opening $demo — log in as boss / demo1234"
exec "$target_dir/release/suanpan-app" --db "$demo"
