/*
 * rtnetlink through libmnl, in the helper's own (the host's) network
 * namespace.  Every reply is checked before it is believed: it comes from
 * the kernel (sender port 0), is not truncated (MSG_TRUNC), carries our
 * port id and sequence number (mnl_cb_run), and NLMSG_ERROR becomes errno.
 * (LXC's netlink never checks sequence numbers; libmnl's own receive does
 * not check the sender.)
 */
#include <sys/socket.h>
#include <linux/if_link.h>
#include <linux/net_namespace.h>
#include <linux/rtnetlink.h>
#include <time.h>
#include <libmnl/libmnl.h>

#include "helper.h"

static struct mnl_socket	*nl;
static unsigned int		 nl_port, nl_seq;

int
nl_open(void)
{
	if ((nl = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC)) == NULL ||
	    mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) == -1)
		return -1;
	nl_port = mnl_socket_get_portid(nl);
	nl_seq = (unsigned int)time(NULL);
	return 0;
}

/* Zeroed: libmnl 1.0.4 leaves an attribute's padding unwritten. */
struct nlmsghdr *
nl_msg(void *buf, uint16_t type, uint16_t flags, size_t hdrlen)
{
	struct nlmsghdr	*nlh;

	memset(buf, 0, NL_BUFSIZ);
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	nlh->nlmsg_seq = ++nl_seq;
	mnl_nlmsg_put_extra_header(nlh, hdrlen);
	return nlh;
}

static ssize_t
nl_recv(void *buf)
{
	struct sockaddr_nl	 sa;
	struct iovec		 iov = { buf, NL_BUFSIZ };
	struct msghdr		 msg = { .msg_name = &sa,
	    .msg_namelen = sizeof(sa), .msg_iov = &iov, .msg_iovlen = 1 };
	ssize_t			 n;

	if ((n = recvmsg(mnl_socket_get_fd(nl), &msg, 0)) == -1)
		return -1;
	if ((msg.msg_flags & MSG_TRUNC) != 0 ||
	    msg.msg_namelen != sizeof(sa) || sa.nl_pid != 0) {
		errno = EPROTO;
		return -1;
	}
	return n;
}

/* Send NLH; each reply to CB until the ack or NLMSG_DONE.  0, or -1
 * with errno (the kernel's, for a refused request). */
int
nl_talk(struct nlmsghdr *nlh, int (*cb)(const struct nlmsghdr *, void *),
    void *data)
{
	static char	 buf[NL_BUFSIZ];
	ssize_t		 n;
	int		 r;

	if ((nlh->nlmsg_flags & NLM_F_DUMP) != NLM_F_DUMP)
		nlh->nlmsg_flags |= NLM_F_ACK;
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) == -1)
		return -1;
	do {
		if ((n = nl_recv(buf)) == -1)
			return -1;
		r = mnl_cb_run(buf, (size_t)n, nlh->nlmsg_seq, nl_port,
		    cb, data);
	} while (r == MNL_CB_OK);
	return r == MNL_CB_STOP ? 0 : -1;
}

/* A NUL-terminated string attribute that fits LEN, copied to DST. */
static int
attr_str(const struct nlattr *a, char *dst, size_t len)
{
	if (mnl_attr_validate(a, MNL_TYPE_NUL_STRING) == -1 ||
	    strlcpy(dst, mnl_attr_get_str(a), len) >= len)
		return MNL_CB_ERROR;
	return MNL_CB_OK;
}

/* A u32 attribute, copied to DST. */
static int
attr_u32(const struct nlattr *a, uint32_t *dst)
{
	if (mnl_attr_validate(a, MNL_TYPE_U32) == -1)
		return MNL_CB_ERROR;
	*dst = mnl_attr_get_u32(a);
	return MNL_CB_OK;
}

static int
info_attr(const struct nlattr *a, void *data)
{
	struct nl_link	*l = data;

	if (mnl_attr_get_type(a) == IFLA_INFO_KIND)
		return attr_str(a, l->kind, sizeof(l->kind));
	return MNL_CB_OK;
}

static int
link_attr(const struct nlattr *a, void *data)
{
	struct nl_link	*l = data;

	switch (mnl_attr_get_type(a)) {
	case IFLA_IFNAME:
		return attr_str(a, l->name, sizeof(l->name));
	case IFLA_IFALIAS:
		return attr_str(a, l->alias, sizeof(l->alias));
	case IFLA_LINKINFO:
		return mnl_attr_parse_nested(a, info_attr, l);
	case IFLA_MTU:
		return attr_u32(a, &l->mtu);
	case IFLA_MASTER:
		return attr_u32(a, &l->master);
	case IFLA_LINK_NETNSID:
		return attr_u32(a, (uint32_t *)&l->nsid);
	default:
		return MNL_CB_OK;
	}
}

/* One RTM_NEWLINK message into *L.  Pure (tests/fuzz/fuzz_nl.c). */
int
nl_parse_link(const struct nlmsghdr *nlh, struct nl_link *l)
{
	const struct ifinfomsg	*ifm = mnl_nlmsg_get_payload(nlh);

	memset(l, 0, sizeof(*l));
	l->nsid = -1;
	if (nlh->nlmsg_type != RTM_NEWLINK ||
	    mnl_nlmsg_get_payload_len(nlh) < sizeof(*ifm))
		return -1;
	l->index = ifm->ifi_index;
	if (mnl_attr_parse(nlh, sizeof(*ifm), link_attr, l) != MNL_CB_OK ||
	    l->name[0] == '\0') {
		errno = EPROTO;
		return -1;
	}
	return 0;
}

struct route_attrs {
	struct policy_route	*r;
	uint32_t		 oif;
	uint32_t		 table;
};

static int
route_attr(const struct nlattr *a, void *data)
{
	struct route_attrs	*x = data;
	size_t			 len = mnl_attr_get_payload_len(a);

	switch (mnl_attr_get_type(a)) {
	case RTA_DST:
		if (len != 4 && len != 16)
			return MNL_CB_ERROR;
		memcpy(x->r->addr, mnl_attr_get_payload(a), len);
		return MNL_CB_OK;
	case RTA_OIF:
		return attr_u32(a, &x->oif);
	case RTA_TABLE:
		return attr_u32(a, &x->table);
	default:
		return MNL_CB_OK;
	}
}

/*
 * One RTM_NEWROUTE message of a dump into *R, and its output device into
 * *OIF: 0 for a route with none, or not in the main table.  Pure
 * (tests/fuzz/fuzz_route.c).
 */
int
nl_parse_route(const struct nlmsghdr *nlh, struct policy_route *r, int *oif)
{
	const struct rtmsg	*rtm = mnl_nlmsg_get_payload(nlh);
	struct route_attrs	 x = { r, 0, 0 };

	memset(r, 0, sizeof(*r));
	*oif = 0;
	if (nlh->nlmsg_type != RTM_NEWROUTE ||
	    mnl_nlmsg_get_payload_len(nlh) < sizeof(*rtm))
		return -1;
	x.table = rtm->rtm_table;
	if (mnl_attr_parse(nlh, sizeof(*rtm), route_attr, &x) != MNL_CB_OK)
		return -1;
	r->family = rtm->rtm_family;
	r->len = rtm->rtm_dst_len;
	if (x.table == RT_TABLE_MAIN)
		*oif = (int)x.oif;
	return 0;
}

struct each {
	int	(*fn)(const struct nl_link *, void *);
	void	*data;
};

static int
link_each(const struct nlmsghdr *nlh, void *data)
{
	struct each	*e = data;
	struct nl_link	 l;

	if (nl_parse_link(nlh, &l) == -1 || e->fn(&l, e->data) == -1)
		return MNL_CB_ERROR;
	return MNL_CB_OK;
}

/* A request for the link named NAME, or else with index INDEX (0: all). */
static struct nlmsghdr *
link_msg(void *buf, uint16_t type, const char *name, int index)
{
	struct nlmsghdr	*nlh;

	nlh = nl_msg(buf, type, type == RTM_GETLINK && name == NULL &&
	    index == 0 ? NLM_F_DUMP : 0, sizeof(struct ifinfomsg));
	if (name != NULL)
		mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	((struct ifinfomsg *)mnl_nlmsg_get_payload(nlh))->ifi_index = index;
	return nlh;
}

/* FN for every link of the host; FN returns 0, or -1 to stop. */
int
nl_links(int (*fn)(const struct nl_link *, void *), void *data)
{
	char		 buf[NL_BUFSIZ];
	struct each	 e = { fn, data };

	return nl_talk(link_msg(buf, RTM_GETLINK, NULL, 0), link_each, &e);
}

static int
link_one(const struct nlmsghdr *nlh, void *data)
{
	return nl_parse_link(nlh, data) == 0 ? MNL_CB_OK : MNL_CB_ERROR;
}

/* The link named NAME, or else with index INDEX.  -1/ENODEV if none. */
int
nl_link_get(const char *name, int index, struct nl_link *l)
{
	char	 buf[NL_BUFSIZ];

	l->name[0] = '\0';
	if (nl_talk(link_msg(buf, RTM_GETLINK, name, index), link_one,
	    l) == -1)
		return -1;
	if (l->name[0] == '\0') {
		errno = ENODEV;
		return -1;
	}
	return 0;
}

int
nl_link_del(const char *name, int index)
{
	char	 buf[NL_BUFSIZ];

	return nl_talk(link_msg(buf, RTM_DELLINK, name, index), NULL, NULL);
}

static int
nsid_attr(const struct nlattr *a, void *data)
{
	if (mnl_attr_get_type(a) == NETNSA_NSID)
		return attr_u32(a, data);
	return MNL_CB_OK;
}

static int
nsid_one(const struct nlmsghdr *nlh, void *data)
{
	if (nlh->nlmsg_type != RTM_NEWNSID ||
	    mnl_nlmsg_get_payload_len(nlh) < sizeof(struct rtgenmsg))
		return MNL_CB_ERROR;
	return mnl_attr_parse(nlh, sizeof(struct rtgenmsg), nsid_attr, data);
}

/* The id the host's namespace knows NETFD by, or -1 (none assigned). */
int
nl_nsid(int netfd)
{
	char		 buf[NL_BUFSIZ];
	struct nlmsghdr	*nlh;
	int		 id = -1;

	nlh = nl_msg(buf, RTM_GETNSID, 0, sizeof(struct rtgenmsg));
	mnl_attr_put_u32(nlh, NETNSA_FD, (uint32_t)netfd);
	return nl_talk(nlh, nsid_one, &id) == -1 ? -1 : id;
}
