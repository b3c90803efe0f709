#!/bin/sh
# tests/registry-e2e-manual.sh - build/unit/registry_test against a real
# registry (tests/registry-fixture.sh): anonymous over TLS, with Basic
# auth and with Bearer token auth; in each, an image pushed by skopeo as
# OCI, as docker v2s2 and under an OCI image index is pulled by tag and
# by digest, every blob's digest checked, and a wrong CA must fail.  Run
# from anywhere after `make unit`; the last line is "N passed, N failed,
# N skipped".  Needs what tests/registry-fixture.sh needs, and jq.
set -u
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo" || exit 1
BUILD=${BUILD:-build}
bin=$BUILD/unit/registry_test
REGFIX_REPO=$repo
. tests/registry-fixture.sh

[ -x "$bin" ] || { echo "$bin: not built (make unit)" >&2; exit 1; }
if ! why=$(regfix_check); then
	echo "SKIP: $why"
	exit 0
fi

passed=0 failed=0 skipped=0
layout=$(mktemp -d "${TMPDIR:-/tmp}/ocibox-e2e.XXXXXX") || exit 1
trap 'regfix_stop; rm -rf "$layout"' EXIT INT TERM
regfix_make_image "$layout/oci" ocibox-e2e || exit 1

# A second image in the layout: an image index over the first's manifest.
make_index() {
	l=$1
	jq -c '{schemaVersion: 2,
		mediaType: "application/vnd.oci.image.index.v1+json",
		manifests: [.manifests[0] | del(.annotations)]}' \
		"$l/index.json" > "$l/idx.json" || return 1
	d=$(sha256sum "$l/idx.json" | cut -d' ' -f1)
	n=$(wc -c < "$l/idx.json")
	mv "$l/idx.json" "$l/blobs/sha256/$d"
	jq -c --arg d "sha256:$d" --argjson n "$n" '.manifests += [{
		mediaType: "application/vnd.oci.image.index.v1+json",
		digest: $d, size: $n, annotations: {
			"org.opencontainers.image.ref.name":
				"ocibox-e2e-index"}}]' \
		"$l/index.json" > "$l/index.new" &&
		mv "$l/index.new" "$l/index.json"
}
make_index "$layout/oci" || exit 1

# run WHAT [VAR=VALUE...]: the e2e_* cases with the environment given.
run() {
	what=$1
	shift
	for c in e2e_pull e2e_unknown e2e_wrong_ca e2e_credentials; do
		out=$(env "$@" "$bin" "$c" 2>&1)
		case $?:$out in
		0:SKIP*) skipped=$((skipped + 1)) res=SKIP ;;
		0:*) passed=$((passed + 1)) res=PASS ;;
		*) failed=$((failed + 1)) res=FAIL ;;
		esac
		printf '%s %s %s\n' "$res" "$what" "$c"
		[ -n "$out" ] && printf '%s\n' "$out" | sed 's/^/    /'
	done
}

for auth in none basic token; do
	regfix_start "$auth" || { failed=$((failed + 1)); continue; }
	if ! regfix_push "$layout/oci" ocibox-e2e ocibox/busybox:1 ||
	   ! regfix_push "$layout/oci" ocibox-e2e ocibox/busybox:v2s2 \
		--format v2s2 ||
	   ! regfix_push "$layout/oci" ocibox-e2e-index ocibox/busybox:index \
		--multi-arch all; then
		failed=$((failed + 1))
		regfix_stop
		continue
	fi
	creds=
	[ "$auth" = none ] || creds=$REGFIX_USER:$REGFIX_PASS
	digest=$(skopeo inspect --cert-dir "$REGFIX_DIR/certs" \
		${creds:+--creds "$creds"} --format '{{.Digest}}' \
		"docker://$REGFIX_HOST/ocibox/busybox:1" 2>/dev/null)
	set -- OCIBOX_TEST_REGISTRY="$REGFIX_HOST" OCIBOX_TEST_CA="$REGFIX_CA" \
		OCIBOX_TEST_WRONG_CA="$REGFIX_WRONG_CA"
	[ -n "$creds" ] && set -- "$@" OCIBOX_TEST_CREDS="$creds" \
		OCIBOX_TEST_AUTH="$auth" OCIBOX_TEST_REALM="$REGFIX_REALM"
	echo "== $auth: registry $REGFIX_HOST" \
		"${REGFIX_REALM:+(token realm $REGFIX_REALM)}"
	run "$auth oci" "$@" OCIBOX_TEST_REPO=ocibox/busybox:1
	run "$auth v2s2" "$@" OCIBOX_TEST_REPO=ocibox/busybox:v2s2
	run "$auth index" "$@" OCIBOX_TEST_REPO=ocibox/busybox:index
	if [ -n "$digest" ]; then
		run "$auth digest" "$@" \
			OCIBOX_TEST_REPO="ocibox/busybox@$digest"
	else
		echo "FAIL $auth: skopeo inspect gave no digest"
		failed=$((failed + 1))
	fi
	regfix_stop
done
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
