#!/usr/bin/env bats
# print.bats: --print and --json, the event printers: format, escaping of
# names, JSON that round-trips bytes, filters, and overflow.

load helpers

# bats test_tags=kernel
@test "--print -e: one line per event, NAMES PATH" {
	start_ready --print -w w -e 'CREATE|WRITE'
	mkdir w/dir
	echo x >w/file
	echo x >w/zz-end
	wait_for_log '^WRITE w/zz-end$' wr.out
	cat >expected <<'EOF'
CREATE|ISDIR w/dir/
CREATE w/file
WRITE w/file
CREATE w/zz-end
WRITE w/zz-end
EOF
	diff -u expected wr.out
}

# bats test_tags=kernel
@test "--print without -e: every event but watchrun's own directory reads" {
	start_ready --print -w w
	mkdir w/d
	echo x >w/f
	mkdir w/zz-end
	wait_for_log '^CREATE\|ISDIR w/zz-end/$' wr.out
	cat >expected <<'EOF'
CREATE|ISDIR w/d/
CREATE w/f
OPEN w/f
MODIFY w/f
WRITE w/f
CREATE|ISDIR w/zz-end/
EOF
	diff -u expected wr.out
}

@test "--print escapes newline, ESC, backslash, tab, bad UTF-8, C1" {
	start_ready --print -w w -e CREATE
	: >"w/$(printf 'a\nb\033c\\d\377\t\303\251\302\205z')"
	: >w/zz-end
	wait_for_log '^CREATE w/zz-end$' wr.out
	printf '%s\n' 'CREATE w/a\nb\033c\\d\377\té\302\205z' \
	    'CREATE w/zz-end' >expected
	diff -u expected wr.out
}

# bats test_tags=kernel
@test "--print -r: only matching paths" {
	start_ready --print -w w -e CREATE -r '\.c$'
	: >w/a.h
	: >w/b.c
	: >w/zz-end.c
	wait_for_log '^CREATE w/zz-end\.c$' wr.out
	printf '%s\n' 'CREATE w/b.c' 'CREATE w/zz-end.c' >expected
	diff -u expected wr.out
}

# bats test_tags=kernel
@test "--json: one object a line, paths round-trip byte-exact" {
	start_ready --json -w w -e 'CREATE|MOVE'
	name=$(printf 'q"\\ \n\t\033\377\303\251\302\205')
	: >"w/$name"
	mv "w/$name" w/moved
	mkdir w/zz-end
	wait_for_log '"path":"w/zz-end/"' wr.out
	python3 - "$T/wr.out" "w/$name" <<'EOF'
import json, os, sys
name = os.fsencode(sys.argv[2])
recs = [json.loads(line) for line in open(sys.argv[1], "rb")]
got = [(r["path"].encode("utf-8", "surrogateescape"), r["events"],
        "cookie" in r) for r in recs]
want = [(name, ["CREATE"], False),
        (name, ["MOVED_FROM"], True),
        (b"w/moved", ["MOVED_TO"], True),
        (b"w/zz-end/", ["CREATE", "ISDIR"], False)]
assert got == want, "\n%r\n!=\n%r" % (got, want)
assert recs[1]["cookie"] == recs[2]["cookie"] != 0, recs
EOF
	# Nothing is left raw: no control byte, all valid UTF-8.
	refute env LC_ALL=C grep -q "$(printf '[\001-\037\177]')" wr.out
	iconv -f UTF-8 -t UTF-8 wr.out >/dev/null
}

overflow_lines_are() {
	[ "$(grep -cE '^Q_OVERFLOW w/sub/f[0-9]+$' wr.out)" -eq "$1" ]
}

# bats test_tags=kernel
@test "--print after an overflow: Q_OVERFLOW, then the changed paths" {
	mkdir w/sub
	start_ready --print -w w -e CREATE
	n=$(overflow_burst w/sub)
	# The rescan goes in readdir order: wait for the count, not one name.
	wait_until overflow_lines_are "$n"
	wait_for_log 'overflow'
	# The bare line first, then every file made.
	first=$(grep -n '^Q_OVERFLOW' wr.out | head -n 1)
	expect_eq "first overflow line" "${first%%:*}:Q_OVERFLOW " "$first"
	expect_eq "files reported" "$n" \
	    "$(grep -cE '^Q_OVERFLOW w/sub/f[0-9]+$' wr.out)"
	grep -qx 'Q_OVERFLOW|ISDIR w/sub/' wr.out
}

# bats test_tags=kernel
@test "--print -e ISDIR: directories only; self events carry ISDIR" {
	mkdir w/sub
	start_ready --print -w w -e 'CREATE|DELETE_SELF|ISDIR'
	: >w/file-not-printed
	mkdir w/new
	rmdir w/sub
	mkdir w/zz-end
	wait_for_log '^CREATE\|ISDIR w/zz-end/$' wr.out
	cat >expected <<'EOF2'
CREATE|ISDIR w/new/
DELETE_SELF|ISDIR w/sub/
CREATE|ISDIR w/zz-end/
EOF2
	diff -u expected wr.out
}

@test "--print --once: exits 0 after the first event" {
	start_ready --print --once -w w -e CREATE
	: >w/first
	wait_exit
	[ "$wr_status" -eq 0 ]
	grep -qx 'CREATE w/first' wr.out
}
