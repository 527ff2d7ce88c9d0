#!/usr/bin/env bats
# scale.bats: too few descriptors, new trees of any depth and width, and
# memory that stays bounded under a storm and a churn.  Unlike
# limits.bats, nothing here changes the machine's settings.

# shellcheck disable=SC2016	# commands are for watchrun's shell
# shellcheck disable=SC2154	# rc, wr_status... are set by helpers

load helpers
load hardening

# --- Losing nothing: too few descriptors -------------------------------

# emfile_try N: runs watchrun with at most N descriptors; sets status,
# and leaves its stderr in $T/emfile.N.
emfile_try() {
	local pid

	(
		ulimit -n "$1" || exit 99
		# LeakSanitizer needs descriptors of its own at exit.
		export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0
		exec "$WATCHRUN" -w w -- true
	) </dev/null >/dev/null 2>"$T/emfile.$1" &
	pid=$!
	wait_until emfile_settled "$pid" "$T/emfile.$1"
	if grep -qE "$READY_ERE" "$T/emfile.$1"; then
		kill -TERM "$pid"
	fi
	status=0
	wait "$pid" || status=$?
}

emfile_settled() {
	proc_gone "$1" || grep -qE "$READY_ERE" "$2"
}

# bats test_tags=inotify
@test "too few descriptors (ulimit -n): a clear message at every step of start-up" {
	# valgrind keeps descriptors of its own below the limit it is given.
	if under_valgrind; then
		skip "the descriptor limit would be valgrind's"
	fi
	mkdir -p w/a/b
	bad=0
	# From too few to start at all up to enough for the whole tree.
	for ((n = 4; n <= 64; n++)); do
		emfile_try "$n"
		f=emfile.$n
		echo "# ulimit -n $n: status $status: $(tr '\n' '|' <"$f")"
		# Too few for the dynamic loader: watchrun never ran.
		if grep -q 'error while loading shared libraries' "$f"; then
			continue
		fi
		if grep -qE "$READY_ERE" "$f"; then
			[ "$status" = 0 ] || { echo "#   status after SIGTERM"; bad=1; }
			# Ready with part of the tree only: it must say so.
			grep -qx 'watchrun: ready, watching 3 directories with inotify' "$f" ||
			    grep -q 'open files' "$f" ||
			    { echo "#   part of the tree, silently"; bad=1; }
		elif [ "$status" != 1 ] || [ ! -s "$f" ]; then
			echo "#   not ready, yet no exit 1 with a message"
			bad=1
		fi
		# Every warning names the limit, and no unknown number.
		if grep -vE -e "$READY_ERE" -e 'open files' "$f"; then
			echo "#   a message above does not name the limit"
			bad=1
		fi
		if grep -q '=-1' "$f"; then
			echo "#   a limit shown as -1"
			bad=1
		fi
		# Count words agree with their numbers.
		if grep -E '(^|[^0-9])1 directories|(^|[^0-9])([02-9]|[1-9][0-9]+) directory( |$)' "$f"; then
			echo "#   a count word disagrees with its number"
			bad=1
		fi
		if grep -qx 'watchrun: ready, watching 3 directories with inotify' "$f"; then
			break
		fi
	done
	[ "$n" -le 64 ]
	# One of them ran out just when creating the inotify instance.
	cat emfile.* | grep -q '^watchrun: inotify_init1: .*open files'
	[ "$bad" = 0 ]
}

# --- Losing nothing: new trees, any depth ------------------------------

# expect_tree_reported LIST PREFIX...: every file of LIST (see make_tree),
# under each PREFIX, reached the runs exactly once.
expect_tree_reported() {
	local list=$1 p

	shift
	for p in "$@"; do
		grep -v '/$' "$list" | sed "s|^|$p/|"
	done >"$T/expected"
	wait_until argv_total_at_least "$(wc -l <"$T/expected")"
	expect_sorted_args "$T/expected"
}

# expect_deepest_watched PREFIX DEPTH: a file made at the deepest level
# reaches the next run, alone.
expect_deepest_watched() {
	local n f

	n=$(run_count)
	f=$1/$(chain "$2")/later.dat
	: >"$f"
	wait_runs $((n + 1))
	expect_argv $((n + 1)) "$f"
}

# stopped_while CMD [ARG...]: runs CMD while watchrun is stopped, as if it
# were too slow to keep up: the new directories are all there before it
# gets to watch them, and only its scans can find what is in them.
stopped_while() {
	kill -STOP "$WR_PID"
	wait_until stopped "$WR_PID"
	"$@"
	kill -CONT "$WR_PID"
}

@test "cp -r of a deep and wide tree: every file reported, all of it watched" {
	make_tree away/src 30 40 list
	start_ready -w w -r '\.dat$' -d 1s -s '"$T/probe" "$@"'
	cp -r away/src w/copy
	stopped_while cp -r away/src w/copy2
	expect_tree_reported list w/copy w/copy2
	if on_inotify; then
		# w, w/copy, w/copy2 and those in the lists; and $T, w's parent.
		expect_eq watches $((2 * $(grep -c '/$' list) + 4)) "$(wr_watch_count)"
	fi
	expect_deepest_watched w/copy 30
	expect_deepest_watched w/copy2 30
}

@test "tar x of a deep and wide tree: every file reported, all of it watched" {
	make_tree away/src 30 40 list
	tar -C away -cf tree.tar src
	mkdir w/x1 w/x2
	start_ready -w w -r '\.dat$' -d 1s -s '"$T/probe" "$@"'
	tar -C w/x1 -xf tree.tar
	stopped_while tar -C w/x2 -xf tree.tar
	expect_tree_reported list w/x1/src w/x2/src
	if on_inotify; then
		# w, w/x1, w/x2, their src and those in the lists; and $T.
		expect_eq watches $((2 * $(grep -c '/$' list) + 6)) "$(wr_watch_count)"
	fi
	expect_deepest_watched w/x1/src 30
	expect_deepest_watched w/x2/src 30
}

@test "git clone of a deep and wide tree: every file reported, all of it watched" {
	make_tree away/src 30 40 list
	git -C away/src init -q
	git -C away/src add -A
	git -C away/src -c user.name=Test -c user.email=test@example.invalid \
	    commit -q -m tree
	start_ready -w w -x '/\.git/$' -r '\.dat$' -d 1s -s '"$T/probe" "$@"'
	git clone -q away/src w/clone
	stopped_while git clone -q away/src w/clone2
	expect_tree_reported list w/clone w/clone2
	if on_inotify; then
		# w, w/clone, w/clone2 and those in the lists; and $T, w's parent.
		expect_eq watches $((2 * $(grep -c '/$' list) + 4)) "$(wr_watch_count)"
	fi
	expect_deepest_watched w/clone 30
	expect_deepest_watched w/clone2 30
}

@test "mkdir -p of depth 30, ten times over: every directory and file reported" {
	start_ready -w w -e CREATE -d 1s -s '"$T/probe" "$@"'
	deep=$(chain 30)
	for i in $(seq 1 10); do
		mkdir -p "w/m$i/$deep" && echo x >"w/m$i/$deep/f.dat"
	done
	for i in $(seq 1 10); do
		p=w/m$i
		echo "$p/"
		for d in $(seq 1 30); do
			p=$p/l$d
			echo "$p/"
		done
		echo "$p/f.dat"
	done >expected
	wait_until argv_total_at_least "$(wc -l <expected)"
	expect_sorted_args expected
	if on_inotify; then
		# w and 10 chains of 31; and $T, w's parent.
		expect_eq watches 312 "$(wr_watch_count)"
	fi
	: >"w/m7/$deep/later"
	wait_runs 2
	expect_argv 2 "w/m7/$deep/later"
}

# bats test_tags=inotify
@test "a tree deeper than PATH_MAX: every file reported, all of it watched" {
	# 24 levels of 200 bytes: paths of over 4,800 bytes.
	python3 - <<'EOF'
import os
os.makedirs("away/t")
os.chdir("away/t")
for i in range(1, 25):
    name = "d" * 197 + "%03d" % i
    os.mkdir(name)
    os.chdir(name)
    open("f.dat", "w").close()
EOF
	find away/t -name f.dat | sed 's|^away/t/|w/t/|' >expected
	expect_eq files 24 "$(wc -l <expected)"
	start_ready -w w -r '\.dat$' -d 1s -s '"$T/probe" "$@"'
	mv away/t w/t
	wait_until argv_total_at_least 24
	expect_sorted_args expected
	if on_inotify; then
		# w, w/t and 24 below; and $T, w's parent.
		expect_eq watches 27 "$(wr_watch_count)"
	fi
	python3 - <<'EOF'
import os
os.chdir("w/t")
for i in range(1, 25):
    os.chdir("d" * 197 + "%03d" % i)
open("later.dat", "w").close()
EOF
	wait_runs 2
	# The deepest f.dat is the longest line (find's order is readdir's).
	expect_eq "later" "$(awk '{ print length, $0 }' expected | sort -n |
	    tail -n 1 | cut -d' ' -f2- | sed 's|f\.dat$|later.dat|')" \
	    "$(tr -d '\0' <runs/2/argv)"
}

# --- Bounded -----------------------------------------------------------

@test "--max-paths under a storm of distinct paths: the cap, WATCHRUN_TRUNCATED=1, the last path passed" {
	start_ready -w w --max-paths 1000 -d 1s -e CREATE \
	    -s '"$T/probe" "$@"'
	# Fewer than the 16384 events the queue holds: no overflow.
	(cd w && seq -f 'f%g' 1 10000 | xargs touch)
	wait_runs 1
	seq -f 'w/f%g' 1 1000 | tr '\n' '\0' >expected
	cmp expected runs/1/argv
	expect_var 1 WATCHRUN_COUNT 1000
	expect_var 1 WATCHRUN_TRUNCATED 1
	# The environment describes the batch passed, not what was dropped.
	expect_var 1 WATCHRUN_PATH w/f1000
	expect_var 1 WATCHRUN_EVENTS CREATE
	: >w/g
	wait_runs 2
	expect_argv 2 w/g
	[ ! -e runs/2/WATCHRUN_TRUNCATED ]
}

@test "RSS stays flat under a churn of distinct paths (SOAK_SECONDS, default 20)" {
	soak=${SOAK_SECONDS:-20}
	start_ready -w w -d 20ms -s 'printf "%s\n" "$@" >>"$T/paths"'
	# Bursts of new directories and files, each deleted again, with
	# pauses for the runs; $T/warm appears after 2s.
	python3 - "$T" "$soak" >churn.log 2>&1 <<'EOF' &
import os, shutil, sys, time
t, soak = sys.argv[1], float(sys.argv[2])
os.chdir(os.path.join(t, "w"))
start = time.monotonic()
warm = False
i = 0
while time.monotonic() - start < soak:
    i += 1
    top = "b%d" % i
    for j in range(10):
        d = "%s/d%d/e" % (top, j)
        os.makedirs(d)
        for k in range(5):
            with open("%s/f%d" % (d, k), "w") as f:
                f.write("x")
    os.rename(top, top + ".old")
    shutil.rmtree(top + ".old")
    time.sleep(0.03)
    if not warm and time.monotonic() - start >= 2:
        open(os.path.join(t, "warm"), "w").close()
        warm = True
print(i)
EOF
	churner=$!
	WAIT_TIMEOUT=60 wait_until test -e warm
	rss1=$(vm_rss "$WR_PID")
	WAIT_TIMEOUT=$((soak + 60)) wait_until proc_gone "$churner"
	wait "$churner"
	rss2=$(vm_rss "$WR_PID")
	runs=$(grep -c 'exited 0 after' log)
	echo "# $(cat churn.log) bursts, $runs runs; VmRSS ${rss1} kB at 2s, ${rss2} kB at ${soak}s"
	[ "$runs" -ge "$soak" ]
	# Still watching.
	: >w/marker
	wait_until file_has paths '^w/marker$'
	# ASan's quarantine and valgrind's own heap hold freed memory:
	# their RSS says nothing about watchrun's.
	if under_valgrind || under_asan "$WR_PID"; then
		return 0
	fi
	[ "$rss2" -le $((rss1 + rss1 / 10 + 256)) ]
}
