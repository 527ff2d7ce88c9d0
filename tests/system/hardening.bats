#!/usr/bin/env bats
# hardening.bats: letting nothing in (every byte in names, the exact
# environment and argv, abusive rules files), leaving nothing behind
# (escaped grandchildren), staying bounded (pathological regexes), and
# keeping watching through unreadable, vanishing, looping and unmounted
# directories.

load helpers
load hardening

# --- Letting nothing in ------------------------------------------------

@test "every byte 1..255 but '/' in names arrives byte-exact in \"\$@\"" {
	start_ready -w w -e CREATE -d 1s -s '"$T/probe" "$@"'
	make_byte_names w expected
	n=$(tr -cd '\0' <expected | wc -c)
	expect_eq "names made" 256 "$n"
	wait_until argv_total_at_least "$n"
	all_argv >got
	cmp expected got
	[ -z "$(find "$T" -name pwned)" ]
}

@test "--print: every byte 1..255 in names is escaped, and unescapes back" {
	start_ready --print -w w -e CREATE
	make_byte_names w expected
	: >w/zz-end
	wait_for_log '^CREATE w/zz-end$' wr.out
	check_print_escapes wr.out expected
}

@test "--json: every byte 1..255 in names round-trips through surrogateescape" {
	start_ready --json -w w -e CREATE
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
	WATCHRUN=env start_ready -i "${envs[@]}" "$WATCHRUN" -w w -e CREATE \
	    -- /usr/bin/env -0
	wait_until file_has notify.log '^READY=1$'
	: >w/a
	wait_for_log '^watchrun: command-line:1: exited 0 after'
	LC_ALL=C sort -z wr.out >got
	if ! cmp -s expected got; then
		diff <(tr '\0' '\n' <expected) <(tr '\0' '\n' <got)
		false
	fi
}

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
