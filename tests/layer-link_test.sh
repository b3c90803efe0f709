#!/bin/bash
# tests/layer-link_test.sh - layer-link's store: imports (each layer once,
# concurrent ones included), assemblies in each mode compared with
# rootfs-unpack of the same image, whiteouts and opaque directories across
# layers, the protection of shared inodes proven by a container's root
# trying to write through them, references, release and gc (stale refs,
# dry runs, waiting for users), rootfs-unpack --store, and the command
# line.

. "$(dirname "$0")/lib.sh" || exit 1
. "$(dirname "$0")/image-lib.sh" || exit 1

MAP=0:100000:65536

setUp() {
	lib_setUp
	require_ocibox "layer-link is ocibox's" || return
	lib_base_bundle || return
	ROOTFS=$TEST_TMP/base/rootfs
	S=$T/store
}

ll() {
	timeout -k 5 120 "$BIN/layer-link" --store "$S" "$@"
}

# The overlay mounts a test made go in tearDown (the suite has its own
# mount namespace, but a later test must not see them).
tearDown() {
	local m
	for m in $(awk -v t="$T/" 'index($5, t) == 1 { print $5 }' \
		/proc/self/mountinfo 2>/dev/null | sort -r); do
		umount -l "$m" 2>/dev/null
	done
	lib_tearDown
}

diff_id() {
	echo "sha256:$(sha256sum < "$1" | cut -d' ' -f1)"
}

# Three layers with what an OS image's updates do: a file replaced, a
# file whited out, a directory made opaque (its lower children gone, its
# own kept), a directory over a file and a file over a directory, a
# setuid file, a file only root may read, one not root's, a symlink
# planted where an upper layer has a directory.
three_layers() {
	rm -rf "$T/l1" "$T/l2" "$T/l3"
	mkdir -p "$T/l1" "$T/l2/etc" "$T/l2/opq" "$T/l3/etc"
	cp -a "$ROOTFS/." "$T/l1/"
	mkdir -p "$T/l1/opq/sub" "$T/l1/todir" "$T/l1/gone"
	echo old > "$T/l1/etc/motd"
	echo old > "$T/l1/opq/sub/x" && echo old > "$T/l1/opq/y"
	echo file > "$T/l1/tofile"
	echo in > "$T/l1/todir/inner"
	echo x > "$T/l1/gone/x" && echo w > "$T/l1/wh"
	echo secret > "$T/l1/etc/shadow-ish" && chmod 0640 "$T/l1/etc/shadow-ish"
	echo s > "$T/l1/suid" && chmod 4755 "$T/l1/suid"
	echo u > "$T/l1/user-file" && chown 1000:1000 "$T/l1/user-file"
	echo h > "$T/l1/hard1" && ln "$T/l1/hard1" "$T/l1/hard2"
	echo ww > "$T/l1/ww" && chmod 0666 "$T/l1/ww"
	tar --numeric-owner -C "$T/l1" -cf "$T/l1.tar" .
	echo new > "$T/l2/etc/motd"
	echo mine > "$T/l2/opq/new"
	: > "$T/l2/opq/.wh..wh..opq"
	: > "$T/l2/.wh.wh"
	: > "$T/l2/.wh.gone"
	mkdir -p "$T/l2/tofile" && echo d > "$T/l2/tofile/now-a-dir"
	echo f > "$T/l2/todir"
	# Each with its directories, as image layers have them (a directory
	# a layer leaves out is one whose metadata no tool agrees on).
	tar --numeric-owner --no-recursion -C "$T/l2" -cf "$T/l2.tar" ./etc \
		./etc/motd ./opq ./opq/new ./opq/.wh..wh..opq ./.wh.wh ./.wh.gone \
		./tofile ./tofile/now-a-dir ./todir
	echo third > "$T/l3/etc/motd"
	echo again > "$T/l3/wh"
	tar --numeric-owner --no-recursion -C "$T/l3" -cf "$T/l3.tar" ./etc \
		./etc/motd ./wh
	L1=$(diff_id "$T/l1.tar") L2=$(diff_id "$T/l2.tar") L3=$(diff_id "$T/l3.tar")
}

import_three() {
	three_layers
	capture ll import "$T/l1.tar" "$T/l2.tar" "$T/l3.tar"
	assert_ok "import"
}

# What rootfs-unpack makes of the same three layers: the reference.
reference() {
	layout_of "$T/img" "$T/l1.tar" "$T/l2.tar" "$T/l3.tar" ||
		{ fail "layout_of"; return 1; }
	"$BIN/rootfs-unpack" -q "oci:$T/img" "$T/ref" ||
		{ fail "rootfs-unpack of the reference"; return 1; }
}

testImportOnceWhateverTheCompression() {
	tar --numeric-owner -C "$ROOTFS" -cf "$T/l.tar" .
	gzip -n -c < "$T/l.tar" > "$T/l.tar.gz"
	zstd -q -c < "$T/l.tar" > "$T/l.tar.zst" || skip "no zstd"
	id=$(diff_id "$T/l.tar")
	capture ll import "$T/l.tar.gz"
	assert_ok
	assert_out "$id imported $T/l.tar.gz"
	capture ll import "$T/l.tar.gz" "$T/l.tar" "$T/l.tar.zst"
	assert_ok
	assert_out "$id present $T/l.tar.gz
$id present $T/l.tar
$id present $T/l.tar.zst"
	capture ll ls -f json
	assert_ok
	assertEquals "one layer" "1 $id 0" \
		"$(echo "$out" | jq -r 'length as $n | .[0] | "\($n) \(.diff_id) \(.refs)"')"
	assertEquals "entries" "$(tar -tf "$T/l.tar" | wc -l)" \
		"$(echo "$out" | jq '.[0].entries')"
	assertTrue "the tree, read-only by owner: the image's" \
		"[ -x '$S/layers/sha256/${id#sha256:}/root/bin/busybox' ]"
	capture ll ls
	assert_ok
	assert_contains "table" "$out" "$id"
}

testConcurrentImportsExtractOnce() {
	local i
	tar --numeric-owner -C "$ROOTFS" -cf "$T/l.tar" .
	for i in 1 2 3 4 5 6; do
		ll import "$T/l.tar" > "$T/imp.$i" 2>&1 &
	done
	wait
	assertEquals "every import ends with the layer" 6 \
		"$(cat "$T"/imp.* | grep -c "^$(diff_id "$T/l.tar") \(imported\|present\) ")"
	assertEquals "exactly one extracted it" 1 \
		"$(cat "$T"/imp.* | grep -c ' imported ')"
	assertEquals "no temporary left" "" \
		"$(ls -A "$S/layers/sha256" | grep -v '^\.[0-9a-f]*\.lock$' | grep '^\.')"
}

testWhiteoutsStoredAsOverlayDoes() {
	import_three
	local r2=$S/layers/sha256/${L2#sha256:}/root
	assertEquals "whiteout: a 0/0 character device" "c 0 0" \
		"$(stat -c '%F' "$r2/wh" | sed 's/character special file/c/') $(stat -c '%t %T' "$r2/wh")"
	assertEquals "opaque directory" "y" \
		"$(getfattr --only-values -n trusted.overlay.opaque "$r2/opq" 2>/dev/null)"
	assertFalse "no .wh. file kept" "[ -e '$r2/.wh.wh' ]"
}

testAssembleHardlinkIsTheUnpackedImage() {
	import_three
	reference || return
	capture ll assemble --read-only "$T/dst" "$L1" "$L2" "$L3"
	assert_ok
	assert_no_err
	assert_same_tree "$T/ref" "$T/dst" "hardlink assembly vs rootfs-unpack"
	assertEquals "a file is the store's inode" \
		"$(stat -c %i "$S/layers/sha256/${L3#sha256:}/root/etc/motd")" \
		"$(stat -c %i "$T/dst/etc/motd")"
	assertEquals "busybox is the store's inode" \
		"$(stat -c %i "$S/layers/sha256/${L1#sha256:}/root/bin/busybox")" \
		"$(stat -c %i "$T/dst/bin/busybox")"
	assertEquals "in-layer hard links stay one inode" \
		"$(stat -c %i "$T/dst/hard1")" "$(stat -c %i "$T/dst/hard2")"
	assertNotEquals "directories are the container's own" \
		"$(stat -c %i "$S/layers/sha256/${L1#sha256:}/root/etc")" \
		"$(stat -c %i "$T/dst/etc")"
	capture ll ls -f json
	assertEquals "each layer has one ref" "1 1 1" \
		"$(echo "$out" | jq -r '[.[].refs] | map(tostring) | join(" ")')"
	assertEquals "no sibling left" "" "$(ls -A "$T" | grep assemble)"
}

testAssembleCopyAndOverlayShowTheSame() {
	import_three
	reference || return
	capture ll assemble --mode copy "$T/cp" "$L1" "$L2" "$L3"
	assert_ok "copy"
	assert_same_tree "$T/ref" "$T/cp" "copy assembly vs rootfs-unpack"
	assertNotEquals "copy: own inodes" \
		"$(stat -c %i "$S/layers/sha256/${L1#sha256:}/root/bin/busybox")" \
		"$(stat -c %i "$T/cp/bin/busybox")"
	assertEquals "copy: in-layer hard links kept" \
		"$(stat -c %i "$T/cp/hard1")" "$(stat -c %i "$T/cp/hard2")"
	capture ll assemble --mode overlay "$T/ov" "$L1" "$L2" "$L3"
	assert_ok "overlay"
	assertTrue "overlay: a mount" "mountpoint -q '$T/ov'"
	# overlayfs gives directories its own link counts and times: compare
	# what a container sees of files.
	(cd "$T/ref" && find . | LC_ALL=C sort) > "$T/names.ref"
	(cd "$T/ov" && find . | LC_ALL=C sort) > "$T/names.ov"
	assertEquals "overlay: the same names" "" \
		"$(diff "$T/names.ref" "$T/names.ov")"
	assertEquals "overlay: the top layer's file" third "$(cat "$T/ov/etc/motd")"
	assertFalse "overlay: whiteout applied" "[ -e '$T/ov/gone' ]"
	assertEquals "overlay: opaque dir" new "$(ls "$T/ov/opq")"
	capture ll assemble --mode overlay "$T/ov" "$L1"
	assert_rc 1 "again on the live mount"
	assertEquals "refused" "layer-link: assemble: $T/ov: assembled already (layer-link release it first)" "$err"
	capture ll refs -f json
	assertEquals "its ref kept" 1 \
		"$(echo "$out" | jq --arg p "$T/ov" '[.[] | select(.path == $p)] | length')"
	capture ll release "$T/ov"
	assert_ok "release overlay"
	assertFalse "overlay: unmounted and gone" "[ -e '$T/ov' ]"
	assertEquals "overlay: its upper and work gone" "" "$(ls -A "$T" | grep overlay)"
}

testHardlinkRefusedWhenUnprotected() {
	import_three
	capture ll assemble "$T/dst" "$L1" "$L2" "$L3"
	assert_rc 1
	assert_contains "the reason" "$err" "layer-link: assemble: hardlink: "
	assert_contains "what works" "$err" "--mode"
	assertEquals "one line" 1 "$(wc -l < "$T/err")"
	assertFalse "no DEST" "[ -e '$T/dst' ]"
	assertEquals "no sibling" "" "$(ls -A "$T" | grep assemble)"
	capture ll ls -f json
	assertEquals "no ref left" "0 0 0" \
		"$(echo "$out" | jq -r '[.[].refs] | map(tostring) | join(" ")')"
	# A map that takes in the store's owner protects nothing either.
	capture ll assemble --uid-map 0:0:65536 --gid-map 0:0:65536 "$T/dst" "$L1"
	assert_rc 1 "identity map"
	assert_contains "the map named" "$err" "uid"
}

testHardlinkUnderAMapCopiesWhatMustDiffer() {
	import_three
	capture ll assemble --uid-map $MAP --gid-map $MAP "$T/dst" "$L1" "$L2" "$L3"
	assert_ok
	local r1=$S/layers/sha256/${L1#sha256:}/root
	assertEquals "world-readable root file: linked" \
		"$(stat -c %i "$r1/bin/busybox")" "$(stat -c %i "$T/dst/bin/busybox")"
	assertNotEquals "setuid: copied" "$(stat -c %i "$r1/suid")" \
		"$(stat -c %i "$T/dst/suid")"
	assertEquals "setuid copy: mapped root, mode kept" "100000:100000 4755" \
		"$(stat -c '%u:%g %a' "$T/dst/suid")"
	assertEquals "0640: copied, mapped" "100000:100000 640" \
		"$(stat -c '%u:%g %a' "$T/dst/etc/shadow-ish")"
	assertEquals "not root's: copied, mapped" "101000:101000" \
		"$(stat -c '%u:%g' "$T/dst/user-file")"
	assertEquals "directories: mapped root" "100000:100000" \
		"$(stat -c '%u:%g' "$T/dst/etc")"
}

USERNS='.linux.namespaces += [{"type": "user"}] |
	.linux.uidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}] |
	.linux.gidMappings = .linux.uidMappings'

# protection_case MODE WHAT CONFIG-FILTER ASSEMBLE-OPTION...: a container
# on a tree assembled so, its root writing through to the store's files
# (append, chmod, the running busybox): refused, or for copy and overlay
# done to its own copy; the store the same after.
protection_case() {
	local mode=$1 what=$2 filter=$3 sum
	shift 3
	new_bundle
	rm -rf "$BUNDLE/rootfs"
	capture ll assemble "$@" "$BUNDLE/rootfs" "$L1" "$L2" "$L3"
	assert_ok "$what: assemble" || return
	sum=$(cd "$S/layers" && find . -type f -exec sha256sum {} + | sort | sha256sum)
	# The spec's default is a read-only root: only where asked.
	cfg '.root.readonly = false'
	[ -n "$filter" ] && cfg "$filter"
	run_sh 'echo pwned >> /etc/motd; chmod 777 /etc/motd; cat /etc/motd; echo pwned >> /ww; echo pwned >> /bin/busybox'
	assertEquals "$what: store unchanged" "$sum" \
		"$(cd "$S/layers" && find . -type f -exec sha256sum {} + | sort | sha256sum)"
	assertEquals "$what: store motd" third \
		"$(cat "$S/layers/sha256/${L3#sha256:}/root/etc/motd")"
	assertEquals "$what: store's world-writable file" ww \
		"$(cat "$S/layers/sha256/${L1#sha256:}/root/ww")"
	assertEquals "$what: store motd mode" 644 \
		"$(stat -c %a "$S/layers/sha256/${L3#sha256:}/root/etc/motd")"
	case $mode in
	copy|overlay) assertEquals "$what: its own copy changed" "third
pwned" "$out" ;;
	*) assertEquals "$what: the container saw its write refused" third "$out" ;;
	esac
	capture ll release "$BUNDLE/rootfs"
	assert_ok "$what: release"
}

testContainerRootCannotWriteTheStore() {
	import_three
	protection_case hardlink "hardlink, user namespace" "$USERNS" \
		--uid-map $MAP --gid-map $MAP
	protection_case hardlink "hardlink, read-only rootfs" \
		'.root.readonly = true' --read-only
	protection_case copy "copy" "" --mode copy
	protection_case overlay "overlay" "" --mode overlay
}

# import --owner: a store owned by ids no container maps (the seed's
# "superroot"): links for a container mapped elsewhere, a refusal for one
# that maps the store's owner, an overlay for one mapped onto it.
testOwnerOutsideEveryMap() {
	three_layers
	capture ll import --owner 200000:300000 "$T/l1.tar" "$T/l2.tar" "$T/l3.tar"
	assert_ok "import --owner"
	local r1=$S/layers/sha256/${L1#sha256:}/root
	# A layer that names a file but not its directory.
	mkdir -p "$T/l4/implicit" && echo i > "$T/l4/implicit/file"
	tar --numeric-owner --no-recursion -C "$T/l4" -cf "$T/l4.tar" ./implicit/file
	capture ll import --owner 200000:300000 "$T/l4.tar"
	local l4=$(diff_id "$T/l4.tar")
	assertEquals "an implicit directory is the image root's" "200000:300000" \
		"$(stat -c %u:%g "$S/layers/sha256/${l4#sha256:}/root/implicit")"
	capture ll assemble --uid-map $MAP --gid-map $MAP "$T/dst4" "$L1" "$l4"
	assert_ok "assembled with it"
	assertEquals "mapped root's" "100000:100000" "$(stat -c %u:%g "$T/dst4/implicit")"
	assertEquals "image root is the base" "200000:300000" "$(stat -c %u:%g "$r1/bin/busybox")"
	assertEquals "image uid 1000 is base + 1000" "201000:301000" "$(stat -c %u:%g "$r1/user-file")"
	capture ll assemble --uid-map $MAP --gid-map $MAP "$T/dst" "$L1" "$L2" "$L3"
	assert_ok "hardlink, mapped elsewhere"
	assertEquals "linked" "$(stat -c %i "$r1/bin/busybox")" "$(stat -c %i "$T/dst/bin/busybox")"
	assertEquals "a copy owned as the map says" "101000:101000" \
		"$(stat -c %u:%g "$T/dst/user-file")"
	capture ll assemble --uid-map 0:200000:65536 --gid-map 0:300000:65536 "$T/dst2" "$L1"
	assert_rc 1 "a map that takes in the store's owner"
	assert_contains "its uid named" "$err" "200000"
	capture ll assemble --mode overlay --uid-map 0:200000:65536 --gid-map 0:300000:65536 \
		"$T/ov" "$L1" "$L2" "$L3"
	assert_ok "overlay for a container mapped onto the store"
	assertEquals "overlay shows the store's ids" "200000:300000" \
		"$(stat -c %u:%g "$T/ov/bin/busybox")"
	assertEquals "its root too (the upper is given the top root's)" \
		"200000:300000 $(stat -c %a "$S/layers/sha256/${L3#sha256:}/root")" \
		"$(stat -c '%u:%g %a' "$T/ov")"
	capture ll assemble --mode overlay "$T/ov2" "$L1"
	assert_rc 1 "overlay without that map"
	capture ll import --owner 1:2 "$T/l1.tar"
	assert_rc 1 "the layer is there, owned otherwise"
	assertEquals "what is wrong" \
		"layer-link: import: $T/l1.tar: $L1 is in the store owned from 200000:300000, not 1:2 (--owner)" "$err"
}

testReleaseAndGc() {
	import_three
	ll assemble --read-only "$T/a" "$L1" "$L2" "$L3" &&
		ll assemble --read-only "$T/b" "$L1" "$L2" ||
		{ fail "assemble"; return; }
	capture ll refs -f json
	assertEquals "two refs" 2 "$(echo "$out" | jq length)"
	capture ll gc
	assert_ok
	assert_out ""
	capture ll release "$T/a"
	assert_ok
	assertFalse "a removed" "[ -e '$T/a' ]"
	capture ll gc --dry-run
	assert_ok
	assert_contains "dry run names L3" "$out" "would remove layer $L3"
	assertTrue "dry run removes nothing" "[ -d '$S/layers/sha256/${L3#sha256:}' ]"
	capture ll gc
	assert_ok
	assert_contains "gc removes L3" "$out" "removed layer $L3"
	assert_not_contains "L1 kept" "$out" "$L1"
	# b removed by hand: its ref is stale and gc drops it, then the layers.
	rm -rf "$T/b"
	capture ll refs
	assert_contains "stale shown" "$out" "yes"
	capture ll gc
	assert_ok
	assert_contains "stale ref" "$out" "stale ref $T/b"
	assert_contains "L1 gone" "$out" "removed layer $L1"
	capture ll ls -f json
	assertEquals "store empty" 0 "$(echo "$out" | jq length)"
	capture ll release "$T/b"
	assert_rc 1 "release of what has no ref"
	assert_contains "named" "$err" "$T/b: not a tree assembled from $S"
}

testGcWaitsForAnAssembly() {
	import_three
	command -v flock > /dev/null || skip "no flock(1)"
	# An assembly between its first layer and its ref holds the store
	# shared; gc must wait for it, then see its ref.
	flock -s "$S/lock" sh -c "sleep 2; '$BIN/layer-link' --store '$S' assemble --read-only '$T/a' $L1" &
	local pid=$!
	sleep 0.5
	capture ll gc
	wait "$pid"
	assertTrue "the assembly made its tree" "[ -x '$T/a/bin/busybox' ]"
	assert_not_contains "L1 kept: gc waited" "$out" "$L1"
	assert_contains "unused ones go" "$out" "removed layer $L2"
}

testParallelAssembliesAndGc() {
	local i
	import_three
	# Referenced once first: gc keeps nothing unreferenced (no grace
	# period), and racing assemblies must neither lose a ref to it nor
	# make it take a layer they use.
	ll assemble --read-only "$T/p0" "$L1" "$L2" "$L3" || { fail "p0"; return; }
	for i in 1 2 3 4 5 6 7 8; do
		ll assemble --read-only "$T/p$i" "$L1" "$L2" "$L3" > "$T/as.$i" 2>&1 &
		[ $((i % 3)) = 0 ] && ll gc > /dev/null 2>&1 &
	done
	wait
	for i in 1 2 3 4 5 6 7 8; do
		assertEquals "p$i: assembled ($(cat "$T/as.$i"))" third "$(cat "$T/p$i/etc/motd")"
	done
	capture ll ls -f json
	assertEquals "every layer has 9 refs" "9 9 9" \
		"$(echo "$out" | jq -r '[.[].refs] | map(tostring) | join(" ")')"
}

testRootfsUnpackThroughTheStore() {
	three_layers
	reference || return
	capture "$BIN/rootfs-unpack" -q --store "$S" --read-only "oci:$T/img" "$T/u1"
	assert_ok "first"
	assert_same_tree "$T/ref" "$T/u1" "rootfs-unpack --store vs without"
	assertEquals "linked from the store" \
		"$(stat -c %i "$S/layers/sha256/${L1#sha256:}/root/bin/busybox")" \
		"$(stat -c %i "$T/u1/bin/busybox")"
	# The layer blobs broken: a second unpack never reads them.
	for b in "$T"/img/blobs/sha256/*; do
		gzip -t "$b" 2>/dev/null && : > "$b"
	done
	capture "$BIN/rootfs-unpack" -q --store "$S" --read-only "oci:$T/img" "$T/u2"
	assert_ok "second, blobs emptied"
	assert_same_tree "$T/ref" "$T/u2" "second unpack"
	capture ll refs -f json
	assertEquals "both recorded" "$T/u1 $T/u2" \
		"$(echo "$out" | jq -r '[.[].path] | sort | join(" ")')"
	# Without --read-only or maps, root gets copies.
	capture "$BIN/rootfs-unpack" -q --store "$S" "oci:$T/img" "$T/u3"
	assert_ok "auto mode"
	assertNotEquals "copies" \
		"$(stat -c %i "$S/layers/sha256/${L1#sha256:}/root/bin/busybox")" \
		"$(stat -c %i "$T/u3/bin/busybox")"
	capture "$BIN/rootfs-unpack" -q --store "$S" --mode hardlink "oci:$T/img" "$T/u4"
	assert_rc 1 "hardlink asked, unprotected"
	assert_contains "why" "$err" "hardlink: "
	assertFalse "no u4" "[ -e '$T/u4' ]"
}

testCommandLine() {
	capture ll
	assert_rc 1
	capture ll frob
	assert_rc 1
	assertEquals "unknown command" \
		"layer-link: frob: unknown command (see layer-link --help)" "$err"
	capture ll assemble --mode fast "$T/d" "sha256:$(printf '%064d' 0)"
	assertEquals "bad mode" \
		"layer-link: assemble: --mode fast: not hardlink, overlay or copy (see layer-link --help)" "$err"
	capture ll assemble "$T/d" nothex
	assert_rc 1
	assert_contains "bad DiffID" "$err" "sha256:HEX"
	capture ll import
	assertEquals "no file" \
		"layer-link: import: needs a layer file (see layer-link --help)" "$err"
	capture ll import "$T/none.tar"
	assert_rc 1
	assertEquals "missing file" \
		"layer-link: import: $T/none.tar: No such file or directory" "$err"
	echo 'not a tar at all, not even close................' > "$T/junk"
	capture ll import "$T/junk"
	assert_rc 1
	assert_contains "junk named" "$err" "$T/junk"
	assertEquals "nothing left of it" "" \
		"$(ls -A "$S/layers/sha256" 2>/dev/null | grep -v '\.lock$')"
	capture ll assemble --read-only "$T/d" "sha256:$(printf '%064d' 0)"
	assert_rc 1
	assert_contains "missing layer" "$err" "sha256:$(printf '%064d' 0)"
	assertFalse "no DEST" "[ -e '$T/d' ]"
	capture ll --help
	assert_ok
	assert_contains "help" "$out" "Usage: layer-link"
}

. "$SHUNIT2"
