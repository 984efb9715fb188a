/*
 * Who is asking, and what the policy grants them.  Identity is the real
 * uid only (invariant 1): never argv, the environment, or a file the caller
 * controls.  The user database and the policy are read from fixed,
 * root-owned paths, before any privilege is dropped.  /etc/subuid and
 * /etc/subgid are not read: the policy is the one source of rights
 * (`roost policy import` turns them into a policy).
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

/*
 * The installed policy (its path is compiled in, never taken at run time)
 * and the caller's entitlement under it.  An invalid policy refuses every
 * request (fail closed): the message names the file and line, the log
 * keeps it.
 */
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

/*
 * Released before main() returns, whose frame held the only pointers: so
 * that valgrind (make valgrind) tells a real leak from what the process
 * exits with.
 */
void
caller_free(struct caller *c)
{
	policy_entitlement_free(&c->ent);
	policy_free(&c->policy);
	policy_user_free(&c->user);
}
