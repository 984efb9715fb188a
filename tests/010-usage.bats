#!/usr/bin/env bats
# Usage of both programs: the documented lines and exit statuses.

load helpers

@test "helper: no arguments is a usage error, exit 2" {
	run -2 as alice "$HELPER"
	assert_output "roost-helper: usage: roost-helper map|veth|unveth|route|unroute|idmount|check|version ..."
}

@test "helper: an unknown operation is a usage error, exit 2" {
	run -2 as alice "$HELPER" frobnicate
	assert_output "roost-helper: usage: roost-helper map|veth|unveth|route|unroute|idmount|check|version ..."
}

@test "helper version: prints the version and protocol" {
	run -0 as alice "$HELPER" version
	assert_output --regexp '^roost-helper [0-9]+\.[0-9]+\.[0-9]+ protocol 1$'
	run -2 as alice "$HELPER" version extra
	assert_output "roost-helper: version: usage: roost-helper version"
}

@test "helper check: more than one argument is a usage error" {
	run -2 as alice "$HELPER" check a b
	assert_output "roost-helper: check: usage: roost-helper check [FILE]"
}

@test "helper: installed setuid root, with the policy path compiled in" {
	assert_equal "$(stat -c '%U %a' "$HELPER")" "root 4755"
	run -0 grep -c -a -F /etc/roost/policy.conf "$HELPER"
}
