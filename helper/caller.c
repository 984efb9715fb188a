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
		die(uid, "not in the user database");
}

/*
 * The installed policy (its path is compiled in, never taken at run time)
 * and the caller's entitlement under it.  Opened as root; with DROP, all
 * privilege is dropped before it is parsed.  An invalid policy refuses
 * every request (fail closed): the message names the file and line, the
 * log keeps it.
 */
void
caller_load_policy(struct caller *c, int drop)
{
	char	 err[POLICY_ERRLEN];
	int	 fd;

	if ((fd = policy_open(ROOST_POLICY_PATH, err, sizeof(err))) == -1)
		die("policy", "%s", err);
	if (drop)
		priv_drop(c, NULL, 0);
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

/* `roost-helper check`: the entitlement, one right per line. */
void
caller_print(const struct caller *c)
{
	static const char		*sg[] = { "default", "allow", "deny" };
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
	printf("setgroups %s\n", sg[e->setgroups]);
	if (fflush(stdout) == EOF || ferror(stdout))
		die("stdout", "%s", strerror(errno));
}
