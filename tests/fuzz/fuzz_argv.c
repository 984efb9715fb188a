/*
 * libFuzzer target: roost-helper's argv parsing for every operation and
 * for the newuidmap/newgidmap personalities (helper/request.c).  The
 * first byte picks argv[0]; the rest is NUL-separated arguments.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "helper.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
check(const struct request *rq)
{
	size_t	 i;

	if (rq->op == NULL || rq->nkeep > HELPER_MAX_KEEP)
		abort();
	if (rq->target != NULL && rq->target_fd < 0 && rq->target_pid <= 0)
		abort();
	for (i = 0; i < rq->next; i++)
		if (rq->ext[i].count == 0 || (rq->ext[i].type != 'u' &&
		    rq->ext[i].type != 'g') ||
		    (uint64_t)rq->ext[i].inside + rq->ext[i].count > ID_INVALID ||
		    (uint64_t)rq->ext[i].outside + rq->ext[i].count > ID_INVALID)
			abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char		*names[] = { "roost-helper",
				    "/usr/libexec/roost/compat/newuidmap",
				    "newgidmap" };
	char			*buf, *argv[1024];
	struct request		 rq;
	size_t			 i, argc = 1;

	if (size == 0 || (buf = malloc(size)) == NULL)
		return 0;
	memcpy(buf, data + 1, size - 1);
	buf[size - 1] = '\0';
	argv[0] = names[data[0] % 3];
	for (i = 0; i < size - 1 && argc < 1023; i++)
		if (i == 0 || buf[i - 1] == '\0')
			argv[argc++] = buf + i;
	argv[argc] = NULL;
	if (request_parse(&rq, (int)argc, argv) == 0)
		check(&rq);
	free(rq.ext);
	free(buf);
	return 0;
}
