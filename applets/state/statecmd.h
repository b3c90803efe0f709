/* statecmd.h - what the state applet's commands share. */
#ifndef STATECMD_H
#define STATECMD_H

#include "state_list.h"

#define STATE_ROOT "/run/ocibox"

struct opt;

/*
 * A command's options from tab, each passed to set(id, arg, ctx), and
 * between min_pos and max_pos positionals in *pos.  On a usage error it
 * logs and returns -1.  --help prints the applet's help and exits.
 */
int statecmd_options(const char *cmd, int argc, char **argv,
		     const struct opt *tab,
		     void (*set)(int id, const char *arg, void *ctx),
		     void *ctx, int min_pos, int max_pos, char ***pos,
		     int *npos);

/*
 * foreign.c: append the containers of a runc root (<id>/state.json) or
 * a crun root (<id>/status), read only.  A missing root has none.
 */
int foreign_load_runc(const char *root, struct state_rows *rows);
int foreign_load_crun(const char *root, struct state_rows *rows);

int cmd_show(const char *root, int argc, char **argv);
int cmd_gc(const char *root, int argc, char **argv);

#endif
