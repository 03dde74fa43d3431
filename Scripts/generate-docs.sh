#!/usr/bin/env bash
# Regenerates the shell completions and the man page from the argument parser.
#
#   Scripts/generate-docs.sh           writes completions/cachectl.bash, completions/_cachectl,
#                                      completions/cachectl.fish and man/cachectl.1
#   Scripts/generate-docs.sh --check   regenerates into a temp dir and fails when the checked-in
#                                      files differ (run by Scripts/test.sh, hence by CI)
#
# Never edit the outputs by hand: long text (snapshot format, exit status table) belongs in the
# root command's `discussion`. Generation is byte-stable: fixed date, C locale, UTC.
set -euo pipefail
cd "$(dirname "$0")/.."

# The date printed in the man page. Bump it when releasing, together with the version.
manual_date=${CACHECTL_MANUAL_DATE:-2025-01-01}
export LC_ALL=C TZ=UTC

check=false
case "${1:-}" in
    "") ;;
    --check) check=true ;;
    *) echo "usage: Scripts/generate-docs.sh [--check]" >&2; exit 64 ;;
esac

files=(completions/cachectl.bash completions/_cachectl completions/cachectl.fish man/cachectl.1)

if $check; then
    out=$(mktemp -d)
else
    out=.
fi
mkdir -p "$out/completions" "$out/man"

log=$(mktemp)
trap 'rm -f "$log"; [[ $out == . ]] || rm -rf "$out"' EXIT
if ! swift build --product cachectl >"$log" 2>&1; then
    cat "$log" >&2
    echo "generate-docs.sh: swift build failed" >&2
    exit 1
fi
bin="$(swift build --show-bin-path)/cachectl"

"$bin" --generate-completion-script bash >"$out/completions/cachectl.bash"
"$bin" --generate-completion-script zsh >"$out/completions/_cachectl"
"$bin" --generate-completion-script fish >"$out/completions/cachectl.fish"

# One page for cachectl and all its subcommands (the plugin's default; --multi-page splits it).
# The plugin writes into its own work directory; remove the old page so a silent failure
# cannot pass off a stale page as new.
manual=.build/plugins/GenerateManual/outputs/cachectl/cachectl.1
rm -f "$manual"
if ! swift package generate-manual --configuration debug --date "$manual_date" >"$log" 2>&1 || [[ ! -s $manual ]]; then
    cat "$log" >&2
    echo "generate-docs.sh: swift package generate-manual did not produce $manual" >&2
    exit 1
fi
# The plugin prints discussions as plain text: Scripts/lib/man-layout.awk makes them mdoc that
# renders without warnings, keeps indented layout, and puts the exit-code table in EXIT STATUS.
awk -f Scripts/lib/man-layout.awk "$manual" >"$out/man/cachectl.1"

if ! $check; then
    printf 'wrote %s\n' "${files[@]}" >&2
    exit 0
fi

stale=false
for file in "${files[@]}"; do
    # -N: a file missing on either side is a difference too.
    diff -uN "$file" "$out/$file" || stale=true
done
if $stale; then
    echo "completions/ or man/ are stale: run Scripts/generate-docs.sh (make docs)" >&2
    exit 1
fi
echo "completions/ and man/ are up to date" >&2
