/*
 * ptyrun STEPS -- CMD [ARG...]: run CMD on a new pty (as a terminal
 * user would: a session of its own, the pty its controlling terminal, 80
 * columns by 24 rows), driven by STEPS, one per argument of the first
 * part:
 *
 *	send:TEXT	type TEXT (\n, \r, \t, \e and \xHH understood)
 *	expect:TEXT	wait up to 10 s for TEXT in what CMD wrote since the
 *			last expect; fail (exit 3) if it does not come
 *	resize:COLSxROWS  set the pty's size (CMD's process group gets
 *			SIGWINCH, as from a terminal emulator)
 *	sleep:MS	read what comes for MS milliseconds
 *
 * Then it reads CMD's output until CMD exits, and prints everything CMD
 * wrote, then "exit N" (or "signal N"), then "termios: same" if CMD left
 * the terminal's modes as it found them, else "termios: changed".
 * A test tool for tests/520-tty.bats.
 */
#define _GNU_SOURCE
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <errno.h>
#include <poll.h>
#include <pty.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

static char	 out[1 << 20];
static size_t	 outlen, mark;

/* Append what is there within MS milliseconds; 0 at end of file. */
static int
slurp(int m, int ms)
{
	struct pollfd	 p = { m, POLLIN, 0 };
	ssize_t		 n;

	if (poll(&p, 1, ms) != 1)
		return 1;
	n = read(m, out + outlen, sizeof(out) - 1 - outlen);
	if (n <= 0)
		return 0;
	outlen += (size_t)n;
	out[outlen] = '\0';
	return 1;
}

static size_t
unescape(const char *s, char *buf)
{
	size_t	 n = 0;
	unsigned int	 x;

	for (; *s != '\0'; s++) {
		if (*s != '\\' || s[1] == '\0') {
			buf[n++] = *s;
			continue;
		}
		switch (*++s) {
		case 'n': buf[n++] = '\n'; break;
		case 'r': buf[n++] = '\r'; break;
		case 't': buf[n++] = '\t'; break;
		case 'e': buf[n++] = 033; break;
		case 'x':
			if (sscanf(s + 1, "%2x", &x) == 1) {
				buf[n++] = (char)x;
				s += 2;
			}
			break;
		default: buf[n++] = *s;
		}
	}
	return n;
}

static int
expect(int m, const char *text)
{
	int	 i;

	for (i = 0; i < 1000; i++) {
		if (strstr(out + mark, text) != NULL) {
			mark = (size_t)(strstr(out + mark, text) - out) +
			    strlen(text);
			return 0;
		}
		if (!slurp(m, 10))
			break;
	}
	return strstr(out + mark, text) != NULL ? 0 : -1;
}

int
main(int argc, char *argv[])
{
	struct winsize	 ws = { .ws_row = 24, .ws_col = 80 };
	struct termios	 before, after;
	char		 buf[4096];
	unsigned int	 c, r;
	pid_t		 pid;
	int		 m, i, cmd, st;

	for (cmd = 1; cmd < argc && strcmp(argv[cmd], "--") != 0; cmd++)
		continue;
	if (cmd + 1 >= argc) {
		fprintf(stderr, "usage: ptyrun STEP... -- CMD [ARG...]\n");
		return 2;
	}
	if ((pid = forkpty(&m, NULL, NULL, &ws)) == -1) {
		perror("forkpty");
		return 2;
	}
	if (pid == 0) {
		execvp(argv[cmd + 1], argv + cmd + 1);
		perror(argv[cmd + 1]);
		_exit(127);
	}
	if (tcgetattr(m, &before) == -1) {
		perror("tcgetattr");
		return 2;
	}
	for (i = 1; i < cmd; i++) {
		if (strncmp(argv[i], "send:", 5) == 0) {
			size_t n = unescape(argv[i] + 5, buf);
			if (write(m, buf, n) != (ssize_t)n)
				return 2;
		} else if (strncmp(argv[i], "expect:", 7) == 0) {
			if (expect(m, argv[i] + 7) == -1) {
				printf("%s\nptyrun: no '%s'\n", out,
				    argv[i] + 7);
				kill(pid, SIGKILL);
				return 3;
			}
		} else if (sscanf(argv[i], "sleep:%u", &c) == 1) {
			for (r = 0; r < c / 10; r++)
				if (!slurp(m, 10))
					break;
		} else if (sscanf(argv[i], "resize:%ux%u", &c, &r) == 2) {
			ws.ws_col = (unsigned short)c;
			ws.ws_row = (unsigned short)r;
			if (ioctl(m, TIOCSWINSZ, &ws) == -1)
				return 2;
		} else {
			fprintf(stderr, "ptyrun: bad step '%s'\n", argv[i]);
			return 2;
		}
	}
	/* Until the pty hangs up, or 20 s: then CMD is stuck. */
	for (i = 0; i < 2000 && slurp(m, 10); i++)
		continue;
	if (tcgetattr(m, &after) == -1)
		memset(&after, 0, sizeof(after));
	if (i == 2000 && waitpid(pid, &st, WNOHANG) == 0) {
		printf("%s\nptyrun: still running after 20 s\n", out);
		kill(pid, SIGKILL);
		return 3;
	}
	while (waitpid(pid, &st, 0) == -1 && errno == EINTR)
		continue;
	fputs(out, stdout);
	if (outlen > 0 && out[outlen - 1] != '\n')
		putchar('\n');
	if (WIFEXITED(st))
		printf("exit %d\n", WEXITSTATUS(st));
	else
		printf("signal %d\n", WTERMSIG(st));
	printf("termios: %s\n", before.c_lflag == after.c_lflag &&
	    before.c_iflag == after.c_iflag &&
	    before.c_oflag == after.c_oflag ? "same" : "changed");
	return 0;
}
