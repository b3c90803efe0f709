/*
 * spec_seccomp.h - the linux.seccomp object of config.json (runtime-spec
 * config-linux.md "Seccomp") parsed into a plain plan that seccomp.c
 * compiles with libseccomp.  Names become libseccomp's values here, so an
 * unknown action, architecture, operator or flag is refused by its JSON
 * path before anything runs.
 */
#ifndef CORE_SPEC_SECCOMP_H
#define CORE_SPEC_SECCOMP_H

#include <stddef.h>
#include <stdint.h>

#include "cJSON.h"
#include "json.h"

/* Linux system calls take at most 6 arguments. */
#define SPEC_SECCOMP_ARGS_MAX 6

/*
 * linux.seccomp.flags: the kernel's SECCOMP_FILTER_FLAG_* bits, so the
 * i-th name of SPEC_SECCOMP_FLAGS below is the bit 1 << i.
 */
#define SPEC_SECCOMP_FLAG_TSYNC		(1U << 0)
#define SPEC_SECCOMP_FLAG_LOG		(1U << 1)
#define SPEC_SECCOMP_FLAG_SPEC_ALLOW	(1U << 2)

struct spec_seccomp_arg {
	unsigned int index;	/* 0..5 */
	int op;			/* enum scmp_compare (SCMP_CMP_*) */
	uint64_t value, value_two;
};

struct spec_seccomp_rule {
	char **names;		/* NULL-terminated, at least one, none empty */
	uint32_t action;	/* SCMP_ACT_*, the errno folded in */
	struct spec_seccomp_arg *args;
	size_t n_args;
};

struct spec_seccomp {
	uint32_t default_action; /* SCMP_ACT_*, defaultErrnoRet folded in */
	uint32_t *archs;	/* SCMP_ARCH_* tokens besides the native one */
	size_t n_archs;
	unsigned int flags;	/* SPEC_SECCOMP_FLAG_* */
	struct spec_seccomp_rule *rules;
	size_t n_rules;
};

/*
 * Parse o, the linux.seccomp object, at c's current path ("linux.seccomp").
 * On success *out owns everything (free with spec_seccomp_free()); an
 * absent or null o gives *out = NULL: no filter.  SCMP_ACT_NOTIFY,
 * listenerPath and listenerMetadata are refused as "not supported".
 */
int spec_seccomp_parse(struct json_ctx *c, const cJSON *o,
		       struct spec_seccomp **out);
void spec_seccomp_free(struct spec_seccomp *s);

/* What the parser accepts, for `oci-run features`. */
enum spec_seccomp_names {
	SPEC_SECCOMP_ACTIONS,
	SPEC_SECCOMP_OPERATORS,
	SPEC_SECCOMP_ARCHS,
	SPEC_SECCOMP_FLAGS,
};
/* The i-th name of the list, or NULL past its end. */
const char *spec_seccomp_name(enum spec_seccomp_names list, size_t i);

#endif
