# The frameworks whose caches the layout tests read and write, installed privately. Source it, then:
#
#   prepare_frameworks     Django (PyPI, in a venv under .build/frameworks-venv), PHP with
#                          Symfony Cache 5.4 and the Laravel 8 cache/redis components (Debian)
#
# Exports CACHECTL_TEST_DJANGO_PYTHON (the venv's python) and CACHECTL_TEST_PHP (php), which
# the layout tests hand to Scripts/frameworks/*. Nothing is installed globally with pip.

prepare_frameworks() {
    local venv=.build/frameworks-venv
    Scripts/install-deps.sh php-cli php-redis php-igbinary php-symfony-cache php-illuminate-cache php-illuminate-redis python3-venv
    if ! "$venv/bin/python" -c 'import django, redis; assert django.VERSION[:2] >= (5, 2)' 2>/dev/null; then
        echo "framework-env: installing Django 5.2 and redis-py into $venv" >&2
        python3 -m venv "$venv"
        "$venv/bin/python" -m pip install --quiet --disable-pip-version-check 'django>=5.2,<6' 'redis>=5'
    fi
    CACHECTL_TEST_DJANGO_PYTHON="$PWD/$venv/bin/python"
    CACHECTL_TEST_PHP=$(command -v php)
    export CACHECTL_TEST_DJANGO_PYTHON CACHECTL_TEST_PHP
}
