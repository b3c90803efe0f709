/*
 * seccomp_bpf.c - struct spec_seccomp into a BPF program with libseccomp
 * (seccomp_init(3), seccomp_rule_add(3), seccomp_export_bpf(3)), the way
 * runc's libcontainer/seccomp builds its filter: a rule whose action is the
 * default one is dropped, a syscall libseccomp cannot resolve is skipped,
 * and conditions on distinct arguments form one rule (all must match)
 * while two on the same argument become one rule each (any matches).
 * libseccomp 2.5 exports only to an fd: a memfd, read back whole.
 */
#include <errno.h>
#include <seccomp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "seccomp_bpf.h"
#include "sys.h"

/* runc's threshold for libseccomp's binary-tree syscall lookup. */
#define TREE_MIN_RULES 32

static int add_rule(scmp_filter_ctx ctx, const struct spec_seccomp_rule *r,
		    int nr)
{
	struct scmp_arg_cmp cmp[SPEC_SECCOMP_ARGS_MAX];
	unsigned int seen = 0;
	int shared = 0, ret;
	size_t i;

	if (!r->n_args)
		return seccomp_rule_add_array(ctx, r->action, nr, 0, NULL);
	/* The parser keeps n_args free; libseccomp takes at most 6 at once. */
	for (i = 0; i < r->n_args; i++) {
		if (seen & (1U << r->args[i].index))
			shared = 1;
		seen |= 1U << r->args[i].index;
	}
	if (!shared && r->n_args <= SPEC_SECCOMP_ARGS_MAX) {
		for (i = 0; i < r->n_args; i++)
			cmp[i] = (struct scmp_arg_cmp){
				r->args[i].index, r->args[i].op,
				r->args[i].value, r->args[i].value_two };
		return seccomp_rule_add_array(ctx, r->action, nr, r->n_args,
					      cmp);
	}
	for (i = 0; i < r->n_args; i++) {
		cmp[0] = (struct scmp_arg_cmp){
			r->args[i].index, r->args[i].op, r->args[i].value,
			r->args[i].value_two };
		ret = seccomp_rule_add_array(ctx, r->action, nr, 1, cmp);
		if (ret < 0)
			return ret;
	}
	return 0;
}

static int add_rules(scmp_filter_ctx ctx, const struct spec_seccomp *s,
		     struct err *e)
{
	const struct spec_seccomp_rule *r;
	size_t i, k;
	int nr, ret;

	for (i = 0; i < s->n_rules; i++) {
		r = &s->rules[i];
		if (r->action == s->default_action)
			continue;
		for (k = 0; r->names[k]; k++) {
			nr = seccomp_syscall_resolve_name(r->names[k]);
			if (nr == __NR_SCMP_ERROR)
				continue;
			ret = add_rule(ctx, r, nr);
			if (ret < 0)
				return err_sys(e, -ret, "linux.seccomp.syscalls"
					       "[%zu]: %s: add rule", i,
					       r->names[k]);
		}
	}
	return 0;
}

/* The program libseccomp wrote to fd, into f. */
static int read_prog(int fd, struct seccomp_bpf *f, struct err *e)
{
	struct stat st;
	size_t done = 0;
	ssize_t n;

	if (fstat(fd, &st) < 0)
		return err_sys(e, errno, "linux.seccomp: export");
	/* struct sock_filter is 8 bytes; the kernel takes 4096 of them. */
	if (st.st_size % 8 || st.st_size / 8 > 4096 || !st.st_size)
		return err_msg(e, E2BIG, "linux.seccomp: the filter has %lld "
			       "BPF instructions (at most 4096)",
			       (long long)st.st_size / 8);
	f->insns = malloc(st.st_size);
	if (!f->insns)
		return err_sys(e, ENOMEM, "linux.seccomp");
	while (done < (size_t)st.st_size) {
		n = pread(fd, (char *)f->insns + done, st.st_size - done,
			  done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			free(f->insns);
			f->insns = NULL;
			return err_sys(e, n < 0 ? errno : EIO,
				       "linux.seccomp: export");
		}
		done += n;
	}
	f->len = st.st_size / 8;
	return 0;
}

_Static_assert(SPEC_SECCOMP_FLAG_TSYNC == SYS_SECCOMP_FLAG_TSYNC &&
	       SPEC_SECCOMP_FLAG_LOG == SYS_SECCOMP_FLAG_LOG &&
	       SPEC_SECCOMP_FLAG_SPEC_ALLOW == SYS_SECCOMP_FLAG_SPEC_ALLOW,
	       "spec flags are the kernel's");

int seccomp_bpf_compile(const struct spec_seccomp *s, struct seccomp_bpf *f,
			struct err *e)
{
	scmp_filter_ctx ctx;
	size_t i;
	int fd, r;

	memset(f, 0, sizeof(*f));
	f->flags = s->flags;
	/* Asked now, so a kernel without a flag fails create, not start. */
	if (f->flags && sys_seccomp_filter(f->flags, 0, NULL) != -EFAULT)
		return err_msg(e, EINVAL, "linux.seccomp.flags: not supported "
			       "by this kernel");
	ctx = seccomp_init(s->default_action);
	if (!ctx)
		return err_msg(e, EINVAL, "linux.seccomp.defaultAction: not "
			       "supported by this kernel");
	for (i = 0; i < s->n_archs; i++) {
		r = seccomp_arch_add(ctx, s->archs[i]);
		if (r < 0 && r != -EEXIST) {
			err_sys(e, -r, "linux.seccomp.architectures[%zu]", i);
			goto out_release;
		}
	}
	if (s->n_rules > TREE_MIN_RULES)
		seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2);
	r = add_rules(ctx, s, e);
	if (r < 0)
		goto out_release;
	fd = memfd_create("seccomp", MFD_CLOEXEC);
	if (fd < 0) {
		r = err_sys(e, errno, "linux.seccomp: memfd_create");
		goto out_release;
	}
	r = seccomp_export_bpf(ctx, fd);
	if (r < 0)
		err_sys(e, -r, "linux.seccomp: export");
	else
		r = read_prog(fd, f, e);
	close(fd);
out_release:
	seccomp_release(ctx);
	return r;
}

int seccomp_bpf_install(const struct seccomp_bpf *f)
{
	return sys_seccomp_filter(f->flags, f->len, f->insns);
}

void seccomp_bpf_free(struct seccomp_bpf *f)
{
	free(f->insns);
	f->insns = NULL;
	f->len = 0;
}

static int add_names(cJSON *o, const char *key, enum spec_seccomp_names list,
		     int probe)
{
	cJSON *arr = cJSON_AddArrayToObject(o, key), *s;
	const char *name;
	size_t i;

	if (!arr)
		return -ENOMEM;
	for (i = 0; (name = spec_seccomp_name(list, i)); i++) {
		/* The i-th flag is the bit 1 << i. */
		if (probe && sys_seccomp_filter(1U << i, 0, NULL) != -EFAULT)
			continue;
		s = cJSON_CreateString(name);
		if (!s)
			return -ENOMEM;
		cJSON_AddItemToArray(arr, s);
	}
	return 0;
}

int seccomp_bpf_features(cJSON *lin, struct err *e)
{
	cJSON *o = cJSON_AddObjectToObject(lin, "seccomp");

	if (!o || !cJSON_AddTrueToObject(o, "enabled") ||
	    add_names(o, "actions", SPEC_SECCOMP_ACTIONS, 0) < 0 ||
	    add_names(o, "operators", SPEC_SECCOMP_OPERATORS, 0) < 0 ||
	    add_names(o, "archs", SPEC_SECCOMP_ARCHS, 0) < 0 ||
	    add_names(o, "knownFlags", SPEC_SECCOMP_FLAGS, 0) < 0 ||
	    add_names(o, "supportedFlags", SPEC_SECCOMP_FLAGS, 1) < 0)
		return err_sys(e, ENOMEM, "features");
	return 0;
}
