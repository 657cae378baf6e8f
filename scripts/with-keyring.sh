#!/bin/sh
# Runs a command inside a private D-Bus session with an unlocked gnome-keyring (a headless Secret
# Service), so that keytar reaches a real keychain. The keyring's password is a throwaway test value.
set -eu
if [ "$#" -eq 0 ]; then
  echo "usage: scripts/with-keyring.sh <command> [args...]" >&2
  exit 2
fi
for tool in dbus-run-session gnome-keyring-daemon; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "scripts/with-keyring.sh: $tool is missing; install dbus and gnome-keyring (see README)" >&2
    exit 1
  fi
done
export LATCHKEY_KEYRING_SESSION=1
# The keyring's files go to a private folder removed afterwards, so runs never share or pile up entries
# (and never touch the keyrings under your own home).
keyring_data=$(mktemp -d "${TMPDIR:-/tmp}/latchkey-keyring.XXXXXX")
trap 'rm -rf "$keyring_data"' EXIT
dbus-run-session -- sh -c '
  printf "%s" latchkey-test-keyring | XDG_DATA_HOME="$0" gnome-keyring-daemon --unlock --components=secrets >/dev/null 2>&1
  exec "$@"
' "$keyring_data" "$@"
