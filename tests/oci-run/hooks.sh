# tests/oci-run/hooks.sh - lifecycle hooks (config.md "POSIX-platform
# Hooks", runtime.md "Lifecycle"): when each runs, in which namespaces,
# with what on stdin, args, env and timeout, and what a failure does.

# hook_script NAME: $T/NAME, a hook that logs "NAME STATUS PID MNTNS" to
# $T/hooks.log (the state JSON on stdin gives status and pid).
hook_script() {
	cat > "$T/$1" <<EOF
#!/bin/sh
state=\$(cat)
echo "$1 \$(echo "\$state" | jq -r '.status + " " + (.pid | tostring) + " " + .id') \$(readlink /proc/self/ns/mnt)" >> "$T/hooks.log"
EOF
	chmod +x "$T/$1"
}

# add_hook KIND PATH [JQ-OBJECT-EXTRAS]
add_hook() {
	cfg ".hooks.$1 += [{\"path\": \$p} + (${3:-{\}})]" --arg p "$2"
}

testHooksRunInOrderWithState() {
	local id pid k mnt
	sleeper
	for k in prestart createRuntime createContainer poststart poststop; do
		hook_script "$k"
		add_hook "$k" "$T/$k"
	done
	# startContainer resolves in the container: a script in its rootfs
	# that writes where the test can read (a bind of $T/shared).
	mkdir -p "$T/shared"
	cat > "$BUNDLE/rootfs/start-hook" <<'EOF'
#!/bin/sh
read -r state
echo "startContainer $(echo "$state" | grep -o '"status":"[a-z]*"')" >> /shared/hooks.log
EOF
	chmod +x "$BUNDLE/rootfs/start-hook"
	cfg '.mounts += [{"destination": "/shared", "type": "bind", "source": $s, "options": ["rbind"]}]' \
		--arg s "$T/shared"
	add_hook startContainer /start-hook
	id=$(new_id)
	create_ok "$id"
	pid=$(state_field "$id" pid)
	mnt=$(readlink /proc/self/ns/mnt)
	assertEquals "after create" "prestart creating $pid $id $mnt
createRuntime creating $pid $id $mnt" "$(sed -n 1,2p "$T/hooks.log")"
	# runc 1.1 gives createContainer the pid inside the container (1)
	# and runs poststart in create, both against runtime.md.
	if is_ocibox; then
		assertEquals "createContainer" "createContainer creating $pid $id $(readlink "/proc/$pid/ns/mnt")" \
			"$(sed -n '3,$p' "$T/hooks.log")"
	fi
	assertEquals "createContainer's mount namespace is the container's" \
		"$(readlink "/proc/$pid/ns/mnt")" "$(awk '$1 == "createContainer" { print $5 }' "$T/hooks.log")"
	assertNotEquals "createContainer runs in the container's mount namespace" \
		"$mnt" "$(readlink "/proc/$pid/ns/mnt")"
	: > "$T/hooks.log"
	start_ok "$id"
	if is_ocibox; then
		assertEquals "poststart after start" \
			"poststart running $pid $id $mnt" "$(cat "$T/hooks.log")"
	fi
	wait_for 10 test -s "$T/shared/hooks.log"
	assertEquals "startContainer in the container" \
		'startContainer "status":"created"' "$(cat "$T/shared/hooks.log")"
	: > "$T/hooks.log"
	capture oci kill "$id" KILL
	wait_status "$id" stopped
	capture oci delete "$id"
	assert_ok "delete"
	# runc leaves pid out; 0 is what `state` says of a stopped one.
	assertEquals "poststop after delete" "poststop stopped $id $mnt" \
		"$(awk '{ print $1, $2, $4, $5 }' "$T/hooks.log")"
	if is_ocibox; then
		assertEquals "poststop pid" 0 "$(awk '{ print $3 }' "$T/hooks.log")"
	fi
}

testHookArgsAndEnvAreExact() {
	local id
	new_bundle
	cfg_sh 'exit 0'
	cat > "$T/h" <<EOF
#!/bin/sh
{ printf '%s|' "\$0" "\$@"; echo; env | sort; } > "$T/out.hook"
EOF
	chmod +x "$T/h"
	add_hook createRuntime "$T/h" '{"args": ["name0", "a b", "c"], "env": ["A=1", "B=two words"]}'
	id=$(new_id)
	capture oci run --bundle "$BUNDLE" "$id"
	assert_ok
	assertEquals "argv and env" "$T/h|a b|c|
A=1
B=two words
PWD=$BUNDLE" "$(sed '/^SHLVL=/d; /^_=/d' "$T/out.hook")"
}

testFailingCreateRuntimeHookCleansUp() {
	local id
	sleeper
	printf '#!/bin/sh\necho "no network for you" >&2\nexit 3\n' > "$T/bad"
	chmod +x "$T/bad"
	add_hook createRuntime "$T/bad"
	leftover_snapshot
	id=$(new_id)
	capture oci create --bundle "$BUNDLE" "$id"
	assert_fails "a failing createRuntime hook"
	if is_ocibox; then
		assertEquals "error" "oci-run: create $id: createRuntime hook #0 $T/bad: exit status 3: no network for you" "$err"
	fi
	leftover_check "$id"
}

testFailingCreateContainerHookCleansUp() {
	local id
	sleeper
	add_hook createContainer /bin/false
	leftover_snapshot
	id=$(new_id)
	capture oci create --bundle "$BUNDLE" "$id"
	assert_fails "a failing createContainer hook"
	if is_ocibox; then
		assertEquals "error" "oci-run: create $id: createContainer hook #0 /bin/false: exit status 1" "$err"
	fi
	leftover_check "$id"
}

testHookTimeout() {
	local id
	sleeper
	add_hook prestart /bin/sleep '{"args": ["sleep", "30"], "timeout": 1}'
	leftover_snapshot
	id=$(new_id)
	capture oci create --bundle "$BUNDLE" "$id"
	assert_fails "a hook past its timeout"
	if is_ocibox; then
		assertEquals "error" "oci-run: create $id: prestart hook #0 /bin/sleep: timed out after 1 s" "$err"
	fi
	leftover_check "$id"
}

# runtime.md: a failing poststop hook is a warning; delete goes on.
testFailingPoststopHookOnlyWarns() {
	local id
	stopped "$(new_id)"
	id=$(tail -n 1 "$T/ids")
	capture oci delete "$id"
	assert_ok "delete without hooks"
	new_bundle
	cfg_sh 'exit 0'
	add_hook poststop /bin/false
	id=$(new_id)
	create_ok "$id"
	start_ok "$id"
	wait_status "$id" stopped
	capture oci delete "$id"
	assert_ok "delete with a failing poststop hook"
	if is_ocibox; then
		assertEquals "warning" "oci-run: warning: delete $id: poststop hook #0 /bin/false: exit status 1" "$err"
	fi
	capture oci state "$id"
	assert_error "container does not exist" "state after delete"
}

testRunRunsPoststartAndPoststop() {
	local id
	new_bundle
	cfg_sh 'echo hi'
	hook_script poststart
	hook_script poststop
	add_hook poststart "$T/poststart"
	add_hook poststop "$T/poststop"
	id=$(new_id)
	capture oci run --bundle "$BUNDLE" "$id"
	assert_ok
	assert_out hi
	assertEquals "hooks" "poststart poststop stopped" \
		"$(awk '{ print $1 }' "$T/hooks.log" | tr '\n' ' ')$(awk 'NR == 2 { print $2 }' "$T/hooks.log")"
	if is_ocibox; then
		assertEquals "poststart status" running \
			"$(awk 'NR == 1 { print $2 }' "$T/hooks.log")"
	fi
}
