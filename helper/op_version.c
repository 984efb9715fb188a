/*
 * roost-helper version: the protocol spoken.
 *
 * Capabilities: none (all are dropped before anything is printed).
 */
#include "config.h"
#include "helper.h"

static int
version_parse(struct request *rq, int argc, char *argv[])
{
	(void)argv;
	if (argc != 1)
		return usage_set(NULL, "usage: roost-helper %s", rq->op->name);
	return 0;
}

static void
version_run(const struct request *rq, struct caller *c)
{
	(void)rq;
	priv_drop(c, NULL, 0);
	if (printf("roost-helper %s protocol 1\n", ROOST_VERSION) < 0 ||
	    fflush(stdout) == EOF)
		die("stdout", "%s", strerror(errno));
}

const struct op	op_version = { "version", 0, version_parse, version_run };
