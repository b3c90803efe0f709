# Build profile "full": every applet that exists.
APPLETS  := oci-run nsenter-lite state rootfs-unpack layer-link
FEATURES :=
