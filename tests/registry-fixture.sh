# tests/registry-fixture.sh - a real OCI registry on 127.0.0.1 for tests
# (sourced, sh or bash): Debian's docker-registry (distribution 2.8) over
# TLS with a throwaway CA, anonymous, with Basic auth (htpasswd) or with
# token auth (a token server of the fixture's own, signing JWTs the way
# distribution's docs/spec/auth/token.md and jwt.md describe), images
# pushed with skopeo.  Everything lives in one temporary directory and
# every process is stopped by its pid.
#
#   regfix_check              prints what is missing, returns 1 (a test
#                             skips with it); 0 when all is there
#   regfix_start [AUTH]       AUTH none (default), basic or token
#   regfix_make_image DIR NAME    an OCI layout in DIR (busybox, one layer)
#   regfix_push DIR NAME REPO:TAG [SKOPEO-ARGS...]
#   regfix_stop               stop everything, remove the directory
#
# After regfix_start:
#   REGFIX_HOST       127.0.0.1:PORT (REGFIX_PORT: the port)
#   REGFIX_CA         the CA of the registry's (and token server's) cert
#   REGFIX_WRONG_CA   another CA, that signed nothing here
#   REGFIX_USER REGFIX_PASS   the credentials (basic and token)
#   REGFIX_REALM      the token server's URL (token)
#   REGFIX_DIR        the fixture's directory; logs: registry.log, token.log
# REGFIX_REPO is the ocibox repository (default: the current directory),
# for scripts/mkrootfs and scripts/mkociimage.  Needs docker-registry,
# skopeo, openssl, python3, and htpasswd (apache2-utils) for basic.

# The REGFIX_ variables are the sourcing script's to read.
# shellcheck disable=SC2034
REGFIX_USER=ocibox
REGFIX_PASS=ocibox-test-pw
REGFIX_DIR=
REGFIX_REGISTRY_PID=
REGFIX_TOKEN_PID=

regfix__die() {
	echo "registry-fixture: $*" >&2
	return 1
}

regfix_check() {
	regfix__missing=
	for c in docker-registry skopeo openssl python3 htpasswd; do
		command -v "$c" >/dev/null 2>&1 ||
			regfix__missing="$regfix__missing $c"
	done
	[ -z "$regfix__missing" ] && return 0
	echo "missing:$regfix__missing"
	return 1
}

# A port nobody listens on now.
regfix__free_port() {
	python3 -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])'
}

# Wait (10 s at most) until PORT accepts connections and PID still runs.
regfix__wait_port() {
	python3 - "$1" "$2" <<'EOF'
import os, socket, sys, time
port, pid = int(sys.argv[1]), int(sys.argv[2])
for _ in range(200):
    try:
        os.kill(pid, 0)
    except OSError:
        sys.exit(1)
    try:
        socket.create_connection(("127.0.0.1", port), 0.5).close()
        sys.exit(0)
    except OSError:
        time.sleep(0.05)
sys.exit(1)
EOF
}

# The CA, a server certificate for 127.0.0.1 and localhost (as DNS names
# too: BearSSL matches only those), a token-signing certificate, and a
# CA that signed none of them.
regfix__certs() {
	d=$REGFIX_DIR
	cat > "$d/openssl.cnf" <<'EOF'
[req]
distinguished_name = dn
[dn]
[ca]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
[server]
basicConstraints = CA:FALSE
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost,DNS:127.0.0.1,IP:127.0.0.1
[signer]
basicConstraints = CA:FALSE
keyUsage = critical,digitalSignature
EOF
	(
		cd "$d" || exit 1
		set -e
		o() { openssl "$@" >>openssl.log 2>&1; }
		o req -x509 -config openssl.cnf -extensions ca \
			-newkey rsa:2048 -nodes -keyout ca.key -out ca.crt \
			-days 2 -subj /CN=ocibox-test-ca
		o req -x509 -config openssl.cnf -extensions ca \
			-newkey rsa:2048 -nodes -keyout wrong-ca.key \
			-out wrong-ca.crt -days 2 -subj /CN=ocibox-wrong-ca
		o req -new -config openssl.cnf -newkey ec \
			-pkeyopt ec_paramgen_curve:P-256 -nodes \
			-keyout server.key -out server.csr -subj /CN=127.0.0.1
		o x509 -req -in server.csr -CA ca.crt -CAkey ca.key \
			-CAcreateserial -days 2 -extfile openssl.cnf \
			-extensions server -out server.crt
		o req -new -config openssl.cnf -newkey rsa:2048 -nodes \
			-keyout signer.key -out signer.csr \
			-subj /CN=ocibox-test-token-signer
		o x509 -req -in signer.csr -CA ca.crt -CAkey ca.key \
			-CAcreateserial -days 2 -extfile openssl.cnf \
			-extensions signer -out signer.crt
		mkdir certs
		cp ca.crt certs/ca.crt
	) || regfix__die "openssl failed: see $d/openssl.log"
}

# The token server: GET /token?service=S&scope=repository:NAME:ACTIONS
# (scope repeated as skopeo does) answers {"token", "access_token"}: an
# RS256 JWT whose header carries the signing certificate (x5c), which the
# registry checks against its rootcertbundle.  With a user set it wants
# that user's Basic credentials; without any, 401.
regfix__token_server() {
	cat > "$REGFIX_DIR/token-server.py" <<'EOF'
import base64, http.server, json, os, ssl, subprocess, sys, time
import urllib.parse

d, user, password, service, issuer = sys.argv[1:6]

def b64url(b):
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()

with open(os.path.join(d, "signer.crt")) as f:
    pem = f.read()
der = ssl.PEM_cert_to_DER_cert(pem)

def sign(claims):
    head = {"typ": "JWT", "alg": "RS256",
            "x5c": [base64.b64encode(der).decode()]}
    data = (b64url(json.dumps(head).encode()) + "." +
            b64url(json.dumps(claims).encode()))
    sig = subprocess.run(["openssl", "dgst", "-sha256", "-sign",
                          os.path.join(d, "signer.key")],
                         input=data.encode(), capture_output=True,
                         check=True).stdout
    return data + "." + b64url(sig)

class Handler(http.server.BaseHTTPRequestHandler):
    def reply(self, status, body):
        out = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(out)))
        self.end_headers()
        self.wfile.write(out)

    def do_GET(self):
        url = urllib.parse.urlsplit(self.path)
        q = urllib.parse.parse_qs(url.query)
        if url.path != "/token" or q.get("service") != [service]:
            return self.reply(400, {"errors": [{"code": "DENIED",
                                                "message": "bad request"}]})
        want = "Basic " + base64.b64encode(
            (user + ":" + password).encode()).decode()
        if self.headers.get("Authorization") != want:
            return self.reply(401, {"errors": [{
                "code": "UNAUTHORIZED",
                "message": "credentials required"}]})
        access = []
        for scope in q.get("scope", []):
            kind, _, rest = scope.partition(":")
            name, _, actions = rest.rpartition(":")
            access.append({"type": kind, "name": name,
                           "actions": actions.split(",")})
        now = int(time.time())
        tok = sign({"iss": issuer, "sub": user, "aud": service,
                    "exp": now + 600, "nbf": now - 10, "iat": now,
                    "jti": base64.b16encode(os.urandom(8)).decode(),
                    "access": access})
        self.reply(200, {"token": tok, "access_token": tok,
                         "expires_in": 600})

    def log_message(self, fmt, *args):
        sys.stderr.write("token: " + (fmt % args) + "\n")

srv = http.server.HTTPServer(("127.0.0.1", 0), Handler)
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(os.path.join(d, "server.crt"),
                    os.path.join(d, "server.key"))
srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
with open(os.path.join(d, "token.port.tmp"), "w") as f:
    f.write(str(srv.server_address[1]))
os.rename(os.path.join(d, "token.port.tmp"), os.path.join(d, "token.port"))
srv.serve_forever()
EOF
	python3 "$REGFIX_DIR/token-server.py" "$REGFIX_DIR" "$REGFIX_USER" \
		"$REGFIX_PASS" ocibox-test-registry ocibox-test-issuer \
		</dev/null >"$REGFIX_DIR/token.log" 2>&1 &
	REGFIX_TOKEN_PID=$!
	i=0
	while [ ! -s "$REGFIX_DIR/token.port" ]; do
		kill -0 "$REGFIX_TOKEN_PID" 2>/dev/null ||
			regfix__die "token server died: see" \
				"$REGFIX_DIR/token.log" || return 1
		i=$((i + 1))
		[ "$i" -lt 200 ] || regfix__die "token server did not start" ||
			return 1
		sleep 0.05
	done
	REGFIX_REALM=https://127.0.0.1:$(cat "$REGFIX_DIR/token.port")/token
	regfix__wait_port "$(cat "$REGFIX_DIR/token.port")" \
		"$REGFIX_TOKEN_PID" || regfix__die "token server not listening"
}

regfix_start() {
	auth=${1:-none}
	case $auth in
	none|basic|token) ;;
	*) regfix__die "regfix_start: unknown auth '$auth'"; return 1 ;;
	esac
	REGFIX_DIR=$(mktemp -d "${TMPDIR:-/tmp}/ocibox-registry.XXXXXX") ||
		return 1
	mkdir "$REGFIX_DIR/storage"
	regfix__certs || return 1
	REGFIX_CA=$REGFIX_DIR/ca.crt
	REGFIX_WRONG_CA=$REGFIX_DIR/wrong-ca.crt
	REGFIX_REALM=
	case $auth in
	basic)
		htpasswd -Bbc "$REGFIX_DIR/htpasswd" "$REGFIX_USER" \
			"$REGFIX_PASS" >/dev/null 2>&1 ||
			regfix__die "htpasswd failed" || return 1
		auth_yaml="auth:
  htpasswd:
    realm: ocibox-test
    path: $REGFIX_DIR/htpasswd"
		;;
	token)
		regfix__token_server || return 1
		auth_yaml="auth:
  token:
    realm: $REGFIX_REALM
    service: ocibox-test-registry
    issuer: ocibox-test-issuer
    rootcertbundle: $REGFIX_DIR/ca.crt"
		;;
	*)
		auth_yaml=
		;;
	esac
	port=$(regfix__free_port) || return 1
	REGFIX_PORT=$port
	REGFIX_HOST=127.0.0.1:$port
	cat > "$REGFIX_DIR/config.yml" <<EOF
version: 0.1
log:
  level: info
  accesslog:
    disabled: false
storage:
  filesystem:
    rootdirectory: $REGFIX_DIR/storage
  maintenance:
    uploadpurging:
      enabled: false
http:
  addr: 127.0.0.1:$port
  secret: ocibox-test-secret
  tls:
    certificate: $REGFIX_DIR/server.crt
    key: $REGFIX_DIR/server.key
$auth_yaml
EOF
	docker-registry serve "$REGFIX_DIR/config.yml" \
		</dev/null >"$REGFIX_DIR/registry.log" 2>&1 &
	REGFIX_REGISTRY_PID=$!
	regfix__wait_port "$port" "$REGFIX_REGISTRY_PID" ||
		regfix__die "docker-registry did not start: see" \
			"$REGFIX_DIR/registry.log"
}

# An OCI image layout in DIR holding one image, its ref.name NAME: a
# busybox root filesystem as one gzip layer.
regfix_make_image() {
	repo=${REGFIX_REPO:-$(pwd)}
	work=$(mktemp -d "${TMPDIR:-/tmp}/ocibox-image.XXXXXX") || return 1
	rm -rf "$1"
	mkdir -p "$1"
	if "$repo/scripts/mkrootfs" "$work/rootfs" >/dev/null &&
	   "$repo/scripts/mkociimage" "$work/rootfs" "$2" "$work/image.tar" &&
	   tar -C "$1" -xf "$work/image.tar"; then
		rm -rf "$work"
		return 0
	fi
	rm -rf "$work"
	regfix__die "could not make the image in $1"
}

# Push the image NAME of the layout DIR to REPO:TAG.
regfix_push() {
	src=$1 name=$2 dest=$3
	shift 3
	set -- --dest-cert-dir "$REGFIX_DIR/certs" "$@"
	if [ -f "$REGFIX_DIR/htpasswd" ] || [ -n "$REGFIX_REALM" ]; then
		set -- --dest-creds "$REGFIX_USER:$REGFIX_PASS" "$@"
	fi
	skopeo --insecure-policy copy --quiet "$@" "oci:$src:$name" \
		"docker://$REGFIX_HOST/$dest" >"$REGFIX_DIR/skopeo.log" 2>&1 ||
		{ cat "$REGFIX_DIR/skopeo.log" >&2
		  regfix__die "skopeo could not push $dest"; }
}

regfix_stop() {
	for p in $REGFIX_REGISTRY_PID $REGFIX_TOKEN_PID; do
		kill "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	REGFIX_REGISTRY_PID='' REGFIX_TOKEN_PID=''
	[ -n "$REGFIX_DIR" ] && rm -rf "$REGFIX_DIR"
	REGFIX_DIR=
}
