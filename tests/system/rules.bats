#!/usr/bin/env bats
# rules.bats: the rules file (Watchfile): rules, -f, errors, --check,
# comments and continuation lines, and the watch, ignore and debounce
# directives.

load helpers

@test "a rule of ./Watchfile runs on a matching change with the path" {
	cat >Watchfile <<'EOF'
'\.c$' WRITE "$T/probe" "$@"
EOF
	start_ready
	echo x >w/a.h
	echo x >w/a.c
	wait_runs 1
	expect_argv 1 w/a.c
	expect_var 1 WATCHRUN_RULE Watchfile:1
	expect_var 1 WATCHRUN_PATH w/a.c
	expect_var 1 WATCHRUN_EVENTS WRITE
}

@test "-f FILE is used instead of ./Watchfile and names the rule" {
	# Would run if ./Watchfile were read.
	cat >Watchfile <<'EOF'
. ALL "$T/probe" from-watchfile
EOF
	cat >my.rules <<'EOF'
# the rule is on line 3

'\.txt$' WRITE "$T/probe" from-my-rules "$@"
EOF
	start_ready -f my.rules
	echo x >w/f.txt
	wait_runs 1
	expect_argv 1 from-my-rules w/f.txt
	expect_var 1 WATCHRUN_RULE my.rules:3
}

@test "every error is reported as FILE:LINE:COL, exit 2, nothing starts" {
	printf '%s\n' \
	    '# errors on every line but this one and line 9' \
	    'wach w' \
	    '   foo(bar WRITE touch ran' \
	    'x CREATE|WRTIE touch ran' \
	    'x WRITE' \
	    'debounce 5' \
	    "'abc WRITE touch ran" \
	    '"abc WRITE touch ran' \
	    '. WRITE touch ran' \
	    'x \' \
	    '  DELTE touch ran' \
	    >bad.rules
	printf 'y WRITE touch ran\0\n' >>bad.rules
	run_sync -f bad.rules
	expect_eq "exit status" 2 "$rc"
	cat >expected <<'EOF'
bad.rules:2:1: unknown directive 'wach' (did you mean 'watch'?)
bad.rules:3:11: bad regex: missing closing parenthesis
bad.rules:4:10: unknown event 'WRTIE' (did you mean 'WRITE'?)
bad.rules:5:8: missing command after the events
bad.rules:6:10: debounce '5': missing unit (us, ms, s, m or h)
bad.rules:7:1: unterminated single quote
bad.rules:8:1: unterminated double quote
bad.rules:11:3: unknown event 'DELTE' (did you mean 'DELETE'?)
bad.rules:12:18: NUL byte in the rules file
EOF
	diff -u expected serr
	[ ! -s sout ]
	[ ! -e ran ]
}

@test "a missing rules file is FILE:0:0, exit 2" {
	run_sync -f nosuch.rules
	expect_eq "exit status" 2 "$rc"
	expect_eq stderr "nosuch.rules:0:0: No such file or directory" \
	    "$(cat serr)"
	run_sync
	expect_eq "exit status" 2 "$rc"
	expect_eq stderr "Watchfile:0:0: No such file or directory" \
	    "$(cat serr)"
}

@test "a rules file without rules is an error" {
	printf '# nothing\nwatch w\n' >Watchfile
	run_sync
	expect_eq "exit status" 2 "$rc"
	expect_eq stderr "watchrun: Watchfile: no rules to run" "$(cat serr)"
}

@test "--check prints the parsed rules and exits 0" {
	cat >r.rules <<'EOF'
# leading comment
watch src lib/
  # indented comment
ignore '\.swp$'

debounce 250ms
'\.c$' WRITE|CREATE make \
   all
debounce 0
"a b" IN_MOVE,close_write echo "$@" # not a comment
debounce 1.5s
x ISDIR|create echo 'it''s'
EOF
	run_sync -f r.rules --check
	expect_eq "exit status" 0 "$rc"
	[ ! -s serr ]
	cat >expected <<'EOF'
watch src
watch lib
ignore \.swp$
rule r.rules:7
	regex    \.c$
	events   WRITE|CREATE
	debounce 250ms
	shell    make    all
rule r.rules:10
	regex    a b
	events   WRITE|MOVED_FROM|MOVED_TO
	debounce 0
	shell    echo "$@" # not a comment
rule r.rules:12
	regex    x
	events   CREATE|ISDIR
	debounce 1.5s
	shell    echo 'it''s'
EOF
	diff -u expected sout
}

@test "--check reports errors like a run does" {
	printf 'x XYZZYQ cmd\n' >r.rules
	run_sync --check -f r.rules
	expect_eq "exit status" 2 "$rc"
	expect_eq stderr "r.rules:1:3: unknown event 'XYZZYQ'" "$(cat serr)"
	[ ! -s sout ]
}

@test "comments, CRLF and continuation lines shape the command" {
	printf '%s\r\n' \
	    '# a comment: "$T/probe" never' \
	    '   # an indented comment' \
	    '' \
	    '\.txt$ WRITE "$T/probe" \' \
	    '   "$@" \' \
	    "   '#not-a-comment' last" >Watchfile
	start_ready
	echo x >w/f.txt
	wait_runs 1
	expect_argv 1 w/f.txt '#not-a-comment' last
	expect_var 1 WATCHRUN_RULE Watchfile:4
}

@test "quoted regexes: escaped quotes and backslashes survive" {
	cat >Watchfile <<'EOF'
"^w/say \"hi\"\.txt$" WRITE "$T/probe" dq "$@"
'^w/it\'s\.txt$' WRITE "$T/probe" sq "$@"
'^w/back\\slash$' WRITE "$T/probe" bs "$@"
EOF
	start_ready
	echo x >'w/say "hi"Xtxt'
	echo x >'w/say "hi".txt'
	wait_runs 1
	echo x >"w/it's.txt"
	wait_runs 2
	echo x >'w/backslash'
	echo x >'w/back\slash'
	wait_runs 3
	expect_argv 1 dq 'w/say "hi".txt'
	expect_argv 2 sq "w/it's.txt"
	expect_argv 3 bs 'w/back\slash'
}

@test "watch DIR...: only those trees, relative to the working directory" {
	mkdir -p one 'two dirs/sub'
	cat >Watchfile <<'EOF'
watch one 'two dirs'
debounce 1s
'\.txt$' CREATE "$T/probe" "$@"
EOF
	start_ready
	ready_line 3 log
	# Not in the trees: must never be reported (and comes first).
	: >w/outside.txt
	: >outside.txt
	: >one/a.txt
	: >'two dirs/sub/b.txt'
	wait_until argv_total_at_least 2
	expect_eq runs 1 "$(run_count)"
	expect_argv 1 one/a.txt 'two dirs/sub/b.txt'
}

@test "ignore: an ignored directory is not watched at all" {
	mkdir -p w/build w/src
	cat >Watchfile <<'EOF'
watch w
ignore '(^|/)build/$'
ignore '\.swp$'
debounce 1s
. CREATE "$T/probe" "$@"
EOF
	start_ready
	# w and w/src: w/build is not watched.
	ready_line 2 log
	: >w/build/inside
	mkdir w/build/deeper
	: >w/src/x.swp
	mkdir -p w/later/build
	: >w/later/build/f
	: >w/src/marker
	wait_until file_has runs/1/argv marker
	expect_eq runs 1 "$(run_count)"
	expect_argv 1 w/later/ w/src/marker
}

@test "debounce DURATION applies to the rules below it" {
	cat >Watchfile <<'EOF'
'^w/slow' WRITE "$T/probe" "$@"
debounce 1500ms
'^w/slow' WRITE "$T/probe" "$@"
EOF
	start_ready
	t0=$EPOCHREALTIME
	echo x >w/slow
	wait_runs 2
	for n in 1 2; do
		rule=$(run_var "$n" WATCHRUN_RULE)
		ms=$(elapsed_ms "$t0" "$(cat "runs/$n/start")")
		echo "# $rule ran after ${ms}ms"
		case $rule in
		Watchfile:1) fast=$ms ;;
		Watchfile:3) slow=$ms ;;
		*) false ;;
		esac
	done
	# The first runs after the default 100ms, the second after 1.5s.
	[ "$slow" -ge 1500 ]
	[ "$fast" -ge 100 ]
	[ "$fast" -lt "$slow" ]
}

@test "ISDIR in a rule: directory events only" {
	cat >Watchfile <<'EOF'
watch w
debounce 1s
. CREATE|ISDIR "$T/probe" "$@"
EOF
	start_ready
	: >w/file
	mkdir w/dir
	: >w/dir/inner
	mkdir w/zz-end
	wait_until some_run_got w/zz-end/
	expect_eq runs 1 "$(run_count)"
	expect_argv 1 w/dir/ w/zz-end/
	expect_var 1 WATCHRUN_EVENTS 'CREATE|ISDIR'
}

@test "durations: units, and at most 24h" {
	cat >d.rules <<'EOF'
debounce 0
x WRITE a
debounce 250us
x WRITE a
debounce 50ms
x WRITE a
debounce 1.5s
x WRITE a
debounce 2m
x WRITE a
debounce 24h
x WRITE a
EOF
	run_sync --check -f d.rules
	expect_eq "exit status" 0 "$rc"
	# However it prints them: compare in microseconds.
	awk '$1 == "debounce" {
		v = $2; u = v; sub(/^[0-9.]+/, "", u); sub(/[a-z]+$/, "", v)
		m = -1
		if (u == "") m = 0
		if (u == "us") m = 1
		if (u == "ms") m = 1e3
		if (u == "s") m = 1e6
		if (u == "m") m = 6e7
		if (u == "h") m = 3.6e9
		printf "%.0f\n", v * m
	}' sout >got
	printf '%s\n' 0 250 50000 1500000 120000000 86400000000 >expected
	diff -u expected got
	printf 'debounce 25h\ndebounce 1.5\ndebounce 10x\ndebounce 1.s\n' \
	    >bad.rules
	run_sync --check -f bad.rules
	expect_eq "exit status" 2 "$rc"
	cut -d: -f1-3 serr >got
	printf 'bad.rules:%s:10\n' 1 2 3 4 >expected
	diff -u expected got
	grep -q "^bad.rules:1:10: debounce '25h': too large" serr
}

@test "watch options among the events are warned about and ignored" {
	printf 'x WRITE|ONESHOT a\ny ONLYDIR b\n' >o.rules
	run_sync --check -f o.rules
	expect_eq "exit status" 2 "$rc"
	grep -qx "o.rules:1:3: warning: ONESHOT: a watch option, not an event; ignored" serr
	grep -qx "o.rules:2:3: no events left to listen for" serr
}
