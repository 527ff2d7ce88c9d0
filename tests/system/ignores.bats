#!/usr/bin/env bats
# ignores.bats: what is never watched nor reported: the default list
# (version control directories, editors' scratch files), git's ignore
# rules in a work tree (.gitignore files, .git/info/exclude, the global
# excludes file) as they change, and --explain, checked against git.

# Commands for watchrun are in single quotes; rc, wr_status and WR_PID
# are set by helpers.bash.
# shellcheck disable=SC2016,SC2154,SC2030,SC2031

load helpers

# git_isolate: git, and watchrun's reading of git's config, see only the
# test's own configuration: an empty home and XDG config directory.
git_isolate() {
	mkdir -p "$T/home" "$T/xdg/git"
	export HOME="$T/home" XDG_CONFIG_HOME="$T/xdg"
	export GIT_CONFIG_NOSYSTEM=1
	unset GIT_DIR GIT_WORK_TREE GIT_CONFIG_GLOBAL GIT_INDEX_FILE
	export GIT_AUTHOR_NAME=test GIT_AUTHOR_EMAIL=test@example.com
	export GIT_COMMITTER_NAME=test GIT_COMMITTER_EMAIL=test@example.com
}

# new_repo DIR: a fresh git work tree at DIR, the working directory.
new_repo() {
	git_isolate
	mkdir -p "$1"
	cd "$1" || return 1
	git init -q .
}

# stop_wr: ends the running watchrun.
stop_wr() {
	kill -TERM "$WR_PID"
	wait_exit
}

# expect_printed EXPECTED-LINE...: once watchrun printed the last line,
# its output is exactly these lines.
expect_printed() {
	local last

	for last; do :; done
	wait_for_log "^$(printf '%s' "$last" | sed 's/[][\.*^$|+?(){}]/\\&/g')\$" \
	    "$T/wr.out"
	printf '%s\n' "$@" >"$T/expected"
	diff -u "$T/expected" "$T/wr.out"
}

# Default ignores

@test "default: .git/ .hg/ .svn/ .jj/ .bzr/ _darcs/ are neither watched nor reported" {
	mkdir -p w/src/.git/refs w/.git/objects w/.hg w/.svn w/.jj w/.bzr \
	    w/_darcs
	start_ready --print -w w -e CREATE
	ready_line 2 "$T/log"
	mkdir -p w/new/.hg/store w/new/.jj w/new/_darcs w/new/.bzr/x
	mkdir -p w/src/new/.svn w/src/new/.git
	: >w/.git/x
	: >w/zz-end
	expect_printed 'CREATE|ISDIR w/new/' 'CREATE|ISDIR w/src/new/' \
	    'CREATE w/zz-end'
}

# bats test_tags=kernel
@test "--no-default-ignores: version control directories are watched" {
	mkdir -p w/src/.git/refs w/.git/objects w/.hg w/.svn w/.jj w/.bzr \
	    w/_darcs
	start_ready --print --no-default-ignores -w w -e CREATE
	ready_line 11 "$T/log"
	: >w/.git/x
	: >w/_darcs/x
	mkdir w/.jj/new
	: >w/zz-end
	expect_printed 'CREATE w/.git/x' 'CREATE w/_darcs/x' \
	    'CREATE|ISDIR w/.jj/new/' 'CREATE w/zz-end'
}

# make_scratch: editors' scratch files, then files of similar names that
# are none, then the end marker, in w.
scratch=(.a.c.swp .a.c.swx .a.c.swo 4913 a.c~ '#a.c#' .#a.c .a.c.kate-swp
    sub/.b.swp sub/4913 sub/b~ 'sub/#b#' sub/.#b sub/.b.kate-swp)
near=(a.swp x4913 4913x a~b '#a' 'a#' a.kate-swp .gitkeep)

make_scratch() {
	local f

	for f in "${scratch[@]}" "${near[@]}"; do
		: >"w/$f"
	done
	: >w/zz-end
}

# bats test_tags=kernel
@test "default: editors' scratch files are not reported" {
	mkdir w/sub
	start_ready -w w -d 300ms -e CREATE -s '"$T/probe" "$@"'
	make_scratch
	wait_until some_run_got w/zz-end
	all_argv | tr '\0' '\n' >got
	printf 'w/%s\n' "${near[@]}" zz-end >expected
	diff -u expected got
}

# bats test_tags=kernel
@test "--no-default-ignores: editors' scratch files are reported" {
	mkdir w/sub
	start_ready --no-default-ignores -w w -d 300ms -e CREATE \
	    -s '"$T/probe" "$@"'
	make_scratch
	wait_until some_run_got w/zz-end
	all_argv | tr '\0' '\n' >got
	printf 'w/%s\n' "${scratch[@]}" "${near[@]}" zz-end >expected
	diff -u expected got
}

# .gitignore and git's other excludes

# A work tree with ignores of every kind: .gitignore at three levels,
# .git/info/exclude and the global excludes file.  Not ignored: ., src,
# src/top-only, sub, sub/deep, sub/deep/gen-kept: 6 directories.
make_ignoring_repo() {
	new_repo "$T/repo"
	cat >.gitignore <<'EOF'
*.o
!keep.o
/top-only/
node_modules/
doc/**/*.bak
EOF
	mkdir -p src/top-only top-only/x sub/deep/gen-kept sub/gen-a/b \
	    doc/a/b
	cat >sub/.gitignore <<'EOF'
*.tmp
gen*/
EOF
	cat >sub/deep/.gitignore <<'EOF'
!important.tmp
!gen-kept/
EOF
	echo '*.inf' >>.git/info/exclude
	echo '*.xdg' >"$XDG_CONFIG_HOME/git/ignore"
	local d
	for d in $(seq 1 200); do
		mkdir -p "node_modules/m$d"
	done
	# doc and its directories are not ignored either: 3 more.
}

# make_changes: one file in each directory, ignored or not.
make_changes() {
	local f

	for f in a.c a.o keep.o src/a.o src/keep.o src/top-only/f top-only/f \
	    top-only/x/f node_modules/m7/f a.inf src/a.xdg doc/a/b/c.bak \
	    doc/c.bak doc/a/c.txt sub/a.tmp sub/deep/a.tmp \
	    sub/deep/important.tmp sub/gen-a/f sub/gen-a/b/f \
	    sub/deep/gen-kept/f; do
		: >"$f"
	done
	: >zz-end
}

# bats test_tags=kernel
@test ".gitignore, info/exclude, global excludes: ignored paths neither watched nor reported" {
	make_ignoring_repo
	start_ready --print -e CREATE
	ready_line 9 "$T/log"
	make_changes
	expect_printed 'CREATE a.c' 'CREATE keep.o' 'CREATE src/keep.o' \
	    'CREATE src/top-only/f' 'CREATE doc/a/c.txt' \
	    'CREATE sub/deep/important.tmp' 'CREATE sub/deep/gen-kept/f' \
	    'CREATE zz-end'
}

# bats test_tags=kernel
@test "--no-vcs-ignore: git's ignore rules do not apply" {
	make_ignoring_repo
	start_ready --print --no-vcs-ignore -e CREATE
	# All but .git and what is below it.
	all=$(find . -path ./.git -prune -o -type d -print | wc -l)
	ready_line "$all" "$T/log"
	make_changes
	expect_printed 'CREATE a.c' 'CREATE a.o' 'CREATE keep.o' \
	    'CREATE src/a.o' 'CREATE src/keep.o' 'CREATE src/top-only/f' \
	    'CREATE top-only/f' 'CREATE top-only/x/f' \
	    'CREATE node_modules/m7/f' 'CREATE a.inf' 'CREATE src/a.xdg' \
	    'CREATE doc/a/b/c.bak' 'CREATE doc/c.bak' 'CREATE doc/a/c.txt' \
	    'CREATE sub/a.tmp' 'CREATE sub/deep/a.tmp' \
	    'CREATE sub/deep/important.tmp' 'CREATE sub/gen-a/f' \
	    'CREATE sub/gen-a/b/f' 'CREATE sub/deep/gen-kept/f' 'CREATE zz-end'
}

@test "outside a git work tree, .gitignore files mean nothing" {
	git_isolate
	if git -C w rev-parse --is-inside-work-tree >/dev/null 2>&1; then
		skip "$T is inside a git work tree"
	fi
	mkdir w/build
	echo 'build/' >w/.gitignore
	echo '*.o' >>w/.gitignore
	start_ready --print -w w -e CREATE
	ready_line 2 "$T/log"
	: >w/a.o
	: >w/build/f
	expect_printed 'CREATE w/a.o' 'CREATE w/build/f'
}

# bats test_tags=kernel
@test "the global excludes file: core.excludesFile, else \$XDG_CONFIG_HOME/git/ignore" {
	new_repo "$T/repo"
	echo '*.xdg' >"$XDG_CONFIG_HOME/git/ignore"
	start_ready --print -e CREATE
	: >a.xdg
	: >a.glob
	: >zz-1
	expect_printed 'CREATE a.glob' 'CREATE zz-1'
	stop_wr
	# core.excludesFile, with ~/ for $HOME, takes the place of the other.
	printf '[core]\n\texcludesFile = ~/my-ignore\n' >"$HOME/.gitconfig"
	echo '*.glob' >"$HOME/my-ignore"
	rm a.xdg a.glob
	start_ready --print -e CREATE
	: >a.xdg
	: >a.glob
	: >zz-2
	expect_printed 'CREATE a.xdg' 'CREATE zz-2'
	# git agrees.
	git check-ignore -q a.glob
	refute git check-ignore -q a.xdg
}

@test "a root below the top of the work tree: the top's patterns apply" {
	new_repo "$T/repo"
	printf '%s\n' '*.o' '/src/gen/' >.gitignore
	mkdir -p src/gen src/lib
	start_ready --print -w src -e CREATE
	ready_line 2 "$T/log"
	: >src/a.o
	: >src/lib/b.o
	: >src/gen/c
	: >src/a.c
	expect_printed 'CREATE src/a.c'
	stop_wr
	# The same from inside, with the root '.'.
	cd src
	start_ready --print -e CREATE
	ready_line 2 "$T/log"
	: >lib/d.o
	: >lib/d.c
	expect_printed 'CREATE lib/d.c'
}

# bats test_tags=kernel
@test "changes to ignore files take effect at once" {
	new_repo "$T/repo"
	mkdir -p build/sub cache sub
	printf 'build/\n' >.gitignore
	start_ready --print -e 'CREATE|WRITE'
	ready_line 3 "$T/log"
	# Un-ignoring build/ watches it.
	echo '!build/' >>.gitignore
	wait_for_log '^WRITE \.gitignore$' "$T/wr.out"
	: >build/f
	: >build/sub/g
	# Ignoring cache/ stops its reports.
	echo 'cache/' >>.gitignore
	wait_until lines_at_least 2 "$T/wr.out" '^WRITE \.gitignore$'
	: >cache/h
	# A new .gitignore in a directory.
	echo '*.tmp' >sub/.gitignore
	wait_for_log '^WRITE sub/\.gitignore$' "$T/wr.out"
	: >sub/a.tmp
	: >sub/zz-end
	expect_printed 'WRITE .gitignore' \
	    'CREATE build/f' 'WRITE build/f' \
	    'CREATE build/sub/g' 'WRITE build/sub/g' \
	    'WRITE .gitignore' \
	    'CREATE sub/.gitignore' 'WRITE sub/.gitignore' \
	    'CREATE sub/zz-end' 'WRITE sub/zz-end'
}

@test "make in a git repo: one run per save; git status, add, commit none" {
	command -v make >/dev/null || skip "no make"
	command -v cc >/dev/null || skip "no cc"
	new_repo "$T/repo"
	mkdir src
	printf 'int main(void) { return 0; }\n' >src/main.c
	printf 'hello: main.o\n\t$(CC) -o hello main.o\nmain.o: src/main.c\n\t$(CC) -c -o main.o src/main.c\n' >Makefile
	printf '%s\n' '*.o' hello >.gitignore
	git add -A
	git commit -qm initial
	start_ready -d 200ms -s 'make -s; "$T/probe" "$@"'
	printf 'int main(void) { return 1; }\n' >src/main.c
	wait_runs 1
	expect_argv 1 src/main.c
	wait_until lines_at_least 1 "$T/log" 'exited 0 after'
	[ -x hello ]
	printf 'int main(void) { return 2; }\n' >src/main.c
	wait_runs 2
	expect_argv 2 src/main.c
	wait_until lines_at_least 2 "$T/log" 'exited 0 after'
	git status >/dev/null
	git add -A
	git commit -qm second
	git status >/dev/null
	git log --oneline >/dev/null
	printf 'int main(void) { return 3; }\n' >src/main.c
	wait_runs 3
	expect_argv 3 src/main.c
	wait_until lines_at_least 3 "$T/log" 'exited 0 after'
	expect_eq runs 3 "$(run_count)"
	expect_eq "committed" 2 "$(git rev-list --count HEAD)"
}

# lines_at_least N FILE ERE
lines_at_least() {
	(($(grep -cE -- "$3" "$2") >= $1))
}

# --explain

# explain_repo: a work tree with .gitignore files and a Watchfile.
explain_repo() {
	new_repo "$T/repo"
	printf '%s\n' '# built' '*.o' 'build/' '!keep.o' >.gitignore
	mkdir -p src build/x sub/deep
	echo 'deep/' >sub/.gitignore
	cat >Watchfile <<'EOF'
ignore 'log$'
'c$' WRITE|CREATE make
EOF
}

# explain PATH EXPECTED...: watchrun --explain PATH "${extra[@]}" prints
# exactly these lines, and nothing on standard error, and exits 0.
explain() {
	local p=$1

	shift
	run_sync --explain "$p" "${extra[@]}"
	printf '%s\n' "$@" >"$T/expected"
	diff -u "$T/expected" "$T/sout"
	expect_eq "exit status for $p" 0 "$rc"
	[ ! -s "$T/serr" ]
}

@test "--explain: which .gitignore line hides a path, or keeps it" {
	explain_repo
	extra=()
	explain src/a.o 'src/a.o: ignored by .gitignore:2: *.o'
	explain build/x/y.c \
	    'build/x/y.c: ignored, being in build/, by .gitignore:3: build/'
	explain build 'build/: ignored by .gitignore:3: build/'
	explain sub/deep/f \
	    'sub/deep/f: ignored, being in sub/deep/, by sub/.gitignore:1: deep/'
	explain keep.o 'keep.o: not ignored (kept by .gitignore:4: !keep.o)' \
	    $'\tsets off no rule'
}

@test "--explain: the default list, Watchfile ignore lines and -x" {
	explain_repo
	extra=()
	explain .git/config \
	    '.git/config: ignored, being in .git/, by the default list (.git)'
	explain .git '.git/: ignored by the default list (.git)'
	explain src/x.log 'src/x.log: ignored by Watchfile:1: log$'
	explain src/a.c 'src/a.c: not ignored' \
	    $'\tsets off Watchfile:2 (WRITE|CREATE): make'
	extra=(-x 'tmp$')
	explain src/a.tmp 'src/a.tmp: ignored by -x: tmp$'
	# The default list, for editors' files too.
	run_sync --explain src/.a.c.swp
	grep -qE '^src/\.a\.c\.swp: ignored by the default list \(.+\)$' \
	    "$T/sout"
	expect_eq "lines" 1 "$(wc -l <"$T/sout")"
}

@test "--explain: patterns with a backslash are shown as written" {
	new_repo "$T/repo"
	printf '%s\n' '\#*' >.gitignore
	cat >Watchfile <<'EOF'
ignore '\.log$'
'\.c$' WRITE make
EOF
	run_sync --explain x.log
	expect_eq "exit status" 0 "$rc"
	expect_eq "x.log" 'x.log: ignored by Watchfile:1: \.log$' \
	    "$(cat "$T/sout")"
	run_sync --explain x.tmp -x '\.tmp$'
	expect_eq "x.tmp" 'x.tmp: ignored by -x: \.tmp$' "$(cat "$T/sout")"
	run_sync --explain '#x'
	expect_eq "#x" '#x: ignored by .gitignore:1: \#*' "$(cat "$T/sout")"
}

@test "--explain: the rules a path sets off" {
	new_repo "$T/repo"
	cat >Watchfile <<'EOF'
watch .
debounce 200ms
'\.c$' WRITE|CREATE make
'^src/' WRITE echo "$@"
\.md$ CREATE|ISDIR true
EOF
	mkdir src
	run_sync --explain src/a.c
	expect_eq "exit status" 0 "$rc"
	printf '%s\n' 'src/a.c: not ignored' \
	    $'\tsets off Watchfile:3 (WRITE|CREATE): make' \
	    $'\tsets off Watchfile:4 (WRITE): echo "$@"' >"$T/expected"
	diff -u "$T/expected" "$T/sout"
	run_sync --explain README
	expect_eq "exit status" 0 "$rc"
	printf '%s\n' 'README: not ignored' $'\tsets off no rule' >"$T/expected"
	diff -u "$T/expected" "$T/sout"
	run_sync --explain a.c -e WRITE -- cc -c {}
	expect_eq "exit status" 0 "$rc"
	printf '%s\n' 'a.c: not ignored' \
	    $'\tsets off command-line:1 (WRITE): cc -c {}' >"$T/expected"
	diff -u "$T/expected" "$T/sout"
}

@test "--explain says ignored exactly when git check-ignore does" {
	new_repo "$T/repo"
	# (The line "trailsp" ends in unescaped spaces, which git drops.)
	printf '%s\n' '# top level' '' '*.o' '!keep.o' '/anch' 'build/' \
	    '**/logs' 'doc/**/*.bak' 'a/**/z' 'vendor/**' 'm/**/' 'a**b' \
	    '*/mid' 'h1/**' '[Tt]emp*' '*.[ch]~' '*.[!a-m]x' '[a-]dash' \
	    '[]]br' '[!]]nb' 'x[0-9][0-9]' '[[:digit:]]cls' 'file?.txt' \
	    '!/sub/deep/keep/' '\#lit' '\!bang' 'trail\ ' 'trailsp   ' \
	    'foo/*' '!foo/bar' 'lvl/*.c' '!lvl/keep.c' >.gitignore
	mkdir -p sub/deep
	printf '%s\n' '*.tmp' '!important.tmp' '/local' 'out/' 'deep/*.log' \
	    'gen*/' >sub/.gitignore
	printf '%s\n' '!*.o' 'keep/' '/only-here' '*.tmp' '!x[0-9].tmp' \
	    >sub/deep/.gitignore
	local dirs=(build src/build sub/out sub/deep/keep sub/gen1
	    sub/deep/generated logs src/logs doc/a foo/bar foo/dir anchdir
	    vendor vendor/lib sub/deep/out m m/d h1 h1/dir lvl/sub)
	local files=(a.o keep.o src/x.o src/keep.o sub/deep/y.o
	    sub/deep/keep.o anch src/anch sub/anch build/f src/build/f
	    build/keep.o logs/f src/logs/f doc/x.bak doc/a/b/x.bak
	    src/doc/x.bak a/z a/b/z a/b/c/z b/a/z vendor/f vendor/lib/f
	    m/f m/d/f ab axxb a/b/c/b mid x/mid x/y/mid h1/x h1/dir/y
	    Temp temp1 src/Temporary tmp a.c~ a.h~ a.x~ b.zx b.ax
	    adash -dash bdash ']br' xbr nb ']nb' x12 x123 x1a 5cls acls
	    file1.txt file12.txt sub/file2.txt '#lit' lit '!bang' bang
	    'trail ' trail trailsp 'trailsp ' foo/x foo/bar/y lvl/a.c
	    lvl/keep.c lvl/sub/a.c sub/x.tmp sub/important.tmp
	    sub/deep/important.tmp sub/deep/x1.tmp sub/deep/x12.tmp sub/local
	    sub/deep/local sub/out/f sub/deep/out/f sub/deep/a.log sub/a.log
	    sub/deep/deeper/a.log sub/gen1/f sub/deep/generated/f
	    sub/deep/keep/f sub/deep/only-here sub/only-here src/ok.c)
	local p n bad
	for p in "${dirs[@]}"; do
		mkdir -p -- "$p"
	done
	for p in "${files[@]}"; do
		mkdir -p -- "$(dirname -- "$p")"
		: >"$p"
	done
	printf '%s\0' "${dirs[@]}" "${files[@]}" >"$T/paths"
	# git's answers, all at once.
	git check-ignore --no-index -z --stdin <"$T/paths" >"$T/git-ignored" ||
	    true
	# Under valgrind a run takes half a second: compare every 18th path.
	step=1
	[ -z "${VG_LOGDIR:-}" ] || step=18
	awk -v RS='\0' -v ORS='\0' -v step="$step" '(NR - 1) % step == 0' \
	    "$T/paths" >"$T/compared"
	# watchrun's, one by one (outside bats, whose traps slow loops down).
	WATCHRUN=$WATCHRUN bash -c '
		while IFS= read -r -d "" p; do
			want="not ignored"
			if grep -qzxF -- "$p" "$T/git-ignored"; then
				want=ignored
			fi
			line=$("$WATCHRUN" --no-default-ignores --explain "$p" \
			    -- true) || line="exit status $?: $line"
			line=${line%%$'"'"'\n'"'"'*}
			case $line in
			*": ignored "* | *": ignored, "*) got=ignored ;;
			*": not ignored"*) got="not ignored" ;;
			*) got="?" ;;
			esac
			if [ "$got" != "$want" ]; then
				printf "%q: git says %s (%s); watchrun: %s\n" "$p" \
				    "$want" "$(git check-ignore --no-index -v -- \
				    "$p")" "$line"
			fi
		done <"$T/compared"
	' >"$T/disagreements"
	n=$(tr -cd '\0' <"$T/paths" | wc -c)
	bad=$(wc -l <"$T/disagreements")
	sed 's/^/# /' "$T/disagreements"
	echo "# $n paths, $(tr -cd '\0' <"$T/compared" | wc -c) compared," \
	    "$bad disagreements"
	[ "$n" -ge 40 ]
	# Both answers are common enough for the comparison to mean something.
	ignored=$(tr -cd '\0' <"$T/git-ignored" | wc -c)
	echo "# git ignores $ignored of them"
	[ "$ignored" -ge 30 ]
	[ $((n - ignored)) -ge 30 ]
	expect_eq disagreements 0 "$bad"
}

# now_ignored FILE: the running watchrun no longer reports FILE: made
# before a marker in src/, it is not printed, the marker is (the kernel
# queues both in the order they were made).
now_ignored() {
	marks=$((${marks:-0} + 1))
	: >"$1"
	: >"src/mark.$marks"
	wait_for_log "^CREATE src/mark\\.$marks\$" "$T/wr.out" &&
	    ! grep -qxF "CREATE $1" "$T/wr.out"
}

@test "changes to info/exclude, the global file and a .gitignore above the root take effect at once" {
	new_repo "$T/repo"
	mkdir -p src/cache
	: >.gitignore
	: >"$XDG_CONFIG_HOME/git/ignore"
	start_ready --print -w src -e CREATE
	: >src/cache/before
	wait_for_log '^CREATE src/cache/before$' "$T/wr.out"
	printf 'cache/\n' >>.git/info/exclude
	wait_until now_ignored src/cache/x
	printf '*.tmp\n' >>.gitignore
	wait_until now_ignored src/b.tmp
	printf '*.glob\n' >>"$XDG_CONFIG_HOME/git/ignore"
	wait_until now_ignored src/c.glob
	# And the other way: a line taken out is no longer ignored.
	: >.gitignore
	: >src/d.tmp
	: >src/zz-end
	wait_for_log '^CREATE src/zz-end$' "$T/wr.out"
	grep -qx 'CREATE src/d.tmp' "$T/wr.out"
}
