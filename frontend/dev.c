/*
 * dev.c: a minimal /dev on a tmpfs.  A user namespace may not create
 * device nodes (mknod(2) needs CAP_MKNOD in the initial namespace), so the
 * few harmless ones are bind-mounted from the host onto empty files.
 */
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "roost.h"

static const char *const dev_nodes[] = {
	"null", "zero", "full", "random", "urandom", "tty"
};

static const char *const dev_links[][2] = {
	{ "ptmx",	"pts/ptmx" },
	{ "fd",		"/proc/self/fd" },
	{ "stdin",	"/proc/self/fd/0" },
	{ "stdout",	"/proc/self/fd/1" },
	{ "stderr",	"/proc/self/fd/2" },
};

/* Bind the host's SRC onto a new empty file NAME in the cwd. */
static void
dev_bind(const char *src, const char *name)
{
	if (mknod(name, S_IFREG | 0644, 0) == -1 ||
	    mount(src, name, NULL, MS_BIND, NULL) == -1)
		roost_err("/dev/%s: cannot bind-mount %s", name, src);
}

/* The new tmpfs on /dev, entered: every name below is relative to it. */
static int
dev_enter(int rootfd)
{
	char	 path[32];
	int	 fd, devfd;

	fd = mnt_point(rootfd, "/dev", 1);
	if (mount("tmpfs", roost_fdpath(path, sizeof(path), fd), "tmpfs",
	    MS_NOSUID | MS_NOEXEC, "mode=0755") == -1)
		roost_err("/dev: cannot mount tmpfs");
	(void)close(fd);
	/* Open it again: the old fd is the directory now covered. */
	devfd = mnt_point(rootfd, "/dev", 1);
	if (fchdir(devfd) == -1)
		roost_err("/dev");
	return devfd;
}

/*
 * /dev/pts is a private devpts instance, so the container sees only its
 * own ptys; ptmxmode=0666 because the instance's ptmx is the one used.
 * /dev/shm is a tmpfs of its own, as POSIX shared memory expects.
 */
static void
dev_filesystems(void)
{
	if (mkdir("pts", 0755) == -1 ||
	    mount("devpts", "pts", "devpts", MS_NOSUID | MS_NOEXEC,
	    "newinstance,ptmxmode=0666,mode=620") == -1)
		roost_err("/dev/pts: cannot mount devpts");
	if (mkdir("shm", 01777) == -1 ||
	    mount("tmpfs", "shm", "tmpfs", MS_NOSUID | MS_NODEV,
	    "mode=1777") == -1)
		roost_err("/dev/shm: cannot mount tmpfs");
}

/* The caller's terminal, as the container's console. */
static void
dev_console(void)
{
	char	 tty[PATH_MAX];

	/* cppcheck-suppress uninitvar ; its posix.cfg takes buf as input */
	if (ttyname_r(STDIN_FILENO, tty, sizeof(tty)) != 0)
		return;
	dev_bind(tty, "console");
}

/*
 * In the container, its root ours: the command's pty (pty.c), number N
 * of its devpts, as its /dev/console, which the caller's terminal would
 * otherwise be.
 */
void
dev_console_pty(unsigned int n)
{
	char	 src[32];

	(void)snprintf(src, sizeof(src), "/dev/pts/%u", n);
	if (mknod("/dev/console", S_IFREG | 0644, 0) == -1 ||
	    mount(src, "/dev/console", NULL, MS_BIND, NULL) == -1)
		roost_err("/dev/console: cannot bind-mount %s", src);
}

void
dev_setup(int rootfd, int console)
{
	char	 src[32];
	size_t	 i;
	int	 devfd;

	devfd = dev_enter(rootfd);
	for (i = 0; i < sizeof(dev_nodes) / sizeof(dev_nodes[0]); i++) {
		(void)snprintf(src, sizeof(src), "/dev/%s", dev_nodes[i]);
		dev_bind(src, dev_nodes[i]);
	}
	dev_filesystems();
	for (i = 0; i < sizeof(dev_links) / sizeof(dev_links[0]); i++)
		if (symlink(dev_links[i][1], dev_links[i][0]) == -1)
			roost_err("/dev/%s", dev_links[i][0]);
	if (console)
		dev_console();
	(void)close(devfd);
}
