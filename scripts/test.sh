#!/usr/bin/env bash
# Builds both targets and runs every test: native (release), WebAssembly under node, the
# native/WebAssembly parity check, the Python client's and the Slurm recipe's tests (through ctest),
# the browser tests in headless Chromium, and then the portable, native, parity and Python tests
# again under AddressSanitizer + UBSan (the asan preset: -O1 with line tables, only the programs
# those tests run; the Slurm recipe is left out there, as it tests a cluster setup, not memory).
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
cmake --preset asan
cmake --build --preset asan --target rapport rapport_portable_tests rapport_native_tests rapport_parity fake_openai_server
ctest --preset asan
