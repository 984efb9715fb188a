/*
 * cmd_enter.c: roost enter, a command in a running container.
 *
 * What is of the host is taken first, while we are still the caller: a
 * pidfd of the process to act through (target_proc), its root and working
 * directory as fds, its cgroup.procs.  Then one setns(2) on the pidfd
 * into exactly the namespaces that differ from ours: asking for one we
 * share (the time namespace, usually) fails the whole call with EPERM,
 * which is why lxc-attach's probe always falls back.  A child puts the
 * command in the pid namespace; it chroots to the root fd, and becomes the
 * user of the container's own passwd, read by us (fgetpwent) and never
 * through NSS, which would load the container's libraries into a process
 * holding host fds.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/pidfd.h>
#include <sys/socket.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>
#include <linux/magic.h>
#include <linux/nsfs.h>

#include "roost.h"

const char enter_usage[] =
"usage: roost enter NAME|PID [--uid U] [--gid G] [--cwd DIR]\n"
"                   [--env KEY=VALUE]... [--clear-env] [-t | -T]\n"
"                   [--] [CMD [ARG...]]\n"
"  NAME|PID             a container of roost ls, the pid of a process of\n"
"                       any of your containers, or an LXC container's name\n"
"  --uid U              run as U, a number or a name in the container's\n"
"                       /etc/passwd (default 0)\n"
"  --gid G              run as G, a number or a name in its /etc/group\n"
"                       (default: U's group in its /etc/passwd)\n"
"  --cwd DIR            working directory (default: the container's)\n"
"  --env KEY=VALUE      set KEY in the environment\n"
"  --clear-env          do not start from the container's environment\n"
"  -t, --tty            give CMD a terminal of the container's own (the\n"
"                       default when stdin and stdout are terminals)\n"
"  -T, --no-tty         never: CMD gets roost's stdin, stdout, stderr\n"
"  -h, --help           show this help\n"
"  CMD defaults to U's login shell in the container.\n";

#define ENTER_ENV_MAX	(4 << 20)	/* of /proc/PID/environ */

enum {
	OPT_UID = 256, OPT_GID, OPT_CWD, OPT_ENV, OPT_CLEAR_ENV
};

static const struct option enter_options[] = {
	{ "uid",	required_argument,	NULL,	OPT_UID },
	{ "gid",	required_argument,	NULL,	OPT_GID },
	{ "cwd",	required_argument,	NULL,	OPT_CWD },
	{ "env",	required_argument,	NULL,	OPT_ENV },
	{ "clear-env",	no_argument,		NULL,	OPT_CLEAR_ENV },
	{ "tty",	no_argument,		NULL,	't' },
	{ "no-tty",	no_argument,		NULL,	'T' },
	{ "help",	no_argument,		NULL,	'h' },
	{ NULL,		0,			NULL,	0 }
};

static const struct {
	const char	*name;
	int		 flag;
} enter_ns[] = {
	{ "user",	CLONE_NEWUSER },	/* first: it grants the rest */
	{ "mnt",	CLONE_NEWNS },
	{ "pid",	CLONE_NEWPID },
	{ "ipc",	CLONE_NEWIPC },
	{ "uts",	CLONE_NEWUTS },
	{ "net",	CLONE_NEWNET },
	{ "cgroup",	CLONE_NEWCGROUP },
	{ "time",	CLONE_NEWTIME },
};
#define ENTER_NNS	(sizeof(enter_ns) / sizeof(enter_ns[0]))

/* What was taken from the host before the setns. */
struct enter_state {
	int	 pidfd;
	int	 flags;		/* the namespaces that differ from ours */
	int	 rootfd;
	int	 cwdfd;
	int	 cgfd;		/* its cgroup.procs, or -1 */
	int	 setgroups;	/* its user namespace allows setgroups(2) */
	char	*env;		/* its environ, NUL-separated, or NULL */
	size_t	 envlen;
	int	 ptysock;	/* the pty's master goes to the parent, or -1 */
};

/* The user to become, from the container's passwd. */
struct enter_user {
	uid_t		 uid;
	gid_t		 gid;
	int		 found;		/* in /etc/passwd */
	const char	*name;
	const char	*home;
	const char	*shell;
};

static void *
enter_grow(void *p, size_t n, size_t size)
{
	if ((p = reallocarray(p, n, size)) == NULL)
		roost_err("cannot allocate");
	return p;
}

static void
enter_option(struct enter_opts *o, int c, char **argv)
{
	switch (c) {
	case OPT_UID:
		o->uid = optarg;
		break;
	case OPT_GID:
		o->gid = optarg;
		break;
	case OPT_CWD:
		o->cwd = optarg;
		break;
	case OPT_ENV:
		if (strchr(optarg, '=') == NULL || *optarg == '=')
			roost_usage("--env: KEY=VALUE expected, got '%s'",
			    optarg);
		o->envadd = enter_grow(o->envadd, o->nenvadd + 1,
		    sizeof(*o->envadd));
		o->envadd[o->nenvadd++] = optarg;
		break;
	case OPT_CLEAR_ENV:
		o->clear_env = 1;
		break;
	case 't':
		o->ttyopt = 1;
		break;
	case 'T':
		o->ttyopt = -1;
		break;
	case 'h':
		(void)fputs(enter_usage, stdout);
		roost_exit(0);
	default:
		roost_bad_option(c, argv);
	}
}

/* Options before and after NAME|PID; the command after them, or "--". */
static const char *
enter_parse(int argc, char **argv, struct enter_opts *o)
{
	const char	*target = NULL;
	int		 c;

	opterr = 0;
	for (;;) {
		while ((c = getopt_long(argc, argv, "+:htT", enter_options,
		    NULL)) != -1)
			enter_option(o, c, argv);
		if (target != NULL || optind >= argc ||
		    strcmp(argv[optind - 1], "--") == 0)
			break;
		target = argv[optind++];
	}
	if (target == NULL)
		roost_usage("no container given");
	o->argv = argv + optind;
	return target;
}

/*
 * The namespaces of T's process that are not ours.  Its ns directory
 * opens only until the process is reaped, before which its pid is not
 * reused: after pidfd_open(), that proves the pidfd is of that process.
 * The links are read, "net:[INODE]", not followed: that would make a
 * dentry of each namespace, twice the cost.
 */
static int
enter_flags(const struct target *t)
{
	char		 a[64], b[64];
	ssize_t		 na, nb;
	size_t		 i;
	int		 its, self, flags;

	/* O_PATH: the directory is its owner's to read, ours to search. */
	if ((its = openat(t->procfd, "ns", O_PATH | O_DIRECTORY |
	    O_CLOEXEC)) == -1)
		roost_errx("%s: no such container", t->name);
	if ((self = open("/proc/self/ns", O_PATH | O_DIRECTORY |
	    O_CLOEXEC)) == -1)
		roost_err("/proc/self/ns");
	/* The user namespace is not ours: target_mine() said so. */
	flags = CLONE_NEWUSER;
	for (i = 1; i < ENTER_NNS; i++) {
		/* A kernel without the namespace type has no file. */
		na = readlinkat(its, enter_ns[i].name, a, sizeof(a));
		nb = readlinkat(self, enter_ns[i].name, b, sizeof(b));
		if (na <= 0 || nb <= 0)
			continue;
		if (na != nb || memcmp(a, b, na) != 0)
			flags |= enter_ns[i].flag;
	}
	(void)close(its);
	(void)close(self);
	return flags;
}

/* A file of PROCFD read whole (up to MAX), NUL-terminated. */
static char *
enter_slurp(int procfd, const char *file, size_t max, size_t *len)
{
	size_t	 cap = 4096;
	ssize_t	 n;
	char	*buf = NULL;
	int	 fd;

	*len = 0;
	if ((fd = openat(procfd, file, O_RDONLY | O_CLOEXEC)) == -1)
		return NULL;
	for (;;) {
		buf = enter_grow(buf, cap + 1, 1);
		if ((n = roost_read_all(fd, buf + *len, cap - *len)) < 0)
			break;
		*len += n;
		if (*len < cap || cap >= max)
			break;
		cap *= 2;
	}
	(void)close(fd);
	buf[*len] = '\0';
	return buf;
}

/* The cgroup2 path in a /proc/PID/cgroup, from its "0::" line. */
char *
enter_cgroup2(char *text)
{
	char	*p;

	if (text == NULL)
		return NULL;
	if (strncmp(text, "0::/", 4) == 0)
		p = text + 3;
	else if ((p = strstr(text, "\n0::/")) != NULL)
		p += 4;
	else
		return NULL;
	p[strcspn(p, "\n")] = '\0';
	return p;
}

/*
 * Its cgroup's cgroup.procs, opened now: a migration is checked against
 * the opener's credentials and cgroup namespace (since Linux 5.16, after
 * CVE-2021-4197), so our write from inside stays the caller's.  Not ours
 * to write (no delegation) or not on cgroup2: -1, and no matter.  If it
 * is our own cgroup, the write changes nothing.
 */
static int
enter_cgroup(int procfd)
{
	static const char	*const mnt[] = {
		"/sys/fs/cgroup", "/sys/fs/cgroup/unified"
	};
	struct statfs		 sf;
	char			*its, *a, path[PATH_MAX];
	size_t			 i, n;
	int			 fd = -1;

	/* Where cgroup2 is mounted; none, nothing to join. */
	for (i = 0; i < 2; i++)
		if (statfs(mnt[i], &sf) == 0 &&
		    sf.f_type == CGROUP2_SUPER_MAGIC)
			break;
	if (i == 2)
		return -1;
	its = enter_slurp(procfd, "cgroup", PATH_MAX, &n);
	a = enter_cgroup2(its);
	/* "/..": outside our cgroup namespace, not under our mount. */
	if (a != NULL && strstr(a, "/..") == NULL) {
		(void)snprintf(path, sizeof(path), "%s%s/cgroup.procs",
		    mnt[i], a);
		fd = open(path, O_WRONLY | O_CLOEXEC);
	}
	free(its);
	return fd;
}

/* Take what we need of T while we are still the caller. */
static void
enter_take(struct target *t, struct enter_state *s)
{
	char	*sg;
	size_t	 n;

	target_mine(t);
	if ((s->pidfd = pidfd_open(t->pid, 0)) == -1)
		roost_errx("%s: no such container", t->name);
	s->flags = enter_flags(t);
	s->rootfd = openat(t->procfd, "root", O_PATH | O_DIRECTORY |
	    O_CLOEXEC);
	s->cwdfd = openat(t->procfd, "cwd", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (s->rootfd == -1 || s->cwdfd == -1)
		roost_err("%s: cannot open its root", t->name);
	s->cgfd = enter_cgroup(t->procfd);
	sg = enter_slurp(t->procfd, "setgroups", 16, &n);
	s->setgroups = sg != NULL && strcmp(sg, "allow\n") == 0;
	free(sg);
}

/*
 * EPERM from a namespace that T's user namespace does not own (one of an
 * ancestor's, as Consfigurator and nsenter found): we keep ours.
 */
static int
enter_foreign(int nsfd, int userfd)
{
	int	 owner, foreign;

	if ((owner = ioctl(nsfd, NS_GET_USERNS)) == -1)
		return 0;
	foreign = !proc_same_ns(owner, userfd);
	(void)close(owner);
	return foreign;
}

static int
enter_nsopen(const struct target *t, const char *name)
{
	char	 path[32];
	int	 fd;

	(void)snprintf(path, sizeof(path), "ns/%s", name);
	if ((fd = openat(t->procfd, path, O_RDONLY | O_CLOEXEC)) == -1)
		roost_err("%s: cannot open its %s namespace", t->name, name);
	return fd;
}

/* Join *FD's namespace and close it; unless LAST, a failure waits. */
static void
enter_one(const struct target *t, size_t i, int *fd, int userfd, int last)
{
	int	 e;

	if (setns(*fd, 0) == -1) {
		e = errno;
		if (!last)
			return;
		if (e != EPERM || !enter_foreign(*fd, userfd)) {
			errno = e;
			roost_err("%s: cannot enter its %s namespace",
			    t->name, enter_ns[i].name);
		}
	}
	(void)close(*fd);
	*fd = -1;
}

/*
 * The fallback: one namespace at a time, the user namespace first (it
 * grants the capabilities for the rest), then the others in two passes,
 * so that one the kernel refuses before another is in is tried again.
 */
static void
enter_each(const struct target *t, int flags)
{
	int	 fd[ENTER_NNS];
	size_t	 i;

	for (i = 0; i < ENTER_NNS; i++)
		fd[i] = i == 0 || (flags & enter_ns[i].flag) ?
		    enter_nsopen(t, enter_ns[i].name) : -1;
	if ((flags & CLONE_NEWUSER) && setns(fd[0], CLONE_NEWUSER) == -1)
		roost_err("%s: cannot enter its user namespace", t->name);
	for (i = 1; i < ENTER_NNS; i++)
		if (fd[i] != -1)
			enter_one(t, i, &fd[i], fd[0], 0);
	for (i = 1; i < ENTER_NNS; i++)
		if (fd[i] != -1)
			enter_one(t, i, &fd[i], fd[0], 1);
	(void)close(fd[0]);
}

/* All of them in one call, or (setns(2) is atomic) none and the fallback. */
static void
enter_setns(const struct target *t, const struct enter_state *s)
{
	if (s->flags != 0 && setns(s->pidfd, s->flags) == -1)
		enter_each(t, s->flags);
}

/*
 * Its root, and its working directory unless that is outside its root
 * (getcwd(3) then fails with ENOENT): never a way out of the chroot.
 */
static void
enter_root(const struct enter_state *s, const char *cwd)
{
	char	 buf[PATH_MAX];

	if (fchdir(s->rootfd) == -1 || chroot(".") == -1)
		roost_err("cannot change to its root");
	if (cwd != NULL) {
		if (chdir(cwd) == -1)
			roost_err("%s", cwd);
		return;
	}
	if (fchdir(s->cwdfd) == -1 ||
	    (getcwd(buf, sizeof(buf)) == NULL && errno == ENOENT))
		if (chdir("/") == -1)
			roost_err("/");
}

/* A regular file of the container; O_NONBLOCK: a FIFO must not hang us. */
static FILE *
enter_etc(const char *path)
{
	struct stat	 st;
	FILE		*fp;
	int		 fd;

	if ((fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)) == -1)
		return NULL;
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode) ||
	    (fp = fdopen(fd, "r")) == NULL) {
		(void)close(fd);
		return NULL;
	}
	return fp;
}

static char *
enter_strdup(const char *s)
{
	char	*p;

	if ((p = strdup(s)) == NULL)
		roost_err("cannot allocate");
	return p;
}

/*
 * ARG, a uid or a name, in the container's /etc/passwd.  A uid it does
 * not list is still taken: group the same number, home /, shell /bin/sh.
 */
static void
enter_passwd(const char *arg, struct enter_user *u)
{
	struct passwd	*pw;
	uint32_t	 id = 0;
	FILE		*fp;
	int		 byname = roost_parse_id(arg, &id) == -1;

	memset(u, 0, sizeof(*u));
	if ((fp = enter_etc("/etc/passwd")) != NULL) {
		while ((pw = fgetpwent(fp)) != NULL)
			if (byname ? strcmp(pw->pw_name, arg) == 0 :
			    pw->pw_uid == id)
				break;
		if ((u->found = pw != NULL)) {
			u->uid = pw->pw_uid;
			u->gid = pw->pw_gid;
			u->name = enter_strdup(pw->pw_name);
			u->home = enter_strdup(*pw->pw_dir ? pw->pw_dir : "/");
			u->shell = enter_strdup(*pw->pw_shell ?
			    pw->pw_shell : "/bin/sh");
		}
		(void)fclose(fp);
	}
	if (!u->found && byname)
		roost_errx("--uid: %s: no such user in the container", arg);
	if (!u->found) {
		u->uid = u->gid = id;
		u->home = "/";
		u->shell = "/bin/sh";
	}
}

/* ARG, a gid or a name, in the container's /etc/group. */
static gid_t
enter_group(const char *arg)
{
	struct group	*gr;
	uint32_t	 id;
	FILE		*fp;

	if (roost_parse_id(arg, &id) == 0)
		return id;
	if ((fp = enter_etc("/etc/group")) != NULL) {
		while ((gr = fgetgrent(fp)) != NULL)
			if (strcmp(gr->gr_name, arg) == 0)
				break;
		id = gr != NULL ? gr->gr_gid : ID_INVALID;
		(void)fclose(fp);
		if (id != ID_INVALID)
			return id;
	}
	roost_errx("--gid: %s: no such group in the container", arg);
}

static int
enter_member(const struct group *gr, const char *name)
{
	char	**m;

	for (m = gr->gr_mem; *m != NULL; m++)
		if (strcmp(*m, name) == 0)
			return 1;
	return 0;
}

/* initgroups(3) without NSS: U's group and those listing U by name. */
static void
enter_initgroups(const struct enter_user *u)
{
	struct group	*gr;
	gid_t		*g;
	size_t		 n = 1, cap = 16;
	FILE		*fp;

	g = enter_grow(NULL, cap, sizeof(*g));
	g[0] = u->gid;
	if (u->found && (fp = enter_etc("/etc/group")) != NULL) {
		while (n < NGROUPS_MAX && (gr = fgetgrent(fp)) != NULL) {
			if (gr->gr_gid == u->gid || !enter_member(gr, u->name))
				continue;
			if (n == cap)
				g = enter_grow(g, cap *= 2, sizeof(*g));
			g[n++] = gr->gr_gid;
		}
		(void)fclose(fp);
	}
	if (setgroups(n, g) == -1)
		roost_err("setgroups");
	free(g);
}

/*
 * Where setgroups(2) is denied (a single-id gid map, or the policy's
 * setgroups = deny) the caller's groups are kept, as nsenter's
 * --preserve-credentials does: trying would only fail.
 */
static void
enter_become(const struct enter_state *s, const struct enter_user *u)
{
	if (setresgid(u->gid, u->gid, u->gid) == -1)
		roost_err("cannot become gid %u", (unsigned int)u->gid);
	if (s->setgroups)
		enter_initgroups(u);
	if (setresuid(u->uid, u->uid, u->uid) == -1)
		roost_err("cannot become uid %u", (unsigned int)u->uid);
}

/* Later entries replace earlier ones with the same KEY. */
static void
env_put(struct enter_env *e, char *kv)
{
	size_t	 i, klen = strcspn(kv, "=") + 1;

	for (i = 0; i < e->n; i++)
		if (strncmp(e->v[i], kv, klen) == 0) {
			e->v[i] = kv;
			return;
		}
	if (e->n + 1 >= e->cap) {
		e->cap = e->cap ? e->cap * 2 : 64;
		e->v = enter_grow(e->v, e->cap, sizeof(*e->v));
	}
	e->v[e->n++] = kv;
	e->v[e->n] = NULL;
}

static void
env_set(struct enter_env *e, const char *key, const char *value)
{
	char	*kv;

	if (asprintf(&kv, "%s=%s", key, value) == -1)
		roost_err("cannot allocate");
	env_put(e, kv);
}

/*
 * The KEY=VALUE strings of a /proc/PID/environ read whole into ENV (LEN
 * bytes, then a NUL), into E; ENV may be NULL.  The container wrote them:
 * tests/fuzz/fuzz_proc.c runs this.
 */
void
enter_environ(struct enter_env *e, char *env, size_t len)
{
	char	*p;

	for (p = env; p != NULL && p < env + len; p += strlen(p) + 1)
		if (*p != '=' && strchr(p, '=') != NULL)
			env_put(e, p);
}

/*
 * Its environment, then the caller's TERM, then login(1)'s variables
 * from its passwd, then --env.
 */
static char **
enter_env(const struct enter_opts *o, const struct enter_state *s,
    const struct enter_user *u)
{
	struct enter_env	 e = { NULL, 0, 0 };
	const char		*term = getenv("TERM");
	size_t			 i;

	enter_environ(&e, s->env, s->envlen);
	if (term != NULL)
		env_set(&e, "TERM", term);
	env_set(&e, "HOME", u->home);
	env_set(&e, "SHELL", u->shell);
	if (u->found) {
		env_set(&e, "USER", u->name);
		env_set(&e, "LOGNAME", u->name);
	}
	env_set(&e, "PATH", u->uid == 0 ? "/usr/local/sbin:/usr/local/bin:"
	    "/usr/sbin:/usr/bin:/sbin:/bin" : "/usr/local/bin:/usr/bin:/bin");
	for (i = 0; i < o->nenvadd; i++)
		env_put(&e, o->envadd[i]);
	return e.v;
}

/* CMD, or U's shell as a login shell ("-sh", login(1)). */
static ROOST_NORETURN void
enter_exec(const struct enter_opts *o, const struct enter_user *u,
    char **env, int slave)
{
	const char	*file = o->argv[0], *base;
	char		*login[2], **argv = o->argv;
	int		 e;

	if (file == NULL) {
		base = strrchr(u->shell, '/');
		if (asprintf(&login[0], "-%s", base != NULL ? base + 1 :
		    u->shell) == -1)
			roost_err("cannot allocate");
		login[1] = NULL;
		argv = login;
		file = u->shell;
	}
	if (slave != -1)
		pty_attach(slave);
	ns_restore_signals();
	environ = env;		/* execvp searches this PATH */
	(void)execvp(file, argv);
	e = errno;
	roost_warnx("%s: %s", file, strerror(e));
	_exit(e == EACCES ? 126 : 127);
}

/* In its namespaces: join its cgroup, root, ids, environment; exec. */
static ROOST_NORETURN void
enter_child(const struct enter_opts *o, const struct enter_state *s)
{
	struct enter_user	 u;
	char			**env;
	int			 keep = -1, master;

	/* "0" is the writer (cgroups(7)); refused: no matter. */
	if (s->cgfd != -1 && write(s->cgfd, "0", 1) != 1)
		errno = 0;
	roost_drop_ctty();
	enter_root(s, o->cwd);
	/* A pty of the container's devpts, its master for the parent. */
	if (s->ptysock != -1) {
		master = pty_open(&keep);
		if (roost_send_fd(s->ptysock, 'p', master) == -1)
			roost_err("cannot hand over the pty");
		(void)close(master);
		(void)close(s->ptysock);
	}
	/*
	 * Nothing the caller had open goes further but stdio: a descriptor
	 * of a host directory would be a way out of its root (as in roost
	 * run), and its files, read next, could name ours as /proc/self/fd/N.
	 */
	roost_close_fds(&keep, 1);
	enter_passwd(o->uid != NULL ? o->uid : "0", &u);
	if (o->gid != NULL)
		u.gid = enter_group(o->gid);
	env = enter_env(o, s, &u);
	/* Its terminal is the user's, as login(1) would make it. */
	if (keep != -1 && fchown(keep, u.uid, (gid_t)-1) == -1)
		roost_err("cannot give the pty to uid %u", (unsigned int)u.uid);
	enter_become(s, &u);
	enter_exec(o, &u, env, keep);
}

/*
 * Run O's command in T; returns its status (roost_status), or exits 1
 * after saying why.  Shared with roost exec.
 */
int
enter_run(struct target *t, const struct enter_opts *o)
{
	struct enter_state	 s;
	pid_t			 pid;
	int			 sv[2] = { -1, -1 };

	enter_take(t, &s);
	s.ptysock = -1;
	/*
	 * Once in its user namespace, the container's root could trace us
	 * while we hold the host's fds, as with runc's CVE-2019-5736; not
	 * dumpable, only the host's root may (ptrace(2)).  The exec makes
	 * the command dumpable again, with those fds closed.
	 */
	if (prctl(PR_SET_DUMPABLE, 0) == -1)
		roost_err("prctl");
	enter_setns(t, &s);
	/*
	 * Its environ is mode 0400 and its owner's, a uid of the container:
	 * readable once we have CAP_DAC_READ_SEARCH in its user namespace.
	 */
	s.env = o->clear_env ? NULL :
	    enter_slurp(t->procfd, "environ", ENTER_ENV_MAX, &s.envlen);
	/*
	 * setns(2) moves only our children into its pid and time namespaces.
	 * The child shares our memory until it execs (vfork(2)), as nothing
	 * of ours is left to copy: it only ever execs or _exits, and we only
	 * wait.  A child in another time namespace may not (clone(2)).
	 */
	/* With a pty, always: the parent relays. */
	if (o->pty && socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0,
	    sv) == -1)
		roost_err("socketpair");
	if (o->pty || (s.flags & (CLONE_NEWPID | CLONE_NEWTIME))) {
		ns_block_signals();
		pid = (s.flags & CLONE_NEWTIME) ? fork() : vfork();
		if (pid == -1)
			roost_err("fork");
		if (pid > 0) {
			target_close(t);
			(void)close(s.pidfd);
			if (!o->pty)
				return ns_wait(pid, -1);
			(void)close(sv[1]);
			return pty_wait(pid, -1, sv[0]);
		}
		s.ptysock = sv[1];
	}
	enter_child(o, &s);
}

int
cmd_enter(int argc, char **argv)
{
	struct enter_opts	 o;
	struct target		 t;
	const char		*name;

	memset(&o, 0, sizeof(o));
	name = enter_parse(argc, argv, &o);
	o.pty = pty_wanted(o.ttyopt);
	target_find(&t, name);
	return enter_run(&t, &o);
}
