/*
 * cmd_create.c: roost create, a stored container (store.c) made from a
 * tarball or a directory tree, for `roost run NAME`.
 *
 * Nothing is chowned: tar runs as root of a user namespace with the
 * caller's full map, so each file is created by the kernel with the host
 * id its archived owner maps to, and files the caller could not make as
 * itself (root's, a daemon's) land in the caller's granted range.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "roost.h"

const char create_usage[] =
"usage: roost create [-q] NAME (--from-tar FILE | --from-dir DIR)\n"
"  --from-tar FILE      unpack FILE (any tar(1) format; - for stdin)\n"
"  --from-dir DIR       copy DIR; what you own becomes root's inside\n"
"  -q, --quiet          no progress on a terminal\n"
"  -h, --help           show this help\n";

enum {
	OPT_TAR = 256, OPT_DIR
};

static const struct option create_options[] = {
	{ "from-tar",	required_argument,	NULL,	OPT_TAR },
	{ "from-dir",	required_argument,	NULL,	OPT_DIR },
	{ "quiet",	no_argument,		NULL,	'q' },
	{ "help",	no_argument,		NULL,	'h' },
	{ NULL,		0,			NULL,	0 }
};

/*
 * An owner map for tar --owner-map / --group-map: the inside id the
 * caller's ID has under --map auto becomes 0.
 */
static void
create_idmap(int dirfd, const char *file, const struct idmap_extent *x,
    size_t n, uint32_t id)
{
	char	 line[64];
	size_t	 i;
	int	 fd;

	for (i = 0; i < n; i++)
		if (id >= x[i].outside && id - x[i].outside < x[i].count)
			break;
	(void)snprintf(line, sizeof(line), "+%u root:0\n", i < n ?
	    x[i].inside + (id - x[i].outside) : 0);
	fd = openat(dirfd, file, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd == -1 || roost_write_all(fd, line, strlen(line)) == -1)
		roost_err("%s", file);
	(void)close(fd);
}

/* "roost: create: NAME: 12.3 MiB (45%)", over itself on the terminal. */
static void
create_progress(const char *name, unsigned long long done, off_t size,
    const char *end)
{
	if (size > 0)
		(void)fprintf(stderr, "\rroost: create: %s: %.1f MiB (%llu%%)%s",
		    name, done / 1048576.0, done * 100 / (unsigned long long)size,
		    end);
	else
		(void)fprintf(stderr, "\rroost: create: %s: %.1f MiB%s", name,
		    done / 1048576.0, end);
}

/*
 * Feed tar: copy SRC (FROM) to DST, tar's stdin, until SRC ends or tar goes
 * away (its status then tells), with a progress line on a terminal, in
 * percent when SIZE is known (> 0).  Returns 0, or -1 if SRC could not be
 * read (reported).  The caller's copy and unpack return 1 if this or tar
 * failed.
 */
static int
create_feed(int src, int dst, off_t size, const char *name, const char *from,
    int progress)
{
	struct pollfd		 pfd[2] = { { src, POLLIN, 0 }, { dst, 0, 0 } };
	struct timespec		 now, last = { 0, 0 };
	unsigned long long	 done = 0;
	static char		 buf[1 << 16];
	void			(*pipe_was)(int);
	ssize_t			 n;
	int			 ret = 0;

	pipe_was = signal(SIGPIPE, SIG_IGN);	/* tar gone: EPIPE, not death */
	for (;;) {
		if (poll(pfd, 2, -1) == -1) {
			if (errno == EINTR)
				continue;
			roost_err("poll");
		}
		if (pfd[1].revents != 0)	/* POLLERR: no reader left */
			break;
		if ((n = read(src, buf, sizeof(buf))) == -1) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			roost_warnx("%s: %s", from, strerror(errno));
			ret = -1;
			break;
		}
		if (n == 0 || roost_write_all(dst, buf, (size_t)n) == -1)
			break;
		done += (unsigned long long)n;
		(void)clock_gettime(CLOCK_MONOTONIC, &now);
		if (progress && (now.tv_sec - last.tv_sec) * 1000 +
		    (now.tv_nsec - last.tv_nsec) / 1000000 >= 250) {
			last = now;
			create_progress(name, done, size, "");
		}
	}
	(void)signal(SIGPIPE, pipe_was);
	if (progress)
		create_progress(name, done, size, "\n");
	return ret;
}

/*
 * Copy DIR inside the namespace, tar to tar through create_feed, the
 * caller's ids made 0.  Either tar failing fails the copy.
 */
static int
create_copy(int namefd, int rootfd, char *abs, const char *name,
    int progress)
{
	static char	 sh[] = "sh", c[] = "-c", script[] =
	    "tar -C \"$1\" -cf - --numeric-owner --owner-map=../uid-map "
	    "--group-map=../gid-map . >&3 3>&- & exec 3>&-; "
	    "tar -xpf - --numeric-owner; x=$?; wait $! || exit 1; exit $x";
	char		*argv[6];
	struct map_plan	 m;
	int		 out[2], in[2], st;

	memset(&m, 0, sizeof(m));
	map_resolve(&m);
	create_idmap(namefd, "uid-map", m.u, m.nu, getuid());
	create_idmap(namefd, "gid-map", m.g, m.ng, getgid());
	argv[0] = sh;
	argv[1] = c;
	argv[2] = script;
	argv[3] = sh;
	argv[4] = abs;
	argv[5] = NULL;
	if (pipe2(out, O_CLOEXEC) == -1 || pipe2(in, O_CLOEXEC) == -1)
		roost_err("pipe");
	store_start(argv, rootfd, in[0], out[1]);
	(void)close(in[0]);
	(void)close(out[1]);
	st = create_feed(out[0], in[1], 0, name, abs, progress);
	(void)close(out[0]);
	(void)close(in[1]);
	st = store_wait() != 0 || st != 0;
	(void)unlinkat(namefd, "uid-map", 0);
	(void)unlinkat(namefd, "gid-map", 0);
	return st;
}

static int
create_unpack(int rootfd, int fd, off_t size, const char *file,
    const char *name, int progress)
{
	static char	 tar[] = "tar", x[] = "-xpf", in[] = "-",
			 numeric[] = "--numeric-owner";
	char		*argv[] = { tar, x, in, numeric, NULL };
	int		 p[2], st;

	if (pipe2(p, O_CLOEXEC) == -1)
		roost_err("pipe");
	store_start(argv, rootfd, p[0], -1);
	(void)close(p[0]);
	st = create_feed(fd, p[1], size, name, file, progress);
	(void)close(p[1]);
	return store_wait() != 0 || st != 0;
}

static void
create_info(int namefd, const char *how, const char *from)
{
	char	*s;
	int	 fd, n;

	n = asprintf(&s, "source=%s:%s\ncreated=%lld\n", how, from,
	    (long long)time(NULL));
	if (n == -1)
		roost_err("cannot allocate");
	fd = openat(namefd, "info", O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
	    0644);
	if (fd == -1 || roost_write_all(fd, s, n) == -1)
		roost_err("info");
	(void)close(fd);
	free(s);
}

static void
create_parse(int argc, char **argv, const char **tarfile, const char **dir,
    int *quiet)
{
	int	 c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":hq", create_options,
	    NULL)) != -1) {
		if (c == OPT_TAR)
			*tarfile = optarg;
		else if (c == OPT_DIR)
			*dir = optarg;
		else if (c == 'q')
			*quiet = 1;
		else if (c == 'h') {
			(void)fputs(create_usage, stdout);
			roost_exit(0);
		} else
			roost_bad_option(c, argv);
	}
	if (optind >= argc)
		roost_usage("no container name given");
	if (optind + 1 < argc)
		roost_usage("unexpected argument '%s'", argv[optind + 1]);
	if (!state_name_ok(argv[optind]))
		roost_usage("%s: invalid container name", argv[optind]);
	if (*tarfile != NULL && *dir != NULL)
		roost_usage("--from-tar and --from-dir: one or the other");
	if (*tarfile == NULL && *dir == NULL)
		roost_usage("one of --from-tar and --from-dir is needed");
}

int
cmd_create(int argc, char **argv)
{
	const char	*tarfile = NULL, *dir = NULL, *name;
	char		*abs = NULL;
	struct stat	 sb;
	off_t		 size = 0;
	int		 base, namefd, rootfd, fd = -1, st, quiet = 0, progress;

	create_parse(argc, argv, &tarfile, &dir, &quiet);
	progress = !quiet && isatty(STDERR_FILENO);
	name = argv[optind];
	/* The source first: a bad one must leave nothing behind. */
	if (dir != NULL && (abs = realpath(dir, NULL)) == NULL)
		roost_err("%s", dir);
	if (tarfile != NULL) {
		fd = strcmp(tarfile, "-") == 0 ? dup(STDIN_FILENO) :
		    open(tarfile, O_RDONLY | O_CLOEXEC);
		if (fd == -1 || fstat(fd, &sb) == -1)
			roost_err("%s", tarfile);
		size = S_ISREG(sb.st_mode) ? sb.st_size : 0;
	}
	base = store_open(1);
	if (mkdirat(base, name, 0700) == -1) {
		if (errno == EEXIST)
			roost_errx("%s: already exists", name);
		roost_err("%s", name);
	}
	namefd = openat(base, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC);
	if (namefd == -1 || mkdirat(namefd, "rootfs", 0755) == -1 ||
	    (rootfd = openat(namefd, "rootfs", O_RDONLY | O_DIRECTORY |
	    O_NOFOLLOW | O_CLOEXEC)) == -1)
		roost_err("%s", name);
	st = abs != NULL ? create_copy(namefd, rootfd, abs, name, progress) :
	    create_unpack(rootfd, fd, size, tarfile, name, progress);
	if (st != 0) {
		roost_warnx("%s: could not %s %s; removed", name,
		    dir != NULL ? "copy" : "unpack", dir != NULL ? dir :
		    tarfile);
		(void)store_remove(base, name);
		return st;
	}
	create_info(namefd, dir != NULL ? "dir" : "tar",
	    dir != NULL ? dir : tarfile);
	free(abs);
	if (fd != -1)
		(void)close(fd);
	return 0;
}
