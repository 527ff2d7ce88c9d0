#!/usr/bin/env bats
# install.bats: `make install` puts every file in place under DESTDIR and
# PREFIX, and `make uninstall` takes every one of them away again.

# bats file_tags=build

load helpers

SRC=$(cd "$BATS_TEST_DIRNAME/../.." && pwd -P)

@test "make install puts the program, the manuals and the completions under DESTDIR; make uninstall takes them all away" {
	command -v make >/dev/null || skip "make is not installed"
	# Not the jobserver or the variables of a make that runs this file.
	unset MAKEFLAGS MFLAGS MAKELEVEL
	D=$T/dest
	run make -C "$SRC" install DESTDIR="$D" PREFIX=/usr/local
	echo "$output" | sed 's/^/# /'
	[ "$status" -eq 0 ]
	for f in bin/watchrun share/man/man1/watchrun.1 \
	    share/man/man5/watchrun.rules.5 \
	    share/bash-completion/completions/watchrun \
	    share/zsh/site-functions/_watchrun \
	    share/fish/vendor_completions.d/watchrun.fish; do
		[ -f "$D/usr/local/$f" ] || {
			echo "# make install did not install $f" >&2
			return 1
		}
	done
	cmp "$SRC/completions/watchrun.bash" \
	    "$D/usr/local/share/bash-completion/completions/watchrun"

	run make -C "$SRC" uninstall DESTDIR="$D" PREFIX=/usr/local
	[ "$status" -eq 0 ]
	run find "$D" ! -type d
	expect_eq "files left after make uninstall" "" "$output"
}
