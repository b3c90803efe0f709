#!/bin/bash
# tests/rootfs-unpack_test.sh - rootfs-unpack: every source (rootfs tarballs
# plain, gzip, multi-member gzip and zstd, from a file and stdin; OCI
# layouts made by umoci and skopeo; docker save archives; a registry, in
# tests/rootfs-unpack/registry.sh) unpacked and compared with a reference
# (GNU tar for tarballs, umoci unpack for images): paths, types, modes,
# owners, link targets, xattrs, mtimes and contents.  Then whiteouts across
# layers, the bundle's config.json run by oci-run, rootless and shifted
# ownership, the hostile archives of tests/mkhostile.py, digests that lie,
# and the command line.

. "$(dirname "$0")/lib.sh" || exit 1
. "$(dirname "$0")/image-lib.sh" || exit 1

OUTSIDE=

oneTimeSetUp() {
	lib_oneTimeSetUp || return 1
	OUTSIDE=$TEST_TMP/outside
	mkdir -p "$OUTSIDE"
	echo original > "$OUTSIDE/target"
}

setUp() {
	lib_setUp
	require_ocibox "rootfs-unpack is ocibox's" || return
	lib_base_bundle || return
	ROOTFS=$TEST_TMP/base/rootfs
}

ru() {
	timeout -k 5 120 "$BIN/rootfs-unpack" "$@"
}

assert_ru_error() {
	assert_rc 1 "$2"
	assertEquals "${2:-stderr}" "rootfs-unpack: $1" "$err"
}

# A tarball of the suite's rootfs with what busybox lacks: a hard link, a
# fifo, a device, a setuid file, an xattr, a long name, odd owners.
rich_tar() {
	local src=$T/rich
	rm -rf "$src"
	cp -a "$ROOTFS" "$src"
	mkdir -p "$src/deep/$(printf 'd%.0s' $(seq 120))/x"
	echo long > "$src/deep/$(printf 'd%.0s' $(seq 120))/x/$(printf 'n%.0s' $(seq 150))"
	echo data > "$src/file" && ln "$src/file" "$src/hard"
	mkfifo "$src/fifo"
	mknod "$src/null" c 1 3
	echo s > "$src/suid" && chmod 4755 "$src/suid"
	chown 1234:4321 "$src/file"
	ln -s /nowhere/at/all "$src/dangling"
	setfattr -n user.note -v hello "$src/file" 2>/dev/null
	setcap cap_net_raw+ep "$src/suid" 2>/dev/null
	tar --xattrs --xattrs-include='*' --numeric-owner -C "$src" -cf "$1" .
}

# GNU tar's reading of archive $1 into $2: the reference for tarballs.
tar_ref() {
	mkdir -p "$2"
	tar --xattrs --xattrs-include='*' --numeric-owner -xpf "$1" -C "$2"
}

# --- tarballs -------------------------------------------------------------------

testTarballPlainIsGnuTar() {
	rich_tar "$T/r.tar"
	tar_ref "$T/r.tar" "$T/ref"
	capture ru "$T/r.tar" "$T/dst"
	assert_ok
	assert_no_err
	assert_same_tree "$T/ref" "$T/dst"
	assertEquals "uid kept" "1234:4321" "$(stat -c %u:%g "$T/dst/file")"
	assertEquals "setuid kept" 4755 "$(stat -c %a "$T/dst/suid")"
	assertEquals "hard link" "$(stat -c %i "$T/dst/file")" \
		"$(stat -c %i "$T/dst/hard")"
}

testTarballGzipZstdMultiMemberStdin() {
	local f
	rich_tar "$T/r.tar"
	tar_ref "$T/r.tar" "$T/ref"
	gzip -c < "$T/r.tar" > "$T/r.tgz"
	# Two gzip members, as `cat a.gz b.gz` or pigz makes them.
	head -c 300000 "$T/r.tar" | gzip -c > "$T/r2.gz"
	tail -c +300001 "$T/r.tar" | gzip -c >> "$T/r2.gz"
	require_cmd zstd || return
	zstd -q -c < "$T/r.tar" > "$T/r.zst"
	# Named to mislead: the magic bytes decide, never the name.
	cp "$T/r.zst" "$T/misleading.tar.gz"
	for f in r.tgz r2.gz r.zst misleading.tar.gz; do
		capture ru "$T/$f" "$T/dst-$f"
		assert_ok "$f"
		assert_same_tree "$T/ref" "$T/dst-$f" "$f"
	done
	capture ru - "$T/dst-stdin" < "$T/r.tgz"
	assert_ok "stdin"
	assert_same_tree "$T/ref" "$T/dst-stdin" "stdin"
	mkfifo "$T/fifo"
	cat "$T/r.zst" > "$T/fifo" &
	capture ru "$T/fifo" "$T/dst-fifo"
	wait
	assert_ok "a named pipe"
	assert_same_tree "$T/ref" "$T/dst-fifo" "a named pipe"
}

testTarballCorruptLeavesNothing() {
	rich_tar "$T/r.tar"
	gzip -c < "$T/r.tar" | head -c 200000 > "$T/cut.tgz"
	capture ru "$T/cut.tgz" "$T/dst"
	assert_rc 1
	assert_contains "names the stream" "$err" "$T/cut.tgz: gzip: unexpected end"
	assertFalse "no DEST" "[ -e '$T/dst' ]"
	assertEquals "no sibling" "" "$(ls -A "$T" | grep unpack)"
	printf 'BZh91AY&SY' > "$T/b.bz2"
	capture ru "$T/b.bz2" "$T/dst"
	assert_rc 1
	assert_contains "bzip2 named" "$err" "bzip2"
	assertFalse "no DEST" "[ -e '$T/dst' ]"
}

testDestMustBeAbsentOrEmpty() {
	tar -C "$ROOTFS" -cf "$T/r.tar" .
	mkdir -p "$T/full" && echo x > "$T/full/keep"
	capture ru "$T/r.tar" "$T/full"
	assert_ru_error "$T/full: exists and is not an empty directory"
	assertEquals "left alone" x "$(cat "$T/full/keep")"
	mkdir "$T/empty"
	capture ru "$T/r.tar" "$T/empty"
	assert_ok
	assertTrue "unpacked into the empty dir" "[ -x '$T/empty/bin/busybox' ]"
	capture ru "$T/r.tar" "$T/no/such/parent/dest"
	assert_rc 1
	assert_contains "parent named" "$err" "$T/no/such/parent/dest: its parent directory"
}

# --- images -----------------------------------------------------------------------

# An OCI layout at $1 with image "base" from the suite rootfs, and "next"
# on top of it: a file changed, one removed (a whiteout), a directory
# replaced wholesale (an opaque whiteout), a config with entrypoint, env,
# workdir, user and labels.  Made with umoci, which writes the whiteouts.
umoci_layout() {
	local l=$1 b=$T/umoci-bundle
	umoci init --layout "$l" > /dev/null &&
	umoci new --image "$l:base" > /dev/null &&
	umoci unpack --image "$l:base" "$b" > /dev/null || return 1
	rm -rf "$b/rootfs"/* && cp -a "$ROOTFS"/. "$b/rootfs"/ &&
	mkdir -p "$b/rootfs/srv/old/sub" && echo a > "$b/rootfs/srv/old/a" &&
	echo b > "$b/rootfs/srv/old/sub/b" && echo gone > "$b/rootfs/gone" &&
	printf 'root:x:0:0::/root:/bin/sh\napp:x:1000:1000::/home/app:/bin/sh\n' \
		> "$b/rootfs/etc/passwd" &&
	printf 'root:x:0:\napp:x:1000:\nextra:x:2000:app\n' > "$b/rootfs/etc/group" &&
	umoci repack --image "$l:base" "$b" > /dev/null &&
	umoci tag --image "$l:base" next > /dev/null || return 1
	rm -rf "$b"
	umoci unpack --image "$l:next" "$b" > /dev/null || return 1
	echo changed > "$b/rootfs/srv/old/a" && rm "$b/rootfs/gone" &&
	rm -rf "$b/rootfs/srv/old" && mkdir -p "$b/rootfs/srv/old" &&
	echo fresh > "$b/rootfs/srv/old/new" &&
	umoci repack --image "$l:next" "$b" > /dev/null &&
	umoci config --image "$l:next" --config.entrypoint /bin/sh \
		--config.cmd -c --config.cmd 'echo hello from $GREETING; id -u' \
		--config.env GREETING=image --config.workingdir /srv \
		--config.user app --config.label org.example.k=v \
		> /dev/null || return 1
	rm -rf "$b"
}

testOciLayoutIsUmociUnpack() {
	require_cmd umoci || return
	umoci_layout "$T/layout" || { fail "umoci could not make the layout"; return; }
	umoci unpack --image "$T/layout:next" "$T/ref" > /dev/null ||
		{ fail "umoci unpack"; return; }
	capture ru "oci:$T/layout:next" "$T/dst"
	assert_ok
	assert_no_err
	assert_same_tree "$T/ref/rootfs" "$T/dst" "oci layout"
	assertFalse "whiteout applied" "[ -e '$T/dst/gone' ]"
	assertFalse "opaque dir applied" "[ -e '$T/dst/srv/old/sub' ]"
	assertEquals "new content" fresh "$(cat "$T/dst/srv/old/new")"
	capture ru "oci:$T/layout" "$T/dst2"
	assert_rc 1
	assert_contains "ambiguous ref names both" "$err" "base"
	capture ru "oci:$T/layout:nosuch" "$T/dst3"
	assert_rc 1
	assertFalse "no DEST" "[ -e '$T/dst3' ]"
}

testDockerSaveArchiveIsTheSame() {
	require_cmd umoci skopeo || return
	umoci_layout "$T/layout" || { fail "umoci could not make the layout"; return; }
	umoci unpack --image "$T/layout:next" "$T/ref" > /dev/null ||
		{ fail "umoci unpack"; return; }
	skopeo copy -q "oci:$T/layout:next" \
		"docker-archive:$T/saved.tar:example/next:latest" ||
		{ fail "skopeo docker-archive"; return; }
	capture ru "$T/saved.tar" "$T/dst"
	assert_ok
	assert_same_tree "$T/ref/rootfs" "$T/dst" "docker save"
	# skopeo's spelling, with a RepoTag to choose by.
	capture ru "docker-archive:$T/saved.tar:example/next:latest" "$T/dst-tag"
	assert_ok "by RepoTag: $err"
	assert_same_tree "$T/ref/rootfs" "$T/dst-tag" "docker save by tag"
	capture ru "docker-archive:$T/saved.tar:nosuch:1" "$T/dst-none"
	assert_rc 1
	assert_contains "the tag named" "$err" "nosuch:1"
	assertFalse "no DEST" "[ -e '$T/dst-none' ]"
	skopeo copy -q "oci:$T/layout:next" "oci:$T/skopeo-layout:next" ||
		{ fail "skopeo oci"; return; }
	capture ru "oci:$T/skopeo-layout:next" "$T/dst2"
	assert_ok
	assert_same_tree "$T/ref/rootfs" "$T/dst2" "skopeo's layout"
}

testBundleRunsTheImage() {
	require_cmd umoci || return
	umoci_layout "$T/layout" || { fail "umoci could not make the layout"; return; }
	capture ru --bundle "$T/b" "oci:$T/layout:next"
	assert_ok
	assert_no_err
	assertEquals "args" '["/bin/sh","-c","echo hello from $GREETING; id -u"]' \
		"$(jq -c .process.args "$T/b/config.json")"
	assertEquals "cwd" /srv "$(jq -r .process.cwd "$T/b/config.json")"
	assertEquals "user from the rootfs's passwd and group" \
		'{"uid":1000,"gid":1000,"additionalGids":[2000]}' \
		"$(jq -c .process.user "$T/b/config.json")"
	assertEquals "env" "GREETING=image" \
		"$(jq -r '.process.env[] | select(startswith("GREETING"))' "$T/b/config.json")"
	assertEquals "label" v \
		"$(jq -r '.annotations["org.example.k"]' "$T/b/config.json")"
	assertEquals "terminal" false "$(jq .process.terminal "$T/b/config.json")"
	local id
	id=$(new_id)
	jq 'del(.linux.resources)' "$T/b/config.json" > "$T/b/c" &&
		mv "$T/b/c" "$T/b/config.json"
	capture oci run --bundle "$T/b" "$id"
	assert_ok "run: $err"
	assert_out "$(printf 'hello from image\n1000')"
	capture ru --bundle "$T/b" "oci:$T/layout:next"
	assert_ru_error "--bundle $T/b: config.json exists already"
}

# Two hand-made layers: whiteouts that must spare what their own layer
# made, an opaque marker after its directory's new children.
testWhiteoutsLowerLayersOnly() {
	local l=$T/wl
	mkdir -p "$T/l1/d/sub" "$T/l2/d"
	echo 1 > "$T/l1/f" && echo 1 > "$T/l1/d/old" && echo 1 > "$T/l1/d/sub/x"
	echo 1 > "$T/l1/keep"
	tar -C "$T/l1" -cf "$T/l1.tar" .
	# Layer 2 in this order: d/new, then d/.wh..wh..opq (after its
	# sibling), .wh.f, then f again (made after its whiteout: kept).
	echo 2 > "$T/l2/d/new"
	: > "$T/l2/d/.wh..wh..opq"
	: > "$T/l2/.wh.f"
	tar -C "$T/l2" -cf "$T/l2.tar" ./d/new ./d/.wh..wh..opq ./.wh.f
	echo 2 > "$T/l2/f"
	tar -C "$T/l2" -rf "$T/l2.tar" ./f
	layout_of "$l" "$T/l1.tar" "$T/l2.tar" ||
		{ fail "layout_of"; return; }
	capture ru "oci:$l" "$T/dst"
	assert_ok
	assertEquals "opaque: lower children gone, its own kept" "new" \
		"$(ls "$T/dst/d")"
	assertEquals "re-added after its whiteout" 2 "$(cat "$T/dst/f")"
	assertEquals "untouched" 1 "$(cat "$T/dst/keep")"
	assertEquals "no whiteout file made" "" \
		"$(find "$T/dst" -name '.wh.*')"
}

testDigestsThatLie() {
	local l=$T/lie blob size
	tar -C "$ROOTFS" -cf "$T/l1.tar" .
	# A config whose DiffID is not the layer's.
	LAYOUT_DIFF_ID=sha256:$(printf '%064d' 0) layout_of "$l" "$T/l1.tar" ||
		{ fail "layout_of"; return; }
	capture ru "oci:$l" "$T/dst"
	assert_rc 1
	assert_contains "DiffID mismatch named" "$err" \
		"DiffID mismatch: the config says sha256:$(printf '%064d' 0)"
	assertFalse "no DEST" "[ -e '$T/dst' ]"
	assertEquals "no sibling" "" "$(ls -A "$T" | grep unpack)"
	capture ru --no-diffid-check "oci:$l" "$T/dst"
	assert_ok "--no-diffid-check"
	# The blob corrupted: gzip's check, or the digest, stops it.
	blob=$(ls -S "$l/blobs/sha256" | head -n 1)
	printf 'X' | dd of="$l/blobs/sha256/$blob" bs=1 seek=100 \
		conv=notrunc 2>/dev/null
	capture ru --no-diffid-check "oci:$l" "$T/dst2"
	assert_rc 1
	assert_contains "the layer named" "$err" "layer 1 (sha256:"
	assertFalse "no DEST" "[ -e '$T/dst2' ]"
	# Another valid blob under its name: the digest stops it.
	size=$(stat -c %s "$l/blobs/sha256/$blob")
	tar -C "$ROOTFS" -cf - bin | gzip -n -c > "$T/other.gz"
	head -c "$size" /dev/zero | cat "$T/other.gz" - | head -c "$size" \
		> "$l/blobs/sha256/$blob"
	capture ru --no-diffid-check "oci:$l" "$T/dst3"
	assert_rc 1
	assert_contains "digest mismatch" "$err" "digest mismatch"
	assertFalse "no DEST" "[ -e '$T/dst3' ]"
}

# The image's User is looked up in its own passwd, which must be a file:
# a fifo there would hang the unpack, a device would be opened on the host.
testBundleUserLookupSafe() {
	mkdir -p "$T/l/etc"
	mkfifo "$T/l/etc/passwd"
	tar -C "$T/l" -cf "$T/l.tar" .
	LAYOUT_USER=app layout_of "$T/fifo-passwd" "$T/l.tar" ||
		{ fail "layout_of"; return; }
	capture ru --bundle "$T/b" "oci:$T/fifo-passwd"
	assert_ru_error "rootfs /etc/passwd: not a regular file"
	assertFalse "no bundle left" "[ -e '$T/b' ]"
	rm -rf "$T/l" && mkdir -p "$T/l/etc"
	# A short line must not borrow the next line's fields.
	printf 'app\nroot:x:0:0::/root:/bin/sh\n' > "$T/l/etc/passwd"
	tar -C "$T/l" -cf "$T/l2.tar" .
	LAYOUT_USER=app layout_of "$T/short" "$T/l2.tar" ||
		{ fail "layout_of"; return; }
	capture ru --bundle "$T/b2" "oci:$T/short"
	assert_ru_error "image config: User \"app\": no user app in the rootfs's /etc/passwd"
}

# --- ownership --------------------------------------------------------------------

testRootlessOwnsEverythingSkipsDevices() {
	require_cmd setpriv || return
	rich_tar "$T/r.tar"
	mkdir -p "$T/u" && chown 1234:1234 "$T/u" && chmod 755 "$T" "$T/r.tar"
	capture setpriv --reuid 1234 --regid 1234 --clear-groups \
		"$BIN/rootfs-unpack" "$T/r.tar" "$T/u/out"
	assert_ok
	assertEquals "one warning naming the device" \
		"rootfs-unpack: warning: skipped 1 device node (not created rootless or in a user namespace): null" \
		"$(grep 'device' "$T/err")"
	assertEquals "all the caller's" "1234:1234" \
		"$(find "$T/u/out" -printf '%U:%G\n' | sort -u)"
	assertTrue "busybox there" "[ -x '$T/u/out/bin/busybox' ]"
	assertTrue "fifo made" "[ -p '$T/u/out/fifo' ]"
}

testUidMapShifts() {
	rich_tar "$T/r.tar"
	capture ru --uid-map 0:100000:65536 --gid-map 0:100000:65536 \
		"$T/r.tar" "$T/dst"
	assert_ok
	assertEquals "root shifted" 100000:100000 "$(stat -c %u:%g "$T/dst/bin")"
	assertEquals "1234:4321 shifted" 101234:104321 "$(stat -c %u:%g "$T/dst/file")"
	capture ru --uid-map 0:100000:1000 "$T/r.tar" "$T/dst2"
	assert_rc 1
	assert_contains "the id and the entry" "$err" "1234"
	assertFalse "no DEST" "[ -e '$T/dst2' ]"
}

# --- hostile archives -----------------------------------------------------------

hostile() {
	[ -d "$TEST_TMP/hostile" ] ||
		python3 "$REPO/tests/mkhostile.py" "$TEST_TMP/hostile" "$OUTSIDE" ||
		return 1
}

# Each must fail, or stay inside DEST: OUTSIDE is never touched, and a
# failed run leaves no DEST and no sibling.
testHostileArchivesStayInside() {
	local f name
	require_cmd python3 || return
	hostile || { fail "mkhostile.py"; return; }
	for f in "$TEST_TMP"/hostile/*; do
		name=${f##*/}
		capture ru --max-bytes 16M --max-entries 1000 "$f" "$T/dst-$name"
		assertEquals "$name: outside untouched" "original" \
			"$(cat "$OUTSIDE/target")"
		assertEquals "$name: nothing new outside" "target" \
			"$(ls -A "$OUTSIDE")"
		if [ "$rc" != 0 ]; then
			assertFalse "$name failed: no DEST" "[ -e '$T/dst-$name' ]"
			assertEquals "$name: one line" 1 "$(wc -l < "$T/err")"
		fi
		echo "$name: rc $rc: $(head -c 200 "$T/err")"
	done
	assertEquals "no sibling" "" "$(ls -A "$T" | grep unpack)"
}

testHostileErrorsNameTheEntry() {
	require_cmd python3 || return
	hostile || { fail "mkhostile.py"; return; }
	capture ru "$TEST_TMP/hostile/dotdot.tar" "$T/o1"
	assert_rc 1
	assert_contains "dotdot" "$err" "../escape"
	capture ru "$TEST_TMP/hostile/pax-huge.tar" "$T/o2"
	assert_rc 1
	assert_contains "pax size" "$err" "pax"
	capture ru --max-bytes 1M "$TEST_TMP/hostile/bomb.tar.gz" "$T/o3"
	assert_rc 1
	assert_contains "bomb stopped" "$err" "zeros"
	capture ru "$TEST_TMP/hostile/escape-name.tar" "$T/o4"
	assertFalse "no escape byte printed" "grep -q $'\\x1b' '$T/err'"
	capture ru "$TEST_TMP/hostile/bare-whiteout.tar" "$T/o5"
	assert_rc 1
	assert_contains "bare .wh." "$err" ".wh."
}

# On a terminal a progress line, erased at the end; none with -q (and
# none without a terminal: the tests above see an empty stderr).
testProgressOnATerminalOnly() {
	local tools=$BUILD/tools
	[ -x "$tools/ptyrun" ] || { skip "$tools/ptyrun: not built (make tools)"; return; }
	tar -C "$ROOTFS" -czf "$T/r.tgz" .
	capture "$tools/ptyrun" -- "$BIN/rootfs-unpack" "$T/r.tgz" "$T/dst"
	assert_ok
	assertTrue "a progress line" "grep -q 'layer 1/1 .* kB\\|layer 1/1 .* MB' '$T/out'"
	assertTrue "erased at the end" \
		"[ \"\$(tail -c 4 '$T/out' | od -An -c | tr -d ' ')\" = '\\r033[K' ]"
	capture "$tools/ptyrun" -- "$BIN/rootfs-unpack" -q "$T/r.tgz" "$T/dst2"
	assert_ok
	assert_out ""
}

# --- command line ------------------------------------------------------------------

testUsage() {
	capture ru
	assert_ru_error "needs SRC and DEST (see rootfs-unpack --help)"
	capture ru --bundle "$T/b" a b
	assert_ru_error "--bundle DIR takes one SRC (see rootfs-unpack --help)"
	capture ru --max-bytes lots a b
	assert_ru_error "--max-bytes lots: expected a positive number, with K, M, G or T"
	capture ru --rootless --uid-map 0:1:1 a b
	assert_ru_error "--rootless and --uid-map/--gid-map: give one (see rootfs-unpack --help)"
	capture ru --frob a b
	assert_ru_error "unknown option --frob (see rootfs-unpack --help)"
	capture ru "$T/nosuch" "$T/dst"
	assert_ru_error "$T/nosuch: No such file or directory"
	assertFalse "no DEST" "[ -e '$T/dst' ]"
	capture ru --help
	assert_ok
	assertEquals "first line" "Usage: rootfs-unpack [OPTIONS] SRC DEST" \
		"$(head -n 1 "$T/out")"
	assertTrue "--plain-http says it is for tests" \
		"grep -A1 -- '--plain-http' '$T/out' | grep -q 'for tests'"
}

lib_parts rootfs-unpack

. "$SHUNIT2"
