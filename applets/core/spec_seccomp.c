/*
 * spec_seccomp.c - linux.seccomp into struct spec_seccomp (runtime-spec
 * config-linux.md "Seccomp").  Where the spec leaves room, runc decides:
 * SCMP_ACT_KILL kills the thread, SCMP_ACT_ERRNO and SCMP_ACT_TRACE return
 * EPERM unless errnoRet says otherwise, and errnoRet is ignored with the
 * other actions.  Syscall names are checked against libseccomp's table only
 * when the filter is compiled (seccomp.c), where unknown ones are skipped as
 * runc skips them.
 */
#include <errno.h>
#include <seccomp.h>
#include <stdlib.h>
#include <string.h>

#include "spec_seccomp.h"

enum { ERRNO_NONE, ERRNO_ALLOWED };

static const struct {
	char name[22];
	unsigned char errno_ret;
	uint32_t action;
} actions[] = {
	{ "SCMP_ACT_KILL", ERRNO_NONE, SCMP_ACT_KILL_THREAD },
	{ "SCMP_ACT_KILL_PROCESS", ERRNO_NONE, SCMP_ACT_KILL_PROCESS },
	{ "SCMP_ACT_KILL_THREAD", ERRNO_NONE, SCMP_ACT_KILL_THREAD },
	{ "SCMP_ACT_TRAP", ERRNO_NONE, SCMP_ACT_TRAP },
	{ "SCMP_ACT_ERRNO", ERRNO_ALLOWED, SCMP_ACT_ERRNO(0) },
	{ "SCMP_ACT_TRACE", ERRNO_ALLOWED, SCMP_ACT_TRACE(0) },
	{ "SCMP_ACT_ALLOW", ERRNO_NONE, SCMP_ACT_ALLOW },
	{ "SCMP_ACT_LOG", ERRNO_NONE, SCMP_ACT_LOG },
};

static const struct {
	char name[18];
	int op;
} operators[] = {
	{ "SCMP_CMP_NE", SCMP_CMP_NE },
	{ "SCMP_CMP_LT", SCMP_CMP_LT },
	{ "SCMP_CMP_LE", SCMP_CMP_LE },
	{ "SCMP_CMP_EQ", SCMP_CMP_EQ },
	{ "SCMP_CMP_GE", SCMP_CMP_GE },
	{ "SCMP_CMP_GT", SCMP_CMP_GT },
	{ "SCMP_CMP_MASKED_EQ", SCMP_CMP_MASKED_EQ },
};

/* Those the spec names that libseccomp 2.5 lacks are not supported. */
static const struct {
	char name[24];
	uint32_t token;
} archs[] = {
	{ "SCMP_ARCH_X86", SCMP_ARCH_X86 },
	{ "SCMP_ARCH_X86_64", SCMP_ARCH_X86_64 },
	{ "SCMP_ARCH_X32", SCMP_ARCH_X32 },
	{ "SCMP_ARCH_ARM", SCMP_ARCH_ARM },
	{ "SCMP_ARCH_AARCH64", SCMP_ARCH_AARCH64 },
	{ "SCMP_ARCH_MIPS", SCMP_ARCH_MIPS },
	{ "SCMP_ARCH_MIPS64", SCMP_ARCH_MIPS64 },
	{ "SCMP_ARCH_MIPS64N32", SCMP_ARCH_MIPS64N32 },
	{ "SCMP_ARCH_MIPSEL", SCMP_ARCH_MIPSEL },
	{ "SCMP_ARCH_MIPSEL64", SCMP_ARCH_MIPSEL64 },
	{ "SCMP_ARCH_MIPSEL64N32", SCMP_ARCH_MIPSEL64N32 },
	{ "SCMP_ARCH_PPC", SCMP_ARCH_PPC },
	{ "SCMP_ARCH_PPC64", SCMP_ARCH_PPC64 },
	{ "SCMP_ARCH_PPC64LE", SCMP_ARCH_PPC64LE },
	{ "SCMP_ARCH_S390", SCMP_ARCH_S390 },
	{ "SCMP_ARCH_S390X", SCMP_ARCH_S390X },
	{ "SCMP_ARCH_PARISC", SCMP_ARCH_PARISC },
	{ "SCMP_ARCH_PARISC64", SCMP_ARCH_PARISC64 },
	{ "SCMP_ARCH_RISCV64", SCMP_ARCH_RISCV64 },
	{ "SCMP_ARCH_LOONGARCH64", 0 },
	{ "SCMP_ARCH_M68K", 0 },
	{ "SCMP_ARCH_SH", 0 },
	{ "SCMP_ARCH_SHEB", 0 },
};

/* Each the bit 1 << its index; the spec's others are not supported. */
static const char flags[][32] = {
	"SECCOMP_FILTER_FLAG_TSYNC",
	"SECCOMP_FILTER_FLAG_LOG",
	"SECCOMP_FILTER_FLAG_SPEC_ALLOW",
};
_Static_assert(1U << 2 == SPEC_SECCOMP_FLAG_SPEC_ALLOW, "flag order");

#define N(a) (sizeof(a) / sizeof((a)[0]))

const char *spec_seccomp_name(enum spec_seccomp_names list, size_t i)
{
	switch (list) {
	case SPEC_SECCOMP_ACTIONS:
		return i < N(actions) ? actions[i].name : NULL;
	case SPEC_SECCOMP_OPERATORS:
		return i < N(operators) ? operators[i].name : NULL;
	case SPEC_SECCOMP_ARCHS:
		for (; i < N(archs) && !archs[i].token; i++)
			;
		return i < N(archs) && archs[i].token ? archs[i].name : NULL;
	case SPEC_SECCOMP_FLAGS:
		return i < N(flags) ? flags[i] : NULL;
	}
	return NULL;
}

static int failed(struct json_ctx *c)
{
	return -c->e->no;
}

static int nomem(struct json_ctx *c)
{
	return err_sys(c->e, ENOMEM, "%s", c->name);
}

/* An action and, for those that return one, errnoRet (EPERM if absent). */
static int parse_action(struct json_ctx *c, const cJSON *o, const char *key,
			const char *errno_key, uint32_t *out)
{
	const char *name;
	uint64_t ret = EPERM;
	size_t k;

	if (json_get_string(c, o, key, JSON_REQUIRED, &name) < 0)
		return failed(c);
	if (!strcmp(name, "SCMP_ACT_NOTIFY"))
		return json_fail(c, key, "%s: not supported", name);
	for (k = 0; k < N(actions); k++)
		if (!strcmp(name, actions[k].name))
			break;
	if (k == N(actions))
		return json_fail(c, key, "%s: unknown action", name);
	/* SECCOMP_RET_DATA: 16 bits. */
	if (json_get_uint(c, o, errno_key, JSON_OPTIONAL, 0xffff, &ret) < 0)
		return failed(c);
	*out = actions[k].action;
	if (actions[k].errno_ret == ERRNO_ALLOWED)
		*out |= ret & 0xffff;
	return 0;
}

static int parse_archs(struct json_ctx *c, const cJSON *o,
		       struct spec_seccomp *s)
{
	size_t mark, m, i, k, n;
	char **v = NULL;
	int r = 0;

	if (json_get_strv(c, o, "architectures", JSON_OPTIONAL, &v, &n) < 0)
		return failed(c);
	if (n && !(s->archs = calloc(n, sizeof(*s->archs)))) {
		json_strv_free(v);
		return nomem(c);
	}
	mark = json_push(c, "architectures");
	for (i = 0; i < n && !r; i++) {
		for (k = 0; k < N(archs); k++)
			if (!strcmp(v[i], archs[k].name))
				break;
		m = json_push_index(c, i);
		if (k == N(archs))
			r = json_fail(c, NULL, "%s: unknown architecture",
				      v[i]);
		else if (!archs[k].token)
			r = json_fail(c, NULL, "%s: not supported", v[i]);
		else
			s->archs[s->n_archs++] = archs[k].token;
		json_pop(c, m);
	}
	json_pop(c, mark);
	json_strv_free(v);
	return r;
}

static int parse_flags(struct json_ctx *c, const cJSON *o,
		       struct spec_seccomp *s)
{
	size_t mark, m, i, k, n;
	char **v = NULL;
	int r = 0;

	if (json_get_strv(c, o, "flags", JSON_OPTIONAL, &v, &n) < 0)
		return failed(c);
	mark = json_push(c, "flags");
	for (i = 0; i < n && !r; i++) {
		for (k = 0; k < N(flags); k++)
			if (!strcmp(v[i], flags[k]))
				break;
		m = json_push_index(c, i);
		if (k < N(flags))
			s->flags |= 1U << k;
		else if (!strcmp(v[i],
				 "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"))
			r = json_fail(c, NULL, "%s: not supported", v[i]);
		else
			r = json_fail(c, NULL, "%s: unknown flag", v[i]);
		json_pop(c, m);
	}
	json_pop(c, mark);
	json_strv_free(v);
	return r;
}

static int parse_arg(struct json_ctx *c, const cJSON *o,
		     struct spec_seccomp_arg *a)
{
	const char *op;
	uint64_t index;
	size_t k;

	if (json_get_uint(c, o, "index", JSON_REQUIRED,
			  SPEC_SECCOMP_ARGS_MAX - 1, &index) < 0 ||
	    json_get_uint(c, o, "value", JSON_REQUIRED, UINT64_MAX,
			  &a->value) < 0 ||
	    json_get_uint(c, o, "valueTwo", JSON_OPTIONAL, UINT64_MAX,
			  &a->value_two) < 0 ||
	    json_get_string(c, o, "op", JSON_REQUIRED, &op) < 0)
		return failed(c);
	a->index = index;
	for (k = 0; k < N(operators); k++) {
		if (!strcmp(op, operators[k].name)) {
			a->op = operators[k].op;
			return 0;
		}
	}
	return json_fail(c, "op", "%s: unknown operator", op);
}

static int parse_args(struct json_ctx *c, const cJSON *o,
		      struct spec_seccomp_rule *rule)
{
	const cJSON *arr, *el;
	size_t mark, m, n, i = 0;
	int r;

	r = json_get_array(c, o, "args", JSON_OPTIONAL, &arr, &n);
	if (r <= 0 || !n)
		return r;
	rule->args = calloc(n, sizeof(*rule->args));
	if (!rule->args)
		return nomem(c);
	mark = json_push(c, "args");
	cJSON_ArrayForEach(el, arr) {
		m = json_push_index(c, i);
		r = json_as_object(c, el);
		if (!r)
			r = parse_arg(c, el, &rule->args[i]);
		json_pop(c, m);
		if (r < 0)
			break;
		rule->n_args = ++i;
	}
	json_pop(c, mark);
	return r < 0 ? r : 0;
}

static int parse_rule(struct json_ctx *c, const cJSON *o,
		      struct spec_seccomp_rule *rule)
{
	size_t mark, m, i, n;
	int r = 0;

	if (json_get_strv(c, o, "names", JSON_REQUIRED, &rule->names, &n) < 0)
		return failed(c);
	if (!n)
		return json_fail(c, "names", "must not be empty");
	mark = json_push(c, "names");
	for (i = 0; i < n && !r; i++) {
		m = json_push_index(c, i);
		if (!*rule->names[i])
			r = json_fail(c, NULL, "must not be empty");
		json_pop(c, m);
	}
	json_pop(c, mark);
	if (r < 0 || parse_action(c, o, "action", "errnoRet",
				  &rule->action) < 0)
		return failed(c);
	return parse_args(c, o, rule);
}

static int parse_rules(struct json_ctx *c, const cJSON *o,
		       struct spec_seccomp *s)
{
	const cJSON *arr, *el;
	size_t mark, m, n, i = 0;
	int r;

	r = json_get_array(c, o, "syscalls", JSON_OPTIONAL, &arr, &n);
	if (r <= 0 || !n)
		return r;
	s->rules = calloc(n, sizeof(*s->rules));
	if (!s->rules)
		return nomem(c);
	mark = json_push(c, "syscalls");
	cJSON_ArrayForEach(el, arr) {
		m = json_push_index(c, i);
		/* Counted first: a half-parsed rule is freed too. */
		s->n_rules = i + 1;
		r = json_as_object(c, el);
		if (!r)
			r = parse_rule(c, el, &s->rules[i]);
		json_pop(c, m);
		if (r < 0)
			break;
		i++;
	}
	json_pop(c, mark);
	return r < 0 ? r : 0;
}

int spec_seccomp_parse(struct json_ctx *c, const cJSON *o,
		       struct spec_seccomp **out)
{
	struct spec_seccomp *s;

	*out = NULL;
	if (!o || cJSON_IsNull(o))
		return 0;
	if (json_as_object(c, o) < 0)
		return failed(c);
	s = calloc(1, sizeof(*s));
	if (!s)
		return nomem(c);
	if (parse_action(c, o, "defaultAction", "defaultErrnoRet",
			 &s->default_action) < 0 ||
	    parse_archs(c, o, s) < 0 || parse_flags(c, o, s) < 0 ||
	    json_reject(c, o, "listenerPath") < 0 ||
	    json_reject(c, o, "listenerMetadata") < 0 ||
	    parse_rules(c, o, s) < 0) {
		spec_seccomp_free(s);
		return failed(c);
	}
	*out = s;
	return 0;
}

void spec_seccomp_free(struct spec_seccomp *s)
{
	size_t i;

	if (!s)
		return;
	for (i = 0; i < s->n_rules; i++) {
		json_strv_free(s->rules[i].names);
		free(s->rules[i].args);
	}
	free(s->rules);
	free(s->archs);
	free(s);
}
