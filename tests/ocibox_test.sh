#!/bin/bash
# tests/ocibox_test.sh - the multi-call binary itself: the applet picked
# from the basename of argv[0] (a leading "-" stripped, as login shells
# pass it) or from the first argument, --list, --install [-s] DIR, --help
# [APPLET], --version, and "NAME: applet not found" with exit status 127.
# The applets expected are the build profile's (configs/$PROFILE.mk).

. "$(dirname "$0")/lib.sh" || exit 1

PROFILE=${PROFILE:-full}

# The applets the build profile says the binary has.
profile_applets() {
	sed -n 's/^APPLETS[[:space:]]*[:?]*=[[:space:]]*//p' \
		"$REPO/configs/$PROFILE.mk" | tr -s ' \t' '\n' | grep . | sort
}

ocibox() {
	timeout 30 "$OCIBOX" "$@"
}

# $1 is a help text: a usage line naming $2 and an example.
assert_help() {
	printf '%s\n' "$1" | grep -Eiq "^usage:.*$2" ||
		fail "$2 help has no usage line naming $2: $1"
	printf '%s\n' "$1" | grep -iq example ||
		fail "$2 help has no example: $1"
}

oneTimeSetUp() {
	[ -x "$OCIBOX" ] ||
		{ lib_die "$OCIBOX: not found (run make)"; return 1; }
	lib_oneTimeSetUp
}

testListNamesEveryApplet() {
	capture ocibox --list
	assert_ok
	assert_no_err
	assertEquals "applets (configs/$PROFILE.mk)" "$(profile_applets)" \
		"$(sort "$T/out")"
	assertEquals "one name a line, each once" "$(sort -u "$T/out")" "$(sort "$T/out")"
	assertTrue "oci-run listed" "grep -qx oci-run '$T/out'"
}

testListedAppletsHaveHelp() {
	local a
	capture ocibox --list
	for a in $out; do
		capture ocibox --help "$a"
		assert_ok "--help $a"
		assert_no_err "--help $a"
		assert_help "$out" "$a"
	done
}

testVersion() {
	capture ocibox --version
	assert_ok
	assert_no_err
	assertEquals "one line" 1 "$(wc -l < "$T/out")"
	case $out in
	ocibox*) ;;
	*) fail "version line does not start with ocibox: $out" ;;
	esac
	assert_contains "version" "$out" "$(cat "$REPO/VERSION")"
}

testHelp() {
	local a
	capture ocibox --help
	assert_ok
	assert_no_err
	assertTrue "usage line naming ocibox: $out" \
		"grep -Ei '^usage:.*ocibox' '$T/out' >/dev/null"
	for a in $(profile_applets); do
		assert_contains "--help lists $a" "$out" "$a"
	done
}

testHelpOciRunAllForms() {
	local ref
	capture ocibox --help oci-run
	assert_ok "ocibox --help oci-run"
	assert_no_err "ocibox --help oci-run"
	assert_help "$out" oci-run
	ref=$out
	capture ocibox oci-run --help
	assert_ok "ocibox oci-run --help"
	assertEquals "ocibox oci-run --help" "$ref" "$out"
	capture timeout 30 "$BIN/oci-run" --help
	assert_ok "oci-run --help"
	assertEquals "oci-run --help (argv[0])" "$ref" "$out"
}

testOciRunHelpNamesCommands() {
	local c
	capture ocibox --help oci-run
	for c in create start run state list kill delete spec; do
		assertTrue "oci-run help names $c" \
			"grep -Ew '$c' '$T/out' >/dev/null"
	done
}

testUnknownAppletViaArgv0() {
	ln -s "$OCIBOX" "$T/nosuch"
	capture timeout 30 "$T/nosuch" --help
	assert_rc 127
	assert_out ""
	assertEquals "stderr" "nosuch: applet not found" "$err"
	assertEquals "stderr lines" 1 "$(wc -l < "$T/err")"
}

testUnknownAppletViaArgument() {
	capture ocibox nosuch arg
	assert_rc 127
	assert_out ""
	assertEquals "stderr" "nosuch: applet not found" "$err"
	assertEquals "stderr lines" 1 "$(wc -l < "$T/err")"
}

testUnknownAppletHelp() {
	capture ocibox --help nosuch
	assert_rc 127
	assert_out ""
	assertEquals "stderr" "nosuch: applet not found" "$err"
}

testArgv0Basename() {
	local ref
	capture ocibox oci-run --help
	ref=$out
	capture bash -c 'exec -a /some/where/oci-run "$0" --help' "$OCIBOX"
	assert_ok "argv[0] /some/where/oci-run"
	assertEquals "argv[0] /some/where/oci-run" "$ref" "$out"
}

testLeadingDashStripped() {
	local ref
	capture ocibox oci-run --help
	ref=$out
	ln -s "$OCIBOX" "$T/-oci-run"
	capture timeout 30 "$T/-oci-run" --help
	assert_ok "link -oci-run"
	assertEquals "link -oci-run" "$ref" "$out"
	capture bash -c 'exec -a -oci-run "$0" --help' "$OCIBOX"
	assert_ok "argv[0] -oci-run"
	assertEquals "argv[0] -oci-run" "$ref" "$out"
}

testInstallSymlinks() {
	local d=$T/links a
	mkdir -p "$d"
	capture ocibox --install -s "$d"
	assert_ok
	assert_out ""
	assert_no_err
	assertEquals "one link per applet" "$(profile_applets)" "$(ls -A "$d" | sort)"
	for a in $(ls -A "$d"); do
		assertTrue "$a is a symlink" "[ -L '$d/$a' ]"
		assertTrue "$a is ocibox" "[ '$d/$a' -ef '$OCIBOX' ]"
	done
	capture timeout 30 "$d/oci-run" --help
	assert_ok "installed oci-run --help"
}

# (OCIBOX is the suite's copy in /tmp: hard links to it work from $T.)
testInstallHardLinks() {
	local d=$T/hard a
	mkdir -p "$d"
	capture ocibox --install "$d"
	assert_ok
	assert_out ""
	assert_no_err
	assertEquals "one link per applet" "$(profile_applets)" "$(ls -A "$d" | sort)"
	for a in $(ls -A "$d"); do
		assertFalse "$a is not a symlink" "[ -L '$d/$a' ]"
		assertTrue "$a is a hard link to ocibox" "[ '$d/$a' -ef '$OCIBOX' ]"
	done
	capture timeout 30 "$d/oci-run" --help
	assert_ok "installed oci-run --help"
}

# `make install` twice must work: existing links are replaced.
testInstallTwice() {
	local d=$T/links
	mkdir -p "$d"
	capture ocibox --install -s "$d"
	assert_ok "first --install"
	capture ocibox --install -s "$d"
	assert_ok "second --install"
	assertTrue "oci-run still ocibox" "[ '$d/oci-run' -ef '$OCIBOX' ]"
}

testNoArgumentsPrintsUsage() {
	capture ocibox
	case $rc in
	0|1) ;;
	*) fail "exit status $rc" ;;
	esac
	assertTrue "usage line: $out$err" \
		"cat '$T/out' '$T/err' | grep -Ei '^usage:.*ocibox' >/dev/null"
}

. "$SHUNIT2"
