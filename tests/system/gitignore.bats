#!/usr/bin/env bats
# gitignore.bats: the gitignore module against git itself.  For every path
# of a work tree, the oracle driver ($GITIGNORE_ORACLE, built from
# tests/unit/gitignore_oracle.c) must answer as
# git check-ignore --no-index -v --non-matching does, source, line and
# pattern included, and git's exit status must agree with the answer.

# Not helpers.bash: no watchrun runs here, only git and the driver.
setup() {
	[ -n "${GITIGNORE_ORACLE:-}" ] ||
	    skip "GITIGNORE_ORACLE (the oracle driver) is not set"
	command -v git >/dev/null || skip "git is not installed"
	T=$(mktemp -d "${TMPDIR:-/tmp}/watchrun-test.XXXXXX")
	T=$(cd "$T" && pwd -P)
	export T
	# Only the files this test writes: no user or system configuration.
	unset GIT_DIR GIT_WORK_TREE GIT_INDEX_FILE GIT_CONFIG_GLOBAL
	export HOME="$T/home" XDG_CONFIG_HOME="$T/xdg" GIT_CONFIG_NOSYSTEM=1
	mkdir -p "$HOME" "$XDG_CONFIG_HOME/git" "$T/repo"
	git init -q "$T/repo"
	cd "$T/repo" || return 1
}

teardown() {
	cd / || true
	[ -z "${T:-}" ] || rm -rf "$T"
}

# records FILE: check-ignore -z -v records, one a line; a newline in a
# name shows as \001.
records() {
	tr '\n\0' '\001\n' <"$1" | paste - - - -
}

# compare GLOBAL [GIT_OPTION...]: our answers for the NUL-terminated paths
# in $T/paths against git's, with GLOBAL as the global excludes file.
compare() {
	local global=$1 st=0 npaths nrec

	shift
	git "$@" check-ignore --no-index --stdin -z -v --non-matching \
	    <"$T/paths" >"$T/git.out" || st=$?
	# 1: no path is ignored.
	[ "$st" -le 1 ]
	"$GITIGNORE_ORACLE" -g "$global" "$T/repo" <"$T/paths" >"$T/ours.out"
	if ! cmp -s "$T/git.out" "$T/ours.out"; then
		echo "# git (-) and the gitignore module (+) differ:"
		diff -u <(records "$T/git.out") <(records "$T/ours.out") |
		    sed 's/^/#   /'
		return 1
	fi
	npaths=$(tr -cd '\0' <"$T/paths" | wc -c)
	nrec=$(tr -cd '\0' <"$T/ours.out" | wc -c)
	[ "$nrec" -eq $((npaths * 4)) ]
}

# exits_agree [GIT_OPTION...]: git check-ignore -q exits 0 for each path
# we call ignored and 1 for each other one.
exits_agree() {
	local src line pat path want got

	while IFS= read -r -d '' src && IFS= read -r -d '' line &&
	    IFS= read -r -d '' pat && IFS= read -r -d '' path; do
		want=1
		[ -n "$pat" ] && [ "${pat#!}" = "$pat" ] && want=0
		got=0
		git "$@" check-ignore --no-index -q -- "$path" || got=$?
		if [ "$got" != "$want" ]; then
			echo "# $path: git exits $got, our answer wants $want"
			return 1
		fi
	done <"$T/ours.out"
}

# all_paths: every file and directory of the work tree but .git.  No name
# here starts with ':', which git would read as pathspec magic.
all_paths() {
	find . -mindepth 1 -path ./.git -prune -o -printf '%P\0' | sort -z
}

# count PATTERN: answers whose pattern field matches the ERE.
count() {
	records "$T/ours.out" | cut -f3 | grep -cE -- "$1"
}

# The hand-made tree: four levels of .gitignore, info/exclude and a global
# file, each rule of gitignore(5) with paths on both sides of it.
make_tree() {
	local d

	printf '%s\n' \
	    '# comment' '' '*.o' '*.log' '!keep.log' '/build/' \
	    'docs/*.html' '**/cache/' 'temp?' '[Tt]mp[0-9]' 'foo[!a-c]' \
	    'bar[^x]' '[[:upper:]]*.txt' '\#hash' '\!bang' 'trail   ' \
	    'esc\ ' 'sp\ ace' 'only_dir/' 'logs/**' 'a/**/z' \
	    '**/deep/leaf' 'node_modules' '*.sw[op]' 'lib*.a' \
	    '[]]br' '[a-]z' 'x**y' 'q**/r' 'link_to_dir/' 'back\\slash' \
	    'unterminated[ab' 'bad[[:nope:]]' 'end\' 'x/*/leaf' \
	    '*.so.*' >.gitignore
	# A byte order mark, then a re-include for the directory.
	mkdir -p sub/inner/deeper
	printf '\357\273\277!*.o\n/anch\nnested/x\n*.tmp\n!important.tmp\n' \
	    >sub/.gitignore
	printf '*.o\r\n!/special.log\r\ndata/\r\n' >sub/inner/.gitignore
	printf '!*.tmp\n*\n!*/\n!*.c\n' >sub/inner/deeper/.gitignore
	printf '*.info\n!keep.o\nsecret/\n' >.git/info/exclude
	printf '*~\n.DS_Store\n*.info\n!global-keep.log\n*.bak\n' \
	    >"$XDG_CONFIG_HOME/git/ignore"

	for d in build docs/api sub/docs cache src/cache misc x/only_dir \
	    logs/sub a/b/c deep x/y/deep node_modules sub/node_modules/pkg \
	    sub/build sub/x sub/nested sub/q/nested sub/inner/data \
	    sub/inner/q sub/inner/deeper/d secret q/s qx/y; do
		mkdir -p "$d"
	done
	touch -- a.o keep.log x.log keep.o global-keep.log f.info backup.bak \
	    'file~' .DS_Store sub/a.o sub/inner/a.o sub/inner/special.log \
	    sub/special.log build/out.txt build/keep.log docs/index.html \
	    docs/api/x.html sub/docs/index.html src/cache/f misc/cache \
	    temp1 tempXX tmp5 Tmp7 tmpx fooa food barx bary README.txt \
	    readme.txt '#hash' hash '!bang' bang trail 'trail ' 'esc ' esc \
	    'sp ace' only_dir logs/a logs/sub/b logs/x.c a/z a/b/z a/b/c/z \
	    a/zz deep/leaf x/y/deep/leaf sub/node_modules/pkg/index.js .x.swp \
	    y.swo z.swx libfoo.a libfoo.so sub/anch sub/x/anch anch \
	    sub/nested/x sub/q/nested/x sub/t.tmp sub/important.tmp \
	    sub/inner/data/f sub/inner/q/data sub/inner/deeper/f.h \
	    sub/inner/deeper/f.c sub/inner/deeper/d/g.c \
	    sub/inner/deeper/d/g.h sub/inner/deeper/x.tmp secret/key \
	    'with space.o' $'tab\tname.log' $'\xff\xfe.o' $'caf\xc3\xa9.bak' \
	    ']br' '-z' az xaay x/y/aay q/r qx/y/r q/s/r 'back\slash' \
	    unterminateda 'end\' end libx.so.1 .so.2 libx.so
	ln -s build link_to_dir
	# Below an excluded directory: git never reads it, nor may we.
	printf '!*\n' >build/.gitignore
}

@test "hand-made tree: every answer, source, line and pattern is git's" {
	make_tree
	all_paths >"$T/paths"
	compare "$XDG_CONFIG_HOME/git/ignore"
	exits_agree
	# The tree exercises each side: ignored, re-included, unmatched.
	[ "$(tr -cd '\0' <"$T/paths" | wc -c)" -ge 100 ]
	[ "$(count '^[^!]')" -ge 50 ]
	[ "$(count '^!')" -ge 5 ]
	[ "$(count '^$')" -ge 30 ]
}

@test "core.excludesFile takes the place of the XDG file" {
	make_tree
	printf '*.c\n!*.bak\n' >"$T/excludes"
	all_paths >"$T/paths"
	compare "$T/excludes" -c core.excludesFile="$T/excludes"
	exits_agree -c core.excludesFile="$T/excludes"
	grep -q excludes "$T/ours.out"
}

# untraced FUNCTION [ARG...]: runs one of the loop-heavy generators below
# in a child bash, away from the trap bats runs before every command.
untraced() {
	bash -c "$(declare -f byte_names rand_pattern rand_tree); \"\$@\"" \
	    untraced "$@"
}

# byte_names DIR: a file "c" + the byte in DIR for each byte but NUL and
# '/'.
byte_names() {
	local b hex name

	for ((b = 1; b < 256; b++)); do
		((b == 47)) && continue
		printf -v hex %02x "$b"
		printf -v name "c\\x$hex"
		: >"$1/$name"
	done
}

@test "bracket classes, ranges and negations, byte by byte" {
	local cls

	printf 'a\n' >"$T/none"
	for cls in alnum alpha blank cntrl digit graph lower print punct \
	    space upper xdigit; do
		mkdir "$cls"
		printf 'c[[:%s:]]\n' "$cls" >"$cls/.gitignore"
		untraced byte_names "$cls"
	done
	mkdir ranges
	printf '%s\n' 'c[!a-y]' '!c[\]-\`]' 'c[^[:alnum:][:punct:]]' \
	    >ranges/.gitignore
	untraced byte_names ranges
	all_paths >"$T/paths"
	compare "$T/none"
	[ "$(count '^c\[')" -ge 400 ]
}

# rand_pattern: a pattern built from pieces that meet at the edges of
# wildcards, brackets, escapes, "**" and slashes.
rand_pattern() {
	local pieces=(a b ab . .c '*' '*' '**' '?' '[ab]' '[!a]' '[a-c]'
	    '\a' '/' '/' '**/' '/**' '/**/' '[[:alpha:]]' ' ')
	local n i pat=

	((RANDOM % 5 == 0)) && pat='!'
	((RANDOM % 5 == 0)) && pat+='/'
	n=$((RANDOM % 4 + 1))
	for ((i = 0; i < n; i++)); do
		pat+=${pieces[RANDOM % ${#pieces[@]}]}
	done
	((RANDOM % 5 == 0)) && pat+='/'
	printf '%s\n' "$pat"
}

# rand_tree SEED: a fresh work tree of random paths and patterns.  A path
# that would need a file as a directory, or a directory as a file, is
# left out.
rand_tree() {
	local names=(a b ab ba a.c b.o aa 'a b' '*' x)
	local f i j n path part ok
	local -A kind=([a]=d [a/b]=d)
	local -a dirs=(a/b) files=()

	RANDOM=$1
	rm -rf -- ./* .gitignore .git/info/exclude
	for ((i = 0; i < 120; i++)); do
		path=
		ok=1
		n=$((RANDOM % 4 + 1))
		for ((j = 0; j < n; j++)); do
			part=${names[RANDOM % ${#names[@]}]}
			[ -n "$path" ] && [ "${kind[$path]-}" = f ] && ok=0
			path+=${path:+/}$part
		done
		[ "${kind[$path]-}" = d ] && ok=0
		((ok)) || continue
		f=$path
		while [ "$f" != "${f%/*}" ]; do
			f=${f%/*}
			kind[$f]=d
		done
		[ "$path" != "${path%/*}" ] && dirs+=("${path%/*}")
		kind[$path]=f
		files+=("$path")
	done
	mkdir -p -- "${dirs[@]}" .git/info
	touch -- "${files[@]}"
	for f in .gitignore a/.gitignore a/b/.gitignore .git/info/exclude \
	    "$T/global"; do
		for ((i = 0; i < 12; i++)); do
			rand_pattern
		done >"$f"
	done
}

@test "random patterns on random trees, 40 seeds" {
	local seed

	for ((seed = 1; seed <= 40; seed++)); do
		untraced rand_tree "$seed"
		all_paths >"$T/paths"
		if ! compare "$T/global" -c core.excludesFile="$T/global"; then
			echo "# seed $seed; the files:"
			head -n 100 .gitignore a/.gitignore a/b/.gitignore \
			    .git/info/exclude "$T/global" | sed 's/^/#   /'
			return 1
		fi
	done
}
