/*
 * init.c: starting the container's command, and the tiny pid 1 that runs
 * it when the container has a pid namespace of its own.
 *
 * Pid 1 matters: the kernel sends it no signal it has not asked for, and
 * every orphan of the namespace becomes its child.  A command that is not
 * written to be init (a shell, a build) would ignore SIGTERM and leave
 * zombies, so pid 1 is ours: it reaps everything, passes signals on to the
 * command, and leaves with the command's status.
 */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "roost.h"

static const int init_forwarded[] = {
	SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH, SIGCONT
};

/*
 * Become UID:GID if asked, and exec the command.  If exec fails, say so
 * as a shell would and leave with 127, or 126 if the file was found but
 * may not be run.
 */
void
launch_exec(const struct launch *l)
{
	int	 e;

	if (l->pty > STDERR_FILENO)
		pty_attach(l->pty);
	if (l->setids) {
		if (setresgid(l->gid, l->gid, l->gid) == -1)
			roost_err("cannot become gid %u", (unsigned int)l->gid);
		if (setresuid(l->uid, l->uid, l->uid) == -1)
			roost_err("cannot become uid %u", (unsigned int)l->uid);
		(void)prctl(PR_SET_PDEATHSIG, SIGKILL);
	}
	ns_restore_signals();
	if (l->env != NULL)
		environ = l->env;	/* execvp searches this PATH */
	(void)execvp(l->argv[0], l->argv);
	e = errno;
	roost_warnx("%s: %s", l->argv[0], strerror(e));
	if (roost_fail_fd != -1)
		(void)roost_write_all(roost_fail_fd, "!", 1);
	_exit(e == EACCES ? 126 : 127);
}

static void
init_signals(sigset_t *set)
{
	size_t	 i;

	(void)sigemptyset(set);
	(void)sigaddset(set, SIGCHLD);
	for (i = 0; i < sizeof(init_forwarded) / sizeof(init_forwarded[0]);
	    i++)
		(void)sigaddset(set, init_forwarded[i]);
	if (sigprocmask(SIG_BLOCK, set, NULL) == -1)
		roost_err("sigprocmask");
}

/*
 * The command is gone: end the rest of the namespace (as our exit would),
 * reap it, and tell the parent the status before the kernel tears down
 * the namespaces, so that it can return at once.
 */
static void
init_exit(int statusfd, int status)
{
	unsigned char	 b = status;

	/* In the host's pid namespace, -1 would be all the caller's. */
	if (getpid() == 1)
		(void)kill(-1, SIGKILL);
	while (waitpid(-1, NULL, 0) != -1 || errno == EINTR)
		continue;
	if (statusfd != -1)
		(void)roost_write_all(statusfd, (char *)&b, 1);
	_exit(status);
}

/* Reap every child; returns the command's status once it is gone. */
static int
init_reap(pid_t cmd, int *status)
{
	pid_t	 p;
	int	 st;

	while ((p = waitpid(-1, &st, WNOHANG)) > 0)
		if (p == cmd) {
			*status = roost_status(st);
			return 1;
		}
	return 0;
}

void
init_run(const struct launch *l, int statusfd)
{
	sigset_t	 set;
	siginfo_t	 si;
	pid_t		 cmd;
	int		 sig, status;

	init_signals(&set);
	/*
	 * We are a copy of the caller's roost, environment and all, in a
	 * memory map owned by the host's user namespace: not for the
	 * container to read or trace.
	 */
	(void)prctl(PR_SET_DUMPABLE, 0);
	/*
	 * vfork: we have nothing to do until the command runs, and it then
	 * starts without a copy of our memory.  launch_exec() only changes
	 * ids, the signal mask and environ, then execs or _exits.
	 */
	if ((cmd = vfork()) == -1)
		roost_err("vfork");
	if (cmd == 0)
		launch_exec(l);
	/* Only the command reports a failed exec, and holds the tty. */
	if (l->pty > STDERR_FILENO)
		(void)close(l->pty);
	if (roost_fail_fd != -1)
		(void)close(roost_fail_fd);
	if (roost_err_fd != STDERR_FILENO)
		(void)close(roost_err_fd);
	roost_fail_fd = -1;
	roost_err_fd = STDERR_FILENO;
	for (;;) {
		if ((sig = sigwaitinfo(&set, &si)) == -1)
			continue;
		if (sig == SIGCHLD) {
			if (init_reap(cmd, &status))
				init_exit(statusfd, status);
		} else if (ns_forward_ok(si.si_code, cmd))
			(void)kill(cmd, sig);
	}
}
