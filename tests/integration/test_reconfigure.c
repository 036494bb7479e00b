/* Integration test: `pscLab reconfigure` on a real portmap lab (three
 * KRaft brokers) brought up with --existing-cluster, lab name "rc-roll":
 *   before: no broker's server.properties has EXTERNAL, the NEG maps
 *   nothing, verify through PSC fails while the bastion's INTERNAL
 *   bootstrap passes;
 *   a broker that does not come back: PSCLAB_TEST_FAIL_BROKER=broker-node2
 *   (runtime/lab_kafka.h: its new server.properties gets an entry Kafka
 *   refuses, under a comment naming the variable) stops the roll at
 *   broker-node2, with its log tail; broker-node1 is reconfigured,
 *   broker-node3 untouched, both running; the producer (acks=all,
 *   idempotent) and the consumer ran all along: nothing it acknowledged
 *   is lost (the consumer's count of the acknowledged numbers); a
 *   reconfigure without --resume is refused;
 *   repaired (the variable unset), --resume finishes the roll with the
 *   producer running: 0 acknowledged messages lost, counted by the
 *   consumer against what the producer acknowledged, the NEG endpoints
 *   added, verify through PSC green (by the roll, and again here).
 * The lab is brought down whatever happens.  Root; skipped as a whole
 * (1..0 # SKIP) when not root or Kafka is not installed.  66 s here. */
#include "itlab.h"

#include "model/stage.h"
#include "runtime/kafka.h"
#include "runtime/lab_kafka.h"
#include "verify/reconfigure.h"
#include "verify/verify_run.h"

static const char *lab = "rc-roll";

static int group_setup(void **state)
{
	(void)state;
	setenv("PSCLAB_BIN", PSCLAB_SRCDIR "/bin/pscLab", 1);
	unsetenv(PSC_TEST_FAIL_BROKER_ENV);
	it_down(lab);
	const char *path = it_topology("portmap", lab, NULL);
	psc_up_opts o = {.existing_cluster = true};
	return it_lab_up(lab, path, &o);
}

static int group_teardown(void **state)
{
	(void)state;
	unsetenv(PSC_TEST_FAIL_BROKER_ENV);
	return it_lab_down(lab);
}

/* broker instance's server.properties as it is on disk (free it) */
static char *props(const char *instance)
{
	char dir[PATH_MAX], path[PATH_MAX + 64];
	assert_int_equal(psc_lab_node_dir(lab, instance, dir, sizeof(dir)), 0);
	snprintf(path, sizeof(path), "%s/config/server.properties", dir);
	char *s = psc_test_slurp(path);
	assert_non_null(s);
	return s;
}

static bool broker_alive(const char *instance)
{
	psc_state st;
	char err[512], name[80];
	bool alive = false;
	snprintf(name, sizeof(name), "kafka-%s", instance);
	assert_int_equal(psc_state_read(lab, &st, err, sizeof(err)), 0);
	for (size_t i = 0; i < st.n_procs; i++)
		if (strcmp(st.procs[i].name, name) == 0 &&
		    psc_proc_alive(&st.procs[i]))
			alive = true;
	psc_state_free(&st);
	return alive;
}

static const psc_verify_check *find(const psc_verify_report *r,
				    const char *part)
{
	for (size_t i = 0; i < r->n; i++)
		if (strstr(r->checks[i].name, part))
			return &r->checks[i];
	return NULL;
}

static void before(void **state)
{
	(void)state;
	static psc_verify_report r;
	char err[1024];
	for (int i = 1; i <= 3; i++) {
		char inst[32];
		snprintf(inst, sizeof(inst), "broker-node%d", i);
		char *s = props(inst);
		if (strstr(s, "EXTERNAL"))
			fail_msg("%s has EXTERNAL before the roll:\n%s", inst, s);
		free(s);
	}
	psc_verify_opts o = {.timeout_ms = 3000};
	assert_int_equal(psc_verify_run(lab, &o, &r, err, sizeof(err)), 0);
	const psc_verify_check *in = find(&r, "INTERNAL bootstrap");
	const psc_verify_check *ex = find(&r, "EXTERNAL bootstrap");
	fprintf(stderr, "# before: %zu checks, %zu failed\n", r.n, r.n_fail);
	if (!r.n_fail || !in || in->status != PSC_VERIFY_PASS || !ex ||
	    ex->status != PSC_VERIFY_FAIL) {
		psc_verify_print_text(&r, stderr);
		fail_msg("before the roll: verify through PSC must fail, the "
			 "bastion's INTERNAL pass and its EXTERNAL fail");
	}
}

static void print_report(const psc_roll_report *r)
{
	psc_roll_report_text(r, stderr);
}

static void workload_whole(const psc_roll_report *r, const char *when)
{
	const psc_roll_workload *w = &r->w;
	if (!w->produced || !w->consumed || w->acked < 100 || w->lost != 0 ||
	    w->distinct < w->acked) {
		print_report(r);
		fail_msg("%s: acked %ld, received %ld distinct, lost %ld", when,
			 w->acked, w->distinct, w->lost);
	}
	fprintf(stderr, "# %s: acked %ld, received %ld (%ld duplicates), "
		"lost %ld, longest stall %ld ms\n", when, w->acked, w->received,
		w->duplicates, w->lost, w->max_stall_ms);
}

static void stopped_roll(void **state)
{
	(void)state;
	static psc_roll_report r;
	char err[8192];
	psc_reconfigure_opts o = {.progress = stderr};
	setenv(PSC_TEST_FAIL_BROKER_ENV, "broker-node2", 1);
	int rc = psc_reconfigure_run(lab, &o, &r, err, sizeof(err));
	unsetenv(PSC_TEST_FAIL_BROKER_ENV);
	if (rc != 0)
		fail_msg("reconfigure did not run: %s", err);
	print_report(&r);
	assert_false(psc_roll_report_ok(&r));
	assert_string_equal(r.stopped_at, "broker-node2");
	assert_non_null(strstr(r.error, "did not come back"));
	assert_non_null(strstr(r.error, "not-a-number"));   /* its log tail */
	assert_non_null(strstr(r.error, "--resume"));
	assert_int_equal(r.stage->b[0].state, PSC_ROLL_DONE);
	assert_int_equal(r.stage->b[1].state, PSC_ROLL_FAILED);
	assert_int_equal(r.stage->b[2].state, PSC_ROLL_OLD);
	assert_false(r.neg_added);
	assert_false(r.verify_ran);
	workload_whole(&r, "stopped roll");
	psc_reconfigure_free(&r);
	assert_true(broker_alive("broker-node1"));
	assert_false(broker_alive("broker-node2"));
	assert_true(broker_alive("broker-node3"));
	char *s = props("broker-node3");
	assert_null(strstr(s, "EXTERNAL"));     /* untouched */
	free(s);
	/* again without --resume: refused */
	rc = psc_reconfigure_run(lab, &(psc_reconfigure_opts){0}, &r, err,
				 sizeof(err));
	psc_reconfigure_free(&r);
	assert_int_equal(rc, PSC_RECONF_REFUSED);
	assert_non_null(strstr(err, "stopped at broker-node2"));
}

static void resumed_roll(void **state)
{
	(void)state;
	static psc_roll_report r;
	static psc_verify_report v;
	char err[8192];
	psc_reconfigure_opts o = {.resume = true, .progress = stderr};
	int rc = psc_reconfigure_run(lab, &o, &r, err, sizeof(err));
	if (rc != 0)
		fail_msg("reconfigure --resume did not run: %s", err);
	print_report(&r);
	workload_whole(&r, "resumed roll");
	if (!psc_roll_report_ok(&r))
		fail_msg("the resumed roll is not OK: %s", r.error);
	for (size_t i = 0; i < r.stage->n; i++) {
		assert_int_equal(r.stage->b[i].state, PSC_ROLL_DONE);
		assert_true(r.stage->b[i].away_ms > 0);
		assert_true(r.stage->b[i].caught_up_ms >= r.stage->b[i].away_ms);
		fprintf(stderr, "# %s away %ld ms, in sync after %ld ms\n",
			r.stage->b[i].instance, r.stage->b[i].away_ms,
			r.stage->b[i].caught_up_ms);
	}
	assert_true(r.neg_added && r.verify_ran && r.verify_ok);
	psc_reconfigure_free(&r);
	char *s = props("broker-node3");
	assert_non_null(strstr(s, "EXTERNAL://b3.abc.us-west1.gcp.3199745."
				  "tidbcloud.com:9095"));
	assert_non_null(strstr(s, "EXTERNAL:PLAINTEXT"));
	free(s);
	psc_verify_opts vo = {0};
	assert_int_equal(psc_verify_run(lab, &vo, &v, err, sizeof(err)), 0);
	if (v.n_fail) {
		psc_verify_print_text(&v, stderr);
		fail_msg("verify after the roll is not green");
	}
	/* done: a third run is refused */
	rc = psc_reconfigure_run(lab, &(psc_reconfigure_opts){0}, &r, err,
				 sizeof(err));
	psc_reconfigure_free(&r);
	assert_int_equal(rc, PSC_RECONF_REFUSED);
	assert_non_null(strstr(err, "reconfigured already"));
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!it_can_run("test_reconfigure", true))
		return 0;
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(before),
		cmocka_unit_test(stopped_roll),
		cmocka_unit_test(resumed_roll),
	};
	return cmocka_run_group_tests_name("reconfigure", tests, group_setup,
					   group_teardown);
}
