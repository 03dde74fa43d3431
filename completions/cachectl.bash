#!/bin/bash

__cachectl_cursor_index_in_current_word() {
    local remaining="${COMP_LINE}"

    local word
    for word in "${COMP_WORDS[@]::COMP_CWORD}"; do
        remaining="${remaining##*([[:space:]])"${word}"*([[:space:]])}"
    done

    local -ir index="$((COMP_POINT - ${#COMP_LINE} + ${#remaining}))"
    if [[ "${index}" -le 0 ]]; then
        printf 0
    else
        printf %s "${index}"
    fi
}

# positional arguments:
#
# - 1: the current (sub)command's count of positional arguments
#
# required variables:
#
# - repeating_flags: the repeating flags that the current (sub)command can accept
# - non_repeating_flags: the non-repeating flags that the current (sub)command can accept
# - repeating_options: the repeating options that the current (sub)command can accept
# - non_repeating_options: the non-repeating options that the current (sub)command can accept
# - positional_number: value ignored
# - unparsed_words: unparsed words from the current command line
#
# modified variables:
#
# - non_repeating_flags: remove flags for this (sub)command that are already on the command line
# - non_repeating_options: remove options for this (sub)command that are already on the command line
# - positional_number: set to the current positional number
# - unparsed_words: remove all flags, options, and option values for this (sub)command
__cachectl_offer_flags_options() {
    local -ir positional_count="${1}"
    positional_number=0

    local was_flag_option_terminator_seen=false
    local is_parsing_option_value=false

    local -ar unparsed_word_indices=("${!unparsed_words[@]}")
    local -i word_index
    for word_index in "${unparsed_word_indices[@]}"; do
        if "${is_parsing_option_value}"; then
            # This word is an option value:
            # Reset marker for next word iff not currently the last word
            [[ "${word_index}" -ne "${unparsed_word_indices[${#unparsed_word_indices[@]} - 1]}" ]] && is_parsing_option_value=false
            unset "unparsed_words[${word_index}]"
            # Do not process this word as a flag or an option
            continue
        fi

        local word="${unparsed_words["${word_index}"]}"
        if ! "${was_flag_option_terminator_seen}"; then
            case "${word}" in
            --)
                unset "unparsed_words[${word_index}]"
                # by itself -- is a flag/option terminator, but if it is the last word, it is the start of a completion
                if [[ "${word_index}" -ne "${unparsed_word_indices[${#unparsed_word_indices[@]} - 1]}" ]]; then
                    was_flag_option_terminator_seen=true
                fi
                continue
                ;;
            -*)
                # ${word} is a flag or an option
                # If ${word} is an option, mark that the next word to be parsed is an option value
                local option
                for option in "${repeating_options[@]}" "${non_repeating_options[@]}"; do
                    [[ "${word}" = "${option}" ]] && is_parsing_option_value=true && break
                done

                # Remove ${word} from ${non_repeating_flags} or ${non_repeating_options} so it isn't offered again
                local not_found=true
                local -i index
                for index in "${!non_repeating_flags[@]}"; do
                    if [[ "${non_repeating_flags[${index}]}" = "${word}" ]]; then
                        unset "non_repeating_flags[${index}]"
                        non_repeating_flags=("${non_repeating_flags[@]}")
                        not_found=false
                        break
                    fi
                done
                if "${not_found}"; then
                    for index in "${!non_repeating_flags[@]}"; do
                        if [[ "${non_repeating_flags[${index}]}" = "${word}" ]]; then
                            unset "non_repeating_flags[${index}]"
                            non_repeating_flags=("${non_repeating_flags[@]}")
                            break
                        fi
                    done
                fi
                unset "unparsed_words[${word_index}]"
                continue
                ;;
            esac
        fi

        # ${word} is neither a flag, nor an option, nor an option value
        if [[ "${positional_number}" -lt "${positional_count}" || "${positional_count}" -lt 0 ]]; then
            # ${word} is a positional
            ((positional_number++))
            unset "unparsed_words[${word_index}]"
        else
            if [[ -z "${word}" ]]; then
                # Could be completing a flag, option, or subcommand
                positional_number=-1
            else
                # ${word} is a subcommand or invalid, so stop processing this (sub)command
                positional_number=-2
            fi
            break
        fi
    done

    unparsed_words=("${unparsed_words[@]}")

    if\
        ! "${was_flag_option_terminator_seen}"\
        && ! "${is_parsing_option_value}"\
        && [[ ("${cur}" = -* && "${positional_number}" -ge 0) || "${positional_number}" -eq -1 ]]
    then
        COMPREPLY+=($(compgen -W "${repeating_flags[*]} ${non_repeating_flags[*]} ${repeating_options[*]} ${non_repeating_options[*]}" -- "${cur}"))
    fi
}

__cachectl_add_completions() {
    local completion
    while IFS='' read -r completion; do
        COMPREPLY+=("${completion}")
    done < <(IFS=$'\n' compgen "${@}" -- "${cur}")
}

__cachectl_custom_complete() {
    if [[ -n "${cur}" || -z ${COMP_WORDS[${COMP_CWORD}]} || "${COMP_LINE:${COMP_POINT}:1}" != ' ' ]]; then
        local -ar words=("${COMP_WORDS[@]}")
    else
        local -ar words=("${COMP_WORDS[@]::${COMP_CWORD}}" '' "${COMP_WORDS[@]:${COMP_CWORD}}")
    fi

    "${COMP_WORDS[0]}" "${@}" "${words[@]}"
}

_cachectl() {
    local state
    state="$(shopt -p;shopt -po)"
    trap "${state//$'\n'/;}" RETURN
    shopt -s extglob
    set +o history +o posix

    local -xr SAP_SHELL=bash
    local -x SAP_SHELL_VERSION
    SAP_SHELL_VERSION="$(IFS='.';printf %s "${BASH_VERSINFO[*]}")"
    local -r SAP_SHELL_VERSION

    local -r cur="${2}"
    local -r prev="${3}"

    local -i positional_number
    local -a unparsed_words=("${COMP_WORDS[@]:1:${COMP_CWORD}}")

    local -a repeating_flags=()
    local -a non_repeating_flags=(--version -h --help)
    local -a repeating_options=()
    local -a non_repeating_options=()
    __cachectl_offer_flags_options 0

    # Offer subcommand / subcommand argument completions
    local -r subcommand="${unparsed_words[0]}"
    unset 'unparsed_words[0]'
    unparsed_words=("${unparsed_words[@]}")
    case "${subcommand}" in
    get|set|delete|ping|stats|invalidate-tag|tags|flush|migrate|warmup|check|profiles|keys|usage|help)
        # Offer subcommand argument completions
        "_cachectl_${subcommand}"
        ;;
    *)
        # Offer subcommand completions
        COMPREPLY+=($(compgen -W 'get set delete ping stats invalidate-tag tags flush migrate warmup check profiles keys usage help' -- "${cur}"))
        ;;
    esac
}

_cachectl_get() {
    repeating_flags=()
    non_repeating_flags=(--insecure --quiet -q --verbose -v --no-color --raw --version -h --help)
    repeating_options=(--tag)
    non_repeating_options=(--url --profile --config --user --password-file --cacert --cacertdir --cert --key --sni --format --timeout --key-prefix --tag-prefix --stats-key --layout --namespace --cache-version)
    __cachectl_offer_flags_options -1

    # Offer option value completions
    case "${prev}" in
    '--url')
        return
        ;;
    '--profile')
        return
        ;;
    '--config')
        return
        ;;
    '--user')
        return
        ;;
    '--password-file')
        return
        ;;
    '--cacert')
        return
        ;;
    '--cacertdir')
        return
        ;;
    '--cert')
        return
        ;;
    '--key')
        return
        ;;
    '--sni')
        return
        ;;
    '--format')
        __cachectl_add_completions -W 'table'$'\n''json'$'\n''jsonl'$'\n''prometheus'
        return
        ;;
    '--timeout')
        return
        ;;
    '--key-prefix')
        return
        ;;
    '--tag-prefix')
        return
        ;;
    '--stats-key')
        return
        ;;
    '--layout')
        return
        ;;
    '--namespace')
        return
        ;;
    '--cache-version')
        return
        ;;
    '--tag')
        return
        ;;
    esac
}

_cachectl_set() {
    repeating_flags=()
    non_repeating_flags=(--insecure --quiet -q --verbose -v --no-color --if-absent --json --force --version -h --help)
    repeating_options=(--tag)
    non_repeating_options=(--url --profile --config --user --password-file --cacert --cacertdir --cert --key --sni --format --timeout --key-prefix --tag-prefix --stats-key --layout --namespace --cache-version --file --ttl --wait-replicas --wait-timeout)
    __cachectl_offer_flags_options 2

    # Offer option value completions
    case "${prev}" in
    '--url')
        return
        ;;
    '--profile')
        return
        ;;
    '--config')
        return
        ;;
    '--user')
        return
        ;;
    '--password-file')
        return
        ;;
    '--cacert')
        return
        ;;
    '--cacertdir')
        return
        ;;
    '--cert')
        return
        ;;
    '--key')
        return
        ;;
    '--sni')
        return
        ;;
    '--format')
        __cachectl_add_completions -W 'table'$'\n''json'$'\n''jsonl'$'\n''prometheus'
        return
        ;;
    '--timeout')
        return
        ;;
    '--key-prefix')
        return
        ;;
    '--tag-prefix')
        return
        ;;
    '--stats-key')
        return
        ;;
    '--layout')
        return
        ;;
    '--namespace')
        return
        ;;
    '--cache-version')
        return
        ;;
    '--file')
        return
        ;;
    '--ttl')
        __cachectl_add_completions -W '60'$'\n''5m'$'\n''1h'$'\n''1d'$'\n''none'
        return
        ;;
    '--tag')
        return
        ;;
    '--wait-replicas')
        return
        ;;
    '--wait-timeout')
        __cachectl_add_completions -W '1s'$'\n''5s'$'\n''30s'$'\n''1m'
        return
        ;;
    esac
}

_cachectl_delete() {
    repeating_flags=()
    non_repeating_flags=(--insecure --quiet -q --verbose -v --no-color --version -h --help)
    repeating_options=()
    non_repeating_options=(--url --profile --config --user --password-file --cacert --cacertdir --cert --key --sni --format --timeout --key-prefix --tag-prefix --stats-key --layout --namespace --cache-version --wait-replicas --wait-timeout)
    __cachectl_offer_flags_options -1

    # Offer option value completions
    case "${prev}" in
    '--url')
        return
        ;;
    '--profile')
        return
        ;;
    '--config')
        return
        ;;
    '--user')
        return
        ;;
    '--password-file')
        return
        ;;
    '--cacert')
        return
        ;;
    '--cacertdir')
        return
        ;;
    '--cert')
        return
        ;;
    '--key')
        return
        ;;
    '--sni')
        return
        ;;
    '--format')
        __cachectl_add_completions -W 'table'$'\n''json'$'\n''jsonl'$'\n''prometheus'
        return
        ;;
    '--timeout')
        return
        ;;
    '--key-prefix')
        return
        ;;
    '--tag-prefix')
        return
        ;;
    '--stats-key')
        return
        ;;
    '--layout')
        return
        ;;
    '--namespace')
        return
        ;;
    '--cache-version')
        return
        ;;
    '--wait-replicas')
        return
        ;;
    '--wait-timeout')
        __cachectl_add_completions -W '1s'$'\n''5s'$'\n''30s'$'\n''1m'
        return
        ;;
    esac
}

_cachectl_ping() {
    repeating_flags=()
    non_repeating_flags=(--insecure --quiet -q --verbose -v --no-color --version -h --help)
    repeating_options=()
    non_repeating_options=(--url --profile --config --user --password-file --cacert --cacertdir --cert --key --sni --format --timeout --key-prefix --tag-prefix --stats-key --layout --namespace --cache-version)
    __cachectl_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--url')
        return
        ;;
    '--profile')
        return
        ;;
    '--config')
        return
        ;;
    '--user')
        return
        ;;
    '--password-file')
        return
        ;;
    '--cacert')
        return
        ;;
    '--cacertdir')
        return
        ;;
    '--cert')
        return
        ;;
    '--key')
        return
        ;;
    '--sni')
        return
        ;;
    '--format')
        __cachectl_add_completions -W 'table'$'\n''json'$'\n''jsonl'$'\n''prometheus'
        return
        ;;
    '--timeout')
        return
        ;;
    '--key-prefix')
        return
        ;;
    '--tag-prefix')
        return
        ;;
    '--stats-key')
        return
        ;;
    '--layout')
        return
        ;;
    '--namespace')
        return
        ;;
    '--cache-version')
        return
        ;;
    esac
}

_cachectl_stats() {
    repeating_flags=()
    non_repeating_flags=(--insecure --quiet -q --verbose -v --no-color --reset --server --yes --per-node --version -h --help)
    repeating_options=(--assert)
    non_repeating_options=(--url --profile --config --user --password-file --cacert --cacertdir --cert --key --sni --format --timeout --key-prefix --tag-prefix --stats-key --layout --namespace --cache-version --window --watch --count)
    __cachectl_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--url')
        return
        ;;
    '--profile')
        return
        ;;
    '--config')
        return
        ;;
    '--user')
        return
        ;;
    '--password-file')
        return
        ;;
    '--cacert')
        return
        ;;
    '--cacertdir')
        return
        ;;
    '--cert')
        return
        ;;
    '--key')
        return
        ;;
    '--sni')
        return
        ;;
    '--format')
        __cachectl_add_completions -W 'table'$'\n''json'$'\n''jsonl'$'\n''prometheus'
        return
        ;;
    '--timeout')
        return
        ;;
    '--key-prefix')
        return
        ;;
    '--tag-prefix')
        return
        ;;
    '--stats-key')
        return
        ;;
    '--layout')
        return
        ;;
    '--namespace')
        return
        ;;
    '--cache-version')
        return
        ;;
    '--window')
        __cachectl_add_completions -W '1s'$'\n''5s'$'\n''30s'$'\n''1m'
        return
        ;;
    '--assert')
        return
        ;;
    '--watch')
        __cachectl_add_completions -W '1s'$'\n''5s'$'\n''30s'$'\n''1m'
        return
        ;;
    '--count')
        return
        ;;
    esac
}

_cachectl_invalidate-tag() {
    repeating_flags=()
    non_repeating_flags=(--insecure --quiet -q --verbose -v --no-color --dry-run --version -h --help)
    repeating_options=()
    non_repeating_options=(--url --profile --config --user --password-file --cacert --cacertdir --cert --key --sni --format --timeout --key-prefix --tag-prefix --stats-key --layout --namespace --cache-version --limit)
    __cachectl_offer_flags_options -1

    # Offer option value completions
    case "${prev}" in
    '--url')
        return
        ;;
    '--profile')
        return
        ;;
    '--config')
        return
        ;;
    '--user')
        return
        ;;
    '--password-file')
        return
        ;;
    '--cacert')
        return
        ;;
    '--cacertdir')
        return
        ;;
    '--cert')
        return
        ;;
    '--key')
        return
        ;;
    '--sni')
        return
        ;;
    '--format')
        __cachectl_add_completions -W 'table'$'\n''json'$'\n''jsonl'$'\n''prometheus'
        return
        ;;
    '--timeout')
        return
        ;;
    '--key-prefix')
        return
        ;;
    '--tag-prefix')
        return
        ;;
    '--stats-key')
        return
        ;;
    '--layout')
        return
        ;;
    '--namespace')
        return
        ;;
    '--cache-version')
        return
        ;;
    '--limit')
        return
        ;;
    esac
}

_cachectl_tags() {
    repeating_flags=()
    non_repeating_flags=(--insecure --quiet -q --verbose -v --no-color --orphans --version -h --help)
    repeating_options=()
    non_repeating_options=(--url --profile --config --user --password-file --cacert --cacertdir --cert --key --sni --format --timeout --key-prefix --tag-prefix --stats-key --layout --namespace --cache-version --pattern)
    __cachectl_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--url')
        return
        ;;
    '--profile')
        return
        ;;
    '--config')
        return
        ;;
    '--user')
        return
        ;;
    '--password-file')
        return
        ;;
    '--cacert')
        return
        ;;
    '--cacertdir')
        return
        ;;
    '--cert')
        return
        ;;
    '--key')
        return
        ;;
    '--sni')
        return
        ;;
    '--format')
        __cachectl_add_completions -W 'table'$'\n''json'$'\n''jsonl'$'\n''prometheus'
        return
        ;;
    '--timeout')
        return
        ;;
    '--key-prefix')
        return
        ;;
    '--tag-prefix')
        return
        ;;
    '--stats-key')
        return
        ;;
    '--layout')
        return
        ;;
    '--namespace')
        return
        ;;
    '--cache-version')
        return
        ;;
    '--pattern')
        return
        ;;
    esac

    # Offer subcommand / subcommand argument completions
    local -r subcommand="${unparsed_words[0]}"
    unset 'unparsed_words[0]'
    unparsed_words=("${unparsed_words[@]}")
    case "${subcommand}" in
    prune)
        # Offer subcommand argument completions
        "_cachectl_tags_${subcommand}"
        ;;
    *)
        # Offer subcommand completions
        COMPREPLY+=($(compgen -W 'prune' -- "${cur}"))
        ;;
    esac
}

_cachectl_tags_prune() {
    repeating_flags=()
    non_repeating_flags=(--insecure --quiet -q --verbose -v --no-color --dry-run --version -h --help)
    repeating_options=()
    non_repeating_options=(--url --profile --config --user --password-file --cacert --cacertdir --cert --key --sni --format --timeout --key-prefix --tag-prefix --stats-key --layout --namespace --cache-version --pattern)
    __cachectl_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--url')
        return
        ;;
    '--profile')
        return
        ;;
    '--config')
        return
        ;;
    '--user')
        return
        ;;
    '--password-file')
        return
        ;;
    '--cacert')
        return
        ;;
    '--cacertdir')
        return
        ;;
    '--cert')
        return
        ;;
    '--key')
        return
        ;;
    '--sni')
        return
        ;;
    '--format')
        __cachectl_add_completions -W 'table'$'\n''json'$'\n''jsonl'$'\n''prometheus'
        return
        ;;
    '--timeout')
        return
        ;;
    '--key-prefix')
        return
        ;;
    '--tag-prefix')
        return
        ;;
    '--stats-key')
        return
        ;;
    '--layout')
        return
        ;;
    '--namespace')
        return
        ;;
    '--cache-version')
        return
        ;;
    '--pattern')
        return
        ;;
    esac
}

_cachectl_flush() {
    repeating_flags=()
    non_repeating_flags=(--insecure --quiet -q --verbose -v --no-color --all -y --yes --dry-run --version -h --help)
    repeating_options=()
    non_repeating_options=(--url --profile --config --user --password-file --cacert --cacertdir --cert --key --sni --format --timeout --key-prefix --tag-prefix --stats-key --layout --namespace --cache-version --pattern --prefix --limit)
    __cachectl_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--url')
        return
        ;;
    '--profile')
        return
        ;;
    '--config')
        return
        ;;
    '--user')
        return
        ;;
    '--password-file')
        return
        ;;
    '--cacert')
        return
        ;;
    '--cacertdir')
        return
        ;;
    '--cert')
        return
        ;;
    '--key')
        return
        ;;
    '--sni')
        return
        ;;
    '--format')
        __cachectl_add_completions -W 'table'$'\n''json'$'\n''jsonl'$'\n''prometheus'
        return
        ;;
    '--timeout')
        return
        ;;
    '--key-prefix')
        return
        ;;
    '--tag-prefix')
        return
        ;;
    '--stats-key')
        return
        ;;
    '--layout')
        return
        ;;
    '--namespace')
        return
        ;;
    '--cache-version')
        return
        ;;
    '--pattern')
        return
        ;;
    '--prefix')
        return
        ;;
    '--limit')
        return
        ;;
    esac
}

_cachectl_migrate() {
    repeating_flags=()
    non_repeating_flags=(--insecure --quiet -q --verbose -v --no-color --dry-run --verify --drop-tags --parse-json --strings-only --version -h --help)
    repeating_options=()
    non_repeating_options=(--url --profile --config --user --password-file --cacert --cacertdir --cert --key --sni --format --timeout --key-prefix --tag-prefix --stats-key --layout --namespace --cache-version --from --to --pattern --on-conflict --to-layout --to-namespace --to-cache-version --wait-replicas --wait-timeout)
    __cachectl_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--url')
        return
        ;;
    '--profile')
        return
        ;;
    '--config')
        return
        ;;
    '--user')
        return
        ;;
    '--password-file')
        return
        ;;
    '--cacert')
        return
        ;;
    '--cacertdir')
        return
        ;;
    '--cert')
        return
        ;;
    '--key')
        return
        ;;
    '--sni')
        return
        ;;
    '--format')
        __cachectl_add_completions -W 'table'$'\n''json'$'\n''jsonl'$'\n''prometheus'
        return
        ;;
    '--timeout')
        return
        ;;
    '--key-prefix')
        return
        ;;
    '--tag-prefix')
        return
        ;;
    '--stats-key')
        return
        ;;
    '--layout')
        return
        ;;
    '--namespace')
        return
        ;;
    '--cache-version')
        return
        ;;
    '--from')
        return
        ;;
    '--to')
        return
        ;;
    '--pattern')
        return
        ;;
    '--on-conflict')
        return
        ;;
    '--to-layout')
        return
        ;;
    '--to-namespace')
        return
        ;;
    '--to-cache-version')
        return
        ;;
    '--wait-replicas')
        return
        ;;
    '--wait-timeout')
        __cachectl_add_completions -W '1s'$'\n''5s'$'\n''30s'$'\n''1m'
        return
        ;;
    esac
}

_cachectl_warmup() {
    repeating_flags=()
    non_repeating_flags=(--insecure --quiet -q --verbose -v --no-color --only-missing --skip-invalid --wait --version -h --help)
    repeating_options=(--tag)
    non_repeating_options=(--url --profile --config --user --password-file --cacert --cacertdir --cert --key --sni --format --timeout --key-prefix --tag-prefix --stats-key --layout --namespace --cache-version --from --input-format --command --url-template --source-cacert --keys --concurrency --batch --ttl --lock-file --max-duration --wait-replicas --wait-timeout)
    __cachectl_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--url')
        return
        ;;
    '--profile')
        return
        ;;
    '--config')
        return
        ;;
    '--user')
        return
        ;;
    '--password-file')
        return
        ;;
    '--cacert')
        return
        ;;
    '--cacertdir')
        return
        ;;
    '--cert')
        return
        ;;
    '--key')
        return
        ;;
    '--sni')
        return
        ;;
    '--format')
        __cachectl_add_completions -W 'table'$'\n''json'$'\n''jsonl'$'\n''prometheus'
        return
        ;;
    '--timeout')
        return
        ;;
    '--key-prefix')
        return
        ;;
    '--tag-prefix')
        return
        ;;
    '--stats-key')
        return
        ;;
    '--layout')
        return
        ;;
    '--namespace')
        return
        ;;
    '--cache-version')
        return
        ;;
    '--from')
        return
        ;;
    '--input-format')
        __cachectl_add_completions -W 'jsonl'$'\n''csv'
        return
        ;;
    '--command')
        return
        ;;
    '--url-template')
        return
        ;;
    '--source-cacert')
        return
        ;;
    '--keys')
        return
        ;;
    '--concurrency')
        return
        ;;
    '--batch')
        return
        ;;
    '--ttl')
        __cachectl_add_completions -W '60'$'\n''5m'$'\n''1h'$'\n''1d'$'\n''none'
        return
        ;;
    '--tag')
        return
        ;;
    '--lock-file')
        return
        ;;
    '--max-duration')
        __cachectl_add_completions -W '1s'$'\n''5s'$'\n''30s'$'\n''1m'
        return
        ;;
    '--wait-replicas')
        return
        ;;
    '--wait-timeout')
        __cachectl_add_completions -W '1s'$'\n''5s'$'\n''30s'$'\n''1m'
        return
        ;;
    esac
}

_cachectl_check() {
    repeating_flags=()
    non_repeating_flags=(--insecure --quiet -q --verbose -v --no-color --version -h --help)
    repeating_options=()
    non_repeating_options=(--url --profile --config --user --password-file --cacert --cacertdir --cert --key --sni --format --timeout --key-prefix --tag-prefix --stats-key --layout --namespace --cache-version --pattern)
    __cachectl_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--url')
        return
        ;;
    '--profile')
        return
        ;;
    '--config')
        return
        ;;
    '--user')
        return
        ;;
    '--password-file')
        return
        ;;
    '--cacert')
        return
        ;;
    '--cacertdir')
        return
        ;;
    '--cert')
        return
        ;;
    '--key')
        return
        ;;
    '--sni')
        return
        ;;
    '--format')
        __cachectl_add_completions -W 'table'$'\n''json'$'\n''jsonl'$'\n''prometheus'
        return
        ;;
    '--timeout')
        return
        ;;
    '--key-prefix')
        return
        ;;
    '--tag-prefix')
        return
        ;;
    '--stats-key')
        return
        ;;
    '--layout')
        return
        ;;
    '--namespace')
        return
        ;;
    '--cache-version')
        return
        ;;
    '--pattern')
        return
        ;;
    esac
}

_cachectl_profiles() {
    repeating_flags=()
    non_repeating_flags=(--insecure --quiet -q --verbose -v --no-color --version -h --help)
    repeating_options=()
    non_repeating_options=(--url --profile --config --user --password-file --cacert --cacertdir --cert --key --sni --format --timeout --key-prefix --tag-prefix --stats-key --layout --namespace --cache-version)
    __cachectl_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--url')
        return
        ;;
    '--profile')
        return
        ;;
    '--config')
        return
        ;;
    '--user')
        return
        ;;
    '--password-file')
        return
        ;;
    '--cacert')
        return
        ;;
    '--cacertdir')
        return
        ;;
    '--cert')
        return
        ;;
    '--key')
        return
        ;;
    '--sni')
        return
        ;;
    '--format')
        __cachectl_add_completions -W 'table'$'\n''json'$'\n''jsonl'$'\n''prometheus'
        return
        ;;
    '--timeout')
        return
        ;;
    '--key-prefix')
        return
        ;;
    '--tag-prefix')
        return
        ;;
    '--stats-key')
        return
        ;;
    '--layout')
        return
        ;;
    '--namespace')
        return
        ;;
    '--cache-version')
        return
        ;;
    esac
}

_cachectl_keys() {
    repeating_flags=()
    non_repeating_flags=(--insecure --quiet -q --verbose -v --no-color --no-ttl --version -h --help)
    repeating_options=()
    non_repeating_options=(--url --profile --config --user --password-file --cacert --cacertdir --cert --key --sni --format --timeout --key-prefix --tag-prefix --stats-key --layout --namespace --cache-version --pattern --prefix --type --min-size --sort --limit)
    __cachectl_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--url')
        return
        ;;
    '--profile')
        return
        ;;
    '--config')
        return
        ;;
    '--user')
        return
        ;;
    '--password-file')
        return
        ;;
    '--cacert')
        return
        ;;
    '--cacertdir')
        return
        ;;
    '--cert')
        return
        ;;
    '--key')
        return
        ;;
    '--sni')
        return
        ;;
    '--format')
        __cachectl_add_completions -W 'table'$'\n''json'$'\n''jsonl'$'\n''prometheus'
        return
        ;;
    '--timeout')
        return
        ;;
    '--key-prefix')
        return
        ;;
    '--tag-prefix')
        return
        ;;
    '--stats-key')
        return
        ;;
    '--layout')
        return
        ;;
    '--namespace')
        return
        ;;
    '--cache-version')
        return
        ;;
    '--pattern')
        return
        ;;
    '--prefix')
        return
        ;;
    '--type')
        return
        ;;
    '--min-size')
        return
        ;;
    '--sort')
        __cachectl_add_completions -W 'key'$'\n''size'$'\n''ttl'
        return
        ;;
    '--limit')
        return
        ;;
    esac
}

_cachectl_usage() {
    repeating_flags=()
    non_repeating_flags=(--insecure --quiet -q --verbose -v --no-color --exact --version -h --help)
    repeating_options=(--assert)
    non_repeating_options=(--url --profile --config --user --password-file --cacert --cacertdir --cert --key --sni --format --timeout --key-prefix --tag-prefix --stats-key --layout --namespace --cache-version --by --depth --separator --sample --top)
    __cachectl_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--url')
        return
        ;;
    '--profile')
        return
        ;;
    '--config')
        return
        ;;
    '--user')
        return
        ;;
    '--password-file')
        return
        ;;
    '--cacert')
        return
        ;;
    '--cacertdir')
        return
        ;;
    '--cert')
        return
        ;;
    '--key')
        return
        ;;
    '--sni')
        return
        ;;
    '--format')
        __cachectl_add_completions -W 'table'$'\n''json'$'\n''jsonl'$'\n''prometheus'
        return
        ;;
    '--timeout')
        return
        ;;
    '--key-prefix')
        return
        ;;
    '--tag-prefix')
        return
        ;;
    '--stats-key')
        return
        ;;
    '--layout')
        return
        ;;
    '--namespace')
        return
        ;;
    '--cache-version')
        return
        ;;
    '--by')
        __cachectl_add_completions -W 'prefix'$'\n''tag'$'\n''type'
        return
        ;;
    '--depth')
        return
        ;;
    '--separator')
        return
        ;;
    '--sample')
        return
        ;;
    '--top')
        return
        ;;
    '--assert')
        return
        ;;
    esac
}

_cachectl_help() {
    repeating_flags=()
    non_repeating_flags=(--version)
    repeating_options=()
    non_repeating_options=()
    __cachectl_offer_flags_options -1
}

complete -o filenames -F _cachectl cachectl
