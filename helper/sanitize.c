/*
 * The first thing roost-helper does, before it reads anything: leave
 * nothing of the caller's making in the process but the argv already
 * parsed and the inherited fds an operation names.
 */
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include "helper.h"

/*
 * FD, if it is closed, becomes /dev/null.  fds 0-2 must be open: a closed
 * one would be taken by the next open(), and an error message meant for
 * stderr would land in a map or policy file.  A named fd likewise, so that
 * no fd the helper opens later (a policy directory, the syslog socket) can
 * take its number and be mistaken for the caller's target.  Nothing can
 * be printed yet, so failing here is a silent exit.
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

/* Close every fd above 2 except KEEP (the fd:N an operation names). */
static void
sanitize_fds(const int *keep, size_t nkeep)
{
	unsigned int	 lo = 3, hi;
	size_t		 i;

	do {	/* from LO to the next kept fd (HI), or to the end */
		hi = ~0U;
		for (i = 0; i < nkeep; i++)
			if (keep[i] >= (int)lo && (unsigned int)keep[i] < hi)
				hi = (unsigned int)keep[i];
		if (hi > lo &&
		    close_range(lo, hi == ~0U ? hi : hi - 1, 0) == -1)
			_exit(1);
		lo = hi + 1;
	} while (hi != ~0U);
}

void
sanitize(const int *keep, size_t nkeep)
{
	static const struct rlimit	 nocore = { 0, 0 };
	static const struct rlimit	 nolimit = { RLIM_INFINITY, RLIM_INFINITY };
	size_t				 i;
	int				 fd;

	for (fd = 0; fd <= 2; fd++)
		sanitize_devnull(fd, O_RDWR);
	sanitize_fds(keep, nkeep);
	for (i = 0; i < nkeep; i++)
		sanitize_devnull(keep[i], O_RDONLY);
	/*
	 * The kernel already scrubs LD_* for a setuid exec (AT_SECURE); the
	 * rest of the caller's environment (TZ, LANG, MALLOC_*, TMPDIR...)
	 * must not reach libc either.  roost-helper execs nothing and never
	 * calls setlocale(), so it needs no variable at all.
	 */
	if (clearenv() != 0)
		_exit(1);
	umask(077);
	/*
	 * Never dumpable: a dumpable privileged process can be ptraced by the
	 * caller (bubblewrap CVE-2016-8659, CVE-2026-41163).  priv_drop()
	 * sets it again after every credential change.
	 */
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) == -1 ||
	    setrlimit(RLIMIT_CORE, &nocore) == -1)
		_exit(1);
	/*
	 * CPU time carries across exec: a caller who spent all but a tick of
	 * its RLIMIT_CPU could have the kernel SIGKILL the helper at a point
	 * of its choosing.  Root may lift the limit, given CAP_SYS_RESOURCE
	 * in its bounding set; the operations that must not be killed
	 * half-way check that it did (priv_keep_root).
	 */
	(void)setrlimit(RLIMIT_CPU, &nolimit);
}
