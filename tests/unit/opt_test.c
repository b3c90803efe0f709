/* opt_test.c - unit tests of core/opt.c: long and short forms, values,
 * bundles, optional values, "--", OPT_STOP and OPT_PERMUTE, the error texts. */
#include <errno.h>
#include <stdarg.h>

#include "opt.h"
#include "unit.h"

enum { O_BUNDLE = 1, O_DEBUG, O_QUIET, O_FORCE, O_PIDFILE, O_SIG, O_MOUNT };

static const struct opt tab[] = {
	{ "bundle", 'b', OPT_ARG, O_BUNDLE },
	{ "debug", 'd', OPT_NOARG, O_DEBUG },
	{ "quiet", 'q', OPT_NOARG, O_QUIET },
	{ "force", 0, OPT_NOARG, O_FORCE },
	{ "pid-file", 0, OPT_ARG, O_PIDFILE },
	{ NULL, 's', OPT_ARG, O_SIG },
	{ "mount", 'm', OPT_OPTARG, O_MOUNT },
	{ 0 },
};

static const char *const names[] = {
	[O_BUNDLE] = "bundle", [O_DEBUG] = "debug", [O_QUIET] = "quiet",
	[O_FORCE] = "force", [O_PIDFILE] = "pid-file", [O_SIG] = "s",
	[O_MOUNT] = "mount",
};

static char trace[1024];

static void add(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void add(const char *fmt, ...)
{
	size_t n = strlen(trace);
	va_list ap;

	if (n)
		trace[n++] = ' ';
	va_start(ap, fmt);
	vsnprintf(trace + n, sizeof(trace) - n, fmt, ap);
	va_end(ap);
}

/*
 * Parse the words (NULL-terminated) with tab and describe what came out:
 * "bundle=/b debug | c1 c2" (options, then the positionals after "|"), or
 * up to the error: "debug ! unknown option -x".
 */
__attribute__((sentinel))
static const char *run(int mode, ...)
{
	static char *argv[32];
	struct opt_iter it;
	struct err e = { 0 };
	int argc = 0, id, i, n;
	char **rest;
	va_list ap;

	va_start(ap, mode);
	while ((argv[argc] = va_arg(ap, char *)))
		argc++;
	va_end(ap);
	trace[0] = 0;
	opt_start(&it, argc, argv, mode);
	while ((id = opt_next(&it, tab, &e)) > 0) {
		if (it.arg)
			add("%s=%s", names[id], it.arg);
		else
			add("%s", names[id]);
	}
	if (id < 0) {
		UNIT_EQ_INT(id, -EINVAL);
		UNIT_EQ_INT(e.no, EINVAL);
		add("! %s", e.msg);
		return trace;
	}
	rest = opt_rest(&it, &n);
	add("|");
	for (i = 0; i < n; i++)
		add("%s", rest[i]);
	return trace;
}

UNIT_CASE(no_words)
{
	UNIT_EQ_STR(run(OPT_PERMUTE, NULL), "|");
	UNIT_EQ_STR(run(OPT_STOP, NULL), "|");
}

UNIT_CASE(long_noarg)
{
	UNIT_EQ_STR(run(OPT_PERMUTE, "--debug", "--force", NULL),
		    "debug force |");
}

UNIT_CASE(long_value_after_equals)
{
	UNIT_EQ_STR(run(OPT_PERMUTE, "--bundle=/b", NULL), "bundle=/b |");
}

UNIT_CASE(long_value_next_word)
{
	UNIT_EQ_STR(run(OPT_PERMUTE, "--bundle", "/b", NULL), "bundle=/b |");
}

UNIT_CASE(long_value_empty_after_equals)
{
	UNIT_EQ_STR(run(OPT_PERMUTE, "--bundle=", "c1", NULL), "bundle= | c1");
}

UNIT_CASE(long_value_keeps_later_equals)
{
	UNIT_EQ_STR(run(OPT_PERMUTE, "--pid-file=a=b", NULL),
		    "pid-file=a=b |");
}

UNIT_CASE(long_value_may_look_like_option)
{
	UNIT_EQ_STR(run(OPT_PERMUTE, "--bundle", "--debug", NULL),
		    "bundle=--debug |");
}

UNIT_CASE(long_name_matches_exactly)
{
	UNIT_EQ_STR(run(OPT_PERMUTE, "--bund", NULL),
		    "! unknown option --bund");
	UNIT_EQ_STR(run(OPT_PERMUTE, "--debugx", NULL),
		    "! unknown option --debugx");
}

UNIT_CASE(short_noarg)
{
	UNIT_EQ_STR(run(OPT_PERMUTE, "-d", "-q", NULL), "debug quiet |");
}

UNIT_CASE(short_value_next_word)
{
	UNIT_EQ_STR(run(OPT_PERMUTE, "-b", "/b", "c1", NULL),
		    "bundle=/b | c1");
}

UNIT_CASE(short_value_attached)
{
	UNIT_EQ_STR(run(OPT_PERMUTE, "-b/b", "c1", NULL), "bundle=/b | c1");
}

UNIT_CASE(short_bundled_flags)
{
	UNIT_EQ_STR(run(OPT_PERMUTE, "-dq", NULL), "debug quiet |");
}

UNIT_CASE(short_bundle_ends_in_value)
{
	UNIT_EQ_STR(run(OPT_PERMUTE, "-dqb/x", NULL),
		    "debug quiet bundle=/x |");
}

UNIT_CASE(short_bundle_value_next_word)
{
	UNIT_EQ_STR(run(OPT_PERMUTE, "-db", "/x", "c1", NULL),
		    "debug bundle=/x | c1");
}

UNIT_CASE(short_only_option)
{
	UNIT_EQ_STR(run(OPT_PERMUTE, "-s", "KILL", "-sTERM", NULL),
		    "s=KILL s=TERM |");
}

UNIT_CASE(arg_cleared_after_flag)
{
	char *argv[] = { "--bundle=/b", "--debug", "-b", "x", "-q" };
	struct opt_iter it;
	struct err e = { 0 };

	opt_start(&it, 5, argv, OPT_PERMUTE);
	UNIT_EQ_INT(opt_next(&it, tab, &e), O_BUNDLE);
	UNIT_EQ_STR(it.arg, "/b");
	UNIT_EQ_INT(opt_next(&it, tab, &e), O_DEBUG);
	UNIT_NULL(it.arg);
	UNIT_EQ_INT(opt_next(&it, tab, &e), O_BUNDLE);
	UNIT_EQ_STR(it.arg, "x");
	UNIT_EQ_INT(opt_next(&it, tab, &e), O_QUIET);
	UNIT_NULL(it.arg);
	UNIT_EQ_INT(opt_next(&it, tab, &e), 0);
}

UNIT_CASE(error_unknown_long)
{
	UNIT_EQ_STR(run(OPT_PERMUTE, "--foo", NULL), "! unknown option --foo");
}

UNIT_CASE(error_unknown_long_with_value)
{
	UNIT_EQ_STR(run(OPT_PERMUTE, "--foo=bar", NULL),
		    "! unknown option --foo");
}

UNIT_CASE(error_unknown_short)
{
	UNIT_EQ_STR(run(OPT_PERMUTE, "-x", NULL), "! unknown option -x");
}

UNIT_CASE(error_unknown_short_in_bundle)
{
	UNIT_EQ_STR(run(OPT_PERMUTE, "-dxq", NULL),
		    "debug ! unknown option -x");
}

UNIT_CASE(error_long_needs_value)
{
	UNIT_EQ_STR(run(OPT_PERMUTE, "c1", "--bundle", NULL),
		    "! option --bundle needs a value");
}

UNIT_CASE(error_short_needs_value)
{
	UNIT_EQ_STR(run(OPT_PERMUTE, "-s", NULL), "! option -s needs a value");
}

UNIT_CASE(error_bundle_needs_value)
{
	UNIT_EQ_STR(run(OPT_PERMUTE, "-ds", NULL),
		    "debug ! option -s needs a value");
}

UNIT_CASE(error_long_takes_no_value)
{
	UNIT_EQ_STR(run(OPT_PERMUTE, "--debug=1", NULL),
		    "! option --debug takes no value");
	UNIT_EQ_STR(run(OPT_PERMUTE, "--debug=", NULL),
		    "! option --debug takes no value");
}

UNIT_CASE(single_dash_is_positional)
{
	UNIT_EQ_STR(run(OPT_PERMUTE, "-", "-d", NULL), "debug | -");
	UNIT_EQ_STR(run(OPT_STOP, "-", "-d", NULL), "| - -d");
}

UNIT_CASE(permute_gathers_positionals)
{
	UNIT_EQ_STR(run(OPT_PERMUTE, "c1", "--force", "c2", "-d", "c3", NULL),
		    "force debug | c1 c2 c3");
}

UNIT_CASE(permute_value_is_not_positional)
{
	UNIT_EQ_STR(run(OPT_PERMUTE, "c1", "--bundle", "c2", "-b", "c3", NULL),
		    "bundle=c2 bundle=c3 | c1");
}

UNIT_CASE(permute_double_dash)
{
	UNIT_EQ_STR(run(OPT_PERMUTE, "c1", "-d", "--", "-q", "--x", "c2",
			NULL),
		    "debug | c1 -q --x c2");
}

UNIT_CASE(permute_double_dash_last)
{
	UNIT_EQ_STR(run(OPT_PERMUTE, "c1", "--", NULL), "| c1");
}

UNIT_CASE(stop_at_first_positional)
{
	UNIT_EQ_STR(run(OPT_STOP, "--debug", "delete", "--force", "c1", NULL),
		    "debug | delete --force c1");
}

UNIT_CASE(stop_value_not_a_stop)
{
	UNIT_EQ_STR(run(OPT_STOP, "--bundle", "r", "-b", "s", "state", NULL),
		    "bundle=r bundle=s | state");
}

/* "--" ends the options in either mode; the words after it are the
 * positionals (opt.h). */
UNIT_CASE(stop_double_dash)
{
	UNIT_EQ_STR(run(OPT_STOP, "--debug", "--", "state", "c1", NULL),
		    "debug | state c1");
}

UNIT_CASE(stop_double_dash_then_option_word)
{
	UNIT_EQ_STR(run(OPT_STOP, "--", "-d", NULL), "| -d");
}

/* As oci-run uses it: global options to the command word, then the
 * command's own options anywhere after it. */
UNIT_CASE(stop_then_permute)
{
	char *argv[] = { "--debug", "delete", "c1", "--force" };
	struct opt_iter it;
	struct err e = { 0 };
	char **rest;
	int n;

	opt_start(&it, 4, argv, OPT_STOP);
	UNIT_EQ_INT(opt_next(&it, tab, &e), O_DEBUG);
	UNIT_EQ_INT(opt_next(&it, tab, &e), 0);
	rest = opt_rest(&it, &n);
	UNIT_EQ_INT(n, 3);
	UNIT_EQ_STR(rest[0], "delete");
	opt_start(&it, n - 1, rest + 1, OPT_PERMUTE);
	UNIT_EQ_INT(opt_next(&it, tab, &e), O_FORCE);
	UNIT_EQ_INT(opt_next(&it, tab, &e), 0);
	rest = opt_rest(&it, &n);
	UNIT_EQ_INT(n, 1);
	UNIT_EQ_STR(rest[0], "c1");
}

/* OPT_OPTARG as util-linux nsenter's -m[FILE]: the value only attached. */
UNIT_CASE(optarg_long_attached)
{
	UNIT_EQ_STR(run(OPT_PERMUTE, "--mount=/proc/1/ns/mnt", "c1", NULL),
		    "mount=/proc/1/ns/mnt | c1");
	UNIT_EQ_STR(run(OPT_PERMUTE, "--mount=", NULL), "mount= |");
}

UNIT_CASE(optarg_long_next_word_is_not_value)
{
	UNIT_EQ_STR(run(OPT_PERMUTE, "--mount", "/f", NULL), "mount | /f");
	UNIT_EQ_STR(run(OPT_STOP, "--mount", "sh", "-d", NULL),
		    "mount | sh -d");
}

UNIT_CASE(optarg_short_attached)
{
	UNIT_EQ_STR(run(OPT_PERMUTE, "-m/f", NULL), "mount=/f |");
	UNIT_EQ_STR(run(OPT_PERMUTE, "-dm/f", NULL), "debug mount=/f |");
}

UNIT_CASE(optarg_short_alone_or_last)
{
	UNIT_EQ_STR(run(OPT_PERMUTE, "-m", "/f", NULL), "mount | /f");
	UNIT_EQ_STR(run(OPT_PERMUTE, "-dm", "-q", NULL), "debug mount quiet |");
}

/* The rest of a cluster after an optional-value flag is its value, as
 * getopt has it: "-mq" is --mount=q, not -m -q. */
UNIT_CASE(optarg_short_takes_rest_of_cluster)
{
	UNIT_EQ_STR(run(OPT_PERMUTE, "-mq", NULL), "mount=q |");
}

UNIT_CASE(optarg_cleared_after_value)
{
	UNIT_EQ_STR(run(OPT_PERMUTE, "--mount=/a", "--mount", "-m", NULL),
		    "mount=/a mount mount |");
}

/* opt_command(): a command's options, --help and the positional count */

static void count(int id, const char *arg, void *ctx)
{
	(*(int *)ctx)++;
}

static int command(int min, int max, char **pos1, struct err *e, ...)
{
	static char *argv[16];
	char **pos;
	int argc = 0, npos, seen = 0, r;
	va_list ap;

	va_start(ap, e);
	while ((argv[argc] = va_arg(ap, char *)))
		argc++;
	va_end(ap);
	memset(e, 0, sizeof(*e));
	r = opt_command(argc, argv, tab, count, &seen, min, max,
			"container ID", &pos, &npos, e);
	if (r == 0)
		*pos1 = npos ? pos[0] : NULL;
	return r < 0 || r == OPT_HELP ? r : seen;
}

UNIT_CASE(command_options_and_positionals)
{
	struct err e;
	char *pos = NULL;

	UNIT_EQ_INT(command(1, 1, &pos, &e, "-d", "c1", "--force", NULL), 2);
	UNIT_EQ_STR(pos, "c1");
	UNIT_EQ_INT(command(1, 1, &pos, &e, "-d", "--help", NULL), OPT_HELP);
	UNIT_EQ_INT(command(1, 1, &pos, &e, "-h", NULL), OPT_HELP);
	UNIT_EQ_INT(command(1, 1, &pos, &e, NULL), -EINVAL);
	UNIT_EQ_STR(e.msg, "needs exactly one container ID");
	UNIT_EQ_INT(command(0, 0, &pos, &e, "x", NULL), -EINVAL);
	UNIT_EQ_STR(e.msg, "takes no arguments");
	UNIT_EQ_INT(command(1, 2, &pos, &e, "a", "b", "c", NULL), -EINVAL);
	UNIT_EQ_STR(e.msg, "needs 1 to 2 arguments");
	UNIT_EQ_INT(command(1, 1, &pos, &e, "--nope", "c1", NULL), -EINVAL);
	UNIT_EQ_STR(e.msg, "unknown option --nope");
}
