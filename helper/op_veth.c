/*
 * roost-helper veth TARGET BRIDGE IFNAME: a veth pair, its peer born in
 * TARGET's network namespace as IFNAME, its host end up, on BRIDGE (none:
 * on nothing) and tagged in its ifalias "roost uid=UID grant=SOURCE
 * bridge=BRIDGE", which only root can set: the kernel's list of links is
 * the quota's ledger; a veth that dies with its namespace leaves no record.
 *
 * Capabilities: CAP_NET_ADMIN, CAP_SETUID, CAP_SETGID (see net_enter()).
 */
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <libmnl/libmnl.h>

#include "helper.h"

int
veth_tag_parse(const char *s, struct veth_tag *t)
{
	char		 buf[ALIASLEN], *p = buf + 10, *uid, *grant;
	uint32_t	 u;

	if (strlcpy(buf, s, sizeof(buf)) >= sizeof(buf) ||
	    strncmp(buf, "roost uid=", 10) != 0)
		return -1;
	uid = strsep(&p, " ");
	grant = strsep(&p, " ");
	if (grant == NULL || p == NULL ||
	    strncmp(grant, "grant=", 6) != 0 ||
	    strncmp(p, "bridge=", 7) != 0 ||
	    policy_parse_u32(uid, ID_INVALID - 1, &u) == -1 ||
	    strlcpy(t->grant, grant + 6, sizeof(t->grant)) >=
	    sizeof(t->grant) || !policy_valid_ifname(p + 7))
		return -1;
	strlcpy(t->bridge, p + 7, sizeof(t->bridge));
	t->uid = u;
	return 0;
}

/* One RTM_NEWLINK: the peer is created inside NETFD's namespace, by fd. */
static int
veth_create(const char *host, const char *peer, unsigned int mtu, int netfd)
{
	char		 buf[NL_BUFSIZ];
	unsigned char	 mac[6];
	struct nlmsghdr	*nlh;
	struct nlattr	*info, *data, *p;

	/* Local, and high: a bridge takes its ports' lowest MAC, not this. */
	arc4random_buf(mac, sizeof(mac));
	mac[0] = 0xfe;
	nlh = nl_msg(buf, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL,
	    sizeof(struct ifinfomsg));
	mnl_attr_put_strz(nlh, IFLA_IFNAME, host);
	mnl_attr_put(nlh, IFLA_ADDRESS, sizeof(mac), mac);
	mnl_attr_put_u32(nlh, IFLA_MTU, mtu);
	info = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
	mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "veth");
	data = mnl_attr_nest_start(nlh, IFLA_INFO_DATA);
	p = mnl_attr_nest_start(nlh, VETH_INFO_PEER);
	mnl_nlmsg_put_extra_header(nlh, sizeof(struct ifinfomsg));
	mnl_attr_put_strz(nlh, IFLA_IFNAME, peer);
	mnl_attr_put_u32(nlh, IFLA_NET_NS_FD, (uint32_t)netfd);
	mnl_attr_put_u32(nlh, IFLA_MTU, mtu);
	mnl_attr_nest_end(nlh, p);
	mnl_attr_nest_end(nlh, data);
	mnl_attr_nest_end(nlh, info);
	return nl_talk(nlh, NULL, NULL);
}

/*
 * A host name no link has, picked before the grant is logged (every
 * decision logged, or nothing done).  Under the lock no other roost
 * helper makes one, so it is still free at creation.
 */
static void
veth_pick_name(char host[IFNAMSIZ])
{
	struct nl_link	 l;
	int		 tries;

	for (tries = 0; tries < 4; tries++) {
		snprintf(host, IFNAMSIZ, "roost%08x", arc4random());
		if (nl_link_get(host, &l) == -1) {
			if (errno != ENODEV)
				die("netlink", "%s", strerror(errno));
			return;
		}
	}
	die(host, "no free name");
}

/*
 * pre: the grant is logged, HOST is free, the lock is held.
 * caps: CAP_NET_ADMIN (effective since net_enter()).
 * undo: a pair made but not tagged is deleted again.
 * The host end is tagged, attached and up in one RTM_SETLINK.
 */
static void
veth_make(const struct request *rq, const struct caller *c,
    const struct policy_veth *g, const struct nl_link *br, int netfd,
    const char *host)
{
	char			 buf[NL_BUFSIZ], alias[ALIASLEN];
	struct nlmsghdr		*nlh;
	struct ifinfomsg	*ifm;
	struct nl_link		 l;
	int			 e;

	if (veth_create(host, rq->ifb, br->mtu, netfd) == -1) {
		e = errno;
		/* EEXIST: the peer's name, or else the host's, which only
		 * root can have made since it was picked. */
		if (e == EEXIST && nl_link_get(host, &l) == -1)
			die(rq->ifb, "exists in the target's network "
			    "namespace");
		die(host, "cannot create: %s", strerror(e));
	}
	nlh = nl_msg(buf, RTM_SETLINK, 0, sizeof(*ifm));
	ifm = mnl_nlmsg_get_payload(nlh);
	ifm->ifi_flags = ifm->ifi_change = IFF_UP;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, host);
	snprintf(alias, sizeof(alias), "roost uid=%u grant=%s bridge=%s",
	    (unsigned)c->uid, g->source, g->bridge);
	mnl_attr_put_strz(nlh, IFLA_IFALIAS, alias);
	if (br->index > 0)
		mnl_attr_put_u32(nlh, IFLA_MASTER, (uint32_t)br->index);
	if (nl_talk(nlh, NULL, NULL) == -1) {
		e = errno;
		nl_link_del(host, 0);
		die(host, "cannot set up: %s", strerror(e));
	}
}

static void
veth_run(const struct request *rq, struct caller *c)
{
	const struct policy_entitlement	*e = &c->ent;
	const struct policy_veth	*g = e->veths;
	struct nl_link			 br = { .mtu = 1500 };
	struct nl_links			 ls = { NULL, 0 };
	struct veth_tag			 t;
	char				 host[IFNAMSIZ];
	unsigned int			 total = 0, n = 0;
	size_t				 i, j;
	int				 netfd, err;

	for (i = 0; i < e->nveths; i++)
		if (strcmp(e->veths[i].bridge, rq->ifa) == 0)
			total += e->veths[i].count;
	if (total == 0)
		die(rq->ifa, "not granted to you by policy");
	netfd = net_enter(rq, c, 1);
	if (strcmp(rq->ifa, "none") != 0) {
		if (nl_link_get(rq->ifa, &br) == -1)
			die(rq->ifa, "%s", errno == ENODEV ?
			    "no such interface" : strerror(errno));
		if (strcmp(br.kind, "bridge") != 0)
			die(rq->ifa, "not a bridge");
	}
	if (nl_links(&ls) == -1)
		die("netlink", "%s", strerror(errno));
	/* The user's own allotment first, then the groups'. */
	for (i = 0; i < e->nveths; i++) {
		g = &e->veths[i];
		if (strcmp(g->bridge, rq->ifa) != 0)
			continue;
		for (j = n = 0; j < ls.n; j++)
			if (veth_tag_parse(ls.l[j].alias, &t) == 0 &&
			    strcmp(t.grant, g->source) == 0 &&
			    strcmp(t.bridge, g->bridge) == 0)
				n++;
		if (n < g->count)
			break;
	}
	free(ls.l);
	if (i == e->nveths)
		die(rq->ifa, "quota of %u reached", total);
	veth_pick_name(host);
	log_granted(rq->target, "%s on %s as %s, %s %u of %u", host, rq->ifa,
	    rq->ifb, g->source, n + 1, g->count);
	veth_make(rq, c, g, &br, netfd, host);
	/* Made and tagged: counted now.  Unlocked before the caller's
	 * stdout, which may block as long as she likes (issue 15). */
	net_unlock();
	if (printf("%s\n", host) < 0 || fflush(stdout) == EOF) {
		err = errno;
		nl_link_del(host, 0);
		die(host, "stdout: %s", strerror(err));
	}
}

const struct op	op_veth = { "veth", 1, request_net, veth_run };
