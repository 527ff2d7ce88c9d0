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
make-dev	README.md	cmd make check      # unit, system (also under ASan+UBSan and valgrind), fuzz and bench smoke
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
man-json	doc/watchrun.1	cmd watchrun --json | python3 -c 'import json, sys
man-make	doc/watchrun.1	cmd watchrun -r '\.[ch]$|(^|/)Makefile$' -- make
man-server	doc/watchrun.1	cmd watchrun -R --stop-timeout 5s -w src -r '\.[ch]$' \
man-pytest	doc/watchrun.1	cmd watchrun -r '^tests/test_[^/]*\.py$' -e 'WRITE|MOVED_TO' \
man-shellcheck	doc/watchrun.1	cmd watchrun -r '\.sh$' -e 'WRITE|MOVED_TO' -- shellcheck -- {}
man-ci	doc/watchrun.1	cmd timeout 600 watchrun --once -d 0 -w dist \
man-print	doc/watchrun.1	cmd watchrun --print
man-print-all	doc/watchrun.1	cmd watchrun --print -e ALL -r '\.c$' -w src
man-check	doc/watchrun.1	cmd watchrun --check -f build.Watchfile && watchrun -f build.Watchfile
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
EOF
}

setup_file() {
	export DOCS="$BATS_FILE_TMPDIR/docs"
	"$BATS_TEST_DIRNAME/doc-commands" "$SRC" "$DOCS" \
	    >"$BATS_FILE_TMPDIR/list"
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
	if [ -n "$id" ] && [ -n "${BATS_TEST_COMPLETED:-}" ]; then
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
	for ((n = 1; ; n++)); do
		[ -e "$DOCS/$n.kind" ] || break
		if [ "$(rec_file "$n")" = "$1" ] && [ "$(rec_key "$n")" = "$2" ]
		then
			if [ -n "$found" ]; then
				echo "# $1: two items with the key $2" >&2
				return 1
			fi
			found=$n
		fi
	done
	if [ -z "$found" ]; then
		echo "# $1 shows no item with the key $2" >&2
		return 1
	fi
	REC=$DOCS/$found
	TAKEN+=("$1	$2")
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

# The number of run reports in watchrun's log.
reports() {
	grep -cE '^watchrun: .*(exited [0-9]+|killed by SIG[A-Z0-9]+) after [0-9]+\.[0-9]{3}s$' "$T/log"
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
	local n file key id status=0 matches

	[ -e "$DOCS/1.kind" ]
	for ((n = 1; ; n++)); do
		[ -e "$DOCS/$n.kind" ] || break
		file=$(rec_file "$n")
		key=$(rec_key "$n")
		matches=$(covered | F=$file K=$key awk -F '\t' \
		    '$2 == ENVIRON["F"] && $3 == ENVIRON["K"]' | wc -l)
		if [ "$matches" -ne 1 ]; then
			echo "# $(cat "$DOCS/$n.src"): $matches tests run: $key" >&2
			status=1
		fi
	done
	while IFS=$'\t' read -r id file key; do
		for ((n = 1; ; n++)); do
			if [ ! -e "$DOCS/$n.kind" ]; then
				echo "# $file no longer shows: $key" >&2
				status=1
				break
			fi
			[ "$(rec_file "$n")" = "$file" ] &&
			    [ "$(rec_key "$n")" = "$key" ] && break
		done
		if ! grep -q "^@test \"$id: " "$BATS_TEST_FILENAME"; then
			echo "# no test \"$id: ...\" for $file: $key" >&2
			status=1
		fi
	done < <(covered)
	if [ "$(covered | sort | uniq -d)" != "" ]; then
		echo "# rows listed twice in covered()" >&2
		status=1
	fi
	return "$status"
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

@test "make-dev: make check, asan, fuzz, bench and lint run what their comments say (form only: make -n)" {
	# Form only: make check runs this very file, and the others take
	# minutes.  MAKEFLAGS=n makes each one a dry run of the line as written.
	cd "$SRC"
	doc_text README.md 'cmd make check'
	MAKEFLAGS=n doc_run "$TEXT"
	[ "$rc" -eq 0 ]
	cp "$T/sout" "$T/check.out"
	doc_text README.md 'cmd make check      # unit, system (also under ASan+UBSan and valgrind), fuzz and bench smoke'
	MAKEFLAGS=n doc_run "$TEXT"
	[ "$rc" -eq 0 ]
	diff -u "$T/check.out" "$T/sout"
	# unit tests, system tests plain, under ASan+UBSan and under valgrind,
	# fuzzing, the benchmark's smoke test, and the summary line
	grep -q 'CMOCKA_MESSAGE_OUTPUT=TAP' "$T/sout"
	[ "$(grep -c 'prove -e bats tests/system/\*\.bats' "$T/sout")" -eq 3 ]
	grep -q 'fsanitize=address,undefined' "$T/sout"
	grep -q 'valgrind-verdict' "$T/sout"
	grep -q 'max_total_time=60 ' "$T/sout"
	grep -q 'wbench --smoke' "$T/sout"
	grep -q 'make check: passed' "$T/sout"

	doc_text README.md 'cmd make asan       # the tests under AddressSanitizer and UBSan only'
	MAKEFLAGS=n doc_run "$TEXT"
	[ "$rc" -eq 0 ]
	grep -q 'fsanitize=address,undefined' "$T/sout"
	grep -q 'prove -e bats' "$T/sout"
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

@test "man-server: the server starts on the first change; the next one stops it, with SIGKILL after 5 s, before the build" {
	doc_text doc/watchrun.1 "cmd watchrun -R --stop-timeout 5s -w src -r '\\.[ch]\$' \\"
	stub make
	cd w
	mkdir src
	# A server that ignores SIGTERM.
	stub_at ./server server "trap '' TERM
exec tail -f /dev/null"
	doc_start "$TEXT"
	wait_for_log "$READY_ERE"
	echo x >src/a.c
	wait_calls server 1
	call_argv make 1 server
	call_argv server 1
	# exec: the server is the run's first process, the shell is gone.
	read -r _ server1 pgid _ <"$(call_file server 1 ids)"
	expect_eq "server's pid" "$pgid" "$server1"
	echo x >src/b.c
	saved=$EPOCHREALTIME
	WAIT_TIMEOUT=20 wait_calls make 2
	proc_gone "$server1"
	grep -qE '^watchrun: command-line:1: make server && exec \./server \(src/a\.c\): killed by SIGKILL after [5-9]\.[0-9]{3}s$' "$T/log"
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

man_ci_start() {
	doc_text doc/watchrun.1 'cmd timeout 600 watchrun --once -d 0 -w dist \'
	stub true
	cd w || return 1
	mkdir dist
	doc_start "$TEXT"
	# No -q: the ready line is there to wait for.
	wait_for_log "$READY_ERE"
}

@test "man-ci: prints the ready line, and exits 0 once the artefact is written" {
	man_ci_start
	echo x >dist/app.tar
	echo x >dist/app.tar.gz
	readme_ci_ends dist/app.tar.gz WRITE
}

@test "man-ci: exits 0 once the artefact is renamed into place from outside the tree" {
	man_ci_start
	echo x >app.tmp
	mv app.tmp dist/app.tar.gz
	readme_ci_ends dist/app.tar.gz MOVED_TO
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
	# run came between (the build's .o and program are ignored).
	n=$((before + 1))
	call_var cc "$n" WATCHRUN_PATH src/hello.h
	call_var cc "$n" WATCHRUN_COUNT 1
	[ "$(reports)" -eq 1 ]
	wait_until reports_at_least 2
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

@test "ex-server: the server starts on the first change, a change restarts it, a failed build ends the run" {
	doc_text examples/server.Watchfile 'cmd watchrun -R --stop-timeout 5s -f server.Watchfile'
	doc_rec examples/server.Watchfile 'rules server.Watchfile'
	stub make "[ ! -e '$T/fail' ]"
	cd w
	cp "$REC.text" server.Watchfile
	mkdir src conf
	echo x >conf/server.conf
	stub_at ./server server 'exec tail -f /dev/null'
	doc_start "$TEXT"
	wait_for_log "$READY_ERE"
	echo x >src/a.c
	wait_calls server 1
	call_argv make 1 -s server
	call_argv server 1 -f conf/server.conf
	call_var make 1 WATCHRUN_PATH src/a.c
	# exec: the run report is about the server itself.
	read -r _ server1 pgid _ <"$(call_file server 1 ids)"
	expect_eq "server's pid" "$pgid" "$server1"
	: >"$T/fail"
	echo y >conf/server.conf
	wait_calls make 2
	wait_until proc_gone "$server1"
	grep -qE '^watchrun: server\.Watchfile:[0-9]+: make -s server && exec \./server -f conf/server\.conf \(src/a\.c\): killed by SIGTERM after ' "$T/log"
	wait_until file_has "$T/log" 'exited 1 after'
	[ "$(calls server)" -eq 1 ]
	rm "$T/fail"
	echo y >src/a.c
	wait_calls server 2
}

# child_named PARENT COMM: the pid of a child of PARENT named COMM.
child_named() {
	local d

	for d in /proc/[0-9]*; do
		[ "$(proc_field "${d#/proc/}" ppid 2>/dev/null)" = "$1" ] &&
		    [ "$(cat "$d/comm" 2>/dev/null)" = "$2" ] &&
		    echo "${d#/proc/}" && return 0
	done
	return 1
}

# ci_wait_past_check: ci-wait.sh, run by the snippet, has looked for the
# file after watchrun's ready line, so that only an event can end it now:
# it starts cat, to keep watchrun's later messages, only after that.
ci_wait_past_check() {
	local p

	p=$(child_named "$WR_PID" ci-wait.sh) && child_named "$p" cat >/dev/null
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
	[ "$(wc -l <quoted)" -eq 4 ]
	while IFS= read -r line; do
		quoted_ere "$line"
	done <quoted >patterns
	# A run that exits 3, one killed by SIGTERM (a restart), one that
	# exits 0, then a queue overflow and its run.
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
