/* sig.c - signal names (signal(7)); see sig.h. */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sig.h"

static const struct {
	char name[8];
	unsigned char no;
} sigs[] = {
	{ "HUP", SIGHUP }, { "INT", SIGINT }, { "QUIT", SIGQUIT },
	{ "ILL", SIGILL }, { "TRAP", SIGTRAP }, { "ABRT", SIGABRT },
	{ "IOT", SIGIOT }, { "BUS", SIGBUS }, { "FPE", SIGFPE },
	{ "KILL", SIGKILL }, { "USR1", SIGUSR1 }, { "SEGV", SIGSEGV },
	{ "USR2", SIGUSR2 }, { "PIPE", SIGPIPE }, { "ALRM", SIGALRM },
	{ "TERM", SIGTERM }, { "STKFLT", SIGSTKFLT }, { "CHLD", SIGCHLD },
	{ "CLD", SIGCHLD }, { "CONT", SIGCONT }, { "STOP", SIGSTOP }, { "TSTP", SIGTSTP },
	{ "TTIN", SIGTTIN }, { "TTOU", SIGTTOU }, { "URG", SIGURG },
	{ "XCPU", SIGXCPU }, { "XFSZ", SIGXFSZ }, { "VTALRM", SIGVTALRM },
	{ "PROF", SIGPROF }, { "WINCH", SIGWINCH }, { "IO", SIGIO },
	{ "POLL", SIGPOLL }, { "PWR", SIGPWR }, { "SYS", SIGSYS },
};

static int number(const char *s, int lo, int hi)
{
	char *end;
	long v;

	if (*s < '0' || *s > '9')
		return -1;
	v = strtol(s, &end, 10);
	if (*end || v < lo || v > hi)
		return -1;
	return v;
}

/*
 * The kernel's real-time range as runc, Docker and glibc's kill(1) number
 * it (34..64), not this libc's SIGRTMIN: musl reserves one signal more
 * than glibc, and the number means what the container's libc says.
 */
#define RT_MIN 34
#define RT_MAX 64

int sig_from_name(const char *name)
{
	size_t i;
	int off;

	if (name[0] >= '0' && name[0] <= '9')
		return number(name, 1, RT_MAX);
	if (!strncasecmp(name, "SIG", 3))
		name += 3;
	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		if (!strcasecmp(name, sigs[i].name))
			return sigs[i].no;
	if (!strncasecmp(name, "RTMIN", 5)) {
		off = name[5] ? (name[5] == '+' ?
				 number(name + 6, 0, RT_MAX - RT_MIN) : -1) : 0;
		return off < 0 ? -1 : RT_MIN + off;
	}
	if (!strncasecmp(name, "RTMAX", 5)) {
		off = name[5] ? (name[5] == '-' ?
				 number(name + 6, 0, RT_MAX - RT_MIN) : -1) : 0;
		return off < 0 ? -1 : RT_MAX - off;
	}
	return -1;
}
