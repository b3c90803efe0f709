/*
 * unit.h - a tiny harness for C unit tests of core modules.  A test file
 * includes this once and defines cases:
 *
 *	UNIT_CASE(args_missing)
 *	{
 *		UNIT_EQ_INT(spec_parse(...), -EINVAL);
 *		UNIT_EQ_STR(e.msg, "config.json: process.args: missing");
 *	}
 *
 * `BIN --list` prints the case names, `BIN NAME` runs one case (exit 0:
 * passed), `BIN` runs every case in its own process, so a crash is a
 * failure, and ends with "N passed, N failed".  tests/unit_test.sh runs
 * each case under shunit2.  An assertion that fails prints file:line and
 * both values and ends the case.
 */
#ifndef TESTS_UNIT_H
#define TESTS_UNIT_H

#include <errno.h>
#include <ftw.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define UNIT_MAX_CASES 512

struct unit_case {
	const char *name;
	void (*fn)(void);
};

static struct unit_case unit_cases[UNIT_MAX_CASES];
static int unit_ncases;

static void unit_register(const char *name, void (*fn)(void))
{
	if (unit_ncases == UNIT_MAX_CASES) {
		fprintf(stderr, "unit: more than %d cases\n", UNIT_MAX_CASES);
		exit(2);
	}
	unit_cases[unit_ncases].name = name;
	unit_cases[unit_ncases++].fn = fn;
}

#define UNIT_CASE(name)						\
	static void unit_case_##name(void);				\
	__attribute__((constructor)) static void unit_reg_##name(void)	\
	{								\
		unit_register(#name, unit_case_##name);			\
	}								\
	static void unit_case_##name(void)

__attribute__((noreturn, format(printf, 3, 4)))
static void unit_fail(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s:%d: ", file, line);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

#define UNIT_ASSERT(cond)						\
	do {								\
		if (!(cond))						\
			unit_fail(__FILE__, __LINE__,			\
				  "assertion failed: %s", #cond);	\
	} while (0)

#define UNIT_EQ_INT(a, b)						\
	do {								\
		long long a_ = (long long)(a), b_ = (long long)(b);	\
		if (a_ != b_)						\
			unit_fail(__FILE__, __LINE__,			\
				  "%s == %s: %lld != %lld", #a, #b,	\
				  a_, b_);				\
	} while (0)

#define UNIT_EQ_UINT(a, b)						\
	do {								\
		unsigned long long a_ = (a), b_ = (b);			\
		if (a_ != b_)						\
			unit_fail(__FILE__, __LINE__,			\
				  "%s == %s: %llu (%#llx) != %llu (%#llx)", \
				  #a, #b, a_, a_, b_, b_);		\
	} while (0)

/* NULL equals only NULL. */
#define UNIT_EQ_STR(a, b)						\
	do {								\
		const char *a_ = (a), *b_ = (b);			\
		if (a_ != b_ && (!a_ || !b_ || strcmp(a_, b_)))		\
			unit_fail(__FILE__, __LINE__,			\
				  "%s == %s:\n  got:  %s%s%s\n  want: %s%s%s", \
				  #a, #b, a_ ? "\"" : "",		\
				  a_ ? a_ : "NULL", a_ ? "\"" : "",	\
				  b_ ? "\"" : "", b_ ? b_ : "NULL",	\
				  b_ ? "\"" : "");			\
	} while (0)

#define UNIT_NULL(p)	UNIT_ASSERT((p) == NULL)
#define UNIT_NOT_NULL(p) UNIT_ASSERT((p) != NULL)

/* A fresh directory for this case, removed when the case ends normally. */
static char unit_dir[64];

static int unit_rm(const char *path, const struct stat *st, int flag,
		   struct FTW *ftw)
{
	return remove(path) < 0 ? -1 : 0;
}

static void unit_cleanup(void)
{
	if (unit_dir[0])
		nftw(unit_dir, unit_rm, 16, FTW_DEPTH | FTW_PHYS);
}

__attribute__((unused))
static const char *unit_tmpdir(void)
{
	const char *base = getenv("TMPDIR");

	if (unit_dir[0])
		return unit_dir;
	snprintf(unit_dir, sizeof(unit_dir), "%s/unit.XXXXXX",
		 base && *base && strlen(base) < 40 ? base : "/tmp");
	if (!mkdtemp(unit_dir))
		unit_fail(__FILE__, __LINE__, "mkdtemp %s: %s", unit_dir,
			  strerror(errno));
	atexit(unit_cleanup);
	return unit_dir;
}

/*
 * s with every ' turned into ", so JSON reads plainly in C: "{'a': 1}".
 * A static buffer, valid until the next call.
 */
__attribute__((unused))
static const char *unit_json(const char *s)
{
	static char buf[16384];
	size_t i;

	for (i = 0; s[i] && i < sizeof(buf) - 1; i++)
		buf[i] = s[i] == '\'' ? '"' : s[i];
	if (s[i])
		unit_fail(__FILE__, __LINE__, "unit_json: text too long");
	buf[i] = 0;
	return buf;
}

static int unit_run(const struct unit_case *c)
{
	c->fn();
	fflush(NULL);
	return 0;
}

static int unit_run_all(void)
{
	int i, status, passed = 0, failed = 0;
	pid_t pid;

	for (i = 0; i < unit_ncases; i++) {
		fflush(NULL);
		pid = fork();
		if (pid < 0) {
			perror("fork");
			return 2;
		}
		if (!pid)
			exit(unit_run(&unit_cases[i]));
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
		if (WIFEXITED(status) && !WEXITSTATUS(status)) {
			passed++;
			printf("PASS %s\n", unit_cases[i].name);
		} else if (WIFSIGNALED(status)) {
			failed++;
			printf("FAIL %s (signal %d)\n", unit_cases[i].name,
			       WTERMSIG(status));
		} else {
			failed++;
			printf("FAIL %s\n", unit_cases[i].name);
		}
		fflush(stdout);
	}
	printf("%d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}

int main(int argc, char **argv)
{
	int i;

	if (argc == 1)
		return unit_run_all();
	if (argc == 2 && !strcmp(argv[1], "--list")) {
		for (i = 0; i < unit_ncases; i++)
			printf("%s\n", unit_cases[i].name);
		return 0;
	}
	if (argc == 2 && argv[1][0] != '-') {
		for (i = 0; i < unit_ncases; i++)
			if (!strcmp(argv[1], unit_cases[i].name))
				return unit_run(&unit_cases[i]);
		fprintf(stderr, "%s: no such case\n", argv[1]);
		return 2;
	}
	fprintf(stderr, "usage: %s [--list | CASE]\n", argv[0]);
	return 2;
}

#endif
