# Private Python environments for tests and benchmarks, never the system's site-packages.
# Source it, then:
#
#   redispy_env            creates .build/venv-redispy (python3 -m venv) with redis-py from PyPI
#                          once, and exports CACHECTL_TEST_PYTHON, the venv's python3
#
# The venv is kept between runs and rebuilt when its python3 is gone or cannot import redis.
# Needs python3 with the venv module (Debian: python3-venv, installed here when missing).

redispy_env() {
    local root venv
    root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
    venv="$root/.build/venv-redispy"
    if ! "$venv/bin/python3" -c 'import redis' 2>/dev/null; then
        if ! python3 -c 'import ensurepip, venv' 2>/dev/null; then
            "$root/Scripts/install-deps.sh" python3-venv
        fi
        rm -rf "$venv"
        python3 -m venv "$venv" >&2
        "$venv/bin/python3" -m pip install --quiet --disable-pip-version-check 'redis>=4,<7' >&2
        "$venv/bin/python3" -c 'import redis' \
            || { echo "python-env.sh: redis-py could not be installed into $venv" >&2; return 69; }
    fi
    export CACHECTL_TEST_PYTHON="$venv/bin/python3"
}
