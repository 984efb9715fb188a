/*
 * roost-helper unveth TARGET HOSTIF: delete a host veth of the caller's
 * whose peer lives in TARGET's network namespace.
 */
#include <errno.h>
#include <string.h>

#include "helper.h"

/*
 * HOSTIF is a veth that roost made for the caller (its tag), and its peer
 * lives in NETFD, the target's namespace, already proven the caller's
 * (IFLA_LINK_NETNSID against the id the host knows NETFD by).  Every field
 * must match: a name alone let one tenant delete another's device in
 * lxc-user-nic (CVE-2026-39402).  0, or -1.
 */
int
veth_owned(const struct caller *c, int netfd, const char *hostif,
    struct nl_link *l)
{
	struct veth_tag	 t;
	int		 id;

	if (nl_link_get(hostif, 0, l) == -1 || strcmp(l->kind, "veth") != 0 ||
	    veth_tag_parse(l->alias, &t) == -1 || t.uid != c->uid ||
	    l->nsid < 0 || (id = nl_nsid(netfd)) < 0 || id != l->nsid)
		return -1;
	return 0;
}

/* Both ends go; the kernel takes ~20 ms over it (bench/README.md). */
static void
unveth_run(const struct request *rq, struct caller *c)
{
	struct nl_link	 l;
	char		 obj[OBJLEN];
	int		 netfd;

	netfd = net_enter(rq, c);
	if (veth_owned(c, netfd, rq->ifa, &l) == -1)
		die(1, rq->ifa, "not a veth of yours in that network namespace");
	/* By index, which the kernel never reuses soon: not by name. */
	if (nl_link_del(l.index) == -1)
		die(1, rq->ifa, "cannot delete: %s", strerror(errno));
	log_granted("%s: %s", log_object(rq->target, obj, sizeof(obj)),
	    rq->ifa);
}

const struct op	op_unveth = { "unveth", 1, request_net, unveth_run };
