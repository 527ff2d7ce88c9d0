#!/usr/bin/env bats
# docs.bats: every command line and rules file shown in README.md, the
# manual pages and examples/ is run here as the docs write it, and must do
# what the text around it says.
#
# tests/system/doc-commands extracts them (see its header for what counts).
# The table in covered() names, for each one, the test that runs it: the
# first test fails when the docs show a command or a rules file that the
# table does not list, and when the table lists one the docs no longer
# show.  A test whose description begins with "ID:" takes the items of its
# rows with doc_rec, which reads the text from the extracted docs, never
# from a copy here; it fails if it did not take them all.
#
# Commands the docs name (make, clang-format, go, pytest, shellcheck,
# mandoc, sudo, true, the example scripts' servers) are replaced by stubs
# on PATH that record their arguments and environment as the probe does
# (helpers.bash), so the tests check what watchrun handed them.  Lines that
# need root and change the machine, or the network, are checked for form
# only, and their tests say so.

load helpers

SRC=$(cd "$BATS_TEST_DIRNAME/../.." && pwd -P)

# ID FILE KEY: the test ID that runs the item of FILE whose key is KEY.
# The key of a command or a target is its kind and first line, as
# doc-commands prints them; that of a rules file, "rules" and its name.
covered() {
	cat <<'EOF'
quick-start	README.md	cmd sudo sh .ci/deps && make && ./watchrun
make-dev	README.md	cmd make check
make	README.md	cmd make            # ./watchrun
make-dev	README.md	cmd make check      # unit, system (also under ASan+UBSan) and bench smoke: minutes, for every change
make-dev	README.md	cmd make check-all  # check, the other backends, valgrind and fuzzing: as CI runs it
make-dev	README.md	cmd make asan       # the tests under AddressSanitizer and UBSan only
make-dev	README.md	cmd make fuzz       # libFuzzer on the rules parser and the event decoder (FUZZ_TIME=60 s each)
make-dev	README.md	cmd make bench      # the benchmark against its floor and the peers; rewrites doc/performance.md
make-dev	README.md	cmd make lint       # mandoc -T lint and shellcheck
readme-make	README.md	cmd watchrun -r '\.c$' -- make                   # run make when a .c file changes
readme-format	README.md	cmd watchrun -w src -w include -d 200ms -r '\.[ch]$' -e WRITE,MOVED_TO \
readme-go	README.md	cmd watchrun -R -r '\.go$' -- go run .           # restart a server on every change
readme-ci	README.md	cmd watchrun --once -w out -r 'report\.xml$' -e WRITE,MOVED_TO -- true   # CI: wait for a file
readme-print	README.md	cmd watchrun --print -w .                        # show the decoded events
readme-rules	README.md	rules Watchfile
recipe-make	README.md	cmd watchrun -- make
recipe-pytest	README.md	cmd watchrun -r '^tests/test_[^/]*\.py$' -e 'WRITE|MOVED_TO' -- pytest {}
recipe-pytest	README.md	cmd watchrun -r '^tests/test_[^/]*\.py$' -e 'WRITE|MOVED_TO' -s 'pytest "$@"'
recipe-server	README.md	cmd watchrun -i -R -- ./server
recipe-format	README.md	cmd watchrun --no-loop -r '\.c$' -e 'WRITE|MOVED_TO' -- clang-format -i {}
recipe-ci	README.md	cmd watchrun --once --existing --wait-timeout 10m -w dist -r '^dist/app\.tar\.gz$' -e 'WRITE|MOVED_TO' -- true
opt-f	doc/watchrun.1	cmd watchrun -f tools/docs.Watchfile
opt-w	doc/watchrun.1	cmd watchrun -w src -w include -- make
opt-x	doc/watchrun.1	cmd watchrun -x '\.log$' -x '^tmp/' -- make
opt-no-default-ignores	doc/watchrun.1	cmd watchrun --print --no-default-ignores -r '^\.git/refs/heads/'
opt-no-vcs-ignore	doc/watchrun.1	cmd watchrun --no-vcs-ignore -r '^dist/' -e 'WRITE|MOVED_TO' -- ./deploy {}
opt-r	doc/watchrun.1	cmd watchrun -r '^src/[^/]*\.c$' -- make
opt-e	doc/watchrun.1	cmd watchrun -e DELETE -s 'echo deleted: "$@"'
opt-d	doc/watchrun.1	cmd watchrun -d 2s -- make
opt-max-wait	doc/watchrun.1	cmd watchrun --max-wait 2s -r '\.log$' -- ./summarise
opt-s	doc/watchrun.1	cmd watchrun -r '\.c$' -e 'WRITE|MOVED_TO' -s 'cc -c -- "$@" && echo compiled $#'
opt-i	doc/watchrun.1	cmd watchrun -i -- make
opt-existing	doc/watchrun.1	cmd watchrun --existing -w inbox -e 'WRITE|MOVED_TO' -- ./process {}
opt-R	doc/watchrun.1	cmd watchrun -R -r '\.js$' -- node server.js
opt-on-busy	doc/watchrun.1	cmd watchrun --on-busy ignore -r '\.csv$' -- ./import {}
opt-signal	doc/watchrun.1	cmd watchrun -i --signal HUP -w conf -- ./server -c conf/server.conf
opt-no-loop	doc/watchrun.1	cmd watchrun --no-loop -r '\.go$' -e 'WRITE|MOVED_TO' -- gofmt -w {}
opt-j	doc/watchrun.1	cmd watchrun -j 1
opt-run-timeout	doc/watchrun.1	cmd watchrun --once --run-timeout 2s -- ./smoke-test
opt-stop-signal	doc/watchrun.1	cmd watchrun -R --stop-signal INT -- ./server
opt-stop-timeout	doc/watchrun.1	cmd watchrun -R --stop-timeout 1s -- ./server
opt-once	doc/watchrun.1	cmd watchrun --once -- make && ./deploy
opt-wait-timeout	doc/watchrun.1	cmd watchrun --once --wait-timeout 2s -w spool -- true; echo $?
opt-c	doc/watchrun.1	cmd watchrun -c -- make
opt-color	doc/watchrun.1	cmd watchrun --color always -- make 2>&1 | less -R
opt-bell	doc/watchrun.1	cmd watchrun --bell -- make
opt-check	doc/watchrun.1	cmd watchrun --check
opt-explain	doc/watchrun.1	cmd watchrun --explain .git/config
opt-init	doc/watchrun.1	cmd watchrun --init && watchrun --check
opt-print	doc/watchrun.1	cmd watchrun --print -w tests
opt-json	doc/watchrun.1	cmd watchrun --json --once -e CREATE -w inbox
opt-partial	doc/watchrun.1	cmd watchrun --partial -w big -- make
opt-follow-symlinks	doc/watchrun.1	cmd watchrun --follow-symlinks -w site -- make
opt-backend	doc/watchrun.1	cmd watchrun --backend poll=2s -w share/src -- make
opt-max-paths	doc/watchrun.1	cmd watchrun --max-paths 100 -s 'if [ "$WATCHRUN_TRUNCATED" ]; then ./sync-all; else ./sync -- "$@"; fi'
opt-q	doc/watchrun.1	cmd watchrun -q -- make
opt-help	doc/watchrun.1	cmd watchrun --help | head -n 1
opt-version	doc/watchrun.1	cmd watchrun --version
opt-list-events	doc/watchrun.1	cmd watchrun --list-events | head -n 3
man-explain	doc/watchrun.1	rules .gitignore
man-explain	doc/watchrun.1	rules Watchfile
man-explain	doc/watchrun.1	cmd watchrun --explain src/main.o
man-explain	doc/watchrun.1	cmd watchrun --explain node_modules/react/index.js
man-explain	doc/watchrun.1	cmd watchrun --explain x.tmp
man-explain	doc/watchrun.1	cmd watchrun --explain x.bak -x 'bak$'
man-explain	doc/watchrun.1	cmd watchrun --explain src/keep.o
man-explain	doc/watchrun.1	cmd watchrun --explain src/main.c
man-json	doc/watchrun.1	cmd watchrun --json | python3 -c 'import json, sys
man-make	doc/watchrun.1	cmd watchrun -r '\.[ch]$|(^|/)Makefile$' -- make
man-server	doc/watchrun.1	cmd watchrun -i -R --stop-timeout 5s -w src -r '\.[ch]$' \
man-pytest	doc/watchrun.1	cmd watchrun -r '^tests/test_[^/]*\.py$' -e 'WRITE|MOVED_TO' \
man-shellcheck	doc/watchrun.1	cmd watchrun -r '\.sh$' -e 'WRITE|MOVED_TO' -- shellcheck -- {}
man-ci	doc/watchrun.1	cmd watchrun --once --existing --wait-timeout 10m -w dist \
man-print	doc/watchrun.1	cmd watchrun --print
man-print-all	doc/watchrun.1	cmd watchrun --print -e ALL -r '\.c$' -w src
man-check	doc/watchrun.1	cmd watchrun --check -f build.Watchfile && watchrun -f build.Watchfile
man-systemd	doc/watchrun.1	root cp watchrun.service /etc/systemd/system/
man-systemd	doc/watchrun.1	root systemctl daemon-reload
man-systemd	doc/watchrun.1	root systemctl enable --now watchrun.service
man-systemd-user	doc/watchrun.1	cmd mkdir -p ~/.config/systemd/user && cp watchrun@.service ~/.config/systemd/user/
man-systemd-user	doc/watchrun.1	cmd systemctl --user daemon-reload
man-systemd-user	doc/watchrun.1	cmd systemctl --user enable --now "watchrun@$(systemd-escape --path ~/src/app).service"
man-sysctl	doc/watchrun.1	root sysctl fs.inotify.max_user_watches=524288
man-sysctl	doc/watchrun.1	root echo fs.inotify.max_user_watches=524288 \
rules-bad	doc/watchrun.rules.5	rules bad.Watchfile
rules-bad	doc/watchrun.rules.5	cmd watchrun --check -f bad.Watchfile
rules-copies	doc/watchrun.rules.5	rules c-project.Watchfile
rules-copies	doc/watchrun.rules.5	rules server.Watchfile
rules-quoting	doc/watchrun.rules.5	rules quoting.Watchfile
ex-makefile	examples/Makefile.watch	cmd make -f Makefile.watch watch
ex-makefile	examples/Makefile.watch	target watch
ex-c-project	examples/c-project.Watchfile	cmd watchrun --check
ex-c-project	examples/c-project.Watchfile	rules c-project.Watchfile
ci-wait	examples/ci-wait.sh	cmd ./start-test-server &
ex-server	examples/server.Watchfile	cmd watchrun -R --stop-timeout 5s -f server.Watchfile
ex-server	examples/server.Watchfile	rules server.Watchfile
ex-user-unit	examples/watchrun@.service	cmd systemctl --user enable --now "watchrun@$(systemd-escape --path ~/src/app).service"
EOF
}

setup_file() {
	local n

	export DOCS="$BATS_FILE_TMPDIR/docs"
	"$BATS_TEST_DIRNAME/doc-commands" "$SRC" "$DOCS" \
	    >"$BATS_FILE_TMPDIR/list"
	# $DOCS/index: "N<tab>FILE<tab>KEY" for each record, read once here
	# rather than by every test.
	for ((n = 1; ; n++)); do
		[ -e "$DOCS/$n.kind" ] || break
		printf '%s\t%s\t%s\n' "$n" "$(rec_file "$n")" "$(rec_key "$n")"
	done >"$DOCS/index"
}

eval "helpers_$(declare -f setup)"
eval "helpers_$(declare -f teardown)"

setup() {
	helpers_setup
	# Not the jobserver of a make that runs this file.
	unset MAKEFLAGS MFLAGS MAKELEVEL
	mkdir "$T/bin" "$T/calls"
	WR=$(command -v "$WATCHRUN")
	ln -s "$WR" "$T/bin/watchrun"
	export PATH="$T/bin:$PATH"
	TAKEN=()
}

teardown() {
	local status=0 id key

	id=$(test_id)
	# A test that skipped, where a tool is missing, ran none of its lines.
	if [ -n "$id" ] && [ -n "${BATS_TEST_COMPLETED:-}" ] &&
	    [ -z "${BATS_TEST_SKIPPED:-}" ]; then
		while IFS=$'\t' read -r key; do
			if ! taken "$key"; then
				echo "# $id: did not run $key" >&2
				status=1
			fi
		done < <(covered | ID=$id awk -F '\t' \
		    '$1 == ENVIRON["ID"] { print $2 "\t" $3 }')
	fi
	helpers_teardown
	return "$status"
}

# The ID of the running test: the first word of its description, when it
# ends in a colon.
test_id() {
	local w=${BATS_TEST_DESCRIPTION%% *}

	[ "${w%:}" != "$w" ] && echo "${w%:}"
	return 0
}

taken() {
	local k

	for k in "${TAKEN[@]}"; do
		[ "$k" = "$1" ] && return 0
	done
	return 1
}

# rec_key N: the key of record N.
rec_key() {
	local kind

	kind=$(cat "$DOCS/$1.kind")
	if [ -e "$DOCS/$1.name" ]; then
		echo "$kind $(cat "$DOCS/$1.name")"
	else
		echo "$kind $(head -n 1 "$DOCS/$1.text")"
	fi
}

rec_file() {
	local s

	s=$(cat "$DOCS/$1.src")
	echo "${s%:*}"
}

# rec_numbers FILE KEY: the numbers of the records of FILE with KEY, one a
# line, from $DOCS/index.
rec_numbers() {
	FK="$1	$2" awk -F '\t' \
	    'substr($0, length($1) + 2) == ENVIRON["FK"] { print $1 }' \
	    "$DOCS/index"
}

# doc_rec FILE KEY: sets REC to the path prefix of the one record of FILE
# with KEY ($REC.text, $REC.out, ...), which must be in a row of this
# test's ID.
doc_rec() {
	local id n found=

	id=$(test_id)
	if ! covered | grep -qxF -- "$id	$1	$2"; then
		echo "# no row \"$id	$1	$2\" in covered()" >&2
		return 1
	fi
	for n in $(rec_numbers "$1" "$2"); do
		if [ -n "$found" ]; then
			echo "# $1: two items with the key $2" >&2
			return 1
		fi
		found=$n
	done
	if [ -z "$found" ]; then
		echo "# $1 shows no item with the key $2" >&2
		return 1
	fi
	REC=$DOCS/$found
	TAKEN+=("$1	$2")
}

# rec_path FILE KEY: the path prefix of the record of FILE with KEY,
# without taking it (for a look at what another test runs).
rec_path() {
	local n

	for n in $(rec_numbers "$1" "$2"); do
		echo "$DOCS/$n"
		return 0
	done
	return 1
}

# doc_text FILE KEY: sets TEXT to the text of that record.
doc_text() {
	doc_rec "$1" "$2" || return 1
	TEXT=$(cat "$REC.text"; echo x)
	TEXT=${TEXT%x}
}

# doc_start TEXT: runs TEXT with sh in the background, in the current
# directory, in a session and process group of its own (WR_PID), standard
# output to $OUT (default $T/wr.out) and standard error to $ERR (default
# $T/log).
doc_start() {
	setsid sh -c "$1" </dev/null >"${OUT:-$T/wr.out}" \
	    2>"${ERR:-$T/log}" 3>&- &
	WR_PID=$!
}

# doc_run TEXT: runs TEXT with sh in the foreground, with a deadline; sets
# rc, and leaves standard output in $T/sout and standard error in $T/serr.
doc_run() {
	rc=0
	timeout 60 sh -c "$1" </dev/null >"$T/sout" 2>"$T/serr" 3>&- || rc=$?
}

# stub NAME [CODE]: a command NAME on PATH that records each call in
# $T/calls/NAME/N as the probe does, then runs the sh CODE, if any, or
# exits with the probe's status.
stub() {
	stub_at "$T/bin/$1" "$1" "${2:-}"
}

# stub_at PATH NAME [CODE]: the same at PATH, such as ./server.
stub_at() {
	mkdir -p "$T/calls/$2"
	{
		echo '#!/bin/sh'
		echo "PROBE_RUNS='$T/calls/$2' '$T/probe' \"\$@\" || exit"
		printf '%s\n' "${3:-}"
	} >"$1"
	chmod +x "$1"
}

calls() {
	run_count "$T/calls/$1"
}

# wait_calls NAME N: waits until NAME was called N times.
wait_calls() {
	wait_runs "$2" "$T/calls/$1"
}

# call_file NAME N FILE: what call N of NAME recorded in FILE.
call_file() {
	echo "$T/calls/$1/$2/$3"
}

# call_argv NAME N ARG...: call N of NAME got exactly these arguments.
call_argv() {
	local name=$1 n=$2

	shift 2
	expect_bytes "$(call_file "$name" "$n" argv)" "$@"
}

# call_var NAME N VAR VALUE: call N of NAME saw VAR set to VALUE.
call_var() {
	expect_value "$(call_file "$1" "$2" "$3")" "$4"
}

# call_args NAME: the arguments of every call of NAME, in order, one a
# line.
call_args() {
	local n

	for ((n = 1; n <= $(calls "$1"); n++)); do
		tr '\0' '\n' <"$(call_file "$1" "$n" argv)"
	done
}

# some_call_got NAME ARG: some call of NAME got ARG as an argument.
some_call_got() {
	call_args "$1" | grep -qxF -- "$2"
}

# The run reports in watchrun's log, one a line.
report_lines() {
	grep -E '^watchrun: .*(exited [0-9]+|killed by SIG[A-Z0-9]+) after [0-9]+\.[0-9]{3}s$' "$T/log"
}

# The number of run reports in watchrun's log.
reports() {
	report_lines | wc -l
}

reports_at_least() {
	(($(reports) >= $1))
}

# freeze, thaw: stop every process this test started, then let them go
# on.  Changes made in between reach watchrun only through its scans.
freeze() {
	local p

	FROZEN=$(tagged_pids)
	# shellcheck disable=SC2086	# a list of pids
	kill -STOP $FROZEN
	for p in $FROZEN; do
		wait_until stopped_or_gone "$p" || return 1
	done
}

thaw() {
	# shellcheck disable=SC2086	# a list of pids
	kill -CONT $FROZEN 2>/dev/null || true
}

# diff_short EXPECTED GOT: diff -u, its first 40 lines shown.
diff_short() {
	if ! diff -u "$1" "$2" >"$T/.diff"; then
		head -n 40 "$T/.diff"
		return 1
	fi
}

stopped_or_gone() {
	stopped "$1" || proc_gone "$1"
}

@test "every command line and rules file in the docs is run by a test" {
	[ -s "$DOCS/index" ]
	covered >"$T/covered"
	# Each record is in one row; each row names a record that is there
	# and a test "ID: ..." that exists.
	awk -F '\t' -v docs="$DOCS" '
	FILENAME == ARGV[1] {		# the rows: ID, FILE, KEY
		k = substr($0, length($1) + 2)
		rows[k]++
		row_id[FNR] = $1
		row_key[FNR] = k
		nrows = FNR
		next
	}
	FILENAME == ARGV[2] {		# the records: N, FILE, KEY
		k = substr($0, length($1) + 2)
		shown[k] = 1
		if (rows[k] != 1) {
			f = docs "/" $1 ".src"
			getline src <f
			close(f)
			printf "# %s: %d tests run: %s\n", src, rows[k],
			    substr(k, length($2) + 2)
			bad = 1
		}
		next
	}
	match($0, /^@test "[^ ]*: /) {	# this file
		tests[substr($0, 8, RLENGTH - 9)] = 1
	}
	END {
		for (i = 1; i <= nrows; i++) {
			split(row_key[i], fk, "\t")
			key = substr(row_key[i], length(fk[1]) + 2)
			if (!(row_key[i] in shown)) {
				printf "# %s no longer shows: %s\n", fk[1], key
				bad = 1
			}
			if (!(row_id[i] in tests)) {
				printf "# no test \"%s: ...\" for %s: %s\n",
				    row_id[i], fk[1], key
				bad = 1
			}
		}
		exit bad
	}' "$T/covered" "$DOCS/index" "$BATS_TEST_FILENAME" >&2
	if [ "$(sort "$T/covered" | uniq -d)" != "" ]; then
		echo "# rows listed twice in covered()" >&2
		return 1
	fi
}

@test "doc-commands: a new command, rules block or code block is seen" {
	mkdir -p src/doc src/examples
	cat >src/README.md <<'EOF'
```sh
watchrun -w a \
    -w b -- true
```
```
'x' WRITE true
```
EOF
	cat >src/doc/x.1 <<'EOF'
.Bd -literal
$ watchrun --json | python3 -c 'a
b'
out put
# sysctl x=1
.Ed
.\" doc-commands: rules r.Watchfile
.Bd -literal
# a comment
\e.c$ WRITE make
.Ed
EOF
	printf '#\twatchrun -R\n#\n# usage: x\nwatch:\n\tgo\n' \
	    >src/examples/Makefile.x
	"$BATS_TEST_DIRNAME/doc-commands" src out >list
	cat >expected <<'EOF'
README.md:2: cmd: watchrun -w a \\n    -w b -- true
README.md:6: rules: 'x' WRITE true
doc/x.1:2: cmd: watchrun --json | python3 -c 'a\nb'
doc/x.1:5: root: sysctl x=1
doc/x.1:9: rules: # a comment\n\.c$ WRITE make
examples/Makefile.x:1: cmd: watchrun -R
examples/Makefile.x:5: target: 	go
EOF
	diff -u expected list
	expect_value out/3.out 'out put
'
	expect_value out/5.name 'r.Watchfile
'
	# A code block of another language, a file of an unknown kind and an
	# unknown escape are errors, not silently left out.
	printf '```python\nx\n```\n' >src/README.md
	run "$BATS_TEST_DIRNAME/doc-commands" src out2
	[ "$status" -eq 1 ]
	[[ $output == *'README.md:1: code block of unknown language'* ]]
	printf '```sh\n```\n' >src/README.md
	: >src/examples/new.py
	run "$BATS_TEST_DIRNAME/doc-commands" src out3
	[ "$status" -eq 1 ]
	[[ $output == *'examples/new.py:1: no rule for this file'* ]]
	rm src/examples/new.py
	printf '.Bd -literal\n$ a \\(em b\n.Ed\n' >src/doc/x.1
	run "$BATS_TEST_DIRNAME/doc-commands" src out4
	[ "$status" -eq 1 ]
	[[ $output == *'unknown escape'* ]]
}

# README.md

@test "quick-start: sudo installs (form only: root and the network), make builds, ./watchrun runs the project's Watchfile" {
	doc_text README.md 'cmd sudo sh .ci/deps && make && ./watchrun'
	# What sudo would run, checked for form only.
	sh -n "$SRC/.ci/deps"
	stub sudo
	stub make
	cd w
	mkdir -p src tests/unit
	cp "$SRC/Watchfile" Watchfile
	ln -s "$WR" watchrun
	doc_start "$TEXT"
	wait_for_log "$READY_ERE"
	call_argv sudo 1 sh .ci/deps
	call_argv make 1
	# "save a file under src/ and watchrun rebuilds itself"
	echo 'int x;' >src/new.c
	wait_calls make 2
	call_argv make 2
	call_var make 2 WATCHRUN_PATH src/new.c
	echo 'int y;' >tests/unit/test_new.c
	wait_calls make 3
	call_argv make 3 check-unit
	call_var make 3 WATCHRUN_PATH tests/unit/test_new.c
}

# bats test_tags=build
@test "make: builds ./watchrun" {
	doc_text README.md 'cmd make            # ./watchrun'
	mkdir copy
	cp -R "$SRC/Makefile" "$SRC/src" copy/
	cd copy
	MAKEFLAGS=-j$(nproc) doc_run "$TEXT"
	[ "$rc" -eq 0 ] || { cat "$T/serr" >&2; false; }
	./watchrun --version
	[[ $(./watchrun --version) == 'watchrun '* ]]
}

# bats test_tags=build
@test "make-dev: make check, check-all, asan, fuzz, bench and lint run what their comments say (form only: make -n)" {
	# Form only: make check runs this very file, and the others take
	# minutes.  MAKEFLAGS=n makes each one a dry run of the line as written.
	cd "$SRC"
	doc_text README.md 'cmd make check'
	MAKEFLAGS=n doc_run "$TEXT"
	[ "$rc" -eq 0 ]
	cp "$T/sout" "$T/check.out"
	doc_text README.md 'cmd make check      # unit, system (also under ASan+UBSan) and bench smoke: minutes, for every change'
	MAKEFLAGS=n doc_run "$TEXT"
	[ "$rc" -eq 0 ]
	diff -u "$T/check.out" "$T/sout"
	# unit tests, system tests plain and under ASan+UBSan, the
	# benchmark's smoke test, and the summary line; not valgrind nor
	# fuzzing
	grep -q 'CMOCKA_MESSAGE_OUTPUT=TAP' "$T/sout"
	[ "$(grep -c 'tests/system/run-suite -n ' "$T/sout")" -eq 2 ]
	grep -q 'tests/system/run-suite -n system ' "$T/sout"
	grep -q 'tests/system/run-suite -n asan ' "$T/sout"
	grep -q 'fsanitize=address,undefined' "$T/sout"
	grep -q 'wbench --smoke' "$T/sout"
	grep -q 'make check: passed' "$T/sout"
	refute grep -q 'valgrind' "$T/sout"
	refute grep -q 'max_total_time' "$T/sout"

	# check-all: all of check, then the other backends, valgrind, fuzzing
	doc_text README.md 'cmd make check-all  # check, the other backends, valgrind and fuzzing: as CI runs it'
	MAKEFLAGS=n doc_run "$TEXT"
	[ "$rc" -eq 0 ]
	diff -u "$T/check.out" <(head -n "$(wc -l <"$T/check.out")" "$T/sout")
	[ "$(grep -c 'tests/system/run-suite -n ' "$T/sout")" -eq 5 ]
	grep -q "run-suite -n fanotify -j 1 -t '!inotify'" "$T/sout"
	grep -q "run-suite -n poll -j [0-9]* -t '!inotify,!kernel'" "$T/sout"
	grep -q 'WATCHRUN=.*/tests/system/valgrind-watchrun' "$T/sout"
	grep -q 'valgrind-verdict' "$T/sout"
	grep -q 'max_total_time=60 ' "$T/sout"
	grep -q 'make check-all: passed' "$T/sout"

	doc_text README.md 'cmd make asan       # the tests under AddressSanitizer and UBSan only'
	MAKEFLAGS=n doc_run "$TEXT"
	[ "$rc" -eq 0 ]
	grep -q 'fsanitize=address,undefined' "$T/sout"
	grep -q 'tests/system/run-suite -n asan ' "$T/sout"
	refute grep -q valgrind "$T/sout"

	doc_text README.md 'cmd make fuzz       # libFuzzer on the rules parser and the event decoder (FUZZ_TIME=60 s each)'
	MAKEFLAGS=n doc_run "$TEXT"
	[ "$rc" -eq 0 ]
	grep -q 'fsanitize=fuzzer' "$T/sout"
	grep -q 'tests/fuzz/fuzz_rules\.c' "$T/sout"
	grep -q 'tests/fuzz/fuzz_events\.c' "$T/sout"
	grep -q -- '-max_total_time=60 ' "$T/sout"

	doc_text README.md 'cmd make bench      # the benchmark against its floor and the peers; rewrites doc/performance.md'
	MAKEFLAGS=n doc_run "$TEXT"
	[ "$rc" -eq 0 ]
	grep -q '^build/bench/wbench ' "$T/sout"
	grep -q -- '-o doc/performance\.md' "$T/sout"

	doc_text README.md 'cmd make lint       # mandoc -T lint and shellcheck'
	MAKEFLAGS=n doc_run "$TEXT"
	[ "$rc" -eq 0 ]
	grep -q '^mandoc -T lint' "$T/sout"
	grep -q '^shellcheck' "$T/sout"
}

@test "readme-make: -r '\\.c\$' -- make runs make on a .c change, not on a .txt one" {
	doc_text README.md "cmd watchrun -r '\\.c\$' -- make                   # run make when a .c file changes"
	stub make
	cd w
	doc_start "$TEXT"
	wait_for_log "$READY_ERE"
	echo x >notes.txt
	echo 'int x;' >a.c
	wait_calls make 1
	call_argv make 1
	call_var make 1 WATCHRUN_PATH a.c
	call_var make 1 WATCHRUN_COUNT 1
	echo x >>notes.txt
	rm a.c
	wait_calls make 2
	call_var make 2 WATCHRUN_PATH a.c
	call_var make 2 WATCHRUN_EVENTS DELETE
	call_var make 2 WATCHRUN_COUNT 1
}

@test "readme-format: clang-format gets each C file saved, in an argument of its own; never a deleted file or a directory" {
	doc_text README.md "cmd watchrun -w src -w include -d 200ms -r '\\.[ch]\$' -e WRITE,MOVED_TO \\"
	stub clang-format
	cd w
	mkdir src include
	echo old >src/old.c
	echo old >src/dir.c
	doc_start "$TEXT"
	wait_for_log "$READY_ERE"
	rm src/old.c src/dir.c
	mkdir src/dir.c src/sub
	echo x >src/a.c
	echo x >'include/b c.h'
	echo x >src/tmp
	mv src/tmp src/moved.c
	echo x >src/notes.txt
	mkdir src/new && echo x >src/new/n.c
	echo x >include/zz.h
	wait_until some_call_got clang-format include/zz.h
	for ((n = 1; n <= $(calls clang-format); n++)); do
		[ "$(head -zn 1 "$(call_file clang-format "$n" argv)" |
		    tr -d '\0')" = --dry-run ]
	done
	call_args clang-format | grep -vxF -- --dry-run | sort -u >got
	printf '%s\n' 'include/b c.h' include/zz.h src/a.c src/moved.c \
	    src/new/n.c | sort >expected
	diff -u expected got
}

@test "readme-go: -R -- go run . restarts the server on a .go change, not on another" {
	doc_text README.md "cmd watchrun -R -r '\\.go\$' -- go run .           # restart a server on every change"
	stub go 'exec tail -f /dev/null'
	cd w
	doc_start "$TEXT"
	wait_for_log "$READY_ERE"
	echo x >main.go
	wait_calls go 1
	call_argv go 1 run .
	read -r _ server1 _ <"$(call_file go 1 ids)"
	proc_alive "$server1"
	echo x >notes.txt
	echo x >util.go
	wait_calls go 2
	call_argv go 2 run .
	call_var go 2 WATCHRUN_PATH util.go
	call_var go 2 WATCHRUN_COUNT 1
	proc_gone "$server1"
	grep -qE '^watchrun: command-line:1: go run \. \(main\.go\): killed by SIGTERM after ' "$T/log"
}

# The README's CI line, started in w/ with out/ there: ends with status 0
# once the report arrives, the run's WATCHRUN_PATH naming it.
readme_ci_start() {
	doc_text README.md "cmd watchrun --once -w out -r 'report\\.xml\$' -e WRITE,MOVED_TO -- true   # CI: wait for a file"
	stub true
	cd w || return 1
	mkdir -p out staging
	doc_start "$TEXT"
	wait_for_log "$READY_ERE"
}

readme_ci_ends() {
	wait_exit
	[ "$wr_status" -eq 0 ]
	[ "$(calls true)" -eq 1 ]
	call_var true 1 WATCHRUN_PATH "$1"
	call_var true 1 WATCHRUN_EVENTS "$2"
}

@test "readme-ci: ends once the report is written, not on another file" {
	readme_ci_start
	echo x >out/other.xml
	echo x >out/report.xml
	readme_ci_ends out/report.xml WRITE
	call_var true 1 WATCHRUN_COUNT 1
}

@test "readme-ci: ends once the report is renamed into place" {
	readme_ci_start
	echo x >staging/report.xml
	mv staging/report.xml out/report.xml
	readme_ci_ends out/report.xml MOVED_TO
}

@test "readme-ci: ends when the report comes in a new directory (mkdir -p && echo)" {
	readme_ci_start
	# While watchrun is stopped, so that only its scan can find the file.
	freeze
	mkdir -p out/a/b && echo x >out/a/b/report.xml
	thaw
	readme_ci_ends out/a/b/report.xml 'WRITE|CREATE'
}

@test "readme-ci: ends when the report comes in a directory copied with cp -r" {
	readme_ci_start
	mkdir -p staging/release
	echo x >staging/release/report.xml
	freeze
	cp -r staging/release out/
	thaw
	readme_ci_ends out/release/report.xml 'WRITE|CREATE'
}

@test "readme-ci: ends when the report comes unpacked by tar x" {
	readme_ci_start
	mkdir -p staging/release
	echo x >staging/release/report.xml
	tar -C staging -cf release.tar release
	freeze
	tar -C out -xf release.tar
	thaw
	readme_ci_ends out/release/report.xml 'WRITE|CREATE'
}

@test "readme-ci: ends when the report comes in a directory moved in" {
	readme_ci_start
	mkdir -p staging/release/sub
	echo x >staging/release/sub/report.xml
	mv staging/release out/release
	readme_ci_ends out/release/sub/report.xml MOVED_TO
}

@test "readme-print: --print -w . prints the events, not its own output's changes nor directory reads" {
	doc_text README.md 'cmd watchrun --print -w .                        # show the decoded events'
	cd w
	# Standard output and standard error are files in the watched tree.
	OUT=$T/w/events ERR=$T/w/log doc_start "$TEXT"
	wait_for_log "$READY_ERE" "$T/w/log"
	echo x >f
	mkdir d
	ls d >/dev/null
	mkdir zz-end
	wait_for_log '^CREATE\|ISDIR zz-end/$' events
	cat >"$T/expected" <<'EOF2'
CREATE f
OPEN f
MODIFY f
WRITE f
CREATE|ISDIR d/
CREATE|ISDIR zz-end/
EOF2
	diff_short "$T/expected" events
}

@test "readme-rules: the Watchfile passes --check, and each of its rules runs" {
	doc_rec README.md 'rules Watchfile'
	stub make
	cd w
	cp "$REC.text" Watchfile
	stub_at ./run-tests run-tests
	mkdir -p src include .git
	echo 'all:' >Makefile
	run_sync --check
	[ "$rc" -eq 0 ]
	sed -n 's/^rule //p' "$T/sout" >"$T/rules"
	[ "$(wc -l <"$T/rules")" -eq 3 ]
	start_ready
	echo x >include/a.h
	echo x >src/a_test.c
	echo x >src/a.o
	echo 'all: x' >Makefile
	wait_until ran_every_rule
	call_argv run-tests 1 src/a_test.c
	# make, or make clean all for the Makefile's rule
	for ((n = 1; n <= $(calls make); n++)); do
		if [ "$(cat "$(call_file make "$n" WATCHRUN_RULE)")" = \
		    "$(sed -n 3p "$T/rules")" ]; then
			call_argv make "$n" clean all
			call_var make "$n" WATCHRUN_PATH Makefile
		else
			call_argv make "$n"
		fi
	done
}

# Every rule listed in $T/rules ran, as the calls' WATCHRUN_RULE say.
ran_every_rule() {
	local r f

	while read -r r; do
		for f in "$T"/calls/*/*/WATCHRUN_RULE; do
			[ -e "$f" ] && cat "$f" && echo
		done | grep -qxF -- "$r" || return 1
	done <"$T/rules"
}

# The recipes

# vim_save FILE TEXT: saves FILE as vim does: its swap file, the 4913
# probe, a backup, then the file written, then the swap file gone.
vim_save() {
	local d=${1%/*} b=${1##*/}

	echo swap >"$d/.$b.swp"
	: >"$d/4913" && rm "$d/4913"
	cp "$1" "$1~"
	printf '%s\n' "$2" >"$1"
	rm "$1~" "$d/.$b.swp"
}

@test "recipe-make: in a git work tree, make runs once per save; what the build writes sets off nothing" {
	doc_text README.md 'cmd watchrun -- make'
	real_make=$(command -v make)
	stub make "exec '$real_make' \"\$@\""
	cd w
	git init -q .
	mkdir src
	printf 'int main(void) { return 0; }\n' >src/main.c
	printf 'hello: main.o\n\t$(CC) -o hello main.o\nmain.o: src/main.c\n\t$(CC) -c -o main.o src/main.c\n' >Makefile
	printf '%s\n' '*.o' /hello >.gitignore
	doc_start "$TEXT"
	wait_for_log "$READY_ERE"
	vim_save src/main.c 'int main(void) { return 1; }'
	wait_calls make 1
	call_var make 1 WATCHRUN_PATH src/main.c
	call_var make 1 WATCHRUN_COUNT 1
	wait_until file_has "$T/log" 'exited 0 after'
	[ -x hello ]
	# The next save makes the next run, with nothing of the build's in
	# its batch.
	vim_save src/main.c 'int main(void) { return 2; }'
	wait_calls make 2
	call_var make 2 WATCHRUN_PATH src/main.c
	call_var make 2 WATCHRUN_COUNT 1
	wait_until count_at_least 2 "$T/log" 'exited 0 after'
	[ "$(calls make)" -eq 2 ]
}

@test "recipe-pytest: pytest gets the test file saved, in {} and in \"\$@\"" {
	local key

	stub pytest
	for key in "-- pytest {}" "-s 'pytest \"\$@\"'"; do
		doc_text README.md "cmd watchrun -r '^tests/test_[^/]*\\.py\$' -e 'WRITE|MOVED_TO' $key"
		rm -rf w "$T/calls/pytest"
		mkdir -p w/tests "$T/calls/pytest"
		(
			cd w || exit 1
			doc_start "$TEXT"
			echo "$WR_PID" >"$T/wr.pid"
			wait_for_log "$READY_ERE"
			echo x >tests/helper.py
			echo x >tests/test_a.py
			wait_calls pytest 1
			call_argv pytest 1 tests/test_a.py
			call_var pytest 1 WATCHRUN_COUNT 1
		)
		kill -TERM -- "-$(cat "$T/wr.pid")"
		WR_PID=$(cat "$T/wr.pid")
		wait_exit
	done
}

@test "recipe-server: the server starts at once, and a change restarts it" {
	doc_text README.md 'cmd watchrun -i -R -- ./server'
	cd w
	stub_at ./server server 'exec tail -f /dev/null'
	doc_start "$TEXT"
	wait_calls server 1
	call_var server 1 WATCHRUN_COUNT 0
	read -r _ server1 _ <"$(call_file server 1 ids)"
	wait_for_log "$READY_ERE"
	echo x >app.c
	wait_calls server 2
	call_var server 2 WATCHRUN_PATH app.c
	proc_gone "$server1"
}

@test "recipe-format: clang-format -i formats each file saved once; its own write sets off nothing" {
	doc_text README.md "cmd watchrun --no-loop -r '\\.c\$' -e 'WRITE|MOVED_TO' -- clang-format -i {}"
	stub clang-format 'for f; do [ "$f" = -i ] || echo "/* formatted */" >>"$f"; done'
	cd w
	doc_start "$TEXT"
	wait_for_log "$READY_ERE"
	echo x >a.c
	wait_calls clang-format 1
	call_argv clang-format 1 -i a.c
	wait_until file_has "$T/log" ' \(a\.c\): exited 0 after '
	grep -q formatted a.c
	wr_read_past sync
	echo x >b.c
	wait_calls clang-format 2
	call_argv clang-format 2 -i b.c
}

README_CI="cmd watchrun --once --existing --wait-timeout 10m -w dist -r '^dist/app\\.tar\\.gz\$' -e 'WRITE|MOVED_TO' -- true"

@test "recipe-ci: exits 0 once the artefact is written" {
	ci_recipe_written README.md "$README_CI"
}

@test "recipe-ci: exits 0 once the artefact is renamed into place" {
	ci_recipe_renamed README.md "$README_CI"
}

@test "recipe-ci: exits 0 at once when the artefact is there already" {
	ci_recipe_there README.md "$README_CI"
}

@test "recipe-ci: exits 124 when the wait times out, and runs nothing" {
	ci_recipe_late README.md "$README_CI"
}

# doc/watchrun.1

@test "man-json: the Python reader gives the exact bytes of each path back" {
	doc_text doc/watchrun.1 "cmd watchrun --json | python3 -c 'import json, sys"
	cd w
	# Unbuffered, so that each path comes out as soon as it is read.
	PYTHONUNBUFFERED=1 OUT=$T/py.out doc_start "$TEXT"
	wait_for_log "$READY_ERE"
	name=$(printf 'caf\351 \033[1m\\"q')
	: >"$name"
	wait_until file_has "$T/py.out" .
	# Every line is the name, byte for byte.
	while IFS= read -r line; do
		expect_eq path "$name" "$line"
	done <"$T/py.out"
}

@test "man-make: make runs on a C source, a header or a makefile saved, not on other files" {
	doc_text doc/watchrun.1 "cmd watchrun -r '\\.[ch]\$|(^|/)Makefile\$' -- make"
	stub make
	cd w
	mkdir lib
	doc_start "$TEXT"
	wait_for_log "$READY_ERE"
	echo x >Makefile.bak
	echo x >lib/Makefile
	wait_calls make 1
	call_argv make 1
	call_var make 1 WATCHRUN_PATH lib/Makefile
	call_var make 1 WATCHRUN_COUNT 1
	echo x >notes.txt
	echo x >lib/a.h
	wait_calls make 2
	call_var make 2 WATCHRUN_PATH lib/a.h
	call_var make 2 WATCHRUN_COUNT 1
	echo x >a.c
	wait_calls make 3
	call_var make 3 WATCHRUN_PATH a.c
}

@test "man-server: the server starts at once; a change stops it, with SIGKILL after 5 s, before the build" {
	doc_text doc/watchrun.1 "cmd watchrun -i -R --stop-timeout 5s -w src -r '\\.[ch]\$' \\"
	stub make
	cd w
	mkdir src
	# A server that ignores SIGTERM.
	stub_at ./server server "trap '' TERM
exec tail -f /dev/null"
	doc_start "$TEXT"
	wait_calls server 1
	call_argv make 1 server
	call_var make 1 WATCHRUN_COUNT 0
	call_argv server 1
	wait_for_log "$READY_ERE"
	# exec: the server is the run's first process, the shell is gone.
	read -r _ server1 pgid _ <"$(call_file server 1 ids)"
	expect_eq "server's pid" "$pgid" "$server1"
	echo x >src/b.c
	saved=$EPOCHREALTIME
	WAIT_TIMEOUT=20 wait_calls make 2
	proc_gone "$server1"
	grep -qE '^watchrun: command-line:1: make server && exec \./server: killed by SIGKILL after [5-9]\.[0-9]{3}s$' "$T/log"
	call_var make 2 WATCHRUN_PATH src/b.c
	(($(elapsed_ms "$saved" "$(cat "$(call_file make 2 start)")") >= 5000))
	call_argv make 2 server
	wait_calls server 2
}

@test "man-pytest: pytest gets the test files saved or renamed into place, in order" {
	doc_text doc/watchrun.1 "cmd watchrun -r '^tests/test_[^/]*\\.py\$' -e 'WRITE|MOVED_TO' \\"
	stub pytest
	cd w
	mkdir -p tests/sub
	echo x >tests/test_old.py
	doc_start "$TEXT"
	wait_for_log "$READY_ERE"
	rm tests/test_old.py
	echo x >tests/helper.py
	echo x >tests/sub/test_x.py
	echo x >tests/test_a.py
	echo x >tmp.py
	mv tmp.py tests/test_b.py
	wait_until some_call_got pytest tests/test_b.py
	call_args pytest >got
	printf '%s\n' tests/test_a.py tests/test_b.py >expected
	diff -u expected got
}

@test "man-shellcheck: shellcheck gets -- and each script saved as an argument; no deleted file" {
	doc_text doc/watchrun.1 "cmd watchrun -r '\\.sh\$' -e 'WRITE|MOVED_TO' -- shellcheck -- {}"
	stub shellcheck
	cd w
	echo x >old.sh
	doc_start "$TEXT"
	wait_for_log "$READY_ERE"
	rm old.sh
	echo x >./-x.sh
	echo x >notes.txt
	echo x >'b c.sh'
	echo x >zz.sh
	wait_until some_call_got shellcheck zz.sh
	for ((n = 1; n <= $(calls shellcheck); n++)); do
		[ "$(head -zn 1 "$(call_file shellcheck "$n" argv)" |
		    tr -d '\0')" = -- ]
	done
	call_args shellcheck | grep -vxF -- -- >got
	printf '%s\n' -x.sh 'b c.sh' zz.sh >expected
	diff -u expected got
}

# The CI wait for dist/app.tar.gz, as FILE shows it with KEY: ci_wait_*.
ci_recipe_start() {
	doc_text "$1" "$2"
	stub true
	cd w || return 1
	mkdir -p dist
	doc_start "$TEXT"
	wait_for_log "$READY_ERE"
}

ci_recipe_written() {
	ci_recipe_start "$@"
	echo x >dist/app.tar
	echo x >dist/app.tar.gz
	readme_ci_ends dist/app.tar.gz WRITE
}

ci_recipe_renamed() {
	ci_recipe_start "$@"
	echo x >app.tmp
	mv app.tmp dist/app.tar.gz
	readme_ci_ends dist/app.tar.gz MOVED_TO
}

ci_recipe_there() {
	mkdir -p w/dist
	echo x >w/dist/app.tar.gz
	echo x >w/dist/app.tar
	ci_recipe_start "$@"
	readme_ci_ends dist/app.tar.gz 'WRITE|CREATE'
}

# The wait that times out: the text with its 10m made 1s, and no other
# change.
ci_recipe_late() {
	local short

	doc_text "$1" "$2"
	short=${TEXT/ --wait-timeout 10m / --wait-timeout 1s }
	[ "$short" != "$TEXT" ]
	[ "${short/--wait-timeout 1s/--wait-timeout 10m}" = "$TEXT" ]
	stub true
	cd w || return 1
	mkdir dist
	echo x >dist/app.tar
	doc_run "$short"
	[ "$rc" -eq 124 ]
	[ "$(calls true)" -eq 0 ]
}

MAN_CI="cmd watchrun --once --existing --wait-timeout 10m -w dist \\"

@test "man-ci: exits 0 once the artefact is written" {
	ci_recipe_written doc/watchrun.1 "$MAN_CI"
}

@test "man-ci: exits 0 once the artefact is renamed into place from outside the tree" {
	ci_recipe_renamed doc/watchrun.1 "$MAN_CI"
}

@test "man-ci: exits 0 at once when the artefact is there already" {
	ci_recipe_there doc/watchrun.1 "$MAN_CI"
}

@test "man-ci: exits 124 when the wait times out, and runs nothing" {
	ci_recipe_late doc/watchrun.1 "$MAN_CI"
}

@test "man-explain: --explain names the ignore that hides each path, or the rules it sets off" {
	local key

	cd w
	mkdir .git
	doc_rec doc/watchrun.1 'rules .gitignore'
	cp "$REC.text" .gitignore
	doc_rec doc/watchrun.1 'rules Watchfile'
	cp "$REC.text" Watchfile
	: >"$T/all.out"
	for key in 'src/main.o' 'node_modules/react/index.js' x.tmp \
	    "x.bak -x 'bak\$'" src/keep.o src/main.c; do
		doc_rec doc/watchrun.1 "cmd watchrun --explain $key"
		doc_run "$(cat "$REC.text")"
		[ "$rc" -eq 0 ]
		diff -u "$REC.out" "$T/sout"
		[ ! -s "$T/serr" ]
		cat "$REC.out" >>"$T/all.out"
	done
	# The lines that "Ignoring" shows are among these, or the one of
	# --explain .git/config.
	cat "$(rec_path doc/watchrun.1 'cmd watchrun --explain .git/config').out" \
	    >>"$T/all.out"
	sed -n '/^\.Ss Ignoring/,/^\.Ss Events/p' "$SRC/doc/watchrun.1" |
	    awk '/^\.Bd -literal/ { b = 1; next } /^\.Ed/ { b = 0 } b' |
	    sed 's/^\\&//' >shown
	[ "$(wc -l <shown)" -ge 7 ]
	while IFS= read -r line; do
		grep -qxF -- "$line" "$T/all.out" ||
		    { echo "# not printed: $line" >&2; false; }
	done <shown
}

@test "man-print: --print shows the events of an editor's rename-over save" {
	doc_text doc/watchrun.1 'cmd watchrun --print'
	cd w
	doc_start "$TEXT"
	wait_for_log "$READY_ERE"
	echo x >f.c.tmp
	mv f.c.tmp f.c
	mkdir zz-end
	wait_for_log '^CREATE\|ISDIR zz-end/$' "$T/wr.out"
	cat >"$T/expected" <<'EOF2'
CREATE f.c.tmp
OPEN f.c.tmp
MODIFY f.c.tmp
WRITE f.c.tmp
MOVED_FROM f.c.tmp
MOVED_TO f.c
CREATE|ISDIR zz-end/
EOF2
	diff_short "$T/expected" "$T/wr.out"
}

@test "man-print-all: --print -e ALL -r '\\.c\$' -w src shows every event on C files, reads included" {
	doc_text doc/watchrun.1 "cmd watchrun --print -e ALL -r '\\.c\$' -w src"
	cd w
	mkdir src
	echo x >src/a.c
	doc_start "$TEXT"
	wait_for_log "$READY_ERE"
	cat src/a.c >/dev/null
	echo x >src/a.h
	: >src/zz.c
	wait_for_log '^WRITE src/zz\.c$' "$T/wr.out"
	cat >"$T/expected" <<'EOF2'
OPEN src/a.c
ACCESS src/a.c
CLOSE src/a.c
CREATE src/zz.c
OPEN src/zz.c
WRITE src/zz.c
EOF2
	diff_short "$T/expected" "$T/wr.out"
}

@test "man-check: a build.Watchfile with errors stops at --check, and runs nothing" {
	doc_text doc/watchrun.1 'cmd watchrun --check -f build.Watchfile && watchrun -f build.Watchfile'
	cd w
	printf 'wach src\n\\.c$ WRTE make\n' >build.Watchfile
	doc_run "$TEXT"
	[ "$rc" -eq 2 ]
	grep -q "^build.Watchfile:1:1: unknown directive 'wach'" "$T/serr"
	refute grep -q 'ready' "$T/serr"
}

@test "man-check: a valid build.Watchfile is printed, then run" {
	doc_text doc/watchrun.1 'cmd watchrun --check -f build.Watchfile && watchrun -f build.Watchfile'
	stub make
	cd w
	printf '\\.c$ WRITE make\n' >build.Watchfile
	doc_start "$TEXT"
	wait_for_log "$READY_ERE"
	grep -qx 'rule build.Watchfile:1' "$T/wr.out"
	echo x >a.c
	wait_calls make 1
	call_var make 1 WATCHRUN_RULE build.Watchfile:1
}

@test "man-sysctl: the sysctl key exists; the sysctl.d line writes it (form only: changes the machine)" {
	doc_text doc/watchrun.1 'root sysctl fs.inotify.max_user_watches=524288'
	# Form only: it would change the machine's limit.
	setting=${TEXT#sysctl }
	setting=${setting%$'\n'}
	key=${setting%%=*}
	[ -r "/proc/sys/${key//.//}" ]
	sysctl -n "$key" >/dev/null
	doc_text doc/watchrun.1 'root echo fs.inotify.max_user_watches=524288 \'
	sh -n -c "$TEXT"
	# The file it writes holds the same setting: run it where
	# /etc/sysctl.d is a private tmpfs, when that can be done.
	if [ "$(id -u)" -eq 0 ] && unshare -m true 2>/dev/null; then
		unshare -m sh -c 'mount -t tmpfs none /etc/sysctl.d &&
		    sh -c "$1" && cat /etc/sysctl.d/90-inotify.conf' sh \
		    "$TEXT" >got
		expect_value got "$setting
"
	fi
}

@test "man-systemd: the unit copied is the unit enabled; systemctl gets the lines as shown (form only: changes the machine)" {
	doc_text doc/watchrun.1 'root cp watchrun.service /etc/systemd/system/'
	# Form only: it would install a unit on this machine.
	sh -n -c "$TEXT"
	read -r _ unit dest <<<"$TEXT"
	[ -f "$SRC/examples/$unit" ]
	[ "$dest" = /etc/systemd/system/ ]
	stub systemctl
	doc_text doc/watchrun.1 'root systemctl daemon-reload'
	doc_run "$TEXT"
	doc_text doc/watchrun.1 'root systemctl enable --now watchrun.service'
	doc_run "$TEXT"
	call_argv systemctl 1 daemon-reload
	call_argv systemctl 2 enable --now "$unit"
}

# user_unit_enabled N: call N of systemctl enabled the template's
# instance for ~/src/app: the directory is the instance, escaped.
user_unit_enabled() {
	local inst

	call_argv systemctl "$1" --user enable --now \
	    "watchrun@$(systemd-escape --path "$HOME/src/app").service"
	inst=$(tr '\0' '\n' <"$(call_file systemctl "$1" argv)" | tail -n 1)
	inst=${inst#watchrun@}
	inst=${inst%.service}
	# What the template's WorkingDirectory=%f makes of it.
	expect_eq "%f" "$HOME/src/app" \
	    "$(systemd-escape --unescape --path -- "$inst")"
}

@test "man-systemd-user: the template lands in the user's unit directory; systemctl --user enables the instance of ~/src/app" {
	command -v systemd-escape >/dev/null || skip "no systemd-escape"
	export HOME=$T/home
	mkdir -p "$HOME/src/app"
	cp "$SRC/examples/watchrun@.service" .
	stub systemctl
	doc_text doc/watchrun.1 'cmd mkdir -p ~/.config/systemd/user && cp watchrun@.service ~/.config/systemd/user/'
	doc_run "$TEXT"
	[ "$rc" -eq 0 ]
	cmp "$SRC/examples/watchrun@.service" \
	    "$HOME/.config/systemd/user/watchrun@.service"
	doc_text doc/watchrun.1 'cmd systemctl --user daemon-reload'
	doc_run "$TEXT"
	doc_text doc/watchrun.1 'cmd systemctl --user enable --now "watchrun@$(systemd-escape --path ~/src/app).service"'
	doc_run "$TEXT"
	call_argv systemctl 1 --user daemon-reload
	user_unit_enabled 2
}

# doc/watchrun.1: an example for each option

# wr_main: the pid of watchrun, started by doc_start in the group WR_PID.
wr_main() {
	local p

	for p in $(group_pids "$WR_PID"); do
		is_watchrun "$(cat "/proc/$p/comm" 2>/dev/null)" &&
		    echo "$p" && return 0
	done
	return 1
}

# is_watchrun COMM: a process named COMM is watchrun; under valgrind
# (tests/system/valgrind-watchrun) it goes by valgrind's tool's name.
is_watchrun() {
	[ "$1" = watchrun ] ||
	    { [ -n "${VG_LOGDIR:-}" ] && [ "$1" = memcheck-amd64- ]; }
}

# wr_idle: watchrun waits in epoll_wait, done with all it was doing.
wr_idle() {
	local p

	p=$(wr_main) && [ "$(cat "/proc/$p/wchan" 2>/dev/null)" = do_epoll_wait ]
}

# wr_watches INO: watchrun has a watch on the inode INO.
wr_watches() {
	local p f

	p=$(wr_main) || return 1
	for f in "/proc/$p/fdinfo/"*; do
		grep -q "^inotify wd:.* ino:$(printf '%x' "$1") " "$f" 2>/dev/null &&
		    return 0
	done
	return 1
}

# wr_read_past DIR: makes the directory DIR in a watched tree and waits
# until watchrun watches it: by then it has read every event before.
wr_read_past() {
	mkdir "$1" || return 1
	wait_until wr_watches "$(stat -c %i "$1")"
}

# count_at_least N FILE ERE: N lines of FILE, or more, match ERE.
count_at_least() {
	[ -e "$2" ] && (($(grep -cE -- "$3" "$2") >= $1))
}

# wr_commands: the commands watchrun runs now: its children in its own
# session (the guardian has a session of its own).
wr_commands() {
	local p c n=0

	p=$(wr_main) || return 1
	for c in $(cat "/proc/$p/task/$p/children"); do
		[ "$(proc_field "$c" session)" = "$(proc_field "$p" session)" ] &&
		    n=$((n + 1))
	done
	echo "$n"
}

@test "opt-f: -f reads the rules of the file named, its watch lines relative to the current directory" {
	doc_text doc/watchrun.1 'cmd watchrun -f tools/docs.Watchfile'
	stub make
	cd w
	mkdir -p tools/doc doc
	cat >tools/docs.Watchfile <<'EOF2'
watch doc
'\.md$' WRITE make docs
EOF2
	# A ./Watchfile that does not parse: it must not be read.
	echo 'wach' >Watchfile
	doc_start "$TEXT"
	wait_for_log "$READY_ERE"
	echo x >tools/doc/a.md
	echo x >doc/b.md
	wait_calls make 1
	call_argv make 1 docs
	call_var make 1 WATCHRUN_PATH doc/b.md
	call_var make 1 WATCHRUN_COUNT 1
	call_var make 1 WATCHRUN_RULE tools/docs.Watchfile:2
}

@test "opt-w: -w src -w include: make runs on changes below them, not elsewhere" {
	doc_text doc/watchrun.1 'cmd watchrun -w src -w include -- make'
	stub make
	cd w
	mkdir src include lib
	doc_start "$TEXT"
	wait_for_log '^watchrun: ready, watching 2 directories with inotify$'
	echo x >lib/a.c
	echo x >include/a.h
	wait_calls make 1
	call_argv make 1
	call_var make 1 WATCHRUN_PATH include/a.h
	call_var make 1 WATCHRUN_COUNT 1
	echo x >src/a.c
	wait_calls make 2
	call_var make 2 WATCHRUN_PATH src/a.c
}

@test "opt-x: -x leaves log files and tmp/ out" {
	doc_text doc/watchrun.1 "cmd watchrun -x '\\.log\$' -x '^tmp/' -- make"
	stub make
	cd w
	mkdir tmp src
	doc_start "$TEXT"
	wait_for_log '^watchrun: ready, watching 2 directories with inotify$'
	echo x >build.log
	echo x >tmp/a.c
	echo x >src/a.c
	wait_calls make 1
	call_var make 1 WATCHRUN_PATH src/a.c
	call_var make 1 WATCHRUN_COUNT 1
}

@test "opt-no-default-ignores: --print shows what happens in .git/refs/heads/" {
	doc_text doc/watchrun.1 "cmd watchrun --print --no-default-ignores -r '^\\.git/refs/heads/'"
	cd w
	mkdir -p .git/refs/heads
	doc_start "$TEXT"
	wait_for_log "$READY_ERE"
	echo x >.git/HEAD
	echo x >.git/refs/heads/main.lock
	mv .git/refs/heads/main.lock .git/refs/heads/main
	wait_for_log '^MOVED_TO \.git/refs/heads/main$' "$T/wr.out"
	grep -qx 'WRITE .git/refs/heads/main.lock' "$T/wr.out"
	refute grep -v ' \.git/refs/heads/' "$T/wr.out"
}

@test "opt-no-vcs-ignore: ./deploy gets what is written below dist/, which .gitignore lists" {
	doc_text doc/watchrun.1 "cmd watchrun --no-vcs-ignore -r '^dist/' -e 'WRITE|MOVED_TO' -- ./deploy {}"
	cd w
	mkdir .git dist
	echo 'dist/' >.gitignore
	stub_at ./deploy deploy
	# Without the option, git's rules hide it.
	[ "$(watchrun --explain dist/app.js)" = 'dist/app.js: ignored, being in dist/, by .gitignore:1: dist/' ]
	doc_start "$TEXT"
	wait_for_log "$READY_ERE"
	echo x >dist/app.js
	wait_calls deploy 1
	call_argv deploy 1 dist/app.js
}

@test "opt-r: -r '^src/[^/]*\\.c\$': a C file directly in src/, not below it" {
	doc_text doc/watchrun.1 "cmd watchrun -r '^src/[^/]*\\.c\$' -- make"
	stub make
	cd w
	mkdir -p src/lib
	doc_start "$TEXT"
	wait_for_log "$READY_ERE"
	echo x >src/lib/a.c
	echo x >a.c
	echo x >src/b.c
	wait_calls make 1
	call_var make 1 WATCHRUN_PATH src/b.c
	call_var make 1 WATCHRUN_COUNT 1
}

@test "opt-e: -e DELETE: a deleted file is said, a created one is not" {
	doc_text doc/watchrun.1 "cmd watchrun -e DELETE -s 'echo deleted: \"\$@\"'"
	cd w
	echo x >old
	doc_start "$TEXT"
	wait_for_log "$READY_ERE"
	echo x >new
	rm old
	wait_until file_has "$T/log" ' \(old\): exited 0 after '
	expect_value "$T/wr.out" 'deleted: old
'
}

@test "opt-d: -d 2s: make runs once 2 s have passed with no change, with both changes" {
	doc_text doc/watchrun.1 'cmd watchrun -d 2s -- make'
	stub make
	cd w
	doc_start "$TEXT"
	wait_for_log "$READY_ERE"
	echo x >a
	echo x >b
	t=$EPOCHREALTIME
	wait_calls make 1
	call_var make 1 WATCHRUN_COUNT 2
	ms=$(elapsed_ms "$t" "$(cat "$(call_file make 1 start)")")
	echo "# make ran ${ms}ms after the last change"
	((ms >= 1900))
}

@test "opt-max-wait: --max-wait 2s: a log written to all the time gets a run after about 2 s" {
	doc_text doc/watchrun.1 "cmd watchrun --max-wait 2s -r '\\.log\$' -- ./summarise"
	cd w
	stub_at ./summarise summarise
	doc_start "$TEXT"
	wait_for_log "$READY_ERE"
	# A write every 10ms: the debounce period of 100ms never passes.  (It
	# naps in read -t, not in sleep: a process started every 10ms would
	# leave gaps on a loaded machine.)
	bash -c 't0=$EPOCHREALTIME; printf %s "$t0" >"$T/t0"
		exec {nap}<> <(:)
		until [ -e "$T/stop" ]; do
			echo x >>app.log
			read -rt 0.01 -u "$nap"
		done
		: >"$T/stopped"' </dev/null >/dev/null 2>&1 3>&- &
	WAIT_TIMEOUT=20 wait_calls summarise 1
	[ ! -e "$T/stopped" ]
	ms=$(elapsed_ms "$(cat "$T/t0")" "$(cat "$(call_file summarise 1 start)")")
	: >"$T/stop"
	echo "# the first run came ${ms}ms after the first write"
	call_var summarise 1 WATCHRUN_PATH app.log
	# Not before 2 s, and well before the default 10 s.
	((ms >= 1900 && ms < 6000))
}

@test "opt-s: -s runs the shell text with the paths in \"\$@\"" {
	doc_text doc/watchrun.1 "cmd watchrun -r '\\.c\$' -e 'WRITE|MOVED_TO' -s 'cc -c -- \"\$@\" && echo compiled \$#'"
	stub cc
	cd w
	doc_start "$TEXT"
	wait_for_log "$READY_ERE"
	echo x >'my file.c'
	wait_calls cc 1
	call_argv cc 1 -c -- 'my file.c'
	wait_for_log '^compiled 1$' "$T/wr.out"
}

@test "opt-i: -i runs make at once with an empty batch, then on changes" {
	doc_text doc/watchrun.1 'cmd watchrun -i -- make'
	stub make
	cd w
	echo x >old.c
	doc_start "$TEXT"
	wait_calls make 1
	call_argv make 1
	call_var make 1 WATCHRUN_COUNT 0
	wait_for_log "$READY_ERE"
	echo x >a.c
	wait_calls make 2
	call_var make 2 WATCHRUN_PATH a.c
	call_var make 2 WATCHRUN_COUNT 1
}

@test "opt-existing: --existing: ./process gets the file already in inbox/, then each new one" {
	doc_text doc/watchrun.1 "cmd watchrun --existing -w inbox -e 'WRITE|MOVED_TO' -- ./process {}"
	cd w
	stub_at ./process process
	mkdir inbox
	echo x >inbox/old
	doc_start "$TEXT"
	wait_calls process 1
	call_argv process 1 inbox/old
	call_var process 1 WATCHRUN_EVENTS 'WRITE|CREATE'
	wait_for_log "$READY_ERE"
	echo x >inbox/new
	wait_calls process 2
	call_argv process 2 inbox/new
}

@test "opt-R: -R restarts node on each change to a .js file" {
	doc_text doc/watchrun.1 "cmd watchrun -R -r '\\.js\$' -- node server.js"
	stub node 'exec tail -f /dev/null'
	cd w
	doc_start "$TEXT"
	wait_for_log "$READY_ERE"
	echo x >a.js
	wait_calls node 1
	call_argv node 1 server.js
	read -r _ node1 _ <"$(call_file node 1 ids)"
	echo x >b.js
	wait_calls node 2
	call_var node 2 WATCHRUN_PATH b.js
	proc_gone "$node1"
}

@test "opt-on-busy: --on-busy ignore drops the files saved while an import runs" {
	doc_text doc/watchrun.1 "cmd watchrun --on-busy ignore -r '\\.csv\$' -- ./import {}"
	cd w
	stub_at ./import import "if [ -e '$T/block' ]; then : >'$T/blocked'
while [ -e '$T/block' ]; do sleep 0.01; done; fi"
	: >"$T/block"
	doc_start "$TEXT"
	wait_for_log "$READY_ERE"
	echo x >a.csv
	wait_until test -e "$T/blocked"
	echo x >b.csv
	wr_read_past sync
	rm "$T/block"
	wait_until file_has "$T/log" ' \(a\.csv\): exited 0 after '
	echo x >c.csv
	wait_calls import 2
	call_argv import 2 c.csv
}

@test "opt-signal: -i --signal HUP starts the server at once; a change sends it SIGHUP, no new run" {
	doc_text doc/watchrun.1 'cmd watchrun -i --signal HUP -w conf -- ./server -c conf/server.conf'
	cd w
	stub_at ./server server "trap 'echo HUP >>\"$T/got\"' HUP
: >'$T/up'
while :; do sleep 0.05; done"
	mkdir conf
	echo x >conf/server.conf
	doc_start "$TEXT"
	wait_until test -e "$T/up"
	call_argv server 1 -c conf/server.conf
	call_var server 1 WATCHRUN_COUNT 0
	read -r _ server1 _ <"$(call_file server 1 ids)"
	echo y >conf/server.conf
	wait_until file_has "$T/got" '^HUP$'
	echo z >conf/server.conf
	wait_until count_at_least 2 "$T/got" '^HUP$'
	expect_value "$T/got" 'HUP
HUP
'
	proc_alive "$server1"
	[ "$(calls server)" -eq 1 ]
}

@test "opt-no-loop: --no-loop: gofmt's own write does not set it off again" {
	doc_text doc/watchrun.1 "cmd watchrun --no-loop -r '\\.go\$' -e 'WRITE|MOVED_TO' -- gofmt -w {}"
	stub gofmt 'for f; do [ "$f" = -w ] || echo "// formatted" >>"$f"; done'
	cd w
	doc_start "$TEXT"
	wait_for_log "$READY_ERE"
	echo x >a.go
	wait_calls gofmt 1
	call_argv gofmt 1 -w a.go
	wait_until file_has "$T/log" ' \(a\.go\): exited 0 after '
	grep -q formatted a.go
	wr_read_past sync
	echo x >b.go
	wait_calls gofmt 2
	call_argv gofmt 2 -w b.go
}

@test "opt-j: -j 1: of two rules set off together, the second runs once the first has ended" {
	doc_text doc/watchrun.1 'cmd watchrun -j 1'
	stub make "if [ \$# -eq 0 ] && [ ! -e '$T/release' ]; then : >'$T/holding'
while [ ! -e '$T/release' ]; do sleep 0.01; done; fi"
	cd w
	cat >Watchfile <<'EOF2'
debounce 0
'\.c$' WRITE make
'\.c$' WRITE make check
EOF2
	doc_start "$TEXT"
	wait_for_log "$READY_ERE"
	echo x >a.c
	wait_until test -e "$T/holding"
	# Both fell due at once: without the limit, both would run now.
	wait_until wr_idle
	[ "$(wr_commands)" -eq 1 ]
	[ "$(calls make)" -eq 1 ]
	call_argv make 1
	: >"$T/release"
	wait_calls make 2
	call_argv make 2 check
	call_var make 2 WATCHRUN_PATH a.c
}

@test "opt-run-timeout: --once --run-timeout 2s: a smoke test that hangs is stopped, exit 124" {
	doc_text doc/watchrun.1 'cmd watchrun --once --run-timeout 2s -- ./smoke-test'
	cd w
	stub_at ./smoke-test smoke-test 'exec tail -f /dev/null'
	doc_start "$TEXT"
	wait_for_log "$READY_ERE"
	echo x >a
	wait_calls smoke-test 1
	read -r _ pid pgid _ <"$(call_file smoke-test 1 ids)"
	wait_exit
	[ "$wr_status" -eq 124 ]
	ms=$(elapsed_ms "$(cat "$(call_file smoke-test 1 start)")" "$EPOCHREALTIME")
	echo "# watchrun exited ${ms}ms after the run began"
	grep -qE '^watchrun: command-line:1: \./smoke-test \(a\): timed out, killed by SIGTERM after [0-9]+\.[0-9]{3}s$' "$T/log"
	proc_gone "$pid"
	group_empty "$pgid"
	((ms >= 1900))
}

@test "opt-stop-signal: -R --stop-signal INT: the server is sent SIGINT, not SIGTERM" {
	doc_text doc/watchrun.1 'cmd watchrun -R --stop-signal INT -- ./server'
	cd w
	stub_at ./server server "trap 'echo INT >>\"$T/got\"; exit 0' INT
trap 'echo TERM >>\"$T/got\"; exit 0' TERM
echo up >>'$T/up'
while :; do sleep 0.05; done"
	doc_start "$TEXT"
	wait_for_log "$READY_ERE"
	echo x >a
	wait_until file_has "$T/up" .
	echo x >b
	wait_calls server 2
	expect_value "$T/got" 'INT
'
	grep -qE '^watchrun: command-line:1: \./server \(a\): exited 0 after ' "$T/log"
}

@test "opt-stop-timeout: -R --stop-timeout 1s: a server that ignores SIGTERM is killed 1 s after it" {
	doc_text doc/watchrun.1 'cmd watchrun -R --stop-timeout 1s -- ./server'
	cd w
	stub_at ./server server "trap '' TERM
echo up >>'$T/up'
exec tail -f /dev/null"
	doc_start "$TEXT"
	wait_for_log "$READY_ERE"
	echo x >a
	wait_until file_has "$T/up" .
	read -r _ server1 _ <"$(call_file server 1 ids)"
	t=$EPOCHREALTIME
	echo x >b
	wait_calls server 2
	proc_gone "$server1"
	ms=$(elapsed_ms "$t" "$(cat "$(call_file server 2 start)")")
	echo "# the new server started ${ms}ms after the change"
	grep -qE '^watchrun: command-line:1: \./server \(a\): killed by SIGKILL after ' "$T/log"
	# 1 s, not the default 2 s.
	((ms >= 1000 && ms < 2000))
}

@test "opt-once: --once -- make && ./deploy: deploys after a good build" {
	doc_text doc/watchrun.1 'cmd watchrun --once -- make && ./deploy'
	stub make
	cd w
	stub_at ./deploy deploy
	doc_start "$TEXT"
	wait_for_log "$READY_ERE"
	echo x >a.c
	wait_exit
	[ "$wr_status" -eq 0 ]
	[ "$(calls make)" -eq 1 ]
	[ "$(calls deploy)" -eq 1 ]
}

@test "opt-once: --once -- make && ./deploy: a failed build deploys nothing, its status comes back" {
	doc_text doc/watchrun.1 'cmd watchrun --once -- make && ./deploy'
	stub make 'exit 2'
	cd w
	stub_at ./deploy deploy
	doc_start "$TEXT"
	wait_for_log "$READY_ERE"
	echo x >a.c
	wait_exit
	[ "$wr_status" -eq 2 ]
	[ "$(calls make)" -eq 1 ]
	[ "$(calls deploy)" -eq 0 ]
}

@test "opt-wait-timeout: --once --wait-timeout 2s with no change: 124 after 2 s, nothing run" {
	doc_rec doc/watchrun.1 'cmd watchrun --once --wait-timeout 2s -w spool -- true; echo $?'
	stub true
	cd w
	mkdir spool
	t=$EPOCHREALTIME
	doc_run "$(cat "$REC.text")"
	ms=$(elapsed_ms "$t" "$EPOCHREALTIME")
	diff -u "$REC.out" "$T/sout"
	[ "$(calls true)" -eq 0 ]
	((ms >= 2000))
}

@test "opt-c: -c clears the terminal before make's output, and writes nothing to a file" {
	doc_text doc/watchrun.1 'cmd watchrun -c -- make'
	command -v script >/dev/null || skip "no script(1)"
	script -qec true /dev/null </dev/null >/dev/null 2>&1 ||
	    skip "no pseudo-terminal to be had (is /dev/pts mounted?)"
	stub make 'echo built'
	cd w
	setsid script -qec "$TEXT" /dev/null </dev/null >"$T/tty.out" \
	    2>&1 3>&- &
	WR_PID=$!
	wait_for_log 'watchrun: ready, watching' "$T/tty.out"
	echo x >a.c
	wait_until file_has "$T/tty.out" built
	grep -qF $'\e[H\e[2J\e[3Jbuilt' "$T/tty.out"
	kill -TERM -- "-$WR_PID"
	wait_exit
	# Standard output a file: nothing but make's output.
	doc_start "$TEXT"
	wait_for_log "$READY_ERE"
	echo y >a.c
	wait_until file_has "$T/log" 'exited 0 after'
	expect_value "$T/wr.out" 'built
'
}

@test "opt-color: --color always colours the reports for less -R, NO_COLOR or not: green for success, red for failure" {
	doc_text doc/watchrun.1 'cmd watchrun --color always -- make 2>&1 | less -R'
	export NO_COLOR=1
	stub make "[ ! -e '$T/fail' ]"
	stub less "exec cat >'$T/paged'"
	cd w
	doc_start "$TEXT"
	wait_for_log "$READY_ERE" "$T/paged"
	echo x >a.c
	wait_until file_has "$T/paged" 'exited 0'
	: >"$T/fail"
	echo x >b.c
	wait_until file_has "$T/paged" 'exited 1'
	call_argv less 1 -R
	grep -qF $'(a.c): \e[32mexited 0\e[m after ' "$T/paged"
	grep -qF $'(b.c): \e[31mexited 1\e[m after ' "$T/paged"
	# Nothing else is coloured.
	expect_eq "ESC bytes" 4 "$(tr -cd '\033' <"$T/paged" | wc -c)"
}

# have_pty: script(1) can give a command a pseudo-terminal here.
have_pty() {
	command -v script >/dev/null &&
	    script -qec true /dev/null </dev/null >/dev/null 2>&1
}

@test "opt-bell: --bell rings once for a failed make, not for one that succeeds, and never into a file" {
	doc_text doc/watchrun.1 'cmd watchrun --bell -- make'
	have_pty || skip "no pseudo-terminal to be had (is /dev/pts mounted?)"
	stub make "[ ! -e '$T/fail' ]"
	cd w
	: >"$T/fail"
	setsid script -qec "$TEXT" /dev/null </dev/null >"$T/tty.out" \
	    2>&1 3>&- &
	WR_PID=$!
	wait_for_log 'watchrun: ready, watching' "$T/tty.out"
	echo x >a.c
	wait_until file_has "$T/tty.out" 'exited 1'
	rm "$T/fail"
	echo x >b.c
	wait_until file_has "$T/tty.out" 'exited 0'
	expect_eq "bells" 1 "$(tr -cd '\a' <"$T/tty.out" | wc -c)"
	# It follows the report of the failure.
	expect_eq "bells up to the failure's report" 0 \
	    "$(sed '/exited 1/q' "$T/tty.out" | tr -cd '\a' | wc -c)"
	kill -TERM -- "-$WR_PID"
	wait_exit
	# Standard error a file: no bell in it.
	: >"$T/fail"
	doc_start "$TEXT"
	wait_for_log "$READY_ERE"
	echo y >a.c
	wait_until file_has "$T/log" 'exited 1 after'
	refute grep -q $'\a' "$T/log"
}

@test "opt-check: --check prints the rules of ./Watchfile, or its errors with status 2" {
	doc_text doc/watchrun.1 'cmd watchrun --check'
	cd w
	printf '%s\n' 'watch src' "'\\.c\$' WRITE make" >Watchfile
	doc_run "$TEXT"
	[ "$rc" -eq 0 ]
	grep -qx 'watch src' "$T/sout"
	grep -qx 'rule Watchfile:2' "$T/sout"
	printf '%s\n' 'watch src' "'\\.c\$' WRTE make" >Watchfile
	doc_run "$TEXT"
	[ "$rc" -eq 2 ]
	grep -q "^Watchfile:2:8: unknown event 'WRTE'" "$T/serr"
}

@test "opt-explain: --explain .git/config: the default list hides .git/" {
	doc_rec doc/watchrun.1 'cmd watchrun --explain .git/config'
	cd w
	mkdir .git
	doc_run "$(cat "$REC.text")"
	[ "$rc" -eq 0 ]
	diff -u "$REC.out" "$T/sout"
}

@test "opt-init: --init writes a Watchfile for make that --check accepts, and never writes over it" {
	doc_text doc/watchrun.1 'cmd watchrun --init && watchrun --check'
	cd w
	: >Makefile
	doc_run "$TEXT"
	[ "$rc" -eq 0 ] || { cat "$T/serr" >&2; false; }
	expect_value "$T/serr" 'watchrun: wrote Watchfile: make when C sources, headers or makefiles change (Makefile is here)
'
	grep -qx 'rule Watchfile:[0-9]*' "$T/sout"
	grep -qxF '	shell    make' "$T/sout"
	cp Watchfile "$T/first"
	echo '# mine' >>Watchfile
	cp Watchfile "$T/mine"
	doc_run "$TEXT"
	[ "$rc" -eq 1 ]
	expect_value "$T/serr" "watchrun: Watchfile: already exists; --init writes a new file only, and leaves this one as it is
"
	cmp Watchfile "$T/mine"
}

@test "opt-print: --print -w tests: the Watchfile's roots and tests/, less its ignores; its rules not run" {
	doc_text doc/watchrun.1 'cmd watchrun --print -w tests'
	stub make
	cd w
	mkdir src tests other
	printf '%s\n' 'watch src' "ignore '\\.o\$'" "'\\.c\$' WRITE make" \
	    >Watchfile
	doc_start "$TEXT"
	wait_for_log '^watchrun: ready, watching 2 directories with inotify$'
	echo x >src/a.o
	echo x >other/a.c
	echo x >src/a.c
	echo x >tests/zz
	wait_for_log '^WRITE tests/zz$' "$T/wr.out"
	cut -d ' ' -f 2- "$T/wr.out" | uniq >got
	printf '%s\n' src/a.c tests/zz >expected
	diff -u expected got
	[ "$(calls make)" -eq 0 ]
}

@test "opt-json: --json --once -e CREATE -w inbox prints the first file created, and exits 0" {
	doc_rec doc/watchrun.1 'cmd watchrun --json --once -e CREATE -w inbox'
	cd w
	mkdir inbox
	doc_start "$(cat "$REC.text")"
	wait_for_log "$READY_ERE"
	: >inbox/a
	wait_exit
	[ "$wr_status" -eq 0 ]
	diff -u "$REC.out" "$T/wr.out"
}

# partial_try N: the text run with at most N descriptors, until it is
# ready or gone; its messages in $T/partial.N.
partial_try() {
	local pid

	(ulimit -n "$1" && exec sh -c "$TEXT") </dev/null >/dev/null \
	    2>"$T/partial.$1" 3>&- &
	pid=$!
	wait_until partial_settled "$pid" "$T/partial.$1" || return 1
	kill -TERM "$pid" 2>/dev/null || true
	wait "$pid" || true
}

partial_settled() {
	proc_gone "$1" || grep -qE "$READY_ERE" "$2"
}

@test "opt-partial: --partial starts, and says so, when too few descriptors keep directories from being read" {
	doc_text doc/watchrun.1 'cmd watchrun --partial -w big -- make'
	if under_valgrind; then
		skip "the descriptor limit would be valgrind's"
	fi
	export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0
	stub make
	cd w
	mkdir -p big/a/b/c/d/e/f big/x/y
	found=
	for ((n = 6; n <= 40; n++)); do
		partial_try "$n"
		if grep -q 'could not be read for want of open files' \
		    "$T/partial.$n" && grep -qE "$READY_ERE" "$T/partial.$n"
		then
			found=$n
			break
		fi
	done
	[ -n "$found" ]
	echo "# ulimit -n $found: $(tr '\n' '|' <"$T/partial.$found")"
}

@test "opt-follow-symlinks: --follow-symlinks sees changes in the theme site/theme links to" {
	doc_text doc/watchrun.1 'cmd watchrun --follow-symlinks -w site -- make'
	stub make
	cd w
	mkdir -p themes/dark site
	ln -s ../themes/dark site/theme
	doc_start "$TEXT"
	wait_for_log '^watchrun: ready, watching 2 directories with inotify$'
	echo x >themes/dark/a.css
	wait_calls make 1
	call_var make 1 WATCHRUN_PATH site/theme/a.css
}

@test "opt-backend: --backend poll=2s sees a file written in share/src" {
	doc_text doc/watchrun.1 'cmd watchrun --backend poll=2s -w share/src -- make'
	stub make
	cd w
	mkdir -p share/src
	doc_start "$TEXT"
	wait_for_log '^watchrun: ready, watching 1 directory by polling every 2s$'
	echo x >share/src/a.c
	wait_calls make 1
	call_var make 1 WATCHRUN_PATH share/src/a.c
}

@test "opt-max-paths: --max-paths 100: ./sync-all after 300 changes, ./sync with the paths after one" {
	doc_text doc/watchrun.1 "cmd watchrun --max-paths 100 -s 'if [ \"\$WATCHRUN_TRUNCATED\" ]; then ./sync-all; else ./sync -- \"\$@\"; fi'"
	cd w
	stub_at ./sync sync
	stub_at ./sync-all sync-all
	doc_start "$TEXT"
	wait_for_log "$READY_ERE"
	freeze
	seq -f 'f%g' 1 300 | xargs touch
	thaw
	wait_calls sync-all 1
	call_argv sync-all 1
	call_var sync-all 1 WATCHRUN_TRUNCATED 1
	call_var sync-all 1 WATCHRUN_COUNT 100
	[ "$(calls sync)" -eq 0 ]
	wait_until file_has "$T/log" 'exited 0 after'
	echo x >one
	wait_calls sync 1
	call_argv sync 1 -- one
}

@test "opt-q: -q: make runs, and watchrun prints nothing of its own" {
	doc_text doc/watchrun.1 'cmd watchrun -q -- make'
	stub make
	cd w
	doc_start "$TEXT"
	# No ready line to wait for: watchrun first waits for events once it
	# is ready.
	wait_until wr_idle
	echo x >a.c
	wait_calls make 1
	echo x >b.c
	wait_calls make 2
	call_var make 2 WATCHRUN_PATH b.c
	# The first run ended, and would have been reported, before the
	# second began.
	[ ! -s "$T/log" ]
}

@test "opt-help: --help prints the usage, the first line as shown" {
	doc_rec doc/watchrun.1 'cmd watchrun --help | head -n 1'
	doc_run "$(cat "$REC.text")"
	[ "$rc" -eq 0 ]
	diff -u "$REC.out" "$T/sout"
}

@test "opt-version: --version prints the version shown" {
	doc_rec doc/watchrun.1 'cmd watchrun --version'
	doc_run "$(cat "$REC.text")"
	[ "$rc" -eq 0 ]
	diff -u "$REC.out" "$T/sout"
}

@test "opt-list-events: --list-events begins with the names shown, and -e takes every name it prints" {
	doc_rec doc/watchrun.1 'cmd watchrun --list-events | head -n 3'
	doc_run "$(cat "$REC.text")"
	[ "$rc" -eq 0 ]
	diff -u "$REC.out" "$T/sout"
	"$WATCHRUN" --list-events >names
	# With an event beside it: a watch option alone leaves none.
	while read -r e; do
		"$WATCHRUN" --check -e "CREATE|$e" -- true >/dev/null 2>&1 ||
		    { echo "# -e $e is refused" >&2; return 1; }
	done <names
}

# doc/watchrun.rules.5

@test "rules-bad: --check -f bad.Watchfile reports exactly the errors the page shows, with status 2" {
	doc_rec doc/watchrun.rules.5 'rules bad.Watchfile'
	cd w
	cp "$REC.text" bad.Watchfile
	doc_rec doc/watchrun.rules.5 'cmd watchrun --check -f bad.Watchfile'
	doc_run "$(cat "$REC.text")"
	[ "$rc" -eq 2 ]
	diff -u "$REC.out" "$T/serr"
	[ ! -s "$T/sout" ]
}

# rules_only FILE: FILE's lines that are neither comments nor blank.
rules_only() {
	grep -vE '^[[:blank:]]*(#|$)' "$1"
}

@test "rules-copies: the EXAMPLES' rules files are those of examples/, less comments" {
	for name in c-project.Watchfile server.Watchfile; do
		doc_rec doc/watchrun.rules.5 "rules $name"
		diff -u <(rules_only "$SRC/examples/$name") \
		    <(rules_only "$REC.text")
		run_sync --check -f "$REC.text"
		[ "$rc" -eq 0 ]
	done
}

@test "rules-quoting: the quoting example passes --check and means what its comments say" {
	doc_rec doc/watchrun.rules.5 'rules quoting.Watchfile'
	run_sync --check -f "$REC.text"
	[ "$rc" -eq 0 ] || { cat "$T/serr" >&2; false; }
	sed -n '/^watch/p; /^\t\(regex\|events\|shell\)/p' "$T/sout" >got
	cat >expected <<'EOF2'
watch 'My Documents'
watch /srv/incoming
	regex    \.txt$
	events   WRITE|MOVED_TO
	shell    wc -l -- "$@"
	regex    /it's done$
	events   CREATE
	shell    touch /tmp/done
	regex    ^/srv/incoming/
	events   MOVED_TO|CREATE|ISDIR
	shell    ls -ld -- "$@"
EOF2
	diff -u expected got
}

# examples/

@test "ex-makefile: make watch rebuilds on a save; the build's own files set off nothing; ^C stops a build in progress" {
	doc_text examples/Makefile.watch 'cmd make -f Makefile.watch watch'
	doc_rec examples/Makefile.watch 'target watch'
	cd w
	cp "$SRC/examples/Makefile.watch" .
	mkdir src
	printf '#include "hello.h"\nint main(void) { return HELLO; }\n' \
	    >src/main.c
	printf '#define HELLO 0\n' >src/hello.h
	# cc records each call, then compiles; it blocks while $T/block
	# exists.
	real_cc=$(command -v cc)
	stub cc "if [ -e '$T/block' ]; then echo \$\$ >'$T/blocked'; exec tail -f /dev/null; fi
exec '$real_cc' \"\$@\""
	doc_start "$TEXT"
	wait_for_log "$READY_ERE"
	echo '/* saved */' >>src/main.c
	wait_until file_has "$T/log" 'exited 0 after'
	./hello
	call_var cc 1 WATCHRUN_PATH src/main.c
	call_var cc 1 WATCHRUN_COUNT 1
	before=$(calls cc)
	echo '/* saved */' >>src/hello.h
	wait_calls cc $((before + 1))
	# The first call of this run: its batch is the header alone, and no
	# run came between (the build's .o and program are ignored): the
	# second report is this run's.
	n=$((before + 1))
	call_var cc "$n" WATCHRUN_PATH src/hello.h
	call_var cc "$n" WATCHRUN_COUNT 1
	wait_until reports_at_least 2
	report_lines | sed -n 2p | grep -qF ' (src/hello.h): exited 0 after '
	# ^C, as a terminal sends it to the foreground process group, while
	# a build hangs in cc.
	: >"$T/block"
	echo '/* saved */' >>src/main.c
	wait_until test -e "$T/blocked"
	blocked=$(cat "$T/blocked")
	kill -INT -- "-$WR_PID"
	wait_until proc_gone "$blocked"
	wait_exit
}

@test "ex-c-project: watchrun --check prints the rules; watchrun then builds and tests on a source change and lints the pages changed" {
	doc_text examples/c-project.Watchfile 'cmd watchrun --check'
	doc_rec examples/c-project.Watchfile 'rules c-project.Watchfile'
	stub make
	stub mandoc
	cd w
	cp "$REC.text" Watchfile
	mkdir -p src doc build .git
	# The project's .gitignore lists the build's outputs.
	printf '%s\n' '/build/' '*.o' >.gitignore
	doc_start "$TEXT"
	wait_for_log "$READY_ERE"
	grep -q '^rule Watchfile:' "$T/wr.out"
	echo x >build/gen.c
	echo x >.git/x.c
	echo x >src/a.o
	echo x >src/a.c
	wait_calls make 2
	call_argv make 1
	call_argv make 2 check
	call_var make 1 WATCHRUN_PATH src/a.c
	call_var make 1 WATCHRUN_COUNT 1
	echo x >doc/a.1
	echo x >doc/b.5
	wait_until some_call_got mandoc doc/b.5
	call_args mandoc >got
	printf '%s\n' -T lint -W warning -- doc/a.1 doc/b.5 >expected
	diff -u expected got
}

@test "ex-server: the server starts at once, a change restarts it, a failed build ends the run" {
	doc_text examples/server.Watchfile 'cmd watchrun -R --stop-timeout 5s -f server.Watchfile'
	doc_rec examples/server.Watchfile 'rules server.Watchfile'
	stub make "[ ! -e '$T/fail' ]"
	cd w
	cp "$REC.text" server.Watchfile
	mkdir src conf
	echo x >conf/server.conf
	stub_at ./server server 'exec tail -f /dev/null'
	doc_start "$TEXT"
	# INITIAL: no change needed.
	wait_calls server 1
	call_argv make 1 -s server
	call_argv server 1 -f conf/server.conf
	call_var make 1 WATCHRUN_COUNT 0
	wait_for_log "$READY_ERE"
	# exec: the run report is about the server itself.
	read -r _ server1 pgid _ <"$(call_file server 1 ids)"
	expect_eq "server's pid" "$pgid" "$server1"
	: >"$T/fail"
	echo y >conf/server.conf
	wait_calls make 2
	wait_until proc_gone "$server1"
	grep -qE '^watchrun: server\.Watchfile:[0-9]+: make -s server && exec \./server -f conf/server\.conf: killed by SIGTERM after ' "$T/log"
	wait_until file_has "$T/log" 'exited 1 after'
	[ "$(calls server)" -eq 1 ]
	rm "$T/fail"
	echo y >src/a.c
	wait_calls server 2
}

@test "ex-user-unit: the command in watchrun@.service enables the instance of ~/src/app, as watchrun(1) shows" {
	command -v systemd-escape >/dev/null || skip "no systemd-escape"
	doc_text examples/watchrun@.service 'cmd systemctl --user enable --now "watchrun@$(systemd-escape --path ~/src/app).service"'
	export HOME=$T/home
	stub systemctl
	doc_run "$TEXT"
	[ "$rc" -eq 0 ]
	user_unit_enabled 1
}

# child_named PARENT COMM: the pid of a child of PARENT named COMM.
child_named() {
	local p c

	[ -n "$1" ] || return 1
	for p in $(pgrep -P "$1"); do
		c=$(cat "/proc/$p/comm" 2>/dev/null)
		if [ "$c" = "$2" ] || { [ "$2" = watchrun ] && is_watchrun "$c"; }
		then
			echo "$p"
			return 0
		fi
	done
	return 1
}

# ci_wait_past_check: the watchrun that ci-wait.sh, run by the snippet,
# started waits for events: it has looked for the file (--existing), so
# that only an event can end it now.
ci_wait_past_check() {
	local p w

	p=$(child_named "$WR_PID" ci-wait.sh) &&
	    w=$(child_named "$p" watchrun) &&
	    [ "$(cat "/proc/$w/wchan" 2>/dev/null)" = do_epoll_wait ]
}

# The CI snippet of ci-wait.sh, started in w/, the test server a stub.
# $T/staging/run is outside the watched tree, w/tmp/run inside it.
ci_wait_start() {
	doc_text examples/ci-wait.sh 'cmd ./start-test-server &'
	export WATCHRUN=$WR
	ln -s "$SRC/examples/ci-wait.sh" "$T/bin/ci-wait.sh"
	mkdir -p "$T/staging/run" w/tmp/run
	echo ok >"$T/staging/run/server.ready"
	echo ok >w/tmp/run/server.ready
	cd w || return 1
	stub_at ./start-test-server start-test-server
	doc_start "$TEXT"
}

# The snippet goes on: ci-wait.sh exited 0.
ci_wait_ends() {
	wait_exit
	[ "$wr_status" -eq 0 ] || { cat "$T/log" >&2; false; }
	[ "$(calls start-test-server)" -eq 1 ]
}

@test "ci-wait: the CI snippet goes on at once when the file is there already" {
	mkdir w/run
	echo ok >w/run/server.ready
	ci_wait_start
	ci_wait_ends
}

@test "ci-wait: the CI snippet goes on once the file is written" {
	ci_wait_start
	mkdir run
	wait_until ci_wait_past_check
	echo ok >run/server.ready
	ci_wait_ends
}

@test "ci-wait: the CI snippet goes on once the file is renamed into place" {
	ci_wait_start
	mkdir run
	wait_until ci_wait_past_check
	echo ok >run/.tmp
	mv run/.tmp run/server.ready
	ci_wait_ends
}

@test "ci-wait: the CI snippet goes on when the file comes in a new directory (mkdir -p && echo)" {
	ci_wait_start
	wait_until ci_wait_past_check
	freeze
	mkdir -p run && echo ok >run/server.ready
	thaw
	ci_wait_ends
}

@test "ci-wait: the CI snippet goes on when the file comes in a directory copied with cp -r" {
	ci_wait_start
	wait_until ci_wait_past_check
	freeze
	cp -r "$T/staging/run" run
	thaw
	ci_wait_ends
}

@test "ci-wait: the CI snippet goes on when the file comes unpacked by tar x" {
	ci_wait_start
	tar -C "$T/staging" -cf "$T/run.tar" run
	wait_until ci_wait_past_check
	freeze
	tar -xf "$T/run.tar"
	thaw
	ci_wait_ends
}

@test "ci-wait: the CI snippet goes on when the file comes in a directory moved in" {
	ci_wait_start
	wait_until ci_wait_past_check
	mv "$T/staging/run" run
	ci_wait_ends
}

@test "ci-wait: the CI snippet goes on when a directory within the tree is renamed to the file's" {
	ci_wait_start
	wait_until ci_wait_past_check
	mv tmp/run run
	ci_wait_ends
}

# ci_wait_watchrun_not PID: ci-wait.sh has started a watchrun other than
# PID, and it waits for events.
ci_wait_watchrun_not() {
	local p w

	p=$(child_named "$WR_PID" ci-wait.sh) &&
	    w=$(child_named "$p" watchrun) && [ "$w" != "$1" ] &&
	    ci_wait_past_check
}

@test "ci-wait: the CI snippet goes on when an empty directory is renamed into place first, then the file written" {
	ci_wait_start
	wait_until ci_wait_past_check
	first=$(child_named "$(child_named "$WR_PID" ci-wait.sh)" watchrun)
	mkdir tmp/empty
	mv tmp/empty run
	# The file is not there: ci-wait.sh watches again, from run/.
	wait_until ci_wait_watchrun_not "$first"
	proc_alive "$WR_PID"
	echo ok >run/server.ready
	ci_wait_ends
}

@test "ci-wait.sh exits 1 with a message when the file does not come within -t" {
	export WATCHRUN=$WR
	cd w
	run "$SRC/examples/ci-wait.sh" -t 1 out/none
	[ "$status" -eq 1 ]
	[ "$output" = 'ci-wait.sh: out/none: not there after 1s' ]
}

@test "ci-wait.sh exits 2 on a usage error, 3 with watchrun's messages when it fails" {
	export WATCHRUN=$WR
	cd w
	run "$SRC/examples/ci-wait.sh" -t x f
	[ "$status" -eq 2 ]
	[ "$output" = 'usage: ci-wait.sh [-e events] [-t seconds] file' ]
	grep -qxF "# $output" <(sed 's/^# usage/# usage/' "$SRC/examples/ci-wait.sh")
	run "$SRC/examples/ci-wait.sh" -e BOGUS f
	[ "$status" -eq 3 ]
	[[ $output == *"unknown event 'BOGUS'"* ]]
}

# Messages that the docs quote

# quoted_ere LINE: an ERE for a line that watchrun(1) quotes, its
# placeholders (N, ORIGIN, COMMAND, PATH, STATUS, SIGNAME, S.mmms) made
# patterns.
quoted_ere() {
	local e

	e=$(printf '%s\n' "$1" | sed -E 's/[][\\.*^$+?(){}|]/\\&/g')
	e=${e//' \(PATH and N more\)'/'( \(.+( and [0-9]+ more)?\))?'}
	e=${e//'N directories'/'[0-9]+ director(y|ies)'}
	e=${e//'now N,'/'now [0-9]+,'}
	e=${e//ORIGIN/'[^ ]+'}
	e=${e//COMMAND/'.+'}
	e=${e//STATUS/'[0-9]+'}
	e=${e//SIGNAME/'SIG[A-Z0-9]+'}
	e=${e//'S\.mmms'/'[0-9]+\.[0-9]{3}s'}
	echo "^$e\$"
}

@test "watchrun(1) quotes the ready line, the run reports and the overflow warning as watchrun prints them" {
	awk '/^\.Bd -literal/ { b = 1; next } /^\.Ed/ { b = 0 }
	    b && /^watchrun: /' "$SRC/doc/watchrun.1" >quoted
	[ "$(wc -l <quoted)" -eq 5 ]
	while IFS= read -r line; do
		quoted_ere "$line"
	done <quoted >patterns
	# A run that exits 3, one killed by SIGTERM (a restart), one that
	# exits 0, then a queue overflow and its run; then one that times
	# out.
	start_ready -R -d 0 -e WRITE -w w -s 'case $WATCHRUN_PATH in
	*/x) exit 3 ;;
	*/hold) : >"$T/holding"; exec tail -f /dev/null ;;
	esac'
	: >w/x
	wait_until reports_at_least 1
	: >w/hold
	wait_until test -e "$T/holding"
	: >w/y
	wait_until reports_at_least 3
	overflow_burst w >/dev/null
	wait_until reports_at_least 4
	grep -q 'overflow' "$T/log"
	# A run that times out, in a watchrun of its own.
	kill -TERM "$WR_PID"
	wait_exit
	mv "$T/log" "$T/log.1"
	start_ready --run-timeout 1s -d 0 -e WRITE -w w -s 'exec tail -f /dev/null'
	: >w/slow
	wait_until reports_at_least 1
	cat "$T/log" >>"$T/log.1"
	mv "$T/log.1" "$T/log"
	# Every line matches a quoted one, and every quoted one is printed.
	while IFS= read -r line; do
		grep -qEf patterns <<<"$line" ||
		    { echo "# not quoted: $line" >&2; false; }
	done <"$T/log"
	while IFS= read -r pat; do
		grep -qE -- "$pat" "$T/log" ||
		    { echo "# not printed: $pat" >&2; false; }
	done <patterns
}
