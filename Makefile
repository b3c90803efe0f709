# ocibox - one static multi-call binary.  See README.md and ../shared/DESIGN.md.
#
#   make            build/ocibox (installs missing build deps first)
#   make check      every test; last line "N passed, N failed"
#   make demo       run a container from a busybox bundle
#   make bench      oci-run against runc and crun, as ratios
#   make install    PREFIX=/usr DESTDIR=... : the binary and one link per applet
#   PROFILE=tiny    build profile from configs/ (default: full)
#   CC=gcc          a host (glibc) build, e.g. for sanitizers; not the product

PROFILE  ?= full
PREFIX   ?= /usr/local
DESTDIR  ?=
ifeq ($(origin CC),default)
CC       := musl-gcc
endif
# Another compiler builds beside the product, not over it (vendor libs too).
ifeq ($(CC),musl-gcc)
BUILD    ?= build
else
BUILD    ?= build-$(notdir $(firstword $(CC)))
endif

include configs/$(PROFILE).mk

VERSION  := $(shell cat VERSION 2>/dev/null || echo 0.0.0)
# CFLAGS and LDFLAGS are the user's (Buildroot, Yocto and dpkg set them);
# what makes the product static and small is always added.
CFLAGS   ?= -Os
override CFLAGS += -ffunction-sections -fdata-sections \
	    -fno-asynchronous-unwind-tables -fno-stack-protector -fno-plt
WARN     := -std=gnu11 -Wall -Wextra -Werror -Wno-unused-parameter -Wno-missing-field-initializers
CPPFLAGS += -D_GNU_SOURCE -Ilibc-glue -Iapplets/core -I$(BUILD)/vendor/include \
	    -I$(BUILD)/gen -DOCIBOX_VERSION='"$(VERSION)"'
override LDFLAGS += -static -Wl,--gc-sections -Wl,-O1 -Wl,--build-id=none -s
export CC CFLAGS

# Short lines by default, whole commands with V=1.
ifeq ($(V),1)
Q :=
say := @true
else
Q := @
say := @printf '  %-4s %s\n'
endif

GLUE_SRC := $(wildcard libc-glue/*.c)
CORE_SRC := $(wildcard applets/core/*.c)
APPLET_SRC := $(foreach a,$(APPLETS),$(wildcard applets/$(a)/*.c))
MAIN_SRC := applets/ocibox.c

GLUE_OBJ := $(GLUE_SRC:%.c=$(BUILD)/obj/%.o)
CORE_OBJ := $(CORE_SRC:%.c=$(BUILD)/obj/%.o)
APPLET_OBJ := $(APPLET_SRC:%.c=$(BUILD)/obj/%.o)
MAIN_OBJ := $(MAIN_SRC:%.c=$(BUILD)/obj/%.o)

all: $(BUILD)/ocibox

DEPS_STAMP := $(BUILD)/.deps
$(DEPS_STAMP): scripts/install-deps
	@scripts/install-deps build
	@mkdir -p $(BUILD) && touch $@

include vendor/vendor.mk

# The profile decides which applets exist: applets.h is their table.
$(BUILD)/gen/applets.h: configs/$(PROFILE).mk Makefile | $(DEPS_STAMP)
	@mkdir -p $(@D)
	@{ for a in $(APPLETS); do echo "APPLET($$a, $$(echo $$a | tr - _))"; done; \
	   $(foreach f,$(FEATURES),echo "#define FEATURE_$(f) 1";) } > $@.tmp && mv $@.tmp $@

$(BUILD)/obj/%.o: %.c $(BUILD)/gen/applets.h $(VENDOR_STAMP)
	@mkdir -p $(@D)
	$(say) CC $<
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) $(WARN) -MMD -MP -c -o $@ $<

$(BUILD)/ocibox: $(MAIN_OBJ) $(APPLET_OBJ) $(CORE_OBJ) $(GLUE_OBJ) $(VENDOR_STAMP)
	$(say) LD $@
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $(MAIN_OBJ) $(APPLET_OBJ) $(CORE_OBJ) $(GLUE_OBJ) $(VENDOR_LIBS)

# C unit tests of core modules: tests/unit/NAME_test.c -> build/unit/NAME_test
UNIT_SRC := $(wildcard tests/unit/*_test.c)
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/unit/%)
$(BUILD)/unit/%: tests/unit/%.c tests/unit/unit.h $(CORE_OBJ) $(GLUE_OBJ) $(VENDOR_STAMP)
	@mkdir -p $(@D)
	$(say) CC $<
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) $(WARN) -Itests/unit -static -o $@ $< $(CORE_OBJ) $(GLUE_OBJ) $(VENDOR_LIBS)
unit: $(UNIT_BIN)

# Helpers the shell tests run (a console-socket receiver, a pty driver, a
# program for inside a container): tests/tools/NAME.c -> build/tools/NAME,
# static so they run in any rootfs.
TOOL_SRC := $(wildcard tests/tools/*.c)
TOOL_BIN := $(TOOL_SRC:tests/tools/%.c=$(BUILD)/tools/%)
$(BUILD)/tools/%: tests/tools/%.c | $(DEPS_STAMP)
	@mkdir -p $(@D)
	$(say) CC $<
	$(Q)$(CC) $(CFLAGS) $(WARN) -D_GNU_SOURCE -static -o $@ $<
tools: $(TOOL_BIN)

check: $(BUILD)/ocibox $(UNIT_BIN) $(TOOL_BIN)
	@scripts/install-deps test
	@tests/run

demo: $(BUILD)/ocibox
	@scripts/install-deps test
	@scripts/demo

bench: $(BUILD)/ocibox
	@scripts/install-deps bench
	@scripts/bench

install: $(BUILD)/ocibox
	install -d $(DESTDIR)$(PREFIX)/bin
	install -m 0755 $(BUILD)/ocibox $(DESTDIR)$(PREFIX)/bin/ocibox
	$(DESTDIR)$(PREFIX)/bin/ocibox --install $(DESTDIR)$(PREFIX)/bin

clean:
	rm -rf $(BUILD)/obj $(BUILD)/unit $(BUILD)/tools $(BUILD)/gen $(BUILD)/ocibox

distclean:
	rm -rf $(BUILD)

.PHONY: all unit tools check demo bench install clean distclean
-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)
