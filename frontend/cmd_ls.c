/*
 * cmd_ls.c: roost ls, the caller's named containers that are running.
 */
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

static void
ls_print(const struct record *r, size_t n)
{
	char	 up[32];
	size_t	 i;
	int	 w = 4;

	for (i = 0; i < n; i++)
		if ((int)strlen(r[i].name) > w)
			w = strlen(r[i].name);
	(void)printf("%-*s  %-7s  %-7s  %s\n", w, "NAME", "PID", "UPTIME",
	    "COMMAND");
	for (i = 0; i < n; i++) {
		ls_uptime(up, sizeof(up), r[i].start);
		(void)printf("%-*s  %-7d  %-7s  %s\n", w, r[i].name,
		    (int)r[i].pid, up, r[i].command);
	}
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
	free(r);
	return 0;
}
