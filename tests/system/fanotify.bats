#!/usr/bin/env bats
# fanotify.bats: the fanotify backend.  Ready at once on a tree of any
# size, the same events and paths as inotify for the same actions, renames
# paired, nothing from outside the roots or from ignored directories, a
# root that goes away, a queue overflow, and --no-loop that tells a
# rule's own command from other writers.  Each test needs root and a
# kernel with fanotify filesystem marks, and skips without them.

load helpers

setup() {
	T=$(mktemp -d "${TMPDIR:-/tmp}/watchrun-test.XXXXXX")
	T=$(cd "$T" && pwd -P)
	export ST_TAG="$T" T
	cd "$T" || return 1
	mkdir "$T/runs" "$T/w"
	WR_PID=
	write_probe
	write_hold
	need_fanotify
}

# kernel_at_least MAJOR MINOR
kernel_at_least() {
	local major minor

	IFS=.- read -r major minor _ <<<"$(uname -r)"
	((major > $1 || (major == $1 && minor >= $2)))
}

# mark N: a file made in w to show that what came before it was read.
mark() {
	: >"w/zz-$1"
	wait_for_log "^CREATE w/zz-$1\$" wr.out
}

# The events compared between the backends: changes, not reads.
EVENTS='CREATE|DELETE|MOVED_FROM|MOVED_TO|WRITE|ATTRIB|DELETE_SELF|MOVE_SELF|IGNORED'

# actions BACKEND: runs the same actions under watchrun --print with
# BACKEND, each followed by a mark; leaves the lines printed, sorted and
# without repeats (inotify reports a directory's ATTRIB twice, from its
# parent's watch and its own), in $T/print.BACKEND.
actions() {
	rm -rf w outside
	mkdir -p w/pre/p/q outside/dir/sub
	: >w/pre/p/q/old
	: >outside/dir/sub/file
	: >outside/dir/top
	start_ready --print --backend "$1" -w w -e "$EVENTS"
	: >w/f
	mark 1
	echo x >>w/f
	mark 2
	mv w/f w/g
	mark 3
	: >outside/in
	mv outside/in w/in
	mark 4
	mv w/g outside/out
	mark 5
	mkdir -p w/a/b/c
	mark 6
	: >w/a/b/c/x
	: >w/a/b/y
	mark 7
	chmod 600 w/in
	chmod 700 w/a
	mark 8
	mv outside/dir w/dir
	mark 9
	mv w/a w/a2
	: >w/a2/b/c/z
	mark 10
	rm -rf w/a2 w/pre
	mark 11
	kill -TERM "$WR_PID"
	wait_exit
	sort -u wr.out >"print.$1"
}

@test "fanotify: --print shows what inotify shows for the same actions" {
	actions inotify
	actions fanotify
	grep -qx 'watchrun: ready, watching 1 tree with fanotify' log
	diff -u print.inotify print.fanotify
	# What is compared is there at all: a few lines of each kind.
	grep -qx 'MOVED_TO w/in' print.fanotify
	grep -qx 'MOVED_FROM w/g' print.fanotify
	grep -qx 'MOVED_TO w/dir/sub/file' print.fanotify
	grep -qx 'MOVE_SELF|ISDIR w/a2/' print.fanotify
	grep -qx 'DELETE w/pre/p/q/old' print.fanotify
	grep -qx 'DELETE_SELF|ISDIR w/pre/p/q/' print.fanotify
	grep -qx 'ATTRIB|ISDIR w/a/' print.fanotify
}

@test "fanotify: ready at once on a large tree, in little memory" {
	local big=/dev/shm t0 t1 rss
	[ -d "$big" ] && [ -w "$big" ] || big=$T
	ELSEWHERE=$(mktemp -d "$big/watchrun-fan.XXXXXX")
	# 200 x 1000 directories.
	for ((i = 0; i < 200; i++)); do
		printf "$ELSEWHERE/d$i/e%d\n" {1..1000}
	done | xargs mkdir -p
	t0=$(now_ms)
	start_ready --backend fanotify -w "$ELSEWHERE" -e CREATE \
	    -s '"$T/probe" "$@"'
	t1=$(now_ms)
	rss=$(awk '/^VmRSS:/ { print $2 }' "/proc/$WR_PID/status")
	echo "# ready after $((t1 - t0)) ms, VmRSS ${rss} kB" >&3
	grep -qx 'watchrun: ready, watching 1 tree with fanotify' log
	# Under valgrind or AddressSanitizer, time and size say nothing of
	# watchrun's own.
	if [ -z "${VG_LOGDIR:-}" ] &&
	    ! grep -q libasan "/proc/$WR_PID/maps" 2>/dev/null; then
		((t1 - t0 < 1000))
		((rss <= 8192))
	fi
	# And it watches all of it.
	: >"$ELSEWHERE/d199/e1000/deep"
	wait_runs 1
	expect_argv 1 "$ELSEWHERE/d199/e1000/deep"
}

@test "fanotify: a writer outside the roots on the same filesystem sets off nothing" {
	mkdir -p outside/sub w/in
	start_ready --backend fanotify -w w -d 0 -s '"$T/probe" "$@"'
	for i in 1 2 3; do
		echo x >"outside/f$i"
		echo x >"outside/sub/g$i"
		mv "outside/f$i" "outside/sub/h$i"
	done
	echo x >w/in/file
	wait_runs 1
	expect_argv 1 w/in/file
}

# json_cookie N: the cookie of line N of wr.out.
json_cookie() {
	sed -n "${1}p" wr.out | sed 's/.*"cookie":\([0-9]*\).*/\1/'
}

@test "fanotify: a rename is MOVED_FROM and MOVED_TO with one cookie; in or out, one side" {
	mkdir outside
	: >w/a
	: >outside/b
	start_ready --json --backend fanotify -w w -e MOVE
	mv w/a w/c
	mv outside/b w/b
	mv w/c outside/c
	mkdir w/zz-end
	mv w/zz-end w/zz-end2
	wait_for_log '"w/zz-end2/"' wr.out
	sed 's/"cookie":[0-9]*/"cookie":N/' wr.out >got
	cat >expected <<'EOF'
{"path":"w/a","events":["MOVED_FROM"],"cookie":N}
{"path":"w/c","events":["MOVED_TO"],"cookie":N}
{"path":"w/b","events":["MOVED_TO"],"cookie":N}
{"path":"w/c","events":["MOVED_FROM"],"cookie":N}
{"path":"w/zz-end/","events":["MOVED_FROM","ISDIR"],"cookie":N}
{"path":"w/zz-end2/","events":["MOVED_TO","ISDIR"],"cookie":N}
EOF
	diff -u expected got
	# A pair shares one cookie; different renames have different ones.
	[ "$(json_cookie 1)" -ne 0 ]
	expect_eq "pair's cookie" "$(json_cookie 1)" "$(json_cookie 2)"
	expect_eq "pair's cookie" "$(json_cookie 5)" "$(json_cookie 6)"
	[ "$(json_cookie 1)" -ne "$(json_cookie 5)" ]
	[ "$(json_cookie 3)" -ne 0 ]
	[ "$(json_cookie 4)" -ne 0 ]
}

@test "fanotify: a directory moved in is reported with what it holds" {
	mkdir -p outside/d/e
	: >outside/d/e/f
	: >outside/d/g
	start_ready --backend fanotify -w w -e MOVED_TO -d 200ms \
	    -s '"$T/probe" "$@"'
	mv outside/d w/d
	wait_runs 1
	all_argv | tr '\0' '\n' | sort >got
	printf '%s\n' w/d/ w/d/e/ w/d/e/f w/d/g >expected
	diff -u expected got
	# And it is watched where it now is.
	: >w/d/e/h
	mv w/d/e/h w/d/e/i
	wait_runs 2
	expect_argv 2 w/d/e/i
}

@test "fanotify: rm -rf of a tree never seen before: every deletion in it" {
	# Directories gone before their events are read are named by the
	# deletions that follow, the topmost last, possibly reads later.
	kernel_at_least 5 17 ||
	    skip "before Linux 5.17 deletions do not name what they delete"
	local a b
	for ((a = 1; a <= 40; a++)); do
		for ((b = 1; b <= 25; b++)); do
			echo "w/t/a$a/b$b/c"
		done
	done | xargs mkdir -p
	find w/t -name c -type d | sed 's|$|/f|' | xargs touch
	find w/t -name c -type d | sed 's|$|/g|' | xargs touch
	find w/t -name c -type d | sed 's|$|/h|' | xargs touch
	# t, 40 a, 1000 b, 1000 c, 3000 files.
	start_ready --print --backend fanotify -w w -e DELETE
	rm -rf w/t
	wait_for_log '^DELETE\|ISDIR w/t/$' wr.out
	expect_eq "deletions" 5041 "$(grep -c '^DELETE' wr.out)"
	grep -qx 'DELETE w/t/a40/b25/c/h' wr.out
}

@test "fanotify: paths below a renamed directory follow it" {
	mkdir -p w/a/b
	start_ready --backend fanotify -w w -e CREATE -d 0 \
	    -s '"$T/probe" "$@"'
	: >w/a/b/one
	wait_runs 1
	mv w/a w/z
	: >w/z/b/two
	wait_runs 2
	expect_argv 2 w/z/b/two
}

@test "fanotify: --existing walks the trees to report what they hold" {
	mkdir -p w/d/e
	: >w/d/e/f
	: >w/g
	start_ready --backend fanotify --existing -w w -e CREATE -d 200ms \
	    -s '"$T/probe" "$@"'
	wait_runs 1
	all_argv | tr '\0' '\n' | sort >got
	printf '%s\n' w/d/ w/d/e/ w/d/e/f w/g >expected
	diff -u expected got
}

@test "fanotify: events in a .gitignore'd directory are dropped; a changed .gitignore counts at once" {
	command -v git >/dev/null || skip "git is not installed"
	git init -q w
	mkdir -p w/build/deep w/src w/later
	printf 'build/\n' >w/.gitignore
	start_ready --print --backend fanotify -w w -e CREATE
	: >w/build/x.o
	: >w/build/deep/y.o
	: >w/src/a.c
	mark 1
	printf 'later/\n' >>w/.gitignore
	mark 2
	: >w/later/b.c
	: >w/src/c.c
	mark 3
	grep -v '^CREATE w/zz-' wr.out >got
	printf '%s\n' 'CREATE w/src/a.c' 'CREATE w/src/c.c' >expected
	diff -u expected got
}

@test "fanotify: a root deleted while it is watchrun's working directory: exit 1" {
	mkdir w/sub
	cd w
	start_ready --backend fanotify -w . -d 0 -s '"$T/probe" "$@"'
	cd "$T"
	: >w/sub/f
	wait_runs 1
	expect_argv 1 sub/f
	rm -rf w
	wait_for_log '^watchrun: \. was deleted; no longer watched$'
	wait_for_log '^watchrun: no directory left to watch$'
	wait_exit
	expect_eq "exit status" 1 "$wr_status"
}

@test "fanotify: a root moved away: reported, exit 1" {
	start_ready --print --backend fanotify -w w
	mv w w2
	wait_for_log '^watchrun: w was moved away; no longer watched$'
	wait_exit
	expect_eq "exit status" 1 "$wr_status"
	grep -qx 'MOVE_SELF|ISDIR w/' wr.out
}

fan_overflow_lines_are() {
	[ "$(grep -cE '^Q_OVERFLOW w/sub/f[0-9]+$' wr.out)" -eq "$1" ]
}

@test "fanotify: a queue overflow is said, marked, and caught up by a rescan" {
	local max n
	max=$(cat /proc/sys/fs/fanotify/max_queued_events 2>/dev/null) ||
	    skip "no /proc/sys/fs/fanotify/max_queued_events"
	n=$((max + 200))
	mkdir w/sub
	start_ready --print --backend fanotify -w w -e CREATE
	kill -STOP "$WR_PID"
	wait_until stopped "$WR_PID"
	(cd w/sub && seq -f 'f%g' 1 "$n" | xargs touch)
	kill -CONT "$WR_PID"
	wait_for_log '^watchrun: fanotify event queue overflow: rescanning'
	wait_until fan_overflow_lines_are "$n"
	# The bare line before the changed paths.
	grep -qx 'Q_OVERFLOW ' wr.out
	first=$(grep -n '^Q_OVERFLOW' wr.out | head -n 1)
	expect_eq "first overflow line" "${first%%:*}:Q_OVERFLOW " "$first"
	# Watching goes on.
	: >w/after
	wait_for_log '^CREATE w/after$' wr.out
}

@test "fanotify --no-loop: the rule's own writes do not set it off, another process's during its run do" {
	# The command records its run, writes a watched file, and the first
	# time waits until released.
	start_ready --backend fanotify --no-loop -w w -d 0 -e WRITE \
	    -s '"$T/probe" "$@"; echo x >w/own.txt; "$T/hold"'
	echo x >w/a.txt
	wait_until test -e "$T/holding"
	# Written by this shell while the command runs: counts, whether
	# watchrun reads it before the run ends or after.  (Not knowing who
	# wrote, it would be taken for the command's.)
	echo x >w/other.txt
	: >"$T/release"
	wait_runs 2
	expect_argv 2 w/other.txt
	# Each later change sets off one run, with that change alone:
	# own.txt, written by every run, never does.
	for i in 1 2 3; do
		echo x >"w/later$i.txt"
		wait_runs $((2 + i))
		expect_argv $((2 + i)) "w/later$i.txt"
	done
	refute some_run_got w/own.txt
}

@test "fanotify: without privileges, one line names the fix" {
	command -v setpriv >/dev/null || skip "setpriv is not installed"
	rc=0
	cd /
	# The binary itself: valgrind's wrapper could not write its report.
	timeout 10 setpriv --reuid=65534 --regid=65534 --clear-groups \
	    --inh-caps=-all "${WATCHRUN_BIN:-$WATCHRUN}" --backend fanotify \
	    --print -w / \
	    </dev/null >"$T/sout" 2>"$T/serr" 3>&- || rc=$?
	expect_eq "exit status" 1 "$rc"
	grep -qx 'watchrun: fanotify: needs CAP_SYS_ADMIN (run as root), or use --backend inotify' "$T/serr"
}
