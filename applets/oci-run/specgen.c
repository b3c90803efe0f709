/* specgen.c - `oci-run spec`: write the default config.json, as `runc spec`. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "io.h"
#include "log.h"
#include "oci-run.h"
#include "opt.h"

enum { S_BUNDLE = 1, S_ROOTLESS };

struct spec_opts {
	const char *bundle;
	int rootless;
};

static void set_opt(int id, const char *arg, void *ctx)
{
	struct spec_opts *o = ctx;

	if (id == S_BUNDLE)
		o->bundle = arg;
	else
		o->rootless = 1;
}

int cmd_spec(const struct oci_global *g, int argc, char **argv)
{
	static const struct opt opts[] = {
		{ "bundle", 'b', OPT_ARG, S_BUNDLE },
		{ "rootless", 0, OPT_NOARG, S_ROOTLESS },
		{ 0 },
	};
	struct spec_opts o = { ".", 0 };
	const char *bundle;
	char **pos, *text;
	int npos, dfd, err, r = 1;

	if (cmd_options("spec", argc, argv, opts, set_opt, &o, 0, 0,
			&pos, &npos) < 0)
		return 1;
	bundle = o.bundle;
	dfd = open(bundle, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0) {
		log_error("spec: bundle %s: %s", bundle, strerror(errno));
		return 1;
	}
	text = spec_default_json(o.rootless, geteuid(), getegid());
	if (!text) {
		log_error("spec: out of memory");
		goto out;
	}
	/* Never a half-written config.json: replaced atomically, or absent. */
	if (faccessat(dfd, "config.json", F_OK, AT_SYMLINK_NOFOLLOW) == 0)
		log_error("spec: File %s/config.json exists. Remove it first",
			  bundle);
	else if ((err = write_file_atomic(dfd, "config.json", text,
					  strlen(text), 0644,
					  IO_DURABLE)) < 0)
		log_error("spec: %s/config.json: %s", bundle, strerror(-err));
	else
		r = 0;
	free(text);
out:
	close(dfd);
	return r;
}
