/*
 * cmd_net.c: roost net, the network of a running detached container: add
 * a veth, delete one, list them.
 *
 * The host end is the helper's (roost-helper(8) veth, route, unveth),
 * given a process of the container (target_proc) as an fd of its /proc
 * directory.  The container end is configured, and looked at, from a
 * child that joins that process's user namespace (the caller owns it, so
 * the child is root there: user_namespaces(7)) and then its network
 * namespace.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "roost.h"

const char net_usage[] =
"usage: roost net add NAME SPEC\n"
"       roost net del NAME IF\n"
"       roost net ls NAME\n"
"  SPEC                 bridge:BR[,name=IF][,addr=ADDR/LEN]...[,gw=ADDR]\n"
"                       or routed:ADDR[/LEN][,ADDR...][,name=IF], as for\n"
"                       roost run --net\n"
"  IF                   an interface's name in the container, or the\n"
"                       name of its host end\n"
"  -h, --help           show this help\n";

struct net_target {
	const char	*name;
	int		 procfd;	/* /proc/PID: see target_proc */
	int		 userfd;
	int		 netfd;
};

/* What the container's network namespace holds. */
struct net_view {
	struct nl_link	*links;
	size_t		 nlinks;
	struct nl_addr	*addrs;
	size_t		 naddrs;
};

static int
net_ns_open(int procfd, int *userfd, int *netfd)
{
	*userfd = openat(procfd, "ns/user", O_RDONLY | O_CLOEXEC);
	*netfd = openat(procfd, "ns/net", O_RDONLY | O_CLOEXEC);
	if (*userfd != -1 && *netfd != -1)
		return 0;
	if (*userfd != -1)
		(void)close(*userfd);
	if (*netfd != -1)
		(void)close(*netfd);
	return -1;
}

/*
 * NAME's record, and the process of it to act through, the helper
 * included (target_proc: its pid 1, or the command when pid 1 is
 * roost's own and not dumpable).
 */
static void
net_target(struct net_target *t, const char *name)
{
	struct target	 tg;

	t->name = name;
	target_named(&tg, name);
	if (target_proc(&tg) == -1 ||
	    net_ns_open(tg.procfd, &t->userfd, &t->netfd) == -1)
		roost_errx("%s: cannot open its namespaces", name);
	t->procfd = tg.procfd;
	if (tg.leaderfd != tg.procfd)
		(void)close(tg.leaderfd);
	(void)close(tg.userfd);
}

/* Start FN(ARG) in a child inside T's user and network namespaces. */
static pid_t
net_in(const struct net_target *t, void (*fn)(void *), void *arg)
{
	pid_t	 pid;

	if ((pid = fork()) == -1)
		roost_err("fork");
	if (pid == 0) {
		/*
		 * Once in its user namespace, the container's root could
		 * trace us (we would be a process of its namespace, with a
		 * dumpable mm) and act as the caller on the host's files,
		 * as with runc's CVE-2019-5736; not dumpable, only the
		 * host's root may (ptrace(2)).
		 */
		if (prctl(PR_SET_DUMPABLE, 0) == -1)
			roost_err("prctl");
		if (setns(t->userfd, CLONE_NEWUSER) == -1 ||
		    setns(t->netfd, CLONE_NEWNET) == -1)
			roost_err("%s: cannot enter its network namespace",
			    t->name);
		fn(arg);
		roost_exit(0);
	}
	return pid;
}

static int
net_wait(pid_t pid)
{
	int	 st;

	while (waitpid(pid, &st, 0) == -1)
		if (errno != EINTR)
			roost_err("waitpid");
	return roost_status(st);
}

static void
view_send(int fd, const void *items, size_t n, size_t size)
{
	if (roost_write_all(fd, (const char *)&n, sizeof(n)) == -1 ||
	    roost_write_all(fd, items, n * size) == -1)
		roost_err("cannot pass on the interfaces");
}

/* In the container: its links and addresses, down the pipe in ARG. */
static void
view_in(void *arg)
{
	struct net_view	 v;
	struct nl	*h;
	int		 fd = *(int *)arg;

	if ((h = nl_open()) == NULL || nl_link_dump(h, &v.links,
	    &v.nlinks) == -1 || nl_addr_dump(h, &v.addrs, &v.naddrs) == -1)
		roost_err("cannot read the network interfaces");
	view_send(fd, v.links, v.nlinks, sizeof(*v.links));
	view_send(fd, v.addrs, v.naddrs, sizeof(*v.addrs));
	nl_close(h);
}

static void *
view_recv(int fd, size_t *n, size_t size)
{
	void	*p;

	if (roost_read_all(fd, (char *)n, sizeof(*n)) != sizeof(*n) ||
	    *n > 4096)
		return NULL;
	if ((p = calloc(*n + 1, size)) == NULL)
		roost_err("cannot allocate");
	if (roost_read_all(fd, p, *n * size) != (ssize_t)(*n * size)) {
		free(p);
		return NULL;
	}
	return p;
}

/* T's links and addresses, read by a child inside. */
static void
net_view(const struct net_target *t, struct net_view *v)
{
	size_t	 k;
	pid_t	 pid;
	int	 p[2];

	if (pipe2(p, O_CLOEXEC) == -1)
		roost_err("pipe");
	pid = net_in(t, view_in, &p[1]);
	(void)close(p[1]);
	v->links = view_recv(p[0], &v->nlinks, sizeof(*v->links));
	v->addrs = v->links == NULL ? NULL :
	    view_recv(p[0], &v->naddrs, sizeof(*v->addrs));
	(void)close(p[0]);
	if (net_wait(pid) != 0)
		roost_fail();	/* the child said why */
	if (v->addrs == NULL)
		roost_errx("%s: cannot read its network interfaces", t->name);
	/* Printed and compared as strings: terminated whatever came. */
	for (k = 0; k < v->nlinks; k++) {
		v->links[k].name[sizeof(v->links[k].name) - 1] = '\0';
		v->links[k].kind[sizeof(v->links[k].kind) - 1] = '\0';
	}
	for (k = 0; k < v->naddrs; k++)
		if (v->addrs[k].family != AF_INET)
			v->addrs[k].family = AF_INET6;
}

static const struct nl_link *
link_by_index(const struct nl_link *links, size_t n, int index)
{
	size_t	 k;

	for (k = 0; k < n; k++)
		if (links[k].index == index)
			return &links[k];
	return NULL;
}

/*
 * The host end of container link L: the veth in our network namespace
 * whose peer L is, or NULL.
 */
static const struct nl_link *
host_end(const struct nl_link *l, const struct nl_link *host, size_t nhost)
{
	const struct nl_link	*h;

	if (l->netnsid < 0 || l->link <= 0)
		return NULL;
	h = link_by_index(host, nhost, l->link);
	if (h == NULL || h->link != l->index || strcmp(h->kind, "veth") != 0)
		return NULL;
	return h;
}

/* L's addresses, "A/LEN,A/LEN", without the kernel's IPv6 link-local. */
static void
ls_addrs(char *buf, size_t len, const struct nl_link *l,
    const struct net_view *v)
{
	const struct nl_addr	*a;
	char			 t[INET6_ADDRSTRLEN + 8];
	size_t			 k;

	buf[0] = '\0';
	for (k = 0; k < v->naddrs; k++) {
		a = &v->addrs[k];
		if (a->index != l->index || (a->family == AF_INET6 &&
		    a->a[0] == 0xfe && (a->a[1] & 0xc0) == 0x80))
			continue;
		if (buf[0] != '\0')
			(void)strlcat(buf, ",", len);
		(void)strlcat(buf, net_ntop(a, 1, t, sizeof(t)), len);
	}
	if (buf[0] == '\0')
		(void)strlcpy(buf, "-", len);
}

static void
ls_print(const struct net_view *v, const struct nl_link *host, size_t nhost)
{
	const struct nl_link	*l, *h, *br;
	char			 addrs[1024];
	size_t			 k;

	(void)printf("%-15s  %-15s  %-15s  %s\n", "IF", "HOST", "BRIDGE",
	    "ADDRESSES");
	for (k = 0; k < v->nlinks; k++) {
		l = &v->links[k];
		if (l->flags & IFF_LOOPBACK)
			continue;
		h = host_end(l, host, nhost);
		br = h == NULL ? NULL : link_by_index(host, nhost, h->master);
		ls_addrs(addrs, sizeof(addrs), l, v);
		(void)printf("%-15s  %-15s  %-15s  %s\n", l->name,
		    h != NULL ? h->name : "-",
		    h == NULL ? "-" : br != NULL ? br->name : "routed", addrs);
	}
}

/* Our own network namespace's links: the host ends. */
static struct nl_link *
host_links(size_t *n)
{
	struct nl_link	*links;
	struct nl	*h;

	if ((h = nl_open()) == NULL || nl_link_dump(h, &links, n) == -1)
		roost_err("cannot read the host's network interfaces");
	nl_close(h);
	return links;
}

static int
net_ls(int argc, char **argv)
{
	struct net_target	 t;
	struct net_view		 v;
	struct nl_link		*host;
	size_t			 nhost;

	if (argc != 2)
		roost_usage("ls: NAME expected");
	net_target(&t, argv[1]);
	net_view(&t, &v);
	host = host_links(&nhost);
	ls_print(&v, host, nhost);
	free(host);
	free(v.links);
	free(v.addrs);
	return 0;
}

struct add_cfg {
	const struct net_if	*i;
	int			 hostindex;
};

/*
 * In the container: configure the helper's veth, checked to be it (its
 * peer is the host end the helper named), not one the container made.
 */
static void
add_in(void *arg)
{
	const struct add_cfg	*c = arg;
	const struct nl_link	*l;
	struct nl_link		*links;
	struct nl		*h;
	size_t			 n;
	int			 index;

	if ((h = nl_open()) == NULL || nl_link_dump(h, &links, &n) == -1)
		roost_err("cannot read the network interfaces");
	index = net_find(links, n, c->i->name);
	l = link_by_index(links, n, index);
	if (l == NULL || l->netnsid < 0 || l->link != c->hostindex)
		roost_errx("%s: not found in the container", c->i->name);
	net_configure_if(h, c->i, index);
	free(links);
	nl_close(h);
}

/* The first ethN the container has not got. */
static void
add_name(const struct net_target *t, struct net_if *i)
{
	struct net_view	 v;
	const char	**names;
	size_t		  k;

	net_view(t, &v);
	if ((names = calloc(v.nlinks + 1, sizeof(*names))) == NULL)
		roost_err("cannot allocate");
	for (k = 0; k < v.nlinks; k++)
		names[k] = v.links[k].name;
	net_autoname(i, names, v.nlinks);
	free(names);
	free(v.links);
	free(v.addrs);
}

static int
net_add(int argc, char **argv)
{
	struct net_target	 t;
	struct net_if		 i;
	struct add_cfg		 c;

	if (argc != 3)
		roost_usage("add: NAME and SPEC expected");
	if (net_parse_if(&i, "add", argv[2]) == -1)
		roost_usage("add: bridge:BR[,...] or routed:ADDR[,...] "
		    "expected, got '%s'", argv[2]);
	net_target(&t, argv[1]);
	if (i.name[0] == '\0')
		add_name(&t, &i);
	if (net_attach_if(&i, t.procfd) == -1)
		return 1;
	c.i = &i;
	if ((c.hostindex = (int)if_nametoindex(i.host)) == 0)
		roost_warnx("%s: %s", i.host, strerror(errno));
	if (c.hostindex == 0 || net_wait(net_in(&t, add_in, &c)) != 0) {
		(void)helper_net("unveth", t.procfd, i.host, NULL, NULL, 0);
		return 1;
	}
	(void)printf("%s %s\n", i.name, i.host);
	return 0;
}

/* IF, the container's name for a veth, or its host end's. */
static int
net_del(int argc, char **argv)
{
	struct net_target	 t;
	struct net_view		 v;
	const struct nl_link	*l;
	const char		*hostif;
	char			 host[IF_NAMESIZE];

	if (argc != 3)
		roost_usage("del: NAME and IF expected");
	if (!policy_valid_ifname(argv[2]))
		roost_usage("del: bad interface name '%s'", argv[2]);
	net_target(&t, argv[1]);
	net_view(&t, &v);
	hostif = argv[2];
	l = link_by_index(v.links, v.nlinks,
	    net_find(v.links, v.nlinks, argv[2]));
	if (l != NULL && l->netnsid >= 0 && l->link > 0 &&
	    if_indextoname(l->link, host) != NULL)
		hostif = host;
	free(v.links);
	free(v.addrs);
	return helper_net("unveth", t.procfd, hostif, NULL, NULL, 0) == 0 ?
	    0 : 1;
}

int
cmd_net(int argc, char **argv)
{
	if (argc < 2)
		roost_usage("no subcommand given");
	if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
		(void)fputs(net_usage, stdout);
		return 0;
	}
	if (strcmp(argv[1], "add") == 0)
		return net_add(argc - 1, argv + 1);
	if (strcmp(argv[1], "del") == 0)
		return net_del(argc - 1, argv + 1);
	if (strcmp(argv[1], "ls") == 0)
		return net_ls(argc - 1, argv + 1);
	roost_usage("%s: unknown subcommand", argv[1]);
}
