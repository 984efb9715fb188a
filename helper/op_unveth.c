/*
 * roost-helper unveth TARGET HOSTIF: delete a host veth of the caller's
 * whose peer lives in TARGET's network namespace.
 *
 * Capabilities: CAP_NET_ADMIN, CAP_SETUID, CAP_SETGID (see net_enter()).
 */
#include "helper.h"

/* HOSTIF is a veth tagged as the caller's whose peer is in NETFD, the
 * target's namespace (its IFLA_LINK_NETNSID is the host's id for NETFD).
 * Every field: a name alone let one tenant delete another's device in
 * lxc-user-nic (CVE-2026-39402). */
void
veth_owned(const struct request *rq, const struct caller *c, int netfd,
    struct nl_link *l)
{
	struct veth_tag	 t;
	int		 id;

	if (nl_link_get(rq->ifa, l) == -1 || strcmp(l->kind, "veth") != 0 ||
	    veth_tag_parse(l->alias, &t) == -1 || t.uid != c->uid ||
	    l->nsid < 0 || (id = nl_nsid(netfd)) < 0 || id != l->nsid)
		die(rq->ifa, "not a veth of yours in that network namespace");
}

/* Both ends go.  By index, which the kernel does not soon reuse. */
static void
unveth_run(const struct request *rq, struct caller *c)
{
	struct nl_link	 l;

	veth_owned(rq, c, net_enter(rq, c, 0), &l);
	/* Logged before the change: a grant is never made unlogged. */
	log_granted(rq->target, "%s", rq->ifa);
	if (nl_link_del(NULL, l.index) == -1)
		die(rq->ifa, "cannot delete: %s", strerror(errno));
}

const struct op	op_unveth = { "unveth", 1, request_net, unveth_run };
