#!/usr/bin/env bats
# init.bats: --init writes a commented Watchfile that suits the project
# in the current directory, says so in one line on stderr, never writes
# over a file, and --check accepts what it writes for every kind of
# project.
#
# shellcheck disable=SC2154	# rc is set by helpers.bash

load helpers

# init_in FILE...: in a fresh directory $T/p holding FILEs, runs
# watchrun --init, then --check; the message in $T/init.err.
init_in() {
	rm -rf "$T/p"
	mkdir "$T/p"
	(cd "$T/p" && touch "$@")
	cd "$T/p" || return 1
	run_sync --init
	cp "$T/serr" "$T/init.err"
	[ "$rc" -eq 0 ] || { cat "$T/serr" >&2; return 1; }
	[ ! -s "$T/sout" ]
	run_sync --check
	[ "$rc" -eq 0 ] || { cat "$T/serr" >&2; return 1; }
	cd "$T" || return 1
}

@test "--init: each kind of project gets its command, and --check accepts the file" {
	while IFS='|' read -r file cmd; do
		init_in "$file"
		expect_eq "$file: rules" 1 "$(grep -c '^rule Watchfile:' sout)"
		grep -qxF "	shell    $cmd" sout ||
		    { echo "# $file:" >&2; cat sout >&2; false; }
		grep -qE "^watchrun: wrote Watchfile: .* \\($file is here\\)\$" \
		    init.err
		expect_eq "$file: message lines" 1 "$(wc -l <init.err)"
	done <<'EOF'
Makefile|make
GNUmakefile|make
makefile|make
CMakeLists.txt|cmake --build build
meson.build|meson compile -C builddir
Cargo.toml|cargo build
go.mod|go build ./... && go test ./...
package.json|npm test
pyproject.toml|pytest
EOF
}

@test "--init: with no known project file, a template that runs as written" {
	init_in README
	expect_value init.err \
	    'watchrun: wrote Watchfile: a template that echoes the paths that change
'
	grep -qxF '	shell    echo changed: "$@"' sout
	cd p
	start_ready -w .
	: >new
	wait_for_log 'exited 0 after'
	grep -qx 'changed: new' "$T/wr.out"
}

@test "--init: the make rule runs make when a C file is saved, and not for its output" {
	init_in Makefile
	mkdir bin
	printf '#!/bin/sh\n"$T/probe" "$@"\n: >prog.o\n' >bin/make
	chmod +x bin/make
	cd p
	PATH="$T/bin:$PATH" start_ready
	echo x >a.c
	wait_runs 1
	expect_var 1 WATCHRUN_PATH a.c
	wait_for_log 'exited 0 after'
	echo x >b.h
	wait_runs 2
	expect_var 2 WATCHRUN_PATH b.h
	expect_var 2 WATCHRUN_COUNT 1
}

@test "--init: build systems come before make; the other project files are named" {
	init_in Makefile CMakeLists.txt package.json
	grep -qxF '	shell    cmake --build build' sout
	grep -qxF 'ignore ^build/' sout
	tr '\n' ' ' <p/Watchfile | sed 's/ # / /g' >joined
	grep -qF '(CMakeLists.txt is here).  Also here: package.json, Makefile.' \
	    joined
}

@test "--init: every kind of line of the grammar has a comment, and no line is wider than 79 columns" {
	init_in go.mod
	for kw in 'watch DIR' 'ignore REGEX' 'debounce DURATION' \
	    'REGEX EVENTS COMMAND'; do
		grep -q "^# $kw" p/Watchfile
	done
	refute awk 'length > 79 { bad = 1 } END { exit !bad }' p/Watchfile
}

@test "--init never writes over a file: exit 1, the file named, left as it was" {
	cd w
	echo mine >Watchfile
	run_sync --init
	expect_eq "status" 1 "$rc"
	expect_value "$T/serr" "watchrun: Watchfile: already exists; --init writes a new file only, and leaves this one as it is
"
	[ ! -s "$T/sout" ]
	expect_value Watchfile 'mine
'
}

@test "--init does not follow a symbolic link, even one that leads nowhere" {
	cd w
	ln -s "$T/elsewhere" Watchfile
	run_sync --init
	expect_eq "status" 1 "$rc"
	grep -q '^watchrun: Watchfile: already exists' "$T/serr"
	[ ! -e "$T/elsewhere" ]
}

@test "--init -f FILE writes FILE, named as given, and escaped in the message" {
	cd w
	: >Cargo.toml
	run_sync --init -f $'my\nrules'
	expect_eq "status" 0 "$rc"
	expect_value "$T/serr" 'watchrun: wrote my\nrules: cargo build when Rust sources or Cargo.toml change (Cargo.toml is here)
'
	[ ! -e Watchfile ]
	run_sync --check -f $'my\nrules'
	expect_eq "status of --check" 0 "$rc"
}

@test "--init -q says nothing; a file that cannot be made is named, exit 1" {
	cd w
	run_sync --init -q
	expect_eq "status" 0 "$rc"
	[ ! -s "$T/serr" ]
	[ -s Watchfile ]
	run_sync --init -f nodir/Watchfile
	expect_eq "status" 1 "$rc"
	expect_value "$T/serr" 'watchrun: nodir/Watchfile: No such file or directory
'
}

@test "--init: a write that fails leaves no file behind" {
	if [ -n "${VG_LOGDIR:-}" ]; then
		skip "valgrind writes files of its own"
	fi
	cd w
	# 1 KiB at most, and EFBIG rather than SIGXFSZ past it.
	rc=0
	(ulimit -f 1 && trap '' XFSZ && exec "$WATCHRUN" --init) \
	    </dev/null >"$T/sout" 2>"$T/serr" || rc=$?
	expect_eq "status" 1 "$rc"
	expect_value "$T/serr" 'watchrun: Watchfile: File too large
'
	[ ! -e Watchfile ]
}
