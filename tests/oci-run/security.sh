# tests/oci-run/security.sh - known attacks on runtimes, each a test that
# fails on a runtime without the fix (DESIGN §4).

# CVE-2019-5736: a process in the container with CAP_SYS_PTRACE opens the
# waiting init's /proc/1/exe, then writes through it once nothing runs
# the file.  The runtime must run from a copy nothing can write.
testRuntimeBinaryCannotBeOverwrittenFromContainer() {
	local id victim=$T/victim-ocibox rt
	require_ocibox "the victim is a copy of the ocibox binary" || return 0
	cp "$OCIBOX" "$victim"
	cp "$victim" "$T/victim.orig"
	ln -s victim-ocibox "$T/oci-run"
	rt=("$T/oci-run" --root "$ROOT")
	sleeper
	cfg '.process.capabilities = {
		"bounding": ["CAP_SYS_PTRACE", "CAP_DAC_OVERRIDE", "CAP_KILL"],
		"effective": ["CAP_SYS_PTRACE", "CAP_DAC_OVERRIDE", "CAP_KILL"],
		"permitted": ["CAP_SYS_PTRACE", "CAP_DAC_OVERRIDE", "CAP_KILL"]} |
	     .root.readonly = false'
	id=$(new_id)
	capture timeout 30 "${rt[@]}" create --bundle "$BUNDLE" "$id"
	assert_ok "create"
	# The attacker: holds the init's exe, writes when it is no longer busy.
	capture timeout 30 "${rt[@]}" exec -d --cap CAP_SYS_PTRACE "$id" sh -c '
		exec 3</proc/1/exe || { echo noopen > /tmp/result; exit; }
		i=0
		while [ $i -lt 100 ]; do
			if echo PWNED 2>/dev/null >/proc/self/fd/3; then
				echo written > /tmp/result; exit
			fi
			i=$((i + 1)); sleep 0.05
		done
		echo refused > /tmp/result'
	assert_ok "exec -d the attacker"
	capture timeout 30 "${rt[@]}" start "$id"
	assert_ok "start"
	wait_for 20 test -s "$BUNDLE/rootfs/tmp/result"
	assertEquals "the attacker could not write" refused \
		"$(cat "$BUNDLE/rootfs/tmp/result" 2>/dev/null)"
	assertTrue "the runtime binary on the host is unchanged" \
		"cmp -s '$victim' '$T/victim.orig'"
	timeout 30 "${rt[@]}" delete --force "$id" >/dev/null 2>&1
}

# The init and exec run from a sealed memfd, which is what /proc shows.
testContainerInitRunsFromSealedCopy() {
	local id pid
	require_ocibox "how ocibox protects its binary" || return 0
	sleeper
	id=$(new_id)
	create_ok "$id"
	pid=$(state_field "$id" pid)
	assertEquals "the waiting init's exe" "/memfd:ocibox (deleted)" \
		"$(readlink "/proc/$pid/exe")"
}

testProcSymlinkInRootfsRefused() {
	local id
	new_bundle
	rmdir "$BUNDLE/rootfs/proc" 2>/dev/null || rm -rf "$BUNDLE/rootfs/proc"
	mkdir -p "$BUNDLE/rootfs/evil"
	ln -s /evil "$BUNDLE/rootfs/proc"
	leftover_snapshot
	id=$(new_id)
	capture oci run --bundle "$BUNDLE" "$id"
	assert_fails "/proc a symlink in the rootfs"
	if is_ocibox; then
		assertEquals "error" "oci-run: run $id: mount /proc: is a symlink in the rootfs, not a directory" "$err"
	fi
	leftover_check "$id"
}

testSysSymlinkInRootfsRefused() {
	local id
	new_bundle
	rm -rf "$BUNDLE/rootfs/sys"
	ln -s proc "$BUNDLE/rootfs/sys"
	id=$(new_id)
	capture oci run --bundle "$BUNDLE" "$id"
	assert_fails "/sys a symlink in the rootfs"
}

# Inheritable capabilities only when config.json asks for them.
testInheritableCapabilitiesNeverImplied() {
	new_bundle
	cfg '.process.capabilities.ambient = ["CAP_KILL"]'
	run_sh 'grep -E "^Cap(Inh|Amb)" /proc/self/status'
	assert_ok
	assert_out "CapInh:	0000000000000000
CapAmb:	0000000000000000"
}

# CVE-2024-21626: fds of the runtime never reach the container.
testNoHostFdReachesTheContainer() {
	new_bundle
	exec 8</etc/hostname
	run_sh 'ls /proc/self/fd'
	exec 8<&-
	assert_ok
	assertEquals "stdio and ls's own directory only" "0 1 2 3" "$(echo $out)"
}

# CVE-2021-30465: a mount destination that is a symlink in the image (or a
# shared volume) is resolved inside the rootfs, never on the host.
testMountThroughSymlinkStaysInRootfs() {
	new_bundle
	mkdir -p "$T/outside"
	ln -s "$T/outside" "$BUNDLE/rootfs/escape"
	cfg '.mounts += [{"destination": "/escape", "type": "tmpfs", "source": "tmpfs", "options": ["size=1m"]}]'
	run_sh 'echo inside > /escape/file && cat /escape/file'
	assert_ok
	assert_out inside
	assertEquals "nothing written on the host" "" "$(ls -A "$T/outside")"
	assertEquals "no mount on the host dir" "" "$(mounts_under "$T/outside")"
	assertTrue "the mount landed inside the rootfs, at its own $T/outside" \
		"[ -d '$BUNDLE/rootfs$T/outside' ]"
}

# CVE-2025-31133: a /dev/null that is a symlink (here in a /dev bound from
# a volume) must not be what is bound over the masked paths.
testMaskedPathsNeverUseASymlinkedDevNull() {
	new_bundle
	mkdir -p "$T/devdir"
	ln -s /proc/sys/kernel/hostname "$T/devdir/null"
	cfg '.mounts = [.mounts[] | select(.destination | startswith("/dev") | not)] +
		[{"destination": "/dev", "type": "bind", "source": $d, "options": ["rbind"]}] |
	     .linux.maskedPaths = ["/proc/timer_list"]' --arg d "$T/devdir"
	run_sh '[ -c /proc/timer_list ] && echo chardev; wc -c < /proc/timer_list'
	assert_ok
	assert_out "chardev
0"
}
