# helpers.bash: shared setup, teardown and synchronisation for the watchrun
# system tests.  Load with `load helpers`.  Every test runs in its own
# temporary tree ($T, also the working directory) with a watched directory
# $T/w, and a probe command that records each run under $T/runs/N.
#
# Every file runs with each backend (WATCHRUN_BACKEND) but for the tests
# tagged as not meant for it, with "# bats test_tags=" above the test:
#   inotify  about the inotify backend itself: its watches and their count,
#            its UNMOUNT events, what its scan of a new directory reports,
#            the symlinks it follows, the ready line's directory count;
#   kernel   needs what only a kernel backend reports: every event of a
#            quick sequence, in order, reads, a command's own changes seen
#            while it runs, no timer while idle; polling sees a tree at
#            intervals and runs without the tests tagged so.
# And under a sanitizer or valgrind (WATCHRUN built or run otherwise), the
# tests tagged
#   build    about building and installing (make, make deb, make install):
#            they build their own binary and never run $WATCHRUN, so that
#            another pass would only build it again.
#
# shellcheck shell=bash
# shellcheck disable=SC2034	# variables are used by the .bats files

: "${WATCHRUN:=watchrun}"
# Deadline of every wait, in seconds.
: "${WAIT_TIMEOUT:=10}"

setup() {
	T=$(mktemp -d "${TMPDIR:-/tmp}/watchrun-test.XXXXXX")
	T=$(cd "$T" && pwd -P)
	# Everything the test starts carries this tag, for teardown's sweep.
	export ST_TAG="$T"
	# Commands given to watchrun refer to the probe as "$T/probe".
	export T
	cd "$T" || return 1
	mkdir "$T/runs" "$T/w"
	WR_PID=
	write_probe
	write_hold
}

teardown() {
	local pids

	if [ -z "${BATS_TEST_COMPLETED:-}" ] && [ -n "${T:-}" ] &&
	    [ -e "$T/log" ]; then
		echo "# watchrun's stderr:"
		sed 's/^/#   /' "$T/log"
	fi
	if [ -n "${WR_PID:-}" ]; then
		kill -KILL -- "-$WR_PID" 2>/dev/null || true
		wait "$WR_PID" 2>/dev/null || true
	fi
	# Whatever is left: the guardian, commands, their children.
	local i
	for ((i = 0; i < 250; i++)); do
		pids=$(tagged_pids)
		[ -n "$pids" ] || break
		# shellcheck disable=SC2086	# a list of pids
		kill -KILL $pids 2>/dev/null || true
		sleep 0.02
	done
	cd / || true
	if [ -n "${T:-}" ] && [ -d "$T" ]; then
		chmod -R u+rwx "$T" 2>/dev/null || true
		rm -rf "$T"
	fi
	# A directory a test made elsewhere (on another filesystem).
	if [ -n "${ELSEWHERE:-}" ]; then
		rm -rf "$ELSEWHERE"
	fi
}

# Prints the pids of live processes started by this test (tagged with $T).
tagged_pids() {
	local f p out=

	for f in $(env -u ST_TAG grep -lzxF "ST_TAG=$T" /proc/[0-9]*/environ \
	    2>/dev/null); do
		p=${f#/proc/}
		p=${p%/environ}
		[ "$p" = "$$" ] || [ "$p" = "$BASHPID" ] || out="$out $p"
	done
	echo "${out# }"
}

now_ms() {
	local t=${EPOCHREALTIME/./}

	echo $((t / 1000))
}

# untraced CMD [ARG...]: runs CMD without bats' DEBUG trap, which costs
# about a third of a millisecond for every command the test runs: for the
# loops that poll and those that make thousands of files.  A failure is
# still reported where CMD was called.
untraced() {
	local status=0

	[ -n "${BATS_DEBUG_TRAP+set}" ] || BATS_DEBUG_TRAP=$(trap -p DEBUG)
	trap - DEBUG
	"$@" || status=$?
	eval "$BATS_DEBUG_TRAP"
	return "$status"
}

# wait_until CMD [ARG...]: polls CMD until it succeeds or WAIT_TIMEOUT
# seconds have passed.
wait_until() {
	untraced poll_until "$@"
}

# poll_until CMD [ARG...]: wait_until's loop.  Between polls it naps in
# read -t on a pipe that nobody writes to: neither the nap nor the clock
# costs a process, as many tests poll at once.
poll_until() {
	local t=${EPOCHREALTIME/./} deadline nap status=0

	deadline=$((t / 1000 + WAIT_TIMEOUT * 1000))
	exec {nap}<> <(:)
	until "$@"; do
		t=${EPOCHREALTIME/./}
		if ((t / 1000 > deadline)); then
			echo "# timed out after ${WAIT_TIMEOUT}s waiting for: $*" >&2
			status=1
			break
		fi
		read -rt 0.02 -u "$nap" || true
	done
	exec {nap}>&-
	return "$status"
}

# wait_for_log ERE [FILE]: waits for a line of watchrun's stderr (or FILE).
wait_for_log() {
	local file=${2:-$T/log}

	if ! wait_until grep -qE -- "$1" "$file"; then
		echo "# no line matching '$1' in $file:" >&2
		sed 's/^/#   /' "$file" >&2
		return 1
	fi
}

# fresh_output FILE...: empties each FILE before a background start.  The
# child's own redirection truncates them only once it runs, so a wait begun
# at once could still read the previous run's lines (its ready line).
fresh_output() {
	local f

	for f; do
		: >"$f"
	done
}

# start_watchrun ARG...: starts watchrun in the background, in a session
# and process group of its own, stdout to $T/wr.out and stderr to $T/log.
start_watchrun() {
	fresh_output "$T/wr.out" "$T/log"
	setsid "$WATCHRUN" "$@" </dev/null >"$T/wr.out" 2>"$T/log" 3>&- &
	WR_PID=$!
}

READY_ERE='^watchrun: ready, watching [0-9]+ (director(y|ies)|trees?) (with|by) '

# on_inotify: whether watchrun runs with the inotify backend, whose
# watches a test may count.
on_inotify() {
	case ${WATCHRUN_BACKEND:-inotify} in
	inotify | auto) return 0 ;;
	*) return 1 ;;
	esac
}

# ready_line N FILE: FILE holds the ready line for N watched directories,
# as the backend WATCHRUN_BACKEND names says it: fanotify walks nothing,
# so it counts trees, not directories.
ready_line() {
	local dirs=directories

	[ "$1" -eq 1 ] && dirs=directory
	case ${WATCHRUN_BACKEND:-inotify} in
	poll*)
		grep -qxE "watchrun: ready, watching $1 $dirs by polling every [0-9.]+(us|ms|s|m|h)" "$2"
		;;
	fanotify)
		grep -qxE 'watchrun: ready, watching [0-9]+ trees? with fanotify' "$2"
		;;
	*)
		grep -qx "watchrun: ready, watching $1 $dirs with inotify" "$2"
		;;
	esac
}

ready_or_gone() {
	grep -qE "$READY_ERE" "$T/log" || proc_gone "$WR_PID"
}

# start_ready ARG...: start_watchrun, then wait for the ready line.
start_ready() {
	start_watchrun "$@"
	if ! wait_until ready_or_gone || ! grep -qE "$READY_ERE" "$T/log"; then
		echo "# watchrun did not get ready; its stderr:" >&2
		sed 's/^/#   /' "$T/log" >&2
		return 1
	fi
	# setsid ran watchrun in place: $WR_PID leads its own group.
	[ "$(proc_field "$WR_PID" pgrp)" = "$WR_PID" ]
}

# run_sync ARG...: runs watchrun in the foreground (with a deadline); sets
# rc, and leaves stdout in $T/sout and stderr in $T/serr.
run_sync() {
	rc=0
	timeout 10 "$WATCHRUN" "$@" </dev/null >"$T/sout" 2>"$T/serr" 3>&- ||
	    rc=$?
}

# proc_field PID state|ppid|pgrp|session: a field of /proc/PID/stat.
proc_field() {
	local stat f

	read -r stat 2>/dev/null <"/proc/$1/stat" || return 1
	read -ra f <<<"${stat##*) }"
	case $2 in
	state) echo "${f[0]}" ;;
	ppid) echo "${f[1]}" ;;
	pgrp) echo "${f[2]}" ;;
	session) echo "${f[3]}" ;;
	esac
}

# proc_alive PID: the process exists and is not a zombie.
proc_alive() {
	local s

	s=$(proc_field "$1" state) && [ "$s" != Z ]
}

proc_gone() {
	! proc_alive "$1"
}

# group_pids PGID: live processes in process group PGID.
group_pids() {
	local p out=

	for p in $(pgrep -g "$1"); do
		proc_alive "$p" && out="$out $p"
	done
	echo "${out# }"
}

group_empty() {
	[ -z "$(group_pids "$1")" ]
}

# wait_exit: waits for watchrun to end and sets wr_status to its status.
wait_exit() {
	wait_until proc_gone "$WR_PID" || return 1
	wr_status=0
	wait "$WR_PID" || wr_status=$?
	WR_PID=
}

# The probe: a command that records each run in $T/runs/N (N from 1, in
# the order the runs finish recording):
#   argv          the arguments, each followed by a NUL byte
#   WATCHRUN_*    the value of each such variable that is set, as is
#   envnames      the names of all exported variables, one a line
#   cwd           the working directory
#   ids           pid ppid pgid sid
#   fds           the open descriptors, one a line "N TARGET"
#   start         $EPOCHREALTIME when it started
# PROBE_RUNS overrides the directory; PROBE_EXIT the exit status.
write_probe() {
	cat >"$T/probe" <<EOF
#!/bin/bash
start=\$EPOCHREALTIME
runs=\${PROBE_RUNS:-$(printf '%q' "$T/runs")}
t=\$(mktemp -d "\$runs/.tmp.XXXXXX") || exit 99
printf '%s' "\$start" >"\$t/start"
: >"\$t/argv"
# (printf with no arguments would still print one NUL)
[ \$# -eq 0 ] || printf '%s\0' "\$@" >"\$t/argv"
for v in WATCHRUN_PATH WATCHRUN_EVENTS WATCHRUN_COUNT WATCHRUN_RULE \\
    WATCHRUN_OVERFLOW WATCHRUN_TRUNCATED; do
	if [ -n "\${!v+set}" ]; then
		printf '%s' "\${!v}" >"\$t/\$v"
	fi
done
compgen -e >"\$t/envnames"
readlink "/proc/\$\$/cwd" >"\$t/cwd"
read -r stat <"/proc/\$\$/stat"
read -ra f <<<"\${stat##*) }"
echo "\$\$ \${f[1]} \${f[2]} \${f[3]}" >"\$t/ids"
# A child lists its own descriptors: it inherits all of ours that are not
# close-on-exec (bash's own script descriptor is), plus the one ls opens.
ls -l /proc/self/fd/ | sed -n 's/^.* \([0-9][0-9]*\) -> \(.*\)\$/\1 \2/p' |
    grep -v ' /proc/[0-9]*/fd\$' >"\$t/fds"
n=1
until mv -T "\$t" "\$runs/\$n" 2>/dev/null; do
	n=\$((n + 1))
done
exit "\${PROBE_EXIT:-0}"
EOF
	chmod +x "$T/probe"
}

# The hold command: blocks until $T/release exists, after touching
# $T/holding.  Once released, every later run goes straight through.
write_hold() {
	cat >"$T/hold" <<EOF
#!/bin/sh
[ -e $(printf '%q' "$T/release") ] && exit 0
: >$(printf '%q' "$T/holding")
while [ ! -e $(printf '%q' "$T/release") ]; do
	sleep 0.01
done
EOF
	chmod +x "$T/hold"
}

# run_count [DIR]: how many runs the probe recorded.
run_count() {
	local d n=0

	for d in "${1:-$T/runs}"/[0-9]*; do
		[ -d "$d" ] && n=$((n + 1))
	done
	echo "$n"
}

# runs_at_least N [DIR]
runs_at_least() {
	(($(run_count "${2:-}") >= $1))
}

# wait_runs N [DIR]: waits until the probe recorded N runs.
wait_runs() {
	if ! wait_until runs_at_least "$1" "${2:-}"; then
		echo "# expected $1 runs, got $(run_count "${2:-}")" >&2
		return 1
	fi
}

# run_var N VAR: the value a run saw (fails when VAR was not set).
run_var() {
	cat "$T/runs/$1/$2"
}

# argv_count N: how many arguments a run got.
argv_count() {
	tr -cd '\0' <"$T/runs/$1/argv" | wc -c
}

# expect_bytes FILE ARG...: FILE holds exactly the ARGs, each followed by
# a NUL byte.  Shows both sides, quoted, when they differ.
expect_bytes() {
	local file=$1 a

	shift
	: >"$T/.expected-bytes"
	[ $# -eq 0 ] || printf '%s\0' "$@" >"$T/.expected-bytes"
	if ! cmp -s "$T/.expected-bytes" "$file"; then
		echo "# $file differs; expected:" >&2
		for a in "$@"; do
			printf '#   %q\n' "$a" >&2
		done
		echo "# got:" >&2
		while IFS= read -r -d '' a; do
			printf '#   %q\n' "$a" >&2
		done <"$file"
		return 1
	fi
}

# expect_argv N ARG...: run N got exactly these arguments.
expect_argv() {
	local n=$1

	shift
	expect_bytes "$T/runs/$n/argv" "$@"
}

# expect_value FILE VALUE: FILE holds exactly VALUE (no newline).
expect_value() {
	local got

	if [ ! -e "$1" ]; then
		echo "# $1 does not exist; expected $(printf '%q' "$2")" >&2
		return 1
	fi
	got=$(cat "$1"; echo x)
	got=${got%x}
	if [ "$got" != "$2" ]; then
		echo "# $1: expected $(printf '%q' "$2"), got $(printf '%q' "$got")" >&2
		return 1
	fi
}

# expect_var N VAR VALUE: run N saw VAR set to exactly VALUE.
expect_var() {
	expect_value "$T/runs/$1/$2" "$3"
}

# expect_eq WHAT EXPECTED ACTUAL
expect_eq() {
	if [ "$2" != "$3" ]; then
		echo "# $1: expected $(printf '%q' "$2"), got $(printf '%q' "$3")" >&2
		return 1
	fi
}

# all_argv: the arguments of every run, in run order, NUL-terminated.
all_argv() {
	local n

	for ((n = 1; n <= $(run_count); n++)); do
		cat "$T/runs/$n/argv"
	done
}

# argv_total: how many arguments all runs got together.
argv_total() {
	all_argv | tr -cd '\0' | wc -c
}

argv_total_at_least() {
	(($(argv_total) >= $1))
}

# file_has FILE ERE
file_has() {
	[ -e "$1" ] && grep -qE -- "$2" "$1"
}

# elapsed_ms FROM TO: milliseconds between two $EPOCHREALTIME values.
elapsed_ms() {
	local a=${1/./} b=${2/./}

	echo $(((10#$b - 10#$a) / 1000))
}

# start_notify_listener SOCKET FILE: a unix datagram socket at SOCKET whose
# messages are appended to FILE, one a line.
start_notify_listener() {
	setsid python3 -c '
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
open(sys.argv[2] + ".bound", "w").close()
while True:
    d = s.recv(65536)
    with open(sys.argv[2], "ab") as f:
        f.write(d + b"\n")
' "$1" "$2" </dev/null >/dev/null 2>"$T/listener.log" 3>&- &
	wait_until test -e "$2.bound"
}

# overflow_burst DIR: creates more files in DIR than the inotify queue
# holds, while watchrun is stopped, so that the queue overflows.
# Prints how many files it made.
overflow_burst() {
	local max n

	max=$(cat /proc/sys/fs/inotify/max_queued_events)
	n=$((max + 200))
	kill -STOP "$WR_PID"
	wait_until stopped "$WR_PID" || return 1
	(cd "$1" && seq -f 'f%g' 1 "$n" | xargs touch)
	kill -CONT "$WR_PID"
	echo "$n"
}

stopped() {
	[ "$(proc_field "$1" state)" = T ]
}

# some_run_got ARG: some run got exactly ARG as one of its arguments.
some_run_got() {
	all_argv | grep -qzxF -- "$1"
}

# poke_until_gone: one more change in $T/w; succeeds once watchrun ended.
# Changes come every 20ms: use it with debounce 0.
poke_until_gone() {
	pokes=$((${pokes:-0} + 1))
	: >"$T/w/poke.$pokes"
	proc_gone "$WR_PID"
}

# refute CMD [ARG...]: fails when CMD succeeds.  (A bare `! CMD` does not
# fail a bats test.)
refute() {
	if "$@"; then
		echo "# unexpectedly true: $*" >&2
		return 1
	fi
}

# need_fanotify: skips unless the fanotify backend can start here (root,
# Linux 5.9 or later).
need_fanotify() {
	[ "$(id -u)" -eq 0 ] || skip "fanotify needs root (CAP_SYS_ADMIN)"
	# Ready, then nothing within 1 ms: 124.  Not ready: 1, and why.
	run_sync --backend fanotify --once --wait-timeout 1ms -w w -- true
	[ "$rc" -eq 124 ] || skip "no fanotify here: $(head -n 1 "$T/serr")"
	unset WATCHRUN_BACKEND
}

# matches_at_least N FILE ERE: FILE has at least N lines that match ERE.
# For wait_until, which runs it anew each time: a "$(grep -c ...)" in
# wait_until's own arguments would be counted once, before the wait.
matches_at_least() {
	[ -e "$2" ] && (($(grep -cE -- "$3" "$2") >= $1))
}
