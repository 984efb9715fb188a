/*
 * request.c: argv to a request, for every operation and personality.
 * Pure: no syscalls, nothing opened; runs before sanitize() so that the fd
 * a target names can be kept.  tests/fuzz/fuzz_argv.c drives it.
 */
#include <limits.h>
#include <string.h>

#include "helper.h"

static const struct op	*ops[] = { &op_map, &op_veth, &op_unveth, &op_route,
    &op_unroute, &op_idmount, &op_check, &op_version };

static const struct op *
op_lookup(const char *name)
{
	size_t	 i;

	for (i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
		if (strcmp(ops[i]->name, name) == 0)
			return ops[i];
	return NULL;
}

/*
 * TARGET is "fd:N", an inherited directory fd of /proc/PID (race-free), or
 * a decimal PID, resolved exactly once in target_open().  Pure: the fd is
 * only recorded here so that sanitize() keeps it open.
 */
int
request_target(struct request *rq, const char *s)
{
	uint32_t	 n;

	rq->target = s;
	if (strncmp(s, "fd:", 3) == 0) {
		if (policy_parse_u32(s + 3, INT_MAX, &n) == -1)
			return -1;
		rq->target_fd = (int)n;
		rq->keep[rq->nkeep++] = (int)n;
		return 0;
	}
	if (policy_parse_u32(s, INT_MAX, &n) == -1 || n == 0)
		return -1;
	rq->target_pid = (pid_t)n;
	return 0;
}

int
request_parse(struct request *rq, int argc, char *argv[])
{
	const char	*base;

	memset(rq, 0, sizeof(*rq));
	rq->prog = "roost-helper";
	rq->target_fd = -1;
	rq->dir_fd = -1;
	base = argc > 0 && argv[0] != NULL ? strrchr(argv[0], '/') : NULL;
	base = base != NULL ? base + 1 : (argc > 0 ? argv[0] : NULL);
	if (base != NULL && (strcmp(base, "newuidmap") == 0 ||
	    strcmp(base, "newgidmap") == 0)) {
		rq->prog = base[3] == 'u' ? "newuidmap" : "newgidmap";
		rq->op = &op_map;
		return compat_parse(rq, argc, argv);
	}
	if (argc < 2 || (rq->op = op_lookup(argv[1])) == NULL) {
		usage_set(NULL, "usage: roost-helper map|veth|unveth|route|unroute|"
		    "idmount|check|version ...");
		return -1;
	}
	return rq->op->parse(rq, argc - 1, argv + 1);
}


/*
 * veth TARGET BRIDGE IFNAME, unveth TARGET HOSTIF, route and unroute
 * TARGET HOSTIF ADDR[/LEN].  ARGV[0] is the operation.
 */
int
request_net(struct request *rq, int argc, char *argv[])
{
	const char	*op = rq->op->name, *use = "HOSTIF ADDR[/LEN]";
	int		 want = 4;

	if (strcmp(op, "veth") == 0)
		use = "BRIDGE IFNAME";
	else if (strcmp(op, "unveth") == 0) {
		use = "HOSTIF";
		want = 3;
	}
	if (argc != want) {
		usage_set(NULL, "usage: roost-helper %s TARGET %s", op, use);
		return -1;
	}
	if (request_target(rq, argv[1]) == -1) {
		usage_set(argv[1], "bad target (want fd:N or a pid)");
		return -1;
	}
	rq->ifa = argv[2];
	if (*op == 'v')
		rq->ifb = argv[3];
	else if (want == 4)
		rq->addr_arg = argv[3];
	if (!policy_valid_ifname(rq->ifa) ||
	    (rq->ifb != NULL && !policy_valid_ifname(rq->ifb))) {
		usage_set(policy_valid_ifname(rq->ifa) ? rq->ifb : rq->ifa,
		    "bad interface name");
		return -1;
	}
	if (rq->addr_arg != NULL &&
	    policy_parse_addr(rq->addr_arg, &rq->addr) == -1) {
		usage_set(rq->addr_arg, "bad address (want ADDR[/LEN])");
		return -1;
	}
	return 0;
}
