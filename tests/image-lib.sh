# tests/image-lib.sh - image helpers of the rootfs-unpack and layer-link
# suites: a tree's listing to compare two unpacks by, OCI layouts made
# from tarballs.  Sourced after lib.sh.

# A line per path of DIR, sorted: type, mode, owner, size, mtime, link
# target, content digest and xattrs: what two unpacks must agree on.
tree_of() {
	(cd "$1" && find . -mindepth 1 -printf '%P %y %#m %U:%G %s %T@ %l\n' |
		LC_ALL=C sort | while read -r p y rest; do
		case $y in
		f) h=$(sha256sum < "$p" | cut -c1-16) ;;
		d) rest=$(echo "$rest" | awk '{ $2 = "-"; print }'); h=- ;;
		*) h=- ;;
		esac
		x=$(getfattr -h -d -m - -e hex --absolute-names "$p" 2>/dev/null |
			grep -v '^#' | LC_ALL=C sort | tr '\n' ' ')
		echo "$p $y $rest $h $x"
	done)
}

assert_same_tree() {
	tree_of "$1" > "$T/tree.a"
	tree_of "$2" > "$T/tree.b"
	assertEquals "${3:-trees} differ: $(diff "$T/tree.a" "$T/tree.b" | head -n 8)" \
		"" "$(diff "$T/tree.a" "$T/tree.b")"
	assertTrue "${3:-trees}: not empty" "[ -s '$T/tree.a' ]"
}

# blob FILE DIR: FILE into the layout DIR's blobs; prints its digest.
blob() {
	local h
	h=$(sha256sum < "$1" | cut -d' ' -f1)
	cp "$1" "$2/blobs/sha256/$h" && echo "sha256:$h"
}

# layout_of DIR TAR...: an OCI layout of one image whose layers are the
# TARs, gzip'ed, in order (image-spec image-layout.md).
layout_of() {
	local dir=$1 t d gz layers='' diffs='' cfg man
	shift
	mkdir -p "$dir/blobs/sha256"
	echo '{"imageLayoutVersion":"1.0.0"}' > "$dir/oci-layout"
	for t; do
		diffs="$diffs,\"${LAYOUT_DIFF_ID:-sha256:$(sha256sum < "$t" | cut -d' ' -f1)}\""
		gzip -n -c < "$t" > "$t.gz"
		d=$(blob "$t.gz" "$dir") || return 1
		layers="$layers,{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+gzip\",\"digest\":\"$d\",\"size\":$(stat -c %s "$t.gz")}"
	done
	printf '{"architecture":"%s","os":"linux","config":{"Cmd":["sh"],"User":"%s"},"rootfs":{"type":"layers","diff_ids":[%s]}}' \
		"$(go_arch)" "${LAYOUT_USER:-}" "${diffs#,}" > "$dir/config.json"
	cfg=$(blob "$dir/config.json" "$dir") || return 1
	printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"%s","size":%s},"layers":[%s]}' \
		"$cfg" "$(stat -c %s "$dir/config.json")" "${layers#,}" > "$dir/manifest.json"
	man=$(blob "$dir/manifest.json" "$dir") || return 1
	printf '{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"%s","size":%s}]}' \
		"$man" "$(stat -c %s "$dir/manifest.json")" > "$dir/index.json"
	rm -f "$dir/config.json" "$dir/manifest.json"
}

go_arch() {
	case $(uname -m) in
	x86_64) echo amd64 ;;
	aarch64) echo arm64 ;;
	armv7l) echo arm ;;
	riscv64) echo riscv64 ;;
	*) uname -m ;;
	esac
}
