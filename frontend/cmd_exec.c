/*
 * cmd_exec.c: roost exec, one command in many containers at once.
 *
 * Each container gets a child of ours, in a process group of its own,
 * that enters it as roost enter does (enter_run) with its stdout and
 * stderr on two pipes.  One poll(2) loop reads whichever pipe has data,
 * so no child ever blocks on a full pipe: reading one child's stdout to
 * the end before its stderr is the deadlock Consfigurator's author hit.
 * Only whole lines are written out, each with its container's name, so
 * lines of different containers never mix; a partial line waits in its
 * stream's buffer, up to EXEC_LINE_MAX, past which the rest of that line
 * is dropped and counted.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/pidfd.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "roost.h"

const char exec_usage[] =
"usage: roost exec [--all | NAME...] [--jobs N] [--timeout S] [--json]\n"
"                  -- CMD [ARG...]\n"
"  --all                every container of roost ls\n"
"  NAME                 a container, as for roost enter (a name, a pid,\n"
"                       an LXC container's name)\n"
"  --jobs N             at most N containers at once (default 32)\n"
"  --timeout S          kill a container's command after S seconds\n"
"  --json               one JSON object per line of output\n"
"  -h, --help           show this help\n";

#define EXEC_JOBS	32
#define EXEC_MAX_JOBS	1024
#define EXEC_MAX_TIME	86400
#define EXEC_LINE_MAX	65536	/* longer lines are cut, and say so */
#define EXEC_READ	65536

enum { OPT_ALL = 256, OPT_JOBS, OPT_TIMEOUT, OPT_JSON };

static const struct option exec_options[] = {
	{ "all",	no_argument,		NULL,	OPT_ALL },
	{ "jobs",	required_argument,	NULL,	OPT_JOBS },
	{ "timeout",	required_argument,	NULL,	OPT_TIMEOUT },
	{ "json",	no_argument,		NULL,	OPT_JSON },
	{ "help",	no_argument,		NULL,	'h' },
	{ NULL,		0,			NULL,	0 }
};

/* One of a child's two pipes. */
struct stream {
	int		 fd;		/* -1 once closed */
	int		 err;		/* its stderr */
	char		*buf;		/* a partial line */
	size_t		 len;
	size_t		 cut;		/* dropped past EXEC_LINE_MAX */
};

enum job_state { JOB_WAITING, JOB_RUNNING, JOB_DONE };

struct job {
	const char		*name;
	const struct record	*rec;		/* NULL: found by enter */
	enum job_state		 state;
	pid_t			 pid;		/* and its process group */
	int			 pidfd;		/* -1 once reaped */
	struct stream		 s[2];
	struct timespec		 deadline;
	int			 status;
	int			 timedout;
};

struct exec_run {
	struct job	*jobs;
	size_t		 n;
	size_t		 next;		/* the next to start */
	size_t		 running;
	size_t		 done;
	int		 all;
	uint32_t	 maxjobs;
	uint32_t	 timeout;	/* seconds; 0: none */
	int		 json;
	char		**argv;
	struct record	*recs;
	size_t		 nrecs;
	sigset_t	 mask;		/* the children's */
	int		 sigfd;
	int		 nullfd;
};

static void *
exec_grow(void *p, size_t n, size_t size)
{
	if ((p = reallocarray(p, n, size)) == NULL)
		roost_err("cannot allocate");
	return p;
}

static void
exec_number(const char *opt, const char *arg, uint32_t max, uint32_t *out)
{
	if (policy_parse_u32(arg, max, out) == -1 || *out == 0)
		roost_usage("%s: a number from 1 to %u expected, got '%s'",
		    opt, max, arg);
}

static void
exec_option(struct exec_run *x, int c, char **argv)
{
	switch (c) {
	case OPT_ALL:
		x->all = 1;
		break;
	case OPT_JOBS:
		exec_number("--jobs", optarg, EXEC_MAX_JOBS, &x->maxjobs);
		break;
	case OPT_TIMEOUT:
		exec_number("--timeout", optarg, EXEC_MAX_TIME, &x->timeout);
		break;
	case OPT_JSON:
		x->json = 1;
		break;
	case 'h':
		(void)fputs(exec_usage, stdout);
		roost_exit(0);
	default:
		roost_bad_option(c, argv);
	}
}

static void
exec_add(struct exec_run *x, const char *name, const struct record *rec)
{
	struct job	*j;

	x->jobs = exec_grow(x->jobs, x->n + 1, sizeof(*x->jobs));
	j = &x->jobs[x->n++];
	memset(j, 0, sizeof(*j));
	j->name = name;
	j->rec = rec;
	j->pidfd = j->s[0].fd = j->s[1].fd = -1;
	j->s[1].err = 1;
}

/* NAME's record, if it names a roost container and not a pid. */
static const struct record *
exec_record(const struct exec_run *x, const char *name)
{
	size_t	 k;

	if (strspn(name, "0123456789") == strlen(name))
		return NULL;
	if (!state_name_ok(name))
		roost_usage("%s: invalid container name", name);
	for (k = 0; k < x->nrecs; k++)
		if (strcmp(x->recs[k].name, name) == 0)
			return &x->recs[k];
	return NULL;
}

/* The containers: everything before "--"; the command after it. */
static void
exec_parse(int argc, char **argv, struct exec_run *x)
{
	int	 c, dd, i;

	for (dd = 1; dd < argc && strcmp(argv[dd], "--") != 0; dd++)
		continue;
	opterr = 0;
	x->maxjobs = EXEC_JOBS;
	while ((c = getopt_long(dd, argv, ":h", exec_options, NULL)) != -1)
		exec_option(x, c, argv);
	if (dd == argc || argv[dd + 1] == NULL)
		roost_usage("no command given");
	x->argv = argv + dd + 1;
	if (x->all && optind < dd)
		roost_usage("--all: no NAME expected with it, got '%s'",
		    argv[optind]);
	if (!x->all && optind == dd)
		roost_usage("no container given");
	x->recs = target_records(&x->nrecs);
	for (i = optind; i < dd; i++)
		exec_add(x, argv[i], exec_record(x, argv[i]));
	for (i = 0; x->all && i < (int)x->nrecs; i++)
		exec_add(x, x->recs[i].name, &x->recs[i]);
	/* Nothing to do is done, but not in silence. */
	if (x->all && x->nrecs == 0)
		roost_warnx("--all: no running container");
}

/* A valid UTF-8 sequence's length at P, or 0 (RFC 3629). */
static size_t
utf8_len(const unsigned char *p, size_t n)
{
	uint32_t	 c;
	size_t		 len, i;

	if (*p >= 0xc2 && *p <= 0xdf)
		len = 2, c = *p & 0x1f;
	else if (*p >= 0xe0 && *p <= 0xef)
		len = 3, c = *p & 0x0f;
	else if (*p >= 0xf0 && *p <= 0xf4)
		len = 4, c = *p & 0x07;
	else
		return 0;
	if (n < len)
		return 0;
	for (i = 1; i < len; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (p[i] & 0x3f);
	}
	/* Overlong forms, surrogates, past U+10FFFF. */
	if ((len == 3 && c < 0x800) || (len == 4 && c < 0x10000) ||
	    (c >= 0xd800 && c <= 0xdfff) || c > 0x10ffff)
		return 0;
	return len;
}

/*
 * A JSON string (RFC 8259).  Output is bytes, JSON is Unicode: a byte
 * that is not part of valid UTF-8 becomes U+FFFD.
 */
void
roost_json_str(const char *s, size_t n)
{
	const unsigned char	*p = (const unsigned char *)s, *end = p + n;
	size_t			 k;

	(void)putchar('"');
	while (p < end) {
		if (*p == '"' || *p == '\\')
			(void)printf("\\%c", *p++);
		else if (*p == '\n' || *p == '\t' || *p == '\r')
			(void)printf("\\%c", *p++ == '\n' ? 'n' :
			    p[-1] == '\t' ? 't' : 'r');
		else if (*p < 0x20 || *p == 0x7f)
			(void)printf("\\u%04x", *p++);
		else if (*p < 0x80)
			(void)putchar(*p++);
		else if ((k = utf8_len(p, end - p)) > 0) {
			(void)fwrite(p, 1, k, stdout);
			p += k;
		} else {
			(void)fputs("\\ufffd", stdout);
			p++;
		}
	}
	(void)putchar('"');
}

/* One whole line of J's, the newline not included. */
static void
line_out(const struct exec_run *x, const struct job *j, int err,
    const char *p, size_t len, size_t cut)
{
	if (x->json) {
		(void)fputs("{\"name\":", stdout);
		roost_json_str(j->name, strlen(j->name));
		(void)printf(",\"stream\":\"%s\",\"line\":",
		    err ? "stderr" : "stdout");
		roost_json_str(p, len);
		if (cut > 0)
			(void)printf(",\"cut\":%zu", cut);
		(void)fputs("}\n", stdout);
		return;
	}
	(void)fputs(j->name, stdout);
	(void)fputs(err ? "|! " : "| ", stdout);
	(void)fwrite(p, 1, len, stdout);
	if (cut > 0)
		(void)printf(" [roost: line cut, %zu more bytes]", cut);
	(void)putchar('\n');
}

/* Keep N bytes of a line not yet ended, up to EXEC_LINE_MAX. */
static void
stream_keep(struct stream *s, const char *p, size_t n)
{
	size_t	 room;

	if (s->buf == NULL)
		s->buf = exec_grow(NULL, EXEC_LINE_MAX, 1);
	room = EXEC_LINE_MAX - s->len;
	if (n > room) {
		s->cut += n - room;
		n = room;
	}
	memcpy(s->buf + s->len, p, n);
	s->len += n;
}

/* N bytes read: out go the lines they end, the rest waits. */
static void
stream_feed(const struct exec_run *x, const struct job *j,
    struct stream *s, const char *p, size_t n)
{
	const char	*nl;
	size_t		 k;

	while ((nl = memchr(p, '\n', n)) != NULL) {
		k = nl - p;
		if (s->len == 0 && s->cut == 0 && k <= EXEC_LINE_MAX)
			line_out(x, j, s->err, p, k, 0);
		else {
			stream_keep(s, p, k);
			line_out(x, j, s->err, s->buf, s->len, s->cut);
		}
		s->len = s->cut = 0;
		p += k + 1;
		n -= k + 1;
	}
	if (n > 0)
		stream_keep(s, p, n);
}

/* End of file: a last line without its newline is still a line. */
static void
stream_close(const struct exec_run *x, const struct job *j,
    struct stream *s)
{
	if (s->len > 0 || s->cut > 0)
		line_out(x, j, s->err, s->buf, s->len, s->cut);
	(void)close(s->fd);
	s->fd = -1;
	free(s->buf);
	s->buf = NULL;
	s->len = s->cut = 0;
}

/* What is there to read now; with DRAIN, until the pipe is empty. */
static void
stream_read(const struct exec_run *x, const struct job *j,
    struct stream *s, int drain)
{
	char	 buf[EXEC_READ];
	ssize_t	 n;

	do {
		n = read(s->fd, buf, sizeof(buf));
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && errno == EAGAIN && !drain)
			return;
		if (n <= 0) {
			stream_close(x, j, s);
			return;
		}
		stream_feed(x, j, s, buf, n);
	} while (drain || n == -1);
}

/* In the child: enter J's container with the pipes as stdout, stderr. */
static ROOST_NORETURN void
job_child(struct exec_run *x, struct job *j, int out, int err)
{
	struct enter_opts	 o;
	struct target		 t;
	int			 keep = -1;

	(void)setpgid(0, 0);
	if (dup2(x->nullfd, STDIN_FILENO) == -1 ||
	    dup2(out, STDOUT_FILENO) == -1 || dup2(err, STDERR_FILENO) == -1)
		_exit(1);
	roost_close_fds(&keep, 1);
	(void)sigprocmask(SIG_SETMASK, &x->mask, NULL);
	memset(&o, 0, sizeof(o));
	o.argv = x->argv;
	if (j->rec != NULL)
		target_record(&t, j->rec);
	else
		target_find(&t, j->name);
	roost_exit(enter_run(&t, &o));
}

static void
job_start(struct exec_run *x, struct job *j)
{
	int	 out[2], err[2];

	if (pipe2(out, O_CLOEXEC) == -1 || pipe2(err, O_CLOEXEC) == -1)
		roost_err("pipe");
	(void)fflush(stdout);	/* the child's copy of the buffer */
	if ((j->pid = fork()) == -1)
		roost_err("fork");
	if (j->pid == 0)
		job_child(x, j, out[1], err[1]);
	(void)setpgid(j->pid, j->pid);	/* before we may kill the group */
	(void)close(out[1]);
	(void)close(err[1]);
	j->s[0].fd = out[0];
	j->s[1].fd = err[0];
	if (fcntl(out[0], F_SETFL, O_NONBLOCK) == -1 ||
	    fcntl(err[0], F_SETFL, O_NONBLOCK) == -1)
		roost_err("fcntl");
	if ((j->pidfd = pidfd_open(j->pid, 0)) == -1)
		roost_err("pidfd_open");
	(void)clock_gettime(CLOCK_MONOTONIC, &j->deadline);
	j->deadline.tv_sec += x->timeout;
	j->state = JOB_RUNNING;
	x->running++;
}

static void
job_reap(struct job *j)
{
	int	 st;

	if (waitpid(j->pid, &st, WNOHANG) != j->pid)
		return;
	j->status = roost_status(st);
	(void)close(j->pidfd);
	j->pidfd = -1;
}

/*
 * Done once reaped and both pipes are at end of file; a timed-out job
 * once reaped, with what its pipes hold: whatever still holds them open
 * (having left the process group) is not waited for.
 */
static void
job_check(struct exec_run *x, struct job *j)
{
	size_t	 i;

	if (j->pidfd != -1)
		return;
	for (i = 0; i < 2 && j->timedout; i++)
		if (j->s[i].fd != -1)
			stream_read(x, j, &j->s[i], 1);
	if (j->s[0].fd != -1 || j->s[1].fd != -1)
		return;
	j->state = JOB_DONE;
	x->running--;
	x->done++;
}

/* Milliseconds until the next deadline; kills the jobs past theirs. */
static int
exec_deadlines(struct exec_run *x)
{
	struct timespec	 now;
	struct job	*j;
	long long	 ms, next = -1;
	size_t		 i;

	if (x->timeout == 0)
		return -1;
	(void)clock_gettime(CLOCK_MONOTONIC, &now);
	for (i = 0; i < x->n; i++) {
		j = &x->jobs[i];
		if (j->state != JOB_RUNNING || j->timedout)
			continue;
		ms = (j->deadline.tv_sec - now.tv_sec) * 1000LL +
		    (j->deadline.tv_nsec - now.tv_nsec) / 1000000 + 1;
		if (ms <= 0) {
			j->timedout = 1;
			(void)kill(-j->pid, SIGKILL);
		} else if (next == -1 || ms < next)
			next = ms;
	}
	return (int)next;
}

/* A signal to us goes to every running job; none is started after it. */
static void
exec_signal(struct exec_run *x)
{
	struct signalfd_siginfo	 si;
	size_t			 i;

	if (read(x->sigfd, &si, sizeof(si)) != sizeof(si))
		return;
	for (i = 0; i < x->n; i++)
		if (x->jobs[i].state == JOB_RUNNING)
			(void)kill(-x->jobs[i].pid, (int)si.ssi_signo);
	for (; x->next < x->n; x->next++) {
		x->jobs[x->next].state = JOB_DONE;
		x->jobs[x->next].status = -1;	/* not run */
		x->done++;
	}
}

struct exec_poll {
	struct pollfd	*p;
	struct job	**job;
	int		 *what;		/* 0, 1: a stream; 2: the pidfd */
	size_t		  n;
};

static void
poll_add(struct exec_poll *ep, struct job *j, int what, int fd)
{
	ep->p[ep->n] = (struct pollfd){ fd, POLLIN, 0 };
	ep->job[ep->n] = j;
	ep->what[ep->n++] = what;
}

static void
exec_gather(struct exec_run *x, struct exec_poll *ep)
{
	struct job	*j;
	size_t		 i;

	ep->n = 0;
	poll_add(ep, NULL, 3, x->sigfd);
	for (i = 0; i < x->n; i++) {
		j = &x->jobs[i];
		if (j->state != JOB_RUNNING)
			continue;
		if (j->s[0].fd != -1)
			poll_add(ep, j, 0, j->s[0].fd);
		if (j->s[1].fd != -1)
			poll_add(ep, j, 1, j->s[1].fd);
		if (j->pidfd != -1)
			poll_add(ep, j, 2, j->pidfd);
	}
}

static void
exec_events(struct exec_run *x, struct exec_poll *ep)
{
	struct job	*j;
	size_t		 i;

	for (i = 0; i < ep->n; i++) {
		if (ep->p[i].revents == 0)
			continue;
		j = ep->job[i];
		if (ep->what[i] == 3)
			exec_signal(x);
		else if (ep->what[i] == 2)
			job_reap(j);
		else if (j->s[ep->what[i]].fd != -1)
			stream_read(x, j, &j->s[ep->what[i]], 0);
	}
	for (i = 0; i < x->n; i++)
		if (x->jobs[i].state == JOB_RUNNING)
			job_check(x, &x->jobs[i]);
}

static void
exec_loop(struct exec_run *x)
{
	struct exec_poll	 ep;
	int			 ms;

	ep.p = exec_grow(NULL, 3 * x->n + 1, sizeof(*ep.p));
	ep.job = exec_grow(NULL, 3 * x->n + 1, sizeof(*ep.job));
	ep.what = exec_grow(NULL, 3 * x->n + 1, sizeof(*ep.what));
	while (x->done < x->n) {
		while (x->running < x->maxjobs && x->next < x->n)
			job_start(x, &x->jobs[x->next++]);
		exec_gather(x, &ep);
		ms = exec_deadlines(x);
		if (poll(ep.p, ep.n, ms) == -1 && errno != EINTR)
			roost_err("poll");
		exec_events(x, &ep);
		if (fflush(stdout) == EOF)
			roost_err("stdout");
	}
	free(ep.p);
	free(ep.job);
	free(ep.what);
}

/* Each container's status, on stderr; 0 if every one exited 0. */
static int
exec_summary(const struct exec_run *x)
{
	const struct job	*j;
	size_t			 i;
	int			 w = 4, bad = 0;

	for (i = 0; i < x->n; i++)
		if ((int)strlen(x->jobs[i].name) > w)
			w = strlen(x->jobs[i].name);
	(void)fprintf(stderr, "%-*s  %s\n", w, "NAME", "STATUS");
	for (i = 0; i < x->n; i++) {
		j = &x->jobs[i];
		if (j->timedout)
			(void)fprintf(stderr, "%-*s  timeout\n", w, j->name);
		else if (j->status == -1)
			(void)fprintf(stderr, "%-*s  not run\n", w, j->name);
		else
			(void)fprintf(stderr, "%-*s  %d\n", w, j->name,
			    j->status);
		if (x->json && j->status != -1) {
			(void)fputs("{\"name\":", stdout);
			roost_json_str(j->name, strlen(j->name));
			(void)printf(",\"exit\":%d,\"timeout\":%s}\n",
			    j->status, j->timedout ? "true" : "false");
		}
		bad |= j->status != 0 || j->timedout;
	}
	return bad;
}

static void
exec_signals(struct exec_run *x)
{
	sigset_t	 set;

	(void)sigemptyset(&set);
	(void)sigaddset(&set, SIGINT);
	(void)sigaddset(&set, SIGTERM);
	(void)sigaddset(&set, SIGHUP);
	if (sigprocmask(SIG_BLOCK, &set, &x->mask) == -1)
		roost_err("sigprocmask");
	if ((x->sigfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK)) == -1)
		roost_err("signalfd");
}

int
cmd_exec(int argc, char **argv)
{
	struct exec_run	 x;
	int		 bad;

	memset(&x, 0, sizeof(x));
	exec_parse(argc, argv, &x);
	if (x.n == 0)
		return 0;
	if ((x.nullfd = open("/dev/null", O_RDWR | O_CLOEXEC)) == -1)
		roost_err("/dev/null");
	exec_signals(&x);
	exec_loop(&x);
	bad = exec_summary(&x);
	free(x.jobs);
	free(x.recs);
	return bad ? 1 : 0;
}
