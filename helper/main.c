/*
 * roost-helper(8), the setuid-root half of roost: parse argv touching
 * nothing, sanitize, identify the caller by the real ids, load the policy,
 * then the operation decides and acts.
 */
#include "helper.h"

int
main(int argc, char *argv[])
{
	struct request	 rq;
	struct caller	 c;
	const char	*limit;
	int		 rc;

	rc = request_parse(&rq, argc, argv);
	limit = sanitize(rq.keep, rq.nkeep);
	log_open(rq.prog, rq.op != NULL ? rq.op->name : NULL);
	if (limit != NULL)
		die("privileges", "%s could not be set", limit);
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
