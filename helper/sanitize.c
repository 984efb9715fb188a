/* Before anything is read: nothing of the caller's making is left but
 * the parsed argv and the fds an operation names. */
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include "helper.h"

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

void
sanitize(const int *keep, size_t nkeep)
{
	static const struct rlimit	 nocore = { 0, 0 };
	static const struct rlimit	 nolimit = { RLIM_INFINITY, RLIM_INFINITY };
	unsigned int			 lo = 3, hi;
	size_t				 i;
	int				 fd;

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
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) == -1 ||
	    setrlimit(RLIMIT_CORE, &nocore) == -1)
		_exit(1);
	/* Else the caller could have the kernel SIGKILL the helper where it
	 * chose; priv_keep_root() checks it where that matters. */
	(void)setrlimit(RLIMIT_CPU, &nolimit);
}
