/*
 * nl.c: the little rtnetlink roost needs, in the network namespace it is
 * in: bring a link up, add an address or a route, dump links and
 * addresses.  Through libmnl, and every reply is checked: sent by the
 * kernel (nl_pid 0), not truncated (MSG_TRUNC), our port and sequence
 * (mnl_cb_run), and NLMSG_ERROR.  Functions return 0, or -1 with errno
 * set; nothing here prints.  After an error the handle is to be closed:
 * the rest of a failed dump may still be queued (and would fail the
 * sequence check of the next request anyway).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/socket.h>
#include <linux/if_addr.h>
#include <linux/if_link.h>
#include <linux/net_namespace.h>
#include <linux/rtnetlink.h>
#include <libmnl/libmnl.h>
#include <net/if.h>

#include "roost.h"

/*
 * A dump's messages come in skbs sized after our receive buffer (up to
 * 32 KiB, the kernel's netlink_dump), so this size is never truncated.
 */
#define NL_BUFSIZE	32768
#define NL_MAX_ITEMS	4096

struct nl {
	struct mnl_socket	*sk;
	unsigned int		 portid;
	unsigned int		 seq;
	char			*buf;
};

struct nl_vec {
	void		*items;
	size_t		 n;
	size_t		 size;
};

struct nl *
nl_open(void)
{
	struct nl	*h;
	int		 e;

	if ((h = calloc(1, sizeof(*h))) == NULL)
		return NULL;
	if ((h->buf = malloc(NL_BUFSIZE)) == NULL ||
	    (h->sk = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC)) == NULL ||
	    mnl_socket_bind(h->sk, 0, MNL_SOCKET_AUTOPID) == -1) {
		e = errno;
		nl_close(h);
		errno = e;
		return NULL;
	}
	h->portid = mnl_socket_get_portid(h->sk);
	h->seq = (unsigned int)time(NULL);
	return h;
}

void
nl_close(struct nl *h)
{
	if (h == NULL)
		return;
	if (h->sk != NULL)
		(void)mnl_socket_close(h->sk);
	free(h->buf);
	free(h);
}

/*
 * One datagram from the kernel.  Anything another process sent to our
 * port (nl_pid not 0) is not a reply: it is dropped.  A truncated one
 * would be half a message: an error.
 */
static ssize_t
nl_recv(struct nl *h)
{
	struct sockaddr_nl	 sa;
	struct iovec		 iov;
	struct msghdr		 msg;
	ssize_t			 n;

	for (;;) {
		iov = (struct iovec){ h->buf, NL_BUFSIZE };
		msg = (struct msghdr){ .msg_name = &sa,
		    .msg_namelen = sizeof(sa), .msg_iov = &iov,
		    .msg_iovlen = 1 };
		n = recvmsg(mnl_socket_get_fd(h->sk), &msg, 0);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			return -1;
		if (msg.msg_flags & MSG_TRUNC) {
			errno = EMSGSIZE;
			return -1;
		}
		if (msg.msg_namelen == sizeof(sa) &&
		    sa.nl_family == AF_NETLINK && sa.nl_pid == 0)
			return n;
	}
}

/* Send NLH and run CB over its replies until the ack, error or end. */
static int
nl_talk(struct nl *h, struct nlmsghdr *nlh, mnl_cb_t cb, void *data)
{
	unsigned int	 seq = ++h->seq;
	ssize_t		 n;
	int		 rc;

	/* The replies are read into the buffer NLH is in. */
	nlh->nlmsg_seq = seq;
	if (mnl_socket_sendto(h->sk, nlh, nlh->nlmsg_len) == -1)
		return -1;
	do {
		if ((n = nl_recv(h)) == -1)
			return -1;
		rc = mnl_cb_run(h->buf, n, seq, h->portid, cb, data);
	} while (rc == MNL_CB_OK);
	return rc == MNL_CB_ERROR ? -1 : 0;
}

static struct nlmsghdr *
nl_msg(struct nl *h, int type, int flags)
{
	struct nlmsghdr	*nlh;

	memset(h->buf, 0, MNL_SOCKET_BUFFER_SIZE);
	nlh = mnl_nlmsg_put_header(h->buf);
	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	return nlh;
}

int
nl_link_up(struct nl *h, int index)
{
	struct nlmsghdr		*nlh;
	struct ifinfomsg	*ifi;

	nlh = nl_msg(h, RTM_NEWLINK, NLM_F_ACK);
	ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = index;
	ifi->ifi_flags = IFF_UP;
	ifi->ifi_change = IFF_UP;
	return nl_talk(h, nlh, NULL, NULL);
}

static size_t
nl_alen(int family)
{
	return family == AF_INET ? 4 : 16;
}

/* A->a on link A->index; NODAD: usable at once (IPv6, ipv6(7)). */
int
nl_addr_add(struct nl *h, const struct nl_addr *a, int nodad)
{
	struct nlmsghdr		*nlh;
	struct ifaddrmsg	*ifa;

	nlh = nl_msg(h, RTM_NEWADDR, NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL);
	ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
	ifa->ifa_family = a->family;
	ifa->ifa_prefixlen = a->prefixlen;
	ifa->ifa_flags = nodad ? IFA_F_NODAD : 0;
	ifa->ifa_scope = RT_SCOPE_UNIVERSE;
	ifa->ifa_index = a->index;
	mnl_attr_put(nlh, IFA_LOCAL, nl_alen(a->family), a->a);
	mnl_attr_put(nlh, IFA_ADDRESS, nl_alen(a->family), a->a);
	return nl_talk(h, nlh, NULL, NULL);
}

/*
 * A route to DST (prefixlen 0: the default) out of link INDEX, through
 * GW if not NULL, with SCOPE (RT_SCOPE_LINK: on the link, no gateway).
 */
int
nl_route_add(struct nl *h, int index, const struct nl_addr *dst,
    const struct nl_addr *gw, int scope)
{
	struct nlmsghdr	*nlh;
	struct rtmsg	*rtm;

	nlh = nl_msg(h, RTM_NEWROUTE, NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL);
	rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = dst->family;
	rtm->rtm_dst_len = dst->prefixlen;
	rtm->rtm_table = RT_TABLE_MAIN;
	rtm->rtm_protocol = RTPROT_STATIC;
	rtm->rtm_scope = scope;
	rtm->rtm_type = RTN_UNICAST;
	if (dst->prefixlen > 0)
		mnl_attr_put(nlh, RTA_DST, nl_alen(dst->family), dst->a);
	if (gw != NULL)
		mnl_attr_put(nlh, RTA_GATEWAY, nl_alen(gw->family), gw->a);
	mnl_attr_put_u32(nlh, RTA_OIF, index);
	return nl_talk(h, nlh, NULL, NULL);
}

/* Room for one more item of V; NULL with errno set. */
static void *
nl_vec_add(struct nl_vec *v)
{
	void	*p;

	if (v->n == NL_MAX_ITEMS) {
		errno = E2BIG;
		return NULL;
	}
	if ((p = reallocarray(v->items, v->n + 1, v->size)) == NULL)
		return NULL;
	v->items = p;
	p = (char *)p + v->n++ * v->size;
	memset(p, 0, v->size);
	return p;
}

/* Keeps the attributes of types below MAX that pass their validation. */
struct nl_attrs {
	const struct nlattr	**tb;
	int			  max;
	const enum mnl_attr_data_type *types;
};

static int
nl_attr_cb(const struct nlattr *attr, void *data)
{
	struct nl_attrs	*t = data;
	int		 type = mnl_attr_get_type(attr);

	if (type >= t->max)
		return MNL_CB_OK;
	if (mnl_attr_validate(attr, t->types[type]) == -1)
		return MNL_CB_ERROR;
	t->tb[type] = attr;
	return MNL_CB_OK;
}

static int
nl_parse(const struct nlmsghdr *nlh, size_t hdrlen, struct nl_attrs *t)
{
	if (mnl_nlmsg_get_payload_len(nlh) < hdrlen) {
		errno = EPROTO;
		return -1;
	}
	return mnl_attr_parse(nlh, hdrlen, nl_attr_cb, t) == MNL_CB_OK ?
	    0 : -1;
}

static void
nl_link_kind(const struct nlattr *linkinfo, char *kind, size_t len)
{
	static const enum mnl_attr_data_type types[IFLA_INFO_KIND + 1] = {
		[IFLA_INFO_KIND] = MNL_TYPE_NUL_STRING,
	};
	const struct nlattr	*tb[IFLA_INFO_KIND + 1] = { NULL };
	struct nl_attrs		 t = { tb, IFLA_INFO_KIND + 1, types };

	if (mnl_attr_parse_nested(linkinfo, nl_attr_cb, &t) == MNL_CB_OK &&
	    tb[IFLA_INFO_KIND] != NULL)
		(void)strlcpy(kind, mnl_attr_get_str(tb[IFLA_INFO_KIND]), len);
}

#define NL_LINK_MAX	(IFLA_LINK_NETNSID + 1)

static int
nl_link_cb(const struct nlmsghdr *nlh, void *data)
{
	static const enum mnl_attr_data_type types[NL_LINK_MAX] = {
		[IFLA_IFNAME] = MNL_TYPE_NUL_STRING,
		[IFLA_LINK] = MNL_TYPE_U32,
		[IFLA_MASTER] = MNL_TYPE_U32,
		[IFLA_LINKINFO] = MNL_TYPE_NESTED,
		[IFLA_LINK_NETNSID] = MNL_TYPE_U32,
	};
	const struct nlattr	*tb[NL_LINK_MAX] = { NULL };
	struct nl_attrs		 t = { tb, NL_LINK_MAX, types };
	const struct ifinfomsg	*ifi = mnl_nlmsg_get_payload(nlh);
	struct nl_link		*l;

	if (nlh->nlmsg_type != RTM_NEWLINK)
		return MNL_CB_OK;
	if (nl_parse(nlh, sizeof(*ifi), &t) == -1)
		return MNL_CB_ERROR;
	if (tb[IFLA_IFNAME] == NULL)
		return MNL_CB_OK;
	if ((l = nl_vec_add(data)) == NULL)
		return MNL_CB_ERROR;
	l->index = ifi->ifi_index;
	l->flags = ifi->ifi_flags;
	(void)strlcpy(l->name, mnl_attr_get_str(tb[IFLA_IFNAME]),
	    sizeof(l->name));
	if (tb[IFLA_LINK] != NULL)
		l->link = (int)mnl_attr_get_u32(tb[IFLA_LINK]);
	if (tb[IFLA_MASTER] != NULL)
		l->master = (int)mnl_attr_get_u32(tb[IFLA_MASTER]);
	l->netnsid = tb[IFLA_LINK_NETNSID] != NULL ?
	    (int)mnl_attr_get_u32(tb[IFLA_LINK_NETNSID]) : -1;
	if (tb[IFLA_LINKINFO] != NULL)
		nl_link_kind(tb[IFLA_LINKINFO], l->kind, sizeof(l->kind));
	return MNL_CB_OK;
}

/* Dump TYPE's objects with CB; hands back a malloc'd array. */
static int
nl_dump(struct nl *h, int type, size_t hdrlen, mnl_cb_t cb,
    struct nl_vec *v)
{
	struct nlmsghdr	*nlh;
	struct rtgenmsg	*g;

	nlh = nl_msg(h, type, NLM_F_DUMP);
	g = mnl_nlmsg_put_extra_header(nlh, hdrlen);
	g->rtgen_family = AF_UNSPEC;
	if (nl_talk(h, nlh, cb, v) == -1) {
		free(v->items);
		v->items = NULL;
		v->n = 0;
		return -1;
	}
	return 0;
}

int
nl_link_dump(struct nl *h, struct nl_link **out, size_t *n)
{
	struct nl_vec	 v = { NULL, 0, sizeof(**out) };
	int		 rc;

	rc = nl_dump(h, RTM_GETLINK, sizeof(struct ifinfomsg), nl_link_cb,
	    &v);
	*out = v.items;
	*n = v.n;
	return rc;
}

static int
nl_addr_cb(const struct nlmsghdr *nlh, void *data)
{
	static const enum mnl_attr_data_type types[IFA_LOCAL + 1] = {
		[IFA_ADDRESS] = MNL_TYPE_BINARY,
		[IFA_LOCAL] = MNL_TYPE_BINARY,
	};
	const struct nlattr	*tb[IFA_LOCAL + 1] = { NULL };
	struct nl_attrs		 t = { tb, IFA_LOCAL + 1, types };
	const struct ifaddrmsg	*ifa = mnl_nlmsg_get_payload(nlh);
	const struct nlattr	*at;
	struct nl_addr		*a;

	if (nlh->nlmsg_type != RTM_NEWADDR)
		return MNL_CB_OK;
	if (nl_parse(nlh, sizeof(*ifa), &t) == -1)
		return MNL_CB_ERROR;
	if (ifa->ifa_family != AF_INET && ifa->ifa_family != AF_INET6)
		return MNL_CB_OK;
	/* IPv4: IFA_LOCAL is ours, IFA_ADDRESS a point-to-point peer. */
	if ((at = tb[IFA_LOCAL]) == NULL && (at = tb[IFA_ADDRESS]) == NULL)
		return MNL_CB_OK;
	if (mnl_attr_get_payload_len(at) != nl_alen(ifa->ifa_family)) {
		errno = EPROTO;
		return MNL_CB_ERROR;
	}
	if ((a = nl_vec_add(data)) == NULL)
		return MNL_CB_ERROR;
	a->index = (int)ifa->ifa_index;
	a->family = ifa->ifa_family;
	a->prefixlen = ifa->ifa_prefixlen;
	memcpy(a->a, mnl_attr_get_payload(at), nl_alen(a->family));
	return MNL_CB_OK;
}

int
nl_addr_dump(struct nl *h, struct nl_addr **out, size_t *n)
{
	struct nl_vec	 v = { NULL, 0, sizeof(**out) };
	int		 rc;

	rc = nl_dump(h, RTM_GETADDR, sizeof(struct ifaddrmsg), nl_addr_cb,
	    &v);
	*out = v.items;
	*n = v.n;
	return rc;
}

static int
nl_nsid_cb(const struct nlmsghdr *nlh, void *data)
{
	static const enum mnl_attr_data_type types[NETNSA_NSID + 1] = {
		[NETNSA_NSID] = MNL_TYPE_U32,
	};
	const struct nlattr	*tb[NETNSA_NSID + 1] = { NULL };
	struct nl_attrs		 t = { tb, NETNSA_NSID + 1, types };

	if (nlh->nlmsg_type != RTM_NEWNSID)
		return MNL_CB_OK;
	if (nl_parse(nlh, sizeof(struct rtgenmsg), &t) == -1)
		return MNL_CB_ERROR;
	if (tb[NETNSA_NSID] != NULL)
		*(int *)data = (int)mnl_attr_get_u32(tb[NETNSA_NSID]);
	return MNL_CB_OK;
}

/*
 * The replies in one datagram BUF of LEN bytes, parsed as nl_talk parses
 * a dump's (with no sequence or port to check): for the fuzz target
 * tests/fuzz/fuzz_rtnl.c, so that it runs the very callbacks above.
 * Returns 0 with the items (malloc'd), or -1 with none.
 */
static int
nl_parse_reply(const void *buf, size_t len, mnl_cb_t cb, struct nl_vec *v)
{
	if (mnl_cb_run(buf, len, 0, 0, cb, v) == MNL_CB_ERROR) {
		free(v->items);
		v->items = NULL;
		v->n = 0;
		return -1;
	}
	return 0;
}

int
nl_links_parse(const void *buf, size_t len, struct nl_link **out,
    size_t *n)
{
	struct nl_vec	 v = { NULL, 0, sizeof(**out) };
	int		 rc;

	rc = nl_parse_reply(buf, len, nl_link_cb, &v);
	*out = v.items;
	*n = v.n;
	return rc;
}

int
nl_addrs_parse(const void *buf, size_t len, struct nl_addr **out,
    size_t *n)
{
	struct nl_vec	 v = { NULL, 0, sizeof(**out) };
	int		 rc;

	rc = nl_parse_reply(buf, len, nl_addr_cb, &v);
	*out = v.items;
	*n = v.n;
	return rc;
}

int
nl_nsid_parse(const void *buf, size_t len, int *nsid)
{
	*nsid = NETNSA_NSID_NOT_ASSIGNED;
	return mnl_cb_run(buf, len, 0, 0, nl_nsid_cb, nsid) == MNL_CB_ERROR ?
	    -1 : 0;
}

/*
 * The id our network namespace has for the one NSFD is (the
 * IFLA_LINK_NETNSID of links with an end there), or -1 if it has none:
 * RTM_GETNSID never assigns one, and needs no privilege.
 */
int
nl_nsid(struct nl *h, int nsfd, int *nsid)
{
	struct nlmsghdr	*nlh;
	struct rtgenmsg	*g;

	*nsid = NETNSA_NSID_NOT_ASSIGNED;
	nlh = nl_msg(h, RTM_GETNSID, NLM_F_ACK);
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->rtgen_family = AF_UNSPEC;
	mnl_attr_put_u32(nlh, NETNSA_FD, (uint32_t)nsfd);
	return nl_talk(h, nlh, nl_nsid_cb, nsid);
}
