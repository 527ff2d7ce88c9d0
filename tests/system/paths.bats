#!/usr/bin/env bats
# paths.bats: how paths are spelled, and how the watch tree follows new,
# renamed, moved and deleted directories; queue overflow.

load helpers

# bats test_tags=kernel
@test "root .: paths as find prints them, no ./, directories end in /" {
	cd w
	start_ready -e CREATE -d 1s -s '"$T/probe" "$@"'
	mkdir d
	: >d/f
	: >g
	wait_until argv_total_at_least 3
	expect_argv 1 d/ d/f g
	expect_var 1 WATCHRUN_PATH g
}

@test "root . itself is ./" {
	cd w
	start_ready -e ATTRIB -s '"$T/probe" "$@"'
	chmod 700 .
	wait_runs 1
	expect_argv 1 ./
	expect_var 1 WATCHRUN_EVENTS 'ATTRIB|ISDIR'
}

# bats test_tags=kernel
@test "relative root, trailing slash dropped; root itself is DIR/" {
	start_ready -w w/ -e 'CREATE|ATTRIB' -d 1s -s '"$T/probe" "$@"'
	mkdir w/d
	: >w/d/f
	chmod 700 w
	wait_until argv_total_at_least 3
	expect_argv 1 w/d/ w/d/f w/
}

@test "absolute root: absolute paths" {
	start_ready -w "$T/w" -e CREATE -d 1s -s '"$T/probe" "$@"'
	mkdir w/d
	: >w/d/f
	wait_until argv_total_at_least 2
	expect_argv 1 "$T/w/d/" "$T/w/d/f"
}

@test "mkdir -p a/b/c && echo x >a/b/c/f.txt reaches the rule" {
	start_ready -w w -r 'f\.txt$' -d 1s -s '"$T/probe" "$@"'
	# Twenty times over: the file races the watch on its directory.
	for i in $(seq 1 20); do
		mkdir -p "w/$i/b/c" && echo x >"w/$i/b/c/f.txt"
	done
	wait_until argv_total_at_least 20
	for i in $(seq 1 20); do
		printf 'w/%s/b/c/f.txt\0' "$i"
	done | sort -z >expected
	all_argv | sort -z >got
	cmp expected got
	expect_eq runs 1 "$(run_count)"
	expect_var 1 WATCHRUN_COUNT 20
}

# bats test_tags=kernel
@test "the scan of a directory moved in reports what is in it as moved in" {
	mkdir -p away/d/e
	: >away/d/e/f
	start_ready -w w -e 'CREATE|MOVED_TO' -d 1s -s '"$T/probe" "$@"'
	mv away/d w/d
	wait_until argv_total_at_least 3
	expect_argv 1 w/d/ w/d/e/ w/d/e/f
	expect_var 1 WATCHRUN_EVENTS MOVED_TO
}

@test "a renamed directory reports its new path" {
	mkdir -p w/old/deep
	start_ready -w w -r '\.txt$' -d 1s -s '"$T/probe" "$@"'
	mv w/old w/new
	echo x >w/new/f.txt
	echo x >w/new/deep/g.txt
	wait_until argv_total_at_least 2
	expect_argv 1 w/new/f.txt w/new/deep/g.txt
}

@test "a directory renamed twice, and moved under another, keeps up" {
	mkdir -p w/a w/x/y
	start_ready -w w -r '\.txt$' -d 1s -s '"$T/probe" "$@"'
	mv w/a w/b
	mv w/b w/x/y/c
	echo x >w/x/y/c/f.txt
	wait_runs 1
	expect_argv 1 w/x/y/c/f.txt
}

@test "a directory moved out of the tree is no longer reported" {
	mkdir -p w/d away
	start_ready -w w -r '\.txt$' -s '"$T/probe" "$@"'
	mv w/d away/d
	echo x >away/d/f.txt
	echo x >w/marker.txt
	wait_until some_run_got w/marker.txt
	# Not even late: one more change after the marker.
	echo x >away/d/g.txt
	echo x >w/marker2.txt
	wait_until some_run_got w/marker2.txt
	# Nothing but the markers.  (A marker's CREATE and WRITE can come in
	# runs of their own when the machine is loaded.)
	refute grep -qzvxE 'w/marker2?\.txt' <(all_argv)
}

@test "moved out, then changed, before watchrun reads: not reported" {
	mkdir -p w/d away
	start_ready -w w -r '\.txt$' -s '"$T/probe" "$@"'
	# All these events reach watchrun in one read.
	kill -STOP "$WR_PID"
	wait_until stopped "$WR_PID"
	mv w/d away/d
	echo x >away/d/f.txt
	echo x >w/marker.txt
	kill -CONT "$WR_PID"
	wait_runs 1
	expect_argv 1 w/marker.txt
}

@test "a directory moved into the tree is watched" {
	mkdir -p away/d/e
	start_ready -w w -r '\.txt$' -s '"$T/probe" "$@"'
	mv away/d w/d
	echo x >w/d/e/f.txt
	wait_runs 1
	expect_argv 1 w/d/e/f.txt
}

@test "moved in, then filled, before watchrun reads: all reported" {
	mkdir -p away/d/e
	start_ready -w w -r '\.txt$' -s '"$T/probe" "$@"'
	kill -STOP "$WR_PID"
	wait_until stopped "$WR_PID"
	mv away/d w/d
	echo x >w/d/e/f.txt
	mkdir w/d/e/g
	echo x >w/d/e/g/h.txt
	kill -CONT "$WR_PID"
	wait_runs 1
	expect_argv 1 w/d/e/f.txt w/d/e/g/h.txt
	echo x >w/d/e/g/i.txt
	wait_runs 2
	expect_argv 2 w/d/e/g/i.txt
}

# bats test_tags=inotify
@test "symlinks to directories are not followed, unless --follow-symlinks" {
	mkdir target
	ln -s ../target w/link
	start_ready -w w -e CREATE -s '"$T/probe" "$@"'
	ready_line 1 log
	: >target/not-seen
	: >w/marker
	wait_runs 1
	expect_argv 1 w/marker
	kill -TERM "$WR_PID"
	wait_exit
	start_ready --follow-symlinks -w w -e CREATE -s '"$T/probe" "$@"'
	ready_line 2 log
	: >target/seen
	wait_runs 2
	expect_argv 2 w/link/seen
}

# bats test_tags=inotify
@test "--follow-symlinks: a link made after the start is followed too" {
	mkdir target
	: >target/already
	start_ready --follow-symlinks -w w -e CREATE -s '"$T/probe" "$@"'
	ln -s ../target w/late
	# The link is followed and its directory scanned...
	wait_until argv_total_at_least 2
	all_argv | tr '\0' '\n' | grep -qx 'w/late/already'
	# ...and watched from then on.
	: >target/after
	wait_until argv_total_at_least 3
	all_argv | tr '\0' '\n' | grep -qx 'w/late/after'
}

@test "a deleted root is reported; with none left, exit 1" {
	mkdir -p a b
	start_ready -w a -w b -s '"$T/probe" "$@"'
	ready_line 2 log
	rm -r a
	wait_for_log '^watchrun: a .*no longer watched$'
	# Still running for b.
	: >b/f
	wait_runs 1
	expect_argv 1 b/f
	rm -r b
	wait_for_log '^watchrun: b .*no longer watched$'
	wait_for_log '^watchrun: no directory left to watch$'
	wait_exit
	expect_eq "exit status" 1 "$wr_status"
}

@test "a root that is missing or not a directory: exit 1" {
	run_sync -w nosuch -- true
	expect_eq "exit status" 1 "$rc"
	grep -q 'nosuch' serr
	: >file
	run_sync -w file -- true
	expect_eq "exit status" 1 "$rc"
	grep -q 'file' serr
}

# bats test_tags=kernel
@test "queue overflow: warning, rescan, a run with WATCHRUN_OVERFLOW=1" {
	mkdir w/sub
	start_ready -w w -s '"$T/probe" "$@"'
	n=$(overflow_burst w/sub)
	wait_for_log 'overflow'
	wait_runs 1
	expect_var 1 WATCHRUN_OVERFLOW 1
	# Every file made, and w/sub/ whose mtime changed too.
	expect_var 1 WATCHRUN_COUNT $((n + 1))
	grep -qzx w/sub/ runs/1/argv
	grep -qzx w/sub/f1 runs/1/argv
	grep -qzx "w/sub/f$n" runs/1/argv
	# Watching goes on as before.
	: >w/sub/after
	wait_runs 2
	expect_argv 2 w/sub/after
	[ ! -e runs/2/WATCHRUN_OVERFLOW ]
}

# bats test_tags=kernel
@test "queue overflow: a directory made meanwhile is watched after" {
	mkdir w/burst
	start_ready -w w -r '\.txt$' -s '"$T/probe" "$@"'
	kill -STOP "$WR_PID"
	wait_until stopped "$WR_PID"
	max=$(cat /proc/sys/fs/inotify/max_queued_events)
	mkdir w/new
	(cd w/burst && seq -f 'f%g' 1 $((max + 200)) | xargs touch)
	kill -CONT "$WR_PID"
	wait_for_log 'overflow'
	wait_runs 1
	echo x >w/new/f.txt
	wait_runs 2
	expect_argv 2 w/new/f.txt
}
