/*
 * main.c: roost, the unprivileged front-end.  One subcommand per
 * cmd_<verb>.c; this file only dispatches.
 */
#include <stdio.h>
#include <string.h>

#include "roost.h"

static const struct {
	const char	*name;
	int		(*run)(int, char **);
} commands[] = {
	{ "run",	cmd_run },
	{ "unshare",	cmd_unshare },
	{ "ls",		cmd_ls },
	{ "net",	cmd_net },
	{ "lxc-hook",	cmd_lxchook },
	{ "enter",	cmd_enter },
	{ "exec",	cmd_exec },
	{ "stop",	cmd_stop },
	{ "kill",	cmd_kill },
	{ "policy",	cmd_policy },
	{ "doctor",	cmd_doctor },
	{ "shift",	cmd_shift },
	{ "create",	cmd_create },
	{ "destroy",	cmd_destroy },
};

static void
usage_all(void)
{
	(void)fputs(run_usage, stdout);
	(void)fputs(unshare_usage, stdout);
	(void)fputs(ls_usage, stdout);
	(void)fputs(net_usage, stdout);
	(void)fputs(lxchook_usage, stdout);
	(void)fputs(enter_usage, stdout);
	(void)fputs(exec_usage, stdout);
	(void)fputs(stop_usage, stdout);
	(void)fputs(kill_usage, stdout);
	(void)fputs(policy_usage, stdout);
	(void)fputs(doctor_usage, stdout);
	(void)fputs(shift_usage, stdout);
	(void)fputs(create_usage, stdout);
	(void)fputs(destroy_usage, stdout);
	(void)fputs("usage: roost version\n"
	    "usage: roost help | --help | -h\n", stdout);
}

static int
is_help(const char *s)
{
	return strcmp(s, "help") == 0 || strcmp(s, "--help") == 0 ||
	    strcmp(s, "-h") == 0;
}

int
main(int argc, char **argv)
{
	size_t	 i;

	/* LXC execs its helper by a fixed path, which an admin points here. */
	if (argc > 0 && strcmp(basename(argv[0]), "lxc-user-nic") == 0)
		roost_exit(compat_usernic(argc, argv));
	if (argc < 2)
		roost_usage("no command given");
	if (is_help(argv[1])) {
		usage_all();
		roost_exit(0);
	}
	if (strcmp(argv[1], "version") == 0) {
		roost_verb = "version";
		if (argc > 2 && (strcmp(argv[2], "--help") == 0 ||
		    strcmp(argv[2], "-h") == 0)) {
			(void)fputs("usage: roost version\n", stdout);
			roost_exit(0);
		}
		if (argc > 2)
			roost_usage("unexpected argument '%s'", argv[2]);
		(void)printf("roost %s\n", ROOST_VERSION);
		roost_exit(0);
	}
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(argv[1], commands[i].name) == 0) {
			roost_verb = commands[i].name;
			roost_exit(commands[i].run(argc - 1, argv + 1));
		}
	roost_usage("%s: unknown command", argv[1]);
}
