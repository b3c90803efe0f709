/*
 * json.h - a thin layer over cJSON that names the file and the JSON path in
 * every error: "config.json: process.args[1]: expected string",
 * "config.json: process.cwd: missing", "config.json: invalid JSON at line
 * 3, column 7".  Output is printed as Go's json.MarshalIndent does, so it
 * reads like runc's.
 */
#ifndef CORE_JSON_H
#define CORE_JSON_H

#include <stddef.h>
#include <stdint.h>

#include "cJSON.h"
#include "err.h"

#define JSON_PATH_MAX 256

enum json_need {
	JSON_OPTIONAL,
	JSON_REQUIRED,
};

/*
 * Where we are in a document: the file name and the path of the value
 * being read ("" at the top, "process.user", "mounts[2]").  Every error
 * goes to *e as "name: path: message".
 */
struct json_ctx {
	const char *name;
	struct err *e;
	size_t len;
	char path[JSON_PATH_MAX];
};

void json_ctx_init(struct json_ctx *c, const char *name, struct err *e);

/*
 * Step into ".key" or "[i]"; each returns a mark for json_pop() to step
 * back.  A path longer than JSON_PATH_MAX is cut short in messages.
 */
size_t json_push(struct json_ctx *c, const char *key);
size_t json_push_index(struct json_ctx *c, size_t i);
void json_pop(struct json_ctx *c, size_t mark);

/*
 * Set the error at the current path, or at path.key when key is not NULL;
 * json_fail_sys() appends ": strerror(no)".  Return -errno (EINVAL).
 */
int json_fail(struct json_ctx *c, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int json_fail_sys(struct json_ctx *c, const char *key, int no,
		  const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/*
 * Parsing many small documents (a list reads a thousand state.json files)
 * without a malloc and a free for every node: between
 * json_scratch_hooks(1) and json_scratch_hooks(0), each called while no
 * other thread uses cJSON, what json_scratch_parse() parses takes its
 * nodes from s->buf (malloc once that is full), and json_scratch_delete()
 * frees only those from malloc.  Outside that window the two are plain
 * cJSON_Parse() and cJSON_Delete().  One struct per thread.
 */
struct json_scratch {
	char *buf;
	size_t size, used;
};

void json_scratch_hooks(int on);
cJSON *json_scratch_parse(struct json_scratch *s, const char *text);
void json_scratch_delete(struct json_scratch *s, cJSON *o);

/*
 * Parse text[0..len) (no NUL needed) into *out, to be freed with
 * cJSON_Delete().  Trailing non-blank text and duplicated object keys are
 * errors.  Integers keep their exact literal, so values above 2^53 (rlimit
 * 18446744073709551615) read back exactly.
 */
int json_parse(const char *text, size_t len, const char *name, cJSON **out,
	       struct err *e);
/*
 * Read dirfd/path (dirfd may be AT_FDCWD) whole, at most max bytes, and
 * parse it; name is the file name in messages.
 */
int json_load_file(int dirfd, const char *path, size_t max, const char *name,
		   cJSON **out, struct err *e);

/*
 * Getters of obj's member key (obj is an object, or NULL: all absent).  A
 * JSON null counts as absent.  Return 1 when found, 0 when absent and
 * optional, -errno with the error set: "path.key: missing", "path.key:
 * expected string".  String results point into the tree.
 */
int json_get(struct json_ctx *c, const cJSON *obj, const char *key,
	     enum json_need need, const cJSON **out);
int json_get_object(struct json_ctx *c, const cJSON *obj, const char *key,
		    enum json_need need, const cJSON **out);
/* *n (may be NULL) is the element count. */
int json_get_array(struct json_ctx *c, const cJSON *obj, const char *key,
		   enum json_need need, const cJSON **out, size_t *n);
int json_get_string(struct json_ctx *c, const cJSON *obj, const char *key,
		    enum json_need need, const char **out);
int json_get_bool(struct json_ctx *c, const cJSON *obj, const char *key,
		  enum json_need need, int *out);
/* Integers only (no fraction or exponent), within [min, max]. */
int json_get_int(struct json_ctx *c, const cJSON *obj, const char *key,
		 enum json_need need, int64_t min, int64_t max, int64_t *out);
int json_get_uint(struct json_ctx *c, const cJSON *obj, const char *key,
		  enum json_need need, uint64_t max, uint64_t *out);
/*
 * An array of strings copied into a malloc'd NULL-terminated vector (free
 * with json_strv_free()); *n (may be NULL) is its length.  When absent and
 * optional, *out is an empty vector, never NULL.
 */
int json_get_strv(struct json_ctx *c, const cJSON *obj, const char *key,
		  enum json_need need, char ***out, size_t *n);
void json_strv_free(char **v);

/* "path.key: not supported" when key is present and not empty. */
int json_reject(struct json_ctx *c, const cJSON *obj, const char *key);
/* null, "", [], {} or an object whose members are all empty. */
int json_is_empty(const cJSON *item);

/*
 * Checks of a value at the current path (an array element after
 * json_push_index()).  Return 0 or -errno with the error set.
 */
int json_as_object(struct json_ctx *c, const cJSON *item);
int json_as_string(struct json_ctx *c, const cJSON *item, const char **out);
int json_as_bool(struct json_ctx *c, const cJSON *item, int *out);
int json_as_int(struct json_ctx *c, const cJSON *item, int64_t min,
		int64_t max, int64_t *out);
int json_as_uint(struct json_ctx *c, const cJSON *item, uint64_t max,
		 uint64_t *out);

/*
 * Pretty-print as Go's json.MarshalIndent(v, "", indent): one member or
 * element per line, `"key": value`, empty containers as {} and [].  No
 * trailing newline.  A malloc'd text, or NULL when out of memory.
 */
char *json_print_indent(const cJSON *item, const char *indent);
/* Two-space indentation, as `runc state` prints. */
char *json_print_pretty(const cJSON *item);

#endif
