#!/usr/bin/env bats
# The bash completion installed by make install, sourced in bash as an
# unprivileged user, and roost ls --json, which it could read too.

load helpers

setup_file() {
	BBC=$ROOST_R/busybox-completion
	export BBC
	[ -d "$BBC" ] && return 0
	mkdir -p "$BBC/bin" "$BBC/proc" "$BBC/sys" "$BBC/dev" "$BBC/tmp"
	cp /bin/busybox "$BBC/bin/"
	for c in sh sleep true; do
		ln -s busybox "$BBC/bin/$c"
	done
}

teardown() {
	teardown_targets
	teardown_containers
	rm -rf /home/alice/.local
}

COMPLETION=$ROOST_PREFIX/share/bash-completion/completions/roost

# comp USER LINE: COMPREPLY, one per line, for LINE typed up to its end
# and TAB, in USER's bash with the installed script sourced (bash sets
# COMP_WORDBREAKS, ':' and '=' included, even when not interactive).
comp() {
	as "$1" bash -c 'source "$1"; COMP_LINE=$2 COMP_POINT=${#2} _roost
	    printf "%s\n" "${COMPREPLY[@]}"' bash "$COMPLETION" "$2"
}

@test "completion: installed by make install, a plain bash script" {
	assert_file_exists "$COMPLETION"
	run -0 bash -n "$COMPLETION"
	run -0 as alice bash -c 'source "$1"; complete -p roost' bash "$COMPLETION"
	assert_output "complete -F _roost roost"
}

@test "completion: subcommands, as roost help lists them" {
	run -0 comp alice "roost en"
	assert_output enter
	run -0 comp alice "roost "
	for verb in $(as alice roost help | awk '$1 == "usage:" { print $3 }' |
	    sort -u); do
		assert_line "$verb"
	done
	run -0 comp alice "roost policy ex"
	assert_output explain
	run -0 comp alice "roost net "
	assert_output "add
del
ls"
}

@test "completion: each subcommand's options, as its usage lists them" {
	run -0 comp alice "roost run --n"
	assert_output "--name
--net
--ns
--no-idmap
--no-tty"
	run -0 comp alice "roost ls --"
	assert_output "--json
--help"
	for verb in run unshare ls enter exec stop shift create destroy doctor; do
		run -0 comp alice "roost $verb -"
		got=$output
		for opt in $(as alice roost "$verb" --help |
		    grep -o -e '--[a-z][a-z-]*' | sort -u); do
			grep -qx -e "$opt" <<< "$got" ||
			    fail "roost $verb: $opt not completed"
		done
	done
}

@test "completion: option values (--net, --ns, --map, signals)" {
	run -0 comp alice "roost run --net "
	assert_output "none
host
bridge:
routed:"
	run -0 comp alice "roost run --ns user,c"
	assert_output "user,cgroup"
	run -0 comp alice "roost kill c1 HU"
	assert_output HUP
	run -0 comp alice "roost run --rootfs $BBC/b"
	assert_output "$BBC/bin"
}

@test "completion: bridge names for --net bridge:, after the colon" {
	ip link add roostcbr0 type bridge
	run -0 comp alice "roost run --net bridge:roostc"
	ip link del roostcbr0
	# Bash completes the part after the ':' (COMP_WORDBREAKS).
	assert_output roostcbr0
	run -0 comp alice "roost run --net=bridge:br0,ad"
	assert_output "br0,addr="
}

@test "completion: running containers for enter, stored ones for destroy" {
	run -0 as alice roost run -d --name comp1 --rootfs "$BBC" -- sleep 1000
	run -0 as alice roost run -d --name comp2 --rootfs "$BBC" -- sleep 1000
	mkdir -p /home/alice/.local/share/roost/stored1/rootfs
	chown -R alice:alice /home/alice/.local
	chmod 0700 /home/alice/.local/share/roost
	run -0 comp alice "roost enter comp"
	assert_output "comp1
comp2"
	run -0 comp alice "roost stop "
	assert_output "comp1
comp2"
	run -0 comp alice "roost exec --all comp1 "
	assert_output "comp1
comp2"
	run -0 comp alice "roost destroy "
	assert_output stored1
	run -0 comp alice "roost run sto"
	assert_line stored1
	# Another user's are not offered.
	run -0 comp bob "roost enter "
	assert_output ""
}

@test "ls --json: one object, the running containers and the stored ones" {
	run -0 as alice roost ls --json
	assert_output '{"containers":[],"stored":[]}'
	run -0 as alice roost run -d --name j1 --rootfs "$BBC" -- sleep 1000
	run -0 as alice roost run -d --name j2 --net host --rootfs "$BBC" -- \
	    sh -c 'sleep 1000 # "quoted"\'
	mkdir -p /home/alice/.local/share/roost/st1/rootfs
	chown -R alice:alice /home/alice/.local
	chmod 0700 /home/alice/.local/share/roost
	run -0 as alice roost ls --json
	assert_equal "${#lines[@]}" 1
	run -0 jq -c '.containers[] | [.name, .state, .network, .veths,
	    (.pid > 1), (.uptime >= 0), .command]' <<< "$output"
	assert_output '["j1","running","none",0,true,true,"sleep 1000"]
["j2","running","host",0,true,true,"sh -c sleep 1000 # \"quoted\"\\"]'
	run -0 as alice roost ls --json
	run -0 jq -c .stored <<< "$output"
	assert_output '[{"name":"st1"}]'
	run -2 as alice roost ls --frob
	assert_output "roost: ls: unknown option '--frob' (see roost ls --help)"
	run -2 as alice roost ls extra
	assert_output "roost: ls: unexpected argument 'extra' (see roost ls --help)"
}
