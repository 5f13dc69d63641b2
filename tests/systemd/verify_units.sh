#!/bin/sh
# Checks the configured units with `systemd-analyze verify` (system mode: the user manager is
# not needed for a syntax and semantics check). Any output is a failure: systemd only warns
# about unknown keys. Exit 77 (skipped) when systemd-analyze is not installed.
#   verify_units.sh UNIT_DIR POSTFACH_BINARY
set -eu
unit_dir=$1
binary=$2
command -v systemd-analyze >/dev/null || { echo "systemd-analyze not found; skipped"; exit 77; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for unit in "$unit_dir"/postfach*.service "$unit_dir"/postfach*.timer; do
    name=$(basename "$unit")
    # The template is verified as an instance; ExecStart points at the built binary.
    [ "$name" = "postfach@.service" ] && name=postfach@alice.service
    sed "s|^ExecStart=[^ ]*postfach|ExecStart=$binary|" "$unit" >"$work/$name"
done
cd "$work"
output=$(systemd-analyze verify --man=no ./* 2>&1) || { echo "$output"; exit 1; }
if [ -n "$output" ]; then
    echo "$output"
    exit 1
fi
echo "verified: $(ls | tr '\n' ' ')"
