# tests/oci-run/userns.sh - user namespaces (config-linux.md "User
# namespace mappings") and rootless use: `spec --rootless` run by an
# unprivileged user, really (setpriv), with and without newuidmap.

# An unprivileged uid and gid with no passwd entry.
ROOTLESS_ID=4321

# as_user CMD...: CMD as ROOTLESS_ID with its own XDG_RUNTIME_DIR ($T/xdg).
as_user() {
	mkdir -p "$T/xdg"
	chown "$ROOTLESS_ID:$ROOTLESS_ID" "$T/xdg"
	chmod 0700 "$T/xdg"
	env XDG_RUNTIME_DIR="$T/xdg" HOME="$T/xdg" \
		setpriv --reuid "$ROOTLESS_ID" --regid "$ROOTLESS_ID" \
		--clear-groups "$@"
}

# newuidmap wants the caller to have a name: give it one, in this suite's
# own mount namespace (tests/run), never the host's /etc.
name_user() {
	{ cat /etc/passwd; echo "ocibox-test:x:$ROOTLESS_ID:$ROOTLESS_ID::/nonexistent:/bin/false"; } > "$T/passwd"
	mount --bind "$T/passwd" /etc/passwd
	defer umount /etc/passwd
}

# The runtime as the user, with its default root.
oci_user() {
	as_user timeout -k 5 "$OCI_TIMEOUT" "${OCI[@]}" "$@"
}

# A bundle the user owns, with the config `spec --rootless` writes.
rootless_bundle() {
	require_cmd setpriv || return 1
	BUNDLE=$T/rb
	lib_base_bundle || return 1
	mkdir -p "$BUNDLE"
	cp -a "$TEST_TMP/base/rootfs" "$BUNDLE/rootfs"
	chown "$ROOTLESS_ID:$ROOTLESS_ID" "$BUNDLE"
	(cd "$BUNDLE" && as_user "${OCI[@]}" spec --rootless) ||
		{ fail "spec --rootless as uid $ROOTLESS_ID"; return 1; }
	cfg '.process.terminal = false'
}

# Delete, as the user, what a rootless test made.
defer_user_delete() {
	defer env XDG_RUNTIME_DIR="$T/xdg" setpriv --reuid "$ROOTLESS_ID" \
		--regid "$ROOTLESS_ID" --clear-groups "${OCI[@]}" delete \
		--force "$1"
}

testSpecRootlessMapsCallersIds() {
	rootless_bundle || return 0
	assertEquals "a user namespace, last" user \
		"$(jq -r '.linux.namespaces[-1].type' "$BUNDLE/config.json")"
	assertEquals "no network namespace" "" \
		"$(jq -r '.linux.namespaces[] | select(.type == "network")' "$BUNDLE/config.json")"
	assertEquals "uidMappings" "0 $ROOTLESS_ID 1" \
		"$(jq -r '.linux.uidMappings[] | "\(.containerID) \(.hostID) \(.size)"' "$BUNDLE/config.json")"
	assertEquals "gidMappings" "0 $ROOTLESS_ID 1" \
		"$(jq -r '.linux.gidMappings[] | "\(.containerID) \(.hostID) \(.size)"' "$BUNDLE/config.json")"
	assertEquals "/sys is bound from the host" "none /sys rbind" \
		"$(jq -r '.mounts[] | select(.destination == "/sys") | "\(.type) \(.source) \(.options[0])"' "$BUNDLE/config.json")"
	assertEquals "no linux.resources" null \
		"$(jq -c .linux.resources "$BUNDLE/config.json")"
	assertEquals "no uid=/gid= options" "" \
		"$(jq -r '.mounts[].options // [] | .[] | select(startswith("gid=") or startswith("uid="))' "$BUNDLE/config.json")"
}

testRootlessRunAsUnprivilegedUser() {
	local id
	rootless_bundle || return 0
	cfg_sh 'id; cat /proc/self/uid_map /proc/self/gid_map; cat /proc/self/setgroups; hostname; ls /sys/kernel >/dev/null && echo sys'
	id=$(new_id)
	defer_user_delete "$id"
	capture oci_user run --bundle "$BUNDLE" "$id"
	assert_ok "rootless run"
	assertEquals "output" "uid=0(root) gid=0(root)
         0       $ROOTLESS_ID          1
         0       $ROOTLESS_ID          1
deny
$(jq -r .hostname "$BUNDLE/config.json")
sys" "$out"
}

# runc's default root for an unprivileged caller, under XDG_RUNTIME_DIR.
testRootlessStateUnderXdgRuntimeDir() {
	local id pid uid
	rootless_bundle || return 0
	cfg_args sleep 1000
	id=$(new_id)
	defer_user_delete "$id"
	capture oci_user create --bundle "$BUNDLE" "$id"
	assert_ok "create"
	if is_ocibox; then
		assertTrue "state in \$XDG_RUNTIME_DIR/ocibox/$id" \
			"[ -f '$T/xdg/ocibox/$id/state.json' ]"
	fi
	capture oci_user state "$id"
	assert_ok "state"
	assertEquals "status" created "$(jq -r .status "$T/out")"
	pid=$(jq -r .pid "$T/out")
	uid=$(awk '/^Uid:/ { print $2 }' "/proc/$pid/status")
	assertEquals "the init runs as the user on the host" "$ROOTLESS_ID" "$uid"
	capture oci_user start "$id"
	assert_ok "start"
	capture oci_user kill "$id" KILL
	assert_ok "kill"
	wait_for 20 eval '! pid_alive '"$pid" || fail "init $pid still alive"
	capture oci_user delete "$id"
	assert_ok "delete"
	capture oci_user state "$id"
	assert_error "container does not exist" "state after delete"
}

testRootlessLargerMapNeedsNewuidmap() {
	local id
	require_ocibox "our error text" || return 0
	rootless_bundle || return 0
	cfg '.linux.uidMappings = [{"containerID": 0, "hostID": 200000, "size": 1000}]'
	id=$(new_id)
	defer_user_delete "$id"
	# No /etc/subuid range for this user: newuidmap refuses.
	name_user
	echo "nobody-else:300000:65536" > "$T/subuid"
	mount --bind "$T/subuid" /etc/subuid
	defer umount /etc/subuid
	capture oci_user run --bundle "$BUNDLE" "$id"
	assert_error "newuidmap" "a map beyond the caller's id"
	assert_contains "names /etc/subuid" "$err" "/etc/subuid"
}

# With /etc/subuid and /etc/subgid ranges, newuidmap/newgidmap map them.
testRootlessSubuidRanges() {
	local id
	require_cmd newuidmap newgidmap || return 0
	rootless_bundle || return 0
	# Bound over the real files in this suite's own mount namespace.
	name_user
	echo "$ROOTLESS_ID:300000:65536" > "$T/subuid"
	echo "$ROOTLESS_ID:300000:65536" > "$T/subgid"
	mount --bind "$T/subuid" /etc/subuid
	defer umount /etc/subuid
	mount --bind "$T/subgid" /etc/subgid
	defer umount /etc/subgid
	cfg '.linux.uidMappings = [{"containerID": 0, "hostID": '"$ROOTLESS_ID"', "size": 1},
		{"containerID": 1, "hostID": 300000, "size": 65536}] |
	     .linux.gidMappings = .linux.uidMappings |
	     .process.user = {"uid": 1000, "gid": 1000}'
	cfg_sh 'id -u; id -g; cat /proc/self/uid_map'
	id=$(new_id)
	defer_user_delete "$id"
	capture oci_user run --bundle "$BUNDLE" "$id"
	assert_ok "run with subuid ranges"
	assertEquals "output" "1000
1000
         0       $ROOTLESS_ID          1
         1     300000      65536" "$out"
}

# Root may map any range; the process's ids on the host are the mapped ones.
testUidMappingsAsRoot() {
	local id pid
	sleeper
	cfg '.linux.namespaces += [{"type": "user"}] |
	     .linux.uidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}] |
	     .linux.gidMappings = [{"containerID": 0, "hostID": 200000, "size": 65536}] |
	     .process.user = {"uid": 10, "gid": 20}'
	id=$(new_id)
	create_ok "$id"
	pid=$(state_field "$id" pid)
	assertEquals "host uid of uid 10" "100010" \
		"$(awk '/^Uid:/ { print $2 }' "/proc/$pid/status")"
	assertEquals "host gid of gid 20" "200020" \
		"$(awk '/^Gid:/ { print $2 }' "/proc/$pid/status")"
	assertEquals "uid_map" "         0     100000      65536" \
		"$(cat "/proc/$pid/uid_map")"
	assertNotEquals "a user namespace of its own" \
		"$(readlink /proc/self/ns/user)" "$(readlink "/proc/$pid/ns/user")"
}

testUserNamespaceWithoutMappingsRefused() {
	local id
	new_bundle
	cfg '.linux.namespaces += [{"type": "user"}]'
	leftover_snapshot
	id=$(new_id)
	capture oci run --bundle "$BUNDLE" "$id"
	assert_error_text "config.json: linux.uidMappings: missing: a new user namespace needs them"
	leftover_check "$id"
}

# Joined by path: the new namespaces belong to the joined user namespace.
testJoinUserNamespaceByPath() {
	local a b pida out1
	sleeper "$T/a"
	cfg '.linux.namespaces += [{"type": "user"}] |
	     .linux.uidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}] |
	     .linux.gidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]'
	a=$(new_id)
	create_ok "$a"
	pida=$(state_field "$a" pid)
	new_bundle "$T/b"
	cfg '.linux.namespaces += [{"type": "user", "path": $p}] |
	     .linux.uidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}] |
	     .linux.gidMappings = .linux.uidMappings' \
		--arg p "/proc/$pida/ns/user"
	cfg_sh 'readlink /proc/self/ns/user; cat /proc/self/uid_map; echo $$; hostname'
	b=$(new_id)
	capture oci run --bundle "$BUNDLE" "$b"
	assert_ok "run in a joined user namespace"
	out1=$(readlink "/proc/$pida/ns/user")
	assertEquals "output" "$out1
         0     100000      65536
1
$(jq -r .hostname "$BUNDLE/config.json")" "$out"
}

# A network namespace joined by path, with a new user namespace.
testJoinNetnsWithNewUserNamespace() {
	local a b pida
	sleeper "$T/a"
	a=$(new_id)
	create_ok "$a"
	pida=$(state_field "$a" pid)
	new_bundle "$T/b"
	cfg '.linux.namespaces = [.linux.namespaces[] | select(.type != "network")] +
		[{"type": "network", "path": $p}, {"type": "user"}] |
	     .linux.uidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}] |
	     .linux.gidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}] |
	     .mounts = [.mounts[] | select(.destination | startswith("/sys") | not)]' \
		--arg p "/proc/$pida/ns/net"
	cfg_sh 'readlink /proc/self/ns/net; cat /proc/self/uid_map; echo $$'
	b=$(new_id)
	capture oci run --bundle "$BUNDLE" "$b"
	assert_ok "run"
	assertEquals "output" "$(readlink "/proc/$pida/ns/net")
         0     100000      65536
1" "$out"
}
