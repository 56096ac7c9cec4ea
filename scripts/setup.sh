#!/usr/bin/env bash
# Installs what Suanpan needs on a Debian/Ubuntu machine, and nothing that is already there.
#   scripts/setup.sh app    packages to build and run the desktop app
#   scripts/setup.sh test   the above, plus what the tests need (Xvfb, WebKitWebDriver, tauri-driver, fonts)
set -euo pipefail

mode="${1:-app}"
packages=(build-essential pkg-config curl libwebkit2gtk-4.1-dev libssl-dev fonts-noto-cjk)
if [[ "$mode" == "test" ]]; then
  packages+=(xvfb xauth webkit2gtk-driver imagemagick poppler-utils sqlite3 unzip xdotool)
fi

missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if ((${#missing[@]})); then
  sudo=""
  [[ "$(id -u)" == 0 ]] || sudo="sudo"
  echo "installing: ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# Rust: the project needs 1.94 or newer (sqlx 0.9).
export PATH="$HOME/.cargo/bin:$PATH"
if ! command -v cargo >/dev/null; then
  echo "installing Rust with rustup"
  curl --proto '=https' --tlsv1.2 -sSf https://sh.rustup.rs | sh -s -- -y --profile minimal --component rustfmt,clippy
fi
rust_minor=$(rustc --version | sed -E 's/rustc 1\.([0-9]+).*/\1/')
if ((rust_minor < 94)); then
  echo "Rust $(rustc --version) is too old; updating"
  rustup update stable
fi

if [[ "$mode" == "test" ]] && ! command -v tauri-driver >/dev/null; then
  echo "installing tauri-driver"
  cargo install tauri-driver --version '^2' --locked --quiet
fi
