#!/usr/bin/env bats
# scan.bats: what the scan of a directory that appears reports: files in
# a created directory as CREATE|WRITE, the contents of a directory moved
# in as MOVED_TO, so that a rule on WRITE or MOVED_TO misses none.

load helpers

distinct_paths() {
	all_argv | sort -zu | tr -cd '\0' | wc -c
}

distinct_at_least() {
	(($(distinct_paths) >= $1))
}

@test "300 files written into fresh mkdir -p directories reach a WRITE rule" {
	start_ready -w w -d 50ms -e WRITE -r '\.txt$' -s '"$T/probe" "$@"'
	python3 -c '
import os
for i in range(1, 301):
    os.makedirs("w/n%d/b/c" % i)
    with open("w/n%d/b/c/f.txt" % i, "w") as f:
        f.write("x\n")
'
	wait_until distinct_at_least 300
	all_argv | sort -zu | tr '\0' '\n' >got
	seq -f 'w/n%g/b/c/f.txt' 1 300 | sort >expected
	diff -u expected got
}

@test "files written before their new directory's watch reach a WRITE rule" {
	start_ready -w w -d 50ms -e WRITE -r '\.txt$' -s '"$T/probe" "$@"'
	# Stopped, watchrun cannot watch the new directories before the
	# files in them are written: only the scan can find them.
	kill -STOP "$WR_PID"
	wait_until stopped "$WR_PID"
	for i in $(seq 1 20); do
		mkdir -p "w/n$i/b" && echo x >"w/n$i/b/f.txt"
	done
	kill -CONT "$WR_PID"
	wait_until distinct_at_least 20
	all_argv | sort -zu | tr '\0' '\n' >got
	seq -f 'w/n%g/b/f.txt' 1 20 | sort >expected
	diff -u expected got
}

# bats test_tags=kernel
@test "a directory moved in: its contents are reported as MOVED_TO" {
	mkdir -p away/rel/sub
	echo x >away/rel/a.xml
	echo y >away/rel/sub/b.xml
	start_ready --print -w w -e 'MOVED_TO|CREATE|WRITE'
	mv away/rel w/rel
	wait_for_log '^MOVED_TO w/rel/sub/b\.xml$' wr.out
	sort wr.out >got
	printf '%s\n' 'MOVED_TO|ISDIR w/rel/' 'MOVED_TO w/rel/a.xml' \
	    'MOVED_TO|ISDIR w/rel/sub/' 'MOVED_TO w/rel/sub/b.xml' | sort >expected
	diff -u expected got
}

@test "a directory moved in reaches a WRITE|MOVED_TO rule with each file" {
	mkdir -p away/rel/sub
	echo x >away/rel/a.xml
	echo y >away/rel/sub/b.xml
	start_ready -w w -d 100ms -e 'WRITE|MOVED_TO' -r '\.xml$' \
	    -s '"$T/probe" "$@"'
	mv away/rel w/rel
	wait_until distinct_at_least 2
	all_argv | sort -zu | tr '\0' '\n' >got
	printf '%s\n' w/rel/a.xml w/rel/sub/b.xml >expected
	diff -u expected got
}

# bats test_tags=inotify
@test "files in a directory that appears are CREATE|WRITE in the scan" {
	mkdir -p src/d/e
	echo x >src/d/f
	echo y >src/d/e/g
	ln -s f src/d/link
	start_ready --print -w w -e 'CREATE|WRITE'
	kill -STOP "$WR_PID"
	wait_until stopped "$WR_PID"
	cp -a src/d w/d
	kill -CONT "$WR_PID"
	wait_until file_has wr.out 'w/d/e/g$'
	sort wr.out >got
	printf '%s\n' 'CREATE|ISDIR w/d/' 'WRITE|CREATE w/d/f' \
	    'CREATE|ISDIR w/d/e/' 'WRITE|CREATE w/d/e/g' 'CREATE w/d/link' |
	    sort >expected
	diff -u expected got
}
