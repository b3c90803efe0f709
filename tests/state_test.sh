#!/bin/bash
# tests/state_test.sh - the state applet: list (as runc list, and read-only
# views of runc's and crun's roots), show (runc state plus what ocibox
# knows), gc (what dead containers and dead creates left behind), each
# checked against oci-run's own view and the host (/proc, cgroupfs).  The
# sweep kills `oci-run create` before each of its system calls in turn
# (strace's syscall fault injection) and checks that `state gc` leaves
# nothing of it.  runc(8) list and state; runtime-spec runtime.md.

. "$(dirname "$0")/lib.sh" || exit 1

# The state applet with the suite's root; only ocibox has it.
st() {
	timeout -k 5 "$OCI_TIMEOUT" "$BIN/state" --root "$ROOT" "$@"
}

assert_err() {
	assertEquals "stderr" "$1" "$err"
}

setUp() {
	lib_setUp
	require_ocibox "the state applet reads ocibox's state root"
}

sleeper() {
	new_bundle "$@"
	cfg_args sleep 1000
}

create_ok() {
	capture oci create --bundle "$BUNDLE" "$1"
	assert_ok "create $1"
}

wait_status() {
	local i
	for i in $(seq 100); do
		[ "$(oci state "$1" 2>/dev/null | jq -r .status)" = "$2" ] &&
			return 0
		sleep 0.05
	done
	return 1
}

# Cgroup directories named after ID anywhere in the hierarchies.
cgroups_of() {
	find /sys/fs/cgroup -maxdepth 4 -type d -name "*$1*" 2>/dev/null
}

# Processes whose environment holds OCIBOX_TEST_TOKEN=TOKEN (one grep: the
# sweep asks after every kill).
procs_with() {
	grep -lzx "OCIBOX_TEST_TOKEN=$1" /proc/[0-9]*/environ 2>/dev/null |
		sed -n 's|^/proc/\([0-9]*\)/environ$|\1|p'
}

# Until no process holds TOKEN (an init killed by PDEATHSIG, or on the
# sync socket's close, exits a moment after its parent); 1 if some stay.
wait_procs_gone() {
	local i
	for i in $(seq 200); do
		[ -z "$(procs_with "$1")" ] && return 0
		sleep 0.05
	done
	return 1
}

# Three containers: created, running, stopped.
three() {
	sleeper
	create_ok "$1"
	create_ok "$2"
	oci start "$2" || fail "start $2"
	new_bundle "$T/b3"
	cfg_sh 'exit 0'
	create_ok "$3"
	oci start "$3" || fail "start $3"
	wait_status "$2" running || fail "$2 never running"
	wait_status "$3" stopped || fail "$3 never stopped"
}

# --- list ---------------------------------------------------------------------

testListIsOciRunList() {
	local a b c
	a=$(new_id) b=$(new_id) c=$(new_id)
	three "$a" "$b" "$c"
	oci list > "$T/oci.table"
	capture st list
	assert_ok
	assert_no_err
	assertEquals "table" "$(cat "$T/oci.table")" "$out"
	assertEquals "3 rows and the header" 4 "$(wc -l < "$T/out")"
	assertEquals "statuses" "created running stopped" \
		"$(awk 'NR > 1 { printf "%s%s", s, $3; s = " " }' "$T/out")"
	capture st list --format json
	assert_ok
	assertEquals "json" "$(oci list --format json)" "$out"
	assertEquals "json ids" "$a $b $c" "$(jq -r '[.[].id] | join(" ")' "$T/out")"
	capture st list -q
	assertEquals "quiet" "$(printf '%s\n' "$a" "$b" "$c")" "$out"
}

# A root of hundreds (read by several threads where there are CPUs):
# every container listed once, in order, each with its own status.  The
# copies share a real created container's state.json; every seventh has a
# wrong start time (a reused pid: stopped), every eleventh no fifo (its
# process started: running), every thirteenth no state.json (being
# created: not listed).
testListManyContainers() {
	local src i id want=$T/want
	sleeper
	src=$(new_id)
	create_ok "$src"
	: > "$want"
	for i in $(seq 100 399); do
		id=many-$i
		mkdir "$ROOT/$id"
		if [ $((i % 13)) = 0 ]; then
			continue
		fi
		if [ $((i % 7)) = 0 ]; then
			jq -c --arg id "$id" '.id = $id | .starttime += 1' \
				"$ROOT/$src/state.json" > "$ROOT/$id/state.json"
			echo "$id stopped" >> "$want"
			continue
		fi
		jq -c --arg id "$id" '.id = $id' "$ROOT/$src/state.json" \
			> "$ROOT/$id/state.json"
		if [ $((i % 11)) = 0 ]; then
			echo "$id running" >> "$want"
		else
			mkfifo "$ROOT/$id/exec.fifo"
			echo "$id created" >> "$want"
		fi
	done
	echo "$src created" >> "$want"
	capture st list
	assert_ok
	assert_no_err
	assertEquals "ids and statuses" "$(LC_ALL=C sort "$want")" \
		"$(awk 'NR > 1 { print $1, $3 }' "$T/out")"
	assertEquals "owner" "root" \
		"$(awk 'NR > 1 { print $6 }' "$T/out" | sort -u)"
	capture st list --format json
	assert_ok
	assertEquals "json" "$(LC_ALL=C sort "$want")" \
		"$(jq -r '.[] | "\(.id) \(.status)"' "$T/out")"
	rm -rf "$ROOT"/many-*
}

testListEmptyAndMissingRoot() {
	capture st list
	assert_ok
	assertEquals "ID          PID         STATUS      BUNDLE      CREATED     OWNER" "$out"
	capture "$BIN/state" --root "$T/nosuch" list -f json
	assert_ok
	assert_out "[]"
	assertFalse "list made the root" "[ -e '$T/nosuch' ]"
}

# A directory without state.json is a create in progress: not listed.
testListSkipsCreating() {
	mkdir "$ROOT/halfway"
	defer rmdir "$ROOT/halfway"
	capture st list -q
	assert_ok
	assert_out ""
}

testListBadFormat() {
	capture st list --format yaml
	assert_rc 1
	assert_err 'state: list: --format: "yaml": expected table or json'
	capture st list extra
	assert_rc 1
	assert_err "state: list: takes no arguments"
}

# runc's root beside ours, read only: its containers with their status.
testListAllRuntimesRunc() {
	local id rid pid before
	require_cmd runc || return 0
	sleeper
	id=$(new_id)
	create_ok "$id"
	rid=r$id
	mkdir -p "$T/runc"
	runc --root "$T/runc" create --bundle "$BUNDLE" "$rid" > "$T/runc.out" 2>&1 ||
		fail "runc create: $(cat "$T/runc.out")"
	defer runc --root "$T/runc" delete --force "$rid"
	pid=$(runc --root "$T/runc" state "$rid" | jq .pid)
	before=$(find "$T/runc" -printf '%p %T@ %s\n' | sort)
	capture st list --runc-root "$T/runc" --crun-root "$T/nocrun" -f json
	assert_ok
	assert_no_err
	assertEquals "rows" "$id ocibox created
$rid runc created" "$(jq -r '.[] | "\(.id) \(.runtime) \(.status)"' "$T/out")"
	assertEquals "runc's pid" "$pid" \
		"$(jq --arg i "$rid" '.[] | select(.id == $i) | .pid' "$T/out")"
	assertEquals "runc's bundle" "$BUNDLE" \
		"$(jq -r --arg i "$rid" '.[] | select(.id == $i) | .bundle' "$T/out")"
	capture st list -a --runc-root "$T/runc" --crun-root "$T/nocrun"
	assert_ok
	assertEquals "table header" "ID PID STATUS BUNDLE CREATED OWNER RUNTIME" \
		"$(head -n 1 "$T/out" | tr -s ' ')"
	assertEquals "runc's row" "$rid $pid created $BUNDLE root runc" \
		"$(awk -v i="$rid" '$1 == i { print $1, $2, $3, $4, $6, $7 }' "$T/out")"
	assertEquals "runc's root untouched" "$before" \
		"$(find "$T/runc" -printf '%p %T@ %s\n' | sort)"
	kill -KILL "$pid"
	for _ in $(seq 100); do
		[ -d "/proc/$pid" ] || break
		sleep 0.05
	done
	capture st list -a --runc-root "$T/runc" --crun-root "$T/nocrun" -f json
	assertEquals "runc's stopped" "stopped 0" \
		"$(jq -r --arg i "$rid" '.[] | select(.id == $i) | "\(.status) \(.pid)"' "$T/out")"
}

# crun 1.8 refuses hybrid cgroups: it runs with cgroup2 unmounted.
crun_ns() {
	unshare -m sh -c 'umount /sys/fs/cgroup/unified 2>/dev/null; exec "$@"' \
		crun "$@"
}

testListAllRuntimesCrun() {
	local cid pid
	require_cmd crun || return 0
	sleeper
	# crun 1.8 knows runtime-spec versions up to 1.0.
	cfg '.ociVersion = "1.0.2"'
	cid=k$(new_id)
	mkdir -p "$T/crun"
	crun_ns crun --root "$T/crun" create --bundle "$BUNDLE" "$cid" \
		> "$T/crun.out" 2>&1 ||
		{ skip "crun create: $(cat "$T/crun.out")"; return 0; }
	defer crun_ns crun --root "$T/crun" delete --force "$cid"
	pid=$(jq .pid "$T/crun/$cid/status")
	capture st list --crun-root "$T/crun" --runc-root "$T/norunc" -f json
	assert_ok
	assert_no_err
	assertEquals "crun's row" "$cid crun created $pid $BUNDLE $BUNDLE/rootfs root" \
		"$(jq -r '.[] | "\(.id) \(.runtime) \(.status) \(.pid) \(.bundle) \(.rootfs) \(.owner)"' "$T/out")"
}

# --- show ---------------------------------------------------------------------

testShowIsOciStatePlus() {
	local id pid ns shared
	sleeper
	id=$(new_id)
	create_ok "$id"
	capture st show "$id"
	assert_ok
	assert_no_err
	assertEquals "the OCI state" "$(oci state "$id" | jq -S .)" \
		"$(jq -S 'del(.ocibox)' "$T/out")"
	pid=$(jq .pid "$T/out")
	for ns in mnt pid net ipc uts; do
		assertEquals "$ns namespace" "$(stat -L -c %i /proc/$pid/ns/$ns)" \
			"$(jq ".ocibox.namespaces.$ns" "$T/out")"
	done
	shared=''
	for ns in cgroup ipc mnt net pid time user uts; do
		[ "$(stat -L -c %i /proc/self/ns/$ns)" = \
		  "$(stat -L -c %i /proc/$pid/ns/$ns)" ] && shared="$shared $ns"
	done
	assertEquals "shared with us" "${shared# }" \
		"$(jq -r '.ocibox.namespacesShared | join(" ")' "$T/out")"
	assertEquals "its /proc" "proc" \
		"$(jq -r '.ocibox.mounts[] | select(.target == "/proc") | .type' "$T/out")"
	assertEquals "state dir" "$ROOT/$id" "$(jq -r .ocibox.stateDir "$T/out")"
	assertEquals "verdict" "false its init is alive" \
		"$(jq -r '.ocibox | "\(.collectable) \(.why)"' "$T/out")"
	if [ -n "$(cgroups_of "$id")" ]; then
		assertEquals "cgroup dirs" "$(cgroups_of "$id" | sort)" \
			"$(jq -r '.ocibox.cgroupPaths[]' "$T/out" | sort)"
	fi
}

testShowStoppedAndDiedCreate() {
	local id
	new_bundle
	cfg_sh 'exit 0'
	id=$(new_id)
	create_ok "$id"
	oci start "$id"
	wait_status "$id" stopped || fail "never stopped"
	capture st show "$id"
	assert_ok
	assertEquals "stopped" "stopped 0 true stopped: its init is gone null" \
		"$(jq -r '"\(.status) \(.pid) \(.ocibox.collectable) \(.ocibox.why) \(.ocibox.namespaces)"' "$T/out")"
	mkdir "$ROOT/died"
	defer rmdir "$ROOT/died"
	capture st show died
	assert_ok
	assertEquals "died" "creating true its create died before it finished" \
		"$(jq -r '"\(.status) \(.ocibox.collectable) \(.ocibox.why)"' "$T/out")"
}

testShowMissing() {
	capture st show nosuch
	assert_rc 1
	assert_err "state: show nosuch: container does not exist"
	capture st show ../x
	assert_rc 1
	assert_err 'state: show ../x: invalid container id "../x"'
	capture st show
	assert_rc 1
	assert_err "state: show: needs exactly one container ID"
}

# --- gc -----------------------------------------------------------------------

testGcLeavesLiveOnesAlone() {
	local a b c
	a=$(new_id) b=$(new_id) c=$(new_id)
	three "$a" "$b" "$c"
	capture st gc
	assert_ok
	assert_no_err
	assertEquals "only the stopped one" "$c: stopped" \
		"$(grep -v ': remove ' "$T/out" | sed 's/, its init.*//')"
	assertEquals "left" "$(printf '%s\n' "$a" "$b" | LC_ALL=C sort)" \
		"$(oci list -q)"
	assertEquals "its cgroups" "" "$(cgroups_of "$c")"
	assertFalse "its state dir" "[ -e '$ROOT/$c' ]"
	assertEquals "created still" created "$(oci state "$a" | jq -r .status)"
	assertEquals "running still" running "$(oci state "$b" | jq -r .status)"
}

testGcStoppedPrintsEachAction() {
	local id pid lines
	sleeper
	id=$(new_id)
	create_ok "$id"
	oci start "$id"
	pid=$(oci state "$id" | jq .pid)
	kill -KILL "$pid"
	wait_status "$id" stopped || fail "never stopped"
	lines="$id: stopped, its init $pid is gone"
	while read -r d; do
		lines="$lines
$id: remove cgroup $d"
	done < <(oci state "$id" >/dev/null; jq -r '.cgroupPaths[]' "$ROOT/$id/state.json" |
		 while read -r d; do [ -d "$d" ] && echo "$d"; done)
	lines="$lines
$id: remove state directory $ROOT/$id"
	capture st gc --dry-run
	assert_ok
	assertEquals "dry run" "$(sed 's/: remove /: would remove /' <<< "$lines")" "$out"
	assertTrue "dry run kept the state dir" "[ -d '$ROOT/$id' ]"
	capture st gc
	assert_ok
	assert_no_err
	assertEquals "gc" "$lines" "$out"
	assertFalse "state dir" "[ -e '$ROOT/$id' ]"
	assertEquals "cgroups" "" "$(cgroups_of "$id")"
	capture st gc
	assert_ok
	assert_out ""
}

# A stopped container's cgroup may still hold processes: they go too.
testGcKillsWhatTheInitLeft() {
	local id pid
	require_ocibox
	sleeper
	cfg '.linux.namespaces |= map(select(.type != "pid"))'
	cfg_sh 'sleep 1000 & echo $! > /tmp/child; exec sleep 1001'
	id=$(new_id)
	create_ok "$id"
	oci start "$id"
	wait_status "$id" running || fail "never running"
	[ -n "$(cgroups_of "$id")" ] || { skip "no cgroup on this host"; return 0; }
	pid=$(oci state "$id" | jq .pid)
	for _ in $(seq 100); do
		[ -s "$BUNDLE/rootfs/tmp/child" ] && break
		sleep 0.05
	done
	kill -KILL "$pid"
	wait_status "$id" stopped || fail "never stopped"
	capture st gc
	assert_ok
	assertEquals "kill line" "$id: kill the processes left in its cgroup: 1" \
		"$(sed -n 2p "$T/out")"
	assertFalse "state dir" "[ -e '$ROOT/$id' ]"
	assertEquals "cgroups" "" "$(cgroups_of "$id")"
}

testGcDiedCreate() {
	mkdir "$ROOT/died"
	mkfifo "$ROOT/died/exec.fifo"
	capture st gc
	assert_ok
	assert_no_err
	assertEquals "died: its create died before it finished
died: remove state directory $ROOT/died" "$out"
	assertFalse "state dir" "[ -e '$ROOT/died' ]"
}

# create holds the container's lock while it sets up: never collected.
testGcLeavesLockedDirAlone() {
	local pid
	mkdir "$ROOT/busy"
	defer rm -rf "$ROOT/busy"
	flock "$ROOT/busy" sleep 1000 &
	pid=$!
	defer kill "$pid"
	for _ in $(seq 100); do
		[ -n "$(ps -o pid= --ppid "$pid")" ] && break
		sleep 0.05
	done
	capture st gc
	assert_ok
	assert_out "busy: locked (a create in progress, or a command at work on it): left alone"
	assertTrue "state dir kept" "[ -d '$ROOT/busy' ]"
	capture st show busy
	assertEquals "verdict" "false being created (its lock is held)" \
		"$(jq -r '.ocibox | "\(.collectable) \(.why)"' "$T/out")"
}

testGcUsage() {
	capture st gc now
	assert_rc 1
	assert_err "state: gc: takes no arguments"
	capture st gc --force
	assert_rc 1
	assert_err "state: gc: unknown option --force"
}

# 0 if ID is a created container whose init waits for start, blocked
# opening exec.fifo; 1 if it has none, or its init is on its way out (its
# create died before go: it exits when the sync socket closes).
created_init() {
	local pid
	pid=$(oci state "$1" 2>/dev/null | jq -r 'select(.status == "created") | .pid')
	[ -n "$pid" ] || return 1
	for _ in $(seq 200); do
		[ -d "/proc/$pid" ] || return 1
		[ "$(cat "/proc/$pid/wchan" 2>/dev/null)" = wait_for_partner ] &&
			return 0
		sleep 0.05
	done
	return 1
}

# kill -9 of create before each of its system calls from the state
# directory's making to its exit, then gc: nothing of it may be left but a
# container whose create got as far as saying go (a created one).
testGcAfterCreateKilledAtEachStep() {
	local id token ref first calls name n k line collected=0 created=0
	local mounts
	require_cmd strace || return 0
	sleeper
	token=tok$RANDOM$RANDOM
	cfg '.process.env += ["OCIBOX_TEST_TOKEN=" + $t]' --arg t "$token"
	id=$(new_id)
	ref=$T/ref.trace
	strace -o "$ref" "$BIN/oci-run" --root "$ROOT" create --bundle "$BUNDLE" \
		"$id" > /dev/null 2>&1 || fail "reference create"
	oci delete --force "$id"
	# Syscall names in order, and where the state directory is made.
	awk '{ n = index($0, "("); if (n > 1) print substr($0, 1, n - 1) }' \
		"$ref" > "$T/calls"
	first=$(grep -n '^mkdirat$' "$T/calls" | head -n 1 | cut -d: -f1)
	[ -n "$first" ] || { fail "no mkdirat in the reference trace"; return; }
	mounts=$(cat /proc/self/mountinfo)
	n=0
	while read -r name; do
		n=$((n + 1))
		# The how-manieth call of this syscall the kill comes before.
		k=$(head -n "$n" "$T/calls" | grep -cx "$name")
		[ "$n" -ge "$first" ] || continue
		case $name in exit_group|exit) continue ;; esac
		# (In a subshell: bash would report the kill.)
		( OCIBOX_TEST_TOKEN=$token strace -o /dev/null -e trace="$name" \
			-e inject="$name":signal=SIGKILL:when="$k" \
			"$BIN/oci-run" --root "$ROOT" create --bundle "$BUNDLE" \
			"$id"; true ) > /dev/null 2>&1
		if created_init "$id"; then
			# Killed after go: a real container, which gc must keep.
			created=$((created + 1))
			capture st gc
			assertTrue "kill before $name #$k: gc took a created one" \
				"[ -d '$ROOT/$id' ]"
			oci delete --force "$id"
			continue
		fi
		wait_procs_gone "$token" ||
			fail "kill before $name #$k: a process outlived create"
		[ -d "$ROOT/$id" ] && collected=$((collected + 1))
		capture st gc
		line="kill before $name #$k (call $n)"
		assertEquals "$line: gc status; $err" 0 "$rc"
		assertFalse "$line: state dir left" "[ -e '$ROOT/$id' ]"
		assertEquals "$line: cgroups left" "" "$(cgroups_of "$id")"
		assertEquals "$line: processes left" "" "$(procs_with "$token")"
		assertEquals "$line: mounts" "$mounts" "$(cat /proc/self/mountinfo)"
		[ -e "$ROOT/$id" ] && oci delete --force "$id"
	done < "$T/calls"
	echo "kill points: $collected left a state dir for gc, $created a created container"
	assertTrue "some kill points left work for gc" "[ $collected -gt 0 ]"
}

# --- help -----------------------------------------------------------------------

testHelp() {
	capture "$BIN/state" --help
	assert_ok
	assertEquals "first line" "Usage: state [--root DIR] COMMAND [OPTIONS]" \
		"$(head -n 1 "$T/out")"
	assertEquals "ocibox --help state" "$out" "$("$OCIBOX" --help state)"
	capture "$BIN/state" gc --help
	assert_ok
	assertTrue "gc --help names --dry-run" "grep -q -- '--dry-run' '$T/out'"
	capture "$BIN/state" frob
	assert_rc 1
	assert_err 'state: unknown command "frob" (see state --help)'
	capture "$BIN/state"
	assert_rc 1
}

. "$SHUNIT2"
