#!/usr/bin/env bash
# Installs what the e2e tests need beside what `npm start` installs (docs/extension.md, "Tests in a real
# VS Code"); idempotent: Debian's chromium (driven by playwright-core; never `npx playwright install`).
# code-server is not installed here: the harness's first step is `npm start`, which installs it.
set -euo pipefail
cd "$(dirname "$0")/../.."
if [ ! -x /usr/bin/chromium ]; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  echo "e2e setup: apt-get install chromium"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium
fi
