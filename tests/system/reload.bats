#!/usr/bin/env bats
# reload.bats: the rules file is read again when it changes: new rules
# take over, rules that stay keep their state and running command, roots
# come and go; a file that does not parse leaves the old rules in place.
# shellcheck disable=SC2016	# rules text is for watchrun's shell

load helpers

@test "a changed Watchfile: new rules run, the old one keeps running" {
	mkdir w/other
	cat >Watchfile <<'EOF2'
watch w
debounce 0
'\.c$' CREATE PROBE_RUNS="$T/runsC" "$T/probe" "$@"
EOF2
	mkdir runsC runsH
	start_ready
	: >w/a.c
	wait_runs 1 runsC
	# Written elsewhere and renamed over it, as editors save.
	cat >Watchfile.new <<'EOF2'
watch w
debounce 0
'\.c$' CREATE PROBE_RUNS="$T/runsC" "$T/probe" "$@"
'\.h$' CREATE PROBE_RUNS="$T/runsH" "$T/probe" "$@"
EOF2
	mv Watchfile.new Watchfile
	wait_for_log '^watchrun: Watchfile: rules read again: 1 kept, 1 new, 0 gone$'
	: >w/b.h
	: >w/c.c
	wait_runs 1 runsH
	wait_runs 2 runsC
	[ "$(tr -d '\0' <runsC/1/argv)" = w/a.c ]
	[ "$(tr -d '\0' <runsH/1/argv)" = w/b.h ]
	[ "$(tr -d '\0' <runsC/2/argv)" = w/c.c ]
	[ "$(cat runsH/1/WATCHRUN_RULE)" = Watchfile:4 ]
}

@test "a Watchfile that does not parse: the old rules stay, the errors are said" {
	cat >Watchfile <<'EOF2'
watch w
debounce 0
. CREATE "$T/probe" "$@"
EOF2
	start_ready
	printf 'watch w\n. NOSUCH "$T/probe" "$@"\n' >Watchfile
	wait_for_log '^watchrun: Watchfile: 1 error; the rules stay as they were$'
	grep -q "^Watchfile:2:3: unknown event 'NOSUCH'" log
	: >w/a
	wait_runs 1
	expect_argv 1 w/a
}

@test "a rule that stays keeps its running command; a rule gone has it stopped" {
	cat >Watchfile <<'EOF2'
watch w
debounce 0
'^w/keep$' CREATE echo $$ >"$T/kept-up"; while :; do sleep 0.05; done
'^w/drop$' CREATE echo $$ >"$T/drop-up"; while :; do sleep 0.05; done
EOF2
	start_ready
	: >w/keep
	: >w/drop
	# Each command wrote its shell's pid.
	wait_until test -s kept-up
	wait_until test -s drop-up
	kept=$(cat kept-up)
	dropped=$(cat drop-up)
	proc_alive "$kept"
	proc_alive "$dropped"
	cat >Watchfile.new <<'EOF2'
watch w
debounce 0
'^w/keep$' CREATE echo $$ >"$T/kept-up"; while :; do sleep 0.05; done
EOF2
	mv Watchfile.new Watchfile
	wait_for_log 'rules read again: 1 kept, 0 new, 1 gone'
	wait_until proc_gone "$dropped"
	proc_alive "$kept"
}

@test "a root added and a root dropped by a reload" {
	mkdir w/a w2
	printf 'watch w\ndebounce 0\n. CREATE "$T/probe" "$@"\n' >Watchfile
	start_ready
	printf 'watch w2\ndebounce 0\n. CREATE "$T/probe" "$@"\n' >Watchfile
	wait_for_log 'rules read again: 1 kept, 0 new, 0 gone'
	: >w/a/gone
	: >w2/new
	wait_runs 1
	expect_argv 1 w2/new
	: >w2/second
	wait_runs 2
	expect_argv 2 w2/second
}

@test "-f names the file watched for changes; rules on the command line are not reloaded" {
	printf 'watch w\ndebounce 0\n. CREATE "$T/probe" first "$@"\n' >rules
	start_ready -f rules
	printf 'watch w\ndebounce 0\n. CREATE "$T/probe" second "$@"\n' >rules
	wait_for_log '^watchrun: rules: rules read again: 0 kept, 1 new, 1 gone$'
	: >w/a
	wait_runs 1
	expect_argv 1 second w/a
}
