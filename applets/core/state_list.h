/*
 * state_list.h - the containers of a state root as runc's `list` shows
 * them (runc list.go): ID, PID, STATUS, BUNDLE, CREATED, OWNER in a
 * text/tabwriter table, or a JSON array of OCI state objects whose owner
 * is the user name of the container directory's owner.  Shared by
 * `oci-run list` and `state list`.
 */
#ifndef CORE_STATE_LIST_H
#define CORE_STATE_LIST_H

#include <stddef.h>
#include <sys/types.h>

#include "state.h"

struct state_row {
	struct state st;
	enum state_status status;
	char owner[64];
	uid_t uid;		/* of the container's directory */
	const char *runtime;	/* whose root it is in; NULL: not shown */
};

struct state_rows {
	struct state_row *v;
	size_t n, cap;
};

/* Room for one more row (zeroed, not yet counted in n), or NULL. */
struct state_row *state_rows_add(struct state_rows *rows);
/*
 * Append every container of rootfd that has a state.json; one being
 * created has none yet and is not listed, as runc does not.  -errno.
 */
int state_rows_load(int rootfd, struct state_rows *rows);
/* By id, then by runtime. */
void state_rows_sort(struct state_rows *rows);
void state_rows_free(struct state_rows *rows);

/* The user name of uid ("#UID" without one), the last one remembered. */
void state_owner_name(uid_t uid, char *buf, size_t len);

/*
 * The table, with a RUNTIME column when runtime_col is set; the JSON
 * array, with a "runtime" key in each object when runtime_key is set.
 * malloc'd text ending in a newline, or NULL.
 */
char *state_rows_table(const struct state_rows *rows, int runtime_col);
char *state_rows_json(const struct state_rows *rows, int runtime_key);
/*
 * What `list` prints: the ids a line each (quiet), else the JSON ("json")
 * or the table of format.  runtime: the RUNTIME column or key too.
 * Malloc'd, NULL when out of memory.
 */
char *state_rows_text(const struct state_rows *rows, const char *format,
		      int quiet, int runtime);

#endif
