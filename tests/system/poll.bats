#!/usr/bin/env bats
# poll.bats: the polling backend (--backend poll[=INTERVAL]): the ready
# line, what rules get, --print output as inotify's, files reported once
# they settle, ignored directories never read, a root deleted.

load helpers

# Splits the --print output in wr.out at the offsets in marks (where it
# ended as each marker showed), leaves the markers (w/zz.N) out, and
# writes each block's events one name a line, sorted: the order of the
# events that one poll finds is the backend's own.
normalise() {
	python3 - wr.out marks <<'EOF'
import re, sys
data = open(sys.argv[1], "rb").read()
start = 0
for end in [int(n) for n in open(sys.argv[2])]:
    block = set()
    for line in data[start:end].splitlines():
        names, path = line.split(b" ", 1)
        if re.fullmatch(rb"w/zz\.[0-9]+", path):
            continue
        isdir = b"|ISDIR" if b"ISDIR" in names.split(b"|") else b""
        for name in names.split(b"|"):
            if name != b"ISDIR":
                block.add(name + isdir + b" " + path)
    sys.stdout.buffer.write(b"".join(sorted(l + b"\n" for l in block)))
    sys.stdout.buffer.write(b"--\n")
    start = end
EOF
}

# mark N: creates the marker w/zz.N, waits until --print shows it, and
# notes how long the output is then.
mark() {
	echo "$1" >"w/zz.$1"
	wait_for_log "^[A-Z|]*CREATE[A-Z|]* w/zz\\.$1\$" wr.out
	wc -c <wr.out >>marks
}

# The actions whose events the backends must agree on, a marker after each.
actions() {
	echo a >w/f
	mark 1
	mkdir w/d
	mark 2
	echo b >w/d/g
	mark 3
	mv w/f w/d/f2
	mark 4
	mv w/d w/e
	mark 5
	chmod 600 w/e/g
	mark 6
	echo more >>w/e/g
	mark 7
	rm w/e/g
	mark 8
	mv w/e/f2 w/h
	mark 9
	echo k >w/e/k
	mark 10
	mv w/h w/e/k
	mark 11
	rm -r w/e
	mark 12
}

@test "ready line: directories polled and the interval" {
	mkdir -p w/a/b
	start_ready --print --backend poll=100ms -w w
	grep -qx 'watchrun: ready, watching 3 directories by polling every 100ms' \
	    log
}

@test "WATCHRUN_BACKEND=poll chooses polling, every second by default" {
	WATCHRUN_BACKEND=poll start_ready --print -w w
	grep -qx 'watchrun: ready, watching 1 directory by polling every 1s' log
}

@test "created, written, renamed and deleted files reach a rule" {
	echo old >w/old
	start_ready --backend poll=100ms -w w -d 50ms -s '"$T/probe" "$@"'
	echo x >w/new
	wait_runs 1
	expect_argv 1 w/new
	expect_var 1 WATCHRUN_EVENTS 'WRITE|CREATE'
	echo more >>w/old
	wait_runs 2
	expect_argv 2 w/old
	expect_var 2 WATCHRUN_EVENTS WRITE
	mkdir w/sub
	wait_runs 3
	expect_argv 3 w/sub/
	expect_var 3 WATCHRUN_EVENTS 'CREATE|ISDIR'
	mv w/old w/sub/renamed
	wait_runs 4
	expect_argv 4 w/old w/sub/renamed
	expect_var 4 WATCHRUN_EVENTS MOVED_TO
	rm w/new
	wait_runs 5
	expect_argv 5 w/new
	expect_var 5 WATCHRUN_EVENTS DELETE
}

@test "--print: the same events and paths as inotify's, poll by poll" {
	local b

	for b in inotify poll=100ms; do
		rm -rf w marks
		mkdir w
		start_ready --print --backend "$b" -w w \
		    -e 'CREATE|DELETE|WRITE|MODIFY|ATTRIB|MOVED_FROM|MOVED_TO'
		actions
		kill "$WR_PID"
		wait_exit
		normalise wr.out >"out.${b%%=*}"
	done
	diff -u out.inotify out.poll
	# Not vacuous: each block holds what its step did.
	grep -qx 'MOVED_TO|ISDIR w/e/' out.poll
	grep -qx 'MOVED_TO w/e/k' out.poll
	grep -qx 'ATTRIB w/e/g' out.poll
	[ "$(grep -c -- '^--$' out.poll)" -eq 12 ]
}

@test "a file written in pieces is reported once, when it settles" {
	start_ready --print --backend poll=100ms -w w -e 'CREATE|WRITE'
	# A piece every 10 ms for 1.5 s: it never looks the same twice.
	python3 - <<'EOF'
import time
with open("w/big", "wb", buffering=0) as f:
    for i in range(150):
        f.write(b"x" * 100)
        time.sleep(0.01)
EOF
	mark end
	grep -x '[A-Z|]* w/big' wr.out >got
	echo 'WRITE|CREATE w/big' >expected
	diff -u expected got
}

@test "an ignored directory is never read" {
	command -v strace >/dev/null || skip "no strace"
	mkdir -p w/skip/deep w/other/deep
	fresh_output "$T/wr.out" "$T/log"
	strace -f -qq -e trace=openat,statx,getdents64 -o "$T/trace" \
	    "$WATCHRUN" --print --backend poll=100ms -x '^w/skip/' -w w \
	    </dev/null >"$T/wr.out" 2>"$T/log" &
	WR_PID=$!
	wait_for_log "$READY_ERE"
	: >w/skip/deep/f
	: >w/other/deep/f
	wait_for_log '^WRITE\|CREATE w/other/deep/f$' wr.out
	# strace ends with watchrun, its child.
	kill "$(cat "/proc/$WR_PID/task/$WR_PID/children")"
	wait_exit
	# Seen through strace, which can see a read: other is read, skip not.
	grep -q '"other"' trace
	grep -q '"deep"' trace
	refute grep -q '"skip"' trace
	refute grep -q 'w/skip' wr.out
}

@test "a root deleted: warned, and watchrun exits 1 when none is left" {
	mkdir w/d
	: >w/d/f
	start_ready --backend poll=100ms -w w -d 50ms -s 'true'
	rm -r w
	wait_exit
	[ "$wr_status" -eq 1 ]
	grep -qx 'watchrun: w was deleted; no longer watched' log
	grep -qx 'watchrun: no directory left to watch' log
}

@test "--existing: what the root holds, reported as created" {
	mkdir w/d
	echo x >w/d/f
	start_ready --backend poll=100ms --existing -w w -d 50ms \
	    -s '"$T/probe" "$@"'
	wait_runs 1
	expect_argv 1 w/d/ w/d/f
}
