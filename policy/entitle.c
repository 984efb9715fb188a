/*
 * entitle.c: what one caller may do, as the union of the policy sections
 * that apply to them, and the decisions made from it.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "policy.h"

/*
 * Append the N elements of SIZE bytes at ADD to the array *LISTP of *NLIST.
 * LISTP is the address of any T *: it is read and written with memcpy(),
 * as T ** cannot alias void **.
 */
static int
append(void *listp, size_t *nlist, const void *add, size_t n, size_t size)
{
	char	*list, *p;

	if (n == 0)
		return 0;
	memcpy(&list, listp, sizeof(list));
	if ((p = reallocarray(list, *nlist + n, size)) == NULL)
		return -1;
	memcpy(p + *nlist * size, add, n * size);
	memcpy(listp, &p, sizeof(p));
	*nlist += n;
	return 0;
}

/*
 * The section of KIND called NAME, if any, is added to E.  Each section
 * keeps its own veth entries: a group's allotment is one quota shared by
 * its members, not one per member.  For setgroups, deny wins: a section
 * that asks for it protects negative group ACLs (CVE-2018-7169) and no
 * other section may take that away.
 */
static int
grant_section(struct policy_entitlement *e, const struct policy *p,
    enum policy_kind kind, const char *name)
{
	const struct policy_section *s = NULL;
	size_t i;

	/* By index: an empty policy has sections == NULL, and NULL + 0 is
	 * undefined (found by tests/fuzz). */
	for (i = 0; i < p->nsections && s == NULL; i++)
		if (p->sections[i].kind == kind &&
		    strcmp(p->sections[i].name, name) == 0)
			s = &p->sections[i];
	if (s == NULL)
		return 0;
	if (append(&e->uids, &e->nuids, s->uids, s->nuids,
	    sizeof(*s->uids)) == -1 ||
	    append(&e->gids, &e->ngids, s->gids, s->ngids,
	    sizeof(*s->gids)) == -1 ||
	    append(&e->veths, &e->nveths, s->veths, s->nveths,
	    sizeof(*s->veths)) == -1 ||
	    append(&e->routes, &e->nroutes, s->routes, s->nroutes,
	    sizeof(*s->routes)) == -1)
		return -1;
	if (s->setgroups == POLICY_SETGROUPS_DENY ||
	    (s->setgroups == POLICY_SETGROUPS_ALLOW &&
	    e->setgroups != POLICY_SETGROUPS_DENY))
		e->setgroups = s->setgroups;
	return 0;
}

int
policy_entitle(const struct policy *p, const struct policy_user *u,
    struct policy_entitlement *e)
{
	struct policy_grant self[2] = { { u->uid, 1, 0, "self" },
	    { u->gid, 1, 0, "self" } };
	size_t i;
	int err;

	memset(e, 0, sizeof(*e));
	e->uid = u->uid;
	e->gid = u->gid;
	if (append(&e->uids, &e->nuids, &self[0], 1, sizeof(self[0])) == -1 ||
	    append(&e->gids, &e->ngids, &self[1], 1, sizeof(self[1])) == -1 ||
	    grant_section(e, p, POLICY_USER, u->name) == -1)
		goto fail;
	for (i = 0; i < u->ngroups; i++)
		if (grant_section(e, p, POLICY_GROUP, u->groups[i]) == -1)
			goto fail;
	return 0;
fail:
	err = errno;
	policy_entitlement_free(e);
	errno = err;
	return -1;
}

void
policy_entitlement_free(struct policy_entitlement *e)
{
	free(e->uids);
	free(e->gids);
	free(e->veths);
	free(e->routes);
	memset(e, 0, sizeof(*e));
}

/*
 * Walk from START over any grant that contains the next id still to be
 * covered; grants that merely touch are spanned.  No allocation, so no
 * failure mode: a decision is always yes or no.
 */
int
policy_permits_ids(const struct policy_entitlement *e, char type,
    uint32_t start, uint32_t count)
{
	const struct policy_grant *g = type == 'u' ? e->uids : e->gids;
	size_t i, n = type == 'u' ? e->nuids : e->ngids;
	uint64_t next = start, end = (uint64_t)start + count;
	int moved = 1;

	if ((type != 'u' && type != 'g') || count == 0 || end > ID_INVALID)
		return 0;
	while (moved && next < end)
		for (moved = 0, i = 0; i < n && next < end; i++)
			if (g[i].start <= next &&
			    next < (uint64_t)g[i].start + g[i].count) {
				next = (uint64_t)g[i].start + g[i].count;
				moved = 1;
			}
	return next >= end;
}

int
policy_self_only(const struct policy_entitlement *e, char type,
    uint32_t start, uint32_t count)
{
	return count == 1 && ((type == 'u' && start == e->uid) ||
	    (type == 'g' && start == e->gid));
}
