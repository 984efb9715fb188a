/*
 * roost-helper: the setuid-root half of roost.  One operation per exec,
 * named by argv (roost-helper(8)).  main() is the sequence only: parse argv
 * without touching anything, sanitize the process, identify the caller from
 * the real ids, load the policy, then let the operation decide and act.
 */
#include "helper.h"

int
main(int argc, char *argv[])
{
	struct request	 rq;
	struct caller	 c;
	int		 rc;

	rc = request_parse(&rq, argc, argv);
	sanitize(rq.keep, rq.nkeep);
	log_open(rq.prog, rq.op != NULL ? rq.op->name : NULL);
	if (rc == -1)
		die_usage();
	caller_identify(&c);
	if (rq.op->needs_policy)
		caller_load_policy(&c);
	rq.op->run(&rq, &c);
	caller_free(&c);
	free(rq.ext);
	return 0;
}
