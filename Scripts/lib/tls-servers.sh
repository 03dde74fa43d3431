# Throw-away certificates and TLS servers for tests and benchmarks. Source it after
# redis-servers.sh, then:
#
#   make_test_ca DIR          a CA and certificates in DIR (openssl CLI), see below
#   start_tls_servers DIR     redis-servers with --tls-port, an ACL user and an HTTPS file server;
#                             exports CACHECTL_TEST_TLS_* (see Tests/IntegrationTests/Support)
#   stop_tls_servers          stops the HTTPS server (the redis-servers stop with stop_redis_servers)
#
# Certificates (all RSA 2048, signed by ca.crt unless said otherwise):
#   server.crt    DNS:localhost, IP:127.0.0.1, IP:::1        client.crt   a client certificate
#   other.crt     DNS:other.example only (host mismatch)     expired.crt  localhost, expired in 2020
#   foreign-ca.crt and foreign-client.crt: a CA nobody trusts and a client certificate it signed
#   cadir/        ca.crt as a hashed directory (openssl rehash) for --cacertdir
# Every server listens on 127.0.0.1 only and is stopped by pid.

tls_http_pid=

make_test_ca() {
    local dir=$1
    mkdir -p "$dir/ca-db"
    (
        cd "$dir"
        umask 077
        openssl_quiet() { openssl "$@" 2>/dev/null || { echo "tls-servers.sh: openssl $1 failed" >&2; openssl "$@"; }; }
        for ca in ca foreign-ca; do
            openssl_quiet req -x509 -newkey rsa:2048 -nodes -keyout "$ca.key" -out "$ca.crt" -days 2 \
                -subj "/CN=cachectl test $ca" -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign
        done
        # sign NAME CA SUBJECT_ALT_NAMES EXTENDED_KEY_USAGE
        sign() {
            local name=$1 ca=$2 san=$3 usage=$4
            openssl_quiet req -newkey rsa:2048 -nodes -keyout "$name.key" -out "$name.csr" -subj "/CN=cachectl test $name"
            printf 'basicConstraints=CA:FALSE\nextendedKeyUsage=%s\n%s' "$usage" "${san:+subjectAltName=$san
}" >"$name.ext"
            openssl_quiet x509 -req -in "$name.csr" -CA "$ca.crt" -CAkey "$ca.key" -CAcreateserial -days 2 \
                -extfile "$name.ext" -out "$name.crt"
        }
        sign server ca "DNS:localhost,IP:127.0.0.1,IP:::1" serverAuth
        sign other ca "DNS:other.example" serverAuth
        sign client ca "" clientAuth
        sign foreign-client foreign-ca "" clientAuth
        # An expired certificate needs explicit dates, which only `openssl ca` takes in OpenSSL 3.0.
        openssl_quiet req -newkey rsa:2048 -nodes -keyout expired.key -out expired.csr -subj "/CN=cachectl test expired"
        : >ca-db/index.txt
        cat >ca-db/ca.cnf <<EOF
[ca]
default_ca = test
[test]
database = ca-db/index.txt
new_certs_dir = ca-db
serial = ca-db/serial
default_md = sha256
policy = anything
copy_extensions = none
x509_extensions = server
unique_subject = no
[anything]
commonName = supplied
[server]
basicConstraints = CA:FALSE
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost,IP:127.0.0.1
EOF
        echo 01 >ca-db/serial
        openssl_quiet ca -batch -config ca-db/ca.cnf -cert ca.crt -keyfile ca.key -in expired.csr -out expired.crt \
            -startdate 20200101000000Z -enddate 20200102000000Z
        # Keys readable by the test user only; certificates by anyone.
        chmod 644 ./*.crt
        # The CA as a hashed directory too, for --cacertdir.
        mkdir -p cadir && cp ca.crt cadir/ && openssl_quiet rehash cadir && chmod 755 cadir
    )
}

# start_tls_redis NAME DIR CERT [options…]: a redis-server with a plain port (for the readiness
# check and the "rediss:// to a plain port" test) and a TLS port; sets TLS_PORT_<NAME>.
start_tls_redis() {
    local name=$1 dir=$2 cert=$3
    shift 3
    local tls_port
    tls_port=$(free_port)
    start_redis "$name" "$dir" --tls-port "$tls_port" --tls-cert-file "$dir/$cert.crt" --tls-key-file "$dir/$cert.key" \
        --tls-ca-cert-file "$dir/ca.crt" "$@"
    printf -v "TLS_PORT_$name" '%s' "$tls_port"
}

start_tls_servers() {
    local dir=$1
    make_test_ca "$dir"
    start_tls_redis TLS "$dir" server --tls-auth-clients no
    start_tls_redis MTLS "$dir" server --tls-auth-clients yes
    start_tls_redis OTHERHOST "$dir" other --tls-auth-clients no
    start_tls_redis EXPIRED "$dir" expired --tls-auth-clients no

    # An ACL user on the TLS server; its password only in a file and the tests' environment.
    local acl_password
    acl_password=$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')
    (umask 077 && printf '%s\n' "$acl_password" >"$dir/acl-password")
    redis-cli -h 127.0.0.1 -p "$REDIS_PORT_TLS" ACL SETUSER cachectl-app on ">$acl_password" '~*' '&*' +@all >/dev/null

    # HTTPS file server for warmup --url-template https://…: serves $dir/www.
    mkdir -p "$dir/www"
    local https_port
    https_port=$(free_port)
    python3 - "$dir" "$https_port" >"$dir/https.log" 2>&1 <<'PY' &
import functools, http.server, ssl, sys
directory, port = sys.argv[1], int(sys.argv[2])
class Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass
handler = functools.partial(Quiet, directory=directory + "/www")
server = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
context.load_cert_chain(directory + "/server.crt", directory + "/server.key")
server.socket = context.wrap_socket(server.socket, server_side=True)
server.serve_forever()
PY
    tls_http_pid=$!
    local ready=
    for _ in $(seq 100); do
        if https_answers "$https_port" "$dir"; then ready=1; break; fi
        kill -0 "$tls_http_pid" 2>/dev/null || break
        sleep 0.1
    done
    if [[ -z $ready ]]; then
        echo "tls-servers.sh: the HTTPS server did not start:" >&2
        cat "$dir/https.log" >&2
        return 1
    fi
    echo "https server: 127.0.0.1:$https_port (pid $tls_http_pid)" >&2

    export CACHECTL_TEST_TLS_DIR=$dir
    export CACHECTL_TEST_TLS_URL="rediss://localhost:$TLS_PORT_TLS"
    export CACHECTL_TEST_TLS_PLAIN_PORT=$REDIS_PORT_TLS
    export CACHECTL_TEST_TLS_MTLS_URL="rediss://localhost:$TLS_PORT_MTLS"
    export CACHECTL_TEST_TLS_OTHERHOST_URL="rediss://localhost:$TLS_PORT_OTHERHOST"
    export CACHECTL_TEST_TLS_EXPIRED_URL="rediss://localhost:$TLS_PORT_EXPIRED"
    export CACHECTL_TEST_TLS_ACL_USER=cachectl-app
    export CACHECTL_TEST_TLS_ACL_PASSWORD=$acl_password
    export CACHECTL_TEST_HTTPS_URL="https://localhost:$https_port"
}

# https_answers PORT DIR: whether the HTTPS server answers (openssl s_client, so no curl is needed).
https_answers() {
    local reply
    reply=$(printf 'HEAD / HTTP/1.0\r\n\r\n' | timeout 2 openssl s_client -quiet -connect "127.0.0.1:$1" -CAfile "$2/ca.crt" 2>/dev/null || true)
    [[ $reply == HTTP* ]]
}

stop_tls_servers() {
    if [[ -n $tls_http_pid ]]; then
        kill "$tls_http_pid" 2>/dev/null || true
        wait "$tls_http_pid" 2>/dev/null || true
        tls_http_pid=
    fi
}
