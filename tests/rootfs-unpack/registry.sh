# tests/rootfs-unpack/registry.sh - docker:// sources against a real
# registry (tests/registry-fixture.sh: Debian's docker-registry on
# 127.0.0.1 over TLS with a throwaway CA), anonymous, with Basic auth and
# behind token auth; the image pushed by skopeo, the result compared with
# umoci's unpack of the same layout.

REGFIX_REPO=$REPO
. "$REPO/tests/registry-fixture.sh"

# regfix AUTH: a registry with the suite image pushed as unpack/bb:1, and
# the reference tree in $T/ref.
regfix() {
	local why
	if ! why=$(regfix_check); then
		skip "$why"
		return 1
	fi
	require_cmd umoci || return 1
	regfix_start "$1" > "$T/regfix.log" 2>&1 ||
		{ fail "regfix_start $1: $(tail -n 3 "$T/regfix.log")"; return 1; }
	defer regfix_stop
	regfix_make_image "$T/img" bb >> "$T/regfix.log" 2>&1 &&
	regfix_push "$T/img" bb unpack/bb:1 >> "$T/regfix.log" 2>&1 ||
		{ fail "push: $(tail -n 3 "$T/regfix.log")"; return 1; }
	umoci unpack --image "$T/img:bb" "$T/ref" > /dev/null ||
		{ fail "umoci unpack"; return 1; }
}

# The registry client's own end-to-end cases (tests/unit/registry_test.c
# e2e_*) against this registry: e2e CASE... [VAR=VALUE...], with the
# environment they read.
e2e() {
	local c out cases=() vars=()
	for c; do
		case $c in e2e_*) cases+=("$c") ;; *) vars+=("$c") ;; esac
	done
	for c in "${cases[@]}"; do
		out=$(env OCIBOX_TEST_REGISTRY="$REGFIX_HOST" \
			OCIBOX_TEST_REPO=unpack/bb:1 OCIBOX_TEST_CA="$REGFIX_CA" \
			OCIBOX_TEST_WRONG_CA="$REGFIX_WRONG_CA" "${vars[@]}" \
			"$BUILD/unit/registry_test" "$c" 2>&1)
		assertEquals "registry_test $c: $out" 0 "$?"
		assert_not_contains "registry_test $c ran" "$out" SKIP
	done
}

testRegistryAnonymousTls() {
	regfix none || return
	capture ru --ca-file "$REGFIX_CA" "docker://$REGFIX_HOST/unpack/bb:1" \
		"$T/dst"
	assert_ok
	assert_no_err
	assert_same_tree "$T/ref/rootfs" "$T/dst" "registry pull"
	# By digest, into a bundle.
	local d
	d=$(skopeo inspect --raw --cert-dir "$REGFIX_DIR/certs" \
		"docker://$REGFIX_HOST/unpack/bb:1" 2>/dev/null | sha256sum | cut -d' ' -f1)
	capture ru --ca-file "$REGFIX_CA" --bundle "$T/b" \
		"docker://$REGFIX_HOST/unpack/bb@sha256:$d"
	assert_ok "by digest: $err"
	assertTrue "config.json" "[ -s '$T/b/config.json' ]"
	# A CA that signed nothing here: refused, nothing made.
	capture ru --ca-file "$REGFIX_WRONG_CA" \
		"docker://$REGFIX_HOST/unpack/bb:1" "$T/dst2"
	assert_rc 1
	assert_contains "TLS named" "$err" "not trusted"
	assertFalse "no DEST" "[ -e '$T/dst2' ]"
	capture ru --ca-file "$REGFIX_CA" \
		"docker://$REGFIX_HOST/unpack/nosuch:1" "$T/dst3"
	assert_rc 1
	assert_contains "404 named" "$err" "404"
	capture ru --plain-http "docker://registry.example.com/x:1" "$T/dst4"
	assert_rc 1
	assert_contains "plain http only to loopback" "$err" "loopback"
	e2e e2e_pull e2e_unknown e2e_wrong_ca
}

testRegistryBasicAuth() {
	regfix basic || return
	capture ru --ca-file "$REGFIX_CA" "docker://$REGFIX_HOST/unpack/bb:1" \
		"$T/dst"
	assert_rc 1
	assert_contains "401 without credentials" "$err" "401"
	capture ru --ca-file "$REGFIX_CA" --creds "$REGFIX_USER:$REGFIX_PASS" \
		"docker://$REGFIX_HOST/unpack/bb:1" "$T/dst"
	assert_ok
	assert_same_tree "$T/ref/rootfs" "$T/dst" "basic auth pull"
	e2e e2e_pull e2e_credentials OCIBOX_TEST_AUTH=basic \
		OCIBOX_TEST_CREDS="$REGFIX_USER:$REGFIX_PASS"
}

testRegistryTokenAuthFromDockerConfig() {
	regfix token || return
	mkdir -p "$T/dc"
	printf '{"auths":{"%s":{"auth":"%s"}}}' "$REGFIX_HOST" \
		"$(printf '%s:%s' "$REGFIX_USER" "$REGFIX_PASS" | base64 -w0)" \
		> "$T/dc/config.json"
	capture env DOCKER_CONFIG="$T/dc" "$BIN/rootfs-unpack" \
		--ca-file "$REGFIX_CA" "docker://$REGFIX_HOST/unpack/bb:1" "$T/dst"
	assert_ok
	assert_same_tree "$T/ref/rootfs" "$T/dst" "token auth pull"
	e2e e2e_pull e2e_credentials OCIBOX_TEST_AUTH=token \
		OCIBOX_TEST_CREDS="$REGFIX_USER:$REGFIX_PASS" \
		OCIBOX_TEST_REALM="$REGFIX_REALM"
}
