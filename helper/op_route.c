/*
 * roost-helper route TARGET HOSTIF ADDR[/LEN]: route an address the policy
 * grants the caller to a veth of theirs, which gets the container's
 * link-local gateway (169.254.0.1, fe80::1): the routed mode lxc-user-nic
 * leaves to root scripts run through sudo or userv.
 *
 * Capabilities: CAP_NET_ADMIN, CAP_SETUID, CAP_SETGID (see net_enter()).
 */
#include <arpa/inet.h>
#include <linux/rtnetlink.h>
#include <libmnl/libmnl.h>

#include "helper.h"

/* RTM_NEWROUTE or RTM_DELROUTE of R via OIF in the main table. */
int
route_change(uint16_t type, const struct policy_route *r, int oif)
{
	char		 buf[NL_BUFSIZ];
	struct nlmsghdr	*nlh;
	struct rtmsg	*rtm;

	nlh = nl_msg(buf, type, type == RTM_NEWROUTE ?
	    NLM_F_CREATE | NLM_F_EXCL : 0, sizeof(*rtm));
	rtm = mnl_nlmsg_get_payload(nlh);
	rtm->rtm_family = (unsigned char)r->family;
	rtm->rtm_dst_len = (unsigned char)r->len;
	rtm->rtm_table = RT_TABLE_MAIN;
	rtm->rtm_scope = type == RTM_NEWROUTE ? RT_SCOPE_LINK :
	    RT_SCOPE_NOWHERE;
	if (type == RTM_NEWROUTE) {
		rtm->rtm_protocol = RTPROT_STATIC;
		rtm->rtm_type = RTN_UNICAST;
	}
	mnl_attr_put(nlh, RTA_DST, r->family == AF_INET ? 4 : 16, r->addr);
	mnl_attr_put_u32(nlh, RTA_OIF, (uint32_t)oif);
	return nl_talk(nlh, NULL, NULL);
}

struct clash {
	const struct policy_route	*want;
	int				 oif;		/* the veth */
	int				 same;
	struct nl_links			 ls;
	const struct nl_link		*hit;		/* NULL, or its veth */
	struct policy_route		 r;
};

/* Of the main table's routes that overlap the one asked for: the first on
 * another roost veth, and whether it is already on the caller's. */
static int
route_one(const struct nlmsghdr *nlh, void *data)
{
	struct clash		*k = data;
	struct policy_route	 r = { 0 };
	struct veth_tag		 t;
	size_t			 i;
	int			 oif;

	if (nl_parse_route(nlh, &r, &oif) == -1)
		return MNL_CB_ERROR;
	if (oif == 0 || !policy_route_overlap(&r, k->want))
		return MNL_CB_OK;
	if (oif == k->oif)
		k->same |= r.len == k->want->len;
	for (i = 0; i < k->ls.n && k->hit == NULL && oif != k->oif; i++)
		if (k->ls.l[i].index == oif &&
		    veth_tag_parse(k->ls.l[i].alias, &t) == 0) {
			k->hit = &k->ls.l[i];
			k->r = r;
		}
	return MNL_CB_OK;
}

/* The container's gateway: the same link-local address on every veth. */
static int
gateway_add(int family, int index)
{
	static const unsigned char v4[4] = { 169, 254, 0, 1 };
	static const unsigned char v6[16] = { 0xfe, 0x80, [15] = 1 };
	char			 buf[NL_BUFSIZ];
	struct nlmsghdr		*nlh;
	struct ifaddrmsg	*ifa;
	size_t			 len = family == AF_INET ? 4 : 16;

	nlh = nl_msg(buf, RTM_NEWADDR, NLM_F_CREATE | NLM_F_REPLACE,
	    sizeof(*ifa));
	ifa = mnl_nlmsg_get_payload(nlh);
	ifa->ifa_family = (unsigned char)family;
	ifa->ifa_prefixlen = family == AF_INET ? 32 : 64;
	ifa->ifa_flags = family == AF_INET ? 0 : IFA_F_NODAD;
	ifa->ifa_scope = RT_SCOPE_LINK;
	ifa->ifa_index = (unsigned int)index;
	mnl_attr_put(nlh, IFA_LOCAL, len, family == AF_INET ? v4 : v6);
	mnl_attr_put(nlh, IFA_ADDRESS, len, family == AF_INET ? v4 : v6);
	return nl_talk(nlh, NULL, NULL);
}

/* A route to another roost veth is another user's address (or the caller's
 * elsewhere); the host's own routes are the admin's.  Checked under the
 * lock, so no veth is made meanwhile. */
static void
route_run(const struct request *rq, struct caller *c)
{
	char		 buf[NL_BUFSIZ], a[INET6_ADDRSTRLEN];
	struct clash	 k = { .want = &rq->addr };
	struct nlmsghdr	*nlh;
	struct rtmsg	*rtm;
	struct nl_link	 l;
	size_t		 i;

	for (i = 0; i < c->ent.nroutes; i++)
		if (rq->addr.len >= c->ent.routes[i].len &&
		    policy_route_overlap(&rq->addr, &c->ent.routes[i]))
			break;
	if (i == c->ent.nroutes)
		die(rq->addr_arg, "not granted to you by policy");
	veth_owned(rq, c, net_enter(rq, c, 1), &l);
	if (l.master != 0)
		die(rq->ifa, "on a bridge (route wants a veth made with "
		    "BRIDGE none)");
	k.oif = l.index;
	if (nl_links(&k.ls) == -1)
		die("netlink", "%s", strerror(errno));
	nlh = nl_msg(buf, RTM_GETROUTE, NLM_F_DUMP, sizeof(*rtm));
	rtm = mnl_nlmsg_get_payload(nlh);
	rtm->rtm_family = (unsigned char)rq->addr.family;
	if (nl_talk(nlh, route_one, &k) == -1)
		die("netlink", "%s", strerror(errno));
	if (k.hit != NULL)
		die(rq->addr_arg, "overlaps %s/%u routed to %s",
		    inet_ntop(k.r.family, k.r.addr, a, sizeof(a)), k.r.len,
		    k.hit->name);
	free(k.ls.l);
	/* Logged before the change: a grant is never made unlogged. */
	log_granted(rq->target, "%s to %s%s", rq->addr_arg, rq->ifa,
	    k.same ? " (already)" : "");
	if (gateway_add(rq->addr.family, l.index) == -1)
		die(rq->ifa, "gateway address: %s", strerror(errno));
	if (!k.same && route_change(RTM_NEWROUTE, &rq->addr, l.index) == -1)
		die(rq->addr_arg, "cannot route: %s", strerror(errno));
}

const struct op	op_route = { "route", 1, request_net, route_run };
