#!/usr/bin/env bash
# The browser end-to-end tests (and, with `bench`, the browser benchmark), as xtask runs them:
#
#   tests/browser/run.sh           build the site into dist/, then `node --test tests/browser/`
#   tests/browser/run.sh bench     build, then `node tests/browser/bench.mjs` (JSON lines)
#
# SKIP_BUILD=1 uses dist/ as it is; POLYRUN_SITE=DIR tests another built site; CHROMIUM=PATH
# another Chromium (default /usr/bin/chromium); POLYRUN_BIN=PATH another polyrun binary.
# `cargo xtask test` does the same: trunk build --release, then
# `node --test --test-concurrency=1 tests/browser/` with POLYRUN_BIN set. The tests serve the site themselves
# (tests/browser/server.mjs, 127.0.0.1, an ephemeral port) and start Chromium headless with a
# fresh profile. Needs: `cargo xtask setup` (trunk, wasm-bindgen, web/node_modules with
# playwright-core, target/release/polyrun) and Chromium (`apt-get install -y chromium`).
set -euo pipefail
cd "$(dirname "$0")/../.."
export PATH="$HOME/.cargo/bin:$PATH"

chromium="${CHROMIUM:-/usr/bin/chromium}"
if [ ! -x "$chromium" ]; then
  echo "tests/browser: $chromium is missing: apt-get install -y chromium (or set CHROMIUM)" >&2
  exit 2
fi
if [ ! -d web/node_modules/playwright-core ]; then
  (cd web && npm ci)
fi
if [ ! -x "${POLYRUN_BIN:-target/release/polyrun}" ]; then
  cargo xtask setup
fi

if [ "${SKIP_BUILD:-0}" != 1 ] && [ -z "${POLYRUN_SITE:-}" ]; then
  trunk build --release
  # Trunk's pre_build hook writes the problems' public JSON; older trees need this:
  if [ ! -f dist/problems/index.json ]; then
    cargo xtask site-problems dist/problems
  fi
fi

if [ "${1:-}" = bench ]; then
  shift
  exec node tests/browser/bench.mjs "$@"
fi
# One test file at a time: the runs' time limits are real, and 2 cores are not many.
exec node --test --test-concurrency=1 tests/browser/
