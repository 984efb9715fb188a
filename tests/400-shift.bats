#!/usr/bin/env bats
# roost shift, create, destroy, run NAME and ls (stored): trees made here
# as root, shifted by alice (uid 1001, granted 100000+65536) without any
# privilege but the helper's map op.

load helpers

setup_file() {
	XATTR=$ROOST_R/xattr
	export XATTR
	[ -x "$XATTR" ] || cc -O2 -o "$XATTR" "$ROOST_TOP/tests/tools/xattr.c"
}

le16() { printf '%02x%02x' $(($1 & 255)) $((($1 >> 8) & 255)); }
le32() {
	printf '%02x%02x%02x%02x' $(($1 & 255)) $((($1 >> 8) & 255)) \
	    $((($1 >> 16) & 255)) $((($1 >> 24) & 255))
}
acl_entry() { le16 "$1"; le16 "$2"; le32 "$3"; }

# acl_hex UID GID: user::rwx user:UID:r-x group::r-x group:GID:r-- mask::r-x
# other::r-- (acl(5), posix_acl_xattr_header version 2).
acl_hex() {
	printf 02000000
	acl_entry 1 7 4294967295
	acl_entry 2 5 "$1"
	acl_entry 4 5 4294967295
	acl_entry 8 4 "$2"
	acl_entry 16 5 4294967295
	acl_entry 32 4 4294967295
}

# CAP_NET_BIND_SERVICE, effective: v2, or v3 with ROOTID.
CAPV2=0100000200040000000000000000000000000000
capv3() { printf '0100000300040000000000000000000000000000%s' "$(le32 "$1")"; }

# mk_tree DIR [v2]: alice's files of every kind, as root.
mk_tree() {
	local d=$1
	mkdir -p "$d/dir/sub" "$d/race/a"
	echo data > "$d/file"
	echo data > "$d/suid"
	echo data > "$d/sgid"
	echo data > "$d/capv2"
	echo data > "$d/capv3"
	echo data > "$d/acl"
	echo data > "$d/hard1"
	echo data > "$d/race/a/f"
	ln "$d/hard1" "$d/dir/hard2"
	ln -s ../canary "$d/link-out"
	ln -s /etc/passwd "$d/link-etc"
	ln -s /home/alice/canary "$d/dir/link-dir"
	mkfifo "$d/fifo"
	mknod "$d/null" c 1 3
	for i in $(seq 1 20); do echo "$i" > "$d/dir/sub/f$i"; done
	chown -hR 1001:1001 "$d"
	chmod 4755 "$d/suid" "$d/hard1"
	chmod 2755 "$d/sgid"
	chmod 2775 "$d/dir"
	"$XATTR" set "$d/capv2" security.capability "$CAPV2"
	"$XATTR" set "$d/capv3" security.capability "$(capv3 1001)"
	"$XATTR" set "$d/acl" system.posix_acl_access "$(acl_hex 1001 1001)"
	"$XATTR" set "$d/dir" system.posix_acl_access "$(acl_hex 1001 1001)"
	"$XATTR" set "$d/dir" system.posix_acl_default "$(acl_hex 1001 1001)"
}

# snap DIR: owners, modes, types, link counts and every xattr, by path.
snap() {
	(cd "$1" && find . -printf '%p %U %G %m %y %n\n' | sort &&
	    find . ! -type l -exec "$XATTR" dump {} \; | sort)
}

mk_canary() {
	rm -rf /home/alice/canary
	mkdir -p /home/alice/canary
	echo canary > /home/alice/canary/c
	chown -R 1001:1001 /home/alice/canary
	chmod 4755 /home/alice/canary/c
}

setup() {
	syslog_mark
	rm -rf /etc/roost
	install -d -m 0755 /etc/roost
	policy "$FIX/etc/policy.conf"
	T=/home/alice/t
	rm -rf "$T" /home/alice/ref /home/alice/.local
	mk_canary
	CANARY=$(snap /home/alice/canary)
	ETC=$(stat -c '%u %g %a' /etc/passwd)
}

teardown() {
	umount /home/alice/t/mnt 2>/dev/null || true
	[ -z "${SWAPPER:-}" ] || kill "$SWAPPER" 2>/dev/null || true
	teardown_targets
	teardown_containers
}

assert_outside_unchanged() {
	assert_equal "$(snap /home/alice/canary)" "$CANARY"
	assert_equal "$(stat -c '%u %g %a' /etc/passwd)" "$ETC"
}

# What alice's tree looks like once 1001 is 100000.
expected() {
	snap "$1" | sed -e 's/ 1001 1001 / 100000 100000 /' \
	    -e "s/=$(acl_hex 1001 1001)\$/=$(acl_hex 100000 100000)/" \
	    -e "s/=$CAPV2\$/=$(capv3 100000)/" \
	    -e "s/=$(capv3 1001)\$/=$(capv3 100000)/"
}

@test "shift: usage errors have exact messages" {
	run -2 as alice roost shift
	assert_output "roost: shift: no directory given (see roost shift --help)"
	run -2 as alice roost shift a b
	assert_output "roost: shift: unexpected argument 'b' (see roost shift --help)"
	run -2 as alice roost shift /tmp --to u:1:2
	assert_output "roost: shift: --to: bad map 'u:1:2' (want u|g:FROM:TO:COUNT) (see roost shift --help)"
	run -2 as alice roost shift /tmp --to auto --to u:1:2:3
	assert_output "roost: shift: --to: auto and maps are exclusive (see roost shift --help)"
	run -2 as alice roost shift /tmp --to u:1001:100000:1
	assert_output "roost: shift: no g: map given (see roost shift --help)"
	run -2 as alice roost shift /tmp --frob
	assert_output "roost: shift: unknown option '--frob' (see roost shift --help)"
}

@test "shift: overlapping FROM and TO ranges are refused, nothing changed" {
	mk_tree "$T"
	before=$(snap "$T")
	run -2 as alice roost shift "$T" --to u:100000:100010:100,g:100000:100500:10
	assert_output "roost: shift: FROM and TO ranges overlap: u:100000:100010:100 (see roost shift --help)"
	run -2 as alice roost shift "$T" --to u:1001:100000:1,g:1001:100000:1,u:1002:100000:1
	assert_output "roost: shift: FROM or TO ranges overlap each other (see roost shift --help)"
	assert_equal "$(snap "$T")" "$before"
}

@test "shift: --to auto moves alice's ids to her range's root, modes, caps and ACLs kept" {
	mk_tree "$T"
	want=$(expected "$T")
	run -0 as alice roost shift "$T"
	assert_output ""
	assert_equal "$(snap "$T")" "$want"
	assert_equal "$(stat -c '%u:%g %a' "$T/suid" "$T/sgid" "$T/dir")" "100000:100000 4755
100000:100000 2755
100000:100000 2754"
	assert_equal "$("$XATTR" get "$T/capv2" security.capability)" "$(capv3 100000)"
	assert_equal "$("$XATTR" get "$T/capv3" security.capability)" "$(capv3 100000)"
	assert_equal "$("$XATTR" get "$T/dir" system.posix_acl_default)" "$(acl_hex 100000 100000)"
	assert_equal "$(stat -c '%u %g %h %i' "$T/hard1")" "$(stat -c '%u %g %h %i' "$T/dir/hard2")"
	assert_equal "$(stat -c '%u:%g %F' "$T/fifo" "$T/null")" "100000:100000 fifo
100000:100000 character special file"
	assert_equal "$(readlink "$T/link-etc")" /etc/passwd
	assert_outside_unchanged
}

@test "shift: a second run changes nothing" {
	mk_tree "$T"
	run -0 as alice roost shift "$T"
	once=$(snap "$T")
	run -0 as alice roost shift "$T"
	assert_equal "$(snap "$T")" "$once"
}

@test "shift: a progress line on a terminal, none with -q" {
	command -v script >/dev/null || skip "script(1) is not installed"
	mk_tree "$T"
	want=$(expected "$T")
	n=$(find "$T" -mindepth 1 | wc -l)	# entries below DIR
	run -0 as alice script -qec "roost shift $T" /dev/null
	assert_output --regexp "roost: shift: $n entries, [0-9]+/s"$'\r?$'
	assert_equal "$(snap "$T")" "$want"
	run -0 as alice script -qec "roost shift -q --reverse $T" /dev/null
	assert_output ""
}

@test "shift: --reverse round-trips (v2 capabilities come back as v3 of the caller)" {
	mk_tree "$T"
	want=$(snap "$T" | sed "s/=$CAPV2\$/=$(capv3 1001)/")
	run -0 as alice roost shift "$T"
	run -0 as alice roost shift "$T" --reverse
	assert_equal "$(snap "$T")" "$want"
}

@test "shift: explicit maps between two granted ranges" {
	mk_tree "$T"
	run -0 as alice roost shift "$T" --to u:1001:100000:1,g:1001:100000:1
	run -0 as alice roost shift "$T" --to u:100000:100500:10 --to g:100000:100500:10
	assert_equal "$(stat -c '%u:%g %a' "$T/suid")" "100500:100500 4755"
	assert_equal "$("$XATTR" get "$T/capv2" security.capability)" "$(capv3 100500)"
	assert_equal "$("$XATTR" get "$T/acl" system.posix_acl_access)" "$(acl_hex 100500 100500)"
}

@test "shift: root's file, directory and a hard link to root's file are left alone and reported" {
	mk_tree "$T"
	echo secret > /home/alice/rootfile
	ln /home/alice/rootfile "$T/hl-root"
	echo x > "$T/rootfile"
	mkdir -p "$T/rootdir"
	echo x > "$T/rootdir/inner"
	chown 1001:1001 "$T/rootdir/inner"
	chmod 4755 "$T/rootfile"
	run -1 --separate-stderr as alice roost shift "$T"
	assert_equal "$(echo "$stderr" | sort)" "roost: shift: $T/hl-root: owned by an id outside FROM and TO; left as is
roost: shift: $T/rootdir: owned by an id outside FROM and TO; left as is
roost: shift: $T/rootfile: owned by an id outside FROM and TO; left as is"
	assert_equal "$(stat -c '%u:%g %a' "$T/rootfile" "$T/hl-root" "$T/rootdir" "$T/rootdir/inner")" "0:0 4755
0:0 644
0:0 755
1001:1001 644"
	assert_equal "$(stat -c '%u:%g' "$T/file")" "100000:100000"
}

@test "shift: a file system mounted inside is not crossed, and is reported" {
	mk_tree "$T"
	mkdir "$T/mnt"
	chown 1001:1001 "$T/mnt"
	mount -t tmpfs -o mode=0755,uid=1001,gid=1001 roost-shift "$T/mnt"
	echo x > "$T/mnt/inner"
	chown 1001:1001 "$T/mnt/inner"
	run -1 as alice roost shift "$T"
	assert_output "roost: shift: $T/mnt: another file system; not crossed"
	assert_equal "$(stat -c '%u:%g' "$T/mnt" "$T/mnt/inner")" "1001:1001
1001:1001"
}

@test "shift: FROM or TO not entitled is refused by the helper, nothing changed" {
	mk_tree "$T"
	before=$(snap "$T")
	run -1 --separate-stderr as alice roost shift "$T" --to u:1001:200000:1,g:1001:200000:1
	assert_regex "$stderr" '^roost-helper: map: .*200000'
	run -1 --separate-stderr as alice roost shift "$T" --to u:1002:100000:1,g:1002:100000:1
	assert_regex "$stderr" '^roost-helper: map: .*1002'
	assert_equal "$(snap "$T")" "$before"
}

# 100 copies each of DIR's capv2 and suid in DIR/dir.  cp -a keeps the
# setuid bit but not security.capability: set it on each copy again.
mk_copies() {
	local i
	for i in $(seq 1 100); do
		cp -a "$1/capv2" "$1/dir/c$i"
		"$XATTR" set "$1/dir/c$i" security.capability "$CAPV2"
		cp -a "$1/suid" "$1/dir/u$i"
	done
}

@test "shift: killed with SIGKILL at random points, then rerun, ends as an uninterrupted shift" {
	mk_tree "$T"
	mk_tree /home/alice/ref
	for i in $(seq 1 300); do
		echo "$i" > "$T/dir/sub/s$i"
		echo "$i" > "/home/alice/ref/dir/sub/s$i"
	done
	chown 1001:1001 "$T"/dir/sub/s* /home/alice/ref/dir/sub/s*
	mk_copies "$T"
	mk_copies /home/alice/ref
	run as alice roost shift /home/alice/ref
	assert_equal "$status $output" "0 "
	as_argv alice
	for d in 0.01 0.02 0.03 0.05 0.08 0.13 0.21; do
		timeout -s KILL "$d" "${AS[@]}" roost shift "$T" 2>/dev/null || true
		sleep 0.05
	done
	run -0 as alice roost shift "$T"
	assert_equal "$(snap "$T")" "$(snap /home/alice/ref)"
}

@test "shift: a symlink raced in for a directory never leads the walk outside" {
	mk_tree "$T"
	for i in $(seq 1 200); do echo "$i" > "$T/race/a/g$i"; done
	(cd "$T/race" && while :; do
		mv a a.x 2>/dev/null; ln -s /home/alice/canary a 2>/dev/null
		rm -f a; mv a.x a 2>/dev/null
	done) &
	SWAPPER=$!
	for i in 1 2 3 4 5 6; do
		as alice roost shift "$T" >/dev/null 2>&1 || true
		as alice roost shift "$T" --reverse >/dev/null 2>&1 || true
	done
	kill "$SWAPPER"
	wait "$SWAPPER" 2>/dev/null || true
	SWAPPER=
	assert_outside_unchanged
}

@test "shift: a tree deeper than the limit is reported, not descended" {
	mkdir -p "$T"
	d=$T
	for i in $(seq 1 260); do d=$d/d; mkdir "$d"; done
	chown -R 1001:1001 "$T"
	run -1 --separate-stderr as alice roost shift "$T"
	assert_regex "$stderr" 'more than 256 levels deep; not descended$'
	assert_equal "$(stat -c %u "$d")" 1001
}

# mk_linked DIR: mk_tree, plus two subtrees p/a and q/b whose files are
# hard links of each other (setuid, with capabilities, plain), q/b's made
# in the reverse order so that two workers, one a side, cross on the same
# inodes, racing on their marks, chowns and restores; and wide
# directories to share out.
mk_linked() {
	local d=$1 i
	mk_tree "$d"
	mkdir -p "$d/p/a" "$d/q/b"
	for i in $(seq 1 400); do
		echo "$i" > "$d/p/a/f$i"
	done
	for i in $(seq 400 -1 1); do ln "$d/p/a/f$i" "$d/q/b/g$i"; done
	for i in $(seq 1 8); do
		mkdir -p "$d/w$i/x" "$d/w$i/y"
		for f in $(seq 1 25); do
			echo "$f" > "$d/w$i/x/f$f"
			ln -s "f$f" "$d/w$i/x/l$f"
		done
		mkfifo "$d/w$i/y/fifo"
		ln "$d/sgid" "$d/w$i/y/sgid"
	done
	chown -hR 1001:1001 "$d"
	# cp -a would not copy security.capability: set each.
	for i in $(seq 1 4 400); do chmod 4755 "$d/p/a/f$i"; done
	for i in $(seq 4 4 400); do
		"$XATTR" set "$d/p/a/f$i" security.capability "$CAPV2"
		"$XATTR" set "$d/p/a/f$((i - 2))" security.capability "$(capv3 1001)"
	done
	"$XATTR" set "$d/p/a/f3" system.posix_acl_access "$(acl_hex 1001 1001)"
}

@test "shift: --jobs is 1 to 64" {
	run -2 as alice roost shift /tmp --jobs 0
	assert_output "roost: shift: --jobs: '0' is too small (want 1 to 64) (see roost shift --help)"
	run -2 as alice roost shift /tmp -j 65
	assert_output "roost: shift: --jobs: '65' is too large (want 1 to 64) (see roost shift --help)"
	run -2 as alice roost shift /tmp --jobs x
	assert_output "roost: shift: --jobs: 'x' is invalid (want 1 to 64) (see roost shift --help)"
}

@test "shift: --jobs 1 and --jobs 2 end identical: setuid, caps v2/v3, ACLs, FIFOs, devices, symlinks" {
	mk_linked "$T"
	mk_linked /home/alice/ref
	want=$(expected "$T")
	run -0 as alice roost shift --jobs 1 /home/alice/ref
	assert_output ""
	run -0 as alice roost shift --jobs 2 "$T"
	assert_output ""
	assert_equal "$(snap "$T")" "$(snap /home/alice/ref)"
	assert_equal "$(snap "$T")" "$want"
	run -0 as alice roost shift --jobs 2 --reverse "$T"
	run -0 as alice roost shift --jobs 1 --reverse /home/alice/ref
	assert_equal "$(snap "$T")" "$(snap /home/alice/ref)"
	assert_outside_unchanged
}

@test "shift: --jobs 2, hard links across two subtrees are shifted once, marks raced" {
	mk_linked "$T"
	want=$(expected "$T")
	for i in 1 2 3 4; do
		run -0 as alice roost shift --jobs 2 "$T"
		assert_output ""
		assert_equal "$(snap "$T")" "$want"
		assert_equal "$(stat -c '%i %u:%g %a' "$T/p/a/f13" "$T/p/a/f44")" \
		    "$(stat -c '%i %u:%g %a' "$T/q/b/g13" "$T/q/b/g44")"
		assert_equal "$("$XATTR" get "$T/q/b/g44" security.capability)" \
		    "$(capv3 100000)"
		run -0 as alice roost shift --jobs 2 --reverse "$T"
		assert_output ""
	done
	assert_equal "$(find "$T" \( ! -uid 1001 -o ! -gid 1001 \) -print)" ""
}

@test "shift: --jobs 2 killed with SIGKILL at random points, then rerun, ends as an uninterrupted shift" {
	mk_linked "$T"
	mk_linked /home/alice/ref
	mk_copies "$T"
	mk_copies /home/alice/ref
	run as alice roost shift --jobs 1 /home/alice/ref
	assert_equal "$status $output" "0 "
	as_argv alice
	for d in 0.01 0.02 0.03 0.05 0.08 0.13 0.21; do
		timeout -s KILL "$d" "${AS[@]}" roost shift --jobs 2 "$T" \
		    2>/dev/null || true
		sleep 0.05
	done
	run -0 as alice roost shift --jobs 2 "$T"
	assert_equal "$(snap "$T")" "$(snap /home/alice/ref)"
	# No mark is left behind (snap dumps every xattr, the ref has none).
	assert_equal "$(snap "$T" | grep -c user.roost.shift)" 0
}

# A busybox rootfs tarball, owned by root as a distribution ships one.
mk_tarball() {
	local r=$ROOST_R/tmp/bbroot
	rm -rf "$r"
	mkdir -p "$r/bin" "$r/proc" "$r/sys" "$r/dev" "$r/tmp" "$r/etc"
	cp /bin/busybox "$r/bin/"
	for c in sh id cat ls stat true; do ln -s busybox "$r/bin/$c"; done
	echo 'root:x:0:0:root:/root:/bin/sh' > "$r/etc/passwd"
	chown 33:33 "$r/etc/passwd"
	tar -C "$r" --numeric-owner -cf /home/alice/bb.tar .
	chown alice /home/alice/bb.tar
}

@test "create, run NAME, ls, destroy: a busybox tarball round trip" {
	mk_tarball
	run -0 as alice roost create bb --from-tar /home/alice/bb.tar
	R=/home/alice/.local/share/roost/bb/rootfs
	assert_equal "$(stat -c '%u:%g' "$R/bin/busybox" "$R/etc/passwd")" "100000:100000
100033:100033"
	run -0 as alice roost run bb -- id -u
	assert_output 0
	run -0 as alice roost run bb -- stat -c %u /etc/passwd
	assert_output 33
	run -0 as alice roost run bb -- cat /proc/sys/kernel/hostname
	assert_output bb
	run -0 as alice roost ls
	assert_output --partial "STORED
bb"
	run -1 as alice roost create bb --from-tar /home/alice/bb.tar
	assert_output "roost: create: bb: already exists"
	run -0 as alice roost destroy bb
	assert_file_not_exists /home/alice/.local/share/roost/bb
	run -1 as alice roost destroy bb
	assert_output "roost: destroy: bb: no such stored container"
}

@test "create --from-dir: what alice owns becomes root's inside" {
	mkdir -p "$T/bin" "$T/etc"
	cp /bin/busybox "$T/bin/"
	ln -s busybox "$T/bin/sh"
	echo x > "$T/etc/x"
	chown -hR 1001:1001 "$T"
	run -0 as alice roost create fromdir --from-dir "$T"
	R=/home/alice/.local/share/roost/fromdir/rootfs
	assert_equal "$(stat -c '%u:%g' "$R/bin/busybox" "$R/etc/x")" "100000:100000
100000:100000"
	run -0 as alice roost run fromdir -- /bin/sh -c 'echo hi'
	assert_output hi
	run -0 as alice roost destroy fromdir
}

@test "create, destroy: usage errors have exact messages" {
	run -2 as alice roost create
	assert_output "roost: create: no container name given (see roost create --help)"
	run -2 as alice roost create bb
	assert_output "roost: create: one of --from-tar and --from-dir is needed (see roost create --help)"
	run -2 as alice roost create bb --from-tar a --from-dir b
	assert_output "roost: create: --from-tar and --from-dir: one or the other (see roost create --help)"
	run -2 as alice roost create ../x --from-tar a
	assert_output "roost: create: ../x: invalid container name (see roost create --help)"
	run -2 as alice roost destroy
	assert_output "roost: destroy: no container name given (see roost destroy --help)"
	run -2 as alice roost destroy a b
	assert_output "roost: destroy: unexpected argument 'b' (see roost destroy --help)"
}
