/*
 * cmd_lxchook.c: roost lxc-hook, an lxc.net.N.script.up for routed veths
 * of unprivileged LXC containers: it routes the container's addresses, as
 * its LXC config lists them, to the host end through roost-helper, which
 * checks the veth and the addresses against the policy.  It replaces the
 * root script that sudo or userv would otherwise run.
 *
 * LXC 5.0 runs it as the container's owner, from the monitor, after
 * lxc-user-nic made the veth and before the container's init goes on:
 *   hook version 0: NAME net up veth LINK HOSTIF
 *   hook version 1: veth LINK HOSTIF, with LXC_HOOK_TYPE=up
 * and, in both, LXC_CONFIG_FILE and LXC_PID (the container's init).
 */
#include <arpa/inet.h>

#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "roost.h"

#define CONF_MAX_BYTES	(1024 * 1024)

const char lxchook_usage[] =
"usage: roost lxc-hook [-n N] NAME net up|down veth LINK HOSTIF\n"
"usage: roost lxc-hook [-n N] veth LINK HOSTIF    (lxc.hook.version = 1)\n"
"  -n N                 serve lxc.net.N (default: the veth on LINK)\n"
"  -h, --help           show this help\n";

static const struct option lxchook_options[] = {
	{ "help",	no_argument,		NULL,	'h' },
	{ NULL,		0,			NULL,	0 }
};

struct hook {
	const char	*type;		/* up or down */
	const char	*link;		/* the bridge, or "none" */
	const char	*hostif;
	long		 net;		/* -n N, or -1 */
};

/* One lxc.net.N.SUB = VALUE line of the container's config. */
struct netkey {
	long		 n;
	const char	*sub;
	const char	*val;
};

static char *
trim(char *s)
{
	char	*e;

	s += strspn(s, " \t");
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
		*--e = '\0';
	return s;
}

/* LINE as an lxc.net key; 0 if it is one. */
static int
conf_netkey(char *line, struct netkey *k)
{
	char	*eq, *key, *end;

	line = trim(line);
	if (*line == '#' || (eq = strchr(line, '=')) == NULL)
		return -1;
	*eq = '\0';
	key = trim(line);
	if (strncmp(key, "lxc.net.", 8) != 0)
		return -1;
	k->n = strtol(key + 8, &end, 10);
	if (end == key + 8 || *end != '.' || k->n < 0)
		return -1;
	k->sub = end + 1;
	k->val = trim(eq + 1);
	return 0;
}

/* The lxc.net keys of the file named by LXC_CONFIG_FILE, pointing into
 * *BUFP, which the caller frees. */
static struct netkey *
conf_read(size_t *nk, char **bufp)
{
	const char	*path = getenv("LXC_CONFIG_FILE");
	struct netkey	*k;
	char		*buf, *line, *save = NULL;
	size_t		 lines = 1;
	ssize_t		 n;
	int		 fd;

	if (path == NULL || *path == '\0')
		roost_errx("LXC_CONFIG_FILE is not set: run me as an LXC hook");
	if ((buf = malloc(CONF_MAX_BYTES + 1)) == NULL)
		roost_err("cannot allocate");
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1 ||
	    (n = roost_read_all(fd, buf, CONF_MAX_BYTES + 1)) == -1)
		roost_err("%s", path);
	(void)close(fd);
	if (n > CONF_MAX_BYTES)
		roost_errx("%s: larger than %d bytes", path, CONF_MAX_BYTES);
	buf[n] = '\0';
	for (line = buf; (line = strchr(line, '\n')) != NULL; line++)
		lines++;
	if ((k = calloc(lines, sizeof(*k))) == NULL)
		roost_err("cannot allocate");
	*nk = 0;
	for (line = strtok_r(buf, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save))
		if (conf_netkey(line, &k[*nk]) == 0)
			(*nk)++;
	*bufp = buf;
	return k;
}

/* The N this hook serves: -n N, or the one lxc.net.N whose link is LINK. */
static long
hook_netdev(const struct hook *h, const struct netkey *k, size_t nk)
{
	long	 n = -1;
	size_t	 i;

	for (i = 0; i < nk; i++) {
		if (h->net != -1 && k[i].n == h->net)
			return h->net;
		if (h->net != -1 || strcmp(k[i].sub, "link") != 0 ||
		    strcmp(k[i].val, h->link) != 0 || k[i].n == n)
			continue;
		if (n != -1)
			roost_errx("%s: lxc.net.%ld and lxc.net.%ld both use "
			    "it: name one with -n", h->link, n, k[i].n);
		n = k[i].n;
	}
	if (n == -1 && h->net != -1)
		roost_errx("lxc.net.%ld: not in the container's config",
		    h->net);
	if (n == -1)
		roost_errx("%s: no lxc.net.N.link = %s in the container's "
		    "config", h->link, h->link);
	return n;
}

/*
 * VAL ("ADDR[/LEN] [BCAST]") as the host route to it, ADDR/32 or
 * ADDR/128: the container holds the address itself and reaches everything
 * else through the link-local gateway, so its prefix is not the route's.
 */
static void
hook_addr(const char *key, const char *val, char *out, size_t len)
{
	char		 addr[INET6_ADDRSTRLEN];
	unsigned char	 bin[16];
	size_t		 n = strcspn(val, "/ \t");
	int		 v6 = strcmp(key, "ipv6.address") == 0;

	if (n == 0 || n >= sizeof(addr))
		roost_errx("%s: bad address", val);
	memcpy(addr, val, n);
	addr[n] = '\0';
	if (inet_pton(v6 ? AF_INET6 : AF_INET, addr, bin) != 1)
		roost_errx("%s: bad address", val);
	(void)snprintf(out, len, "%s/%d", addr, v6 ? 128 : 32);
}

static int
hook_up(const struct hook *h)
{
	struct netkey	*k;
	char		 proc[32], route[INET6_ADDRSTRLEN + 8], *buf;
	const char	*pid = getenv("LXC_PID");
	uint32_t	 p;
	size_t		 nk, i, routed = 0;
	long		 n;
	int		 procfd;

	k = conf_read(&nk, &buf);
	n = hook_netdev(h, k, nk);
	if (strcmp(h->link, "none") != 0) {
		free(k);
		free(buf);
		return 0;	/* bridged: its addresses live on the bridge */
	}
	/*
	 * The container's init, opened once.  Were the pid reused, the helper
	 * would refuse: HOSTIF's peer must live in that process's netns.
	 */
	if (pid == NULL || policy_parse_u32(pid, INT_MAX, &p) == -1 || p == 0)
		roost_errx("LXC_PID is not set: run me as an LXC hook");
	(void)snprintf(proc, sizeof(proc), "/proc/%u", p);
	if ((procfd = open(proc, O_PATH | O_DIRECTORY | O_CLOEXEC)) == -1)
		roost_errx("%s: not a process in a network namespace you own",
		    pid);
	for (i = 0; i < nk; i++) {
		if (k[i].n != n || (strcmp(k[i].sub, "ipv4.address") != 0 &&
		    strcmp(k[i].sub, "ipv6.address") != 0))
			continue;
		hook_addr(k[i].sub, k[i].val, route, sizeof(route));
		if (helper_net("route", procfd, h->hostif, route, NULL, 0) == -1)
			roost_fail();
		routed++;
	}
	if (routed == 0)
		roost_errx("lxc.net.%ld: no ipv4.address or ipv6.address to "
		    "route", n);
	(void)close(procfd);
	free(k);
	free(buf);
	return 0;
}

static void
hook_parse(int argc, char **argv, struct hook *h)
{
	const char	*ver = getenv("LXC_HOOK_VERSION");
	char		*end;
	int		 c;

	h->net = -1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:hn:", lxchook_options,
	    NULL)) != -1) {
		if (c == 'h') {
			(void)fputs(lxchook_usage, stdout);
			roost_exit(0);
		} else if (c == 'n') {
			h->net = strtol(optarg, &end, 10);
			if (*optarg == '\0' || *end != '\0' || h->net < 0 ||
			    h->net == LONG_MAX)
				roost_usage("%s: bad netdev index", optarg);
		} else
			roost_bad_option(c, argv);
	}
	argc -= optind;
	argv += optind;
	if (ver != NULL && strcmp(ver, "1") == 0 && argc == 3)
		h->type = getenv("LXC_HOOK_TYPE");	/* veth LINK HOSTIF */
	else if (argc == 6 && strcmp(argv[1], "net") == 0) {
		h->type = argv[2];	/* NAME net TYPE veth LINK HOSTIF */
		argv += 3;
	} else
		roost_usage("expected LXC's script.up arguments");
	if (h->type == NULL || strcmp(argv[0], "veth") != 0)
		roost_usage("expected a veth's net hook");
	h->link = argv[1];
	h->hostif = argv[2];
}

int
cmd_lxchook(int argc, char **argv)
{
	struct hook	 h;

	hook_parse(argc, argv, &h);
	if (strcmp(h.type, "up") == 0)
		return hook_up(&h);
	/* The host end, and the routes through it, die with the netns. */
	if (strcmp(h.type, "down") == 0)
		return 0;
	roost_usage("%s: not a script.up or script.down hook", h.type);
}
