/*
 * tar.c - the streaming tar reader; see tar.h.  POSIX.1-2008 pax(1),
 * "ustar Interchange Format" and "pax Interchange Format"; GNU tar's
 * manual, "Basic Tar Format" (base-256 numbers, the signed checksum, 'L'
 * and 'K'); libarchive's tar(5) for LIBARCHIVE.xattr.*.
 *
 * Where tar readers disagree this one takes the reading that leaves an
 * unpacker least room to be fooled into seeing what another tool does
 * not:
 * - a typeflag it does not know ('V', 'S', 'D', vendor letters) is an
 *   error naming it, not a regular file POSIX would have: its data might
 *   be anything, and a GNU sparse file read as plain data is wrong bytes;
 * - an entry other than a regular file may carry no data: GNU tar skips
 *   a symlink's "size" bytes where Go and Python skip none, so a nonzero
 *   size would let two tools see different entries after it;
 * - the end is two zero blocks, or end of stream right after one, or end
 *   of stream where a header would start (as GNU tar, Go and Python
 *   read them); one zero block and then more data is an error, as in Go;
 * - numbers must fit: no negative size, uid or gid, no uid (uid_t)-1
 *   (chown's "leave as is"); mtime may be before 1970;
 * - pax global headers are checked record by record and then ignored.
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tar.h"

#define BLOCK 512
/* Extension headers ('x', 'g', 'L', 'K') before one entry: a few do. */
#define MAX_EXT_HEADERS 16
/* Unread data is dropped in reads this large. */
#define SKIP_CHUNK 32768
/* How much of a path an error message shows. */
#define MSG_PATH_MAX 200

struct ustar {
	char name[100];
	char mode[8];
	char uid[8];
	char gid[8];
	char size[12];
	char mtime[12];
	char chksum[8];
	char typeflag;
	char linkname[100];
	char magic[6];
	char version[2];
	char uname[32];
	char gname[32];
	char devmajor[8];
	char devminor[8];
	char prefix[155];
	char pad[12];
};
_Static_assert(sizeof(struct ustar) == BLOCK, "a ustar header is a block");

enum state { ST_HEADERS, ST_END, ST_FAILED };

/* Header fields a pax record has already given. */
enum {
	HAVE_SIZE = 1,
	HAVE_UID = 2,
	HAVE_GID = 4,
	HAVE_MTIME = 8,
};

struct tar {
	struct reader *src;
	struct tar_limits lim;
	union {
		unsigned char b[BLOCK];
		struct ustar h;
	} blk;
	enum state state;
	uint64_t pos;		/* bytes read from src */
	uint64_t left;		/* data of the entry not read yet */
	uint64_t pad;		/* and the padding after it */
	uint64_t n;		/* entries returned */
	uint64_t idx;		/* the entry being read, from 1 */
	uint64_t bytes;		/* data and extension bytes so far */
	uint64_t ext_bytes;	/* extension bytes of this entry */
	unsigned have;
	size_t xattr_cap;
	struct tar_entry ent;
	struct err failed;	/* returned again once something failed */
};

static const struct tar_limits defaults = {
	.max_name = 4096,
	.max_ext = 1 << 20,
	.max_entries = 10000000,
	.max_bytes = 1ULL << 40,
};

/*
 * s for a one-line message: control bytes as \xNN, cut to MSG_PATH_MAX
 * bytes and "..." (out has room for that and the NUL).
 */
static void quote(char out[MSG_PATH_MAX + 4], const char *s)
{
	size_t n = 0;
	int ctl;

	for (; *s; s++) {
		ctl = (unsigned char)*s < 0x20 || *s == 0x7f;
		if (n + (ctl ? 4 : 1) > MSG_PATH_MAX) {
			memcpy(out + n, "...", 3);
			n += 3;
			break;
		}
		if (ctl)
			n += sprintf(out + n, "\\x%02x", (unsigned char)*s);
		else
			out[n++] = *s;
	}
	out[n] = 0;
}

/*
 * e = "tar: entry N at offset O (PATH): " fmt, and remembered: a reader
 * that failed once fails again the same way.  fmt may use e->msg.
 */
__attribute__((format(printf, 4, 5)))
static int fail(struct tar *t, struct err *e, int no, const char *fmt, ...)
{
	char what[ERR_MSG_MAX], path[MSG_PATH_MAX + 4];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	path[0] = 0;
	if (t->ent.path)
		quote(path, t->ent.path);
	err_msg(e, no, "tar: entry %llu at offset %llu%s%s%s: %s",
		(unsigned long long)t->idx,
		(unsigned long long)t->ent.offset, path[0] ? " (" : "", path,
		path[0] ? ")" : "", what);
	t->failed = *e;
	t->state = ST_FAILED;
	return -e->no;
}

static int failed(struct tar *t, struct err *e)
{
	*e = t->failed;
	return -e->no;
}

static int src_fail(struct tar *t, ssize_t n, struct err *e)
{
	return fail(t, e, (int)-n, "%s", e->msg);
}

static int truncated(struct tar *t, struct err *e)
{
	return fail(t, e, EINVAL, "unexpected end of archive");
}

/* len bytes, fewer only at the end of src; -errno. */
static ssize_t fill(struct tar *t, void *buf, size_t len, struct err *e)
{
	ssize_t n = reader_read_full(t->src, buf, len, e);

	if (n < 0)
		return src_fail(t, n, e);
	t->pos += n;
	return n;
}

/* Drop len bytes that must be there. */
static int skip(struct tar *t, uint64_t len, struct err *e)
{
	char buf[SKIP_CHUNK];
	ssize_t n;

	while (len) {
		/* A file passes over data by seeking (an archive's index). */
		if (t->src->skip)
			n = t->src->skip(t->src, len, e);
		else
			n = reader_read(t->src, buf, len < sizeof(buf) ? len :
					sizeof(buf), e);
		if (n < 0)
			return src_fail(t, n, e);
		if (n == 0)
			return truncated(t, e);
		t->pos += n;
		len -= n;
	}
	return 0;
}

/* Count size against max_bytes. */
static int account(struct tar *t, uint64_t size, struct err *e)
{
	if (size > t->lim.max_bytes - t->bytes)
		return fail(t, e, EFBIG, "more than %llu bytes of data in all",
			    (unsigned long long)t->lim.max_bytes);
	t->bytes += size;
	return 0;
}

/* --- numbers --------------------------------------------------------- */

/*
 * Octal digits between optional spaces, ended by a NUL or the field's
 * end; an empty field is 0 (GNU tar and Python read it so).  0, -EINVAL
 * (not a number), -ERANGE (over 63 bits).
 */
static int octal(const char *f, size_t len, int64_t *out)
{
	uint64_t v = 0;
	size_t i = 0;

	while (i < len && f[i] == ' ')
		i++;
	for (; i < len && f[i] >= '0' && f[i] <= '7'; i++) {
		if (v >> 60)
			return -ERANGE;
		v = v << 3 | (f[i] - '0');
	}
	while (i < len && f[i] == ' ')
		i++;
	if (i < len && f[i])
		return -EINVAL;
	*out = v;
	return 0;
}

/*
 * A numeric field: octal, or GNU base-256 when the first byte's top bit
 * is set: big-endian two's complement of the other bits (0x80 leads a
 * positive number, 0xff a negative one).
 */
static int number(const char *f, size_t len, int64_t *out)
{
	const unsigned char *u = (const unsigned char *)f;
	unsigned char inv, c;
	uint64_t v = 0;
	size_t i;

	if (!(u[0] & 0x80))
		return octal(f, len, out);
	inv = u[0] & 0x40 ? 0xff : 0;
	for (i = 0; i < len; i++) {
		c = u[i] ^ inv;
		if (!i)
			c &= 0x3f;
		if (v >> 55)
			return -ERANGE;
		v = v << 8 | c;
	}
	*out = inv ? -(int64_t)v - 1 : (int64_t)v;
	return 0;
}

/* The header field f (called name in messages) as 0..max. */
static int field(struct tar *t, const char *f, size_t len, const char *name,
		 uint64_t max, uint64_t *out, struct err *e)
{
	int64_t v;
	int r = number(f, len, &v);

	if (r == -EINVAL)
		return fail(t, e, EINVAL, "bad number in %s field", name);
	if (!r && v < 0)
		return fail(t, e, EINVAL, "negative %s field", name);
	if (r || (uint64_t)v > max)
		return fail(t, e, EINVAL, "%s field out of range", name);
	*out = v;
	return 0;
}

static int checksum_ok(const unsigned char *b)
{
	uint64_t usum = 0;
	int64_t ssum = 0, stored;
	unsigned char c;
	size_t i;

	for (i = 0; i < BLOCK; i++) {
		c = i >= offsetof(struct ustar, chksum) &&
		    i < offsetof(struct ustar, typeflag) ? ' ' : b[i];
		usum += c;
		ssum += (signed char)c;
	}
	if (octal((const char *)b + offsetof(struct ustar, chksum), 8,
		  &stored) < 0)
		return 0;
	return (uint64_t)stored == usum || stored == ssum;
}

static int zero_block(const unsigned char *b)
{
	size_t i;

	for (i = 0; i < BLOCK; i++)
		if (b[i])
			return 0;
	return 1;
}

/* A pax decimal: digits only, at most max.  -EINVAL, -EDOM (< 0), -ERANGE. */
static int decimal(const char *s, size_t len, uint64_t max, uint64_t *out)
{
	size_t i = len && s[0] == '-';
	int big = 0, d;
	uint64_t v = 0;

	if (i == len)
		return -EINVAL;
	for (; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -EINVAL;
		d = s[i] - '0';
		if (v > (max - d) / 10)
			big = 1;
		else
			v = v * 10 + d;
	}
	if (s[0] == '-')
		return -EDOM;
	if (big)
		return -ERANGE;
	*out = v;
	return 0;
}

/* A pax time: [-]seconds[.fraction], the fraction cut to nanoseconds. */
static int pax_time(const char *s, size_t len, struct timespec *ts)
{
	size_t i, dot, digits;
	uint64_t sec;
	long nsec = 0;
	int neg = len && s[0] == '-', r;

	i = dot = neg;
	while (dot < len && s[dot] != '.')
		dot++;
	r = decimal(s + i, dot - i, INT64_MAX - 1, &sec);
	if (r < 0)
		return r;
	if (dot < len) {
		for (i = dot + 1, digits = 0; i < len; i++, digits++) {
			if (s[i] < '0' || s[i] > '9')
				return -EINVAL;
			if (digits < 9)
				nsec = nsec * 10 + (s[i] - '0');
		}
		for (; digits < 9; digits++)
			nsec *= 10;
	}
	ts->tv_sec = neg ? -(int64_t)sec : (int64_t)sec;
	ts->tv_nsec = nsec;
	if (neg && nsec) {
		ts->tv_sec--;
		ts->tv_nsec = 1000000000 - nsec;
	}
	return 0;
}

/* --- pax records ----------------------------------------------------- */

static char *dup_mem(const char *s, size_t len)
{
	char *p = malloc(len + 1);

	if (p) {
		memcpy(p, s, len);
		p[len] = 0;
	}
	return p;
}

/* Own name and value as an xattr of the entry; a second of a name wins. */
static int xattr_set(struct tar *t, char *name, unsigned char *value,
		     size_t len)
{
	struct tar_entry *ent = &t->ent;
	struct tar_xattr *x;
	size_t i, cap;

	for (i = 0; i < ent->n_xattrs; i++) {
		x = &ent->xattrs[i];
		if (!strcmp(x->name, name)) {
			free(name);
			free(x->value);
			x->value = value;
			x->len = len;
			return 0;
		}
	}
	if (ent->n_xattrs == t->xattr_cap) {
		cap = t->xattr_cap ? 2 * t->xattr_cap : 4;
		x = realloc(ent->xattrs, cap * sizeof(*x));
		if (!x) {
			free(name);
			free(value);
			return -ENOMEM;
		}
		ent->xattrs = x;
		t->xattr_cap = cap;
	}
	x = &ent->xattrs[ent->n_xattrs++];
	x->name = name;
	x->value = value;
	x->len = len;
	return 0;
}

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* libarchive's %XX escapes of an xattr name, decoded in place. */
static int url_decode(char *s)
{
	char *w = s;
	int hi, lo;

	for (; *s; s++) {
		if (*s != '%') {
			*w++ = *s;
			continue;
		}
		hi = hex_digit(s[1]);
		lo = hi < 0 ? -1 : hex_digit(s[2]);
		if (lo < 0 || (!hi && !lo))
			return -EINVAL;
		*w++ = hi << 4 | lo;
		s += 2;
	}
	*w = 0;
	return 0;
}

static int base64_digit(char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

/* Base64 (RFC 4648, the '=' padding optional), decoded in place. */
static ssize_t base64_decode(char *s, size_t len)
{
	unsigned acc = 0, bits = 0;
	size_t i, n = 0;
	int d;

	for (i = 0; i < len && s[i] != '='; i++) {
		d = base64_digit(s[i]);
		if (d < 0)
			return -EINVAL;
		acc = acc << 6 | d;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			s[n++] = acc >> bits;
			acc &= (1u << bits) - 1;
		}
	}
	if (bits >= 6)
		return -EINVAL;
	for (; i < len; i++)
		if (s[i] != '=')
			return -EINVAL;
	return n;
}

/* A pax string for *slot; empty: back to what the header says. */
static int pax_string(struct tar *t, unsigned k, const char *key,
		      const char *val, size_t len, char **slot,
		      struct err *e)
{
	char *p = NULL;

	if (memchr(val, 0, len))
		return fail(t, e, EINVAL, "pax record %u: NUL byte in %s", k,
			    key);
	if (len && !(p = dup_mem(val, len)))
		return fail(t, e, ENOMEM, "out of memory");
	free(*slot);
	*slot = p;
	return 0;
}

static int pax_number(struct tar *t, unsigned k, const char *key,
		      const char *val, size_t len, uint64_t max,
		      unsigned have, uint64_t *out, struct err *e)
{
	int r;

	if (!len) {
		t->have &= ~have;
		return 0;
	}
	r = decimal(val, len, max, out);
	if (r == -EDOM)
		return fail(t, e, EINVAL, "pax record %u: negative %s", k, key);
	if (r == -ERANGE)
		return fail(t, e, EINVAL, "pax record %u: %s out of range", k,
			    key);
	if (r < 0)
		return fail(t, e, EINVAL, "pax record %u: bad %s", k, key);
	t->have |= have;
	return 0;
}

static int pax_xattr(struct tar *t, unsigned k, const char *name, char *val,
		     size_t len, int libarchive, struct err *e)
{
	char *n;
	unsigned char *v;
	ssize_t vlen = len;

	if (!*name)
		return fail(t, e, EINVAL, "pax record %u: empty xattr name", k);
	n = strdup(name);
	if (!n)
		return fail(t, e, ENOMEM, "out of memory");
	if (libarchive && (url_decode(n) < 0 || !*n)) {
		free(n);
		return fail(t, e, EINVAL, "pax record %u: bad xattr name", k);
	}
	if (libarchive && (vlen = base64_decode(val, len)) < 0) {
		free(n);
		return fail(t, e, EINVAL, "pax record %u: bad base64 value",
			    k);
	}
	v = malloc(vlen ? vlen : 1);
	if (!v) {
		free(n);
		return fail(t, e, ENOMEM, "out of memory");
	}
	memcpy(v, val, vlen);
	if (xattr_set(t, n, v, vlen) < 0)
		return fail(t, e, ENOMEM, "out of memory");
	return 0;
}

/* Record k, key=val (both NUL-terminated in place), of an 'x' header. */
static int pax_apply(struct tar *t, unsigned k, const char *key, char *val,
		     size_t len, struct err *e)
{
	struct tar_entry *ent = &t->ent;
	struct timespec ts;
	uint64_t v = 0;
	int r;

	if (!strcmp(key, "path"))
		return pax_string(t, k, key, val, len, &ent->path, e);
	if (!strcmp(key, "linkpath"))
		return pax_string(t, k, key, val, len, &ent->link, e);
	if (!strcmp(key, "uname"))
		return pax_string(t, k, key, val, len, &ent->uname, e);
	if (!strcmp(key, "gname"))
		return pax_string(t, k, key, val, len, &ent->gname, e);
	if (!strcmp(key, "size"))
		return pax_number(t, k, key, val, len, INT64_MAX, HAVE_SIZE,
				  &ent->size, e);
	if (!strcmp(key, "uid")) {
		r = pax_number(t, k, key, val, len, UINT32_MAX - 1, HAVE_UID,
			       &v, e);
		ent->uid = v;
		return r;
	}
	if (!strcmp(key, "gid")) {
		r = pax_number(t, k, key, val, len, UINT32_MAX - 1, HAVE_GID,
			       &v, e);
		ent->gid = v;
		return r;
	}
	if (!strcmp(key, "mtime")) {
		if (!len) {
			t->have &= ~HAVE_MTIME;
			return 0;
		}
		if (pax_time(val, len, &ts) < 0)
			return fail(t, e, EINVAL, "pax record %u: bad mtime",
				    k);
		ent->mtime = ts;
		t->have |= HAVE_MTIME;
		return 0;
	}
	if (!strncmp(key, "SCHILY.xattr.", 13))
		return pax_xattr(t, k, key + 13, val, len, 0, e);
	if (!strncmp(key, "LIBARCHIVE.xattr.", 17))
		return pax_xattr(t, k, key + 17, val, len, 1, e);
	if (!strncmp(key, "GNU.sparse.", 11))
		return fail(t, e, EOPNOTSUPP, "pax record %u: GNU sparse files "
			    "are not supported", k);
	/* atime, ctime, comment, charset...: POSIX says to ignore the rest. */
	return 0;
}

/*
 * The records of a pax header: "LEN KEY=VALUE\n", LEN counting the whole
 * record.  A global header's are checked, not used.
 */
static int pax_parse(struct tar *t, char *buf, size_t size, int global,
		     struct err *e)
{
	const char *what = global ? "pax global record" : "pax record";
	size_t p = 0, q, len, end;
	char *key, *eq;
	unsigned k;
	int r;

	for (k = 1; p < size; k++, p = end) {
		len = 0;
		for (q = p; q < size && buf[q] >= '0' && buf[q] <= '9'; q++) {
			len = len * 10 + (buf[q] - '0');
			if (len > size - p)
				break;
		}
		if (q == p || q == size || buf[q] != ' ' || len > size - p ||
		    len < q - p + 3)
			return fail(t, e, EINVAL, "%s %u: bad length", what, k);
		end = p + len;
		if (buf[end - 1] != '\n')
			return fail(t, e, EINVAL, "%s %u: no newline at its "
				    "end", what, k);
		key = buf + q + 1;
		eq = memchr(key, '=', buf + end - 1 - key);
		if (!eq)
			return fail(t, e, EINVAL, "%s %u: missing '='", what,
				    k);
		if (eq == key)
			return fail(t, e, EINVAL, "%s %u: empty keyword", what,
				    k);
		if (memchr(key, 0, eq - key))
			return fail(t, e, EINVAL, "%s %u: NUL byte in keyword",
				    what, k);
		*eq = 0;
		buf[end - 1] = 0;
		if (global)
			continue;
		r = pax_apply(t, k, key, eq + 1, buf + end - 1 - (eq + 1), e);
		if (r < 0)
			return r;
	}
	return 0;
}

/* --- headers --------------------------------------------------------- */

static void entry_reset(struct tar *t)
{
	struct tar_entry *ent = &t->ent;
	struct tar_xattr *xattrs = ent->xattrs;
	size_t i;

	free(ent->path);
	free(ent->link);
	free(ent->uname);
	free(ent->gname);
	for (i = 0; i < ent->n_xattrs; i++) {
		free(xattrs[i].name);
		free(xattrs[i].value);
	}
	memset(ent, 0, sizeof(*ent));
	ent->xattrs = xattrs;
	ent->offset = t->pos;
	t->idx = t->n + 1;
	t->have = 0;
	t->ext_bytes = 0;
}

/*
 * Read a header block: 1, or 0 at the end of the archive.  pending: an
 * extension header came before, so the end would cut an entry short.
 */
static int header(struct tar *t, int pending, struct err *e)
{
	ssize_t n = fill(t, t->blk.b, BLOCK, e);

	if (n < 0)
		return n;
	if (n == 0 && !pending)
		return 0;
	if (n < BLOCK)
		return truncated(t, e);
	if (zero_block(t->blk.b)) {
		if (pending)
			return fail(t, e, EINVAL, "extended header without "
				    "an entry");
		n = fill(t, t->blk.b, BLOCK, e);
		if (n < 0)
			return n;
		if (n == 0 || (n == BLOCK && zero_block(t->blk.b)))
			return 0;
		if (n < BLOCK)
			return truncated(t, e);
		return fail(t, e, EINVAL, "lone zero block followed by data");
	}
	if (!checksum_ok(t->blk.b))
		return fail(t, e, EINVAL, "bad header checksum");
	return 1;
}

/* An 'x', 'g', 'L' or 'K' header and its data. */
static int extension(struct tar *t, struct err *e)
{
	char type = t->blk.h.typeflag;
	const char *kind = type == 'x' ? "pax header" : type == 'g' ?
		"pax global header" : type == 'L' ? "GNU long name" :
		"GNU long link";
	uint64_t size;
	char *buf;
	ssize_t n;
	int r;

	r = field(t, t->blk.h.size, sizeof(t->blk.h.size), "size", INT64_MAX,
		  &size, e);
	if (r < 0)
		return r;
	if (size > t->lim.max_ext - t->ext_bytes)
		return fail(t, e, EFBIG, "%s of %llu bytes is over the limit "
			    "of %zu%s", kind, (unsigned long long)size,
			    t->lim.max_ext, t->ext_bytes ?
			    " with the extended headers before it" : "");
	t->ext_bytes += size;
	r = account(t, size, e);
	if (r < 0)
		return r;
	buf = malloc(size + 1);
	if (!buf)
		return fail(t, e, ENOMEM, "out of memory");
	n = fill(t, buf, size, e);
	r = n < 0 ? (int)n : 0;
	if (n >= 0 && (uint64_t)n < size)
		r = truncated(t, e);
	if (!r)
		r = skip(t, -size & (BLOCK - 1), e);
	if (r < 0)
		goto out_free;
	buf[size] = 0;
	switch (type) {
	case 'x':
	case 'g':
		r = pax_parse(t, buf, size, type == 'g', e);
		break;
	case 'L':
		free(t->ent.path);
		t->ent.path = buf;
		return 0;
	default:
		free(t->ent.link);
		t->ent.link = buf;
		return 0;
	}
out_free:
	free(buf);
	return r < 0 ? r : 0;
}

static const char *type_name(char c, char buf[8])
{
	if (c > 0x20 && c < 0x7f)
		snprintf(buf, 8, "'%c'", c);
	else
		snprintf(buf, 8, "0x%02x", (unsigned char)c);
	return buf;
}

static int entry_type(struct tar *t, char flag, struct err *e)
{
	static const char flags[] = "0123456";
	static const enum tar_type types[] = {
		TAR_REG, TAR_HARDLINK, TAR_SYMLINK, TAR_CHR, TAR_BLK, TAR_DIR,
		TAR_FIFO,
	};
	const char *p = flag ? strchr(flags, flag) : NULL;
	char name[8];
	size_t len;

	_Static_assert(sizeof(types) / sizeof(types[0]) == sizeof(flags) - 1,
		       "one type per flag");
	if (p) {
		t->ent.type = types[p - flags];
		return 0;
	}
	if (flag == '7') {
		t->ent.type = TAR_REG;
		return 0;
	}
	if (flag) {
		if (flag == 'S')
			return fail(t, e, EOPNOTSUPP, "GNU sparse files are "
				    "not supported");
		return fail(t, e, EINVAL, "unsupported typeflag %s",
			    type_name(flag, name));
	}
	/* An old (v7, pre-POSIX GNU) archive's directory. */
	len = strlen(t->ent.path);
	t->ent.type = len && t->ent.path[len - 1] == '/' ? TAR_DIR : TAR_REG;
	return 0;
}

/* prefix "/" name of a POSIX header, name alone of another. */
static char *header_path(const struct ustar *h, int posix)
{
	size_t pl = posix ? strnlen(h->prefix, sizeof(h->prefix)) : 0;
	size_t nl = strnlen(h->name, sizeof(h->name));
	char *p = malloc(pl + 1 + nl + 1);

	if (!p)
		return NULL;
	if (pl) {
		memcpy(p, h->prefix, pl);
		p[pl++] = '/';
	}
	memcpy(p + pl, h->name, nl);
	p[pl + nl] = 0;
	return p;
}

static const char *type_str(enum tar_type type)
{
	static const char *const names[] = {
		[TAR_REG] = "regular file", [TAR_HARDLINK] = "hard link",
		[TAR_SYMLINK] = "symlink", [TAR_CHR] = "character device",
		[TAR_BLK] = "block device", [TAR_DIR] = "directory",
		[TAR_FIFO] = "fifo",
	};

	return names[type];
}

static int entry_ids(struct tar *t, const struct ustar *h, struct err *e)
{
	struct tar_entry *ent = &t->ent;
	int64_t sec;
	uint64_t v;
	int r;

	r = field(t, h->mode, sizeof(h->mode), "mode", INT64_MAX, &v, e);
	if (r < 0)
		return r;
	ent->mode = v & 07777;
	if (!(t->have & HAVE_UID)) {
		r = field(t, h->uid, sizeof(h->uid), "uid", UINT32_MAX - 1,
			  &v, e);
		if (r < 0)
			return r;
		ent->uid = v;
	}
	if (!(t->have & HAVE_GID)) {
		r = field(t, h->gid, sizeof(h->gid), "gid", UINT32_MAX - 1,
			  &v, e);
		if (r < 0)
			return r;
		ent->gid = v;
	}
	if (!(t->have & HAVE_MTIME)) {
		r = number(h->mtime, sizeof(h->mtime), &sec);
		if (r == -ERANGE)
			return fail(t, e, EINVAL, "mtime field out of range");
		if (r < 0)
			return fail(t, e, EINVAL, "bad number in mtime field");
		ent->mtime.tv_sec = sec;
		ent->mtime.tv_nsec = 0;
	}
	if (ent->type != TAR_CHR && ent->type != TAR_BLK)
		return 0;
	r = field(t, h->devmajor, sizeof(h->devmajor), "devmajor", UINT_MAX,
		  &v, e);
	if (r < 0)
		return r;
	ent->devmajor = v;
	r = field(t, h->devminor, sizeof(h->devminor), "devminor", UINT_MAX,
		  &v, e);
	if (r < 0)
		return r;
	ent->devminor = v;
	return 0;
}

static int entry_names(struct tar *t, const struct ustar *h, int ustar,
		       struct err *e)
{
	struct tar_entry *ent = &t->ent;
	int link = ent->type == TAR_HARDLINK || ent->type == TAR_SYMLINK;
	size_t len;

	if (!link) {
		free(ent->link);
		ent->link = NULL;
	} else if (!ent->link) {
		ent->link = dup_mem(h->linkname, strnlen(h->linkname,
							 sizeof(h->linkname)));
		if (!ent->link)
			return fail(t, e, ENOMEM, "out of memory");
	}
	if (!ent->uname)
		ent->uname = ustar ? dup_mem(h->uname, strnlen(h->uname,
						sizeof(h->uname))) : strdup("");
	if (!ent->gname)
		ent->gname = ustar ? dup_mem(h->gname, strnlen(h->gname,
						sizeof(h->gname))) : strdup("");
	if (!ent->uname || !ent->gname)
		return fail(t, e, ENOMEM, "out of memory");
	len = strlen(ent->path);
	if (len > t->lim.max_name)
		return fail(t, e, ENAMETOOLONG, "path of %zu bytes is over "
			    "the limit of %zu", len, t->lim.max_name);
	if (!link)
		return 0;
	len = strlen(ent->link);
	if (!len)
		return fail(t, e, EINVAL, "%s without a target",
			    type_str(ent->type));
	if (len > t->lim.max_name)
		return fail(t, e, ENAMETOOLONG, "link of %zu bytes is over "
			    "the limit of %zu", len, t->lim.max_name);
	return 0;
}

/* The entry's own header, after any extension headers. */
static int entry(struct tar *t, struct err *e)
{
	const struct ustar *h = &t->blk.h;
	struct tar_entry *ent = &t->ent;
	int ustar = !memcmp(h->magic, "ustar", 5);
	int r;

	/* GNU's "ustar  " headers keep atimes where POSIX has the prefix. */
	if (!ent->path && !(ent->path = header_path(h, ustar &&
						    !h->magic[5])))
		return fail(t, e, ENOMEM, "out of memory");
	if (!ent->path[0])
		return fail(t, e, EINVAL, "empty path");
	r = entry_type(t, h->typeflag, e);
	if (r < 0)
		return r;
	r = entry_names(t, h, ustar, e);
	if (r < 0)
		return r;
	r = entry_ids(t, h, e);
	if (r < 0)
		return r;
	if (!(t->have & HAVE_SIZE)) {
		r = field(t, h->size, sizeof(h->size), "size", INT64_MAX,
			  &ent->size, e);
		if (r < 0)
			return r;
	}
	if (ent->size && ent->type != TAR_REG)
		return fail(t, e, EINVAL, "%s with %llu bytes of data",
			    type_str(ent->type),
			    (unsigned long long)ent->size);
	if (t->n >= t->lim.max_entries)
		return fail(t, e, EFBIG, "more than %llu entries",
			    (unsigned long long)t->lim.max_entries);
	r = account(t, ent->size, e);
	if (r < 0)
		return r;
	t->left = ent->size;
	t->pad = -ent->size & (BLOCK - 1);
	return 0;
}

/* --- the interface --------------------------------------------------- */

struct tar *tar_open(struct reader *src, const struct tar_limits *lim)
{
	struct tar *t;

	if (!src)
		return NULL;
	t = calloc(1, sizeof(*t));
	if (!t) {
		reader_close(src);
		return NULL;
	}
	t->src = src;
	t->lim = defaults;
	if (lim && lim->max_name)
		t->lim.max_name = lim->max_name;
	if (lim && lim->max_ext)
		t->lim.max_ext = lim->max_ext;
	if (lim && lim->max_entries)
		t->lim.max_entries = lim->max_entries;
	if (lim && lim->max_bytes)
		t->lim.max_bytes = lim->max_bytes;
	return t;
}

int tar_next(struct tar *t, const struct tar_entry **out, struct err *e)
{
	unsigned ext = 0;
	int pending = 0, r;

	*out = NULL;
	if (t->state == ST_FAILED)
		return failed(t, e);
	if (t->state == ST_END)
		return 0;
	if (t->left + t->pad) {
		r = skip(t, t->left + t->pad, e);
		if (r < 0)
			return r;
		t->left = t->pad = 0;
	}
	entry_reset(t);
	for (;;) {
		r = header(t, pending, e);
		if (r < 0)
			return r;
		if (!r) {
			entry_reset(t);
			t->state = ST_END;
			return 0;
		}
		switch (t->blk.h.typeflag) {
		case 'x':
		case 'g':
		case 'L':
		case 'K':
			if (++ext > MAX_EXT_HEADERS)
				return fail(t, e, EINVAL, "more than %d "
					    "extended headers",
					    MAX_EXT_HEADERS);
			pending |= t->blk.h.typeflag != 'g';
			r = extension(t, e);
			if (r < 0)
				return r;
			continue;
		}
		r = entry(t, e);
		if (r < 0)
			return r;
		t->n++;
		*out = &t->ent;
		return 1;
	}
}

ssize_t tar_read(struct tar *t, void *buf, size_t len, struct err *e)
{
	ssize_t n;

	if (t->state == ST_FAILED)
		return failed(t, e);
	if (len > t->left)
		len = t->left;
	if (len > SSIZE_MAX)
		len = SSIZE_MAX;
	if (!len)
		return 0;
	n = reader_read(t->src, buf, len, e);
	if (n < 0)
		return src_fail(t, n, e);
	if (n == 0)
		return truncated(t, e);
	t->pos += n;
	t->left -= n;
	return n;
}

int tar_drain(struct tar *t, struct err *e)
{
	char buf[SKIP_CHUNK];
	ssize_t n;

	if (t->state == ST_FAILED)
		return failed(t, e);
	if (t->state != ST_END)
		return err_msg(e, EINVAL, "tar: drain before the end of the "
			       "archive");
	/* Bytes after the end count too: a bomb can hide there. */
	while ((n = reader_read(t->src, buf, sizeof(buf), e)) > 0) {
		t->pos += n;
		if ((uint64_t)n > t->lim.max_bytes - t->bytes)
			return err_msg(e, EFBIG, "tar: at offset %llu, after "
				       "the end: more than %llu bytes in all",
				       (unsigned long long)t->pos,
				       (unsigned long long)t->lim.max_bytes);
		t->bytes += n;
	}
	return n < 0 ? (int)n : 0;
}

uint64_t tar_position(const struct tar *t)
{
	return t->pos;
}

void tar_close(struct tar *t)
{
	if (!t)
		return;
	entry_reset(t);
	free(t->ent.xattrs);
	reader_close(t->src);
	free(t);
}
