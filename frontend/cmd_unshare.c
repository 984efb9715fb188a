/*
 * cmd_unshare.c: roost unshare, a command in a new user namespace alone,
 * with the caller's full id map (as `podman unshare`): for working on a
 * container's files as their owners inside, with nothing else changed.
 */
#include <getopt.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "roost.h"

const char unshare_usage[] =
"usage: roost unshare [--map auto|MAP]... [--] [CMD [ARG...]]\n"
"  --map auto|MAP       the id map, as for roost run\n"
"  -h, --help           show this help\n"
"  CMD defaults to $SHELL, or /bin/sh.\n";

enum {
	OPT_MAP = 256
};

static const struct option unshare_options[] = {
	{ "map",	required_argument,	NULL,	OPT_MAP },
	{ "help",	no_argument,		NULL,	'h' },
	{ NULL,		0,			NULL,	0 }
};

static struct map_plan	 map;
static struct ns_child	 child = { -1, -1, -1 };

static void
unshare_abort(void)
{
	ns_kill(&child);
}

static void
unshare_parse(int argc, char **argv)
{
	int	 c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:h", unshare_options,
	    NULL)) != -1) {
		if (c == OPT_MAP)
			map_add_arg(&map, optarg);
		else if (c == 'h') {
			(void)fputs(unshare_usage, stdout);
			roost_exit(0);
		} else
			roost_bad_option(c, argv);
	}
}

int
cmd_unshare(int argc, char **argv)
{
	static char	 sh[] = "/bin/sh";
	char		*shell[2], **cmd;
	struct launch	 l;
	int		 st;

	unshare_parse(argc, argv);
	map_check(&map);
	cmd = argv + optind;
	if (cmd[0] == NULL) {
		shell[0] = getenv("SHELL");
		if (shell[0] == NULL || *shell[0] == '\0')
			shell[0] = sh;
		shell[1] = NULL;
		cmd = shell;
	}
	ns_block_signals();
	if (ns_clone(0, &child) == 0) {
		ns_await(&child);
		ns_become(0, 0);
		l = (struct launch){ .argv = cmd };
		launch_exec(&l);
	}
	roost_cleanup = unshare_abort;
	map_resolve(&map);
	ns_map(&child, &map);
	(void)close(child.procfd);
	ns_release(&child);
	st = ns_wait(child.pid, -1);
	roost_cleanup = NULL;
	return st;
}
