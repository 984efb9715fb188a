#!/usr/bin/env bats
# Usage of both programs: the documented lines and exit statuses.

load helpers

@test "helper: no arguments is a usage error, exit 2" {
	run -2 as alice "$HELPER"
	assert_output "roost-helper: usage: roost-helper map|veth|unveth|route|unroute|idmount|version ..."
}

@test "helper: an unknown operation is a usage error, exit 2" {
	run -2 as alice "$HELPER" frobnicate
	assert_output "roost-helper: usage: roost-helper map|veth|unveth|route|unroute|idmount|version ..."
}

@test "helper version: prints the version and protocol" {
	run -0 as alice "$HELPER" version
	assert_output --regexp '^roost-helper [0-9]+\.[0-9]+\.[0-9]+ protocol 1$'
	run -2 as alice "$HELPER" version extra
	assert_output "roost-helper: version: usage: roost-helper version"
}

@test "helper check: gone, a usage error: roost policy explain reads the policy itself" {
	run -2 as alice "$HELPER" check
	assert_output "roost-helper: usage: roost-helper map|veth|unveth|route|unroute|idmount|version ..."
	run -2 as alice "$HELPER" check a
	assert_output "roost-helper: usage: roost-helper map|veth|unveth|route|unroute|idmount|version ..."
}

@test "helper: installed setuid root, with the policy path compiled in" {
	assert_equal "$(stat -c '%U %a' "$HELPER")" "root 4755"
	run -0 grep -c -a -F /etc/roost/policy.conf "$HELPER"
}

# Every literal part (6 characters or more) of every message the helper can
# print (die() and usage_set() in helper/*.c, continued string literals
# joined) is in roost-helper(8), so DIAGNOSTICS cannot fall behind.
@test "helper: every diagnostic it can print is in roost-helper(8)" {
	local man msg chunk missing=
	man=$(mandoc -Tascii "$ROOST_TOP/man/roost-helper.8" |
	    sed 's/.\x08//g' | tr -s ' \n\t' '   ')
	while IFS= read -r msg; do
		while IFS= read -r chunk; do
			chunk=$(printf '%s' "$chunk" |
			    sed -E 's/^[ :()]+//; s/[ :()]+$//')
			[ ${#chunk} -ge 6 ] || continue
			[[ $man == *"$chunk"* ]] || missing+="$chunk [$msg]"$'\n'
		done < <(printf '%s\n' "$msg" | sed -E 's/%[0-9]*[a-z]+/\n/g')
	done < <(perl -0pe 's/"\s*\n\s*"//g' "$ROOST_TOP"/helper/*.c |
	    grep -oE '(die\([^,]+, |usage_set\([^,]+, )"[^"]*"' |
	    sed -E 's/.*"(.*)"$/\1/' | sort -u)
	assert_equal "$missing" ""
}
