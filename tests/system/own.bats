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

@test "a read of a directory by someone else is reported once" {
	mkdir -p w/d
	start_ready --print -w w -e 'OPEN|ISDIR'
	ls w/d >/dev/null
	mkdir w/zz-dir
	ls w/zz-dir >/dev/null
	wait_for_log '^OPEN\|ISDIR w/zz-dir/$' wr.out
	printf '%s\n' 'OPEN|ISDIR w/d/' 'OPEN|ISDIR w/zz-dir/' >expected
	diff -u expected wr.out
}
