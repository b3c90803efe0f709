#!/bin/bash
# tests/oci-run_test.sh - oci-run, the runc-compatible OCI runtime, as a
# black box: real containers from a busybox bundle whose config.json the
# runtime wrote itself (`oci-run spec`), checked from the outside (exit
# status, stdout, stderr, state) and from the inside (what the container
# process sees).  Command line and error phrases are runc's, so
# `OCI_RUN=runc tests/run oci-run` checks the suite itself against runc;
# texts that are ocibox's own are then skipped.
# runtime-spec: config.md, config-linux.md, runtime.md; runc(8).

. "$(dirname "$0")/lib.sh" || exit 1

RFC3339='^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})$'

# A bundle whose process lives until it is killed.
sleeper() {
	new_bundle "$@"
	cfg_args sleep 1000
}

# create ID in $BUNDLE; asserts it worked silently.
create_ok() {
	capture oci create --bundle "$BUNDLE" "$@"
	assert_ok "create $*"
	assert_out "" "create $*"
	assert_no_err "create $*"
}

start_ok() {
	capture oci start "$1"
	assert_ok "start $1"
	assert_out "" "start $1"
	assert_no_err "start $1"
}

# A container that runs until killed: create + start.
running() {
	create_ok "$1"
	start_ok "$1"
	wait_status "$1" running || fail "$1 never reported running"
}

# A container whose process has exited.
stopped() {
	new_bundle
	cfg_sh 'exit 0'
	create_ok "$1"
	start_ok "$1"
	wait_status "$1" stopped || fail "$1 never reported stopped"
}

# Mask of capability names (CAP_*) as /proc/PID/status prints it.
cap_mask() {
	local mask=0 c n
	for c; do
		case $c in
		CAP_CHOWN) n=0 ;; CAP_DAC_OVERRIDE) n=1 ;;
		CAP_DAC_READ_SEARCH) n=2 ;; CAP_FOWNER) n=3 ;; CAP_FSETID) n=4 ;;
		CAP_KILL) n=5 ;; CAP_SETGID) n=6 ;; CAP_SETUID) n=7 ;;
		CAP_SETPCAP) n=8 ;; CAP_LINUX_IMMUTABLE) n=9 ;;
		CAP_NET_BIND_SERVICE) n=10 ;; CAP_NET_BROADCAST) n=11 ;;
		CAP_NET_ADMIN) n=12 ;; CAP_NET_RAW) n=13 ;; CAP_IPC_LOCK) n=14 ;;
		CAP_IPC_OWNER) n=15 ;; CAP_SYS_MODULE) n=16 ;; CAP_SYS_RAWIO) n=17 ;;
		CAP_SYS_CHROOT) n=18 ;; CAP_SYS_PTRACE) n=19 ;; CAP_SYS_PACCT) n=20 ;;
		CAP_SYS_ADMIN) n=21 ;; CAP_SYS_BOOT) n=22 ;; CAP_SYS_NICE) n=23 ;;
		CAP_SYS_RESOURCE) n=24 ;; CAP_SYS_TIME) n=25 ;;
		CAP_SYS_TTY_CONFIG) n=26 ;; CAP_MKNOD) n=27 ;; CAP_LEASE) n=28 ;;
		CAP_AUDIT_WRITE) n=29 ;; CAP_AUDIT_CONTROL) n=30 ;; CAP_SETFCAP) n=31 ;;
		CAP_MAC_OVERRIDE) n=32 ;; CAP_MAC_ADMIN) n=33 ;; CAP_SYSLOG) n=34 ;;
		CAP_WAKE_ALARM) n=35 ;; CAP_BLOCK_SUSPEND) n=36 ;;
		CAP_AUDIT_READ) n=37 ;; CAP_PERFMON) n=38 ;; CAP_BPF) n=39 ;;
		CAP_CHECKPOINT_RESTORE) n=40 ;;
		*) fail "cap_mask: unknown capability $c"; continue ;;
		esac
		mask=$((mask | (1 << n)))
	done
	printf '%016x\n' "$mask"
}

cfg_caps() {
	jq -r ".process.capabilities.$1 // [] | .[]" "$BUNDLE/config.json"
}

# Mount points of this mount namespace at or below DIR.
mounts_under() {
	awk -v d="$1" '$5 == d || index($5, d "/") == 1 { print $5 }' \
		/proc/self/mountinfo
}

# Processes (other than this shell's) whose environment holds TOKEN.
procs_with() {
	local p
	for p in /proc/[0-9]*; do
		[ "${p#/proc/}" = "$$" ] && continue
		[ "${p#/proc/}" = "$BASHPID" ] && continue
		{ tr '\0' '\n' < "$p/environ"; } 2>/dev/null |
			grep -qx "OCIBOX_TEST_TOKEN=$1" && echo "${p#/proc/}"
	done
}

# After a failing create: no state, no mount, no process, no cgroup.
# Call leftover_snapshot before the create, leftover_check after.
leftover_snapshot() {
	token=tok$RANDOM$RANDOM
	cfg '.process.env += ["OCIBOX_TEST_TOKEN=" + $t]' --arg t "$token"
	cp /proc/self/mountinfo "$T/mountinfo.before"
	ls -A "$ROOT" > "$T/root.before"
}

leftover_check() {
	local id=$1 procs cg
	ls -A "$ROOT" > "$T/root.after"
	assertEquals "state dirs in --root after a failed create" \
		"$(cat "$T/root.before")" "$(cat "$T/root.after")"
	assertFalse "$ROOT/$id exists after a failed create" "[ -e '$ROOT/$id' ]"
	assertEquals "mounts after a failed create" \
		"$(cat "$T/mountinfo.before")" "$(cat /proc/self/mountinfo)"
	procs=$(procs_with "$token")
	assertEquals "processes left by a failed create" "" "$procs"
	if [ -n "$procs" ]; then
		kill -KILL $procs 2>/dev/null
	fi
	cg=$(find /sys/fs/cgroup -maxdepth 4 -type d -name "*$id*" 2>/dev/null)
	assertEquals "cgroups left by a failed create" "" "$cg"
	capture oci state "$id"
	assert_error "container does not exist" "state after a failed create"
}

# --- create, start, state -----------------------------------------------------

testCreateReportsCreatedWithLivePid() {
	local id pid keys ver
	sleeper
	id=$(new_id)
	create_ok "$id"
	capture oci state "$id"
	assert_ok
	assert_no_err
	assertEquals "status" created "$(jq -r .status "$T/out")"
	assertEquals "id" "$id" "$(jq -r .id "$T/out")"
	assertEquals "bundle" "$BUNDLE" "$(jq -r .bundle "$T/out")"
	assertEquals "rootfs" "$BUNDLE/rootfs" "$(jq -r .rootfs "$T/out")"
	ver=$(jq -r .ociVersion "$BUNDLE/config.json")
	assertEquals "ociVersion" "$ver" "$(jq -r .ociVersion "$T/out")"
	pid=$(jq -r .pid "$T/out")
	assertTrue "pid $pid > 0" "[ '$pid' -gt 0 ]"
	assertTrue "pid $pid is alive" "pid_alive $pid"
	assertTrue "created is RFC 3339: $(jq -r .created "$T/out")" \
		"jq -r .created '$T/out' | grep -Eq '$RFC3339'"
	assertEquals "owner is a string" string "$(jq -r '.owner | type' "$T/out")"
	keys=$(jq -r 'keys_unsorted | sort | join(" ")' "$T/out")
	assertEquals "state keys (no annotations when there are none)" \
		"bundle created id ociVersion owner pid rootfs status" "$keys"
}

# runc's layout: 2-space indent, its key order.
testStateIsIndentedJson() {
	local id
	sleeper
	id=$(new_id)
	create_ok "$id"
	capture oci state "$id"
	assert_ok
	assertEquals "first line" "{" "$(sed -n 1p "$T/out")"
	assertEquals "second line, 2-space indent" '  "ociVersion": ' \
		"$(sed -n 2p "$T/out" | cut -c1-16)"
	assertEquals "last line" "}" "$(tail -n 1 "$T/out")"
	assertEquals "key order" "ociVersion id pid status bundle rootfs created owner" \
		"$(jq -r 'keys_unsorted | join(" ")' "$T/out")"
}

testStateDirLivesInRoot() {
	local id
	case $IMPL in ocibox|runc) ;; *) skip "state layout of $IMPL"; return 0 ;; esac
	sleeper
	id=$(new_id)
	create_ok "$id"
	assertTrue "$ROOT/$id/state.json" "[ -f '$ROOT/$id/state.json' ]"
}

testCreateMakesMissingRoot() {
	local id root=$T/new/root
	sleeper
	id=$(new_id)
	defer timeout 30 "${OCI[@]}" --root "$root" delete --force "$id"
	capture timeout 60 "${OCI[@]}" --root "$root" create --bundle "$BUNDLE" "$id"
	assert_ok
	assertTrue "--root was created" "[ -d '$root' ]"
	capture timeout 60 "${OCI[@]}" --root "$root" state "$id"
	assert_ok
	assertEquals "status" created "$(jq -r .status "$T/out")"
}

testCreateOptionsAccepted() {
	local id
	sleeper
	id=$(new_id)
	capture oci create --no-new-keyring --no-pivot -b "$BUNDLE" "$id"
	assert_ok
	assert_no_err
	start_ok "$id"
	assertEquals "status" running "$(state_field "$id" status)"
}

testCreateDoesNotRunProcessBeforeStart() {
	local id
	new_bundle
	cfg '.root.readonly = false'
	cfg_sh 'echo ran > /tmp/ran; exec sleep 1000'
	id=$(new_id)
	create_ok "$id"
	assertFalse "process ran before start" "[ -e '$BUNDLE/rootfs/tmp/ran' ]"
	start_ok "$id"
	wait_for 20 test -s "$BUNDLE/rootfs/tmp/ran" || fail "process never ran"
	assertEquals "status after start" running "$(state_field "$id" status)"
}

testStartThenStoppedWhenProcessExits() {
	local id
	id=$(new_id)
	stopped "$id"
	state_of "$id"
	assertEquals "status" stopped "$(jq -r .status "$T/state.json")"
	assertEquals "pid of a stopped container" 0 "$(jq -r .pid "$T/state.json")"
}

testStartTwiceRefused() {
	local id
	sleeper
	id=$(new_id)
	running "$id"
	capture oci start "$id"
	assert_error "cannot start an already running container"
	assertEquals "still running" running "$(state_field "$id" status)"
}

testStartStoppedRefused() {
	local id
	id=$(new_id)
	stopped "$id"
	capture oci start "$id"
	assert_error "cannot start a container that has stopped"
}

testCreateDuplicateIdRefused() {
	local id pid
	sleeper
	id=$(new_id)
	create_ok "$id"
	pid=$(state_field "$id" pid)
	capture oci create --bundle "$BUNDLE" "$id"
	assert_error "container with given ID already exists"
	assertEquals "first container untouched: status" created "$(state_field "$id" status)"
	assertEquals "first container untouched: pid" "$pid" "$(state_field "$id" pid)"
}

testUnknownIdRefused() {
	local cmd
	for cmd in state start kill delete; do
		capture oci $cmd nosuch
		assert_error "container does not exist" "$cmd nosuch"
	done
}

testInvalidIdRefused() {
	sleeper
	capture oci create --bundle "$BUNDLE" ../evil
	assert_fails "create ../evil"
	assertFalse "../evil made outside --root" "[ -e '$TEST_TMP/evil' ]"
	assertEquals "nothing in --root" "" "$(ls -A "$ROOT")"
}

testMissingIdRefused() {
	capture oci state
	assert_rc 1 "state without an id"
	if is_ocibox; then
		assert_fails "state without an id"
	fi
}

testStoppedWhenProcessGone() {
	local id pid
	sleeper
	id=$(new_id)
	create_ok "$id"
	pid=$(state_field "$id" pid)
	kill -KILL "$pid"
	wait_status "$id" stopped || fail "killed by pid, still $(state_field "$id" status)"
	assertEquals "pid once stopped" 0 "$(state_field "$id" pid)"
}

# The pid is stored with its start time: a live process that got the same
# pid later is not the container.
testReusedPidNotMistakenForContainer() {
	local id pid key other
	sleeper
	id=$(new_id)
	create_ok "$id"
	pid=$(state_field "$id" pid)
	[ -f "$ROOT/$id/state.json" ] ||
		{ skip "no $ROOT/$id/state.json to point at another pid"; return 0; }
	key=$(jq -r --argjson p "$pid" \
		'[to_entries[] | select(.value == $p) | .key][0] // empty' \
		"$ROOT/$id/state.json")
	[ -n "$key" ] ||
		{ skip "no top-level field of state.json holds the pid $pid"; return 0; }
	kill -KILL "$pid"
	wait_for 20 eval "! pid_alive $pid" || fail "pid $pid did not die"
	sleep 1000 < /dev/null > /dev/null 2>&1 &
	other=$!
	disown "$other"
	defer kill -KILL "$other"
	jq --argjson p "$other" --arg k "$key" '.[$k] = $p' \
		"$ROOT/$id/state.json" > "$T/state.new" &&
		cat "$T/state.new" > "$ROOT/$id/state.json"
	assertEquals "status with a reused pid" stopped "$(state_field "$id" status)"
	assertEquals "pid with a reused pid" 0 "$(state_field "$id" pid)"
	capture oci kill "$id" KILL
	assert_error "container not running"
	assertTrue "the unrelated process survived" "pid_alive $other"
}

# --- delete -----------------------------------------------------------------

testDeleteStopped() {
	local id
	id=$(new_id)
	stopped "$id"
	capture oci delete "$id"
	assert_ok
	assert_out ""
	assert_no_err
	assertFalse "$ROOT/$id left" "[ -e '$ROOT/$id' ]"
	capture oci state "$id"
	assert_error "container does not exist" "state after delete"
}

testDeleteCreated() {
	local id pid
	sleeper
	id=$(new_id)
	create_ok "$id"
	pid=$(state_field "$id" pid)
	capture oci delete "$id"
	assert_ok
	assert_no_err
	wait_for 20 eval "! pid_alive $pid" || fail "init $pid of a deleted container lives"
	capture oci state "$id"
	assert_error "container does not exist" "state after delete"
}

testDeleteRunningRefused() {
	local id phrase="container still running"
	sleeper
	id=$(new_id)
	running "$id"
	[ "$IMPL" = runc ] && phrase="that is not stopped"
	capture oci delete "$id"
	assert_error "$phrase"
	assertEquals "still running" running "$(state_field "$id" status)"
}

testDeleteForceRunning() {
	local id pid
	sleeper
	id=$(new_id)
	running "$id"
	pid=$(state_field "$id" pid)
	capture oci delete --force "$id"
	assert_ok
	assert_out ""
	assert_no_err
	wait_for 20 eval "! pid_alive $pid" || fail "init $pid survived delete --force"
	assertFalse "$ROOT/$id left" "[ -e '$ROOT/$id' ]"
	capture oci state "$id"
	assert_error "container does not exist" "state after delete --force"
}

testDeleteForceShortOption() {
	local id
	sleeper
	id=$(new_id)
	running "$id"
	capture oci delete -f "$id"
	assert_ok
	assert_no_err
	capture oci state "$id"
	assert_error "container does not exist" "state after delete -f"
}

testDeleteForceMissingIsSilent() {
	capture oci delete --force nosuch
	assert_ok
	assert_out ""
	assert_no_err
}

# --- kill -------------------------------------------------------------------

testKillDefaultsToSigterm() {
	local id
	new_bundle
	cfg '.root.readonly = false'
	cfg_sh 'trap "echo TERM > /tmp/sig; exit 0" TERM; touch /tmp/ready
		while :; do sleep 0.1; done'
	id=$(new_id)
	running "$id"
	wait_for 20 test -e "$BUNDLE/rootfs/tmp/ready" || fail "trap never set"
	capture oci kill "$id"
	assert_ok
	assert_out ""
	assert_no_err
	wait_status "$id" stopped || fail "still $(state_field "$id" status) after kill"
	assertEquals "signal the process got" TERM "$(cat "$BUNDLE/rootfs/tmp/sig" 2>/dev/null)"
}

testKillSignalForms() {
	local id sig
	for sig in KILL SIGKILL 9; do
		sleeper "$T/bundle-$sig"
		id=$(new_id)
		running "$id"
		capture oci kill "$id" "$sig"
		assert_ok "kill $sig"
		assert_no_err "kill $sig"
		wait_status "$id" stopped || fail "kill $sig: still $(state_field "$id" status)"
	done
}

testKillNamedSignalReachesProcess() {
	local id
	new_bundle
	cfg '.root.readonly = false'
	cfg_sh 'trap "echo USR1 >> /tmp/sig" USR1; touch /tmp/ready
		while :; do sleep 0.1; done'
	id=$(new_id)
	running "$id"
	wait_for 20 test -e "$BUNDLE/rootfs/tmp/ready" || fail "trap never set"
	capture oci kill "$id" SIGUSR1
	assert_ok
	wait_for 20 test -s "$BUNDLE/rootfs/tmp/sig" || fail "USR1 never arrived"
	assertEquals "still running after USR1" running "$(state_field "$id" status)"
}

testKillAll() {
	local id opt
	for opt in --all -a; do
		sleeper "$T/bundle$opt"
		id=$(new_id)
		running "$id"
		capture oci kill "$opt" "$id" KILL
		assert_ok "kill $opt"
		assert_no_err "kill $opt"
		wait_status "$id" stopped ||
			fail "still $(state_field "$id" status) after kill $opt"
	done
}

testKillCreated() {
	local id
	sleeper
	id=$(new_id)
	create_ok "$id"
	capture oci kill "$id" KILL
	assert_ok
	wait_status "$id" stopped || fail "still $(state_field "$id" status) after kill"
}

testKillUnknownSignalRefused() {
	local id
	sleeper
	id=$(new_id)
	running "$id"
	capture oci kill "$id" FOO
	assert_error 'unknown signal "FOO"'
	assertEquals "still running" running "$(state_field "$id" status)"
}

testKillStoppedRefused() {
	local id
	id=$(new_id)
	stopped "$id"
	capture oci kill "$id" KILL
	assert_error "container not running"
}

# --- run --------------------------------------------------------------------

testRunExitStatusIsTheProcesses() {
	local id
	new_bundle
	cfg_sh 'exit 3'
	id=$(new_id)
	capture oci run --bundle "$BUNDLE" "$id"
	assert_rc 3
	assert_out ""
	assert_no_err
	capture oci state "$id"
	assert_error "container does not exist" "state after run"
	assertFalse "$ROOT/$id left after run" "[ -e '$ROOT/$id' ]"
}

testRunPassesStdio() {
	new_bundle
	cfg_sh 'read line; echo "out:$line"; echo err >&2'
	echo hello > "$T/in"
	capture oci run --bundle "$BUNDLE" "$(new_id)" < "$T/in"
	assert_ok
	assert_out "out:hello"
	assert_no_err_but "err"
}

assert_no_err_but() {
	assertEquals "stderr" "$1" "$err"
}

testRunKeepLeavesStopped() {
	local id
	new_bundle
	cfg_sh 'exit 0'
	id=$(new_id)
	capture oci run --keep --bundle "$BUNDLE" "$id"
	assert_ok
	assertEquals "status after run --keep" stopped "$(state_field "$id" status)"
	capture oci delete "$id"
	assert_ok
	assert_no_err
}

testRunDetach() {
	local id pid
	sleeper
	id=$(new_id)
	capture oci run --detach --bundle "$BUNDLE" "$id"
	assert_ok
	assert_out ""
	assert_no_err
	assertEquals "status" running "$(state_field "$id" status)"
	pid=$(state_field "$id" pid)
	assertTrue "pid $pid alive" "pid_alive $pid"
}

testRunDetachShortOption() {
	local id
	sleeper
	id=$(new_id)
	capture oci run -d -b "$BUNDLE" "$id"
	assert_ok
	assertEquals "status" running "$(state_field "$id" status)"
}

testRunForwardsSignals() {
	local id runpid wd
	new_bundle
	cfg '.root.readonly = false'
	# pid 1 of a pid namespace ignores signals it has no handler for.
	cfg_sh 'trap "exit 42" TERM; touch /tmp/ready; while :; do sleep 0.1; done'
	id=$(new_id)
	"${OCI[@]}" --root "$ROOT" run --bundle "$BUNDLE" "$id" \
		< /dev/null > "$T/run.out" 2> "$T/run.err" &
	runpid=$!
	defer kill -KILL "$runpid"
	(sleep "$OCI_TIMEOUT"; kill -KILL "$runpid") > /dev/null 2>&1 &
	wd=$!
	defer kill "$wd"
	wait_for 20 test -e "$BUNDLE/rootfs/tmp/ready" || fail "trap never set"
	kill -TERM "$runpid"
	wait "$runpid"
	rc=$?
	kill "$wd" 2>/dev/null
	err=$(cat "$T/run.err")
	assert_rc 42 "run after SIGTERM"
	assertEquals "run stdout" "" "$(cat "$T/run.out")"
}

testPidFileCreate() {
	local id pid
	sleeper
	id=$(new_id)
	capture oci create --bundle "$BUNDLE" --pid-file "$T/pid" "$id"
	assert_ok
	pid=$(state_field "$id" pid)
	assertEquals "pid file" "$pid" "$(cat "$T/pid")"
	assertEquals "pid file bytes (no newline)" "${#pid}" "$(wc -c < "$T/pid")"
}

testPidFileRunDetach() {
	local id pid
	sleeper
	id=$(new_id)
	capture oci run -d --pid-file "$T/pid" --bundle "$BUNDLE" "$id"
	assert_ok
	pid=$(state_field "$id" pid)
	assertEquals "pid file" "$pid" "$(cat "$T/pid")"
	assertEquals "pid file bytes (no newline)" "${#pid}" "$(wc -c < "$T/pid")"
}

# --- list -------------------------------------------------------------------

testListTable() {
	local a b
	sleeper
	a=$(new_id)
	b=$(new_id)
	create_ok "$a"
	running "$b"
	capture oci list
	assert_ok
	assert_no_err
	assertEquals "header" "ID PID STATUS BUNDLE CREATED OWNER" \
		"$(sed -n 1p "$T/out" | tr -s ' \t' '  ')"
	assertEquals "row of $a" "$a $(state_field "$a" pid) created $BUNDLE root" \
		"$(awk -v i="$a" '$1 == i { print $1, $2, $3, $4, $6 }' "$T/out")"
	assertEquals "row of $b" "$b $(state_field "$b" pid) running $BUNDLE root" \
		"$(awk -v i="$b" '$1 == i { print $1, $2, $3, $4, $6 }' "$T/out")"
	assertEquals "rows" 3 "$(wc -l < "$T/out")"
	cp "$T/out" "$T/list.default"
	capture oci list --format table
	assert_ok
	assertEquals "--format table" "$(cat "$T/list.default")" "$out"
}

testListQuiet() {
	local a b
	sleeper
	a=$(new_id)
	b=$(new_id)
	create_ok "$a"
	create_ok "$b"
	capture oci list -q
	assert_ok
	assertEquals "ids" "$(printf '%s\n' "$a" "$b" | sort)" "$(sort "$T/out")"
	capture oci list --quiet
	assertEquals "ids (--quiet)" "$(printf '%s\n' "$a" "$b" | sort)" "$(sort "$T/out")"
}

testListJson() {
	local a
	sleeper
	a=$(new_id)
	create_ok "$a"
	capture oci list --format json
	assert_ok
	assertEquals "entries" 1 "$(jq length "$T/out")"
	assertEquals "id" "$a" "$(jq -r '.[0].id' "$T/out")"
	assertEquals "status" created "$(jq -r '.[0].status' "$T/out")"
	assertEquals "bundle" "$BUNDLE" "$(jq -r '.[0].bundle' "$T/out")"
	assertEquals "pid" "$(state_field "$a" pid)" "$(jq -r '.[0].pid' "$T/out")"
	capture oci list -f json
	assertEquals "entries (-f)" 1 "$(jq length "$T/out")"
}

# A root nobody created lists nothing.  ocibox's list only reads, so the
# root stays absent (runc creates it).
testListMissingRootCreatesNothing() {
	local root=$T/no-such-root
	capture timeout -k 5 "$OCI_TIMEOUT" "${OCI[@]}" --root "$root" list -q
	assert_ok
	assert_out ""
	if is_ocibox; then
		assertFalse "root not created" "[ -e '$root' ]"
	fi
}

testListEmpty() {
	capture oci list
	assert_ok
	assertEquals "table" "ID PID STATUS BUNDLE CREATED OWNER" "$(tr -s ' \t' '  ' < "$T/out")"
	capture oci list -q
	assert_ok
	assert_out ""
	capture oci list -f json
	assert_ok
	if is_ocibox; then
		assert_out "[]"
	fi
}

# --- spec -------------------------------------------------------------------

testSpecWritesDefaultConfig() {
	local d=$T/spec ns t m
	mkdir -p "$d"
	capture oci spec --bundle "$d"
	assert_ok
	assert_out ""
	assert_no_err
	assertTrue "valid JSON" "jq -e . '$d/config.json' >/dev/null"
	assertEquals "process.args" '["sh"]' "$(jq -c .process.args "$d/config.json")"
	assertEquals "root.path" rootfs "$(jq -r .root.path "$d/config.json")"
	assertEquals "ociVersion is a string" string "$(jq -r '.ociVersion | type' "$d/config.json")"
	ns=$(jq -r '[.linux.namespaces[].type] | sort | join(" ")' "$d/config.json")
	for t in ipc mount network pid uts; do
		assert_contains "namespaces" " $ns " " $t "
	done
	for m in /proc /dev /dev/pts /dev/shm /dev/mqueue /sys; do
		assertEquals "mount $m" "$m" \
			"$(jq -r --arg m "$m" '.mounts[] | select(.destination == $m) | .destination' "$d/config.json")"
	done
	assertNotEquals "maskedPaths" 0 "$(jq '.linux.maskedPaths | length' "$d/config.json")"
	assertNotEquals "readonlyPaths" 0 "$(jq '.linux.readonlyPaths | length' "$d/config.json")"
	assertEquals "a terminal, as runc's" true "$(jq .process.terminal "$d/config.json")"
	assertEquals "runc's device rule" '{"devices":[{"allow":false,"access":"rwm"}]}' \
		"$(jq -c .linux.resources "$d/config.json")"
}

in_dir() {
	(cd "$1" && shift && "$@")
}

testSpecDefaultsToCurrentDirectory() {
	mkdir -p "$T/cwd"
	capture in_dir "$T/cwd" oci spec
	assert_ok
	assertTrue "config.json in the current directory" "[ -s '$T/cwd/config.json' ]"
}

testSpecShortBundleOption() {
	mkdir -p "$T/spec"
	capture oci spec -b "$T/spec"
	assert_ok
	assertTrue "config.json" "[ -s '$T/spec/config.json' ]"
}

testSpecRefusesToOverwrite() {
	mkdir -p "$T/spec"
	echo '{"mine": true}' > "$T/spec/config.json"
	capture oci spec --bundle "$T/spec"
	assert_fails
	assertEquals "config.json untouched" '{"mine": true}' "$(cat "$T/spec/config.json")"
}

# --- config errors ----------------------------------------------------------

testMissingConfigJson() {
	mkdir -p "$T/empty/rootfs"
	capture oci create --bundle "$T/empty" "$(new_id)"
	assert_error_text "No such file or directory"
	if is_ocibox; then
		assert_contains "names the file" "$err" "config.json"
	fi
}

testInvalidJson() {
	new_bundle
	printf '{\n  "ociVersion": "1.0.2",\n  "process": ,\n}\n' > "$BUNDLE/config.json"
	capture oci create --bundle "$BUNDLE" "$(new_id)"
	assert_error_text "config.json: invalid JSON at line 3, column 14"
}

testArgsElementWrongType() {
	new_bundle
	cfg '.process.args = ["sh", 1]'
	capture oci create --bundle "$BUNDLE" "$(new_id)"
	assert_error_text "config.json: process.args[1]: expected string"
}

testWrongTypesNameTheKey() {
	local f key
	for f in '.process.args = "sh"' '.process.terminal = "yes"' \
		 '.hostname = 5' '.mounts[0].destination = 7' '.process.user.uid = "root"'; do
		new_bundle "$T/b$RANDOM"
		cfg "$f"
		key=${f%% =*}
		key=${key#.}
		capture oci create --bundle "$BUNDLE" "$(new_id)"
		assert_error_text "config.json: $key: expected" "$f"
	done
}

testMissingProcessArgs() {
	new_bundle
	cfg 'del(.process.args)'
	capture oci create --bundle "$BUNDLE" "$(new_id)"
	assert_error_text "config.json: process.args: missing"
}

testEmptyProcessArgs() {
	new_bundle
	cfg '.process.args = []'
	capture oci create --bundle "$BUNDLE" "$(new_id)"
	assert_error_text "config.json: process.args"
}

testMissingRootfs() {
	new_bundle
	cfg '.root.path = "nosuch"'
	capture oci create --bundle "$BUNDLE" "$(new_id)"
	assert_error_text "config.json: root.path: $BUNDLE/nosuch: No such file or directory"
}

testMissingRootfsAbsolute() {
	new_bundle
	cfg '.root.path = $p' --arg p "$T/nosuch"
	capture oci create --bundle "$BUNDLE" "$(new_id)"
	assert_error_text "config.json: root.path: $T/nosuch: No such file or directory"
}

testFailedCreateLeavesNothingBadBind() {
	local id src=$T/nosuch-source
	new_bundle
	cfg_args sleep 1000
	cfg '.mounts += [{"destination": "/mnt", "type": "bind", "source": $s,
		"options": ["rbind"]}]' --arg s "$src"
	leftover_snapshot
	id=$(new_id)
	OCIBOX_TEST_TOKEN=$token capture oci create --bundle "$BUNDLE" "$id"
	assert_error "$src"
	leftover_check "$id"
}

testFailedCreateLeavesNothingNoExecutable() {
	local id
	new_bundle
	cfg_args nosuchcmd
	leftover_snapshot
	id=$(new_id)
	OCIBOX_TEST_TOKEN=$token capture oci create --bundle "$BUNDLE" "$id"
	assert_error "nosuchcmd"
	leftover_check "$id"
}

testFailedRunLeavesNothing() {
	local id
	new_bundle
	cfg_args nosuchcmd
	leftover_snapshot
	id=$(new_id)
	OCIBOX_TEST_TOKEN=$token capture oci run --bundle "$BUNDLE" "$id"
	assert_error "nosuchcmd"
	leftover_check "$id"
}

# linux.resources is enforced (tests/oci-run/cgroup.sh): no warning.
testResourcesRunSilently() {
	new_bundle
	cfg '.linux.resources = {"memory": {"limit": 268435456}}'
	run_sh 'echo hi'
	assert_ok
	assert_out "hi"
	assert_no_err
}

# --- global options -----------------------------------------------------------

testLogFormatJson() {
	local lines
	capture oci --log "$T/log.json" --log-format json state nosuch
	assert_rc 1
	assertTrue "log file written" "[ -s '$T/log.json' ]"
	lines=$(wc -l < "$T/log.json")
	assertEquals "every line a {level,msg,time} object" "$lines" \
		"$(jq -c 'select(type == "object" and (keys == ["level","msg","time"]))' \
			"$T/log.json" 2>/dev/null | wc -l)"
	assertEquals "level" error "$(tail -n 1 "$T/log.json" | jq -r .level)"
	assert_contains "msg" "$(tail -n 1 "$T/log.json" | jq -r .msg)" \
		"container does not exist"
	assertTrue "time is RFC 3339" \
		"tail -n 1 '$T/log.json' | jq -r .time | grep -Eq '$RFC3339'"
	assert_contains "stderr still has the error" "$err" "container does not exist"
}

testLogFormatText() {
	capture oci --log "$T/log.txt" state nosuch
	assert_rc 1
	assert_contains "log file" "$(cat "$T/log.txt" 2>/dev/null)" "container does not exist"
}

testDebugAndSystemdCgroupAccepted() {
	capture oci --debug state nosuch
	assert_rc 1
	assert_contains "stderr" "$err" "container does not exist"
	capture oci --systemd-cgroup list -q
	assert_ok
	assert_out ""
}

testUnknownCommandRefused() {
	require_ocibox "runc's unknown-command handling differs" || return 0
	capture oci nosuch
	assert_fails
}

# --- isolation, seen from inside ---------------------------------------------

testProcessIsPid1() {
	run_sh 'echo $$'
	assert_ok
	assert_out 1
}

testHostname() {
	local before
	before=$(hostname)
	new_bundle
	cfg '.hostname = "oci-test-host"'
	run_sh hostname
	assert_ok
	assert_out oci-test-host
	assertEquals "host's hostname untouched" "$before" "$(hostname)"
}

testNetworkNamespaceHasOnlyLo() {
	run_sh "sed 1,2d /proc/net/dev | cut -d: -f1 | tr -d ' '"
	assert_ok
	assert_out lo
}

testMountsDoNotPropagateToHost() {
	local d=$T/shared id
	mkdir -p "$d"
	mount -t tmpfs tmpfs "$d" || { skip "cannot mount a tmpfs"; return 0; }
	defer umount -l "$d"
	mount --make-shared "$d"
	new_bundle "$d/b"
	cfg '.root.readonly = false'
	cfg '.process.capabilities[] += ["CAP_SYS_ADMIN"]'
	cfg_sh 'mount -t tmpfs inside /mnt && touch /mnt/inside && touch /tmp/ready
		exec sleep 1000'
	id=$(new_id)
	running "$id"
	wait_for 20 test -e "$BUNDLE/rootfs/tmp/ready" || fail "container never mounted"
	assertEquals "host mounts under the rootfs" "" "$(mounts_under "$BUNDLE/rootfs")"
	assertFalse "file in the container's tmpfs seen on the host" \
		"[ -e '$BUNDLE/rootfs/mnt/inside' ]"
}

testMaskedPaths() {
	local p
	new_bundle
	echo secret > "$BUNDLE/rootfs/root/secret"
	echo secret > "$BUNDLE/rootfs/etc/secret"
	cfg '.linux.maskedPaths += ["/root", "/etc/secret"]'
	run_sh 'ls -A /root | wc -l; cat /etc/secret | wc -c'
	assert_ok
	assert_out "$(printf '0\n0')"
	# The default spec's masks: every one that exists reads as empty.
	for p in $(jq -r '.linux.maskedPaths[]' "$BUNDLE/config.json"); do
		echo "$p"
	done > "$T/masked"
	cfg_sh 'while read p; do
		if [ -d "$p" ]; then echo "$p $(ls -A "$p" | wc -l)"
		elif [ -e "$p" ]; then echo "$p $(cat "$p" 2>/dev/null | wc -c)"
		fi; done'
	capture oci run --bundle "$BUNDLE" "$(new_id)" < "$T/masked"
	assert_ok
	assertEquals "masked paths with content" "" "$(grep -v ' 0$' "$T/out")"
	assertNotEquals "no masked path checked" "" "$out"
}

testReadonlyPaths() {
	new_bundle
	cfg '.root.readonly = false'
	cfg '.linux.readonlyPaths += ["/etc"]'
	run_sh 'awk '\''$5 == "/proc/sys" { print $6 }'\'' /proc/self/mountinfo | cut -d, -f1
		(echo x > /proc/sys/kernel/domainname) 2>&1
		touch /etc/new 2>&1; touch /new && echo rootfs-writable'
	assert_ok
	assertEquals "/proc/sys mount options" ro "$(sed -n 1p "$T/out")"
	assert_contains "write to /proc/sys" "$(sed -n 2p "$T/out")" "Read-only file system"
	assert_contains "write to /etc" "$(sed -n 3p "$T/out")" "Read-only file system"
	assertEquals "rest of the rootfs" rootfs-writable "$(sed -n 4p "$T/out")"
}

pivot_checks() {
	local marker=$1 host_root root
	assert_ok
	assertEquals "host marker /${marker##*/} inside" hidden "$(sed -n 1p "$T/out")"
	root=$(sed -n '2,$p' "$T/out")
	assertEquals "mounts at / in /proc/1/mountinfo" 1 "$(printf '%s\n' "$root" | grep -c .)"
	host_root=$(readlink -f "$BUNDLE/rootfs")
	case $host_root in
	*"$root") ;;
	*) fail "/ inside is '$root', not the rootfs $host_root" ;;
	esac
}

testPivotRootHidesHost() {
	local marker=/.ocibox-test-marker-${TEST_TMP##*.}
	touch "$marker"
	defer rm -f "$marker"
	run_sh "[ -e $marker ] && echo visible || echo hidden
		awk '\$5 == \"/\" { print \$4 }' /proc/1/mountinfo"
	pivot_checks "$marker"
}

testNoPivot() {
	local marker=/.ocibox-test-marker-${TEST_TMP##*.}
	touch "$marker"
	defer rm -f "$marker"
	new_bundle
	cfg_sh "[ -e $marker ] && echo visible || echo hidden
		awk '\$5 == \"/\" { print \$4 }' /proc/1/mountinfo"
	capture oci run --no-pivot --bundle "$BUNDLE" "$(new_id)"
	pivot_checks "$marker"
}

testRootReadonly() {
	new_bundle
	cfg '.root.readonly = true'
	run_sh 'touch /x 2>&1; echo $?'
	assert_ok
	assert_contains "touch /x" "$out" "Read-only file system"
	new_bundle "$T/rw"
	cfg '.root.readonly = false'
	run_sh 'touch /x && echo ok'
	assert_ok
	assert_out ok
	assertTrue "file on the rootfs" "[ -e '$BUNDLE/rootfs/x' ]"
}

testEnvIsExactlyTheConfigs() {
	new_bundle
	cfg '.process.env = ["PATH=/bin:/usr/bin", "FOO=bar baz", "HOME=/root"]'
	# Not the last command: sh stays pid 1 and its environ is the config's.
	run_sh 'cat /proc/1/environ | tr "\0" "\n"'
	assert_ok
	assert_out "$(printf 'PATH=/bin:/usr/bin\nFOO=bar baz\nHOME=/root')"
}

testCwd() {
	new_bundle
	cfg '.process.cwd = "/tmp"'
	run_sh pwd
	assert_ok
	assert_out /tmp
}

testUserAndAdditionalGids() {
	new_bundle
	cfg '.process.user = {"uid": 1000, "gid": 1001, "additionalGids": [10, 20]}'
	run_sh 'id -u; id -g; id -G'
	assert_ok
	assert_out "$(printf '1000\n1001\n1001 10 20')"
}

testUmask() {
	new_bundle
	cfg '.process.user.umask = 23'
	run_sh umask
	assert_ok
	assert_out 0027
	new_bundle "$T/default"
	cfg 'del(.process.user.umask)'
	run_sh umask
	assert_ok
	assert_out 0022 "umask when the config sets none"
}

testRlimits() {
	new_bundle
	cfg '.process.rlimits = [{"type": "RLIMIT_NOFILE", "soft": 512, "hard": 2048}]'
	run_sh 'ulimit -n; ulimit -Hn'
	assert_ok
	assert_out "$(printf '512\n2048')"
}

testNoNewPrivileges() {
	new_bundle
	cfg '.process.noNewPrivileges = true'
	run_sh "awk '/^NoNewPrivs:/ { print \$2 }' /proc/self/status"
	assert_ok
	assert_out 1
	new_bundle "$T/off"
	cfg '.process.noNewPrivileges = false'
	run_sh "awk '/^NoNewPrivs:/ { print \$2 }' /proc/self/status"
	assert_ok
	assert_out 0 "noNewPrivileges false"
}

# For uid 0 the kernel makes effective = permitted on exec, and with
# noNewPrivileges permitted stays what the runtime set: configs here keep
# effective = permitted, both within bounding.
caps_checks() {
	local bnd eff prm inh amb
	bnd=$(cap_mask $(cfg_caps bounding))
	eff=$(cap_mask $(cfg_caps effective))
	prm=$(cap_mask $(cfg_caps permitted))
	inh=$(cap_mask $(cfg_caps inheritable))
	# The kernel keeps an ambient capability only if it is also
	# permitted and inheritable.
	amb=$(printf '%016x' $((0x$(cap_mask $(cfg_caps ambient)) & 0x$inh & 0x$prm)))
	run_sh "grep ^Cap /proc/1/status | tr -d '\t'"
	assert_ok
	assert_out "$(printf 'CapInh:%s\nCapPrm:%s\nCapEff:%s\nCapBnd:%s\nCapAmb:%s' \
		"$inh" "$prm" "$eff" "$bnd" "$amb")"
}

testCapabilitiesOfDefaultSpec() {
	new_bundle
	caps_checks
}

testCapabilitiesCustom() {
	new_bundle
	cfg '.process.noNewPrivileges = true'
	cfg '.process.capabilities = {
		"bounding": ["CAP_CHOWN", "CAP_KILL", "CAP_SYS_ADMIN", "CAP_NET_RAW"],
		"effective": ["CAP_CHOWN", "CAP_KILL", "CAP_SYS_ADMIN"],
		"permitted": ["CAP_CHOWN", "CAP_KILL", "CAP_SYS_ADMIN"],
		"inheritable": ["CAP_KILL"],
		"ambient": ["CAP_KILL"]}'
	caps_checks
}

testOomScoreAdj() {
	new_bundle
	cfg '.process.oomScoreAdj = 100'
	run_sh 'cat /proc/self/oom_score_adj'
	assert_ok
	assert_out 100
}

testBindMountReadOnly() {
	mkdir -p "$T/data"
	echo hello > "$T/data/file"
	new_bundle
	cfg '.mounts += [{"destination": "/data", "type": "bind", "source": $s,
		"options": ["rbind", "ro"]}]' --arg s "$T/data"
	run_sh 'cat /data/file; touch /data/new 2>&1 || :'
	assert_ok
	assertEquals "read" hello "$(sed -n 1p "$T/out")"
	assert_contains "write" "$(sed -n 2p "$T/out")" "Read-only file system"
	assertFalse "file made on the host" "[ -e '$T/data/new' ]"
}

testBindMountRelativeSource() {
	new_bundle
	mkdir -p "$BUNDLE/data"
	echo hello > "$BUNDLE/data/file"
	cfg '.mounts += [{"destination": "/data", "type": "bind", "source": "data",
		"options": ["rbind", "rw"]}]'
	run_sh 'cat /data/file; echo written > /data/new'
	assert_ok
	assert_out hello
	assertEquals "write seen on the host" written "$(cat "$BUNDLE/data/new" 2>/dev/null)"
}

testBindMountFile() {
	echo 'nameserver 192.0.2.53' > "$T/resolv.conf"
	new_bundle
	cfg '.mounts += [{"destination": "/etc/resolv.conf", "type": "bind",
		"source": $s, "options": ["bind", "ro"]}]' --arg s "$T/resolv.conf"
	run_sh 'cat /etc/resolv.conf'
	assert_ok
	assert_out 'nameserver 192.0.2.53'
}

testTmpfsSizeAndMode() {
	new_bundle
	cfg '.mounts += [{"destination": "/scratch", "type": "tmpfs", "source": "tmpfs",
		"options": ["nosuid", "size=1m", "mode=1770"]}]'
	run_sh "stat -c %a /scratch; awk '\$5 == \"/scratch\"' /proc/self/mountinfo | sed 's/.* - //'"
	assert_ok
	assertEquals "mode" 1770 "$(sed -n 1p "$T/out")"
	assert_contains "fs type" "$(sed -n 2p "$T/out")" "tmpfs "
	assert_contains "size" "$(sed -n 2p "$T/out")" "size=1024k"
	assert_contains "mode" "$(sed -n 2p "$T/out")" "mode=1770"
}

testDevNodes() {
	run_sh 'for n in null zero full random urandom tty; do
			[ -c /dev/$n ] && stat -c "%n %t:%T" /dev/$n; done
		{ [ -c /dev/ptmx ] || [ "$(readlink /dev/ptmx)" = pts/ptmx ]; } && echo ptmx
		for l in fd stdin stdout stderr; do readlink /dev/$l; done
		head -c 3 /dev/zero | wc -c; head -c 4 /dev/urandom | wc -c
		echo x > /dev/null && echo null-writable'
	assert_ok
	assert_out "$(printf '%s\n' '/dev/null 1:3' '/dev/zero 1:5' '/dev/full 1:7' \
		'/dev/random 1:8' '/dev/urandom 1:9' '/dev/tty 5:0' ptmx \
		/proc/self/fd /proc/self/fd/0 /proc/self/fd/1 /proc/self/fd/2 \
		3 4 null-writable)"
}

testAnnotationsInState() {
	local id
	sleeper
	cfg '.annotations = {"org.example.key": "value", "x": "y z"}'
	id=$(new_id)
	create_ok "$id"
	state_of "$id"
	assertEquals "annotations" '{"org.example.key":"value","x":"y z"}' \
		"$(jq -cS .annotations "$T/state.json")"
}

# --- compared with runc ---------------------------------------------------------

# The keys of a JSON object and the types of their values, in key order.
shape() {
	jq -c '[to_entries[] | {key, type: (.value | type)}] | sort_by(.key) | .[]' "$1"
}

testStateAndPidFileMatchRunc() {
	local id rid rroot=$T/runc-root p
	require_cmd runc || return 0
	sleeper
	cfg '.annotations = {"org.example.key": "value"}'
	id=$(new_id)
	capture oci create --bundle "$BUNDLE" --pid-file "$T/pid.ours" "$id"
	assert_ok
	rid=runc-${TEST_TMP##*.}
	defer timeout 30 runc --root "$rroot" delete --force "$rid"
	capture timeout 60 runc --root "$rroot" create --bundle "$BUNDLE" \
		--pid-file "$T/pid.runc" "$rid"
	assert_ok "runc create"
	oci state "$id" > "$T/ours.json"
	runc --root "$rroot" state "$rid" > "$T/runc.json"
	assertEquals "state keys and value types" "$(shape "$T/runc.json")" "$(shape "$T/ours.json")"
	assertEquals "status" "$(jq -r .status "$T/runc.json")" "$(jq -r .status "$T/ours.json")"
	for f in ours runc; do
		assertTrue "$f created is RFC 3339" \
			"jq -r .created '$T/$f.json' | grep -Eq '$RFC3339'"
		p=$(cat "$T/pid.$f")
		assertTrue "$f pid file is digits only: '$p'" "[[ '$p' =~ ^[1-9][0-9]*$ ]]"
		assertEquals "$f pid file bytes" "${#p}" "$(wc -c < "$T/pid.$f")"
		assertEquals "$f pid file = state pid" "$p" "$(jq -r .pid "$T/$f.json")"
	done
	oci list -f json > "$T/ours.list"
	runc --root "$rroot" list -f json > "$T/runc.list"
	jq '.[0]' "$T/ours.list" > "$T/ours.list0"
	jq '.[0]' "$T/runc.list" > "$T/runc.list0"
	assertEquals "list -f json keys and value types" \
		"$(shape "$T/runc.list0")" "$(shape "$T/ours.list0")"
}

# --- regressions from review ------------------------------------------------

# A cwd through a magic link (a missing first component sends create down
# the component walk) must not leave the process in the init's host /proc.
testCwdThroughMagicLinkRefused() {
	local id
	new_bundle
	cfg '.process.cwd = "/nd/../proc/self/fd/5"'
	cfg_args pwd
	id=$(new_id)
	capture oci run --bundle "$BUNDLE" "$id"
	assert_rc 1
	assert_out ""
	is_ocibox && assert_contains "names the cwd" "$err" \
		"cwd /nd/../proc/self/fd/5"
}

testNoCapabilitiesKeyMeansNone() {
	new_bundle
	cfg 'del(.process.capabilities)'
	run_sh 'grep -E "^Cap(Eff|Prm|Bnd)" /proc/self/status | tr -s "\t" " "'
	assert_ok
	assert_out "$(printf 'CapPrm: 0000000000000000\nCapEff: 0000000000000000\nCapBnd: 0000000000000000')"
}

testSharedMountKeepsPropagation() {
	new_bundle
	cfg '.mounts += [{"destination": "/sh", "type": "tmpfs",
		"source": "tmpfs", "options": ["rshared"]}]'
	run_sh 'grep " /sh " /proc/self/mountinfo'
	assert_ok
	assert_contains "shared peer group" "$out" " shared:"
}

testDevicesWithoutDevMount() {
	new_bundle
	cfg 'del(.mounts[] | select(.destination | startswith("/dev")))'
	run_sh 'for d in null zero full random urandom tty; do
		[ -c /dev/$d ] || echo "no /dev/$d"; done; echo x > /dev/null
		[ -c /dev/null ] && echo ok'
	assert_ok
	assert_out ok
}

testPreserveFdsInvalidRefused() {
	require_ocibox || return
	new_bundle
	cfg_args true
	capture oci run --preserve-fds -2 --bundle "$BUNDLE" "$(new_id)"
	assert_error "--preserve-fds"
}

# podman reads --log as one JSON object: no warning lines before the error.
testLogFileHoldsOnlyTheError() {
	require_ocibox || return
	new_bundle
	cfg '.linux.resources = {"devices": [{"allow": false, "access": "rwm"}]}'
	cfg_args nosuch-binary
	capture oci --log "$T/log.json" --log-format json run \
		--bundle "$BUNDLE" "$(new_id)"
	assert_rc 1
	assertEquals "one line" 1 "$(wc -l < "$T/log.json")"
	assertEquals "level" error "$(jq -r .level "$T/log.json")"
}

# A namespace path of another kind must not be joined as the named kind.
testNamespacePathOfWrongTypeRefused() {
	local pid
	new_bundle
	unshare --ipc sleep 100 & pid=$!
	defer kill "$pid"
	sleep 0.2
	cfg '(.linux.namespaces[] | select(.type == "uts")) |=
		{"type": "uts", "path": $p}' --arg p "/proc/$pid/ns/ipc"
	cfg_args true
	capture oci run --bundle "$BUNDLE" "$(new_id)"
	assert_rc 1
	is_ocibox && assert_contains "error" "$err" "Invalid argument"
}

# Without a pid namespace of its own the container shares the caller's:
# kill --all must signal only the container's init, not its neighbours.
testKillAllWithoutPidNamespaceSparesOthers() {
	local id victim
	new_bundle
	cfg 'del(.linux.namespaces[] | select(.type == "pid"))'
	cfg_args sleep 1000
	sleep 1000 & victim=$!
	defer kill "$victim"
	id=$(new_id)
	capture oci run -d --bundle "$BUNDLE" "$id"
	assert_ok
	capture oci kill --all "$id" KILL
	assert_ok
	wait_status "$id" stopped
	assertTrue "a process outside the container survives" \
		"kill -0 $victim"
}

lib_parts oci-run
. "$SHUNIT2"
