/*
 * cmd_run.c: roost run, a command in a new container.
 *
 * The parent clones the container's first process into new namespaces,
 * has its ids mapped and its veths made (net.c), records it if named,
 * releases it and waits.  The child configures its end of the veths,
 * builds the file system, pivots into it and runs the command under a
 * small pid 1 (init.c).  With -d a monitor process, in a session of its
 * own, takes the parent's place and the caller returns once the command
 * has been exec'd.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "roost.h"

const char run_usage[] =
"usage: roost run [--rootfs DIR [--no-idmap]] [--bind SRC:DST[:ro]]...\n"
"                 [--name NAME] [-d | --detach] [--hostname NAME]\n"
"                 [--net SPEC]...\n"
"                 [--ns LIST] [--map auto|MAP]... [--uid UID] [--gid GID]\n"
"                 [--env KEY=VALUE]... [-t | -T] [--] CMD [ARG...]\n"
"  --rootfs DIR         root file system (default: an empty tmpfs); if\n"
"                       it is yours, idmapped to show as root's inside\n"
"  --no-idmap           use the --rootfs DIR as it is, not idmapped\n"
"  --bind SRC:DST[:ro]  mount SRC at DST too (:ro, not writable)\n"
"  --name NAME          record the container as NAME (see roost ls)\n"
"  -d, --detach         run in the background and print the name\n"
"  --hostname NAME      host name (default: --name, the stored\n"
"                       container's name, or roost)\n"
"  --net SPEC           none: a network namespace with only lo (the\n"
"                       default); host: the host's network;\n"
"                       bridge:BR[,name=IF][,addr=ADDR/LEN]...[,gw=ADDR]:\n"
"                       a veth on bridge BR; routed:ADDR[/LEN][,ADDR...]\n"
"                       [,name=IF]: a veth the host routes ADDR to\n"
"  --ns LIST            the namespaces, a comma list of user, mnt, pid,\n"
"                       ipc, uts, net, cgroup (default: all)\n"
"  --map auto|MAP       the id map: all ids the policy grants you (auto),\n"
"                       or extents u:INSIDE:OUTSIDE:COUNT and g:...\n"
"  --uid UID            run CMD as UID inside (default 0)\n"
"  --gid GID            run CMD as GID inside (default 0)\n"
"  --env KEY=VALUE      set KEY in the container's environment\n"
"  -t, --tty            give CMD a terminal of the container's own (the\n"
"                       default when stdin and stdout are terminals)\n"
"  -T, --no-tty         never: CMD gets roost's stdin, stdout, stderr\n"
"  -h, --help           show this help\n";

#define RUN_ALL_NS	(CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWIPC | \
			 CLONE_NEWUTS | CLONE_NEWNET | CLONE_NEWCGROUP)

enum {
	OPT_ROOTFS = 256, OPT_BIND, OPT_NAME, OPT_HOSTNAME, OPT_NET, OPT_NS,
	OPT_MAP, OPT_UID, OPT_GID, OPT_ENV, OPT_NO_IDMAP
};

static const struct option run_options[] = {
	{ "rootfs",	required_argument,	NULL,	OPT_ROOTFS },
	{ "no-idmap",	no_argument,		NULL,	OPT_NO_IDMAP },
	{ "bind",	required_argument,	NULL,	OPT_BIND },
	{ "name",	required_argument,	NULL,	OPT_NAME },
	{ "detach",	no_argument,		NULL,	'd' },
	{ "hostname",	required_argument,	NULL, OPT_HOSTNAME },
	{ "net",	required_argument,	NULL,	OPT_NET },
	{ "ns",		required_argument,	NULL,	OPT_NS },
	{ "map",	required_argument,	NULL,	OPT_MAP },
	{ "uid",	required_argument,	NULL,	OPT_UID },
	{ "gid",	required_argument,	NULL,	OPT_GID },
	{ "env",	required_argument,	NULL,	OPT_ENV },
	{ "tty",	no_argument,		NULL,	't' },
	{ "no-tty",	no_argument,		NULL,	'T' },
	{ "help",	no_argument,		NULL,	'h' },
	{ NULL,		0,			NULL,	0 }
};

static const struct {
	const char	*name;
	int		 flag;
} ns_names[] = {
	{ "user",	CLONE_NEWUSER },
	{ "mnt",	CLONE_NEWNS },
	{ "pid",	CLONE_NEWPID },
	{ "ipc",	CLONE_NEWIPC },
	{ "uts",	CLONE_NEWUTS },
	{ "net",	CLONE_NEWNET },
	{ "cgroup",	CLONE_NEWCGROUP },
};

struct run_opts {
	const char	*rootfs;
	int		 no_idmap;
	int		 idmap;		/* rootfs is ours: try idmap_begin */
	struct bind	*binds;
	size_t		 nbinds;
	const char	*name;
	char		 genname[32];
	int		 detach;
	const char	*hostname;
	const char	*stored;	/* roost run NAME: the stored NAME */
	struct net_plan	 net;
	int		 nsflags;
	struct map_plan	 map;
	uint32_t	 uid;
	uint32_t	 gid;
	int		 setids;
	char		**envadd;
	size_t		 nenvadd;
	char		**env;
	char		**argv;
	int		 statefd;
	int		 status[2];	/* from pid 1 to the parent */
	int		 ttyopt;	/* -t 1, -T -1, else 0 */
	int		 pty;		/* the command gets a pty (pty.c) */
	int		 ptysock[2];	/* its master, from the child */
	int		 unshare_errno;
};

static struct run_opts	 opts;
static struct ns_child	 child = { -1, -1, -1 };
static pid_t		 claimed;

/* roost_cleanup in the parent: no half-made container is left behind. */
static void
run_abort(void)
{
	ns_kill(&child);
	if (claimed > 0)
		state_drop(opts.statefd, opts.name, claimed);
}

static void *
run_grow(void *p, size_t n, size_t size)
{
	if ((p = reallocarray(p, n, size)) == NULL)
		roost_err("cannot allocate");
	return p;
}

/* SRC:DST[:ro]; DST is absolute, and neither may contain ':'. */
static void
run_add_bind(struct run_opts *o, char *arg)
{
	struct bind	*b;
	char		*dst, *ro;

	o->binds = run_grow(o->binds, o->nbinds + 1, sizeof(*o->binds));
	b = &o->binds[o->nbinds++];
	memset(b, 0, sizeof(*b));
	b->srcfd = -1;
	if ((dst = strchr(arg, ':')) == NULL || dst == arg || dst[1] != '/')
		roost_usage("--bind: SRC:DST[:ro] expected, got '%s'", arg);
	if ((ro = strchr(dst + 1, ':')) != NULL) {
		if (strcmp(ro, ":ro") != 0)
			roost_usage("--bind: SRC:DST[:ro] expected, got '%s'",
			    arg);
		*ro = '\0';
		b->ro = 1;
	}
	*dst++ = '\0';
	b->src = arg;
	b->dst = dst;
}

static int
run_ns_list(const char *list)
{
	char	*copy, *p, *save = NULL;
	size_t	 i;
	int	 flags = 0;

	if ((copy = strdup(list)) == NULL)
		roost_err("cannot allocate");
	if (*copy == '\0' || copy[strlen(copy) - 1] == ',')
		roost_usage("--ns: bad namespace list '%s'", list);
	for (p = strtok_r(copy, ",", &save); p != NULL;
	    p = strtok_r(NULL, ",", &save)) {
		for (i = 0; i < sizeof(ns_names) / sizeof(ns_names[0]); i++)
			if (strcmp(p, ns_names[i].name) == 0)
				break;
		if (i == sizeof(ns_names) / sizeof(ns_names[0]))
			roost_usage("--ns: unknown namespace '%s'", p);
		flags |= ns_names[i].flag;
	}
	free(copy);
	return flags & ~CLONE_NEWUSER;
}

static void
run_id(const char *opt, const char *arg, uint32_t *id)
{
	if (roost_parse_id(arg, id) == -1)
		roost_usage("%s: invalid id '%s'", opt, arg);
	opts.setids = 1;
}

static void
run_option(struct run_opts *o, int c, char **argv)
{
	switch (c) {
	case OPT_ROOTFS:
		o->rootfs = optarg;
		break;
	case OPT_NO_IDMAP:
		o->no_idmap = 1;
		break;
	case OPT_BIND:
		run_add_bind(o, optarg);
		break;
	case OPT_NAME:
		o->name = optarg;
		break;
	case 'd':
		o->detach = 1;
		break;
	case OPT_HOSTNAME:
		o->hostname = optarg;
		break;
	case OPT_NET:
		net_parse(&o->net, optarg);
		break;
	case OPT_NS:
		o->nsflags = run_ns_list(optarg);
		break;
	case OPT_MAP:
		map_add_arg(&o->map, optarg);
		break;
	case OPT_UID:
		run_id("--uid", optarg, &o->uid);
		break;
	case OPT_GID:
		run_id("--gid", optarg, &o->gid);
		break;
	case OPT_ENV:
		if (strchr(optarg, '=') == NULL || *optarg == '=')
			roost_usage("--env: KEY=VALUE expected, got '%s'",
			    optarg);
		o->envadd = run_grow(o->envadd, o->nenvadd + 1,
		    sizeof(*o->envadd));
		o->envadd[o->nenvadd++] = optarg;
		break;
	case 't':
		o->ttyopt = 1;
		break;
	case 'T':
		o->ttyopt = -1;
		break;
	case 'h':
		(void)fputs(run_usage, stdout);
		roost_exit(0);
	default:
		roost_bad_option(c, argv);
	}
}

static void
run_parse(int argc, char **argv, struct run_opts *o)
{
	int	 c;

	o->nsflags = RUN_ALL_NS;
	o->statefd = o->status[0] = o->status[1] = -1;
	o->ptysock[0] = o->ptysock[1] = -1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:dhtT", run_options, NULL)) !=
	    -1)
		run_option(o, c, argv);
	o->argv = argv + optind;
}

/*
 * roost run NAME [CMD...]: a stored container's rootfs (roost create),
 * when no --rootfs is given and NAME is not an existing path.
 */
static void
run_stored(struct run_opts *o)
{
	static char	 sh[] = "/bin/sh";
	static char	*shell[] = { sh, NULL };
	struct stat	 st;
	char		*rootfs;

	if (o->rootfs != NULL || o->argv[0] == NULL ||
	    lstat(o->argv[0], &st) == 0 ||
	    (rootfs = store_rootfs(o->argv[0])) == NULL)
		return;
	o->rootfs = rootfs;
	/* Its files are owned by the mapped ids already (store.c). */
	o->no_idmap = 1;
	o->stored = *o->argv++;
	if (o->argv[0] != NULL && strcmp(o->argv[0], "--") == 0)
		o->argv++;
	if (o->argv[0] == NULL)
		o->argv = shell;
}

/* What the options say together, checked before anything is made. */
static void
run_check(struct run_opts *o)
{
	run_stored(o);
	if (o->argv[0] == NULL)
		roost_usage("no command given");
	net_check(&o->net, &o->nsflags);
	if (o->name != NULL && !state_name_ok(o->name))
		roost_usage("%s: invalid container name", o->name);
	if ((o->rootfs != NULL || o->nbinds > 0) &&
	    !(o->nsflags & CLONE_NEWNS))
		roost_usage("--rootfs and --bind need the mnt namespace");
	if (o->hostname != NULL && !(o->nsflags & CLONE_NEWUTS))
		roost_usage("--hostname needs the uts namespace");
	if (o->hostname == NULL)
		o->hostname = o->name != NULL ? o->name :
		    o->stored != NULL ? o->stored : "roost";
	if (*o->hostname == '\0' || strlen(o->hostname) > 64)
		roost_usage("--hostname: invalid host name '%s'",
		    o->hostname);
}

/*
 * Look at the rootfs and the bind sources now, as the caller, so that a
 * bad path is reported before anything is created.
 */
static void
run_paths(struct run_opts *o)
{
	struct stat	 st;
	size_t		 i;

	if (o->rootfs != NULL && stat(o->rootfs, &st) == -1)
		roost_err("%s", o->rootfs);
	if (o->rootfs != NULL && !S_ISDIR(st.st_mode)) {
		errno = ENOTDIR;
		roost_err("%s", o->rootfs);
	}
	/* An explicit --map says what the ids are: no second mapping. */
	if (o->rootfs != NULL)
		o->idmap = !o->no_idmap && !o->map.explicit &&
		    st.st_uid == getuid();
	for (i = 0; i < o->nbinds; i++) {
		if (stat(o->binds[i].src, &st) == -1)
			roost_err("%s", o->binds[i].src);
		o->binds[i].isdir = S_ISDIR(st.st_mode);
	}
}

/* Later entries replace earlier ones with the same KEY. */
static void
env_set(char **env, size_t *n, char *kv)
{
	size_t	 i, klen = strcspn(kv, "=") + 1;

	for (i = 0; i < *n; i++)
		if (strncmp(env[i], kv, klen) == 0) {
			env[i] = kv;
			return;
		}
	env[(*n)++] = kv;
}

/* A clean environment: nothing of the caller's but TERM. */
static void
run_env(struct run_opts *o)
{
	static char	 path[] = "PATH=/usr/local/sbin:/usr/local/bin:"
			     "/usr/sbin:/usr/bin:/sbin:/bin";
	static char	 home_root[] = "HOME=/root", home_other[] = "HOME=/";
	static char	 container[] = "container=roost";
	const char	*term = getenv("TERM");
	char		*t;
	size_t		 i, n = 0;

	o->env = run_grow(NULL, o->nenvadd + 5, sizeof(*o->env));
	o->env[n++] = path;
	o->env[n++] = o->uid == 0 ? home_root : home_other;
	if (term != NULL) {
		if (asprintf(&t, "TERM=%s", term) == -1)
			roost_err("cannot allocate");
		o->env[n++] = t;
	}
	o->env[n++] = container;
	for (i = 0; i < o->nenvadd; i++)
		env_set(o->env, &n, o->envadd[i]);
	o->env[n] = NULL;
}

/* Detached: the container keeps the caller's stderr for errors only. */
static void
run_quiet(int null)
{
	if ((roost_err_fd = fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, 3)) == -1)
		roost_err_fd = STDERR_FILENO;
	if (dup2(null, STDIN_FILENO) == -1 || dup2(null, STDOUT_FILENO) == -1 ||
	    dup2(null, STDERR_FILENO) == -1)
		roost_err("/dev/null");
	(void)close(null);
}

/*
 * A clean start: no signal the caller ignored (a shell's background job
 * ignores SIGINT and SIGQUIT) stays ignored in the container.
 */
static void
run_default_signals(void)
{
	int	 sig;

	for (sig = 1; sig < NSIG; sig++)
		if (sig != SIGKILL && sig != SIGSTOP)
			(void)signal(sig, SIG_DFL);
}

/*
 * Before our ids are mapped, while the parent has them mapped: what needs
 * only the capabilities the clone gave us.  Failures here are retried,
 * and reported, by run_setup().
 */
static void
run_prepare(struct run_opts *o, struct mnt_req *r, int *netdone,
    int *utsdone)
{
	*netdone = *utsdone = 0;
	/*
	 * The namespaces other than user and pid are made here, not by the
	 * clone: a network namespace alone takes most of a millisecond, now
	 * spent while the helper runs.  They are owned by our new user
	 * namespace all the same.
	 */
	if (unshare(o->nsflags & ~CLONE_NEWPID) == -1) {
		o->unshare_errno = errno;
		net_ready(&o->net, child.release, 0);
		return;
	}
	net_ready(&o->net, child.release, 1);
	*netdone = (o->nsflags & CLONE_NEWNET) && ns_lo_up() == 0;
	*utsdone = (o->nsflags & CLONE_NEWUTS) &&
	    sethostname(o->hostname, strlen(o->hostname)) == 0;
	if (o->nsflags & CLONE_NEWNS) {
		*r = (struct mnt_req){
			.rootfs = o->rootfs,
			.binds = o->binds,
			.nbinds = o->nbinds,
			.newpid = !!(o->nsflags & CLONE_NEWPID),
			.newnet = !!(o->nsflags & CLONE_NEWNET),
			.console = !o->detach && !o->pty &&
			    isatty(STDIN_FILENO),
			.idmap = o->idmap,
			.treefd = -1,
			.rootfd = -1,
		};
		mnt_prepare(r);
	}
}

static void
run_setup(struct run_opts *o, struct mnt_req *r, int netdone, int utsdone)
{
	if (o->unshare_errno != 0) {
		errno = o->unshare_errno;
		roost_err("cannot create namespaces");
	}
	if ((o->nsflags & CLONE_NEWNET) && !netdone && ns_lo_up() == -1)
		roost_err("cannot bring up lo");
	net_configure(&o->net);
	if ((o->nsflags & CLONE_NEWUTS) && !utsdone &&
	    sethostname(o->hostname, strlen(o->hostname)) == -1)
		roost_err("cannot set the host name");
	if (o->nsflags & CLONE_NEWNS)
		mnt_setup(r);
}

/*
 * In the container, built: a pty of its own for the command, its master
 * sent to the parent, which relays (pty_wait); *SLAVE for the command.
 */
static void
run_pty(struct run_opts *o, int *slave)
{
	unsigned int	 n;
	int		 master;

	master = pty_open(slave);
	if ((o->nsflags & CLONE_NEWNS) && ioctl(master, TIOCGPTN, &n) == 0)
		dev_console_pty(n);
	/* Its terminal is the user's, as login(1) would make it. */
	if (o->setids && fchown(*slave, o->uid, (gid_t)-1) == -1)
		roost_err("cannot give the pty to uid %u", (unsigned int)o->uid);
	if (roost_send_fd(o->ptysock[1], 'p', master) == -1)
		roost_err("cannot hand over the pty");
	(void)close(master);
	(void)close(o->ptysock[1]);
	o->ptysock[1] = -1;
}

/* The container's first process. */
static void
run_child(struct run_opts *o)
{
	struct mnt_req	 req;
	struct launch	 l;
	int		 keep[4], null = -1, netdone, utsdone, slave = -1;

	/*
	 * Nothing the caller had open goes in: a descriptor of a host
	 * directory would be a way out of the new root, and one held by
	 * pid 1 of a detached container would keep a pipe open for good.
	 */
	keep[0] = child.release;
	keep[1] = o->status[1];
	keep[2] = roost_fail_fd;
	keep[3] = o->ptysock[1];
	roost_close_fds(keep, 4);
	roost_drop_ctty();
	run_default_signals();
	if (o->detach &&
	    (null = open("/dev/null", O_RDWR | O_CLOEXEC)) == -1)
		roost_err("/dev/null");
	run_prepare(o, &req, &netdone, &utsdone);
	req.treefd = ns_await(&child);
	ns_become(0, 0);
	run_setup(o, &req, netdone, utsdone);
	if (o->detach)
		run_quiet(null);
	if (o->pty)
		run_pty(o, &slave);
	l = (struct launch){ .argv = o->argv, .env = o->env, .uid = o->uid,
	    .gid = o->gid, .setids = o->setids, .pty = slave };
	if (o->nsflags & CLONE_NEWPID)
		init_run(&l, o->status[1]);
	launch_exec(&l);
}

/* Map, record, release: the container starts running the caller's code. */
static void
run_start(struct run_opts *o)
{
	struct idmap_job	 ij;
	int			 tree = -1, idmap;

	roost_cleanup = run_abort;
	map_resolve(&o->map);
	idmap = o->idmap && idmap_begin(&ij, o->rootfs, &o->map) == 0;
	ns_map(&child, &o->map);
	if (idmap)
		tree = idmap_end(&ij);
	net_attach(&o->net, &child);
	if (o->name != NULL) {
		if (state_claim(o->statefd, o->name, child.procfd, child.pid,
		    o->argv) == -1)
			roost_fail();
		claimed = child.pid;
	}
	(void)close(child.procfd);
	ns_release_fd(&child, tree);
	if (tree != -1)
		(void)close(tree);
}

/* The container is gone, or its pid 1 is on its way out: forget it. */
static void
run_done(struct run_opts *o)
{
	child.pid = -1;
	roost_cleanup = NULL;
	if (claimed > 0)
		state_drop(o->statefd, o->name, claimed);
	claimed = 0;
}

/* Only the user and pid namespaces are the clone's: see run_prepare. */
static pid_t
run_clone(struct run_opts *o)
{
	pid_t	 pid;

	if ((o->nsflags & CLONE_NEWPID) && pipe2(o->status, O_CLOEXEC) == -1)
		roost_err("pipe");
	pid = ns_clone(o->nsflags & CLONE_NEWPID, &child);
	if (pid != 0 && o->status[1] != -1) {
		(void)close(o->status[1]);
		o->status[1] = -1;
	}
	return pid;
}

static int
run_foreground(struct run_opts *o)
{
	int	 st;

	ns_block_signals();
	if (o->pty && socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0,
	    o->ptysock) == -1)
		roost_err("socketpair");
	if (run_clone(o) == 0) {
		(void)close(o->ptysock[0]);
		run_child(o);
	}
	if (o->pty) {
		(void)close(o->ptysock[1]);
		o->ptysock[1] = -1;
	}
	run_start(o);
	st = o->pty ? pty_wait(child.pid, o->status[0], o->ptysock[0]) :
	    ns_wait(child.pid, o->status[0]);
	run_done(o);
	return st;
}

static void
run_tell(int fd, char what, int status)
{
	char	 msg[2] = { what, (char)status };

	(void)roost_write_all(fd, msg, 2);
	(void)close(fd);
}

/*
 * The monitor: parent of a detached container.  Set-up errors go to the
 * caller's stderr; once the command has been exec'd (the child's
 * close-on-exec pipe reaches end of file with nothing written) it tells
 * the caller, lets go of the caller's stdio and waits.
 */
static void
run_monitor(struct run_opts *o, int tell)
{
	char	 b;
	int	 ready[2], null, st;

	if (setsid() == -1)
		roost_err("setsid");
	if (o->name == NULL) {
		(void)snprintf(o->genname, sizeof(o->genname), "roost-%d",
		    (int)getpid());
		o->name = o->genname;
	}
	if (pipe2(ready, O_CLOEXEC) == -1)
		roost_err("pipe");
	ns_block_signals();
	if (run_clone(o) == 0) {
		roost_fail_fd = ready[1];
		run_child(o);
	}
	(void)close(ready[1]);
	run_start(o);
	if (read(ready[0], &b, 1) == 1) {
		st = ns_wait(child.pid, o->status[0]);
		run_done(o);
		run_tell(tell, 'x', st != 0 ? st : 1);
		_exit(1);
	}
	(void)close(ready[0]);
	if ((null = open("/dev/null", O_RDWR | O_CLOEXEC)) == -1 ||
	    dup2(null, STDIN_FILENO) == -1 || dup2(null, STDOUT_FILENO) == -1 ||
	    dup2(null, STDERR_FILENO) == -1 || chdir("/") == -1)
		roost_err("/dev/null");
	(void)close(null);
	run_tell(tell, 'o', 0);
	st = ns_wait(child.pid, o->status[0]);
	run_done(o);
	_exit(st);
}

static int
run_detached(struct run_opts *o)
{
	unsigned char	 msg[2];
	int		 p[2];
	pid_t		 mon;

	if (pipe2(p, O_CLOEXEC) == -1)
		roost_err("pipe");
	if ((mon = fork()) == -1)
		roost_err("fork");
	if (mon == 0) {
		(void)close(p[0]);
		run_monitor(o, p[1]);
	}
	(void)close(p[1]);
	if (o->name == NULL) {
		(void)snprintf(o->genname, sizeof(o->genname), "roost-%d",
		    (int)mon);
		o->name = o->genname;
	}
	/* End of file: the monitor failed, and said why. */
	if (roost_read_all(p[0], (char *)msg, 2) != 2)
		return 1;
	if (msg[0] != 'o')
		return msg[1] != 0 ? msg[1] : 1;
	(void)printf("%s\n", o->name);
	return 0;
}

int
cmd_run(int argc, char **argv)
{
	struct run_opts	*o = &opts;

	run_parse(argc, argv, o);
	run_check(o);
	map_check(&o->map);
	run_paths(o);
	run_env(o);
	if (o->name != NULL || o->detach)
		o->statefd = state_open(1);
	if (o->detach && o->ttyopt > 0)
		roost_usage("--tty: a detached container has no terminal to "
		    "relay to");
	if (o->detach)
		return run_detached(o);
	o->pty = pty_wanted(o->ttyopt);
	return run_foreground(o);
}
