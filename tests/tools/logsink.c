/*
 * logsink: a /dev/log for the test namespace.  Appends each syslog
 * datagram to a file as one line, so tests can check the audit trail.
 * usage: logsink SOCKET FILE
 */
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <stdio.h>
#include <string.h>
#include <unistd.h>

int
main(int argc, char *argv[])
{
	struct sockaddr_un	 sun = { .sun_family = AF_UNIX };
	char			 buf[8192];
	ssize_t			 n;
	FILE			*out;
	int			 s;

	if (argc != 3 || strlen(argv[1]) >= sizeof(sun.sun_path))
		return 2;
	strcpy(sun.sun_path, argv[1]);
	unlink(argv[1]);
	if ((s = socket(AF_UNIX, SOCK_DGRAM, 0)) == -1 ||
	    bind(s, (struct sockaddr *)&sun, sizeof(sun)) == -1 ||
	    chmod(argv[1], 0666) == -1 || (out = fopen(argv[2], "a")) == NULL)
		return 1;
	while ((n = recv(s, buf, sizeof(buf) - 1, 0)) >= 0) {
		buf[n] = '\0';
		fprintf(out, "%s\n", buf);
		fflush(out);
	}
	return 1;
}
