#!/usr/bin/env bash
# Installs everything hfcpp needs to build and test, from Debian 12 packages only.
# Run as root (CI does); with sudo otherwise. Safe to run again: apt-get skips what is there.
set -euo pipefail

PACKAGES=(
  build-essential cmake ninja-build pkg-config ccache
  nlohmann-json3-dev      # JSON: config.json, tokenizer.json, safetensors headers
  libpcre2-dev            # pre-tokenizer regexes with Unicode properties
  libutf8proc-dev         # Unicode normalization (NFC/NFD/NFKC/NFKD)
  libsentencepiece-dev    # Marian's source.spm / target.spm
  libcurl4-openssl-dev    # Hub downloads
  libssl-dev              # SHA-256 of downloads (OpenSSL's libcrypto, EVP)
  libhwy-dev              # SIMD kernels with run-time dispatch
  libcli11-dev            # the hfcpp command line
  libedit-dev             # the chat REPL: line editing and history
  libgtest-dev libgmock-dev libbenchmark-dev
  python3 python3-numpy   # the tests' local Hub server; randmodel.py for benchmarks
  libcpp-httplib-dev      # hfcpp serve: the HTTP server (and the server tests' client)
  nodejs                  # the server tests drive it with the official OpenAI npm client
  nginx                   # the server test of two replicas behind deploy/nginx.conf
  chromium                # the server test of the chat page in a real (headless) browser
)
# `make fuzz` only (setup.sh --fuzz), not needed to build or test: clang with its libFuzzer and
# sanitizer runtimes.
if [ "${1:-}" = "--fuzz" ]; then
  PACKAGES=(clang libclang-rt-14-dev)
fi

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all ${#PACKAGES[@]} packages present"
else
  echo "setup: installing ${missing[*]}"
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# The server tests' OpenAI client, exactly the version pinned in tests/server/package-lock.json
# (npm's registry is the only network use, and only for this test client).
server_tests="$(dirname "$0")/../tests/server"
if [ ! -f "$server_tests/node_modules/openai/package.json" ]; then
  command -v npm >/dev/null || $SUDO apt-get install -y -qq --no-install-recommends npm
  (cd "$server_tests" && npm ci --no-audit --no-fund)
fi
