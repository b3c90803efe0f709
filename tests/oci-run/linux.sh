# tests/oci-run/linux.sh - config-linux.md's sysctl, devices and
# personality, seen from inside the container.

testSysctlInContainersNamespaces() {
	local host
	host=$(cat /proc/sys/net/ipv4/ip_forward)
	new_bundle
	cfg '.linux.sysctl = {"net.ipv4.ip_forward": "1", "kernel.shmmni": "1234"}'
	run_sh 'cat /proc/sys/net/ipv4/ip_forward /proc/sys/kernel/shmmni'
	assert_ok
	assert_out "1
1234"
	assertEquals "the host's value is untouched" "$host" \
		"$(cat /proc/sys/net/ipv4/ip_forward)"
}

testSysctlOfTheHostRefused() {
	local id
	new_bundle
	cfg '.linux.sysctl = {"kernel.panic": "1"}'
	leftover_snapshot
	id=$(new_id)
	capture oci run --bundle "$BUNDLE" "$id"
	assert_error_text "config.json: linux.sysctl.kernel.panic: not in a namespace of the container's own"
	leftover_check "$id"
}

testSysctlNeedsItsNamespace() {
	new_bundle
	cfg '.linux.namespaces = [.linux.namespaces[] | select(.type != "network")] |
	     .linux.sysctl = {"net.ipv4.ip_forward": "1"}'
	capture oci run --bundle "$BUNDLE" "$(new_id)"
	assert_error_text "config.json: linux.sysctl.net.ipv4.ip_forward: needs a net namespace"
}

testLinuxDevices() {
	new_bundle
	cfg '.linux.devices = [
		{"path": "/dev/mynull", "type": "c", "major": 1, "minor": 3,
		 "fileMode": 384},
		{"path": "/dev/sub/zero", "type": "c", "major": 1, "minor": 5,
		 "uid": 7, "gid": 8},
		{"path": "/dev/pipe", "type": "p"}]'
	run_sh 'stat -c "%n %A %u %g %t %T" /dev/mynull /dev/sub/zero /dev/pipe; echo x > /dev/mynull && echo written'
	assert_ok
	assert_out "/dev/mynull crw------- 0 0 1 3
/dev/sub/zero crw-rw-rw- 7 8 1 5
/dev/pipe prw-rw-rw- 0 0 0 0
written"
}

testPersonalityLinux32() {
	[ "$(uname -m)" = x86_64 ] || { skip "LINUX32 is checked on x86_64"; return 0; }
	[ "$IMPL" = runc ] && [ "$(runc --version | awk 'NR == 1 { print $3 }' | cut -c1-3)" = 1.1 ] &&
		{ skip "runc 1.1 ignores linux.personality"; return 0; }
	new_bundle
	cfg '.linux.personality = {"domain": "LINUX32"}'
	run_sh 'uname -m'
	assert_ok
	assert_out i686
}
