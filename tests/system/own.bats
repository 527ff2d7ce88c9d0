#!/usr/bin/env bats
# own.bats: what watchrun itself does to the trees (reading directories
# to scan them) never reaches a rule or --print.

load helpers

@test "no run at start-up for a rule on directory reads" {
	mkdir -p w/src/x
	start_ready -w w -d 0 -e 'CREATE|OPEN|ACCESS|CLOSE|ISDIR' \
	    -s '"$T/probe" "$@"'
	mkdir w/zz
	wait_runs 1
	expect_argv 1 w/zz/
	expect_var 1 WATCHRUN_EVENTS 'CREATE|ISDIR'
	mkdir w/zz2
	wait_runs 2
	expect_argv 2 w/zz2/
	expect_eq runs 2 "$(run_count)"
}

# bats test_tags=kernel
@test "--once with ALL|ISDIR waits for a read by someone else" {
	mkdir -p w/d/e
	start_ready -w w -d 0 --once -e 'ALL|ISDIR' -- "$T/probe"
	proc_alive "$WR_PID"
	ls w/d >/dev/null
	wait_exit
	expect_eq status 0 "$wr_status"
	expect_eq runs 1 "$(run_count)"
	expect_var 1 WATCHRUN_PATH w/d/
}

# bats test_tags=kernel
@test "--print -e ALL shows others' reads, not watchrun's own" {
	mkdir -p w/d/e
	echo x >w/f
	start_ready --print -w w -e ALL
	cat w/f >/dev/null
	mkdir w/new
	mkdir w/zz-end
	wait_for_log '^CREATE\|ISDIR w/zz-end/$' wr.out
	cat >expected <<'EOF2'
OPEN w/f
ACCESS w/f
CLOSE w/f
CREATE|ISDIR w/new/
CREATE|ISDIR w/zz-end/
EOF2
	diff -u expected wr.out
}

# bats test_tags=kernel
@test "a read of a directory by someone else is reported once" {
	mkdir -p w/d
	start_ready --print -w w -e 'OPEN|CREATE|ISDIR'
	ls w/d >/dev/null
	mkdir w/zz-dir
	# Its own watch reports its reads: once watchrun has made it.
	wait_for_log '^CREATE\|ISDIR w/zz-dir/$' wr.out
	ls w/zz-dir >/dev/null
	wait_for_log '^OPEN\|ISDIR w/zz-dir/$' wr.out
	printf '%s\n' 'OPEN|ISDIR w/d/' 'CREATE|ISDIR w/zz-dir/' \
	    'OPEN|ISDIR w/zz-dir/' >expected
	diff -u expected wr.out
}

# start_into FILE ARG...: starts watchrun with standard output to FILE,
# standard error to $T/log, and waits for the ready line.
start_into() {
	local out=$1

	shift
	fresh_output "$out" "$T/log"
	setsid "$WATCHRUN" "$@" </dev/null >"$out" 2>"$T/log" 3>&- &
	WR_PID=$!
	wait_until ready_or_gone
	grep -qE "$READY_ERE" "$T/log"
}

# bats test_tags=kernel
@test "--print into a file in the watched tree does not report that file" {
	start_into w/out --print -w w
	: >w/a
	wait_for_log '^WRITE w/a$' w/out
	mv w/out w/renamed
	: >w/zz-end
	wait_for_log '^WRITE w/zz-end$' w/renamed
	cat >expected <<'EOF2'
CREATE w/a
OPEN w/a
WRITE w/a
CREATE w/zz-end
OPEN w/zz-end
WRITE w/zz-end
EOF2
	diff -u expected w/renamed
}

@test "standard error in the watched tree: run reports set off no rule" {
	setsid "$WATCHRUN" -w w -d 100ms -e 'CREATE|MODIFY|WRITE' \
	    -s '"$T/probe" "$@"; echo "said by the command" >&2' \
	    </dev/null >"$T/wr.out" 2>w/err.log 3>&- &
	WR_PID=$!
	wait_for_log 'ready' w/err.log
	: >w/a
	wait_runs 1
	wait_for_log 'exited 0' w/err.log
	: >w/b
	wait_runs 2
	wait_until matches_at_least 2 w/err.log 'exited 0'
	expect_argv 2 w/b
	: >w/c
	wait_runs 3
	expect_argv 3 w/c
	expect_eq runs 3 "$(run_count)"
}

# bats test_tags=kernel
@test "a file of the same name elsewhere in the tree is still reported" {
	mkdir w/sub
	start_into w/out --print -w w -e 'CREATE|DELETE'
	: >w/sub/out
	rm w/sub/out
	: >w/zz-end
	wait_for_log '^CREATE w/zz-end$' w/out
	printf '%s\n' 'CREATE w/sub/out' 'DELETE w/sub/out' 'CREATE w/zz-end' \
	    >expected
	diff -u expected w/out
}
