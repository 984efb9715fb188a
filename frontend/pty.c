/*
 * pty.c: a terminal of the container's own for an interactive command.
 *
 * The caller's terminal is never the controlling terminal of a
 * container's process: with it, TIOCSTI could type into the caller's shell
 * (SECURITY.md, bubblewrap CVE-2017-5226).  Without one, though, a shell
 * has no job control and `tty` says "not a tty".  So, as lxc-attach and
 * podman -t do, the command gets a pty of the container's own devpts: a
 * session of its own with the pty's slave as its controlling terminal and
 * its stdio.  roost, outside, holds the master: it puts the caller's
 * terminal in raw mode, relays both ways until the command is gone,
 * passes window size changes on, and puts the terminal back as it found
 * it.  What the container can do to the pty is done to its own pty; what
 * reaches the caller's terminal is output, as from any program.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "roost.h"

/* The caller's terminal as we found it, while it is raw; else -1. */
static struct termios	 pty_saved;
static int		 pty_saved_fd = -1;

/*
 * Whether to give the command a pty: -t says yes, -T no; by default when
 * stdin and stdout are both terminals, so that a pipe or a file keeps
 * today's bytes exactly.
 */
int
pty_wanted(int opt)
{
	if (opt != 0)
		return opt > 0;
	/* Not in the background (roost run ... &): there the terminal is
	 * not ours to make raw, and the kernel would stop us for trying. */
	return isatty(STDIN_FILENO) && isatty(STDOUT_FILENO) &&
	    tcgetpgrp(STDIN_FILENO) == getpgrp();
}

/*
 * In the container, its root our root: a pty from its /dev/ptmx.  Returns
 * the master and sets *SLAVE (above stdio, close-on-exec), which takes the
 * caller's terminal settings and size when stdin is a terminal.  The
 * slave is reached through the master (TIOCGPTPEER), never by a path the
 * container could swap; /dev/ptmx is opened non-blocking and must answer
 * as a pty master, so a FIFO or a file put there cannot stall or fool us.
 */
int
pty_open(int *slave)
{
	struct termios	 tio;
	struct winsize	 ws;
	unsigned int	 n;
	int		 m, s, unlock = 0;

	m = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
	if (m == -1)
		roost_err("/dev/ptmx");
	if (ioctl(m, TIOCGPTN, &n) == -1)
		roost_errx("/dev/ptmx: not a pty master");
	if (ioctl(m, TIOCSPTLCK, &unlock) == -1 ||
	    (s = ioctl(m, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC)) == -1)
		roost_err("cannot open the pty");
	if (s <= STDERR_FILENO) {
		int	 d = fcntl(s, F_DUPFD_CLOEXEC, STDERR_FILENO + 1);

		if (d == -1)
			roost_err("cannot open the pty");
		(void)close(s);
		s = d;
	}
	if (fcntl(m, F_SETFL, 0) == -1)
		roost_err("cannot open the pty");
	if (tcgetattr(STDIN_FILENO, &tio) == 0)
		(void)tcsetattr(s, TCSANOW, &tio);
	if (ioctl(STDIN_FILENO, TIOCGWINSZ, &ws) == 0)
		(void)ioctl(s, TIOCSWINSZ, &ws);
	*slave = s;
	return m;
}

/*
 * In the command's process, before it execs: a new session, SLAVE its
 * controlling terminal and its stdin, stdout and stderr.
 */
void
pty_attach(int slave)
{
	int	 fd;

	if (setsid() == -1 || ioctl(slave, TIOCSCTTY, 0) == -1)
		roost_err("cannot take the pty as the controlling terminal");
	for (fd = STDIN_FILENO; fd <= STDERR_FILENO; fd++)
		if (dup2(slave, fd) == -1)
			roost_err("cannot take the pty as stdio");
	(void)close(slave);
}

/* The caller's terminal as it was: on every way out of the relay. */
void
pty_restore(void)
{
	if (pty_saved_fd == -1)
		return;
	(void)tcsetattr(pty_saved_fd, TCSAFLUSH, &pty_saved);
	pty_saved_fd = -1;
}

/*
 * Raw: every key goes to the container's pty as it is typed, ^C and ^Z
 * included, whose line discipline then signals the container's foreground
 * job, not roost.  Output processing stays as it was: the pty's own turns
 * the container's newlines into what the terminal wants.
 */
static void
pty_raw(void)
{
	struct termios	 raw;

	if (!isatty(STDIN_FILENO) || tcgetattr(STDIN_FILENO, &pty_saved) == -1)
		return;
	raw = pty_saved;
	cfmakeraw(&raw);
	raw.c_oflag = pty_saved.c_oflag;
	if (tcsetattr(STDIN_FILENO, TCSAFLUSH, &raw) == 0)
		pty_saved_fd = STDIN_FILENO;
}

static void
pty_resize(int master)
{
	struct winsize	 ws;

	if (ioctl(STDIN_FILENO, TIOCGWINSZ, &ws) == 0)
		(void)ioctl(master, TIOCSWINSZ, &ws);
}

/* One read from FROM, written whole to TO; 0 at end of file or error. */
static int
pty_copy(int from, int to)
{
	char	 buf[8192];
	ssize_t	 n;

	while ((n = read(from, buf, sizeof(buf))) == -1 && errno == EINTR)
		continue;
	if (n <= 0)
		return 0;
	return roost_write_all(to, buf, (size_t)n) == 0;
}

/*
 * What the container wrote before its end is still in the pty, or on its
 * way there (the kernel moves it to the master's side a little later):
 * read until the pty hangs up (every slave closed) or is quiet a while,
 * and for a second at most: without a pid namespace, a process the
 * command left behind may hold the pty and write on.
 */
static void
pty_drain(int master)
{
	struct pollfd	 p = { master, POLLIN, 0 };
	struct timespec	 t0, t;

	if (clock_gettime(CLOCK_MONOTONIC, &t0) == -1)
		return;
	while (poll(&p, 1, 200) == 1 && (p.revents & POLLIN) &&
	    pty_copy(master, STDOUT_FILENO) &&
	    clock_gettime(CLOCK_MONOTONIC, &t) == 0 &&
	    (t.tv_sec - t0.tv_sec) * 1000 +
	    (t.tv_nsec - t0.tv_nsec) / 1000000 < 1000)
		continue;
}

/*
 * As ns_wait(), while relaying: SOCK brings the pty's master from the
 * container once it is built (end of file if it failed first).  Returns
 * PID's status as a shell would.
 */
int
pty_wait(pid_t pid, int statusfd, int sock)
{
	enum { SIG, STATUS, SOCK, IN, MASTER, NFDS };
	struct pollfd		 p[NFDS];
	struct signalfd_siginfo	 si;
	sigset_t		 set;
	unsigned char		 b;
	int			 master = -1, status = -1, i;

	ns_wait_set(&set);
	(void)sigaddset(&set, SIGWINCH);
	if (sigprocmask(SIG_BLOCK, &set, NULL) == -1 ||
	    (p[SIG].fd = signalfd(-1, &set, SFD_CLOEXEC)) == -1)
		roost_err("signalfd");
	p[STATUS].fd = statusfd;
	p[SOCK].fd = sock;
	p[IN].fd = p[MASTER].fd = -1;
	for (i = 0; i < NFDS; i++)
		p[i].events = POLLIN;
	while (status == -1) {
		if (poll(p, NFDS, -1) == -1)
			continue;
		if (p[STATUS].revents != 0) {
			if (read(statusfd, &b, 1) == 1)
				status = b;
			p[STATUS].fd = -1;  /* else it died: wait for SIGCHLD */
		}
		if ((p[SIG].revents & POLLIN) &&
		    read(p[SIG].fd, &si, sizeof(si)) == sizeof(si)) {
			if (si.ssi_signo == SIGWINCH)
				pty_resize(master);
			else
				ns_on_signal(&si, pid, &status);
		}
		if (p[SOCK].revents != 0) {
			if (roost_recv_fd(sock, 0, &master) == 1 &&
			    master != -1) {
				p[MASTER].fd = master;
				p[IN].fd = STDIN_FILENO;
				pty_raw();
			}
			p[SOCK].fd = -1;
		}
		/* End of input (a pipe, with -t): end of file for the
		 * command too, as a terminal's ^D says it. */
		if (p[IN].revents != 0 && !pty_copy(STDIN_FILENO, master)) {
			(void)roost_write_all(master, "\004", 1);
			p[IN].fd = -1;
		}
		if (p[MASTER].revents != 0 &&
		    !pty_copy(master, STDOUT_FILENO))
			p[MASTER].fd = -1;
	}
	if (master != -1) {
		pty_drain(master);
		(void)close(master);
	}
	pty_restore();
	(void)close(p[SIG].fd);
	return status;
}
