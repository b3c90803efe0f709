/* opt.c - table-driven option parser; see opt.h. */
#include <errno.h>
#include <string.h>

#include "opt.h"

void opt_start(struct opt_iter *it, int argc, char **argv, int mode)
{
	memset(it, 0, sizeof(*it));
	it->argc = argc;
	it->argv = argv;
	it->mode = mode;
}

static const struct opt *find_long(const struct opt *tab, const char *name,
				   size_t len)
{
	for (; tab->id; tab++)
		if (tab->name && strlen(tab->name) == len &&
		    !memcmp(tab->name, name, len))
			return tab;
	return NULL;
}

static const struct opt *find_short(const struct opt *tab, char c)
{
	for (; tab->id; tab++)
		if (tab->short_name == c)
			return tab;
	return NULL;
}

/* The value for o: inline (after '=' or in the cluster) or the next word. */
static int take_arg(struct opt_iter *it, const struct opt *o,
		    const char *inl, int as_short, struct err *e)
{
	if (inl) {
		it->arg = inl;
		return o->id;
	}
	if (it->ind >= it->argc) {
		if (as_short)
			return err_msg(e, EINVAL, "option -%c needs a value",
				       o->short_name);
		return err_msg(e, EINVAL, "option --%s needs a value",
			       o->name);
	}
	it->arg = it->argv[it->ind++];
	return o->id;
}

static int next_short(struct opt_iter *it, const struct opt *tab,
		      struct err *e)
{
	char c = *it->bundle++;
	const struct opt *o = find_short(tab, c);
	const char *rest;

	if (!o) {
		it->bundle = NULL;
		return err_msg(e, EINVAL, "unknown option -%c", c);
	}
	if (o->has_arg == OPT_NOARG) {
		if (!*it->bundle)
			it->bundle = NULL;
		it->arg = NULL;
		return o->id;
	}
	rest = *it->bundle ? it->bundle : NULL;
	it->bundle = NULL;
	if (o->has_arg == OPT_OPTARG) {
		it->arg = rest;
		return o->id;
	}
	return take_arg(it, o, rest, 1, e);
}

int opt_next(struct opt_iter *it, const struct opt *tab, struct err *e)
{
	const struct opt *o;
	const char *w, *eq;

	if (it->bundle)
		return next_short(it, tab, e);
	while (it->ind < it->argc) {
		w = it->argv[it->ind];
		if (w[0] != '-' || !w[1]) {
			if (it->mode == OPT_STOP)
				return 0;
			it->argv[it->npos++] = it->argv[it->ind++];
			continue;
		}
		it->ind++;
		if (w[1] != '-') {
			it->bundle = w + 1;
			return next_short(it, tab, e);
		}
		if (!w[2]) {
			/* "--": everything after is positional. */
			if (it->mode == OPT_STOP)
				return 0;
			while (it->ind < it->argc)
				it->argv[it->npos++] = it->argv[it->ind++];
			return 0;
		}
		w += 2;
		eq = strchr(w, '=');
		o = find_long(tab, w, eq ? (size_t)(eq - w) : strlen(w));
		if (!o)
			return err_msg(e, EINVAL, "unknown option --%.*s",
				       eq ? (int)(eq - w) : (int)strlen(w), w);
		if (o->has_arg == OPT_NOARG) {
			if (eq)
				return err_msg(e, EINVAL,
					       "option --%s takes no value",
					       o->name);
			it->arg = NULL;
			return o->id;
		}
		if (o->has_arg == OPT_OPTARG) {
			it->arg = eq ? eq + 1 : NULL;
			return o->id;
		}
		return take_arg(it, o, eq ? eq + 1 : NULL, 0, e);
	}
	return 0;
}

char **opt_rest(struct opt_iter *it, int *count)
{
	int i;

	if (it->mode == OPT_STOP) {
		*count = it->argc - it->ind;
		return it->argv + it->ind;
	}
	/* Positionals after the stop point (none unless "--" or end). */
	for (i = it->ind; i < it->argc; i++)
		it->argv[it->npos++] = it->argv[i];
	it->ind = it->argc;
	*count = it->npos;
	return it->argv;
}

int opt_command(int argc, char **argv, const struct opt *tab,
		void (*set)(int id, const char *arg, void *ctx), void *ctx,
		int min_pos, int max_pos, const char *what, char ***pos,
		int *npos, struct err *e)
{
	struct opt_iter it;
	int id;

	opt_start(&it, argc, argv, OPT_PERMUTE);
	while ((id = opt_next(&it, tab, e)) != 0) {
		if (id < 0) {
			if (!strcmp(argv[it.ind - 1], "--help") ||
			    !strcmp(argv[it.ind - 1], "-h"))
				return OPT_HELP;
			return id;
		}
		if (set)
			set(id, it.arg, ctx);
	}
	*pos = opt_rest(&it, npos);
	if (*npos >= min_pos && *npos <= max_pos)
		return 0;
	if (max_pos == 0)
		return err_msg(e, EINVAL, "takes no arguments");
	if (min_pos == max_pos && min_pos == 1)
		return err_msg(e, EINVAL, "needs exactly one %s", what);
	return err_msg(e, EINVAL, "needs %d to %d arguments", min_pos,
		       max_pos);
}
