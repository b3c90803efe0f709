/*
 * spec_seccomp_test.c - unit tests of core/spec_seccomp.c (linux.seccomp
 * through spec_parse(), so errors carry their whole path) and of
 * core/seccomp_bpf.c: the program libseccomp makes, installed in the case's
 * own process, and the features object.
 */
#include <errno.h>
#include <seccomp.h>
#include <sys/prctl.h>
#include <sys/stat.h>

#include "seccomp_bpf.h"
#include "spec.h"
#include "spec_seccomp.h"
#include "sys.h"
#include "unit.h"

/* A valid config whose linux.seccomp is SC (' for "). */
#define CFG(sc)								\
	"{'ociVersion': '1.2.0', 'root': {'path': 'rootfs'},"		\
	" 'process': {'args': ['sh'], 'cwd': '/'},"			\
	" 'linux': {'seccomp': " sc "}}"

static struct spec *s;
static struct err e;
static char bundle[128];

static int parse(const char *text)
{
	const char *t = unit_json(text);
	char path[192];

	if (!bundle[0]) {
		snprintf(bundle, sizeof(bundle), "%s/bundle", unit_tmpdir());
		snprintf(path, sizeof(path), "%s/rootfs", bundle);
		UNIT_EQ_INT(mkdir(bundle, 0755), 0);
		UNIT_EQ_INT(mkdir(path, 0755), 0);
	}
	s = NULL;
	memset(&e, 0, sizeof(e));
	return spec_parse(t, strlen(t), "config.json", bundle, &s, &e);
}

static const struct spec_seccomp *parse_ok(const char *text)
{
	if (parse(text) < 0)
		unit_fail(__FILE__, __LINE__, "spec_parse: %s", e.msg);
	UNIT_NOT_NULL(s);
	return s->seccomp;
}

#define EXPECT_ERROR(text, want)					\
	do {								\
		UNIT_EQ_INT(parse(text), -EINVAL);			\
		UNIT_NULL(s);						\
		UNIT_EQ_STR(e.msg, want);				\
	} while (0)

#define ALLOW "'defaultAction': 'SCMP_ACT_ALLOW'"

UNIT_CASE(absent_or_null_is_no_filter)
{
	parse_ok("{'ociVersion': '1.2.0', 'root': {'path': 'rootfs'},"
		 " 'process': {'args': ['sh'], 'cwd': '/'}}");
	UNIT_NULL(s->seccomp);
	spec_free(s);
	UNIT_NULL(parse_ok(CFG("null")));
	spec_free(s);
}

UNIT_CASE(minimal_profile)
{
	const struct spec_seccomp *sc = parse_ok(CFG("{" ALLOW "}"));

	UNIT_NOT_NULL(sc);
	UNIT_EQ_UINT(sc->default_action, SCMP_ACT_ALLOW);
	UNIT_EQ_INT(sc->n_rules, 0);
	UNIT_EQ_INT(sc->n_archs, 0);
	UNIT_EQ_UINT(sc->flags, 0);
	spec_free(s);
}

UNIT_CASE(full_profile)
{
	const struct spec_seccomp *sc = parse_ok(CFG(
		"{'defaultAction': 'SCMP_ACT_ERRNO', 'defaultErrnoRet': 38,"
		" 'architectures': ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86'],"
		" 'flags': ['SECCOMP_FILTER_FLAG_LOG',"
		"           'SECCOMP_FILTER_FLAG_SPEC_ALLOW'],"
		" 'syscalls': ["
		"  {'names': ['read', 'write'], 'action': 'SCMP_ACT_ALLOW'},"
		"  {'names': ['mkdir'], 'action': 'SCMP_ACT_ERRNO',"
		"   'errnoRet': 28},"
		"  {'names': ['kill'], 'action': 'SCMP_ACT_KILL'},"
		"  {'names': ['ptrace'], 'action': 'SCMP_ACT_TRACE'},"
		"  {'names': ['personality'], 'action': 'SCMP_ACT_LOG',"
		"   'errnoRet': 5, 'args': [{'index': 0, 'value': 8,"
		"   'op': 'SCMP_CMP_NE'}, {'index': 5,"
		"   'value': 18446744073709551615, 'valueTwo': 3,"
		"   'op': 'SCMP_CMP_MASKED_EQ'}]}]}"));

	UNIT_NOT_NULL(sc);
	UNIT_EQ_UINT(sc->default_action, SCMP_ACT_ERRNO(38));
	UNIT_EQ_INT(sc->n_archs, 2);
	UNIT_EQ_UINT(sc->archs[0], SCMP_ARCH_X86_64);
	UNIT_EQ_UINT(sc->archs[1], SCMP_ARCH_X86);
	UNIT_EQ_UINT(sc->flags, SYS_SECCOMP_FLAG_LOG |
			       SYS_SECCOMP_FLAG_SPEC_ALLOW);
	UNIT_EQ_INT(sc->n_rules, 5);
	UNIT_EQ_STR(sc->rules[0].names[1], "write");
	UNIT_NULL(sc->rules[0].names[2]);
	UNIT_EQ_UINT(sc->rules[0].action, SCMP_ACT_ALLOW);
	UNIT_EQ_UINT(sc->rules[1].action, SCMP_ACT_ERRNO(28));
	/* runc: KILL is the thread's; TRACE without errnoRet is EPERM. */
	UNIT_EQ_UINT(sc->rules[2].action, SCMP_ACT_KILL_THREAD);
	UNIT_EQ_UINT(sc->rules[3].action, SCMP_ACT_TRACE(EPERM));
	/* errnoRet means nothing to LOG: ignored, as runc does. */
	UNIT_EQ_UINT(sc->rules[4].action, SCMP_ACT_LOG);
	UNIT_EQ_INT(sc->rules[4].n_args, 2);
	UNIT_EQ_INT(sc->rules[4].args[0].op, SCMP_CMP_NE);
	UNIT_EQ_UINT(sc->rules[4].args[0].value, 8);
	UNIT_EQ_UINT(sc->rules[4].args[1].index, 5);
	UNIT_EQ_UINT(sc->rules[4].args[1].value, UINT64_MAX);
	UNIT_EQ_UINT(sc->rules[4].args[1].value_two, 3);
	UNIT_EQ_INT(sc->rules[4].args[1].op, SCMP_CMP_MASKED_EQ);
	spec_free(s);
}

UNIT_CASE(errno_default_is_eperm)
{
	const struct spec_seccomp *sc = parse_ok(CFG(
		"{'defaultAction': 'SCMP_ACT_ERRNO'}"));

	UNIT_EQ_UINT(sc->default_action, SCMP_ACT_ERRNO(EPERM));
	spec_free(s);
}

UNIT_CASE(not_an_object)
{
	EXPECT_ERROR(CFG("[]"), "config.json: linux.seccomp: expected object");
}

UNIT_CASE(default_action_missing)
{
	EXPECT_ERROR(CFG("{'syscalls': []}"),
		     "config.json: linux.seccomp.defaultAction: missing");
}

UNIT_CASE(default_action_unknown)
{
	EXPECT_ERROR(CFG("{'defaultAction': 'SCMP_ACT_FOO'}"),
		     "config.json: linux.seccomp.defaultAction: SCMP_ACT_FOO:"
		     " unknown action");
}

UNIT_CASE(default_errno_ret_out_of_range)
{
	EXPECT_ERROR(CFG("{'defaultAction': 'SCMP_ACT_ERRNO',"
			 " 'defaultErrnoRet': 65536}"),
		     "config.json: linux.seccomp.defaultErrnoRet: 65536: out of"
		     " range (0..65535)");
}

UNIT_CASE(notify_refused)
{
	EXPECT_ERROR(CFG("{'defaultAction': 'SCMP_ACT_NOTIFY'}"),
		     "config.json: linux.seccomp.defaultAction: SCMP_ACT_NOTIFY:"
		     " not supported");
	EXPECT_ERROR(CFG("{" ALLOW ", 'syscalls': [{'names': ['open'],"
			 " 'action': 'SCMP_ACT_NOTIFY'}]}"),
		     "config.json: linux.seccomp.syscalls[0].action:"
		     " SCMP_ACT_NOTIFY: not supported");
}

UNIT_CASE(listener_refused)
{
	EXPECT_ERROR(CFG("{" ALLOW ", 'listenerPath': '/run/agent.sock'}"),
		     "config.json: linux.seccomp.listenerPath: not supported");
	EXPECT_ERROR(CFG("{" ALLOW ", 'listenerMetadata': 'x'}"),
		     "config.json: linux.seccomp.listenerMetadata: not"
		     " supported");
}

UNIT_CASE(arch_unknown)
{
	EXPECT_ERROR(CFG("{" ALLOW ", 'architectures': ['SCMP_ARCH_X86',"
			 " 'SCMP_ARCH_VAX']}"),
		     "config.json: linux.seccomp.architectures[1]:"
		     " SCMP_ARCH_VAX: unknown architecture");
}

UNIT_CASE(arch_beyond_libseccomp)
{
	EXPECT_ERROR(CFG("{" ALLOW ", 'architectures':"
			 " ['SCMP_ARCH_LOONGARCH64']}"),
		     "config.json: linux.seccomp.architectures[0]:"
		     " SCMP_ARCH_LOONGARCH64: not supported");
}

UNIT_CASE(flag_unknown_or_unsupported)
{
	EXPECT_ERROR(CFG("{" ALLOW ", 'flags': ['SECCOMP_FILTER_FLAG_TSYNC',"
			 " 'SECCOMP_FILTER_FLAG_FOO']}"),
		     "config.json: linux.seccomp.flags[1]:"
		     " SECCOMP_FILTER_FLAG_FOO: unknown flag");
	EXPECT_ERROR(CFG("{" ALLOW ", 'flags':"
			 " ['SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV']}"),
		     "config.json: linux.seccomp.flags[0]:"
		     " SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV: not supported");
}

UNIT_CASE(syscall_action_unknown)
{
	EXPECT_ERROR(CFG("{" ALLOW ", 'syscalls': ["
			 "{'names': ['a'], 'action': 'SCMP_ACT_ERRNO'},"
			 "{'names': ['b'], 'action': 'SCMP_ACT_ERRNO'},"
			 "{'names': ['c'], 'action': 'SCMP_ACT_ERRNO'},"
			 "{'names': ['d'], 'action': 'SCMP_ACT_FOO'}]}"),
		     "config.json: linux.seccomp.syscalls[3].action:"
		     " SCMP_ACT_FOO: unknown action");
}

UNIT_CASE(syscall_names_required)
{
	EXPECT_ERROR(CFG("{" ALLOW ", 'syscalls': [{'action':"
			 " 'SCMP_ACT_ERRNO'}]}"),
		     "config.json: linux.seccomp.syscalls[0].names: missing");
	EXPECT_ERROR(CFG("{" ALLOW ", 'syscalls': [{'names': [],"
			 " 'action': 'SCMP_ACT_ERRNO'}]}"),
		     "config.json: linux.seccomp.syscalls[0].names: must not be"
		     " empty");
	EXPECT_ERROR(CFG("{" ALLOW ", 'syscalls': [{'names': ['read', ''],"
			 " 'action': 'SCMP_ACT_ERRNO'}]}"),
		     "config.json: linux.seccomp.syscalls[0].names[1]: must not"
		     " be empty");
	EXPECT_ERROR(CFG("{" ALLOW ", 'syscalls': [{'names': 'read',"
			 " 'action': 'SCMP_ACT_ERRNO'}]}"),
		     "config.json: linux.seccomp.syscalls[0].names: expected"
		     " array of strings");
}

UNIT_CASE(syscall_not_an_object)
{
	EXPECT_ERROR(CFG("{" ALLOW ", 'syscalls': ['read']}"),
		     "config.json: linux.seccomp.syscalls[0]: expected object");
}

UNIT_CASE(arg_errors)
{
#define RULE(args) CFG("{" ALLOW ", 'syscalls': [{'names': ['chmod'],"	\
		       " 'action': 'SCMP_ACT_ERRNO', 'args': [" args "]}]}")
	EXPECT_ERROR(RULE("{'index': 6, 'value': 1, 'op': 'SCMP_CMP_EQ'}"),
		     "config.json: linux.seccomp.syscalls[0].args[0].index: 6:"
		     " out of range (0..5)");
	EXPECT_ERROR(RULE("{'index': 1, 'value': 1, 'op': 'SCMP_CMP_EQ'},"
			  "{'index': 1, 'op': 'SCMP_CMP_EQ'}"),
		     "config.json: linux.seccomp.syscalls[0].args[1].value:"
		     " missing");
	EXPECT_ERROR(RULE("{'index': 1, 'value': -1, 'op': 'SCMP_CMP_EQ'}"),
		     "config.json: linux.seccomp.syscalls[0].args[0].value: -1:"
		     " out of range (0..18446744073709551615)");
	EXPECT_ERROR(RULE("{'index': 1, 'value': 1, 'op': 'SCMP_CMP_FOO'}"),
		     "config.json: linux.seccomp.syscalls[0].args[0].op:"
		     " SCMP_CMP_FOO: unknown operator");
	EXPECT_ERROR(RULE("{'index': 1, 'value': 1}"),
		     "config.json: linux.seccomp.syscalls[0].args[0].op:"
		     " missing");
#undef RULE
}

/* Compile, install in this (forked) case process, and watch it work. */
UNIT_CASE(compiled_filter_blocks)
{
	struct seccomp_bpf f;
	const struct spec_seccomp *sc = parse_ok(CFG(
		"{" ALLOW ", 'syscalls': ["
		" {'names': ['nosuchsyscall', 'mkdir', 'mkdirat'],"
		"  'action': 'SCMP_ACT_ERRNO', 'errnoRet': 28},"
		" {'names': ['chmod'], 'action': 'SCMP_ACT_ERRNO',"
		"  'args': [{'index': 1, 'value': 511, 'op': 'SCMP_CMP_EQ'}]},"
		" {'names': ['fchmodat'], 'action': 'SCMP_ACT_ERRNO',"
		"  'args': [{'index': 2, 'value': 511, 'op': 'SCMP_CMP_EQ'}]},"
		" {'names': ['getpid'], 'action': 'SCMP_ACT_ALLOW'}]}"));
	char dir[192];

	UNIT_EQ_INT(seccomp_bpf_compile(sc, &f, &e), 0);
	UNIT_ASSERT(f.len > 0);
	snprintf(dir, sizeof(dir), "%s/d", unit_tmpdir());
	UNIT_EQ_INT(prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), 0);
	UNIT_EQ_INT(seccomp_bpf_install(&f), 0);
	seccomp_bpf_free(&f);
	UNIT_EQ_INT(mkdir(dir, 0755), -1);
	UNIT_EQ_INT(errno, ENOSPC);
	UNIT_EQ_INT(chmod(bundle, 0777), -1);
	UNIT_EQ_INT(errno, EPERM);
	UNIT_EQ_INT(chmod(bundle, 0750), 0);
	spec_free(s);
}

UNIT_CASE(compile_kill_process_default)
{
	struct seccomp_bpf f;
	const struct spec_seccomp *sc = parse_ok(CFG(
		"{'defaultAction': 'SCMP_ACT_KILL_PROCESS',"
		" 'architectures': ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86',"
		"  'SCMP_ARCH_X32', 'SCMP_ARCH_AARCH64', 'SCMP_ARCH_ARM'],"
		" 'syscalls': [{'names': ['read', 'write', 'socketcall'],"
		"  'action': 'SCMP_ACT_ALLOW'}]}"));

	UNIT_EQ_INT(seccomp_bpf_compile(sc, &f, &e), 0);
	UNIT_ASSERT(f.len > 10);
	seccomp_bpf_free(&f);
	UNIT_NULL(f.insns);
	spec_free(s);
}

UNIT_CASE(features_object)
{
	cJSON *lin = cJSON_CreateObject(), *o;
	char *text;

	UNIT_EQ_INT(seccomp_bpf_features(lin, &e), 0);
	o = cJSON_GetObjectItemCaseSensitive(lin, "seccomp");
	UNIT_NOT_NULL(o);
	UNIT_ASSERT(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o,
								  "enabled")));
	text = cJSON_PrintUnformatted(
		cJSON_GetObjectItemCaseSensitive(o, "knownFlags"));
	UNIT_EQ_STR(text, "[\"SECCOMP_FILTER_FLAG_TSYNC\","
		    "\"SECCOMP_FILTER_FLAG_LOG\","
		    "\"SECCOMP_FILTER_FLAG_SPEC_ALLOW\"]");
	free(text);
	/* A 6.x kernel has all three. */
	text = cJSON_PrintUnformatted(
		cJSON_GetObjectItemCaseSensitive(o, "supportedFlags"));
	UNIT_EQ_STR(text, "[\"SECCOMP_FILTER_FLAG_TSYNC\","
		    "\"SECCOMP_FILTER_FLAG_LOG\","
		    "\"SECCOMP_FILTER_FLAG_SPEC_ALLOW\"]");
	free(text);
	text = cJSON_PrintUnformatted(
		cJSON_GetObjectItemCaseSensitive(o, "operators"));
	UNIT_EQ_STR(text, "[\"SCMP_CMP_NE\",\"SCMP_CMP_LT\",\"SCMP_CMP_LE\","
		    "\"SCMP_CMP_EQ\",\"SCMP_CMP_GE\",\"SCMP_CMP_GT\","
		    "\"SCMP_CMP_MASKED_EQ\"]");
	free(text);
	UNIT_EQ_INT(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(o,
		    "actions")), 8);
	/* The spec's archs libseccomp 2.5 lacks are not claimed. */
	UNIT_EQ_INT(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(o,
		    "archs")), 19);
	cJSON_Delete(lin);
}
