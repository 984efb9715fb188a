/*
 * roost-helper check: the caller's entitlement under the installed policy,
 * for a caller who may not read it (roost policy explain, roost run --map
 * auto).  roost policy check FILE tests a draft, without privilege.
 * roost-helper version: the protocol spoken.
 *
 * Capabilities: none (all are dropped before anything is printed).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "config.h"
#include "helper.h"

static int
check_parse(struct request *rq, int argc, char *argv[])
{
	(void)argv;
	if (argc != 1)
		return usage_set(NULL, "usage: roost-helper %s", rq->op->name);
	return 0;
}

static void
check_run(const struct request *rq, struct caller *c)
{
	(void)rq;
	caller_load_policy(c, 1);
	caller_print(c);
}

const struct op	op_check = { "check", 0, check_parse, check_run };

static void
version_run(const struct request *rq, struct caller *c)
{
	(void)rq;
	priv_drop(c, NULL, 0);
	if (printf("roost-helper %s protocol 1\n", ROOST_VERSION) < 0 ||
	    fflush(stdout) == EOF)
		die("stdout", "%s", strerror(errno));
}

const struct op	op_version = { "version", 0, check_parse, version_run };
