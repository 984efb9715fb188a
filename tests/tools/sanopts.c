/*
 * sanopts.c: linked only into the ASan+UBSan roost that tests/sandbox
 * builds for ROOST_SANITIZE=1 (never into anything installed).  The
 * suites run roost as fixture users through `env -i`, so ASAN_OPTIONS
 * and UBSAN_OPTIONS would not reach it: the options are compiled in.
 * Every report goes to SAN_LOG.PID (a 1777 directory in the sandbox's
 * scratch), which tests/run checks at the end, and then aborts, so the
 * test that caused it sees a signal, not a plausible exit status 1.
 *
 * detect_leaks=1: LeakSanitizer's check at exit works in every process
 * of roost's that gets there, the non-dumpable ones in a container's
 * namespaces too (the whole suite ran with it, 2026-11-22, with no
 * report).  It does not run in a child that execs or _exits: those are
 * not checked for leaks.
 */
#ifndef SAN_LOG
#error "cc -DSAN_LOG='\"/path/prefix\"'"
#endif

const char	*__asan_default_options(void);
const char	*__ubsan_default_options(void);

const char *
__asan_default_options(void)
{
	return "abort_on_error=1:halt_on_error=1:detect_leaks=1:"
	    "print_summary=1:log_path=" SAN_LOG;
}

const char *
__ubsan_default_options(void)
{
	return "abort_on_error=1:halt_on_error=1:print_stacktrace=1:"
	    "log_path=" SAN_LOG;
}
