/* Privilege: the caller's ids, and only the capabilities one operation
 * needs, permitted; each effective only around the syscall that needs it. */
#include <sys/prctl.h>
#include <sys/resource.h>

#include <grp.h>
#include <signal.h>

#include <cap-ng.h>

#include "helper.h"

static const int	*priv_caps;
static size_t		 priv_ncaps;

/* Permitted = the kept caps, effective = those of them in EFF. */
static int
priv_set(uint64_t eff)
{
	size_t	 i;

	capng_clear(CAPNG_SELECT_CAPS);
	for (i = 0; i < priv_ncaps; i++)
		if (capng_update(CAPNG_ADD, (eff & CAPBIT(priv_caps[i])) != 0 ?
		    CAPNG_PERMITTED | CAPNG_EFFECTIVE : CAPNG_PERMITTED,
		    (unsigned int)priv_caps[i]) != 0)
			return -1;
	return capng_apply(CAPNG_SELECT_CAPS) == 0 ? 0 : -1;
}

/*
 * All three uids and gids, with no supplementary groups, so the kernel
 * checks every access as the caller's; map_write() also wants the
 * namespace owner's euid (shadow 1ecca843).  KEEPCAPS carries the
 * permitted set across setresuid().  Bounding set: SECURITY.md, inv. 2.
 */
void
priv_drop(const struct caller *c, const int *caps, size_t ncaps)
{
	uid_t	 r, e, s;
	gid_t	 rg, eg, sg;

	priv_caps = caps;
	priv_ncaps = ncaps;
	if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) == -1 ||
	    setresgid(c->gid, c->gid, c->gid) == -1 ||
	    setgroups(0, NULL) == -1 ||
	    setresuid(c->uid, c->uid, c->uid) == -1 ||
	    prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) == -1)
		die("privileges", "cannot become uid %u: %s",
		    (unsigned)c->uid, strerror(errno));
	if (getresuid(&r, &e, &s) == -1 || getresgid(&rg, &eg, &sg) == -1 ||
	    r != c->uid || e != c->uid || s != c->uid ||
	    rg != c->gid || eg != c->gid || sg != c->gid)
		die("privileges", "ids did not change");
	priv_raise(0);
	/* A credential change may reset dumpable from fs.suid_dumpable. */
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) == -1 ||
	    prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1)
		die("privileges", "%s", strerror(errno));
}

void
priv_raise(uint64_t caps)
{
	if (priv_set(caps) == -1)
		die("privileges", "cannot set capabilities");
}

/* The network operations stay uid 0 with CAPS and block signals, so the
 * caller can neither signal, stop nor trace them (SECURITY.md, inv. 2). */
void
priv_keep_root(const int *caps, size_t ncaps)
{
	struct rlimit	 cpu;
	sigset_t	 all;

	if (getrlimit(RLIMIT_CPU, &cpu) == -1 ||
	    cpu.rlim_cur != RLIM_INFINITY || cpu.rlim_max != RLIM_INFINITY)
		die("privileges", "RLIMIT_CPU could not be lifted");
	priv_caps = caps;
	priv_ncaps = ncaps;
	if (sigfillset(&all) == -1 || sigprocmask(SIG_BLOCK, &all, NULL) == -1 ||
	    setgroups(0, NULL) == -1 || setresgid(0, 0, 0) == -1 ||
	    setresuid(0, 0, 0) == -1 || priv_set(CAPBIT(CAP_NET_ADMIN) |
	    CAPBIT(CAP_SETUID) | CAPBIT(CAP_SETGID)) == -1 ||
	    prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) == -1 ||
	    prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1)
		die("privileges", "%s", strerror(errno));
}
