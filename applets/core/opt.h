/*
 * opt.h - the one table-driven option parser (toybox style): short and long
 * options, "--opt=value", "--opt value", "-b value", "-bvalue", bundled
 * short flags "-dq", "--" ends options.  An OPT_OPTARG option takes its
 * value only attached, as getopt's "m::" does: "-mFILE", "--mount=FILE";
 * "-m FILE" is the option without a value, then a word.  Global options are parsed with
 * OPT_STOP (stop at the command word) and the command's own with
 * OPT_PERMUTE, so `oci-run --root R delete c1 --force` works as runc's does.
 */
#ifndef CORE_OPT_H
#define CORE_OPT_H

#include "err.h"

enum { OPT_NOARG, OPT_ARG, OPT_OPTARG };

struct opt {
	const char *name;	/* long name without "--", or NULL */
	char short_name;	/* or 0 */
	char has_arg;		/* OPT_NOARG / OPT_ARG / OPT_OPTARG */
	short id;		/* > 0, returned by opt_next() */
};

enum { OPT_STOP = 0, OPT_PERMUTE = 1 };

struct opt_iter {
	int argc;
	char **argv;		/* argv[0] is the first word to parse */
	int ind;		/* next word to look at */
	int npos;		/* OPT_PERMUTE: positionals gathered so far */
	const char *bundle;	/* rest of a "-abc" cluster */
	int mode;
	const char *arg;	/* value of the option just returned, or NULL */
};

void opt_start(struct opt_iter *it, int argc, char **argv, int mode);
/*
 * Next option: its id, 0 when the options end, or -EINVAL with e set
 * ("unknown option --foo", "option --bundle needs a value").  At 0 the
 * positional words are argv[*first .. argc) where *first is returned by
 * opt_rest().
 */
int opt_next(struct opt_iter *it, const struct opt *tab, struct err *e);
/* After opt_next() returned 0: the positionals, as (count, vector). */
char **opt_rest(struct opt_iter *it, int *count);

/*
 * An applet command's whole line (OPT_PERMUTE): each option of tab to
 * set(id, arg, ctx), then between min_pos and max_pos positionals into
 * (*pos, *npos).  what names one positional in messages ("container ID").
 * Returns 0, OPT_HELP when --help or -h came (and tab lacks them), or
 * -EINVAL with e set: the option's error, "takes no arguments", "needs
 * exactly one container ID", "needs 1 to 2 arguments".
 */
#define OPT_HELP 1
int opt_command(int argc, char **argv, const struct opt *tab,
		void (*set)(int id, const char *arg, void *ctx), void *ctx,
		int min_pos, int max_pos, const char *what, char ***pos,
		int *npos, struct err *e);

#endif
