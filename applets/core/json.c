/*
 * json.c - cJSON with paths in errors, exact integers and Go-style
 * pretty-printing; see json.h.  JSON is RFC 8259.
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io.h"
#include "json.h"

void json_ctx_init(struct json_ctx *c, const char *name, struct err *e)
{
	c->name = name;
	c->e = e;
	c->len = 0;
	c->path[0] = 0;
}

static size_t push_fmt(struct json_ctx *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static size_t push_fmt(struct json_ctx *c, const char *fmt, ...)
{
	size_t mark = c->len, room = sizeof(c->path) - c->len;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(c->path + c->len, room, fmt, ap);
	va_end(ap);
	if (n > 0)
		c->len += (size_t)n < room ? (size_t)n : room - 1;
	return mark;
}

size_t json_push(struct json_ctx *c, const char *key)
{
	return push_fmt(c, c->len ? ".%s" : "%s", key);
}

size_t json_push_index(struct json_ctx *c, size_t i)
{
	return push_fmt(c, "[%zu]", i);
}

void json_pop(struct json_ctx *c, size_t mark)
{
	c->len = mark;
	c->path[mark] = 0;
}

static int vfail(struct json_ctx *c, const char *key, int no,
		 const char *fmt, va_list ap)
{
	char msg[ERR_MSG_MAX];
	size_t mark = key ? json_push(c, key) : c->len;

	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (no && c->len)
		err_sys(c->e, no, "%s: %s: %s", c->name, c->path, msg);
	else if (no)
		err_sys(c->e, no, "%s: %s", c->name, msg);
	else if (c->len)
		err_msg(c->e, EINVAL, "%s: %s: %s", c->name, c->path, msg);
	else
		err_msg(c->e, EINVAL, "%s: %s", c->name, msg);
	json_pop(c, mark);
	return -c->e->no;
}

int json_fail(struct json_ctx *c, const char *key, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vfail(c, key, 0, fmt, ap);
	va_end(ap);
	return r;
}

int json_fail_sys(struct json_ctx *c, const char *key, int no,
		  const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vfail(c, key, no, fmt, ap);
	va_end(ap);
	return r;
}

/* Parsing */

static int is_blank(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r';
}

static int is_number_char(char ch)
{
	return (ch >= '0' && ch <= '9') || ch == '-' || ch == '+' ||
	       ch == '.' || ch == 'e' || ch == 'E';
}

static int bad_syntax(const char *text, size_t len, const char *at,
		      const char *name, struct err *e)
{
	size_t line = 1, col = 1;
	const char *p;

	if (!at || at < text || at > text + len)
		at = text + len;
	for (p = text; p < at; p++) {
		if (*p == '\n') {
			line++;
			col = 1;
		} else {
			col++;
		}
	}
	return err_msg(e, EINVAL, "%s: invalid JSON at line %zu, column %zu",
		       name, line, col);
}

/*
 * The literal of the next number in the text after *pos.  cJSON has
 * already accepted the text, so outside strings a '-' or a digit can only
 * start a number, and numbers come in the order a walk of the tree visits
 * them.
 */
static const char *next_number(const char **pos, const char *end,
			       size_t *n)
{
	const char *p = *pos, *start;

	while (p < end) {
		if (*p == '"') {
			for (p++; p < end && *p != '"'; p++)
				if (*p == '\\')
					p++;
			p++;
			continue;
		}
		if (*p == '-' || (*p >= '0' && *p <= '9')) {
			start = p;
			while (p < end && is_number_char(*p))
				p++;
			*pos = p;
			*n = p - start;
			return start;
		}
		p++;
	}
	*pos = end;
	return NULL;
}

/*
 * Doubles lose integers above 2^53: keep each number's literal in its
 * valuestring (cJSON_Delete() frees it) for json_as_int/uint.  Reject
 * duplicated keys, which readers disagree on (cJSON takes the first, Go the
 * last).
 */
static int walk(struct json_ctx *c, cJSON *item, const char **pos,
		const char *end)
{
	const char *lit;
	cJSON *k, *j;
	size_t i = 0, n, mark;
	int r = 0, obj = cJSON_IsObject(item);

	if (cJSON_IsNumber(item)) {
		lit = next_number(pos, end, &n);
		if (lit && !item->valuestring) {
			item->valuestring = cJSON_malloc(n + 1);
			if (item->valuestring) {
				memcpy(item->valuestring, lit, n);
				item->valuestring[n] = 0;
			}
		}
		return 0;
	}
	if (!obj && !cJSON_IsArray(item))
		return 0;
	for (k = item->child; k && !r; k = k->next, i++) {
		mark = obj ? json_push(c, k->string) : json_push_index(c, i);
		for (j = item->child; obj && j != k; j = j->next)
			if (!strcmp(j->string, k->string))
				break;
		if (obj && j != k)
			r = json_fail(c, NULL, "duplicated key");
		else
			r = walk(c, k, pos, end);
		json_pop(c, mark);
	}
	return r;
}

static __thread struct json_scratch *scratch;

static void *scratch_malloc(size_t n)
{
	struct json_scratch *s = scratch;
	void *p;

	n = (n + 15) & ~(size_t)15;
	if (!s || n > s->size - s->used)
		return malloc(n);
	p = s->buf + s->used;
	s->used += n;
	return p;
}

static void scratch_free(void *p)
{
	struct json_scratch *s = scratch;

	if (s && (char *)p >= s->buf && (char *)p < s->buf + s->size)
		return;
	free(p);
}

void json_scratch_hooks(int on)
{
	cJSON_Hooks h = { scratch_malloc, scratch_free };

	/* NULL: malloc and free again, and realloc for printing. */
	cJSON_InitHooks(on ? &h : NULL);
}

cJSON *json_scratch_parse(struct json_scratch *s, const char *text)
{
	cJSON *o;

	s->used = 0;
	scratch = s;
	o = cJSON_Parse(text);
	scratch = NULL;
	return o;
}

void json_scratch_delete(struct json_scratch *s, cJSON *o)
{
	scratch = s;
	cJSON_Delete(o);
	scratch = NULL;
}

int json_parse(const char *text, size_t len, const char *name, cJSON **out,
	       struct err *e)
{
	struct json_ctx c;
	const char *end = NULL, *p;
	cJSON *root;
	int r;

	root = cJSON_ParseWithLengthOpts(text, len, &end, 0);
	if (!root)
		return bad_syntax(text, len, end, name, e);
	for (p = end; p && p < text + len && is_blank(*p); p++)
		;
	if (!p || p < text + len) {
		cJSON_Delete(root);
		return bad_syntax(text, len, p, name, e);
	}
	json_ctx_init(&c, name, e);
	p = text;
	r = walk(&c, root, &p, text + len);
	if (r < 0) {
		cJSON_Delete(root);
		return r;
	}
	*out = root;
	return 0;
}

int json_load_file(int dirfd, const char *path, size_t max, const char *name,
		   cJSON **out, struct err *e)
{
	char *text;
	size_t len;
	int r;

	r = read_file_at(dirfd, path, max, &text, &len);
	if (r == -EFBIG)
		return err_msg(e, EFBIG, "%s: larger than %zu bytes", name,
			       max);
	if (r < 0)
		return err_sys(e, -r, "%s", name);
	r = json_parse(text, len, name, out, e);
	free(text);
	return r;
}

/* Typed access */

static int nomem(struct json_ctx *c)
{
	return err_sys(c->e, ENOMEM, "%s", c->name);
}

int json_as_object(struct json_ctx *c, const cJSON *item)
{
	if (!cJSON_IsObject(item))
		return json_fail(c, NULL, "expected object");
	return 0;
}

int json_as_string(struct json_ctx *c, const cJSON *item, const char **out)
{
	if (!cJSON_IsString(item))
		return json_fail(c, NULL, "expected string");
	*out = item->valuestring;
	return 0;
}

int json_as_bool(struct json_ctx *c, const cJSON *item, int *out)
{
	if (!cJSON_IsBool(item))
		return json_fail(c, NULL, "expected boolean");
	*out = cJSON_IsTrue(item);
	return 0;
}

/*
 * An integer from the literal json_parse() kept, or from the double when
 * the tree was built in memory: *neg and *mag hold sign and magnitude.
 * Returns 0, or -ERANGE beyond 64 bits, or -EINVAL when not an integer.
 */
static int integer(const cJSON *item, int *neg, uint64_t *mag)
{
	const char *p = item->valuestring;
	double d = item->valuedouble;

	if (!p) {
		if (!isfinite(d))
			return -EINVAL;
		*neg = d < 0;
		d = fabs(d);
		if (d >= 18446744073709551616.0)
			return -ERANGE;
		*mag = (uint64_t)d;
		return (double)*mag == d ? 0 : -EINVAL;
	}
	*neg = *p == '-';
	p += *neg;
	if (!*p)
		return -EINVAL;
	for (*mag = 0; *p >= '0' && *p <= '9'; p++) {
		if (*mag > (UINT64_MAX - (*p - '0')) / 10)
			return -ERANGE;
		*mag = *mag * 10 + (*p - '0');
	}
	return *p ? -EINVAL : 0;
}

static const char *literal(const cJSON *item, char *buf, size_t len)
{
	if (item->valuestring)
		return item->valuestring;
	snprintf(buf, len, "%.17g", item->valuedouble);
	return buf;
}

int json_as_int(struct json_ctx *c, const cJSON *item, int64_t min,
		int64_t max, int64_t *out)
{
	char buf[32];
	uint64_t mag;
	int64_t v = 0;
	int neg, r;

	if (!cJSON_IsNumber(item))
		return json_fail(c, NULL, "expected integer");
	r = integer(item, &neg, &mag);
	if (r == -EINVAL)
		return json_fail(c, NULL, "%s: not an integer",
				 literal(item, buf, sizeof(buf)));
	if (!r && !neg && mag <= (uint64_t)INT64_MAX)
		v = (int64_t)mag;
	else if (!r && neg && mag <= (uint64_t)INT64_MAX + 1)
		v = mag > (uint64_t)INT64_MAX ? INT64_MIN : -(int64_t)mag;
	else
		r = -ERANGE;
	if (r < 0 || v < min || v > max)
		return json_fail(c, NULL, "%s: out of range (%" PRId64
				 "..%" PRId64 ")",
				 literal(item, buf, sizeof(buf)), min, max);
	*out = v;
	return 0;
}

int json_as_uint(struct json_ctx *c, const cJSON *item, uint64_t max,
		 uint64_t *out)
{
	char buf[32];
	uint64_t mag;
	int neg, r;

	if (!cJSON_IsNumber(item))
		return json_fail(c, NULL, "expected integer");
	r = integer(item, &neg, &mag);
	if (r == -EINVAL)
		return json_fail(c, NULL, "%s: not an integer",
				 literal(item, buf, sizeof(buf)));
	if (r < 0 || (neg && mag) || mag > max)
		return json_fail(c, NULL, "%s: out of range (0..%" PRIu64 ")",
				 literal(item, buf, sizeof(buf)), max);
	*out = mag;
	return 0;
}

int json_get(struct json_ctx *c, const cJSON *obj, const char *key,
	     enum json_need need, const cJSON **out)
{
	const cJSON *v = obj ? cJSON_GetObjectItemCaseSensitive(obj, key) :
			 NULL;

	if (!v || cJSON_IsNull(v)) {
		if (need == JSON_REQUIRED)
			return json_fail(c, key, "missing");
		return 0;
	}
	*out = v;
	return 1;
}

/* The common shape of the typed getters: find, step in, check, step out. */
#define GET(c, obj, key, need, check)				\
	do {							\
		const cJSON *v_;				\
		size_t m_;					\
		int r_ = json_get(c, obj, key, need, &v_);	\
								\
		if (r_ <= 0)					\
			return r_;				\
		m_ = json_push(c, key);				\
		r_ = check;					\
		json_pop(c, m_);				\
		return r_ < 0 ? r_ : 1;				\
	} while (0)

int json_get_object(struct json_ctx *c, const cJSON *obj, const char *key,
		    enum json_need need, const cJSON **out)
{
	GET(c, obj, key, need, json_as_object(c, *out = v_));
}

static int as_array(struct json_ctx *c, const cJSON *item, size_t *n)
{
	if (!cJSON_IsArray(item))
		return json_fail(c, NULL, "expected array");
	if (n)
		*n = cJSON_GetArraySize(item);
	return 0;
}

int json_get_array(struct json_ctx *c, const cJSON *obj, const char *key,
		   enum json_need need, const cJSON **out, size_t *n)
{
	GET(c, obj, key, need, as_array(c, *out = v_, n));
}

int json_get_string(struct json_ctx *c, const cJSON *obj, const char *key,
		    enum json_need need, const char **out)
{
	GET(c, obj, key, need, json_as_string(c, v_, out));
}

int json_get_bool(struct json_ctx *c, const cJSON *obj, const char *key,
		  enum json_need need, int *out)
{
	GET(c, obj, key, need, json_as_bool(c, v_, out));
}

int json_get_int(struct json_ctx *c, const cJSON *obj, const char *key,
		 enum json_need need, int64_t min, int64_t max, int64_t *out)
{
	GET(c, obj, key, need, json_as_int(c, v_, min, max, out));
}

int json_get_uint(struct json_ctx *c, const cJSON *obj, const char *key,
		  enum json_need need, uint64_t max, uint64_t *out)
{
	GET(c, obj, key, need, json_as_uint(c, v_, max, out));
}

void json_strv_free(char **v)
{
	char **p;

	if (!v)
		return;
	for (p = v; *p; p++)
		free(*p);
	free(v);
}

static int as_strv(struct json_ctx *c, const cJSON *item, char ***out,
		   size_t *n)
{
	const cJSON *el;
	const char *s;
	size_t i = 0, mark;
	char **v;
	int r;

	if (!cJSON_IsArray(item))
		return json_fail(c, NULL, "expected array of strings");
	v = calloc(cJSON_GetArraySize(item) + 1, sizeof(*v));
	if (!v)
		return nomem(c);
	cJSON_ArrayForEach(el, item) {
		mark = json_push_index(c, i);
		r = json_as_string(c, el, &s);
		json_pop(c, mark);
		if (r < 0)
			goto fail;
		v[i] = strdup(s);
		if (!v[i]) {
			r = nomem(c);
			goto fail;
		}
		i++;
	}
	*out = v;
	if (n)
		*n = i;
	return 0;
fail:
	json_strv_free(v);
	return r;
}

int json_get_strv(struct json_ctx *c, const cJSON *obj, const char *key,
		  enum json_need need, char ***out, size_t *n)
{
	const cJSON *v;
	size_t mark;
	int r;

	r = json_get(c, obj, key, need, &v);
	if (r < 0)
		return r;
	if (!r) {
		*out = calloc(1, sizeof(**out));
		if (n)
			*n = 0;
		return *out ? 0 : nomem(c);
	}
	mark = json_push(c, key);
	r = as_strv(c, v, out, n);
	json_pop(c, mark);
	return r < 0 ? r : 1;
}

int json_is_empty(const cJSON *item)
{
	const cJSON *k;

	if (!item || cJSON_IsNull(item))
		return 1;
	if (cJSON_IsString(item))
		return !item->valuestring || !item->valuestring[0];
	if (cJSON_IsArray(item))
		return !item->child;
	if (!cJSON_IsObject(item))
		return 0;
	cJSON_ArrayForEach(k, item)
		if (!json_is_empty(k))
			return 0;
	return 1;
}

int json_reject(struct json_ctx *c, const cJSON *obj, const char *key)
{
	const cJSON *v = obj ? cJSON_GetObjectItemCaseSensitive(obj, key) :
			 NULL;

	if (json_is_empty(v))
		return 0;
	return json_fail(c, key, "not supported");
}

/* Printing */

struct buf {
	char *p;
	size_t len, cap;
	int oom;
};

static void put(struct buf *b, const char *s, size_t n)
{
	size_t cap;
	char *np;

	if (b->oom)
		return;
	if (b->len + n + 1 > b->cap) {
		for (cap = b->cap ? b->cap : 256; cap < b->len + n + 1;)
			cap *= 2;
		np = realloc(b->p, cap);
		if (!np) {
			b->oom = 1;
			return;
		}
		b->p = np;
		b->cap = cap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = 0;
}

static void puts_(struct buf *b, const char *s)
{
	put(b, s, strlen(s));
}

static void put_string(struct buf *b, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	char esc[7];
	const char *run;

	put(b, "\"", 1);
	for (run = s; *s; s++) {
		unsigned char ch = *s;

		if (ch >= 0x20 && ch != '"' && ch != '\\')
			continue;
		put(b, run, s - run);
		run = s + 1;
		esc[0] = '\\';
		esc[2] = 0;
		switch (ch) {
		case '"': esc[1] = '"'; break;
		case '\\': esc[1] = '\\'; break;
		case '\b': esc[1] = 'b'; break;
		case '\f': esc[1] = 'f'; break;
		case '\n': esc[1] = 'n'; break;
		case '\r': esc[1] = 'r'; break;
		case '\t': esc[1] = 't'; break;
		default:
			memcpy(esc + 1, "u00", 3);
			esc[4] = hex[ch >> 4];
			esc[5] = hex[ch & 15];
			esc[6] = 0;
		}
		puts_(b, esc);
	}
	put(b, run, s - run);
	put(b, "\"", 1);
}

static void put_number(struct buf *b, const cJSON *item)
{
	double d = item->valuedouble;
	char num[32];

	if (item->valuestring) {
		puts_(b, item->valuestring);
		return;
	}
	if (!isfinite(d))
		snprintf(num, sizeof(num), "null");
	else if (fabs(d) < 9e18 && d == (double)(long long)d)
		snprintf(num, sizeof(num), "%lld", (long long)d);
	else if (snprintf(num, sizeof(num), "%.15g", d) > 0 &&
		 strtod(num, NULL) != d)
		snprintf(num, sizeof(num), "%.17g", d);
	puts_(b, num);
}

static void newline(struct buf *b, const char *indent, int depth)
{
	put(b, "\n", 1);
	while (depth-- > 0)
		puts_(b, indent);
}

static void put_value(struct buf *b, const cJSON *item, const char *indent,
		      int depth)
{
	const cJSON *k;
	int obj = cJSON_IsObject(item);

	if (cJSON_IsString(item)) {
		put_string(b, item->valuestring);
	} else if (cJSON_IsNumber(item)) {
		put_number(b, item);
	} else if (cJSON_IsTrue(item)) {
		puts_(b, "true");
	} else if (cJSON_IsFalse(item)) {
		puts_(b, "false");
	} else if (cJSON_IsRaw(item)) {
		puts_(b, item->valuestring);
	} else if (obj || cJSON_IsArray(item)) {
		put(b, obj ? "{" : "[", 1);
		cJSON_ArrayForEach(k, item) {
			newline(b, indent, depth + 1);
			if (obj) {
				put_string(b, k->string);
				put(b, ": ", 2);
			}
			put_value(b, k, indent, depth + 1);
			if (k->next)
				put(b, ",", 1);
		}
		if (item->child)
			newline(b, indent, depth);
		put(b, obj ? "}" : "]", 1);
	} else {
		puts_(b, "null");
	}
}

char *json_print_indent(const cJSON *item, const char *indent)
{
	struct buf b = { 0 };

	put_value(&b, item, indent, 0);
	if (b.oom) {
		free(b.p);
		return NULL;
	}
	return b.p;
}

char *json_print_pretty(const cJSON *item)
{
	return json_print_indent(item, "  ");
}
