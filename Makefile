# sipline: plain GNU make, no configure step.
#
# Every tool and flag variable is overridable for cross builds, e.g.
#   make CC=arm-linux-gnueabihf-gcc AR=arm-linux-gnueabihf-ar \
#        PKG_CONFIG=arm-linux-gnueabihf-pkg-config PREFIX=/usr
#
# Targets: all (default), check, demo, fuzz, fuzz-smoke, bench,
# bench-compare, install, uninstall, clean. BUILD names the output folder;
# SAN=1 builds with AddressSanitizer + UBSan.

VERSION     := 0.1.0
SOVERSION   := 0

CC          ?= cc
AR          ?= ar
PKG_CONFIG  ?= pkg-config
PREFIX      ?= /usr/local
DESTDIR     ?=
LIBDIR      ?= $(PREFIX)/lib
INCLUDEDIR  ?= $(PREFIX)/include
BINDIR      ?= $(PREFIX)/bin
CFLAGS      ?= -O2 -g
LDFLAGS     ?=
FUZZ_CC     ?= clang
FUZZ_SECONDS ?= 60
BUILD       ?= build
SAN         ?=

# Flags the code needs, whatever CFLAGS says.
SL_CFLAGS   := -std=c11 -D_GNU_SOURCE -Wall -Wextra -Wshadow \
	       -Wstrict-prototypes -Wmissing-prototypes -Wno-unused-parameter \
	       -I. -Iinclude -Ilib -fPIC -pthread
SAN_FLAGS   := -fsanitize=address,undefined -fno-sanitize-recover=undefined \
	       -fno-omit-frame-pointer
ifeq ($(SAN),1)
SL_CFLAGS   += $(SAN_FLAGS)
SL_LDFLAGS  += $(SAN_FLAGS)
endif
SL_LDFLAGS  += -pthread
LIBS        := -lmbedtls -lmbedx509 -lmbedcrypto -lopus -lspeexdsp
# NO_ALSA=1: the smallest audio-only build (virtual devices only).
ifeq ($(NO_ALSA),1)
SL_CFLAGS   += -DSL_NO_ALSA
else
LIBS        += -lasound
endif
# libm last: static links resolve left to right, and libopus needs it.
LIBS        += -lm

CHECK_CFLAGS = $(shell $(PKG_CONFIG) --cflags check 2>/dev/null)
CHECK_LIBS   = $(shell $(PKG_CONFIG) --libs check 2>/dev/null || echo -lcheck)

LIB_SRCS    := $(sort $(wildcard lib/*/*.c transport/*.c codecs/*/*.c))
ifeq ($(NO_ALSA),1)
LIB_SRCS    := $(filter-out lib/device/alsa%.c,$(LIB_SRCS))
endif
LIB_OBJS    := $(LIB_SRCS:%.c=$(BUILD)/obj/%.o)
STATIC_LIB  := $(BUILD)/libsipline.a
SHARED_LIB  := $(BUILD)/libsipline.so.$(VERSION)

TOOLS       := $(notdir $(wildcard tools/sipmsg tools/bench tools/sipline))
TOOL_BINS   := $(BUILD)/bin/sipmsg $(BUILD)/bin/sipline-bench \
	       $(if $(wildcard tools/sipline/*.c),$(BUILD)/bin/sipline) \
	       $(if $(wildcard tools/audiocheck/*.c),$(BUILD)/bin/sipline-audiocheck)

UNIT_SRCS   := $(sort $(wildcard tests/unit/check_*.c))
UNIT_BINS   := $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/tests/%)

FUZZ_SRCS   := $(sort $(wildcard tests/fuzz/fuzz_*.c))
FUZZ_NAMES  := $(FUZZ_SRCS:tests/fuzz/fuzz_%.c=%)
FUZZ_BINS   := $(FUZZ_NAMES:%=$(BUILD)/fuzz/fuzz_%)
REPLAY_BINS := $(FUZZ_NAMES:%=$(BUILD)/replay/replay_%)
FUZZ_LIB_SRCS := $(sort $(wildcard lib/core/*.c lib/sip/*.c)) transport/dns_wire.c \
	lib/media/rtp.c lib/media/rtcp.c lib/media/rtcp_interval.c \
	lib/media/tel_event.c lib/media/emodel.c lib/device/wav.c \
	$(wildcard codecs/*/*.c)

.PHONY: all lib tools unit check check-unit check-san check-replay \
	check-interop check-tsan deps \
	deps-build demo static fuzz fuzz-smoke bench bench-compare install \
	uninstall clean

all: lib tools

lib: $(STATIC_LIB) $(SHARED_LIB)

tools: $(TOOL_BINS)

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(SL_CFLAGS) $(CFLAGS) -MMD -MP -c $< -o $@

$(STATIC_LIB): $(LIB_OBJS)
	@mkdir -p $(dir $@)
	rm -f $@
	$(AR) rcs $@ $^

# Only the sl_ API is exported from the shared library; sl__ internals stay
# hidden so firmware never links against them by accident.
$(SHARED_LIB): $(LIB_OBJS) lib/sipline.map
	$(CC) -shared -Wl,-soname,libsipline.so.$(SOVERSION) \
		-Wl,--version-script=lib/sipline.map $(SL_LDFLAGS) $(LDFLAGS) \
		-o $@ $(LIB_OBJS) $(LIBS)
	ln -sf libsipline.so.$(VERSION) $(BUILD)/libsipline.so.$(SOVERSION)
	ln -sf libsipline.so.$(VERSION) $(BUILD)/libsipline.so

$(BUILD)/bin/sipmsg: $(patsubst %.c,$(BUILD)/obj/%.o,$(wildcard tools/sipmsg/*.c)) $(STATIC_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(SL_LDFLAGS) $(LDFLAGS) -o $@ $^ $(LIBS)

$(BUILD)/bin/sipline-bench: $(patsubst %.c,$(BUILD)/obj/%.o,$(wildcard tools/bench/*.c)) $(STATIC_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(SL_LDFLAGS) $(LDFLAGS) -o $@ $^ $(LIBS)

$(BUILD)/bin/sipline: $(patsubst %.c,$(BUILD)/obj/%.o,$(wildcard tools/sipline/*.c)) $(STATIC_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(SL_LDFLAGS) $(LDFLAGS) -o $@ $^ $(LIBS)

# The demo's signal generator and audio verdict: its own code and libm only.
$(BUILD)/bin/sipline-audiocheck: $(patsubst %.c,$(BUILD)/obj/%.o,$(wildcard tools/audiocheck/*.c))
	@mkdir -p $(dir $@)
	$(CC) $(SL_LDFLAGS) $(LDFLAGS) -o $@ $^ -lm

# ---- unit tests (Check): one binary per suite ----

$(BUILD)/tests/%: tests/unit/%.c $(STATIC_LIB) tests/unit/check_main.h
	@mkdir -p $(dir $@)
	$(CC) $(SL_CFLAGS) $(CFLAGS) $(CHECK_CFLAGS) -Itests/unit -MMD -MP \
		-o $@ $< $(STATIC_LIB) $(SL_LDFLAGS) $(LDFLAGS) $(CHECK_LIBS) \
		$(LIBS) $(TEST_LIBS_$*)

# spandsp is the G.722 suite's reference implementation (README:
# Dependencies); nothing else links it.
TEST_LIBS_check_codec_g722 = $(shell $(PKG_CONFIG) --libs spandsp 2>/dev/null)

unit: $(UNIT_BINS) tools

check-unit: unit
	tests/run-unit.sh $(BUILD) $(UNIT_BINS)
	tests/sipmsg-test.sh $(BUILD)/bin/sipmsg
	tests/check-headers.sh "$(CC)"

deps:
	tools/install-deps.sh check

deps-build:
	tools/install-deps.sh build

# The whole test command: set-up, unit tests, the same under ASan+UBSan,
# and every fuzz seed and kept crasher replayed under the sanitizers.
check: deps
	$(MAKE) check-unit
	$(MAKE) check-interop
	BUILD=$(BUILD) CC="$(CC)" tests/check-install.sh
	$(MAKE) BUILD=build-san SAN=1 check-unit check-replay
	$(MAKE) check-tsan

# ---- interop with real peers (tests/interop) ----

# A minimal UA over the loop, transports and transaction layer, for the
# SIPp runs and the transaction benchmark; it uses internal headers.
$(BUILD)/tests/txn_peer: tests/interop/txn_peer.c $(STATIC_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(SL_CFLAGS) $(CFLAGS) -MMD -MP -o $@ $< $(STATIC_LIB) \
		$(SL_LDFLAGS) $(LDFLAGS) $(LIBS)

# A UA driven through the public API only (no -I. or -Ilib, so no internal
# header can creep in), for the UA runs against SIPp and Kamailio.
UA_PEER_CFLAGS = $(filter-out -I. -Ilib,$(SL_CFLAGS))

$(BUILD)/tests/ua_peer_prog: tests/interop/ua_peer_prog.c $(STATIC_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(UA_PEER_CFLAGS) $(CFLAGS) -MMD -MP -o $@ $< $(STATIC_LIB) \
		$(SL_LDFLAGS) $(LDFLAGS) $(LIBS)

check-interop: $(BUILD)/tests/txn_peer $(BUILD)/tests/ua_peer_prog \
		$(BUILD)/bin/sipline $(BUILD)/bin/sipline-audiocheck
	tests/interop/sipp-txn.sh $(BUILD)
	tests/interop/netns-loss.sh $(BUILD)
	tests/interop/sipp-ua.sh $(BUILD)
	tests/interop/kamailio.sh $(BUILD)
	tests/interop/agent-cli.sh $(BUILD)
	tests/interop/agent-sipp.sh $(BUILD)
	tests/interop/sipp-rtp.sh $(BUILD)
	tests/interop/agent-baresip.sh $(BUILD)
	tests/interop/agent-kamailio.sh $(BUILD)

# ---- ThreadSanitizer ----

# The threading tests in a build of their own (TSan cannot be combined with
# ASan, nor linked against objects built without it).
TSAN_BUILD  ?= build-tsan
TSAN_FLAGS  := -O1 -g -fsanitize=thread -fno-omit-frame-pointer
TSAN_TESTS  := check_ua_hammer check_ua_threads check_core_loop check_device \
	       check_codec check_media_engine check_ua_message

check-tsan:
	$(MAKE) BUILD=$(TSAN_BUILD) CFLAGS="$(TSAN_FLAGS)" \
		LDFLAGS=-fsanitize=thread \
		$(TSAN_TESTS:%=$(TSAN_BUILD)/tests/%)
	@for t in $(TSAN_TESTS); do \
		echo "tsan: $$t"; \
		CK_FORK=no TSAN_OPTIONS="halt_on_error=1 exitcode=66" \
			$(TSAN_BUILD)/tests/$$t || exit 1; \
	done

# ---- fuzzing (libFuzzer) ----

$(BUILD)/fuzz/fuzz_%: tests/fuzz/fuzz_%.c $(FUZZ_LIB_SRCS)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) -std=c11 -D_GNU_SOURCE -g -O1 -I. -Iinclude -Ilib \
		-fsanitize=fuzzer,address,undefined \
		-fno-sanitize-recover=undefined -o $@ $< $(FUZZ_LIB_SRCS) $(LIBS) -pthread

# The same harnesses with a plain main() that runs files through them, so
# `make check` replays the seeds and crashers without clang.
$(BUILD)/replay/replay_%: tests/fuzz/fuzz_%.c tests/fuzz/replay.c $(STATIC_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(SL_CFLAGS) $(CFLAGS) -o $@ tests/fuzz/fuzz_$*.c tests/fuzz/replay.c \
		$(STATIC_LIB) $(SL_LDFLAGS) $(LDFLAGS) $(LIBS)

check-replay: $(REPLAY_BINS)
	@for n in $(FUZZ_NAMES); do \
		$(BUILD)/replay/replay_$$n tests/fuzz/corpus/$$n \
			tests/fuzz/crashers/$$n || exit 1; \
	done

fuzz: $(FUZZ_BINS)

fuzz-smoke: fuzz
	tests/fuzz/smoke.sh $(BUILD) $(FUZZ_SECONDS) $(FUZZ_NAMES)

# ---- demo and benchmarks ----

# A fully static, stripped agent for firmware: audio-only with virtual
# devices (Debian ships no static alsa-lib, and ALSA's plugins are loaded
# at run time anyway), no video. STATIC_BUILD/bin/sipline.
STATIC_BUILD ?= build-static
static: deps-build
	$(MAKE) BUILD=$(STATIC_BUILD) NO_ALSA=1 LDFLAGS="$(LDFLAGS) -static" \
		$(STATIC_BUILD)/bin/sipline
	strip $(STATIC_BUILD)/bin/sipline

demo: deps-build all
	tests/demo.sh $(BUILD)

bench: all $(BUILD)/tests/txn_peer
	$(BUILD)/bin/sipline-bench parse tests/data/corpus
	tools/bench/txn-bench.sh $(BUILD)
	tools/bench/call-bench.sh $(BUILD)
	$(BUILD)/bin/sipline-bench media

bench-compare: all
	CC="$(CC)" CFLAGS="$(CFLAGS)" tools/bench/compare.sh $(BUILD)

# ---- install ----

install: lib
	install -d $(DESTDIR)$(LIBDIR)/pkgconfig $(DESTDIR)$(INCLUDEDIR)/sipline
	install -m 644 include/sipline/*.h $(DESTDIR)$(INCLUDEDIR)/sipline/
	install -m 644 $(STATIC_LIB) $(DESTDIR)$(LIBDIR)/
	install -m 755 $(SHARED_LIB) $(DESTDIR)$(LIBDIR)/
	ln -sf libsipline.so.$(VERSION) $(DESTDIR)$(LIBDIR)/libsipline.so.$(SOVERSION)
	ln -sf libsipline.so.$(VERSION) $(DESTDIR)$(LIBDIR)/libsipline.so
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@LIBDIR@|$(LIBDIR)|' \
	    -e 's|@INCLUDEDIR@|$(INCLUDEDIR)|' -e 's|@VERSION@|$(VERSION)|' \
	    -e 's|@LIBS@|$(LIBS)|' \
	    lib/sipline.pc.in > $(DESTDIR)$(LIBDIR)/pkgconfig/sipline.pc
	$(if $(wildcard $(BUILD)/bin/sipline),install -d $(DESTDIR)$(BINDIR) && \
		install -m 755 $(BUILD)/bin/sipline $(DESTDIR)$(BINDIR)/)

uninstall:
	rm -rf $(DESTDIR)$(INCLUDEDIR)/sipline
	rm -f $(DESTDIR)$(LIBDIR)/libsipline.* $(DESTDIR)$(LIBDIR)/pkgconfig/sipline.pc

clean:
	rm -rf build build-san build-tsan build-static \
		$(filter-out build build-san build-tsan,$(BUILD))

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
