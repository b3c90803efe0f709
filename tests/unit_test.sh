#!/bin/sh
# unit_test.sh: the C unit tests of core modules (tests/unit/*_test.c, built
# by `make unit` into $BUILD/unit), one shunit2 test per case, each case in
# its own process.  A failing case shows its output (file:line, both values).

cd "$(dirname "$0")/.." || exit 1
BUILD=${BUILD:-build}

# The helpers below end with "return 0": the assertion has counted the
# failure, a non-zero return would count it again as an error.

# run_case BIN CASE: a case that printed "SKIP: ..." (a tool or a kernel
# feature missing) has its line shown, so tests/run counts it skipped, not
# passed.
run_case() {
	out=$("$1" "$2" 2>&1)
	rc=$?
	[ "$rc" -eq 0 ] || printf '%s\n' "$out"
	[ "$rc" -eq 0 ] && printf '%s\n' "$out" | grep '^SKIP' | head -n 1
	assertEquals "${1##*/} $2: exit status" 0 "$rc"
	return 0
}

fail_with() {
	fail "$1"
	return 0
}

# shunit2 only finds test functions written out in this file: make one per
# case with eval and hand them over in suite().
suite() {
	found=
	for bin in "$BUILD"/unit/*_test; do
		[ -x "$bin" ] || continue
		found=1
		base=${bin##*/}
		unit=$(printf '%s' "${base%_test}" | tr -c 'A-Za-z0-9_' '_')
		if ! cases=$("$bin" --list); then
			eval "test_${unit}_list() {
				fail_with '$base --list failed'
			}"
			suite_addTest "test_${unit}_list"
			continue
		fi
		for c in $cases; do
			# A real registry's: tests/rootfs-unpack/registry.sh
			# runs them against one.
			case $c in e2e_*) continue ;; esac
			fn=$(printf '%s' "$c" | tr -c 'A-Za-z0-9_' '_')
			fn=test_${unit}_$fn
			eval "$fn() { run_case \"\$BUILD/unit/$base\" '$c'; }"
			suite_addTest "$fn"
		done
	done
	if [ -z "$found" ]; then
		eval "test_unit_built() {
			fail_with 'no unit tests in $BUILD/unit: run make unit'
		}"
		suite_addTest test_unit_built
	fi
}

. shunit2
