/* spec_test.c - unit tests of core/spec.c and core/caps.c: config.json
 * into struct spec, and the exact error for each thing refused. */
#include <errno.h>
#include <sched.h>
#include <stdint.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include "caps.h"
#include "spec.h"
#include "spec_resources.h"
#include "sys.h"
#include "unit.h"

/*
 * A valid config with room for more: TOP, PROC and LINUX are spliced into
 * the top object, process and linux (each starts with a comma).
 */
#define CFG(top, proc, lin)						\
	"{'ociVersion': '1.2.0', 'root': {'path': 'rootfs'},"		\
	" 'process': {'args': ['sh'], 'cwd': '/'" proc "},"		\
	" 'linux': {'namespaces': [{'type': 'mount'}]" lin "}" top "}"

static struct spec *s;
static struct err e;
static char bundle[128];

static const char *make_bundle(void)
{
	char path[192];

	if (bundle[0])
		return bundle;
	snprintf(bundle, sizeof(bundle), "%s/bundle", unit_tmpdir());
	snprintf(path, sizeof(path), "%s/rootfs", bundle);
	UNIT_EQ_INT(mkdir(bundle, 0755), 0);
	UNIT_EQ_INT(mkdir(path, 0755), 0);
	return bundle;
}

/* Parse text (' for ") as BUNDLE/config.json into s. */
static int parse(const char *text)
{
	const char *t = unit_json(text);

	make_bundle();
	s = NULL;
	memset(&e, 0, sizeof(e));
	return spec_parse(t, strlen(t), "config.json", bundle, &s, &e);
}

static void parse_ok(const char *text)
{
	if (parse(text) < 0)
		unit_fail(__FILE__, __LINE__, "spec_parse: %s", e.msg);
	UNIT_NOT_NULL(s);
}

#define EXPECT_ERRNO(text, no, want)					\
	do {								\
		UNIT_EQ_INT(parse(text), -(no));			\
		UNIT_NULL(s);						\
		UNIT_EQ_STR(e.msg, want);				\
	} while (0)
#define EXPECT_ERROR(text, want) EXPECT_ERRNO(text, EINVAL, want)

/* The bundle path put in front of fmt's expansion. */
static const char *with_bundle(const char *fmt)
{
	static char buf[512];

	snprintf(buf, sizeof(buf), fmt, make_bundle());
	return buf;
}

static void write_config(const char *text)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/config.json", make_bundle());
	f = fopen(path, "w");
	UNIT_NOT_NULL(f);
	fputs(text, f);
	UNIT_EQ_INT(fclose(f), 0);
}

/* The minimum */

UNIT_CASE(minimal)
{
	parse_ok(CFG("", "", ""));
	UNIT_EQ_STR(s->oci_version, "1.2.0");
	UNIT_EQ_STR(s->bundle, bundle);
	UNIT_EQ_STR(s->root_path, with_bundle("%s/rootfs"));
	UNIT_EQ_INT(s->root_readonly, 0);
	UNIT_NULL(s->hostname);
	UNIT_NULL(s->domainname);
	UNIT_EQ_INT(s->process.terminal, 0);
	UNIT_EQ_STR(s->process.args[0], "sh");
	UNIT_NULL(s->process.args[1]);
	UNIT_NOT_NULL(s->process.env);
	UNIT_NULL(s->process.env[0]);
	UNIT_EQ_STR(s->process.cwd, "/");
	UNIT_EQ_INT(s->process.user.uid, 0);
	UNIT_EQ_INT(s->process.user.gid, 0);
	UNIT_EQ_INT(s->process.user.n_additional_gids, 0);
	UNIT_EQ_INT(s->process.user.umask, -1);
	UNIT_EQ_INT(s->process.caps.present, 0);
	UNIT_EQ_INT(s->process.n_rlimits, 0);
	UNIT_EQ_INT(s->process.no_new_privileges, 0);
	UNIT_EQ_INT(s->process.has_oom_score_adj, 0);
	UNIT_EQ_INT(s->n_mounts, 0);
	UNIT_EQ_INT(s->ns[SPEC_NS_MNT].present, 1);
	UNIT_NULL(s->ns[SPEC_NS_MNT].path);
	UNIT_EQ_INT(s->ns[SPEC_NS_PID].present, 0);
	UNIT_NOT_NULL(s->masked_paths);
	UNIT_NULL(s->masked_paths[0]);
	UNIT_NOT_NULL(s->readonly_paths);
	UNIT_NULL(s->readonly_paths[0]);
	UNIT_EQ_INT(s->rootfs_propagation, 0);
	UNIT_EQ_INT(s->n_annotations, 0);
	spec_free(s);
}

UNIT_CASE(no_linux_section)
{
	parse_ok("{'ociVersion': '1.0.0', 'root': {'path': 'rootfs'},"
		 " 'process': {'args': ['true'], 'cwd': '/'}}");
	UNIT_EQ_INT(s->ns[SPEC_NS_MNT].present, 0);
	UNIT_NOT_NULL(s->masked_paths);
	UNIT_NOT_NULL(s->readonly_paths);
	spec_free(s);
}

UNIT_CASE(free_null)
{
	spec_free(NULL);
}

UNIT_CASE(not_an_object)
{
	EXPECT_ERROR("['ociVersion']", "config.json: expected object");
}

UNIT_CASE(invalid_json)
{
	EXPECT_ERROR("{\n 'ociVersion': '1.2.0',\n 'root': {'path' 'x'}\n}",
		     "config.json: invalid JSON at line 3, column 18");
}

UNIT_CASE(duplicated_key)
{
	EXPECT_ERROR(CFG("", ", 'cwd': '/tmp'", ""),
		     "config.json: process.cwd: duplicated key");
}

UNIT_CASE(relative_bundle)
{
	const char *t = "{}";

	s = NULL;
	UNIT_EQ_INT(spec_parse(t, 2, "config.json", "b", &s, &e), -EINVAL);
	UNIT_EQ_STR(e.msg, "bundle b: not an absolute path");
	UNIT_NULL(s);
}

/* ociVersion, root */

UNIT_CASE(oci_version_missing)
{
	EXPECT_ERROR("{'root': {'path': 'rootfs'}}",
		     "config.json: ociVersion: missing");
}

UNIT_CASE(oci_version_not_string)
{
	EXPECT_ERROR("{'ociVersion': 1.2}",
		     "config.json: ociVersion: expected string");
}

UNIT_CASE(root_missing)
{
	EXPECT_ERROR("{'ociVersion': '1.2.0', 'process': {}}",
		     "config.json: root: missing");
}

UNIT_CASE(root_path_missing)
{
	EXPECT_ERROR("{'ociVersion': '1.2.0', 'root': {'readonly': true}}",
		     "config.json: root.path: missing");
}

UNIT_CASE(root_path_empty)
{
	EXPECT_ERROR("{'ociVersion': '1.2.0', 'root': {'path': ''}}",
		     "config.json: root.path: must not be empty");
}

UNIT_CASE(rootfs_does_not_exist)
{
	EXPECT_ERRNO("{'ociVersion': '1.2.0', 'root': {'path': 'nope'},"
		     " 'process': {'args': ['sh'], 'cwd': '/'}}", ENOENT, with_bundle("config.json: root.path: %s/nope: "
				 "No such file or directory"));
}

/* The config's own mistakes come first: a missing rootfs is the disk's. */
UNIT_CASE(key_error_before_missing_rootfs)
{
	EXPECT_ERROR("{'ociVersion': '1.2.0', 'root': {'path': 'nope'},"
		     " 'process': {'args': ['sh', 1], 'cwd': '/'}}",
		     "config.json: process.args[1]: expected string");
}

UNIT_CASE(rootfs_not_a_directory)
{
	write_config("{}");
	EXPECT_ERRNO("{'ociVersion': '1.2.0',"
		     " 'root': {'path': 'config.json'},"
		     " 'process': {'args': ['sh'], 'cwd': '/'}}", ENOTDIR,
		     with_bundle("config.json: root.path: %s/config.json: "
				 "Not a directory"));
}

UNIT_CASE(root_path_cleaned)
{
	parse_ok("{'ociVersion': '1.2.0', 'root': {'path': './x/../rootfs/',"
		 " 'readonly': true},"
		 " 'process': {'args': ['sh'], 'cwd': '/'}}");
	UNIT_EQ_STR(s->root_path, with_bundle("%s/rootfs"));
	UNIT_EQ_INT(s->root_readonly, 1);
	spec_free(s);
}

UNIT_CASE(root_path_absolute)
{
	char text[512];

	snprintf(text, sizeof(text), "{'ociVersion': '1.2.0',"
		 " 'root': {'path': '%s//rootfs'},"
		 " 'process': {'args': ['sh'], 'cwd': '/'}}", make_bundle());
	parse_ok(text);
	UNIT_EQ_STR(s->root_path, with_bundle("%s/rootfs"));
	spec_free(s);
}

UNIT_CASE(root_readonly_not_bool)
{
	EXPECT_ERROR("{'ociVersion': '1.2.0',"
		     " 'root': {'path': 'rootfs', 'readonly': 'yes'}}",
		     "config.json: root.readonly: expected boolean");
}

/* process */

UNIT_CASE(process_missing)
{
	EXPECT_ERROR("{'ociVersion': '1.2.0', 'root': {'path': 'rootfs'}}",
		     "config.json: process: missing");
}

UNIT_CASE(process_not_object)
{
	EXPECT_ERROR("{'ociVersion': '1.2.0', 'root': {'path': 'rootfs'},"
		     " 'process': ['sh']}",
		     "config.json: process: expected object");
}

UNIT_CASE(args_missing)
{
	EXPECT_ERROR("{'ociVersion': '1.2.0', 'root': {'path': 'rootfs'},"
		     " 'process': {'cwd': '/'}}",
		     "config.json: process.args: missing");
}

UNIT_CASE(args_empty)
{
	EXPECT_ERROR("{'ociVersion': '1.2.0', 'root': {'path': 'rootfs'},"
		     " 'process': {'args': [], 'cwd': '/'}}",
		     "config.json: process.args: must not be empty");
}

UNIT_CASE(args_not_array)
{
	EXPECT_ERROR("{'ociVersion': '1.2.0', 'root': {'path': 'rootfs'},"
		     " 'process': {'args': 'sh', 'cwd': '/'}}",
		     "config.json: process.args: expected array of strings");
}

UNIT_CASE(args_element_not_string)
{
	EXPECT_ERROR("{'ociVersion': '1.2.0', 'root': {'path': 'rootfs'},"
		     " 'process': {'args': ['sh', 1], 'cwd': '/'}}",
		     "config.json: process.args[1]: expected string");
}

UNIT_CASE(env)
{
	parse_ok(CFG("", ", 'env': ['PATH=/bin', 'EMPTY=', 'A=b=c']", ""));
	UNIT_EQ_STR(s->process.env[0], "PATH=/bin");
	UNIT_EQ_STR(s->process.env[1], "EMPTY=");
	UNIT_EQ_STR(s->process.env[2], "A=b=c");
	UNIT_NULL(s->process.env[3]);
	spec_free(s);
}

UNIT_CASE(env_without_equals)
{
	EXPECT_ERROR(CFG("", ", 'env': ['PATH=/bin', 'FOO']", ""),
		     "config.json: process.env[1]: FOO: expected NAME=VALUE");
}

UNIT_CASE(env_element_not_string)
{
	EXPECT_ERROR(CFG("", ", 'env': [{}]", ""),
		     "config.json: process.env[0]: expected string");
}

UNIT_CASE(cwd_missing)
{
	EXPECT_ERROR("{'ociVersion': '1.2.0', 'root': {'path': 'rootfs'},"
		     " 'process': {'args': ['sh']}}",
		     "config.json: process.cwd: missing");
}

UNIT_CASE(cwd_relative)
{
	EXPECT_ERROR("{'ociVersion': '1.2.0', 'root': {'path': 'rootfs'},"
		     " 'process': {'args': ['sh'], 'cwd': 'tmp'}}",
		     "config.json: process.cwd: tmp: not an absolute path");
}

UNIT_CASE(terminal_console_size)
{
	parse_ok(CFG("", ", 'consoleSize': {'width': 80, 'height': 24},"
		     " 'terminal': true", ""));
	UNIT_EQ_INT(s->process.terminal, 1);
	UNIT_EQ_INT(s->process.console_height, 24);
	UNIT_EQ_INT(s->process.console_width, 80);
	spec_free(s);
}

UNIT_CASE(terminal_without_console_size)
{
	parse_ok(CFG("", ", 'terminal': true", ""));
	UNIT_EQ_INT(s->process.terminal, 1);
	UNIT_EQ_INT(s->process.console_height, 0);
	UNIT_EQ_INT(s->process.console_width, 0);
	spec_free(s);
}

UNIT_CASE(terminal_false_console_size_ignored)
{
	parse_ok(CFG("", ", 'terminal': false,"
		     " 'consoleSize': {'height': 24, 'width': 80}", ""));
	UNIT_EQ_INT(s->process.terminal, 0);
	UNIT_EQ_INT(s->process.console_height, 0);
	spec_free(s);
}

UNIT_CASE(console_size_width_missing)
{
	EXPECT_ERROR(CFG("", ", 'terminal': true,"
			 " 'consoleSize': {'height': 24}", ""),
		     "config.json: process.consoleSize.width: missing");
}

UNIT_CASE(console_size_too_large)
{
	EXPECT_ERROR(CFG("", ", 'terminal': true,"
			 " 'consoleSize': {'height': 65536, 'width': 80}", ""),
		     "config.json: process.consoleSize.height: 65536: "
		     "out of range (0..65535)");
}

UNIT_CASE(user)
{
	parse_ok(CFG("", ", 'user': {'uid': 1000, 'gid': 100, 'umask': 18,"
		     " 'additionalGids': [5, 4294967294]}", ""));
	UNIT_EQ_INT(s->process.user.uid, 1000);
	UNIT_EQ_INT(s->process.user.gid, 100);
	UNIT_EQ_INT(s->process.user.umask, 022);
	UNIT_EQ_INT(s->process.user.n_additional_gids, 2);
	UNIT_EQ_INT(s->process.user.additional_gids[0], 5);
	UNIT_EQ_UINT(s->process.user.additional_gids[1], 4294967294u);
	spec_free(s);
}

UNIT_CASE(user_uid_minus_one_refused)
{
	EXPECT_ERROR(CFG("", ", 'user': {'uid': 4294967295, 'gid': 0}", ""),
		     "config.json: process.user.uid: 4294967295: out of range"
		     " (0..4294967294)");
}

UNIT_CASE(user_gid_negative)
{
	EXPECT_ERROR(CFG("", ", 'user': {'uid': 0, 'gid': -5}", ""),
		     "config.json: process.user.gid: -5: out of range"
		     " (0..4294967294)");
}

UNIT_CASE(user_umask_range)
{
	EXPECT_ERROR(CFG("", ", 'user': {'umask': 512}", ""),
		     "config.json: process.user.umask: 512: out of range"
		     " (0..511)");
}

UNIT_CASE(user_additional_gid_not_integer)
{
	EXPECT_ERROR(CFG("", ", 'user': {'additionalGids': [1, 'wheel']}",
			 ""),
		     "config.json: process.user.additionalGids[1]: "
		     "expected integer");
}

UNIT_CASE(user_not_object)
{
	EXPECT_ERROR(CFG("", ", 'user': 0", ""),
		     "config.json: process.user: expected object");
}

UNIT_CASE(capabilities)
{
	parse_ok(CFG("", ", 'capabilities': {"
		     "'bounding': ['CAP_CHOWN', 'CAP_KILL', 'CAP_SYS_ADMIN',"
		     " 'CAP_CHECKPOINT_RESTORE'],"
		     " 'effective': ['CAP_KILL'], 'permitted': ['CAP_KILL'],"
		     " 'inheritable': [], 'ambient': ['CAP_NET_RAW']}", ""));
	UNIT_EQ_INT(s->process.caps.present, 1);
	UNIT_EQ_UINT(s->process.caps.bounding,
		     1ULL << 0 | 1ULL << 5 | 1ULL << 21 | 1ULL << 40);
	UNIT_EQ_UINT(s->process.caps.effective, 1ULL << 5);
	UNIT_EQ_UINT(s->process.caps.permitted, 1ULL << 5);
	UNIT_EQ_UINT(s->process.caps.inheritable, 0);
	UNIT_EQ_UINT(s->process.caps.ambient, 1ULL << 13);
	spec_free(s);
}

UNIT_CASE(capabilities_empty_object_is_present)
{
	parse_ok(CFG("", ", 'capabilities': {}", ""));
	UNIT_EQ_INT(s->process.caps.present, 1);
	UNIT_EQ_UINT(s->process.caps.bounding, 0);
	spec_free(s);
}

UNIT_CASE(capability_unknown)
{
	EXPECT_ERROR(CFG("", ", 'capabilities': {'bounding': ['CAP_KILL'],"
			 " 'effective': ['CAP_KILL', 'CAP_FOO']}", ""),
		     "config.json: process.capabilities.effective[1]: "
		     "CAP_FOO: unknown capability");
}

UNIT_CASE(capability_lower_case_unknown)
{
	EXPECT_ERROR(CFG("", ", 'capabilities': {'ambient': ['cap_kill']}",
			 ""),
		     "config.json: process.capabilities.ambient[0]: "
		     "cap_kill: unknown capability");
}

UNIT_CASE(capability_set_not_array)
{
	EXPECT_ERROR(CFG("", ", 'capabilities': {'permitted': 'CAP_KILL'}",
			 ""),
		     "config.json: process.capabilities.permitted: "
		     "expected array");
}

UNIT_CASE(rlimits)
{
	parse_ok(CFG("", ", 'rlimits': ["
		     "{'type': 'RLIMIT_NOFILE', 'hard': 1024, 'soft': 512},"
		     " {'type': 'RLIMIT_CORE', 'soft': 18446744073709551615,"
		     " 'hard': 18446744073709551615}]", ""));
	UNIT_EQ_INT(s->process.n_rlimits, 2);
	UNIT_EQ_INT(s->process.rlimits[0].resource, RLIMIT_NOFILE);
	UNIT_EQ_UINT(s->process.rlimits[0].soft, 512);
	UNIT_EQ_UINT(s->process.rlimits[0].hard, 1024);
	UNIT_EQ_INT(s->process.rlimits[1].resource, RLIMIT_CORE);
	UNIT_EQ_UINT(s->process.rlimits[1].soft, UINT64_MAX);
	UNIT_EQ_UINT(s->process.rlimits[1].hard, UINT64_MAX);
	spec_free(s);
}

UNIT_CASE(rlimit_unknown_type)
{
	EXPECT_ERROR(CFG("", ", 'rlimits': [{'type': 'RLIMIT_FOO',"
			 " 'soft': 1, 'hard': 1}]", ""),
		     "config.json: process.rlimits[0].type: RLIMIT_FOO: "
		     "unknown rlimit");
}

UNIT_CASE(rlimit_duplicated)
{
	EXPECT_ERROR(CFG("", ", 'rlimits': ["
			 "{'type': 'RLIMIT_NPROC', 'soft': 1, 'hard': 1},"
			 " {'type': 'RLIMIT_NPROC', 'soft': 2, 'hard': 2}]",
			 ""),
		     "config.json: process.rlimits[1].type: RLIMIT_NPROC: "
		     "duplicated");
}

UNIT_CASE(rlimit_soft_above_hard)
{
	EXPECT_ERROR(CFG("", ", 'rlimits': [{'type': 'RLIMIT_NOFILE',"
			 " 'soft': 2048, 'hard': 1024}]", ""),
		     "config.json: process.rlimits[0]: soft limit 2048 above "
		     "hard limit 1024");
}

UNIT_CASE(rlimit_missing_soft)
{
	EXPECT_ERROR(CFG("", ", 'rlimits': [{'type': 'RLIMIT_NOFILE',"
			 " 'hard': 1024}]", ""),
		     "config.json: process.rlimits[0].soft: missing");
}

UNIT_CASE(rlimit_not_object)
{
	EXPECT_ERROR(CFG("", ", 'rlimits': ['RLIMIT_NOFILE']", ""),
		     "config.json: process.rlimits[0]: expected object");
}

UNIT_CASE(rlimit_negative)
{
	EXPECT_ERROR(CFG("", ", 'rlimits': [{'type': 'RLIMIT_NOFILE',"
			 " 'soft': -1, 'hard': 1024}]", ""),
		     "config.json: process.rlimits[0].soft: -1: out of range "
		     "(0..18446744073709551615)");
}

UNIT_CASE(no_new_privileges_and_oom)
{
	parse_ok(CFG("", ", 'noNewPrivileges': true, 'oomScoreAdj': -999",
		     ""));
	UNIT_EQ_INT(s->process.no_new_privileges, 1);
	UNIT_EQ_INT(s->process.has_oom_score_adj, 1);
	UNIT_EQ_INT(s->process.oom_score_adj, -999);
	spec_free(s);
}

UNIT_CASE(oom_score_adj_zero_is_set)
{
	parse_ok(CFG("", ", 'oomScoreAdj': 0", ""));
	UNIT_EQ_INT(s->process.has_oom_score_adj, 1);
	UNIT_EQ_INT(s->process.oom_score_adj, 0);
	spec_free(s);
}

UNIT_CASE(oom_score_adj_out_of_range)
{
	EXPECT_ERROR(CFG("", ", 'oomScoreAdj': 1001", ""),
		     "config.json: process.oomScoreAdj: 1001: out of range "
		     "(-1000..1000)");
}

UNIT_CASE(no_new_privileges_not_bool)
{
	EXPECT_ERROR(CFG("", ", 'noNewPrivileges': 1", ""),
		     "config.json: process.noNewPrivileges: expected boolean");
}

UNIT_CASE(empty_labels_accepted)
{
	parse_ok(CFG("", ", 'apparmorProfile': '', 'selinuxLabel': ''",
		     ", 'mountLabel': ''"));
	spec_free(s);
}

UNIT_CASE(apparmor_not_supported)
{
	EXPECT_ERROR(CFG("", ", 'apparmorProfile': 'docker-default'", ""),
		     "config.json: process.apparmorProfile: not supported");
}

UNIT_CASE(selinux_label_not_supported)
{
	EXPECT_ERROR(CFG("", ", 'selinuxLabel': 'system_u:system_r:t:s0'",
			 ""),
		     "config.json: process.selinuxLabel: not supported");
}

UNIT_CASE(io_priority_not_supported)
{
	EXPECT_ERROR(CFG("", ", 'ioPriority': {'class': 'IOPRIO_CLASS_RT',"
			 " 'priority': 1}", ""),
		     "config.json: process.ioPriority: not supported");
}

UNIT_CASE(scheduler_not_supported)
{
	EXPECT_ERROR(CFG("", ", 'scheduler': {'policy': 'SCHED_FIFO'}", ""),
		     "config.json: process.scheduler: not supported");
}

UNIT_CASE(exec_cpu_affinity_not_supported)
{
	EXPECT_ERROR(CFG("", ", 'execCPUAffinity': {'initial': '0'}", ""),
		     "config.json: process.execCPUAffinity: not supported");
}

/* hostname, domainname */

UNIT_CASE(hostname_domainname)
{
	parse_ok(CFG(", 'hostname': 'box', 'domainname': 'example.org'", "",
		     ""));
	UNIT_EQ_STR(s->hostname, "box");
	UNIT_EQ_STR(s->domainname, "example.org");
	spec_free(s);
}

UNIT_CASE(hostname_empty_is_unset)
{
	parse_ok(CFG(", 'hostname': ''", "", ""));
	UNIT_NULL(s->hostname);
	spec_free(s);
}

UNIT_CASE(hostname_too_long)
{
	EXPECT_ERROR(CFG(", 'hostname': '"
			 "0123456789012345678901234567890123456789"
			 "01234567890123456789012345'", "", ""),
		     "config.json: hostname: longer than 64 bytes");
}

UNIT_CASE(hostname_not_string)
{
	EXPECT_ERROR(CFG(", 'hostname': ['a']", "", ""),
		     "config.json: hostname: expected string");
}

/* mounts */

UNIT_CASE(mounts_runc_defaults)
{
	parse_ok(CFG(", 'mounts': ["
		     "{'destination': '/proc', 'type': 'proc',"
		     " 'source': 'proc'},"
		     " {'destination': '/dev', 'type': 'tmpfs',"
		     " 'source': 'tmpfs', 'options': ['nosuid', 'strictatime',"
		     " 'mode=755', 'size=65536k']},"
		     " {'destination': '/dev/pts', 'type': 'devpts',"
		     " 'source': 'devpts', 'options': ['nosuid', 'noexec',"
		     " 'newinstance', 'ptmxmode=0666', 'mode=0620', 'gid=5']},"
		     " {'destination': '/sys/fs/cgroup', 'type': 'cgroup',"
		     " 'source': 'cgroup', 'options': ['nosuid', 'noexec',"
		     " 'nodev', 'relatime', 'ro']}]", "", ""));
	UNIT_EQ_INT(s->n_mounts, 4);
	UNIT_EQ_STR(s->mounts[0].dest, "/proc");
	UNIT_EQ_STR(s->mounts[0].type, "proc");
	UNIT_EQ_STR(s->mounts[0].source, "proc");
	UNIT_EQ_UINT(s->mounts[0].flags, 0);
	UNIT_EQ_UINT(s->mounts[0].clear, 0);
	UNIT_NULL(s->mounts[0].data);
	UNIT_EQ_STR(s->mounts[1].type, "tmpfs");
	UNIT_EQ_UINT(s->mounts[1].flags, MS_NOSUID | MS_STRICTATIME);
	UNIT_EQ_STR(s->mounts[1].data, "mode=755,size=65536k");
	UNIT_EQ_UINT(s->mounts[2].flags, MS_NOSUID | MS_NOEXEC);
	UNIT_EQ_STR(s->mounts[2].data,
		    "newinstance,ptmxmode=0666,mode=0620,gid=5");
	UNIT_EQ_UINT(s->mounts[3].flags, MS_NOSUID | MS_NOEXEC | MS_NODEV |
		     MS_RELATIME | MS_RDONLY);
	UNIT_NULL(s->mounts[3].data);
	UNIT_EQ_UINT(s->mounts[3].propagation, 0);
	spec_free(s);
}

UNIT_CASE(mount_clear_flags)
{
	parse_ok(CFG(", 'mounts': [{'destination': '/a', 'type': 'tmpfs',"
		     " 'options': ['ro', 'rw', 'suid', 'dev', 'exec', 'async',"
		     " 'atime', 'diratime', 'norelatime', 'nostrictatime',"
		     " 'nomand']}]", "", ""));
	UNIT_EQ_UINT(s->mounts[0].flags, 0);
	UNIT_EQ_UINT(s->mounts[0].clear, MS_RDONLY | MS_NOSUID | MS_NODEV |
		     MS_NOEXEC | MS_SYNCHRONOUS | MS_NOATIME | MS_NODIRATIME |
		     MS_RELATIME | MS_STRICTATIME | MS_MANDLOCK);
	UNIT_NULL(s->mounts[0].source);
	spec_free(s);
}

UNIT_CASE(mount_later_option_wins)
{
	parse_ok(CFG(", 'mounts': [{'destination': '/a', 'type': 'tmpfs',"
		     " 'options': ['rw', 'nosuid', 'ro', 'sync', 'dirsync',"
		     " 'noatime', 'nodiratime', 'mand', 'defaults']}]",
		     "", ""));
	UNIT_EQ_UINT(s->mounts[0].flags, MS_NOSUID | MS_RDONLY |
		     MS_SYNCHRONOUS | MS_DIRSYNC | MS_NOATIME | MS_NODIRATIME |
		     MS_MANDLOCK);
	UNIT_EQ_UINT(s->mounts[0].clear, 0);
	spec_free(s);
}

UNIT_CASE(mount_propagation_options)
{
	parse_ok(CFG(", 'mounts': ["
		     "{'destination': '/a', 'type': 'tmpfs',"
		     " 'options': ['rslave']},"
		     " {'destination': '/b', 'type': 'tmpfs',"
		     " 'options': ['shared', 'private']},"
		     " {'destination': '/c', 'type': 'tmpfs',"
		     " 'options': ['runbindable']}]", "", ""));
	UNIT_EQ_UINT(s->mounts[0].propagation, MS_SLAVE | MS_REC);
	UNIT_EQ_UINT(s->mounts[0].flags, 0);
	UNIT_EQ_UINT(s->mounts[1].propagation, MS_PRIVATE);
	UNIT_EQ_UINT(s->mounts[2].propagation, MS_UNBINDABLE | MS_REC);
	spec_free(s);
}

UNIT_CASE(mount_remount_refused)
{
	EXPECT_ERROR(CFG(", 'mounts': [{'destination': '/a', 'type': 'tmpfs',"
			 " 'options': ['ro', 'remount']}]", "", ""),
		     "config.json: mounts[0].options[1]: remount: "
		     "not supported");
}

UNIT_CASE(mount_recursive_ro_refused)
{
	EXPECT_ERROR(CFG(", 'mounts': [{'destination': '/a', 'type': 'bind',"
			 " 'source': '/x', 'options': ['rbind', 'rro']}]", "",
			 ""),
		     "config.json: mounts[0].options[1]: rro: not supported");
}

UNIT_CASE(mount_option_not_string)
{
	EXPECT_ERROR(CFG(", 'mounts': [{'destination': '/a', 'type': 'tmpfs',"
			 " 'options': [true]}]", "", ""),
		     "config.json: mounts[0].options[0]: expected string");
}

UNIT_CASE(mount_destination_relative)
{
	EXPECT_ERROR(CFG(", 'mounts': [{'destination': '/proc',"
			 " 'type': 'proc'}, {'destination': 'sys',"
			 " 'type': 'sysfs'}]", "", ""),
		     "config.json: mounts[1].destination: sys: "
		     "not an absolute path");
}

UNIT_CASE(mount_destination_missing)
{
	EXPECT_ERROR(CFG(", 'mounts': [{'type': 'proc', 'source': 'proc'}]",
			 "", ""),
		     "config.json: mounts[0].destination: missing");
}

UNIT_CASE(mount_type_unsupported)
{
	EXPECT_ERROR(CFG(", 'mounts': [{'destination': '/a',"
			 " 'type': 'overlay', 'source': 'overlay'}]", "", ""),
		     "config.json: mounts[0].type: overlay: not supported");
}

UNIT_CASE(mount_type_missing)
{
	EXPECT_ERROR(CFG(", 'mounts': [{'destination': '/a',"
			 " 'source': 'tmpfs'}]", "", ""),
		     "config.json: mounts[0].type: missing");
}

UNIT_CASE(mount_types_supported)
{
	parse_ok(CFG(", 'mounts': ["
		     "{'destination': '/a', 'type': 'proc'},"
		     " {'destination': '/b', 'type': 'sysfs'},"
		     " {'destination': '/c', 'type': 'tmpfs'},"
		     " {'destination': '/d', 'type': 'devpts'},"
		     " {'destination': '/e', 'type': 'mqueue'},"
		     " {'destination': '/f', 'type': 'cgroup'},"
		     " {'destination': '/g', 'type': 'cgroup2'}]", "", ""));
	UNIT_EQ_INT(s->n_mounts, 7);
	UNIT_EQ_STR(s->mounts[6].type, "cgroup2");
	spec_free(s);
}

UNIT_CASE(mount_not_object)
{
	EXPECT_ERROR(CFG(", 'mounts': ['/proc']", "", ""),
		     "config.json: mounts[0]: expected object");
}

UNIT_CASE(mount_bind_type)
{
	parse_ok(CFG(", 'mounts': [{'destination': '/data', 'type': 'bind',"
		     " 'source': '/srv/data', 'options': ['ro']}]", "", ""));
	UNIT_EQ_STR(s->mounts[0].type, "bind");
	UNIT_EQ_STR(s->mounts[0].source, "/srv/data");
	UNIT_EQ_UINT(s->mounts[0].flags, MS_BIND | MS_RDONLY);
	UNIT_NULL(s->mounts[0].data);
	spec_free(s);
}

UNIT_CASE(mount_rbind_option_makes_bind)
{
	parse_ok(CFG(", 'mounts': [{'destination': '/sys', 'type': 'none',"
		     " 'source': '/sys', 'options': ['rbind', 'nosuid',"
		     " 'noexec', 'nodev', 'ro']}]", "", ""));
	UNIT_EQ_STR(s->mounts[0].type, "bind");
	UNIT_EQ_UINT(s->mounts[0].flags, MS_BIND | MS_REC | MS_NOSUID |
		     MS_NOEXEC | MS_NODEV | MS_RDONLY);
	spec_free(s);
}

UNIT_CASE(mount_bind_option_without_type)
{
	parse_ok(CFG(", 'mounts': [{'destination': '/x', 'source': '/y',"
		     " 'options': ['bind', 'rprivate']}]", "", ""));
	UNIT_EQ_STR(s->mounts[0].type, "bind");
	UNIT_EQ_UINT(s->mounts[0].flags, MS_BIND);
	UNIT_EQ_UINT(s->mounts[0].propagation, MS_PRIVATE | MS_REC);
	spec_free(s);
}

UNIT_CASE(mount_bind_relative_source)
{
	parse_ok(CFG(", 'mounts': [{'destination': '/a', 'type': 'bind',"
		     " 'source': 'data'}, {'destination': '/b',"
		     " 'type': 'bind', 'source': './x/../y/'}]", "", ""));
	UNIT_EQ_STR(s->mounts[0].source, with_bundle("%s/data"));
	UNIT_EQ_STR(s->mounts[1].source, with_bundle("%s/y"));
	spec_free(s);
}

UNIT_CASE(mount_bind_source_missing)
{
	EXPECT_ERROR(CFG(", 'mounts': [{'destination': '/a',"
			 " 'type': 'bind'}]", "", ""),
		     "config.json: mounts[0].source: missing");
}

UNIT_CASE(mount_non_bind_source_kept)
{
	parse_ok(CFG(", 'mounts': [{'destination': '/dev/shm',"
		     " 'type': 'tmpfs', 'source': 'shm'}]", "", ""));
	UNIT_EQ_STR(s->mounts[0].source, "shm");
	spec_free(s);
}

UNIT_CASE(mount_id_mappings_not_supported)
{
	EXPECT_ERROR(CFG(", 'mounts': [{'destination': '/a', 'type': 'bind',"
			 " 'source': '/b', 'uidMappings': [{'containerID': 0,"
			 " 'hostID': 1000, 'size': 1}]}]", "", ""),
		     "config.json: mounts[0].uidMappings: not supported");
}

/* linux */

UNIT_CASE(namespaces)
{
	parse_ok("{'ociVersion': '1.2.0', 'root': {'path': 'rootfs'},"
		 " 'process': {'args': ['sh'], 'cwd': '/'},"
		 " 'linux': {'namespaces': [{'type': 'pid', 'future': 1},"
		 " {'type': 'network', 'path': '/var/run/netns/x'},"
		 " {'type': 'mount'}, {'type': 'ipc', 'path': ''},"
		 " {'type': 'uts'}, {'type': 'cgroup'}]}}");
	UNIT_EQ_INT(s->ns[SPEC_NS_PID].present, 1);
	UNIT_EQ_INT(s->ns[SPEC_NS_NET].present, 1);
	UNIT_EQ_STR(s->ns[SPEC_NS_NET].path, "/var/run/netns/x");
	UNIT_EQ_INT(s->ns[SPEC_NS_MNT].present, 1);
	UNIT_EQ_INT(s->ns[SPEC_NS_IPC].present, 1);
	UNIT_NULL(s->ns[SPEC_NS_IPC].path);
	UNIT_EQ_INT(s->ns[SPEC_NS_UTS].present, 1);
	UNIT_EQ_INT(s->ns[SPEC_NS_CGROUP].present, 1);
	UNIT_EQ_INT(s->ns[SPEC_NS_USER].present, 0);
	UNIT_EQ_INT(s->ns[SPEC_NS_TIME].present, 0);
	spec_free(s);
}

UNIT_CASE(namespace_unknown)
{
	EXPECT_ERROR("{'ociVersion': '1.2.0', 'root': {'path': 'rootfs'},"
		     " 'process': {'args': ['sh'], 'cwd': '/'},"
		     " 'linux': {'namespaces': [{'type': 'pid'},"
		     " {'type': 'net'}]}}",
		     "config.json: linux.namespaces[1].type: net: "
		     "unknown namespace");
}

UNIT_CASE(namespace_duplicated)
{
	EXPECT_ERROR("{'ociVersion': '1.2.0', 'root': {'path': 'rootfs'},"
		     " 'process': {'args': ['sh'], 'cwd': '/'},"
		     " 'linux': {'namespaces': [{'type': 'pid'},"
		     " {'type': 'mount'}, {'type': 'pid',"
		     " 'path': '/proc/1/ns/pid'}]}}",
		     "config.json: linux.namespaces[2].type: pid: duplicated");
}

/* linux.uidMappings, gidMappings and the user namespace */

/* CFG with its own namespaces list. */
#define NSCFG(proc, ns, lin)						\
	"{'ociVersion': '1.2.0', 'root': {'path': 'rootfs'},"		\
	" 'process': {'args': ['sh'], 'cwd': '/'" proc "},"		\
	" 'linux': {'namespaces': " ns lin "}}"
#define USERNS(maps) NSCFG("", "[{'type': 'mount'}, {'type': 'user'}]", maps)
#define MAP0 "[{'containerID': 0, 'hostID': 100000, 'size': 65536}]"

UNIT_CASE(userns_mappings_parsed)
{
	parse_ok(USERNS(", 'uidMappings': " MAP0 ", 'gidMappings':"
			" [{'containerID': 0, 'hostID': 200000, 'size': 10},"
			" {'containerID': 10, 'hostID': 5, 'size': 1}]"));
	UNIT_EQ_INT(s->ns[SPEC_NS_USER].present, 1);
	UNIT_EQ_INT(s->n_uid_mappings, 1);
	UNIT_EQ_INT(s->uid_mappings[0].host_id, 100000);
	UNIT_EQ_INT(s->uid_mappings[0].size, 65536);
	UNIT_EQ_INT(s->n_gid_mappings, 2);
	UNIT_EQ_INT(s->gid_mappings[1].container_id, 10);
	UNIT_EQ_INT(s->gid_mappings[1].host_id, 5);
	spec_free(s);
}

UNIT_CASE(userns_without_mappings_refused)
{
	EXPECT_ERROR(USERNS(""), "config.json: linux.uidMappings: missing: "
		     "a new user namespace needs them");
	EXPECT_ERROR(USERNS(", 'uidMappings': " MAP0),
		     "config.json: linux.gidMappings: missing: "
		     "a new user namespace needs them");
}

UNIT_CASE(mappings_without_userns_refused)
{
	EXPECT_ERROR(CFG("", "", ", 'uidMappings': " MAP0),
		     "config.json: linux.uidMappings: needs a user namespace");
}

/* As runc wants them; they are the joined namespace's, never written. */
UNIT_CASE(mappings_with_userns_path_accepted)
{
	parse_ok(NSCFG("", "[{'type': 'mount'},"
		       " {'type': 'user', 'path': '/proc/1/ns/user'}]",
		       ", 'uidMappings': " MAP0 ", 'gidMappings': " MAP0));
	UNIT_EQ_STR(s->ns[SPEC_NS_USER].path, "/proc/1/ns/user");
	spec_free(s);
	parse_ok(NSCFG("", "[{'type': 'mount'},"
		       " {'type': 'user', 'path': '/proc/1/ns/user'}]", ""));
	spec_free(s);
}

UNIT_CASE(mapping_fields_checked)
{
	EXPECT_ERROR(USERNS(", 'uidMappings': [{'containerID': 0,"
			    " 'size': 1}], 'gidMappings': " MAP0),
		     "config.json: linux.uidMappings[0].hostID: missing");
	EXPECT_ERROR(USERNS(", 'uidMappings': [{'containerID': 0,"
			    " 'hostID': 1, 'size': 0}], 'gidMappings': " MAP0),
		     "config.json: linux.uidMappings[0].size: must not be 0");
	EXPECT_ERROR(USERNS(", 'uidMappings': [{'containerID': 4294967295,"
			    " 'hostID': 1, 'size': 2}], 'gidMappings': " MAP0),
		     "config.json: linux.uidMappings[0].size: "
		     "range beyond id 4294967295");
	EXPECT_ERROR(USERNS(", 'uidMappings': [{'containerID': -1,"
			    " 'hostID': 1, 'size': 2}], 'gidMappings': " MAP0),
		     "config.json: linux.uidMappings[0].containerID: "
		     "-1: out of range (0..4294967295)");
}

UNIT_CASE(process_user_must_be_mapped)
{
	EXPECT_ERROR(NSCFG(", 'user': {'uid': 70000, 'gid': 0}",
			   "[{'type': 'mount'}, {'type': 'user'}]",
			   ", 'uidMappings': [{'containerID': 0, 'hostID': 1000,"
			   " 'size': 1000}], 'gidMappings': " MAP0),
		     "config.json: linux.uidMappings: process.user.uid 70000 "
		     "is not mapped");
	EXPECT_ERROR(NSCFG(", 'user': {'uid': 0, 'gid': 0,"
			   " 'additionalGids': [70000]}",
			   "[{'type': 'mount'}, {'type': 'user'}]",
			   ", 'uidMappings': " MAP0 ", 'gidMappings':"
			   " [{'containerID': 0, 'hostID': 1000, 'size': 1000}]"),
		     "config.json: linux.gidMappings: process.user."
		     "additionalGids 70000 is not mapped");
}

/* linux.sysctl, devices, personality */

UNIT_CASE(sysctl_parsed)
{
	parse_ok(NSCFG("", "[{'type': 'mount'}, {'type': 'network'},"
		       " {'type': 'ipc'}]", ", 'sysctl':"
		       " {'net.ipv4.ip_forward': '1', 'kernel.shmmax': '4096'}"));
	UNIT_EQ_INT(s->n_sysctl, 2);
	UNIT_EQ_STR(s->sysctl[0].key, "net.ipv4.ip_forward");
	UNIT_EQ_STR(s->sysctl[1].value, "4096");
	spec_free(s);
}

UNIT_CASE(sysctl_outside_namespaces_refused)
{
	EXPECT_ERROR(CFG("", "", ", 'sysctl': {'kernel.panic': '1'}"),
		     "config.json: linux.sysctl.kernel.panic: not in a "
		     "namespace of the container's own");
	EXPECT_ERROR(CFG("", "", ", 'sysctl': {'net.ipv4.ip_forward': '1'}"),
		     "config.json: linux.sysctl.net.ipv4.ip_forward: needs a "
		     "net namespace");
	EXPECT_ERROR(NSCFG("", "[{'type': 'mount'}, {'type': 'network'}]",
			   ", 'sysctl': {'net.ipv4/../../kernel/panic': '1'}"),
		     "config.json: linux.sysctl.net.ipv4/../../kernel/panic: "
		     "not a sysctl name");
	EXPECT_ERROR(NSCFG("", "[{'type': 'mount'}, {'type': 'network'}]",
			   ", 'sysctl': {'net.core.somaxconn': 5}"),
		     "config.json: linux.sysctl.net.core.somaxconn: "
		     "expected string");
}

UNIT_CASE(devices_parsed)
{
	parse_ok(CFG("", "", ", 'devices': [{'path': '/dev/fuse', 'type':"
		     " 'c', 'major': 10, 'minor': 229, 'fileMode': 432,"
		     " 'uid': 5, 'gid': 6}, {'path': '/dev/p', 'type': 'p'}]"));
	UNIT_EQ_INT(s->n_devices, 2);
	UNIT_EQ_STR(s->devices[0].path, "/dev/fuse");
	UNIT_EQ_INT(s->devices[0].type, 'c');
	UNIT_EQ_INT(s->devices[0].major, 10);
	UNIT_EQ_INT(s->devices[0].minor, 229);
	UNIT_EQ_INT(s->devices[0].mode, 0660);
	UNIT_EQ_INT(s->devices[0].uid, 5);
	UNIT_EQ_INT(s->devices[1].type, 'p');
	UNIT_EQ_INT(s->devices[1].mode, 0666);
	spec_free(s);
}

UNIT_CASE(devices_checked)
{
	EXPECT_ERROR(CFG("", "", ", 'devices': [{'path': 'dev/x', 'type':"
			 " 'c', 'major': 1, 'minor': 3}]"),
		     "config.json: linux.devices[0].path: dev/x: "
		     "not an absolute path");
	EXPECT_ERROR(CFG("", "", ", 'devices': [{'path': '/dev/x', 'type':"
			 " 'x', 'major': 1, 'minor': 3}]"),
		     "config.json: linux.devices[0].type: x: not one of "
		     "c, b, u, p");
	EXPECT_ERROR(CFG("", "", ", 'devices': [{'path': '/dev/x', 'type':"
			 " 'b', 'minor': 3}]"),
		     "config.json: linux.devices[0].major: missing");
}

UNIT_CASE(personality_parsed)
{
	parse_ok(CFG("", "", ", 'personality': {'domain': 'LINUX32'}"));
	UNIT_EQ_INT(s->has_personality, 1);
	UNIT_EQ_INT(s->personality, 8);
	spec_free(s);
	EXPECT_ERROR(CFG("", "", ", 'personality': {'domain': 'SVR4'}"),
		     "config.json: linux.personality.domain: SVR4: not LINUX "
		     "or LINUX32");
	EXPECT_ERROR(CFG("", "", ", 'personality': {'domain': 'LINUX',"
			 " 'flags': ['x']}"),
		     "config.json: linux.personality.flags: not supported");
}

UNIT_CASE(namespace_time_not_supported)
{
	EXPECT_ERROR("{'ociVersion': '1.2.0', 'root': {'path': 'rootfs'},"
		     " 'process': {'args': ['sh'], 'cwd': '/'},"
		     " 'linux': {'namespaces': [{'type': 'time'}]}}",
		     "config.json: linux.namespaces[0].type: time: "
		     "not supported");
}

UNIT_CASE(namespace_relative_path)
{
	EXPECT_ERROR("{'ociVersion': '1.2.0', 'root': {'path': 'rootfs'},"
		     " 'process': {'args': ['sh'], 'cwd': '/'},"
		     " 'linux': {'namespaces': [{'type': 'network',"
		     " 'path': 'netns/x'}]}}",
		     "config.json: linux.namespaces[0].path: netns/x: "
		     "not an absolute path");
}

UNIT_CASE(namespace_type_missing)
{
	EXPECT_ERROR("{'ociVersion': '1.2.0', 'root': {'path': 'rootfs'},"
		     " 'process': {'args': ['sh'], 'cwd': '/'},"
		     " 'linux': {'namespaces': [{'path': '/x'}]}}",
		     "config.json: linux.namespaces[0].type: missing");
}

UNIT_CASE(masked_and_readonly_paths)
{
	parse_ok(CFG("", "", ", 'maskedPaths': ['/proc/kcore',"
		     " '/sys/firmware'], 'readonlyPaths': ['/proc/sys']"));
	UNIT_EQ_STR(s->masked_paths[0], "/proc/kcore");
	UNIT_EQ_STR(s->masked_paths[1], "/sys/firmware");
	UNIT_NULL(s->masked_paths[2]);
	UNIT_EQ_STR(s->readonly_paths[0], "/proc/sys");
	UNIT_NULL(s->readonly_paths[1]);
	spec_free(s);
}

UNIT_CASE(masked_path_relative)
{
	EXPECT_ERROR(CFG("", "", ", 'maskedPaths': ['/proc/acpi',"
			 " 'proc/kcore']"),
		     "config.json: linux.maskedPaths[1]: proc/kcore: "
		     "not an absolute path");
}

UNIT_CASE(readonly_path_not_string)
{
	EXPECT_ERROR(CFG("", "", ", 'readonlyPaths': [7]"),
		     "config.json: linux.readonlyPaths[0]: expected string");
}

UNIT_CASE(rootfs_propagation)
{
	parse_ok(CFG("", "", ", 'rootfsPropagation': 'rslave'"));
	UNIT_EQ_UINT(s->rootfs_propagation, MS_SLAVE | MS_REC);
	spec_free(s);
	parse_ok(CFG("", "", ", 'rootfsPropagation': 'private'"));
	UNIT_EQ_UINT(s->rootfs_propagation, MS_PRIVATE);
	spec_free(s);
	parse_ok(CFG("", "", ", 'rootfsPropagation': 'runbindable'"));
	UNIT_EQ_UINT(s->rootfs_propagation, MS_UNBINDABLE | MS_REC);
	spec_free(s);
}

UNIT_CASE(rootfs_propagation_unknown)
{
	EXPECT_ERROR(CFG("", "", ", 'rootfsPropagation': 'recursive'"),
		     "config.json: linux.rootfsPropagation: recursive: "
		     "unknown propagation");
}

UNIT_CASE(resources_and_cgroups_path_parsed)
{
	parse_ok(CFG("", "", ", 'resources': {'devices': [{'allow': false,"
		     " 'access': 'rwm'}]}, 'cgroupsPath': '/ocibox/c1'"));
	UNIT_EQ_STR(s->cgroups_path, "/ocibox/c1");
	UNIT_NOT_NULL(s->resources);
	UNIT_EQ_INT(s->resources->n_devices, 1);
	UNIT_EQ_INT(s->resources->devices[0].type, 'a');
	spec_free(s);
}

UNIT_CASE(cgroups_path_kept_as_given)
{
	parse_ok(CFG("", "", ", 'cgroupsPath': 'system.slice:ocibox:c1'"));
	UNIT_EQ_STR(s->cgroups_path, "system.slice:ocibox:c1");
	UNIT_NULL(s->resources);
	spec_free(s);
}

UNIT_CASE(empty_resources_are_none)
{
	parse_ok(CFG("", "", ", 'resources': {'devices': []},"
		     " 'cgroupsPath': ''"));
	UNIT_NULL(s->resources);
	UNIT_NULL(s->cgroups_path);
	spec_free(s);
}

UNIT_CASE(resources_error_names_the_path)
{
	EXPECT_ERROR(CFG("", "", ", 'resources': {'memory': {'limit': 'x'}}"),
		     "config.json: linux.resources.memory.limit: "
		     "expected integer");
}

UNIT_CASE(resources_not_object)
{
	EXPECT_ERROR(CFG("", "", ", 'resources': []"),
		     "config.json: linux.resources: expected object");
}

UNIT_CASE(linux_not_supported_keys)
{
	static const char *const keys[] = {
		"intelRdt", "timeOffsets", "memoryPolicy",
		"netDevices",
	};
	char text[512], want[128];
	size_t k;

	for (k = 0; k < sizeof(keys) / sizeof(keys[0]); k++) {
		snprintf(text, sizeof(text), CFG("", "", ", '%s': {'x': 1}"),
			 keys[k]);
		snprintf(want, sizeof(want),
			 "config.json: linux.%s: not supported", keys[k]);
		EXPECT_ERROR(text, want);
	}
}

/* The rest is spec_seccomp_test.c's. */
UNIT_CASE(linux_seccomp_parsed)
{
	parse_ok(CFG("", "", ", 'seccomp': {'defaultAction':"
		     " 'SCMP_ACT_ERRNO', 'syscalls': []}"));
	UNIT_NOT_NULL(s->seccomp);
	spec_free(s);
}

UNIT_CASE(linux_empty_unsupported_keys_accepted)
{
	parse_ok(CFG("", "", ", 'uidMappings': [], 'devices': [],"
		     " 'sysctl': {}, 'seccomp': null"));
	spec_free(s);
}

UNIT_CASE(mount_label_not_supported)
{
	EXPECT_ERROR(CFG("", "", ", 'mountLabel': 'system_u:object_r:t:s0'"),
		     "config.json: linux.mountLabel: not supported");
}

/* top-level keys */

UNIT_CASE(hooks_parsed)
{
	parse_ok(CFG(", 'hooks': {'prestart': [{'path': '/bin/true'}],"
		     " 'createRuntime': [{'path': '/a', 'args': ['a', 'x'],"
		     " 'env': ['K=V'], 'timeout': 3}, {'path': '/b'}],"
		     " 'poststop': [{'path': '/c'}]}", "", ""));
	UNIT_EQ_INT(s->hooks[SPEC_HOOK_PRESTART].n, 1);
	UNIT_EQ_INT(s->hooks[SPEC_HOOK_CREATE_RUNTIME].n, 2);
	UNIT_EQ_STR(s->hooks[SPEC_HOOK_CREATE_RUNTIME].hooks[0].args[1], "x");
	UNIT_EQ_STR(s->hooks[SPEC_HOOK_CREATE_RUNTIME].hooks[0].env[0], "K=V");
	UNIT_EQ_INT(s->hooks[SPEC_HOOK_CREATE_RUNTIME].hooks[0].timeout, 3);
	UNIT_NULL(s->hooks[SPEC_HOOK_CREATE_RUNTIME].hooks[1].args[0]);
	UNIT_EQ_INT(s->hooks[SPEC_HOOK_POSTSTOP].n, 1);
	/* Kept for delete: only what runs after create. */
	UNIT_EQ_STR(s->late_hooks_json, "{\"poststop\":[{\"path\":\"/c\"}]}");
	spec_free(s);
}

UNIT_CASE(hooks_checked)
{
	EXPECT_ERROR(CFG(", 'hooks': {'poststart': [{'args': ['x']}]}", "",
			 ""),
		     "config.json: hooks.poststart[0].path: missing");
	EXPECT_ERROR(CFG(", 'hooks': {'poststart': [{'path': 'x'}]}", "", ""),
		     "config.json: hooks.poststart[0].path: x: "
		     "not an absolute path");
	EXPECT_ERROR(CFG(", 'hooks': {'createContainer': [{'path': '/x',"
			 " 'timeout': 0}]}", "", ""),
		     "config.json: hooks.createContainer[0].timeout: "
		     "must be greater than zero");
	EXPECT_ERROR(CFG(", 'hooks': {'startContainer': [{'path': '/x',"
			 " 'env': ['NOEQUALS']}]}", "", ""),
		     "config.json: hooks.startContainer[0].env[0]: NOEQUALS: "
		     "expected NAME=VALUE");
}

UNIT_CASE(empty_hooks_accepted)
{
	parse_ok(CFG(", 'hooks': {'prestart': [], 'poststop': []}", "", ""));
	spec_free(s);
}

UNIT_CASE(other_platforms_not_supported)
{
	EXPECT_ERROR(CFG(", 'windows': {'layerFolders': ['C:\\\\x']}", "",
			 ""),
		     "config.json: windows: not supported");
	EXPECT_ERROR(CFG(", 'solaris': {'milestone': 'x'}", "", ""),
		     "config.json: solaris: not supported");
	EXPECT_ERROR(CFG(", 'vm': {'kernel': {'path': '/k'}}", "", ""),
		     "config.json: vm: not supported");
	EXPECT_ERROR(CFG(", 'zos': {'namespaces': [{'type': 'pid'}]}", "",
			 ""),
		     "config.json: zos: not supported");
}

UNIT_CASE(unknown_keys_ignored)
{
	parse_ok(CFG(", 'org.example.extension': {'anything': [1, 2]},"
		     " 'mounts': [{'destination': '/a', 'type': 'tmpfs',"
		     " 'futureOption': true}]",
		     ", 'futureProcessKey': 'x', 'user': {'username': 'u',"
		     " 'extra': 1}",
		     ", 'futureLinuxKey': {'x': 1}"));
	UNIT_EQ_INT(s->n_mounts, 1);
	spec_free(s);
}

UNIT_CASE(annotations_keep_order)
{
	parse_ok(CFG(", 'annotations': {'z.last': '1', 'a.first': '2',"
		     " 'm': ''}", "", ""));
	UNIT_EQ_INT(s->n_annotations, 3);
	UNIT_EQ_STR(s->annotations[0].key, "z.last");
	UNIT_EQ_STR(s->annotations[0].value, "1");
	UNIT_EQ_STR(s->annotations[1].key, "a.first");
	UNIT_EQ_STR(s->annotations[1].value, "2");
	UNIT_EQ_STR(s->annotations[2].key, "m");
	UNIT_EQ_STR(s->annotations[2].value, "");
	spec_free(s);
}

UNIT_CASE(annotation_not_string)
{
	EXPECT_ERROR(CFG(", 'annotations': {'a': 'x', 'org.b': 2}", "", ""),
		     "config.json: annotations.org.b: expected string");
}

UNIT_CASE(annotations_not_object)
{
	EXPECT_ERROR(CFG(", 'annotations': ['a=b']", "", ""),
		     "config.json: annotations: expected object");
}

/* spec_load, spec_default_json */

UNIT_CASE(load_from_bundle)
{
	write_config(unit_json(CFG(", 'hostname': 'loaded'", "", "")));
	s = NULL;
	UNIT_EQ_INT(spec_load(make_bundle(), &s, &e), 0);
	UNIT_EQ_STR(s->hostname, "loaded");
	spec_free(s);
}

UNIT_CASE(load_missing_config)
{
	s = NULL;
	UNIT_EQ_INT(spec_load(make_bundle(), &s, &e), -ENOENT);
	UNIT_EQ_STR(e.msg, "config.json: No such file or directory");
	UNIT_NULL(s);
}

UNIT_CASE(load_reports_line_and_column)
{
	write_config("{\n\t\"ociVersion\": \"1.2.0\",\n\t\"root\": }\n");
	s = NULL;
	UNIT_EQ_INT(spec_load(make_bundle(), &s, &e), -EINVAL);
	UNIT_EQ_STR(e.msg, "config.json: invalid JSON at line 3, column 10");
}

UNIT_CASE(default_json_parses)
{
	char *text = spec_default_json(0, 0, 0);
	size_t i;

	UNIT_NOT_NULL(text);
	make_bundle();
	s = NULL;
	if (spec_parse(text, strlen(text), "config.json", bundle, &s, &e) < 0)
		unit_fail(__FILE__, __LINE__, "spec_parse: %s", e.msg);
	free(text);
	UNIT_EQ_STR(s->oci_version, "1.2.0");
	UNIT_EQ_INT(s->root_readonly, 1);
	UNIT_EQ_STR(s->hostname, "ocibox");
	UNIT_EQ_INT(s->process.terminal, 1);
	UNIT_NOT_NULL(s->resources);
	UNIT_EQ_STR(s->process.args[0], "sh");
	UNIT_EQ_STR(s->process.env[1], "TERM=xterm");
	UNIT_EQ_INT(s->process.no_new_privileges, 1);
	UNIT_EQ_UINT(s->process.caps.bounding,
		     1ULL << caps_from_name("CAP_AUDIT_WRITE") |
		     1ULL << caps_from_name("CAP_KILL") |
		     1ULL << caps_from_name("CAP_NET_BIND_SERVICE"));
	UNIT_EQ_UINT(s->process.caps.effective, s->process.caps.bounding);
	UNIT_EQ_UINT(s->process.caps.permitted, s->process.caps.bounding);
	UNIT_EQ_UINT(s->process.caps.ambient, 0);
	UNIT_EQ_INT(s->process.n_rlimits, 1);
	UNIT_EQ_INT(s->process.rlimits[0].resource, RLIMIT_NOFILE);
	UNIT_EQ_UINT(s->process.rlimits[0].soft, 1024);
	UNIT_EQ_INT(s->n_mounts, 7);
	UNIT_EQ_STR(s->mounts[6].dest, "/sys/fs/cgroup");
	for (i = 0; i < SPEC_NS_COUNT; i++)
		UNIT_EQ_INT(s->ns[i].present,
			    i != SPEC_NS_USER && i != SPEC_NS_TIME);
	UNIT_EQ_STR(s->masked_paths[0], "/proc/acpi");
	UNIT_EQ_STR(s->readonly_paths[4], "/proc/sysrq-trigger");
	spec_free(s);
}

UNIT_CASE(default_json_looks_like_runc)
{
	char *text = spec_default_json(0, 0, 0);
	size_t n;

	UNIT_NOT_NULL(text);
	n = strlen(text);
	UNIT_EQ_STR(strstr(text, "{\n\t\"ociVersion\": \"1.2.0\",\n"
			   "\t\"process\": {\n\t\t\"terminal\": true,\n"
			   "\t\t\"user\": {\n\t\t\t\"uid\": 0,\n"), text);
	UNIT_NOT_NULL(strstr(text, "\t\t\"rlimits\": [\n\t\t\t{\n"
			     "\t\t\t\t\"type\": \"RLIMIT_NOFILE\",\n"
			     "\t\t\t\t\"hard\": 1024,\n"));
	UNIT_NOT_NULL(strstr(text, "\t\t\"resources\": {\n\t\t\t\"devices\": [\n"
			     "\t\t\t\t{\n\t\t\t\t\t\"allow\": false,\n"));
	UNIT_EQ_STR(text + n - 5, "\t}\n}\n");
	free(text);
}

/* namespace helpers, capability names */

UNIT_CASE(ns_names)
{
	UNIT_EQ_INT(spec_ns_from_name("pid"), SPEC_NS_PID);
	UNIT_EQ_INT(spec_ns_from_name("network"), SPEC_NS_NET);
	UNIT_EQ_INT(spec_ns_from_name("mount"), SPEC_NS_MNT);
	UNIT_EQ_INT(spec_ns_from_name("ipc"), SPEC_NS_IPC);
	UNIT_EQ_INT(spec_ns_from_name("uts"), SPEC_NS_UTS);
	UNIT_EQ_INT(spec_ns_from_name("cgroup"), SPEC_NS_CGROUP);
	UNIT_EQ_INT(spec_ns_from_name("user"), SPEC_NS_USER);
	UNIT_EQ_INT(spec_ns_from_name("time"), SPEC_NS_TIME);
	UNIT_EQ_INT(spec_ns_from_name("net"), -1);
	UNIT_EQ_INT(spec_ns_from_name(""), -1);
	UNIT_EQ_STR(spec_ns_proc_name(SPEC_NS_NET), "net");
	UNIT_EQ_STR(spec_ns_proc_name(SPEC_NS_MNT), "mnt");
	UNIT_EQ_STR(spec_ns_proc_name(SPEC_NS_CGROUP), "cgroup");
	UNIT_NULL(spec_ns_proc_name(SPEC_NS_COUNT));
	UNIT_NULL(spec_ns_proc_name(-1));
}

UNIT_CASE(ns_clone_flags)
{
	UNIT_EQ_UINT(spec_ns_clone_flag(SPEC_NS_PID), CLONE_NEWPID);
	UNIT_EQ_UINT(spec_ns_clone_flag(SPEC_NS_NET), CLONE_NEWNET);
	UNIT_EQ_UINT(spec_ns_clone_flag(SPEC_NS_MNT), CLONE_NEWNS);
	UNIT_EQ_UINT(spec_ns_clone_flag(SPEC_NS_IPC), CLONE_NEWIPC);
	UNIT_EQ_UINT(spec_ns_clone_flag(SPEC_NS_UTS), CLONE_NEWUTS);
	UNIT_EQ_UINT(spec_ns_clone_flag(SPEC_NS_CGROUP), 0x02000000);
	UNIT_EQ_UINT(spec_ns_clone_flag(SPEC_NS_USER), CLONE_NEWUSER);
	UNIT_EQ_UINT(spec_ns_clone_flag(SPEC_NS_TIME), 0x00000080);
	UNIT_EQ_UINT(spec_ns_clone_flag(SPEC_NS_COUNT), 0);
}

UNIT_CASE(caps_names)
{
	int i;

	UNIT_EQ_INT(caps_from_name("CAP_CHOWN"), 0);
	UNIT_EQ_INT(caps_from_name("CAP_KILL"), 5);
	UNIT_EQ_INT(caps_from_name("CAP_SYS_ADMIN"), 21);
	UNIT_EQ_INT(caps_from_name("CAP_AUDIT_WRITE"), 29);
	UNIT_EQ_INT(caps_from_name("CAP_PERFMON"), 38);
	UNIT_EQ_INT(caps_from_name("CAP_BPF"), 39);
	UNIT_EQ_INT(caps_from_name("CAP_CHECKPOINT_RESTORE"), 40);
	UNIT_EQ_INT(caps_from_name("CHOWN"), -1);
	UNIT_EQ_INT(caps_from_name("CAP_"), -1);
	UNIT_EQ_INT(caps_from_name("cap_chown"), -1);
	UNIT_EQ_STR(caps_name(0), "CAP_CHOWN");
	UNIT_EQ_STR(caps_name(40), "CAP_CHECKPOINT_RESTORE");
	UNIT_NULL(caps_name(41));
	UNIT_NULL(caps_name(-1));
	for (i = 0; i < CAPS_COUNT; i++)
		UNIT_EQ_INT(caps_from_name(caps_name(i)), i);
}
