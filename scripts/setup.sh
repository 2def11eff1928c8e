#!/usr/bin/env bash
# Installs what Rapport needs on Debian 12, from Debian's packages only (as root, or with sudo).
#   scripts/setup.sh          native build: compiler, CMake, libraries
#   scripts/setup.sh --all    also the WebAssembly toolchain, Dear ImGui's sources, Chromium, the
#                             browser-test packages and Slurm (everything the test suite needs)
set -euo pipefail
cd "$(dirname "$0")/.."

all=false
[[ "${1:-}" == "--all" ]] && all=true

packages=(cmake ninja-build g++ pkg-config ca-certificates xz-utils
          libboost1.81-dev libboost-json1.81-dev libfmt-dev libcli11-dev libcurl4-openssl-dev
          libsqlite3-dev zlib1g-dev catch2 python3 python3-websockets)
if $all; then
  packages+=(emscripten libglfw3-dev libimgui-dev chromium fonts-dejavu-core fonts-droid-fallback fonts-nanum python3-fonttools)
  packages+=(munge slurm-wlm)  # tests/cluster/slurm_test.sh: a private single-node Slurm
  command -v node >/dev/null || packages+=(nodejs)
  command -v npm >/dev/null || packages+=(npm)
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  as_root=()
  [[ $(id -u) -ne 0 ]] && as_root=(sudo)
  echo "Installing: ${missing[*]}"
  "${as_root[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${as_root[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

if $all; then
  scripts/fetch_imgui.sh
  (cd tests/browser && npm ci --no-audit --no-fund --loglevel=error)
fi
echo "Setup complete."
