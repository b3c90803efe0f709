# tests/oci-run/features.sh - `features` (runtime-spec features.md): the
# JSON runc prints, truthful about this build.

testFeaturesJson() {
	capture oci features
	assert_ok
	assert_no_err
	assertEquals "valid JSON, features.md's keys" \
		"hooks linux mountOptions ociVersionMax ociVersionMin" \
		"$(jq -r 'del(.annotations) | keys | join(" ")' "$T/out")"
	assertEquals "every hook" \
		"prestart createRuntime createContainer startContainer poststart poststop" \
		"$(jq -r '.hooks | join(" ")' "$T/out")"
	assertEquals "seccomp enabled" true "$(jq -r .linux.seccomp.enabled "$T/out")"
	assertEquals "supported seccomp flags are known ones" true \
		"$(jq -r '.linux.seccomp | ((.supportedFlags // []) - (.knownFlags // [])) == []' "$T/out")"
	assertEquals "capabilities as names" CAP_CHOWN \
		"$(jq -r '.linux.capabilities[0]' "$T/out")"
}

# Each mount option listed is one config.json may use.
testFeaturesMountOptionsAreAccepted() {
	local opt
	require_ocibox "the options ocibox lists" || return 0
	capture oci features
	assert_ok
	new_bundle
	cfg_sh 'true'
	for opt in $(jq -r '.mountOptions[] | select(test("bind|shared|slave|private|unbindable|remount") | not)' "$T/out"); do
		cfg '.mounts = [.mounts[] | select(.destination != "/mnt")] +
			[{"destination": "/mnt", "type": "tmpfs", "source": "tmpfs", "options": [$o]}]' \
			--arg o "$opt"
		capture oci run --bundle "$BUNDLE" "$(new_id)"
		assert_ok "mount option $opt"
	done
	assertEquals "refused options are not listed" "" \
		"$(jq -r '.mountOptions[] | select(. == "rro" or . == "idmap")' "$T/out")"
}
