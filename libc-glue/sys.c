/* sys.c - raw system call wrappers; see sys.h. */
#include <errno.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "sys.h"

static long rc(long r)
{
	return r < 0 ? -errno : r;
}

int sys_pivot_root(const char *new_root, const char *put_old)
{
	return rc(syscall(SYS_pivot_root, new_root, put_old));
}

int sys_openat2(int dirfd, const char *path, const struct sys_open_how *how)
{
#ifdef SYS_openat2
	return rc(syscall(SYS_openat2, dirfd, path, how, sizeof(*how)));
#else
	return -ENOSYS;
#endif
}

int sys_pidfd_open(pid_t pid, unsigned int flags)
{
#ifdef SYS_pidfd_open
	return rc(syscall(SYS_pidfd_open, pid, flags));
#else
	return -ENOSYS;
#endif
}

int sys_pidfd_send_signal(int pidfd, int sig, unsigned int flags)
{
#ifdef SYS_pidfd_send_signal
	return rc(syscall(SYS_pidfd_send_signal, pidfd, sig, NULL, flags));
#else
	return -ENOSYS;
#endif
}

int sys_close_range(unsigned int first, unsigned int last, unsigned int flags)
{
#ifdef SYS_close_range
	return rc(syscall(SYS_close_range, first, last, flags));
#else
	return -ENOSYS;
#endif
}

pid_t sys_clone_fork(unsigned long flags)
{
	/* All other arguments zero: the same on every arch's argument order. */
	return rc(syscall(SYS_clone, flags | SIGCHLD, 0, 0, 0, 0));
}

/* struct clone_args of <linux/sched.h>, CLONE_ARGS_SIZE_VER2. */
struct clone3_args {
	uint64_t flags, pidfd, child_tid, parent_tid, exit_signal;
	uint64_t stack, stack_size, tls, set_tid, set_tid_size, cgroup;
};
#define CLONE_INTO_CGROUP_ 0x200000000ULL

pid_t sys_clone_into_cgroup(unsigned long flags, int cgfd)
{
#ifdef SYS_clone3
	struct clone3_args a = {
		.flags = flags | CLONE_INTO_CGROUP_, .exit_signal = SIGCHLD,
		.cgroup = (uint64_t)cgfd,
	};

	return rc(syscall(SYS_clone3, &a, sizeof(a)));
#else
	return -ENOSYS;
#endif
}

struct cap_header {
	uint32_t version;
	int pid;
};

struct cap_data {
	uint32_t effective, permitted, inheritable;
};

#define CAP_V3 0x20080522

int sys_capset(uint64_t effective, uint64_t permitted, uint64_t inheritable)
{
	struct cap_header h = { CAP_V3, 0 };
	struct cap_data d[2] = {
		{ (uint32_t)effective, (uint32_t)permitted,
		  (uint32_t)inheritable },
		{ (uint32_t)(effective >> 32), (uint32_t)(permitted >> 32),
		  (uint32_t)(inheritable >> 32) },
	};

	return rc(syscall(SYS_capset, &h, d));
}

int sys_capget(uint64_t *effective, uint64_t *permitted,
	       uint64_t *inheritable)
{
	struct cap_header h = { CAP_V3, 0 };
	struct cap_data d[2];
	int r = rc(syscall(SYS_capget, &h, d));

	if (r < 0)
		return r;
	*effective = d[0].effective | (uint64_t)d[1].effective << 32;
	*permitted = d[0].permitted | (uint64_t)d[1].permitted << 32;
	*inheritable = d[0].inheritable | (uint64_t)d[1].inheritable << 32;
	return 0;
}

int sys_setns(int fd, int nstype)
{
	return rc(syscall(SYS_setns, fd, nstype));
}

#define KEYCTL_JOIN_SESSION_KEYRING 1

int sys_keyctl_join_session(const char *name)
{
#ifdef SYS_keyctl
	return rc(syscall(SYS_keyctl, KEYCTL_JOIN_SESSION_KEYRING, name));
#else
	return -ENOSYS;
#endif
}

int sys_memfd_create(const char *name, unsigned int flags)
{
#ifdef SYS_memfd_create
	return rc(syscall(SYS_memfd_create, name, flags));
#else
	return -ENOSYS;
#endif
}

int sys_execveat(int dirfd, const char *path, char *const argv[],
		 char *const envp[], int flags)
{
#ifdef SYS_execveat
	return rc(syscall(SYS_execveat, dirfd, path, argv, envp, flags));
#else
	return -ENOSYS;
#endif
}

#define SECCOMP_SET_MODE_FILTER 1
#define SECCOMP_MODE_FILTER 2

/* struct sock_fprog of <linux/filter.h>. */
struct fprog {
	unsigned short len;
	const void *filter;
};

int sys_seccomp_filter(unsigned int flags, unsigned short len,
		       const void *insns)
{
	struct fprog prog = { len, insns };
	int r = -ENOSYS;

#ifdef SYS_seccomp
	r = rc(syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags,
		       insns ? &prog : NULL));
#endif
	if (r != -ENOSYS || flags)
		return r;
	return rc(prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER,
			insns ? &prog : NULL, 0, 0));
}

/* The members of union bpf_attr the commands below use. */
struct bpf_load_attr {
	uint32_t prog_type, insn_cnt;
	uint64_t insns, license;
	uint32_t log_level, log_size;
	uint64_t log_buf;
	uint32_t kern_version, prog_flags;
	char prog_name[16];
	uint32_t prog_ifindex, expected_attach_type;
};

struct bpf_attach_attr {
	uint32_t target_fd, attach_bpf_fd, attach_type, attach_flags;
};

#define BPF_PROG_LOAD_CMD		5
#define BPF_PROG_ATTACH_CMD		8
#define BPF_PROG_TYPE_CGROUP_DEVICE_	15
#define BPF_CGROUP_DEVICE_		6

int sys_bpf_load_cgroup_device(const struct sys_bpf_insn *insns, unsigned n,
			       char *log, unsigned log_size)
{
#ifdef SYS_bpf
	struct bpf_load_attr a = {
		.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE_, .insn_cnt = n,
		.insns = (uintptr_t)insns, .license = (uintptr_t)"Apache",
		.log_level = log && log_size ? 1 : 0, .log_size = log_size,
		.log_buf = (uintptr_t)log,
		.expected_attach_type = BPF_CGROUP_DEVICE_,
	};

	return rc(syscall(SYS_bpf, BPF_PROG_LOAD_CMD, &a, sizeof(a)));
#else
	return -ENOSYS;
#endif
}

int sys_bpf_attach_cgroup_device(int cgfd, int progfd)
{
#ifdef SYS_bpf
	struct bpf_attach_attr a = {
		.target_fd = cgfd, .attach_bpf_fd = progfd,
		.attach_type = BPF_CGROUP_DEVICE_,
	};

	return rc(syscall(SYS_bpf, BPF_PROG_ATTACH_CMD, &a, sizeof(a)));
#else
	return -ENOSYS;
#endif
}
