/*
 * attack MODE ...: the small attacker's tools of tests/900-attacks.bats,
 * run as a fixture user (built static, so that it also runs inside a
 * busybox container).  Each prints one line per result, errors by name.
 *
 *   attack ptrace PID         PTRACE_ATTACH to PID (then detach): "ok" or
 *                             the error
 *   attack hold FIFO CMD...   run CMD with its stderr on a pipe that is
 *                             already full, so that CMD blocks in its first
 *                             write to stderr; print "pid N"; then obey
 *                             lines read from FIFO: "ptrace" (attach to
 *                             CMD as its parent would), "kill SIG",
 *                             "release" (drain the pipe, wait, print what
 *                             CMD wrote and "exit N" or "signal N")
 *   attack hold-stdout FIFO CMD...
 *                             the same with CMD's stdout the full pipe
 *   attack tiocsti TEXT       push TEXT into the input of the terminal on
 *                             fd 0 with ioctl(TIOCSTI)
 *   attack inq                the bytes waiting in fd 0's input queue
 *   attack argc0 PATH ENV...  execve PATH with an empty argv (argc 0)
 *   attack cpu soft|hard SECS CMD...
 *                             spend SECS-0.3 s of CPU time, set RLIMIT_CPU
 *                             to SECS (soft, hard unlimited; or both), exec
 *                             CMD
 *   attack epipe default|ignore CMD...
 *                             exec CMD with stdout a pipe whose reader is
 *                             gone, SIGPIPE default or ignored
 */
#define _GNU_SOURCE
#include <sys/ioctl.h>
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

static int
try_ptrace(pid_t pid)
{
	int	 st;

	if (ptrace(PTRACE_ATTACH, pid, NULL, NULL) == -1) {
		printf("ptrace: %s\n", strerror(errno));
		return 1;
	}
	(void)waitpid(pid, &st, __WALL);
	(void)ptrace(PTRACE_DETACH, pid, NULL, NULL);
	printf("ptrace: ok\n");
	return 0;
}

static int
hold(const char *fifo, int fd, char *argv[])
{
	char	 buf[65536], line[64];
	int	 p[2], ctl, st, sig;
	ssize_t	 n;
	size_t	 filled = 0, got = 0;
	pid_t	 pid;
	FILE	*f;

	if (pipe(p) == -1 || fcntl(p[1], F_SETFL, O_NONBLOCK) == -1)
		return 111;
	memset(buf, 'F', sizeof(buf));
	while ((n = write(p[1], buf, sizeof(buf))) > 0 ||
	    (n == -1 && errno == EINTR))
		filled += n > 0 ? (size_t)n : 0;
	while ((n = write(p[1], buf, 1)) > 0)
		filled++;
	if (fcntl(p[1], F_SETFL, 0) == -1)
		return 111;
	if ((pid = fork()) == -1)
		return 111;
	if (pid == 0) {
		close(p[0]);
		if (dup2(p[1], fd) == -1)
			_exit(111);
		close(p[1]);
		execv(argv[0], argv);
		_exit(127);
	}
	close(p[1]);
	printf("pid %d\n", (int)pid);
	fflush(stdout);
	if ((ctl = open(fifo, O_RDWR)) == -1 || (f = fdopen(ctl, "r")) == NULL)
		return 111;
	while (fgets(line, sizeof(line), f) != NULL) {
		if (strcmp(line, "ptrace\n") == 0)
			try_ptrace(pid);
		else if (sscanf(line, "kill %d", &sig) == 1)
			printf("kill %d: %s\n", sig, kill(pid, sig) == 0 ?
			    "ok" : strerror(errno));
		else if (strcmp(line, "release\n") == 0)
			break;
		fflush(stdout);
	}
	/* The filler first, then what CMD wrote after it. */
	while ((n = read(p[0], buf, sizeof(buf))) > 0 ||
	    (n == -1 && errno == EINTR)) {
		size_t	 i = 0;

		if (n <= 0)
			continue;
		if (got < filled) {
			i = filled - got < (size_t)n ? filled - got : (size_t)n;
			got += i;
		}
		fwrite(buf + i, 1, (size_t)n - i, stdout);
	}
	if (waitpid(pid, &st, 0) == -1)
		return 111;
	if (WIFEXITED(st))
		printf("exit %d\n", WEXITSTATUS(st));
	else
		printf("signal %d\n", WTERMSIG(st));
	return 0;
}

static int
tiocsti(const char *s)
{
	for (; *s != '\0'; s++)
		if (ioctl(0, TIOCSTI, s) == -1) {
			printf("tiocsti: %s\n", strerror(errno));
			return 1;
		}
	printf("tiocsti: ok\n");
	return 0;
}

static double
cpu_used(void)
{
	struct rusage	 ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_utime.tv_sec + ru.ru_stime.tv_sec +
	    (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

int
main(int argc, char *argv[])
{
	if (argc >= 3 && strcmp(argv[1], "ptrace") == 0)
		return try_ptrace(atoi(argv[2]));
	if (argc >= 4 && strcmp(argv[1], "hold") == 0)
		return hold(argv[2], 2, argv + 3);
	if (argc >= 4 && strcmp(argv[1], "hold-stdout") == 0)
		return hold(argv[2], 1, argv + 3);
	if (argc == 3 && strcmp(argv[1], "tiocsti") == 0)
		return tiocsti(argv[2]);
	if (argc == 2 && strcmp(argv[1], "inq") == 0) {
		int	 n = -1;

		if (ioctl(0, FIONREAD, &n) == -1)
			printf("inq: %s\n", strerror(errno));
		else
			printf("queued %d\n", n);
		return 0;
	}
	if (argc >= 3 && strcmp(argv[1], "argc0") == 0) {
		char	*none[] = { NULL };

		execve(argv[2], none, argv + 3);
		printf("execve: %s\n", strerror(errno));
		return 1;
	}
	if (argc >= 5 && strcmp(argv[1], "cpu") == 0) {
		struct rlimit	 rl;
		volatile unsigned long	 x = 0;
		double		 secs = atof(argv[3]);

		rl.rlim_cur = rl.rlim_max = (rlim_t)secs;
		if (strcmp(argv[2], "soft") == 0)
			rl.rlim_max = RLIM_INFINITY;
		/* 0.3 s to spare: a loaded machine once overshot 0.1. */
		while (cpu_used() < secs - 0.3)
			x++;
		if (setrlimit(RLIMIT_CPU, &rl) == -1)
			return 111;
		execv(argv[4], argv + 4);
		return 127;
	}
	if (argc >= 4 && strcmp(argv[1], "epipe") == 0) {
		int	 p[2];

		if (pipe(p) == -1 || close(p[0]) == -1 || dup2(p[1], 1) == -1)
			return 111;
		close(p[1]);
		signal(SIGPIPE, strcmp(argv[2], "ignore") == 0 ? SIG_IGN :
		    SIG_DFL);
		execv(argv[3], argv + 3);
		return 127;
	}
	fprintf(stderr, "attack: bad usage\n");
	return 2;
}
