/*
 * mapbench.c: the timing loops of bench/run (see bench/README.md).
 * Built by bench/run into its scratch directory; never installed.
 *
 *   mapbench map N HELPER NEWUIDMAP NEWGIDMAP [FLOOR]
 *	N alternating pairs (order swapped every other pair).  Each side gets
 *	a fresh, unmapped user namespace (a forked child that unshares and
 *	waits), and only the spawn + wait of the mapping helper(s) is timed:
 *	  roost:  HELPER map PID u:0:100000:65536 g:0:100000:65536
 *	  shadow: NEWUIDMAP PID 0 100000 65536; NEWGIDMAP PID 0 100000 65536
 *	Afterwards both maps of the child are read back and must be exactly
 *	"0 100000 65536", else it stops: a failing helper cannot look fast.
 *	With FLOOR (a static `true`), each pair also times a spawn + wait of
 *	it: the exec floor any helper pays.
 *
 *   mapbench spawn N WARMUP NAME ARG... [::: NAME ARG...]...
 *	N rounds; each round spawns every command once (posix_spawn + wait,
 *	timed), the first command of a round rotating, so that no command is
 *	always first.  Every run must exit 0.
 *
 * Output, one line each, times in ms:
 *   stat NAME MEDIAN MIN MAX N
 *   ratio A B MEDIAN P25 P75 N	(per-pair or per-round ratios A/B)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

#define WARMUP_MAP	10

static void
die(const char *fmt, ...)
{
	va_list	 ap;

	(void)fputs("mapbench: ", stderr);
	va_start(ap, fmt);
	(void)vfprintf(stderr, fmt, ap);
	va_end(ap);
	(void)fputc('\n', stderr);
	exit(1);
}

static double
now_ms(void)
{
	struct timespec	 ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts) == -1)
		die("clock_gettime: %s", strerror(errno));
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int
cmp_double(const void *a, const void *b)
{
	double	 x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Quantile q (0..1) of v[0..n), sorting v; linear interpolation. */
static double
quantile(double *v, size_t n, double q)
{
	double	 pos, frac;
	size_t	 i;

	qsort(v, n, sizeof(*v), cmp_double);
	pos = q * (double)(n - 1);
	i = (size_t)pos;
	frac = pos - (double)i;
	if (i + 1 >= n)
		return v[n - 1];
	return v[i] + frac * (v[i + 1] - v[i]);
}

static void
print_stat(const char *name, double *v, size_t n)
{
	double	 med = quantile(v, n, 0.5);

	(void)printf("stat %s %.4f %.4f %.4f %zu\n", name, med, v[0],
	    v[n - 1], n);
}

static void
print_ratio(const char *a, const char *b, const double *va,
    const double *vb, size_t n)
{
	double	*r;
	size_t	 i;

	if ((r = calloc(n, sizeof(*r))) == NULL)
		die("out of memory");
	for (i = 0; i < n; i++)
		r[i] = va[i] / vb[i];
	(void)printf("ratio %s %s %.4f %.4f %.4f %zu\n", a, b,
	    quantile(r, n, 0.5), quantile(r, n, 0.25), quantile(r, n, 0.75),
	    n);
	free(r);
}

/* Spawn argv, wait; returns its wait status.  stdout goes to /dev/null. */
static int
run(char *const argv[])
{
	posix_spawn_file_actions_t	 fa;
	pid_t				 pid;
	int				 st, e;

	if ((e = posix_spawn_file_actions_init(&fa)) != 0 ||
	    (e = posix_spawn_file_actions_addopen(&fa, 1, "/dev/null",
	    O_WRONLY, 0)) != 0)
		die("posix_spawn_file_actions: %s", strerror(e));
	if ((e = posix_spawn(&pid, argv[0], &fa, NULL, argv, environ)) != 0)
		die("spawn %s: %s", argv[0], strerror(e));
	(void)posix_spawn_file_actions_destroy(&fa);
	while (waitpid(pid, &st, 0) == -1)
		if (errno != EINTR)
			die("waitpid: %s", strerror(errno));
	return st;
}

static void
must_succeed(char *const argv[], int st)
{
	if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
		return;
	if (WIFEXITED(st))
		die("%s exited %d", argv[0], WEXITSTATUS(st));
	die("%s killed by signal %d", argv[0], WTERMSIG(st));
}

/* ---- map ---------------------------------------------------------------- */

struct target {
	pid_t	 pid;
	int	 hold;		/* write end: the child exits when it closes */
};

/* A child in a new, unmapped user namespace, blocked on a pipe. */
static void
target_new(struct target *t)
{
	int	 ready[2], hold[2];
	char	 c = 0;
	ssize_t	 n;

	if (pipe2(ready, O_CLOEXEC) == -1 || pipe2(hold, O_CLOEXEC) == -1)
		die("pipe: %s", strerror(errno));
	switch (t->pid = fork()) {
	case -1:
		die("fork: %s", strerror(errno));
		break;
	case 0:
		(void)close(ready[0]);
		(void)close(hold[1]);
		if (unshare(CLONE_NEWUSER) == -1)
			_exit(2);
		if (write(ready[1], &c, 1) != 1)
			_exit(3);
		(void)read(hold[0], &c, 1);
		_exit(0);
	default:
		break;
	}
	(void)close(ready[1]);
	(void)close(hold[0]);
	do
		n = read(ready[0], &c, 1);
	while (n == -1 && errno == EINTR);
	if (n != 1)
		die("the target child could not unshare its user namespace");
	(void)close(ready[0]);
	t->hold = hold[1];
}

static void
target_end(struct target *t)
{
	(void)kill(t->pid, SIGKILL);
	(void)close(t->hold);
	while (waitpid(t->pid, NULL, 0) == -1 && errno == EINTR)
		;
}

/* /proc/PID/WHICH must hold exactly the one line "0 100000 65536". */
static void
check_map(pid_t pid, const char *which, const char *who)
{
	char		 path[64], line[256];
	FILE		*f;
	unsigned long	 in, out, count;
	int		 lines = 0, ok = 0;

	(void)snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, which);
	if ((f = fopen(path, "r")) == NULL)
		die("%s: %s", path, strerror(errno));
	while (fgets(line, sizeof(line), f) != NULL) {
		lines++;
		if (sscanf(line, "%lu %lu %lu", &in, &out, &count) == 3 &&
		    in == 0 && out == 100000 && count == 65536)
			ok = 1;
	}
	(void)fclose(f);
	if (lines != 1 || !ok)
		die("%s did not write %s as \"0 100000 65536\" (%d lines)",
		    who, which, lines);
}

static double
map_roost(char *helper)
{
	struct target	 t;
	char		 pid[16], map[] = "map";
	char		 u[] = "u:0:100000:65536", g[] = "g:0:100000:65536";
	char		*argv[] = { helper, map, pid, u, g, NULL };
	double		 t0, t1;
	int		 st;

	target_new(&t);
	(void)snprintf(pid, sizeof(pid), "%d", (int)t.pid);
	t0 = now_ms();
	st = run(argv);
	t1 = now_ms();
	must_succeed(argv, st);
	check_map(t.pid, "uid_map", "roost-helper");
	check_map(t.pid, "gid_map", "roost-helper");
	target_end(&t);
	return t1 - t0;
}

static double
map_shadow(char *newuidmap, char *newgidmap)
{
	struct target	 t;
	char		 pid[16], in[] = "0", out[] = "100000", cnt[] = "65536";
	char		*uargv[] = { newuidmap, pid, in, out, cnt, NULL };
	char		*gargv[] = { newgidmap, pid, in, out, cnt, NULL };
	double		 t0, t1;
	int		 ust, gst;

	target_new(&t);
	(void)snprintf(pid, sizeof(pid), "%d", (int)t.pid);
	t0 = now_ms();
	ust = run(uargv);
	gst = run(gargv);
	t1 = now_ms();
	must_succeed(uargv, ust);
	must_succeed(gargv, gst);
	check_map(t.pid, "uid_map", "newuidmap");
	check_map(t.pid, "gid_map", "newgidmap");
	target_end(&t);
	return t1 - t0;
}

static double
spawn_floor(char *floor)
{
	char	*argv[] = { floor, NULL };
	double	 t0, t1;
	int	 st;

	t0 = now_ms();
	st = run(argv);
	t1 = now_ms();
	must_succeed(argv, st);
	return t1 - t0;
}

static int
cmd_map(size_t n, char *helper, char *nu, char *ng, char *floor)
{
	double	*a, *b, *f;
	size_t	 i;

	if ((a = calloc(n, sizeof(*a))) == NULL ||
	    (b = calloc(n, sizeof(*b))) == NULL ||
	    (f = calloc(n, sizeof(*f))) == NULL)
		die("out of memory");
	for (i = 0; i < WARMUP_MAP; i++) {
		(void)map_roost(helper);
		(void)map_shadow(nu, ng);
		if (floor != NULL)
			(void)spawn_floor(floor);
	}
	for (i = 0; i < n; i++) {
		if (i % 2 == 0) {
			a[i] = map_roost(helper);
			b[i] = map_shadow(nu, ng);
		} else {
			b[i] = map_shadow(nu, ng);
			a[i] = map_roost(helper);
		}
		if (floor != NULL)
			f[i] = spawn_floor(floor);
	}
	print_ratio("roost", "shadow", a, b, n);
	print_stat("roost", a, n);	/* sorts: ratios first */
	print_stat("shadow", b, n);
	if (floor != NULL)
		print_stat("floor", f, n);
	free(a);
	free(b);
	free(f);
	return 0;
}

/* ---- spawn -------------------------------------------------------------- */

#define MAXCMD	8

struct cmd {
	const char	 *name;
	char		**argv;
	double		 *t;
};

static int
cmd_spawn(size_t n, size_t warmup, int argc, char **argv)
{
	struct cmd	 c[MAXCMD];
	size_t		 k = 0, i, j, r;
	double		*tmp, t0;
	int		 a = 0;

	while (a < argc) {
		if (k == MAXCMD)
			die("at most %d commands", MAXCMD);
		if (a + 1 >= argc)
			die("command %zu: NAME ARG... expected", k + 1);
		c[k].name = argv[a];
		c[k].argv = &argv[a + 1];
		for (a++; a < argc && strcmp(argv[a], ":::") != 0; a++)
			;
		if (a < argc)
			argv[a++] = NULL;	/* ends the previous argv */
		if ((c[k].t = calloc(n, sizeof(double))) == NULL)
			die("out of memory");
		k++;
	}
	if (k == 0)
		die("no command");
	for (r = 0; r < warmup; r++)
		for (j = 0; j < k; j++)
			must_succeed(c[j].argv, run(c[j].argv));
	for (r = 0; r < n; r++)
		for (i = 0; i < k; i++) {
			struct cmd	*p = &c[(r + i) % k];
			int		 st;

			t0 = now_ms();
			st = run(p->argv);
			p->t[r] = now_ms() - t0;
			must_succeed(p->argv, st);
		}
	for (i = 0; i < k; i++)
		for (j = i + 1; j < k; j++)
			print_ratio(c[i].name, c[j].name, c[i].t, c[j].t, n);
	if ((tmp = calloc(n, sizeof(*tmp))) == NULL)
		die("out of memory");
	for (i = 0; i < k; i++) {
		memcpy(tmp, c[i].t, n * sizeof(*tmp));
		print_stat(c[i].name, tmp, n);
		free(c[i].t);
	}
	free(tmp);
	return 0;
}

static size_t
count_arg(const char *s)
{
	char		*end;
	unsigned long	 v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno != 0 || *end != '\0' || end == s || v > 1000000)
		die("bad count: %s", s);
	return v;
}

int
main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if ((argc == 6 || argc == 7) && strcmp(argv[1], "map") == 0) {
		size_t	n = count_arg(argv[2]);

		if (n == 0)
			die("N must be at least 1");
		return cmd_map(n, argv[3], argv[4], argv[5],
		    argc == 7 ? argv[6] : NULL);
	}
	if (argc >= 6 && strcmp(argv[1], "spawn") == 0) {
		size_t	n = count_arg(argv[2]);

		if (n == 0)
			die("N must be at least 1");
		return cmd_spawn(n, count_arg(argv[3]), argc - 4, argv + 4);
	}
	(void)fprintf(stderr,
	    "usage: mapbench map N HELPER NEWUIDMAP NEWGIDMAP [FLOOR]\n"
	    "       mapbench spawn N WARMUP NAME ARG... [::: NAME ARG...]...\n");
	return 2;
}
