# watchrun: watch directory trees with inotify and run commands on changes.

PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
MANDIR ?= $(PREFIX)/share/man
PKG_CONFIG ?= pkg-config
CC ?= cc
CLANG ?= clang

CFLAGS ?= -O2 -g
WARNINGS = -std=c17 -Wall -Wextra -Wstrict-prototypes -Wmissing-prototypes \
	-Wmissing-declarations -Wshadow -Wpointer-arith -Wcast-qual \
	-Wsign-compare -Wformat=2 -Wvla
ifeq ($(WERROR),1)
WARNINGS += -Werror
endif

PKGS = libpcre2-8 libbsd-overlay
PKG_CFLAGS := $(shell $(PKG_CONFIG) --cflags $(PKGS))
PKG_LIBS := $(shell $(PKG_CONFIG) --libs $(PKGS))
CMOCKA_LIBS := $(shell $(PKG_CONFIG) --libs cmocka 2>/dev/null || echo -lcmocka)

override CPPFLAGS += -D_GNU_SOURCE -DLIBBSD_OPENBSD_VIS $(PKG_CFLAGS)
override CFLAGS += $(WARNINGS) -MMD -MP
# Symbols bound at start-up: nothing left for the guardian to resolve.
override LDFLAGS += -Wl,-z,relro,-z,now
LDLIBS += $(PKG_LIBS)

BUILD ?= build
SRCS = $(wildcard src/*.c)
LIB_SRCS = $(filter-out src/main.c,$(SRCS))
OBJS = $(SRCS:src/%.c=$(BUILD)/%.o)
LIB_OBJS = $(LIB_SRCS:src/%.c=$(BUILD)/%.o)
UNIT_SRCS = $(wildcard tests/unit/test_*.c)
UNIT_BINS = $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/tests/%)

all: watchrun

# Through a rename: a running ./watchrun cannot be written over.
watchrun: $(BUILD)/watchrun
	cp $(BUILD)/watchrun $@.tmp && mv -f $@.tmp $@

$(BUILD)/watchrun: $(OBJS)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $(OBJS) $(LDLIBS)

$(BUILD)/%.o: src/%.c | $(BUILD)
	$(CC) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

$(BUILD)/tests/%: tests/unit/%.c $(LIB_OBJS) | $(BUILD)/tests
	$(CC) $(CPPFLAGS) -Isrc $(CFLAGS) $(LDFLAGS) -o $@ $< $(LIB_OBJS) \
	    $(CMOCKA_LIBS) $(LDLIBS)

$(BUILD) $(BUILD)/tests:
	mkdir -p $@

unit: $(UNIT_BINS)

check: check-unit check-system
	@echo "make check: all unit and system tests passed"

check-unit: $(UNIT_BINS)
	@set -e; for t in $(UNIT_BINS); do \
	    CMOCKA_MESSAGE_OUTPUT=TAP $$t; done

check-system: watchrun
	WATCHRUN=$(CURDIR)/watchrun prove -e bats tests/system/*.bats

asan:
	$(MAKE) BUILD=build-asan \
	    CFLAGS="-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all" \
	    LDFLAGS="-fsanitize=address,undefined" build-asan/watchrun \
	    $(UNIT_SRCS:tests/unit/%.c=build-asan/tests/%)
	@set -e; for t in $(UNIT_SRCS:tests/unit/%.c=build-asan/tests/%); do \
	    CMOCKA_MESSAGE_OUTPUT=TAP ASAN_OPTIONS=detect_leaks=1 $$t; done
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	    WATCHRUN=$(CURDIR)/build-asan/watchrun \
	    prove -e bats tests/system/*.bats

# libFuzzer harnesses for the rules parser and the inotify decoder, built
# with clang, AddressSanitizer and UBSan.  New inputs go to build-fuzz/,
# never into the checked-in seed corpus.
FUZZ_TIME ?= 60
FUZZ_SAN = -fsanitize=address,undefined -fno-sanitize-recover=all
FUZZ_TARGETS = rules events
FUZZ_OBJS = $(LIB_SRCS:src/%.c=build-fuzz/%.o)

build-fuzz/%.o: src/%.c | build-fuzz
	$(CLANG) $(CPPFLAGS) -std=c17 -g -O1 $(FUZZ_SAN) \
	    -fsanitize=fuzzer-no-link -c -o $@ $<

build-fuzz/fuzz_%: tests/fuzz/fuzz_%.c $(FUZZ_OBJS) | build-fuzz
	$(CLANG) $(CPPFLAGS) -Isrc -std=c17 -g -O1 $(FUZZ_SAN) \
	    -fsanitize=fuzzer -o $@ $< $(FUZZ_OBJS) $(PKG_LIBS)

.PRECIOUS: build-fuzz/%.o

build-fuzz:
	mkdir -p $@

fuzz: $(FUZZ_TARGETS:%=build-fuzz/fuzz_%)
	@set -e; for t in $(FUZZ_TARGETS); do \
	    mkdir -p build-fuzz/corpus-$$t; \
	    echo "fuzz_$$t: $(FUZZ_TIME) s"; \
	    build-fuzz/fuzz_$$t -max_total_time=$(FUZZ_TIME) -timeout=10 \
	        -rss_limit_mb=2048 -print_final_stats=1 \
	        build-fuzz/corpus-$$t tests/fuzz/corpus/$$t \
	        2>build-fuzz/fuzz_$$t.log || \
	        { tail -50 build-fuzz/fuzz_$$t.log; exit 1; }; \
	    grep -E 'stat::number_of_executed_units|Done' \
	        build-fuzz/fuzz_$$t.log || true; \
	done

install: watchrun
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 \
	    $(DESTDIR)$(MANDIR)/man5
	install -m 755 watchrun $(DESTDIR)$(BINDIR)/watchrun
	install -m 644 doc/watchrun.1 $(DESTDIR)$(MANDIR)/man1/watchrun.1
	install -m 644 doc/watchrun.rules.5 \
	    $(DESTDIR)$(MANDIR)/man5/watchrun.rules.5

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/watchrun \
	    $(DESTDIR)$(MANDIR)/man1/watchrun.1 \
	    $(DESTDIR)$(MANDIR)/man5/watchrun.rules.5

lint:
	mandoc -T lint -W warning doc/watchrun.1 doc/watchrun.rules.5
	shellcheck -s bash tests/system/helpers.bash .ci/run examples/*.sh
	clang-format --dry-run --Werror src/*.c src/*.h

format:
	clang-format -i src/*.c src/*.h

clean:
	rm -rf build build-asan build-fuzz watchrun

.PHONY: all unit check check-unit check-system asan fuzz install uninstall \
	lint format clean

-include $(OBJS:.o=.d)
