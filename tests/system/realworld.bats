#!/usr/bin/env bats
# realworld.bats: how real tools change files: editors that save through a
# temporary file, sed -i, git checkout.

load helpers

# bats test_tags=kernel
@test "editor save: write a temporary file, rename it over" {
	echo old >w/f.txt
	start_ready -w w -r '\.txt$' -d 0 -s '"$T/probe" "$@"'
	printf 'new\n' >w/.f.txt.tmp1234
	mv w/.f.txt.tmp1234 w/f.txt
	wait_runs 1
	expect_argv 1 w/f.txt
	expect_var 1 WATCHRUN_EVENTS MOVED_TO
	# And again: the file that replaced it is still seen.
	printf 'newer\n' >w/.f.txt.tmp5678
	mv w/.f.txt.tmp5678 w/f.txt
	wait_runs 2
	expect_argv 2 w/f.txt
}

# bats test_tags=kernel
@test "vim-style save: 4913 probe, backup rename, new file" {
	echo old >w/f.txt
	start_ready -w w -r '\.txt$' -d 1s -s '"$T/probe" "$@"'
	# What vim does with backupcopy=no and writebackup.
	: >w/4913
	rm w/4913
	mv w/f.txt w/f.txt~
	printf 'new\n' >w/f.txt
	rm w/f.txt~
	wait_runs 1
	expect_argv 1 w/f.txt
	expect_var 1 WATCHRUN_EVENTS 'WRITE|MOVED_FROM|CREATE'
}

# bats test_tags=kernel
@test "sed -i: the renamed-over file is reported, its temporary is not" {
	printf 'hello\n' >w/f.txt
	start_ready -w w -d 1s -s '"$T/probe" "$@"'
	sed -i 's/hello/world/' w/f.txt
	wait_runs 1
	# Every path sed touched, the temporary included, ends with f.txt.
	expect_var 1 WATCHRUN_PATH w/f.txt
	expect_var 1 WATCHRUN_EVENTS MOVED_TO
	k=$(argv_count 1)
	[ "$k" -eq 2 ]
	tr '\0' '\n' <runs/1/argv | head -n 1 | grep -qE '^w/sed[A-Za-z0-9]{6}$'
}

@test "git checkout of a branch that adds a directory" {
	cd w
	git init -q -b main .
	git config user.name 'Test User'
	git config user.email 'test@example.invalid'
	echo 'int main;' >main.c
	git add main.c
	git commit -q -m main
	git checkout -q -b feature
	mkdir -p newdir/sub
	echo 'int f;' >newdir/sub/file.c
	echo 'int g;' >newdir/other.c
	echo 'int main(void);' >main.c
	git add -A
	git commit -q -m feature
	git checkout -q main
	[ ! -e newdir ]
	start_ready -x '(^|/)\.git/' -r '\.c$' -d 1s -s '"$T/probe" "$@"'
	ready_line 1 "$T/log"
	git checkout -q feature
	wait_runs 1
	tr '\0' '\n' <"$T/runs/1/argv" | sort >"$T/got"
	printf '%s\n' main.c newdir/other.c newdir/sub/file.c >"$T/expected"
	diff -u "$T/expected" "$T/got"
	# The new directories are watched.
	echo 'int h;' >newdir/sub/untracked.c
	wait_runs 2
	expect_argv 2 newdir/sub/untracked.c
	git checkout -q main
	wait_runs 3
	tr '\0' '\n' <"$T/runs/3/argv" | sort >"$T/got"
	diff -u "$T/expected" "$T/got"
	expect_var 3 WATCHRUN_COUNT 3
}

# make_tree DIR: a small tree of .txt files; prints their paths below DIR.
make_tree() {
	local d f

	for d in a/b/c a/b/d e/f/g/h i; do
		mkdir -p "$1/$d"
		for f in 1 2 3; do
			echo "$d $f" >"$1/$d/f$f.txt"
			echo "$d/f$f.txt"
		done
	done
}

@test "tar x of a tree: every file is reported" {
	make_tree away/src | sed 's|^|w/src/|' | sort >expected
	tar -C away -cf tree.tar src
	start_ready -w w -r '\.txt$' -d 1s -s '"$T/probe" "$@"'
	tar -C w -xf tree.tar
	wait_until argv_total_at_least "$(wc -l <expected)"
	expect_eq runs 1 "$(run_count)"
	tr '\0' '\n' <runs/1/argv | sort >got
	diff -u expected got
}

@test "cp -r of a tree: every file is reported" {
	make_tree away/src | sed 's|^|w/copy/|' | sort >expected
	start_ready -w w -r '\.txt$' -d 1s -s '"$T/probe" "$@"'
	cp -r away/src w/copy
	wait_until argv_total_at_least "$(wc -l <expected)"
	expect_eq runs 1 "$(run_count)"
	tr '\0' '\n' <runs/1/argv | sort >got
	diff -u expected got
}
