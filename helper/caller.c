/*
 * Who is asking: the real uid only (invariant 1), never argv, environment
 * or a caller's file; and what the policy, from a compiled-in root-owned
 * path, grants them.  /etc/subuid is not read (`roost policy import`).
 */
#include "config.h"
#include "helper.h"

void
caller_identify(struct caller *c)
{
	char	 uid[16];

	memset(c, 0, sizeof(*c));
	c->uid = getuid();
	c->gid = getgid();
	snprintf(uid, sizeof(uid), "uid %u", (unsigned)c->uid);
	if (policy_userdb_lookup(&c->user, c->uid, "/etc/passwd",
	    "/etc/group") == -1)
		die(uid, "not in the user database");
}

/* An invalid policy refuses every request (fail closed). */
void
caller_load_policy(struct caller *c)
{
	char	 err[POLICY_ERRLEN];
	int	 fd;

	if ((fd = policy_open(ROOST_POLICY_PATH, err, sizeof(err))) == -1)
		die("policy", "%s", err);
	if (policy_load_fd(&c->policy, fd, ROOST_POLICY_PATH, err,
	    sizeof(err)) == -1)
		die("policy", "%s", err);
	close(fd);
	if (policy_entitle(&c->policy, &c->user, &c->ent) == -1)
		die("policy", "%s", strerror(errno));
}

/* So that `make valgrind` tells a real leak from what exit releases. */
void
caller_free(struct caller *c)
{
	policy_entitlement_free(&c->ent);
	policy_free(&c->policy);
	policy_user_free(&c->user);
}
