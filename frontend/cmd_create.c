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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "roost.h"

const char create_usage[] =
"usage: roost create NAME (--from-tar FILE | --from-dir DIR)\n"
"  --from-tar FILE      unpack FILE (any tar(1) format; - for stdin)\n"
"  --from-dir DIR       copy DIR; what you own becomes root's inside\n"
"  -h, --help           show this help\n";

enum {
	OPT_TAR = 256, OPT_DIR
};

static const struct option create_options[] = {
	{ "from-tar",	required_argument,	NULL,	OPT_TAR },
	{ "from-dir",	required_argument,	NULL,	OPT_DIR },
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

/* Copy DIR inside the namespace: tar to tar, the caller's ids made 0. */
static int
create_copy(int namefd, int rootfd, const char *dir)
{
	static char	 sh[] = "sh", c[] = "-c", script[] =
	    "tar -C \"$1\" -cf - --numeric-owner --owner-map=../uid-map "
	    "--group-map=../gid-map . | tar -xpf - --numeric-owner";
	char		*argv[6], *abs;
	struct map_plan	 m;
	int		 st;

	if ((abs = realpath(dir, NULL)) == NULL)
		roost_err("%s", dir);
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
	st = store_userns(argv, rootfd, -1);
	(void)unlinkat(namefd, "uid-map", 0);
	(void)unlinkat(namefd, "gid-map", 0);
	free(abs);
	return st;
}

static int
create_unpack(int rootfd, const char *file)
{
	static char	 tar[] = "tar", x[] = "-xpf", in[] = "-",
			 numeric[] = "--numeric-owner";
	char		*argv[] = { tar, x, in, numeric, NULL };
	int		 fd, st;

	if (strcmp(file, "-") == 0)
		fd = dup(STDIN_FILENO);
	else
		fd = open(file, O_RDONLY | O_CLOEXEC);
	if (fd == -1)
		roost_err("%s", file);
	st = store_userns(argv, rootfd, fd);
	(void)close(fd);
	return st;
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
create_parse(int argc, char **argv, const char **tarfile, const char **dir)
{
	int	 c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", create_options,
	    NULL)) != -1) {
		if (c == OPT_TAR)
			*tarfile = optarg;
		else if (c == OPT_DIR)
			*dir = optarg;
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
	if ((*tarfile == NULL) == (*dir == NULL))
		roost_usage("one of --from-tar and --from-dir is needed");
}

int
cmd_create(int argc, char **argv)
{
	const char	*tarfile = NULL, *dir = NULL, *name;
	int		 base, namefd, rootfd, st;

	create_parse(argc, argv, &tarfile, &dir);
	name = argv[optind];
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
	st = dir != NULL ? create_copy(namefd, rootfd, dir) :
	    create_unpack(rootfd, tarfile);
	if (st != 0) {
		roost_warnx("%s: could not %s %s; removed", name,
		    dir != NULL ? "copy" : "unpack", dir != NULL ? dir :
		    tarfile);
		(void)store_remove(base, name);
		return st;
	}
	create_info(namefd, dir != NULL ? "dir" : "tar",
	    dir != NULL ? dir : tarfile);
	return 0;
}
