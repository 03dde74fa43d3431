function __cachectl_should_offer_completions_for_flags_or_options -a expected_commands
    set -l non_repeating_flags_or_options $argv[2..]
    set -l non_repeating_flags_or_options_absent 0
    set -l positional_index 0
    set -l commands
    __cachectl_parse_tokens
    test "$commands" = "$expected_commands"; and return $non_repeating_flags_or_options_absent
end

function __cachectl_should_offer_completions_for_positional -a expected_commands positional_index_comparison expected_positional_index
    set -l non_repeating_flags_or_options
    set -l non_repeating_flags_or_options_absent 0
    set -l positional_index 0
    set -l commands
    __cachectl_parse_tokens
    test "$commands" = "$expected_commands" -a \( "$positional_index" "$positional_index_comparison" "$expected_positional_index" \)
end

function __cachectl_parse_tokens -S
    set -l unparsed_tokens (__cachectl_tokens -pc)
    switch $unparsed_tokens[1]
    case 'cachectl'
        __cachectl_parse_subcommand 0 'version' 'h/help'
        switch $unparsed_tokens[1]
        case 'get'
            __cachectl_parse_subcommand -r 1 'url=' 'password-file=' 'format=' 'timeout=' 'q/quiet' 'v/verbose' 'no-color' 'key-prefix=' 'tag-prefix=' 'stats-key=' 'raw' 'version' 'h/help'
        case 'set'
            __cachectl_parse_subcommand 2 'url=' 'password-file=' 'format=' 'timeout=' 'q/quiet' 'v/verbose' 'no-color' 'key-prefix=' 'tag-prefix=' 'stats-key=' 'file=' 'ttl=' 'tag=+' 'if-absent' 'force' 'version' 'h/help'
        case 'delete'
            __cachectl_parse_subcommand -r 1 'url=' 'password-file=' 'format=' 'timeout=' 'q/quiet' 'v/verbose' 'no-color' 'key-prefix=' 'tag-prefix=' 'stats-key=' 'version' 'h/help'
        case 'ping'
            __cachectl_parse_subcommand 0 'url=' 'password-file=' 'format=' 'timeout=' 'q/quiet' 'v/verbose' 'no-color' 'key-prefix=' 'tag-prefix=' 'stats-key=' 'version' 'h/help'
        case 'stats'
            __cachectl_parse_subcommand 0 'url=' 'password-file=' 'format=' 'timeout=' 'q/quiet' 'v/verbose' 'no-color' 'key-prefix=' 'tag-prefix=' 'stats-key=' 'window=' 'assert=+' 'reset' 'server' 'yes' 'watch=' 'count=' 'version' 'h/help'
        case 'invalidate-tag'
            __cachectl_parse_subcommand -r 1 'url=' 'password-file=' 'format=' 'timeout=' 'q/quiet' 'v/verbose' 'no-color' 'key-prefix=' 'tag-prefix=' 'stats-key=' 'dry-run' 'limit=' 'version' 'h/help'
        case 'tags'
            __cachectl_parse_subcommand 0 'url=' 'password-file=' 'format=' 'timeout=' 'q/quiet' 'v/verbose' 'no-color' 'key-prefix=' 'tag-prefix=' 'stats-key=' 'pattern=' 'orphans' 'version' 'h/help'
            switch $unparsed_tokens[1]
            case 'prune'
                __cachectl_parse_subcommand 0 'url=' 'password-file=' 'format=' 'timeout=' 'q/quiet' 'v/verbose' 'no-color' 'key-prefix=' 'tag-prefix=' 'stats-key=' 'pattern=' 'dry-run' 'version' 'h/help'
            end
        case 'flush'
            __cachectl_parse_subcommand 0 'url=' 'password-file=' 'format=' 'timeout=' 'q/quiet' 'v/verbose' 'no-color' 'key-prefix=' 'tag-prefix=' 'stats-key=' 'pattern=' 'prefix=' 'all' 'y/yes' 'dry-run' 'limit=' 'version' 'h/help'
        case 'migrate'
            __cachectl_parse_subcommand 0 'url=' 'password-file=' 'format=' 'timeout=' 'q/quiet' 'v/verbose' 'no-color' 'key-prefix=' 'tag-prefix=' 'stats-key=' 'from=' 'to=' 'pattern=' 'on-conflict=' 'dry-run' 'verify' 'strings-only' 'version' 'h/help'
        case 'warmup'
            __cachectl_parse_subcommand 0 'url=' 'password-file=' 'format=' 'timeout=' 'q/quiet' 'v/verbose' 'no-color' 'key-prefix=' 'tag-prefix=' 'stats-key=' 'from=' 'input-format=' 'command=' 'url-template=' 'keys=' 'concurrency=' 'batch=' 'ttl=' 'tag=+' 'only-missing' 'skip-invalid' 'lock-file=' 'wait' 'max-duration=' 'version' 'h/help'
        case 'check'
            __cachectl_parse_subcommand 0 'url=' 'password-file=' 'format=' 'timeout=' 'q/quiet' 'v/verbose' 'no-color' 'key-prefix=' 'tag-prefix=' 'stats-key=' 'pattern=' 'version' 'h/help'
        case 'help'
            __cachectl_parse_subcommand -r 1 'version'
        end
    end
end

function __cachectl_tokens
    if test (string split -m 1 -f 1 -- . "$FISH_VERSION") -gt 3
        commandline --tokens-raw $argv
    else
        commandline -o $argv
    end
end

function __cachectl_parse_subcommand -S -a positional_count
    argparse -s r -- $argv
    set -l option_specs $argv[2..]
    set -l is_repeating_positional $_flag_r
    set -el _flag_r
    set -a commands $unparsed_tokens[1]
    set positional_index 0
    while true
        set -e unparsed_tokens[1]
        argparse -sn "$commands" $option_specs -- $unparsed_tokens 2> /dev/null
        set unparsed_tokens $argv
        set positional_index (math $positional_index + 1)
        for non_repeating_flag_or_option in $non_repeating_flags_or_options
            if set -ql "_flag_$(string replace -a - _ -- $non_repeating_flag_or_option)"
                set non_repeating_flags_or_options_absent 1
                break
            end
        end
        test (count $unparsed_tokens) -eq 0 -o \( -z "$is_repeating_positional" -a "$positional_index" -gt "$positional_count" \) && break
    end
end

function __cachectl_complete_directories
    set -l token (commandline -t)
    string match -- '*/' $token
    set -l subdirs $token*/
    printf %s\n $subdirs
end

function __cachectl_custom_completion
    set -x SAP_SHELL fish
    set -x SAP_SHELL_VERSION $FISH_VERSION
    set -l tokens (__cachectl_tokens -p)
    if test -z "$(__cachectl_tokens -t)"
        set -l index (count (__cachectl_tokens -pc))
        set tokens $tokens[..$index] \'\' $tokens[(math $index + 1)..]
    end
    command $tokens[1] $argv $tokens
end

complete -c 'cachectl' -f
complete -c 'cachectl' -n '__cachectl_should_offer_completions_for_flags_or_options "cachectl" version' -l 'version' -d 'Show the version.'
complete -c 'cachectl' -n '__cachectl_should_offer_completions_for_flags_or_options "cachectl" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'cachectl' -n '__cachectl_should_offer_completions_for_positional "cachectl" -eq 1' -fa 'get' -d 'Show entries: value, remaining TTL, tags (where the backend knows them) and size.'
complete -c 'cachectl' -n '__cachectl_should_offer_completions_for_positional "cachectl" -eq 1' -fa 'set' -d 'Write an entry: value, TTL and tag memberships in one atomic step.'
complete -c 'cachectl' -n '__cachectl_should_offer_completions_for_positional "cachectl" -eq 1' -fa 'delete' -d 'Delete entries (and, in the snapshot file, their tag memberships).'
complete -c 'cachectl' -n '__cachectl_should_offer_completions_for_positional "cachectl" -eq 1' -fa 'ping' -d 'Check the backend: connect, time one round trip, show server version and role.'
complete -c 'cachectl' -n '__cachectl_should_offer_completions_for_positional "cachectl" -eq 1' -fa 'stats' -d 'Show hit rate, counters, entries, tags, memory and latency, labelled by source.'
complete -c 'cachectl' -n '__cachectl_should_offer_completions_for_positional "cachectl" -eq 1' -fa 'invalidate-tag' -d 'Delete every entry of each tag, and the tag\'s index.'
complete -c 'cachectl' -n '__cachectl_should_offer_completions_for_positional "cachectl" -eq 1' -fa 'tags' -d 'List tags with their member counts; `tags prune` removes stale members.'
complete -c 'cachectl' -n '__cachectl_should_offer_completions_for_positional "cachectl" -eq 1' -fa 'flush' -d 'Delete the entries in a scope: --pattern GLOB, --prefix P or --all.'
complete -c 'cachectl' -n '__cachectl_should_offer_completions_for_positional "cachectl" -eq 1' -fa 'migrate' -d 'Copy entries between two endpoints, keeping values byte for byte, TTLs and tags.'
complete -c 'cachectl' -n '__cachectl_should_offer_completions_for_positional "cachectl" -eq 1' -fa 'warmup' -d 'Fill the cache from a manifest, a generator or an HTTP API, fast and safely.'
complete -c 'cachectl' -n '__cachectl_should_offer_completions_for_positional "cachectl" -eq 1' -fa 'check' -d 'Examine the cache: the snapshot file\'s integrity and the tag index\'s health.'
complete -c 'cachectl' -n '__cachectl_should_offer_completions_for_positional "cachectl" -eq 1' -fa 'help' -d 'Show subcommand help information.'
complete -c 'cachectl' -n '__cachectl_should_offer_completions_for_flags_or_options "cachectl get" url' -l 'url' -d 'The cache: redis://[user[:password]@]host[:port][/db], unix:///path.sock, file:PATH, dummy:.' -rfka ''
complete -c 'cachectl' -n '__cachectl_should_offer_completions_for_flags_or_options "cachectl get" password-file' -l 'password-file' -d 'Read the Redis password from the first line of this file, without its \\n or \\r\\n (keeps it off the command line).' -rfka ''
complete -c 'cachectl' -n '__cachectl_should_offer_completions_for_flags_or_options "cachectl get" format' -l 'format' -d 'Output format: table, json, jsonl or prometheus (where the command supports it).' -rfka 'table json jsonl prometheus'
complete -c 'cachectl' -n '__cachectl_should_offer_completions_for_flags_or_options "cachectl get" timeout' -l 'timeout' -d 'Seconds to wait for a connection or a reply (at most 86400).' -rfka ''
complete -c 'cachectl' -n '__cachectl_should_offer_completions_for_flags_or_options "cachectl get" q quiet' -l 'quiet' -s 'q' -d 'Print nothing but results and errors (no progress, no summaries on stderr).'
complete -c 'cachectl' -n '__cachectl_should_offer_completions_for_flags_or_options "cachectl get" v verbose' -l 'verbose' -s 'v' -d 'Explain on stderr which backend is used and why.'
complete -c 'cachectl' -n '__cachectl_should_offer_completions_for_flags_or_options "cachectl get" no-color' -l 'no-color' -d 'Never color the output (NO_COLOR does the same).'
complete -c 'cachectl' -n '__cachectl_should_offer_completions_for_flags_or_options "cachectl get" key-prefix' -l 'key-prefix' -d 'Prefix of every entry key in the store, e.g. rag_materials:.' -rfka ''
complete -c 'cachectl' -n '__cachectl_should_offer_completions_for_flags_or_options "cachectl get" tag-prefix' -l 'tag-prefix' -d 'Prefix of tag index sets.' -rfka ''
complete -c 'cachectl' -n '__cachectl_should_offer_completions_for_flags_or_options "cachectl get" stats-key' -l 'stats-key' -d 'The hash holding the app counters.' -rfka ''
complete -c 'cachectl' -n '__cachectl_should_offer_completions_for_flags_or_options "cachectl get" raw' -l 'raw' -d 'Print only the value bytes, unchanged (one key per line when several).'
complete -c 'cachectl' -n '__cachectl_should_offer_completions_for_flags_or_options "cachectl get" version' -l 'version' -d 'Show the version.'
complete -c 'cachectl' -n '__cachectl_should_offer_completions_for_flags_or_options "cachectl get" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'cachectl' -n '__cachectl_should_offer_completions_for_flags_or_options "cachectl set" url' -l 'url' -d 'The cache: redis://[user[:password]@]host[:port][/db], unix:///path.sock, file:PATH, dummy:.' -rfka ''
complete -c 'cachectl' -n '__cachectl_should_offer_completions_for_flags_or_options "cachectl set" password-file' -l 'password-file' -d 'Read the Redis password from the first line of this file, without its \\n or \\r\\n (keeps it off the command line).' -rfka ''
complete -c 'cachectl' -n '__cachectl_should_offer_completions_for_flags_or_options "cachectl set" format' -l 'format' -d 'Output format: table, json, jsonl or prometheus (where the command supports it).' -rfka 'table json jsonl prometheus'
complete -c 'cachectl' -n '__cachectl_should_offer_completions_for_flags_or_options "cachectl set" timeout' -l 'timeout' -d 'Seconds to wait for a connection or a reply (at most 86400).' -rfka ''
complete -c 'cachectl' -n '__cachectl_should_offer_completions_for_flags_or_options "cachectl set" q quiet' -l 'quiet' -s 'q' -d 'Print nothing but results and errors (no progress, no summaries on stderr).'
complete -c 'cachectl' -n '__cachectl_should_offer_completions_for_flags_or_options "cachectl set" v verbose' -l 'verbose' -s 'v' -d 'Explain on stderr which backend is used and why.'
complete -c 'cachectl' -n '__cachectl_should_offer_completions_for_flags_or_options "cachectl set" no-color' -l 'no-color' -d 'Never color the output (NO_COLOR does the same).'
complete -c 'cachectl' -n '__cachectl_should_offer_completions_for_flags_or_options "cachectl set" key-prefix' -l 'key-prefix' -d 'Prefix of every entry key in the store, e.g. rag_materials:.' -rfka ''
complete -c 'cachectl' -n '__cachectl_should_offer_completions_for_flags_or_options "cachectl set" tag-prefix' -l 'tag-prefix' -d 'Prefix of tag index sets.' -rfka ''
complete -c 'cachectl' -n '__cachectl_should_offer_completions_for_flags_or_options "cachectl set" stats-key' -l 'stats-key' -d 'The hash holding the app counters.' -rfka ''
complete -c 'cachectl' -n '__cachectl_should_offer_completions_for_flags_or_options "cachectl set" file' -l 'file' -d 'Read the value from this file ("-" for standard input).' -rfka ''
complete -c 'cachectl' -n '__cachectl_should_offer_completions_for_flags_or_options "cachectl set" ttl' -l 'ttl' -d 'Lifetime: seconds, 30s, 5m, 1h, 1d or none.' -rfka '60 5m 1h 1d none'
complete -c 'cachectl' -n '__cachectl_should_offer_completions_for_flags_or_options "cachectl set"' -l 'tag' -d 'Add the entry to this tag (repeatable).' -rfka ''
complete -c 'cachectl' -n '__cachectl_should_offer_completions_for_flags_or_options "cachectl set" if-absent' -l 'if-absent' -d 'Write only when the key does not exist yet.'
complete -c 'cachectl' -n '__cachectl_should_offer_completions_for_flags_or_options "cachectl set" force' -l 'force' -d 'Replace a key that holds another type (a Redis hash, list, set...) with the string.'
complete -c 'cachectl' -n '__cachectl_should_offer_completions_for_flags_or_options "cachectl set" version' -l 'version' -d 'Show the version.'
complete -c 'cachectl' -n '__cachectl_should_offer_completions_for_flags_or_options "cachectl set" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'cachectl' -n '__cachectl_should_offer_completions_for_flags_or_options "cachectl delete" url' -l 'url' -d 'The cache: redis://[user[:password]@]host[:port][/db], unix:///path.sock, file:PATH, dummy:.' -rfka ''
complete -c 'cachectl' -n '__cachectl_should_offer_completions_for_flags_or_options "cachectl delete" password-file' -l 'password-file' -d 'Read the Redis password from the first line of this file, without its \\n or \\r\\n (keeps it off the command line).' -rfka ''
complete -c 'cachectl' -n '__cachectl_should_offer_completions_for_flags_or_options "cachectl delete" format' -l 'format' -d 'Output format: table, json, jsonl or prometheus (where the command supports it).' -rfka 'table json jsonl prometheus'
complete -c 'cachectl' -n '__cachectl_should_offer_completions_for_flags_or_options "cachectl delete" timeout' -l 'timeout' -d 'Seconds to wait for a connection or a reply (at most 86400).' -rfka ''
complete -c 'cachectl' -n '__cachectl_should_offer_completions_for_flags_or_options "cachectl delete" q quiet' -l 'quiet' -s 'q' -d 'Print nothing but results and errors (no progress, no summaries on stderr).'
complete -c 'cachectl' -n '__cachectl_should_offer_completions_for_flags_or_options "cachectl delete" v verbose' -l 'verbose' -s 'v' -d 'Explain on stderr which backend is used and why.'
complete -c 'cachectl' -n '__cachectl_should_offer_completions_for_flags_or_options "cachectl delete" no-color' -l 'no-color' -d 'Never color the output (NO_COLOR does the same).'
complete -c 'cachectl' -n '__cachectl_should_offer_completions_for_flags_or_options "cachectl delete" key-prefix' -l 'key-prefix' -d 'Prefix of every entry key in the store, e.g. rag_materials:.' -rfka ''
complete -c 'cachectl' -n '__cachectl_should_offer_completions_for_flags_or_options "cachectl delete" tag-prefix' -l 'tag-prefix' -d 'Prefix of tag index sets.' -rfka ''
complete -c 'cachectl' -n '__cachectl_should_offer_completions_for_flags_or_options "cachectl delete" stats-key' -l 'stats-key' -d 'The hash holding the app counters.' -rfka ''
complete -c 'cachectl' -n '__cachectl_should_offer_completions_for_flags_or_options "cachectl delete" version' -l 'version' -d 'Show the version.'
complete -c 'cachectl' -n '__cachectl_should_offer_completions_for_flags_or_options "cachectl delete" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'cachectl' -n '__cachectl_should_offer_completions_for_flags_or_options "cachectl ping" url' -l 'url' -d 'The cache: redis://[user[:password]@]host[:port][/db], unix:///path.sock, file:PATH, dummy:.' -rfka ''
complete -c 'cachectl' -n '__cachectl_should_offer_completions_for_flags_or_options "cachectl ping" password-file' -l 'password-file' -d 'Read the Redis password from the first line of this file, without its \\n or \\r\\n (keeps it off the command line).' -rfka ''
complete -c 'cachectl' -n '__cachectl_should_offer_completions_for_flags_or_options "cachectl ping" format' -l 'format' -d 'Output format: table, json, jsonl or prometheus (where the command supports it).' -rfka 'table json jsonl prometheus'
complete -c 'cachectl' -n '__cachectl_should_offer_completions_for_flags_or_options "cachectl ping" timeout' -l 'timeout' -d 'Seconds to wait for a connection or a reply (at most 86400).' -rfka ''
complete -c 'cachectl' -n '__cachectl_should_offer_completions_for_flags_or_options "cachectl ping" q quiet' -l 'quiet' -s 'q' -d 'Print nothing but results and errors (no progress, no summaries on stderr).'
complete -c 'cachectl' -n '__cachectl_should_offer_completions_for_flags_or_options "cachectl ping" v verbose' -l 'verbose' -s 'v' -d 'Explain on stderr which backend is used and why.'
complete -c 'cachectl' -n '__cachectl_should_offer_completions_for_flags_or_options "cachectl ping" no-color' -l 'no-color' -d 'Never color the output (NO_COLOR does the same).'
complete -c 'cachectl' -n '__cachectl_should_offer_completions_for_flags_or_options "cachectl ping" key-prefix' -l 'key-prefix' -d 'Prefix of every entry key in the store, e.g. rag_materials:.' -rfka ''
complete -c 'cachectl' -n '__cachectl_should_offer_completions_for_flags_or_options "cachectl ping" tag-prefix' -l 'tag-prefix' -d 'Prefix of tag index sets.' -rfka ''
complete -c 'cachectl' -n '__cachectl_should_offer_completions_for_flags_or_options "cachectl ping" stats-key' -l 'stats-key' -d 'The hash holding the app counters.' -rfka ''
complete -c 'cachectl' -n '__cachectl_should_offer_completions_for_flags_or_options "cachectl ping" version' -l 'version' -d 'Show the version.'
complete -c 'cachectl' -n '__cachectl_should_offer_completions_for_flags_or_options "cachectl ping" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'cachectl' -n '__cachectl_should_offer_completions_for_flags_or_options "cachectl stats" url' -l 'url' -d 'The cache: redis://[user[:password]@]host[:port][/db], unix:///path.sock, file:PATH, dummy:.' -rfka ''
complete -c 'cachectl' -n '__cachectl_should_offer_completions_for_flags_or_options "cachectl stats" password-file' -l 'password-file' -d 'Read the Redis password from the first line of this file, without its \\n or \\r\\n (keeps it off the command line).' -rfka ''
complete -c 'cachectl' -n '__cachectl_should_offer_completions_for_flags_or_options "cachectl stats" format' -l 'format' -d 'Output format: table, json, jsonl or prometheus (where the command supports it).' -rfka 'table json jsonl prometheus'
complete -c 'cachectl' -n '__cachectl_should_offer_completions_for_flags_or_options "cachectl stats" timeout' -l 'timeout' -d 'Seconds to wait for a connection or a reply (at most 86400).' -rfka ''
complete -c 'cachectl' -n '__cachectl_should_offer_completions_for_flags_or_options "cachectl stats" q quiet' -l 'quiet' -s 'q' -d 'Print nothing but results and errors (no progress, no summaries on stderr).'
complete -c 'cachectl' -n '__cachectl_should_offer_completions_for_flags_or_options "cachectl stats" v verbose' -l 'verbose' -s 'v' -d 'Explain on stderr which backend is used and why.'
complete -c 'cachectl' -n '__cachectl_should_offer_completions_for_flags_or_options "cachectl stats" no-color' -l 'no-color' -d 'Never color the output (NO_COLOR does the same).'
complete -c 'cachectl' -n '__cachectl_should_offer_completions_for_flags_or_options "cachectl stats" key-prefix' -l 'key-prefix' -d 'Prefix of every entry key in the store, e.g. rag_materials:.' -rfka ''
complete -c 'cachectl' -n '__cachectl_should_offer_completions_for_flags_or_options "cachectl stats" tag-prefix' -l 'tag-prefix' -d 'Prefix of tag index sets.' -rfka ''
complete -c 'cachectl' -n '__cachectl_should_offer_completions_for_flags_or_options "cachectl stats" stats-key' -l 'stats-key' -d 'The hash holding the app counters.' -rfka ''
complete -c 'cachectl' -n '__cachectl_should_offer_completions_for_flags_or_options "cachectl stats" window' -l 'window' -d 'Measure over this long (two samples, the difference), e.g. 30s.' -rfka '1s 5s 30s 1m'
complete -c 'cachectl' -n '__cachectl_should_offer_completions_for_flags_or_options "cachectl stats"' -l 'assert' -d 'Exit 1 unless FIELD OP NUMBER holds, e.g. \'hit_rate>=90\' (repeatable).' -rfka ''
complete -c 'cachectl' -n '__cachectl_should_offer_completions_for_flags_or_options "cachectl stats" reset' -l 'reset' -d 'After printing, zero the app counters.'
complete -c 'cachectl' -n '__cachectl_should_offer_completions_for_flags_or_options "cachectl stats" server' -l 'server' -d 'With --reset, also zero the server\'s statistics (CONFIG RESETSTAT).'
complete -c 'cachectl' -n '__cachectl_should_offer_completions_for_flags_or_options "cachectl stats" yes' -l 'yes' -d 'Do not ask before --reset --server (needed without a terminal).'
complete -c 'cachectl' -n '__cachectl_should_offer_completions_for_flags_or_options "cachectl stats" watch' -l 'watch' -d 'Sample every interval until interrupted, e.g. 2s.' -rfka '1s 5s 30s 1m'
complete -c 'cachectl' -n '__cachectl_should_offer_completions_for_flags_or_options "cachectl stats" count' -l 'count' -d 'With --watch, stop after this many samples.' -rfka ''
complete -c 'cachectl' -n '__cachectl_should_offer_completions_for_flags_or_options "cachectl stats" version' -l 'version' -d 'Show the version.'
complete -c 'cachectl' -n '__cachectl_should_offer_completions_for_flags_or_options "cachectl stats" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'cachectl' -n '__cachectl_should_offer_completions_for_flags_or_options "cachectl invalidate-tag" url' -l 'url' -d 'The cache: redis://[user[:password]@]host[:port][/db], unix:///path.sock, file:PATH, dummy:.' -rfka ''
complete -c 'cachectl' -n '__cachectl_should_offer_completions_for_flags_or_options "cachectl invalidate-tag" password-file' -l 'password-file' -d 'Read the Redis password from the first line of this file, without its \\n or \\r\\n (keeps it off the command line).' -rfka ''
complete -c 'cachectl' -n '__cachectl_should_offer_completions_for_flags_or_options "cachectl invalidate-tag" format' -l 'format' -d 'Output format: table, json, jsonl or prometheus (where the command supports it).' -rfka 'table json jsonl prometheus'
complete -c 'cachectl' -n '__cachectl_should_offer_completions_for_flags_or_options "cachectl invalidate-tag" timeout' -l 'timeout' -d 'Seconds to wait for a connection or a reply (at most 86400).' -rfka ''
complete -c 'cachectl' -n '__cachectl_should_offer_completions_for_flags_or_options "cachectl invalidate-tag" q quiet' -l 'quiet' -s 'q' -d 'Print nothing but results and errors (no progress, no summaries on stderr).'
complete -c 'cachectl' -n '__cachectl_should_offer_completions_for_flags_or_options "cachectl invalidate-tag" v verbose' -l 'verbose' -s 'v' -d 'Explain on stderr which backend is used and why.'
complete -c 'cachectl' -n '__cachectl_should_offer_completions_for_flags_or_options "cachectl invalidate-tag" no-color' -l 'no-color' -d 'Never color the output (NO_COLOR does the same).'
complete -c 'cachectl' -n '__cachectl_should_offer_completions_for_flags_or_options "cachectl invalidate-tag" key-prefix' -l 'key-prefix' -d 'Prefix of every entry key in the store, e.g. rag_materials:.' -rfka ''
complete -c 'cachectl' -n '__cachectl_should_offer_completions_for_flags_or_options "cachectl invalidate-tag" tag-prefix' -l 'tag-prefix' -d 'Prefix of tag index sets.' -rfka ''
complete -c 'cachectl' -n '__cachectl_should_offer_completions_for_flags_or_options "cachectl invalidate-tag" stats-key' -l 'stats-key' -d 'The hash holding the app counters.' -rfka ''
complete -c 'cachectl' -n '__cachectl_should_offer_completions_for_flags_or_options "cachectl invalidate-tag" dry-run' -l 'dry-run' -d 'Count and list what would be deleted; delete nothing.'
complete -c 'cachectl' -n '__cachectl_should_offer_completions_for_flags_or_options "cachectl invalidate-tag" limit' -l 'limit' -d 'With --dry-run, list at most this many keys per tag.' -rfka ''
complete -c 'cachectl' -n '__cachectl_should_offer_completions_for_flags_or_options "cachectl invalidate-tag" version' -l 'version' -d 'Show the version.'
complete -c 'cachectl' -n '__cachectl_should_offer_completions_for_flags_or_options "cachectl invalidate-tag" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'cachectl' -n '__cachectl_should_offer_completions_for_flags_or_options "cachectl tags" url' -l 'url' -d 'The cache: redis://[user[:password]@]host[:port][/db], unix:///path.sock, file:PATH, dummy:.' -rfka ''
complete -c 'cachectl' -n '__cachectl_should_offer_completions_for_flags_or_options "cachectl tags" password-file' -l 'password-file' -d 'Read the Redis password from the first line of this file, without its \\n or \\r\\n (keeps it off the command line).' -rfka ''
complete -c 'cachectl' -n '__cachectl_should_offer_completions_for_flags_or_options "cachectl tags" format' -l 'format' -d 'Output format: table, json, jsonl or prometheus (where the command supports it).' -rfka 'table json jsonl prometheus'
complete -c 'cachectl' -n '__cachectl_should_offer_completions_for_flags_or_options "cachectl tags" timeout' -l 'timeout' -d 'Seconds to wait for a connection or a reply (at most 86400).' -rfka ''
complete -c 'cachectl' -n '__cachectl_should_offer_completions_for_flags_or_options "cachectl tags" q quiet' -l 'quiet' -s 'q' -d 'Print nothing but results and errors (no progress, no summaries on stderr).'
complete -c 'cachectl' -n '__cachectl_should_offer_completions_for_flags_or_options "cachectl tags" v verbose' -l 'verbose' -s 'v' -d 'Explain on stderr which backend is used and why.'
complete -c 'cachectl' -n '__cachectl_should_offer_completions_for_flags_or_options "cachectl tags" no-color' -l 'no-color' -d 'Never color the output (NO_COLOR does the same).'
complete -c 'cachectl' -n '__cachectl_should_offer_completions_for_flags_or_options "cachectl tags" key-prefix' -l 'key-prefix' -d 'Prefix of every entry key in the store, e.g. rag_materials:.' -rfka ''
complete -c 'cachectl' -n '__cachectl_should_offer_completions_for_flags_or_options "cachectl tags" tag-prefix' -l 'tag-prefix' -d 'Prefix of tag index sets.' -rfka ''
complete -c 'cachectl' -n '__cachectl_should_offer_completions_for_flags_or_options "cachectl tags" stats-key' -l 'stats-key' -d 'The hash holding the app counters.' -rfka ''
complete -c 'cachectl' -n '__cachectl_should_offer_completions_for_flags_or_options "cachectl tags" pattern' -l 'pattern' -d 'Only tags whose name matches this glob (*, ?, [abc]).' -rfka ''
complete -c 'cachectl' -n '__cachectl_should_offer_completions_for_flags_or_options "cachectl tags" orphans' -l 'orphans' -d 'Also count members whose entry no longer exists.'
complete -c 'cachectl' -n '__cachectl_should_offer_completions_for_flags_or_options "cachectl tags" version' -l 'version' -d 'Show the version.'
complete -c 'cachectl' -n '__cachectl_should_offer_completions_for_flags_or_options "cachectl tags" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'cachectl' -n '__cachectl_should_offer_completions_for_positional "cachectl tags" -eq 1' -fa 'prune' -d 'Remove tag members whose entries no longer exist; finish interrupted invalidations.'
complete -c 'cachectl' -n '__cachectl_should_offer_completions_for_flags_or_options "cachectl tags prune" url' -l 'url' -d 'The cache: redis://[user[:password]@]host[:port][/db], unix:///path.sock, file:PATH, dummy:.' -rfka ''
complete -c 'cachectl' -n '__cachectl_should_offer_completions_for_flags_or_options "cachectl tags prune" password-file' -l 'password-file' -d 'Read the Redis password from the first line of this file, without its \\n or \\r\\n (keeps it off the command line).' -rfka ''
complete -c 'cachectl' -n '__cachectl_should_offer_completions_for_flags_or_options "cachectl tags prune" format' -l 'format' -d 'Output format: table, json, jsonl or prometheus (where the command supports it).' -rfka 'table json jsonl prometheus'
complete -c 'cachectl' -n '__cachectl_should_offer_completions_for_flags_or_options "cachectl tags prune" timeout' -l 'timeout' -d 'Seconds to wait for a connection or a reply (at most 86400).' -rfka ''
complete -c 'cachectl' -n '__cachectl_should_offer_completions_for_flags_or_options "cachectl tags prune" q quiet' -l 'quiet' -s 'q' -d 'Print nothing but results and errors (no progress, no summaries on stderr).'
complete -c 'cachectl' -n '__cachectl_should_offer_completions_for_flags_or_options "cachectl tags prune" v verbose' -l 'verbose' -s 'v' -d 'Explain on stderr which backend is used and why.'
complete -c 'cachectl' -n '__cachectl_should_offer_completions_for_flags_or_options "cachectl tags prune" no-color' -l 'no-color' -d 'Never color the output (NO_COLOR does the same).'
complete -c 'cachectl' -n '__cachectl_should_offer_completions_for_flags_or_options "cachectl tags prune" key-prefix' -l 'key-prefix' -d 'Prefix of every entry key in the store, e.g. rag_materials:.' -rfka ''
complete -c 'cachectl' -n '__cachectl_should_offer_completions_for_flags_or_options "cachectl tags prune" tag-prefix' -l 'tag-prefix' -d 'Prefix of tag index sets.' -rfka ''
complete -c 'cachectl' -n '__cachectl_should_offer_completions_for_flags_or_options "cachectl tags prune" stats-key' -l 'stats-key' -d 'The hash holding the app counters.' -rfka ''
complete -c 'cachectl' -n '__cachectl_should_offer_completions_for_flags_or_options "cachectl tags prune" pattern' -l 'pattern' -d 'Only tags whose name matches this glob.' -rfka ''
complete -c 'cachectl' -n '__cachectl_should_offer_completions_for_flags_or_options "cachectl tags prune" dry-run' -l 'dry-run' -d 'Count what would be removed; change nothing.'
complete -c 'cachectl' -n '__cachectl_should_offer_completions_for_flags_or_options "cachectl tags prune" version' -l 'version' -d 'Show the version.'
complete -c 'cachectl' -n '__cachectl_should_offer_completions_for_flags_or_options "cachectl tags prune" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'cachectl' -n '__cachectl_should_offer_completions_for_flags_or_options "cachectl flush" url' -l 'url' -d 'The cache: redis://[user[:password]@]host[:port][/db], unix:///path.sock, file:PATH, dummy:.' -rfka ''
complete -c 'cachectl' -n '__cachectl_should_offer_completions_for_flags_or_options "cachectl flush" password-file' -l 'password-file' -d 'Read the Redis password from the first line of this file, without its \\n or \\r\\n (keeps it off the command line).' -rfka ''
complete -c 'cachectl' -n '__cachectl_should_offer_completions_for_flags_or_options "cachectl flush" format' -l 'format' -d 'Output format: table, json, jsonl or prometheus (where the command supports it).' -rfka 'table json jsonl prometheus'
complete -c 'cachectl' -n '__cachectl_should_offer_completions_for_flags_or_options "cachectl flush" timeout' -l 'timeout' -d 'Seconds to wait for a connection or a reply (at most 86400).' -rfka ''
complete -c 'cachectl' -n '__cachectl_should_offer_completions_for_flags_or_options "cachectl flush" q quiet' -l 'quiet' -s 'q' -d 'Print nothing but results and errors (no progress, no summaries on stderr).'
complete -c 'cachectl' -n '__cachectl_should_offer_completions_for_flags_or_options "cachectl flush" v verbose' -l 'verbose' -s 'v' -d 'Explain on stderr which backend is used and why.'
complete -c 'cachectl' -n '__cachectl_should_offer_completions_for_flags_or_options "cachectl flush" no-color' -l 'no-color' -d 'Never color the output (NO_COLOR does the same).'
complete -c 'cachectl' -n '__cachectl_should_offer_completions_for_flags_or_options "cachectl flush" key-prefix' -l 'key-prefix' -d 'Prefix of every entry key in the store, e.g. rag_materials:.' -rfka ''
complete -c 'cachectl' -n '__cachectl_should_offer_completions_for_flags_or_options "cachectl flush" tag-prefix' -l 'tag-prefix' -d 'Prefix of tag index sets.' -rfka ''
complete -c 'cachectl' -n '__cachectl_should_offer_completions_for_flags_or_options "cachectl flush" stats-key' -l 'stats-key' -d 'The hash holding the app counters.' -rfka ''
complete -c 'cachectl' -n '__cachectl_should_offer_completions_for_flags_or_options "cachectl flush" pattern' -l 'pattern' -d 'Delete entries whose key matches this glob (*, ?, [abc], \\ escapes).' -rfka ''
complete -c 'cachectl' -n '__cachectl_should_offer_completions_for_flags_or_options "cachectl flush" prefix' -l 'prefix' -d 'Delete entries whose key starts with this text.' -rfka ''
complete -c 'cachectl' -n '__cachectl_should_offer_completions_for_flags_or_options "cachectl flush" all' -l 'all' -d 'Delete every entry (the whole database when no --key-prefix is set).'
complete -c 'cachectl' -n '__cachectl_should_offer_completions_for_flags_or_options "cachectl flush" y yes' -s 'y' -l 'yes' -d 'Do not ask; required when stdin or stderr is not a terminal.'
complete -c 'cachectl' -n '__cachectl_should_offer_completions_for_flags_or_options "cachectl flush" dry-run' -l 'dry-run' -d 'Count and list what would be deleted; delete nothing.'
complete -c 'cachectl' -n '__cachectl_should_offer_completions_for_flags_or_options "cachectl flush" limit' -l 'limit' -d 'With --dry-run, list at most this many keys.' -rfka ''
complete -c 'cachectl' -n '__cachectl_should_offer_completions_for_flags_or_options "cachectl flush" version' -l 'version' -d 'Show the version.'
complete -c 'cachectl' -n '__cachectl_should_offer_completions_for_flags_or_options "cachectl flush" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'cachectl' -n '__cachectl_should_offer_completions_for_flags_or_options "cachectl migrate" url' -l 'url' -d 'The cache: redis://[user[:password]@]host[:port][/db], unix:///path.sock, file:PATH, dummy:.' -rfka ''
complete -c 'cachectl' -n '__cachectl_should_offer_completions_for_flags_or_options "cachectl migrate" password-file' -l 'password-file' -d 'Read the Redis password from the first line of this file, without its \\n or \\r\\n (keeps it off the command line).' -rfka ''
complete -c 'cachectl' -n '__cachectl_should_offer_completions_for_flags_or_options "cachectl migrate" format' -l 'format' -d 'Output format: table, json, jsonl or prometheus (where the command supports it).' -rfka 'table json jsonl prometheus'
complete -c 'cachectl' -n '__cachectl_should_offer_completions_for_flags_or_options "cachectl migrate" timeout' -l 'timeout' -d 'Seconds to wait for a connection or a reply (at most 86400).' -rfka ''
complete -c 'cachectl' -n '__cachectl_should_offer_completions_for_flags_or_options "cachectl migrate" q quiet' -l 'quiet' -s 'q' -d 'Print nothing but results and errors (no progress, no summaries on stderr).'
complete -c 'cachectl' -n '__cachectl_should_offer_completions_for_flags_or_options "cachectl migrate" v verbose' -l 'verbose' -s 'v' -d 'Explain on stderr which backend is used and why.'
complete -c 'cachectl' -n '__cachectl_should_offer_completions_for_flags_or_options "cachectl migrate" no-color' -l 'no-color' -d 'Never color the output (NO_COLOR does the same).'
complete -c 'cachectl' -n '__cachectl_should_offer_completions_for_flags_or_options "cachectl migrate" key-prefix' -l 'key-prefix' -d 'Prefix of every entry key in the store, e.g. rag_materials:.' -rfka ''
complete -c 'cachectl' -n '__cachectl_should_offer_completions_for_flags_or_options "cachectl migrate" tag-prefix' -l 'tag-prefix' -d 'Prefix of tag index sets.' -rfka ''
complete -c 'cachectl' -n '__cachectl_should_offer_completions_for_flags_or_options "cachectl migrate" stats-key' -l 'stats-key' -d 'The hash holding the app counters.' -rfka ''
complete -c 'cachectl' -n '__cachectl_should_offer_completions_for_flags_or_options "cachectl migrate" from' -l 'from' -d 'Copy from this endpoint.' -rfka ''
complete -c 'cachectl' -n '__cachectl_should_offer_completions_for_flags_or_options "cachectl migrate" to' -l 'to' -d 'Copy to this endpoint.' -rfka ''
complete -c 'cachectl' -n '__cachectl_should_offer_completions_for_flags_or_options "cachectl migrate" pattern' -l 'pattern' -d 'Copy only keys matching this glob (e.g. \'article:*\').' -rfka ''
complete -c 'cachectl' -n '__cachectl_should_offer_completions_for_flags_or_options "cachectl migrate" on-conflict' -l 'on-conflict' -d 'Keys that exist at the target: fail (before writing anything), skip or replace.' -rfka ''
complete -c 'cachectl' -n '__cachectl_should_offer_completions_for_flags_or_options "cachectl migrate" dry-run' -l 'dry-run' -d 'Report what would be copied, skipped and conflicting; write nothing.'
complete -c 'cachectl' -n '__cachectl_should_offer_completions_for_flags_or_options "cachectl migrate" verify' -l 'verify' -d 'Compare source and target afterwards (presence, value, TTL, tags); exit 1 on a difference.'
complete -c 'cachectl' -n '__cachectl_should_offer_completions_for_flags_or_options "cachectl migrate" strings-only' -l 'strings-only' -d 'Copy strings only: other types are out of scope (listed, exit 0).'
complete -c 'cachectl' -n '__cachectl_should_offer_completions_for_flags_or_options "cachectl migrate" version' -l 'version' -d 'Show the version.'
complete -c 'cachectl' -n '__cachectl_should_offer_completions_for_flags_or_options "cachectl migrate" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'cachectl' -n '__cachectl_should_offer_completions_for_flags_or_options "cachectl warmup" url' -l 'url' -d 'The cache: redis://[user[:password]@]host[:port][/db], unix:///path.sock, file:PATH, dummy:.' -rfka ''
complete -c 'cachectl' -n '__cachectl_should_offer_completions_for_flags_or_options "cachectl warmup" password-file' -l 'password-file' -d 'Read the Redis password from the first line of this file, without its \\n or \\r\\n (keeps it off the command line).' -rfka ''
complete -c 'cachectl' -n '__cachectl_should_offer_completions_for_flags_or_options "cachectl warmup" format' -l 'format' -d 'Output format: table, json, jsonl or prometheus (where the command supports it).' -rfka 'table json jsonl prometheus'
complete -c 'cachectl' -n '__cachectl_should_offer_completions_for_flags_or_options "cachectl warmup" timeout' -l 'timeout' -d 'Seconds to wait for a connection or a reply (at most 86400).' -rfka ''
complete -c 'cachectl' -n '__cachectl_should_offer_completions_for_flags_or_options "cachectl warmup" q quiet' -l 'quiet' -s 'q' -d 'Print nothing but results and errors (no progress, no summaries on stderr).'
complete -c 'cachectl' -n '__cachectl_should_offer_completions_for_flags_or_options "cachectl warmup" v verbose' -l 'verbose' -s 'v' -d 'Explain on stderr which backend is used and why.'
complete -c 'cachectl' -n '__cachectl_should_offer_completions_for_flags_or_options "cachectl warmup" no-color' -l 'no-color' -d 'Never color the output (NO_COLOR does the same).'
complete -c 'cachectl' -n '__cachectl_should_offer_completions_for_flags_or_options "cachectl warmup" key-prefix' -l 'key-prefix' -d 'Prefix of every entry key in the store, e.g. rag_materials:.' -rfka ''
complete -c 'cachectl' -n '__cachectl_should_offer_completions_for_flags_or_options "cachectl warmup" tag-prefix' -l 'tag-prefix' -d 'Prefix of tag index sets.' -rfka ''
complete -c 'cachectl' -n '__cachectl_should_offer_completions_for_flags_or_options "cachectl warmup" stats-key' -l 'stats-key' -d 'The hash holding the app counters.' -rfka ''
complete -c 'cachectl' -n '__cachectl_should_offer_completions_for_flags_or_options "cachectl warmup" from' -l 'from' -d 'A manifest file, or - for standard input.' -rfka ''
complete -c 'cachectl' -n '__cachectl_should_offer_completions_for_flags_or_options "cachectl warmup" input-format' -l 'input-format' -d 'The manifest format when the extension does not tell: jsonl or csv.' -rfka 'jsonl csv'
complete -c 'cachectl' -n '__cachectl_should_offer_completions_for_flags_or_options "cachectl warmup" command' -l 'command' -d 'A generator run with /bin/sh -c whose stdout is JSON Lines.' -rfka ''
complete -c 'cachectl' -n '__cachectl_should_offer_completions_for_flags_or_options "cachectl warmup" url-template' -l 'url-template' -d 'An HTTP URL with {key}, fetched once per key of --keys.' -rfka ''
complete -c 'cachectl' -n '__cachectl_should_offer_completions_for_flags_or_options "cachectl warmup" keys' -l 'keys' -d 'The keys to fetch with --url-template, one a line.' -rfka ''
complete -c 'cachectl' -n '__cachectl_should_offer_completions_for_flags_or_options "cachectl warmup" concurrency' -l 'concurrency' -d 'HTTP requests in flight with --url-template.' -rfka ''
complete -c 'cachectl' -n '__cachectl_should_offer_completions_for_flags_or_options "cachectl warmup" batch' -l 'batch' -d 'Entries per pipelined batch.' -rfka ''
complete -c 'cachectl' -n '__cachectl_should_offer_completions_for_flags_or_options "cachectl warmup" ttl' -l 'ttl' -d 'Lifetime of entries that give none: seconds, 5m, 1h, 1d or none.' -rfka '60 5m 1h 1d none'
complete -c 'cachectl' -n '__cachectl_should_offer_completions_for_flags_or_options "cachectl warmup"' -l 'tag' -d 'Add every entry to this tag (repeatable).' -rfka ''
complete -c 'cachectl' -n '__cachectl_should_offer_completions_for_flags_or_options "cachectl warmup" only-missing' -l 'only-missing' -d 'Never overwrite an existing key.'
complete -c 'cachectl' -n '__cachectl_should_offer_completions_for_flags_or_options "cachectl warmup" skip-invalid' -l 'skip-invalid' -d 'Write the valid entries even when some records are malformed (exit 1).'
complete -c 'cachectl' -n '__cachectl_should_offer_completions_for_flags_or_options "cachectl warmup" lock-file' -l 'lock-file' -d 'Hold an exclusive lock on this file while running.' -rfka ''
complete -c 'cachectl' -n '__cachectl_should_offer_completions_for_flags_or_options "cachectl warmup" wait' -l 'wait' -d 'With --lock-file, wait for the lock instead of exiting 75.'
complete -c 'cachectl' -n '__cachectl_should_offer_completions_for_flags_or_options "cachectl warmup" max-duration' -l 'max-duration' -d 'Stop cleanly after this long, e.g. 90s, 5m, 1h.' -rfka '1s 5s 30s 1m'
complete -c 'cachectl' -n '__cachectl_should_offer_completions_for_flags_or_options "cachectl warmup" version' -l 'version' -d 'Show the version.'
complete -c 'cachectl' -n '__cachectl_should_offer_completions_for_flags_or_options "cachectl warmup" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'cachectl' -n '__cachectl_should_offer_completions_for_flags_or_options "cachectl check" url' -l 'url' -d 'The cache: redis://[user[:password]@]host[:port][/db], unix:///path.sock, file:PATH, dummy:.' -rfka ''
complete -c 'cachectl' -n '__cachectl_should_offer_completions_for_flags_or_options "cachectl check" password-file' -l 'password-file' -d 'Read the Redis password from the first line of this file, without its \\n or \\r\\n (keeps it off the command line).' -rfka ''
complete -c 'cachectl' -n '__cachectl_should_offer_completions_for_flags_or_options "cachectl check" format' -l 'format' -d 'Output format: table, json, jsonl or prometheus (where the command supports it).' -rfka 'table json jsonl prometheus'
complete -c 'cachectl' -n '__cachectl_should_offer_completions_for_flags_or_options "cachectl check" timeout' -l 'timeout' -d 'Seconds to wait for a connection or a reply (at most 86400).' -rfka ''
complete -c 'cachectl' -n '__cachectl_should_offer_completions_for_flags_or_options "cachectl check" q quiet' -l 'quiet' -s 'q' -d 'Print nothing but results and errors (no progress, no summaries on stderr).'
complete -c 'cachectl' -n '__cachectl_should_offer_completions_for_flags_or_options "cachectl check" v verbose' -l 'verbose' -s 'v' -d 'Explain on stderr which backend is used and why.'
complete -c 'cachectl' -n '__cachectl_should_offer_completions_for_flags_or_options "cachectl check" no-color' -l 'no-color' -d 'Never color the output (NO_COLOR does the same).'
complete -c 'cachectl' -n '__cachectl_should_offer_completions_for_flags_or_options "cachectl check" key-prefix' -l 'key-prefix' -d 'Prefix of every entry key in the store, e.g. rag_materials:.' -rfka ''
complete -c 'cachectl' -n '__cachectl_should_offer_completions_for_flags_or_options "cachectl check" tag-prefix' -l 'tag-prefix' -d 'Prefix of tag index sets.' -rfka ''
complete -c 'cachectl' -n '__cachectl_should_offer_completions_for_flags_or_options "cachectl check" stats-key' -l 'stats-key' -d 'The hash holding the app counters.' -rfka ''
complete -c 'cachectl' -n '__cachectl_should_offer_completions_for_flags_or_options "cachectl check" pattern' -l 'pattern' -d 'Also report entries matching this glob that are in no tag set.' -rfka ''
complete -c 'cachectl' -n '__cachectl_should_offer_completions_for_flags_or_options "cachectl check" version' -l 'version' -d 'Show the version.'
complete -c 'cachectl' -n '__cachectl_should_offer_completions_for_flags_or_options "cachectl check" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'cachectl' -n '__cachectl_should_offer_completions_for_flags_or_options "cachectl help" version' -l 'version' -d 'Show the version.'
