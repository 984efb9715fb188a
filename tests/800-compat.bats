#!/usr/bin/env bats
# newuidmap/newgidmap personalities: shadow's protocol, roost's policy, and
# the real clients that find them through PATH.

load helpers

@test "compat: newuidmap with no arguments prints usage and exits 1 (mmdebstrap's probe)" {
	run -1 as alice newuidmap
	assert_output "newuidmap: usage: newuidmap PID|fd:N INSIDE OUTSIDE COUNT [INSIDE OUTSIDE COUNT]..."
	run -1 as alice newgidmap
	assert_output "newgidmap: usage: newgidmap PID|fd:N INSIDE OUTSIDE COUNT [INSIDE OUTSIDE COUNT]..."
}

@test "compat: the compat names are symlinks to the setuid helper" {
	assert_equal "$(readlink -f "$COMPAT/newuidmap")" "$(readlink -f "$HELPER")"
	assert_equal "$(readlink -f "$COMPAT/newgidmap")" "$(readlink -f "$HELPER")"
	assert_equal "$(stat -c '%U %a' "$HELPER")" "root 4755"
}

@test "compat: newuidmap then newgidmap write the maps, nothing on stdout" {
	pid=$(userns_target alice)
	run -0 --separate-stderr as alice newuidmap "$pid" 0 100000 65536 65536 1001 1
	assert_output ""
	assert_equal "$stderr" ""
	run -0 --separate-stderr as alice newgidmap "$pid" 0 100000 65536
	assert_output ""
	assert_equal "$(maps_of "$pid")" \
	    "uid:0 100000 65536;65536 1001 1; gid:0 100000 65536; setgroups:allow"
}

@test "compat: newgidmap of only the caller's own gid denies setgroups" {
	pid=$(userns_target dave)
	run -0 as dave newgidmap "$pid" 0 1004 1
	assert_equal "$(maps_of "$pid")" "uid: gid:0 1004 1; setgroups:deny"
}

@test "compat: the fd:N form is accepted" {
	pid=$(userns_target alice)
	run -0 as alice sh -c "exec 7</proc/$pid; newuidmap fd:7 0 100000 65536"
	assert_equal "$(maps_of "$pid")" "uid:0 100000 65536; gid: setgroups:allow"
}

@test "compat: newuidmap refuses ranges outside the policy, exit 1" {
	pid=$(userns_target alice)
	run -1 as alice newuidmap "$pid" 0 300000 65536
	assert_output "newuidmap: u:0:300000:65536: uids 300000-365535 not granted to you"
	assert_unmapped "$pid"
}

@test "compat: malformed triplets are refused with exit 1" {
	pid=$(userns_target alice)
	run -1 as alice newuidmap "$pid" 0 0x186a0 1
	assert_output "newuidmap: 0 0x186a0 1: bad range (want decimal INSIDE OUTSIDE COUNT)"
	run -1 as alice newuidmap "$pid" 0 100000
	assert_output "newuidmap: usage: newuidmap PID|fd:N INSIDE OUTSIDE COUNT [INSIDE OUTSIDE COUNT]..."
	run -1 as alice newuidmap "$pid"
	assert_output "newuidmap: usage: newuidmap PID|fd:N INSIDE OUTSIDE COUNT [INSIDE OUTSIDE COUNT]..."
	assert_unmapped "$pid"
}

@test "compat: util-linux unshare --map-auto gets the full map through PATH" {
	run -0 as alice unshare --map-auto cat /proc/self/uid_map /proc/self/gid_map
	assert_equal "$(echo "$output" | tr -s ' ' | sed 's/^ //')" "0 100000 65536
0 100000 65536"
}

@test "compat: lxc-usernsexec maps through the setuid compat newuidmap" {
	command -v lxc-usernsexec >/dev/null || skip "lxc is not installed"
	run -0 as alice lxc-usernsexec -m b:0:100000:65536 -- cat /proc/self/uid_map
	assert_equal "$(echo "$output" | tr -s ' ' | sed 's/^ //')" "0 100000 65536"
}

@test "compat: an unprivileged LXC busybox container starts, attaches and stops on roost's maps" {
	command -v lxc-start >/dev/null || skip "lxc is not installed"
	chmod 0711 /home/alice
	as alice sh -c 'mkdir -p ~/.config/lxc ~/.local/share/lxc &&
	    chmod 0711 ~/.local ~/.local/share && cat > ~/.config/lxc/default.conf' <<-'EOF'
	lxc.include = /etc/lxc/default.conf
	lxc.idmap = u 0 100000 65536
	lxc.idmap = g 0 100000 65536
	lxc.apparmor.profile = unconfined
	lxc.net.0.type = empty
	EOF
	run -0 as alice lxc-create -t busybox -n roost-bb
	run -0 as alice lxc-start -n roost-bb -d
	run -0 as alice lxc-attach -n roost-bb -- cat /proc/self/uid_map
	assert_equal "$(echo "$output" | tr -s ' ' | sed 's/^ //')" "0 100000 65536"
	run -0 as alice lxc-stop -n roost-bb -k
	run -0 as alice lxc-destroy -n roost-bb
	run syslog_since_start
	assert_line --regexp "newuidmap\[[0-9]+\]: uid 1001: map: granted: [0-9]+: u:0:100000:65536$"
	assert_line --regexp "newgidmap\[[0-9]+\]: uid 1001: map: granted: [0-9]+: g:0:100000:65536$"
}
