#!/usr/bin/env bats
# The VM tier's own suite, run only in its guest (tests/vm/run): what a
# fresh Debian 12 machine has and the host of the other tiers has not:
# the stock 6.1 kernel, systemd as pid 1 with user managers and
# lingering, cgroup v2, real login sessions, / a shared mount, ext4.

load ../helpers

# helpers.bash's setup, kept as helpers_setup: ours calls it first.
eval "helpers_$(declare -f setup)"

setup() {
	[ -n "${ROOST_INSTALLED:-}" ] ||
	    skip "the VM tier's guest only (tests/vm/run)"
	helpers_setup
	BBV=/home/alice/vmbb
	rm -rf "$BBV"
	busybox_tree "$BBV" alice:alice
}

teardown() {
	teardown_targets
	teardown_containers
	local u
	for u in alice bob; do
		loginctl disable-linger "$u" 2>/dev/null || true
	done
	rm -rf /home/alice/vmbb /home/alice/vmbb2 /home/alice/vmbb.tar \
	    /home/bob/vmbb /dev/shm/vmbb
}

# A busybox tree at DIR, every file owned by OWNER (uid:gid).
busybox_tree() {
	local c
	mkdir -p "$1/bin" "$1/proc" "$1/sys" "$1/dev" "$1/tmp" "$1/etc"
	cp /bin/busybox "$1/bin/"
	for c in sh true sleep id cat ls stat ip ping uname; do
		ln -s busybox "$1/bin/$c"
	done
	chown -hR "$2" "$1"
}

# session USER CMD: CMD in a real login session of USER (su -l: PAM,
# pam_systemd, logind), which ends with CMD.
session() {
	su -l "$1" -c "$2"
}

# user_cmd USER CMD...: CMD as USER, outside any session, talking to
# USER's own systemd manager (which linger keeps).
user_cmd() {
	local id=${UIDS[$1]}
	shift
	setpriv --reuid="$id" --regid="$id" --init-groups -- env -i \
	    PATH=/usr/bin:/bin HOME="/home/$1" XDG_RUNTIME_DIR="/run/user/$id" \
	    "$@"
}

sessions_of() {
	loginctl list-sessions --no-legend | awk -v u="$1" '$3 == u' | grep -c . || true
}

@test "debian 12: the stock 6.1 kernel, systemd as pid 1, cgroup v2" {
	run -0 uname -r
	assert_output --regexp '^6\.1\.[0-9]+-[0-9]+-amd64$'
	assert_equal "$(ps -p 1 -o comm=)" systemd
	assert_equal "$(stat -f -c %T /sys/fs/cgroup)" cgroup2fs
	assert_equal "$(stat -f -c %T /home)" ext2/ext3
	# / is shared, as on every systemd host: what the idmapped root
	# must be made private against.
	run -0 findmnt -n -o PROPAGATION /
	assert_output shared
	# roost as its package installed it.
	assert_equal "$(stat -c '%a %U' /usr/libexec/roost/roost-helper)" \
	    "4755 root"
	assert_equal "$HELPER" /usr/libexec/roost/roost-helper
}

@test "run: a rootfs the user owns on ext4 is idmapped, in a real login session" {
	run -0 --separate-stderr session alice \
	    'roost run --rootfs ~/vmbb -- sh -c "id -u; stat -c %u:%g /bin/busybox"'
	assert_output "0
0:0"
	assert_equal "$stderr" ""
	assert_equal "$(stat -c %u:%g "$BBV/bin/busybox")" 1001:1001
}

@test "run: 6.1 cannot idmap a tmpfs: roost uses the tree as it is, and says why" {
	busybox_tree /dev/shm/vmbb alice:alice
	run -0 --separate-stderr session alice \
	    'roost run --rootfs /dev/shm/vmbb -- stat -c %u:%g /bin/busybox'
	# Not idmapped: the caller's own ids are mapped after the range.
	assert_output 65536:65536
	assert_equal "$stderr" "roost: run: /dev/shm/vmbb: not idmapped (file system cannot be idmapped); using it as it is"
}

@test "systemd: a lingering user's systemctl --user works without a session" {
	loginctl enable-linger alice
	wait_for 60 systemctl -q is-active user@1001.service
	assert_equal "$(sessions_of alice)" 0
	run -0 user_cmd alice systemctl --user is-system-running --wait
	assert_output --regexp '^(running|degraded)$'
	run -0 user_cmd alice systemd-run --user --wait -q -- true
}

@test "systemd: a container started by the lingering user manager survives logout" {
	loginctl enable-linger alice
	wait_for 60 systemctl -q is-active user@1001.service
	session alice 'systemd-run --user -q --unit=roost-keep -- roost run --name keep --rootfs ~/vmbb -- sleep 1000'
	wait_for 30 test "$(sessions_of alice)" = 0
	wait_for 30 eval 'user_cmd alice roost ls | grep -q "^keep "'
	# Logged out for good: the manager and the container stay.
	sleep 12
	run -0 user_cmd alice roost enter keep -- id -u
	assert_output 0
	run -0 user_cmd alice systemctl --user is-active roost-keep.service
	run -0 user_cmd alice systemctl --user stop roost-keep.service
	wait_for 30 eval '! user_cmd alice roost ls | grep -q "^keep "'
}

@test "systemd: without linger, the user manager's containers stop at logout" {
	loginctl disable-linger bob
	busybox_tree /home/bob/vmbb bob:bob
	run -0 session bob 'systemd-run --user -q --unit=roost-gone -- roost run --name gone --rootfs ~/vmbb -- sleep 1000 &&
	    for i in $(seq 100); do roost ls | grep -q "^gone " && break; sleep 0.2; done
	    roost ls | sed -n "s/^gone .*/up/p"'
	assert_output up
	# logind stops the manager of a user with no session left
	# UserStopDelaySec (10 s) after the last logout, and its containers
	# (root inside: bob's 200000 outside) with it.
	wait_for 60 eval '! systemctl -q is-active user@1002.service'
	run -1 pgrep -u 200000
}

@test "doctor: right about this machine, before and after the admin diverts shadow's and LXC's tools" {
	run -0 session alice 'roost doctor'
	assert_line "ok: helper /usr/libexec/roost/roost-helper: setuid root"
	assert_line --regexp '^ok: policy /etc/roost/policy.conf: safe and valid, [0-9]+ sections$'
	assert_line --regexp '^ok: entitlement: '
	assert_line --partial "warn: newuidmap: /usr/bin/newuidmap is not roost's"
	assert_line --partial "warn: lxc-user-nic: /usr/libexec/lxc/lxc-user-nic is not roost's"
	refute_line --partial FAIL
	# The README's diversion, undone after.
	for f in /usr/bin/newuidmap /usr/bin/newgidmap /usr/libexec/lxc/lxc-user-nic; do
		dpkg-divert --local --rename --add "$f" >/dev/null
		ln -s "/usr/libexec/roost/compat/${f##*/}" "$f"
	done
	run -0 session alice 'roost doctor'
	for f in /usr/bin/newuidmap /usr/bin/newgidmap /usr/libexec/lxc/lxc-user-nic; do
		rm "$f"
		dpkg-divert --local --rename --remove "$f" >/dev/null
	done
	assert_line "ok: newuidmap: /usr/bin/newuidmap is roost's"
	assert_line "ok: newgidmap: /usr/bin/newgidmap is roost's"
	assert_line "ok: lxc-user-nic: /usr/libexec/lxc/lxc-user-nic is roost's"
	refute_line --partial FAIL
	refute_line --partial warn:
}

# Every command once, as a user would run it in a login session.
@test "smoke: every roost command, as alice in a login session" {
	ip link add br0 type bridge
	ip link set br0 up
	policy "$FIX/etc/policy-net.conf"
	tar -c -C "$BBV" --owner=0 --group=0 --numeric-owner -f /home/alice/vmbb.tar .
	chown alice: /home/alice/vmbb.tar
	run --separate-stderr session alice '
	    set -e
	    roost version
	    roost policy check
	    roost policy explain | head -n 3
	    roost run -d --name s1 --rootfs ~/vmbb -- sleep 1000
	    roost run -d --name s2 --net bridge:br0,addr=10.9.0.2/24 --rootfs ~/vmbb -- sleep 1000
	    roost ls | sed "s/ .*//"
	    roost enter s1 -- id -u
	    roost exec s1 s2 -- uname -n | sort
	    roost net add s1 routed:192.0.2.9,name=r0 | sed "s/roost[0-9a-f]\{8\}/HOSTIF/"
	    roost net ls s1 | grep -c "^r0 "
	    roost net del s1 r0
	    roost run --net bridge:br0,addr=10.9.0.3/24 --rootfs ~/vmbb -- ping -c 1 -W 5 10.9.0.2 >/dev/null && echo pinged
	    roost kill s2 KILL
	    roost stop s1
	    roost ls | grep -c "^s[12] " || true
	    roost unshare -- id -u
	    roost create c1 --from-tar ~/vmbb.tar -q
	    roost run c1 -- stat -c %u /bin/busybox
	    roost destroy c1
	    cp -a ~/vmbb ~/vmbb2
	    roost shift ~/vmbb2 --quiet
	    stat -c %u ~/vmbb2/bin/busybox
	    roost doctor | grep -c "^ok: helper /usr/libexec/roost/roost-helper: setuid root$"'
	ip link del br0
	# roost exec's summary is its stderr.
	assert_equal "$stderr" "NAME  STATUS
s1    0
s2    0"
	assert_output "roost 0.1.0
/etc/roost/policy.conf: ok
user alice uid 1001 gid 1001
uids 1001 1 self
uids 100000 65536 user:alice
s1
s2
NAME
s1
s2
0
s1| s1
s2| s2
r0 HOSTIF
1
pinged
0
0
0
100000
1"
	assert_equal "$status" 0
}
