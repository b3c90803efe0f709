#!/bin/bash
# tests/clients_test.sh - oci-run driven by its real clients, podman and
# containerd (ctr), the way a user puts it in runc's place: `podman
# --runtime PATH` and `ctr run --runc-binary PATH`.  What is checked is what
# the user sees: the client's exit status, output and error text, and what
# the container sees from the inside.
#
# Each client runs apart from the host's state, in namespaces of the
# suite's (iso_new): its own pid namespace (whose pid 1 reaps the orphaned
# conmon and shims, and takes every process left with it when it ends),
# mount namespace (fresh tmpfs on /run, /var/lib and /var/tmp: the fixed
# paths of the clients and the runtime, /run/netns, /run/containerd/fifo,
# /var/lib/containers/cache, /run/runc or /run/ocibox, stay in it) and
# network namespace (podman's bridge, 192.0.2.0/24, lives and dies there).
# Their config, storage and logs are under the suite's temp dir, their
# sockets in the namespace's /run.  No registry is asked: the image is the
# suite's busybox rootfs (lib_base_bundle), imported (podman import of a
# tar; ctr image import of an OCI archive made by scripts/mkociimage).
# Podman's and containerd's cgroups are the suite's and removed at the end.
#
# OCI_RUN picks the runtime as for the other suites (tests/lib.sh):
# `OCI_RUN=runc tests/run clients` checks the suite itself against runc.
# Texts that are the runtime's own are looked up per runtime (oci-run,
# runc); another runtime gets them checked loosely.
# Clients: podman(1) 4.3, podman-run(1), containers.conf(5),
# containers-storage.conf(5); ctr (containerd 1.6).

. "$(dirname "$0")/lib.sh" || exit 1

IMAGE=localhost/ocibox-clients:test
RT=''			# the runtime's path, as the clients are given it
SUF=''			# unique to this run: names, cgroups, namespaces
# Always: this sandbox cannot raise a hard rlimit (no CAP_SYS_RESOURCE), so
# the container's limits must be ones the host's already allow.
ULIMITS=(--ulimit nofile=10000:10000 --ulimit nproc=1000:1000)
# A container process that lives until TERM (exit 7), tells USR1 on stdout,
# and says "ready" once its traps are set (sh as pid 1 would ignore TERM).
SLEEPER='trap "exit 7" TERM; trap "echo usr1" USR1; echo ready
while :; do sleep 0.1; done'

oneTimeSetUp() {
	lib_oneTimeSetUp || return 1
	SUF=${TEST_TMP##*.}
	clients_runtime || return 1
	lib_base_bundle || return 1
	echo "clients get the runtime as $RT"
}

oneTimeTearDown() {
	podman_teardown
	ctrd_teardown
	lib_oneTimeTearDown
}

# RT: the runtime under test as one executable path, as clients want it:
# OCI itself when it is one word, else a script that runs OCI's words,
# named so the client takes it for the same runtime.
clients_runtime() {
	local name
	if [ ${#OCI[@]} -eq 1 ]; then
		RT=$(command -v "${OCI[0]}") && [ "${RT#/}" != "$RT" ] && return 0
	fi
	if is_ocibox; then name=oci-run; else name=${OCI[0]##*/}; fi
	mkdir -p "$TEST_TMP/rt"
	RT=$TEST_TMP/rt/$name
	{
		echo '#!/bin/sh'
		printf 'exec'
		printf ' %q' "${OCI[@]}"
		echo ' "$@"'
	} > "$RT" && chmod 0755 "$RT"
}

# --- an isolated place for a client ------------------------------------------

# iso_new DIR: a place of its own for a client: pid, mount and network
# namespaces, kept by bind mounts at DIR/pid, DIR/mnt and DIR/net.  Its
# pid 1 reaps orphans (conmon and containerd's shims are orphans: podman
# waits 20 s for a conmon that never gets reaped) and, when it ends, the
# kernel kills everything in the namespace; its unshare's pid is in
# DIR/init.pid.  The mount namespace has its own /proc and fresh tmpfs on
# /run, /var/lib and /var/tmp.  Prints why it failed.
iso_new() {
	local d=$1 i
	mkdir -p "$d" || return 1
	command -v perl >/dev/null 2>&1 || { echo "perl: not installed"; return 1; }
	# unshare --mount=FILE wants FILE on a mount that does not propagate.
	mount --bind "$d" "$d" && mount --make-private "$d" || return 1
	: > "$d/pid" && : > "$d/mnt" && : > "$d/net" || return 1
	# Now and then the kernel refuses (EINVAL) to bind the new mount
	# namespace to the file (seen on 6.18, about one try in two); a
	# second try, with a new namespace, works.
	for i in 1 2 3 4 5 6 7 8 9 10; do
		rm -f "$d/ready"
		unshare --pid="$d/pid" --mount="$d/mnt" --fork --kill-child \
			--mount-proc --propagation private sh -c '
			mount -t tmpfs -o mode=0755 tmpfs /run &&
			mount -t tmpfs -o mode=0755 tmpfs /var/lib &&
			mount -t tmpfs -o mode=1777 tmpfs /var/tmp &&
			: > "$1" &&
			exec perl -e "while (1) { wait == -1 and sleep 1 }"' \
			sh "$d/ready" < /dev/null > "$d/init.log" 2>&1 &
		echo $! > "$d/init.pid"
		wait_for 10 iso_settled "$d"
		iso_up "$d" && break
		kill -KILL "$(cat "$d/init.pid")" 2>/dev/null
		wait "$(cat "$d/init.pid")" 2>/dev/null
		grep -q 'Invalid argument' "$d/init.log" ||
			{ echo "namespaces: $(cat "$d/init.log")"; return 1; }
	done
	iso_up "$d" || { echo "namespaces: $(cat "$d/init.log")"; return 1; }
	i=$(unshare --net="$d/net" ip link set lo up 2>&1) ||
		{ echo "network namespace: ${i:-failed}"; return 1; }
}

iso_up() {
	[ -e "$1/ready" ] && pid_alive "$(cat "$1/init.pid")"
}

iso_settled() {
	iso_up "$1" || ! pid_alive "$(cat "$1/init.pid")"
}

# iso DIR CMD...: run CMD in DIR's namespaces (nsenter keeps the
# environment and forks for the pid namespace; the working directory
# becomes /: paths are absolute).
iso() {
	local d=$1
	shift
	nsenter --pid="$d/pid" --mount="$d/mnt" --net="$d/net" "$@"
}

# iso_alive DIR PID: PID (as DIR's pid namespace numbers it) runs.
iso_alive() {
	iso "$1" grep -q '^State:[[:space:]]*[^Z]' "/proc/$2/status" 2>/dev/null
}

# iso_end DIR: end its pid 1, and with it every process in it; drop the
# namespaces.  (unshare ignores TERM while it waits; its --kill-child sends
# KILL to pid 1.)
iso_end() {
	local d=$1 init
	[ -s "$d/init.pid" ] || return 0
	init=$(cat "$d/init.pid")
	kill -KILL "$init" 2>/dev/null
	wait_for 10 not pid_alive "$init" ||
		echo "clients: $d: unshare $init did not end" >&2
	wait "$init" 2>/dev/null
	umount "$d/pid" "$d/mnt" "$d/net" 2>/dev/null
	umount -l "$d" 2>/dev/null
	: > "$d/init.pid"
	return 0
}

# cg_remove NAME: remove the cgroup NAME (and what is under it) from every
# hierarchy, when a client left it behind empty.
cg_remove() {
	local d
	for d in /sys/fs/cgroup/*/"$1" /sys/fs/cgroup/"$1"; do
		[ -d "$d" ] || continue
		find "$d" -depth -type d -exec rmdir {} + 2>/dev/null
		[ -d "$d" ] && echo "clients: cgroup $d left (busy)" >&2
	done
	return 0
}

# not CMD...: CMD fails (for wait_for).
not() {
	! "$@"
}

# script_run CMD...: run CMD on a pty (util-linux script); rc and out
# (carriage returns dropped) as capture sets them.  Its input is a FIFO
# that never ends: at the end of its input script writes an EOF to the
# terminal, which a client copies into the container's (ctr -t does).
script_run() {
	{
		echo '#!/bin/bash'
		printf 'exec'
		printf ' %q' "$@"
		echo
	} > "$T/script.sh" && chmod 0755 "$T/script.sh"
	rm -f "$T/tty.in" && mkfifo "$T/tty.in" || return 1
	timeout -k 5 "$((OCI_TIMEOUT + 10))" script -qec "$T/script.sh" /dev/null \
		0<> "$T/tty.in" > "$T/out" 2> "$T/err"
	rc=$?
	out=$(tr -d '\r' < "$T/out")
	err=$(cat "$T/err")
}

# The runtime's own words for a process whose executable is missing.
missing_exe_text() {
	case $IMPL in
	ocibox) echo "exec /nonexistent: No such file or directory" ;;
	runc) echo 'unable to start container process: exec: "/nonexistent":' \
		'stat /nonexistent: no such file or directory' ;;
	*) echo "/nonexistent" ;;
	esac
}

# --- podman ----------------------------------------------------------------

P=''			# podman's dir, once it works; PODMAN_WHY: why it cannot
PODMAN_WHY=''
PM=()			# the command line that puts podman in its place

# podman_ready: podman set up (once), or skip the test saying why.
podman_ready() {
	if [ -z "$P" ] && [ -z "$PODMAN_WHY" ]; then
		podman_setup > "$TEST_TMP/podman.why" ||
			PODMAN_WHY=$(cat "$TEST_TMP/podman.why")
		[ -n "$PODMAN_WHY" ] || P=$TEST_TMP/podman
	fi
	[ -z "$PODMAN_WHY" ] && return 0
	skip "$PODMAN_WHY"
	return 1
}

# Prints why podman cannot run here.
podman_setup() {
	local d=$TEST_TMP/podman c e
	for c in podman conmon unshare nsenter tar; do
		command -v "$c" >/dev/null 2>&1 ||
			{ echo "$c: not installed (scripts/install-deps test)"; return 1; }
	done
	[ -x /usr/lib/podman/netavark ] ||
		{ echo "netavark: not installed (scripts/install-deps test)"; return 1; }
	command -v iptables >/dev/null 2>&1 || [ -x /usr/sbin/iptables ] ||
		{ echo "iptables: not installed (scripts/install-deps test)"; return 1; }
	e=$(iso_new "$d/ns") || { echo "podman: $e"; return 1; }
	mkdir -p "$d/networks" || return 1
	# What holds sockets (runroot, tmp_dir: conmon's attach and console
	# sockets) is in the namespace's own /run: a path under the suite's
	# temp dir can pass the 108 bytes of a socket's name, and podman then
	# waits 20 s for a container's exit that it cannot hear.
	cat > "$d/storage.conf" <<-EOF
	[storage]
	driver = "vfs"
	graphroot = "$d/graph"
	runroot = "/run/ocibox-clients/storage"
	EOF
	# The runtime by its path, and by name in runtime_supports_json: podman
	# passes --log-format=json only to runtimes listed there.
	cat > "$d/containers.conf" <<-EOF
	[containers]
	log_driver = "k8s-file"
	[engine]
	cgroup_manager = "cgroupfs"
	events_logger = "file"
	events_logfile_path = "$d/events.log"
	lock_type = "file"
	tmp_dir = "/run/ocibox-clients/libpod"
	image_copy_tmp_dir = "/var/tmp"
	static_dir = "$d/graph/libpod"
	volume_path = "$d/graph/volumes"
	runtime = "${RT##*/}"
	runtime_supports_json = ["${RT##*/}"]
	[engine.runtimes]
	${RT##*/} = ["$RT"]
	[network]
	network_backend = "netavark"
	network_config_dir = "$d/networks"
	default_subnet = "192.0.2.0/24"
	default_subnet_pools = [{"base" = "198.51.100.0/24", "size" = 26}]
	EOF
	echo 'unqualified-search-registries = []' > "$d/registries.conf"
	PM=(nsenter --pid="$d/ns/pid" --mount="$d/ns/mnt" --net="$d/ns/net"
		env CONTAINERS_CONF="$d/containers.conf"
		CONTAINERS_STORAGE_CONF="$d/storage.conf"
		CONTAINERS_REGISTRIES_CONF="$d/registries.conf"
		TMPDIR=/var/tmp)
	tar --numeric-owner -C "$TEST_TMP/base/rootfs" -cf "$d/rootfs.tar" . ||
		{ echo "tar of the rootfs failed"; return 1; }
	e=$(pm import "$d/rootfs.tar" "$IMAGE" 2>&1 >/dev/null) ||
		{ echo "podman import: $e"; return 1; }
}

# pm ARGS: podman in its place, with the runtime under test.  pm_tty ARGS:
# the same on a pty (timeout --foreground: podman sets the terminal raw,
# which a background process group may not).
pm() {
	"${PM[@]}" timeout -k 5 "$OCI_TIMEOUT" podman --runtime "$RT" "$@"
}

pm_tty() {
	script_run "${PM[@]}" timeout --foreground -k 5 "$OCI_TIMEOUT" \
		podman --runtime "$RT" "$@"
}

# What every `podman run` gets here: no pull, limits the sandbox allows, a
# cgroup parent of the suite's (removed at the end).
pm_run() {
	pm run --pull never --cgroup-parent "/ocibox-clients-$SUF" \
		"${ULIMITS[@]}" "$@"
}

# A name for a podman container, removed in tearDown.
pm_name() {
	local n
	n=$(($(cat "$TEST_TMP/counter") + 1))
	echo "$n" > "$TEST_TMP/counter"
	n=p$SUF-$n
	defer pm rm -f -t 0 "$n"
	echo "$n"
}

# pm_sleeper NAME [ARGS]: a detached SLEEPER that said "ready".
pm_sleeper() {
	local n=$1
	shift
	capture pm_run -d --name "$n" --network none "$@" "$IMAGE" sh -c "$SLEEPER"
	assert_ok "run -d"
	assertTrue "run -d prints the id: $out" "[[ \$out =~ ^[0-9a-f]{64}\$ ]]"
	assert_no_err "run -d"
	[ "$rc" = 0 ] || return 1
	wait_for 20 pm_logs_have "$n" ready ||
		{ fail "$n never said ready: $(pm logs "$n" 2>&1)"; return 1; }
}

pm_logs_have() {
	pm logs "$1" 2>/dev/null | grep -qx "$2"
}

pm_field() {
	pm inspect --format "{{$2}}" "$1" 2>/dev/null
}

podman_teardown() {
	[ -n "$P" ] || return 0
	pm rm -a -f -t 0 >/dev/null 2>&1
	iso_end "$P/ns"
	cg_remove "ocibox-clients-$SUF"
	P=''
}

testPodmanRunNetworkNone() {
	podman_ready || return 0
	local n
	n=$(pm_name)
	capture pm_run --rm --name "$n" --network none "$IMAGE" \
		sh -c 'echo hello; ls /sys/class/net; exit 3'
	assert_rc 3 "the container's exit status"
	assert_out "hello
lo"
	assert_no_err
	capture pm ps -a --format '{{.Names}}'
	assert_not_contains "--rm removed it" "$out" "$n"
}

# podman's default network: a netavark bridge with 192.0.2.0/24 in the
# suite's network namespace; the container reaches the bridge's address and
# nothing outside.  The bridge goes with the last container.
testPodmanRunNetwork() {
	podman_ready || return 0
	local n host_links
	host_links=$(ip -o link | cut -d: -f2)
	n=$(pm_name)
	capture pm_run --rm --name "$n" "$IMAGE" sh -c '
		ip -4 -o addr show eth0 | awk "{ print \$4 }"
		ip route | awk "/^default/ { print \$1, \$2, \$3 }"
		ping -c 1 -W 5 192.0.2.1 > /dev/null && echo ping ok'
	assert_ok
	case ${out%%$'\n'*} in
	192.0.2.*/24) ;;
	*) fail "eth0 not in 192.0.2.0/24: $out" ;;
	esac
	assertEquals "route and ping" "default via 192.0.2.1
ping ok" "${out#*$'\n'}"
	assert_no_err
	assertEquals "no bridge left in the test's netns" "" \
		"$(iso "$P/ns" ip -o link show type bridge)"
	assertEquals "the host's links" "$host_links" "$(ip -o link | cut -d: -f2)"
}

testPodmanExec() {
	podman_ready || return 0
	local n
	n=$(pm_name)
	pm_sleeper "$n" || return 0
	capture pm exec "$n" sh -c 'echo out; echo err >&2; exit 5'
	assert_rc 5 "exec's exit status"
	assert_out "out"
	assertEquals "exec's stderr" "err" "$err"
	# In the same container: its pid 1 is the sleeper.
	capture pm exec "$n" sh -c 'tr "\0" " " < /proc/1/cmdline'
	assert_ok "exec"
	assert_out "sh -c $SLEEPER "
}

# stop: TERM, which the process's trap turns into exit status 7 (a KILL
# after the timeout would give 137).
testPodmanStop() {
	podman_ready || return 0
	local n
	n=$(pm_name)
	pm_sleeper "$n" || return 0
	capture pm stop -t 30 "$n"
	assert_ok "stop"
	assert_out "$n"
	assert_no_err
	assertEquals "status" "exited" "$(pm_field "$n" .State.Status)"
	assertEquals "exit code" "7" "$(pm_field "$n" .State.ExitCode)"
}

testPodmanKill() {
	podman_ready || return 0
	local n
	n=$(pm_name)
	pm_sleeper "$n" || return 0
	capture pm kill --signal USR1 "$n"
	assert_ok "kill USR1"
	assert_out "$n"
	wait_for 20 pm_logs_have "$n" usr1 || fail "USR1 never arrived"
	assertEquals "still running" "running" "$(pm_field "$n" .State.Status)"
	capture pm kill "$n"
	assert_ok "kill"
	assert_out "$n"
	assert_no_err
	capture pm wait "$n"
	assert_ok "wait"
	assert_out "137"
}

testPodmanRmForce() {
	podman_ready || return 0
	local n pid
	n=$(pm_name)
	pm_sleeper "$n" || return 0
	pid=$(pm_field "$n" .State.Pid)
	assertTrue "the container's pid ($pid) runs" "iso_alive '$P/ns' '$pid'"
	capture pm rm -f -t 0 "$n"
	assert_ok "rm -f"
	assert_out "$n"
	assert_no_err
	assertEquals "gone from ps -a" "" "$(pm ps -a -q --filter "name=^$n\$")"
	wait_for 10 not iso_alive "$P/ns" "$pid" || fail "pid $pid outlived rm -f"
}

testPodmanTerminal() {
	podman_ready || return 0
	require_cmd script || return 0
	local n
	n=$(pm_name)
	pm_tty run --pull never --cgroup-parent "/ocibox-clients-$SUF" \
		"${ULIMITS[@]}" --rm -t --name "$n" --network none "$IMAGE" \
		sh -c 'tty; [ -t 0 ] && [ -t 1 ] && echo on a tty; exit 4'
	assert_rc 4 "the container's exit status"
	assert_out "/dev/pts/0
on a tty"
}

testPodmanExecTerminal() {
	podman_ready || return 0
	require_cmd script || return 0
	local n
	n=$(pm_name)
	pm_sleeper "$n" || return 0
	pm_tty exec -t "$n" sh -c 'tty; [ -t 0 ] && [ -t 1 ] && echo on a tty; exit 4'
	assert_rc 4 "exec's exit status"
	case $out in
	/dev/pts/*$'\n''on a tty') ;;
	*) fail "exec -t: not on a tty: $out ($err)" ;;
	esac
}

testPodmanResources() {
	podman_ready || return 0
	local n
	n=$(pm_name)
	capture pm_run --rm --name "$n" --network none --memory 64m \
		--pids-limit 50 "$IMAGE" sh -c '
		cat /sys/fs/cgroup/memory/memory.limit_in_bytes 2>/dev/null ||
			cat /sys/fs/cgroup/memory.max
		cat /sys/fs/cgroup/pids/pids.max 2>/dev/null ||
			cat /sys/fs/cgroup/pids.max
		ulimit -n; ulimit -u'
	assert_ok
	assert_out "67108864
50
10000
1000"
	assert_no_err
}

# The runtime's own error text reaches the user: podman reads it from the
# runtime's --log (one JSON object a line: --log-format=json).
testPodmanMissingExecutable() {
	podman_ready || return 0
	local n phrase
	n=$(pm_name)
	capture pm_run --rm --name "$n" --network none --cidfile "$T/cid" \
		"$IMAGE" /nonexistent
	assert_rc 127 "podman's status for a missing command"
	assert_out ""
	phrase=$(missing_exe_text)
	is_ocibox && phrase="$RT: create $(cat "$T/cid" 2>/dev/null): $phrase"
	assert_contains "podman shows the runtime's error" "$err" "$phrase"
	assertEquals "one line of error: $err" 1 "$(wc -l < "$T/err")"
}

# --- containerd ------------------------------------------------------------

C=''			# containerd's dir; CTRD_WHY: why it cannot run here
CTRD_WHY=''
CTRD_PID=''		# containerd's (as the suite sees it)
CTRD_JOB=''		# the nsenter that forked it
CTRD_NS=''		# containerd namespace of the suite's (and its cgroup)
CTR=()			# the command line that puts ctr in containerd's place

ctrd_ready() {
	if [ -z "$C" ] && [ -z "$CTRD_WHY" ]; then
		CTRD_NS=ocibox-clients-$SUF
		ctrd_setup > "$TEST_TMP/ctrd.why" ||
			CTRD_WHY=$(cat "$TEST_TMP/ctrd.why")
		[ -n "$CTRD_WHY" ] || [ -n "$C" ] ||
			CTRD_WHY="containerd: setup failed"
	fi
	[ -z "$CTRD_WHY" ] && return 0
	skip "$CTRD_WHY"
	return 1
}

# Not in a subshell: it starts containerd and keeps its pid.  Prints why it
# failed.
ctrd_setup() {
	local d=$TEST_TMP/containerd c e
	for c in containerd ctr containerd-shim-runc-v2 unshare nsenter; do
		command -v "$c" >/dev/null 2>&1 ||
			{ echo "$c: not installed (scripts/install-deps test)"; return 1; }
	done
	e=$(iso_new "$d/ns") || { echo "containerd: $e"; return 1; }
	# Its state and sockets in the namespace's own /run (a socket's name
	# has 108 bytes at most), the content and snapshots under the suite's
	# temp dir.
	cat > "$d/config.toml" <<-EOF
	version = 2
	root = "$d/root"
	state = "/run/ocibox-clients/state"
	disabled_plugins = [
		"io.containerd.grpc.v1.cri",
		"io.containerd.snapshotter.v1.aufs",
		"io.containerd.snapshotter.v1.btrfs",
		"io.containerd.snapshotter.v1.devmapper",
		"io.containerd.snapshotter.v1.zfs",
		"io.containerd.internal.v1.tracing",
		"io.containerd.tracing.processor.v1.otlp",
	]
	[grpc]
	  address = "/run/ocibox-clients/containerd.sock"
	[ttrpc]
	  address = "/run/ocibox-clients/containerd.sock.ttrpc"
	[debug]
	  address = ""
	[metrics]
	  address = ""
	EOF
	CTR=(nsenter --pid="$d/ns/pid" --mount="$d/ns/mnt" --net="$d/ns/net")
	# TMPDIR: the shim's process.json and console sockets go there.
	iso "$d/ns" env TMPDIR=/var/tmp containerd --config "$d/config.toml" \
		> "$d/containerd.log" 2>&1 &
	CTRD_JOB=$!
	CTRD_PID=$CTRD_JOB
	C=$d
	if ! wait_for 20 ctrd_up; then
		echo "containerd did not come up: $(tail -n 3 "$d/containerd.log")"
		return 1
	fi
	# nsenter forked it: the daemon is nsenter's child.
	CTRD_PID=$(cat "/proc/$CTRD_JOB/task/$CTRD_JOB/children")
	e=$("$REPO/scripts/mkociimage" "$TEST_TMP/base/rootfs" "$IMAGE" \
		"$d/image.tar" 2>&1) || { echo "mkociimage: $e"; return 1; }
	e=$(ctr_ image import --snapshotter native "$d/image.tar" 2>&1) ||
		{ echo "ctr image import: $e"; return 1; }
}

ctrd_up() {
	pid_alive "$CTRD_PID" || return 1
	ctr_ version > /dev/null 2>&1
}

# ctr_ ARGS: ctr against the suite's containerd, in its namespaces;
# ctr_tty ARGS: the same on a pty.
ctr_() {
	"${CTR[@]}" timeout -k 5 "$OCI_TIMEOUT" ctr \
		--address /run/ocibox-clients/containerd.sock \
		--namespace "$CTRD_NS" "$@"
}

ctr_tty() {
	script_run "${CTR[@]}" timeout --foreground -k 5 "$OCI_TIMEOUT" ctr \
		--address /run/ocibox-clients/containerd.sock \
		--namespace "$CTRD_NS" "$@"
}

# ctr_run [OPTIONS] ID CMD...: ctr run of IMAGE with the runtime under test.
ctr_run() {
	local opts=()
	while [ $# -gt 0 ]; do
		case $1 in -*) opts+=("$1"); shift ;; *) break ;; esac
	done
	ctr_ run --snapshotter native --runc-binary "$RT" "${opts[@]}" \
		"$IMAGE" "$@"
}

# An id for a ctr container, its task and container removed in tearDown.
ctr_id() {
	local n
	n=$(($(cat "$TEST_TMP/counter") + 1))
	echo "$n" > "$TEST_TMP/counter"
	n=k$SUF-$n
	defer ctr_ container rm "$n"
	defer ctr_ task rm -f "$n"
	defer ctr_ task kill -s KILL "$n"
	echo "$n"
}

ctr_status() {
	ctr_ task ls 2>/dev/null | awk -v id="$1" '$1 == id { print $3 }'
}

ctr_status_is() {
	[ "$(ctr_status "$1")" = "$2" ]
}

ctrd_teardown() {
	[ -n "$C" ] || return 0
	local id
	for id in $(ctr_ task ls -q 2>/dev/null); do
		ctr_ task kill -s KILL "$id" >/dev/null 2>&1
		wait_for 10 not ctr_status_is "$id" RUNNING
		ctr_ task rm -f "$id" >/dev/null 2>&1
	done
	for id in $(ctr_ container ls -q 2>/dev/null); do
		ctr_ container rm "$id" >/dev/null 2>&1
	done
	if pid_alive "$CTRD_PID"; then
		kill -TERM "$CTRD_PID"
		wait_for 10 not pid_alive "$CTRD_PID"
	fi
	wait "$CTRD_JOB" 2>/dev/null
	iso_end "$C/ns"
	cg_remove "$CTRD_NS"
	C=''
}

testCtrRun() {
	ctrd_ready || return 0
	local id
	id=$(ctr_id)
	capture ctr_run --rm "$id" sh -c 'echo hello; ls /sys/class/net; exit 3'
	assert_rc 3 "the container's exit status"
	assert_out "hello
lo"
	assert_no_err
	assertEquals "--rm removed it" "" \
		"$(ctr_ container ls -q | grep -x "$id")"
}

testCtrExec() {
	ctrd_ready || return 0
	local id
	id=$(ctr_id)
	capture ctr_run -d "$id" sh -c "$SLEEPER"
	assert_ok "run -d"
	assert_no_err "run -d"
	wait_for 20 ctr_status_is "$id" RUNNING ||
		fail "$id never ran: $(ctr_status "$id")"
	capture ctr_ task exec --exec-id e1 "$id" \
		sh -c 'echo out; echo err >&2; exit 5'
	assert_rc 5 "exec's exit status"
	assert_out "out"
	assertEquals "exec's stderr" "err" "$err"
	capture ctr_ task exec --exec-id e2 "$id" sh -c 'tr "\0" " " < /proc/1/cmdline'
	assert_ok "exec"
	assert_out "sh -c $SLEEPER "
}

# ctr task kill: TERM by default; the foreground ctr run returns the
# process's exit status (its trap's 7).
testCtrKill() {
	ctrd_ready || return 0
	local id pid
	id=$(ctr_id)
	: > "$T/run.out"
	ctr_run "$id" sh -c "$SLEEPER" > "$T/run.out" 2> "$T/run.err" &
	pid=$!
	defer kill -KILL "$pid"
	if ! wait_for 20 grep -qx ready "$T/run.out"; then
		fail "$id never said ready: $(cat "$T/run.err")"
		return 0
	fi
	assertEquals "status" "RUNNING" "$(ctr_status "$id")"
	capture ctr_ task kill -s USR1 "$id"
	assert_ok "kill USR1"
	assert_no_err "kill USR1"
	wait_for 20 grep -qx usr1 "$T/run.out" || fail "USR1 never arrived"
	capture ctr_ task kill "$id"
	assert_ok "kill"
	assert_out ""
	assert_no_err
	wait_for 20 not pid_alive "$pid" || fail "ctr run outlived its task"
	wait "$pid"
	rc=$?
	assertEquals "ctr run's exit status (stderr: $(cat "$T/run.err"))" 7 "$rc"
	assertEquals "ctr run's output" "ready
usr1" "$(cat "$T/run.out")"
}

testCtrTerminal() {
	ctrd_ready || return 0
	require_cmd script || return 0
	local id
	id=$(ctr_id)
	ctr_tty run --snapshotter native --runc-binary "$RT" --rm -t \
		"$IMAGE" "$id" sh -c 'tty; [ -t 0 ] && [ -t 1 ] && echo on a tty; exit 4'
	assert_rc 4 "the container's exit status"
	assert_out "/dev/pts/0
on a tty"
}

# The shim reads the runtime's --log (JSON) for the error it returns.
testCtrMissingExecutable() {
	ctrd_ready || return 0
	local id phrase
	id=$(ctr_id)
	capture ctr_run --rm "$id" /nonexistent
	assert_rc 1 "ctr's status"
	assert_out ""
	phrase=$(missing_exe_text)
	is_ocibox && phrase="OCI runtime create failed: create $id: $phrase"
	assert_contains "ctr shows the runtime's error" "$err" "$phrase"
	assertEquals "one line of error: $err" 1 "$(wc -l < "$T/err")"
}

. "$SHUNIT2"
