# watchrun: watch directory trees with inotify and run commands on changes.

PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
MANDIR ?= $(PREFIX)/share/man
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
ZSHCOMPDIR ?= $(PREFIX)/share/zsh/site-functions
FISHCOMPDIR ?= $(PREFIX)/share/fish/vendor_completions.d
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

# The inotify backend's test keeps a dropped watch alive: see its top.
$(BUILD)/tests/test_inwatch: override LDFLAGS += -Wl,--wrap=events_rm

$(BUILD) $(BUILD)/tests:
	mkdir -p $@

unit: $(UNIT_BINS)

# The builds that checks need are made on every core, unless this make
# was given -j already; the tests themselves run one suite at a time.
NPROC := $(shell nproc 2>/dev/null || echo 1)
PARALLEL = $(if $(filter -j% --jobserver%,$(MAKEFLAGS)),,-j$(NPROC))

# The test command for every change, a few minutes: unit tests, the
# system tests plain and under AddressSanitizer+UBSan, and the benchmark's
# smoke test.
check: check-build check-unit check-system check-asan bench-smoke
	@echo "make check: passed: unit tests; system tests plain and under" \
	    "ASan+UBSan; benchmark smoke test"

check-build:
	$(MAKE) $(PARALLEL) watchrun $(UNIT_BINS) $(BUILD)/$(ORACLE) \
	    $(BENCH_PROGS)
	$(ASAN_MAKE) $(PARALLEL) $(ASAN_BINS)

# All of it, as CI runs it: check, then the system tests under valgrind
# memcheck and a short fuzzing run.
check-all: check check-backends check-valgrind check-fuzz
	@echo "make check-all: passed: make check; system tests with the" \
	    "fanotify and polling backends and under valgrind; fuzzing" \
	    "$(FUZZ_TIME) s per target"

.PHONY: check-all

check-unit: $(UNIT_BINS)
	@set -e; for t in $(UNIT_BINS); do \
	    CMOCKA_MESSAGE_OUTPUT=TAP $$t; done

# tests/system/gitignore.bats compares the gitignore module with git
# through this driver; it skips when GITIGNORE_ORACLE is not set.
ORACLE = tests/gitignore_oracle

# tests/system/run-suite runs SYSTEM_JOBS tests at a time (they mostly
# wait), then alone the files that change the machine's inotify limits.
SYSTEM_JOBS ?= 8
VALGRIND_JOBS ?= 4
SYSTEM_FILES ?= $(wildcard tests/system/*.bats)
RUN_SUITE = tests/system/run-suite

check-system: watchrun $(BUILD)/$(ORACLE)
	WATCHRUN=$(CURDIR)/watchrun \
	    GITIGNORE_ORACLE=$(CURDIR)/$(BUILD)/$(ORACLE) \
	    $(RUN_SUITE) -n system -j $(SYSTEM_JOBS) $(SYSTEM_FILES)

# The system tests again with the other backends, but for those tagged as
# about inotify itself, or (polling) as needing a kernel's events; see
# tests/system/helpers.bash.  The backends' own files already ran, and
# limits.bats and docs.bats are about inotify's limits and the
# documented default; scale.bats, too slow to poll, runs with fanotify.
# A fanotify mark sees the whole filesystem, so that other tests' storms
# would overflow its queue: one test at a time.
BACKEND_FILES = $(filter-out %/limits.bats %/scale.bats %/docs.bats \
	%/fanotify.bats %/poll.bats %/package.bats %/install.bats \
	%/completion.bats %/gitignore.bats,$(SYSTEM_FILES))

check-backends: watchrun $(BUILD)/$(ORACLE)
	@if WATCHRUN_BACKEND=fanotify ./watchrun --once --wait-timeout 1ms \
	    -w . -- true 2>/dev/null; [ $$? -eq 124 ]; then \
	    WATCHRUN_BACKEND=fanotify WATCHRUN=$(CURDIR)/watchrun \
	    GITIGNORE_ORACLE=$(CURDIR)/$(BUILD)/$(ORACLE) \
	    $(RUN_SUITE) -n fanotify -j 1 -t '!inotify' $(BACKEND_FILES) \
	    tests/system/scale.bats; \
	else echo "check-backends: fanotify skipped: $$(WATCHRUN_BACKEND=fanotify \
	    ./watchrun --once --wait-timeout 1ms -w . -- true 2>&1 | head -n 1)"; fi
	WATCHRUN_BACKEND=poll=100ms WATCHRUN=$(CURDIR)/watchrun \
	    GITIGNORE_ORACLE=$(CURDIR)/$(BUILD)/$(ORACLE) \
	    $(RUN_SUITE) -n poll -j $(SYSTEM_JOBS) -t '!inotify,!kernel' \
	    $(BACKEND_FILES)

.PHONY: check-backends

ASAN_FLAGS = -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer \
	-fno-sanitize-recover=all

# Under ASan and valgrind the tests tagged build, which build their own
# binary, are left out, and the RSS soak of scale.bats is short: there the
# sanitizer's heap, not watchrun's, makes the RSS it would watch, and
# leaks are found at each process's exit instead.
ASAN_MAKE = $(MAKE) BUILD=build-asan CFLAGS="$(ASAN_FLAGS)" \
	LDFLAGS="-fsanitize=address,undefined"
ASAN_BINS = build-asan/watchrun \
	$(UNIT_SRCS:tests/unit/%.c=build-asan/tests/%) build-asan/$(ORACLE)

check-asan asan:
	$(ASAN_MAKE) $(PARALLEL) $(ASAN_BINS)
	@set -e; for t in $(UNIT_SRCS:tests/unit/%.c=build-asan/tests/%); do \
	    CMOCKA_MESSAGE_OUTPUT=TAP ASAN_OPTIONS=detect_leaks=1 $$t; done
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 SOAK_SECONDS=5 \
	    WATCHRUN=$(CURDIR)/build-asan/watchrun \
	    GITIGNORE_ORACLE=$(CURDIR)/build-asan/$(ORACLE) \
	    $(RUN_SUITE) -n asan -j $(SYSTEM_JOBS) -t '!build' $(SYSTEM_FILES)

# valgrind runs the plain binary; each process leaves a report that
# tests/system/valgrind-verdict reads afterwards.
check-valgrind: watchrun
	rm -rf $(BUILD)/valgrind && mkdir -p $(BUILD)/valgrind
	VG_LOGDIR=$(CURDIR)/$(BUILD)/valgrind WATCHRUN_BIN=$(CURDIR)/watchrun \
	    WATCHRUN=$(CURDIR)/tests/system/valgrind-watchrun SOAK_SECONDS=5 \
	    $(RUN_SUITE) -n valgrind -j $(VALGRIND_JOBS) -t '!build' \
	    $(SYSTEM_FILES)
	tests/system/valgrind-verdict $(BUILD)/valgrind

check-fuzz: fuzz

# libFuzzer harnesses for the rules parser, the inotify and fanotify
# decoders and the gitignore matcher, built with clang, AddressSanitizer
# and UBSan.  New inputs go to build-fuzz/,
# never into the checked-in seed corpus.
FUZZ_TIME ?= 60
FUZZ_SAN = -fsanitize=address,undefined -fno-sanitize-recover=all
FUZZ_TARGETS = rules events gitignore fanrec
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

# Benchmark (bench/): `make bench` takes minutes and rewrites
# doc/performance.md; `make bench-smoke` takes about 10 s and only checks
# that every scenario still runs (it asserts no performance target).
BENCH_DIR = $(BUILD)/bench
BENCH_PROGS = $(BENCH_DIR)/floor $(BENCH_DIR)/stamp $(BENCH_DIR)/wbench \
	$(BENCH_DIR)/replay
BENCH_FLAGS ?=
# The driver, wbench, is one file per concern in bench/wbench/.
WBENCH_SRCS = $(wildcard bench/wbench/*.c)
WBENCH_OBJS = $(WBENCH_SRCS:bench/wbench/%.c=$(BENCH_DIR)/wbench-obj/%.o)

# Without libbsd or PCRE2: the stamp command must stay cheap to exec.
$(BENCH_DIR)/floor $(BENCH_DIR)/stamp: $(BENCH_DIR)/%: bench/%.c | $(BENCH_DIR)
	$(CC) -D_GNU_SOURCE $(CFLAGS) $(LDFLAGS) -o $@ $<

$(BENCH_DIR)/wbench: $(WBENCH_OBJS)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $(WBENCH_OBJS)

$(BENCH_DIR)/wbench-obj/%.o: bench/wbench/%.c | $(BENCH_DIR)/wbench-obj
	$(CC) -D_GNU_SOURCE $(CFLAGS) -c -o $@ $<

$(BENCH_DIR)/replay: bench/replay.c $(LIB_OBJS) | $(BENCH_DIR)
	$(CC) $(CPPFLAGS) -Isrc $(CFLAGS) $(LDFLAGS) -o $@ $< $(LIB_OBJS) \
	    $(LDLIBS)

$(BENCH_DIR) $(BENCH_DIR)/wbench-obj:
	mkdir -p $@

# bench/notes.md, when present, is copied into the report below the targets.
bench: $(BUILD)/watchrun $(BENCH_PROGS)
	$(BENCH_DIR)/wbench -w $(BUILD)/watchrun -b $(BENCH_DIR) \
	    $(if $(wildcard bench/notes.md),-i bench/notes.md) \
	    -o doc/performance.md $(BENCH_FLAGS)

bench-smoke: $(BUILD)/watchrun $(BENCH_PROGS)
	$(BENCH_DIR)/wbench --smoke -w $(BUILD)/watchrun -b $(BENCH_DIR) \
	    -o $(BENCH_DIR)/smoke.md

install: watchrun
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 \
	    $(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(BASHCOMPDIR) \
	    $(DESTDIR)$(ZSHCOMPDIR) $(DESTDIR)$(FISHCOMPDIR)
	install -m 755 watchrun $(DESTDIR)$(BINDIR)/watchrun
	install -m 644 doc/watchrun.1 $(DESTDIR)$(MANDIR)/man1/watchrun.1
	install -m 644 doc/watchrun.rules.5 \
	    $(DESTDIR)$(MANDIR)/man5/watchrun.rules.5
	install -m 644 completions/watchrun.bash \
	    $(DESTDIR)$(BASHCOMPDIR)/watchrun
	install -m 644 completions/_watchrun $(DESTDIR)$(ZSHCOMPDIR)/_watchrun
	install -m 644 completions/watchrun.fish \
	    $(DESTDIR)$(FISHCOMPDIR)/watchrun.fish

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/watchrun \
	    $(DESTDIR)$(MANDIR)/man1/watchrun.1 \
	    $(DESTDIR)$(MANDIR)/man5/watchrun.rules.5 \
	    $(DESTDIR)$(BASHCOMPDIR)/watchrun \
	    $(DESTDIR)$(ZSHCOMPDIR)/_watchrun \
	    $(DESTDIR)$(FISHCOMPDIR)/watchrun.fish

# The Debian package, built from a copy of the sources in $(DEB_DIR)/src:
# dpkg-buildpackage writes its results to the parent directory, which is
# then $(DEB_DIR), not the one that holds this clone.
DEB_DIR = $(BUILD)/deb
DEB_SRCS = Makefile README.md completions debian doc examples src tests

deb:
	rm -rf $(DEB_DIR)
	mkdir -p $(DEB_DIR)/src
	cp -R $(DEB_SRCS) $(DEB_DIR)/src/
	cd $(DEB_DIR)/src && dpkg-buildpackage -us -uc -b
	@ls $(DEB_DIR)/*.deb

# KNF is kept by hand: clang-format cannot align declarations with tabs
# as style(9) does.
lint:
	mandoc -T lint -W warning doc/watchrun.1 doc/watchrun.rules.5
	shellcheck -s bash tests/system/helpers.bash \
	    tests/system/hardening.bash tests/system/run-suite \
	    completions/watchrun.bash
	shellcheck -s sh .ci/run .ci/deps examples/*.sh \
	    tests/system/valgrind-watchrun tests/system/valgrind-verdict \
	    tests/system/doc-commands

clean:
	rm -rf build build-asan build-fuzz watchrun

.PHONY: all unit check check-build check-unit check-system check-asan check-valgrind \
	check-fuzz asan fuzz bench bench-smoke install uninstall deb lint \
	clean

-include $(OBJS:.o=.d) $(WBENCH_OBJS:.o=.d) \
    $(addsuffix .d,$(filter-out $(BENCH_DIR)/wbench,$(BENCH_PROGS)))
