# bash completion for postfach(1): commands, options, account names from the configuration.
# Installed as /usr/share/bash-completion/completions/postfach.

# The account names in the configuration file (the one given with --config, else the default).
_postfach_accounts() {
    local config=$1
    [[ -z $config ]] && config=${XDG_CONFIG_HOME:-$HOME/.config}/postfach/config.yaml
    [[ -r $config ]] || return 0
    sed -n -E "s/^[[:space:]-]*name:[[:space:]]*[\"']?([a-z0-9_-]+).*/\1/p" "$config"
}

_postfach() {
    local cur prev words cword
    _init_completion || return

    local commands="sync daemon check status migrate init"
    local global_opts="--config --verbose --quiet --help --version"
    local command="" config="" i
    for ((i = 1; i < cword; i++)); do
        case ${words[i]} in
        --config | -c)
            config=${words[i + 1]}
            ((i++))
            ;;
        -*) ;;
        *)
            command=${words[i]}
            break
            ;;
        esac
    done

    case $prev in
    --config | -c)
        _filedir 'y?(a)ml'
        return
        ;;
    --account | -a)
        COMPREPLY=($(compgen -W "$(_postfach_accounts "$config")" -- "$cur"))
        return
        ;;
    --from-maildir)
        _filedir -d
        return
        ;;
    --email)
        return
        ;;
    esac

    if [[ -z $command ]]; then
        if [[ $cur == -* ]]; then
            COMPREPLY=($(compgen -W "$global_opts" -- "$cur"))
        else
            COMPREPLY=($(compgen -W "$commands" -- "$cur"))
        fi
        return
    fi

    local opts="--help --account"
    case $command in
    sync) opts+=" --dry-run --force" ;;
    status) opts+=" --json" ;;
    migrate) opts+=" --from-maildir" ;;
    init) opts="--help --email" ;;
    esac
    COMPREPLY=($(compgen -W "$opts" -- "$cur"))
}
complete -F _postfach postfach
