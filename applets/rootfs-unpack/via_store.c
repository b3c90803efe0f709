/*
 * via_store.c - rootfs-unpack --store: each layer imported into the layer
 * store (store.h) unless it is there, then DEST assembled from the stored
 * layers (assemble.h), so a second unpack of an image decompresses
 * nothing.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rootfs-unpack.h"

int via_store_open(struct via_store *v, const char *dir, struct err *e)
{
	memset(v, 0, sizeof(*v));
	v->s = store_open(dir, 1, e);
	if (!v->s)
		return e->no ? -e->no : -EIO;
	return store_use(v->s, e);
}

static int take(struct via_store *v, const char *diff_id)
{
	void *p;

	if (v->n == v->cap) {
		p = realloc(v->ids, (v->cap * 2 + 4) * sizeof(*v->ids));
		if (!p)
			return -ENOMEM;
		v->ids = p;
		v->cap = v->cap * 2 + 4;
	}
	snprintf(v->ids[v->n++], DIGEST_STR_MAX, "%s", diff_id);
	return 0;
}

int via_store_has(struct via_store *v, const char *diff_id)
{
	return diff_id && *diff_id && store_has_layer(v->s, diff_id) == 1 &&
	       take(v, diff_id) == 0;
}

int via_store_import(struct via_store *v, struct reader *blob,
		     const char *what, const struct store_import_opts *o,
		     struct err *e)
{
	char id[DIGEST_STR_MAX];
	int existed, ret;

	ret = store_import(v->s, blob, what, o, id, &existed, e);
	if (ret == 0 && take(v, id) < 0)
		ret = err_sys(e, ENOMEM, "%s", what);
	return ret;
}

int via_store_assemble(struct via_store *v, int destfd, const char *path,
		       const struct assemble_opts *o, int auto_mode,
		       struct err *e)
{
	struct assemble_layer *l = calloc(v->n ? v->n : 1, sizeof(*l));
	const char **names = calloc(v->n ? v->n : 1, sizeof(*names));
	struct assemble_opts ao = *o;
	struct store_layer info;
	struct err ignored;
	size_t i;
	int ret = 0;

	if (!l || !names) {
		ret = err_sys(e, ENOMEM, "assemble");
		goto out;
	}
	for (i = 0; i < v->n; i++)
		l[i].fd = -1;
	for (i = 0; i < v->n; i++) {
		names[i] = v->ids[i];
		l[i].fd = store_layer_open(v->s, v->ids[i], &info, e);
		if (l[i].fd < 0) {
			ret = l[i].fd;
			goto out;
		}
		l[i].uid_base = info.uid_base;
		l[i].gid_base = info.gid_base;
	}
	if (auto_mode) {
		ao.mode = ASSEMBLE_HARDLINK;
		if (assemble_check(l, v->n, &ao, &ignored) < 0)
			ao.mode = ASSEMBLE_COPY;
	}
	ret = store_ref_add(v->s, path, ao.mode == ASSEMBLE_COPY ? "copy" :
			    "hardlink", names, v->n, e);
	if (ret < 0)
		goto out;
	v->ref = strdup(path);
	if (!v->ref) {
		store_ref_remove(v->s, path, &ignored);
		ret = err_sys(e, ENOMEM, "assemble");
		goto out;
	}
	ret = assemble_tree(destfd, l, v->n, &ao, NULL, e);
out:
	for (i = 0; l && i < v->n; i++)
		if (l[i].fd >= 0)
			close(l[i].fd);
	free(l);
	free(names);
	return ret;
}

void via_store_close(struct via_store *v, int failed)
{
	struct err ignored;

	/* Unless another unpack to DEST made it live meanwhile. */
	if (v->ref && failed)
		store_ref_remove_stale(v->s, v->ref, &ignored);
	if (v->s) {
		store_unuse(v->s);
		store_close(v->s);
	}
	free(v->ref);
	free(v->ids);
	memset(v, 0, sizeof(*v));
}
