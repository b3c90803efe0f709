/* state_test.c - unit tests of core/state.c: ids, the store's directories
 * and lock, state.json round trips, the derived status, the OCI state
 * JSON as `runc state` prints it. */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <sys/file.h>
#include <sys/stat.h>

#include "proc.h"
#include "clock.h"
#include "state.h"
#include "unit.h"

static struct err e;
static char path[256];

/* unit_tmpdir()/rel in path. */
static const char *at(const char *rel)
{
	snprintf(path, sizeof(path), "%s/%s", unit_tmpdir(), rel);
	return path;
}

static int root(void)
{
	int fd = state_root_open(at("root"), 1, &e);

	if (fd < 0)
		unit_fail(__FILE__, __LINE__, "%s", e.msg);
	return fd;
}

static struct spec_annotation annotations[] = {
	{ "org.example.a", "1" },
	{ "b", "two words \"quoted\"" },
};

/* A fixed state; n annotations from the table above. */
static struct state fixed(size_t n)
{
	struct state st = {
		.id = "c1",
		.bundle = "/run/b",
		.rootfs = "/run/b/rootfs",
		.created = "2026-01-02T03:04:05.000000006Z",
		.owner = "",
		.pid = 4242,
		.starttime = 123456789012ULL,
		.annotations = annotations,
		.n_annotations = n,
	};

	return st;
}

static int exists_at(int dirfd, const char *name)
{
	return faccessat(dirfd, name, F_OK, AT_SYMLINK_NOFOLLOW) == 0;
}

/* Another open file description of dir can(not) take its lock now. */
static int locked(int rootfd, const char *id)
{
	int fd = openat(rootfd, id, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int r;

	UNIT_ASSERT(fd >= 0);
	r = flock(fd, LOCK_EX | LOCK_NB);
	UNIT_ASSERT(r == 0 || errno == EWOULDBLOCK);
	close(fd);
	return r < 0;
}

UNIT_CASE(id_valid)
{
	char long_id[1025];

	UNIT_EQ_INT(state_id_check("c1", &e), 0);
	UNIT_EQ_INT(state_id_check("a.b_c+d-E9", &e), 0);
	UNIT_EQ_INT(state_id_check("...", &e), 0);
	UNIT_EQ_INT(state_id_check("-", &e), 0);
	UNIT_EQ_INT(state_id_check(".hidden", &e), 0);
	memset(long_id, 'a', 1024);
	long_id[1024] = 0;
	UNIT_EQ_INT(state_id_check(long_id, &e), 0);
}

UNIT_CASE(id_empty)
{
	UNIT_EQ_INT(state_id_check("", &e), -EINVAL);
	UNIT_EQ_STR(e.msg, "invalid container id \"\"");
}

UNIT_CASE(id_dot)
{
	UNIT_EQ_INT(state_id_check(".", &e), -EINVAL);
	UNIT_EQ_STR(e.msg, "invalid container id \".\"");
}

UNIT_CASE(id_dotdot)
{
	UNIT_EQ_INT(state_id_check("..", &e), -EINVAL);
	UNIT_EQ_STR(e.msg, "invalid container id \"..\"");
}

UNIT_CASE(id_slash)
{
	UNIT_EQ_INT(state_id_check("a/b", &e), -EINVAL);
	UNIT_EQ_STR(e.msg, "invalid container id \"a/b\"");
	UNIT_EQ_INT(state_id_check("/", &e), -EINVAL);
	UNIT_EQ_INT(state_id_check("../x", &e), -EINVAL);
}

UNIT_CASE(id_other_chars)
{
	UNIT_EQ_INT(state_id_check("a b", &e), -EINVAL);
	UNIT_EQ_INT(state_id_check("a:b", &e), -EINVAL);
	UNIT_EQ_INT(state_id_check("a\nb", &e), -EINVAL);
	UNIT_EQ_INT(state_id_check("caf\xc3\xa9", &e), -EINVAL);
}

UNIT_CASE(id_too_long)
{
	char long_id[1026];

	memset(long_id, 'a', 1025);
	long_id[1025] = 0;
	UNIT_EQ_INT(state_id_check(long_id, &e), -EINVAL);
	UNIT_EQ_INT(e.no, EINVAL);
}

UNIT_CASE(root_open_creates)
{
	struct stat sb;
	int fd;

	umask(022);
	fd = state_root_open(at("a/b/root"), 1, &e);
	UNIT_ASSERT(fd >= 0);
	UNIT_EQ_INT(fstat(fd, &sb), 0);
	UNIT_ASSERT(S_ISDIR(sb.st_mode));
	UNIT_EQ_INT(sb.st_mode & 07777, 0711);
	UNIT_EQ_INT(stat(at("a/b/root"), &sb), 0);
	UNIT_EQ_INT(fcntl(fd, F_GETFD), FD_CLOEXEC);
	close(fd);
}

UNIT_CASE(root_open_existing)
{
	int fd = state_root_open(unit_tmpdir(), 0, &e);

	UNIT_ASSERT(fd >= 0);
	close(fd);
	fd = state_root_open(unit_tmpdir(), 1, &e);
	UNIT_ASSERT(fd >= 0);
	close(fd);
}

UNIT_CASE(root_open_missing)
{
	char want[300];
	struct stat sb;

	UNIT_EQ_INT(state_root_open(at("nope"), 0, &e), -ENOENT);
	snprintf(want, sizeof(want), "open %s: No such file or directory",
		 at("nope"));
	UNIT_EQ_STR(e.msg, want);
	UNIT_EQ_INT(stat(at("nope"), &sb), -1);
}

UNIT_CASE(root_open_not_a_dir)
{
	int fd = open(at("file"), O_WRONLY | O_CREAT | O_CLOEXEC, 0644);

	UNIT_ASSERT(fd >= 0);
	close(fd);
	UNIT_EQ_INT(state_root_open(at("file"), 1, &e), -ENOTDIR);
}

UNIT_CASE(dir_create)
{
	int r = root(), d;
	struct stat sb;

	d = state_dir_create(r, "c1", &e);
	UNIT_ASSERT(d >= 0);
	UNIT_EQ_INT(fstatat(r, "c1", &sb, 0), 0);
	UNIT_ASSERT(S_ISDIR(sb.st_mode));
	UNIT_EQ_INT(fcntl(d, F_GETFD), FD_CLOEXEC);
	close(d);
	close(r);
}

UNIT_CASE(dir_create_takes_lock)
{
	int r = root(), d;

	d = state_dir_create(r, "c1", &e);
	UNIT_ASSERT(d >= 0);
	UNIT_EQ_INT(locked(r, "c1"), 1);
	close(d);
	UNIT_EQ_INT(locked(r, "c1"), 0);
	close(r);
}

UNIT_CASE(dir_create_twice)
{
	int r = root(), d;

	d = state_dir_create(r, "c1", &e);
	UNIT_ASSERT(d >= 0);
	UNIT_EQ_INT(state_dir_create(r, "c1", &e), -EEXIST);
	UNIT_EQ_STR(e.msg, "container with given ID already exists");
	close(d);
	close(r);
}

UNIT_CASE(dir_open_missing)
{
	int r = root();

	UNIT_EQ_INT(state_dir_open(r, "c1", 0, &e), -ENOENT);
	UNIT_EQ_STR(e.msg, "container does not exist");
	UNIT_EQ_INT(state_dir_open(r, "c1", 1, &e), -ENOENT);
	UNIT_EQ_STR(e.msg, "container does not exist");
	close(r);
}

UNIT_CASE(dir_open_lock)
{
	int r = root(), d;

	d = state_dir_create(r, "c1", &e);
	UNIT_ASSERT(d >= 0);
	close(d);
	d = state_dir_open(r, "c1", 0, &e);
	UNIT_ASSERT(d >= 0);
	UNIT_EQ_INT(locked(r, "c1"), 0);
	close(d);
	d = state_dir_open(r, "c1", 1, &e);
	UNIT_ASSERT(d >= 0);
	UNIT_EQ_INT(locked(r, "c1"), 1);
	close(d);
	close(r);
}

/* A collector takes an idle directory's lock, and never a held one. */
UNIT_CASE(dir_trylock)
{
	int r = root(), d, g;

	d = state_dir_create(r, "c1", &e);
	UNIT_ASSERT(d >= 0);
	UNIT_EQ_INT(state_dir_trylock(r, "c1"), -EWOULDBLOCK);
	close(d);
	g = state_dir_trylock(r, "c1");
	UNIT_ASSERT(g >= 0);
	UNIT_EQ_INT(locked(r, "c1"), 1);
	UNIT_EQ_INT(fcntl(g, F_GETFD), FD_CLOEXEC);
	close(g);
	UNIT_EQ_INT(state_dir_trylock(r, "nosuch"), -ENOENT);
	close(r);
}

/* The root's lock is free again after a create and a collector. */
UNIT_CASE(dir_trylock_root_unlocked)
{
	int r = root(), d, fd;

	d = state_dir_create(r, "c1", &e);
	UNIT_ASSERT(d >= 0);
	close(d);
	d = state_dir_trylock(r, "c1");
	UNIT_ASSERT(d >= 0);
	fd = open(at("root"), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	UNIT_EQ_INT(flock(fd, LOCK_EX | LOCK_NB), 0);
	close(fd);
	close(d);
	close(r);
}

UNIT_CASE(cgroup_record_round_trip)
{
	struct cgroup *in = cgroup_new(), *out = NULL;
	int r = root(), d = state_dir_create(r, "c1", &e);

	UNIT_ASSERT(d >= 0 && in);
	UNIT_EQ_INT(state_load_cgroup(d, &out), -ENOENT);
	UNIT_EQ_INT(cgroup_add(in, "", "/sys/fs/cgroup/unified/c1"), 0);
	UNIT_EQ_INT(cgroup_add(in, "cpu,cpuacct", "/sys/fs/cgroup/cpu/c1"), 0);
	UNIT_EQ_INT(state_save_cgroup(d, in, &e), 0);
	UNIT_EQ_INT(state_load_cgroup(d, &out), 0);
	UNIT_NOT_NULL(out);
	UNIT_EQ_INT(out->n, 2);
	UNIT_EQ_STR(out->dirs[0].name, "");
	UNIT_EQ_STR(out->dirs[0].path, "/sys/fs/cgroup/unified/c1");
	UNIT_EQ_STR(out->dirs[1].name, "cpu,cpuacct");
	UNIT_EQ_STR(out->dirs[1].path, "/sys/fs/cgroup/cpu/c1");
	cgroup_free(in);
	cgroup_free(out);
	close(d);
	close(r);
}

UNIT_CASE(save_load_round_trip)
{
	struct state in = fixed(2), out;
	int r = root(), d = state_dir_create(r, "c1", &e);
	size_t i;

	UNIT_ASSERT(d >= 0);
	UNIT_EQ_INT(state_save(d, &in, &e), 0);
	UNIT_EQ_INT(state_load(d, "c1", &out, &e), 0);
	UNIT_EQ_STR(out.id, in.id);
	UNIT_EQ_STR(out.bundle, in.bundle);
	UNIT_EQ_STR(out.rootfs, in.rootfs);
	UNIT_EQ_STR(out.created, in.created);
	UNIT_EQ_STR(out.owner, in.owner);
	UNIT_EQ_INT(out.pid, in.pid);
	UNIT_EQ_UINT(out.starttime, in.starttime);
	UNIT_EQ_UINT(out.n_annotations, 2);
	for (i = 0; i < 2; i++) {
		UNIT_EQ_STR(out.annotations[i].key, in.annotations[i].key);
		UNIT_EQ_STR(out.annotations[i].value,
			    in.annotations[i].value);
	}
	state_release(&out);
	UNIT_NULL(out.id);
	close(d);
	close(r);
}

UNIT_CASE(save_load_no_annotations)
{
	struct state in = fixed(0), out;
	int r = root(), d = state_dir_create(r, "c1", &e);

	UNIT_ASSERT(d >= 0);
	in.owner = "alice";
	UNIT_EQ_INT(state_save(d, &in, &e), 0);
	UNIT_EQ_INT(state_load(d, "c1", &out, &e), 0);
	UNIT_EQ_STR(out.owner, "alice");
	UNIT_EQ_UINT(out.n_annotations, 0);
	UNIT_NOT_NULL(out.annotations);
	state_release(&out);
	close(d);
	close(r);
}

UNIT_CASE(save_replaces)
{
	struct state in = fixed(0), out;
	int r = root(), d = state_dir_create(r, "c1", &e);
	struct stat sb;

	UNIT_ASSERT(d >= 0);
	UNIT_EQ_INT(state_save(d, &in, &e), 0);
	in.pid = 7;
	in.starttime = 8;
	UNIT_EQ_INT(state_save(d, &in, &e), 0);
	UNIT_EQ_INT(state_load(d, "c1", &out, &e), 0);
	UNIT_EQ_INT(out.pid, 7);
	UNIT_EQ_UINT(out.starttime, 8);
	state_release(&out);
	UNIT_EQ_INT(fstatat(d, STATE_FILE, &sb, 0), 0);
	UNIT_EQ_INT(sb.st_mode & 07777, 0600);
	close(d);
	close(r);
}

UNIT_CASE(load_missing)
{
	struct state out;
	int r = root(), d = state_dir_create(r, "c1", &e);

	UNIT_ASSERT(d >= 0);
	UNIT_EQ_INT(state_load(d, "c1", &out, &e), -ENOENT);
	UNIT_EQ_STR(e.msg, "c1/state.json: No such file or directory");
	close(d);
	close(r);
}

UNIT_CASE(load_invalid_json)
{
	struct state out;
	int r = root(), d = state_dir_create(r, "c1", &e);
	int fd;

	UNIT_ASSERT(d >= 0);
	fd = openat(d, STATE_FILE, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	UNIT_ASSERT(fd >= 0);
	UNIT_EQ_INT(write(fd, "{\"id\":", 6), 6);
	close(fd);
	UNIT_EQ_INT(state_load(d, "c1", &out, &e), -EINVAL);
	UNIT_EQ_STR(e.msg, "c1/state.json: invalid JSON");
	close(d);
	close(r);
}

UNIT_CASE(status_no_pid)
{
	struct state st = fixed(0);
	int r = root(), d = state_dir_create(r, "c1", &e);

	UNIT_ASSERT(d >= 0);
	st.pid = 0;
	st.starttime = 0;
	UNIT_EQ_INT(mkfifoat(d, STATE_FIFO, 0600), 0);
	UNIT_EQ_INT(state_status(d, &st), STATE_STOPPED);
	close(d);
	close(r);
}

UNIT_CASE(status_dead_pid)
{
	struct state st = fixed(0);
	int r = root(), d = state_dir_create(r, "c1", &e);
	int status;
	pid_t pid;

	UNIT_ASSERT(d >= 0);
	pid = fork();
	UNIT_ASSERT(pid >= 0);
	if (!pid)
		_exit(0);
	UNIT_EQ_INT(waitpid(pid, &status, 0), pid);
	st.pid = pid;
	st.starttime = 1;
	UNIT_EQ_INT(state_status(d, &st), STATE_STOPPED);
	close(d);
	close(r);
}

UNIT_CASE(status_created)
{
	struct state st = fixed(0);
	int r = root(), d = state_dir_create(r, "c1", &e);

	UNIT_ASSERT(d >= 0);
	st.pid = getpid();
	UNIT_EQ_INT(proc_stat(st.pid, &st.starttime, NULL), 0);
	UNIT_EQ_INT(mkfifoat(d, STATE_FIFO, 0600), 0);
	UNIT_EQ_INT(state_status(d, &st), STATE_CREATED);
	close(d);
	close(r);
}

UNIT_CASE(status_running)
{
	struct state st = fixed(0);
	int r = root(), d = state_dir_create(r, "c1", &e);

	UNIT_ASSERT(d >= 0);
	st.pid = getpid();
	UNIT_EQ_INT(proc_stat(st.pid, &st.starttime, NULL), 0);
	UNIT_EQ_INT(state_status(d, &st), STATE_RUNNING);
	close(d);
	close(r);
}

/*
 * The owner is the directory's; while exec.fifo is there it is read off
 * the fifo (create makes both): each chowned apart to tell which was read.
 */
UNIT_CASE(status_at_owner)
{
	struct state st = fixed(0);
	int r = root(), d = state_dir_create(r, "c1", &e);
	uid_t owner = 0;

	UNIT_ASSERT(d >= 0);
	st.pid = getpid();
	UNIT_EQ_INT(proc_stat(st.pid, &st.starttime, NULL), 0);
	UNIT_EQ_INT(fchownat(r, "c1", 4321, -1, 0), 0);
	UNIT_EQ_INT(state_status_at(r, "c1", &st, &owner), STATE_RUNNING);
	UNIT_EQ_INT(owner, 4321);
	UNIT_EQ_INT(mkfifoat(d, STATE_FIFO, 0600), 0);
	UNIT_EQ_INT(fchownat(d, STATE_FIFO, 1234, -1, 0), 0);
	UNIT_EQ_INT(state_status_at(r, "c1", &st, &owner), STATE_CREATED);
	UNIT_EQ_INT(owner, 1234);
	UNIT_EQ_INT(state_status_at(r, "c1", &st, NULL), STATE_CREATED);
	st.starttime++;
	UNIT_EQ_INT(state_status_at(r, "c1", &st, &owner), STATE_STOPPED);
	UNIT_EQ_INT(owner, 4321);
	UNIT_EQ_INT(state_status_at(r, "gone", &st, &owner), STATE_STOPPED);
	UNIT_EQ_INT(owner, (uid_t)-1);
	close(d);
	close(r);
}

/* The pid was reused by another process: not the container. */
UNIT_CASE(status_wrong_starttime)
{
	struct state st = fixed(0);
	int r = root(), d = state_dir_create(r, "c1", &e);

	UNIT_ASSERT(d >= 0);
	st.pid = getpid();
	UNIT_EQ_INT(proc_stat(st.pid, &st.starttime, NULL), 0);
	st.starttime++;
	UNIT_EQ_INT(mkfifoat(d, STATE_FIFO, 0600), 0);
	UNIT_EQ_INT(state_status(d, &st), STATE_STOPPED);
	close(d);
	close(r);
}

UNIT_CASE(status_names)
{
	UNIT_EQ_STR(state_status_name(STATE_CREATING), "creating");
	UNIT_EQ_STR(state_status_name(STATE_CREATED), "created");
	UNIT_EQ_STR(state_status_name(STATE_RUNNING), "running");
	UNIT_EQ_STR(state_status_name(STATE_PAUSED), "paused");
	UNIT_EQ_STR(state_status_name(STATE_STOPPED), "stopped");
}

UNIT_CASE(oci_json_running)
{
	struct state st = fixed(0);
	char *s = state_oci_json(&st, STATE_RUNNING, 1);

	UNIT_EQ_STR(s,
		    "{\n"
		    "  \"ociVersion\": \"1.2.0\",\n"
		    "  \"id\": \"c1\",\n"
		    "  \"pid\": 4242,\n"
		    "  \"status\": \"running\",\n"
		    "  \"bundle\": \"/run/b\",\n"
		    "  \"rootfs\": \"/run/b/rootfs\",\n"
		    "  \"created\": \"2026-01-02T03:04:05.000000006Z\",\n"
		    "  \"owner\": \"\"\n"
		    "}");
	free(s);
}

UNIT_CASE(oci_json_stopped_pid_zero)
{
	struct state st = fixed(0);
	char *s = state_oci_json(&st, STATE_STOPPED, 1);

	UNIT_EQ_STR(s,
		    "{\n"
		    "  \"ociVersion\": \"1.2.0\",\n"
		    "  \"id\": \"c1\",\n"
		    "  \"pid\": 0,\n"
		    "  \"status\": \"stopped\",\n"
		    "  \"bundle\": \"/run/b\",\n"
		    "  \"rootfs\": \"/run/b/rootfs\",\n"
		    "  \"created\": \"2026-01-02T03:04:05.000000006Z\",\n"
		    "  \"owner\": \"\"\n"
		    "}");
	free(s);
}

UNIT_CASE(oci_json_annotations)
{
	struct state st = fixed(2);
	char *s;

	st.owner = "alice";
	s = state_oci_json(&st, STATE_CREATED, 1);
	UNIT_EQ_STR(s,
		    "{\n"
		    "  \"ociVersion\": \"1.2.0\",\n"
		    "  \"id\": \"c1\",\n"
		    "  \"pid\": 4242,\n"
		    "  \"status\": \"created\",\n"
		    "  \"bundle\": \"/run/b\",\n"
		    "  \"rootfs\": \"/run/b/rootfs\",\n"
		    "  \"created\": \"2026-01-02T03:04:05.000000006Z\",\n"
		    "  \"owner\": \"alice\",\n"
		    "  \"annotations\": {\n"
		    "    \"org.example.a\": \"1\",\n"
		    "    \"b\": \"two words \\\"quoted\\\"\"\n"
		    "  }\n"
		    "}");
	free(s);
}

UNIT_CASE(oci_json_one_line)
{
	struct state st = fixed(1);
	char *s = state_oci_json(&st, STATE_RUNNING, 0);

	UNIT_EQ_STR(s, unit_json(
		"{'ociVersion':'1.2.0','id':'c1','pid':4242,"
		"'status':'running','bundle':'/run/b',"
		"'rootfs':'/run/b/rootfs',"
		"'created':'2026-01-02T03:04:05.000000006Z','owner':'',"
		"'annotations':{'org.example.a':'1'}}"));
	free(s);
}

UNIT_CASE(dir_remove)
{
	struct state st = fixed(1);
	int r = root(), d = state_dir_create(r, "c1", &e);

	UNIT_ASSERT(d >= 0);
	UNIT_EQ_INT(state_save(d, &st, &e), 0);
	UNIT_EQ_INT(mkfifoat(d, STATE_FIFO, 0600), 0);
	UNIT_EQ_INT(state_dir_remove(r, "c1", d), 0);
	UNIT_EQ_INT(exists_at(r, "c1"), 0);
	close(d);
	UNIT_EQ_INT(state_dir_open(r, "c1", 0, &e), -ENOENT);
	close(r);
}

UNIT_CASE(dir_remove_leaves_others)
{
	int r = root(), d1, d2;

	d1 = state_dir_create(r, "c1", &e);
	d2 = state_dir_create(r, "c2", &e);
	UNIT_ASSERT(d1 >= 0 && d2 >= 0);
	UNIT_EQ_INT(mkfifoat(d2, STATE_FIFO, 0600), 0);
	UNIT_EQ_INT(state_dir_remove(r, "c1", d1), 0);
	UNIT_EQ_INT(exists_at(r, "c1"), 0);
	UNIT_EQ_INT(exists_at(d2, STATE_FIFO), 1);
	close(d1);
	close(d2);
	close(r);
}

UNIT_CASE(timestamp_format)
{
	char buf[64];
	int i;

	clock_rfc3339(buf, sizeof(buf));
	UNIT_EQ_INT(strlen(buf), 30);
	for (i = 0; i < 30; i++) {
		switch (i) {
		case 4: case 7: UNIT_EQ_INT(buf[i], '-'); break;
		case 10: UNIT_EQ_INT(buf[i], 'T'); break;
		case 13: case 16: UNIT_EQ_INT(buf[i], ':'); break;
		case 19: UNIT_EQ_INT(buf[i], '.'); break;
		case 29: UNIT_EQ_INT(buf[i], 'Z'); break;
		default: UNIT_ASSERT(buf[i] >= '0' && buf[i] <= '9');
		}
	}
}
