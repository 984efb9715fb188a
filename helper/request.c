/*
 * argv to a request, for every operation and personality.  Pure (fuzzed
 * by tests/fuzz/fuzz_argv.c); runs before sanitize(), which keeps the fds
 * it names.
 */
#include <limits.h>

#include "helper.h"

static const struct op	*ops[] = { &op_map, &op_veth, &op_unveth, &op_route,
    &op_unroute, &op_idmount, &op_version };

/* N of "fd:N", recorded so that sanitize() keeps it open; or -1. */
int
request_fd(struct request *rq, const char *s)
{
	uint32_t	 n;

	if (strncmp(s, "fd:", 3) != 0 ||
	    policy_parse_u32(s + 3, INT_MAX, &n) == -1)
		return -1;
	rq->keep[rq->nkeep++] = (int)n;
	return (int)n;
}

/* "fd:N", an inherited /proc/PID fd (race-free), or a PID, which
 * target_open() resolves once. */
int
request_target(struct request *rq, const char *s)
{
	uint32_t	 n;

	rq->target = s;
	if ((rq->target_fd = request_fd(rq, s)) != -1)
		return 0;
	if (policy_parse_u32(s, INT_MAX, &n) == -1 || n == 0)
		return usage_set(s, "bad target (want fd:N or a pid)");
	rq->target_pid = (pid_t)n;
	return 0;
}

/*
 * newuidmap/newgidmap PID|fd:N INSIDE OUTSIDE COUNT...: shadow's protocol
 * under the policy of "map", for podman, LXC, unshare and mmdebstrap.
 * Numbers are decimal only and zero triplets refused.  No argument: usage
 * and status 1, which mmdebstrap probes for.
 */
static int
compat_parse(struct request *rq, int argc, char *argv[])
{
	static char	 obj[64];
	char		 buf[64];
	size_t		 i, n;

	if (argc < 5 || (argc - 2) % 3 != 0)
		return usage_set(NULL, "usage: %s PID|fd:N INSIDE OUTSIDE "
		    "COUNT [INSIDE OUTSIDE COUNT]...", rq->prog);
	if (request_target(rq, argv[1]) == -1)
		return -1;
	n = (size_t)(argc - 2) / 3;
	if ((rq->ext = calloc(n, sizeof(*rq->ext))) == NULL)
		return usage_set(NULL, "out of memory");
	for (i = 0; i < n; i++) {
		if (snprintf(buf, sizeof(buf), "%c:%s:%s:%s", rq->prog[3],
		    argv[2 + 3 * i], argv[3 + 3 * i], argv[4 + 3 * i]) >=
		    (int)sizeof(buf) || idmap_parse(buf, &rq->ext[i]) == -1) {
			snprintf(obj, sizeof(obj), "%.20s %.20s %.20s",
			    argv[2 + 3 * i], argv[3 + 3 * i], argv[4 + 3 * i]);
			return usage_set(obj, "bad range (want decimal "
			    "INSIDE OUTSIDE COUNT)");
		}
	}
	rq->next = n;
	return 0;
}

int
request_parse(struct request *rq, int argc, char *argv[])
{
	const char	*base;
	size_t		 i;

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
	for (i = 0; argc >= 2 && i < sizeof(ops) / sizeof(ops[0]); i++)
		if (strcmp(ops[i]->name, argv[1]) == 0)
			rq->op = ops[i];
	if (rq->op == NULL)
		return usage_set(NULL, "usage: roost-helper map|veth|unveth|"
		    "route|unroute|idmount|version ...");
	return rq->op->parse(rq, argc - 1, argv + 1);
}

/* veth TARGET BRIDGE IFNAME, unveth TARGET HOSTIF, (un)route TARGET
 * HOSTIF ADDR[/LEN]. */
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
	if (argc != want)
		return usage_set(NULL, "usage: roost-helper %s TARGET %s", op,
		    use);
	if (request_target(rq, argv[1]) == -1)
		return -1;
	rq->ifa = argv[2];
	if (*op == 'v')
		rq->ifb = argv[3];
	else if (want == 4)
		rq->addr_arg = argv[3];
	if (!policy_valid_ifname(rq->ifa))
		return usage_set(rq->ifa, "bad interface name");
	if (rq->ifb != NULL && !policy_valid_ifname(rq->ifb))
		return usage_set(rq->ifb, "bad interface name");
	if (rq->addr_arg != NULL &&
	    policy_parse_addr(rq->addr_arg, &rq->addr) == -1)
		return usage_set(rq->addr_arg, "bad address (want ADDR[/LEN])");
	return 0;
}
