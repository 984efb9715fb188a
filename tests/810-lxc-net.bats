#!/usr/bin/env bats
# LXC networking through roost: the lxc-user-nic personality (LXC's exact
# protocol, backed by roost-helper veth/unveth and the policy) and
# `roost lxc-hook` (routes a routed veth's addresses through the helper),
# then real unprivileged LXC containers using both.

load helpers

eval "base_$(declare -f setup)"
eval "base_$(declare -f teardown)"

USERNIC=/usr/libexec/lxc/lxc-user-nic

setup() {
	base_setup
	policy "$FIX/etc/policy-net.conf"
	ip link add br0 type bridge
	ip addr add 10.77.0.1/24 dev br0
	ip link set br0 up
	ip link add br1 type bridge
	ip link set br1 up
}


teardown() {
	local l
	if [ -n "${LXC_CT:-}" ]; then
		as alice lxc-stop -n "$LXC_CT" -k >/dev/null 2>&1 || true
		as alice lxc-destroy -n "$LXC_CT" >/dev/null 2>&1 || true
	fi
	if mountpoint -q "$USERNIC" 2>/dev/null; then
		umount "$USERNIC"
	fi
	base_teardown
	for l in $(roost_links) br0 br1; do
		ip link del "$l" 2>/dev/null || true
	done
}

# An unprivileged LXC busybox container of alice's, named $LXC_CT, with
# roost's lxc-user-nic over LXC's fixed path in this mount namespace and
# the lxc.net.0 lines given on stdin.
lxc_container() {
	command -v lxc-start >/dev/null || skip "lxc is not installed"
	[ -e "$USERNIC" ] || skip "$USERNIC is not installed"
	mount --bind "$ROOST" "$USERNIC"
	chmod 0711 /home/alice
	{
		cat <<-'EOF'
		lxc.include = /etc/lxc/default.conf
		lxc.idmap = u 0 100000 65536
		lxc.idmap = g 0 100000 65536
		lxc.apparmor.profile = unconfined
		lxc.net.0.type = veth
		lxc.net.0.flags = up
		EOF
		cat
	} | as alice sh -c 'mkdir -p ~/.config/lxc ~/.local/share/lxc &&
	    chmod 0711 ~/.local ~/.local/share &&
	    cat > ~/.config/lxc/default.conf'
	LXC_CT=roost-net
	run -0 as alice lxc-create -t busybox -n "$LXC_CT"
	# The template's rcS runs udhcpc, which would flush LXC's addresses.
	rcs=/home/alice/.local/share/lxc/$LXC_CT/rootfs/etc/init.d/rcS
	sed '/udhcpc/d' "$rcs" > "$BATS_TEST_TMPDIR/rcS"
	cat "$BATS_TEST_TMPDIR/rcS" > "$rcs"	# keeps the file's owner
	run -0 as alice lxc-start -n "$LXC_CT" -d -l INFO \
	    -o /home/alice/lxc.log
}

@test "lxc-user-nic: create prints exactly NIC:IFINDEX:HOSTIF:HOSTIFINDEX and nothing else" {
	pid=$(userns_target alice --net --map-root-user)
	out=$BATS_TEST_TMPDIR/out
	as alice lxc-user-nic create xx xx "$pid" veth br0 > "$out" 2>&1
	run -0 cat "$out"
	assert_output --regexp '^eth0:[0-9]+:roost[0-9a-f]{8}:[0-9]+$'
	# One line, its newline, not a byte more.
	assert_equal "$(wc -c < "$out")" "$((${#output} + 1))"
	IFS=: read -r nic cidx hostif hidx <<< "$output"
	run -0 ip -o link show "$hostif"
	assert_output --regexp "^$hidx: $hostif@if$cidx: <([^>]*,)?UP[,>].* master br0 "
	run -0 nsenter -t "$pid" -n ip -o link show "$nic"
	assert_output --regexp "^$cidx: eth0@if$hidx: "
}

@test "lxc-user-nic: names the first free ethN, or the NICNAME given; the 5th veth on br0 is over alice's quota" {
	pid=$(userns_target alice --net --map-root-user)
	run -0 --separate-stderr as alice lxc-user-nic create xx xx "$pid" veth br0
	assert_output --regexp '^eth0:'
	run -0 --separate-stderr as alice lxc-user-nic create xx xx "$pid" veth br0 net1
	assert_output --regexp '^net1:'
	run -0 --separate-stderr as alice lxc-user-nic create xx xx "$pid" veth br0
	assert_output --regexp '^eth1:'
	run -0 --separate-stderr as alice lxc-user-nic create xx xx "$pid" veth br0
	assert_output --regexp '^eth2:'
	run -1 as alice lxc-user-nic create xx xx "$pid" veth br0
	assert_output "roost-helper: veth: br0: quota of 4 reached"
	assert_equal "$(roost_links | wc -l)" 4
	run -0 nsenter -t "$pid" -n ip -o link show
	refute_output --partial eth3
}

@test "lxc-user-nic: refuses a bridge not granted, another user's pid, the host netns, a bad name or type, bad usage; creates nothing" {
	pid=$(userns_target alice --net --map-root-user)
	run -1 as alice lxc-user-nic create xx xx "$pid" veth br1
	assert_output "roost-helper: veth: br1: not granted to you by policy"
	bobs=$(userns_target bob --net --map-root-user)
	run -1 as alice lxc-user-nic create xx xx "$bobs" veth br0
	assert_output "lxc-user-nic: $bobs: not a process in a network namespace you own"
	host=$(host_target alice)
	run -1 as alice lxc-user-nic create xx xx "$host" veth br0
	assert_output "lxc-user-nic: $host: not a process in a network namespace you own"
	run -1 as alice lxc-user-nic create xx xx "$pid" veth br0 a-name-too-long-for-linux
	assert_output "lxc-user-nic: a-name-too-long-for-linux: bad interface name"
	run -1 as alice lxc-user-nic create xx xx "$pid" macvlan br0
	assert_output "lxc-user-nic: macvlan: only veth is supported"
	run -1 as alice lxc-user-nic create xx xx "$pid" veth
	assert_output "lxc-user-nic: usage: lxc-user-nic create LXCPATH NAME PID veth LINK [NICNAME] | delete LXCPATH NAME NETNS veth LINK HOSTIF"
	run -1 as alice lxc-user-nic delete xx xx "/proc/$pid/ns/net" veth br0
	assert_output --partial "lxc-user-nic: usage: "
	assert_equal "$(roost_links)" ""
}

@test "lxc-user-nic: delete removes the caller's veth in that netns only; a veth already gone is success" {
	a=$(userns_target alice --net --map-root-user)
	b=$(userns_target alice --net --map-root-user)
	run -0 --separate-stderr as alice lxc-user-nic create xx xx "$a" veth none
	IFS=: read -r _ _ hostif _ <<< "$output"
	run -1 as alice lxc-user-nic delete xx xx "/proc/$b/ns/net" veth none "$hostif"
	assert_output "roost-helper: unveth: $hostif: not a veth of yours in that network namespace"
	run -1 as bob lxc-user-nic delete xx xx "/proc/$a/ns/net" veth none "$hostif"
	assert_output "lxc-user-nic: /proc/$a/ns/net: not a network namespace you own"
	assert_equal "$(roost_links)" "$hostif"
	run -0 --separate-stderr as alice lxc-user-nic delete xx xx "/proc/$a/ns/net" veth none "$hostif"
	assert_output ""
	assert_equal "$stderr" ""
	assert_equal "$(roost_links)" ""
	run -0 as alice lxc-user-nic delete xx xx "/proc/$a/ns/net" veth none "$hostif"
}

@test "lxc-hook: routes the netdev's addresses to its host end, and refuses one the policy does not grant" {
	pid=$(userns_target alice --net --map-root-user)
	run -0 --separate-stderr as alice lxc-user-nic create xx xx "$pid" veth none
	IFS=: read -r _ _ hostif _ <<< "$output"
	conf=/home/alice/config
	as alice sh -c "cat > $conf" <<-EOF
	lxc.net.0.type = veth
	lxc.net.0.link = br0
	lxc.net.1.type = veth
	lxc.net.1.link = none
	lxc.net.1.ipv4.address = 192.0.2.10/32
	lxc.net.1.ipv6.address = 2001:db8:a::10/64
	EOF
	run -0 --separate-stderr as alice env LXC_CONFIG_FILE="$conf" \
	    LXC_PID="$pid" LXC_HOOK_VERSION=0 roost lxc-hook ct net up veth none "$hostif"
	assert_output ""
	assert_equal "$stderr" ""
	run -0 ip route show 192.0.2.10/32
	assert_output --regexp "^192.0.2.10 dev $hostif "
	run -0 ip -6 route show 2001:db8:a::10/128
	assert_output --regexp "^2001:db8:a::10 dev $hostif "
	# Hook version 1: the type in the environment, three arguments.
	sed -i 's/192.0.2.10/198.51.100.7/; /ipv6/d' "$conf"
	run -1 as alice env LXC_CONFIG_FILE="$conf" LXC_PID="$pid" \
	    LXC_HOOK_VERSION=1 LXC_HOOK_TYPE=up roost lxc-hook veth none "$hostif"
	assert_output "roost-helper: route: 198.51.100.7/32: not granted to you by policy"
	run -0 ip route show 198.51.100.7/32
	assert_output ""
	run -0 as alice env LXC_CONFIG_FILE="$conf" LXC_PID="$pid" \
	    LXC_HOOK_VERSION=1 LXC_HOOK_TYPE=down roost lxc-hook veth none "$hostif"
}

@test "lxc: an unprivileged LXC container gets its veth on br0 from roost's lxc-user-nic and pings the bridge" {
	lxc_container <<-'EOF'
	lxc.net.0.link = br0
	lxc.net.0.ipv4.address = 10.77.0.2/24
	EOF
	run -0 roost_links
	assert_equal "${#lines[@]}" 1
	run -0 ip -o link show "${lines[0]}"
	assert_output --partial " master br0 "
	run -0 as alice lxc-attach -n "$LXC_CT" -- ping -c1 -W2 10.77.0.1
	run -0 as alice lxc-stop -n "$LXC_CT" -k
	wait_for 5 no_roost_links
	run grep -E 'lxc-user-nic failed|ERROR +network' /home/alice/lxc.log
	assert_output ""
}

@test "lxc: with roost lxc-hook as script.up, a routed LXC container at 192.0.2.10 is reachable from the host" {
	lxc_container <<-EOF
	lxc.net.0.link = none
	lxc.net.0.ipv4.address = 192.0.2.10/32
	lxc.net.0.ipv4.gateway = 169.254.0.1
	lxc.net.0.ipv6.address = 2001:db8:a::10/128
	lxc.net.0.ipv6.gateway = fe80::1
	lxc.net.0.script.up = $ROOST lxc-hook
	EOF
	hostif=$(roost_links)
	run -0 ip route show 192.0.2.10/32
	assert_output --regexp "^192.0.2.10 dev $hostif "
	run -0 ip -6 route show 2001:db8:a::10/128
	assert_output --regexp "^2001:db8:a::10 dev $hostif "
	run -0 busybox ping -c1 -W2 192.0.2.10
	run -0 as alice lxc-stop -n "$LXC_CT" -k
	wait_for 5 no_roost_links
	run -0 ip route show 192.0.2.10/32
	assert_output ""
	run grep -E 'lxc-user-nic failed|ERROR +network' /home/alice/lxc.log
	assert_output ""
}
