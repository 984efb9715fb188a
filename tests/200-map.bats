#!/usr/bin/env bats
# roost-helper map: writes the maps the policy allows, refuses the rest and
# then changes nothing.

load helpers

full_alice="u:0:100000:65536 g:0:100000:65536"

@test "helper map: writes a user's full range, uid and gid, in one exec" {
	pid=$(userns_target alice)
	run -0 as alice "$HELPER" map "$pid" $full_alice
	assert_output ""
	assert_equal "$(maps_of "$pid")" \
	    "uid:0 100000 65536; gid:0 100000 65536; setgroups:allow"
}

@test "helper map: takes the target as an inherited /proc/PID fd" {
	pid=$(userns_target alice)
	run -0 as alice sh -c "exec 9</proc/$pid; exec $HELPER map fd:9 $full_alice"
	assert_equal "$(maps_of "$pid")" \
	    "uid:0 100000 65536; gid:0 100000 65536; setgroups:allow"
}

@test "helper map: maps the caller's own uid and gid next to a range" {
	pid=$(userns_target alice)
	run -0 as alice "$HELPER" map "$pid" $full_alice u:65536:1001:1 \
	    g:65536:1001:1
	assert_equal "$(maps_of "$pid")" \
	    "uid:0 100000 65536;65536 1001 1; gid:0 100000 65536;65536 1001 1; setgroups:allow"
}

@test "helper map: a range may span adjacent grants only if all are granted" {
	pid=$(userns_target alice)
	run -1 as alice "$HELPER" map "$pid" u:0:100000:65537
	assert_output "roost-helper: map: u:0:100000:65537: uids 100000-165536 not granted to you"
	assert_unmapped "$pid"
}

@test "helper map: grants come from the caller's group: sections" {
	pid=$(userns_target carol)
	run -0 as carol "$HELPER" map "$pid" u:0:300000:65536 g:0:300000:65536
	assert_equal "$(maps_of "$pid")" \
	    "uid:0 300000 65536; gid:0 300000 65536; setgroups:allow"
}

@test "helper map: refuses a range granted to another user's group" {
	pid=$(userns_target alice)
	run -1 as alice "$HELPER" map "$pid" u:0:300000:65536
	assert_output "roost-helper: map: u:0:300000:65536: uids 300000-365535 not granted to you"
	assert_unmapped "$pid"
}

@test "helper map: refuses a gid range outside the entitlement, uid range fine" {
	pid=$(userns_target alice)
	run -1 as alice "$HELPER" map "$pid" u:0:100000:65536 g:0:200000:10
	assert_output "roost-helper: map: g:0:200000:10: gids 200000-200009 not granted to you"
	assert_unmapped "$pid"
}

@test "helper map: setgroups = deny in the policy writes deny before gid_map" {
	pid=$(userns_target bob)
	run -0 as bob "$HELPER" map "$pid" u:0:200000:65536 g:0:200000:65536
	assert_equal "$(maps_of "$pid")" \
	    "uid:0 200000 65536; gid:0 200000 65536; setgroups:deny"
}

@test "helper map: a user with no grants maps only self, with setgroups denied" {
	pid=$(userns_target dave)
	run -0 as dave "$HELPER" map "$pid" u:0:1004:1 g:0:1004:1
	assert_equal "$(maps_of "$pid")" "uid:0 1004 1; gid:0 1004 1; setgroups:deny"
}

@test "helper map: a user with no grants cannot map one subordinate id" {
	pid=$(userns_target dave)
	run -1 as dave "$HELPER" map "$pid" u:0:100000:1
	assert_output "roost-helper: map: u:0:100000:1: uids 100000-100000 not granted to you"
	assert_unmapped "$pid"
}

@test "helper map: never maps host uid 0 for a non-root caller" {
	pid=$(userns_target alice)
	run -1 as alice "$HELPER" map "$pid" u:0:0:1
	assert_output "roost-helper: map: u:0:0:1: host uid 0 is never mapped"
	assert_unmapped "$pid"
	run -1 as alice "$HELPER" map "$pid" g:0:0:1
	assert_output "roost-helper: map: g:0:0:1: host gid 0 is never mapped"
	assert_unmapped "$pid"
}

@test "helper map: refuses another user's process" {
	pid=$(userns_target bob)
	run -1 as alice "$HELPER" map "$pid" $full_alice
	assert_output "roost-helper: map: $pid: not a process in a user namespace you own"
	assert_unmapped "$pid"
}

@test "helper map: refuses the caller's own process in the host user namespace" {
	pid=$(host_target alice)
	run -1 as alice "$HELPER" map "$pid" $full_alice
	assert_output "roost-helper: map: $pid: not a process in a user namespace you own"
}

@test "helper map: refuses a dead pid with the same message" {
	pid=$(userns_target alice)
	kill -KILL "$pid"; wait "$pid" 2>/dev/null || true
	while [ -e "/proc/$pid" ]; do sleep 0.01; done
	run -1 as alice "$HELPER" map "$pid" $full_alice
	assert_output "roost-helper: map: $pid: not a process in a user namespace you own"
}

@test "helper map: refuses the caller's process in a user namespace another user owns" {
	pid=$(foreign_userns_target)
	assert_equal "$(stat -c %u /proc/$pid)" 1001
	before=$(maps_of "$pid")
	# Its maps are written: reaching that check would give another message.
	run -1 as alice "$HELPER" map "$pid" $full_alice
	assert_output "roost-helper: map: $pid: not a process in a user namespace you own"
	assert_equal "$(maps_of "$pid")" "$before"
}

@test "helper map: refuses a nested user namespace the caller owns" {
	# Its outside ids would be read in its parent namespace, not the
	# host's, so the policy's host ranges would not mean what they say.
	pid=$(userns_target alice --map-root-user unshare --user)
	assert_equal "$(maps_of "$pid")" "uid: gid: setgroups:deny"
	run -1 as alice "$HELPER" map "$pid" $full_alice
	assert_output "roost-helper: map: $pid: not a process in a user namespace you own"
	assert_equal "$(maps_of "$pid")" "uid: gid: setgroups:deny"
}

@test "helper map: refuses a user namespace whose maps are already written" {
	pid=$(userns_target alice --map-root-user)
	run -1 as alice "$HELPER" map "$pid" $full_alice
	assert_output "roost-helper: map: $pid: id maps already written"
	assert_equal "$(maps_of "$pid")" "uid:0 1001 1; gid:0 1001 1; setgroups:deny"
}

@test "helper map: an fd that is not a /proc/PID directory is refused alike" {
	run -1 as alice sh -c "exec 9</etc/passwd; exec $HELPER map fd:9 $full_alice"
	assert_output "roost-helper: map: fd:9: not a process in a user namespace you own"
	run -1 as alice "$HELPER" map fd:9 $full_alice
	assert_output "roost-helper: map: fd:9: not a process in a user namespace you own"
	# A closed fd:3 must not be confused with an fd the helper opens.
	run -1 as alice "$HELPER" map fd:3 $full_alice 3>&-
	assert_output "roost-helper: map: fd:3: not a process in a user namespace you own"
}

@test "helper map: refuses overlapping extents" {
	pid=$(userns_target alice)
	run -1 as alice "$HELPER" map "$pid" u:0:100000:10 u:5:100100:10
	assert_output "roost-helper: map: u:5:100100:10: overlaps u:0:100000:10"
	run -1 as alice "$HELPER" map "$pid" u:0:100000:10 u:100:100005:10
	assert_output "roost-helper: map: u:100:100005:10: overlaps u:0:100000:10"
	assert_unmapped "$pid"
}

@test "helper map: refuses 341 extents of one type" {
	pid=$(userns_target alice)
	ext=$(for i in $(seq 0 340); do printf 'u:%d:%d:1 ' "$i" "$((100000 + i))"; done)
	run -1 as alice "$HELPER" map "$pid" $ext
	assert_output "roost-helper: map: more than 340 uid extents"
	assert_unmapped "$pid"
}

@test "helper map: refuses a map too long for one write before writing" {
	pid=$(userns_target alice)
	ext=$(for i in $(seq 0 339); do printf 'u:%d:%d:1 ' "$((1000000 + i))" "$((100000 + i))"; done)
	run -1 as alice "$HELPER" map "$pid" $ext
	assert_output "roost-helper: map: uid map longer than the kernel takes (4095 bytes)"
	assert_unmapped "$pid"
}

@test "helper map: 200 extents are written in one go" {
	pid=$(userns_target alice)
	ext=$(for i in $(seq 0 199); do printf 'u:%d:%d:1 ' "$i" "$((100000 + i))"; done)
	run -0 as alice "$HELPER" map "$pid" $ext
	assert_equal "$(wc -l < /proc/$pid/uid_map)" 200
}

@test "helper map: bad numbers are usage errors (exit 2) and change nothing" {
	pid=$(userns_target alice)
	for x in u:0x10:100000:1 u:-1:100000:1 u:+1:100000:1 u:01:100000:1 \
	    u:0:100000:0 u:0:100000 x:0:100000:1 u:0:100000:1:1 "u:0: 100000:1" \
	    u::100000:1; do
		run -2 as alice "$HELPER" map "$pid" "$x"
		assert_output "roost-helper: map: $x: malformed extent (want u|g:INSIDE:OUTSIDE:COUNT)"
	done
	for x in u:0:4294967295:1 u:4294967295:100000:1 u:0:100000:4294967296 \
	    u:4294967290:100000:10 u:0:4294967290:10; do
		run -2 as alice "$HELPER" map "$pid" "$x"
		assert_output "roost-helper: map: $x: extent out of range"
	done
	assert_unmapped "$pid"
}

@test "helper map: a bad target is a usage error" {
	for t in 12abc -1 0 01 fd: fd:x fd:-1 ""; do
		run -2 as alice "$HELPER" map "$t" u:0:100000:1
		assert_output "roost-helper: map: $t: bad target (want fd:N or a pid)"
	done
}

@test "helper map: missing arguments are a usage error" {
	run -2 as alice "$HELPER" map 1
	assert_output "roost-helper: map: usage: roost-helper map TARGET u|g:INSIDE:OUTSIDE:COUNT..."
}

@test "helper map: works with fds 0-2 closed" {
	pid=$(userns_target alice)
	run -0 as alice sh -c "exec $HELPER map $pid $full_alice <&- >&- 2>&-"
	assert_equal "$(maps_of "$pid")" \
	    "uid:0 100000 65536; gid:0 100000 65536; setgroups:allow"
}

@test "helper map: a refusal with fds 0-2 closed still changes nothing" {
	pid=$(userns_target alice)
	run -1 as alice sh -c "exec $HELPER map $pid u:0:0:1 <&- >&- 2>&-"
	assert_unmapped "$pid"
	syslog_since_start | grep -F "uid 1001: refused: map: u:0:0:1: host uid 0 is never mapped"
}

@test "helper map: ignores a hostile environment" {
	pid=$(userns_target alice)
	run -0 as alice env LD_PRELOAD=/nonexistent/evil.so \
	    LD_LIBRARY_PATH=/nonexistent LANG=xx_XX.UTF-8 LC_ALL=xx_XX \
	    MALLOC_CHECK_=3 MALLOC_PERTURB_=165 TMPDIR=/nonexistent \
	    PATH=/nonexistent TZ=/etc/passwd GCONV_PATH=/nonexistent \
	    "$HELPER" map "$pid" $full_alice
	assert_output ""
	assert_equal "$(maps_of "$pid")" \
	    "uid:0 100000 65536; gid:0 100000 65536; setgroups:allow"
}

@test "helper map: every decision goes to syslog with the caller's uid" {
	pid=$(userns_target alice)
	run -0 as alice "$HELPER" map "$pid" $full_alice
	run -1 as alice "$HELPER" map "$pid" u:0:300000:1
	run -2 as alice "$HELPER" map "$pid" u:bad
	run syslog_since_start
	assert_line --partial "roost-helper[" 
	assert_line --regexp "uid 1001: map: granted: $pid: u:0:100000:65536 g:0:100000:65536$"
	assert_line --partial "uid 1001: refused: map: u:0:300000:1: uids 300000-300000 not granted to you"
	assert_line --partial "uid 1001: refused: map: u:bad: malformed extent"
}

@test "helper map: a caller missing from the user database is refused" {
	pid=$(userns_target alice)
	run -1 setpriv --reuid=4242 --regid=4242 --clear-groups "$HELPER" map "$pid" u:0:4242:1
	assert_output "roost-helper: map: uid 4242: not in the user database"
	assert_unmapped "$pid"
}
