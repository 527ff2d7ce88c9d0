#!/bin/sh
# ci-wait.sh: wait until a file appears, such as a build artefact or a
# ready marker, for at most a given number of seconds.
#
# usage: ci-wait.sh [-e events] [-t seconds] file
#
# -t gives the limit in whole seconds (default 300; 0 means none).
# The file counts as there once it is written and closed (event WRITE;
# -e gives others instead, e.g. -e CREATE for a marker made with mkdir or
# ln), or renamed into place (MOVED_TO, always), it or a directory above
# it.  A file that is there already counts at once.  Directories that do
# not exist yet are fine: the nearest one that does is watched,
# recursively, and a file that comes with its directory counts too:
# watchrun reports a file it finds in a new directory as written (mkdir
# -p and a write, cp -r, tar x), or as renamed into place (the directory
# moved in).
#
# Exit status: 0 the file is there, 1 timed out, 2 usage error, 3 watchrun
# failed (its messages are on standard error).
#
# Set WATCHRUN to the watchrun to use; timeout(1) bounds the wait.  In a
# CI job, for instance:
#
#	./start-test-server &
#	ci-wait.sh -t 60 run/server.ready || exit 1
#
# A file name with a newline, or a path with "//" in it, is not supported.

WATCHRUN=${WATCHRUN:-watchrun}
events=WRITE
seconds=300

usage() {
	echo "usage: ci-wait.sh [-e events] [-t seconds] file" >&2
	exit 2
}

while getopts e:t: opt; do
	case $opt in
	e) events=$OPTARG ;;
	t) seconds=$OPTARG ;;
	*) usage ;;
	esac
done
shift $((OPTIND - 1))
if [ $# -ne 1 ] || [ -z "$1" ]; then
	usage
fi
case $seconds in
'' | *[!0-9]*) usage ;;
esac
file=$1

# The nearest existing directory above the file is the root to watch.
dir=$(dirname -- "$file")
while [ ! -d "$dir" ]; do
	dir=$(dirname -- "$dir")
done

# The path as watchrun will report it: the root, a slash, the rest ("."
# adds nothing, "/" just itself).  Every character that is not a letter
# or a digit is escaped, which PCRE2 always takes literally.
case $dir in
.) prefix='' rest=${file#./} ;;
/) prefix=/ rest=${file#/} ;;
*) prefix=$dir/ rest=${file#"$dir"/} ;;
esac
quote() {
	printf '%s\n' "$1" | LC_ALL=C sed 's/[^A-Za-z0-9]/\\&/g'
}

# The file itself (a directory is reported with a trailing slash), and
# each directory between the root and the file, for the file can also
# appear when a directory above it is renamed into place, within the
# tree, which reports nothing for the file.  Whatever the event, the
# command checks that the file is there, and if so stops watchrun.
regex="$(quote "$prefix$rest")/?"
above=$prefix
while :; do
	case $rest in
	*/*) ;;
	*) break ;;
	esac
	above=$above${rest%%/*}/
	rest=${rest#*/}
	regex="$regex|$(quote "$above")"
done
regex="^($regex)\$"
CI_WAIT_FILE=$file
export CI_WAIT_FILE

# watchrun's standard error goes through a FIFO: this script reads it up
# to the ready line, and cat copies the rest to a log, shown if watchrun
# fails.
tmp=$(mktemp -d) || exit 3
pid=
trap 'if [ -n "$pid" ]; then kill "$pid" 2>/dev/null; wait "$pid"; fi
	rm -rf "$tmp"' EXIT
trap 'exit 3' HUP INT TERM
mkfifo "$tmp/err" || exit 3

# shellcheck disable=SC2016	# for the command's shell
timeout "$seconds" "$WATCHRUN" -d 0 -w "$dir" -r "$regex" \
    -e "$events|MOVED_TO" \
    -s 'if [ -e "$CI_WAIT_FILE" ]; then kill "$PPID"; fi' 2>"$tmp/err" &
pid=$!
exec 3<"$tmp/err"

ready=
while IFS= read -r line <&3; do
	printf '%s\n' "$line" >>"$tmp/log"
	case $line in
	*': ready, watching '*)
		ready=1
		break
		;;
	esac
done

# Only once watchrun is ready can an existing file be told from one that
# appears: check between the two, or a file made meanwhile is missed.
if [ -n "$ready" ] && [ -e "$file" ]; then
	exit 0
fi

cat <&3 >>"$tmp/log" &
exec 3<&-
wait "$pid"
status=$?
pid=
# cat ends when the last writer, watchrun or a command, is gone.
wait
# Stopped by the command (SIGTERM, status 0), or by someone else.
if [ "$status" -eq 0 ] && [ -e "$file" ]; then
	exit 0
fi
case $status in
124)
	echo "ci-wait.sh: $file: not there after ${seconds}s" >&2
	exit 1
	;;
*)
	cat "$tmp/log" >&2
	exit 3
	;;
esac
