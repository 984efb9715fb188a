/*
 * store.c: stored containers, ${XDG_DATA_HOME:-~/.local/share}/roost/NAME
 * with NAME/rootfs and NAME/info (XDG Base Directory Specification).
 *
 * The rootfs holds files owned by the caller's granted ids, which the
 * caller cannot touch as itself: it is written and removed by commands run
 * as root of a user namespace with the caller's full map (store_start),
 * so that ownership lands as `roost run --map auto` will see it.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "roost.h"

static struct ns_child	 child = { -1, -1, -1 };

static void
store_abort(void)
{
	ns_kill(&child);
}

/* The base directory's path; NULL if there is no home to put it in. */
static char *
store_base(void)
{
	const char	*data = getenv("XDG_DATA_HOME"), *home;
	struct passwd	*pw;
	char		*p;

	home = getenv("HOME");
	if ((home == NULL || *home != '/') && (pw = getpwuid(getuid())) != NULL)
		home = pw->pw_dir;
	/* The spec: a relative XDG_DATA_HOME is invalid and ignored. */
	if (data != NULL && *data == '/') {
		if (asprintf(&p, "%s/roost", data) == -1)
			roost_err("cannot allocate");
	} else if (home != NULL && *home == '/') {
		if (asprintf(&p, "%s/.local/share/roost", home) == -1)
			roost_err("cannot allocate");
	} else
		p = NULL;
	return p;
}

/* mkdir -p, each new directory mode 0700. */
static void
store_mkdirs(char *path)
{
	char	*s;

	for (s = path + 1; (s = strchr(s, '/')) != NULL; s++) {
		*s = '\0';
		if (mkdir(path, 0700) == -1 && errno != EEXIST)
			roost_err("%s", path);
		*s = '/';
	}
	if (mkdir(path, 0700) == -1 && errno != EEXIST)
		roost_err("%s", path);
}

/* The base directory, made if CREATE; -1 if it does not exist. */
int
store_open(int create)
{
	char	*base;
	int	 fd;

	if ((base = store_base()) == NULL) {
		if (!create)
			return -1;
		roost_errx("no home directory for the container store");
	}
	if (create)
		store_mkdirs(base);
	fd = open(base, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd == -1 && (create || errno != ENOENT))
		roost_err("%s", base);
	free(base);
	return fd;
}

/* NAME's rootfs path if NAME is a stored container, else NULL. */
char *
store_rootfs(const char *name)
{
	struct stat	 st;
	char		*base, *p;

	if (!state_name_ok(name) || (base = store_base()) == NULL)
		return NULL;
	if (asprintf(&p, "%s/%s/rootfs", base, name) == -1)
		roost_err("cannot allocate");
	free(base);
	if (lstat(p, &st) == -1 || !S_ISDIR(st.st_mode)) {
		free(p);
		return NULL;
	}
	return p;
}

/*
 * Start ARGV as root of a new user namespace with the caller's full map
 * (--map auto), in directory CWDFD, with stdin INFD and fd 3 FD3 where
 * not -1; store_wait() returns its status.  Signals stay blocked (and are
 * forwarded by store_wait) in between.
 */
void
store_start(char **argv, int cwdfd, int infd, int fd3)
{
	struct map_plan	 m;
	struct launch	 l;

	memset(&m, 0, sizeof(m));
	ns_block_signals();
	if (ns_clone(0, &child) == 0) {
		ns_await(&child);
		ns_become(0, 0);
		if (fchdir(cwdfd) == -1)
			roost_err("fchdir");
		if ((infd != -1 && dup2(infd, STDIN_FILENO) == -1) ||
		    (fd3 != -1 && dup2(fd3, 3) == -1))
			roost_err("dup2");
		l = (struct launch){ .argv = argv };
		launch_exec(&l);
	}
	roost_cleanup = store_abort;
	map_resolve(&m);
	ns_map(&child, &m);
	(void)close(child.procfd);
	ns_release(&child);
}

int
store_wait(void)
{
	int	 st;

	st = ns_wait(child.pid, -1);
	roost_cleanup = NULL;
	child.pid = -1;
	ns_restore_signals();
	return st;
}

static int
store_by_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

/*
 * roost ls: the stored containers after the running ones; with JSON, the
 * elements of the "stored" array (a valid name needs no escaping).
 */
void
store_ls(int json)
{
	struct dirent	**de;
	struct stat	  st;
	int		  fd, i, n, header = 0;

	if ((fd = store_open(0)) == -1)
		return;
	if ((n = scandirat(fd, ".", &de, NULL, store_by_name)) == -1)
		roost_err("cannot read the container store");
	for (i = 0; i < n; i++) {
		if (state_name_ok(de[i]->d_name) &&
		    fstatat(fd, de[i]->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
		    S_ISDIR(st.st_mode)) {
			if (json)
				(void)printf("%s{\"name\":\"%s\"}",
				    header++ ? "," : "", de[i]->d_name);
			else {
				if (!header++)
					(void)printf("\nSTORED\n");
				(void)printf("%s\n", de[i]->d_name);
			}
		}
		free(de[i]);
	}
	free(de);
	(void)close(fd);
}
