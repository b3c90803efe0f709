# tests/oci-run/cgroup.sh - linux.resources and linux.cgroupsPath: the
# container's cgroup as runc's cgroupfs driver makes it, checked from the
# host's cgroup files; update, pause, resume, ps and kill --all; and the
# other host setups (cgroup v2 only, no cgroups at all) in a mount
# namespace whose /sys/fs/cgroup is replaced.
# runtime-spec config-linux.md "Control groups"; runc-update(8),
# runc-pause(8), runc-ps(8).

# The init's cgroup directory of v1 controller CTRL on this host.
cg_dir() {
	local pid=$1 ctrl=$2 path
	path=$(awk -F: -v c="$ctrl" '{ n = split($2, a, ",");
		for (i = 1; i <= n; i++) if (a[i] == c) print $3 }' \
		"/proc/$pid/cgroup")
	[ -n "$path" ] && echo "/sys/fs/cgroup/$ctrl$path"
}

require_v1() {
	[ -d "/sys/fs/cgroup/$1" ] &&
		[ "$(stat -f -c %T "/sys/fs/cgroup/$1")" = cgroupfs ] ||
		{ skip "no cgroup v1 $1 hierarchy on this host"; return 1; }
}

# The container's cgroup directories anywhere under /sys/fs/cgroup.
cg_left() {
	find /sys/fs/cgroup -maxdepth 6 -type d -name "*$1*" 2>/dev/null
}

cg_running() {
	sleeper
	cfg "$1"
	running "$2"
	pid=$(state_field "$2" pid)
}

testCgroupMemoryLimit() {
	require_v1 memory || return
	local id
	id=$(new_id)
	cg_running '.linux.resources = {"memory": {"limit": 67108864}}' "$id"
	assertEquals "memory.limit_in_bytes" 67108864 \
		"$(cat "$(cg_dir "$pid" memory)/memory.limit_in_bytes")"
}

testCgroupPidsLimitContainsForkBomb() {
	require_v1 pids || return
	new_bundle
	cfg '.linux.resources = {"pids": {"limit": 4}}'
	run_sh 'i=0; while [ $i -lt 10 ]; do sleep 100 & i=$((i+1)); done'
	assert_contains "fork refused" "$err" "Resource temporarily unavailable"
}

testCgroupCpuSharesQuota() {
	require_v1 cpu || return
	local id d
	id=$(new_id)
	cg_running '.linux.resources = {"cpu": {"shares": 512,
		"quota": 50000, "period": 100000}}' "$id"
	d=$(cg_dir "$pid" cpu)
	assertEquals "cpu.shares" 512 "$(cat "$d/cpu.shares")"
	assertEquals "cpu.cfs_quota_us" 50000 "$(cat "$d/cpu.cfs_quota_us")"
	assertEquals "cpu.cfs_period_us" 100000 "$(cat "$d/cpu.cfs_period_us")"
}

# /dev/kmsg (c 1:11) is not among runc's default devices.
kmsg_bundle() {
	new_bundle
	cfg '.process.capabilities |= with_entries(.value += ["CAP_MKNOD"])'
	cfg ".linux.resources = {\"devices\": $1}"
}

testCgroupDevicesDenyRefusesOpen() {
	require_v1 devices || return
	kmsg_bundle '[{"allow": false, "access": "rwm"}]'
	run_sh 'mknod /dev/k c 1 11 && true > /dev/k && echo opened'
	assert_rc 1
	assert_out ""
	assert_contains "open refused" "$err" "Operation not permitted"
	kmsg_bundle '[{"allow": false, "access": "rwm"},
		{"allow": true, "type": "c", "major": 1, "minor": 11,
		 "access": "w"}]'
	run_sh 'mknod /dev/k c 1 11 && true > /dev/k && echo opened'
	assert_ok
	assert_out opened
	# runc's defaults stay allowed after a deny-all.
	kmsg_bundle '[{"allow": false, "access": "rwm"}]'
	run_sh 'echo x > /dev/null && echo null-ok'
	assert_out null-ok
}

testCgroupsPathAbsolute() {
	require_v1 memory || return
	local id
	id=$(new_id)
	cg_running ".linux.cgroupsPath = \"/ocibox-abs-$id\"" "$id"
	assertEquals "memory cgroup" "/sys/fs/cgroup/memory/ocibox-abs-$id" \
		"$(cg_dir "$pid" memory)"
	assertEquals "pids cgroup" "/sys/fs/cgroup/pids/ocibox-abs-$id" \
		"$(cg_dir "$pid" pids)"
	capture oci delete --force "$id"
	assert_ok
	assertEquals "cgroups after delete" "" "$(cg_left "ocibox-abs-$id")"
}

testCgroupsPathRelativeIsBelowOwnCgroup() {
	require_v1 memory || return
	local id own
	id=$(new_id)
	own=$(cg_dir $$ memory)
	cg_running ".linux.cgroupsPath = \"rel-$id/../rel-$id\"" "$id"
	assertEquals "memory cgroup" "${own%/}/rel-$id" \
		"$(cg_dir "$pid" memory)"
	capture oci delete --force "$id"
	assertEquals "cgroups after delete" "" "$(cg_left "rel-$id")"
}

testCgroupDefaultPathIsIdAndDeleteRemovesIt() {
	require_v1 pids || return
	local id
	id=$(new_id)
	cg_running '.' "$id"
	assertEquals "pids cgroup" "$(cg_dir $$ pids | sed 's,/$,,')/$id" \
		"$(cg_dir "$pid" pids)"
	capture oci kill "$id" KILL
	wait_status "$id" stopped || fail "$id never stopped"
	capture oci delete "$id"
	assert_ok
	assertEquals "cgroups after delete" "" "$(cg_left "$id")"
}

# The cgroup namespace is made once the init is in its cgroup, so that
# cgroup is the namespace's root.
testCgroupNamespaceRootIsContainersCgroup() {
	new_bundle
	jq -e '.linux.namespaces | any(.type == "cgroup")' \
		"$BUNDLE/config.json" > /dev/null || cfg '.linux.namespaces += [{"type": "cgroup"}]'
	run_sh 'cut -d: -f3 /proc/self/cgroup | sort -u'
	assert_ok
	assert_out "/"
}

# Inside, /sys/fs/cgroup shows the container's own cgroup, with or without
# a cgroup namespace (without one runc binds it from the host's tree).
testCgroupMountShowsOwnLimits() {
	require_v1 memory || return
	local ns
	for ns in with without; do
		new_bundle "$T/b-$ns"
		cfg '.linux.resources = {"memory": {"limit": 67108864}}'
		if [ $ns = without ]; then
			cfg '.linux.namespaces |= map(select(.type != "cgroup"))'
		fi
		run_sh 'cat /sys/fs/cgroup/memory/memory.limit_in_bytes'
		assert_ok "$ns a cgroup namespace"
		assert_out 67108864 "$ns a cgroup namespace"
	done
}

testCgroupUpdateChangesLiveLimit() {
	require_v1 memory || return
	local id d
	id=$(new_id)
	cg_running '.linux.resources = {"memory": {"limit": 67108864}}' "$id"
	d=$(cg_dir "$pid" memory)
	capture oci update --memory 33554432 "$id"
	assert_ok "update --memory"
	assertEquals "memory.limit_in_bytes" 33554432 \
		"$(cat "$d/memory.limit_in_bytes")"
	echo '{"pids": {"limit": 42}}' > "$T/res.json"
	capture oci update --resources "$T/res.json" "$id"
	assert_ok "update --resources"
	assertEquals "pids.max" 42 "$(cat "$(cg_dir "$pid" pids)/pids.max")"
	echo '{"pids": {"limit": 43}}' > "$T/res.json"
	capture oci update -r - "$id" < "$T/res.json"
	assert_ok "update -r -"
	assertEquals "pids.max from stdin" 43 \
		"$(cat "$(cg_dir "$pid" pids)/pids.max")"
	assertEquals "memory untouched" 33554432 \
		"$(cat "$d/memory.limit_in_bytes")"
}

testCgroupUpdateDevicesKeepsDefaults() {
	require_v1 devices || return
	local id
	id=$(new_id)
	cg_running '.linux.resources = {"devices": [{"allow": false,
		"access": "rwm"}]}' "$id"
	echo '{"devices": [{"allow": false, "access": "rwm"}]}' > "$T/res.json"
	capture oci update -r "$T/res.json" "$id"
	assert_ok
	assert_contains "/dev/null allowed" \
		"$(cat "$(cg_dir "$pid" devices)/devices.list")" "c 1:3 rwm"
}

testCgroupUpdateStoppedContainer() {
	local id
	id=$(new_id)
	stopped "$id"
	capture oci update --pids-limit 10 "$id"
	assert_error "container not running"
}

counter() {
	cat "/proc/$pid/root/dev/shm/n" 2>/dev/null
}

counter_moves() {
	local a
	a=$(counter)
	sleep 0.2
	[ -n "$a" ] && [ "$(counter)" != "$a" ]
}

testCgroupPauseResume() {
	require_v1 freezer || return
	local id a
	id=$(new_id)
	new_bundle
	cfg_sh 'i=0; while :; do i=$((i+1)); echo $i > /dev/shm/n; done'
	running "$id"
	pid=$(state_field "$id" pid)
	wait_for 10 counter_moves || fail "the counter never ran"
	capture oci pause "$id"
	assert_ok "pause"
	assert_no_err "pause"
	assertEquals "status" paused "$(state_field "$id" status)"
	a=$(counter)
	sleep 0.3
	assertEquals "a paused process does not count" "$a" "$(counter)"
	capture oci pause "$id"
	assert_error "container not running" "pause twice"
	capture oci resume "$id"
	assert_ok "resume"
	assertEquals "status" running "$(state_field "$id" status)"
	wait_for 10 counter_moves || fail "the counter did not go on"
	capture oci resume "$id"
	assert_error "container not paused" "resume twice"
	capture oci delete --force "$id"
	assert_ok
}

testCgroupPs() {
	local id
	id=$(new_id)
	sleeper
	running "$id"
	pid=$(state_field "$id" pid)
	capture oci ps --format json "$id"
	assert_ok
	assert_out "[$pid]"
	capture oci ps "$id"
	assert_ok
	assertEquals "rows" 2 "$(printf '%s\n' "$out" | wc -l)"
	assertEquals "pid column" "$pid" \
		"$(printf '%s\n' "$out" | awk 'NR == 2 { print $2 }')"
	assert_contains "header" "$out" "PID"
	capture oci ps "$id" -- -o pid=
	assert_fails "no PID header"
}

testCgroupKillAllKillsEveryProcess() {
	local id pids p
	id=$(new_id)
	new_bundle
	cfg_sh 'sleep 1000 & sleep 1001 & wait'
	running "$id"
	wait_for 10 eval '[ "$(oci ps -f json '"$id"' | tr , "\n" | wc -l)" = 3 ]' ||
		fail "the sleeps never started"
	pids=$(oci ps -f json "$id" | tr -d '[]' | tr , ' ')
	capture oci kill --all "$id" KILL
	assert_ok
	wait_status "$id" stopped || fail "$id never stopped"
	for p in $pids; do
		wait_for 10 eval "! pid_alive $p" || fail "pid $p survived"
	done
}

testCgroupUnappliableResourceLeavesNothing() {
	require_v1 cpuset || return
	local id
	new_bundle
	cfg '.linux.resources = {"cpu": {"cpus": "4095"}}'
	leftover_snapshot
	id=$(new_id)
	OCIBOX_TEST_TOKEN=$token capture oci run --bundle "$BUNDLE" "$id"
	assert_error_text "cgroup cpuset: write cpuset.cpus: "
	leftover_check "$id"
	assertEquals "cgroups left" "" "$(cg_left "$id")"
}

# runc ignores a controller the host lacks; ocibox names it.
testCgroupMissingControllerNamed() {
	require_ocibox || return 0
	local id
	new_bundle
	cfg '.linux.resources = {"rdma": {"mlx4_0": {"hcaHandles": 2}}}'
	leftover_snapshot
	id=$(new_id)
	capture oci run --bundle "$BUNDLE" "$id"
	assert_error "linux.resources.rdma: no rdma cgroup controller on this host"
	leftover_check "$id"
}

# The cgroup2 hierarchy of this host (hybrid: the unified mount).
unified_mnt() {
	local d
	for d in /sys/fs/cgroup /sys/fs/cgroup/unified; do
		[ "$(stat -f -c %T "$d" 2>/dev/null)" = cgroup2fs ] &&
			{ echo "$d"; return 0; }
	done
	return 1
}

# The runtime in a mount namespace whose /sys/fs/cgroup is SETUP: "v2", a
# cgroup2 mount whose root is a fresh cgroup of this host's (entered with
# a cgroup namespace, so what the runtime enables there stays there), or
# "none", an empty tmpfs.
in_cgroup_view() {
	local setup=$1 base view=
	shift
	if [ "$setup" = v2 ]; then
		base=$(unified_mnt) || { echo "no cgroup2 here" >&2; return 98; }
		view=$base/ocibox-view-$$-$RANDOM
		mkdir "$view" || return 98
	fi
	sh -c '
		s=$1 v=$2
		shift 2
		if [ -n "$v" ]; then
			echo $$ > "$v/cgroup.procs" || exit 99
		fi
		exec unshare --mount --cgroup --propagation private sh -c "
			case \$1 in
			v2) umount -R /sys/fs/cgroup 2>/dev/null
			    mount -t cgroup2 cgroup2 /sys/fs/cgroup ;;
			none) mount -t tmpfs -o size=16k tmpfs /sys/fs/cgroup ;;
			esac || exit 99
			shift
			exec \"\$@\"" sh "$s" "$@"' sh "$setup" "$view" "$@"
	local ret=$?
	[ -z "$view" ] || rmdir "$view" ||
		fail "view cgroup $view left behind"
	return $ret
}

require_unified() {
	require_cmd unshare || return 1
	unified_mnt > /dev/null || { skip "no cgroup2 hierarchy"; return 1; }
}

view_bundle() {
	new_bundle
	# The container's own /sys/fs/cgroup would be the view's too.
	cfg 'del(.mounts[] | select(.destination == "/sys/fs/cgroup"))'
}

testCgroupV2OnlyHostRunsPlainConfig() {
	require_unified || return
	local id
	view_bundle
	cfg_sh 'echo hi'
	id=$(new_id)
	capture in_cgroup_view v2 timeout 30 "${OCI[@]}" --root "$ROOT" run \
		--bundle "$BUNDLE" "$id"
	assert_ok
	assert_out hi
	assertEquals "cgroups left" "" "$(cg_left "$id")"
}

testCgroupV2OnlyHostDeviceFilter() {
	require_unified || return
	local id
	view_bundle
	cfg '.process.capabilities |= with_entries(.value += ["CAP_MKNOD"])'
	cfg '.linux.resources = {"devices": [{"allow": false, "access": "rwm"}]}'
	cfg_sh 'echo x > /dev/null && mknod /dev/k c 1 11 && true > /dev/k; echo rc=$?'
	id=$(new_id)
	capture in_cgroup_view v2 timeout 30 "${OCI[@]}" --root "$ROOT" run \
		--bundle "$BUNDLE" "$id"
	assert_ok
	assert_out "rc=1"
	assert_contains "open refused" "$err" "Operation not permitted"
}

testCgroupV2OnlyHostMissingController() {
	require_unified || return
	local id
	[ "$(grep -c memory /sys/fs/cgroup/unified/cgroup.controllers 2>/dev/null)" = 0 ] ||
		{ skip "memory is a cgroup v2 controller here"; return; }
	view_bundle
	cfg '.linux.resources = {"memory": {"limit": 67108864}}'
	id=$(new_id)
	capture in_cgroup_view v2 timeout 30 "${OCI[@]}" --root "$ROOT" run \
		--bundle "$BUNDLE" "$id"
	assert_error_text "linux.resources.memory: no memory cgroup controller on this host"
	assertEquals "cgroups left" "" "$(cg_left "$id")"
}

testCgroupNoCgroupHost() {
	require_cmd unshare || return
	require_ocibox "runc needs cgroups" || return 0
	local id
	view_bundle
	cfg_sh 'echo hi'
	id=$(new_id)
	capture in_cgroup_view none "${OCI[@]}" --root "$ROOT" run \
		--bundle "$BUNDLE" "$id"
	assert_ok
	assert_out hi
	cfg '.linux.resources = {"pids": {"limit": 10}}'
	capture in_cgroup_view none "${OCI[@]}" --root "$ROOT" run \
		--bundle "$BUNDLE" "$(new_id)"
	assert_error "linux.resources.pids: no pids cgroup controller on this host"
}
