/*
 * cmd_ls.c: roost ls, the caller's named containers that are running.
 *
 * STATE and NETWORK are read live.  The veths are counted from our side
 * without entering anything: the host ends the helper made are the veths
 * of our network namespace whose peer is in the container's, i.e. whose
 * IFLA_LINK_NETNSID is the id our namespace has for that one
 * (RTM_GETNSID, which needs no privilege).
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "roost.h"

const char ls_usage[] =
"usage: roost ls [--json]\n"
"  --json               print one JSON object: {\"containers\":[...],\n"
"                       \"stored\":[...]}\n"
"  -h, --help           show this help\n";

#define LS_NET_UNKNOWN	(-1)	/* not ours to see */
#define LS_NET_HOST	(-2)	/* the caller's network namespace */

/* One running container, read live. */
struct ls_live {
	const char	*state;		/* "running", "stopped", or NULL */
	long		 net;		/* its veths, or LS_NET_* */
	long long	 up;		/* seconds, or -1 */
};

/* Seconds since the container's first process started, or -1. */
static long long
ls_uptime(unsigned long long start)
{
	struct timespec	 now;
	long long	 up;
	long		 hz = sysconf(_SC_CLK_TCK);

	if (clock_gettime(CLOCK_BOOTTIME, &now) == -1 || hz <= 0)
		return -1;
	up = (long long)now.tv_sec - (long long)(start / hz);
	return up < 0 ? 0 : up;
}

/* 42s, 3m05s, 2h10m, 4d07h. */
static void
ls_uptime_str(char *buf, size_t len, long long up)
{
	if (up < 0)
		(void)snprintf(buf, len, "?");
	else if (up < 60)
		(void)snprintf(buf, len, "%llds", up);
	else if (up < 3600)
		(void)snprintf(buf, len, "%lldm%02llds", up / 60, up % 60);
	else if (up < 86400)
		(void)snprintf(buf, len, "%lldh%02lldm", up / 3600,
		    up % 3600 / 60);
	else
		(void)snprintf(buf, len, "%lldd%02lldh", up / 86400,
		    up % 86400 / 3600);
}

/* Field 3 of the leader's stat: stopped (T, t), running, or NULL. */
static const char *
ls_state(int procfd)
{
	char	 buf[512], *p;
	ssize_t	 n;
	int	 fd;

	if ((fd = openat(procfd, "stat", O_RDONLY | O_CLOEXEC)) == -1)
		return NULL;
	n = roost_read_all(fd, buf, sizeof(buf) - 1);
	(void)close(fd);
	buf[n < 0 ? 0 : n] = '\0';
	if ((p = strrchr(buf, ')')) == NULL || p[1] != ' ')
		return NULL;
	return p[2] == 'T' || p[2] == 't' ? "stopped" : "running";
}

/* The number of its veths (0: none), LS_NET_HOST, or LS_NET_UNKNOWN. */
static long
ls_net(struct target *t, struct nl *h, const struct nl_link *links,
    size_t nlinks)
{
	size_t	 k;
	long	 veths = 0;
	int	 fd, self, nsid = -1, host;

	if (target_proc(t) == -1 ||
	    (fd = openat(t->procfd, "ns/net", O_RDONLY | O_CLOEXEC)) == -1)
		return LS_NET_UNKNOWN;
	self = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	host = self != -1 && proc_same_ns(fd, self);
	if (!host && h != NULL && nl_nsid(h, fd, &nsid) == -1)
		nsid = -2;
	(void)close(fd);
	if (self != -1)
		(void)close(self);
	for (k = 0; nsid >= 0 && k < nlinks; k++)
		if (links[k].netnsid == nsid &&
		    strcmp(links[k].kind, "veth") == 0)
			veths++;
	if (host)
		return LS_NET_HOST;
	if (nsid == -2 || h == NULL)
		return LS_NET_UNKNOWN;
	return veths;
}

static void
ls_live(struct ls_live *l, const struct record *r, struct nl *h,
    const struct nl_link *links, size_t nlinks)
{
	struct target	 t;

	l->state = NULL;
	l->net = LS_NET_UNKNOWN;
	if (target_open(&t, r) == 0) {
		l->state = ls_state(t.leaderfd);
		l->net = ls_net(&t, h, links, nlinks);
		target_close(&t);
	}
	l->up = ls_uptime(r->start);
}

static void
ls_row(const struct record *r, const struct ls_live *l, int w)
{
	char	 up[32], net[32];

	if (l->net == LS_NET_HOST)
		(void)snprintf(net, sizeof(net), "host");
	else if (l->net == LS_NET_UNKNOWN)
		(void)snprintf(net, sizeof(net), "?");
	else if (l->net == 0)
		(void)snprintf(net, sizeof(net), "none");
	else
		(void)snprintf(net, sizeof(net), "%ld", l->net);
	ls_uptime_str(up, sizeof(up), l->up);
	(void)printf("%-*s  %-7d  %-7s  %-7s  %-7s  %s\n", w, r->name,
	    (int)r->pid, l->state != NULL ? l->state : "?", net, up,
	    r->command);
}

/*
 * {"name":N,"pid":P,"state":"running"|"stopped"|null,
 *  "network":"none"|"host"|"veth"|null,"veths":V,"uptime":S|null,
 *  "command":C}
 */
static void
ls_json_row(const struct record *r, const struct ls_live *l, int first)
{
	(void)printf("%s{\"name\":", first ? "" : ",");
	roost_json_str(r->name, strlen(r->name));
	(void)printf(",\"pid\":%d,\"state\":", (int)r->pid);
	if (l->state != NULL)
		(void)printf("\"%s\"", l->state);
	else
		(void)printf("null");
	if (l->net == LS_NET_HOST)
		(void)printf(",\"network\":\"host\",\"veths\":0");
	else if (l->net == LS_NET_UNKNOWN)
		(void)printf(",\"network\":null,\"veths\":null");
	else
		(void)printf(",\"network\":\"%s\",\"veths\":%ld",
		    l->net == 0 ? "none" : "veth", l->net);
	if (l->up >= 0)
		(void)printf(",\"uptime\":%lld", l->up);
	else
		(void)printf(",\"uptime\":null");
	(void)printf(",\"command\":");
	roost_json_str(r->command, strlen(r->command));
	(void)putchar('}');
}

static void
ls_print(const struct record *r, size_t n, int json)
{
	struct nl_link	*links = NULL;
	struct ls_live	 l;
	struct nl	*h;
	size_t		 i, nlinks = 0;
	int		 w = 4;

	for (i = 0; i < n; i++)
		if ((int)strlen(r[i].name) > w)
			w = strlen(r[i].name);
	if ((h = nl_open()) != NULL && nl_link_dump(h, &links, &nlinks) == -1) {
		nl_close(h);
		h = NULL;
	}
	if (json)
		(void)printf("{\"containers\":[");
	else
		(void)printf("%-*s  %-7s  %-7s  %-7s  %-7s  %s\n", w, "NAME",
		    "PID", "STATE", "NETWORK", "UPTIME", "COMMAND");
	for (i = 0; i < n; i++) {
		ls_live(&l, &r[i], h, links, nlinks);
		if (json)
			ls_json_row(&r[i], &l, i == 0);
		else
			ls_row(&r[i], &l, w);
	}
	if (json)
		(void)printf("],\"stored\":[");
	free(links);
	nl_close(h);
}

int
cmd_ls(int argc, char **argv)
{
	struct record	*r = NULL;
	size_t		 n = 0;
	int		 dirfd, i, json = 0;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-h") == 0 ||
		    strcmp(argv[i], "--help") == 0) {
			(void)fputs(ls_usage, stdout);
			return 0;
		}
		if (strcmp(argv[i], "--json") == 0)
			json = 1;
		else if (argv[i][0] == '-' && argv[i][1] != '\0')
			roost_usage("unknown option '%s'", argv[i]);
		else
			roost_usage("unexpected argument '%s'", argv[i]);
	}
	if ((dirfd = state_open(0)) != -1 &&
	    state_list(dirfd, &r, &n) == -1)
		roost_err("cannot read the state directory");
	ls_print(r, n, json);
	store_ls(json);
	if (json)
		(void)printf("]}\n");
	free(r);
	return 0;
}
