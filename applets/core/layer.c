/*
 * layer.c - a layer blob decompressed ahead of the tar reader, hashed and
 * applied: see layer.h.
 */
#include <errno.h>
#include <string.h>

#include "decompress.h"
#include "layer.h"
#include "pipe.h"

int layer_apply(int destfd, struct reader *blob, const char *what,
		const struct layer_apply_opts *o, char *got,
		struct unpack_stats *st, struct err *e)
{
	struct unpack_stats none;
	struct reader *rd;
	struct digest dd;
	struct tar *t;
	int ret;

	if (got)
		*got = 0;
	if (!st)
		st = &none;
	memset(st, 0, sizeof(*st));
	rd = reader_decompress(blob, what, NULL, e);
	if (rd)
		rd = reader_thread(rd, READER_THREAD_BUFSIZE,
				   READER_THREAD_NBUFS, e);
	if (rd && o->want_diff_id) {
		digest_init(&dd);
		rd = reader_digest(rd, &dd, NULL);
		if (!rd)
			err_sys(e, ENOMEM, "%s", what);
	}
	if (!rd)
		return e->no ? -e->no : -ENOMEM;
	/* tar_open() closes rd when it fails. */
	t = tar_open(rd, &o->limits);
	if (!t)
		return err_sys(e, ENOMEM, "%s", what);
	ret = unpack_layer(destfd, t, o->unpack, st, e);
	tar_close(t);
	if (ret == 0 && o->want_diff_id && got)
		digest_string(&dd, got);
	return ret;
}
