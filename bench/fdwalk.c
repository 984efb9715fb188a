/*
 * fdwalk.c: the floor and the stopwatch of bench/shift (see
 * bench/README.md).  Built by bench/shift into its scratch directory;
 * never installed.
 *
 *   fdwalk walk DIR
 *	The bare fd-relative walk that any tree walker pays, changing
 *	nothing: depth first, one directory fd a level, every entry
 *	fstatat(AT_SYMLINK_NOFOLLOW), every directory openat(O_RDONLY |
 *	O_DIRECTORY | O_NOFOLLOW) and read.  Never leaves DIR's file system.
 *	Prints "walk ENTRIES" (DIR itself not counted, as roost shift counts).
 *
 *   fdwalk time CMD [ARG...]
 *	Runs CMD (fork + execvp + wait) and prints
 *	"time MS MAXRSS_KB STATUS": wall time from fork to reaped, the largest
 *	resident set of CMD and every descendant it waited for
 *	(getrusage(RUSAGE_CHILDREN).ru_maxrss), and CMD's exit status.  Exits
 *	with CMD's status.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAXDEPTH	512

static unsigned long long	 entries;
static dev_t			 topdev;

static int
walk(int dfd, int depth)
{
	struct dirent	*de;
	struct stat	 st;
	DIR		*d;
	int		 fd, bad = 0;

	if ((d = fdopendir(dfd)) == NULL) {
		perror("fdwalk: fdopendir");
		(void)close(dfd);
		return 1;
	}
	for (;;) {
		errno = 0;
		if ((de = readdir(d)) == NULL) {
			if (errno != 0) {
				perror("fdwalk: readdir");
				bad = 1;
			}
			break;
		}
		if (de->d_name[0] == '.' && (de->d_name[1] == '\0' ||
		    (de->d_name[1] == '.' && de->d_name[2] == '\0')))
			continue;
		entries++;
		if (fstatat(dirfd(d), de->d_name, &st,
		    AT_SYMLINK_NOFOLLOW) == -1) {
			perror(de->d_name);
			bad = 1;
			continue;
		}
		if (!S_ISDIR(st.st_mode) || st.st_dev != topdev)
			continue;
		if (depth >= MAXDEPTH) {
			(void)fprintf(stderr, "fdwalk: %s: too deep\n",
			    de->d_name);
			bad = 1;
			continue;
		}
		fd = openat(dirfd(d), de->d_name, O_RDONLY | O_DIRECTORY |
		    O_NOFOLLOW | O_CLOEXEC);
		if (fd == -1) {
			perror(de->d_name);
			bad = 1;
			continue;
		}
		bad |= walk(fd, depth + 1);
	}
	(void)closedir(d);
	return bad;
}

static int
cmd_walk(const char *top)
{
	struct stat	 st;
	int		 fd, bad;

	fd = open(top, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd == -1 || fstat(fd, &st) == -1) {
		perror(top);
		return 1;
	}
	topdev = st.st_dev;
	bad = walk(fd, 0);
	(void)printf("walk %llu\n", entries);
	return bad;
}

static int
cmd_time(char **argv)
{
	struct timespec	 a, b;
	struct rusage	 ru;
	pid_t		 pid;
	int		 st, code;

	(void)fflush(stdout);
	(void)clock_gettime(CLOCK_MONOTONIC, &a);
	if ((pid = fork()) == -1) {
		perror("fdwalk: fork");
		return 1;
	}
	if (pid == 0) {
		(void)execvp(argv[0], argv);
		perror(argv[0]);
		_exit(127);
	}
	while (waitpid(pid, &st, 0) == -1)
		if (errno != EINTR) {
			perror("fdwalk: waitpid");
			return 1;
		}
	(void)clock_gettime(CLOCK_MONOTONIC, &b);
	(void)getrusage(RUSAGE_CHILDREN, &ru);
	code = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	(void)printf("time %.3f %ld %d\n", (b.tv_sec - a.tv_sec) * 1e3 +
	    (b.tv_nsec - a.tv_nsec) / 1e6, ru.ru_maxrss, code);
	return code;
}

int
main(int argc, char **argv)
{
	if (argc == 3 && strcmp(argv[1], "walk") == 0)
		return cmd_walk(argv[2]);
	if (argc >= 3 && strcmp(argv[1], "time") == 0)
		return cmd_time(argv + 2);
	(void)fprintf(stderr, "usage: fdwalk walk DIR | fdwalk time CMD...\n");
	return 2;
}
