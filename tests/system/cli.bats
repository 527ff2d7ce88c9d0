#!/usr/bin/env bats
# cli.bats: the rule given on the command line (-- command, -s) and its
# options -r, -e, -x, -d, -w, with their defaults.

load helpers

@test "-- command args: runs argv as given, no paths appended" {
	start_ready -w w -- "$T/probe" one 'two words' '$HOME' '"$@"'
	echo x >w/f.txt
	wait_runs 1
	expect_argv 1 one 'two words' '$HOME' '"$@"'
	expect_var 1 WATCHRUN_PATH w/f.txt
	expect_var 1 WATCHRUN_COUNT 1
	expect_var 1 WATCHRUN_RULE command-line:1
}

@test "-- command is looked up in PATH" {
	mkdir bin
	ln -s "$T/probe" bin/my-probe
	PATH="$T/bin:$PATH" start_ready -w w -- my-probe arg
	echo x >w/f.txt
	wait_runs 1
	expect_argv 1 arg
}

# bats test_tags=kernel
@test "-s: sh -c CMD watchrun PATH..., the paths in \"\$@\"" {
	start_ready -w w -s 'printf %s "$0" >"$T/zero"; "$T/probe" first "$@"'
	touch w/a w/b
	wait_runs 1
	expect_argv 1 first w/a w/b
	expect_value zero watchrun
	expect_var 1 WATCHRUN_COUNT 2
	expect_var 1 WATCHRUN_PATH w/b
	expect_var 1 WATCHRUN_RULE command-line:1
}

@test "-r REGEX: only matching paths" {
	start_ready -w w -r '\.c$' -s '"$T/probe" "$@"'
	echo x >w/x.h
	echo x >w/x.c.orig
	echo x >w/y.c
	wait_runs 1
	expect_argv 1 w/y.c
}

@test "-e EVENTS: only those events" {
	echo x >w/old
	start_ready -w w -e 'DELETE' -s '"$T/probe" "$@"'
	# CREATE and WRITE: not for this rule.
	echo x >w/new
	rm w/old
	wait_runs 1
	expect_argv 1 w/old
	expect_var 1 WATCHRUN_EVENTS DELETE
}

# bats test_tags=kernel
@test "-e takes kernel names, | and , and reports unknown ones" {
	start_ready -w w -d 1s -e 'in_attrib,IN_MOVED_TO' -s '"$T/probe" "$@"'
	echo x >w/a
	chmod 600 w/a
	echo x >w/tmp
	mv w/tmp w/b
	wait_until argv_total_at_least 2
	expect_argv 1 w/a w/b
	run_sync -e 'ATTRIB|MODIFIY' -- true
	expect_eq "exit status" 2 "$rc"
	expect_eq stderr \
	    "watchrun: -e: unknown event 'MODIFIY' (did you mean 'MODIFY'?); see 'watchrun --help'" \
	    "$(cat serr)"
}

@test "-x REGEX: ignored directories are not watched, paths not reported" {
	mkdir -p w/skip/deep w/keep
	start_ready -w w -x '^w/skip/$' -x '\.o$' -s '"$T/probe" "$@"'
	ready_line 2 log
	: >w/skip/a
	: >w/skip/deep/b
	: >w/keep/c.o
	: >w/keep/c
	wait_until file_has runs/1/argv 'c$'
	expect_eq runs 1 "$(run_count)"
	expect_argv 1 w/keep/c
}

@test "-d DURATION: the quiet period before a run" {
	start_ready -w w -d 1200ms -s '"$T/probe" "$@"'
	t0=$EPOCHREALTIME
	: >w/a
	wait_runs 1
	ms=$(elapsed_ms "$t0" "$(cat runs/1/start)")
	echo "# ran after ${ms}ms"
	[ "$ms" -ge 1200 ]
	run_sync -d 5 -- true
	expect_eq "exit status" 2 "$rc"
	grep -q "^watchrun: -d '5': missing unit" serr
}

@test "-w DIR, repeated: several roots" {
	mkdir -p a b/sub
	start_ready -w a -w b/ -d 1s -s '"$T/probe" "$@"'
	ready_line 3 log
	: >a/x
	: >b/sub/y
	wait_until argv_total_at_least 2
	expect_argv 1 a/x b/sub/y
}

@test "defaults: root ., every path, WRITE|MOVED_*|CREATE|DELETE, 100ms" {
	cd w
	run_sync --check -- true
	cat >"$T/expected" <<'EOF'
watch .
rule command-line:1
	regex    (every path)
	events   WRITE|MOVED_FROM|MOVED_TO|CREATE|DELETE
	debounce 100ms
	exec     true
EOF
	diff -u "$T/expected" "$T/sout"
	: >attrib-only
	start_ready -s '"$T/probe" "$@"'
	ready_line 1 "$T/log"
	# ATTRIB and MODIFY are not among the default events.
	chmod 600 attrib-only
	t0=$EPOCHREALTIME
	: >new
	wait_runs 1
	expect_argv 1 new
	ms=$(elapsed_ms "$t0" "$(cat "$T/runs/1/start")")
	[ "$ms" -ge 100 ]
}

@test "-e: watch options are warned about and dropped; none left is an error" {
	run_sync --check -e 'CREATE|ONESHOT' -s :
	[ "$rc" -eq 0 ]
	grep -q 'ONESHOT: a watch option, not an event; ignored' serr
	grep -qx $'\tevents   CREATE' sout
	run_sync --check -e ONESHOT -s :
	[ "$rc" -eq 2 ]
	grep -q 'no events left' serr
}

@test "usage errors exit 2" {
	run_sync -s 'true' -- true
	expect_eq "-s and --" 2 "$rc"
	run_sync -r x
	expect_eq "-r without a command" 2 "$rc"
	run_sync --no-such-option
	expect_eq "unknown option" 2 "$rc"
	run_sync --on-busy sometimes -- true
	expect_eq "--on-busy" 2 "$rc"
	run_sync -r '(' -- true
	expect_eq "bad -r" 2 "$rc"
	grep -q "missing closing parenthesis" serr
	run_sync --version
	expect_eq "--version" 0 "$rc"
	expect_eq "--version output" "watchrun 1.0.0" "$(cat sout)"
	run_sync --help
	expect_eq "--help" 0 "$rc"
	grep -q '^usage: watchrun' sout
}
