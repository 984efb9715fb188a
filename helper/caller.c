/*
 * Who is asking, and what the policy grants them.  Identity is the real
 * uid only (invariant 1): never argv, the environment, or a file the caller
 * controls.  The user database and the policy are read from fixed,
 * root-owned paths, before any privilege is dropped.  /etc/subuid and
 * /etc/subgid are not read: the policy is the one source of rights
 * (`roost policy import` turns them into a policy).
 */
#include <arpa/inet.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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
		die(1, uid, "not in the user database");
}

/*
 * Parse the policy open on FD and compute the caller's entitlement.  An
 * invalid policy refuses every request (fail closed): the message names
 * the file and line, the log keeps it.
 */
void
caller_evaluate(struct caller *c, int fd, const char *name)
{
	char	 err[POLICY_ERRLEN];

	if (policy_load_fd(&c->policy, fd, name, err, sizeof(err)) == -1)
		die(1, "policy", "%s", err);
	close(fd);
	if (policy_entitle(&c->policy, &c->user, &c->ent) == -1)
		die(1, "policy", "%s", strerror(errno));
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

/* The installed policy: its path is compiled in, never taken at run time. */
void
caller_load_policy(struct caller *c)
{
	char	 err[POLICY_ERRLEN];
	int	 fd;

	if ((fd = policy_open(ROOST_POLICY_PATH, err, sizeof(err))) == -1)
		die(1, "policy", "%s", err);
	caller_evaluate(c, fd, ROOST_POLICY_PATH);
}

static const char *
setgroups_word(enum policy_setgroups sg)
{
	switch (sg) {
	case POLICY_SETGROUPS_ALLOW:
		return "allow";
	case POLICY_SETGROUPS_DENY:
		return "deny";
	case POLICY_SETGROUPS_UNSET:
		break;
	}
	return "default";
}

/* `roost-helper check`: the entitlement, one right per line. */
void
caller_print(const struct caller *c)
{
	const struct policy_entitlement	*e = &c->ent;
	char				 a[INET6_ADDRSTRLEN];
	size_t				 i;

	printf("user %s uid %u gid %u\n", c->user.name, (unsigned)e->uid,
	    (unsigned)e->gid);
	for (i = 0; i < e->nuids; i++)
		printf("uids %u %u %s\n", e->uids[i].start, e->uids[i].count,
		    e->uids[i].source);
	for (i = 0; i < e->ngids; i++)
		printf("gids %u %u %s\n", e->gids[i].start, e->gids[i].count,
		    e->gids[i].source);
	for (i = 0; i < e->nveths; i++)
		printf("veth %s %u %s\n", e->veths[i].bridge,
		    e->veths[i].count, e->veths[i].source);
	for (i = 0; i < e->nroutes; i++) {
		inet_ntop(e->routes[i].family, e->routes[i].addr, a, sizeof(a));
		printf("route %s/%u %s\n", a, e->routes[i].len,
		    e->routes[i].source);
	}
	printf("setgroups %s\n", setgroups_word(e->setgroups));
	if (fflush(stdout) == EOF || ferror(stdout))
		die(1, "stdout", "%s", strerror(errno));
}
