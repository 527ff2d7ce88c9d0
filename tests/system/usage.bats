#!/usr/bin/env bats
# usage.bats: how the command line is read: --print and --json take their
# roots and ignores from the Watchfile, a command that cannot run is found
# out at start, and every usage error is one line pointing to --help.
#
# shellcheck disable=SC2154	# rc and wr_status are set by helpers.bash
# shellcheck disable=SC2016	# commands for sh are in single quotes

load helpers

# expect_error LINE ARG...: watchrun ARG... exits 2 at once, prints nothing
# on stdout and exactly LINE on stderr.
expect_error() {
	local line=$1

	shift
	run_sync "$@"
	expect_eq "exit status of watchrun $*" 2 "$rc"
	expect_eq "stdout of watchrun $*" "" "$(cat "$T/sout")"
	expect_eq "stderr of watchrun $*" "$line" "$(cat "$T/serr")"
}

# --- --print and --json read the Watchfile ----------------------------

@test "--print: ./Watchfile's watch and ignore lines, not its rules" {
	mkdir src other
	cat >Watchfile <<'EOF'
watch src
ignore '\.o$'
debounce 0
'' CREATE touch "$T/ran"
EOF
	start_ready --print -e CREATE
	ready_line 1 log
	: >src/a.o
	: >other/b
	: >src/zz-end
	wait_for_log '^CREATE src/zz-end$' wr.out
	expect_eq "printed" "CREATE src/zz-end" "$(cat wr.out)"
	[ ! -e ran ]
}

@test "--json: ./Watchfile's roots; -w and -x add to them" {
	mkdir -p src other/sub
	printf 'watch src\nignore \\.o$\n' >Watchfile
	start_ready --json -e CREATE -w other -x '^other/sub/'
	ready_line 2 log
	: >src/a.o
	: >src/a.c
	: >other/sub/c
	: >other/zz-end
	wait_for_log '"path":"other/zz-end"' wr.out
	cat >expected <<'EOF'
{"path":"src/a.c","events":["CREATE"]}
{"path":"other/zz-end","events":["CREATE"]}
EOF
	diff -u expected wr.out
}

@test "--print -f FILE: that file's roots, ./Watchfile left alone" {
	mkdir src lib
	printf 'watch src\n' >Watchfile
	printf 'watch lib\n' >other.rules
	start_ready --print -e CREATE -f other.rules
	ready_line 1 log
	: >src/a
	: >lib/zz-end
	wait_for_log '^CREATE lib/zz-end$' wr.out
	expect_eq "printed" "CREATE lib/zz-end" "$(cat wr.out)"
}

@test "--print without a Watchfile watches ." {
	cd w
	start_ready --print -e CREATE
	ready_line 1 "$T/log"
	: >zz-end
	wait_for_log '^CREATE zz-end$' "$T/wr.out"
}

@test "--print: errors in ./Watchfile are reported as at start, exit 2" {
	printf 'watch w\nx XYZZYQ cmd\n' >Watchfile
	expect_error "Watchfile:2:3: unknown event 'XYZZYQ'" --print
	expect_error "Watchfile:2:3: unknown event 'XYZZYQ'" --json -w w
}

# --- A command that cannot run is found out at start --------------------

# run_path PATH ARG...: run_sync with PATH set to PATH for watchrun only,
# or with PATH unset when PATH is -.
run_path() {
	local path=$1
	local -a env=(env PATH="$path")

	shift
	[ "$path" != - ] || env=(env -u PATH)
	rc=0
	timeout 10 "${env[@]}" "$WATCHRUN" "$@" </dev/null >"$T/sout" \
	    2>"$T/serr" 3>&- || rc=$?
}

@test "a command line given as one operand: not found, with a hint for -s" {
	expect_error \
	    "watchrun: echo hello world: command not found (did you mean -s 'echo hello world'?)" \
	    -w w 'echo hello world'
	expect_error \
	    "watchrun: echo it's: command not found (did you mean -s 'echo it'\\''s'?)" \
	    -- "echo it's"
	# Further operands join the hint when they need no quotes.
	expect_error \
	    "watchrun: make -C src: command not found (did you mean -s 'make -C src all -j4'?)" \
	    'make -C src' all -j4
	expect_error "watchrun: make -C src: command not found" \
	    'make -C src' 'a b'
	expect_error \
	    "watchrun: ./run tests: No such file or directory (did you mean -s './run tests'?)" \
	    './run tests'
}

@test "a program that is not in PATH, missing or not executable: exit 2" {
	mkdir dir
	: >plain
	expect_error "watchrun: watchrun-no-such-command: command not found" \
	    -w w -- watchrun-no-such-command
	expect_error "watchrun: ./nosuch: No such file or directory" \
	    -- ./nosuch arg
	expect_error "watchrun: $T/plain: Permission denied" -- "$T/plain"
	expect_error "watchrun: ./dir: Permission denied" -- ./dir
	expect_error "watchrun: plain/x: Not a directory" -- plain/x
	expect_error "watchrun: bad\\033[2Jname: command not found" \
	    -- $'bad\033[2Jname'
}

@test "PATH is searched as execvp does" {
	mkdir bin1 bin2
	: >bin1/tool
	chmod 644 bin1/tool
	ln -s "$T/probe" bin2/tool
	cp probe here-tool
	# A file found but not executable is passed over, and said if alone.
	run_path "$T/bin1:$T/bin2:/usr/bin:/bin" --check -- tool
	expect_eq "tool in bin2" 0 "$rc"
	expect_error_path "watchrun: tool: Permission denied" \
	    "$T/bin1:/usr/bin:/bin" -- tool
	# An empty element is the current directory.
	run_path ":/usr/bin:/bin" --check -- here-tool
	expect_eq "empty element" 0 "$rc"
	run_path "/usr/bin::/bin" --check -- here-tool
	expect_eq "empty element inside" 0 "$rc"
	expect_error_path "watchrun: here-tool: command not found" \
	    "/usr/bin:/bin" -- here-tool
	# Unset, PATH is confstr(_CS_PATH): not the current directory.
	run_path - --check -- true
	expect_eq "PATH unset, true" 0 "$rc"
	expect_error_path "watchrun: here-tool: command not found" - \
	    -- here-tool
}

# expect_error_path LINE PATH ARG...: expect_error with PATH for watchrun.
expect_error_path() {
	local line=$1

	shift
	run_path "$@"
	shift
	expect_eq "exit status of watchrun $*" 2 "$rc"
	expect_eq "stdout of watchrun $*" "" "$(cat "$T/sout")"
	expect_eq "stderr of watchrun $*" "$line" "$(cat "$T/serr")"
}

@test "--check refuses a command that cannot run" {
	expect_error "watchrun: watchrun-no-such-command: command not found" \
	    --check -- watchrun-no-such-command
	run_sync --check -- "$T/probe"
	expect_eq "exit status" 0 "$rc"
}

@test "shell text is not checked: -s and a Watchfile's commands" {
	start_ready -w w -d 0 -e CREATE -s 'watchrun-no-such-command; "$T/probe"'
	: >w/a
	wait_runs 1
	kill "$WR_PID"
	wait_exit
	printf 'watch w\n%s\n' "'' CREATE watchrun-no-such-command" >Watchfile
	start_ready
}

# --- Usage errors: one line each, pointing to --help, exit 2 -----------

@test "a bad value is one line, naming the option as given" {
	local see="; see 'watchrun --help'"

	expect_error "watchrun: -d '5': missing unit (us, ms, s, m or h)$see" \
	    -d 5 -- true
	expect_error \
	    "watchrun: --debounce '5': missing unit (us, ms, s, m or h)$see" \
	    --debounce 5 -- true
	expect_error \
	    "watchrun: --stop-timeout '2': missing unit (us, ms, s, m or h)$see" \
	    --stop-timeout 2 -- true
	expect_error "watchrun: --max-paths '0': too small$see" \
	    --max-paths 0 -- true
	expect_error "watchrun: --max-paths 'many': invalid$see" \
	    --max-paths many -- true
	expect_error \
	    "watchrun: --on-busy 'sometimes': expected queue, restart, ignore or signal$see" \
	    --on-busy sometimes -- true
	expect_error \
	    "watchrun: -r '\\.c(': bad regex at offset 4: missing closing parenthesis$see" \
	    -r '\.c(' -- true
	expect_error \
	    "watchrun: -x '(': bad regex at offset 1: missing closing parenthesis$see" \
	    -x '(' -- true
	expect_error "watchrun: --events: unknown event 'XYZZYQ'$see" \
	    --events 'CREATE|XYZZYQ' -- true
	expect_error "watchrun: -e 'CREATE,': empty event name$see" \
	    -e 'CREATE,' -- true
	expect_error \
	    "watchrun: --color 'yes': expected auto, always or never$see" \
	    --color yes -- true
	expect_error \
	    "watchrun: --color 'Always': expected auto, always or never$see" \
	    --color=Always -- true
	expect_error \
	    "watchrun: -e 'ONESHOT': no events left to listen for (ONESHOT: a watch option, not an event)$see" \
	    -e ONESHOT -- true
}

@test "a bad value is escaped for the terminal" {
	expect_error \
	    "watchrun: --on-busy 'x\\033[2Jy': expected queue, restart, ignore or signal; see 'watchrun --help'" \
	    --on-busy $'x\033[2Jy' -- true
}

@test "unknown options and missing arguments are one line each" {
	local see="; see 'watchrun --help'"

	expect_error "watchrun: --no-such-option: unknown option$see" \
	    --no-such-option
	expect_error "watchrun: --no-such-option: unknown option$see" \
	    --no-such-option=1 -- true
	expect_error \
	    "watchrun: --pritn: unknown option (did you mean --print?)$see" \
	    --pritn
	expect_error "watchrun: --p: ambiguous option (--print, --partial)$see" \
	    --p
	expect_error "watchrun: --print: takes no argument$see" --print=yes
	expect_error "watchrun: -z: unknown option$see" -z
	expect_error "watchrun: -z: unknown option$see" --print -qzq
	expect_error "watchrun: -d: missing argument$see" -w w -d
	expect_error "watchrun: -d: missing argument$see" -qd
	expect_error "watchrun: --on-busy: missing argument$see" --on-busy
	expect_error "watchrun: --debounce: missing argument$see" --deb
	expect_error "watchrun: --color: missing argument$see" --color
}

@test "wrong combinations are one line each" {
	local see="; see 'watchrun --help'"

	expect_error "watchrun: -s and a command cannot be given together$see" \
	    -s true -- true
	expect_error "watchrun: --print and --json run no command$see" \
	    --print -- true
	expect_error "watchrun: --check and --json cannot be given together$see" \
	    --check --json
	expect_error \
	    "watchrun: -r and -e describe a rule given on the command line (with -s or a command)$see" \
	    -r x
	expect_error \
	    "watchrun: -f and a command-line rule cannot be given together$see" \
	    -f rules -s true
	expect_error "watchrun: --init and -w cannot be given together$see" \
	    --init -w w
	expect_error \
	    "watchrun: --init and --check cannot be given together$see" \
	    -q --check --init
	expect_error "watchrun: --init and --bell cannot be given together$see" \
	    --init -f x --bell
	expect_error "watchrun: --init runs no command$see" --init true
	[ ! -e Watchfile ] && [ ! -e x ]
}

@test "-R and --on-busy queue or ignore contradict each other, in any order" {
	local see="; see 'watchrun --help'"

	expect_error "watchrun: --on-busy ignore: contradicts -R$see" \
	    -R --on-busy ignore -- true
	expect_error "watchrun: -R: contradicts --on-busy queue$see" \
	    --on-busy queue -R -- true
	expect_error "watchrun: --restart: contradicts --on-busy ignore$see" \
	    --on-busy ignore --restart -- true
	expect_error \
	    "watchrun: --on-busy queue: contradicts --on-busy restart$see" \
	    --on-busy restart --on-busy queue -- true
	# The same mode twice is no contradiction.
	run_sync --check -R --on-busy restart -R -- true
	expect_eq "-R --on-busy restart" 0 "$rc"
	run_sync --check --on-busy ignore --on-busy ignore -- true
	expect_eq "--on-busy ignore twice" 0 "$rc"
}

@test "--print and --json with an option for commands only is an error" {
	local see="; see 'watchrun --help'"

	expect_error "watchrun: -R: only for commands, and --print runs none$see" \
	    --print -R
	expect_error \
	    "watchrun: --on-busy: only for commands, and --json runs none$see" \
	    --on-busy queue --json
	expect_error \
	    "watchrun: --stop-timeout: only for commands, and --print runs none$see" \
	    --print --stop-timeout 1s
	expect_error \
	    "watchrun: --max-paths: only for commands, and --print runs none$see" \
	    --max-paths 10 --print
	expect_error "watchrun: -d: only for commands, and --print runs none$see" \
	    --print -d 1s -w w
	expect_error \
	    "watchrun: --bell: only for commands, and --print runs none$see" \
	    --print --bell
}

@test "--help: the whole usage on stdout, nothing on stderr, exit 0" {
	run_sync --help
	expect_eq "exit status" 0 "$rc"
	[ ! -s serr ]
	grep -q '^usage: watchrun ' sout
	grep -q '^  -h, --help ' sout
	run_sync -q -h -z
	expect_eq "exit status of -h" 0 "$rc"
	grep -q '^usage: watchrun ' sout
}
