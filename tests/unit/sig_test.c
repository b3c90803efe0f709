/* sig_test.c - unit tests of core/sig.c: names with and without SIG, any
 * case, numbers, the real-time range. */
#include <signal.h>

#include "sig.h"
#include "unit.h"

/*
 * The real-time signals as runc, Docker (moby/sys/signal) and kill(1) on
 * glibc number them: the kernel's 32 and 33 are reserved, RTMIN is 34,
 * RTMAX 64.  A container's processes run whatever libc they carry, so the
 * number cannot follow the runtime's own libc (musl reserves 35 too).
 */
#define RTMIN_NO 34
#define RTMAX_NO 64

UNIT_CASE(kill_spellings)
{
	UNIT_EQ_INT(sig_from_name("KILL"), SIGKILL);
	UNIT_EQ_INT(sig_from_name("SIGKILL"), SIGKILL);
	UNIT_EQ_INT(sig_from_name("kill"), SIGKILL);
	UNIT_EQ_INT(sig_from_name("sigkill"), SIGKILL);
	UNIT_EQ_INT(sig_from_name("SigKill"), SIGKILL);
	UNIT_EQ_INT(sig_from_name("9"), SIGKILL);
}

UNIT_CASE(term_spellings)
{
	UNIT_EQ_INT(sig_from_name("TERM"), SIGTERM);
	UNIT_EQ_INT(sig_from_name("SIGTERM"), SIGTERM);
	UNIT_EQ_INT(sig_from_name("15"), SIGTERM);
}

UNIT_CASE(every_name)
{
	static const struct {
		const char *name;
		int no;
	} t[] = {
		{ "HUP", SIGHUP }, { "INT", SIGINT }, { "QUIT", SIGQUIT },
		{ "ILL", SIGILL }, { "TRAP", SIGTRAP }, { "ABRT", SIGABRT },
		{ "IOT", SIGABRT }, { "BUS", SIGBUS }, { "FPE", SIGFPE },
		{ "KILL", SIGKILL }, { "USR1", SIGUSR1 }, { "SEGV", SIGSEGV },
		{ "USR2", SIGUSR2 }, { "PIPE", SIGPIPE }, { "ALRM", SIGALRM },
		{ "TERM", SIGTERM }, { "STKFLT", SIGSTKFLT },
		{ "CHLD", SIGCHLD }, { "CONT", SIGCONT }, { "STOP", SIGSTOP },
		{ "TSTP", SIGTSTP }, { "TTIN", SIGTTIN }, { "TTOU", SIGTTOU },
		{ "URG", SIGURG }, { "XCPU", SIGXCPU }, { "XFSZ", SIGXFSZ },
		{ "VTALRM", SIGVTALRM }, { "PROF", SIGPROF },
		{ "WINCH", SIGWINCH }, { "IO", SIGIO }, { "POLL", SIGIO },
		{ "PWR", SIGPWR }, { "SYS", SIGSYS },
	};
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		if (sig_from_name(t[i].name) != t[i].no)
			unit_fail(__FILE__, __LINE__, "%s: %d, want %d",
				  t[i].name, sig_from_name(t[i].name),
				  t[i].no);
	}
}

/* runc's kill takes CLD for CHLD. */
UNIT_CASE(cld_alias)
{
	UNIT_EQ_INT(sig_from_name("CLD"), SIGCHLD);
	UNIT_EQ_INT(sig_from_name("SIGCLD"), SIGCHLD);
}

UNIT_CASE(numbers)
{
	UNIT_EQ_INT(sig_from_name("1"), 1);
	UNIT_EQ_INT(sig_from_name("34"), 34);
	UNIT_EQ_INT(sig_from_name("64"), 64);
}

UNIT_CASE(number_zero)
{
	UNIT_EQ_INT(sig_from_name("0"), -1);
}

UNIT_CASE(number_too_big)
{
	UNIT_EQ_INT(sig_from_name("65"), -1);
	UNIT_EQ_INT(sig_from_name("99999999999999999999"), -1);
}

UNIT_CASE(number_malformed)
{
	UNIT_EQ_INT(sig_from_name("9x"), -1);
	UNIT_EQ_INT(sig_from_name("9 "), -1);
	UNIT_EQ_INT(sig_from_name(" 9"), -1);
	UNIT_EQ_INT(sig_from_name("-9"), -1);
	UNIT_EQ_INT(sig_from_name("+9"), -1);
}

UNIT_CASE(unknown_names)
{
	UNIT_EQ_INT(sig_from_name("FOO"), -1);
	UNIT_EQ_INT(sig_from_name("SIGFOO"), -1);
	UNIT_EQ_INT(sig_from_name(""), -1);
	UNIT_EQ_INT(sig_from_name("SIG"), -1);
	UNIT_EQ_INT(sig_from_name("KILL "), -1);
	UNIT_EQ_INT(sig_from_name("SIGSIGKILL"), -1);
	UNIT_EQ_INT(sig_from_name("SIG9"), -1);
}

/* Offsets agree with the base, whatever the base is. */
UNIT_CASE(rt_offsets)
{
	int min = sig_from_name("RTMIN"), max = sig_from_name("RTMAX");

	UNIT_ASSERT(min > 0 && max > min);
	UNIT_EQ_INT(sig_from_name("RTMIN+3"), min + 3);
	UNIT_EQ_INT(sig_from_name("SIGRTMIN+3"), min + 3);
	UNIT_EQ_INT(sig_from_name("rtmin+1"), min + 1);
	UNIT_EQ_INT(sig_from_name("RTMIN+0"), min);
	UNIT_EQ_INT(sig_from_name("RTMAX-1"), max - 1);
	UNIT_EQ_INT(sig_from_name("SIGRTMAX-1"), max - 1);
	UNIT_EQ_INT(sig_from_name("RTMAX-0"), max);
}

UNIT_CASE(rt_numbers)
{
	UNIT_EQ_INT(sig_from_name("RTMIN"), RTMIN_NO);
	UNIT_EQ_INT(sig_from_name("RTMIN+3"), RTMIN_NO + 3);
	UNIT_EQ_INT(sig_from_name("RTMAX"), RTMAX_NO);
	UNIT_EQ_INT(sig_from_name("RTMAX-1"), RTMAX_NO - 1);
}

UNIT_CASE(rt_whole_range)
{
	int min = sig_from_name("RTMIN"), max = sig_from_name("RTMAX");
	char name[32];

	snprintf(name, sizeof(name), "RTMIN+%d", max - min);
	UNIT_EQ_INT(sig_from_name(name), max);
	snprintf(name, sizeof(name), "RTMAX-%d", max - min);
	UNIT_EQ_INT(sig_from_name(name), min);
}

UNIT_CASE(rt_out_of_range)
{
	int min = sig_from_name("RTMIN"), max = sig_from_name("RTMAX");
	char name[32];

	snprintf(name, sizeof(name), "RTMIN+%d", max - min + 1);
	UNIT_EQ_INT(sig_from_name(name), -1);
	snprintf(name, sizeof(name), "RTMAX-%d", max - min + 1);
	UNIT_EQ_INT(sig_from_name(name), -1);
	UNIT_EQ_INT(sig_from_name("RTMIN-1"), -1);
	UNIT_EQ_INT(sig_from_name("RTMAX+1"), -1);
}

UNIT_CASE(rt_malformed)
{
	UNIT_EQ_INT(sig_from_name("RTMIN+"), -1);
	UNIT_EQ_INT(sig_from_name("RTMAX-"), -1);
	UNIT_EQ_INT(sig_from_name("RTMINX"), -1);
	UNIT_EQ_INT(sig_from_name("RTMIN+3x"), -1);
	UNIT_EQ_INT(sig_from_name("RTMIN+-1"), -1);
	UNIT_EQ_INT(sig_from_name("RTMIN3"), -1);
}
