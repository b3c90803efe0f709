/*
 * seccomp_bpf.h - a parsed linux.seccomp (spec_seccomp.h) compiled with
 * libseccomp into a classic BPF program, installed later with one
 * seccomp(2) call (seccomp(2), runtime-spec config-linux.md "Seccomp",
 * features.md "linux.seccomp").  Not named seccomp.h: that is libseccomp's.
 */
#ifndef CORE_SECCOMP_BPF_H
#define CORE_SECCOMP_BPF_H

#include "cJSON.h"
#include "err.h"
#include "spec_seccomp.h"

struct seccomp_bpf {
	void *insns;		/* struct sock_filter[len], malloc'd */
	unsigned short len;
	unsigned int flags;	/* SECCOMP_FILTER_FLAG_* for seccomp(2) */
};

/*
 * Compile s for this machine's architecture and those s lists.  Syscall
 * names libseccomp does not know are skipped, as runc does.  On success
 * *f owns the program (free with seccomp_bpf_free()).  Errors name the
 * JSON path: "linux.seccomp.syscalls[2]: mkdir: add rule: ...".
 */
int seccomp_bpf_compile(const struct spec_seccomp *s, struct seccomp_bpf *f,
			struct err *e);
/*
 * Install f on the calling thread: 0 or -errno.  One system call, so it
 * can be the last before execve.  Needs no_new_privs or CAP_SYS_ADMIN.
 */
int seccomp_bpf_install(const struct seccomp_bpf *f);
void seccomp_bpf_free(struct seccomp_bpf *f);

/*
 * Add features.md's "seccomp" object to lin, the "linux" object of
 * `oci-run features`: what this build accepts, and the flags this kernel
 * takes.  0, or -ENOMEM with e set.
 */
int seccomp_bpf_features(cJSON *lin, struct err *e);

#endif
