/*
 * tar_test.c - unit tests of core/tar.c.  Archives are built here, block
 * by block (a small ustar/pax/GNU writer: fields, checksum), or at test
 * time by GNU tar and Python's tarfile; POSIX.1-2008 pax(1) and GNU
 * tar's "Basic Tar Format" say what the bytes mean.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "digest.h"
#include "reader.h"
#include "tar.h"
#include "unit.h"

static struct err e;

/* --- a small archive writer ----------------------------------------- */

struct hdr {
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
_Static_assert(sizeof(struct hdr) == 512, "one block");

/* A growing byte buffer: an archive, or the records of a pax header. */
struct buf {
	unsigned char *p;
	size_t len;
};

static void put(struct buf *b, const void *d, size_t n)
{
	b->p = realloc(b->p, b->len + n + 1);
	UNIT_NOT_NULL(b->p);
	if (n)
		memcpy(b->p + b->len, d, n);
	b->len += n;
}

static void put_zeros(struct buf *b, size_t n)
{
	b->p = realloc(b->p, b->len + n + 1);
	UNIT_NOT_NULL(b->p);
	memset(b->p + b->len, 0, n);
	b->len += n;
}

static void pad(struct buf *b)
{
	put_zeros(b, -b->len & 511);
}

static void set_str(char *f, size_t size, const char *s)
{
	memset(f, 0, size);
	memcpy(f, s, strlen(s) < size ? strlen(s) : size);
}

/* len - 1 octal digits and a NUL, as GNU tar writes them. */
static void set_oct(char *f, size_t len, unsigned long long v)
{
	char tmp[32];

	snprintf(tmp, sizeof(tmp), "%0*llo", (int)len - 1, v);
	memcpy(f, tmp, len);
}

/* GNU base-256: 0x80 and the value big-endian (v < 0: 0xff ...). */
static void set_b256(char *f, size_t len, long long v)
{
	int neg = v < 0;
	size_t i;

	for (i = len; i-- > 0; v >>= 8)
		f[i] = v & 0xff;
	f[0] = neg ? 0xff : 0x80;
}

static struct hdr *hdr_init(struct hdr *h, const char *name, char type,
			    unsigned long long size)
{
	memset(h, 0, sizeof(*h));
	set_str(h->name, sizeof(h->name), name);
	set_oct(h->mode, sizeof(h->mode), 0644);
	set_oct(h->uid, sizeof(h->uid), 1000);
	set_oct(h->gid, sizeof(h->gid), 100);
	set_oct(h->size, sizeof(h->size), size);
	set_oct(h->mtime, sizeof(h->mtime), 1700000000);
	h->typeflag = type;
	memcpy(h->magic, "ustar", 6);
	memcpy(h->version, "00", 2);
	set_str(h->uname, sizeof(h->uname), "user");
	set_str(h->gname, sizeof(h->gname), "group");
	return h;
}

/* The checksum as GNU tar writes it: six digits, NUL, space. */
static void hdr_sum(struct hdr *h, int sign)
{
	const unsigned char *u = (const unsigned char *)h;
	long sum = 0;
	char tmp[16];
	size_t i;

	memset(h->chksum, ' ', sizeof(h->chksum));
	for (i = 0; i < 512; i++)
		sum += sign ? (signed char)u[i] : u[i];
	snprintf(tmp, sizeof(tmp), "%06lo", sum & 0777777);
	memcpy(h->chksum, tmp, 7);
}

static void put_hdr(struct buf *b, struct hdr *h)
{
	hdr_sum(h, 0);
	put(b, h, sizeof(*h));
}

/* A header as hdr_init() makes it, then its data. */
static void put_entry(struct buf *b, const char *name, char type,
		      const void *data, size_t n)
{
	struct hdr h;

	put_hdr(b, hdr_init(&h, name, type, n));
	put(b, data, n);
	pad(b);
}

/* An 'x', 'g', 'L' or 'K' header with data d. */
static void put_ext(struct buf *b, char type, const void *d, size_t n)
{
	struct hdr h;

	hdr_init(&h, type == 'L' || type == 'K' ? "././@LongLink" :
		 "././@PaxHeader", type, n);
	put_hdr(b, &h);
	put(b, d, n);
	pad(b);
}

static void put_end(struct buf *b)
{
	put_zeros(b, 1024);
}

/* One pax record "LEN key=value\n", LEN counting itself. */
static void rec(struct buf *b, const char *key, const void *val, size_t n)
{
	size_t rest = strlen(key) + n + 3, len = rest + 1, d;
	char num[24];

	for (;;) {
		d = snprintf(num, sizeof(num), "%zu", len);
		if (rest + d == len)
			break;
		len = rest + d;
	}
	put(b, num, d);
	put(b, " ", 1);
	put(b, key, strlen(key));
	put(b, "=", 1);
	put(b, val, n);
	put(b, "\n", 1);
}

static void rec_s(struct buf *b, const char *key, const char *val)
{
	rec(b, key, val, strlen(val));
}

/* A pax header of these "key", "value" pairs, NULL-ended. */
static void put_pax(struct buf *b, char type, ...)
{
	struct buf r = { 0 };
	const char *k;
	va_list ap;

	va_start(ap, type);
	while ((k = va_arg(ap, const char *)))
		rec_s(&r, k, va_arg(ap, const char *));
	va_end(ap);
	put_ext(b, type, r.p, r.len);
	free(r.p);
}

/* --- readers under test --------------------------------------------- */

/*
 * A reader of mem that hands out at most max bytes a call and notes the
 * largest request and the number of calls: 1-byte reads, pass-through.
 */
struct probe {
	struct reader r;
	const unsigned char *p;
	size_t left, max, biggest, calls;
	int fail_at_end;
};

static struct probe probe;

static ssize_t probe_read(struct reader *r, void *buf, size_t len,
			  struct err *e)
{
	struct probe *p = (struct probe *)r;

	p->calls++;
	if (len > p->biggest)
		p->biggest = len;
	if (!p->left && p->fail_at_end)
		return err_sys(e, EIO, "read layer");
	if (len > p->max)
		len = p->max;
	if (len > p->left)
		len = p->left;
	memcpy(buf, p->p, len);
	p->p += len;
	p->left -= len;
	return len;
}

static struct reader *probe_reader(const struct buf *b, size_t max)
{
	memset(&probe, 0, sizeof(probe));
	probe.r.read = probe_read;
	probe.p = b->p;
	probe.left = b->len;
	probe.max = max;
	return &probe.r;
}

static struct tar *open_buf(const struct buf *b,
			    const struct tar_limits *lim)
{
	struct tar *t = tar_open(reader_mem(b->p, b->len), lim);

	UNIT_NOT_NULL(t);
	return t;
}

/* --- listing what the reader saw ------------------------------------ */

static void add(struct buf *out, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void add(struct buf *out, const char *fmt, ...)
{
	char tmp[8192];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	UNIT_ASSERT(n >= 0 && (size_t)n < sizeof(tmp));
	put(out, tmp, n);
}

/* Bytes as C would write them, but for short printable runs. */
static void add_bytes(struct buf *out, const unsigned char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i] >= 0x20 && p[i] < 0x7f && p[i] != '\\')
			add(out, "%c", p[i]);
		else
			add(out, "\\x%02x", p[i]);
}

static const char type_chars[] = "fhlcbdp";

static void add_entry(struct buf *out, const struct tar_entry *ent)
{
	size_t i;

	add(out, "%s %c %04o %u:%u %s:%s %llu %lld.%09ld", ent->path,
	    type_chars[ent->type], (unsigned)ent->mode, (unsigned)ent->uid,
	    (unsigned)ent->gid, ent->uname, ent->gname,
	    (unsigned long long)ent->size, (long long)ent->mtime.tv_sec,
	    ent->mtime.tv_nsec);
	if (ent->link)
		add(out, " -> %s", ent->link);
	else if (ent->type == TAR_HARDLINK || ent->type == TAR_SYMLINK)
		add(out, " -> NULL");
	if (ent->type == TAR_CHR || ent->type == TAR_BLK)
		add(out, " dev %u,%u", ent->devmajor, ent->devminor);
	for (i = 0; i < ent->n_xattrs; i++) {
		add(out, " xattr ");
		add_bytes(out, (const unsigned char *)ent->xattrs[i].name,
			  strlen(ent->xattrs[i].name));
		add(out, "=");
		add_bytes(out, ent->xattrs[i].value, ent->xattrs[i].len);
	}
}

static int last_rc;

/*
 * Every entry of t, one line each, its data after ": " read chunk bytes
 * at a time (long data as its digest); the error, if any, last.  t is
 * closed.  Returned in a static buffer.
 */
static const char *list_chunks(struct tar *t, size_t chunk)
{
	static struct buf out;
	const struct tar_entry *ent;
	unsigned char *data = malloc(chunk);
	struct buf d = { 0 };
	char dig[DIGEST_STR_MAX];
	ssize_t n;
	int r;

	UNIT_NOT_NULL(data);
	out.len = 0;
	while ((r = tar_next(t, &ent, &e)) > 0) {
		add_entry(&out, ent);
		d.len = 0;
		while ((n = tar_read(t, data, chunk, &e)) > 0)
			put(&d, data, n);
		if (n < 0) {
			r = n;
			break;
		}
		UNIT_EQ_UINT(d.len, ent->size);
		if (d.len > 64) {
			digest_buf(d.p, d.len, dig);
			add(&out, ": %.19s", dig);
		} else if (d.len) {
			add(&out, ": ");
			add_bytes(&out, d.p, d.len);
		}
		add(&out, "\n");
	}
	last_rc = r;
	if (r < 0) {
		add(&out, "\nerror: %s\n", e.msg);
		/* Once failed, the same error again. */
		UNIT_EQ_INT(tar_next(t, &ent, &e), r);
	} else {
		UNIT_EQ_INT(tar_next(t, &ent, &e), 0);
		UNIT_NULL(ent);
	}
	tar_close(t);
	free(data);
	free(d.p);
	put(&out, "", 1);
	out.len--;
	return (const char *)out.p;
}

static const char *list(const struct buf *b)
{
	return list_chunks(open_buf(b, NULL), 65536);
}

static const char *list_lim(const struct buf *b, const struct tar_limits *l)
{
	return list_chunks(open_buf(b, l), 65536);
}

/* The error of reading b, which must fail. */
static const char *error_of(const struct buf *b, const struct tar_limits *l)
{
	const char *s = list_lim(b, l), *p = strstr(s, "error: ");

	if (!p)
		unit_fail(__FILE__, __LINE__, "no error in:\n%s", s);
	return p + 7;
}

#define UNIT_ERROR(b, lim, no, msg)					\
	do {								\
		UNIT_EQ_STR(error_of(b, lim), msg "\n");		\
		UNIT_EQ_INT(last_rc, -(no));				\
	} while (0)

#define MT " 1700000000.000000000"

/* --- ustar ------------------------------------------------------------ */

UNIT_CASE(ustar_entries_and_data)
{
	struct buf b = { 0 };
	struct hdr h;

	put_entry(&b, "etc/", '5', NULL, 0);
	put_entry(&b, "etc/passwd", '0', "root:x:0:0\n", 11);
	put_entry(&b, "empty", '0', NULL, 0);
	hdr_init(&h, "big", '0', 1000);
	set_oct(h.mode, sizeof(h.mode), 0104755);
	put_hdr(&b, &h);
	put_zeros(&b, 1024);
	put_end(&b);
	UNIT_EQ_STR(list(&b),
		    "etc/ d 0644 1000:100 user:group 0" MT "\n"
		    "etc/passwd f 0644 1000:100 user:group 11" MT
		    ": root:x:0:0\\x0a\n"
		    "empty f 0644 1000:100 user:group 0" MT "\n"
		    "big f 4755 1000:100 user:group 1000" MT
		    ": sha256:541b3e9daa09\n");
	free(b.p);
}

UNIT_CASE(ustar_prefix)
{
	char name[101], prefix[156];
	struct buf b = { 0 };
	struct hdr h;

	memset(name, 'n', 100);
	name[100] = 0;
	memset(prefix, 'p', 155);
	prefix[155] = 0;
	/* Both fields full: neither has a NUL. */
	hdr_init(&h, name, '0', 0);
	memcpy(h.prefix, prefix, 155);
	put_hdr(&b, &h);
	hdr_init(&h, "file", '0', 0);
	set_str(h.prefix, sizeof(h.prefix), "a/b");
	put_hdr(&b, &h);
	put_end(&b);
	{
		struct tar *t = open_buf(&b, NULL);
		const struct tar_entry *ent;

		UNIT_EQ_INT(tar_next(t, &ent, &e), 1);
		UNIT_EQ_UINT(strlen(ent->path), 256);
		UNIT_EQ_INT(strspn(ent->path, "p"), 155);
		UNIT_EQ_INT(ent->path[155], '/');
		UNIT_EQ_INT(strspn(ent->path + 156, "n"), 100);
		UNIT_EQ_INT(tar_next(t, &ent, &e), 1);
		UNIT_EQ_STR(ent->path, "a/b/file");
		UNIT_EQ_INT(tar_next(t, &ent, &e), 0);
		tar_close(t);
	}
	free(b.p);
}

/* GNU's own magic: the prefix field holds atime and ctime, not a name. */
UNIT_CASE(gnu_magic_has_no_prefix)
{
	struct buf b = { 0 };
	struct hdr h;

	hdr_init(&h, "f", '0', 0);
	memcpy(h.magic, "ustar ", 6);
	memcpy(h.version, " ", 2);
	set_oct(h.prefix, 12, 1700000000);
	put_hdr(&b, &h);
	put_end(&b);
	UNIT_EQ_STR(list(&b), "f f 0644 1000:100 user:group 0" MT "\n");
	free(b.p);
}

UNIT_CASE(v7_header)
{
	struct buf b = { 0 };
	struct hdr h;

	/* No magic: uname, gname and devices are not there to read. */
	hdr_init(&h, "old/", 0, 0);
	memset(h.magic, 0, 8);
	put_hdr(&b, &h);
	hdr_init(&h, "old/file", 0, 3);
	memset(h.magic, 0, 8 + 64);
	put_hdr(&b, &h);
	put(&b, "v7\n", 3);
	pad(&b);
	hdr_init(&h, "old/link", '1', 0);
	memset(h.magic, 0, 8);
	set_str(h.linkname, sizeof(h.linkname), "old/file");
	put_hdr(&b, &h);
	put_end(&b);
	UNIT_EQ_STR(list(&b),
		    "old/ d 0644 1000:100 : 0" MT "\n"
		    "old/file f 0644 1000:100 : 3" MT ": v7\\x0a\n"
		    "old/link h 0644 1000:100 : 0" MT " -> old/file\n");
	free(b.p);
}

UNIT_CASE(every_typeflag)
{
	struct buf b = { 0 };
	struct hdr h;

	put_entry(&b, "r0", '0', "a", 1);
	put_entry(&b, "rnul", 0, "b", 1);
	put_entry(&b, "r7", '7', "c", 1);
	hdr_init(&h, "h", '1', 0);
	set_str(h.linkname, sizeof(h.linkname), "r0");
	put_hdr(&b, &h);
	hdr_init(&h, "s", '2', 0);
	set_str(h.linkname, sizeof(h.linkname), "../x y");
	put_hdr(&b, &h);
	hdr_init(&h, "c", '3', 0);
	set_oct(h.devmajor, sizeof(h.devmajor), 1);
	set_oct(h.devminor, sizeof(h.devminor), 3);
	put_hdr(&b, &h);
	hdr_init(&h, "b", '4', 0);
	set_b256(h.devmajor, sizeof(h.devmajor), 259);
	set_oct(h.devminor, sizeof(h.devminor), 070000);
	put_hdr(&b, &h);
	/* A link name on a directory is not its business. */
	hdr_init(&h, "d", '5', 0);
	set_str(h.linkname, sizeof(h.linkname), "junk");
	put_hdr(&b, &h);
	put_entry(&b, "p", '6', NULL, 0);
	put_end(&b);
	UNIT_EQ_STR(list(&b),
		    "r0 f 0644 1000:100 user:group 1" MT ": a\n"
		    "rnul f 0644 1000:100 user:group 1" MT ": b\n"
		    "r7 f 0644 1000:100 user:group 1" MT ": c\n"
		    "h h 0644 1000:100 user:group 0" MT " -> r0\n"
		    "s l 0644 1000:100 user:group 0" MT " -> ../x y\n"
		    "c c 0644 1000:100 user:group 0" MT " dev 1,3\n"
		    "b b 0644 1000:100 user:group 0" MT " dev 259,28672\n"
		    "d d 0644 1000:100 user:group 0" MT "\n"
		    "p p 0644 1000:100 user:group 0" MT "\n");
	free(b.p);
}

static void unknown_type(char type, const char *msg, int no)
{
	struct buf b = { 0 };

	put_entry(&b, "ok", '0', NULL, 0);
	put_entry(&b, "odd", type, "data", 4);
	put_end(&b);
	UNIT_EQ_STR(error_of(&b, NULL), msg);
	UNIT_EQ_INT(last_rc, -no);
	free(b.p);
}

UNIT_CASE(unknown_typeflags_refused)
{
	unknown_type('V', "tar: entry 2 at offset 512 (odd): unsupported "
		     "typeflag 'V'\n", EINVAL);
	unknown_type('D', "tar: entry 2 at offset 512 (odd): unsupported "
		     "typeflag 'D'\n", EINVAL);
	unknown_type('A', "tar: entry 2 at offset 512 (odd): unsupported "
		     "typeflag 'A'\n", EINVAL);
	unknown_type('8', "tar: entry 2 at offset 512 (odd): unsupported "
		     "typeflag '8'\n", EINVAL);
	unknown_type(1, "tar: entry 2 at offset 512 (odd): unsupported "
		     "typeflag 0x01\n", EINVAL);
	unknown_type(' ', "tar: entry 2 at offset 512 (odd): unsupported "
		     "typeflag 0x20\n", EINVAL);
	unknown_type('S', "tar: entry 2 at offset 512 (odd): GNU sparse "
		     "files are not supported\n", EOPNOTSUPP);
}

/* --- numbers ---------------------------------------------------------- */

UNIT_CASE(octal_fields_with_spaces_and_nuls)
{
	struct buf b = { 0 };
	struct hdr h;

	hdr_init(&h, "a", '0', 2);
	memcpy(h.mode, "   755 \0", 8);	/* leading and trailing spaces */
	memcpy(h.uid, "0000007\0", 8);
	memset(h.gid, 0, 8);		/* empty: 0 */
	memcpy(h.size, "2          ", 12);
	memcpy(h.mtime, "12345670123\0", 12);	/* all 11 digits */
	put_hdr(&b, &h);
	put(&b, "xy", 2);
	pad(&b);
	hdr_init(&h, "b", '0', 0);
	memset(h.uid, ' ', 8);		/* blank: 0 */
	memcpy(h.gid, "7\0garbag", 8);	/* after the NUL: ignored */
	memcpy(h.size, "00000000000 ", 12);	/* no NUL at all */
	memcpy(h.mtime, "77777777777 ", 12);
	put_hdr(&b, &h);
	put_end(&b);
	UNIT_EQ_STR(list(&b),
		    "a f 0755 7:0 user:group 2 1402433619.000000000: xy\n"
		    "b f 0644 0:7 user:group 0 8589934591.000000000\n");
	free(b.p);
}

static void bad_field(size_t off, const char *val, size_t len,
		      const char *msg)
{
	struct buf b = { 0 };
	struct hdr h;

	hdr_init(&h, "f", '0', 0);
	memcpy((char *)&h + off, val, len);
	put_hdr(&b, &h);
	put_end(&b);
	UNIT_EQ_STR(error_of(&b, NULL), msg);
	UNIT_EQ_INT(last_rc, -EINVAL);
	free(b.p);
}

#define BAD_FIELD(field, val, msg)					\
	bad_field(offsetof(struct hdr, field), val, sizeof(val) - 1,	\
		  "tar: entry 1 at offset 0 (f): " msg "\n")

UNIT_CASE(bad_octal_fields)
{
	BAD_FIELD(mode, "0644x\0\0\0", "bad number in mode field");
	BAD_FIELD(mode, "06 44\0\0\0", "bad number in mode field");
	BAD_FIELD(uid, "0000008\0", "bad number in uid field");
	BAD_FIELD(gid, "-000001\0", "bad number in gid field");
	BAD_FIELD(size, "0000000001a\0", "bad number in size field");
	BAD_FIELD(mtime, "abc\0", "bad number in mtime field");
	/* 32 bits: not uid (uid_t)-1, chown's "leave alone". */
	BAD_FIELD(uid, "\x80\0\0\0\xff\xff\xff\xff",
		  "uid field out of range");
	BAD_FIELD(gid, "\x80\0\0\x01\0\0\0\0", "gid field out of range");
	BAD_FIELD(size, "\x80\x7f\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff",
		  "size field out of range");
	BAD_FIELD(size, "\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xfe",
		  "negative size field");
	BAD_FIELD(uid, "\xff\xff\xff\xff\xff\xff\xff\xff",
		  "negative uid field");
}

UNIT_CASE(base256_size_uid_mtime)
{
	const struct tar_entry *ent;
	struct buf b = { 0 };
	struct tar *t;
	struct hdr h;

	hdr_init(&h, "small", '0', 0);
	set_b256(h.size, sizeof(h.size), 5);
	set_b256(h.uid, sizeof(h.uid), 4000000000LL);
	set_b256(h.gid, sizeof(h.gid), 2097152);
	set_b256(h.mtime, sizeof(h.mtime), -1000);
	put_hdr(&b, &h);
	put(&b, "12345", 5);
	pad(&b);
	/* 64 GiB: only its header is here, reading it would run out. */
	hdr_init(&h, "huge", '0', 0);
	set_b256(h.size, sizeof(h.size), 1LL << 36);
	put_hdr(&b, &h);
	put(&b, "partial", 7);
	UNIT_EQ_STR(list(&b),
		    "small f 0644 4000000000:2097152 user:group 5 "
		    "-1000.000000000: 12345\n"
		    "huge f 0644 1000:100 user:group 68719476736" MT
		    "\nerror: tar: entry 2 at offset 1024 (huge): unexpected "
		    "end of archive\n");
	UNIT_EQ_INT(last_rc, -EINVAL);
	t = open_buf(&b, NULL);
	UNIT_EQ_INT(tar_next(t, &ent, &e), 1);
	UNIT_EQ_INT(tar_next(t, &ent, &e), 1);
	UNIT_EQ_UINT(ent->size, 1ULL << 36);
	tar_close(t);
	free(b.p);
}

UNIT_CASE(checksum_signed_and_unsigned)
{
	struct buf b = { 0 };
	struct hdr h;

	/* Bytes over 0x7f make the two sums differ. */
	hdr_init(&h, "caf\xc3\xa9", '0', 0);
	hdr_sum(&h, 1);
	put(&b, &h, 512);
	hdr_init(&h, "na\xc3\xafve", '0', 0);
	hdr_sum(&h, 0);
	put(&b, &h, 512);
	put_end(&b);
	UNIT_EQ_STR(list(&b),
		    "caf\xc3\xa9 f 0644 1000:100 user:group 0" MT "\n"
		    "na\xc3\xafve f 0644 1000:100 user:group 0" MT "\n");
	/* One bit off. */
	b.p[2 * 512 + 100] ^= 1;
	b.len = 3 * 512;
	memset(b.p + 1024, 0, 512);
	hdr_init(&h, "z", '0', 0);
	hdr_sum(&h, 0);
	h.name[0] = 'y';
	memcpy(b.p + 512, &h, 512);
	UNIT_ERROR(&b, NULL, EINVAL, "tar: entry 2 at offset 512: bad header "
		   "checksum");
	free(b.p);
}

/* --- pax ---------------------------------------------------------------- */

UNIT_CASE(pax_fields)
{
	char longp[300], want[1024];
	struct buf b = { 0 }, r = { 0 };
	struct hdr h;

	memset(longp, 'q', sizeof(longp) - 1);
	longp[sizeof(longp) - 1] = 0;
	put_pax(&b, 'x', "path", longp, "uid", "3000000000", "gid", "77",
		"uname", "\xce\xb1lice", "gname", "a group with spaces",
		"mtime", "1700000000.123456789", "atime", "1.5",
		"comment", "ignored", NULL);
	put_entry(&b, "short", '0', "d", 1);
	put_pax(&b, 'x', "linkpath", longp, "mtime", "1.1234567891", NULL);
	hdr_init(&h, "s", '2', 0);
	set_str(h.linkname, sizeof(h.linkname), "short-target");
	put_hdr(&b, &h);
	/* size: the header's field says 0, a 0 placeholder as Go writes. */
	put_pax(&b, 'x', "size", "6", "mtime", "-1.5", NULL);
	hdr_init(&h, "sized", '0', 0);
	put_hdr(&b, &h);
	put(&b, "sixsix", 6);
	pad(&b);
	/* An empty value takes back what the record before said. */
	rec_s(&r, "path", "overridden");
	rec_s(&r, "path", "");
	rec_s(&r, "uid", "5");
	rec_s(&r, "uid", "");
	rec_s(&r, "mtime", "9");
	rec_s(&r, "mtime", "");
	rec_s(&r, "uname", "x");
	rec_s(&r, "uname", "");
	put_ext(&b, 'x', r.p, r.len);
	put_entry(&b, "plain", '0', NULL, 0);
	put_pax(&b, 'x', "mtime", "42", NULL);
	put_entry(&b, "whole", '0', NULL, 0);
	put_end(&b);
	snprintf(want, sizeof(want),
		 "%s f 0644 3000000000:77 \xce\xb1lice:a group with spaces 1 "
		 "1700000000.123456789: d\n"
		 "s l 0644 1000:100 user:group 0 1.123456789 -> %s\n"
		 "sized f 0644 1000:100 user:group 6 -2.500000000: sixsix\n"
		 "plain f 0644 1000:100 user:group 0" MT "\n"
		 "whole f 0644 1000:100 user:group 0 42.000000000\n",
		 longp, longp);
	UNIT_EQ_STR(list(&b), want);
	free(b.p);
	free(r.p);
}

UNIT_CASE(pax_xattrs_binary)
{
	static const unsigned char cap[20] = {
		0x01, 0x00, 0x00, 0x02, 0x00, 0x20, 0x00, 0x00, 0x00, 0x00,
	};
	struct buf b = { 0 }, r = { 0 };

	rec(&r, "SCHILY.xattr.security.capability", cap, sizeof(cap));
	/* NUL, newline and '=' inside: only the length says where it ends. */
	rec(&r, "SCHILY.xattr.user.bin", "a\0b\n=c", 6);
	rec(&r, "SCHILY.xattr.user.empty", "", 0);
	rec(&r, "SCHILY.xattr.trusted.x.y=z", "1", 1);
	put_ext(&b, 'x', r.p, r.len);
	put_entry(&b, "f", '0', NULL, 0);
	/* Another entry's xattrs are its own. */
	put_pax(&b, 'x', "SCHILY.xattr.user.second", "2", NULL);
	put_entry(&b, "g", '0', NULL, 0);
	put_entry(&b, "h", '0', NULL, 0);
	put_end(&b);
	UNIT_EQ_STR(list(&b),
		    "f f 0644 1000:100 user:group 0" MT
		    " xattr security.capability=\\x01\\x00\\x00\\x02\\x00 "
		    "\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00"
		    "\\x00\\x00\\x00"
		    " xattr user.bin=a\\x00b\\x0a=c xattr user.empty="
		    " xattr trusted.x.y=z=1\n"
		    "g f 0644 1000:100 user:group 0" MT " xattr user.second=2\n"
		    "h f 0644 1000:100 user:group 0" MT "\n");
	free(b.p);
	free(r.p);
}

UNIT_CASE(libarchive_xattrs)
{
	struct buf b = { 0 };

	/* bsdtar writes both; the same name twice is one xattr. */
	put_pax(&b, 'x', "SCHILY.xattr.user.a", "old",
		"LIBARCHIVE.xattr.user.a", "aGVsbG8=",
		"LIBARCHIVE.xattr.user.%3D%25%0a", "AP8",
		"LIBARCHIVE.xattr.user.e", "", NULL);
	put_entry(&b, "f", '0', NULL, 0);
	put_end(&b);
	UNIT_EQ_STR(list(&b), "f f 0644 1000:100 user:group 0" MT
		    " xattr user.a=hello xattr user.=%\\x0a=\\x00\\xff"
		    " xattr user.e=\n");
	free(b.p);
	b.p = NULL;
	b.len = 0;
	put_pax(&b, 'x', "LIBARCHIVE.xattr.user.a", "aGVsbG8*", NULL);
	put_entry(&b, "f", '0', NULL, 0);
	put_end(&b);
	UNIT_ERROR(&b, NULL, EINVAL, "tar: entry 1 at offset 0: pax record 1: "
		   "bad base64 value");
	b.len = 0;
	put_pax(&b, 'x', "LIBARCHIVE.xattr.user.a", "aGVsbG8=x", NULL);
	put_entry(&b, "f", '0', NULL, 0);
	put_end(&b);
	UNIT_ERROR(&b, NULL, EINVAL, "tar: entry 1 at offset 0: pax record 1: "
		   "bad base64 value");
	b.len = 0;
	put_pax(&b, 'x', "LIBARCHIVE.xattr.user.%00", "", NULL);
	put_entry(&b, "f", '0', NULL, 0);
	put_end(&b);
	UNIT_ERROR(&b, NULL, EINVAL, "tar: entry 1 at offset 0: pax record 1: "
		   "bad xattr name");
	b.len = 0;
	put_pax(&b, 'x', "path", "p", "LIBARCHIVE.xattr.user.%4", "", NULL);
	put_entry(&b, "f", '0', NULL, 0);
	put_end(&b);
	UNIT_ERROR(&b, NULL, EINVAL, "tar: entry 1 at offset 0 (p): pax "
		   "record 2: bad xattr name");
	b.len = 0;
	put_pax(&b, 'x', "SCHILY.xattr.", "v", NULL);
	put_entry(&b, "f", '0', NULL, 0);
	put_end(&b);
	UNIT_ERROR(&b, NULL, EINVAL, "tar: entry 1 at offset 0: pax record 1: "
		   "empty xattr name");
	free(b.p);
}

UNIT_CASE(global_header_ignored)
{
	struct buf b = { 0 };

	put_pax(&b, 'g', "comment", "git commit", "path", "not/this",
		"uid", "9", "mtime", "junk, not checked", NULL);
	put_entry(&b, "a", '0', NULL, 0);
	put_pax(&b, 'g', "x", "", NULL);
	put_pax(&b, 'x', "path", "b2", NULL);
	put_pax(&b, 'g', "y", "", NULL);
	put_entry(&b, "b", '0', NULL, 0);
	/* Globals and nothing after: an archive of no more entries. */
	put_pax(&b, 'g', "z", "", NULL);
	put_end(&b);
	UNIT_EQ_STR(list(&b), "a f 0644 1000:100 user:group 0" MT "\n"
		    "b2 f 0644 1000:100 user:group 0" MT "\n");
	free(b.p);
	/* Checked all the same. */
	b.p = NULL;
	b.len = 0;
	put_entry(&b, "a", '0', NULL, 0);
	put_ext(&b, 'g', "11 comment\n", 11);
	put_entry(&b, "b", '0', NULL, 0);
	put_end(&b);
	UNIT_ERROR(&b, NULL, EINVAL, "tar: entry 2 at offset 512: pax global "
		   "record 1: missing '='");
	free(b.p);
}

UNIT_CASE(gnu_long_name_and_link)
{
	char name[400], link[300], want[1024];
	struct buf b = { 0 };
	struct hdr h;

	memset(name, 'n', sizeof(name) - 1);
	name[sizeof(name) - 1] = 0;
	memcpy(name + 100, "/", 1);
	memset(link, 'k', sizeof(link) - 1);
	link[sizeof(link) - 1] = 0;
	/* With the NUL GNU tar counts in the size. */
	put_ext(&b, 'L', name, sizeof(name));
	put_ext(&b, 'K', link, sizeof(link));
	hdr_init(&h, "truncated-name", '2', 0);
	set_str(h.linkname, sizeof(h.linkname), "truncated-link");
	put_hdr(&b, &h);
	/* Without; and a 'K' before a hard link. */
	put_ext(&b, 'K', "target", 6);
	hdr_init(&h, "hard", '1', 0);
	put_hdr(&b, &h);
	/* A 'K' on a file: not a link, no link. */
	put_ext(&b, 'K', "stray", 5);
	put_entry(&b, "file", '0', NULL, 0);
	put_end(&b);
	snprintf(want, sizeof(want),
		 "%s l 0644 1000:100 user:group 0" MT " -> %s\n"
		 "hard h 0644 1000:100 user:group 0" MT " -> target\n"
		 "file f 0644 1000:100 user:group 0" MT "\n", name, link);
	UNIT_EQ_STR(list(&b), want);
	free(b.p);
}

/* The later of a pax path and a GNU long name is the name. */
UNIT_CASE(pax_and_gnu_names_later_wins)
{
	struct buf b = { 0 };

	put_pax(&b, 'x', "path", "from-pax", NULL);
	put_ext(&b, 'L', "from-gnu", 9);
	put_entry(&b, "hdr", '0', NULL, 0);
	put_ext(&b, 'L', "from-gnu", 9);
	put_pax(&b, 'x', "path", "from-pax", NULL);
	put_entry(&b, "hdr", '0', NULL, 0);
	put_end(&b);
	UNIT_EQ_STR(list(&b), "from-gnu f 0644 1000:100 user:group 0" MT "\n"
		    "from-pax f 0644 1000:100 user:group 0" MT "\n");
	free(b.p);
}

/* --- hostile pax records -------------------------------------------- */

static void bad_pax(const char *recs, size_t len, const char *msg, int no)
{
	struct buf b = { 0 };

	put_entry(&b, "first", '0', "x", 1);
	put_ext(&b, 'x', recs, len);
	put_entry(&b, "f", '0', NULL, 0);
	put_end(&b);
	UNIT_EQ_STR(error_of(&b, NULL), msg);
	UNIT_EQ_INT(last_rc, -no);
	free(b.p);
}

#define BAD_PAX(recs, msg)						\
	bad_pax(recs, sizeof(recs) - 1, "tar: entry 2 at offset 1024" msg \
		"\n", EINVAL)

UNIT_CASE(pax_records_that_lie)
{
	BAD_PAX("30 path=longer than the data\n", ": pax record 1: bad "
		"length");
	BAD_PAX("13 path=abcd\n0 x=\n", " (abcd): pax record 2: bad length");
	BAD_PAX("0 path=abcd\n", ": pax record 1: bad length");
	BAD_PAX("x path=abcd\n", ": pax record 1: bad length");
	BAD_PAX(" 12 path=ab\n", ": pax record 1: bad length");
	BAD_PAX("12path=abcd\n", ": pax record 1: bad length");
	BAD_PAX("3 a\n", ": pax record 1: bad length");
	BAD_PAX("12", ": pax record 1: bad length");
	BAD_PAX("99999999999999999999999 a=b\n", ": pax record 1: bad "
		"length");
	BAD_PAX("12 path=abcd", ": pax record 1: no newline at its end");
	BAD_PAX("12 path=abc\nx", " (abc): pax record 2: bad length");
	BAD_PAX("14 path=abcd\n", ": pax record 1: bad length");
	BAD_PAX("12 path-abc\n", ": pax record 1: missing '='");
	BAD_PAX("7 =abc\n", ": pax record 1: empty keyword");
	BAD_PAX("9 pa\0h=x\n", ": pax record 1: NUL byte in keyword");
	BAD_PAX("11 path=\0x\n", ": pax record 1: NUL byte in path");
	BAD_PAX("11 size=-1\n", ": pax record 1: negative size");
	BAD_PAX("29 size=99999999999999999999\n", ": pax record 1: size out "
		"of range");
	BAD_PAX("28 size=9223372036854775808\n", ": pax record 1: size out "
		"of range");
	BAD_PAX("12 size=12a\n", ": pax record 1: bad size");
	BAD_PAX("12 size=+12\n", ": pax record 1: bad size");
	BAD_PAX("9 uid=-5\n", ": pax record 1: negative uid");
	BAD_PAX("18 uid=4294967295\n", ": pax record 1: uid out of range");
	BAD_PAX("12 gid=0x10\n", ": pax record 1: bad gid");
	BAD_PAX("13 mtime=1,5\n", ": pax record 1: bad mtime");
	BAD_PAX("12 mtime=.5\n", ": pax record 1: bad mtime");
	BAD_PAX("13 mtime=--1\n", ": pax record 1: bad mtime");
	bad_pax("22 GNU.sparse.major=1\n", 22, "tar: entry 2 at offset 1024: "
		"pax record 1: GNU sparse files are not supported\n",
		EOPNOTSUPP);
}

/* --- hostile entries --------------------------------------------------- */

UNIT_CASE(empty_path_and_links_refused)
{
	struct buf b = { 0 };
	struct hdr h;

	put_hdr(&b, hdr_init(&h, "", '0', 0));
	put_end(&b);
	UNIT_ERROR(&b, NULL, EINVAL, "tar: entry 1 at offset 0: empty path");
	b.len = 0;
	put_ext(&b, 'L', "", 1);
	put_entry(&b, "x", '0', NULL, 0);
	put_end(&b);
	UNIT_ERROR(&b, NULL, EINVAL, "tar: entry 1 at offset 0: empty path");
	b.len = 0;
	put_hdr(&b, hdr_init(&h, "h", '1', 0));
	put_end(&b);
	UNIT_ERROR(&b, NULL, EINVAL, "tar: entry 1 at offset 0 (h): hard link "
		   "without a target");
	b.len = 0;
	put_pax(&b, 'x', "linkpath", "", NULL);
	put_hdr(&b, hdr_init(&h, "s", '2', 0));
	put_end(&b);
	UNIT_ERROR(&b, NULL, EINVAL, "tar: entry 1 at offset 0 (s): symlink "
		   "without a target");
	free(b.p);
}

UNIT_CASE(data_only_on_regular_files)
{
	struct buf b = { 0 };
	struct hdr h;

	hdr_init(&h, "s", '2', 512);
	set_str(h.linkname, sizeof(h.linkname), "t");
	put_hdr(&b, &h);
	put_zeros(&b, 512);
	put_end(&b);
	UNIT_ERROR(&b, NULL, EINVAL, "tar: entry 1 at offset 0 (s): symlink "
		   "with 512 bytes of data");
	b.len = 0;
	put_pax(&b, 'x', "size", "1", NULL);
	put_entry(&b, "d", '5', NULL, 0);
	put_end(&b);
	UNIT_ERROR(&b, NULL, EINVAL, "tar: entry 1 at offset 0 (d): directory "
		   "with 1 bytes of data");
	b.len = 0;
	put_entry(&b, "p", '6', "x", 1);
	put_end(&b);
	UNIT_ERROR(&b, NULL, EINVAL, "tar: entry 1 at offset 0 (p): fifo "
		   "with 1 bytes of data");
	free(b.p);
}

/* Control bytes in a name stay out of the one-line message. */
UNIT_CASE(error_quotes_the_path)
{
	char name[400];
	struct buf b = { 0 };

	put_pax(&b, 'x', "path", "a\nb\033[2J", "uid", "-1", NULL);
	put_entry(&b, "f", '0', NULL, 0);
	put_end(&b);
	UNIT_ERROR(&b, NULL, EINVAL, "tar: entry 1 at offset 0 "
		   "(a\\x0ab\\x1b[2J): pax record 2: negative uid");
	b.len = 0;
	memset(name, 'n', sizeof(name) - 1);
	name[sizeof(name) - 1] = 0;
	put_pax(&b, 'x', "path", name, "uid", "-1", NULL);
	put_entry(&b, "f", '0', NULL, 0);
	put_end(&b);
	name[200] = 0;
	{
		char want[512];

		snprintf(want, sizeof(want), "tar: entry 1 at offset 0 "
			 "(%s...): pax record 2: negative uid\n", name);
		UNIT_EQ_STR(error_of(&b, NULL), want);
	}
	/* Cut where the quoted text is long, not the name. */
	b.len = 0;
	memset(name, '\t', 60);
	name[60] = 0;
	put_pax(&b, 'x', "path", name, "uid", "-1", NULL);
	put_entry(&b, "f", '0', NULL, 0);
	put_end(&b);
	{
		char want[512], *p = want;
		int i;

		p += sprintf(p, "tar: entry 1 at offset 0 (");
		for (i = 0; i < 50; i++)
			p += sprintf(p, "\\x09");
		sprintf(p, "...): pax record 2: negative uid\n");
		UNIT_EQ_STR(error_of(&b, NULL), want);
	}
	free(b.p);
}

/* --- limits ------------------------------------------------------------ */

UNIT_CASE(limit_ext_before_allocation)
{
	struct tar_limits lim = { .max_ext = 100 };
	struct buf b = { 0 };
	struct hdr h;

	/* Nothing but the header: the refusal cannot have read the data. */
	hdr_init(&h, "././@PaxHeader", 'x', 0);
	set_b256(h.size, sizeof(h.size), 1LL << 50);
	put_hdr(&b, &h);
	UNIT_ERROR(&b, NULL, EFBIG, "tar: entry 1 at offset 0: pax header of "
		   "1125899906842624 bytes is over the limit of 1048576");
	b.len = 0;
	hdr_init(&h, "././@LongLink", 'L', 101);
	put_hdr(&b, &h);
	UNIT_ERROR(&b, &lim, EFBIG, "tar: entry 1 at offset 0: GNU long name "
		   "of 101 bytes is over the limit of 100");
	b.len = 0;
	hdr_init(&h, "././@LongLink", 'K', 1000);
	put_hdr(&b, &h);
	UNIT_ERROR(&b, &lim, EFBIG, "tar: entry 1 at offset 0: GNU long link "
		   "of 1000 bytes is over the limit of 100");
	b.len = 0;
	hdr_init(&h, "././@PaxHeader", 'g', 1000);
	put_hdr(&b, &h);
	UNIT_ERROR(&b, &lim, EFBIG, "tar: entry 1 at offset 0: pax global "
		   "header of 1000 bytes is over the limit of 100");
	/* The limit is on all of one entry's extended headers. */
	b.len = 0;
	put_ext(&b, 'L', "name-of-sixty-bytes-name-of-sixty-bytes-name-of-"
		"sixty-bytes-", 60);
	put_pax(&b, 'x', "path", "this record is 30 bytes", NULL);
	put_pax(&b, 'x', "path", "this record is 30 bytes", NULL);
	put_entry(&b, "f", '0', NULL, 0);
	put_end(&b);
	UNIT_ERROR(&b, &lim, EFBIG, "tar: entry 1 at offset 0 (this record is "
		   "30 bytes): pax header of 32 bytes is over the limit of 100 "
		   "with the extended headers before it");
	/* But each entry has its own. */
	b.len = 0;
	put_ext(&b, 'L', "a", 2);
	put_pax(&b, 'x', "path", "this record is 30 bytes", NULL);
	put_entry(&b, "f", '0', NULL, 0);
	put_ext(&b, 'L', "b", 2);
	put_pax(&b, 'x', "path", "this record is 30 bytes", NULL);
	put_entry(&b, "f", '0', NULL, 0);
	put_end(&b);
	UNIT_EQ_STR(list_lim(&b, &lim),
		    "this record is 30 bytes f 0644 1000:100 user:group 0" MT
		    "\nthis record is 30 bytes f 0644 1000:100 user:group 0"
		    MT "\n");
	free(b.p);
}

UNIT_CASE(limit_names)
{
	struct tar_limits lim = { .max_name = 10 };
	struct buf b = { 0 };
	struct hdr h;

	put_entry(&b, "0123456789", '0', NULL, 0);
	put_entry(&b, "0123456789a", '0', NULL, 0);
	put_end(&b);
	UNIT_ERROR(&b, &lim, ENAMETOOLONG, "tar: entry 2 at offset 512 "
		   "(0123456789a): path of 11 bytes is over the limit of 10");
	b.len = 0;
	hdr_init(&h, "l", '2', 0);
	set_str(h.linkname, sizeof(h.linkname), "0123456789");
	put_hdr(&b, &h);
	hdr_init(&h, "l", '1', 0);
	set_str(h.linkname, sizeof(h.linkname), "0123456789a");
	put_hdr(&b, &h);
	put_end(&b);
	UNIT_ERROR(&b, &lim, ENAMETOOLONG, "tar: entry 2 at offset 512 (l): "
		   "link of 11 bytes is over the limit of 10");
	/* The default: 4096. */
	b.len = 0;
	{
		char name[4098];

		memset(name, 'x', sizeof(name));
		put_ext(&b, 'L', name, 4096);
		put_entry(&b, "f", '0', NULL, 0);
		put_ext(&b, 'L', name, 4097);
		put_entry(&b, "g", '0', NULL, 0);
		put_end(&b);
		UNIT_EQ_INT(memcmp(error_of(&b, NULL), "tar: entry 2 at offset "
				   "5120 (xxx", 32), 0);
		UNIT_ASSERT(strstr(error_of(&b, NULL), "...): path of 4097 "
				   "bytes is over the limit of 4096\n"));
	}
	free(b.p);
}

UNIT_CASE(limit_entries_and_bytes)
{
	struct tar_limits lim = { .max_entries = 2 };
	struct buf b = { 0 };

	put_entry(&b, "a", '0', NULL, 0);
	put_entry(&b, "b", '0', NULL, 0);
	put_entry(&b, "c", '0', NULL, 0);
	put_end(&b);
	UNIT_EQ_STR(list_lim(&b, &lim),
		    "a f 0644 1000:100 user:group 0" MT "\n"
		    "b f 0644 1000:100 user:group 0" MT "\n"
		    "\nerror: tar: entry 3 at offset 1024 (c): more than 2 "
		    "entries\n");
	UNIT_EQ_INT(last_rc, -EFBIG);
	lim.max_entries = 0;
	lim.max_bytes = 10;
	b.len = 0;
	put_entry(&b, "a", '0', "12345", 5);
	put_entry(&b, "b", '0', "12345", 5);
	put_entry(&b, "c", '0', "1", 1);
	put_end(&b);
	UNIT_ERROR(&b, &lim, EFBIG, "tar: entry 3 at offset 2048 (c): more "
		   "than 10 bytes of data in all");
	/* Extended headers count, and so does what follows the end. */
	b.len = 0;
	put_ext(&b, 'L', "abcde", 6);
	put_entry(&b, "b", '0', "12345", 5);
	put_end(&b);
	UNIT_ERROR(&b, &lim, EFBIG, "tar: entry 1 at offset 0 (abcde): more "
		   "than 10 bytes of data in all");
	b.len = 0;
	put_entry(&b, "b", '0', "12345", 5);
	put_end(&b);
	put(&b, "123456", 6);
	{
		struct tar *t = open_buf(&b, &lim);
		const struct tar_entry *ent;

		UNIT_EQ_INT(tar_next(t, &ent, &e), 1);
		UNIT_EQ_INT(tar_next(t, &ent, &e), 0);
		UNIT_EQ_INT(tar_drain(t, &e), -EFBIG);
		UNIT_EQ_STR(e.msg, "tar: at offset 2054, after the end: more "
			    "than 10 bytes in all");
		tar_close(t);
	}
	free(b.p);
}

UNIT_CASE(limit_extended_headers_per_entry)
{
	struct buf b = { 0 };
	int i;

	for (i = 0; i < 16; i++)
		put_pax(&b, 'x', "comment", "", NULL);
	put_entry(&b, "f", '0', NULL, 0);
	for (i = 0; i < 17; i++)
		put_pax(&b, 'g', "comment", "", NULL);
	put_entry(&b, "g", '0', NULL, 0);
	put_end(&b);
	UNIT_EQ_STR(list(&b), "f f 0644 1000:100 user:group 0" MT "\n"
		    "\nerror: tar: entry 2 at offset 16896: more than 16 "
		    "extended headers\n");
	free(b.p);
}

/* --- the end, truncation ---------------------------------------------- */

UNIT_CASE(end_of_archive_forms)
{
	struct buf b = { 0 };
	struct tar *t;
	const struct tar_entry *ent;

	put_entry(&b, "a", '0', "x", 1);
	/* No zero block at all; one; one and a half. */
	UNIT_EQ_STR(list(&b), "a f 0644 1000:100 user:group 1" MT ": x\n");
	put_zeros(&b, 512);
	UNIT_EQ_STR(list(&b), "a f 0644 1000:100 user:group 1" MT ": x\n");
	put_zeros(&b, 100);
	UNIT_EQ_STR(list(&b), "a f 0644 1000:100 user:group 1" MT ": x\n"
		    "\nerror: tar: entry 2 at offset 1024: unexpected end of "
		    "archive\n");
	/* One zero block, then a header: not the end, not an entry. */
	b.len = 1536;
	put_entry(&b, "b", '0', NULL, 0);
	UNIT_EQ_STR(list(&b), "a f 0644 1000:100 user:group 1" MT ": x\n"
		    "\nerror: tar: entry 2 at offset 1024: lone zero block "
		    "followed by data\n");
	/* Two, then anything: the end, the rest left for tar_drain(). */
	b.len = 1536;
	put_zeros(&b, 512);
	put_entry(&b, "b", '0', NULL, 0);
	put(&b, "trailing junk", 13);
	t = open_buf(&b, NULL);
	UNIT_EQ_INT(tar_next(t, &ent, &e), 1);
	UNIT_EQ_INT(tar_next(t, &ent, &e), 0);
	UNIT_EQ_UINT(tar_position(t), 2048);
	UNIT_EQ_INT(tar_next(t, &ent, &e), 0);
	UNIT_EQ_INT(tar_read(t, b.p, 1, &e), 0);
	UNIT_EQ_INT(tar_drain(t, &e), 0);
	UNIT_EQ_UINT(tar_position(t), b.len);
	UNIT_EQ_INT(tar_drain(t, &e), 0);
	tar_close(t);
	/* An empty stream is an empty archive. */
	b.len = 0;
	UNIT_EQ_STR(list(&b), "");
	UNIT_EQ_INT(last_rc, 0);
	free(b.p);
}

UNIT_CASE(truncated_archives)
{
	struct buf b = { 0 };

	put_entry(&b, "a", '0', NULL, 0);
	put_pax(&b, 'x', "path", "long/name", NULL);
	put_entry(&b, "b", '0', "0123456789", 10);
	put_end(&b);
	UNIT_EQ_STR(list(&b), "a f 0644 1000:100 user:group 0" MT "\n"
		    "long/name f 0644 1000:100 user:group 10" MT
		    ": 0123456789\n");
	/* Inside a header. */
	b.len = 100;
	UNIT_ERROR(&b, NULL, EINVAL, "tar: entry 1 at offset 0: unexpected "
		   "end of archive");
	/* Inside the pax data, after it, inside the next header. */
	b.len = 512 + 512 + 10;
	UNIT_ERROR(&b, NULL, EINVAL, "tar: entry 2 at offset 512: unexpected "
		   "end of archive");
	b.len = 512 + 512 + 512;
	UNIT_ERROR(&b, NULL, EINVAL, "tar: entry 2 at offset 512 (long/name): "
		   "unexpected end of archive");
	b.len = 512 + 512 + 512 + 511;
	UNIT_ERROR(&b, NULL, EINVAL, "tar: entry 2 at offset 512 (long/name): "
		   "unexpected end of archive");
	/* Inside the data, inside its padding. */
	b.len = 4 * 512 + 5;
	UNIT_ERROR(&b, NULL, EINVAL, "tar: entry 2 at offset 512 (long/name): "
		   "unexpected end of archive");
	b.len = 4 * 512 + 100;
	UNIT_EQ_STR(list(&b), "a f 0644 1000:100 user:group 0" MT "\n"
		    "long/name f 0644 1000:100 user:group 10" MT
		    ": 0123456789\n"
		    "\nerror: tar: entry 2 at offset 512 (long/name): "
		    "unexpected end of archive\n");
	/* An extended header and then the end. */
	b.len = 3 * 512;
	put_end(&b);
	UNIT_ERROR(&b, NULL, EINVAL, "tar: entry 2 at offset 512 (long/name): "
		   "extended header without an entry");
	free(b.p);
}

/* --- reading ------------------------------------------------------------ */

/* Data the caller leaves is skipped, in large reads. */
UNIT_CASE(unread_data_skipped)
{
	const struct tar_entry *ent;
	static char big[300000];
	struct buf b = { 0 };
	struct tar *t;
	char c[4];

	put_entry(&b, "a", '0', "aaaa", 4);
	memset(big, 'B', sizeof(big));
	put_entry(&b, "big", '0', big, sizeof(big));
	put_entry(&b, "c", '0', "cc", 2);
	put_end(&b);
	t = tar_open(probe_reader(&b, SIZE_MAX), NULL);
	UNIT_EQ_INT(tar_next(t, &ent, &e), 1);
	UNIT_EQ_INT(tar_read(t, c, 2, &e), 2);
	UNIT_EQ_INT(memcmp(c, "aa", 2), 0);
	UNIT_EQ_INT(tar_next(t, &ent, &e), 1);
	UNIT_EQ_STR(ent->path, "big");
	UNIT_EQ_UINT(ent->offset, 1024);
	UNIT_EQ_UINT(tar_position(t), 1536);
	probe.calls = 0;
	UNIT_EQ_INT(tar_next(t, &ent, &e), 1);
	UNIT_EQ_STR(ent->path, "c");
	UNIT_EQ_UINT(ent->offset, 1536 + 300032);
	/* 300000 bytes and 32 of padding in 32 KiB reads, and a header. */
	UNIT_EQ_UINT(probe.calls, 10 + 1);
	UNIT_EQ_UINT(probe.biggest, 32768);
	UNIT_EQ_INT(tar_read(t, c, 4, &e), 2);
	UNIT_EQ_INT(memcmp(c, "cc", 2), 0);
	UNIT_EQ_INT(tar_read(t, c, 4, &e), 0);
	UNIT_EQ_INT(tar_next(t, &ent, &e), 0);
	UNIT_EQ_UINT(tar_position(t), b.len);
	tar_close(t);
	free(b.p);
}

/* A large tar_read() is one read of the source, into the caller's buffer. */
UNIT_CASE(read_passes_through)
{
	const struct tar_entry *ent;
	static char big[1 << 20], out[1 << 21];
	struct buf b = { 0 };
	struct tar *t;

	memset(big, 'B', sizeof(big));
	put_entry(&b, "big", '0', big, sizeof(big) - 5);
	put_end(&b);
	t = tar_open(probe_reader(&b, SIZE_MAX), NULL);
	UNIT_EQ_INT(tar_next(t, &ent, &e), 1);
	probe.calls = 0;
	UNIT_EQ_INT(tar_read(t, out, sizeof(out), &e), sizeof(big) - 5);
	UNIT_EQ_UINT(probe.calls, 1);
	UNIT_EQ_UINT(probe.biggest, sizeof(big) - 5);
	UNIT_EQ_INT(tar_read(t, out, sizeof(out), &e), 0);
	UNIT_EQ_UINT(probe.calls, 1);
	UNIT_EQ_INT(tar_next(t, &ent, &e), 0);
	tar_close(t);
	free(b.p);
}

/* A source that gives one byte a call reads the same archive. */
UNIT_CASE(one_byte_reads)
{
	static char big[5000];
	struct buf b = { 0 }, r = { 0 };
	char *want;
	struct hdr h;

	memset(big, 'z', sizeof(big));
	rec_s(&r, "path", "pax/name");
	rec(&r, "SCHILY.xattr.user.b", "\0\1\2", 3);
	rec_s(&r, "mtime", "1.5");
	put_ext(&b, 'x', r.p, r.len);
	put_entry(&b, "f", '0', big, sizeof(big));
	put_pax(&b, 'g', "comment", "c", NULL);
	put_ext(&b, 'L', "gnu/long/name", 14);
	put_ext(&b, 'K', "gnu/long/link", 14);
	hdr_init(&h, "s", '2', 0);
	put_hdr(&b, &h);
	put_entry(&b, "g", '0', "tail", 4);
	put_end(&b);
	want = strdup(list(&b));
	UNIT_EQ_STR(want, "pax/name f 0644 1000:100 user:group 5000 "
		    "1.500000000 xattr user.b=\\x00\\x01\\x02: "
		    "sha256:bc9d580ae187\n"
		    "gnu/long/name l 0644 1000:100 user:group 0" MT
		    " -> gnu/long/link\n"
		    "g f 0644 1000:100 user:group 4" MT ": tail\n");
	UNIT_EQ_STR(list_chunks(tar_open(probe_reader(&b, 1), NULL), 1),
		    want);
	UNIT_EQ_UINT(probe.left, 0);
	UNIT_EQ_STR(list_chunks(tar_open(probe_reader(&b, 7), NULL), 3),
		    want);
	free(want);
	free(b.p);
	free(r.p);
}

/* The source's own error, named with the entry it broke. */
UNIT_CASE(source_error_wrapped)
{
	const struct tar_entry *ent;
	struct buf b = { 0 };
	char want[256];
	struct tar *t;

	snprintf(want, sizeof(want), "tar: entry 1 at offset 0 (a): read "
		 "layer: %s", strerror(EIO));
	put_entry(&b, "a", '0', "12345", 5);
	b.len = 512 + 3;
	probe_reader(&b, SIZE_MAX);
	probe.fail_at_end = 1;
	UNIT_EQ_STR(strstr(list_chunks(tar_open(&probe.r, NULL), 2),
			   "error: ") + 7, strcat(want, "\n"));
	UNIT_EQ_INT(last_rc, -EIO);
	want[strlen(want) - 1] = 0;
	/* Skipping it runs into the same, and so does all after. */
	probe_reader(&b, SIZE_MAX);
	probe.fail_at_end = 1;
	t = tar_open(&probe.r, NULL);
	UNIT_EQ_INT(tar_next(t, &ent, &e), 1);
	UNIT_EQ_INT(tar_next(t, &ent, &e), -EIO);
	UNIT_EQ_STR(e.msg, want);
	memset(&e, 0, sizeof(e));
	UNIT_EQ_INT(tar_read(t, b.p, 1, &e), -EIO);
	UNIT_EQ_STR(e.msg, want);
	memset(&e, 0, sizeof(e));
	UNIT_EQ_INT(tar_drain(t, &e), -EIO);
	UNIT_EQ_STR(e.msg, want);
	tar_close(t);
	free(b.p);
}

/* What a DiffID needs: every byte of the stream through the tee. */
UNIT_CASE(drain_reads_to_the_end)
{
	char want[DIGEST_STR_MAX], got[DIGEST_STR_MAX];
	const struct tar_entry *ent;
	struct buf b = { 0 };
	struct digest d;
	uint64_t count = 0;
	struct tar *t;

	put_entry(&b, "a", '0', "12345", 5);
	put_end(&b);
	/* GNU tar fills its last 10 KiB record with zeros. */
	put_zeros(&b, 10240 - b.len);
	put(&b, "and then some", 13);
	digest_buf(b.p, b.len, want);
	digest_init(&d);
	t = tar_open(reader_digest(reader_mem(b.p, b.len), &d, &count),
		     NULL);
	UNIT_NOT_NULL(t);
	UNIT_EQ_UINT(tar_position(t), 0);
	UNIT_EQ_INT(tar_next(t, &ent, &e), 1);
	UNIT_EQ_UINT(tar_position(t), 512);
	/* Not yet: the archive has not ended. */
	UNIT_EQ_INT(tar_drain(t, &e), -EINVAL);
	UNIT_EQ_STR(e.msg, "tar: drain before the end of the archive");
	UNIT_EQ_INT(tar_next(t, &ent, &e), 0);
	UNIT_EQ_UINT(tar_position(t), 2048);
	UNIT_EQ_UINT(count, 2048);
	UNIT_EQ_INT(tar_drain(t, &e), 0);
	UNIT_EQ_UINT(tar_position(t), 10253);
	UNIT_EQ_UINT(count, 10253);
	digest_string(&d, got);
	UNIT_EQ_STR(got, want);
	tar_close(t);
	free(b.p);
}

UNIT_CASE(open_defaults_and_null)
{
	UNIT_NULL(tar_open(NULL, NULL));
	tar_close(NULL);
}

/* --- archives of real tools ---------------------------------------------- */

/* path's bytes into b; 0, or -1 with errno. */
static int slurp(const char *path, struct buf *b)
{
	char tmp[65536];
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -1;
	while ((n = read(fd, tmp, sizeof(tmp))) > 0)
		put(b, tmp, n);
	close(fd);
	return n < 0 ? -1 : 0;
}

static int have_tool(const char *cmd)
{
	char sh[256];

	snprintf(sh, sizeof(sh), "%s >/dev/null 2>&1", cmd);
	return system(sh) == 0;
}

static void write_file(const char *path, const char *data, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);

	UNIT_ASSERT(fd >= 0);
	UNIT_EQ_INT(write(fd, data, strlen(data)), (ssize_t)strlen(data));
	UNIT_EQ_INT(close(fd), 0);
	UNIT_EQ_INT(chmod(path, mode), 0);
}

static char dname[71], fname[81], deep[512];

/*
 * DIR/src: D/D/D/F (each D 70 bytes, F 80: 296 in all, past ustar's
 * 255), a hard link and a symlink to it, a fifo; F has user.k = "v\0w"
 * when the file system takes it (else *xattr_err is why not).
 */
static void make_tree(const char *dir, int *xattr_err)
{
	char p[1024];

	memset(dname, 'd', 70);
	memset(fname, 'f', 80);
	snprintf(deep, sizeof(deep), "%s/%s/%s/%s", dname, dname, dname,
		 fname);
	snprintf(p, sizeof(p), "%s/src", dir);
	UNIT_EQ_INT(mkdir(p, 0755), 0);
	UNIT_EQ_INT(chmod(p, 0755), 0);
	snprintf(p, sizeof(p), "%s/src/%s", dir, dname);
	UNIT_EQ_INT(mkdir(p, 0755), 0);
	UNIT_EQ_INT(chmod(p, 0750), 0);
	snprintf(p, sizeof(p), "%s/src/%s/%s", dir, dname, dname);
	UNIT_EQ_INT(mkdir(p, 0755), 0);
	UNIT_EQ_INT(chmod(p, 0700), 0);
	snprintf(p, sizeof(p), "%s/src/%s/%s/%s", dir, dname, dname, dname);
	UNIT_EQ_INT(mkdir(p, 0755), 0);
	UNIT_EQ_INT(chmod(p, 0755), 0);
	snprintf(p, sizeof(p), "%s/src/%s", dir, deep);
	write_file(p, "hello\n", 04755);
	*xattr_err = setxattr(p, "user.k", "v\0w", 3, 0) < 0 ? errno : 0;
	{
		char h[1024];

		snprintf(h, sizeof(h), "%s/src/hard", dir);
		UNIT_EQ_INT(link(p, h), 0);
		snprintf(h, sizeof(h), "%s/src/sym", dir);
		UNIT_EQ_INT(symlink(deep, h), 0);
		snprintf(h, sizeof(h), "%s/src/fifo", dir);
		UNIT_EQ_INT(mkfifo(h, 0600), 0);
		UNIT_EQ_INT(chmod(h, 0640), 0);
	}
}

/* The listing of the tree make_tree() made, as tar writes it. */
static const char *tree_listing(const char *ids, const char *mtime,
				const char *xattr)
{
	static char want[4096];

	snprintf(want, sizeof(want),
		 "./ d 0755 %s 0 %s\n"
		 "./%s/ d 0750 %s 0 %s\n"
		 "./%s/%s/ d 0700 %s 0 %s\n"
		 "./%s/%s/%s/ d 0755 %s 0 %s\n"
		 "./%s f 4755 %s 6 %s%s: hello\\x0a\n"
		 "./fifo p 0640 %s 0 %s\n"
		 "./hard h 4755 %s 0 %s -> ./%s\n"
		 "./sym l 0777 %s 0 %s -> %s\n",
		 ids, mtime, dname, ids, mtime, dname, dname, ids, mtime,
		 dname, dname, dname, ids, mtime, deep, ids, mtime, xattr,
		 ids, mtime, ids, mtime, deep, ids, mtime, deep);
	return want;
}

/* DIR/NAME by GNU tar of DIR/src with opts, listed. */
static const char *gnu_tar(const char *dir, const char *name,
			   const char *opts)
{
	static struct buf b;
	char sh[1024], path[512];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	snprintf(sh, sizeof(sh), "tar --sort=name --owner=alice:1234 %s "
		 "-C %s/src -cf %s .", opts, dir, path);
	UNIT_EQ_INT(system(sh), 0);
	b.len = 0;
	UNIT_EQ_INT(slurp(path, &b), 0);
	/* GNU tar pads to 10 KiB records: 20 blocks. */
	UNIT_EQ_UINT(b.len % 10240, 0);
	return list(&b);
}

static int no_gnu_tar(void)
{
	if (have_tool("tar --version | grep -q 'GNU tar'"))
		return 0;
	printf("SKIP: no GNU tar\n");
	return 1;
}

/* 'L' and 'K' for the long names, base-256 for the gid. */
UNIT_CASE(gnu_tar_gnu_format)
{
	const char *dir = unit_tmpdir();
	int xerr;

	if (no_gnu_tar())
		return;
	make_tree(dir, &xerr);
	UNIT_EQ_STR(gnu_tar(dir, "gnu.tar", "--format=gnu --mtime=@1700000000 "
			    "--group=staff:3000000000"),
		    tree_listing("1234:3000000000 alice:staff",
				 "1700000000.000000000", ""));
}

/* pax path, linkpath and mtime records (and atime, ctime to ignore). */
UNIT_CASE(gnu_tar_pax_format)
{
	const char *dir = unit_tmpdir();
	int xerr;

	if (no_gnu_tar())
		return;
	make_tree(dir, &xerr);
	UNIT_EQ_STR(gnu_tar(dir, "pax.tar", "--format=pax "
			    "--mtime=@1700000000.25 --group=staff:5678"),
		    tree_listing("1234:5678 alice:staff",
				 "1700000000.250000000", ""));
}

UNIT_CASE(gnu_tar_pax_xattrs)
{
	const char *dir = unit_tmpdir();
	int xerr;

	if (no_gnu_tar())
		return;
	make_tree(dir, &xerr);
	if (xerr) {
		printf("SKIP: setxattr user.k: %s\n", strerror(xerr));
		return;
	}
	UNIT_EQ_STR(gnu_tar(dir, "xattrs.tar", "--format=pax --xattrs "
			    "--xattrs-include='user.*' --mtime=@1700000000 "
			    "--group=staff:5678"),
		    tree_listing("1234:5678 alice:staff",
				 "1700000000.000000000",
				 " xattr user.k=v\\x00w"));
}

/* POSIX ustar's prefix field, and v7 headers without a magic. */
UNIT_CASE(gnu_tar_ustar_and_v7)
{
	const char *dir = unit_tmpdir();
	char p[512], a[81], want[1024];

	if (no_gnu_tar())
		return;
	memset(a, 'a', 80);
	a[80] = 0;
	snprintf(p, sizeof(p), "%s/src", dir);
	UNIT_EQ_INT(mkdir(p, 0755), 0);
	UNIT_EQ_INT(chmod(p, 0755), 0);
	snprintf(p, sizeof(p), "%s/src/%s", dir, a);
	UNIT_EQ_INT(mkdir(p, 0755), 0);
	UNIT_EQ_INT(chmod(p, 0755), 0);
	snprintf(p, sizeof(p), "%s/src/%s/%s", dir, a, a);
	write_file(p, "ustar", 0600);
	snprintf(p, sizeof(p), "%s/src/l", dir);
	UNIT_EQ_INT(symlink("../target", p), 0);
	snprintf(want, sizeof(want),
		 "./ d 0755 1234:5678 alice:staff 0 1700000000.000000000\n"
		 "./%s/ d 0755 1234:5678 alice:staff 0 1700000000.000000000\n"
		 "./%s/%s f 0600 1234:5678 alice:staff 5 1700000000.000000000"
		 ": ustar\n"
		 "./l l 0777 1234:5678 alice:staff 0 1700000000.000000000"
		 " -> ../target\n", a, a, a);
	UNIT_EQ_STR(gnu_tar(dir, "ustar.tar", "--format=ustar "
			    "--mtime=@1700000000 --group=staff:5678"), want);
	/* v7: no names, no long ones. */
	snprintf(p, sizeof(p), "%s/src/%s/%s", dir, a, a);
	UNIT_EQ_INT(unlink(p), 0);
	snprintf(want, sizeof(want),
		 "./ d 0755 1234:5678 : 0 1700000000.000000000\n"
		 "./%s/ d 0755 1234:5678 : 0 1700000000.000000000\n"
		 "./l l 0777 1234:5678 : 0 1700000000.000000000"
		 " -> ../target\n", a);
	UNIT_EQ_STR(gnu_tar(dir, "v7.tar", "--format=v7 "
			    "--mtime=@1700000000 --group=staff:5678"), want);
}

/* Python's tarfile: pax records of its own, GNU base-256 and 'L'/'K'. */
static const char mk_py[] =
	"import io, sys, tarfile\n"
	"def add(t, name, type=tarfile.REGTYPE, data=b'', **kw):\n"
	"    i = tarfile.TarInfo(name)\n"
	"    i.type = type\n"
	"    i.size = len(data)\n"
	"    i.mtime = kw.pop('mtime', 1700000000)\n"
	"    i.mode = 0o644\n"
	"    for k, v in kw.items():\n"
	"        setattr(i, k, v)\n"
	"    t.addfile(i, io.BytesIO(data) if data else None)\n"
	"long = 'x/' + 'l' * 150\n"
	"with tarfile.open(sys.argv[1], 'w', format=tarfile.PAX_FORMAT) "
	"as t:\n"
	"    add(t, 'caf\\u00e9', data=b'pax', uid=5000000, gid=7,\n"
	"        uname='\\u00e9', mtime=1700000000.5,\n"
	"        pax_headers={'SCHILY.xattr.user.k': 'v\\0w'})\n"
	"    add(t, long, tarfile.SYMTYPE, linkname='t/' + 'k' * 120)\n"
	"with tarfile.open(sys.argv[2], 'w', format=tarfile.GNU_FORMAT) "
	"as t:\n"
	"    add(t, long, data=b'gnu', uid=3000000000, gid=3, mtime=-5)\n"
	"    add(t, 'h', tarfile.LNKTYPE, linkname=long)\n";

UNIT_CASE(python_tarfile_archives)
{
	const char *dir = unit_tmpdir();
	char sh[1024], path[512], l[160], k[130], want[1024];
	struct buf b = { 0 };
	FILE *f;

	if (!have_tool("python3 -c 'import tarfile'")) {
		printf("SKIP: no python3\n");
		return;
	}
	snprintf(path, sizeof(path), "%s/mk.py", dir);
	f = fopen(path, "we");
	UNIT_NOT_NULL(f);
	UNIT_EQ_INT(fputs(mk_py, f) >= 0, 1);
	UNIT_EQ_INT(fclose(f), 0);
	snprintf(sh, sizeof(sh), "cd %s && python3 mk.py pax.tar gnu.tar",
		 dir);
	UNIT_EQ_INT(system(sh), 0);
	memset(l, 'l', 150);
	l[150] = 0;
	memset(k, 'k', 120);
	k[120] = 0;
	snprintf(path, sizeof(path), "%s/pax.tar", dir);
	UNIT_EQ_INT(slurp(path, &b), 0);
	snprintf(want, sizeof(want),
		 "caf\xc3\xa9 f 0644 5000000:7 \xc3\xa9: 3 1700000000.500000000"
		 " xattr user.k=v\\x00w: pax\n"
		 "x/%s l 0644 0:0 : 0 1700000000.000000000 -> t/%s\n", l, k);
	UNIT_EQ_STR(list(&b), want);
	b.len = 0;
	snprintf(path, sizeof(path), "%s/gnu.tar", dir);
	UNIT_EQ_INT(slurp(path, &b), 0);
	snprintf(want, sizeof(want),
		 "x/%s f 0644 3000000000:3 : 3 -5.000000000: gnu\n"
		 "h h 0644 0:0 : 0 1700000000.000000000 -> x/%s\n", l, l);
	UNIT_EQ_STR(list(&b), want);
	free(b.p);
}
