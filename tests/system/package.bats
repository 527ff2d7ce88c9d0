#!/usr/bin/env bats
# package.bats: the Debian package that `make deb` builds from debian/:
# what it holds, that lintian finds nothing wrong with it, and that it
# installs, runs, has its manual pages found, and is removed again.
#
# The package is built once, by setup_file, into this file's temporary
# directory.  It is installed into a scratch root (dpkg --root), never
# into the machine: whatever else runs here keeps its dpkg database.

# bats file_tags=build

load helpers

SRC=$(cd "$BATS_TEST_DIRNAME/../.." && pwd -P)

# Unsets what an outer make would hand to the makes the tests start.
clean_make_env() {
	unset MAKEFLAGS MFLAGS MAKELEVEL WERROR
}

# Why the package cannot be built here, or nothing when it can.
no_deb_reason() {
	if ! command -v dpkg-buildpackage >/dev/null; then
		echo "dpkg-buildpackage is not installed (package dpkg-dev)"
	elif ! command -v dh >/dev/null; then
		echo "debhelper is not installed"
	elif ! (cd "$SRC" && dpkg-checkbuilddeps) >/dev/null 2>&1; then
		echo "the Build-Depends of debian/control are not installed"
	fi
}

setup_file() {
	local reason

	clean_make_env
	export DEB_BUILD="$BATS_FILE_TMPDIR/build"
	reason=$(no_deb_reason)
	if [ -n "$reason" ]; then
		echo "$reason" >"$BATS_FILE_TMPDIR/no-deb"
		return 0
	fi
	make -C "$SRC" deb BUILD="$DEB_BUILD" >"$BATS_FILE_TMPDIR/deb.log" 2>&1 ||
	    echo "failed" >"$BATS_FILE_TMPDIR/deb-failed"
}

# Skips without the package's build tools; fails, with the build's log,
# when `make deb` failed.  Sets DEB to the package's path.
need_deb() {
	local version arch

	[ ! -e "$BATS_FILE_TMPDIR/no-deb" ] ||
	    skip "$(cat "$BATS_FILE_TMPDIR/no-deb")"
	if [ -e "$BATS_FILE_TMPDIR/deb-failed" ]; then
		echo "# make deb failed:"
		tail -n 40 "$BATS_FILE_TMPDIR/deb.log" | sed 's/^/#   /'
		return 1
	fi
	version=$(cd "$SRC" && dpkg-parsechangelog -S Version)
	arch=$(dpkg --print-architecture)
	DEB="$DEB_BUILD/deb/watchrun_${version}_$arch.deb"
	[ -f "$DEB" ]
}

@test "debian/changelog has the version watchrun --version prints" {
	command -v dpkg-parsechangelog >/dev/null ||
	    skip "dpkg-parsechangelog is not installed (package dpkg-dev)"
	version=$(cd "$SRC" && dpkg-parsechangelog -S Version)
	expect_eq "watchrun --version" "watchrun $version" \
	    "$("$WATCHRUN" --version)"
}

@test "make deb: the binary, both manual pages, the completions, the examples, and the libraries it links" {
	need_deb
	dpkg-deb -c "$DEB" | awk '{ print $6 }' | sed 's|^\./|/|' >contents
	for f in /usr/bin/watchrun /usr/share/man/man1/watchrun.1.gz \
	    /usr/share/man/man5/watchrun.rules.5.gz \
	    /usr/share/bash-completion/completions/watchrun \
	    /usr/share/zsh/vendor-completions/_watchrun \
	    /usr/share/fish/vendor_completions.d/watchrun.fish \
	    /usr/share/doc/watchrun/copyright; do
		grep -qxF "$f" contents || {
			echo "# $f is not in the package" >&2
			return 1
		}
	done
	for f in "$SRC"/examples/*; do
		grep -qxF "/usr/share/doc/watchrun/examples/${f##*/}" contents ||
		    { echo "# examples/${f##*/} is not in the package" >&2; return 1; }
	done
	# dh_shlibdeps found them in the binary: nobody listed them.
	depends=$(dpkg-deb -f "$DEB" Depends)
	[[ $depends == *libpcre2-8-0* ]]
	[[ $depends == *libbsd0* ]]
	# dpkg-buildpackage wrote its results next to the copy it built.
	[ -f "$DEB_BUILD/deb/watchrun_$(cd "$SRC" &&
	    dpkg-parsechangelog -S Version)_$(dpkg --print-architecture).changes" ]
}

@test "make deb: lintian reports no error and no warning" {
	need_deb
	command -v lintian >/dev/null || skip "lintian is not installed"
	run lintian --fail-on error,warning "${DEB%.deb}.changes"
	echo "$output" | sed 's/^/# /'
	[ "$status" -eq 0 ]
}

@test "the package installs into a scratch root, runs, its manual pages are found, and it is removed" {
	need_deb
	[ "$(id -u)" -eq 0 ] ||
	    skip "dpkg installs files as root, and this is not root"
	R=$T/root
	mkdir -p "$R/var/lib/dpkg/info" "$R/var/lib/dpkg/updates"
	# The libraries it depends on, as the machine has them installed.
	deps=$(dpkg-deb -f "$DEB" Depends | sed 's/([^)]*)//g; s/[,|]/ /g')
	# shellcheck disable=SC2086	# a list of names
	dpkg-query -s $deps >"$R/var/lib/dpkg/status"
	# shellcheck disable=SC2086
	for p in $(dpkg-query -W -f '${binary:Package}\n' $deps); do
		: >"$R/var/lib/dpkg/info/$p.list"
	done

	run dpkg --root="$R" -i "$DEB"
	echo "$output" | sed 's/^/# /'
	[ "$status" -eq 0 ]
	run "$R/usr/bin/watchrun" --version
	expect_eq "installed watchrun --version" "$("$WATCHRUN" --version)" \
	    "$output"
	# The installed completion, asking the installed binary.
	run bash -c 'source "$1"; compopt() { :; }
	    COMP_WORDS=("$2" -e CRE); COMP_CWORD=2; _watchrun
	    printf "%s\n" "${COMPREPLY[@]}"' sh \
	    "$R/usr/share/bash-completion/completions/watchrun" \
	    "$R/usr/bin/watchrun"
	expect_eq "completion of -e CRE" CREATE "$output"
	if command -v man >/dev/null; then
		run env MANPATH="$R/usr/share/man" man -w watchrun
		expect_eq "man -w watchrun" \
		    "$R/usr/share/man/man1/watchrun.1.gz" "$output"
		run env MANPATH="$R/usr/share/man" man -w 5 watchrun.rules
		expect_eq "man -w 5 watchrun.rules" \
		    "$R/usr/share/man/man5/watchrun.rules.5.gz" "$output"
	else
		echo "# man is not installed: man -w not tried" >&3
	fi

	run dpkg --root="$R" -r watchrun
	echo "$output" | sed 's/^/# /'
	[ "$status" -eq 0 ]
	run dpkg-query --admindir="$R/var/lib/dpkg" -W watchrun
	[ "$status" -ne 0 ]
	run find "$R" -path "$R/var/lib/dpkg" -prune -o ! -type d -print
	expect_eq "files left after dpkg -r" "" "$output"
}
