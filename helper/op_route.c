/*
 * roost-helper route TARGET HOSTIF ADDR[/LEN]: route an address the
 * policy grants the caller to a veth of theirs, and give that veth the
 * link-local gateway the container routes through (169.254.0.1 for IPv4,
 * fe80::1 for IPv6): the routed mode that lxc-user-nic leaves to root
 * scripts run through sudo or userv.
 */
#include <arpa/inet.h>
#include <linux/rtnetlink.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <libmnl/libmnl.h>

#include "config.h"
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

/* The first route in the main table to another of roost's veths that
 * overlaps the one asked for, and whether that one is already there. */
struct clash {
	const struct policy_route	*want;
	int				 oif;		/* the veth */
	int				 same;
	int				*veths;		/* roost's, by index */
	size_t				 nveths;
	int				 hit;		/* 0, or its veth */
	struct policy_route		 r;
};

static int
veth_index(const struct nl_link *l, void *data)
{
	struct clash	*k = data;
	struct veth_tag	 t;
	int		*v;

	if (veth_tag_parse(l->alias, &t) == -1)
		return 0;
	if ((v = reallocarray(k->veths, k->nveths + 1, sizeof(*v))) == NULL)
		return -1;
	k->veths = v;
	v[k->nveths++] = l->index;
	return 0;
}

static int
route_attr(const struct nlattr *a, void *data)
{
	uint32_t	*v = data;	/* [0] oif, [1] table, [2..5] dst */
	size_t		 len = mnl_attr_get_payload_len(a);

	switch (mnl_attr_get_type(a)) {
	case RTA_OIF:
	case RTA_TABLE:
		if (mnl_attr_validate(a, MNL_TYPE_U32) == -1)
			return MNL_CB_ERROR;
		v[mnl_attr_get_type(a) == RTA_OIF ? 0 : 1] =
		    mnl_attr_get_u32(a);
		break;
	case RTA_DST:
		if (len != 4 && len != 16)
			return MNL_CB_ERROR;
		memcpy(&v[2], mnl_attr_get_payload(a), len);
		break;
	default:
		break;
	}
	return MNL_CB_OK;
}

static int
route_one(const struct nlmsghdr *nlh, void *data)
{
	struct clash		*k = data;
	const struct rtmsg	*rtm = mnl_nlmsg_get_payload(nlh);
	struct policy_route	 r = { 0 };
	uint32_t		 v[6] = { 0 };
	size_t			 i;

	if (nlh->nlmsg_type != RTM_NEWROUTE ||
	    mnl_nlmsg_get_payload_len(nlh) < sizeof(*rtm))
		return MNL_CB_ERROR;
	v[1] = rtm->rtm_table;
	if (mnl_attr_parse(nlh, sizeof(*rtm), route_attr, v) != MNL_CB_OK)
		return MNL_CB_ERROR;
	r.family = rtm->rtm_family;
	r.len = rtm->rtm_dst_len;
	memcpy(r.addr, &v[2], sizeof(r.addr));
	if (v[1] != RT_TABLE_MAIN || v[0] == 0 ||
	    !policy_route_overlap(&r, k->want))
		return MNL_CB_OK;
	if ((int)v[0] == k->oif)
		k->same |= r.len == k->want->len;
	for (i = 0; i < k->nveths && k->hit == 0; i++)
		if (k->veths[i] == (int)v[0] && (int)v[0] != k->oif) {
			k->hit = (int)v[0];
			k->r = r;
		}
	return MNL_CB_OK;
}

/*
 * Only a route to another of roost's veths is another user's address (or
 * the caller's, on another veth); the host's own routes, such as an
 * on-link LAN prefix, are the admin's.  Runs under the quota lock, so no
 * veth is made meanwhile.
 */
static void
route_clash(const struct request *rq, struct clash *k)
{
	char		 buf[NL_BUFSIZ], a[INET6_ADDRSTRLEN];
	struct nlmsghdr	*nlh;
	struct rtmsg	*rtm;
	struct nl_link	 l;

	if (nl_links(veth_index, k) == -1)
		die(1, "netlink", "%s", strerror(errno));
	nlh = nl_msg(buf, RTM_GETROUTE, NLM_F_DUMP, sizeof(*rtm));
	rtm = mnl_nlmsg_get_payload(nlh);
	rtm->rtm_family = (unsigned char)rq->addr.family;
	if (nl_talk(nlh, route_one, k) == -1)
		die(1, "netlink", "%s", strerror(errno));
	if (k->hit != 0)
		die(1, rq->addr_arg, "overlaps %s/%u routed to %s",
		    inet_ntop(k->r.family, k->r.addr, a, sizeof(a)), k->r.len,
		    nl_link_get(NULL, k->hit, &l) == 0 ? l.name : "?");
	free(k->veths);
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

static int
route_granted(const struct policy_entitlement *e, const struct policy_route *r)
{
	struct policy_route	 g;
	size_t			 i;

	for (i = 0; i < e->nroutes; i++) {
		memset(&g, 0, sizeof(g));
		g.family = e->routes[i].family;
		memcpy(g.addr, e->routes[i].addr, sizeof(g.addr));
		g.len = e->routes[i].len;
		if (policy_route_within(r, &g))
			return 1;
	}
	return 0;
}

static void
route_run(const struct request *rq, struct caller *c)
{
	struct clash	 k = { .want = &rq->addr };
	struct nl_link	 l;
	char		 obj[OBJLEN];
	int		 netfd;

	if (!route_granted(&c->ent, &rq->addr))
		die(1, rq->addr_arg, "not granted to you by policy");
	netfd = net_enter(rq, c);
	if (net_lock() == -1)
		die(1, ROOST_RUNDIR, "cannot lock: %s", strerror(errno));
	if (veth_owned(c, netfd, rq->ifa, &l) == -1)
		die(1, rq->ifa, "not a veth of yours in that network namespace");
	if (l.master != 0)
		die(1, rq->ifa, "on a bridge (route wants a veth made with "
		    "BRIDGE none)");
	k.oif = l.index;
	route_clash(rq, &k);
	if (gateway_add(rq->addr.family, l.index) == -1)
		die(1, rq->ifa, "gateway address: %s", strerror(errno));
	if (!k.same && route_change(RTM_NEWROUTE, &rq->addr, l.index) == -1)
		die(1, rq->addr_arg, "cannot route: %s", strerror(errno));
	log_granted("%s: %s to %s%s", log_object(rq->target, obj,
	    sizeof(obj)), rq->addr_arg, rq->ifa, k.same ? " (already)" : "");
}

const struct op	op_route = { "route", 1, request_net, route_run };
