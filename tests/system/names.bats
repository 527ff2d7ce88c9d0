#!/usr/bin/env bats
# names.bats: hostile file names reach "$@" byte for byte, and nothing in
# them is ever run.

load helpers

hostile_names() {
	names=(
		'with space'
		"it's"
		'dq"x'
		'$(touch pwned)'
		'`touch pwned`'
		';rm -rf x; touch pwned'
		'|touch pwned'
		'&& touch pwned'
		$'new\nline'
		$'trailing newline\n'
		'-leading-dash'
		'--'
		$'\xff\xfe bytes'
		$'tab\there'
		'star*'
		'back\slash'
		'${HOME}'
		'%s%n'
		$'\033[31mred'
	)
}

# bats test_tags=kernel
@test "hostile names arrive byte-exact in \"\$@\" and nothing is injected" {
	hostile_names
	cd w
	start_ready -d 1s -s '"$T/probe" "$@"'
	for n in "${names[@]}"; do
		: >"$n"
	done
	wait_until argv_total_at_least "${#names[@]}"
	expect_eq runs 1 "$(run_count)"
	expect_argv 1 "${names[@]}"
	expect_var 1 WATCHRUN_PATH "${names[-1]}"
	expect_var 1 WATCHRUN_COUNT "${#names[@]}"
	[ -z "$(find "$T" -name pwned)" ]
}

# bats test_tags=kernel
@test "hostile names in a rules-file command and in directories" {
	hostile_names
	cat >Watchfile <<'EOF'
watch w
debounce 1s
. CREATE "$T/probe" "$@"
EOF
	start_ready
	for n in "${names[@]}"; do
		mkdir "w/$n"
		: >"w/$n/f"
	done
	wait_until argv_total_at_least $((2 * ${#names[@]}))
	expect_eq runs 1 "$(run_count)"
	want=()
	for n in "${names[@]}"; do
		want+=("w/$n/" "w/$n/f")
	done
	expect_argv 1 "${want[@]}"
	[ -z "$(find "$T" -name pwned)" ]
}

@test "hostile names reach a command given with -- through the environment" {
	start_ready -w w -d 0 -- "$T/probe"
	n=$'$(touch pwned)\n`touch pwned`\xff'
	: >"w/$n"
	wait_runs 1
	expect_argv 1
	expect_var 1 WATCHRUN_PATH "w/$n"
	[ -z "$(find "$T" -name pwned)" ]
}

@test "regexes match bytes, not characters" {
	start_ready -w w -r '/\xff[a-z]+$' -s '"$T/probe" "$@"'
	: >"w/$(printf '\303\251plain')"
	: >"w/$(printf '\377raw')"
	wait_runs 1
	expect_argv 1 "w/$(printf '\377raw')"
}
