/*
 * spec_resources.c - linux.resources into struct spec_resources; see
 * spec_resources.h.  Follows runtime-spec config-linux.md; where it is
 * loose (an empty device type or access, swappiness bounds) runc's
 * libcontainer/specconv decides.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "spec_resources.h"

static int failed(struct json_ctx *c)
{
	return -c->e->no;
}

static int nomem(struct json_ctx *c)
{
	return err_sys(c->e, ENOMEM, "%s", c->name);
}

static int get_i64(struct json_ctx *c, const cJSON *o, const char *key,
		   int64_t *out)
{
	return json_get_int(c, o, key, JSON_OPTIONAL, INT64_MIN, INT64_MAX,
			    out);
}

static int get_u64(struct json_ctx *c, const cJSON *o, const char *key,
		   uint64_t *out)
{
	return json_get_uint(c, o, key, JSON_OPTIONAL, UINT64_MAX, out);
}

static int parse_memory(struct json_ctx *c, const cJSON *o,
			struct spec_resources *r)
{
	int n;

	if (get_i64(c, o, "limit", &r->memory.limit) < 0 ||
	    get_i64(c, o, "reservation", &r->memory.reservation) < 0 ||
	    get_i64(c, o, "swap", &r->memory.swap) < 0 ||
	    get_i64(c, o, "kernel", &r->memory.kernel) < 0 ||
	    get_i64(c, o, "kernelTCP", &r->memory.kernel_tcp) < 0 ||
	    json_get_bool(c, o, "disableOOMKiller", JSON_OPTIONAL,
			  &r->memory.disable_oom_killer) < 0)
		return failed(c);
	n = json_get_uint(c, o, "swappiness", JSON_OPTIONAL, 100,
			  &r->memory.swappiness);
	if (n < 0)
		return n;
	r->memory.has_swappiness = n;
	return 0;
}

static int dup_str(struct json_ctx *c, const cJSON *o, const char *key,
		   char **out)
{
	const char *s;
	int n = json_get_string(c, o, key, JSON_OPTIONAL, &s);

	if (n <= 0)
		return n;
	*out = strdup(s);
	return *out ? 0 : nomem(c);
}

static int parse_cpu(struct json_ctx *c, const cJSON *o,
		     struct spec_resources *r)
{
	int n;

	if (get_u64(c, o, "shares", &r->cpu.shares) < 0 ||
	    get_i64(c, o, "quota", &r->cpu.quota) < 0 ||
	    get_u64(c, o, "period", &r->cpu.period) < 0 ||
	    get_i64(c, o, "realtimeRuntime", &r->cpu.realtime_runtime) < 0 ||
	    get_u64(c, o, "realtimePeriod", &r->cpu.realtime_period) < 0 ||
	    dup_str(c, o, "cpus", &r->cpu.cpus) < 0 ||
	    dup_str(c, o, "mems", &r->cpu.mems) < 0)
		return failed(c);
	n = get_u64(c, o, "burst", &r->cpu.burst);
	if (n < 0)
		return n;
	r->cpu.has_burst = n;
	n = get_i64(c, o, "idle", &r->cpu.idle);
	if (n < 0)
		return n;
	r->cpu.has_idle = n;
	return 0;
}

/* A device number: -1 or absent is the wildcard "*". */
static int get_devnum(struct json_ctx *c, const cJSON *o, const char *key,
		      int64_t *out)
{
	*out = -1;
	return json_get_int(c, o, key, JSON_OPTIONAL, -1, UINT32_MAX, out);
}

static int parse_device(struct json_ctx *c, const cJSON *o,
			struct spec_device_rule *d)
{
	const char *type = "", *access = "", *p;
	size_t n = 0;

	if (json_get_bool(c, o, "allow", JSON_REQUIRED, &d->allow) < 0 ||
	    json_get_string(c, o, "type", JSON_OPTIONAL, &type) < 0 ||
	    get_devnum(c, o, "major", &d->major) < 0 ||
	    get_devnum(c, o, "minor", &d->minor) < 0 ||
	    json_get_string(c, o, "access", JSON_OPTIONAL, &access) < 0)
		return failed(c);
	if (!*type)
		type = "a";
	if (strlen(type) != 1 || !strchr("abc", *type))
		return json_fail(c, "type", "%s: expected \"a\", \"b\" or "
				 "\"c\"", type);
	d->type = *type;
	/* runc: no access means all of them. */
	if (!*access)
		access = "rwm";
	for (p = access; *p; p++)
		if (!strchr("rwm", *p))
			return json_fail(c, "access", "%s: expected letters "
					 "of \"rwm\"", access);
	for (p = "rwm"; *p; p++)
		if (strchr(access, *p))
			d->access[n++] = *p;
	d->access[n] = 0;
	return 0;
}

/*
 * Each object element of array key through fn into a calloc'd vector of
 * size-byte elements.
 */
static int each(struct json_ctx *c, const cJSON *o, const char *key,
		size_t size, void **vec, size_t *count,
		int (*fn)(struct json_ctx *c, const cJSON *el, void *item))
{
	const cJSON *arr, *el;
	size_t n, i = 0, mark, m;
	int r;

	r = json_get_array(c, o, key, JSON_OPTIONAL, &arr, &n);
	if (r <= 0 || !n)
		return r;
	*vec = calloc(n, size);
	if (!*vec)
		return nomem(c);
	mark = json_push(c, key);
	cJSON_ArrayForEach(el, arr) {
		m = json_push_index(c, i);
		r = json_as_object(c, el);
		if (!r)
			r = fn(c, el, (char *)*vec + i * size);
		json_pop(c, m);
		if (r < 0)
			break;
		*count = ++i;
	}
	json_pop(c, mark);
	return r < 0 ? r : 0;
}

static int device_el(struct json_ctx *c, const cJSON *el, void *item)
{
	return parse_device(c, el, item);
}

static int blkio_major_minor(struct json_ctx *c, const cJSON *el,
			     struct spec_blkio_dev *d)
{
	return json_get_int(c, el, "major", JSON_REQUIRED, 0, UINT32_MAX,
			    &d->major) < 0 ||
	       json_get_int(c, el, "minor", JSON_REQUIRED, 0, UINT32_MAX,
			    &d->minor) < 0 ? failed(c) : 0;
}

static int weight_dev_el(struct json_ctx *c, const cJSON *el, void *item)
{
	struct spec_blkio_dev *d = item;

	if (blkio_major_minor(c, el, d) < 0 ||
	    json_get_uint(c, el, "weight", JSON_OPTIONAL, 1000,
			  &d->weight) < 0 ||
	    json_get_uint(c, el, "leafWeight", JSON_OPTIONAL, 1000,
			  &d->leaf_weight) < 0)
		return failed(c);
	return 0;
}

static int throttle_el(struct json_ctx *c, const cJSON *el, void *item)
{
	struct spec_blkio_dev *d = item;

	if (blkio_major_minor(c, el, d) < 0 ||
	    json_get_uint(c, el, "rate", JSON_REQUIRED, UINT64_MAX,
			  &d->rate) < 0)
		return failed(c);
	return 0;
}

static const char throttle_keys[SPEC_THROTTLE_COUNT][24] = {
	"throttleReadBpsDevice", "throttleWriteBpsDevice",
	"throttleReadIOPSDevice", "throttleWriteIOPSDevice",
};

static int parse_blkio(struct json_ctx *c, const cJSON *o,
		       struct spec_resources *r)
{
	int t;

	if (json_get_uint(c, o, "weight", JSON_OPTIONAL, 1000,
			  &r->blkio.weight) < 0 ||
	    json_get_uint(c, o, "leafWeight", JSON_OPTIONAL, 1000,
			  &r->blkio.leaf_weight) < 0 ||
	    each(c, o, "weightDevice", sizeof(struct spec_blkio_dev),
		 (void **)&r->blkio.weight_devices,
		 &r->blkio.n_weight_devices, weight_dev_el) < 0)
		return failed(c);
	for (t = 0; t < SPEC_THROTTLE_COUNT; t++)
		if (each(c, o, throttle_keys[t], sizeof(struct spec_blkio_dev),
			 (void **)&r->blkio.throttle[t],
			 &r->blkio.n_throttle[t], throttle_el) < 0)
			return failed(c);
	return 0;
}

/* A name that becomes part of a cgroup file name: no '/', no '..'. */
static int check_name(struct json_ctx *c, const char *key, const char *s)
{
	if (!*s || strchr(s, '/') || !strcmp(s, ".") || !strcmp(s, ".."))
		return json_fail(c, key, "%s: invalid name", s);
	return 0;
}

static int hugepage_el(struct json_ctx *c, const cJSON *el, void *item)
{
	struct spec_hugepage *h = item;

	if (dup_str(c, el, "pageSize", &h->page_size) < 0 ||
	    json_get_uint(c, el, "limit", JSON_REQUIRED, UINT64_MAX,
			  &h->limit) < 0)
		return failed(c);
	if (!h->page_size)
		return json_fail(c, "pageSize", "missing");
	return check_name(c, "pageSize", h->page_size);
}

static int prio_el(struct json_ctx *c, const cJSON *el, void *item)
{
	struct spec_net_prio *p = item;
	uint64_t v;

	if (dup_str(c, el, "name", &p->name) < 0 ||
	    json_get_uint(c, el, "priority", JSON_REQUIRED, UINT32_MAX,
			  &v) < 0)
		return failed(c);
	if (!p->name)
		return json_fail(c, "name", "missing");
	p->priority = v;
	return 0;
}

static int parse_network(struct json_ctx *c, const cJSON *o,
			 struct spec_resources *r)
{
	uint64_t v;
	int n;

	n = json_get_uint(c, o, "classID", JSON_OPTIONAL, UINT32_MAX, &v);
	if (n < 0)
		return n;
	r->network.has_class_id = n;
	r->network.class_id = v;
	return each(c, o, "priorities", sizeof(struct spec_net_prio),
		    (void **)&r->network.priorities,
		    &r->network.n_priorities, prio_el);
}

/* An object of objects or strings: rdma {dev: {...}}, unified {k: v}. */
static int parse_map(struct json_ctx *c, const cJSON *o, const char *key,
		     struct spec_resources *r)
{
	const cJSON *m, *el;
	const char *v;
	size_t n, i = 0, mark, k;
	int rdma = !strcmp(key, "rdma"), ret = 0;

	ret = json_get_object(c, o, key, JSON_OPTIONAL, &m);
	if (ret <= 0 || !(n = cJSON_GetArraySize(m)))
		return ret;
	if (rdma)
		r->rdma = calloc(n, sizeof(*r->rdma));
	else
		r->unified = calloc(n, sizeof(*r->unified));
	if (rdma ? !r->rdma : !r->unified)
		return nomem(c);
	mark = json_push(c, key);
	cJSON_ArrayForEach(el, m) {
		k = json_push(c, el->string);
		if (rdma) {
			struct spec_rdma *d = &r->rdma[i];

			d->hca_handles = d->hca_objects = -1;
			ret = check_name(c, NULL, el->string);
			if (!ret)
				ret = json_as_object(c, el);
			if (!ret && (json_get_int(c, el, "hcaHandles",
						  JSON_OPTIONAL, 0, UINT32_MAX,
						  &d->hca_handles) < 0 ||
				     json_get_int(c, el, "hcaObjects",
						  JSON_OPTIONAL, 0, UINT32_MAX,
						  &d->hca_objects) < 0))
				ret = failed(c);
			if (!ret && !(d->device = strdup(el->string)))
				ret = nomem(c);
			if (!ret)
				r->n_rdma = ++i;
		} else {
			struct spec_kv *kv = &r->unified[i];

			ret = check_name(c, NULL, el->string);
			if (!ret)
				ret = json_as_string(c, el, &v);
			if (!ret && (!(kv->key = strdup(el->string)) ||
				     !(kv->value = strdup(v))))
				ret = nomem(c);
			if (kv->key)
				r->n_unified = ++i;
		}
		json_pop(c, k);
		if (ret < 0)
			break;
	}
	json_pop(c, mark);
	return ret;
}

static int in_object(struct json_ctx *c, const cJSON *o, const char *key,
		     struct spec_resources *r,
		     int (*fn)(struct json_ctx *c, const cJSON *o,
			       struct spec_resources *r))
{
	const cJSON *sub;
	size_t mark;
	int n;

	n = json_get_object(c, o, key, JSON_OPTIONAL, &sub);
	if (n <= 0)
		return n;
	mark = json_push(c, key);
	n = fn(c, sub, r);
	json_pop(c, mark);
	return n;
}

static int parse_pids(struct json_ctx *c, const cJSON *o,
		      struct spec_resources *r)
{
	return get_i64(c, o, "limit", &r->pids_limit) < 0 ? failed(c) : 0;
}

int spec_resources_parse(struct json_ctx *c, const cJSON *o,
			 struct spec_resources **out)
{
	struct spec_resources *r;

	*out = NULL;
	if (!o || json_is_empty(o))
		return o ? json_as_object(c, o) : 0;
	if (json_as_object(c, o) < 0)
		return failed(c);
	r = calloc(1, sizeof(*r));
	if (!r)
		return nomem(c);
	if (in_object(c, o, "memory", r, parse_memory) < 0 ||
	    in_object(c, o, "cpu", r, parse_cpu) < 0 ||
	    in_object(c, o, "pids", r, parse_pids) < 0 ||
	    each(c, o, "devices", sizeof(struct spec_device_rule),
		 (void **)&r->devices, &r->n_devices, device_el) < 0 ||
	    in_object(c, o, "blockIO", r, parse_blkio) < 0 ||
	    each(c, o, "hugepageLimits", sizeof(struct spec_hugepage),
		 (void **)&r->hugepages, &r->n_hugepages, hugepage_el) < 0 ||
	    in_object(c, o, "network", r, parse_network) < 0 ||
	    parse_map(c, o, "rdma", r) < 0 ||
	    parse_map(c, o, "unified", r) < 0) {
		spec_resources_free(r);
		return failed(c);
	}
	*out = r;
	return 0;
}

void spec_resources_free(struct spec_resources *r)
{
	size_t i;
	int t;

	if (!r)
		return;
	free(r->cpu.cpus);
	free(r->cpu.mems);
	free(r->devices);
	free(r->blkio.weight_devices);
	for (t = 0; t < SPEC_THROTTLE_COUNT; t++)
		free(r->blkio.throttle[t]);
	for (i = 0; i < r->n_hugepages; i++)
		free(r->hugepages[i].page_size);
	free(r->hugepages);
	for (i = 0; i < r->network.n_priorities; i++)
		free(r->network.priorities[i].name);
	free(r->network.priorities);
	for (i = 0; i < r->n_rdma; i++)
		free(r->rdma[i].device);
	free(r->rdma);
	for (i = 0; i < r->n_unified; i++) {
		free(r->unified[i].key);
		free(r->unified[i].value);
	}
	free(r->unified);
	free(r);
}

size_t spec_resources_needs(const struct spec_resources *r,
			    struct spec_res_need *need)
{
	size_t n = 0;
	int t, io = 0;

#define NEED(c, k) (need[n++] = (struct spec_res_need){ c, k })
	if (r->memory.limit || r->memory.reservation || r->memory.swap ||
	    r->memory.kernel_tcp || r->memory.has_swappiness ||
	    r->memory.disable_oom_killer)
		NEED("memory", "memory");
	if (r->cpu.shares || r->cpu.quota || r->cpu.period ||
	    r->cpu.realtime_runtime || r->cpu.realtime_period ||
	    r->cpu.has_burst || r->cpu.has_idle)
		NEED("cpu", "cpu");
	if (r->cpu.cpus || r->cpu.mems)
		NEED("cpuset", r->cpu.cpus ? "cpu.cpus" : "cpu.mems");
	if (r->pids_limit)
		NEED("pids", "pids");
	if (r->n_devices)
		NEED("devices", "devices");
	for (t = 0; t < SPEC_THROTTLE_COUNT; t++)
		io |= r->blkio.n_throttle[t] != 0;
	if (io || r->blkio.weight || r->blkio.leaf_weight ||
	    r->blkio.n_weight_devices)
		NEED("blkio", "blockIO");
	if (r->n_hugepages)
		NEED("hugetlb", "hugepageLimits");
	if (r->network.has_class_id)
		NEED("net_cls", "network.classID");
	if (r->network.n_priorities)
		NEED("net_prio", "network.priorities");
	if (r->n_rdma)
		NEED("rdma", "rdma");
#undef NEED
	return n;
}
