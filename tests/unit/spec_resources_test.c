/* spec_resources_test.c - the linux.resources parser (spec_resources.c). */
#include <errno.h>
#include <stdint.h>

#include "json.h"
#include "spec_resources.h"
#include "unit.h"

static struct err e;
static struct spec_resources *r;

static int parse(const char *text)
{
	struct json_ctx c;
	cJSON *o;
	int ret;

	text = unit_json(text);
	UNIT_EQ_INT(json_parse(text, strlen(text), "res.json", &o, &e), 0);
	json_ctx_init(&c, "res.json", &e);
	ret = spec_resources_parse(&c, o, &r);
	cJSON_Delete(o);
	return ret;
}

#define EXPECT_ERROR(text, want)					\
	do {								\
		UNIT_EQ_INT(parse(text), -EINVAL);			\
		UNIT_EQ_STR(e.msg, want);				\
		UNIT_NULL(r);						\
	} while (0)

UNIT_CASE(memory_and_swappiness)
{
	UNIT_EQ_INT(parse("{'memory': {'limit': 1048576, 'swap': -1,"
			  " 'swappiness': 0, 'disableOOMKiller': true}}"), 0);
	UNIT_EQ_INT(r->memory.limit, 1048576);
	UNIT_EQ_INT(r->memory.swap, -1);
	UNIT_EQ_INT(r->memory.has_swappiness, 1);
	UNIT_EQ_INT(r->memory.swappiness, 0);
	UNIT_EQ_INT(r->memory.disable_oom_killer, 1);
	spec_resources_free(r);
}

UNIT_CASE(swappiness_above_100)
{
	EXPECT_ERROR("{'memory': {'swappiness': 101}}",
		     "res.json: memory.swappiness: 101: out of range "
		     "(0..100)");
}

UNIT_CASE(limit_not_integer)
{
	EXPECT_ERROR("{'memory': {'limit': '1g'}}",
		     "res.json: memory.limit: expected integer");
}

UNIT_CASE(cpu_fields)
{
	UNIT_EQ_INT(parse("{'cpu': {'shares': 512, 'quota': -1,"
			  " 'period': 100000, 'cpus': '0-1', 'mems': '0',"
			  " 'idle': 0}}"), 0);
	UNIT_EQ_UINT(r->cpu.shares, 512);
	UNIT_EQ_INT(r->cpu.quota, -1);
	UNIT_EQ_STR(r->cpu.cpus, "0-1");
	UNIT_EQ_STR(r->cpu.mems, "0");
	UNIT_EQ_INT(r->cpu.has_idle, 1);
	spec_resources_free(r);
}

UNIT_CASE(device_defaults)
{
	UNIT_EQ_INT(parse("{'devices': [{'allow': false},"
			  " {'allow': true, 'type': 'c', 'major': 1,"
			  " 'minor': 3, 'access': 'wr'}]}"), 0);
	UNIT_EQ_INT(r->n_devices, 2);
	UNIT_EQ_INT(r->devices[0].type, 'a');
	UNIT_EQ_INT(r->devices[0].major, -1);
	UNIT_EQ_STR(r->devices[0].access, "rwm");
	UNIT_EQ_INT(r->devices[1].major, 1);
	UNIT_EQ_STR(r->devices[1].access, "rw");
	spec_resources_free(r);
}

UNIT_CASE(device_bad_type)
{
	EXPECT_ERROR("{'devices': [{'allow': true, 'type': 'x'}]}",
		     "res.json: devices[0].type: x: expected \"a\", \"b\" or "
		     "\"c\"");
}

UNIT_CASE(device_bad_access)
{
	EXPECT_ERROR("{'devices': [{'allow': true}, {'allow': false,"
		     " 'access': 'rx'}]}",
		     "res.json: devices[1].access: rx: expected letters of "
		     "\"rwm\"");
}

UNIT_CASE(device_allow_missing)
{
	EXPECT_ERROR("{'devices': [{'type': 'c'}]}",
		     "res.json: devices[0].allow: missing");
}

UNIT_CASE(blkio_throttle_and_hugepages)
{
	UNIT_EQ_INT(parse("{'blockIO': {'weight': 300,"
			  " 'throttleReadBpsDevice': [{'major': 8, 'minor': 0,"
			  " 'rate': 1048576}]},"
			  " 'hugepageLimits': [{'pageSize': '2MB',"
			  " 'limit': 4194304}]}"), 0);
	UNIT_EQ_UINT(r->blkio.weight, 300);
	UNIT_EQ_INT(r->blkio.n_throttle[SPEC_THROTTLE_READ_BPS], 1);
	UNIT_EQ_UINT(r->blkio.throttle[SPEC_THROTTLE_READ_BPS][0].rate,
		     1048576);
	UNIT_EQ_STR(r->hugepages[0].page_size, "2MB");
	spec_resources_free(r);
}

UNIT_CASE(hugepage_size_is_a_file_name)
{
	EXPECT_ERROR("{'hugepageLimits': [{'pageSize': '../x', 'limit': 1}]}",
		     "res.json: hugepageLimits[0].pageSize: ../x: "
		     "invalid name");
}

UNIT_CASE(unified_and_rdma)
{
	UNIT_EQ_INT(parse("{'unified': {'memory.high': '1G'},"
			  " 'rdma': {'mlx4_0': {'hcaHandles': 3}}}"), 0);
	UNIT_EQ_INT(r->n_unified, 1);
	UNIT_EQ_STR(r->unified[0].key, "memory.high");
	UNIT_EQ_STR(r->unified[0].value, "1G");
	UNIT_EQ_STR(r->rdma[0].device, "mlx4_0");
	UNIT_EQ_INT(r->rdma[0].hca_handles, 3);
	UNIT_EQ_INT(r->rdma[0].hca_objects, -1);
	spec_resources_free(r);
}

UNIT_CASE(unified_value_not_string)
{
	EXPECT_ERROR("{'unified': {'pids.max': 5}}",
		     "res.json: unified.pids.max: expected string");
}

UNIT_CASE(empty_is_none)
{
	UNIT_EQ_INT(parse("{'devices': [], 'memory': {}}"), 0);
	UNIT_NULL(r);
}

UNIT_CASE(needs_name_controllers)
{
	struct spec_res_need need[SPEC_RES_CTRL_MAX];

	UNIT_EQ_INT(parse("{'memory': {'limit': 1}, 'cpu': {'cpus': '0'},"
			  " 'pids': {'limit': 3}}"), 0);
	UNIT_EQ_INT(spec_resources_needs(r, need), 3);
	UNIT_EQ_STR(need[0].ctrl, "memory");
	UNIT_EQ_STR(need[1].ctrl, "cpuset");
	UNIT_EQ_STR(need[1].key, "cpu.cpus");
	UNIT_EQ_STR(need[2].ctrl, "pids");
	spec_resources_free(r);
}
