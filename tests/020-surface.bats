#!/usr/bin/env bats
# The privileged surface: the size of helper/ + policy/ (SECURITY.md,
# invariant 7), and, for each operation, the capabilities it holds while
# it runs, against the "Capabilities:" line of its file's header comment.

load helpers

# helpers.bash's setup, kept as helpers_setup: ours calls it first.
eval "helpers_$(declare -f setup)"

setup() {
	helpers_setup
	policy "$FIX/etc/policy-net.conf"
	TRACE=$BATS_TEST_TMPDIR/trace
}

teardown() {
	local l
	[ -z "${LOCKER:-}" ] || unlock
	teardown_targets
	for l in $(roost_links) br0; do
		ip link del "$l" 2>/dev/null || true
	done
	rm -rf /home/alice/surface
}

# The capability names on the "Capabilities:" line of FILE's header, one a
# line, sorted ("none": nothing).
header_caps() {
	local line
	line=$(sed -n '1,/\*\//{/^ \* Capabilities: /p}' "$ROOST_TOP/$1")
	[ -n "$line" ] || { echo "$1: no Capabilities: line" >&2; return 1; }
	grep -oE 'CAP_[A-Z_]+' <<< "$line" | sort -u || true
}

# A capability mask (hex, as /proc/PID/status shows it) as names, one a
# line, sorted; the numbers come from the kernel's header.
cap_names() {
	local mask=$((16#$1)) name n
	while read -r name n; do
		if (( (mask >> n) & 1 )); then echo "$name"; fi
	done < <(sed -nE 's/^#define (CAP_[A-Z_]+)[[:space:]]+([0-9]+)$/\1 \2/p' \
	    /usr/include/linux/capability.h) | sort -u
}

# traced USER CMD...: CMD as USER under strace, which logs every capset(2)
# and every syscall by which an operation acts; $TRACE keeps the helper's
# own lines, from its execve on (setpriv, before it, has its own capsets).
traced() {
	local AS u=$1 st=0
	local calls=execve,capset,socket,openat,open_tree,mount_setattr,write
	shift
	as_argv "$u"
	strace -f -qq -s 64 -o "$TRACE.raw" -e trace="$calls" "${AS[@]}" "$@" ||
	    st=$?
	awk '$2 ~ /^execve\("[^"]*\/(roost-helper|newuidmap|newgidmap)"/ &&
	    / = 0$/ { pid = $1 } pid != "" && $1 == pid' "$TRACE.raw" > "$TRACE"
	return "$st"
}

# Every capability named in a capset(2) of the trace, effective or
# permitted, one a line, sorted ("~" for a set strace prints as ~MASK).
traced_caps() {
	grep -oE '(effective|permitted)=[^,]*' "$TRACE" |
	    grep -oE 'CAP_[A-Z_]+|~' | sort -u
}

# assert_caps_within FILE ACT: the traced operation, whose source is FILE,
# holds no capability its header does not name, and its first capset(2)
# comes before its first act (ACT, a regexp of trace lines).
assert_caps_within() {
	local file=$1 act=$2 allowed extra first_cap first_act
	allowed=$(header_caps "$file")
	if ! grep -q 'capset(' "$TRACE"; then
		fail "no capset in the trace"
		return
	fi
	extra=$(comm -23 <(traced_caps) <(echo "$allowed") | tr '\n' ' ')
	if [ -n "$extra" ]; then
		fail "$file holds ${extra% }; its header names ${allowed//$'\n'/ }"
		return
	fi
	first_cap=$(grep -n -m 1 'capset(' "$TRACE" | cut -d: -f1)
	first_act=$(grep -n -m 1 -E "$act" "$TRACE" | cut -d: -f1)
	if [ -z "$first_act" ]; then
		fail "no act /$act/ in the trace"
		return
	fi
	if [ "$first_cap" -ge "$first_act" ]; then
		fail "$file acts (line $first_act) before it drops (line $first_cap)"
	fi
}

# caps_behind_lock FILE HELPER-ARGS...: the helper as alice, stopped
# mid-operation on the net ops' lock, holds CAP_NET_ADMIN only, which the
# header of FILE names.
caps_behind_lock() {
	local file=$1 hpid extra
	shift
	lock
	as_argv alice
	"${AS[@]}" "$HELPER" "$@" > /dev/null &
	hpid=$!
	wait_for 10 waits_for_lock "$hpid"
	run pid_caps "$hpid"
	unlock
	wait "$hpid"
	assert_output "CAP_NET_ADMIN"
	extra=$(comm -23 <(echo "$output") <(header_caps "$file"))
	assert_equal "$extra" ""
}

# pid_caps PID: the capabilities in PID's CapPrm and CapEff, as names, one
# a line, sorted.
pid_caps() {
	local prm eff
	prm=$(sed -n 's/^CapPrm:[[:space:]]*//p' "/proc/$1/status")
	eff=$(sed -n 's/^CapEff:[[:space:]]*//p' "/proc/$1/status")
	{ cap_names "$prm"; cap_names "$eff"; } | sort -u
}

@test "surface: each operation within 400 lines; helper/ + policy/ within 3,000" {
	local f n budget
	run make -s -C "$ROOST_TOP" loc
	assert_line --regexp '^helper/ \+ policy/: [0-9]+ of [0-9]+$'
	read -r n budget < <(sed -nE \
	    's|^helper/ \+ policy/: ([0-9]+) of ([0-9]+)$|\1 \2|p' <<< "$output")
	assert_equal "$budget" 3000
	assert_equal "$n" "$(cat "$ROOST_TOP"/helper/*.[ch] "$ROOST_TOP"/policy/*.[ch] |
	    grep -cv '^[[:space:]]*$')"
	[ "$n" -le "$budget" ] ||
	    fail "helper/ + policy/: $n lines, over the budget of $budget"
	assert_success
	assert_line --regexp '^helper/op_map\.c: [0-9]+ of 400$'
	while read -r f n; do
		[ "$n" -le 400 ] || fail "$f: $n lines, over 400"
	done < <(sed -nE 's|^(helper/op_[a-z]+\.c): ([0-9]+) of 400$|\1 \2|p' \
	    <<< "$output")
}

@test "surface: every operation's file names the capabilities it raises" {
	local f
	for f in "$ROOST_TOP"/helper/op_*.c; do
		run -0 sed -n '1,/\*\//{/^ \* Capabilities: /p}' "$f"
		assert_output --regexp '^ \* Capabilities: (none|CAP_[A-Z_]+(, CAP_[A-Z_]+)*)'
	done
	run header_caps helper/op_map.c
	assert_output "CAP_SETFCAP
CAP_SETGID
CAP_SETUID"
}

@test "surface: a capability the header does not name fails the check" {
	printf '%s\n' '1 capset({version=_LINUX_CAPABILITY_VERSION_3, pid=0}, {effective=1<<CAP_SYS_ADMIN, permitted=1<<CAP_SYS_ADMIN|1<<CAP_SETUID, inheritable=0}) = 0' \
	    '1 socket(AF_NETLINK, SOCK_RAW|SOCK_CLOEXEC, NETLINK_ROUTE) = 3' > "$TRACE"
	run assert_caps_within helper/op_unveth.c 'socket\(AF_NETLINK'
	assert_failure
	assert_output "helper/op_unveth.c holds CAP_SYS_ADMIN; its header names CAP_NET_ADMIN CAP_SETGID CAP_SETUID"
	run cap_names 2010c0
	assert_output "CAP_NET_ADMIN
CAP_SETGID
CAP_SETUID
CAP_SYS_ADMIN"
}

@test "surface: map holds only the capabilities its header names" {
	pid=$(userns_target alice)
	run -0 traced alice "$HELPER" map "$pid" u:0:100000:65536 g:0:100000:65536
	assert_caps_within helper/op_map.c 'openat\([0-9]+, "(uid_map|gid_map|setgroups)"'
	# The map is written with one capability effective at a time.
	run -0 grep -c 'effective=1<<CAP_SETGID,' "$TRACE"
	run -0 grep -c 'effective=1<<CAP_SETUID,' "$TRACE"
	assert_equal "$(maps_of "$pid")" "uid:0 100000 65536; gid:0 100000 65536; setgroups:allow"
}

@test "surface: newuidmap holds only the capabilities map's header names" {
	pid=$(userns_target alice)
	run -0 traced alice "$COMPAT/newuidmap" "$pid" 0 100000 65536
	assert_caps_within helper/op_map.c 'openat\([0-9]+, "uid_map"'
}

@test "surface: veth holds only the capabilities its header names, also mid-operation" {
	ip link add br0 type bridge
	pid=$(userns_target alice --net)
	run -0 traced alice "$HELPER" veth "$pid" br0 eth0
	assert_caps_within helper/op_veth.c 'socket\(AF_NETLINK|openat\([0-9]+, "ns/net"'
	# Blocked on the quota lock, the helper is stopped mid-operation:
	# what it holds there is what /proc says.
	caps_behind_lock helper/op_veth.c veth "$pid" br0 eth1
}

@test "surface: unveth, route and unroute hold only the capabilities their headers name" {
	pid=$(userns_target alice --net)
	hostif=$(veth alice "$pid" none eth0)
	run -0 traced alice "$HELPER" route "$pid" "$hostif" 192.0.2.9
	assert_caps_within helper/op_route.c 'socket\(AF_NETLINK|openat\([0-9]+, "ns/net"'
	run -0 traced alice "$HELPER" unroute "$pid" "$hostif" 192.0.2.9
	assert_caps_within helper/op_unroute.c 'socket\(AF_NETLINK|openat\([0-9]+, "ns/net"'
	run -0 traced alice "$HELPER" unveth "$pid" "$hostif"
	assert_caps_within helper/op_unveth.c 'socket\(AF_NETLINK|openat\([0-9]+, "ns/net"'
	no_roost_links
}

@test "surface: route holds only CAP_NET_ADMIN while it waits for the lock" {
	pid=$(userns_target alice --net)
	hostif=$(veth alice "$pid" none eth0)
	caps_behind_lock helper/op_route.c route "$pid" "$hostif" 192.0.2.9
}

@test "surface: idmount holds only the capabilities its header names" {
	local d=/home/alice/surface mountfd=$ROOST_R/tools/mountfd
	install -d -m 0755 "$ROOST_R/tools"
	cc -O2 -o "$mountfd" "$ROOST_TOP/tests/tools/mountfd.c"
	install -d -m 0755 -o alice -g alice "$d"
	pid=$(userns_target alice)
	as alice "$HELPER" map "$pid" u:1001:100000:1 g:1001:100000:1
	run -0 traced alice "$mountfd" "$HELPER" "$pid" "$d"
	assert_caps_within helper/op_idmount.c 'open_tree\('
	assert_output ". 100000 100000"
}

@test "surface: version holds no capability" {
	run -0 traced alice "$HELPER" version
	assert_caps_within helper/op_version.c 'write\(1, "roost-helper'
	run traced_caps
	assert_output ""
}
