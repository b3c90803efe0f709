# tests/oci-run/seccomp.sh - linux.seccomp (runtime-spec config-linux.md
# "Seccomp"): what the filter does to the container's busybox, checked
# against the same commands without it, and podman's default profile from
# /usr/share/containers/seccomp.json turned into OCI form as podman does.

# sc_profile JSON: set linux.seccomp.
sc_profile() {
	cfg ".linux.seccomp = $1"
}

# sc_run SCRIPT: run SCRIPT in sh in $BUNDLE; rc/out/err.
sc_run() {
	cfg_sh "$1"
	capture oci run --bundle "$BUNDLE" "$(new_id)"
}

# The containers/podman profile in OCI form for this machine: the entries
# whose includes (every cap, the arch) hold and whose excludes (any cap,
# the arch) do not, for the caps of the config's bounding set, as podman's
# seccomp.go does.  Prints it; fails when the file or the arch is missing.
SC_PODMAN=/usr/share/containers/seccomp.json
sc_podman() {
	local arch caps
	case $(uname -m) in
	x86_64) arch=amd64 ;;
	aarch64) arch=arm64 ;;
	*) return 1 ;;
	esac
	[ -r "$SC_PODMAN" ] || return 1
	caps=$(jq -c '.process.capabilities.bounding // []' "$BUNDLE/config.json")
	jq -c --arg arch "$arch" --argjson caps "$caps" '
	def has($l; $x): $l | index($x) != null;
	.archMap as $m |
	({amd64: "SCMP_ARCH_X86_64", arm64: "SCMP_ARCH_AARCH64"})[$arch] as $a |
	{defaultAction, defaultErrnoRet,
	 architectures: [$m[] | select(.architecture == $a) |
			 .architecture, .subArchitectures[]],
	 syscalls: [.syscalls[] |
		select((.includes.arches // []) as $l |
		       $l == [] or has($l; $arch)) |
		select((.excludes.arches // []) as $l | has($l; $arch) | not) |
		select(all((.includes.caps // [])[]; has($caps; .))) |
		select(any((.excludes.caps // [])[]; has($caps; .)) | not) |
		{names, action, args: (.args // [])} +
		(if .errnoRet then {errnoRet} else {} end)]}' "$SC_PODMAN"
}

testSeccompErrnoRetBlocksSyscall() {
	new_bundle
	sc_run 'mkdir /dev/shm/a && echo made'
	assert_ok "without a filter"
	assert_out "made" "without a filter"
	sc_profile '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
		{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO",
		 "errnoRet": 28}]}'
	sc_run 'mkdir /dev/shm/a; echo rc=$?; [ -e /dev/shm/a ] || echo absent'
	assert_ok
	assert_out "rc=1
absent"
	assertEquals "stderr" \
		"mkdir: can't create directory '/dev/shm/a': No space left on device" \
		"$err"
}

# runc: SCMP_ACT_ERRNO without errnoRet is EPERM; names libseccomp does not
# know are skipped, not refused.
testSeccompErrnoDefaultsToEperm() {
	new_bundle
	sc_profile '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
		{"names": ["nosuchsyscall", "mkdir", "mkdirat"],
		 "action": "SCMP_ACT_ERRNO"}]}'
	sc_run 'mkdir /dev/shm/a; echo rc=$?'
	assert_ok
	assert_out "rc=1"
	assertEquals "stderr" \
		"mkdir: can't create directory '/dev/shm/a': Operation not permitted" \
		"$err"
}

# Conditions on arguments: chmod(2) mode is argument 1, fchmodat(2)'s 2.
testSeccompArgEqualBlocksOneValue() {
	new_bundle
	sc_profile '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
		{"names": ["chmod"], "action": "SCMP_ACT_ERRNO",
		 "args": [{"index": 1, "value": 511, "op": "SCMP_CMP_EQ"}]},
		{"names": ["fchmodat"], "action": "SCMP_ACT_ERRNO",
		 "args": [{"index": 2, "value": 511, "op": "SCMP_CMP_EQ"}]}]}'
	sc_run 'f=/dev/shm/f; : > $f; chmod 750 $f && stat -c %a $f
		chmod 777 $f; echo rc=$?; stat -c %a $f'
	assert_ok
	assert_out "750
rc=1
750"
	assertEquals "stderr" "chmod: /dev/shm/f: Operation not permitted" "$err"
}

# SCMP_CMP_MASKED_EQ: value is the mask, valueTwo what the masked argument
# must equal: here, any mode that gives others write permission.
testSeccompArgMaskedEqual() {
	new_bundle
	sc_profile '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
		{"names": ["chmod"], "action": "SCMP_ACT_ERRNO", "errnoRet": 13,
		 "args": [{"index": 1, "value": 2, "valueTwo": 2,
			   "op": "SCMP_CMP_MASKED_EQ"}]},
		{"names": ["fchmodat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 13,
		 "args": [{"index": 2, "value": 2, "valueTwo": 2,
			   "op": "SCMP_CMP_MASKED_EQ"}]}]}'
	sc_run 'f=/dev/shm/f; : > $f; chmod 705 $f; chmod 664 $f
		chmod 712 $f; echo rc=$?; stat -c %a $f'
	assert_ok
	assert_out "rc=1
664"
	assertEquals "stderr" "chmod: /dev/shm/f: Permission denied" "$err"
}

# Two conditions on the same argument: runc adds one rule each, so either
# matching is enough.
testSeccompSameArgTwiceIsEitherMatching() {
	new_bundle
	sc_profile '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
		{"names": ["chmod"], "action": "SCMP_ACT_ERRNO",
		 "args": [{"index": 1, "value": 448, "op": "SCMP_CMP_EQ"},
			  {"index": 1, "value": 511, "op": "SCMP_CMP_EQ"}]},
		{"names": ["fchmodat"], "action": "SCMP_ACT_ERRNO",
		 "args": [{"index": 2, "value": 448, "op": "SCMP_CMP_EQ"},
			  {"index": 2, "value": 511, "op": "SCMP_CMP_EQ"}]}]}'
	sc_run 'f=/dev/shm/f; : > $f; chmod 700 $f; echo $?; chmod 777 $f
		echo $?; chmod 640 $f; echo $?; stat -c %a $f'
	assert_ok
	assert_out "1
1
0
640"
}

# busybox sh runs applets in its own process: a subshell takes the kill.
# (uname(2) would kill every process: static glibc calls it at startup.)
testSeccompKillKills() {
	new_bundle
	sc_run '(mkdir /dev/shm/a); echo rc=$?'
	assert_ok "without a filter"
	assert_out "rc=0" "without a filter"
	sc_profile '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
		{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_KILL"}]}'
	sc_run '(mkdir /dev/shm/a); echo rc=$?; [ -e /dev/shm/a ] || echo absent'
	assert_ok
	# 128 + SIGSYS
	assert_out "rc=159
absent"
}

# defaultAction and defaultErrnoRet: every syscall the rules do not name.
testSeccompDefaultErrnoRet() {
	local prof
	new_bundle
	prof=$(sc_podman) || { skip "no $SC_PODMAN for $(uname -m)"; return 0; }
	sc_profile "$(echo "$prof" | jq -c '.defaultErrnoRet = 18 |
		.syscalls |= map(.names -= ["mkdir", "mkdirat"])')"
	sc_run 'mkdir /dev/shm/a; echo rc=$?'
	assert_ok
	assert_out "rc=1"
	assertEquals "stderr" \
		"mkdir: can't create directory '/dev/shm/a': Invalid cross-device link" \
		"$err"
}

# podman's default profile: an ordinary program runs; swapoff is refused by
# the filter even to a process holding CAP_SYS_ADMIN, where without it the
# kernel goes on to look the file up.  (This containers-common allows
# unshare, mount and keyctl to all, leaving them to the capabilities.)
testSeccompPodmanDefaultProfile() {
	local prof
	new_bundle
	cfg '.process.capabilities.bounding += ["CAP_SYS_ADMIN"] |
	     .process.capabilities.effective += ["CAP_SYS_ADMIN"] |
	     .process.capabilities.permitted += ["CAP_SYS_ADMIN"]'
	sc_run 'swapoff /nosuchfile; echo rc=$?'
	assert_ok "without a filter"
	assert_out "rc=1" "without a filter"
	assertEquals "stderr without a filter" \
		"swapoff: /nosuchfile: No such file or directory" "$err"
	prof=$(sc_podman) || { skip "no $SC_PODMAN for $(uname -m)"; return 0; }
	sc_profile "$prof"
	sc_run 'echo hi; ls -d /bin; uname -s; mkdir /dev/shm/d && echo made
		swapoff /nosuchfile; echo rc=$?'
	assert_ok
	assert_out "hi
/bin
Linux
made
rc=1"
	assertEquals "stderr" "swapoff: /nosuchfile: Operation not permitted" \
		"$err"
}

# Without noNewPrivileges the filter goes in while the init still holds
# CAP_SYS_ADMIN, before it drops it.
testSeccompWithoutNoNewPrivileges() {
	new_bundle
	cfg '.process.noNewPrivileges = false'
	sc_profile '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
		{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO",
		 "errnoRet": 28}]}'
	sc_run 'grep NoNewPrivs /proc/self/status; mkdir /dev/shm/a; echo rc=$?'
	assert_ok
	assert_out "NoNewPrivs:	0
rc=1"
	assertEquals "stderr" \
		"mkdir: can't create directory '/dev/shm/a': No space left on device" \
		"$err"
}

testSeccompFlagsAccepted() {
	new_bundle
	[ "$IMPL" = runc ] && runc --version | grep -q '^runc version 1\.1\.' &&
		{ skip "runc 1.1 takes no linux.seccomp.flags"; return 0; }
	sc_profile '{"defaultAction": "SCMP_ACT_ALLOW",
		"flags": ["SECCOMP_FILTER_FLAG_TSYNC", "SECCOMP_FILTER_FLAG_LOG",
			  "SECCOMP_FILTER_FLAG_SPEC_ALLOW"],
		"syscalls": [{"names": ["mkdir", "mkdirat"],
			      "action": "SCMP_ACT_ERRNO"}]}'
	sc_run 'mkdir /dev/shm/a; echo rc=$?'
	assert_ok
	assert_out "rc=1"
}

testSeccompBadActionFailsCreate() {
	local id
	new_bundle
	cfg_args sleep 1000
	sc_profile '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
		{"names": ["mkdir"], "action": "SCMP_ACT_ERRNO"},
		{"names": ["chmod"], "action": "SCMP_ACT_FOO"}]}'
	leftover_snapshot
	id=$(new_id)
	OCIBOX_TEST_TOKEN=$token capture oci create --bundle "$BUNDLE" "$id"
	assert_error_text "config.json: linux.seccomp.syscalls[1].action: SCMP_ACT_FOO: unknown action"
	leftover_check "$id"
}

testSeccompBadArchFailsCreate() {
	local id
	new_bundle
	cfg_args sleep 1000
	sc_profile '{"defaultAction": "SCMP_ACT_ALLOW",
		"architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_VAX"]}'
	leftover_snapshot
	id=$(new_id)
	OCIBOX_TEST_TOKEN=$token capture oci create --bundle "$BUNDLE" "$id"
	assert_error_text "config.json: linux.seccomp.architectures[1]: SCMP_ARCH_VAX: unknown architecture"
	leftover_check "$id"
}
