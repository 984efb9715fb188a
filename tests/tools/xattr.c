/*
 * xattr: raw extended attributes for tests/400-shift.bats, so that the
 * tests need neither getfattr nor setfacl.
 *   xattr get FILE NAME          the value in hex, or nothing
 *   xattr set FILE NAME HEX
 *   xattr dump FILE              "NAME=HEX" lines, sorted by the kernel
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/xattr.h>

static void
hex(const unsigned char *b, ssize_t n)
{
	ssize_t	 i;

	for (i = 0; i < n; i++)
		printf("%02x", b[i]);
}

int
main(int argc, char **argv)
{
	unsigned char	 v[65536];
	char		 names[65536], *s;
	ssize_t		 n, i;

	if (argc == 4 && strcmp(argv[1], "get") == 0) {
		if ((n = lgetxattr(argv[2], argv[3], v, sizeof(v))) < 0)
			return 1;
		hex(v, n);
		putchar('\n');
		return 0;
	}
	if (argc == 5 && strcmp(argv[1], "set") == 0) {
		n = strlen(argv[4]) / 2;
		for (i = 0; i < n; i++)
			sscanf(argv[4] + 2 * i, "%2hhx", &v[i]);
		if (lsetxattr(argv[2], argv[3], v, n, 0) == -1) {
			perror(argv[2]);
			return 1;
		}
		return 0;
	}
	if (argc == 3 && strcmp(argv[1], "dump") == 0) {
		if ((n = llistxattr(argv[2], names, sizeof(names))) < 0)
			return 1;
		for (s = names; s < names + n; s += strlen(s) + 1) {
			if ((i = lgetxattr(argv[2], s, v, sizeof(v))) < 0)
				continue;
			printf("%s %s=", argv[2], s);
			hex(v, i);
			putchar('\n');
		}
		return 0;
	}
	fprintf(stderr, "usage: xattr get|set|dump ...\n");
	return 2;
}
