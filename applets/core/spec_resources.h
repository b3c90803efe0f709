/*
 * spec_resources.h - linux.resources of config.json, and the
 * LinuxResources file of `oci-run update --resources` (runtime-spec
 * config-linux.md "Control groups" and the resource sections after it).
 * As runc's libcontainer/configs does, 0 means "not set" for the numbers
 * whose 0 would be meaningless as a limit; the few where 0 is a real value
 * carry their own has_ flag.  A negative limit means "unlimited" (max).
 */
#ifndef CORE_SPEC_RESOURCES_H
#define CORE_SPEC_RESOURCES_H

#include <stddef.h>
#include <stdint.h>

#include "json.h"

struct spec_device_rule {
	int allow;
	char type;		/* 'a', 'b' or 'c' */
	int64_t major, minor;	/* -1: any */
	char access[4];		/* a subset of "rwm", in that order */
};

struct spec_blkio_dev {
	int64_t major, minor;
	uint64_t weight, leaf_weight;	/* weightDevice: 0 not set */
	uint64_t rate;			/* throttle*Device */
};

enum spec_throttle {
	SPEC_THROTTLE_READ_BPS,
	SPEC_THROTTLE_WRITE_BPS,
	SPEC_THROTTLE_READ_IOPS,
	SPEC_THROTTLE_WRITE_IOPS,
	SPEC_THROTTLE_COUNT
};

struct spec_hugepage {
	char *page_size;	/* "2MB", as the cgroup file names spell it */
	uint64_t limit;
};

struct spec_net_prio {
	char *name;
	uint32_t priority;
};

struct spec_rdma {
	char *device;
	int64_t hca_handles, hca_objects;	/* -1: not set */
};

struct spec_kv {
	char *key, *value;
};

struct spec_resources {
	struct {
		int64_t limit, reservation, swap, kernel, kernel_tcp;
		int has_swappiness;
		uint64_t swappiness;
		int disable_oom_killer;
	} memory;
	struct {
		uint64_t shares, period, realtime_period;
		int64_t quota, realtime_runtime;
		int has_burst, has_idle;
		uint64_t burst;
		int64_t idle;
		char *cpus, *mems;	/* NULL: not set */
	} cpu;
	int64_t pids_limit;
	struct spec_device_rule *devices;
	size_t n_devices;
	struct {
		uint64_t weight, leaf_weight;
		struct spec_blkio_dev *weight_devices;
		size_t n_weight_devices;
		struct spec_blkio_dev *throttle[SPEC_THROTTLE_COUNT];
		size_t n_throttle[SPEC_THROTTLE_COUNT];
	} blkio;
	struct spec_hugepage *hugepages;
	size_t n_hugepages;
	struct {
		int has_class_id;
		uint32_t class_id;
		struct spec_net_prio *priorities;
		size_t n_priorities;
	} network;
	struct spec_rdma *rdma;
	size_t n_rdma;
	struct spec_kv *unified;
	size_t n_unified;
};

/*
 * Parse the LinuxResources object o (NULL: absent) at c's current path.
 * *out is NULL when o is absent or sets nothing, else owned by the caller
 * (spec_resources_free()).  Errors name the path:
 * "config.json: linux.resources.memory.limit: expected integer".
 */
int spec_resources_parse(struct json_ctx *c, const struct cJSON *o,
			 struct spec_resources **out);
void spec_resources_free(struct spec_resources *r);

/*
 * The controllers r needs, each once, in a fixed order ("memory", "cpu",
 * "cpuset", "pids", "devices", "blkio", "hugetlb", "net_cls", "net_prio",
 * "rdma"), with the config key that needs it ("memory", "cpu", "cpu.cpus",
 * ...).  Returns the count (at most SPEC_RES_CTRL_MAX).
 */
#define SPEC_RES_CTRL_MAX 12
struct spec_res_need {
	const char *ctrl;	/* v1 controller name */
	const char *key;	/* under linux.resources */
};
size_t spec_resources_needs(const struct spec_resources *r,
			    struct spec_res_need *need);

#endif
