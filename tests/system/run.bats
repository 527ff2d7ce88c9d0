#!/usr/bin/env bats
# run.bats: how commands run: process group, environment, descriptors,
# stdin, big batches, what happens on changes during a run (queue,
# restart, ignore), the stop timeout, and the run report lines.

load helpers

@test "a command runs in a process group of its own" {
	start_ready -w w -- "$T/probe"
	: >w/a
	wait_runs 1
	read -r pid ppid pgid sid <runs/1/ids
	expect_eq "pgid of the command" "$pid" "$pgid"
	expect_eq "parent of the command" "$WR_PID" "$ppid"
	[ "$pgid" != "$(proc_field "$WR_PID" pgrp)" ]
	expect_eq "session" "$(proc_field "$WR_PID" session)" "$sid"
}

# bats test_tags=kernel
@test "the environment: WATCHRUN_PATH, _EVENTS, _COUNT, _RULE, nothing stale" {
	start_notify_listener "$T/notify.sock" "$T/notify.log"
	cat >Watchfile <<'EOF'
watch w
debounce 1s
# line 4 next
. CREATE|WRITE|DELETE "$T/probe" "$@"
EOF
	: >w/gone
	NOTIFY_SOCKET="$T/notify.sock" WATCHRUN_PATH=stale WATCHRUN_FOO=bar \
	    WATCHRUN_OVERFLOW=1 ST_KEEP=kept start_ready
	echo x >w/a
	rm w/gone
	echo x >w/b
	wait_runs 1
	expect_argv 1 w/a w/gone w/b
	expect_var 1 WATCHRUN_PATH w/b
	expect_var 1 WATCHRUN_EVENTS 'WRITE|CREATE'
	expect_var 1 WATCHRUN_COUNT 3
	expect_var 1 WATCHRUN_RULE Watchfile:4
	# Exactly these four; NOTIFY_SOCKET is gone, the rest passes.
	grep -E '^(WATCHRUN_|NOTIFY_SOCKET$)' runs/1/envnames >got
	printf '%s\n' WATCHRUN_COUNT WATCHRUN_EVENTS WATCHRUN_PATH \
	    WATCHRUN_RULE >expected
	diff -u expected got
	grep -qx ST_KEEP runs/1/envnames
	grep -qx PATH runs/1/envnames
}

# bats test_tags=kernel
@test "WATCHRUN_EVENTS: the last path's events, DELETE for a deletion" {
	: >w/x
	start_ready -w w -d 1s -s '"$T/probe" "$@"'
	: >w/y
	rm w/x
	wait_runs 1
	expect_argv 1 w/y w/x
	expect_var 1 WATCHRUN_PATH w/x
	expect_var 1 WATCHRUN_EVENTS DELETE
}

@test "the command gets descriptors 0, 1, 2 only; stdin is /dev/null" {
	# Descriptors watchrun inherits must not reach the command either.
	exec 7>"$T/extra7" 8<"$T/probe"
	start_ready -w w -- "$T/probe"
	exec 7>&- 8<&-
	: >w/a
	wait_runs 1
	# Under valgrind (make check-all), its own log descriptor is no leak
	# of ours.
	if [ -n "${VG_LOGDIR:-}" ]; then
		grep -v " $VG_LOGDIR/" runs/1/fds | cut -d' ' -f1 >got
	else
		cut -d' ' -f1 runs/1/fds >got
	fi
	printf '%s\n' 0 1 2 >expected
	diff -u expected got
	grep -qx '0 /dev/null' runs/1/fds
}

@test "the command runs in watchrun's working directory" {
	mkdir w/sub
	cd w/sub
	start_ready -w "$T/w" -- "$T/probe"
	: >"$T/w/a"
	wait_runs 1
	expect_eq cwd "$T/w/sub" "$(cat "$T/runs/1/cwd")"
}

# make_big_batch: 20,000 files in away/big named $long-N, $long being 190
# x's: over 4 MB of paths, twice ARG_MAX.
make_big_batch() {
	long=$(printf 'x%.0s' $(seq 1 190))
	mkdir -p away/big
	seq -f "away/big/$long-%g" 1 20000 | xargs touch --
}

@test "a batch too big for one exec runs with fewer paths, true count" {
	make_big_batch
	start_ready -w w -r '/x+-[0-9]+$' -s '"$T/probe" "$@"'
	mv away/big w/big
	wait_runs 1
	expect_var 1 WATCHRUN_COUNT 20000
	k=$(argv_count 1)
	echo "# $k paths in argv, $(stat -c %s runs/1/argv) bytes"
	[ "$k" -gt 1000 ]
	[ "$k" -lt 20000 ]
	# Distinct, and each one of the files.
	[ "$(sort -zu runs/1/argv | tr -cd '\0' | wc -c)" -eq "$k" ]
	! tr '\0' '\n' <runs/1/argv | grep -vxE "w/big/$long-[0-9]+"
}

# bats test_tags=kernel
@test "-- command: each argument that is exactly {} becomes the paths" {
	start_ready -w w -d 1s -e CREATE -- "$T/probe" first {} 'x{}' '{} ' {} last
	(cd w && touch a 'b c' "$(printf 'd\ne')")
	wait_runs 1
	expect_argv 1 first w/a 'w/b c' "$(printf 'w/d\ne')" 'x{}' '{} ' \
	    w/a 'w/b c' "$(printf 'w/d\ne')" last
	expect_var 1 WATCHRUN_COUNT 3
}

@test "-- command without {}: no paths in its arguments" {
	start_ready -w w -d 1s -e CREATE -- "$T/probe" only
	: >w/a
	wait_runs 1
	expect_argv 1 only
	expect_var 1 WATCHRUN_PATH w/a
}

@test "-- command: {} too big for one exec passes the paths that fit" {
	make_big_batch
	start_ready -w w -r '/x+-[0-9]+$' -- "$T/probe" {} end
	mv away/big w/big
	wait_runs 1
	expect_var 1 WATCHRUN_COUNT 20000
	k=$(argv_count 1)
	[ "$k" -gt 1000 ]
	[ "$k" -lt 20000 ]
	# The paths, then the argument after {}.
	tr '\0' '\n' <runs/1/argv | tail -n 1 | grep -qx end
	tr '\0' '\n' <runs/1/argv | head -n $((k - 1)) |
	    grep -cxE "w/big/$long-[0-9]+" | grep -qx $((k - 1))
}

# bats test_tags=kernel
@test "--max-paths: WATCHRUN_PATH and _EVENTS describe the batch passed" {
	start_ready -w w --max-paths 2 -d 1s -e 'CREATE|WRITE' \
	    -s '"$T/probe" "$@"'
	echo x >w/f1
	echo x >w/f2
	: >w/f3
	wait_runs 1
	expect_argv 1 w/f1 w/f2
	expect_var 1 WATCHRUN_PATH w/f2
	expect_var 1 WATCHRUN_EVENTS 'WRITE|CREATE'
	expect_var 1 WATCHRUN_TRUNCATED 1
}

# bats test_tags=kernel
@test "--max-paths: past the cap, the run gets WATCHRUN_TRUNCATED=1" {
	start_ready -w w --max-paths 5 -d 1s -e CREATE -s '"$T/probe" "$@"'
	(cd w && touch f1 f2 f3 f4 f5 f6 f7 f8)
	wait_runs 1
	expect_argv 1 w/f1 w/f2 w/f3 w/f4 w/f5
	expect_var 1 WATCHRUN_TRUNCATED 1
	expect_var 1 WATCHRUN_COUNT 5
	# The next batch starts afresh.
	: >w/g
	wait_runs 2
	expect_argv 2 w/g
	[ ! -e runs/2/WATCHRUN_TRUNCATED ]
}

@test "on-busy queue: changes during a run cause exactly one more run" {
	cat >Watchfile <<'EOF'
watch w
debounce 0
'^w/[a-d]$' CREATE "$T/probe" "$@"; "$T/hold"
'^w/sync$' CREATE touch "$T/synced"
EOF
	start_ready
	: >w/a
	wait_until test -e holding
	: >w/b
	: >w/c
	: >w/d
	: >w/sync
	# w/b, w/c and w/d were seen (and due) while the first run went on.
	wait_until test -e synced
	expect_eq runs 1 "$(run_count)"
	: >release
	wait_until argv_total_at_least 4
	expect_eq runs 2 "$(run_count)"
	expect_argv 1 w/a
	expect_argv 2 w/b w/c w/d
	expect_var 2 WATCHRUN_COUNT 3
}

@test "on-busy queue: a quiet period that ends during the run" {
	cat >Watchfile <<'EOF'
watch w
debounce 300ms
'^w/[a-d]$' CREATE "$T/probe" "$@"; "$T/hold"
debounce 600ms
'^w/sync$' CREATE touch "$T/synced"
EOF
	start_ready
	: >w/a
	wait_until test -e holding
	: >w/b
	: >w/c
	: >w/sync
	# The first rule's quiet period for w/b and w/c ended before this.
	wait_until test -e synced
	expect_eq runs 1 "$(run_count)"
	: >release
	wait_until argv_total_at_least 3
	expect_eq runs 2 "$(run_count)"
	expect_argv 2 w/b w/c
}

@test "on-busy restart (-R): the whole group is killed, a new run starts" {
	# CREATE only: one event per change, none trailing into the run.
	start_ready -R -w w -d 0 -e CREATE -s \
	    '"$T/probe" "$@"; sleep 300 & echo $! >"$T/gc.$$"; wait'
	: >w/a
	wait_runs 1
	read -r _ shpid1 pgid1 _ <runs/1/ids
	wait_until test -s "gc.$shpid1"
	gc1=$(cat "gc.$shpid1")
	proc_alive "$gc1"
	expect_eq "pgid of the grandchild" "$pgid1" "$(proc_field "$gc1" pgrp)"
	: >w/b
	wait_runs 2
	expect_argv 2 w/b
	wait_until proc_gone "$gc1"
	wait_until group_empty "$pgid1"
	wait_for_log '^watchrun: command-line:1: .*: killed by SIGTERM after [0-9]+\.[0-9]{3}s$'
	read -r _ _ pgid2 _ <runs/2/ids
	[ "$pgid2" != "$pgid1" ]
}

@test "on-busy ignore: changes during a run are dropped" {
	cat >Watchfile <<'EOF'
watch w
debounce 0
'^w/[a-e]$' CREATE "$T/probe" "$@"; "$T/hold"
'^w/sync$' CREATE touch "$T/synced"
EOF
	start_ready --on-busy ignore
	: >w/a
	wait_until test -e holding
	: >w/b
	: >w/sync
	wait_until test -e synced
	: >release
	wait_for_log '^watchrun: Watchfile:3: .*: exited 0 after'
	: >w/e
	wait_until some_run_got w/e
	expect_eq runs 2 "$(run_count)"
	expect_argv 1 w/a
	expect_argv 2 w/e
}

@test "--stop-timeout: a command that survives SIGTERM is killed" {
	cat >stubborn <<'EOF'
#!/bin/sh
trap 'echo TERM >>"$T/termed"' TERM
"$T/probe" "$@"
: >"$T/trapping.$$"
while :; do sleep 0.05; done
EOF
	chmod +x stubborn
	start_ready -R --stop-timeout 700ms -w w -d 0 -e CREATE -- \
	    "$T/stubborn"
	: >w/a
	wait_runs 1
	read -r _ pid1 _ _ <runs/1/ids
	wait_until test -e "trapping.$pid1"
	t0=$EPOCHREALTIME
	: >w/b
	wait_runs 2
	ms=$(elapsed_ms "$t0" "$(cat runs/2/start)")
	echo "# the next run started ${ms}ms later"
	expect_var 2 WATCHRUN_PATH w/b
	grep -qx TERM termed
	wait_for_log '^watchrun: command-line:1: .*: killed by SIGKILL after [0-9]+\.[0-9]{3}s$'
	[ "$ms" -ge 700 ]
	proc_gone "$pid1"
}

@test "run report lines: exited N, killed by SIGNAME" {
	cat >Watchfile <<'EOF'
watch w
'^w/zero$' CREATE true
'^w/three$' CREATE exit 3
'^w/usr1$' CREATE kill -USR1 $$
EOF
	start_ready
	: >w/zero
	wait_for_log '^watchrun: Watchfile:2: true \(w/zero\): exited 0 after [0-9]+\.[0-9]{3}s$'
	: >w/three
	wait_for_log '^watchrun: Watchfile:3: exit 3 \(w/three\): exited 3 after [0-9]+\.[0-9]{3}s$'
	: >w/usr1
	wait_for_log '^watchrun: Watchfile:4: kill -USR1 \$\$ \(w/usr1\): killed by SIGUSR1 after [0-9]+\.[0-9]{3}s$'
}

# bats test_tags=kernel
@test "run report: the rule, the command, the first path and how many more" {
	start_ready -w w -d 300ms -e CREATE -- "$T/probe" {}
	(cd w && touch a b c)
	wait_for_log "^watchrun: command-line:1: $T/probe \\{\\} \\(w/a and 2 more\\): exited 0 after [0-9]+\\.[0-9]{3}s\$"
}

@test "a command that cannot be executed exits 127" {
	# One missing at start is refused then: this one goes after it.
	mkdir gone
	cp probe gone/command
	start_ready -w w -- "$T/gone/command"
	rm -r gone
	: >w/a
	wait_for_log '^watchrun: command-line:1: .*: exited 127 after'
	# valgrind turns clone(CLONE_VM) into fork: the child's errno is lost.
	[ -n "${VG_LOGDIR:-}" ] || grep -q 'gone/command' log
}

@test "-q: no ready line, no run report" {
	PROBE_EXIT=3 start_watchrun -q --once -d 0 -w w -- "$T/probe"
	# No ready line to wait for: change things until a run happens.
	wait_until poke_until_gone
	wait_exit
	expect_eq "exit status" 3 "$wr_status"
	expect_eq runs 1 "$(run_count)"
	if [ -s log ]; then
		cat log
		false
	fi
}

@test "-q: warnings still print" {
	mkdir a b
	start_notify_listener "$T/notify.sock" "$T/notify.log"
	NOTIFY_SOCKET="$T/notify.sock" start_watchrun -q -w a -w b -- true
	wait_until file_has notify.log '^READY=1$'
	rm -r a
	wait_for_log '^watchrun: a .*no longer watched$'
	! grep -q 'ready' log
}
