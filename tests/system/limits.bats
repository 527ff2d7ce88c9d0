#!/usr/bin/env bats
# limits.bats: the kernel's inotify limits (queue overflow, watches,
# instances), lowered for a moment.  scale.bats has the tests of big trees
# and storms that change nothing outside their own.
#
# These tests need root: they change /proc/sys/fs/inotify/* only while
# watchrun starts (the kernel reads it then) or for the few milliseconds
# a test needs, and teardown puts it back if they fail.  Other tests that
# start a watchrun meanwhile would see those limits too:
# tests/system/run-suite runs this file alone, after the others.
# run-suite: alone

# shellcheck disable=SC2016	# commands are for watchrun's shell
# shellcheck disable=SC2154	# rc, wr_status... are set by helpers
# shellcheck disable=SC2030,SC2031	# bats runs teardown in the test's shell

load helpers
load hardening

# --- Losing nothing: overflow ------------------------------------------

@test "overflow (max_queued_events lowered): every change rule runs with the storm's paths" {
	need_sysctl
	mkdir -p w/sub runsA runsB runsC
	for i in $(seq 1 20); do
		echo old >"w/sub/old$i.txt"
	done
	echo sync >w/sync
	t_old=$EPOCHREALTIME
	cat >Watchfile <<'EOF'
watch w
debounce 200ms
. WRITE PROBE_RUNS="$T/runsA" "$T/probe" "$@"
'\.txt$' CREATE|DELETE PROBE_RUNS="$T/runsB" "$T/probe" "$@"
# No change event: not for an overflow.
'^w/sync$' ACCESS PROBE_RUNS="$T/runsC" "$T/probe" "$@"
EOF
	# The kernel sizes the queue when watchrun creates its instance.
	sysctl_set max_queued_events 64
	start_ready
	sysctl_restore
	# Changes are looked for back to when the queue was last empty (less
	# 50ms for coarse file times): let that be well after the old files
	# were made, and empty the queue once more.
	wait_until clock_past "$t_old" 300
	cat w/sync >/dev/null
	wait_runs 1 runsC
	kill -STOP "$WR_PID"
	wait_until stopped "$WR_PID"
	# These first few events fit in the queue...
	for i in 1 2 3; do
		echo new >>"w/sub/old$i.txt"
	done
	rm w/sub/old20.txt
	# ...and then it overflows.
	(cd w/sub && seq -f 'new%g.txt' 1 300 | xargs touch)
	mkdir -p w/newdir/deep
	echo x >w/newdir/deep/n.txt
	kill -CONT "$WR_PID"
	wait_for_log 'overflow'
	wait_runs 1 runsA
	wait_runs 1 runsB
	{
		printf 'w/sub/old%s.txt\n' 1 2 3 20
		seq -f 'w/sub/new%g.txt' 1 300
		echo w/newdir/deep/n.txt
	} >expectedB
	expect_sorted_args expectedB runsB
	expect_value runsB/1/WATCHRUN_OVERFLOW 1
	# Every path changed (directories too), none that was not.
	{
		grep -v old20 expectedB
		printf '%s\n' w/sub/ w/newdir/ w/newdir/deep/
	} | LC_ALL=C sort >expectedA
	# (The root, whose mtime changed too, may be among them or not.)
	all_args_sorted runsA | grep -vx 'w/' >gotA || true
	diff -u expectedA gotA
	expect_value runsA/1/WATCHRUN_OVERFLOW 1
	# The directories made meanwhile are watched.
	echo x >w/newdir/deep/after.txt
	wait_runs 2 runsB
	expect_bytes runsB/2/argv w/newdir/deep/after.txt
	[ ! -e runsB/2/WATCHRUN_OVERFLOW ]
	# The ACCESS rule did not run for the overflow.
	cat w/sync >/dev/null
	wait_runs 2 runsC
	expect_bytes runsC/2/argv w/sync
	[ ! -e runsC/2/WATCHRUN_OVERFLOW ]
	expect_eq "ACCESS runs" 2 "$(run_count runsC)"
	# The WRITE rule ran for the overflow, then for after.txt only.
	wait_runs 2 runsA
	expect_bytes runsA/2/argv w/newdir/deep/after.txt
	expect_eq "WRITE runs" 2 "$(run_count runsA)"
}

# --- Losing nothing: the watch and instance limits ---------------------

@test "watch limit at start: exit 1 with the numbers and how to raise it; --partial watches what fits" {
	need_sysctl
	for i in $(seq 1 8); do
		mkdir -p "w/d$i/a/b/c/e"
	done
	total=$(find w -type d | wc -l)
	# max_user_watches counts every watch of root's on the machine.
	want=$(($(root_watches) + 5))
	sysctl_set max_user_watches "$want"
	run_sync --backend inotify -w w -- true
	sysctl_restore
	expect_eq "exit status" 1 "$rc"
	cat serr
	expect_eq "lines" 1 "$(wc -l <serr)"
	limit_numbers "$(cat serr)"
	expect_eq "limit shown" "$want" "$limit"
	expect_eq "watched + unwatched" "$total" $((watched + unwatched))
	[ "$watched" -lt "$total" ]
	grep -q "sysctl fs.inotify.max_user_watches=N" serr
	grep -q -- '--partial' serr
	want=$(($(root_watches) + 5))
	sysctl_set max_user_watches "$want"
	start_ready --backend inotify --partial -w w -d 0 -e CREATE \
	    -s '"$T/probe" "$@"'
	sysctl_restore
	line=$(grep 'watch limit' log)
	limit_numbers "$line"
	expect_eq "watched + unwatched" "$total" $((watched + unwatched))
	[ "$watched" -lt "$total" ]
	grep -qx "watchrun: ready, watching $watched directories with inotify" log
	expect_eq "watches held" "$watched" "$(wr_watch_count)"
	grep -q "sysctl fs.inotify.max_user_watches=N" log
	refute grep -q -- '--partial' log
	: >w/f
	wait_runs 1
	expect_argv 1 w/f
}

@test "auto, as root: a tree past inotify's watch limit gets fanotify instead" {
	need_sysctl
	need_fanotify
	for i in $(seq 1 8); do
		mkdir -p "w/d$i/a/b/c/e"
	done
	want=$(($(root_watches) + 5))
	sysctl_set max_user_watches "$want"
	start_ready -w w -d 0 -e CREATE -s '"$T/probe" "$@"'
	sysctl_restore
	grep -qx "watchrun: w: more directories than inotify's watch limit allows: watching it with fanotify instead" log
	grep -qx 'watchrun: ready, watching 1 tree with fanotify' log
	expect_eq "watches held" 0 "$(wr_watch_count)"
	: >w/d8/a/b/c/e/f
	wait_runs 1
	expect_argv 1 w/d8/a/b/c/e/f
}

@test "watch limit later: a warning with the numbers, watching goes on" {
	need_sysctl
	mkdir -p w/a w/b away/new/a/b/c/d
	start_ready -w w -d 0 -e CREATE -r '\.txt$' -s '"$T/probe" "$@"'
	want=$(($(root_watches) + 2))
	sysctl_set max_user_watches "$want"
	mv away/new w/new
	wait_for_log 'watch limit'
	sysctl_restore
	line=$(grep 'watch limit' log)
	echo "# $line"
	limit_numbers "$line"
	expect_eq "limit shown" "$want" "$limit"
	# The tree's watches, and the one on w's parent ($T) from the start.
	expect_eq "watched" "$(wr_watch_count)" $((watched + 1))
	# The three from before, and some of the five new ones (two, unless
	# some other process of root's changed its watches meanwhile).
	[ "$watched" -ge 3 ] && [ "$watched" -lt 8 ]
	expect_eq "watched + unwatched" 8 $((watched + unwatched))
	grep -q "sysctl fs.inotify.max_user_watches=N" log
	: >w/a/f.txt
	wait_runs 1
	expect_argv 1 w/a/f.txt
	: >w/new/a/g.txt
	wait_runs 2
	expect_argv 2 w/new/a/g.txt
}

@test "max_user_instances reached: a message naming fs.inotify.max_user_instances, exit 1" {
	need_sysctl
	sysctl_set max_user_instances 0
	run_sync -w w -- true
	sysctl_restore
	cat serr
	expect_eq "exit status" 1 "$rc"
	grep -q '^watchrun: inotify_init1: .*fs\.inotify\.max_user_instances=0' serr
	refute grep -q ready serr
}
