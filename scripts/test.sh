#!/usr/bin/env bash
# Builds both targets and runs every test: native (release), WebAssembly under node, the
# native/WebAssembly parity check, the Python client's and the Slurm recipe's tests (through ctest)
# and the browser tests in headless Chromium.
set -euo pipefail
cd "$(dirname "$0")/.."
export NODE_PATH=/usr/share/nodejs  # Debian's emscripten needs Debian's acorn

cmake --preset wasm
cmake --build --preset wasm
cmake --preset release
cmake --build --preset release
ctest --preset wasm
ctest --preset release
if [[ -f tests/browser/package.json ]]; then
  (cd tests/browser && npm test)
fi
