#!/bin/bash
# tests/nsenter-lite_test.sh - nsenter-lite against util-linux nsenter(1):
# each flag's effect on the same target (hostname, /proc/self/ns/* links,
# root, cwd, uid and gid, environment, cgroup), exit status and signal
# death forwarded, a stopped child stopping us; --container with ocibox,
# runc and crun containers, a recycled pid refused; one-line errors.
# Flags the host's nsenter lacks (util-linux 2.38: -e, -c, --keep-caps,
# follow) are checked against /proc of the target instead.

. "$(dirname "$0")/lib.sh" || exit 1

# Start a target: TPID is a sleep in new pid, mount, uts, ipc and net
# namespaces, hostname nsl-target, cwd $T/wd; more words go before it
# (e.g. "chroot DIR").  Killed by pid in tearDown.
target() {
	local upid
	mkdir -p "$T/wd"
	TPID=
	unshare --fork --pid --mount-proc --uts --ipc --net --mount \
		sh -c 'hostname nsl-target && cd "$0" && exec "$@"' \
		"$T/wd" "$@" sleep 1000 > /dev/null 2>&1 &
	upid=$!
	disown "$upid"
	defer kill -KILL "$upid"
	wait_for 10 found_child "$upid" || fail "target did not start"
	defer kill -KILL "$TPID"
}

# nsenter-lite through its link, with a time limit against a hang (a
# safety net, never an assertion).
lite() {
	timeout -k 5 30 nsenter-lite "$@"
}

found_child() {
	TPID=$(pgrep -P "$1" -x sleep) && [ -n "$TPID" ]
}

# Both tools with the same ARGS: the same status and stdout, nothing on
# stderr; out and rc are then nsenter-lite's.
both() {
	local lrc lout
	capture lite "$@"
	lrc=$rc lout=$out
	assertEquals "nsenter-lite $*: stderr" "" "$err"
	capture timeout 30 nsenter "$@"
	assertEquals "nsenter $* (reference): stderr" "" "$err"
	assertEquals "$*: exit status as nsenter's" "$rc" "$lrc"
	assertEquals "$*: stdout as nsenter's" "$out" "$lout"
	rc=$lrc out=$lout
}

# An error of nsenter-lite: status 1, stdout empty, exactly the one line.
assert_lite_error() {
	assert_rc "${2:-1}" "$1"
	assert_out "" "$1"
	assertEquals "stderr" "nsenter-lite: $1" "$err"
}

nslink() {
	readlink "/proc/$1/ns/$2"
}

testHostnameOfTarget() {
	target
	both -t "$TPID" -u hostname
	assert_out nsl-target
}

# Each namespace flag on its own: exactly that link becomes the target's.
testEachNamespaceFlag() {
	local f ns
	target
	for f in u:uts i:ipc n:net p:pid C:cgroup T:time; do
		ns=${f#*:}
		both -t "$TPID" "-${f%%:*}" readlink "/proc/self/ns/$ns"
		assert_out "$(nslink "$TPID" "$ns")"
		both -t "$TPID" "-${f%%:*}" readlink /proc/self/ns/mnt
		assert_out "$(nslink $$ mnt)"
	done
	# The target's /proc is of its pid namespace: no /proc/self for us
	# until -p; its pid 1 is the target.
	both -t "$TPID" -m cat /proc/1/comm
	assert_out sleep
	both -t "$TPID" -m -p readlink /proc/self/ns/mnt
	assert_out "$(nslink "$TPID" mnt)"
	both -t "$TPID" -m -p readlink /proc/self/ns/uts
	assert_out "$(nslink $$ uts)"
}

testAllNamespaces() {
	local ns
	target
	for ns in mnt uts ipc net pid cgroup user time; do
		both -t "$TPID" -a readlink "/proc/self/ns/$ns"
		assert_out "$(nslink "$TPID" "$ns")"
	done
}

# =FILE, long and short: the namespace of the file, no target needed;
# the optional value is never the next word.
testNamespaceFile() {
	target
	both --net="/proc/$TPID/ns/net" readlink /proc/self/ns/net
	assert_out "$(nslink "$TPID" net)"
	both "-u/proc/$TPID/ns/uts" hostname
	assert_out nsl-target
	both -t "$TPID" -n readlink /proc/self/ns/net
	assert_out "$(nslink "$TPID" net)"
}

testPidNamespaceForks() {
	target
	both -t "$TPID" -p -m sh -c 'echo $PPID; cat /proc/1/comm'
	assert_out "$(printf '0\nsleep')"
}

testNoForkStaysInOurPidNamespace() {
	target
	both -t "$TPID" -p -F readlink /proc/self/ns/pid
	assert_out "$(nslink $$ pid)"
}

testExitStatusForwarded() {
	target
	both -t "$TPID" -p sh -c 'exit 7'
	assert_rc 7
	both -t "$TPID" -u sh -c 'exit 3'
	assert_rc 3
}

# A child killed by a signal: we die of the same one (the shell says
# 128+n, and prints the signal's name on its stderr).
testSignalDeathForwarded() {
	local sig lout
	target
	for sig in TERM USR1; do
		capture timeout -k 5 30 bash -c \
			'nsenter-lite -t "$1" -p sh -c "kill -$2 \$\$"; echo $?' \
			_ "$TPID" "$sig"
		lout=$out
		capture timeout -k 5 30 bash -c \
			'nsenter -t "$1" -p sh -c "kill -$2 \$\$"; echo $?' \
			_ "$TPID" "$sig"
		assertEquals "SIG$sig: as nsenter" "$out" "$lout"
		assertEquals "SIG$sig" $((128 + $(kill -l "$sig"))) "$lout"
	done
}

# The child stops: so do we; continued, we continue it.
testStopForwarded() {
	local npid
	target
	nsenter-lite -t "$TPID" -p sh -c 'kill -STOP $$; echo resumed' \
		> "$T/stop.out" 2>&1 &
	npid=$!
	defer kill -KILL "$npid"
	wait_for 10 is_stopped "$npid" || fail "nsenter-lite did not stop"
	kill -CONT "$npid"
	wait_for 10 gone "$npid" || fail "nsenter-lite did not finish"
	wait "$npid"
	assertEquals "status" 0 $?
	assertEquals "child resumed" resumed "$(cat "$T/stop.out")"
}

is_stopped() {
	grep -q '^State:[[:space:]]*T' "/proc/$1/status" 2>/dev/null
}

gone() {
	! kill -0 "$1" 2>/dev/null ||
		grep -q "^State:[[:space:]]*Z" "/proc/$1/status" 2>/dev/null
}

# -r, -w, -W in a chrooted target; -r=DIR and -w=DIR name our own paths.
testRootAndWorkingDirectory() {
	new_bundle
	mkdir -p "$BUNDLE/rootfs/srv/here"
	target chroot "$BUNDLE/rootfs" sh -c 'cd /srv/here && exec "$@"' _
	both -t "$TPID" -r -w pwd
	assert_out /srv/here
	both -t "$TPID" -r ls /srv
	assert_out here
	both -t "$TPID" -r -W /etc pwd
	assert_out /etc
	both -t "$TPID" -m -p -r -W / pwd
	assert_out /
	both -t "$TPID" -w pwd
	assert_out "$BUNDLE/rootfs/srv/here"
	both --root="$BUNDLE/rootfs" --wd="$BUNDLE/rootfs/srv" pwd
	assert_out /srv
	both "-r$BUNDLE/rootfs" ls /srv
	assert_out here
}

testSetuidSetgid() {
	target
	both -t "$TPID" -u -S 1234 -G 4321 sh -c 'id -u; id -g; id -G'
	assert_out "$(printf '1234\n4321\n4321')"
}

# follow: the target's effective ids (util-linux 2.39's -S/-G follow).
testSetuidFollow() {
	target setpriv --reuid 1234 --regid 4321 --clear-groups
	capture lite -t "$TPID" -S follow -G follow sh -c 'id -u; id -g'
	assert_ok
	assert_no_err
	assert_out "$(printf '1234\n4321')"
}

# An ocibox container in a user namespace whose root is host uid 100000:
# root in it by default, our own (unmapped: 65534) ids with
# --preserve-credentials.
user_target() {
	local id
	id=$(new_id)
	new_bundle
	cfg_args sleep 1000
	cfg '.linux.namespaces += [{"type": "user"}] |
	     .linux.uidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}] |
	     .linux.gidMappings = .linux.uidMappings | .hostname = "nsl-user"'
	capture oci run -d --bundle "$BUNDLE" "$id"
	assert_ok "run -d a user-namespace container"
	TPID=$(state_field "$id" pid)
}

testUserNamespace() {
	user_target
	both -t "$TPID" -U sh -c 'readlink /proc/self/ns/user; id -u; id -g'
	assert_out "$(printf '%s\n0\n0' "$(nslink "$TPID" user)")"
	both -t "$TPID" -U --preserve-credentials sh -c 'id -u; id -g'
	assert_out "$(printf '65534\n65534')"
	both -t "$TPID" -a hostname
	assert_out nsl-user
	both -t "$TPID" -U -S 5 -G 6 sh -c 'id -u; id -g'
	assert_out "$(printf '5\n6')"
	capture lite -t "$TPID" -U -S follow id -u
	assert_out 0
}

# --keep-caps: the capabilities setns(2) gave survive exec as a non-root.
testKeepCaps() {
	local all
	user_target
	capture lite -t "$TPID" -U --preserve-credentials \
		grep CapEff /proc/self/status
	assert_ok
	assert_out "CapEff:	0000000000000000"
	capture lite -t "$TPID" -U --preserve-credentials --keep-caps \
		grep -E 'Cap(Eff|Amb)' /proc/self/status
	assert_ok
	# setns(2) into a user namespace gives every capability there is.
	all=$(printf '%016x' $(((1 << ($(cat /proc/sys/kernel/cap_last_cap) + 1)) - 1)))
	assert_out "$(printf 'CapEff:\t%s\nCapAmb:\t%s' "$all" "$all")"
}

testEnvOfTarget() {
	target env -i NSL_A=1 "NSL_B=two words" PATH=/usr/bin:/bin
	capture lite -t "$TPID" -e env
	assert_ok
	assert_no_err
	assertEquals "environment" "$(tr '\0' '\n' < "/proc/$TPID/environ")" "$out"
	assert_contains env "$out" "NSL_B=two words"
	capture env NSL_A=ours timeout -k 5 30 nsenter-lite -t "$TPID" -e -u printenv NSL_A
	assert_out 1
}

# A container's cgroup, joined by pid (/proc/PID/cgroup) and by its
# recorded state: the program's cgroups are the init's, line for line.
testJoinCgroup() {
	local id pid
	id=$(new_id)
	new_bundle
	cfg_args sleep 1000
	capture oci run -d --bundle "$BUNDLE" "$id"
	assert_ok "run -d"
	pid=$(state_field "$id" pid)
	assertNotEquals "container cgroup differs" "$(cat /proc/self/cgroup)" \
		"$(cat "/proc/$pid/cgroup")"
	capture lite -t "$pid" -c cat /proc/self/cgroup
	assert_ok
	assert_out "$(cat "/proc/$pid/cgroup")"
	capture lite --container "$id" --state-root "$ROOT" -c \
		cat /proc/self/cgroup
	assert_ok
	assert_out "$(cat "/proc/$pid/cgroup")"
}

# nsenter-lite --container ID ...: as nsenter -t PID ... on its init.
assert_container_like_pid() {
	local pid=$1 ns
	shift
	for ns in mnt uts ipc net pid; do
		capture lite "$@" -a readlink "/proc/self/ns/$ns"
		assert_ok "$* $ns"
		assert_out "$(nslink "$pid" "$ns")"
	done
	capture lite "$@" -a hostname
	lout=$out
	capture nsenter -t "$pid" -a hostname
	assertEquals "$* hostname" "$out" "$lout"
}

testContainerOcibox() {
	local id pid
	id=$(new_id)
	new_bundle
	cfg_args sleep 1000
	cfg '.hostname = "nsl-oci"'
	capture oci run -d --bundle "$BUNDLE" "$id"
	assert_ok "run -d"
	pid=$(state_field "$id" pid)
	assert_container_like_pid "$pid" --container "$id" --state-root "$ROOT"
	capture lite --container "$id" --state-root "$ROOT" -u hostname
	assert_out nsl-oci
}

# runc and crun reject ociVersion 1.2.0 (ocibox's spec); 1.0.2 is theirs.
other_bundle() {
	new_bundle
	cfg_args sleep 1000
	cfg '.ociVersion = "1.0.2" | .hostname = "nsl-other"'
}

testContainerRunc() {
	local id pid
	require_cmd runc || return
	id=nsl-$$-runc
	other_bundle
	defer runc --root "$T/runc" delete -f "$id"
	capture timeout 30 runc --root "$T/runc" run -d --bundle "$BUNDLE" "$id"
	assert_ok "runc run -d: $err"
	pid=$(jq -r .init_process_pid "$T/runc/$id/state.json")
	assert_container_like_pid "$pid" --container "$id" --state-root "$T/runc"
}

# runc's default root is looked in without --state-root.
testContainerRuncDefaultRoot() {
	local id
	require_cmd runc || return
	id=nsl-$$-runcdef
	[ ! -e "/run/runc/$id" ] || fail "/run/runc/$id exists already"
	other_bundle
	defer runc delete -f "$id"
	capture timeout 30 runc run -d --bundle "$BUNDLE" "$id"
	assert_ok "runc run -d: $err"
	capture lite --container "$id" -u hostname
	assert_ok
	assert_out nsl-other
}

# crun 1.8 refuses this host's hybrid cgroups unless cgroup2 is out of
# sight: it runs in a mount namespace without /sys/fs/cgroup/unified.
crun_() {
	unshare -m sh -c 'umount /sys/fs/cgroup/unified 2>/dev/null; exec "$@"' \
		_ timeout 30 crun --root "$T/crun" "$@"
}

testContainerCrun() {
	local id pid
	require_cmd crun || return
	id=nsl-$$-crun
	other_bundle
	defer crun_ delete -f "$id"
	capture crun_ run -d --bundle "$BUNDLE" "$id"
	assert_ok "crun run -d: $err"
	pid=$(jq -r .pid "$T/crun/$id/status")
	assert_container_like_pid "$pid" --container "$id" --state-root "$T/crun"
	capture lite --container "$id" --state-root "$T/crun" -u hostname
	assert_out nsl-other
}

# A recorded pid now running something else (its start time differs) is
# refused, in each runtime's layout.
testContainerStalePidRefused() {
	local pid now
	target
	pid=$TPID
	now=$(awk '{ sub(/.*\) /, ""); print $20 }' "/proc/$pid/stat")
	mkdir -p "$T/runc/c1" "$T/crun/c1" "$T/oci/c1"
	printf '{"id":"c1","init_process_pid":%d,"init_process_start":%d}\n' \
		"$pid" 7 > "$T/runc/c1/state.json"
	printf '{"pid":%d,"process-start-time":%d}\n' "$pid" 7 \
		> "$T/crun/c1/status"
	printf '{"id":"c1","pid":%d,"starttime":%d,"bundle":"/b","rootfs":"/b/rootfs","created":"2026-01-01T00:00:00Z","owner":""}\n' \
		"$pid" 7 > "$T/oci/c1/state.json"
	for r in runc crun oci; do
		capture lite --container c1 --state-root "$T/$r" -a true
		assert_lite_error "container c1: pid $pid is another process now (start time $now, recorded 7)"
	done
	printf '{"pid":%d,"process-start-time":%d}\n' "$pid" "$now" \
		> "$T/crun/c1/status"
	capture lite --container c1 --state-root "$T/crun" -u hostname
	assert_ok
	assert_out nsl-target
}

testContainerExitedRefused() {
	local pid
	sleep 0 & pid=$!
	wait "$pid"
	mkdir -p "$T/crun/c2"
	printf '{"pid":%d,"process-start-time":1}\n' "$pid" > "$T/crun/c2/status"
	capture lite --container c2 --state-root "$T/crun" -a true
	assert_lite_error "container c2: not running (pid $pid has exited)"
}

# A user but root looks in $XDG_RUNTIME_DIR's roots, as oci-run keeps
# them: a crun-style status there names that user's own process.
testContainerXdgRootsForAUser() {
	local pid now xdg=$T/xdg
	require_cmd setpriv || return
	mkdir -p "$xdg/crun/c5"
	chmod 755 "$T" "$xdg"
	setpriv --reuid 1234 --regid 1234 --clear-groups \
		env NSL_MARK=xdg sleep 1000 > /dev/null 2>&1 &
	pid=$!
	disown "$pid"
	defer kill -9 "$pid"
	for _ in $(seq 100); do
		[ "$(stat -c %u "/proc/$pid")" = 1234 ] &&
			grep -qz NSL_MARK "/proc/$pid/environ" 2>/dev/null && break
		sleep 0.05
	done
	now=$(awk '{ sub(/.*\) /, ""); print $20 }' "/proc/$pid/stat")
	printf '{"pid":%d,"process-start-time":%d}\n' "$pid" "$now" \
		> "$xdg/crun/c5/status"
	capture setpriv --reuid 1234 --regid 1234 --clear-groups \
		env XDG_RUNTIME_DIR="$xdg" "$BIN/nsenter-lite" --container c5 \
		-e printenv NSL_MARK
	assert_ok
	assert_no_err
	assert_out xdg
	capture setpriv --reuid 1234 --regid 1234 --clear-groups \
		env XDG_RUNTIME_DIR="$xdg" "$BIN/nsenter-lite" --container c6 true
	assert_lite_error "container c6: not found in $xdg/ocibox, $xdg/runc or $xdg/crun"
}

testContainerNotFound() {
	capture lite --container nsl-no-such -a true
	assert_lite_error "container nsl-no-such: not found in /run/ocibox, /run/runc or /run/crun"
	capture lite --container nsl-no-such --state-root "$T" -a true
	assert_lite_error "container nsl-no-such: $T/nsl-no-such: No such file or directory"
	capture lite --container ../x -a true
	assert_lite_error '--container ../x: invalid container id "../x"'
	mkdir -p "$T/bad/c3"
	echo '{"init_process_pid":"x"}' > "$T/bad/c3/state.json"
	capture lite --container c3 --state-root "$T/bad" true
	assert_lite_error "container c3: $T/bad/c3/state.json: init_process_pid: expected integer"
	mkdir -p "$T/bad/c4"
	echo '{' > "$T/bad/c4/state.json"
	capture lite --container c4 --state-root "$T/bad" true
	assert_contains "bad JSON" "$err" "nsenter-lite: container c4: $T/bad/c4/state.json: "
	assertEquals "one line" 1 "$(wc -l < "$T/err")"
	capture lite -S follow true
	assert_lite_error "--setuid follow: no target (give -t PID or --container ID)"
}

testBadUsage() {
	capture lite --bogus true
	assert_lite_error "unknown option --bogus (see nsenter-lite --help)"
	capture lite -t abc true
	assert_lite_error "--target abc: expected a pid"
	capture lite -m true
	assert_lite_error "--mount: no target (give -t PID or --container ID)"
	capture lite -a true
	assert_lite_error "--all: no target (give -t PID or --container ID)"
	capture lite -e true
	assert_lite_error "--env: no target (give -t PID or --container ID)"
	capture lite -t 1 --container c1 true
	assert_lite_error "--target and --container: give one of them (see nsenter-lite --help)"
	capture lite -t 1 -S someone true
	assert_lite_error "--setuid someone: expected a number or 'follow'"
	capture lite --net=/nonexistent true
	assert_lite_error "--net=/nonexistent: No such file or directory"
	capture lite -t
	assert_lite_error "option -t needs a value (see nsenter-lite --help)"
}

testMissingTarget() {
	local pid
	sleep 0 & pid=$!
	wait "$pid"
	capture lite -t "$pid" -n true
	assert_lite_error "pid $pid: No such process"
}

testExecFailure() {
	target
	capture lite -t "$TPID" -u /nonexistent/prog
	assert_lite_error "exec /nonexistent/prog: No such file or directory" 127
	echo > "$T/noexec"
	chmod 0644 "$T/noexec"
	capture lite -t "$TPID" -u "$T/noexec"
	assert_lite_error "exec $T/noexec: Permission denied" 126
}

testHelpNamesEveryOption() {
	local o
	capture lite --help
	assert_ok
	assert_no_err
	for o in --target --all --mount --uts --ipc --net --pid --user \
		 --cgroup --time --setuid --setgid --preserve-credentials \
		 --root --wd --wdns --env --no-fork --join-cgroup --keep-caps \
		 --container --state-root --help --version; do
		assert_contains "--help" "$out" "$o"
	done
	assert_contains "--help" "$out" "Usage: nsenter-lite"
}

. "$SHUNIT2"
