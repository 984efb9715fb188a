/*
 * net.c: a container's network.  --net none (a network namespace with lo
 * only), host (no network namespace), and any number of veths: bridge:BR
 * (the host end on bridge BR) or routed:ADDR (the host end routes ADDR to
 * it).  The host end is the helper's work (roost-helper(8): veth, route);
 * the container end is configured here, by roost itself, inside the
 * container's network namespace, where its user namespace makes it root.
 *
 * Routed: the helper gives the host end the link-local gateways
 * 169.254.0.1 and fe80::1; the container gets each ADDR as a /32 or /128
 * and default routes through them.  ADDR/LEN routes the whole prefix
 * ADDR/LEN to the container (it must be granted as a whole) and still
 * assigns ADDR alone, as a /32 or /128.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <linux/rtnetlink.h>

#include "roost.h"

static const char net_kinds[] =
    "none, host, bridge:BR[,...] or routed:ADDR[,...]";

/* Usage error about ARG, a part of SPEC. */
static void
net_bad(const char *what, const char *spec, const char *reason,
    const char *arg)
{
	roost_usage("%s: %s '%s' in '%s'", what, reason, arg, spec);
}

static unsigned int
net_bits(int family)
{
	return family == AF_INET ? 32 : 128;
}

/* ADDR or ADDR/LEN, IPv4 or IPv6; *HASLEN says which. */
static int
net_pton(const char *s, struct nl_addr *a, int *haslen)
{
	char		 buf[INET6_ADDRSTRLEN + 8], *slash;
	uint32_t	 len;

	memset(a, 0, sizeof(*a));
	if (strlcpy(buf, s, sizeof(buf)) >= sizeof(buf))
		return -1;
	if ((slash = strchr(buf, '/')) != NULL)
		*slash++ = '\0';
	if (inet_pton(AF_INET, buf, a->a) == 1)
		a->family = AF_INET;
	else if (inet_pton(AF_INET6, buf, a->a) == 1)
		a->family = AF_INET6;
	else
		return -1;
	a->prefixlen = net_bits(a->family);
	*haslen = slash != NULL;
	if (slash != NULL) {
		if (policy_parse_u32(slash, a->prefixlen, &len) == -1)
			return -1;
		a->prefixlen = len;
	}
	return 0;
}

/* "ADDR", or "ADDR/LEN" when WITHLEN. */
const char *
net_ntop(const struct nl_addr *a, int withlen, char *buf, size_t len)
{
	char	 t[INET6_ADDRSTRLEN];

	if (inet_ntop(a->family, a->a, t, sizeof(t)) == NULL)
		(void)strlcpy(t, "?", sizeof(t));
	if (withlen)
		(void)snprintf(buf, len, "%s/%u", t, a->prefixlen);
	else
		(void)snprintf(buf, len, "%s", t);
	return buf;
}

/* A with its host bits cleared: the prefix a routed ADDR/LEN names. */
static void
net_prefix(const struct nl_addr *a, struct nl_addr *p)
{
	unsigned int	 i;

	*p = *a;
	for (i = a->prefixlen; i < net_bits(a->family); i++)
		p->a[i / 8] &= ~(0x80 >> (i % 8));
}

static void
net_add_addr(struct net_if *i, const char *what, const char *spec,
    const char *s, int needlen)
{
	struct nl_addr	 a;
	int		 haslen;

	if (net_pton(s, &a, &haslen) == -1)
		net_bad(what, spec, "bad address", s);
	if (needlen && !haslen)
		net_bad(what, spec, "address without /LEN", s);
	if (i->naddrs == NET_MAX_ADDRS)
		net_bad(what, spec, "too many addresses", s);
	i->addrs[i->naddrs++] = a;
}

static void
net_add_gw(struct net_if *i, const char *what, const char *spec,
    const char *s)
{
	struct nl_addr	 a;
	size_t		 k;
	int		 haslen;

	if (net_pton(s, &a, &haslen) == -1 || haslen)
		net_bad(what, spec, "bad gateway", s);
	for (k = 0; k < i->ngws; k++)
		if (i->gws[k].family == a.family)
			net_bad(what, spec, "a second gateway", s);
	i->gws[i->ngws++] = a;
}

/* One item after the first of a bridge: or routed: spec. */
static void
net_item(struct net_if *i, int routed, const char *what, const char *spec,
    const char *item)
{
	if (strncmp(item, "name=", 5) == 0) {
		if (!policy_valid_ifname(item + 5))
			net_bad(what, spec, "bad interface name", item + 5);
		(void)strlcpy(i->name, item + 5, sizeof(i->name));
	} else if (routed)
		net_add_addr(i, what, spec, item, 0);
	else if (strncmp(item, "addr=", 5) == 0)
		net_add_addr(i, what, spec, item + 5, 1);
	else if (strncmp(item, "gw=", 3) == 0)
		net_add_gw(i, what, spec, item + 3);
	else
		net_bad(what, spec, "unknown option", item);
}

/*
 * bridge:BR[,name=IF][,addr=ADDR/LEN]...[,gw=ADDR]... or
 * routed:ADDR[/LEN][,ADDR[/LEN]]...[,name=IF].  Returns -1 if SPEC is
 * neither kind (the caller knows what else it takes); a bad spec of
 * either kind is a usage error, about WHAT.
 */
int
net_parse_if(struct net_if *i, const char *what, const char *spec)
{
	char	*copy, *p, *item;
	int	 routed;

	memset(i, 0, sizeof(*i));
	if (strncmp(spec, "bridge:", 7) == 0)
		routed = 0;
	else if (strncmp(spec, "routed:", 7) == 0)
		routed = 1;
	else
		return -1;
	if ((copy = strdup(spec + 7)) == NULL)
		roost_err("cannot allocate");
	p = copy;
	item = strsep(&p, ",");
	if (routed) {
		(void)strlcpy(i->bridge, "none", sizeof(i->bridge));
		if (*item != '\0' || p != NULL)
			net_item(i, 1, what, spec, item);
	} else if (!policy_valid_ifname(item) || strcmp(item, "none") == 0)
		net_bad(what, spec, "bad bridge name", item);
	else
		(void)strlcpy(i->bridge, item, sizeof(i->bridge));
	while ((item = strsep(&p, ",")) != NULL)
		net_item(i, routed, what, spec, item);
	if (routed && i->naddrs == 0)
		roost_usage("%s: no address in '%s'", what, spec);
	free(copy);
	return 0;
}

/* One --net SPEC; none and host stand alone. */
void
net_parse(struct net_plan *p, const char *spec)
{
	struct net_if	*ifs;
	enum net_mode	 mode;

	if (strcmp(spec, "none") == 0)
		mode = NET_NONE;
	else if (strcmp(spec, "host") == 0)
		mode = NET_HOST;
	else
		mode = NET_VETH;
	if (p->mode != NET_DEFAULT && (p->mode != mode || mode == NET_HOST ||
	    mode == NET_NONE))
		roost_usage("--net: none and host cannot be combined with "
		    "another --net");
	p->mode = mode;
	if (mode != NET_VETH)
		return;
	if ((ifs = reallocarray(p->ifs, p->nifs + 1, sizeof(*ifs))) == NULL)
		roost_err("cannot allocate");
	p->ifs = ifs;
	if (net_parse_if(&ifs[p->nifs], "--net", spec) == -1)
		roost_usage("--net: %s expected, got '%s'", net_kinds, spec);
	p->nifs++;
}

static int
net_taken(const char *name, const char *const *names, size_t n)
{
	size_t	 k;

	for (k = 0; k < n; k++)
		if (names[k] != NULL && strcmp(names[k], name) == 0)
			return 1;
	return 0;
}

/* Name I the first of eth0, eth1, ... not among the N NAMES. */
void
net_autoname(struct net_if *i, const char *const *names, size_t n)
{
	unsigned int	 k;

	for (k = 0; ; k++) {
		(void)snprintf(i->name, sizeof(i->name), "eth%u", k);
		if (!net_taken(i->name, names, n))
			return;
	}
}

/* Which namespaces --net needs, and a name for every interface. */
void
net_check(struct net_plan *p, int *nsflags)
{
	const char	**names;
	size_t		  k;

	if (p->mode == NET_HOST)
		*nsflags &= ~CLONE_NEWNET;
	else if (p->mode != NET_DEFAULT)
		*nsflags |= CLONE_NEWNET;
	if ((names = calloc(p->nifs + 1, sizeof(*names))) == NULL)
		roost_err("cannot allocate");
	for (k = 0; k < p->nifs; k++) {
		if (p->ifs[k].name[0] == '\0')
			continue;
		if (net_taken(p->ifs[k].name, names, p->nifs))
			roost_usage("--net: interface name '%s' given twice",
			    p->ifs[k].name);
		names[k] = p->ifs[k].name;
	}
	for (k = 0; k < p->nifs; k++)
		if (p->ifs[k].name[0] == '\0') {
			net_autoname(&p->ifs[k], names, p->nifs);
			names[k] = p->ifs[k].name;
		}
	free(names);
}

/*
 * In the child, once its network namespace exists (or could not be
 * made: OK 0): the helper must not look at it before, or it would find
 * the host's, and refuse.
 */
void
net_ready(const struct net_plan *p, int sock, int ok)
{
	if (p->mode == NET_VETH)
		(void)send(sock, ok ? "n" : "x", 1, MSG_NOSIGNAL);
}

/*
 * The host end of I, for the process whose /proc directory is PROCFD:
 * the veth, then the routes.  Returns 0, or -1 after the helper said why,
 * with nothing left behind.
 */
int
net_attach_if(struct net_if *i, int procfd)
{
	struct nl_addr	 pfx;
	char		 arg[INET6_ADDRSTRLEN + 8];
	size_t		 k;

	if (helper_net("veth", procfd, i->bridge, i->name, i->host,
	    sizeof(i->host)) == -1)
		return -1;
	if (strcmp(i->bridge, "none") != 0)
		return 0;
	for (k = 0; k < i->naddrs; k++) {
		net_prefix(&i->addrs[k], &pfx);
		(void)net_ntop(&pfx, pfx.prefixlen < net_bits(pfx.family),
		    arg, sizeof(arg));
		if (helper_net("route", procfd, i->host, arg, NULL, 0) == -1) {
			(void)helper_net("unveth", procfd, i->host, NULL,
			    NULL, 0);
			return -1;
		}
	}
	return 0;
}

/*
 * In the parent, the maps written: every interface's host end.  The
 * child's word that its network namespace exists comes first; if it could
 * not make one, it says so itself once released.
 */
void
net_attach(struct net_plan *p, const struct ns_child *c)
{
	char	 b;
	size_t	 k;

	if (p->mode != NET_VETH)
		return;
	if (roost_read_all(c->release, &b, 1) != 1 || b != 'n')
		return;
	for (k = 0; k < p->nifs; k++)
		if (net_attach_if(&p->ifs[k], c->procfd) == -1)
			roost_fail();
}

/*
 * A routed interface's default routes, through the gateways the helper
 * put on the host end.  Only the first routed interface of a family gets
 * them: for the next, the kernel says EEXIST, and that is no error.
 */
static void
net_routed_defaults(struct nl *h, const struct net_if *i, int index)
{
	static const struct nl_addr gw4 = { 0, AF_INET, 32,
	    { 169, 254, 0, 1 } };
	static const struct nl_addr gw6 = { 0, AF_INET6, 128,
	    { 0xfe, 0x80, [15] = 1 } };
	struct nl_addr	 any;
	size_t		 k;
	int		 v4 = 0, v6 = 0;

	for (k = 0; k < i->naddrs; k++)
		*(i->addrs[k].family == AF_INET ? &v4 : &v6) = 1;
	if (v4 && nl_route_add(h, index, &gw4, NULL, RT_SCOPE_LINK) == -1 &&
	    errno != EEXIST)
		roost_err("%s: cannot add a route to 169.254.0.1", i->name);
	any = (struct nl_addr){ .family = AF_INET };
	if (v4 && nl_route_add(h, index, &any, &gw4, RT_SCOPE_UNIVERSE) ==
	    -1 && errno != EEXIST)
		roost_err("%s: cannot add a default route", i->name);
	any = (struct nl_addr){ .family = AF_INET6 };
	if (v6 && nl_route_add(h, index, &any, &gw6, RT_SCOPE_UNIVERSE) ==
	    -1 && errno != EEXIST)
		roost_err("%s: cannot add an IPv6 default route", i->name);
}

/*
 * The container end of I, link INDEX, from inside its network namespace:
 * addresses (routed ones alone, as /32 or /128, with no duplicate address
 * detection: the host end is their only neighbour), up, routes.
 */
void
net_configure_if(struct nl *h, const struct net_if *i, int index)
{
	struct nl_addr	 a, any;
	char		 t[INET6_ADDRSTRLEN + 8];
	size_t		 k;
	int		 routed = strcmp(i->bridge, "none") == 0;

	for (k = 0; k < i->naddrs; k++) {
		a = i->addrs[k];
		a.index = index;
		if (routed)
			a.prefixlen = net_bits(a.family);
		if (nl_addr_add(h, &a, routed) == -1)
			roost_err("%s: cannot add %s", i->name,
			    net_ntop(&a, 1, t, sizeof(t)));
	}
	if (nl_link_up(h, index) == -1)
		roost_err("%s: cannot bring it up", i->name);
	if (routed) {
		net_routed_defaults(h, i, index);
		return;
	}
	for (k = 0; k < i->ngws; k++) {
		any = (struct nl_addr){ .family = i->gws[k].family };
		if (nl_route_add(h, index, &any, &i->gws[k],
		    RT_SCOPE_UNIVERSE) == -1)
			roost_err("%s: cannot add a default route via %s",
			    i->name, net_ntop(&i->gws[k], 0, t, sizeof(t)));
	}
}

/* The index of NAME among the N LINKS, or 0. */
int
net_find(const struct nl_link *links, size_t n, const char *name)
{
	size_t	 k;

	for (k = 0; k < n; k++)
		if (strcmp(links[k].name, name) == 0)
			return links[k].index;
	return 0;
}

/* In the container's network namespace, as its root: every interface. */
void
net_configure(const struct net_plan *p)
{
	struct nl_link	*links;
	struct nl	*h;
	size_t		 k, n;
	int		 index;

	if (p->mode != NET_VETH)
		return;
	if ((h = nl_open()) == NULL || nl_link_dump(h, &links, &n) == -1)
		roost_err("cannot read the network interfaces");
	for (k = 0; k < p->nifs; k++) {
		if ((index = net_find(links, n, p->ifs[k].name)) == 0)
			roost_errx("%s: no such interface", p->ifs[k].name);
		net_configure_if(h, &p->ifs[k], index);
	}
	free(links);
	nl_close(h);
}
