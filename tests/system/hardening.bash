# hardening.bash: helpers for hardening.bats, limits.bats and scale.bats,
# loaded after helpers.bash.  It wraps helpers.bash's teardown so that
# system-wide settings changed by a test (inotify sysctls, mounts) are put
# back even when the test fails, before anything else is cleaned up.
#
# shellcheck shell=bash
# shellcheck disable=SC2034	# variables are used by the .bats files

# Old values of the /proc/sys/fs/inotify settings a test changed.
declare -gA SAVED_SYSCTL=()
# Mount points a test made, to unmount in teardown (last first).
MOUNTS=()

eval "base_$(declare -f teardown)"

teardown() {
	local i

	sysctl_restore
	for ((i = ${#MOUNTS[@]} - 1; i >= 0; i--)); do
		umount "${MOUNTS[i]}" 2>/dev/null ||
		    umount -l "${MOUNTS[i]}" 2>/dev/null || true
	done
	MOUNTS=()
	base_teardown
}

need_root() {
	[ "$(id -u)" = 0 ] || skip "needs root"
}

# need_sysctl: root, with /proc/sys writable (not so in most containers).
need_sysctl() {
	need_root
	[ -w /proc/sys/fs/inotify/max_user_watches ] ||
	    skip "/proc/sys/fs/inotify is read-only here"
}

# mount_tmpfs DIR: mounts a tmpfs on DIR, unmounted in teardown; skips
# where mounting is not allowed (an unprivileged container).
mount_tmpfs() {
	need_root
	mount -t tmpfs tmpfs "$1" || skip "cannot mount here"
	MOUNTS+=("$(cd "$1" && pwd -P)")
}

under_valgrind() {
	[ -n "${VG_LOGDIR:-}" ]
}

# built_with_asan: $WATCHRUN is linked with AddressSanitizer, whose
# allocator maps and unmaps memory for each of 10,000 rules: seconds, and
# many more on a loaded machine.
built_with_asan() {
	ldd "$WATCHRUN" 2>/dev/null | grep -q libasan
}

# under_asan PID: the process runs with AddressSanitizer.
under_asan() {
	grep -q 'libasan' "/proc/$1/maps" 2>/dev/null
}

# sysctl_set NAME VALUE: sets fs.inotify.NAME, keeping the old value for
# sysctl_restore (and teardown).  Until then it holds a lock, so that two
# runs of these tests at once never take each other's lowered value for
# the one to put back.
sysctl_set() {
	local f=/proc/sys/fs/inotify/$1

	if [ -z "${SYSCTL_LOCK:-}" ]; then
		exec {SYSCTL_LOCK}>>"${TMPDIR:-/tmp}/watchrun-tests.sysctl.lock"
		flock -w 120 "$SYSCTL_LOCK" || return 1
	fi
	if [ -z "${SAVED_SYSCTL[$1]+set}" ]; then
		SAVED_SYSCTL[$1]=$(cat "$f") || return 1
	fi
	echo "$2" >"$f"
}

# sysctl_restore: puts back what sysctl_set changed.
sysctl_restore() {
	local n

	for n in "${!SAVED_SYSCTL[@]}"; do
		echo "${SAVED_SYSCTL[$n]}" >"/proc/sys/fs/inotify/$n"
		unset "SAVED_SYSCTL[$n]"
	done
	if [ -n "${SYSCTL_LOCK:-}" ]; then
		exec {SYSCTL_LOCK}>&-
		SYSCTL_LOCK=
	fi
}

# root_watches: inotify watches held by root's processes, on the whole
# machine (fs.inotify.max_user_watches counts them all).
root_watches() {
	local d files=()

	while IFS= read -r d; do
		files+=("$d"/fdinfo/*)
	done < <(find /proc -mindepth 1 -maxdepth 1 -user 0 -name '[0-9]*')
	cat "${files[@]}" 2>/dev/null | grep -c '^inotify wd:' || true
}

# wr_wds: the watch descriptors watchrun holds, sorted, one a line.
wr_wds() {
	grep -h '^inotify wd:' "/proc/$WR_PID"/fdinfo/* 2>/dev/null |
	    sed 's/^inotify wd:\([0-9]*\) .*/\1/' | sort -n
}

wr_watch_count() {
	wr_wds | wc -l
}

# watched PATH: watchrun holds an inotify watch on PATH's inode.
watched() {
	local ino

	ino=$(stat -c %i "$1") || return 1
	grep -qh "^inotify wd:[0-9]* ino:$(printf '%x' "$ino") " \
	    "/proc/$WR_PID"/fdinfo/* 2>/dev/null
}

# vm_rss PID: resident set size in kB.
vm_rss() {
	sed -n 's/^VmRSS:[[:space:]]*\([0-9]*\) kB$/\1/p' "/proc/$1/status"
}

# stderr_clean: watchrun's stderr holds only the ready line and run
# reports, no warning.
stderr_clean() {
	if grep -vE "$READY_ERE|^watchrun: [^ ]+: .*: exited [0-9]+ after" \
	    "$T/log"; then
		echo "# unexpected lines above in watchrun's stderr" >&2
		return 1
	fi
}

# all_args_sorted [DIR]: every argument of every run, one a line, sorted.
all_args_sorted() {
	local d=${1:-$T/runs} n

	for ((n = 1; n <= $(run_count "$d"); n++)); do
		cat "$d/$n/argv"
	done | tr '\0' '\n' | LC_ALL=C sort
}

# expect_sorted_args FILE [DIR]: the runs got exactly the lines of FILE as
# arguments, each once, in any order.
expect_sorted_args() {
	LC_ALL=C sort "$1" >"$T/.want"
	all_args_sorted "${2:-}" >"$T/.got"
	if ! cmp -s "$T/.want" "$T/.got"; then
		echo "# arguments differ from $1 (want/got, $(wc -l <"$T/.want")" \
		    "and $(wc -l <"$T/.got") lines):" >&2
		diff "$T/.want" "$T/.got" | head -n 20 >&2
		return 1
	fi
}

# lines_at_least N FILE
lines_at_least() {
	[ -e "$2" ] && (($(wc -l <"$2") >= $1))
}

# make_byte_names DIR LIST: makes in DIR one file per byte value 1..255
# but '/' (the byte, 'x', the byte again), then a directory whose name
# holds all those bytes backwards and in it a file whose name holds them
# all in order (254 bytes each).  LIST gets their paths, in the order they
# were made, each followed by a NUL byte; the directory ends in '/'.
make_byte_names() {
	python3 - "$1" "$2" <<'EOF'
import os, sys
top = os.fsencode(sys.argv[1])
every = bytes(b for b in range(1, 256) if b != ord("/"))
paths = []
for b in every:
    p = top + b"/" + bytes([b]) + b"x" + bytes([b])
    open(p, "xb").close()
    paths.append(p)
sub = top + b"/" + every[::-1]
os.mkdir(sub)
paths.append(sub + b"/")
p = sub + b"/" + every
open(p, "xb").close()
paths.append(p)
with open(sys.argv[2], "wb") as f:
    f.write(b"".join(p + b"\0" for p in paths))
EOF
}

# check_print_escapes OUT LIST: OUT (--print output) has one line per path
# of LIST, in order, then 'CREATE w/zz-end'; no raw control byte, no
# invalid UTF-8, no C1 control; every line unescapes back to its path.
check_print_escapes() {
	python3 - "$1" "$2" <<'EOF'
import re, sys
out = open(sys.argv[1], "rb").read()
want = open(sys.argv[2], "rb").read().split(b"\0")[:-1] + [b"w/zz-end"]
raw = sorted({c for c in out if (c < 0x20 and c != 0x0a) or c == 0x7f})
assert not raw, "raw control bytes in the output: %r" % raw
text = out.decode("utf-8")              # strict: fails on invalid UTF-8
c1 = sorted({ch for ch in text if 0x80 <= ord(ch) <= 0x9f})
assert not c1, "C1 controls in the output: %r" % c1
simple = {b"n": 10, b"t": 9, b"r": 13, b"a": 7, b"b": 8, b"f": 12,
          b"v": 11, b"\\": 92}

def unescape(s):
    r, i = bytearray(), 0
    while i < len(s):
        if s[i:i + 1] != b"\\":
            r.append(s[i])
            i += 1
        elif s[i + 1:i + 2] in simple:
            r.append(simple[s[i + 1:i + 2]])
            i += 2
        elif re.fullmatch(rb"[0-3][0-7][0-7]", s[i + 1:i + 4]):
            r.append(int(s[i + 1:i + 4], 8))
            i += 4
        else:
            raise AssertionError("bad escape at %d in %r" % (i, s))
    return bytes(r)

lines = out.split(b"\n")
assert lines[-1] == b"", "no newline at the end"
got = []
for line in lines[:-1]:
    names, sep, esc = line.partition(b" ")
    path = unescape(esc)
    # A file the scan of a new directory finds was maybe written too.
    want_names = [b"CREATE|ISDIR"] if path.endswith(b"/") else \
        [b"CREATE", b"WRITE|CREATE"]
    assert sep and names in want_names, "bad line %r" % line
    # The scan of a new directory and the kernel may both report a file
    # made in it: a repeated line is no loss.
    if path not in got:
        got.append(path)
for i, (g, w) in enumerate(zip(got, want)):
    assert g == w, "line %d: %r != %r" % (i + 1, g, w)
assert len(got) == len(want), "%d lines, want %d" % (len(got), len(want))
EOF
}

# check_json_paths OUT LIST: OUT (--json output) has one object per path of
# LIST, in order, then w/zz-end; paths round-trip through surrogateescape.
check_json_paths() {
	python3 - "$1" "$2" <<'EOF'
import json, sys
out = open(sys.argv[1], "rb").read()
want = open(sys.argv[2], "rb").read().split(b"\0")[:-1] + [b"w/zz-end"]
raw = sorted({c for c in out if (c < 0x20 and c != 0x0a) or c == 0x7f})
assert not raw, "raw control bytes in the output: %r" % raw
out.decode("utf-8")
got = []
for line in out.split(b"\n")[:-1]:
    rec = json.loads(line)
    path = rec["path"].encode("utf-8", "surrogateescape")
    want_ev = [["CREATE", "ISDIR"]] if path.endswith(b"/") else \
        [["CREATE"], ["WRITE", "CREATE"]]
    assert rec["events"] in want_ev, "bad events in %r" % line
    if path not in got:     # see check_print_escapes
        got.append(path)
for i, (g, w) in enumerate(zip(got, want)):
    assert g == w, "line %d: %r != %r" % (i + 1, g, w)
assert len(got) == len(want), "%d lines, want %d" % (len(got), len(want))
EOF
}

# make_abusive_rules: makes rules files in $T/abuse (see hardening.bats).
make_abusive_rules() {
	mkdir -p "$T/abuse"
	python3 - "$T/abuse" <<'EOF'
import os, sys
os.chdir(sys.argv[1])
MiB = 1 << 20
files = {
    "nul": b"watch w\n. CREATE true\0 tail\n'x\0y' CREATE true\n",
    "nul-only": b"\0" * 4096,
    "long-command": b". CREATE echo " + b"x" * MiB + b"\n",
    "long-regex": b"'" + b"a" * MiB + b"' CREATE true\n",
    "long-comment": b"# " + b"c" * MiB + b"\n. CREATE true\n",
    "long-word": b"x" * MiB,
    "long-continued": b". CREATE echo \\\n" * (MiB // 16) + b"end\n",
    "nested-groups": b"'" + b"(" * 5000 + b"a" + b")" * 5000 +
        b"' CREATE true\n",
    "nested-noncapturing": b"'" + b"(?:" * 5000 + b"a" + b")" * 5000 +
        b"' CREATE true\n",
    "nested-unbalanced": b"'" + b"(" * 5000 + b"' CREATE true\n",
    "nested-classes": b"'" + b"[" * 5000 + b"' CREATE true\n",
    "utf8-valid-rules": b"watch w\xff\xfe\x1b[1m\n'\xff\xc3\x1b' CREATE "
        b"echo \xff\x1b[31m\nignore \x1b]0;x\x07\xc0\xaf\n",
    "utf8-bad-event": b". CREATE|\xff\x1b[31mRED true\n",
    "utf8-bad-directive": b"\xff\xfe\x1b[2J\n",
    "rules-10000": b"".join(b"'\\.e%d$' CREATE true\n" % i
        for i in range(1, 10001)),
}
for name, data in files.items():
    with open(name, "wb") as f:
        f.write(data)
EOF
}

# no_raw_controls FILE: FILE holds no control byte but newline and tab.
no_raw_controls() {
	if LC_ALL=C grep -q '[^[:print:][:space:]]' "$1" ||
	    LC_ALL=C grep -q "$(printf '[\r\v\f]')" "$1"; then
		echo "# raw control bytes in $1" >&2
		return 1
	fi
}

# make_tree DIR DEPTH WIDTH LIST: makes DIR with a chain l1/l2/.../lDEPTH
# holding a file f.dat at each level, and wide/w1..wWIDTH each holding
# f.dat and sub/g.dat.  LIST gets every directory (ending in '/') and file
# below DIR, relative to it, one a line.
make_tree() {
	python3 - "$@" <<'EOF'
import os, sys
top, depth, width, listing = sys.argv[1], int(sys.argv[2]), \
    int(sys.argv[3]), sys.argv[4]
made = []

def mkdir(rel):
    os.mkdir(os.path.join(top, rel))
    made.append(rel + "/")

def mkfile(rel):
    with open(os.path.join(top, rel), "w") as f:
        f.write(rel + "\n")
    made.append(rel)

os.makedirs(top)
d = ""
for i in range(1, depth + 1):
    d = os.path.join(d, "l%d" % i)
    mkdir(d)
    mkfile(os.path.join(d, "f.dat"))
mkdir("wide")
for i in range(1, width + 1):
    mkdir("wide/w%d" % i)
    mkfile("wide/w%d/f.dat" % i)
    mkdir("wide/w%d/sub" % i)
    mkfile("wide/w%d/sub/g.dat" % i)
with open(listing, "w") as f:
    f.write("".join(m + "\n" for m in made))
EOF
}

# chain DEPTH: l1/l2/.../lDEPTH, the deepest directory make_tree makes.
chain() {
	local i p=l1

	for ((i = 2; i <= $1; i++)); do
		p=$p/l$i
	done
	echo "$p"
}

# parent_is PID PPID
parent_is() {
	[ "$(proc_field "$1" ppid)" = "$2" ]
}

# comm_in_group PGID COMM: how many processes named COMM are in PGID.
comm_in_group() {
	local p n=0

	for p in $(group_pids "$1"); do
		[ "$(cat "/proc/$p/comm" 2>/dev/null)" != "$2" ] || n=$((n + 1))
	done
	echo "$n"
}

# sleeps_in_group PGID N: N processes named sleep are in PGID.
sleeps_in_group() {
	[ "$(comm_in_group "$1" sleep)" -eq "$2" ]
}

# watch_count_is N: watchrun holds N watches.
watch_count_is() {
	[ "$(wr_watch_count)" -eq "$1" ]
}

# clock_past EPOCHREALTIME MS: MS milliseconds have passed since then.
clock_past() {
	(($(elapsed_ms "$1" "$EPOCHREALTIME") >= $2))
}

# limit_numbers LINE: sets watched, unwatched and limit from a watch limit
# message ("N directories watched, M left unwatched
# (fs.inotify.max_user_watches=L)").
limit_numbers() {
	local re='([0-9]+) director(y|ies) watched, ([0-9]+) left unwatched \(fs\.inotify\.max_user_watches=([0-9]+)\)'

	if ! [[ $1 =~ $re ]]; then
		echo "# no numbers in: $1" >&2
		return 1
	fi
	watched=${BASH_REMATCH[1]}
	unwatched=${BASH_REMATCH[3]}
	limit=${BASH_REMATCH[4]}
}

