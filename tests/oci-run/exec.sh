# tests/oci-run/exec.sh - `exec` (runc-exec(8)): another process in a
# running container, in all its namespaces, with the config's process
# changed by the flags; its exit status, or 255 when the runtime fails.

# A running container for exec: $XID.
exec_target() {
	sleeper
	XID=$(new_id)
	running "$XID"
}

testExecRunsInTheContainer() {
	local pid k
	exec_target
	pid=$(state_field "$XID" pid)
	capture oci exec "$XID" sh -c 'for n in pid net ipc uts mnt cgroup; do readlink /proc/self/ns/$n; done; hostname; echo $$'
	assert_ok
	assert_no_err
	for k in pid net ipc uts mnt cgroup; do
		echo "$(readlink "/proc/$pid/ns/$k")"
	done > "$T/want"
	echo "$(jq -r .hostname "$BUNDLE/config.json")" >> "$T/want"
	assertEquals "namespaces and hostname" "$(cat "$T/want")" \
		"$(echo "$out" | sed '$d')"
	assertNotEquals "not the container's pid 1" 1 "$(echo "$out" | tail -n 1)"
}

testExecExitStatusIsTheProcesses() {
	exec_target
	capture oci exec "$XID" sh -c 'echo out; echo err >&2; exit 7'
	assert_rc 7
	assert_out out
	assertEquals "stderr" err "$err"
	capture oci exec "$XID" sh -c 'kill -TERM $$'
	assert_rc 143 "killed by SIGTERM"
}

testExecFlagsChangeTheProcess() {
	exec_target
	capture oci exec -e FOO=bar -e BAZ=2 --cwd /etc -u 1000:1001 \
		-g 5 -g 6 "$XID" sh -c 'echo $FOO $BAZ; pwd; id -u; id -g; id -G'
	assert_ok
	assert_out "bar 2
/etc
1000
1001
1001 5 6"
}

testExecKeepsTheConfigsEnvAndCwd() {
	exec_target
	cfg '.process.env += ["FROMCFG=yes"]'
	capture oci exec "$XID" sh -c 'echo $FROMCFG; pwd'
	assert_ok
	assert_out "yes
/"
}

testExecProcessFile() {
	exec_target
	cat > "$T/process.json" <<'EOF'
{"args": ["sh", "-c", "echo $ONLY; pwd; id -u"], "env": ["ONLY=this", "PATH=/bin"],
 "cwd": "/tmp", "user": {"uid": 7, "gid": 7}}
EOF
	capture oci exec --process "$T/process.json" "$XID"
	assert_ok
	assert_out "this
/tmp
7"
}

testExecProcessFileErrorNamesTheKey() {
	exec_target
	echo '{"args": "sh", "cwd": "/"}' > "$T/process.json"
	capture oci exec -p "$T/process.json" "$XID"
	assert_rc 255
	if is_ocibox; then
		assertEquals "error" "oci-run: exec $XID: $T/process.json: args: expected array of strings" "$err"
	fi
}

testExecDetachAndPidFile() {
	local pid
	exec_target
	capture oci exec -d --pid-file "$T/exec.pid" "$XID" sleep 1000
	assert_ok
	assert_no_err
	pid=$(cat "$T/exec.pid")
	assertTrue "pid file names a live process: $pid" "pid_alive $pid"
	assertEquals "pid file has no newline" "" "$(tail -c 1 "$T/exec.pid" | tr -d '0-9')"
	assertEquals "it is the container's sleep" "$(readlink "/proc/$(state_field "$XID" pid)/ns/pid")" \
		"$(readlink "/proc/$pid/ns/pid")"
	kill -KILL "$pid"
}

testExecCapAddsButNeverInheritable() {
	exec_target
	capture oci exec --cap CAP_SYS_ADMIN "$XID" sh -c 'grep ^Cap /proc/self/status'
	assert_ok
	assertEquals "inheritable stays empty" "CapInh:	0000000000000000" \
		"$(echo "$out" | grep CapInh)"
	assertEquals "added to bounding" 1 \
		"$(( 0x$(echo "$out" | awk '/CapBnd/ { print $2 }') >> 21 & 1 ))"
	assertEquals "and to effective" 1 \
		"$(( 0x$(echo "$out" | awk '/CapEff/ { print $2 }') >> 21 & 1 ))"
}

testExecInStoppedContainerRefused() {
	local id
	id=$(new_id)
	stopped "$id"
	capture oci exec "$id" true
	assert_rc 255
	assert_contains "error" "$err" "cannot exec in a stopped container"
}

testExecInMissingContainerRefused() {
	capture oci exec nosuchcontainer true
	assert_rc 255
	assert_contains "error" "$err" "container does not exist"
}

testExecMissingExecutable() {
	exec_target
	capture oci exec "$XID" /nonexistent
	assert_rc 255
	if is_ocibox; then
		assertEquals "error" "oci-run: exec $XID: exec /nonexistent: No such file or directory" "$err"
	fi
}

testExecUsageErrors() {
	capture oci exec
	assert_rc 1 "no arguments"
	capture oci exec --bogus x true
	assert_rc 1 "unknown flag"
	exec_target
	capture oci exec "$XID"
	assert_rc 255 "no command (runc's status)"
}

# Options after the command are the command's (runc's rule).
testExecCommandKeepsItsOptions() {
	exec_target
	capture oci exec "$XID" sh -c 'printf "%s\n" "$*"' sh -e --cwd /x
	assert_ok
	assert_out "-e --cwd /x"
}

# CVE-2024-21626: no host fd reaches the process, no cwd outside the root.
testExecNoHostFdsAndNoEscapingCwd() {
	exec_target
	exec 7</etc/hostname
	capture oci exec "$XID" sh -c 'ls /proc/self/fd'
	exec 7<&-
	assert_ok
	assertEquals "only stdio (and ls's own directory)" "0 1 2 3" "$(echo $out)"
	capture oci exec --cwd /proc/self/fd/7 "$XID" pwd
	assert_rc 255 "a cwd through /proc/self/fd"
	capture oci exec --preserve-fds 1 "$XID" sh -c 'ls /proc/self/fd' \
		3</etc/hostname
	assert_ok
	assertEquals "--preserve-fds 1 keeps fd 3" "0 1 2 3 4" "$(echo $out)"
}

testExecInRootlessContainer() {
	local id
	rootless_bundle || return 0
	cfg_args sleep 1000
	id=$(new_id)
	defer_user_delete "$id"
	capture oci_user run -d --bundle "$BUNDLE" "$id"
	assert_ok "run -d"
	capture oci_user exec "$id" sh -c 'id -u; cat /proc/self/uid_map; echo $$'
	assert_ok "rootless exec"
	assertEquals "root of the user namespace, not pid 1" "0
         0       $ROOTLESS_ID          1" "$(echo "$out" | sed '$d')"
	assertNotEquals "pid" 1 "$(echo "$out" | tail -n 1)"
}

# The container's seccomp filter holds for exec'd processes too.
testExecUnderTheContainersSeccompFilter() {
	sleeper
	cfg '.linux.seccomp = {"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
		{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO",
		 "errnoRet": 28}]}'
	XID=$(new_id)
	running "$XID"
	capture oci exec "$XID" sh -c 'mkdir /dev/shm/x'
	assert_rc 1
	assertEquals "stderr" \
		"mkdir: can't create directory '/dev/shm/x': No space left on device" \
		"$err"
}

# Socket activation (sd_listen_fds(3)) as runc passes it: the fds and
# LISTEN_FDS, with LISTEN_PID the process's own pid, 1.
listen_run() {
	LISTEN_FDS=1 timeout -k 5 "$OCI_TIMEOUT" sh -c \
		'LISTEN_PID=$$ exec "$@"' sh "${OCI[@]}" --root "$ROOT" "$@"
}

testListenFdsPassed() {
	new_bundle
	echo activated > "$T/socketfile"
	cfg_sh 'echo $LISTEN_FDS $LISTEN_PID; cat <&3'
	capture listen_run run --bundle "$BUNDLE" "$(new_id)" 3<"$T/socketfile"
	assert_ok
	assert_out "1 1
activated"
}

testListenFdsForAnotherPidIgnored() {
	new_bundle
	cfg_sh 'echo "[$LISTEN_FDS]"; ls /proc/self/fd'
	capture env LISTEN_FDS=1 LISTEN_PID=1 "${OCI[@]}" --root "$ROOT" run \
		--bundle "$BUNDLE" "$(new_id)" 3</etc/hostname
	assert_ok
	assertEquals "no fd 3 but ls's own" "[]
0
1
2
3" "$out"
}

# The exec'd process is in the container's cgroup, as the init is.
testExecJoinsTheContainersCgroup() {
	local pid
	exec_target
	pid=$(state_field "$XID" pid)
	capture oci exec -d --pid-file "$T/exec.pid" "$XID" sleep 1000
	assert_ok
	assertEquals "same cgroups as the init" "$(cat "/proc/$pid/cgroup")" \
		"$(cat "/proc/$(cat "$T/exec.pid")/cgroup")"
	kill -KILL "$(cat "$T/exec.pid")"
}
