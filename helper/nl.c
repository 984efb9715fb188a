/*
 * rtnetlink through libmnl, in the host's network namespace.  A reply is
 * believed only from the kernel (sender port 0: libmnl's receive does not
 * check), whole (MSG_TRUNC), with our port id and sequence number
 * (mnl_cb_run: LXC's netlink never checks them); NLMSG_ERROR is errno.
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

/* The libmnl idiom: TB[type] is the last attribute of each type, up to the
 * largest read here of any kind; each is validated where it is read. */
#define ATTR_MAX	IFLA_MAX

static int
attr_tb(const struct nlattr *a, void *data)
{
	const struct nlattr	**tb = data;

	if (mnl_attr_get_type(a) <= ATTR_MAX)
		tb[mnl_attr_get_type(a)] = a;
	return MNL_CB_OK;
}

/* Attribute A, if any, a NUL-terminated string that fits LEN, into DST. */
static int
attr_str(const struct nlattr *a, char *dst, size_t len)
{
	if (a != NULL && (mnl_attr_validate(a, MNL_TYPE_NUL_STRING) == -1 ||
	    strlcpy(dst, mnl_attr_get_str(a), len) >= len))
		return -1;
	return 0;
}

/* Attribute A, if any, a u32, into DST. */
static int
attr_u32(const struct nlattr *a, uint32_t *dst)
{
	if (a == NULL)
		return 0;
	if (mnl_attr_validate(a, MNL_TYPE_U32) == -1)
		return -1;
	*dst = mnl_attr_get_u32(a);
	return 0;
}

/* One RTM_NEWLINK message into *L.  Pure (tests/fuzz/fuzz_nl.c). */
int
nl_parse_link(const struct nlmsghdr *nlh, struct nl_link *l)
{
	const struct ifinfomsg	*ifm = mnl_nlmsg_get_payload(nlh);
	const struct nlattr	*tb[ATTR_MAX + 1] = { NULL };
	const struct nlattr	*info[ATTR_MAX + 1] = { NULL };

	memset(l, 0, sizeof(*l));
	l->nsid = -1;
	if (nlh->nlmsg_type != RTM_NEWLINK ||
	    mnl_nlmsg_get_payload_len(nlh) < sizeof(*ifm))
		return -1;
	l->index = ifm->ifi_index;
	if (mnl_attr_parse(nlh, sizeof(*ifm), attr_tb, tb) != MNL_CB_OK ||
	    (tb[IFLA_LINKINFO] != NULL && mnl_attr_parse_nested(
	    tb[IFLA_LINKINFO], attr_tb, info) != MNL_CB_OK) ||
	    attr_str(tb[IFLA_IFNAME], l->name, sizeof(l->name)) == -1 ||
	    attr_str(tb[IFLA_IFALIAS], l->alias, sizeof(l->alias)) == -1 ||
	    attr_str(info[IFLA_INFO_KIND], l->kind, sizeof(l->kind)) == -1 ||
	    attr_u32(tb[IFLA_MTU], &l->mtu) == -1 ||
	    attr_u32(tb[IFLA_MASTER], &l->master) == -1 ||
	    attr_u32(tb[IFLA_LINK_NETNSID], (uint32_t *)&l->nsid) == -1 ||
	    l->name[0] == '\0') {
		errno = EPROTO;
		return -1;
	}
	return 0;
}

/* One RTM_NEWROUTE message into *R, its output device into *OIF (0: none,
 * or not in the main table).  Pure (tests/fuzz/fuzz_route.c). */
int
nl_parse_route(const struct nlmsghdr *nlh, struct policy_route *r, int *oif)
{
	const struct rtmsg	*rtm = mnl_nlmsg_get_payload(nlh);
	const struct nlattr	*tb[ATTR_MAX + 1] = { NULL };
	uint32_t		 table, dev = 0;
	size_t			 len;

	memset(r, 0, sizeof(*r));
	*oif = 0;
	if (nlh->nlmsg_type != RTM_NEWROUTE ||
	    mnl_nlmsg_get_payload_len(nlh) < sizeof(*rtm) ||
	    mnl_attr_parse(nlh, sizeof(*rtm), attr_tb, tb) != MNL_CB_OK)
		return -1;
	table = rtm->rtm_table;
	if (attr_u32(tb[RTA_TABLE], &table) == -1 ||
	    attr_u32(tb[RTA_OIF], &dev) == -1)
		return -1;
	if (tb[RTA_DST] != NULL) {
		len = mnl_attr_get_payload_len(tb[RTA_DST]);
		if (len != 4 && len != 16)
			return -1;
		memcpy(r->addr, mnl_attr_get_payload(tb[RTA_DST]), len);
	}
	r->family = rtm->rtm_family;
	r->len = rtm->rtm_dst_len;
	if (table == RT_TABLE_MAIN)
		*oif = (int)dev;
	return 0;
}

static int
link_add(const struct nlmsghdr *nlh, void *data)
{
	struct nl_links	*ls = data;
	struct nl_link	*l;

	if ((l = reallocarray(ls->l, ls->n + 1, sizeof(*l))) == NULL)
		return MNL_CB_ERROR;
	ls->l = l;
	return nl_parse_link(nlh, &l[ls->n++]) == 0 ? MNL_CB_OK : MNL_CB_ERROR;
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

/* Every link of the host, appended to LS (LS->l to free, also after -1). */
int
nl_links(struct nl_links *ls)
{
	char	 buf[NL_BUFSIZ];

	return nl_talk(link_msg(buf, RTM_GETLINK, NULL, 0), link_add, ls);
}

static int
link_one(const struct nlmsghdr *nlh, void *data)
{
	return nl_parse_link(nlh, data) == 0 ? MNL_CB_OK : MNL_CB_ERROR;
}

/* The link named NAME.  -1/ENODEV if none. */
int
nl_link_get(const char *name, struct nl_link *l)
{
	char	 buf[NL_BUFSIZ];

	l->name[0] = '\0';
	if (nl_talk(link_msg(buf, RTM_GETLINK, name, 0), link_one, l) == -1)
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
nsid_one(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr	*tb[ATTR_MAX + 1] = { NULL };

	if (nlh->nlmsg_type != RTM_NEWNSID ||
	    mnl_nlmsg_get_payload_len(nlh) < sizeof(struct rtgenmsg) ||
	    mnl_attr_parse(nlh, sizeof(struct rtgenmsg), attr_tb, tb) !=
	    MNL_CB_OK || attr_u32(tb[NETNSA_NSID], data) == -1)
		return MNL_CB_ERROR;
	return MNL_CB_OK;
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
