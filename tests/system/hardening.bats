#!/usr/bin/env bats
# hardening.bats: letting nothing in (every byte in names, the exact
# environment and argv, abusive rules files), leaving nothing behind
# (escaped grandchildren), staying bounded (pathological regexes), and
# keeping watching through unreadable, vanishing, looping and unmounted
# directories.

# shellcheck disable=SC2016	# commands are for watchrun's shell
# shellcheck disable=SC2154	# rc, wr_status... are set by helpers
# shellcheck disable=SC2030,SC2031	# bats runs teardown in the test's shell

load helpers
load hardening

# --- Letting nothing in ------------------------------------------------

# bats test_tags=kernel
@test "every byte 1..255 but '/' in names arrives byte-exact in \"\$@\"" {
	start_ready --no-default-ignores -w w -e CREATE -d 1s -s '"$T/probe" "$@"'
	make_byte_names w expected
	n=$(tr -cd '\0' <expected | wc -c)
	expect_eq "names made" 256 "$n"
	wait_until argv_total_at_least "$n"
	all_argv >got
	cmp expected got
	[ -z "$(find "$T" -name pwned)" ]
}

# bats test_tags=kernel
@test "--print: every byte 1..255 in names is escaped, and unescapes back" {
	start_ready --no-default-ignores --print -w w -e CREATE
	make_byte_names w expected
	: >w/zz-end
	wait_for_log '^CREATE w/zz-end$' wr.out
	check_print_escapes wr.out expected
}

# bats test_tags=kernel
@test "--json: every byte 1..255 in names round-trips through surrogateescape" {
	start_ready --no-default-ignores --json -w w -e CREATE
	make_byte_names w expected
	: >w/zz-end
	wait_for_log '"path":"w/zz-end"' wr.out
	check_json_paths wr.out expected
}

@test "the environment is exactly watchrun's, minus WATCHRUN_* and NOTIFY_SOCKET, plus the documented ones" {
	start_notify_listener "$T/notify.sock" "$T/notify.log"
	envs=(
		"PATH=$PATH" "T=$T" "ST_TAG=$ST_TAG" HOME=/nonexistent LANG=C
		"ODD=$(printf 'two\nlines=\001\377')" EMPTY=
		WATCHRUNX=kept WATCHRUN=kept NOTIFY_SOCKET_X=kept
		NOTIFY_SOCKETX=kept
	)
	# What the test harness itself needs to run watchrun passes too.
	for v in VG_LOGDIR ASAN_OPTIONS UBSAN_OPTIONS LSAN_OPTIONS; do
		[ -z "${!v+set}" ] || envs+=("$v=${!v}")
	done
	printf '%s\0' "${envs[@]}" \
	    WATCHRUN_PATH=w/a WATCHRUN_EVENTS=CREATE WATCHRUN_COUNT=1 \
	    WATCHRUN_RULE=command-line:1 | LC_ALL=C sort -z >expected
	# Gone from the command's environment, whatever their values.
	envs+=(WATCHRUN_PATH=stale WATCHRUN_COUNT=99 WATCHRUN_OVERFLOW=1
	    WATCHRUN_TRUNCATED=1 WATCHRUN_=x WATCHRUN_FOO=bar
	    "NOTIFY_SOCKET=$T/notify.sock")
	[ -z "${WATCHRUN_BIN+set}" ] || envs+=("WATCHRUN_BIN=$WATCHRUN_BIN")
	real=$WATCHRUN
	WATCHRUN='env' start_ready -i "${envs[@]}" "$real" -w w -e CREATE \
	    -- /usr/bin/env -0
	wait_until file_has notify.log '^READY=1$'
	: >w/a
	wait_for_log '^watchrun: command-line:1: .*: exited 0 after'
	if under_valgrind; then
		# Added by valgrind (and PWD by its wrapper script) to what
		# watchrun itself gets: watchrun's own environment, as it is.
		grep -azvE \
		    '^(GLIBCPP_FORCE_NEW|GLIBCXX_FORCE_NEW|LD_LIBRARY_PATH|LD_PRELOAD|PWD)=' \
		    wr.out | LC_ALL=C sort -z >got
	else
		LC_ALL=C sort -z wr.out >got
	fi
	if ! cmp -s expected got; then
		diff <(tr '\0' '\n' <expected) <(tr '\0' '\n' <got)
		false
	fi
}

# bats test_tags=kernel
@test "argv is exactly sh -c CMD watchrun PATH... for -s, and as given for --" {
	cmd='cat /proc/$$/cmdline >"$T/cmdline"'
	start_ready -w w -e CREATE -d 1s -s "$cmd"
	touch w/a w/-b 'w/$(touch pwned)'
	wait_until test -s cmdline
	expect_bytes cmdline sh -c "$cmd" watchrun w/a w/-b 'w/$(touch pwned)'
	kill -TERM "$WR_PID"
	wait_exit
	start_ready -w w -e CREATE -- /bin/sh -c \
	    'cat /proc/$$/cmdline >"$T/cmdline2"' arg0 'two words' '"$@"'
	: >w/c
	wait_until test -s cmdline2
	expect_bytes cmdline2 /bin/sh -c 'cat /proc/$$/cmdline >"$T/cmdline2"' \
	    arg0 'two words' '"$@"'
	[ -z "$(find "$T" -name pwned)" ]
}

@test "abusive rules files: a clear error (exit 2) or working rules (exit 0), never a crash or a hang" {
	make_abusive_rules
	# 10,000 PCRE2 JIT compilations take seconds under valgrind; 10,000
	# rules too with AddressSanitizer.
	limit=5000
	if under_valgrind || built_with_asan; then
		limit=60000
	fi
	while read -r name want msg; do
		t0=$EPOCHREALTIME
		rc=0
		timeout 120 "$WATCHRUN" --check -f "abuse/$name" </dev/null \
		    >out 2>err || rc=$?
		ms=$(elapsed_ms "$t0" "$EPOCHREALTIME")
		echo "# $name: exit $rc after ${ms}ms"
		expect_eq "exit status for $name" "$want" "$rc"
		[ "$ms" -lt "$limit" ]
		if [ "$want" = 2 ]; then
			wait_for_log "^abuse/$name:[0-9]+:[0-9]+: $msg" err
		else
			[ ! -s err ]
		fi
		no_raw_controls out
		no_raw_controls err
	done <<'EOF'
nul 2 NUL byte in the rules file$
nul-only 2 NUL byte in the rules file$
long-command 0
long-regex 2 bad regex: regular expression is too large$
long-comment 0
long-word 2 unknown directive
long-continued 0
nested-groups 2 bad regex: parentheses are too deeply nested$
nested-noncapturing 2 bad regex: parentheses are too deeply nested$
nested-unbalanced 2 bad regex:
nested-classes 2 bad regex: missing terminating ] for character class$
utf8-valid-rules 0
utf8-bad-event 2 unknown event '\\377\\033\[31mRED'$
utf8-bad-directive 2 bad regex:
rules-10000 0
EOF
	# The last one parsed every rule.
	expect_eq "rules listed" 10000 "$(grep -c '^rule abuse/rules-10000:' out)"
	grep -qx 'rule abuse/rules-10000:10000' out
}

@test "a file of 10,000 rules runs the one rule that matches" {
	{
		echo 'watch w'
		echo 'debounce 0'
		awk 'BEGIN {
			for (i = 1; i <= 10000; i++)
				if (i % 100 == 0)	# no literal: tried for every path
					printf "\047[gh]%d(zz|yy)\047 CREATE \"$T/probe\" \"$@\"\n", i
				else
					printf "\047\\.e%d$\047 CREATE \"$T/probe\" \"$@\"\n", i
		}'
	} >rules
	# Compiling 10,000 patterns takes seconds under valgrind, and with
	# AddressSanitizer.
	if under_valgrind || built_with_asan; then
		WAIT_TIMEOUT=60 start_ready -f rules
	else
		start_ready -f rules
	fi
	: >w/f.e7777
	wait_runs 1
	expect_argv 1 w/f.e7777
	expect_var 1 WATCHRUN_RULE rules:$((7777 + 2))
	: >w/g4200yy
	wait_runs 2
	expect_argv 2 w/g4200yy
	expect_var 2 WATCHRUN_RULE rules:$((4200 + 2))
	# No rule for these; then two that have one, to show nothing else
	# ran meanwhile.
	: >w/f.e77777
	: >w/g4201yy
	: >w/f.e10001
	: >w/f.e9999
	wait_runs 3
	expect_argv 3 w/f.e9999
	expect_var 3 WATCHRUN_RULE rules:$((9999 + 2))
	: >w/f.e1
	wait_runs 4
	expect_argv 4 w/f.e1
	expect_var 4 WATCHRUN_RULE rules:3
	expect_eq runs 4 "$(run_count)"
}

# --- Leaving nothing behind --------------------------------------------

@test "SIGKILL of watchrun: a command's backgrounded grandchild is gone within 1s too" {
	start_ready -w w -d 0 -s \
	    '"$T/probe"; sleep 300 & echo $! >"$T/gc"; sleep 300; :'
	: >w/a
	wait_runs 1
	read -r _ shpid pgid _ <runs/1/ids
	wait_until test -s gc
	gc=$(cat gc)
	wait_until sleeps_in_group "$pgid" 2
	expect_eq "pgid of the grandchild" "$pgid" "$(proc_field "$gc" pgrp)"
	kill -KILL "$WR_PID"
	WAIT_TIMEOUT=1 wait_until group_empty "$pgid"
	proc_gone "$gc"
	proc_gone "$shpid"
}

@test "SIGTERM: a command that escaped with setsid and a double fork is stopped too" {
	# The escaped process leaves the command's session and group, and
	# its parent exits: the kernel hands it to watchrun, a child
	# subreaper, which stops its children when it stops.  (Were watchrun
	# SIGKILLed instead, nothing would be left to stop it.)
	escape='setsid sh -c '\''sleep 300 & echo $! >"$T/escaped"'\'
	start_ready -w w -d 0 -e CREATE -s "\"\$T/probe\"; $escape; sleep 300"
	: >w/a
	wait_runs 1
	read -r _ shpid pgid sid <runs/1/ids
	wait_until test -s escaped
	esc=$(cat escaped)
	wait_until parent_is "$esc" "$WR_PID"
	[ "$(proc_field "$esc" session)" != "$sid" ]
	[ "$(proc_field "$esc" pgrp)" != "$pgid" ]
	kill -TERM "$WR_PID"
	wait_exit
	expect_eq "exit status" 0 "$wr_status"
	proc_gone "$esc"
	proc_gone "$shpid"
	group_empty "$pgid"
}

# --- Bounded -----------------------------------------------------------

@test "a pathological regex gives up within its limits: reported once, the loop stays responsive" {
	a150=$(printf 'a%.0s' $(seq 1 150))
	cat >Watchfile <<'EOF'
watch w
debounce 0
'(a+)+$' CREATE "$T/probe" "$@"
'^w/marker$' CREATE touch "$T/marker.seen"
EOF
	start_ready
	# 300 a's and then something else: exponential backtracking.
	mkdir "w/$a150"
	for i in $(seq 1 50); do
		: >"w/$a150/${a150}b$i"
	done
	t0=$EPOCHREALTIME
	: >w/marker
	wait_until test -e marker.seen
	ms=$(elapsed_ms "$t0" "$EPOCHREALTIME")
	echo "# the second rule ran ${ms}ms after its change"
	# Valgrind runs the matcher's JIT code many times slower.
	under_valgrind || [ "$ms" -lt 1000 ]
	# Every path above was looked at before w/marker.
	expect_eq "reports of the limit" 1 "$(grep -c 'gave up' log)"
	grep -q '^watchrun: Watchfile:3: .*(a+)+\$.* gave up' log
	# Paths that hit the limit count as not matching; others match.
	: >w/aaa
	wait_runs 1
	expect_argv 1 w/aaa
	for i in $(seq 51 60); do
		: >"w/$a150/${a150}b$i"
	done
	: >w/aaaa
	wait_runs 2
	expect_argv 2 w/aaaa
	expect_eq "reports of the limit" 1 "$(grep -c 'gave up' log)"
}

# --- Keeping watching --------------------------------------------------

# bats test_tags=inotify
@test "a deep and wide directory renamed keeps its watches; its paths follow" {
	make_tree w/top 25 30 list
	mkdir -p w/x/y
	start_ready -w w -e CREATE -d 1s -s '"$T/probe" "$@"'
	wr_wds >wds.before
	# w, w/top, w/x, w/x/y and those in the list; and $T, w's parent.
	expect_eq watches $(($(grep -c '/$' list) + 5)) "$(wc -l <wds.before)"
	mv w/top w/renamed
	mv w/renamed w/x/y/moved
	deep=$(chain 25)
	: >"w/x/y/moved/$deep/new.dat"
	for i in $(seq 1 30); do
		: >"w/x/y/moved/wide/w$i/sub/new.dat"
	done
	{
		echo "w/x/y/moved/$deep/new.dat"
		for i in $(seq 1 30); do
			echo "w/x/y/moved/wide/w$i/sub/new.dat"
		done
	} >expected
	wait_until argv_total_at_least 31
	expect_sorted_args expected
	# The same watches: none dropped, none added.
	wr_wds >wds.after
	diff -u wds.before wds.after
}

# Polling reads one directory after another: a directory moving between
# two of them during a pass can be found in neither, then found as new.
# bats test_tags=kernel
@test "a directory renamed back and forth 3,000 times keeps its watches, nothing in it is new" {
	mkdir -p w/a/b/c w/x
	start_ready -w w -e CREATE -d 200ms -s '"$T/probe" "$@"'
	wr_wds >wds.before
	# Each MOVED_FROM is followed by its MOVED_TO, but not always
	# within the same read(2) of the inotify descriptor.
	python3 -c '
import os
os.chdir("w")
for i in range(3000):
    os.rename("a", "x/a")
    os.rename("x/a", "a")
'
	: >w/marker
	wait_until some_run_got w/marker
	# Still watched all the way down, and nothing reported as new.
	: >w/a/b/c/after
	wait_until some_run_got w/a/b/c/after
	expect_sorted_args <(printf '%s\n' w/marker w/a/b/c/after)
	wr_wds >wds.after
	diff -u wds.before wds.after
	refute grep -q overflow log
}

# bats test_tags=inotify
@test "a deep and wide directory moved out is forgotten, moved back in is watched and scanned" {
	make_tree w/top 25 30 list
	mkdir away
	start_ready -w w -e CREATE,MOVED_TO -d 1s -s '"$T/probe" "$@"'
	all=$(wr_watch_count)
	ndirs=$(grep -c '/$' list)
	# w and w/top, and those below; and $T, w's parent.
	expect_eq watches $((ndirs + 3)) "$all"
	mv w/top away/top
	wait_until watch_count_is 2
	deep=$(chain 25)
	: >"away/top/$deep/lost.dat"
	: >away/top/wide/w30/sub/lost.dat
	: >w/marker
	wait_runs 1
	expect_argv 1 w/marker
	# In again, with what was made while it was away: every entry.
	mv away/top w/back
	sed 's|^|w/back/|' list >expected
	printf '%s\n' "w/back/$deep/lost.dat" w/back/wide/w30/sub/lost.dat \
	    >>expected
	wait_until argv_total_at_least $(($(wc -l <expected) + 2))
	expect_sorted_args <(cat expected; echo w/marker; echo w/back/)
	expect_eq watches "$all" "$(wr_watch_count)"
	: >"w/back/$deep/later.dat"
	wait_until some_run_got "w/back/$deep/later.dat"
}

# bats test_tags=inotify
@test "an unreadable directory: one warning naming it, the rest is watched" {
	need_root
	# Root reads everything: watchrun runs as nobody, on a tree nobody
	# owns but for two directories.
	chmod 755 "$T"
	mkdir -p w/open/sub w/secret/inner away/closed/inner
	chown -R 65534:65534 w runs away
	chown 0:0 w/secret away/closed
	chmod 700 w/secret away/closed
	real=$WATCHRUN
	as_nobody=(--reuid=65534 --regid=65534 --clear-groups "$real")
	if under_valgrind; then
		# Its reports go where nobody may write; copied over below.
		# The wrapper and the binary are copied too: the clone may
		# live where nobody cannot read (under /root).
		mkdir vg
		cp "$real" "$WATCHRUN_BIN" vg/
		chown -R 65534:65534 vg
		as_nobody[-1]=$T/vg/${real##*/}
		VG_LOGDIR=$T/vg WATCHRUN_BIN=$T/vg/${WATCHRUN_BIN##*/} \
		    WATCHRUN=setpriv start_ready "${as_nobody[@]}" \
		    -w w -d 0 -e CREATE -s '"$T/probe" "$@"'
	else
		WATCHRUN=setpriv start_ready "${as_nobody[@]}" -w w -d 0 \
		    -e CREATE -s '"$T/probe" "$@"'
	fi
	expect_eq uid 65534 "$(awk '/^Uid:/ { print $2 }' "/proc/$WR_PID/status")"
	ready_line 3 log
	grep -q '^watchrun: cannot watch w/secret: Permission denied$' log
	: >w/open/sub/f
	wait_runs 1
	expect_argv 1 w/open/sub/f
	# One moved in later: the same.
	mv away/closed w/open/closed
	wait_for_log '^watchrun: cannot watch w/open/closed: Permission denied$'
	: >w/open/closed/inner/unseen
	: >w/open/g
	wait_until some_run_got w/open/g
	refute some_run_got w/open/closed/inner/unseen
	expect_eq "warnings" 2 "$(grep -c 'Permission denied' log)"
	expect_eq "lines" 2 "$(grep -c 'secret\|closed' log)"
	if under_valgrind; then
		kill -TERM "$WR_PID"
		wait_exit
		cp vg/vg.*.log "$VG_LOGDIR/"
	fi
}

churned_at_least() {
	(($(cat "$T/churned") >= $1))
}

# bats test_tags=kernel
@test "directories deleted while being scanned: no crash, no warning, still responsive" {
	mkdir w/churn
	# Makes, renames and deletes small trees until told to stop; counts
	# the trees in $T/churned.
	python3 - "$T" >churn.log 2>&1 <<'EOF' &
import os, shutil, sys
t = sys.argv[1]
os.chdir(os.path.join(t, "w/churn"))
i = 0
while not os.path.exists(os.path.join(t, "stop")):
    i += 1
    d = "t%d" % (i % 50)
    os.makedirs(d + "/a/b/c")
    open(d + "/a/b/c/f", "w").close()
    os.rename(d, d + ".m")
    shutil.rmtree(d + ".m")
    if i % 100 == 0:
        with open(os.path.join(t, "churned.tmp"), "w") as f:
            f.write("%d\n" % i)
        os.rename(os.path.join(t, "churned.tmp"), os.path.join(t, "churned"))
EOF
	churner=$!
	wait_until test -s churned
	# And a big tree that goes away while watchrun walks it at start.
	python3 -c '
import os
for i in range(3000):
    os.makedirs("w/doomed/%d/%d" % (i % 100, i))
'
	rm -rf w/doomed &
	rmpid=$!
	start_ready -w w -d 0 -r '^w/marker' -s '"$T/probe" "$@"'
	wait "$rmpid"
	# Thousands of directories more, with watchrun up.
	n=$(cat churned)
	WAIT_TIMEOUT=60 wait_until churned_at_least $((n + 1000))
	: >stop
	wait "$churner"
	proc_alive "$WR_PID"
	: >w/marker
	wait_runs 1
	expect_argv 1 w/marker
	stderr_clean
}

# bats test_tags=inotify
@test "--follow-symlinks: links to an ancestor, to itself, within, and out and back: no loop, events once" {
	mkdir -p w/a/b ext
	ln -s ../.. w/a/b/up
	ln -s . w/a/self
	ln -s b w/a/alias
	ln -s ../ext w/out
	ln -s ../w ext/back
	start_ready --follow-symlinks -w w -e CREATE -d 1s -s '"$T/probe" "$@"'
	# w, w/a, w/a/b and w/out (ext): each once; and $T, w's parent.
	ready_line 4 log
	expect_eq watches 5 "$(wr_watch_count)"
	ln -s .. w/a/late-up
	: >w/a/b/f
	: >ext/g
	wait_until argv_total_at_least 3
	expect_argv 1 w/a/late-up w/a/b/f w/out/g
	expect_eq watches 5 "$(wr_watch_count)"
	: >w/marker
	wait_runs 2
	expect_argv 2 w/marker
}

# bats test_tags=inotify
@test "a bind mount in the tree unmounted: one warning naming it, watching goes on" {
	need_root
	mkdir -p src w/mnt w/other
	mount_tmpfs src
	for i in $(seq 1 20); do
		mkdir -p "src/d$i/e"
	done
	mount --bind src w/mnt
	MOUNTS+=("$T/w/mnt")
	# Now the tree holds the filesystem's only mount: unmounting it is
	# what inotify reports (IN_UNMOUNT).
	umount src
	start_ready -w w -d 0 -e CREATE -s '"$T/probe" "$@"'
	ready_line 43 log
	: >w/mnt/d20/e/before
	wait_runs 1
	expect_argv 1 w/mnt/d20/e/before
	umount w/mnt
	wait_for_log 'unmounted'
	: >w/other/f
	wait_runs 2
	expect_argv 2 w/other/f
	grep 'unmounted' log >warnings
	expect_eq "warning" \
	    'watchrun: the filesystem under w/mnt/ was unmounted; watching what it covered instead' \
	    "$(cat warnings)"
}

# bats test_tags=inotify
@test "after an unmount, the directory under the mount point is watched again" {
	need_root
	mkdir -p w/mnt/under
	mount_tmpfs w/mnt
	mkdir w/mnt/d
	start_ready -w w -d 0 -e CREATE -s '"$T/probe" "$@"'
	ready_line 3 log
	umount w/mnt
	wait_for_log 'unmounted'
	# The warning can come before what the mount covered is watched:
	# that waits for the old watches' IGNORED, which may come later.
	wait_until watched w/mnt
	wait_until watched w/mnt/under
	# w/mnt is the directory of the tree's filesystem again, with its
	# own contents: a change there is a change in the tree.
	: >w/mnt/under/f
	: >w/mnt/g
	: >w/marker
	wait_until some_run_got w/marker
	expect_sorted_args <(printf '%s\n' w/mnt/under/f w/mnt/g w/marker)
}

# bats test_tags=inotify
@test "UNMOUNT events carry each directory's exact path, printed and to a rule" {
	need_root
	mkdir -p w/mnt
	mount_tmpfs w/mnt
	mkdir -p w/mnt/inner/deeper w/mnt/other
	start_ready -w w -e UNMOUNT --print
	umount w/mnt
	wait_for_log 'unmounted'
	wait_until lines_at_least 4 wr.out
	sort wr.out >got
	printf '%s\n' 'UNMOUNT|ISDIR w/mnt/' 'UNMOUNT|ISDIR w/mnt/inner/' \
	    'UNMOUNT|ISDIR w/mnt/inner/deeper/' 'UNMOUNT|ISDIR w/mnt/other/' |
	    sort >expected
	diff -u expected got
}

# bats test_tags=inotify
@test "UNMOUNT paths reach a rule's \"\$@\" byte-exact, each once" {
	need_root
	mkdir -p w/mnt
	mount_tmpfs w/mnt
	mkdir -p w/mnt/inner/deeper w/mnt/other
	start_ready -w w -d 200ms -e UNMOUNT -s '"$T/probe" "$@"'
	umount w/mnt
	wait_runs 1
	all_argv | tr '\0' '\n' | sort >got
	printf '%s\n' w/mnt/ w/mnt/inner/ w/mnt/inner/deeper/ w/mnt/other/ |
	    sort >expected
	diff -u expected got
}
