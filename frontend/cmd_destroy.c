/*
 * cmd_destroy.c: roost destroy, a stored container removed.  Its rootfs
 * is removed by rm(1) run as root of a user namespace with the caller's
 * full map: the files of its granted ids are not the caller's to remove
 * as itself.  --one-file-system: nothing mounted inside is descended.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "roost.h"

const char destroy_usage[] =
"usage: roost destroy NAME\n"
"  -h, --help           show this help\n";

/* Remove NAME from the store at BASE; returns rm's status. */
int
store_remove(int base, const char *name)
{
	static char	 rm[] = "rm", rf[] = "-rf", one[] = "--one-file-system",
			 dd[] = "--", rootfs[] = "rootfs";
	char		*argv[] = { rm, rf, one, dd, rootfs, NULL };
	int		 fd, st;

	fd = openat(base, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC);
	if (fd == -1)
		return -1;
	store_start(argv, fd, -1, -1);
	if ((st = store_wait()) != 0)
		return st;
	(void)unlinkat(fd, "info", 0);
	(void)close(fd);
	if (unlinkat(base, name, AT_REMOVEDIR) == -1)
		roost_err("%s", name);
	return 0;
}

int
cmd_destroy(int argc, char **argv)
{
	int	 base, st;

	if (argc > 1 && (strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "--help") == 0)) {
		(void)fputs(destroy_usage, stdout);
		return 0;
	}
	if (argc < 2)
		roost_usage("no container name given");
	if (argc > 2)
		roost_usage("unexpected argument '%s'", argv[2]);
	if (!state_name_ok(argv[1]))
		roost_usage("%s: invalid container name", argv[1]);
	if ((base = store_open(0)) == -1 ||
	    (st = store_remove(base, argv[1])) == -1) {
		errno = ENOENT;
		roost_errx("%s: no such stored container", argv[1]);
	}
	return st;
}
