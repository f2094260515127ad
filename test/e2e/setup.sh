#!/usr/bin/env bash
# Installs what the e2e tests need (docs/extension.md, "Tests in a real VS Code"); idempotent.
#   code-server under Node 24 in .tools/ (bin/code-server-setup.sh, shared with `npm start`)
#   Debian's chromium (driven by playwright-core; never `npx playwright install`), only for the tests.
set -euo pipefail
cd "$(dirname "$0")/../.."
if [ ! -x /usr/bin/chromium ]; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  echo "e2e setup: apt-get install chromium"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium
fi
bash bin/code-server-setup.sh
