#!/bin/sh
# vendor_test.sh: the third-party recipes, scripts/vendor-fetch and the
# archives scripts/vendor-build made (run `make vendor` first).  No network:
# the tarballs already fetched under $BUILD/vendor/src are used.

cd "$(dirname "$0")/.." || exit 1
BUILD=${BUILD:-build}
SRC=$BUILD/vendor/src
LIB=$BUILD/vendor/lib

oneTimeSetUp() {
	tmp=$(mktemp -d) || exit 1
}

oneTimeTearDown() {
	rm -rf "$tmp"
}

# need_tarball FILE: skip the rest of the test, saying why, without FILE.
need_tarball() {
	[ -f "$SRC/$1" ] && return 0
	echo "SKIP: $SRC/$1 missing (run make vendor)"
	startSkipping
	return 1
}

# pin RECIPE FIELD: the value FIELD has in vendor/RECIPE.
pin() {
	# shellcheck disable=SC1090
	(. "vendor/$1" && eval "printf %s \"\$$2\"")
}

# corrupt RECIPE FIELD: a copy of vendor/RECIPE in $tmp/r whose FIELD pin
# has another first digit; prints that wrong value.
corrupt() {
	mkdir -p "$tmp/r" &&
	sed -e "s/^$2=0/$2=1/" -e t -e "s/^$2=./$2=0/" "vendor/$1" \
		> "$tmp/r/$1" &&
	sed -n "s/^$2=//p" "$tmp/r/$1"
}

testWrongOrigSha256Stops() {
	orig=$(pin zlib.recipe orig)
	sha256=$(pin zlib.recipe sha256)
	need_tarball "$orig" || return
	bad=$(corrupt zlib.recipe sha256)
	assertNotEquals "corrupted pin" "$sha256" "$bad"
	err=$(VENDOR_SRC_DIR=$SRC scripts/vendor-fetch "$tmp/r/zlib.recipe" \
		2>&1 >/dev/null)
	assertNotEquals "exit status" 0 $?
	assertEquals "vendor: zlib: $orig: sha256 mismatch (expected $bad, got $sha256)" \
		"$err"
}

testWrongDebianSha256Stops() {
	debian=$(pin cjson.recipe debian)
	debian_sha256=$(pin cjson.recipe debian_sha256)
	need_tarball "$debian" || return
	bad=$(corrupt cjson.recipe debian_sha256)
	assertNotEquals "corrupted pin" "$debian_sha256" "$bad"
	err=$(VENDOR_SRC_DIR=$SRC scripts/vendor-fetch --verify \
		"$tmp/r/cjson.recipe" 2>&1 >/dev/null)
	assertNotEquals "exit status" 0 $?
	assertEquals "vendor: cjson: $debian: sha256 mismatch (expected $bad, got $debian_sha256)" \
		"$err"
}

testPinnedTarballsVerify() {
	need_tarball "$(pin zlib.recipe orig)" || return
	out=$(VENDOR_SRC_DIR=$SRC scripts/vendor-fetch --verify vendor/*.recipe 2>&1)
	assertEquals "exit status" 0 $?
	assertEquals "" "$out"
}

testVerifyNeverFetches() {
	err=$(VENDOR_SRC_DIR=$tmp/empty scripts/vendor-fetch --verify \
		vendor/zlib.recipe 2>&1 >/dev/null)
	assertNotEquals "exit status" 0 $?
	assertEquals "vendor: zlib: $tmp/empty/$(pin zlib.recipe orig): missing" \
		"$err"
}

testArchivesExist() {
	for a in libcjson.a:cJSON_Parse libbearssl.a:br_sha256_init \
		 libzstd.a:ZSTD_decompress libz.a:inflateInit_ \
		 libseccomp.a:seccomp_export_bpf; do
		f=$LIB/${a%%:*}
		assertTrue "$f exists and is not empty" "[ -s '$f' ]"
		nm -g --defined-only "$f" 2>/dev/null | grep -q " T ${a#*:}\$"
		assertTrue "$f defines ${a#*:}" $?
	done
}

testHeadersInstalled() {
	for h in cJSON.h zlib.h zconf.h zstd.h zstd_errors.h bearssl.h \
		 seccomp.h seccomp-syscalls.h linux/seccomp.h asm/unistd.h; do
		assertTrue "$h installed" "[ -s '$BUILD/vendor/include/$h' ]"
	done
}

# Only enabled, Debian-signed, non-cdrom entries turn into deb-src ones.
testDerivedSources() {
	etc=$tmp/etc
	mkdir -p "$etc/sources.list.d"
	cat > "$etc/sources.list" <<-'EOF'
	# a comment
	deb http://archive.example/debian bookworm main # trailing
	deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://archive.example/debian bookworm-updates main
	deb [signed-by=/usr/share/keyrings/other.gpg] http://other.example/apt stable main
	deb-src http://archive.example/debian bookworm main
	deb cdrom:[Debian GNU/Linux 12]/ bookworm main
	EOF
	echo 'deb http://other.example/apt x main' \
		> "$etc/sources.list.d/x.list.disabled-by-admin"
	cat > "$etc/sources.list.d/d.sources" <<-'EOF'
	Types: deb
	URIs: http://archive.example/debian-security
	Suites: bookworm-security
	Components: main
	Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

	Types: deb
	URIs: http://archive.example/off
	Suites: bookworm
	Components: main
	Enabled: no

	Types: deb
	URIs: http://other.example/inline
	Suites: stable
	Components: main
	Signed-By:
	 -----BEGIN PGP PUBLIC KEY BLOCK-----
	 .
	 -----END PGP PUBLIC KEY BLOCK-----
	EOF
	VENDOR_APT_ETC=$etc scripts/vendor-fetch --sources "$tmp/out"
	assertEquals "exit status" 0 $?
	assertEquals "deb-src http://archive.example/debian bookworm main
deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://archive.example/debian bookworm-updates main" \
		"$(cat "$tmp/out/vendor.list")"
	assertEquals "Types: deb-src
URIs: http://archive.example/debian-security
Suites: bookworm-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg" \
		"$(cat "$tmp/out/vendor.sources")"
}

# The private list is made at build time: no mirror is named in the tree.
testNoMirrorHostInTree() {
	if ! command -v git >/dev/null || ! git rev-parse 2>/dev/null; then
		echo "SKIP: not a git work tree"
		startSkipping
		return
	fi
	hits=$(git ls-files -z --cached --others --exclude-standard |
		xargs -0 grep -IilE '([a-z0-9-]+\.)*debian\.(org|net)' -- \
		2>/dev/null)
	assertEquals "files naming a Debian host" "" "$hits"
}

# shellcheck source=/dev/null
. shunit2
