#!/usr/bin/env bats
# lifecycle.bats: the ready line and READY=1, --once, stopping on
# SIGTERM/SIGINT/SIGHUP with nothing left behind, the guardian that
# stops the commands when watchrun is SIGKILLed, and the end of a root
# that is a current directory.

load helpers

@test "the ready line counts the watched directories" {
	start_ready -w w -- true
	ready_line 1 log
	kill -TERM "$WR_PID"
	wait_exit
	mkdir -p w/a/b w/c
	start_ready -w w -- true
	ready_line 4 log
	expect_eq "stderr lines" 1 "$(wc -l <log)"
}

@test "READY=1 goes to \$NOTIFY_SOCKET once the watches are set" {
	start_notify_listener "$T/notify.sock" "$T/notify.log"
	NOTIFY_SOCKET="$T/notify.sock" start_watchrun -q -d 0 -w w -- "$T/probe"
	wait_until file_has notify.log '^READY=1$'
	# Ready means watching: the first change is seen.
	: >w/a
	wait_runs 1
	expect_argv 1
	expect_var 1 WATCHRUN_PATH w/a
	[ ! -s log ]
}

@test "--once: exits with the command's exit status" {
	start_ready --once -w w -s 'exit 3'
	: >w/a
	wait_exit
	expect_eq "exit status" 3 "$wr_status"
	grep -q '^watchrun: command-line:1: .*: exited 3 after' log
}

@test "--once: exits with 128+N when the command dies of signal N" {
	start_ready --once -w w -s 'kill -USR1 $$'
	: >w/a
	wait_exit
	expect_eq "exit status" $((128 + 10)) "$wr_status"
}

# stop_while_running SIGNAL: watchrun gets SIGNAL while a shell with a
# grandchild runs; it must exit 0 and leave no process of the group.
stop_while_running() {
	start_ready -w w -d 0 -s \
	    '"$T/probe"; sleep 300 & echo $! >"$T/gc"; sleep 300'
	: >w/a
	wait_runs 1
	read -r _ shpid pgid _ <runs/1/ids
	expect_eq "the shell leads the group" "$shpid" "$pgid"
	wait_until test -s gc
	gc=$(cat gc)
	proc_alive "$gc"
	expect_eq "pgid of the grandchild" "$pgid" "$(proc_field "$gc" pgrp)"
	kill "-$1" "$WR_PID"
	wait_exit
	expect_eq "exit status" 0 "$wr_status"
	# Right away, not eventually.
	if ! group_empty "$pgid"; then
		echo "# left in group $pgid: $(group_pids "$pgid")"
		false
	fi
	proc_gone "$shpid"
	proc_gone "$gc"
}

@test "SIGTERM: exit 0, the running command's group is gone" {
	stop_while_running TERM
}

@test "SIGINT: exit 0, the running command's group is gone" {
	stop_while_running INT
}

@test "SIGHUP: exit 0, the running command's group is gone" {
	stop_while_running HUP
}

@test "SIGTERM while idle: exit 0" {
	start_ready -w w -- true
	kill -TERM "$WR_PID"
	wait_exit
	expect_eq "exit status" 0 "$wr_status"
}

# sleep_in PGID: prints the pid of a sleep process in group PGID.
sleep_in() {
	local p

	for p in $(group_pids "$1"); do
		if [ "$(cat "/proc/$p/comm" 2>/dev/null)" = sleep ]; then
			echo "$p"
			return 0
		fi
	done
	return 1
}

@test "SIGKILL of watchrun: the command's processes are gone within 1s" {
	start_ready -w w -d 0 -s '"$T/probe"; sleep 300; :'
	: >w/a
	wait_runs 1
	read -r _ shpid pgid _ <runs/1/ids
	wait_until sleep_in "$pgid"
	sl=$(sleep_in "$pgid")
	kill -KILL "$WR_PID"
	WAIT_TIMEOUT=1 wait_until proc_gone "$sl"
	proc_gone "$shpid"
	WAIT_TIMEOUT=1 wait_until group_empty "$pgid"
}

@test "SIGKILL of watchrun: the guardian sends --stop-signal, not SIGTERM" {
	cat >trapper <<'EOF'
#!/bin/sh
trap 'echo USR1 >"$T/got"; exit 0' USR1
: >"$T/up"
while :; do sleep 0.05; done
EOF
	chmod +x trapper
	# The shell is the command's first process, which the kernel kills
	# at once; trapper, in its group, hears from the guardian.
	start_ready --stop-signal USR1 -w w -d 0 -s \
	    '"$T/probe"; "$T/trapper" & wait'
	: >w/a
	wait_until test -e up
	kill -KILL "$WR_PID"
	wait_until test -s got
	expect_eq "signal heard" USR1 "$(cat got)"
}

@test "SIGTERM: a command that ignores SIGTERM is killed after the stop timeout" {
	start_ready --stop-timeout 600ms -w w -d 0 -e CREATE -s \
	    'trap "" TERM; "$T/probe"; : >"$T/trapping"; while :; do sleep 0.05; done'
	: >w/a
	wait_runs 1
	read -r _ shpid pgid _ <runs/1/ids
	wait_until test -e trapping
	t0=$EPOCHREALTIME
	kill -TERM "$WR_PID"
	wait_exit
	ms=$(elapsed_ms "$t0" "$EPOCHREALTIME")
	echo "# watchrun took ${ms}ms to exit"
	expect_eq "exit status" 0 "$wr_status"
	group_empty "$pgid"
	[ "$ms" -ge 600 ]
	grep -q '^watchrun: command-line:1: .*: killed by SIGKILL after' log
}

# A directory deleted while it is some process's current directory gets
# no DELETE_SELF from the kernel until that process leaves it.  Each test
# starts watchrun from inside the root, then (but for one) takes the
# test's own shell out of it.

@test "a root that is watchrun's current directory, deleted: exit 1" {
	mkdir w/sub
	cd "$T/w"
	start_ready -w . -- true
	cd "$T"
	rm -rf "$T/w"
	wait_for_log '^watchrun: \. was deleted; no longer watched$'
	wait_for_log '^watchrun: no directory left to watch$'
	wait_exit
	expect_eq "exit status" 1 "$wr_status"
}

@test "a root deleted while the test's shell is in it too: exit 1" {
	mkdir w/sub
	cd "$T/w"
	start_ready -w "$T/w" -- true
	rm -rf "$T/w"
	wait_for_log '^watchrun: .*/w was deleted; no longer watched$'
	wait_exit
	cd "$T"
	expect_eq "exit status" 1 "$wr_status"
}

# bats test_tags=kernel
@test "a root that is watchrun's current directory, moved away: exit 1" {
	cd "$T/w"
	start_ready -w . -- true
	cd "$T"
	mv w moved
	wait_for_log '^watchrun: \. was moved away; no longer watched$'
	wait_exit
	expect_eq "exit status" 1 "$wr_status"
}

@test "a current directory root inside another root: each deletion seen" {
	mkdir w/sub
	cd "$T/w/sub"
	# The rule takes no DELETE: the tree of .. does not watch for it.
	start_ready -w . -w .. -d 0 -e CREATE -s '"$T/probe" "$@"'
	cd "$T"
	rm -rf w/sub
	wait_for_log '^watchrun: \. was deleted; no longer watched$'
	# .. is still watched, as before.
	: >w/f
	wait_runs 1
	expect_argv 1 ../f
	rm -rf w
	wait_for_log '^watchrun: \.\. was deleted; no longer watched$'
	wait_exit
	expect_eq "exit status" 1 "$wr_status"
}
