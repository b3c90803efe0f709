# Third-party libraries, built from pinned Debian source packages with the
# same CC and CFLAGS as ocibox (see the recipes beside this file and
# scripts/vendor-fetch, scripts/vendor-build).  Included by the top Makefile;
# uses only BUILD, CC and CFLAGS from it.
#
#   VENDOR_STAMP  one file, made once every library and header is in place
#   VENDOR_LIBS   the static archives, in link order

VENDOR_RECIPES := $(sort $(wildcard vendor/*.recipe))
VENDOR_SCRIPTS := scripts/vendor-fetch scripts/vendor-build scripts/vendor-lib
VENDOR_STAMP   := $(BUILD)/vendor/.stamp
VENDOR_LIBS    := $(BUILD)/vendor/lib/libcjson.a \
		  $(BUILD)/vendor/lib/libbearssl.a \
		  $(BUILD)/vendor/lib/libzstd.a \
		  $(BUILD)/vendor/lib/libz.a \
		  $(BUILD)/vendor/lib/libseccomp.a

# A change of compiler or flags must rebuild the libraries as surely as a
# changed pin: the file below changes exactly when "$(CC) $(CFLAGS)" does.
VENDOR_FLAGS   := $(BUILD)/vendor/.flags
ifneq ($(file <$(VENDOR_FLAGS)),$(CC) $(CFLAGS))
$(shell mkdir -p $(BUILD)/vendor)
$(file >$(VENDOR_FLAGS),$(CC) $(CFLAGS))
endif

# install-deps is called here too (it costs milliseconds when nothing is
# missing) because DEPS_STAMP may not be defined yet where this is included.
# An archive deleted by hand counts as a change: vendor-build then remakes
# just that one.
$(VENDOR_STAMP): $(VENDOR_RECIPES) $(VENDOR_SCRIPTS) $(VENDOR_FLAGS) \
		 $(filter-out $(wildcard $(VENDOR_LIBS)),$(VENDOR_LIBS)) \
		 | $(DEPS_STAMP)
	@scripts/install-deps build
	@BUILD='$(BUILD)' scripts/vendor-fetch $(VENDOR_RECIPES)
	@BUILD='$(BUILD)' scripts/vendor-build $(VENDOR_RECIPES)
	@touch $@

$(VENDOR_LIBS):

vendor: $(VENDOR_STAMP)

.PHONY: vendor
