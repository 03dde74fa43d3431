# Turns the argument parser's plain-text discussions in man/cachectl.1 into mdoc that renders
# without warnings and keeps its layout (run by Scripts/generate-docs.sh on the plugin's page):
#
#   - an empty line becomes .Pp (mdoc warns about empty input lines);
#   - an all-capitals line in the root DESCRIPTION (BACKENDS, EXIT STATUS…) becomes .Ss;
#   - indented lines become compact lists at their indentation, so a wrapped line stays indented:
#     "NAME  description" rows (two or more spaces between) a tag list whose wrapped descriptions
#     hang at the description's column (at most 24 columns in), other lines an item list;
#   - no hyphenation inside indented lines (\% before each word): a hyphen inserted into an
#     example command or a URL would be copied with it;
#   - the EXIT STATUS block of the root discussion moves into the page's EXIT STATUS section,
#     replacing the plugin's generic `.Ex -std` ("exits 0 on success, and >0 if an error occurs").

function flush_list() {
    if (list != "") { out(".El"); list = "" }
}

function out(line) {
    if (capturing) exit_status[++exit_lines] = line
    else print line
}

# Text as an mdoc text line: a leading . or ' would make it a request.
function text(s) {
    return (s ~ /^[.']/) ? "\\&" s : s
}

# Words that groff must not hyphenate.
function unbroken(s) {
    gsub(/ /, " \\%", s)
    return "\\%" s
}

# A quoted macro argument that is never read as a macro name.
function argument(s) {
    gsub(/"/, "\\(dq", s)
    return "\"\\&" s "\""
}

function indented(line,    indent, rest, name, gap, width, kind) {
    match(line, /^ +/)
    indent = RLENGTH
    rest = substr(line, indent + 1)
    if (match(rest, /^[^ ]+( [^ ]+)*  +/) && RSTART == 1) {
        name = rest
        sub(/  +.*$/, "", name)
        width = RLENGTH
        kind = "tag " indent " " width
        if (list != kind) {
            flush_list()
            # A longer name stands on a line of its own, so narrow terminals keep room for the text.
            out(".Bl -tag -width " (width > 24 ? 24 : width) "n -offset " indent "n -compact")
            list = kind
        }
        out(".It " argument(name))
        out(unbroken(substr(rest, width + 1)))
    } else {
        kind = "item " indent
        if (list != kind) {
            flush_list()
            out(".Bl -item -offset " indent "n -compact")
            list = kind
        }
        out(".It")
        out(unbroken(rest))
    }
}

BEGIN { list = ""; capturing = 0; exit_lines = 0; section = "" }

/^\.Sh / {
    flush_list()
    section = $0
    if ($0 == ".Sh \"EXIT STATUS\"") {
        print
        in_exit_section = 1
        next
    }
    print
    next
}

in_exit_section && /^\.Ex -std/ {
    for (i = 1; i <= exit_lines; i++) print exit_status[i]
    next
}

/^\./ {
    if (capturing) { flush_list(); capturing = 0 }
    flush_list()
    print
    next
}

/^$/ {
    flush_list()
    if (capturing) { capturing = 0; next }
    if (last_printed != ".Pp") out(".Pp")
    last_printed = ".Pp"
    next
}

section == ".Sh DESCRIPTION" && /^[A-Z][A-Z]+( [A-Z]+)*( \(.*\))?$/ {
    flush_list()
    if ($0 == "EXIT STATUS") { capturing = 1; last_printed = ""; next }
    out(".Ss " argument($0))
    last_printed = ".Ss"
    next
}

/^ / { indented($0); last_printed = ""; next }

{
    flush_list()
    out(text($0))
    last_printed = ""
}

END { flush_list() }
