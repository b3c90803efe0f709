/*
 * sys.h - raw system calls musl does not wrap (or wraps only recently), and
 * the uapi constants its headers may lack.  Every #ifdef and every raw
 * syscall() of the project lives in libc-glue/.  sys_NAME() returns 0 (or
 * a non-negative value) or -errno and never touches errno; -ENOSYS where the
 * syscall number is unknown to the toolchain.
 */
#ifndef GLUE_SYS_H
#define GLUE_SYS_H

#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <sys/mount.h>
#include <sys/types.h>

#ifndef CLONE_NEWCGROUP
#define CLONE_NEWCGROUP 0x02000000
#endif
#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif
#ifndef MS_REC
#define MS_REC 16384
#endif
#ifndef MS_PRIVATE
#define MS_PRIVATE (1 << 18)
#endif
#ifndef MS_SLAVE
#define MS_SLAVE (1 << 19)
#endif
#ifndef MS_SHARED
#define MS_SHARED (1 << 20)
#endif
#ifndef MS_UNBINDABLE
#define MS_UNBINDABLE (1 << 17)
#endif
#ifndef MS_LAZYTIME
#define MS_LAZYTIME (1 << 25)
#endif
#ifndef MNT_DETACH
#define MNT_DETACH 2
#endif
#ifndef PR_CAP_AMBIENT
#define PR_CAP_AMBIENT 47
#define PR_CAP_AMBIENT_RAISE 2
#define PR_CAP_AMBIENT_CLEAR_ALL 4
#endif
#ifndef PR_SET_NO_NEW_PRIVS
#define PR_SET_NO_NEW_PRIVS 38
#endif
/* ioctl_tty(2): the slave of a pty master, by the master (Linux 4.13). */
#ifndef TIOCGPTPEER
#define TIOCGPTPEER 0x5441
#endif
#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

#ifndef MFD_CLOEXEC
#define MFD_CLOEXEC 0x0001U
#endif
#ifndef MFD_ALLOW_SEALING
#define MFD_ALLOW_SEALING 0x0002U
#endif
#ifndef MFD_EXEC
#define MFD_EXEC 0x0010U
#endif
#ifndef F_ADD_SEALS
#define F_ADD_SEALS 1033
#define F_GET_SEALS 1034
#endif
#ifndef F_SEAL_SEAL
#define F_SEAL_SEAL 0x0001
#define F_SEAL_SHRINK 0x0002
#define F_SEAL_GROW 0x0004
#define F_SEAL_WRITE 0x0008
#endif
#ifndef AT_EMPTY_PATH
#define AT_EMPTY_PATH 0x1000
#endif

/* openat2(2) */
struct sys_open_how {
	uint64_t flags;
	uint64_t mode;
	uint64_t resolve;
};
#define SYS_RESOLVE_NO_XDEV		0x01
#define SYS_RESOLVE_NO_MAGICLINKS	0x02
#define SYS_RESOLVE_NO_SYMLINKS		0x04
#define SYS_RESOLVE_BENEATH		0x08
#define SYS_RESOLVE_IN_ROOT		0x10

int sys_pivot_root(const char *new_root, const char *put_old);
int sys_openat2(int dirfd, const char *path, const struct sys_open_how *how);
int sys_pidfd_open(pid_t pid, unsigned int flags);
int sys_pidfd_send_signal(int pidfd, int sig, unsigned int flags);
int sys_close_range(unsigned int first, unsigned int last, unsigned int flags);
/*
 * clone(2) with fork semantics (no new stack): returns the child's pid in
 * the parent, 0 in the child, or -errno.  The child must not rely on
 * libc's cached thread state (no raise(), abort(), threads): it sets up a
 * container and execs.
 */
pid_t sys_clone_fork(unsigned long flags);
/*
 * clone3(2) with fork semantics as sys_clone_fork(), the child born in
 * the cgroup v2 directory cgfd (CLONE_INTO_CGROUP, Linux 5.7): no move
 * later.  -ENOSYS where the kernel or toolchain lacks it.
 */
pid_t sys_clone_into_cgroup(unsigned long flags, int cgfd);
/* capset(2) with _LINUX_CAPABILITY_VERSION_3 (64-bit sets). */
int sys_capset(uint64_t effective, uint64_t permitted, uint64_t inheritable);
/* capget(2) of the calling thread, 64-bit sets. */
int sys_capget(uint64_t *effective, uint64_t *permitted,
	       uint64_t *inheritable);
int sys_setns(int fd, int nstype);
int sys_memfd_create(const char *name, unsigned int flags);
/* execveat(2); returns only on failure. */
int sys_execveat(int dirfd, const char *path, char *const argv[],
		 char *const envp[], int flags);
/* keyctl(KEYCTL_JOIN_SESSION_KEYRING, name): a new session keyring. */
int sys_keyctl_join_session(const char *name);

/* seccomp(2) filter flags (SECCOMP_FILTER_FLAG_*). */
#define SYS_SECCOMP_FLAG_TSYNC		(1U << 0)
#define SYS_SECCOMP_FLAG_LOG		(1U << 1)
#define SYS_SECCOMP_FLAG_SPEC_ALLOW	(1U << 2)
/*
 * seccomp(SECCOMP_SET_MODE_FILTER, flags, prog) with prog the len classic
 * BPF instructions at insns (struct sock_filter[len]); where the kernel has
 * no seccomp(2) (before 3.17) and flags is 0, prctl(PR_SET_SECCOMP).  With
 * insns NULL it only asks whether the kernel knows the flags: -EFAULT then
 * means it does, -EINVAL that it does not.
 */
int sys_seccomp_filter(unsigned int flags, unsigned short len,
		       const void *insns);

/* statfs(2) f_type of cgroup file systems. */
#define SYS_CGROUP_SUPER_MAGIC	0x27e0eb
#define SYS_CGROUP2_SUPER_MAGIC	0x63677270

/* eBPF (bpf(2)), as much as a cgroup v2 device filter needs. */
struct sys_bpf_insn {
	uint8_t code;
	uint8_t regs;		/* dst | src << 4 */
	int16_t off;
	int32_t imm;
};
/* struct bpf_cgroup_dev_ctx: access_type = access << 16 | type. */
#define SYS_BPF_DEVCG_ACC_MKNOD	1
#define SYS_BPF_DEVCG_ACC_READ	2
#define SYS_BPF_DEVCG_ACC_WRITE	4
#define SYS_BPF_DEVCG_DEV_BLOCK	1
#define SYS_BPF_DEVCG_DEV_CHAR	2
/*
 * Load n instructions as a BPF_PROG_TYPE_CGROUP_DEVICE program; the
 * verifier's complaint (if any) goes to log.  Returns the program fd.
 */
int sys_bpf_load_cgroup_device(const struct sys_bpf_insn *insns, unsigned n,
			       char *log, unsigned log_size);
/*
 * Attach it to the cgroup v2 directory cgfd as its one device program
 * (no flags: a later attach replaces it).
 */
int sys_bpf_attach_cgroup_device(int cgfd, int progfd);

#endif
