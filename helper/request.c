/*
 * request.c: argv to a request, for every operation and personality.
 * Pure: no syscalls, nothing opened; runs before sanitize() so that the fd
 * a target names can be kept.  tests/fuzz/fuzz_argv.c drives it.
 */
#include <limits.h>
#include <string.h>

#include "helper.h"

static const struct op	*ops[] = { &op_map, &op_check, &op_version };

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
	base = argc > 0 && argv[0] != NULL ? strrchr(argv[0], '/') : NULL;
	base = base != NULL ? base + 1 : (argc > 0 ? argv[0] : NULL);
	if (base != NULL && (strcmp(base, "newuidmap") == 0 ||
	    strcmp(base, "newgidmap") == 0)) {
		rq->prog = base[3] == 'u' ? "newuidmap" : "newgidmap";
		rq->op = &op_map;
		return compat_parse(rq, argc, argv);
	}
	if (argc < 2 || (rq->op = op_lookup(argv[1])) == NULL) {
		usage_set(NULL, "usage: roost-helper map|check|version ...");
		return -1;
	}
	return rq->op->parse(rq, argc - 1, argv + 1);
}

