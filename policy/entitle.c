/*
 * entitle.c: what one caller may do, as the union of the policy sections
 * that apply to them, and the decisions made from it.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy.h"

/* Add the N id ranges R to *LIST, as granted by SOURCE. */
static int
grant_ids(struct policy_grant **list, size_t *nlist,
    const struct policy_range *r, size_t n, const char *source)
{
	struct policy_grant *g;
	size_t i;

	for (i = 0; i < n; i++) {
		if ((g = reallocarray(*list, *nlist + 1, sizeof(*g))) == NULL)
			return -1;
		*list = g;
		g = &g[(*nlist)++];
		g->start = r[i].start;
		g->count = r[i].count;
		strlcpy(g->source, source, sizeof(g->source));
	}
	return 0;
}

/* Each section keeps its own veth entries: a group's allotment is one
 * quota shared by its members, not one per member. */
static int
grant_nets(struct policy_entitlement *e, const struct policy_section *s,
    const char *source)
{
	struct policy_veth_grant *v;
	struct policy_route_grant *r;
	size_t i;

	for (i = 0; i < s->nveths; i++) {
		if ((v = reallocarray(e->veths, e->nveths + 1,
		    sizeof(*v))) == NULL)
			return -1;
		e->veths = v;
		v = &v[e->nveths++];
		memcpy(v->bridge, s->veths[i].bridge, sizeof(v->bridge));
		v->count = s->veths[i].count;
		strlcpy(v->source, source, sizeof(v->source));
	}
	for (i = 0; i < s->nroutes; i++) {
		if ((r = reallocarray(e->routes, e->nroutes + 1,
		    sizeof(*r))) == NULL)
			return -1;
		e->routes = r;
		r = &r[e->nroutes++];
		r->family = s->routes[i].family;
		memcpy(r->addr, s->routes[i].addr, sizeof(r->addr));
		r->len = s->routes[i].len;
		strlcpy(r->source, source, sizeof(r->source));
	}
	return 0;
}

/*
 * The section of KIND called NAME, if any, is added to E.  For setgroups,
 * deny wins: a section that asks for it protects negative group ACLs
 * (CVE-2018-7169) and no other section may take that away.
 */
static int
grant_section(struct policy_entitlement *e, const struct policy *p,
    enum policy_kind kind, const char *name)
{
	const struct policy_section *s = NULL;
	char source[POLICY_SOURCELEN];
	size_t i;

	/* By index: an empty policy has sections == NULL, and NULL + 0 is
	 * undefined (found by tests/fuzz). */
	for (i = 0; i < p->nsections && s == NULL; i++)
		if (p->sections[i].kind == kind &&
		    strcmp(p->sections[i].name, name) == 0)
			s = &p->sections[i];
	if (s == NULL)
		return 0;
	snprintf(source, sizeof(source), "%s:%s",
	    kind == POLICY_USER ? "user" : "group", name);
	if (grant_ids(&e->uids, &e->nuids, s->uids, s->nuids, source) == -1 ||
	    grant_ids(&e->gids, &e->ngids, s->gids, s->ngids, source) == -1 ||
	    grant_nets(e, s, source) == -1)
		return -1;
	if (s->setgroups == POLICY_SETGROUPS_DENY ||
	    (s->setgroups == POLICY_SETGROUPS_ALLOW &&
	    e->setgroups != POLICY_SETGROUPS_DENY))
		e->setgroups = s->setgroups;
	return 0;
}

/* As shadow's newuidmap, the caller's own uid and gid are always theirs. */
int
policy_entitle(const struct policy *p, const struct policy_user *u,
    struct policy_entitlement *e)
{
	struct policy_range self[2] = { { u->uid, 1, 0 }, { u->gid, 1, 0 } };
	size_t i;
	int err;

	memset(e, 0, sizeof(*e));
	e->uid = u->uid;
	e->gid = u->gid;
	if (grant_ids(&e->uids, &e->nuids, &self[0], 1, "self") == -1 ||
	    grant_ids(&e->gids, &e->ngids, &self[1], 1, "self") == -1 ||
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
