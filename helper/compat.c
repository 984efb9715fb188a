/*
 * newuidmap / newgidmap: shadow's exact argv protocol, under the same
 * policy as "roost-helper map", so that podman, LXC, util-linux unshare and
 * mmdebstrap work unchanged with roost's compat directory first in PATH.
 *
 *	newuidmap PID|fd:N INSIDE OUTSIDE COUNT [INSIDE OUTSIDE COUNT]...
 *
 * Unlike shadow, numbers are decimal only (clients never send anything
 * else) and zero triplets are refused.  With no argument at all the usage
 * goes to stderr and the status is 1: mmdebstrap probes for exactly that.
 */
#include <stdio.h>
#include <stdlib.h>

#include "helper.h"

int
compat_parse(struct request *rq, int argc, char *argv[])
{
	static char	 obj[64];
	char		 buf[64];
	size_t		 i, n;

	if (argc < 5 || (argc - 2) % 3 != 0) {
		usage_set(NULL, "usage: %s PID|fd:N INSIDE OUTSIDE COUNT "
		    "[INSIDE OUTSIDE COUNT]...", rq->prog);
		return -1;
	}
	if (request_target(rq, argv[1]) == -1) {
		usage_set(argv[1], "bad target (want fd:N or a pid)");
		return -1;
	}
	n = (size_t)(argc - 2) / 3;
	if ((rq->ext = calloc(n, sizeof(*rq->ext))) == NULL) {
		usage_set(NULL, "out of memory");
		return -1;
	}
	for (i = 0; i < n; i++) {
		/* Each number fits in 10 digits, so nothing is cut. */
		if (snprintf(buf, sizeof(buf), "%c:%s:%s:%s", rq->prog[3],
		    argv[2 + 3 * i], argv[3 + 3 * i], argv[4 + 3 * i]) >=
		    (int)sizeof(buf) || idmap_parse(buf, &rq->ext[i]) == -1) {
			snprintf(obj, sizeof(obj), "%.20s %.20s %.20s",
			    argv[2 + 3 * i], argv[3 + 3 * i], argv[4 + 3 * i]);
			usage_set(obj, "bad range (want decimal INSIDE "
			    "OUTSIDE COUNT)");
			return -1;
		}
	}
	rq->next = n;
	return 0;
}
