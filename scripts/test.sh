#!/usr/bin/env bash
# Builds both targets and runs every test: native (release), WebAssembly under node, the
# native/WebAssembly parity check, the Python client's and the Slurm recipe's tests (through ctest),
# the browser tests in headless Chromium, and then the portable, native, parity and Python tests
# again under AddressSanitizer + UBSan (the asan preset: -O1 with line tables, only the programs
# those tests run; the Slurm recipe is left out there, as it tests a cluster setup, not memory).
set -euo pipefail
cd "$(dirname "$0")/.."
export NODE_PATH=/usr/share/nodejs  # Debian's emscripten needs Debian's acorn

# Each step says how long it took, so that the suite's time stays in view as it grows.
step() {
  local start=$SECONDS
  "$@"
  echo "test.sh: '$*' took $((SECONDS - start)) s" >&2
}
browser_tests() { (cd tests/browser && npm test); }

step cmake --preset wasm
step cmake --build --preset wasm
step cmake --preset release
step cmake --build --preset release
step ctest --preset wasm
step ctest --preset release
if [[ -f tests/browser/package.json ]]; then
  step browser_tests
fi
step cmake --preset asan
step cmake --build --preset asan --target rapport rapport_portable_tests rapport_native_tests rapport_parity fake_openai_server
step ctest --preset asan
echo "test.sh: all tests passed in $SECONDS s" >&2
