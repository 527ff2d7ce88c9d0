#!/usr/bin/env bats
# debounce.bats: trailing-edge debounce per rule.

load helpers

# bats test_tags=kernel
@test "a burst of 200 files gives one run with all 200 paths" {
	start_ready -w w -d 1s -s '"$T/probe" "$@"'
	for i in $(seq 1 200); do
		: >"w/file-$i"
	done
	# All paths, over however many runs: then count the runs.
	wait_until argv_total_at_least 200
	expect_eq runs 1 "$(run_count)"
	expect_var 1 WATCHRUN_COUNT 200
	expect_var 1 WATCHRUN_PATH w/file-200
	for i in $(seq 1 200); do
		printf 'w/file-%s\0' "$i"
	done >expected
	cmp expected runs/1/argv
}

# proc_io PID KEY: the process's own counter, without its reaped children.
proc_io() {
	awk -v k="$2:" '$1 == k { print $2 }' "/proc/$1/task/$1/io"
}

wakeups() {
	awk '/^voluntary_ctxt_switches:/ { print $2 }' "/proc/$1/status"
}

# bats test_tags=kernel
@test "a storm is read in batches, and afterwards no timer is left armed" {
	# tmpfs: the writer outruns one read per record by far.
	[ "$(stat -f -c %T /dev/shm 2>/dev/null)" = tmpfs ] ||
	    skip "/dev/shm is not a tmpfs"
	ELSEWHERE=$(mktemp -d /dev/shm/watchrun-test.XXXXXX)
	mkdir "$ELSEWHERE/w"
	start_ready -w "$ELSEWHERE/w" -s '"$T/probe" "$@"'
	reads=$(proc_io "$WR_PID" syscr)
	t0=$(now_ms)
	# 5,000 files: 10,000 records (CREATE and WRITE each), a hundred
	# or more a millisecond.
	(cd "$ELSEWHERE/w" && seq -f 'f%.0f' 1 5000 | xargs touch)
	ms=$(($(now_ms) - t0))
	wait_until argv_total_at_least 5000
	expect_eq runs 1 "$(run_count)"
	expect_var 1 WATCHRUN_COUNT 5000
	reads=$(($(proc_io "$WR_PID" syscr) - reads))
	echo "# $reads reads for 10000 records written in $ms ms"
	# Paced: about one read a millisecond.  Unpaced (pace.c made to
	# return 0), 1,000 to 2,600 reads in 33 to 51 ms on an idle machine:
	# 20 to 50 a millisecond.  On a loaded one the writer stalls, a
	# paced read then brings fewer than 8 records and pacing restarts
	# after a streak: up to 1.7 a millisecond were seen.  The bound
	# stays far below unpaced reading.
	((reads < 3 * ms + 200))
	# The storm is over: nothing wakes watchrun any more.
	wait_for_log 'exited 0'
	before=$(wakeups "$WR_PID")
	sleep 1
	expect_eq "wake-ups in an idle second" 0 \
	    $(($(wakeups "$WR_PID") - before))
}

# bats test_tags=kernel
@test "a path changed many times is passed once" {
	start_ready -w w -d 1s -s '"$T/probe" "$@"'
	for i in $(seq 1 20); do
		echo "$i" >>w/a
		echo "$i" >>w/b
	done
	wait_until argv_total_at_least 2
	expect_eq runs 1 "$(run_count)"
	expect_argv 1 w/a w/b
	expect_var 1 WATCHRUN_COUNT 2
	expect_var 1 WATCHRUN_EVENTS 'WRITE|CREATE'
}

# reads_grew PID BEFORE: PID has made more read(2) calls than BEFORE.
reads_grew() {
	[ "$(proc_io "$1" syscr)" -gt "$2" ]
}

# bats test_tags=kernel
@test "a change queued while watchrun could not run joins the batch whose time ran out meanwhile" {
	start_ready -w w -d 300ms -e CREATE -s '"$T/probe" "$@"'
	reads=$(proc_io "$WR_PID" syscr)
	: >w/a
	# w/a has been read: its batch's deadline is set.
	wait_until reads_grew "$WR_PID" "$reads"
	kill -STOP "$WR_PID"
	# Past the deadline while watchrun cannot run; then a change.
	sleep 0.5
	: >w/b
	kill -CONT "$WR_PID"
	wait_runs 1
	expect_argv 1 w/a w/b
	# Nothing was left over for a second run.
	: >w/c
	wait_runs 2
	expect_argv 2 w/c
}

# bats test_tags=kernel
@test "debounce 0 runs while changes keep coming" {
	start_ready -w w -d 0 -s '"$T/probe" "$@"'
	# A change every few milliseconds, for up to 10 seconds: a rule that
	# waited for a quiet period would not run before the end.
	i=0
	while [ "$(run_count)" -eq 0 ] && [ "$i" -lt 2000 ]; do
		echo "$i" >>w/stream
		i=$((i + 1))
		sleep 0.005
	done
	echo "# first run after $i writes"
	[ "$i" -lt 2000 ]
	expect_argv 1 w/stream
}

# bats test_tags=kernel
@test "two rules are debounced independently" {
	cat >Watchfile <<'EOF'
watch w
debounce 0
'^w/a' WRITE echo "$@" >>"$T/a.log"
debounce 2s
'^w/b' WRITE "$T/probe" "$@"
EOF
	start_ready
	t0=$EPOCHREALTIME
	echo x >w/b
	# Rule 1 keeps getting changes; rule 2 must run 2s after its own.
	i=0
	while [ "$(run_count)" -eq 0 ] && [ "$i" -lt 2000 ]; do
		echo "$i" >w/a
		i=$((i + 1))
		sleep 0.005
	done
	[ "$i" -lt 2000 ]
	expect_argv 1 w/b
	ms=$(elapsed_ms "$t0" "$(cat runs/1/start)")
	echo "# rule 2 ran after ${ms}ms, $i writes for rule 1"
	[ "$ms" -ge 2000 ]
	# Rule 1 ran all along, not once at the end.
	wait_until file_has a.log 'w/a'
	[ "$(grep -c 'w/a' a.log)" -ge 2 ]
}
