# tests/lib.sh - helpers shared by the shunit2 suites (bash).
#
# A suite starts with   . "$(dirname "$0")/lib.sh" || exit 1
# and ends with         . "$SHUNIT2"
# lib.sh defines oneTimeSetUp/oneTimeTearDown/setUp/tearDown; a suite that
# needs its own calls lib_oneTimeSetUp, lib_setUp, lib_tearDown and
# lib_oneTimeTearDown from them.
#
# What a suite gets:
#   REPO BUILD          the repository and its build dir
#   OCIBOX              the binary under test: a copy of build/ocibox
#   BIN                 a dir of symlinks made by `ocibox --install -s`; it
#                       is first in PATH, so `oci-run` goes through argv[0]
#   OCI (array), IMPL   the runtime under test and its kind (ocibox, runc,
#                       crun, other): OCI_RUN=runc tests/run oci-run checks
#                       the suite itself against runc
#   ROOT                a fresh --root for the suite (never /run/ocibox)
#   TEST_TMP            the suite's temp dir; T: this test's temp dir
#   oci ARGS            the runtime with --root $ROOT (and a time limit)
#   capture CMD...      run CMD; sets rc, out, err (files $T/out, $T/err)
#   new_id              prints a fresh container id, deleted in tearDown
#   new_bundle [DIR]    BUNDLE=DIR (default $T/bundle): a copy of the suite's
#                       busybox rootfs and the runtime's own `spec` config
#   cfg FILTER [ARGS]   edit $BUNDLE/config.json with jq in place
#   cfg_args WORD...    process.args = the words; cfg_sh SCRIPT: sh -c SCRIPT
#   defer CMD...        run CMD in tearDown (last deferred runs first)
#   skip REASON         print "SKIP: test: REASON" and skip the rest of the
#                       test; tests/run counts it as skipped, never passed
#   lib_parts NAME      source tests/NAME/*.sh: a large suite keeps its tests
#                       in parts by topic (tests/oci-run/cgroup.sh, ...);
#                       they run after the suite file's own, file by file
#
# Environment: OCIBOX_TESTS (a regex: only matching tests run),
# OCI_RUN (runtime command line, default "$BIN/oci-run"),
# BUILD, OCIBOX, OCI_TIMEOUT (seconds one runtime command may take, 60),
# OCIBOX_TEST_KEEP=1 (keep temp dirs for a post-mortem).

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${BUILD:-build}
case $BUILD in /*) ;; *) BUILD=$REPO/$BUILD ;; esac
OCIBOX=${OCIBOX:-$BUILD/ocibox}
OCI_TIMEOUT=${OCI_TIMEOUT:-60}
export SHUNIT_COLOR=${SHUNIT_COLOR:-none}
if [ -z "${SHUNIT2:-}" ]; then
	SHUNIT2=$(command -v shunit2 2>/dev/null) ||
		SHUNIT2=/usr/share/shunit2/shunit2
fi
export LC_ALL=C

TEST_TMP='' T='' ROOT='' BIN='' BUNDLE='' IMPL='' OCI=()
rc='' out='' err=''
__lib_n=0

# --- messages and skipping --------------------------------------------------

lib_die() {
	echo "lib.sh: $*" >&2
	return 1
}

# The current test's name, as shunit2 knows it.
test_name() {
	echo "${_shunit_test_:-${FUNCNAME[2]:-?}}"
}

# tests/run counts a test that printed a SKIP line as skipped, never passed.
skip() {
	echo "SKIP: $(test_name): $*"
	startSkipping
}

is_ocibox() { [ "$IMPL" = ocibox ]; }

require_cmd() {
	local c
	for c; do
		command -v "$c" >/dev/null 2>&1 || { skip "$c: not installed"; return 1; }
	done
}

require_ocibox() {
	is_ocibox && return 0
	skip "${1:-checks behaviour of ocibox itself}; the runtime under test is ${OCI[*]}"
	return 1
}

# --- setup and teardown ------------------------------------------------------

lib_oneTimeSetUp() {
	[ "$(id -u)" = 0 ] || { lib_die "the suites run as root (tests/run)"; return 1; }
	command -v jq >/dev/null 2>&1 ||
		{ lib_die "jq: not found (scripts/install-deps test)"; return 1; }
	TEST_TMP=$(mktemp -d "${TMPDIR:-/tmp}/ocibox-test.XXXXXX") || return 1
	chmod 0755 "$TEST_TMP"
	mkdir -p "$TEST_TMP/root" && chmod 0700 "$TEST_TMP/root"
	ROOT=$TEST_TMP/root
	echo 0 > "$TEST_TMP/counter"
	lib_make_bin || return 1
	lib_pick_runtime || return 1
}

# BIN: a link per applet, made by the binary itself, so argv[0] dispatch is
# exercised by every call.  The suite runs a copy of the binary, so a
# rebuild while it runs changes nothing.  Without a working --install the
# link is made by hand (the ocibox suite's --install tests fail, not all).
lib_make_bin() {
	BIN=$TEST_TMP/bin
	mkdir -p "$BIN"
	[ -x "$OCIBOX" ] || return 0
	cp "$OCIBOX" "$TEST_TMP/ocibox" || return 1
	OCIBOX=$TEST_TMP/ocibox
	if ! "$OCIBOX" --install -s "$BIN" >"$TEST_TMP/install.log" 2>&1 ||
	   ! [ -e "$BIN/oci-run" ]; then
		echo "lib.sh: $OCIBOX --install -s $BIN did not make oci-run:" \
			"$(cat "$TEST_TMP/install.log"); linking by hand" >&2
		ln -sf "$OCIBOX" "$BIN/oci-run"
	fi
	PATH=$BIN:$PATH
}

lib_pick_runtime() {
	local w
	if [ -n "${OCI_RUN:-}" ]; then
		read -r -a OCI <<< "$OCI_RUN"
		w=${OCI[0]}
		if [ "${w#/}" = "$w" ] && [ "${w#*/}" != "$w" ]; then
			OCI[0]=$REPO/$w
		fi
	else
		[ -x "$OCIBOX" ] ||
			{ lib_die "$OCIBOX: not found (run make, or set OCI_RUN=runc)"; return 1; }
		OCI=("$BIN/oci-run")
	fi
	case ${OCI[0]##*/} in
	oci-run|-oci-run|ocibox) IMPL=ocibox ;;
	runc) IMPL=runc ;;
	crun) IMPL=crun ;;
	*) IMPL=other ;;
	esac
	command -v "${OCI[0]}" >/dev/null 2>&1 ||
		{ lib_die "${OCI[0]}: not found"; return 1; }
	echo "runtime under test: ${OCI[*]} ($IMPL)"
}

lib_oneTimeTearDown() {
	[ -n "$TEST_TMP" ] && [ -d "$TEST_TMP" ] || return 0
	lib_umount_under "$TEST_TMP"
	if [ "${OCIBOX_TEST_KEEP:-0}" = 1 ]; then
		echo "kept $TEST_TMP"
	else
		rm -rf --one-file-system "$TEST_TMP"
	fi
	return 0
}

lib_setUp() {
	__lib_n=$((__lib_n + 1))
	T=$TEST_TMP/t$__lib_n
	mkdir -p "$T"
	: > "$T/ids"
	: > "$T/defer"
	BUNDLE=''
	rc='' out='' err=''
	return 0
}

lib_tearDown() {
	local id line
	[ -n "$T" ] && [ -d "$T" ] || return 0
	while read -r id; do
		[ -n "$id" ] || continue
		lib_force_delete "$id"
	done < "$T/ids"
	tac "$T/defer" | while IFS= read -r line; do
		eval "$line" >/dev/null 2>&1
	done
	if lib_umount_under "$T"; then
		:
	else
		fail "mounts left under $T (unmounted now)"
	fi
	if [ "${OCIBOX_TEST_KEEP:-0}" != 1 ]; then
		rm -rf --one-file-system "$T"
	fi
	T=''
	return 0
}

# shunit2 finds tests in the suite file only: parts add theirs here.
LIB_PARTS=()
lib_parts() {
	local f
	for f in "$REPO/tests/$1"/*.sh; do
		[ -f "$f" ] || continue
		. "$f" || { lib_die "$f: cannot source"; return 1; }
		LIB_PARTS+=("$f")
	done
}

# OCIBOX_TESTS=REGEX (grep -E) runs only the tests whose names match.
suite() {
	local f t
	for f in "$0" "${LIB_PARTS[@]}"; do
		for t in $(_shunit_extractTestFunctions "$f"); do
			if [ -n "${OCIBOX_TESTS:-}" ] &&
			   ! grep -Eq -- "$OCIBOX_TESTS" <<< "$t"; then
				continue
			fi
			suite_addTest "$t"
		done
	done
}

oneTimeSetUp() { lib_oneTimeSetUp; }
oneTimeTearDown() { lib_oneTimeTearDown; }
setUp() { lib_setUp; }
tearDown() { lib_tearDown; }

# Delete a container this test created, whatever state it is in; a runtime
# that cannot do it gets its process killed by pid so nothing outlives us.
lib_force_delete() {
	local id=$1 pid
	oci delete --force "$id" >/dev/null 2>&1
	oci state "$id" > "$T/.state" 2>/dev/null || return 0
	pid=$(jq -r '.pid // 0' "$T/.state" 2>/dev/null)
	case $pid in ''|0|*[!0-9]*) ;; *) kill -KILL "$pid" 2>/dev/null ;; esac
	sleep 0.2
	oci delete --force "$id" >/dev/null 2>&1
	echo "lib.sh: tearDown: $id needed a kill by pid" >&2
}

# Unmount (lazily) everything mounted at or below DIR; 1 if there was any.
lib_umount_under() {
	local dir=$1 m found=0
	while :; do
		m=$(awk -v d="$dir" '$5 == d || index($5, d "/") == 1 { print $5 }' \
			/proc/self/mountinfo | tail -n 1)
		[ -n "$m" ] || break
		found=1
		umount -l "$m" 2>/dev/null || break
	done
	return $found
}

# Run CMD in tearDown, after the test's containers are gone.
defer() {
	printf '%q ' "$@" >> "$T/defer"
	echo >> "$T/defer"
}

# --- the runtime ----------------------------------------------------------

# The runtime under test with the suite's --root.  The time limit is a
# safety net against a hung runtime, never an assertion.
oci() {
	timeout -k 5 "$OCI_TIMEOUT" "${OCI[@]}" --root "$ROOT" "$@"
}

# Run a command, keep its exit status, stdout and stderr.  stdout goes to a
# file, never a pipe: a container started by create or run -d inherits it.
capture() {
	"$@" > "$T/out" 2> "$T/err"
	rc=$?
	out=$(cat "$T/out")
	err=$(cat "$T/err")
	return 0
}

new_id() {
	local n
	n=$(($(cat "$TEST_TMP/counter") + 1))
	echo "$n" > "$TEST_TMP/counter"
	n=c${TEST_TMP##*.}-$n
	echo "$n" >> "$T/ids"
	echo "$n"
}

# Remember an id this test created by other means (so tearDown deletes it).
track_id() {
	echo "$1" >> "$T/ids"
}

# The suite's base bundle: scripts/mkrootfs with the runtime's own spec,
# made once.  Tests run without a terminal and without linux.resources (the
# default spec's device rules need cgroups; testResources* add them back).
lib_base_bundle() {
	local base=$TEST_TMP/base
	[ -f "$base/config.json" ] && return 0
	OCI_RUN="${OCI[*]}" "$REPO/scripts/mkrootfs" --bundle "$base" \
		> "$TEST_TMP/mkrootfs.log" 2>&1 ||
		{ lib_die "scripts/mkrootfs failed: $(cat "$TEST_TMP/mkrootfs.log")"; return 1; }
	jq '.process.terminal = false | del(.linux.resources)' \
		"$base/config.json" > "$base/config.json.tmp" &&
		mv "$base/config.json.tmp" "$base/config.json"
}

new_bundle() {
	BUNDLE=${1:-$T/bundle}
	lib_base_bundle || return 1
	mkdir -p "$BUNDLE"
	cp -a "$TEST_TMP/base/rootfs" "$BUNDLE/rootfs"
	cp "$TEST_TMP/base/config.json" "$BUNDLE/config.json"
}

# cfg FILTER [JQ OPTIONS...]: edit $BUNDLE/config.json in place.
cfg() {
	local f=$1
	shift
	jq "$@" "$f" "$BUNDLE/config.json" > "$BUNDLE/config.json.tmp" &&
		mv "$BUNDLE/config.json.tmp" "$BUNDLE/config.json" ||
		fail "jq $f: cannot edit $BUNDLE/config.json"
}

# (jq 1.6 would take a word like -c after --args as its own option.)
cfg_args() {
	local i=0 a list= opts=()
	for a; do
		opts+=(--arg "a$i" "$a")
		list=$list${list:+,}\$a$i
		i=$((i + 1))
	done
	cfg ".process.args = [$list]" "${opts[@]}"
}

cfg_sh() {
	cfg_args sh -c "$1"
}

# A bundle whose process runs SCRIPT in sh, and `run` of it: rc/out/err.
run_sh() {
	[ -n "$BUNDLE" ] || new_bundle
	cfg_sh "$1"
	capture oci run --bundle "$BUNDLE" "$(new_id)"
}

# --- state ------------------------------------------------------------------

# state_of ID: the state JSON in $T/state.json; returns the runtime's status.
state_of() {
	oci state "$1" > "$T/state.json" 2> "$T/state.err"
}

# state_field ID FIELD: one field of `state`, "" when state fails.
state_field() {
	state_of "$1" || { echo ""; return 1; }
	jq -r ".$2 // empty" "$T/state.json"
}

status_is() {
	[ "$(state_field "$1" status)" = "$2" ]
}

# wait_for SECONDS CMD...: poll until CMD succeeds; 1 when it never does.
# A bound on waiting, not a timed assertion.
wait_for() {
	local limit=$(($1 * 10)) i=0
	shift
	while ! "$@"; do
		i=$((i + 1))
		[ $i -lt $limit ] || return 1
		sleep 0.1
	done
	return 0
}

wait_status() {
	wait_for "${3:-20}" status_is "$1" "$2"
}

pid_alive() {
	[ -n "$1" ] && [ "$1" != 0 ] && kill -0 "$1" 2>/dev/null &&
		! grep -q '^State:[[:space:]]*Z' "/proc/$1/status" 2>/dev/null
}

# --- assertions -------------------------------------------------------------

assert_rc() {
	assertEquals "${2:+$2: }exit status (stderr: $err)" "$1" "$rc"
}

assert_ok() {
	assert_rc 0 "$1"
}

assert_out() {
	assertEquals "${2:+$2: }stdout" "$1" "$out"
}

assert_no_err() {
	assertEquals "${1:+$1: }stderr" "" "$err"
}

# An error: exit status 1, nothing on stdout, and on stderr for ocibox
# exactly one line starting "oci-run: " (runc's logfmt lines are unquoted
# before the phrase is looked for).
assert_fails() {
	assert_rc 1 "$1"
	assert_out "" "$1"
	assertNotEquals "${1:+$1: }stderr" "" "$err"
	if is_ocibox; then
		assertEquals "${1:+$1: }stderr lines: $err" 1 "$(wc -l < "$T/err")"
		assertEquals "${1:+$1: }stderr ends in newline" "" \
			"$(tail -c 1 "$T/err" | tr -d '\n')"
		case $err in
		"oci-run: "*) ;;
		*) fail "${1:+$1: }stderr does not start with 'oci-run: ': $err" ;;
		esac
	fi
}

# assert_error PHRASE: assert_fails, and stderr contains PHRASE.
assert_error() {
	local e
	assert_fails "$2"
	e=$(sed 's/\\"/"/g' "$T/err")
	case $e in
	*"$1"*) ;;
	*) fail "${2:+$2: }stderr lacks '$1': $err" ;;
	esac
}

# assert_error_text PHRASE: an error text that is ocibox's own: other
# runtimes get the exit status checked and the text skipped.
assert_error_text() {
	if is_ocibox; then
		assert_error "$@"
	else
		assert_fails "$2"
		skip "error text '$1' is ocibox's; the runtime is ${OCI[*]}"
	fi
}

assert_contains() {
	case $2 in
	*"$3"*) ;;
	*) fail "$1: '$3' not in: $2" ;;
	esac
}

assert_not_contains() {
	case $2 in
	*"$3"*) fail "$1: '$3' unexpectedly in: $2" ;;
	esac
}
