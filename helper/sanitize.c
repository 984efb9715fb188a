/* Before anything is read: nothing of the caller's making is left but
 * the parsed argv and the fds an operation names. */
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include "helper.h"

/*
 * The helper's own value of each resource limit: infinite where a limit
 * could only cut the helper short; a fixed number where one is needed;
 * and 0 for what the helper never does (it never forks, execs, locks
 * memory, queues signals or messages, or changes its priority), a value
 * that can always be set.  Every default hard limit of Linux's allows
 * these, so only a limit the caller lowered needs CAP_SYS_RESOURCE.
 * NOFILE is a floor: a larger soft limit of the caller's stays, for
 * the fds it allows are no harm (and valgrind refuses to lower its own).
 */
static const struct {
	const char	*name;
	rlim_t		 value;
} sanitize_limit[RLIM_NLIMITS] = {
	[RLIMIT_CPU] =		{ "RLIMIT_CPU",		RLIM_INFINITY },
	[RLIMIT_FSIZE] =	{ "RLIMIT_FSIZE",	RLIM_INFINITY },
	[RLIMIT_DATA] =		{ "RLIMIT_DATA",	RLIM_INFINITY },
	[RLIMIT_STACK] =	{ "RLIMIT_STACK",	8 * 1024 * 1024 },
	[RLIMIT_CORE] =		{ "RLIMIT_CORE",	0 },	/* no dumps */
	[RLIMIT_RSS] =		{ "RLIMIT_RSS",		RLIM_INFINITY },
	[RLIMIT_NPROC] =	{ "RLIMIT_NPROC",	0 },
	[RLIMIT_NOFILE] =	{ "RLIMIT_NOFILE",	1024 },
	[RLIMIT_MEMLOCK] =	{ "RLIMIT_MEMLOCK",	0 },
	[RLIMIT_AS] =		{ "RLIMIT_AS",		RLIM_INFINITY },
	[RLIMIT_LOCKS] =	{ "RLIMIT_LOCKS",	RLIM_INFINITY },
	[RLIMIT_SIGPENDING] =	{ "RLIMIT_SIGPENDING",	0 },
	[RLIMIT_MSGQUEUE] =	{ "RLIMIT_MSGQUEUE",	0 },
	[RLIMIT_NICE] =		{ "RLIMIT_NICE",	0 },
	[RLIMIT_RTPRIO] =	{ "RLIMIT_RTPRIO",	0 },
	[RLIMIT_RTTIME] =	{ "RLIMIT_RTTIME",	RLIM_INFINITY },
};

/*
 * No limit of the caller's stays: each could end the helper between an
 * act and its log line, or before a refusal's (issue 15: with
 * RLIMIT_STACK at 24 KiB map died in syslog(3) after writing the maps;
 * with RLIMIT_FSIZE 0 and stderr a file, SIGXFSZ ended a refusal before
 * its log line).  Returns the name of the first limit that could not be
 * set (a hard limit the caller lowered, and no CAP_SYS_RESOURCE in the
 * bounding set), which main() refuses before anything; or NULL.  The
 * others are set all the same, to log that refusal.  RLIMIT_CPU is
 * the exception: map, one write a file, is whole or not there if killed,
 * and priv_keep_root() refuses the network operations if it stayed.
 */
static const char *
sanitize_limits(void)
{
	const char	*failed = NULL;
	struct rlimit	 rl;
	int		 r;

	for (r = 0; r < RLIM_NLIMITS; r++) {
		if (sanitize_limit[r].name == NULL) {	/* newer headers */
			if (failed == NULL)
				failed = "a resource limit unknown to roost";
			continue;
		}
		if (r == RLIMIT_NOFILE && getrlimit(r, &rl) == 0 &&
		    rl.rlim_cur >= sanitize_limit[r].value)
			continue;
		rl.rlim_cur = rl.rlim_max = sanitize_limit[r].value;
		if (setrlimit(r, &rl) == -1 && r != RLIMIT_CPU &&
		    failed == NULL)
			failed = sanitize_limit[r].name;
	}
	return failed;
}

/*
 * A closed FD becomes /dev/null: else a message meant for stderr could
 * land in a map file, or the syslog socket pass for a named target fd.
 * Nothing can be printed yet: failing is a silent exit.
 */
static void
sanitize_devnull(int fd, int flags)
{
	int	 nfd;

	if (fcntl(fd, F_GETFD) != -1 || errno != EBADF)
		return;
	if ((nfd = open("/dev/null", flags)) == -1 ||
	    (nfd != fd && (dup2(nfd, fd) == -1 || close(nfd) == -1)))
		_exit(1);
}

const char *
sanitize(const int *keep, size_t nkeep)
{
	const char	*limit;
	unsigned int	 lo = 3, hi;
	size_t		 i;
	int		 fd;

	limit = sanitize_limits();
	for (fd = 0; fd <= 2; fd++)
		sanitize_devnull(fd, O_RDWR);
	do {	/* close LO up to the next kept fd (HI), or to the end */
		hi = ~0U;
		for (i = 0; i < nkeep; i++)
			if (keep[i] >= (int)lo && (unsigned int)keep[i] < hi)
				hi = (unsigned int)keep[i];
		if (hi > lo &&
		    close_range(lo, hi == ~0U ? hi : hi - 1, 0) == -1)
			_exit(1);
		lo = hi + 1;
	} while (hi != ~0U);
	for (i = 0; i < nkeep; i++)
		sanitize_devnull(keep[i], O_RDONLY);
	/* AT_SECURE scrubs LD_*, not TZ, LANG, MALLOC_*, TMPDIR... */
	if (clearenv() != 0)
		_exit(1);
	umask(077);
	/* A dumpable privileged process can be ptraced by its caller
	 * (bubblewrap CVE-2016-8659, CVE-2026-41163). */
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) == -1)
		_exit(1);
	return limit;
}
