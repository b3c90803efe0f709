# Build profile "full": every applet that exists.
APPLETS  := oci-run state
FEATURES :=
