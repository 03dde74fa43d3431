#!/usr/bin/env bash
# Installs the Debian packages cachectl needs, and only the missing ones.
#
#   Scripts/install-deps.sh                 build: libhiredis-dev libssl-dev libsqlite3-dev pkg-config
#   Scripts/install-deps.sh --with-server   + redis-server redis-tools python3 man-db openssl (tests)
#   Scripts/install-deps.sh --with-bench    + redis-server redis-tools hyperfine python3 time openssl valgrind (benchmarks)
#   Scripts/install-deps.sh PACKAGE…        + any other package whose command has the same name (e.g. make)
#
# Idempotent: a package counts as present when its probe answers (pkg-config module or command)
# or `dpkg -s` says it is installed; `apt-get update` runs only when something is missing.
# Works as root without sudo; otherwise uses sudo when it exists. Reports what it installs on stderr.
set -euo pipefail

# package:probe — probe is pc:MODULE (pkg-config) or cmd:NAME (a command on PATH).
wanted=(libhiredis-dev:pc:hiredis libssl-dev:pc:openssl libsqlite3-dev:pc:sqlite3 pkg-config:cmd:pkg-config)
server=(redis-server:cmd:redis-server redis-tools:cmd:redis-cli)

while (($#)); do
    case "$1" in
        # man-db: a test renders the generated man page with `man --warnings`.
        --with-server) wanted+=("${server[@]}" python3:cmd:python3 man-db:cmd:man openssl:cmd:openssl) ;;
        --with-bench) wanted+=("${server[@]}" hyperfine:cmd:hyperfine python3:cmd:python3 bc:cmd:bc time:cmd:/usr/bin/time openssl:cmd:openssl valgrind:cmd:valgrind) ;;
        -h | --help) sed -n '2,11s/^# \{0,1\}//p' "$0"; exit 0 ;;
        -*) echo "install-deps.sh: unknown option $1 (see --help)" >&2; exit 64 ;;
        *) wanted+=("$1:cmd:$1") ;;
    esac
    shift
done

present() {
    local package=$1 kind=$2 name=$3
    case "$kind" in
        pc) command -v pkg-config >/dev/null 2>&1 && pkg-config --exists "$name" && return 0 ;;
        cmd) command -v "$name" >/dev/null 2>&1 && return 0 ;;
    esac
    dpkg -s "$package" 2>/dev/null | grep -q '^Status: install ok installed'
}

missing=()
for entry in "${wanted[@]}"; do
    package=${entry%%:*}
    probe=${entry#*:}
    if ! present "$package" "${probe%%:*}" "${probe#*:}"; then
        # The same package may be asked for twice (--with-server --with-bench).
        [[ " ${missing[*]-} " == *" $package "* ]] || missing+=("$package")
    fi
done

((${#missing[@]})) || exit 0

if ! command -v apt-get >/dev/null 2>&1; then
    echo "install-deps.sh: missing ${missing[*]} and there is no apt-get here: install them with your package manager" >&2
    exit 69
fi

as_root=()
if ((EUID != 0)); then
    if ! command -v sudo >/dev/null 2>&1; then
        echo "install-deps.sh: missing ${missing[*]}: run as root or install sudo" >&2
        exit 77
    fi
    # Without a terminal nobody can type a password: fail at once instead of hanging.
    if [[ -t 0 ]]; then as_root=(sudo); else as_root=(sudo -n); fi
fi

echo "install-deps.sh: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
"${as_root[@]}" apt-get update -qq >&2
"${as_root[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
echo "install-deps.sh: installed ${missing[*]}" >&2
