/* Unit tests: the address plan (addr.c). */
#include "psc_test.h"

#include "model/addr.h"

static void cidr_parse_ok(void **state)
{
	(void)state;
	psc_cidr c;
	char err[128], buf[32];
	assert_int_equal(psc_cidr_parse("10.64.0.0/18", &c, err, sizeof(err)), 0);
	assert_int_equal(c.len, 18);
	assert_string_equal(psc_cidr_str(&c, buf, sizeof(buf)), "10.64.0.0/18");
	assert_int_equal(psc_cidr_size(&c), 16384);
	assert_int_equal(psc_subnet_usable(&c), 16380);
	assert_string_equal(psc_ip_str(psc_cidr_last(&c), buf, sizeof(buf)),
			    "10.64.63.255");
	assert_int_equal(psc_cidr_parse("0.0.0.0/0", &c, err, sizeof(err)), 0);
	assert_int_equal(psc_cidr_size(&c), 4294967296ULL);
}

static void cidr_parse_bad(void **state)
{
	(void)state;
	psc_cidr c;
	char err[128];
	assert_int_equal(psc_cidr_parse("10.64.0.0/33", &c, err, sizeof(err)), -1);
	assert_string_equal(err, "'10.64.0.0/33': prefix length 33 is out of range 0..32");
	assert_int_equal(psc_cidr_parse("10.64.0.1/18", &c, err, sizeof(err)), -1);
	assert_string_equal(err, "'10.64.0.1/18' has host bits set (the range is 10.64.0.0/18)");
	assert_int_equal(psc_cidr_parse("10.64.0.0", &c, err, sizeof(err)), -1);
	assert_int_equal(psc_cidr_parse("10.300.0.0/8", &c, err, sizeof(err)), -1);
	assert_int_equal(psc_cidr_parse("10.0.0.0/1x", &c, err, sizeof(err)), -1);
	assert_int_equal(psc_cidr_parse("/8", &c, err, sizeof(err)), -1);
	assert_int_equal(psc_cidr_parse("", &c, err, sizeof(err)), -1);
}

static void overlap_and_contain(void **state)
{
	(void)state;
	psc_cidr a, b, c;
	char err[64];
	uint32_t ip;
	psc_cidr_parse("10.0.0.0/18", &a, err, sizeof(err));
	psc_cidr_parse("10.0.32.0/20", &b, err, sizeof(err));
	psc_cidr_parse("10.64.0.0/18", &c, err, sizeof(err));
	assert_true(psc_cidr_overlaps(&a, &b));
	assert_true(psc_cidr_overlaps(&b, &a));
	assert_false(psc_cidr_overlaps(&a, &c));
	assert_true(psc_cidr_within(&b, &a));
	assert_false(psc_cidr_within(&a, &b));
	psc_ip_parse("10.0.63.255", &ip, err, sizeof(err));
	assert_true(psc_cidr_contains(&a, ip));
	assert_true(psc_subnet_reserved(&a, ip));
	psc_ip_parse("10.0.0.1", &ip, err, sizeof(err));
	assert_true(psc_subnet_reserved(&a, ip));
	assert_int_equal(psc_subnet_gateway(&a), ip);
	psc_ip_parse("10.0.0.2", &ip, err, sizeof(err));
	assert_false(psc_subnet_reserved(&a, ip));
	psc_ip_parse("10.64.0.2", &ip, err, sizeof(err));
	assert_false(psc_cidr_contains(&a, ip));
}

static void hostport(void **state)
{
	(void)state;
	char host[64], err[128];
	int port;
	assert_int_equal(psc_hostport_parse("b1.abc.example.com:9093", host,
					    sizeof(host), &port, err, sizeof(err)), 0);
	assert_string_equal(host, "b1.abc.example.com");
	assert_int_equal(port, 9093);
	assert_int_equal(psc_hostport_parse("h:0", host, sizeof(host), &port,
					    err, sizeof(err)), -1);
	assert_string_equal(err, "'h:0': port 0 is out of range 1..65535");
	assert_int_equal(psc_hostport_parse("h", host, sizeof(host), &port,
					    err, sizeof(err)), -1);
	assert_int_equal(psc_hostport_parse(":80", host, sizeof(host), &port,
					    err, sizeof(err)), -1);
	assert_int_equal(psc_hostport_parse("h:80x", host, sizeof(host), &port,
					    err, sizeof(err)), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(cidr_parse_ok),
		cmocka_unit_test(cidr_parse_bad),
		cmocka_unit_test(overlap_and_contain),
		cmocka_unit_test(hostport),
	};
	return cmocka_run_group_tests_name("addr", tests, NULL, NULL);
}
