# tests/oci-run/terminal.sh - process.terminal and consoleSize (runtime-spec
# config.md) and exec --tty, --console-socket and the foreground relay as
# runc's docs/terminals.md describes them, and TIOCSTI (ioctl_tty(2)) never
# reaching the caller's terminal.  The helpers are tests/tools/*.c, built
# by make check: recvtty (a console-socket receiver), ptyrun (a terminal
# for the caller), tiocsti (run inside the container).

TOOLS=$BUILD/tools

require_tools() {
	local t
	for t; do
		[ -x "$TOOLS/$t" ] ||
			{ skip "$TOOLS/$t: not built (make tools)"; return 1; }
	done
}

# A bundle with a terminal whose process is sh -c SCRIPT.
tty_bundle() {
	new_bundle
	cfg '.process.terminal = true'
	cfg_sh "$1"
}

# The runtime's command line with the suite's --root, for ptyrun: in the
# terminal's foreground process group (a plain timeout makes a group of
# its own, where runc stops on SIGTTOU at its first tcsetattr).
oci_cmd() {
	OCI_CMD=(timeout --foreground -k 5 "$OCI_TIMEOUT" "${OCI[@]}"
		 --root "$ROOT")
}

# recvtty listening on $T/sock, fed stdin from $T/in: pid in $recv_pid.
recv_start() {
	timeout -k 5 "$OCI_TIMEOUT" "$TOOLS/recvtty" "$T/sock" "$T/name" \
		< "$T/in" > "$T/tty.out" 2> "$T/tty.err" &
	recv_pid=$!
	defer kill "$recv_pid"
	wait_for 20 test -S "$T/sock" || fail "recvtty never listened"
}

# recvtty's end (the container's side of the pty closed): its output.
recv_wait() {
	wait "$recv_pid"
	assertEquals "recvtty exit status ($(cat "$T/tty.err"))" 0 $?
	tty_out=$(tr -d '\r' < "$T/tty.out")
}

testTerminalConsoleSocketGetsMaster() {
	local id
	require_tools recvtty || return 0
	tty_bundle 'read l; echo "got:$l"; tty; [ -t 0 ] && echo stdin-tty
		[ -t 1 ] && [ -t 2 ] && echo out-tty; stty size; exit 0'
	cfg '.process.consoleSize = {height: 30, width: 100}'
	id=$(new_id)
	echo hello > "$T/in"
	recv_start
	create_ok --console-socket "$T/sock" "$id"
	assertEquals "status after create" created "$(state_field "$id" status)"
	start_ok "$id"
	recv_wait
	assertEquals "the pty's output (the slave echoes what is typed)" \
		"hello
got:hello
/dev/pts/0
stdin-tty
out-tty
30 100" "$tty_out"
	assertEquals "sent with runc's name payload, one fd" "/dev/ptmx
fds=1" "$(cat "$T/name")"
}

testTerminalRunForegroundRelays() {
	local id lines
	require_tools ptyrun || return 0
	tty_bundle 'echo ready; read l; echo "got:$l"; tty; stty size; exit 3'
	cfg '.process.consoleSize = {height: 30, width: 100}'
	id=$(new_id)
	oci_cmd
	capture timeout -k 5 "$OCI_TIMEOUT" "$TOOLS/ptyrun" -s 40x120 \
		-w ready -i $'hi\r' -- bash -c \
		'stty -g; "$@"; echo "rc=$?"; stty -g' _ \
		"${OCI_CMD[@]}" run --bundle "$BUNDLE" "$id"
	assert_ok "ptyrun"
	assertEquals "ptyrun's report" "ptyrun: status 0, unread 0" "$err"
	lines=$(tr -d '\r' < "$T/out")
	# One "hi": the container's terminal echoes it, ours was raw.  The
	# size is the caller's: it overrides consoleSize, as with runc.
	assertEquals "relayed output and exit status" "ready
hi
got:hi
/dev/pts/0
40 120
rc=3" "$(sed '1d;$d' <<< "$lines")"
	assertEquals "the caller's terminal modes restored" \
		"$(head -n 1 <<< "$lines")" "$(tail -n 1 <<< "$lines")"
	assertNotEquals "stty -g printed" "" "$(head -n 1 <<< "$lines")"
	capture oci state "$id"
	assert_error "container does not exist" "state after run"
}

testTerminalCreateWithoutSocketFails() {
	local id
	new_bundle
	cfg '.process.terminal = true'
	id=$(new_id)
	leftover_snapshot
	capture oci create --bundle "$BUNDLE" "$id"
	assert_error "cannot allocate tty if"
	assert_error "will detach without setting console socket"
	leftover_check "$id"
}

testTerminalRunDetachWithoutSocketFails() {
	local id
	new_bundle
	cfg '.process.terminal = true'
	id=$(new_id)
	leftover_snapshot
	capture oci run -d --bundle "$BUNDLE" "$id"
	assert_error "will detach without setting console socket"
	leftover_check "$id"
}

testConsoleSocketWithoutTerminalFails() {
	local id
	sleeper
	id=$(new_id)
	leftover_snapshot
	capture oci create --console-socket "$T/sock" --bundle "$BUNDLE" "$id"
	assert_error "cannot use console socket if"
	assert_error "will not detach or allocate tty"
	leftover_check "$id"
}

testConsoleSocketWithRunForegroundFails() {
	local id
	tty_bundle 'exit 0'
	id=$(new_id)
	leftover_snapshot
	capture oci run --console-socket "$T/sock" --bundle "$BUNDLE" "$id"
	assert_error "will not detach or allocate tty"
	leftover_check "$id"
}

testConsoleSocketMissingFails() {
	local id
	tty_bundle 'exit 0'
	id=$(new_id)
	leftover_snapshot
	capture oci create --console-socket "$T/nosock" --bundle "$BUNDLE" "$id"
	assert_error "$T/nosock"
	leftover_check "$id"
}

# The kernel's check: TIOCSTI needs the tty to be the caller's controlling
# terminal (or CAP_SYS_ADMIN, which the default spec does not give).
tiocsti_bundle() {
	new_bundle
	cp "$TOOLS/tiocsti" "$BUNDLE/rootfs/tiocsti"
	cfg_args /tiocsti
}

# terminal: false, the container's stdin is the caller's terminal (create
# and start pass stdio through): its own session keeps it from typing.
testNoTerminalTiocstiCannotReachCaller() {
	local id
	require_tools ptyrun tiocsti || return 0
	if [ "$(sysctl -n dev.tty.legacy_tiocsti 2>/dev/null)" != 1 ]; then
		skip "dev.tty.legacy_tiocsti is not 1: TIOCSTI is off anyway"
		return 0
	fi
	tiocsti_bundle
	id=$(new_id)
	oci_cmd
	capture timeout -k 5 "$OCI_TIMEOUT" "$TOOLS/ptyrun" -- bash -c '
		id=$1; b=$2; shift 2
		"$@" create --bundle "$b" "$id" && "$@" start "$id" || exit
		until "$@" state "$id" | grep -q "\"stopped\""; do
			sleep 0.1
		done
		[ -t 0 ] && echo caller-tty' _ "$id" "$BUNDLE" "${OCI_CMD[@]}"
	assert_ok "ptyrun"
	assertEquals "container output" "TIOCSTI: Operation not permitted
caller-tty" "$(tr -d '\r' < "$T/out")"
	assertEquals "nothing typed into the caller's terminal" \
		"ptyrun: status 0, unread 0" "$err"
}

# terminal: true: the pty is the container's own, TIOCSTI types there.
testTerminalTiocstiStaysInContainer() {
	local id
	require_tools ptyrun tiocsti || return 0
	tiocsti_bundle
	cfg '.process.terminal = true'
	id=$(new_id)
	oci_cmd
	capture timeout -k 5 "$OCI_TIMEOUT" "$TOOLS/ptyrun" -- \
		"${OCI_CMD[@]}" run --bundle "$BUNDLE" "$id"
	assert_ok "ptyrun"
	assertEquals "typed into its own terminal (which echoes it)" \
		"echo INJECTED
TIOCSTI: done" "$(tr -d '\r' < "$T/out")"
	assertEquals "nothing typed into the caller's terminal" \
		"ptyrun: status 0, unread 0" "$err"
}

# --- exec --tty ----------------------------------------------------------------

testExecTtyRelays() {
	local id lines
	require_tools ptyrun || return 0
	sleeper
	id=$(new_id)
	running "$id"
	oci_cmd
	capture timeout -k 5 "$OCI_TIMEOUT" "$TOOLS/ptyrun" -s 33x99 \
		-w ready -i $'yo\r' -- bash -c \
		'stty -g; "$@"; echo "rc=$?"; stty -g' _ \
		"${OCI_CMD[@]}" exec -t "$id" sh -c \
		'echo ready; read l; echo "got:$l"; tty; stty size; exit 4'
	assert_ok "ptyrun"
	assertEquals "ptyrun's report" "ptyrun: status 0, unread 0" "$err"
	lines=$(tr -d '\r' < "$T/out")
	assertEquals "relayed output and exit status" "ready
yo
got:yo
/dev/pts/0
33 99
rc=4" "$(sed '1d;$d' <<< "$lines")"
	assertEquals "the caller's terminal modes restored" \
		"$(head -n 1 <<< "$lines")" "$(tail -n 1 <<< "$lines")"
}

testExecTtyConsoleSocket() {
	local id
	require_tools recvtty || return 0
	sleeper
	id=$(new_id)
	running "$id"
	echo abc > "$T/in"
	recv_start
	capture oci exec -t -d --console-socket "$T/sock" "$id" sh -c \
		'read l; echo "got:$l"; tty'
	assert_ok "exec -t -d --console-socket"
	assert_out ""
	recv_wait
	assertEquals "the pty's output" "abc
got:abc
/dev/pts/0" "$tty_out"
	assertEquals "sent with runc's name payload, one fd" "/dev/ptmx
fds=1" "$(cat "$T/name")"
}

testExecTtyConsoleSocketRules() {
	local id
	sleeper
	id=$(new_id)
	running "$id"
	capture oci exec -t -d "$id" true
	assert_rc 255 "exec -t -d without a socket"
	assert_contains "exec -t -d: stderr" "$err" \
		"will detach without setting console socket"
	capture oci exec --console-socket "$T/sock" "$id" true
	assert_rc 255 "exec --console-socket without -t"
	assert_contains "exec --console-socket: stderr" "$err" \
		"will not detach or allocate tty"
}

# Without --tty, on the caller's terminal (runc gives the process pipes
# instead; ocibox passes its stdio, and the process's own session keeps
# TIOCSTI off the caller's terminal).
testExecTiocstiCannotReachCaller() {
	local id
	require_tools ptyrun tiocsti || return 0
	sleeper
	cp "$TOOLS/tiocsti" "$BUNDLE/rootfs/tiocsti"
	id=$(new_id)
	running "$id"
	oci_cmd
	capture timeout -k 5 "$OCI_TIMEOUT" "$TOOLS/ptyrun" -- \
		"${OCI_CMD[@]}" exec "$id" /tiocsti
	assert_rc 1 "ptyrun (tiocsti failed)"
	case $(tr -d '\r' < "$T/out") in
	"TIOCSTI: Operation not permitted"|"TIOCSTI: Not a tty") ;;
	*) fail "TIOCSTI from exec: $(cat "$T/out")" ;;
	esac
	assertEquals "nothing typed into the caller's terminal" \
		"ptyrun: status 1, unread 0" "$err"
}
