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
# not exist yet are fine: the nearest one that does is watched.
#
# Exit status: 0 the file is there, 1 timed out, 2 usage error, 3 watchrun
# failed (its messages are on standard error).
#
# It is the one-line wait of watchrun(1), "watchrun --once --existing
# --wait-timeout", with the file turned into a root and a regex.  Set
# WATCHRUN to the watchrun to use.  In a CI job, for instance:
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
CI_WAIT_FILE=$file
export CI_WAIT_FILE
end=$(($(date +%s) + seconds))

# Every character that is not a letter or a digit is escaped, which
# PCRE2 always takes literally.
quote() {
	printf '%s\n' "$1" | LC_ALL=C sed 's/[^A-Za-z0-9]/\\&/g'
}

while :; do
	# The nearest existing directory above the file is the root.
	dir=$(dirname -- "$file")
	while [ ! -d "$dir" ]; do
		dir=$(dirname -- "$dir")
	done
	# The path as watchrun reports it: the root, a slash, the rest ("."
	# adds nothing, "/" just itself).
	case $dir in
	.) prefix='' rest=${file#./} ;;
	/) prefix=/ rest=${file#/} ;;
	*) prefix=$dir/ rest=${file#"$dir"/} ;;
	esac
	# The file itself (a directory with a trailing slash), and each
	# directory between the root and the file, none of which exists
	# yet: one renamed into place within the tree reports nothing for
	# the file.  The command says whether the file is there.
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
	set --
	if [ "$seconds" -gt 0 ]; then
		left=$((end - $(date +%s)))
		[ "$left" -gt 0 ] || left=1
		set -- --wait-timeout "${left}s"
	fi
	# shellcheck disable=SC2016	# for the command's shell
	"$WATCHRUN" -q --once --existing "$@" -d 0 -w "$dir" \
	    -r "^($regex)\$" -e "$events|MOVED_TO" \
	    -s 'test -e "$CI_WAIT_FILE" || exit 100'
	status=$?
	case $status in
	0)
		exit 0
		;;
	100)
		# A directory above came without the file: watch from there.
		;;
	124)
		echo "ci-wait.sh: $file: not there after ${seconds}s" >&2
		exit 1
		;;
	*)
		exit 3
		;;
	esac
done
