# Build profile "tiny": just the runtime.
APPLETS  := oci-run
FEATURES :=
