/*
 * cmd_stop.c: roost stop and roost kill, signals to a detached
 * container's first process.
 *
 * Through a pidfd opened after the record was checked, and checked again
 * once open: a signal never reaches a process that reused the pid.  The
 * first process is roost's pid 1 when the container has a pid namespace;
 * it passes TERM, INT, HUP, QUIT, USR1, USR2, WINCH and CONT on to the
 * command (init.c), and the kernel drops any other signal but KILL and
 * STOP sent to it from outside (pid_namespaces(7)).
 */
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/pidfd.h>
#include <unistd.h>

#include "roost.h"

const char stop_usage[] =
"usage: roost stop NAME [--timeout S]\n"
"  --timeout S          seconds between SIGTERM and SIGKILL (default 10)\n"
"  -h, --help           show this help\n";

const char kill_usage[] =
"usage: roost kill NAME [SIG]\n"
"  SIG                  a signal's name (TERM, SIGTERM) or number\n"
"                       (default KILL)\n"
"  -h, --help           show this help\n";

#define STOP_TIMEOUT	10
#define STOP_MAX	86400

/* A pidfd of NAME's first process. */
static int
stop_pidfd(const char *name)
{
	struct target	 t;
	int		 fd;

	target_named(&t, name);
	if ((fd = pidfd_open(t.leader, 0)) == -1 || !target_alive(&t))
		roost_errx("%s: no such container", name);
	target_close(&t);
	return fd;
}

static void
stop_send(int pidfd, const char *name, int sig)
{
	/* ESRCH: it has just gone, which is what was asked. */
	if (pidfd_send_signal(pidfd, sig, NULL, 0) == -1 && errno != ESRCH)
		roost_err("%s: cannot signal", name);
}

/* Wait up to MS (-1: for good) for the process to exit; 1 if it did. */
static int
stop_wait(int pidfd, int ms)
{
	struct pollfd	 p = { pidfd, POLLIN, 0 };
	int		 n;

	while ((n = poll(&p, 1, ms)) == -1 && errno == EINTR)
		continue;
	if (n == -1)
		roost_err("poll");
	return n == 1;
}

static int
stop_help(int argc, char **argv, const char *usage)
{
	int	 i;

	for (i = 1; i < argc && strcmp(argv[i], "--") != 0; i++)
		if (strcmp(argv[i], "-h") == 0 ||
		    strcmp(argv[i], "--help") == 0) {
			(void)fputs(usage, stdout);
			return 1;
		}
	return 0;
}

static int
stop_parse(int argc, char **argv, const char **name)
{
	uint32_t	 s = STOP_TIMEOUT;
	int		 i;

	*name = NULL;
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--timeout") == 0) {
			if (++i == argc)
				roost_usage("option '--timeout' needs an "
				    "argument");
			if (policy_parse_u32(argv[i], STOP_MAX, &s) == -1)
				roost_usage("--timeout: bad number of seconds "
				    "'%s'", argv[i]);
		} else if (argv[i][0] == '-')
			roost_usage("unknown option '%s'", argv[i]);
		else if (*name == NULL)
			*name = argv[i];
		else
			roost_usage("unexpected argument '%s'", argv[i]);
	}
	if (*name == NULL)
		roost_usage("no container given");
	return (int)s;
}

int
cmd_stop(int argc, char **argv)
{
	const char	*name;
	int		 timeout, fd;

	if (stop_help(argc, argv, stop_usage))
		return 0;
	timeout = stop_parse(argc, argv, &name);
	fd = stop_pidfd(name);
	stop_send(fd, name, SIGTERM);
	if (!stop_wait(fd, timeout * 1000)) {
		roost_warnx("%s: still running after %ds: killing it", name,
		    timeout);
		stop_send(fd, name, SIGKILL);
		(void)stop_wait(fd, -1);
	}
	(void)close(fd);
	return 0;
}

/* TERM, SIGTERM, term, 15, or any of them after a '-'. */
static int
kill_signal(const char *s)
{
	const char	*abbrev;
	uint32_t	 n;
	int		 sig;

	if (*s == '-')		/* as kill(1) takes it */
		s++;
	if (policy_parse_u32(s, NSIG - 1, &n) == 0 && n > 0)
		return (int)n;
	if (strncasecmp(s, "SIG", 3) == 0)
		s += 3;
	for (sig = 1; sig < NSIG; sig++)
		if ((abbrev = sigabbrev_np(sig)) != NULL &&
		    strcasecmp(abbrev, s) == 0)
			return sig;
	return -1;
}

int
cmd_kill(int argc, char **argv)
{
	int	 sig = SIGKILL, fd;

	if (stop_help(argc, argv, kill_usage))
		return 0;
	if (argc < 2)
		roost_usage("no container given");
	if (argv[1][0] == '-')
		roost_usage("unknown option '%s'", argv[1]);
	if (argc > 3)
		roost_usage("unexpected argument '%s'", argv[3]);
	if (argc == 3 && (sig = kill_signal(argv[2])) == -1)
		roost_usage("%s: unknown signal", argv[2]);
	fd = stop_pidfd(argv[1]);
	stop_send(fd, argv[1], sig);
	(void)close(fd);
	return 0;
}
