#!/usr/bin/env bats
# roost policy check, explain and import, and roost doctor: the policy and
# the host as an unprivileged user sees them.  Import reads the fixtures in
# tests/fixtures/import/ by relative path, so that its comments name them
# the same wherever the tree is.

load helpers

IMPORT=$FIX/import

teardown() {
	teardown_targets
	teardown_containers
	for l in br0 eth9; do
		ip link del "$l" 2>/dev/null || true
	done
	umount "$ROOST_R/nosuid" 2>/dev/null || true
	if mountpoint -q /usr/libexec/lxc/lxc-user-nic 2>/dev/null; then
		umount /usr/libexec/lxc/lxc-user-nic
	fi
}

# A copy of FILE alice can read, at $ROOST_R/tmp/NAME; prints its path.
readable() {
	install -m 0644 "$1" "$ROOST_R/tmp/$2"
	echo "$ROOST_R/tmp/$2"
}

@test "policy check: the installed policy is ok" {
	run -0 as alice "$ROOST" policy check
	assert_output "/etc/roost/policy.conf: ok"
}

@test "policy check: every ok-*.ini fixture is ok" {
	cd "$FIX/policy"
	for f in ok-*.ini; do
		run -0 --separate-stderr as alice "$ROOST" policy check "$f"
		assert_output "$f: ok"
	done
}

@test "policy check: a section naming no user or group warns; --strict fails on it" {
	printf '%s\n' '[user:alice]' 'uids = 100000 65536' '' '[user:nosuchuser]' \
	    'uids = 200000 65536' '' '[group:nosuchgroup]' 'veth = br0 1' \
	    > /home/alice/typo.ini
	chown alice /home/alice/typo.ini
	run -0 --separate-stderr as alice "$ROOST" policy check /home/alice/typo.ini
	assert_output "/home/alice/typo.ini: ok"
	assert_equal "$stderr" "roost: policy: /home/alice/typo.ini:4: no user nosuchuser in /etc/passwd: the section grants nothing
roost: policy: /home/alice/typo.ini:7: no group nosuchgroup in /etc/group: the section grants nothing"
	run -1 --separate-stderr as alice "$ROOST" policy check --strict /home/alice/typo.ini
	assert_output ""
	assert_equal "${#stderr_lines[@]}" 2
	run -0 as alice "$ROOST" policy check --strict
	assert_output "/etc/roost/policy.conf: ok"
	rm /home/alice/typo.ini
}

@test "policy check: every bad-*.ini fixture fails with its .err reason" {
	cd "$FIX/policy"
	n=0
	for f in bad-*.ini; do
		run -1 as alice "$ROOST" policy check "$f"
		assert_output "roost: policy: $(head -n 1 "${f%.ini}.err")"
		n=$((n + 1))
	done
	[ "$n" -ge 20 ]
}

@test "policy check: a group-writable installed policy fails" {
	chmod 0664 /etc/roost/policy.conf
	run -1 as alice "$ROOST" policy check
	assert_output "roost: policy: /etc/roost/policy.conf: group or world writable"
}

@test "policy check: FILE is read as the caller" {
	install -m 0600 -o root "$FIX/etc/policy.conf" "$ROOST_R/secret.ini"
	run -1 as alice "$ROOST" policy check "$ROOST_R/secret.ini"
	assert_output "roost: policy: $ROOST_R/secret.ini: Permission denied"
}

@test "policy check: an installed policy the caller may not read fails, saying roost-policy(5) wants it 0644" {
	chmod 0600 /etc/roost/policy.conf
	run -1 as alice "$ROOST" policy check
	assert_output "roost: policy: /etc/roost/policy.conf: not readable by you; roost-policy(5) wants it mode 0644, owned by root"
	# Only root may read it, and the helper, which can, still refuses
	# every request for an error in it.
	printf '[user:alice]\nuids = 0 1\n' | policy -
	chmod 0600 /etc/roost/policy.conf
	pid=$(userns_target alice)
	run -1 as alice "$HELPER" map "$pid" u:0:1001:1
	assert_output "roost-helper: map: policy: /etc/roost/policy.conf:2: uids: range includes host id 0"
	assert_unmapped "$pid"
}

@test "policy explain: alice, one right per line" {
	run -0 as alice "$ROOST" policy explain
	assert_output "user alice uid 1001 gid 1001
uids 1001 1 self
uids 100000 65536 user:alice
gids 1001 1 self
gids 100000 65536 user:alice
setgroups default"
}

@test "policy explain: carol's ranges come from group:builders" {
	run -0 as carol "$ROOST" policy explain
	assert_output "user carol uid 1003 gid 1003
uids 1003 1 self
uids 300000 65536 group:builders
gids 1003 1 self
gids 300000 65536 group:builders
setgroups default"
}

@test "policy explain: dave has nothing but his own ids" {
	run -0 as dave "$ROOST" policy explain
	assert_output "user dave uid 1004 gid 1004
uids 1004 1 self
gids 1004 1 self
setgroups default"
}

@test "policy explain: another user, by name or uid, as they see themselves" {
	expected=$(as carol "$ROOST" policy explain)
	run -0 as alice "$ROOST" policy explain carol
	assert_output "$expected"
	run -0 as alice "$ROOST" policy explain 1003
	assert_output "$expected"
	run -0 as dave "$ROOST" policy explain bob
	assert_line "setgroups deny"
}

@test "policy explain: veths and routes, the same for the user and for anyone asking" {
	policy "$FIX/etc/policy-net.conf"
	for u in alice bob carol dave; do
		run -0 as "$u" "$ROOST" policy explain
		assert_output "$(as dave "$ROOST" policy explain "$u")"
	done
	run -0 as alice "$ROOST" policy explain
	assert_line "veth br0 4 user:alice"
	assert_line "route 2001:db8:a::/64 user:alice"
}

@test "policy explain --json: one object, valid JSON" {
	policy "$FIX/etc/policy-net.conf"
	run -0 as alice "$ROOST" policy explain --json
	assert_equal "${#lines[@]}" 1
	echo "$output" | jq -e '.user == "alice" and .uid == 1001 and
	    .gid == 1001 and .setgroups == "default" and
	    .uids == [{"start":1001,"count":1,"source":"self"},
	        {"start":100000,"count":65536,"source":"user:alice"}] and
	    .veth[0] == {"bridge":"br0","count":4,"source":"user:alice"} and
	    .route[0] == {"prefix":"192.0.2.8/29","source":"user:alice"} and
	    (.route | length) == 2'
	run -0 as alice "$ROOST" policy explain --json carol
	echo "$output" | jq -e '.uids[1].source == "group:builders" and
	    .veth == [{"bridge":"br0","count":2,"source":"group:builders"}] and
	    .route == []'
	run -0 as alice "$ROOST" policy explain dave --json
	echo "$output" | jq -e '(.uids | length) == 1 and .veth == [] and
	    .user == "dave"'
}

@test "policy explain: a policy only root may read fails with one line; the helper still works" {
	chmod 0600 /etc/roost/policy.conf
	run -1 as alice "$ROOST" policy explain
	assert_output "roost: policy: /etc/roost/policy.conf: not readable by you; roost-policy(5) wants it mode 0644, owned by root"
	run -1 as alice "$ROOST" policy explain --json bob
	assert_output "roost: policy: /etc/roost/policy.conf: not readable by you; roost-policy(5) wants it mode 0644, owned by root"
	# The helper reads it as root, and grants what it says.
	pid=$(userns_target alice)
	run -0 as alice "$HELPER" map "$pid" u:0:100000:65536 g:0:100000:65536
	assert_equal "$(maps_of "$pid")" "uid:0 100000 65536; gid:0 100000 65536; setgroups:allow"
	# --map auto: the error, then what no entitlement gets.
	run -0 --separate-stderr as alice "$ROOST" unshare -- cat /proc/self/uid_map
	assert_equal "$(echo "$output" | tr -s ' ' | sed 's/^ //')" "0 1001 1"
	assert_equal "$stderr" "roost: unshare: /etc/roost/policy.conf: not readable by you; roost-policy(5) wants it mode 0644, owned by root
roost: unshare: no id ranges granted to you by policy; mapping only your own uid and gid"
}

@test "policy explain: unknown users, and an unusable policy" {
	run -1 as alice "$ROOST" policy explain nosuch
	assert_output "roost: policy: nosuch: no such user"
	run -1 as alice "$ROOST" policy explain 4242
	assert_output "roost: policy: uid 4242: not in the user database"
	chmod 0664 /etc/roost/policy.conf
	run -1 as alice "$ROOST" policy explain
	assert_output "roost: policy: /etc/roost/policy.conf: group or world writable"
}

@test "policy import: subuid, subgid and lxc-usernet, byte for byte, with what is left out" {
	out=$ROOST_R/tmp/import.conf
	cd "$IMPORT"
	as alice "$ROOST" policy import --subuid subuid --subgid subgid \
	    --usernet lxc-usernet > "$out"
	cmp "$IMPORT/expected.conf" "$out"
}

@test "policy import: the output passes roost policy check and grants what the files did" {
	out=$ROOST_R/tmp/import.conf
	cd "$IMPORT"
	as alice "$ROOST" policy import --subuid subuid --subgid subgid \
	    --usernet lxc-usernet > "$out"
	chmod 0644 "$out"
	run -0 as alice "$ROOST" policy check "$out"
	assert_output "$out: ok"
	policy "$out"
	pid=$(userns_target bob)
	run -0 as bob "$HELPER" map "$pid" u:0:200000:65536 g:0:200000:65536
	run -0 as bob "$ROOST" policy explain
	assert_output "user bob uid 1002 gid 1002
uids 1002 1 self
uids 200000 65536 user:bob
gids 1002 1 self
gids 200000 65536 user:bob
veth br0 2 user:bob
veth none 2 user:bob
setgroups default"
}

@test "policy import: the installed subuid and subgid by default" {
	run -0 as alice "$ROOST" policy import
	assert_line "[user:alice]"
	assert_line "uids = 300000 65536"
	assert_line "gids = 200000 65536"
	as alice "$ROOST" policy import > "$ROOST_R/tmp/default.conf"
	run -0 as alice "$ROOST" policy check "$ROOST_R/tmp/default.conf"
}

@test "policy import: empty files give an empty policy" {
	run -0 as alice "$ROOST" policy import --subuid /dev/null \
	    --subgid /dev/null --usernet /dev/null
	assert_output ""
}

@test "policy import: bytes that would reach a terminal or break the policy are not copied" {
	f=$ROOST_R/tmp/evil
	printf '\033]0;pwned\007:1000:1\nalice:100000:10\n' > "$f"
	printf 'alice veth br0\r 1\n' > "$ROOST_R/tmp/usernet"
	chmod 0644 "$f" "$ROOST_R/tmp/usernet"
	run -0 as alice "$ROOST" policy import --subuid "$f" \
	    --subgid /dev/null --usernet "$ROOST_R/tmp/usernet"
	refute_output --regexp $'[\001-\010\013-\037\177]'
	assert_line "; $f:1: \"?]0;pwned?\" is not a user name a policy takes"
	assert_line "; $ROOST_R/tmp/usernet:1: bad bridge name \"br0?\""
	assert_line "uids = 100000 10"
	as alice "$ROOST" policy import --subuid "$f" --subgid /dev/null \
	    --usernet "$ROOST_R/tmp/usernet" > "$ROOST_R/tmp/evil.conf"
	run -0 as alice "$ROOST" policy check "$ROOST_R/tmp/evil.conf"
}

@test "policy import: a file that cannot be read is an error" {
	run -1 as alice "$ROOST" policy import --subuid "$ROOST_R/nosuch"
	assert_output "roost: policy: $ROOST_R/nosuch: No such file or directory"
}

@test "doctor: the sandbox's helper and policy are ok, and alice is entitled" {
	run -0 as alice "$ROOST" doctor
	assert_line "ok: user namespaces: you can make one and map your uid in it"
	assert_line "ok: helper $HELPER: setuid root"
	assert_line "ok: policy /etc/roost/policy.conf: safe and valid, 3 sections"
	assert_line "ok: entitlement: uids 100000 65536 (user:alice), gids 100000 65536 (user:alice)"
	assert_line "ok: newuidmap: $COMPAT/newuidmap is roost's"
	assert_line "ok: newgidmap: $COMPAT/newgidmap is roost's"
	assert_line --regexp '^(ok|warn): lxc-user-nic: '
	refute_line --partial "FAIL"
}

@test "doctor: colour only on a terminal, and never with NO_COLOR set" {
	command -v script >/dev/null || skip "script(1) is not installed"
	run -0 as alice script -qec "$ROOST doctor" /dev/null
	assert_output --partial $'\033[32mok\033[0m: helper '
	run -0 as alice script -qec "NO_COLOR= $ROOST doctor" /dev/null
	assert_output --partial $'\033[32mok\033[0m: helper '
	run -0 as alice script -qec "NO_COLOR=1 $ROOST doctor" /dev/null
	assert_output --partial 'ok: helper '
	refute_output --partial $'\033'
	run -0 as alice "$ROOST" doctor
	refute_output --partial $'\033'
	chmod g+w /etc/roost/policy.conf
	run -1 as alice script -qec "$ROOST doctor" /dev/null
	assert_output --partial $'\033[1;31mFAIL\033[0m: policy '
	chmod g-w /etc/roost/policy.conf
}

@test "doctor: dave is told he has no entitlement, which is no failure" {
	run -0 as dave "$ROOST" doctor
	assert_line "warn: entitlement: none: ask your admin to add [user:dave] to /etc/roost/policy.conf"
}

@test "doctor: a group-writable policy fails" {
	chmod 0664 /etc/roost/policy.conf
	run -1 as alice "$ROOST" doctor
	assert_line "FAIL: policy /etc/roost/policy.conf: group or world writable (fix: chown root:root and chmod go-w it and every directory above it)"
	assert_line "warn: entitlement: unknown, as the policy cannot be used"
	chmod 0644 /etc/roost/policy.conf
	run -0 as alice "$ROOST" doctor
}

@test "doctor: an invalid or missing policy fails" {
	printf '[user:alice]\nuids = 0 1\n' | policy -
	run -1 as alice "$ROOST" doctor
	assert_line "FAIL: policy /etc/roost/policy.conf:2: uids: range includes host id 0 (fix: correct that line; roost policy check FILE tests a draft)"
	rm /etc/roost/policy.conf
	run -1 as alice "$ROOST" doctor
	assert_line "FAIL: policy /etc/roost/policy.conf: No such file or directory (fix: write one (roost-policy(5)); roost policy import converts /etc/subuid)"
}

@test "doctor: a policy only root may read fails: roost-policy(5) wants it 0644" {
	chmod 0600 /etc/roost/policy.conf
	run -1 as alice "$ROOST" doctor
	assert_line "FAIL: policy /etc/roost/policy.conf: not readable by you; roost-policy(5) wants it mode 0644, owned by root (fix: chmod 0644 /etc/roost/policy.conf)"
	assert_line "warn: entitlement: unknown, as the policy cannot be used"
}

@test "doctor: a helper that is not setuid root fails" {
	h=$ROOST_R/tmp/roost-helper
	install -m 0755 "$HELPER" "$h"
	run -1 as alice env ROOST_HELPER="$h" "$ROOST" doctor
	assert_line "FAIL: helper $h: not setuid (fix: chown root:root $h && chmod 4755 $h)"
	chown 1001 "$h"
	chmod 4755 "$h"
	run -1 as alice env ROOST_HELPER="$h" "$ROOST" doctor
	assert_line "FAIL: helper $h: not owned by root (fix: chown root:root $h && chmod 4755 $h)"
	run -1 as alice env ROOST_HELPER="$ROOST_R/nosuch" "$ROOST" doctor
	assert_line "FAIL: helper $ROOST_R/nosuch: No such file or directory (fix: make install, or set ROOST_HELPER to it)"
}

@test "doctor: a helper on a nosuid mount fails" {
	mkdir -p "$ROOST_R/nosuid"
	mount -t tmpfs -o nosuid,mode=0755 roost-nosuid "$ROOST_R/nosuid"
	install -m 4755 -o root -g root "$HELPER" "$ROOST_R/nosuid/roost-helper"
	run -1 as alice env ROOST_HELPER="$ROOST_R/nosuid/roost-helper" \
	    "$ROOST" doctor
	assert_line "FAIL: helper $ROOST_R/nosuid/roost-helper: on a nosuid mount, so it runs without privilege (fix: install it on a file system mounted without nosuid)"
}

@test "doctor: the bridges of the caller's veth grants exist, are bridges and are up" {
	policy "$FIX/etc/policy-net.conf"
	run -1 as alice "$ROOST" doctor
	assert_line "FAIL: bridge br0: no such interface (fix: ip link add NAME type bridge, or correct the policy)"
	refute_line --partial "bridge none"
	ip link add br0 type bridge
	ip link add eth9 type veth peer name eth9p
	run -1 as alice "$ROOST" doctor
	assert_line "FAIL: bridge br0: down (fix: ip link set br0 up)"
	assert_line "FAIL: bridge eth9: not a bridge (veth) (fix: correct the policy)"
	ip link set br0 up
	run -0 as carol "$ROOST" doctor
	assert_line "ok: bridge br0: up"
}

@test "doctor: a newuidmap first in PATH that is not roost's is a warning" {
	run -0 as alice env PATH=/usr/bin:/bin "$ROOST" doctor
	assert_line --regexp "^warn: newuidmap: (/usr/bin/newuidmap is not roost's, and tools that run it do not use the roost policy|not in PATH) \(fix: put $ROOST_PREFIX/libexec/roost/compat first in PATH\)$"
}

@test "doctor: lxc-user-nic diverted to roost is roost's" {
	[ -e /usr/libexec/lxc/lxc-user-nic ] || skip "LXC is not installed"
	mount --bind "$COMPAT/lxc-user-nic" /usr/libexec/lxc/lxc-user-nic
	run -0 as alice "$ROOST" doctor
	assert_line "ok: lxc-user-nic: /usr/libexec/lxc/lxc-user-nic is roost's"
}

@test "policy and doctor: usage errors" {
	run -2 as alice "$ROOST" policy
	assert_output "roost: policy: no subcommand given (see roost policy --help)"
	run -2 as alice "$ROOST" policy frob
	assert_output "roost: policy: frob: unknown subcommand (see roost policy --help)"
	run -2 as alice "$ROOST" policy check a b
	assert_output "roost: policy: check: unexpected argument 'b' (see roost policy --help)"
	run -2 as alice "$ROOST" policy explain alice bob
	assert_output "roost: policy: explain: unexpected argument 'bob' (see roost policy --help)"
	run -2 as alice "$ROOST" policy explain --frob
	assert_output "roost: policy: unknown option '--frob' (see roost policy --help)"
	run -2 as alice "$ROOST" policy import extra
	assert_output "roost: policy: import: unexpected argument 'extra' (see roost policy --help)"
	run -2 as alice "$ROOST" policy import --subuid
	assert_output "roost: policy: option '--subuid' needs an argument (see roost policy --help)"
	run -2 as alice "$ROOST" doctor extra
	assert_output "roost: doctor: unexpected argument 'extra' (see roost doctor --help)"
}

@test "policy and doctor: --help prints the usage, which roost help includes" {
	run -0 as alice "$ROOST" policy --help
	assert_line --index 0 "usage: roost policy check [--strict] [FILE]"
	run -0 as alice "$ROOST" policy explain -h
	assert_line "       roost policy explain [USER] [--json]"
	run -0 as alice "$ROOST" doctor --help
	assert_line --index 0 "usage: roost doctor"
	run -0 as alice "$ROOST" help
	assert_line "usage: roost policy check [--strict] [FILE]"
	assert_line "usage: roost doctor"
}

@test "policy and doctor: every option in their usage is in roost(1)" {
	page=$(mandoc -Tascii "$ROOST_TOP/man/roost.1" | col -b)
	for verb in policy doctor; do
		run -0 as alice "$ROOST" $verb --help
		for opt in $(echo "$output" | grep -o -- '--[a-z][a-z-]*' | sort -u); do
			grep -q -e "$opt" <<< "$page" ||
			    fail "roost $verb: $opt is not in man/roost.1"
		done
		grep -q -e "roost $verb" <<< "$page" ||
		    fail "roost $verb is not in man/roost.1"
	done
}
