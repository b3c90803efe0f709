/* json_test.c - unit tests of core/json.c: paths in errors, exact integers,
 * Go-style printing. */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>

#include "json.h"
#include "unit.h"

static struct err e;
static struct json_ctx c;
static cJSON *doc;

/* Parse text (with ' for ") as "t.json" and set up the context. */
static const cJSON *load(const char *text)
{
	const char *t = unit_json(text);

	json_ctx_init(&c, "t.json", &e);
	if (json_parse(t, strlen(t), "t.json", &doc, &e) < 0)
		unit_fail(__FILE__, __LINE__, "parse %s: %s", text, e.msg);
	return doc;
}

static int parse_error(const char *text)
{
	cJSON *o = NULL;
	int r = json_parse(text, strlen(text), "t.json", &o, &e);

	UNIT_NULL(o);
	return r;
}

UNIT_CASE(parse_object)
{
	const cJSON *o = load("{'a': 'b', 'n': [1, 2]}");

	UNIT_ASSERT(cJSON_IsObject(o));
	UNIT_EQ_STR(cJSON_GetObjectItem(o, "a")->valuestring, "b");
	cJSON_Delete(doc);
}

UNIT_CASE(parse_error_line_column)
{
	UNIT_EQ_INT(parse_error("{\n  \"a\": 1,\n  \"b\": ]\n}"), -EINVAL);
	UNIT_EQ_STR(e.msg, "t.json: invalid JSON at line 3, column 8");
}

UNIT_CASE(parse_error_first_line)
{
	UNIT_EQ_INT(parse_error("{\"a\" 1}"), -EINVAL);
	UNIT_EQ_STR(e.msg, "t.json: invalid JSON at line 1, column 6");
}

UNIT_CASE(parse_error_truncated)
{
	UNIT_EQ_INT(parse_error("{\"a\": [1,\n"), -EINVAL);
	UNIT_EQ_STR(e.msg, "t.json: invalid JSON at line 1, column 10");
}

UNIT_CASE(parse_error_empty)
{
	UNIT_EQ_INT(parse_error(""), -EINVAL);
	UNIT_EQ_STR(e.msg, "t.json: invalid JSON at line 1, column 1");
}

UNIT_CASE(parse_error_trailing_text)
{
	UNIT_EQ_INT(parse_error("{}\n  x"), -EINVAL);
	UNIT_EQ_STR(e.msg, "t.json: invalid JSON at line 2, column 3");
}

UNIT_CASE(parse_trailing_blanks_ok)
{
	cJSON *o = NULL;

	UNIT_EQ_INT(json_parse("{} \n\t", 5, "t.json", &o, &e), 0);
	UNIT_NOT_NULL(o);
	cJSON_Delete(o);
}

UNIT_CASE(parse_respects_length)
{
	cJSON *o = NULL;

	/* Only the first two bytes count: the rest is not JSON. */
	UNIT_EQ_INT(json_parse("[]garbage", 2, "t.json", &o, &e), 0);
	UNIT_ASSERT(cJSON_IsArray(o));
	cJSON_Delete(o);
}

UNIT_CASE(parse_duplicated_key)
{
	const char *t = unit_json("{'process': {'args': [{'a': 1, 'a': 2}]}}");

	UNIT_EQ_INT(parse_error(t), -EINVAL);
	UNIT_EQ_STR(e.msg, "t.json: process.args[0].a: duplicated key");
}

UNIT_CASE(path_push_pop)
{
	size_t a, b, d;

	json_ctx_init(&c, "t.json", &e);
	a = json_push(&c, "mounts");
	b = json_push_index(&c, 3);
	json_push(&c, "options");
	UNIT_EQ_STR(c.path, "mounts[3].options");
	json_pop(&c, b);
	UNIT_EQ_STR(c.path, "mounts");
	d = json_push(&c, "type");
	UNIT_EQ_STR(c.path, "mounts.type");
	json_pop(&c, d);
	json_pop(&c, a);
	UNIT_EQ_STR(c.path, "");
	UNIT_EQ_INT(c.len, 0);
}

UNIT_CASE(path_too_long_is_cut)
{
	char key[100];
	size_t m;
	int i;

	memset(key, 'k', sizeof(key) - 1);
	key[sizeof(key) - 1] = 0;
	json_ctx_init(&c, "t.json", &e);
	for (i = 0; i < 5; i++)
		json_push(&c, key);
	UNIT_EQ_INT(c.len, JSON_PATH_MAX - 1);
	UNIT_EQ_INT(strlen(c.path), JSON_PATH_MAX - 1);
	m = json_push(&c, "more");
	json_pop(&c, m);
	UNIT_EQ_INT(c.len, JSON_PATH_MAX - 1);
	UNIT_EQ_INT(json_fail(&c, NULL, "x"), -EINVAL);
}

UNIT_CASE(fail_at_top_has_no_path)
{
	json_ctx_init(&c, "t.json", &e);
	UNIT_EQ_INT(json_fail(&c, NULL, "expected %s", "object"), -EINVAL);
	UNIT_EQ_STR(e.msg, "t.json: expected object");
	UNIT_EQ_INT(e.no, EINVAL);
}

UNIT_CASE(fail_with_key)
{
	json_ctx_init(&c, "t.json", &e);
	json_push(&c, "process");
	UNIT_EQ_INT(json_fail(&c, "cwd", "%s: not absolute", "x"), -EINVAL);
	UNIT_EQ_STR(e.msg, "t.json: process.cwd: x: not absolute");
	UNIT_EQ_STR(c.path, "process");
}

UNIT_CASE(fail_sys)
{
	json_ctx_init(&c, "t.json", &e);
	json_push(&c, "root");
	UNIT_EQ_INT(json_fail_sys(&c, "path", ENOENT, "/b/rootfs"), -ENOENT);
	UNIT_EQ_STR(e.msg,
		    "t.json: root.path: /b/rootfs: No such file or directory");
	UNIT_EQ_INT(e.no, ENOENT);
}

UNIT_CASE(get_string)
{
	const cJSON *o = load("{'a': 'x', 'n': null}");
	const char *s = NULL;

	UNIT_EQ_INT(json_get_string(&c, o, "a", JSON_REQUIRED, &s), 1);
	UNIT_EQ_STR(s, "x");
	s = "unchanged";
	UNIT_EQ_INT(json_get_string(&c, o, "b", JSON_OPTIONAL, &s), 0);
	UNIT_EQ_STR(s, "unchanged");
	UNIT_EQ_INT(json_get_string(&c, o, "n", JSON_OPTIONAL, &s), 0);
	UNIT_EQ_STR(s, "unchanged");
	cJSON_Delete(doc);
}

UNIT_CASE(get_required_missing)
{
	const cJSON *o = load("{'process': {}}");
	const cJSON *p = NULL;
	const char *s;

	UNIT_EQ_INT(json_get_string(&c, o, "ociVersion", JSON_REQUIRED, &s),
		    -EINVAL);
	UNIT_EQ_STR(e.msg, "t.json: ociVersion: missing");
	UNIT_EQ_INT(json_get_object(&c, o, "process", JSON_REQUIRED, &p), 1);
	json_push(&c, "process");
	UNIT_EQ_INT(json_get_string(&c, p, "cwd", JSON_REQUIRED, &s),
		    -EINVAL);
	UNIT_EQ_STR(e.msg, "t.json: process.cwd: missing");
	cJSON_Delete(doc);
}

UNIT_CASE(get_null_is_missing)
{
	const cJSON *o = load("{'cwd': null}");
	const char *s;

	UNIT_EQ_INT(json_get_string(&c, o, "cwd", JSON_REQUIRED, &s),
		    -EINVAL);
	UNIT_EQ_STR(e.msg, "t.json: cwd: missing");
	cJSON_Delete(doc);
}

UNIT_CASE(get_from_null_object)
{
	const char *s;

	json_ctx_init(&c, "t.json", &e);
	UNIT_EQ_INT(json_get_string(&c, NULL, "a", JSON_OPTIONAL, &s), 0);
	UNIT_EQ_INT(json_get_string(&c, NULL, "a", JSON_REQUIRED, &s),
		    -EINVAL);
	UNIT_EQ_STR(e.msg, "t.json: a: missing");
}

UNIT_CASE(get_keys_are_case_sensitive)
{
	const cJSON *o = load("{'Cwd': '/'}");
	const char *s;

	UNIT_EQ_INT(json_get_string(&c, o, "cwd", JSON_OPTIONAL, &s), 0);
	cJSON_Delete(doc);
}

UNIT_CASE(wrong_types)
{
	const cJSON *o = load("{'s': 1, 'b': 'true', 'i': '1', 'o': [],"
			      " 'a': {}}");
	const cJSON *v;
	const char *s;
	int64_t i;
	int b;

	UNIT_EQ_INT(json_get_string(&c, o, "s", JSON_OPTIONAL, &s), -EINVAL);
	UNIT_EQ_STR(e.msg, "t.json: s: expected string");
	UNIT_EQ_INT(json_get_bool(&c, o, "b", JSON_OPTIONAL, &b), -EINVAL);
	UNIT_EQ_STR(e.msg, "t.json: b: expected boolean");
	UNIT_EQ_INT(json_get_int(&c, o, "i", JSON_OPTIONAL, 0, 9, &i),
		    -EINVAL);
	UNIT_EQ_STR(e.msg, "t.json: i: expected integer");
	UNIT_EQ_INT(json_get_object(&c, o, "o", JSON_OPTIONAL, &v), -EINVAL);
	UNIT_EQ_STR(e.msg, "t.json: o: expected object");
	UNIT_EQ_INT(json_get_array(&c, o, "a", JSON_OPTIONAL, &v, NULL),
		    -EINVAL);
	UNIT_EQ_STR(e.msg, "t.json: a: expected array");
	UNIT_EQ_STR(c.path, "");
	cJSON_Delete(doc);
}

UNIT_CASE(get_bool)
{
	const cJSON *o = load("{'t': true, 'f': false}");
	int b = 7;

	UNIT_EQ_INT(json_get_bool(&c, o, "t", JSON_REQUIRED, &b), 1);
	UNIT_EQ_INT(b, 1);
	UNIT_EQ_INT(json_get_bool(&c, o, "f", JSON_REQUIRED, &b), 1);
	UNIT_EQ_INT(b, 0);
	cJSON_Delete(doc);
}

UNIT_CASE(get_array_count)
{
	const cJSON *o = load("{'a': [1, 2, 3], 'e': []}");
	const cJSON *a;
	size_t n = 99;

	UNIT_EQ_INT(json_get_array(&c, o, "a", JSON_REQUIRED, &a, &n), 1);
	UNIT_EQ_INT(n, 3);
	UNIT_EQ_INT(json_get_array(&c, o, "e", JSON_REQUIRED, &a, &n), 1);
	UNIT_EQ_INT(n, 0);
	cJSON_Delete(doc);
}

UNIT_CASE(int_in_range)
{
	const cJSON *o = load("{'a': -1000, 'b': 1000, 'c': 0, 'd': -0}");
	int64_t i;

	UNIT_EQ_INT(json_get_int(&c, o, "a", JSON_REQUIRED, -1000, 1000, &i),
		    1);
	UNIT_EQ_INT(i, -1000);
	UNIT_EQ_INT(json_get_int(&c, o, "b", JSON_REQUIRED, -1000, 1000, &i),
		    1);
	UNIT_EQ_INT(i, 1000);
	UNIT_EQ_INT(json_get_int(&c, o, "c", JSON_REQUIRED, -1000, 1000, &i),
		    1);
	UNIT_EQ_INT(i, 0);
	UNIT_EQ_INT(json_get_int(&c, o, "d", JSON_REQUIRED, -1000, 1000, &i),
		    1);
	UNIT_EQ_INT(i, 0);
	cJSON_Delete(doc);
}

UNIT_CASE(int_out_of_range)
{
	const cJSON *o = load("{'p': {'oomScoreAdj': 5000, 'x': -1001}}");
	const cJSON *p = cJSON_GetObjectItem(o, "p");
	int64_t i = 42;

	json_push(&c, "p");
	UNIT_EQ_INT(json_get_int(&c, p, "oomScoreAdj", JSON_OPTIONAL, -1000,
				 1000, &i), -EINVAL);
	UNIT_EQ_STR(e.msg,
		    "t.json: p.oomScoreAdj: 5000: out of range (-1000..1000)");
	UNIT_EQ_INT(json_get_int(&c, p, "x", JSON_OPTIONAL, -1000, 1000, &i),
		    -EINVAL);
	UNIT_EQ_STR(e.msg, "t.json: p.x: -1001: out of range (-1000..1000)");
	UNIT_EQ_INT(i, 42);
	cJSON_Delete(doc);
}

UNIT_CASE(int_64_bit_limits)
{
	const cJSON *o = load("{'min': -9223372036854775808,"
			      " 'max': 9223372036854775807,"
			      " 'over': 9223372036854775808,"
			      " 'under': -9223372036854775809}");
	int64_t i;

	UNIT_EQ_INT(json_get_int(&c, o, "min", JSON_REQUIRED, INT64_MIN,
				 INT64_MAX, &i), 1);
	UNIT_ASSERT(i == INT64_MIN);
	UNIT_EQ_INT(json_get_int(&c, o, "max", JSON_REQUIRED, INT64_MIN,
				 INT64_MAX, &i), 1);
	UNIT_ASSERT(i == INT64_MAX);
	UNIT_EQ_INT(json_get_int(&c, o, "over", JSON_REQUIRED, INT64_MIN,
				 INT64_MAX, &i), -EINVAL);
	UNIT_EQ_STR(e.msg, "t.json: over: 9223372036854775808: out of range "
		    "(-9223372036854775808..9223372036854775807)");
	UNIT_EQ_INT(json_get_int(&c, o, "under", JSON_REQUIRED, INT64_MIN,
				 INT64_MAX, &i), -EINVAL);
	cJSON_Delete(doc);
}

UNIT_CASE(int_not_integer)
{
	const cJSON *o = load("{'f': 1.5, 'x': 1e3, 'z': 1.0}");
	int64_t i;
	uint64_t u;

	UNIT_EQ_INT(json_get_int(&c, o, "f", JSON_REQUIRED, 0, 9, &i),
		    -EINVAL);
	UNIT_EQ_STR(e.msg, "t.json: f: 1.5: not an integer");
	UNIT_EQ_INT(json_get_uint(&c, o, "x", JSON_REQUIRED, 9999, &u),
		    -EINVAL);
	UNIT_EQ_STR(e.msg, "t.json: x: 1e3: not an integer");
	UNIT_EQ_INT(json_get_uint(&c, o, "z", JSON_REQUIRED, 9, &u), -EINVAL);
	UNIT_EQ_STR(e.msg, "t.json: z: 1.0: not an integer");
	cJSON_Delete(doc);
}

UNIT_CASE(uint64_exact)
{
	const cJSON *o = load("{'max': 18446744073709551615,"
			      " 'big': 9007199254740993,"
			      " 'over': 18446744073709551616,"
			      " 'neg': -1, 'negzero': -0}");
	uint64_t u;

	UNIT_EQ_INT(json_get_uint(&c, o, "max", JSON_REQUIRED, UINT64_MAX,
				  &u), 1);
	UNIT_EQ_UINT(u, UINT64_MAX);
	/* 2^53 + 1: a double would read 2^53. */
	UNIT_EQ_INT(json_get_uint(&c, o, "big", JSON_REQUIRED, UINT64_MAX,
				  &u), 1);
	UNIT_EQ_UINT(u, 9007199254740993ULL);
	UNIT_EQ_INT(json_get_uint(&c, o, "over", JSON_REQUIRED, UINT64_MAX,
				  &u), -EINVAL);
	UNIT_EQ_STR(e.msg, "t.json: over: 18446744073709551616: out of range "
		    "(0..18446744073709551615)");
	UNIT_EQ_INT(json_get_uint(&c, o, "neg", JSON_REQUIRED, UINT64_MAX,
				  &u), -EINVAL);
	UNIT_EQ_STR(e.msg,
		    "t.json: neg: -1: out of range (0..18446744073709551615)");
	UNIT_EQ_INT(json_get_uint(&c, o, "negzero", JSON_REQUIRED, 5, &u), 1);
	UNIT_EQ_UINT(u, 0);
	cJSON_Delete(doc);
}

UNIT_CASE(uint_id_range)
{
	const cJSON *o = load("{'uid': 4294967295, 'gid': 4294967294}");
	uint64_t u;

	UNIT_EQ_INT(json_get_uint(&c, o, "uid", JSON_REQUIRED, 4294967294u,
				  &u), -EINVAL);
	UNIT_EQ_STR(e.msg, "t.json: uid: 4294967295: out of range "
		    "(0..4294967294)");
	UNIT_EQ_INT(json_get_uint(&c, o, "gid", JSON_REQUIRED, 4294967294u,
				  &u), 1);
	UNIT_EQ_UINT(u, 4294967294u);
	cJSON_Delete(doc);
}

UNIT_CASE(numbers_in_strings_do_not_confuse_literals)
{
	const cJSON *o = load("{'s': '-12 34 \\' 56', 'k-1': 7,"
			      " 'a': [{'x': 'e5'}, 18446744073709551615]}");
	const cJSON *a = cJSON_GetObjectItem(o, "a");
	uint64_t u;

	UNIT_EQ_INT(json_get_uint(&c, o, "k-1", JSON_REQUIRED, 9, &u), 1);
	UNIT_EQ_UINT(u, 7);
	UNIT_EQ_INT(json_as_uint(&c, cJSON_GetArrayItem(a, 1), UINT64_MAX,
				 &u), 0);
	UNIT_EQ_UINT(u, UINT64_MAX);
	cJSON_Delete(doc);
}

UNIT_CASE(uint_from_built_tree)
{
	cJSON *n = cJSON_CreateNumber(1024);
	uint64_t u;

	json_ctx_init(&c, "t.json", &e);
	UNIT_EQ_INT(json_as_uint(&c, n, 2048, &u), 0);
	UNIT_EQ_UINT(u, 1024);
	cJSON_SetNumberValue(n, 1.25);
	UNIT_EQ_INT(json_as_uint(&c, n, 2048, &u), -EINVAL);
	UNIT_EQ_STR(e.msg, "t.json: 1.25: not an integer");
	cJSON_Delete(n);
}

UNIT_CASE(strv)
{
	const cJSON *o = load("{'args': ['sh', '-c', '']}");
	char **v = NULL;
	size_t n = 0;

	UNIT_EQ_INT(json_get_strv(&c, o, "args", JSON_REQUIRED, &v, &n), 1);
	UNIT_EQ_INT(n, 3);
	UNIT_EQ_STR(v[0], "sh");
	UNIT_EQ_STR(v[1], "-c");
	UNIT_EQ_STR(v[2], "");
	UNIT_NULL(v[3]);
	json_strv_free(v);
	cJSON_Delete(doc);
}

UNIT_CASE(strv_absent_is_empty)
{
	const cJSON *o = load("{}");
	char **v = NULL;
	size_t n = 9;

	UNIT_EQ_INT(json_get_strv(&c, o, "env", JSON_OPTIONAL, &v, &n), 0);
	UNIT_NOT_NULL(v);
	UNIT_NULL(v[0]);
	UNIT_EQ_INT(n, 0);
	json_strv_free(v);
	cJSON_Delete(doc);
}

UNIT_CASE(strv_element_error_names_index)
{
	const cJSON *o = load("{'process': {'args': ['sh', 1]}}");
	char **v = NULL;

	json_push(&c, "process");
	UNIT_EQ_INT(json_get_strv(&c, cJSON_GetObjectItem(o, "process"),
				  "args", JSON_REQUIRED, &v, NULL), -EINVAL);
	UNIT_EQ_STR(e.msg, "t.json: process.args[1]: expected string");
	UNIT_NULL(v);
	UNIT_EQ_STR(c.path, "process");
	cJSON_Delete(doc);
}

UNIT_CASE(strv_not_array)
{
	const cJSON *o = load("{'process': {'args': 'sh'}}");
	char **v = NULL;

	json_push(&c, "process");
	UNIT_EQ_INT(json_get_strv(&c, cJSON_GetObjectItem(o, "process"),
				  "args", JSON_REQUIRED, &v, NULL), -EINVAL);
	UNIT_EQ_STR(e.msg, "t.json: process.args: expected array of strings");
	UNIT_NULL(v);
	cJSON_Delete(doc);
}

UNIT_CASE(reject_present)
{
	const cJSON *o = load("{'seccomp': {'defaultAction':"
			      " 'SCMP_ACT_ALLOW'}}");

	json_push(&c, "linux");
	UNIT_EQ_INT(json_reject(&c, o, "seccomp"), -EINVAL);
	UNIT_EQ_STR(e.msg, "t.json: linux.seccomp: not supported");
	cJSON_Delete(doc);
}

UNIT_CASE(reject_empty_values_pass)
{
	const cJSON *o = load("{'a': null, 'b': '', 'c': [], 'd': {},"
			      " 'e': {'prestart': [], 'poststop': null}}");

	UNIT_EQ_INT(json_reject(&c, o, "a"), 0);
	UNIT_EQ_INT(json_reject(&c, o, "b"), 0);
	UNIT_EQ_INT(json_reject(&c, o, "c"), 0);
	UNIT_EQ_INT(json_reject(&c, o, "d"), 0);
	UNIT_EQ_INT(json_reject(&c, o, "e"), 0);
	UNIT_EQ_INT(json_reject(&c, o, "absent"), 0);
	cJSON_Delete(doc);
}

UNIT_CASE(is_empty)
{
	const cJSON *o = load("{'f': false, 'z': 0, 's': 'x', 'a': [[]],"
			      " 'o': {'x': {'y': 1}}}");

	UNIT_ASSERT(json_is_empty(NULL));
	UNIT_ASSERT(!json_is_empty(cJSON_GetObjectItem(o, "f")));
	UNIT_ASSERT(!json_is_empty(cJSON_GetObjectItem(o, "z")));
	UNIT_ASSERT(!json_is_empty(cJSON_GetObjectItem(o, "s")));
	UNIT_ASSERT(!json_is_empty(cJSON_GetObjectItem(o, "a")));
	UNIT_ASSERT(!json_is_empty(cJSON_GetObjectItem(o, "o")));
	cJSON_Delete(doc);
}

UNIT_CASE(print_pretty_like_go)
{
	const cJSON *o = load("{'a': 'x', 'n': [1, -2.5, 18446744073709551615],"
			      " 'e': [], 'o': {}, 't': true, 'f': false,"
			      " 'z': null, 'nest': {'k': ['v']}}");
	char *s = json_print_pretty(o);

	UNIT_EQ_STR(s, "{\n"
		    "  \"a\": \"x\",\n"
		    "  \"n\": [\n"
		    "    1,\n"
		    "    -2.5,\n"
		    "    18446744073709551615\n"
		    "  ],\n"
		    "  \"e\": [],\n"
		    "  \"o\": {},\n"
		    "  \"t\": true,\n"
		    "  \"f\": false,\n"
		    "  \"z\": null,\n"
		    "  \"nest\": {\n"
		    "    \"k\": [\n"
		    "      \"v\"\n"
		    "    ]\n"
		    "  }\n"
		    "}");
	free(s);
	cJSON_Delete(doc);
}

UNIT_CASE(print_indent_tab)
{
	const cJSON *o = load("{'a': {'b': 1}}");
	char *s = json_print_indent(o, "\t");

	UNIT_EQ_STR(s, "{\n\t\"a\": {\n\t\t\"b\": 1\n\t}\n}");
	free(s);
	cJSON_Delete(doc);
}

UNIT_CASE(print_escapes)
{
	cJSON *o = cJSON_CreateObject();
	char *s;

	cJSON_AddStringToObject(o, "k\"", "q\" b\\ n\n t\t c\x01 u\xc3\xa9");
	s = json_print_pretty(o);
	UNIT_EQ_STR(s, "{\n  \"k\\\"\": "
		    "\"q\\\" b\\\\ n\\n t\\t c\\u0001 u\xc3\xa9\"\n}");
	free(s);
	cJSON_Delete(o);
}

UNIT_CASE(print_built_numbers)
{
	cJSON *a = cJSON_CreateArray();
	char *s;

	cJSON_AddItemToArray(a, cJSON_CreateNumber(1234567));
	cJSON_AddItemToArray(a, cJSON_CreateNumber(0.1));
	cJSON_AddItemToArray(a, cJSON_CreateNumber(-3));
	s = json_print_indent(a, " ");
	UNIT_EQ_STR(s, "[\n 1234567,\n 0.1,\n -3\n]");
	free(s);
	cJSON_Delete(a);
}

UNIT_CASE(print_scalar_and_empty)
{
	cJSON *a = cJSON_CreateArray();
	cJSON *str = cJSON_CreateString("x");
	char *s;

	s = json_print_pretty(a);
	UNIT_EQ_STR(s, "[]");
	free(s);
	s = json_print_pretty(str);
	UNIT_EQ_STR(s, "\"x\"");
	free(s);
	cJSON_Delete(a);
	cJSON_Delete(str);
}

UNIT_CASE(print_roundtrip)
{
	const char *text = "{\n  \"ociVersion\": \"1.2.0\",\n"
			   "  \"hard\": 18446744073709551615\n}";
	cJSON *o = NULL;
	char *s;

	UNIT_EQ_INT(json_parse(text, strlen(text), "t.json", &o, &e), 0);
	s = json_print_pretty(o);
	UNIT_EQ_STR(s, text);
	free(s);
	cJSON_Delete(o);
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	UNIT_NOT_NULL(f);
	fputs(text, f);
	UNIT_EQ_INT(fclose(f), 0);
}

UNIT_CASE(load_file)
{
	char path[128];
	cJSON *o = NULL;

	snprintf(path, sizeof(path), "%s/a.json", unit_tmpdir());
	write_file(path, "{\"a\": [1, 2]}\n");
	UNIT_EQ_INT(json_load_file(AT_FDCWD, path, 100, "a.json", &o, &e), 0);
	UNIT_EQ_INT(cJSON_GetArraySize(cJSON_GetObjectItem(o, "a")), 2);
	cJSON_Delete(o);
}

UNIT_CASE(load_file_dirfd)
{
	cJSON *o = NULL;
	int dirfd;

	dirfd = open(unit_tmpdir(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	UNIT_ASSERT(dirfd >= 0);
	UNIT_EQ_INT(json_load_file(dirfd, "missing.json", 100, "m.json", &o,
				   &e), -ENOENT);
	UNIT_EQ_STR(e.msg, "m.json: No such file or directory");
	UNIT_NULL(o);
	close(dirfd);
}

UNIT_CASE(load_file_too_big)
{
	char path[128];
	cJSON *o = NULL;

	snprintf(path, sizeof(path), "%s/big.json", unit_tmpdir());
	write_file(path, "[1, 2, 3, 4, 5, 6, 7, 8]");
	UNIT_EQ_INT(json_load_file(AT_FDCWD, path, 10, "big.json", &o, &e),
		    -EFBIG);
	UNIT_EQ_STR(e.msg, "big.json: larger than 10 bytes");
	UNIT_NULL(o);
}

UNIT_CASE(load_file_syntax_error)
{
	char path[128];
	cJSON *o = NULL;

	snprintf(path, sizeof(path), "%s/bad.json", unit_tmpdir());
	write_file(path, "{\n\"a\": tru\n}\n");
	UNIT_EQ_INT(json_load_file(AT_FDCWD, path, 100, "bad.json", &o, &e),
		    -EINVAL);
	UNIT_EQ_STR(e.msg, "bad.json: invalid JSON at line 2, column 6");
}

/* Scratch parsing: nodes from the buffer, malloc once it is full. */
static void scratch_case(size_t size)
{
	char buf[512];
	struct json_scratch s = { buf, size, 0 };
	const char *t = unit_json("{'id': 'c1', 'paths': {'a': '/x', "
				  "'b': '/y'}, 'n': [1, 2, 3]}");
	cJSON *o = json_scratch_parse(&s, t);

	UNIT_ASSERT(o != NULL);
	UNIT_EQ_STR(cJSON_GetObjectItem(o, "id")->valuestring, "c1");
	UNIT_EQ_STR(cJSON_GetObjectItem(cJSON_GetObjectItem(o, "paths"),
					"b")->valuestring, "/y");
	UNIT_EQ_INT(cJSON_GetArraySize(cJSON_GetObjectItem(o, "n")), 3);
	json_scratch_delete(&s, o);
	UNIT_NULL(json_scratch_parse(&s, "{\"id\":"));
}

UNIT_CASE(scratch_fits)
{
	json_scratch_hooks(1);
	scratch_case(512);
	json_scratch_hooks(0);
}

/* A buffer too small for the whole: the rest from malloc, freed. */
UNIT_CASE(scratch_overflows)
{
	json_scratch_hooks(1);
	scratch_case(96);
	json_scratch_hooks(0);
}

/* Without the hooks it is cJSON_Parse() and cJSON_Delete(). */
UNIT_CASE(scratch_without_hooks)
{
	scratch_case(512);
}
