#!/usr/bin/env bats
# roost-helper idmount (a detached idmapped mount of a directory the
# caller owns, sent over a unix socket) and roost run --rootfs using it.
# /home is a tmpfs in the sandbox, which supports idmapped mounts.

load helpers

# Built where the fixture users can run it: bats's own run directory is
# root's alone (0700).
setup_file() {
	MOUNTFD=$ROOST_R/tools/mountfd
	install -d -m 0755 "$ROOST_R/tools"
	[ -x "$MOUNTFD" ] || cc -O2 -o "$MOUNTFD" "$ROOST_TOP/tests/tools/mountfd.c"
	export MOUNTFD
}

# helpers.bash's setup, kept as helpers_setup: ours calls it first.
eval "helpers_$(declare -f setup)"

setup() {
	helpers_setup
	I=/home/alice/idm
	rm -rf "$I"
	install -d -m 0755 -o alice -g alice "$I" "$I/tree"
	touch "$I/tree/own" "$I/tree/rootfile"
	chown alice:alice "$I/tree/own"
	MOUNTS=$(cat /proc/self/mountinfo)
}

teardown() {
	teardown_targets
	teardown_containers
	rm -rf /home/alice/idm /home/bob/idm /home/dave/idm
}

# A busybox tree at DIR, every file owned by OWNER (uid:gid).
busybox_tree() {
	local c
	mkdir -p "$1/bin" "$1/proc" "$1/sys" "$1/dev" "$1/tmp"
	cp /bin/busybox "$1/bin/"
	for c in sh true stat touch id cat ls; do
		ln -s busybox "$1/bin/$c"
	done
	chown -hR "$2" "$1"
}

# Every entry of DIR with its owner, group and mode.
listing() {
	find "$1" -printf '%P %U %G %m\n' | sort
}

# A throwaway user namespace of alice's, mapped by the helper with MAP....
mapped_target() {
	local pid
	pid=$(userns_target alice) || return 1
	as alice "$HELPER" map "$pid" "$@" >&2 || return 1
	echo "$pid"
}

assert_nothing_mounted() {
	assert_equal "$(cat /proc/self/mountinfo)" "$MOUNTS"
}

@test "helper idmount: the caller's files show as the mapped id, others as nobody" {
	pid=$(mapped_target u:1001:100000:1 g:1001:100000:1)
	run -0 as alice "$MOUNTFD" "$HELPER" "$pid" "$I/tree" own rootfile
	assert_output ". 100000 100000
own 100000 100000
rootfile 65534 65534"
	# Nothing changed on disk.
	assert_equal "$(stat -c '%u:%g' "$I/tree" "$I/tree/own" "$I/tree/rootfile")" \
	    "1001:1001
1001:1001
0:0"
	run syslog_since_start
	assert_line --regexp "roost-helper\[[0-9]+\]: uid 1001: idmount: granted: $pid: $I/tree$"
}

@test "helper idmount: the directory may be an inherited fd" {
	pid=$(mapped_target u:1001:100000:1 g:1001:100000:1)
	run -0 as alice bash -c 'exec 5<"$3"; exec "$1" "$2" "$4" fd:5 own' \
	    bash "$MOUNTFD" "$HELPER" "$I/tree" "$pid"
	assert_output ". 100000 100000
own 100000 100000"
}

@test "helper idmount: refuses a directory the caller does not own" {
	pid=$(mapped_target u:1001:100000:1 g:1001:100000:1)
	run -1 as alice "$MOUNTFD" "$HELPER" "$pid" /etc
	assert_output "roost-helper: idmount: /etc: not a directory you own"
	run -1 as alice bash -c 'exec 5</etc; exec "$1" "$2" "$3" fd:5' \
	    bash "$MOUNTFD" "$HELPER" "$pid"
	assert_output "roost-helper: idmount: fd:5: not a directory you own"
	assert_nothing_mounted
}

@test "helper idmount: does not follow a symlink to the caller's own tree" {
	pid=$(mapped_target u:1001:100000:1 g:1001:100000:1)
	ln -s tree "$I/link"
	run -1 as alice "$MOUNTFD" "$HELPER" "$pid" "$I/link"
	assert_output "roost-helper: idmount: $I/link: not a directory you own"
	assert_nothing_mounted
}

@test "helper idmount: refuses a user namespace whose maps are not written" {
	pid=$(userns_target alice)
	run -1 as alice "$MOUNTFD" "$HELPER" "$pid" "$I/tree"
	assert_output "roost-helper: idmount: $pid: id maps not written"
	assert_nothing_mounted
}

@test "helper idmount: refuses on-disk ids not granted to the caller" {
	pid=$(mapped_target u:1:100000:65535 g:1:100000:65535)
	run -1 as alice "$MOUNTFD" "$HELPER" "$pid" "$I/tree"
	assert_output "roost-helper: idmount: $pid: uids 1-65535 not granted to you"
	assert_nothing_mounted
}

@test "helper idmount: refuses another user's target" {
	pid=$(mapped_target u:1001:100000:1 g:1001:100000:1)
	install -d -m 0755 -o bob -g bob /home/bob/idm
	run -1 as bob "$MOUNTFD" "$HELPER" "$pid" /home/bob/idm
	assert_output "roost-helper: idmount: $pid: not a process in a user namespace you own"
	assert_nothing_mounted
}

@test "helper idmount: refuses a file system that cannot be idmapped" {
	pid=$(mapped_target u:1001:100000:1 g:1001:100000:1)
	unshare --mount --propagation private bash -c '
	    mount -t ramfs ramfs "$1" && mkdir "$1/tree" && chown alice:alice "$1/tree" &&
	    exec setpriv --reuid=1001 --regid=1001 --init-groups -- "$2" "$3" "$4" "$1/tree"' \
	    bash "$I/tree" "$MOUNTFD" "$HELPER" "$pid" > "$BATS_TEST_TMPDIR/out" 2>&1 &&
	    status=0 || status=$?
	assert_equal "$status" 1
	assert_equal "$(cat "$BATS_TEST_TMPDIR/out")" \
	    "roost-helper: idmount: $I/tree/tree: file system cannot be idmapped"
}

@test "helper idmount: stdout must be a unix socket" {
	pid=$(mapped_target u:1001:100000:1 g:1001:100000:1)
	run -1 as alice "$HELPER" idmount "$pid" "$I/tree"
	assert_output "roost-helper: idmount: stdout: not a unix socket"
	assert_nothing_mounted
}

@test "helper idmount: usage errors exit 2" {
	run -2 as alice "$HELPER" idmount
	assert_output "roost-helper: idmount: usage: roost-helper idmount TARGET DIR"
	run -2 as alice "$HELPER" idmount 1 "$I/tree" extra
	assert_output "roost-helper: idmount: usage: roost-helper idmount TARGET DIR"
	run -2 as alice "$HELPER" idmount self "$I/tree"
	assert_output "roost-helper: idmount: self: bad target (want fd:N or a pid)"
	run -2 as alice "$HELPER" idmount 1 tree
	assert_output "roost-helper: idmount: tree: bad directory (want fd:N or an absolute path)"
}

@test "run: a rootfs the caller owns is idmapped: root's inside, the caller's on disk" {
	busybox_tree "$I/bb" alice:alice
	before=$(listing "$I/bb")
	run -0 --separate-stderr as alice roost run --rootfs "$I/bb" -- \
	    sh -c 'stat -c %u:%g /bin/busybox /; touch /made; stat -c %u:%g /made'
	assert_output "0:0
0:0
0:0"
	assert_equal "$stderr" ""
	assert_equal "$(stat -c %u:%g "$I/bb/made")" 1001:1001
	rm "$I/bb/made"
	assert_equal "$(listing "$I/bb")" "$before"
	assert_nothing_mounted
}

# On a systemd host / is a shared mount, and a clone keeps its source's peer
# group: the helper's idmapped mount of a tree there is shared, and
# pivot_root(2) refuses a shared new root (EINVAL) unless roost makes it
# private.  Here the tree's mount is made shared in a mount namespace of
# its own, as / is on such a host: private first, so that nothing of it
# propagates out (on a systemd host the copy of / would be a peer of /).
@test "run: an idmapped rootfs on a shared mount is made private for pivot_root" {
	busybox_tree "$I/bb" alice:alice
	as_argv alice
	run -0 --separate-stderr unshare --mount --propagation private \
	    bash -c 'mount --bind "$1" "$1" && mount --make-shared "$1" &&
	    grep -q " $1 .* shared:" /proc/self/mountinfo && shift && exec "$@"' \
	    bash "$I" "${AS[@]}" roost run --rootfs "$I/bb" -- \
	    sh -c 'id -u; stat -c %u:%g /bin/busybox'
	assert_output "0
0:0"
	assert_equal "$stderr" ""
	assert_nothing_mounted
}

@test "run: idmapped, the granted range is the container's ids as without idmapping" {
	busybox_tree "$I/bb" alice:alice
	install -d -m 0777 -o alice -g alice "$I/bb/w"
	touch "$I/bb/sub" "$I/bb/subroot"
	chown 101000:101000 "$I/bb/sub"
	chown 100000:100000 "$I/bb/subroot"
	# Container uid 1000 is host 101000 (100000 + 1000) in its own map.
	run -0 --separate-stderr as alice roost run --uid 1000 --gid 1000 \
	    --rootfs "$I/bb" -- sh -c 'id -u; stat -c %u:%g /sub /subroot /bin/busybox
	    touch /w/made; stat -c %u:%g /w/made'
	assert_output "1000
1000:1000
65536:65536
0:0
1000:1000"
	assert_equal "$stderr" ""
	assert_equal "$(stat -c %u:%g "$I/bb/w/made" "$I/bb/sub" "$I/bb/subroot")" \
	    "101000:101000
101000:101000
100000:100000"
	# The same tree, not idmapped: the same container ids land the same.
	rm "$I/bb/w/made"
	run -0 --separate-stderr as alice roost run --no-idmap --uid 1000 \
	    --gid 1000 --rootfs "$I/bb" -- sh -c 'stat -c %u:%g /sub; touch /w/made'
	assert_output "1000:1000"
	assert_equal "$(stat -c %u:%g "$I/bb/w/made")" 101000:101000
	assert_nothing_mounted
}

@test "run: --no-idmap uses the caller's rootfs as it is" {
	busybox_tree "$I/bb" alice:alice
	run -0 --separate-stderr as alice roost run --no-idmap --rootfs "$I/bb" \
	    -- stat -c %u:%g /bin/busybox
	# The caller's own ids are mapped after the granted range (map.c).
	assert_output 65536:65536
	assert_equal "$stderr" ""
}

@test "run: a rootfs owned by the granted range is used as it is, silently" {
	busybox_tree "$I/bb" 100000:100000
	before=$(listing "$I/bb")
	run -0 --separate-stderr as alice roost run --rootfs "$I/bb" -- \
	    stat -c %u:%g /bin/busybox
	assert_output 0:0
	assert_equal "$stderr" ""
	assert_equal "$(listing "$I/bb")" "$before"
}

@test "run: an idmount the helper refuses falls back to the plain bind, and says why" {
	busybox_tree "$I/bb" alice:root
	run -0 --separate-stderr as alice roost run --rootfs "$I/bb" -- \
	    stat -c %u:%g /bin/busybox
	assert_output 65536:65534
	assert_equal "$stderr" "roost: run: $I/bb: not idmapped (not a directory you own); using it as it is"
	assert_nothing_mounted
}

@test "run: an explicit --map or a single-id map is not idmapped" {
	busybox_tree "$I/bb" alice:alice
	run -0 --separate-stderr as alice roost run --map u:0:100000:65536 \
	    --map g:0:100000:65536 --rootfs "$I/bb" -- stat -c %u:%g /bin/busybox
	assert_output 65534:65534
	assert_equal "$stderr" ""
	# dave has no grants: his own ids are the container's root already.
	install -d -m 0755 -o dave -g dave /home/dave/idm
	busybox_tree /home/dave/idm/bb dave:dave
	run -0 --separate-stderr as dave roost run --rootfs /home/dave/idm/bb \
	    -- stat -c %u:%g /bin/busybox
	assert_output 0:0
	assert_equal "$stderr" "roost: run: no id ranges granted to you by policy; mapping only your own uid and gid"
}
