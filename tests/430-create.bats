#!/usr/bin/env bats
# roost create: the data path (roost feeds tar through a pipe), its
# progress line on a terminal, and that a failed copy or unpack leaves
# nothing behind.  The ownership results are in 400-shift.bats.

load helpers

STORE=/home/alice/.local/share/roost

setup() {
	rm -rf /etc/roost
	install -d -m 0755 /etc/roost
	policy "$FIX/etc/policy.conf"
	rm -rf /home/alice/.local /home/alice/src /home/alice/t.tar
	# A source tree of alice's, with 3 MiB of data, and its tarball.
	mkdir -p /home/alice/src/bin /home/alice/src/etc
	cp /bin/busybox /home/alice/src/bin/
	head -c 3145728 /dev/urandom > /home/alice/src/etc/blob
	chown -R 1001:1001 /home/alice/src
	tar -C /home/alice/src --numeric-owner -cf /home/alice/t.tar .
	chown 1001:1001 /home/alice/t.tar
}

teardown() {
	rm -rf /home/alice/.local /home/alice/src /home/alice/t.tar
}

# on_tty USER CMD: CMD in a pseudo-terminal (script(1)), its output with
# the carriage returns made newlines.
on_tty() {
	local user=$1
	shift
	as "$user" script -qec "$*" /dev/null | tr '\r' '\n'
}

@test "create: a progress line in percent on a terminal, for a tarball" {
	run -0 on_tty alice roost create p --from-tar /home/alice/t.tar
	assert_line --regexp '^roost: create: p: [0-9]+\.[0-9] MiB \(100%\)$'
	cmp /home/alice/src/etc/blob "$STORE/p/rootfs/etc/blob"
}

@test "create: from a pipe or a directory, the progress counts MiB" {
	run -0 on_tty alice "cat /home/alice/t.tar | roost create p --from-tar -"
	assert_line --regexp '^roost: create: p: [0-9]+\.[0-9] MiB$'
	refute_output --partial '%'
	cmp /home/alice/src/etc/blob "$STORE/p/rootfs/etc/blob"
	run -0 on_tty alice roost create d --from-dir /home/alice/src
	assert_line --regexp '^roost: create: d: [0-9]+\.[0-9] MiB$'
	cmp /home/alice/src/etc/blob "$STORE/d/rootfs/etc/blob"
}

@test "create: quiet when stderr is not a terminal, or with -q" {
	run -0 as alice roost create p --from-tar /home/alice/t.tar
	assert_output ""
	run -0 on_tty alice roost create -q q --from-tar /home/alice/t.tar
	assert_output ""
	run -0 on_tty alice roost create d --quiet --from-dir /home/alice/src
	assert_output ""
	cmp /home/alice/src/etc/blob "$STORE/d/rootfs/etc/blob"
}

@test "create --from-dir: a file it cannot read fails the copy; nothing is left" {
	# root's, mode 0600: not even alice's namespace root may read it.
	echo secret > /home/alice/src/etc/shadow
	chmod 0600 /home/alice/src/etc/shadow
	run -1 as alice roost create d --from-dir /home/alice/src
	assert_line --partial 'etc/shadow: Cannot open: Permission denied'
	assert_line "roost: create: d: could not copy /home/alice/src; removed"
	assert_not_exists "$STORE/d"
}

@test "create --from-tar: a truncated tarball fails; nothing is left" {
	head -c 1048576 /home/alice/t.tar > /home/alice/cut.tar
	chown 1001:1001 /home/alice/cut.tar
	run -1 as alice roost create c --from-tar /home/alice/cut.tar
	assert_line "roost: create: c: could not unpack /home/alice/cut.tar; removed"
	assert_not_exists "$STORE/c"
	rm -f /home/alice/cut.tar
}

@test "create --from-tar: an unreadable tarball is refused before anything is made" {
	install -m 0600 /home/alice/t.tar /home/alice/root.tar
	run -1 as alice roost create r --from-tar /home/alice/root.tar
	assert_output "roost: create: /home/alice/root.tar: Permission denied"
	rm -f /home/alice/root.tar
	assert_not_exists "$STORE/r"
}
