#!/bin/bash
# Drives completions/postfach.bash as bash would: commands, per-command options, and account
# names read from the --config file. bash-completion's helpers are stubbed (they need not be
# installed): _init_completion fills cur/prev/words/cword from COMP_WORDS/COMP_CWORD.
set -u
source_file=$1
failures=0

_init_completion() {
    words=("${COMP_WORDS[@]}")
    cword=$COMP_CWORD
    cur=${COMP_WORDS[COMP_CWORD]}
    prev=${COMP_WORDS[COMP_CWORD - 1]}
}
_filedir() { COMPREPLY=(FILES); }
# shellcheck source=/dev/null
source "$source_file"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cat >"$work/config.yaml" <<'YAML'
accounts:
  - name: work
    maildir: ~/Mail/work
  - name: "home-2"
    maildir: ~/Mail/home
YAML

# expect "WORDS..." "EXPECTED REPLY"
expect() {
    local line=$1 want=$2
    read -r -a COMP_WORDS <<<"$line"
    [[ $line == *" " ]] && COMP_WORDS+=("")
    COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
    COMPREPLY=()
    _postfach
    local got="${COMPREPLY[*]}"
    if [[ $got != "$want" ]]; then
        echo "FAIL: '$line' completed to '$got', expected '$want'"
        failures=$((failures + 1))
    fi
}

expect "postfach " "sync daemon check status migrate init"
expect "postfach st" "status"
expect "postfach --" "--config --verbose --quiet --help --version"
expect "postfach --config " "FILES"
expect "postfach --config $work/config.yaml sync --account " "work home-2"
expect "postfach -c $work/config.yaml status -a h" "home-2"
expect "postfach status --" "--help --account --json"
expect "postfach sync --d" "--dry-run"
expect "postfach --quiet migrate --f" "--from-maildir"

[[ $failures == 0 ]] && echo "bash completion: all cases pass"
exit $((failures > 0))
