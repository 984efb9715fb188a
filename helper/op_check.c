/*
 * roost-helper check [FILE]: how an admin tests a policy (like doas -C).
 * Privilege is dropped before FILE is opened, so FILE is read as the
 * caller; only the installed policy, at its fixed path, is opened (and
 * checked for ownership) before the drop.  Prints the caller's
 * entitlement.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "helper.h"

static int
check_parse(struct request *rq, int argc, char *argv[])
{
	if (argc > 2) {
		usage_set(NULL, "usage: roost-helper check [FILE]");
		return -1;
	}
	rq->file = argc == 2 ? argv[1] : NULL;
	return 0;
}

static void
check_run(const struct request *rq, struct caller *c)
{
	char	 err[POLICY_ERRLEN];
	int	 fd;

	if (rq->file == NULL) {
		fd = policy_open(ROOST_POLICY_PATH, err, sizeof(err));
		if (fd == -1)
			die(1, "policy", "%s", err);
		priv_drop(c, NULL, 0);
	} else {
		priv_drop(c, NULL, 0);
		fd = open(rq->file, O_RDONLY | O_NOCTTY | O_CLOEXEC);
		if (fd == -1)
			die(1, rq->file, "%s", strerror(errno));
	}
	caller_evaluate(c, fd, rq->file != NULL ? rq->file :
	    ROOST_POLICY_PATH);
	caller_print(c);
}

const struct op	op_check = { "check", 0, check_parse, check_run };

static int
version_parse(struct request *rq, int argc, char *argv[])
{
	(void)rq;
	(void)argv;
	if (argc != 1) {
		usage_set(NULL, "usage: roost-helper version");
		return -1;
	}
	return 0;
}

static void
version_run(const struct request *rq, struct caller *c)
{
	(void)rq;
	priv_drop(c, NULL, 0);
	if (printf("roost-helper %s protocol 1\n", ROOST_VERSION) < 0 ||
	    fflush(stdout) == EOF)
		die(1, "stdout", "%s", strerror(errno));
}

const struct op	op_version = { "version", 0, version_parse, version_run };
