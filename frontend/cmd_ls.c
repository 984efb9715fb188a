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
"usage: roost ls\n"
"  -h, --help           show this help\n";

/* Since the container's first process started: 42s, 3m05s, 2h10m, 4d07h. */
static void
ls_uptime(char *buf, size_t len, unsigned long long start)
{
	struct timespec	 now;
	long long	 up;
	long		 hz = sysconf(_SC_CLK_TCK);

	if (clock_gettime(CLOCK_BOOTTIME, &now) == -1 || hz <= 0) {
		(void)snprintf(buf, len, "?");
		return;
	}
	up = (long long)now.tv_sec - (long long)(start / hz);
	if (up < 0)
		up = 0;
	if (up < 60)
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

/* Field 3 of the leader's stat: stopped (T, t), or running. */
static const char *
ls_state(int procfd)
{
	char	 buf[512], *p;
	ssize_t	 n;
	int	 fd;

	if ((fd = openat(procfd, "stat", O_RDONLY | O_CLOEXEC)) == -1)
		return "?";
	n = roost_read_all(fd, buf, sizeof(buf) - 1);
	(void)close(fd);
	buf[n < 0 ? 0 : n] = '\0';
	if ((p = strrchr(buf, ')')) == NULL || p[1] != ' ')
		return "?";
	return p[2] == 'T' || p[2] == 't' ? "stopped" : "running";
}

/* "host", "none", the number of its veths, or "?" (not ours to see). */
static void
ls_net(char *buf, size_t len, struct target *t, struct nl *h,
    const struct nl_link *links, size_t nlinks)
{
	size_t	 k, veths = 0;
	int	 fd, self, nsid = -1, host;

	(void)snprintf(buf, len, "?");
	if (target_proc(t) == -1 ||
	    (fd = openat(t->procfd, "ns/net", O_RDONLY | O_CLOEXEC)) == -1)
		return;
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
		(void)snprintf(buf, len, "host");
	else if (nsid == -2 || h == NULL)
		return;
	else if (veths == 0)
		(void)snprintf(buf, len, "none");
	else
		(void)snprintf(buf, len, "%zu", veths);
}

static void
ls_row(const struct record *r, int w, struct nl *h,
    const struct nl_link *links, size_t nlinks)
{
	struct target	 t;
	char		 up[32], net[32];
	const char	*state = "?";

	(void)snprintf(net, sizeof(net), "?");
	if (target_open(&t, r) == 0) {
		state = ls_state(t.leaderfd);
		ls_net(net, sizeof(net), &t, h, links, nlinks);
		target_close(&t);
	}
	ls_uptime(up, sizeof(up), r->start);
	(void)printf("%-*s  %-7d  %-7s  %-7s  %-7s  %s\n", w, r->name,
	    (int)r->pid, state, net, up, r->command);
}

static void
ls_print(const struct record *r, size_t n)
{
	struct nl_link	*links = NULL;
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
	(void)printf("%-*s  %-7s  %-7s  %-7s  %-7s  %s\n", w, "NAME", "PID",
	    "STATE", "NETWORK", "UPTIME", "COMMAND");
	for (i = 0; i < n; i++)
		ls_row(&r[i], w, h, links, nlinks);
	free(links);
	nl_close(h);
}

int
cmd_ls(int argc, char **argv)
{
	struct record	*r = NULL;
	size_t		 n = 0;
	int		 dirfd;

	if (argc > 1 && (strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "--help") == 0)) {
		(void)fputs(ls_usage, stdout);
		return 0;
	}
	if (argc > 1)
		roost_usage("unexpected argument '%s'", argv[1]);
	if ((dirfd = state_open(0)) != -1 &&
	    state_list(dirfd, &r, &n) == -1)
		roost_err("cannot read the state directory");
	ls_print(r, n);
	store_ls();
	free(r);
	return 0;
}
