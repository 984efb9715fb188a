#!/usr/bin/env bats
# The policy file as the setuid helper sees it: every fixture installed
# and read by `roost-helper map` (any operation loads it first), and the
# file-safety rules that make the helper refuse everything.  The front-end
# reads the same file (roost policy explain, 700-policy-tools.bats).

load helpers

@test "policy: every ok-*.ini fixture is accepted by the helper and by roost policy explain" {
	cd "$FIX/policy"
	for f in ok-*.ini; do
		policy "$f"
		pid=$(userns_target alice)
		run -0 as alice "$HELPER" map "$pid" u:0:1001:1
		assert_equal "$(maps_of "$pid")" "uid:0 1001 1; gid: setgroups:allow"
		run -0 as alice "$ROOST" policy explain
		assert_line --index 0 "user alice uid 1001 gid 1001"
	done
}

# Each .err names the fixture file; installed, the file is the policy.
@test "policy: every bad-*.ini fixture is rejected with its .err message" {
	cd "$FIX/policy"
	pid=$(userns_target alice)
	n=0
	for f in bad-*.ini; do
		policy "$f"
		err=$(head -n 1 "${f%.ini}.err")
		run -1 as alice "$HELPER" map "$pid" u:0:1001:1
		assert_output "roost-helper: map: policy: /etc/roost/policy.conf${err#"$f"}"
		n=$((n + 1))
	done
	[ "$n" -ge 20 ]
	assert_unmapped "$pid"
}

@test "policy: the helper grants alice exactly what roost policy explain shows" {
	run -0 as alice "$ROOST" policy explain
	assert_output "user alice uid 1001 gid 1001
uids 1001 1 self
uids 100000 65536 user:alice
gids 1001 1 self
gids 100000 65536 user:alice
setgroups default"
	pid=$(userns_target alice)
	run -1 as alice "$HELPER" map "$pid" u:0:100000:65537
	assert_output "roost-helper: map: u:0:100000:65537: uids 100000-165536 not granted to you"
	assert_unmapped "$pid"
	run -0 as alice "$HELPER" map "$pid" u:0:100000:65536 u:65536:1001:1 \
	    g:0:100000:65536 g:65536:1001:1
	assert_equal "$(maps_of "$pid")" "uid:0 100000 65536;65536 1001 1; gid:0 100000 65536;65536 1001 1; setgroups:allow"
}

@test "policy: a group section's grant is the helper's too, and explain names the section" {
	run -0 as carol "$ROOST" policy explain
	assert_line "uids 300000 65536 group:builders"
	assert_line "gids 300000 65536 group:builders"
	assert_line "setgroups default"
	pid=$(userns_target carol)
	run -0 as carol "$HELPER" map "$pid" u:0:300000:65536 g:0:300000:65536
	assert_equal "$(maps_of "$pid")" "uid:0 300000 65536; gid:0 300000 65536; setgroups:allow"
}

@test "policy: the helper takes no policy FILE (roost policy check FILE reads one, as the caller)" {
	install -m 0600 -o root "$FIX/etc/policy.conf" "$ROOST_R/secret.ini"
	run -2 as alice "$HELPER" check "$ROOST_R/secret.ini"
	assert_output "roost-helper: usage: roost-helper map|veth|unveth|route|unroute|idmount|version ..."
	run -1 as alice "$ROOST" policy check "$ROOST_R/secret.ini"
	assert_output "roost: policy: $ROOST_R/secret.ini: Permission denied"
}

@test "policy: a missing policy refuses every request" {
	pid=$(userns_target alice)
	rm /etc/roost/policy.conf
	run -1 as alice "$HELPER" map "$pid" u:0:1001:1
	assert_output "roost-helper: map: policy: /etc/roost/policy.conf: No such file or directory"
	assert_unmapped "$pid"
}

@test "policy: a group-writable policy refuses every request" {
	pid=$(userns_target alice)
	chmod 0664 /etc/roost/policy.conf
	run -1 as alice "$HELPER" map "$pid" u:0:100000:65536
	assert_output "roost-helper: map: policy: /etc/roost/policy.conf: group or world writable"
	assert_unmapped "$pid"
}

@test "policy: a policy not owned by root refuses every request" {
	pid=$(userns_target alice)
	chown 1001 /etc/roost/policy.conf
	run -1 as alice "$HELPER" map "$pid" u:0:100000:65536
	assert_output "roost-helper: map: policy: /etc/roost/policy.conf: not owned by root"
	assert_unmapped "$pid"
}

@test "policy: a symlinked policy refuses every request" {
	pid=$(userns_target alice)
	mv /etc/roost/policy.conf /etc/roost/real.conf
	ln -s real.conf /etc/roost/policy.conf
	run -1 as alice "$HELPER" map "$pid" u:0:100000:65536
	assert_output "roost-helper: map: policy: /etc/roost/policy.conf: is a symbolic link"
	assert_unmapped "$pid"
	rm /etc/roost/policy.conf; mv /etc/roost/real.conf /etc/roost/policy.conf
}

@test "policy: a policy in a group-writable directory refuses every request" {
	pid=$(userns_target alice)
	chmod 0775 /etc/roost
	run -1 as alice "$HELPER" map "$pid" u:0:100000:65536
	assert_output "roost-helper: map: policy: /etc/roost: group or world writable"
	assert_unmapped "$pid"
	chmod 0755 /etc/roost
}

@test "policy: a policy that is a directory refuses every request" {
	pid=$(userns_target alice)
	rm /etc/roost/policy.conf; mkdir /etc/roost/policy.conf
	run -1 as alice "$HELPER" map "$pid" u:0:100000:65536
	assert_output "roost-helper: map: policy: /etc/roost/policy.conf: not a regular file"
	assert_unmapped "$pid"
	rmdir /etc/roost/policy.conf
}

@test "policy: an invalid policy refuses every request, naming file and line" {
	pid=$(userns_target alice)
	policy - <<-'EOF'
	[user:alice]
	uids = 100000 65536
	colour = blue
	EOF
	run -1 as alice "$HELPER" map "$pid" u:0:100000:65536
	assert_output "roost-helper: map: policy: /etc/roost/policy.conf:3: unknown key \"colour\" in [user:alice]"
	assert_unmapped "$pid"
}

@test "policy: /etc/subuid and /etc/subgid grant nothing; the policy is the one source" {
	# The fixture subid files give alice 100000:65536 (tests/fixtures/etc).
	grep -q '^alice:100000:65536$' /etc/subuid
	policy - <<-'EOF'
	; nothing granted
	EOF
	pid=$(userns_target alice)
	run -1 as alice "$HELPER" map "$pid" u:0:100000:65536
	assert_output "roost-helper: map: u:0:100000:65536: uids 100000-165535 not granted to you"
}

@test "policy: the shipped example policy is valid and grants nothing" {
	policy "$ROOST_TOP/etc/policy.conf"
	run -0 as alice "$ROOST" policy explain
	assert_output "user alice uid 1001 gid 1001
uids 1001 1 self
gids 1001 1 self
setgroups default"
	pid=$(userns_target alice)
	run -1 as alice "$HELPER" map "$pid" u:0:100000:1
	assert_output "roost-helper: map: u:0:100000:1: uids 100000-100000 not granted to you"
	run -0 as alice "$HELPER" map "$pid" u:0:1001:1 g:0:1001:1
	assert_equal "$(maps_of "$pid")" "uid:0 1001 1; gid:0 1001 1; setgroups:deny"
}
