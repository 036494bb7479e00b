/* Unit tests: the existing cluster before PSC and its rolling reconfigure
 * (model/stage.h): the stage of portmap and the proxy way's refusal, each
 * broker's server.properties without the EXTERNAL listener (the seed's
 * "before": listeners, advertised.listeners and the protocol map) and with
 * it once its roll began, the NEGs emptied until the roll ends; the roll's
 * state machine (next broker, a stopped roll, --resume, complete) and its
 * description; the report (roll_report.h): psclab-kclient's final lines
 * read, the verdict, text and JSON. */
#define _GNU_SOURCE
#include "psc_test.h"

#include <jansson.h>

#include "model/stage.h"
#include "runtime/kafka.h"
#include "verify/roll_report.h"

#define NODE_DIR "/run/psclab/portmap/nodes/broker-node1"

/* the value of key= in broker instance's server.properties (static) */
static const char *prop_of(const psc_topology *t, const char *instance,
			   const char *key)
{
	static char val[4096];
	char *buf = NULL, err[512], want[128];
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	assert_non_null(f);
	psc_broker *b = psc_find_broker_by_instance((psc_kafka *)&t->kafka,
						    instance);
	assert_non_null(b);
	if (psc_kafka_server_properties(t, psc_test_plan(t), b, NODE_DIR, f,
					err, sizeof(err)) != 0)
		fail_msg("server.properties of %s: %s", instance, err);
	fclose(f);
	snprintf(want, sizeof(want), "\n%s=", key);
	char *at = strstr(buf, want);
	assert_non_null(at);
	at += strlen(want);
	snprintf(val, sizeof(val), "%.*s", (int)strcspn(at, "\n"), at);
	free(buf);
	return val;
}

static size_t neg_endpoints(const psc_topology *t)
{
	size_t n = 0;
	for (size_t i = 0; i < t->n_network_endpoint_groups; i++)
		n += t->network_endpoint_groups[i].n_endpoints;
	return n;
}

static void stage_before_and_after(void **state)
{
	(void)state;
	char err[1024];
	psc_stage s;
	psc_topology *t = psc_test_load("topologies/portmap.yaml");
	const char *full = strdup(prop_of(t, "broker-node1", "listeners"));
	const char *full_adv =
		strdup(prop_of(t, "broker-node1", "advertised.listeners"));
	assert_int_equal(psc_stage_init(&s, t, err, sizeof(err)), 0);
	assert_int_equal(s.n, 3);
	assert_true(s.present && !s.neg_mapped);
	assert_int_equal(psc_stage_apply(t, &s, err, sizeof(err)), 0);
	/* the seed's "before": no EXTERNAL anywhere */
	assert_string_equal(prop_of(t, "broker-node1", "listeners"),
			    "INTERNAL://0.0.0.0:9092,CONTROLLER://0.0.0.0:29092");
	assert_string_equal(prop_of(t, "broker-node1", "advertised.listeners"),
			    "INTERNAL://10.64.0.2:9092");
	assert_string_equal(prop_of(t, "broker-node2",
				    "listener.security.protocol.map"),
			    "INTERNAL:PLAINTEXT,CONTROLLER:PLAINTEXT,SSL:SSL,"
			    "SASL_PLAINTEXT:SASL_PLAINTEXT,SASL_SSL:SASL_SSL");
	assert_int_equal(neg_endpoints(t), 0);
	psc_topology_free(t);

	/* broker-node1's roll began: it alone has EXTERNAL, as the topology's */
	psc_stage_mark(&s, 0, PSC_ROLL_RESTARTING, 0, 0, NULL);
	t = psc_test_load("topologies/portmap.yaml");
	assert_int_equal(psc_stage_apply(t, &s, err, sizeof(err)), 0);
	assert_string_equal(prop_of(t, "broker-node1", "listeners"), full);
	assert_string_equal(prop_of(t, "broker-node1", "advertised.listeners"),
			    full_adv);
	assert_non_null(strstr(full_adv, "EXTERNAL://b1.abc.us-west1.gcp."
					 "3199745.tidbcloud.com:9093"));
	assert_non_null(strstr(prop_of(t, "broker-node1",
				       "listener.security.protocol.map"),
			       "EXTERNAL:PLAINTEXT"));
	assert_null(strstr(prop_of(t, "broker-node2", "listeners"),
			   "EXTERNAL"));
	assert_int_equal(neg_endpoints(t), 0);
	psc_topology_free(t);

	/* rolled and mapped: exactly the topology */
	for (size_t i = 0; i < s.n; i++)
		psc_stage_mark(&s, i, PSC_ROLL_DONE, 1000, 2000, NULL);
	s.neg_mapped = true;
	t = psc_test_load("topologies/portmap.yaml");
	assert_int_equal(psc_stage_apply(t, &s, err, sizeof(err)), 0);
	assert_int_equal(neg_endpoints(t), 3);
	assert_string_equal(prop_of(t, "broker-node3", "listeners"), full);
	/* a stage naming a broker the topology has not */
	snprintf(s.b[2].instance, sizeof(s.b[2].instance), "broker-node9");
	assert_int_equal(psc_stage_apply(t, &s, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "broker-node9"));
	psc_topology_free(t);
	psc_stage_free(&s);
	free((void *)full);
	free((void *)full_adv);
}

static void stage_proxy_refused(void **state)
{
	(void)state;
	char err[1024];
	psc_stage s;
	psc_topology *t = psc_test_load("topologies/proxy.yaml");
	assert_int_equal(psc_stage_init(&s, t, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "proxy way"));
	assert_non_null(strstr(err, "stays as it is"));
	assert_false(s.present);
	psc_topology_free(t);
}

static void roll_state_machine(void **state)
{
	(void)state;
	char err[2048], what[256];
	psc_stage s;
	psc_topology *t = psc_test_load("topologies/portmap.yaml");
	assert_int_equal(psc_stage_init(&s, t, err, sizeof(err)), 0);
	psc_stage_describe(&s, what, sizeof(what));
	assert_string_equal(what, "existing cluster: 3 brokers without "
				  "EXTERNAL, no NEG endpoint");
	assert_int_equal(psc_stage_may_begin(&s, "lab", false, err,
					     sizeof(err)), 0);
	/* --resume before anything began */
	assert_int_equal(psc_stage_may_begin(&s, "lab", true, err,
					     sizeof(err)), -1);
	assert_non_null(strstr(err, "nothing to resume"));
	assert_int_equal(psc_stage_next(&s), 0);
	psc_stage_mark(&s, 0, PSC_ROLL_DONE, 3100, 3900, NULL);
	assert_int_equal(psc_stage_next(&s), 1);
	psc_stage_describe(&s, what, sizeof(what));
	assert_string_equal(what, "rolling: 1 of 3 brokers reconfigured");
	/* broker-node2 did not come back: the roll stops there */
	psc_stage_mark(&s, 1, PSC_ROLL_FAILED, 0, 0, "did not come back");
	assert_int_equal(psc_stage_stopped_at(&s), 1);
	assert_int_equal(psc_stage_next(&s), 1);
	assert_int_equal(psc_stage_may_begin(&s, "lab", false, err,
					     sizeof(err)), -1);
	assert_non_null(strstr(err, "stopped at broker-node2"));
	assert_non_null(strstr(err, "sudo pscLab reconfigure lab --resume"));
	assert_int_equal(psc_stage_may_begin(&s, "lab", true, err,
					     sizeof(err)), 0);
	/* a reconfigure killed mid-restart: resumed there too */
	psc_stage_mark(&s, 1, PSC_ROLL_RESTARTING, 0, 0, NULL);
	assert_int_equal(psc_stage_next(&s), 1);
	assert_true(psc_stage_external(&s.b[1]));
	assert_false(psc_stage_external(&s.b[2]));
	psc_stage_mark(&s, 1, PSC_ROLL_DONE, 1, 2, NULL);
	psc_stage_mark(&s, 2, PSC_ROLL_DONE, 1, 2, NULL);
	assert_int_equal(psc_stage_next(&s), -1);
	assert_false(psc_stage_complete(&s));
	psc_stage_describe(&s, what, sizeof(what));
	assert_non_null(strstr(what, "NEG endpoints not added"));
	assert_int_equal(psc_stage_may_begin(&s, "lab", true, err,
					     sizeof(err)), 0);
	s.neg_mapped = true;
	assert_true(psc_stage_complete(&s));
	assert_int_equal(psc_stage_may_begin(&s, "lab", false, err,
					     sizeof(err)), -1);
	assert_non_null(strstr(err, "reconfigured already"));
	psc_stage_free(&s);
	/* no stage: not brought up with --existing-cluster */
	memset(&s, 0, sizeof(s));
	assert_int_equal(psc_stage_may_begin(&s, "lab", false, err,
					     sizeof(err)), -1);
	assert_non_null(strstr(err, "--existing-cluster"));
	assert_string_equal(psc_roll_state_name(PSC_ROLL_FAILED), "failed");
	assert_int_equal(psc_roll_state_of("restarting"), PSC_ROLL_RESTARTING);
	assert_int_equal(psc_roll_state_of("nope"), -1);
	psc_topology_free(t);
}

static const char produce_line[] =
	"{\"client\":\"franz\",\"acked\":4210,\"failed\":0,\"first_error\":\"\","
	"\"dialed\":[],\"dial_failures\":[],\"max_stall_ms\":1830,\"ms\":42000,"
	"\"max_partition_stall_ms\":3120}";
static const char consume_line[] =
	"{\"client\":\"franz\",\"received\":4212,\"distinct\":4210,"
	"\"duplicates\":2,\"lost\":0,\"lost_sample\":[],\"ms\":43000,"
	"\"error\":\"\"}";

/* a stage of 3 brokers all DONE and mapped, a report of a good run */
static void good_run(psc_stage *s, psc_roll_report *r)
{
	assert_int_equal(psc_stage_alloc(s, 3), 0);
	s->present = s->neg_mapped = true;
	for (size_t i = 0; i < 3; i++) {
		snprintf(s->b[i].instance, sizeof(s->b[i].instance),
			 "broker-node%zu", i + 1);
		psc_stage_mark(s, i, PSC_ROLL_DONE, 3000 + (long)i, 4000, NULL);
	}
	psc_roll_report_init(r, "rc-roll", s, false);
	char log[1024];
	snprintf(log, sizeof(log), "psclab-kclient: a warning\n%s\nnot json\n",
		 produce_line);
	char line[1024];
	assert_int_equal(psc_roll_last_json(log, "acked", line, sizeof(line)),
			 0);
	assert_string_equal(line, produce_line);
	assert_int_equal(psc_roll_last_json(log, "received", line,
					    sizeof(line)), -1);
	assert_int_equal(psc_roll_parse_produce(line, &r->w), 0);
	assert_int_equal(psc_roll_parse_consume(consume_line, &r->w), 0);
	r->w.ran = true;
	r->neg_added = r->verify_ran = r->verify_ok = true;
	r->v_pass = 23;
}

static void report(void **state)
{
	(void)state;
	static psc_roll_report r;
	psc_stage s;
	good_run(&s, &r);
	assert_int_equal(r.w.acked, 4210);
	assert_int_equal(r.w.max_stall_ms, 1830);
	assert_int_equal(r.w.max_partition_stall_ms, 3120);
	assert_int_equal(r.w.duplicates, 2);
	assert_int_equal(r.w.lost, 0);
	assert_true(psc_roll_report_ok(&r));

	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	psc_roll_report_text(&r, f);
	fclose(f);
	assert_non_null(strstr(buf, "acknowledged messages lost: 0"));
	assert_non_null(strstr(buf, "longest produce stall 1.8 s"));
	if (!strstr(buf, "  broker-node2     done             3.0 s      4.0 s\n"))
		fail_msg("no broker-node2 row in:\n%s", buf);
	assert_non_null(strstr(buf, "verify through PSC: green"));
	free(buf);

	f = open_memstream(&buf, &len);
	psc_roll_report_json(&r, f);
	fclose(f);
	json_error_t je;
	json_t *o = json_loads(buf, 0, &je);
	assert_non_null(o);
	assert_true(json_is_true(json_object_get(o, "ok")));
	assert_true(json_is_null(json_object_get(o, "stopped_at")));
	json_t *w = json_object_get(o, "workload");
	assert_int_equal(json_integer_value(json_object_get(w, "lost")), 0);
	assert_int_equal(json_integer_value(json_object_get(w, "duplicates")),
			 2);
	json_t *b = json_array_get(json_object_get(o, "brokers"), 1);
	assert_int_equal(json_integer_value(json_object_get(b, "away_ms")),
			 3001);
	assert_int_equal(json_integer_value(json_object_get(
				 json_object_get(o, "verify"), "passed")), 23);
	json_decref(o);
	free(buf);

	/* one message lost, a stopped roll, a bad line: not OK */
	r.w.lost = 1;
	assert_false(psc_roll_report_ok(&r));
	r.w.lost = 0;
	snprintf(r.stopped_at, sizeof(r.stopped_at), "broker-node2");
	assert_false(psc_roll_report_ok(&r));
	r.stopped_at[0] = '\0';
	r.verify_ok = false;
	assert_false(psc_roll_report_ok(&r));
	psc_roll_workload bad;
	memset(&bad, 0, sizeof(bad));
	assert_int_equal(psc_roll_parse_produce("{\"received\":1}", &bad), -1);
	assert_int_equal(psc_roll_parse_consume("garbage", &bad), -1);
	assert_non_null(strstr(bad.error, "not JSON"));
	assert_false(bad.produced || bad.consumed);
	psc_stage_free(&s);
}

int main(void)
{
	psc_test_chdir();
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(stage_before_and_after),
		cmocka_unit_test(stage_proxy_refused),
		cmocka_unit_test(roll_state_machine),
		cmocka_unit_test(report),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
