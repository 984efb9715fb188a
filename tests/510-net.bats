#!/usr/bin/env bats
# roost run --net and roost net, end to end: real veths made by the setuid
# helper, configured inside by roost, and real traffic between containers
# and the sandbox's root.  Everything is in the sandbox's private network
# namespace; teardown removes the bridges and any veth the helper made.

load helpers

setup_file() {
	BBN=$ROOST_R/busybox-net
	export BBN
	[ -d "$BBN" ] && return 0
	mkdir -p "$BBN/bin" "$BBN/proc" "$BBN/sys" "$BBN/dev" "$BBN/tmp" \
	    "$BBN/mnt"
	cp /bin/busybox "$BBN/bin/"
	for c in sh cat ls sleep echo ip ping ping6 grep readlink touch; do
		ln -s busybox "$BBN/bin/$c"
	done
}

setup() {
	syslog_mark
	rm -rf /etc/roost
	install -d -m 0755 /etc/roost
	policy "$FIX/etc/policy-net.conf"
	ip link set lo up
	# The sandbox root's own addresses, for the containers to reach.
	ip addr replace 10.9.9.1/32 dev lo
	ip -6 addr replace 2001:db8:ff::1/128 dev lo
	ip link add br0 type bridge
	ip addr add 10.9.0.1/24 dev br0
	ip link set br0 up
	ip link add br1 type bridge	# granted to nobody
	install -d -m 0777 "$ROOST_R/net-shared"
	rm -f "$ROOST_R/net-shared"/*
}

teardown() {
	local l
	teardown_targets
	teardown_containers
	wait_for 5 no_roost_links || true
	for l in $(roost_links); do
		ip link del "$l" 2>/dev/null || true
	done
	ip link del br0 2>/dev/null || true
	ip link del br1 2>/dev/null || true
	ip addr del 10.9.9.1/32 dev lo 2>/dev/null || true
	ip -6 addr del 2001:db8:ff::1/128 dev lo 2>/dev/null || true
}

# ping_until ARG...: busybox ping, retried for up to 5 s (a new link's
# neighbours take a moment).
ping_until() {
	local i
	for i in $(seq 10); do
		busybox ping -c 1 -W 1 "$@" >/dev/null 2>&1 && return 0
		sleep 0.5
	done
	return 1
}

@test "run --net bridge: two containers on one bridge ping each other" {
	for n in 2 3; do
		peer=$((5 - n))
		run -0 as alice roost run -d --name b$n --rootfs "$BBN" \
		    --bind "$ROOST_R/net-shared:/mnt" \
		    --net bridge:br0,addr=10.9.0.$n/24 -- sh -c "
			i=0
			until ping -c 1 -W 1 10.9.0.$peer >/dev/null; do
				i=\$((i + 1)); [ \$i -lt 20 ] || exit 1
			done
			touch /mnt/b$n; sleep 30"
	done
	for i in $(seq 100); do
		[ -e "$ROOST_R/net-shared/b2" ] && [ -e "$ROOST_R/net-shared/b3" ] &&
		    break
		sleep 0.1
	done
	assert_file_exists "$ROOST_R/net-shared/b2"
	assert_file_exists "$ROOST_R/net-shared/b3"
	ping_until 10.9.0.2
}

@test "run --net bridge: the interface is up with its address and gateway" {
	run -0 as alice roost run --rootfs "$BBN" \
	    --net bridge:br0,addr=10.9.0.4/24,gw=10.9.0.1 -- \
	    sh -c 'cat /sys/class/net/eth0/operstate; ip -4 -o addr show dev eth0; ip route'
	assert_line --index 0 up
	assert_line --index 1 --regexp '^2: eth0 +inet 10\.9\.0\.4/24 .*scope global eth0'
	assert_line --regexp '^default via 10\.9\.0\.1 dev eth0'
	assert_line --regexp '^10\.9\.0\.0/24 dev eth0 '

}

@test "run --net routed: the host reaches the container over IPv4 and IPv6" {
	run -0 as alice roost run -d --name r1 --rootfs "$BBN" \
	    --net routed:192.0.2.9,2001:db8:a::9 -- sleep 30
	ping_until 192.0.2.9
	ping_until 2001:db8:a::9
}

@test "run --net routed: the container reaches the host over IPv4 and IPv6" {
	run -0 as alice roost run --rootfs "$BBN" \
	    --net routed:192.0.2.10,2001:db8:a::10 -- sh -c '
		for a in 10.9.9.1 2001:db8:ff::1; do
			i=0
			until ping -c 1 -W 1 $a >/dev/null; do
				i=$((i + 1)); [ $i -lt 10 ] || exit 1
			done
			echo reached $a
		done'
	assert_output "reached 10.9.9.1
reached 2001:db8:ff::1"
}

@test "run --net routed: /32 and /128 addresses, routes through the link-local gateways" {
	run -0 as alice roost run --rootfs "$BBN" \
	    --net routed:192.0.2.11,2001:db8:a::11 -- sh -c '
		ip -o addr show dev eth0 | grep -v fe80 | sed "s/ *valid.*//"
		ip route; ip -6 route show default'
	assert_line --regexp '^2: eth0 +inet 192\.0\.2\.11/32 scope global eth0'
	# busybox ip prints IFA_F_NODAD as "flags 02".
	assert_line --regexp '^2: eth0 +inet6 2001:db8:a::11/128 scope global (nodad|flags 02)'
	assert_line --regexp '^default via 169\.254\.0\.1 dev eth0'
	assert_line --regexp '^169\.254\.0\.1 dev eth0 .*scope link'
	assert_line --regexp '^default via fe80::1 dev eth0'
}

@test "run --net routed: ADDR/LEN routes the prefix and assigns ADDR" {
	run -0 as alice roost run -d --name r2 --rootfs "$BBN" \
	    --net routed:192.0.2.9/30 -- sleep 30
	run -0 ip -4 route show 192.0.2.8/30
	assert_output --regexp '^192\.0\.2\.8/30 dev roost[0-9a-f]{8} '
	run -0 as alice roost net ls r2
	assert_line --index 1 --regexp '^eth0 +roost[0-9a-f]{8} +routed +192\.0\.2\.9/32$'
	ping_until 192.0.2.9
}

@test "run --net none: only lo; --net host: the host's network namespace" {
	run -0 as alice roost run --rootfs "$BBN" --net none -- ls /sys/class/net
	assert_output lo
	run -0 as alice roost run --rootfs "$BBN" --net host -- readlink /proc/self/ns/net
	assert_output "$(readlink /proc/self/ns/net)"
}

@test "run --net: several specs give several interfaces, named in order" {
	run -0 as alice roost run --rootfs "$BBN" \
	    --net bridge:br0,addr=10.9.0.7/24 --net routed:192.0.2.12 \
	    --net bridge:br0,name=lan -- sh -c 'ls /sys/class/net; ip -4 -o addr show | grep -v " lo "'
	assert_line --index 0 eth0
	assert_line --index 1 eth1
	assert_line --index 2 lan
	assert_line --index 3 lo
	assert_line --partial "eth0    inet 10.9.0.7/24"
	assert_line --partial "eth1    inet 192.0.2.12/32"
	refute_line --partial "lan    inet"
}

@test "run --net: a bridge not granted is refused by the helper, nothing left" {
	run -1 as alice roost run --rootfs "$BBN" --net bridge:br1 -- true
	assert_output "roost-helper: veth: br1: not granted to you by policy"
	wait_for 5 no_roost_links
	run -1 as alice roost run -d --rootfs "$BBN" --net bridge:br0 \
	    --net bridge:br1 -- sleep 30
	assert_output "roost-helper: veth: br1: not granted to you by policy"
	wait_for 5 no_roost_links
	run -0 as alice roost ls
	assert_output --regexp '^NAME +PID +STATE +NETWORK +UPTIME +COMMAND$'
}

@test "run --net: an address not granted is refused by the helper, nothing left" {
	run -1 as alice roost run --rootfs "$BBN" \
	    --net routed:192.0.2.9,192.0.2.99 -- true
	assert_output "roost-helper: route: 192.0.2.99: not granted to you by policy"
	wait_for 5 no_roost_links
	run -1 as bob roost run --rootfs "$BBN" --net routed:192.0.2.9 -- true
	assert_output "roost-helper: route: 192.0.2.9: not granted to you by policy"
	wait_for 5 no_roost_links
	run -0 ip -4 route show 192.0.2.9
	assert_output ""
}

@test "run --net: an end the container cannot configure fails the start, nothing left" {
	run -1 as alice roost run --rootfs "$BBN" \
	    --net bridge:br0,addr=10.9.0.2/24,addr=10.9.0.2/24 -- touch /tmp/ran
	assert_output "roost: run: eth0: cannot add 10.9.0.2/24: File exists"
	run -1 as alice roost run -d --rootfs "$BBN" \
	    --net bridge:br0,gw=10.9.0.1 -- sleep 30
	assert_output "roost: run: eth0: cannot add a default route via 10.9.0.1: Network is unreachable"
	wait_for 5 no_roost_links
}

@test "run --net: the host end disappears once the container has exited" {
	run -0 as alice roost run --rootfs "$BBN" --net bridge:br0 -- \
	    cat /sys/class/net/eth0/iflink
	index=$output
	for i in $(seq 50); do
		ip link show | grep -q "^$index: " || break
		sleep 0.1
	done
	run ip link show
	refute_line --regexp "^$index: "
	wait_for 5 no_roost_links
}

@test "net add, ls, del: veths on a running container" {
	run -0 as alice roost run -d --name n1 --rootfs "$BBN" \
	    --net bridge:br0,addr=10.9.0.8/24 -- sleep 30
	run -0 as alice roost net add n1 routed:192.0.2.13,2001:db8:a::13
	assert_output --regexp '^eth1 roost[0-9a-f]{8}$'
	routed_host=${output#eth1 }
	run -0 as alice roost net add n1 bridge:br0,name=lan0,addr=10.9.0.9/24
	assert_output --regexp '^lan0 roost[0-9a-f]{8}$'
	lan_host=${output#lan0 }
	run -0 as alice roost net ls n1
	assert_line --index 0 --regexp '^IF +HOST +BRIDGE +ADDRESSES$'
	assert_line --index 1 --regexp '^eth0 +roost[0-9a-f]{8} +br0 +10\.9\.0\.8/24$'
	assert_line --index 2 --regexp "^eth1 +$routed_host +routed +192\.0\.2\.13/32,2001:db8:a::13/128$"
	assert_line --index 3 --regexp "^lan0 +$lan_host +br0 +10\.9\.0\.9/24$"
	ping_until 192.0.2.13
	ping_until 2001:db8:a::13
	ping_until 10.9.0.9
	run -0 as alice roost net del n1 eth1
	assert_output ""
	run -0 as alice roost net del n1 "$lan_host"
	run -0 as alice roost net ls n1
	assert_equal "${#lines[@]}" 2
	assert_line --index 1 --regexp '^eth0 +roost[0-9a-f]{8} +br0 +10\.9\.0\.8/24$'
	run ip link show "$routed_host"
	assert_failure
	run ip link show "$lan_host"
	assert_failure
}

@test "net add, ls: a container without a pid namespace, through its pid 1" {
	run -0 as alice roost run -d --name n4 --ns user,mnt,net --rootfs "$BBN" \
	    -- sleep 30
	run -0 as alice roost net add n4 routed:192.0.2.15
	assert_output --regexp '^eth0 roost[0-9a-f]{8}$'
	run -0 as alice roost net ls n4
	assert_line --index 1 --regexp '^eth0 +roost[0-9a-f]{8} +routed +192\.0\.2\.15/32$'
	ping_until 192.0.2.15
}

@test "net add: a refusal exits 1 with the helper's message, nothing left" {
	run -0 as alice roost run -d --name n2 --rootfs "$BBN" -- sleep 30
	run -1 as alice roost net add n2 bridge:br1
	assert_output "roost-helper: veth: br1: not granted to you by policy"
	run -1 as alice roost net add n2 routed:192.0.2.14,192.0.2.99
	assert_output "roost-helper: route: 192.0.2.99: not granted to you by policy"
	run -0 roost_links
	assert_output ""
	run -0 as alice roost net ls n2
	assert_output --regexp '^IF +HOST +BRIDGE +ADDRESSES$'
}

@test "net: another user's container, or none, is not found; unknown interfaces are the helper's to refuse" {
	run -0 as alice roost run -d --name n3 --rootfs "$BBN" \
	    --net bridge:br0 -- sleep 30
	run -1 as bob roost net ls n3
	assert_output "roost: net: n3: no such container"
	run -1 as alice roost net add nosuch bridge:br0
	assert_output "roost: net: nosuch: no such container"
	run -1 as alice roost net del n3 eth7
	assert_output "roost-helper: unveth: eth7: not a veth of yours in that network namespace"
	run -1 as alice roost net del n3 lo
	assert_output "roost-helper: unveth: lo: not a veth of yours in that network namespace"
}

@test "run --net: usage errors exit 2 with one line" {
	run -2 as alice roost run --net wifi -- true
	assert_output "roost: run: --net: none, host, bridge:BR[,...] or routed:ADDR[,...] expected, got 'wifi' (see roost run --help)"
	run -2 as alice roost run --net none --net bridge:br0 -- true
	assert_output "roost: run: --net: none and host cannot be combined with another --net (see roost run --help)"
	run -2 as alice roost run --net bridge:br0 --net host -- true
	assert_output "roost: run: --net: none and host cannot be combined with another --net (see roost run --help)"
	run -2 as alice roost run --net bridge:br0,addr=10.9.0.2 -- true
	assert_output "roost: run: --net: address without /LEN '10.9.0.2' in 'bridge:br0,addr=10.9.0.2' (see roost run --help)"
	run -2 as alice roost run --net routed:192.0.2.300 -- true
	assert_output "roost: run: --net: bad address '192.0.2.300' in 'routed:192.0.2.300' (see roost run --help)"
	run -2 as alice roost run --net routed:192.0.2.9/33 -- true
	assert_output "roost: run: --net: bad address '192.0.2.9/33' in 'routed:192.0.2.9/33' (see roost run --help)"
	run -2 as alice roost run --net routed: -- true
	assert_output "roost: run: --net: no address in 'routed:' (see roost run --help)"
	run -2 as alice roost run --net bridge: -- true
	assert_output "roost: run: --net: bad bridge name '' in 'bridge:' (see roost run --help)"
	run -2 as alice roost run --net bridge:br0,mtu=9000 -- true
	assert_output "roost: run: --net: unknown option 'mtu=9000' in 'bridge:br0,mtu=9000' (see roost run --help)"
	run -2 as alice roost run --net routed:192.0.2.9,name=a/b -- true
	assert_output "roost: run: --net: bad interface name 'a/b' in 'routed:192.0.2.9,name=a/b' (see roost run --help)"
	run -2 as alice roost run --net bridge:br0,gw=10.9.0.1,gw=10.9.0.2 -- true
	assert_output "roost: run: --net: a second gateway '10.9.0.2' in 'bridge:br0,gw=10.9.0.1,gw=10.9.0.2' (see roost run --help)"
	run -2 as alice roost run --net bridge:br0,name=x --net routed:192.0.2.9,name=x -- true
	assert_output "roost: run: --net: interface name 'x' given twice (see roost run --help)"
	run -0 roost_links
	assert_output ""
}

@test "net: usage errors exit 2 with one line" {
	run -2 as alice roost net
	assert_output "roost: net: no subcommand given (see roost net --help)"
	run -2 as alice roost net frob
	assert_output "roost: net: frob: unknown subcommand (see roost net --help)"
	run -2 as alice roost net add n1
	assert_output "roost: net: add: NAME and SPEC expected (see roost net --help)"
	run -2 as alice roost net add n1 none
	assert_output "roost: net: add: bridge:BR[,...] or routed:ADDR[,...] expected, got 'none' (see roost net --help)"
	run -2 as alice roost net add n1 bridge:br0,addr=1.2.3/8
	assert_output "roost: net: add: bad address '1.2.3/8' in 'bridge:br0,addr=1.2.3/8' (see roost net --help)"
	run -2 as alice roost net del n1
	assert_output "roost: net: del: NAME and IF expected (see roost net --help)"
	run -2 as alice roost net del n1 ../x
	assert_output "roost: net: del: bad interface name '../x' (see roost net --help)"
	run -2 as alice roost net ls
	assert_output "roost: net: ls: NAME expected (see roost net --help)"
	run -2 as alice roost net ls 'a b'
	assert_output "roost: net: a b: invalid container name (see roost net --help)"
	run -0 as alice roost net --help
	assert_line --index 0 "usage: roost net add NAME SPEC"
}
