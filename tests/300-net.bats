#!/usr/bin/env bats
# roost-helper veth, unveth, route and unroute, called directly by the
# fixture users against real network namespaces: what they create, and that
# every refusal changes nothing.  The sandbox's network namespace is the
# "host" here; bridges br0 (granted), br1 (granted to nobody) and a veth
# eth9 (granted to alice, not a bridge) are made fresh for every test.

load helpers

NOTOWN="not a process in a network namespace you own"
HOSTNS="the host network namespace is never a target"
NOTVETH="not a veth of yours in that network namespace"

# helpers.bash's setup, kept as helpers_setup: ours calls it first.
eval "helpers_$(declare -f setup)"

setup() {
	helpers_setup
	policy "$FIX/etc/policy-net.conf"
	ip link add br0 type bridge
	ip link set br0 up
	ip link add br1 type bridge
	ip link set br1 up
	ip link add eth9 type veth peer name eth9p
}

teardown() {
	local l
	# A test that changed /etc/group saved it here first.
	if [ -f "$ROOST_R/group.saved" ]; then
		cp "$ROOST_R/group.saved" /etc/group
		rm -f "$ROOST_R/group.saved"
	fi
	teardown_targets
	teardown_containers
	for l in $(roost_links) br0 br1 eth9; do
		ip link del "$l" 2>/dev/null || true
	done
	wait_for 10 net_is_clean
}

net_is_clean() {
	[ -z "$(roost_links)" ] && ! ip link show br0 >/dev/null 2>&1 &&
	    ! ip link show br1 >/dev/null 2>&1 &&
	    ! ip link show eth9 >/dev/null 2>&1 &&
	    ! ip link show eth9p >/dev/null 2>&1
}

# in_netns PID CMD...: CMD as root in the network namespace of PID.
in_netns() {
	local pid=$1
	shift
	nsenter -t "$pid" -n "$@"
}

# link FIELD IFNAME: a field of `ip -j -d link show`, "" when absent.
link() {
	ip -d -j link show dev "$2" | jq -r ".[0].$1 // empty"
}

# The ifaliases of the host's roost links, one a line, sorted.
roost_aliases() {
	ip -j link show | jq -r '.[] | select(.ifname | startswith("roost")) |
	    .ifalias // ""' | sort
}

# The addresses on IFNAME, "ADDR/LEN" a line.
addrs_of() {
	ip -j addr show dev "$1" |
	    jq -r '.[0].addr_info[] | "\(.local)/\(.prefixlen)"'
}

# The main-table routes to exactly PREFIX: "DST DEV PROTO SCOPE" a line.
routes_to() {
	local f=-4
	[[ $1 != *:* ]] || f=-6
	ip -j "$f" route show table main exact "$1" |
	    jq -r '.[] | "\(.dst) \(.dev) \(.protocol) \(.scope // "-")"'
}

# ---------------------------------------------------------------- veth

@test "helper veth: creates a pair on a granted bridge, prints only its host name" {
	ip link set br0 mtu 1400
	pid=$(userns_target alice --net)
	out=$BATS_TEST_TMPDIR/out err=$BATS_TEST_TMPDIR/err
	as alice "$HELPER" veth "$pid" br0 eth0 > "$out" 2> "$err"
	hostif=$(cat "$out")
	[[ $hostif =~ ^roost[0-9a-f]{8}$ ]]
	printf '%s\n' "$hostif" | cmp - "$out"
	assert_file_empty "$err"
	# The host end: a veth on br0, up, br0's MTU, a MAC the bridge will
	# not prefer, tagged with its owner and allotment.
	assert_equal "$(roost_links)" "$hostif"
	assert_equal "$(link linkinfo.info_kind "$hostif")" veth
	assert_equal "$(link master "$hostif")" br0
	link flags "$hostif" | jq -e 'any(. == "UP")'
	assert_equal "$(link mtu "$hostif")" 1400
	[[ $(link address "$hostif") =~ ^fe(:[0-9a-f]{2}){5}$ ]]
	assert_equal "$(link ifalias "$hostif")" \
	    "roost uid=1001 grant=user:alice bridge=br0"
	# The container end: named as asked, down, no address.
	assert_equal "$(links_in "$pid")" "eth0
lo"
	in_netns "$pid" ip -j link show dev eth0 |
	    jq -e '.[0].flags | any(. == "UP") | not'
	assert_equal "$(in_netns "$pid" ip -j addr show dev eth0 |
	    jq -r '.[0].addr_info | length')" 0
	# They are one pair: the peer of the container end is the host end.
	assert_equal "$(in_netns "$pid" ip -j link show dev eth0 |
	    jq -r '.[0].link_index')" "$(link ifindex "$hostif")"
	run syslog_since_start
	assert_line --regexp "uid 1001: veth: granted: .*$hostif"
}

@test "helper veth: takes the target as an inherited /proc/PID fd" {
	pid=$(userns_target alice --net)
	run -0 --separate-stderr as alice sh -c \
	    "exec 9</proc/$pid; exec $HELPER veth fd:9 br0 eth0"
	assert_output --regexp '^roost[0-9a-f]{8}$'
	assert_equal "$stderr" ""
	assert_equal "$(roost_links)" "$output"
	assert_equal "$(links_in "$pid")" "eth0
lo"
}

@test "helper veth: takes the target as an inherited network namespace fd" {
	pid=$(userns_target alice --net)
	run -0 --separate-stderr as alice sh -c \
	    "exec 9</proc/$pid/ns/net; exec $HELPER veth fd:9 br0 eth0"
	assert_output --regexp '^roost[0-9a-f]{8}$'
	assert_equal "$(links_in "$pid")" "eth0
lo"
}

@test "helper veth: refuses namespace fds that are not a network namespace of the caller's" {
	pid=$(userns_target alice --net)
	ip netns add roost-test-ns
	run -1 as alice sh -c "exec 9</run/netns/roost-test-ns; exec $HELPER veth fd:9 br0 eth0"
	ip netns del roost-test-ns
	assert_output "roost-helper: veth: fd:9: not a process in a network namespace you own"
	run -1 as alice sh -c "exec 9</proc/$pid/ns/uts; exec $HELPER veth fd:9 br0 eth0"
	assert_output "roost-helper: veth: fd:9: not a process in a network namespace you own"
	run -1 as alice sh -c "exec 9</proc/self/ns/net; exec $HELPER veth fd:9 br0 eth0"
	assert_output "roost-helper: veth: fd:9: the host network namespace is never a target"
	no_roost_links
}

@test "helper veth: none leaves the host end unattached, MTU 1500" {
	ip link set br0 mtu 1400
	pid=$(userns_target alice --net)
	hostif=$(veth alice "$pid" none eth0)
	[[ $hostif =~ ^roost[0-9a-f]{8}$ ]]
	assert_equal "$(link master "$hostif")" ""
	assert_equal "$(link mtu "$hostif")" 1500
	link flags "$hostif" | jq -e 'any(. == "UP")'
	[[ $(link address "$hostif") =~ ^fe: ]]
	assert_equal "$(link ifalias "$hostif")" \
	    "roost uid=1001 grant=user:alice bridge=none"
	assert_equal "$(links_in "$pid")" "eth0
lo"
}

@test "helper veth: IFNAME takes 15 characters of [A-Za-z0-9_.-]" {
	pid=$(userns_target alice --net)
	run -0 veth alice "$pid" br0 aB9_.-xxxxxxxxx
	run -0 veth alice "$pid" br0 e
	assert_equal "$(links_in "$pid")" "aB9_.-xxxxxxxxx
e
lo"
	assert_equal "$(roost_links | wc -l)" 2
}

@test "helper veth: quota 10 holds against 50 concurrent requests, and frees itself" {
	policy - <<-EOF
	[user:alice]
	veth = br0 10
	EOF
	run -0 as alice "$ROOST" policy explain
	assert_line "veth br0 10 user:alice"
	local -a t js
	for i in 0 1 2 3 4; do
		t[i]=$(userns_target alice --net)
	done
	d=$BATS_TEST_TMPDIR
	for i in $(seq 0 49); do
		as alice "$HELPER" veth "${t[i % 5]}" br0 "eth$i" \
		    > "$d/out.$i" 2> "$d/err.$i" &
		js[i]=$!
	done
	ok=0 refused=0
	for i in $(seq 0 49); do
		s=0
		wait "${js[i]}" || s=$?
		if [ "$s" = 0 ]; then
			grep -Eqx 'roost[0-9a-f]{8}' "$d/out.$i"
			assert_equal "$(wc -l < "$d/out.$i")" 1
			assert_file_empty "$d/err.$i"
			ok=$((ok + 1))
		else
			assert_equal "$s" 1
			assert_equal "$(cat "$d/err.$i")" \
			    "roost-helper: veth: br0: quota of 10 reached"
			assert_file_empty "$d/out.$i"
			refused=$((refused + 1))
		fi
	done
	assert_equal "$ok $refused" "10 40"
	# The kernel's state agrees: ten host ends, ten peers.
	assert_equal "$(roost_links | wc -l)" 10
	assert_equal "$(roost_aliases | uniq -c | sed 's/^ *//')" \
	    "10 roost uid=1001 grant=user:alice bridge=br0"
	assert_equal "$(cat "$d"/out.* | sort)" "$(roost_links)"
	n=0
	for i in 0 1 2 3 4; do
		n=$((n + $(links_in "${t[i]}" | grep -c '^eth' || true)))
	done
	assert_equal "$n" 10
	run -1 veth alice "${t[0]}" br0 eth50
	assert_output "roost-helper: veth: br0: quota of 10 reached"
	# The containers die: the kernel deletes their pairs, the quota is
	# free again without anyone cleaning up.
	for i in 0 1 2 3 4; do
		kill -KILL "${t[i]}"
	done
	wait_for 20 no_roost_links
	pid=$(userns_target alice --net)
	run -0 veth alice "$pid" br0 eth0
	assert_output --regexp '^roost[0-9a-f]{8}$'
}

@test "helper veth: concurrent requests for one IFNAME in one netns: one pair, no orphan" {
	pid=$(userns_target alice --net)
	local -a js
	d=$BATS_TEST_TMPDIR
	for i in 0 1 2 3; do
		as alice "$HELPER" veth "$pid" br0 eth0 > "$d/out.$i" 2> "$d/err.$i" &
		js[i]=$!
	done
	ok=0
	for i in 0 1 2 3; do
		s=0
		wait "${js[i]}" || s=$?
		if [ "$s" = 0 ]; then
			ok=$((ok + 1))
		else
			assert_equal "$s" 1
			assert_equal "$(cat "$d/err.$i")" \
			    "roost-helper: veth: eth0: exists in the target's network namespace"
		fi
	done
	assert_equal "$ok" 1
	assert_equal "$(roost_links)" "$(cat "$d"/out.*)"
	assert_equal "$(links_in "$pid")" "eth0
lo"
}

@test "helper veth: a pair whose name cannot be printed is deleted again" {
	pid=$(userns_target alice --net)
	run -1 as alice sh -c "exec $HELPER veth $pid br0 eth0 >/dev/full"
	assert_output --regexp '^roost-helper: veth: roost[0-9a-f]{8}: stdout: No space left on device$'
	no_roost_links
	assert_equal "$(links_in "$pid")" "lo"
	run -1 as alice sh -c "exec $HELPER veth $pid br0 eth0 >&-"
	no_roost_links
	assert_equal "$(links_in "$pid")" "lo"
}

@test "helper veth: a group's allotment is charged to the group" {
	pid=$(userns_target carol --net)
	run -0 veth carol "$pid" br0 eth0
	assert_equal "$(link ifalias "$output")" \
	    "roost uid=1003 grant=group:builders bridge=br0"
	run -0 veth carol "$pid" br0 eth1
	run -1 veth carol "$pid" br0 eth2
	assert_output "roost-helper: veth: br0: quota of 2 reached"
	assert_equal "$(roost_links | wc -l)" 2
	assert_equal "$(links_in "$pid")" "eth0
eth1
lo"
}

@test "helper veth: the members of a group share its allotment" {
	# dave joins builders (carol's group, br0 2) for this test only.
	cp /etc/group "$ROOST_R/group.saved"
	sed -i 's/^builders:x:2000:carol$/&,dave/' /etc/group
	grep -qx 'builders:x:2000:carol,dave' /etc/group
	c=$(userns_target carol --net)
	d=$(userns_target dave --net)
	run -0 veth carol "$c" br0 eth0
	cveth=$output
	run -0 veth dave "$d" br0 eth0
	assert_equal "$(link ifalias "$output")" \
	    "roost uid=1004 grant=group:builders bridge=br0"
	run -1 veth carol "$c" br0 eth1
	assert_output "roost-helper: veth: br0: quota of 2 reached"
	run -1 veth dave "$d" br0 eth1
	assert_output "roost-helper: veth: br0: quota of 2 reached"
	assert_equal "$(roost_links | wc -l)" 2
	assert_equal "$(links_in "$c")" "eth0
lo"
	assert_equal "$(links_in "$d")" "eth0
lo"
	# dave may not free carol's place; once carol does, dave may take it.
	run -1 as dave "$HELPER" unveth "$d" "$cveth"
	assert_output "roost-helper: unveth: $cveth: $NOTVETH"
	run -0 as carol "$HELPER" unveth "$c" "$cveth"
	run -0 veth dave "$d" br0 eth1
	assert_equal "$(roost_links | wc -l)" 2
	assert_equal "$(links_in "$c")" "lo"
}

@test "helper veth: the user's allotment is charged first, then the group's; the quota is their sum" {
	policy - <<-EOF
	[user:carol]
	veth = br0 1

	[group:builders]
	veth = br0 2
	EOF
	pid=$(userns_target carol --net)
	run -0 veth carol "$pid" br0 eth0
	assert_equal "$(link ifalias "$output")" \
	    "roost uid=1003 grant=user:carol bridge=br0"
	run -0 veth carol "$pid" br0 eth1
	assert_equal "$(link ifalias "$output")" \
	    "roost uid=1003 grant=group:builders bridge=br0"
	run -0 veth carol "$pid" br0 eth2
	assert_equal "$(link ifalias "$output")" \
	    "roost uid=1003 grant=group:builders bridge=br0"
	run -1 veth carol "$pid" br0 eth3
	assert_output "roost-helper: veth: br0: quota of 3 reached"
	assert_equal "$(roost_links | wc -l)" 3
}

@test "helper veth: quotas are per bridge: a full br0 leaves none free" {
	pid=$(userns_target bob --net)
	veth bob "$pid" br0 eth0 >/dev/null
	veth bob "$pid" br0 eth1 >/dev/null
	run -1 veth bob "$pid" br0 eth2
	assert_output "roost-helper: veth: br0: quota of 2 reached"
	run -0 veth bob "$pid" none eth2
	run -0 veth bob "$pid" none eth3
	run -1 veth bob "$pid" none eth4
	assert_output "roost-helper: veth: none: quota of 2 reached"
	assert_equal "$(roost_links | wc -l)" 4
	# alice's allotment is her own.
	pid=$(userns_target alice --net)
	run -0 veth alice "$pid" br0 eth0
}

# --------------------------------------------------------- veth refusals

@test "helper veth: refuses another user's process" {
	pid=$(userns_target bob --net)
	run -1 veth alice "$pid" br0 eth0
	assert_output "roost-helper: veth: $pid: $NOTOWN"
	no_roost_links
	assert_equal "$(links_in "$pid")" "lo"
}

@test "helper veth: refuses the host network namespace" {
	# alice's plain process lives in the host netns, which alice does not
	# own either: the host rule is checked first, so its message is the
	# one she gets.
	pid=$(host_target alice)
	before=$(host_links)
	run -1 veth alice "$pid" br0 eth0
	assert_output "roost-helper: veth: $pid: $HOSTNS"
	assert_equal "$(host_links)" "$before"
	# Her own user namespace around the host netns: the same.
	pid=$(userns_target alice)
	run -1 veth alice "$pid" br0 eth0
	assert_output "roost-helper: veth: $pid: $HOSTNS"
	run -1 as alice "$HELPER" route "$pid" eth9 192.0.2.9
	assert_output "roost-helper: route: $pid: $HOSTNS"
	run -1 as alice "$HELPER" unveth "$pid" eth9
	assert_output "roost-helper: unveth: $pid: $HOSTNS"
	assert_equal "$(host_links)" "$before"
	assert_equal "$(routes_to 192.0.2.9/32)" ""
}

@test "helper veth: the host network namespace is never a target, even for root" {
	# Root owns the user namespace that owns the host netns, so only the
	# host rule can refuse this.  The target is a root process without
	# capabilities: the helper, acting as its caller, may open its ns/net
	# (a full-capability root process it may not).
	policy - <<-EOF
	[user:root]
	veth = br0 4
	EOF
	setpriv --bounding-set=-all --inh-caps=-all sleep 1000 >/dev/null 2>&1 &
	pid=$!
	echo "$pid" >> "$BATS_TEST_TMPDIR/targets"
	wait_for 10 grep -qx 'CapPrm:[[:space:]]*0*' "/proc/$pid/status"
	before=$(host_links)
	run -1 "$HELPER" veth "$pid" br0 eth0
	assert_output "roost-helper: veth: $pid: $HOSTNS"
	assert_equal "$(host_links)" "$before"
	syslog_since_start | grep -F "uid 0: refused: veth: $pid: $HOSTNS"
}

@test "helper veth: refuses alice's process in a netns a root-owned user namespace owns" {
	pid=$(foreign_userns_target --net)
	assert_equal "$(stat -c %u /proc/$pid)" 1001
	before=$(links_in "$pid")
	run -1 veth alice "$pid" br0 eth0
	assert_output "roost-helper: veth: $pid: $NOTOWN"
	no_roost_links
	assert_equal "$(links_in "$pid")" "$before"
	# And in a root-owned user namespace around the host netns.
	pid=$(foreign_userns_target)
	run -1 veth alice "$pid" br0 eth0
	assert_output "roost-helper: veth: $pid: $NOTOWN"
	no_roost_links
}

@test "helper veth: refuses alice's own process in a netns root created" {
	pid=$(root_netns_target alice)
	assert_equal "$(stat -c %u /proc/$pid)" 1001
	# alice can read it: the kernel does not refuse for the helper.
	as alice readlink "/proc/$pid/ns/net" >/dev/null
	[ "$(readlink /proc/$pid/ns/net)" != "$(readlink /proc/self/ns/net)" ]
	run -1 veth alice "$pid" br0 eth0
	assert_output "roost-helper: veth: $pid: $NOTOWN"
	no_roost_links
	assert_equal "$(links_in "$pid")" "lo"
	# Nor can alice route to or delete through it.
	apid=$(userns_target alice --net)
	hostif=$(veth alice "$apid" none eth0)
	run -1 as alice "$HELPER" unveth "$pid" "$hostif"
	assert_output "roost-helper: unveth: $pid: $NOTOWN"
	run -1 as alice "$HELPER" route "$pid" "$hostif" 192.0.2.9
	assert_output "roost-helper: route: $pid: $NOTOWN"
	assert_equal "$(roost_links)" "$hostif"
	assert_equal "$(routes_to 192.0.2.9/32)" ""
}

@test "helper veth: refuses pid 1, a dead pid, and an fd that is not /proc/PID" {
	run -1 veth alice 1 br0 eth0
	assert_output "roost-helper: veth: 1: $NOTOWN"
	pid=$(userns_target alice --net)
	kill -KILL "$pid"
	wait_for 10 test ! -e "/proc/$pid"
	run -1 veth alice "$pid" br0 eth0
	assert_output "roost-helper: veth: $pid: $NOTOWN"
	run -1 as alice sh -c "exec 9</etc/passwd; exec $HELPER veth fd:9 br0 eth0"
	assert_output "roost-helper: veth: fd:9: $NOTOWN"
	run -1 as alice "$HELPER" veth fd:9 br0 eth0
	assert_output "roost-helper: veth: fd:9: $NOTOWN"
	no_roost_links
}

@test "helper veth: refuses a bridge the policy does not grant" {
	pid=$(userns_target alice --net)
	run -1 veth alice "$pid" br1 eth0
	assert_output "roost-helper: veth: br1: not granted to you by policy"
	# Absent and not granted: the policy answers, not the kernel.
	run -1 veth alice "$pid" br7 eth0
	assert_output "roost-helper: veth: br7: not granted to you by policy"
	no_roost_links
	assert_equal "$(links_in "$pid")" "lo"
	assert_equal "$(ip -j link show master br1 | jq length)" 0
}

@test "helper veth: refuses none to a user without that grant" {
	pid=$(userns_target dave --net)
	run -1 veth dave "$pid" none eth0
	assert_output "roost-helper: veth: none: not granted to you by policy"
	run -1 veth dave "$pid" br0 eth0
	assert_output "roost-helper: veth: br0: not granted to you by policy"
	no_roost_links
	assert_equal "$(links_in "$pid")" "lo"
}

@test "helper veth: refuses a granted device that is not a bridge" {
	pid=$(userns_target alice --net)
	before=$(host_links)
	run -1 veth alice "$pid" eth9 eth0
	assert_output "roost-helper: veth: eth9: not a bridge"
	assert_equal "$(host_links)" "$before"
	assert_equal "$(links_in "$pid")" "lo"
	assert_equal "$(link master eth9)" ""
}

@test "helper veth: refuses a granted bridge that does not exist" {
	ip link del br0
	pid=$(userns_target alice --net)
	run -1 veth alice "$pid" br0 eth0
	assert_output "roost-helper: veth: br0: no such interface"
	no_roost_links
	assert_equal "$(links_in "$pid")" "lo"
}

@test "helper veth: refuses an IFNAME already in the target's netns" {
	pid=$(userns_target alice --net)
	hostif=$(veth alice "$pid" br0 eth0)
	before=$(links_in "$pid")
	run -1 veth alice "$pid" br0 eth0
	assert_output "roost-helper: veth: eth0: exists in the target's network namespace"
	run -1 veth alice "$pid" none lo
	assert_output "roost-helper: veth: lo: exists in the target's network namespace"
	assert_equal "$(roost_links)" "$hostif"
	assert_equal "$(links_in "$pid")" "$before"
}

@test "helper veth: bad interface names are usage errors and create nothing" {
	pid=$(userns_target alice --net)
	for n in "" a/b abcdefghijklmnop . .. "eth 0" eth0:1; do
		run -2 veth alice "$pid" br0 "$n"
		assert_output "roost-helper: veth: $n: bad interface name"
	done
	for n in "" a/b abcdefghijklmnop . ..; do
		run -2 veth alice "$pid" "$n" eth0
		assert_output "roost-helper: veth: $n: bad interface name"
	done
	no_roost_links
	assert_equal "$(links_in "$pid")" "lo"
}

@test "helper veth: a bad target or argument count is a usage error" {
	for t in 12abc -1 0 01 fd: fd:x fd:-1 ""; do
		run -2 veth alice "$t" br0 eth0
		assert_output "roost-helper: veth: $t: bad target (want fd:N or a pid)"
	done
	run -2 as alice "$HELPER" veth 1 br0
	assert_output "roost-helper: veth: usage: roost-helper veth TARGET BRIDGE IFNAME"
	run -2 as alice "$HELPER" veth 1 br0 eth0 eth1
	assert_output "roost-helper: veth: usage: roost-helper veth TARGET BRIDGE IFNAME"
	no_roost_links
}

# ---------------------------------------------------------------- unveth

@test "helper unveth: deletes the caller's own veth, both ends" {
	policy - <<-EOF
	[user:alice]
	veth = br0 2
	EOF
	pid=$(userns_target alice --net)
	hostif=$(veth alice "$pid" br0 eth0)
	keep=$(veth alice "$pid" br0 eth1)
	run -0 --separate-stderr as alice "$HELPER" unveth "$pid" "$hostif"
	assert_output ""
	assert_equal "$stderr" ""
	assert_equal "$(roost_links)" "$keep"
	assert_equal "$(links_in "$pid")" "eth1
lo"
	run syslog_since_start
	assert_line --regexp "uid 1001: unveth: granted: .*$hostif"
	# Its quota is free at once.
	run -0 veth alice "$pid" br0 eth0
	run -1 veth alice "$pid" br0 eth2
	assert_output "roost-helper: veth: br0: quota of 2 reached"
}

@test "helper unveth: another user cannot delete alice's veth" {
	apid=$(userns_target alice --net)
	hostif=$(veth alice "$apid" br0 eth0)
	bpid=$(userns_target bob --net)
	run -1 as bob "$HELPER" unveth "$apid" "$hostif"
	assert_output "roost-helper: unveth: $apid: $NOTOWN"
	run -1 as bob "$HELPER" unveth "$bpid" "$hostif"
	assert_output "roost-helper: unveth: $hostif: $NOTVETH"
	assert_equal "$(roost_links)" "$hostif"
	assert_equal "$(links_in "$apid")" "eth0
lo"
	syslog_since_start | grep -F "uid 1002: refused: unveth: $hostif: $NOTVETH"
}

@test "helper unveth: refuses a veth whose peer is in another netns of the caller's" {
	a=$(userns_target alice --net)
	b=$(userns_target alice --net)
	hostif=$(veth alice "$a" none eth0)
	veth alice "$b" none eth0 >/dev/null
	run -1 as alice "$HELPER" unveth "$b" "$hostif"
	assert_output "roost-helper: unveth: $hostif: $NOTVETH"
	assert_equal "$(roost_links | grep -cx "$hostif")" 1
	assert_equal "$(roost_links | wc -l)" 2
	assert_equal "$(links_in "$a")" "eth0
lo"
}

@test "helper unveth: refuses links that are not roost veths" {
	pid=$(userns_target alice --net)
	veth alice "$pid" br0 eth0 >/dev/null
	before=$(host_links)
	for l in eth9 eth9p br0 br1 lo roost00000000; do
		run -1 as alice "$HELPER" unveth "$pid" "$l"
		assert_output "roost-helper: unveth: $l: $NOTVETH"
	done
	assert_equal "$(host_links)" "$before"
}

@test "helper unveth: refuses a look-alike made by root with another owner's alias" {
	# A roost-named veth with its peer in alice's netns, but created for
	# uid 1002: every field must match, not just the netns.
	pid=$(userns_target alice --net)
	ip link add roost0badbad0 type veth peer name eth0 netns "$pid"
	ip link set roost0badbad0 alias "roost uid=1002 grant=user:bob bridge=none"
	run -1 as alice "$HELPER" unveth "$pid" roost0badbad0
	assert_output "roost-helper: unveth: roost0badbad0: $NOTVETH"
	ip link show roost0badbad0 >/dev/null
	assert_equal "$(links_in "$pid")" "eth0
lo"
}

@test "helper unveth: bad names and arguments are usage errors" {
	pid=$(userns_target alice --net)
	hostif=$(veth alice "$pid" br0 eth0)
	for n in "" a/b abcdefghijklmnop . .. "eth 0"; do
		run -2 as alice "$HELPER" unveth "$pid" "$n"
		assert_output "roost-helper: unveth: $n: bad interface name"
	done
	run -2 as alice "$HELPER" unveth x "$hostif"
	assert_output "roost-helper: unveth: x: bad target (want fd:N or a pid)"
	run -2 as alice "$HELPER" unveth "$pid"
	assert_output "roost-helper: unveth: usage: roost-helper unveth TARGET HOSTIF"
	run -2 as alice "$HELPER" unveth "$pid" "$hostif" extra
	assert_output "roost-helper: unveth: usage: roost-helper unveth TARGET HOSTIF"
	assert_equal "$(roost_links)" "$hostif"
}

# ------------------------------------------------------- route, unroute

@test "helper route: routes granted addresses to the caller's routed veth" {
	pid=$(userns_target alice --net)
	hostif=$(veth alice "$pid" none eth0)
	run -0 --separate-stderr as alice "$HELPER" route "$pid" "$hostif" 192.0.2.9
	assert_output ""
	assert_equal "$stderr" ""
	assert_equal "$(routes_to 192.0.2.9/32)" "192.0.2.9 $hostif static link"
	run -0 as alice "$HELPER" route "$pid" "$hostif" 2001:db8:a::9
	assert_output ""
	assert_equal "$(routes_to 2001:db8:a::9/128 | cut -d' ' -f1-3)" \
	    "2001:db8:a::9 $hostif static"
	# The gateways the container routes through, once per family.
	run -0 as alice "$HELPER" route "$pid" "$hostif" 192.0.2.12/30
	assert_equal "$(routes_to 192.0.2.12/30)" "192.0.2.12/30 $hostif static link"
	run -0 as alice "$HELPER" route "$pid" "$hostif" 2001:db8:a::100/120
	run addrs_of "$hostif"
	assert_equal "$(grep -cx 169.254.0.1/32 <<< "$output")" 1
	assert_equal "$(grep -cx fe80::1/64 <<< "$output")" 1
	assert_equal "$(ip -j -6 addr show dev "$hostif" | jq -r \
	    '.[0].addr_info[] | select(.local == "fe80::1") | .nodad')" true
	assert_equal "$(routes_via 4 "$hostif")" "192.0.2.12/30
192.0.2.9"
	assert_equal "$(routes_via 6 "$hostif" | grep -v '^fe80::')" \
	    "2001:db8:a::100/120
2001:db8:a::9"
	run syslog_since_start
	assert_line --regexp "uid 1001: route: granted: .*192\.0\.2\.9"
}

@test "helper route: the same route again is success and no duplicate" {
	pid=$(userns_target alice --net)
	hostif=$(veth alice "$pid" none eth0)
	as alice "$HELPER" route "$pid" "$hostif" 192.0.2.9
	as alice "$HELPER" route "$pid" "$hostif" 2001:db8:a::9
	run -0 as alice "$HELPER" route "$pid" "$hostif" 192.0.2.9
	assert_output ""
	run -0 as alice "$HELPER" route "$pid" "$hostif" 192.0.2.9/32
	run -0 as alice "$HELPER" route "$pid" "$hostif" 2001:db8:a::9/128
	assert_equal "$(routes_to 192.0.2.9/32)" "192.0.2.9 $hostif static link"
	assert_equal "$(routes_to 2001:db8:a::9/128 | wc -l)" 1
	assert_equal "$(addrs_of "$hostif" | grep -cx 169.254.0.1/32)" 1
	assert_equal "$(addrs_of "$hostif" | grep -cx fe80::1/64)" 1
}

@test "helper route: refuses an address the policy does not grant" {
	pid=$(userns_target alice --net)
	hostif=$(veth alice "$pid" none eth0)
	for a in 192.0.2.16 192.0.2.0/28 192.0.2.0/24 0.0.0.0/1 \
	    2001:db8:b::1 2001:db8:a::/63 10.0.0.1; do
		run -1 as alice "$HELPER" route "$pid" "$hostif" "$a"
		assert_output "roost-helper: route: $a: not granted to you by policy"
	done
	assert_equal "$(routes_via 4 "$hostif")" ""
	assert_equal "$(routes_via 6 "$hostif" | grep -v '^fe80::' || true)" ""
	assert_equal "$(routes_to 192.0.2.16/32)" ""
	# Nothing was prepared for a route that was refused.
	! addrs_of "$hostif" | grep -Ex '169\.254\.0\.1/32|fe80::1/64'
}

@test "helper route: refuses an address overlapping one routed to another user's veth" {
	bpid=$(userns_target bob --net)
	bobif=$(veth bob "$bpid" none eth0)
	as bob "$HELPER" route "$bpid" "$bobif" 192.0.2.17
	apid=$(userns_target alice --net)
	hostif=$(veth alice "$apid" none eth0)
	# Now alice is granted 192.0.2.16/28 (and bob nothing: grants may
	# not overlap in one policy); bob's route stays in the kernel.
	policy - <<-EOF
	[user:alice]
	veth = none 2
	route = 192.0.2.16/28
	EOF
	run -1 as alice "$HELPER" route "$apid" "$hostif" 192.0.2.16/28
	assert_output "roost-helper: route: 192.0.2.16/28: overlaps 192.0.2.17/32 routed to $bobif"
	run -1 as alice "$HELPER" route "$apid" "$hostif" 192.0.2.17
	assert_output "roost-helper: route: 192.0.2.17: overlaps 192.0.2.17/32 routed to $bobif"
	assert_equal "$(routes_via 4 "$hostif")" ""
	assert_equal "$(routes_via 4 "$bobif")" "192.0.2.17"
	# A part that overlaps nothing is fine.
	run -0 as alice "$HELPER" route "$apid" "$hostif" 192.0.2.24/29
	syslog_since_start | grep -F "uid 1001: refused: route: 192.0.2.17: overlaps 192.0.2.17/32 routed to $bobif"
}

@test "helper route: refuses an address already routed to another veth of the caller's" {
	a=$(userns_target alice --net)
	b=$(userns_target alice --net)
	ifa=$(veth alice "$a" none eth0)
	ifb=$(veth alice "$b" none eth0)
	as alice "$HELPER" route "$a" "$ifa" 192.0.2.9
	as alice "$HELPER" route "$a" "$ifa" 2001:db8:a::/112
	run -1 as alice "$HELPER" route "$b" "$ifb" 192.0.2.9
	assert_output "roost-helper: route: 192.0.2.9: overlaps 192.0.2.9/32 routed to $ifa"
	run -1 as alice "$HELPER" route "$b" "$ifb" 2001:db8:a::5
	assert_output "roost-helper: route: 2001:db8:a::5: overlaps 2001:db8:a::/112 routed to $ifa"
	run -1 as alice "$HELPER" route "$b" "$ifb" 192.0.2.8/29
	assert_output "roost-helper: route: 192.0.2.8/29: overlaps 192.0.2.9/32 routed to $ifa"
	assert_equal "$(routes_via 4 "$ifb")" ""
	assert_equal "$(routes_via 6 "$ifb" | grep -v '^fe80::' || true)" ""
	assert_equal "$(routes_to 192.0.2.9/32)" "192.0.2.9 $ifa static link"
}

@test "helper route: refuses another user's veth" {
	bpid=$(userns_target bob --net)
	bobif=$(veth bob "$bpid" none eth0)
	apid=$(userns_target alice --net)
	hostif=$(veth alice "$apid" none eth0)
	run -1 as alice "$HELPER" route "$apid" "$bobif" 192.0.2.9
	assert_output "roost-helper: route: $bobif: $NOTVETH"
	run -1 as alice "$HELPER" route "$bpid" "$bobif" 192.0.2.9
	assert_output "roost-helper: route: $bpid: $NOTOWN"
	# Nor a link that is no roost veth, nor the caller's veth named with
	# the wrong netns.
	for l in eth9 br0 lo; do
		run -1 as alice "$HELPER" route "$apid" "$l" 192.0.2.9
		assert_output "roost-helper: route: $l: $NOTVETH"
	done
	run -1 as alice "$HELPER" route "$bpid" "$hostif" 192.0.2.9
	assert_output "roost-helper: route: $bpid: $NOTOWN"
	assert_equal "$(routes_to 192.0.2.9/32)" ""
	assert_equal "$(addrs_of "$bobif" | grep -c '^169\.254\.' || true)" 0
	assert_equal "$(addrs_of eth9 | grep -c '^169\.254\.' || true)" 0
}

@test "helper route: refuses a veth on a bridge" {
	# Not in the protocol's list of messages (yet): route is for veths
	# made with BRIDGE none.
	pid=$(userns_target alice --net)
	hostif=$(veth alice "$pid" br0 eth0)
	run -1 as alice "$HELPER" route "$pid" "$hostif" 192.0.2.9
	assert_output "roost-helper: route: $hostif: on a bridge (route wants a veth made with BRIDGE none)"
	assert_equal "$(routes_to 192.0.2.9/32)" ""
	! addrs_of "$hostif" | grep -Ex '169\.254\.0\.1/32|fe80::1/64'
}

@test "helper route: sees an overlap behind many routes that are not roost's" {
	bpid=$(userns_target bob --net)
	bobif=$(veth bob "$bpid" none eth0)
	as bob "$HELPER" route "$bpid" "$bobif" 192.0.2.23
	# The admin's own routes inside the prefix alice will ask for, all
	# ahead of bob's in the kernel's order.
	ip link set eth9 up
	for i in $(seq 1 20); do
		ip route add "192.0.2.$i" dev eth9
	done
	apid=$(userns_target alice --net)
	hostif=$(veth alice "$apid" none eth0)
	policy - <<-EOF
	[user:alice]
	veth = none 2
	route = 192.0.2.0/27
	EOF
	run -1 as alice "$HELPER" route "$apid" "$hostif" 192.0.2.0/27
	assert_output "roost-helper: route: 192.0.2.0/27: overlaps 192.0.2.23/32 routed to $bobif"
	assert_equal "$(routes_via 4 "$hostif")" ""
}

@test "helper route: bad addresses are usage errors" {
	pid=$(userns_target alice --net)
	hostif=$(veth alice "$pid" none eth0)
	for a in 300.1.1.1 192.0.2.9/33 192.0.2.9/24 fe80::1/129 "" 192.0.2.9/ \
	    /32 192.0.2.9/032 192.0.2.9/-1 192.0.2.9/x 2001:db8:a::9/64 \
	    "192.0.2.9 " 192.0.2 2001:db8:a:::9 br0; do
		run -2 as alice "$HELPER" route "$pid" "$hostif" "$a"
		assert_output "roost-helper: route: $a: bad address (want ADDR[/LEN])"
	done
	assert_equal "$(routes_via 4 "$hostif")" ""
	run -2 as alice "$HELPER" route "$pid" "$hostif"
	assert_output "roost-helper: route: usage: roost-helper route TARGET HOSTIF ADDR[/LEN]"
	run -2 as alice "$HELPER" route "$pid" "a/b" 192.0.2.9
	assert_output "roost-helper: route: a/b: bad interface name"
	run -2 as alice "$HELPER" unroute "$pid" "$hostif" 192.0.2.9/24
	assert_output "roost-helper: unroute: 192.0.2.9/24: bad address (want ADDR[/LEN])"
	run -2 as alice "$HELPER" unroute "$pid" "$hostif"
	assert_output "roost-helper: unroute: usage: roost-helper unroute TARGET HOSTIF ADDR[/LEN]"
}

@test "helper unroute: removes exactly that route" {
	pid=$(userns_target alice --net)
	hostif=$(veth alice "$pid" none eth0)
	for a in 192.0.2.9 192.0.2.10 2001:db8:a::9 2001:db8:a::10; do
		as alice "$HELPER" route "$pid" "$hostif" "$a"
	done
	run -0 --separate-stderr as alice "$HELPER" unroute "$pid" "$hostif" 192.0.2.9
	assert_output ""
	assert_equal "$stderr" ""
	assert_equal "$(routes_via 4 "$hostif")" "192.0.2.10"
	run -0 as alice "$HELPER" unroute "$pid" "$hostif" 2001:db8:a::10/128
	assert_equal "$(routes_via 6 "$hostif" | grep -v '^fe80::')" "2001:db8:a::9"
	run syslog_since_start
	assert_line --regexp "uid 1001: unroute: granted: .*192\.0\.2\.9"
	# Routed again after that: fine.
	run -0 as alice "$HELPER" route "$pid" "$hostif" 192.0.2.9
	assert_equal "$(routes_to 192.0.2.9/32)" "192.0.2.9 $hostif static link"
}

@test "helper unroute: refuses a route that is not on HOSTIF" {
	bpid=$(userns_target bob --net)
	bobif=$(veth bob "$bpid" none eth0)
	as bob "$HELPER" route "$bpid" "$bobif" 192.0.2.17
	apid=$(userns_target alice --net)
	hostif=$(veth alice "$apid" none eth0)
	as alice "$HELPER" route "$apid" "$hostif" 192.0.2.9
	run -1 as alice "$HELPER" unroute "$apid" "$hostif" 192.0.2.11
	assert_output "roost-helper: unroute: 192.0.2.11: not routed to $hostif"
	run -1 as alice "$HELPER" unroute "$apid" "$hostif" 192.0.2.8/29
	assert_output "roost-helper: unroute: 192.0.2.8/29: not routed to $hostif"
	run -1 as alice "$HELPER" unroute "$apid" "$hostif" 192.0.2.17
	assert_output "roost-helper: unroute: 192.0.2.17: not routed to $hostif"
	# bob's route through bob's veth is not alice's to remove.
	run -1 as alice "$HELPER" unroute "$apid" "$bobif" 192.0.2.17
	assert_output "roost-helper: unroute: $bobif: $NOTVETH"
	run -1 as alice "$HELPER" unroute "$bpid" "$bobif" 192.0.2.17
	assert_output "roost-helper: unroute: $bpid: $NOTOWN"
	assert_equal "$(routes_via 4 "$bobif")" "192.0.2.17"
	assert_equal "$(routes_via 4 "$hostif")" "192.0.2.9"
	# Nor a route root made to a link that is no roost veth.
	ip link set eth9 up
	ip route add 198.51.100.1 dev eth9
	run -1 as alice "$HELPER" unroute "$apid" eth9 198.51.100.1
	assert_output "roost-helper: unroute: eth9: $NOTVETH"
	assert_equal "$(routes_to 198.51.100.1/32 | cut -d' ' -f1-2)" "198.51.100.1 eth9"
}

@test "helper route: a routed veth carries traffic to the container" {
	pid=$(userns_target alice --net --map-root-user)
	hostif=$(veth alice "$pid" none eth0)
	as alice "$HELPER" route "$pid" "$hostif" 192.0.2.9
	# The container side, as the front-end would set it up.
	in_ct() {
		as alice nsenter -t "$pid" -U -n --preserve-credentials "$@"
	}
	in_ct ip addr add 192.0.2.9/32 dev eth0
	in_ct ip link set eth0 up
	in_ct ip route add 169.254.0.1/32 dev eth0 scope link
	in_ct ip route add default via 169.254.0.1 dev eth0
	run -0 busybox ping -c 1 -W 5 192.0.2.9
	assert_output --partial "1 packets received"
	# Unrouted, the host no longer reaches it.
	as alice "$HELPER" unroute "$pid" "$hostif" 192.0.2.9
	run busybox ping -c 1 -W 1 192.0.2.9
	assert_failure
}

# --------------------------------------------------------------- syslog

@test "helper net ops: every refusal goes to syslog with the caller's uid" {
	apid=$(userns_target alice --net)
	bpid=$(userns_target bob --net)
	dpid=$(userns_target dave --net)
	hostif=$(veth alice "$apid" none eth0)
	run -1 veth alice "$bpid" br0 eth0
	run -1 veth alice "$apid" br1 eth0
	run -2 veth alice "$apid" br0 a/b
	run -1 veth dave "$dpid" none eth0
	run -1 as alice "$HELPER" route "$apid" "$hostif" 192.0.2.16
	run -1 as alice "$HELPER" unroute "$apid" "$hostif" 192.0.2.9
	run -1 as bob "$HELPER" unveth "$bpid" "$hostif"
	run -1 as bob "$HELPER" route "$bpid" "$hostif" 192.0.2.17
	run syslog_since_start
	assert_line --partial "uid 1001: refused: veth: $bpid: $NOTOWN"
	assert_line --partial "uid 1001: refused: veth: br1: not granted to you by policy"
	assert_line --partial "uid 1001: refused: veth: a/b: bad interface name"
	assert_line --partial "uid 1004: refused: veth: none: not granted to you by policy"
	assert_line --partial "uid 1001: refused: route: 192.0.2.16: not granted to you by policy"
	assert_line --partial "uid 1001: refused: unroute: 192.0.2.9: not routed to $hostif"
	assert_line --partial "uid 1002: refused: unveth: $hostif: $NOTVETH"
	assert_line --partial "uid 1002: refused: route: $hostif: $NOTVETH"
}
