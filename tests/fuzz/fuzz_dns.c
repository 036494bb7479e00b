/* libFuzzer target: the DNS stub's psc_dns_answer on arbitrary bytes.
 * The first byte picks the transport and the output buffer size; the rest
 * is the message.  Checked: no crash, leak or hang; an answer fits the
 * buffer, parses back with ldns, is a response with the query's id, and
 * UDP answers keep to the EDNS size.  Seeds: tests/fuzz/dns-seeds/ (the
 * first byte 0x02: UDP, a full buffer).  Built and run for a bounded time
 * by `make fuzz` (FUZZ_SECONDS). */
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <ldns/ldns.h>

#include "services/dns.h"

#define ZONE "abc.us-west1.gcp.3199745.tidbcloud.com."

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void add(psc_dns_zone_rt *z, const char *name, uint32_t a)
{
	if (z->n_records >= PSC_DNS_MAX_RECORDS)
		return;
	snprintf(z->records[z->n_records].name, PSC_DNS_NAME_LEN, "%s", name);
	z->records[z->n_records++].a = a;
}

static const psc_dns_config *config(void)
{
	static psc_dns_config cfg;
	static int ready;
	if (ready)
		return &cfg;
	cfg.n_zones = 2;
	psc_dns_zone_rt *z = &cfg.zones[0];
	snprintf(z->origin, PSC_DNS_NAME_LEN, "%s", ZONE);
	add(z, "*." ZONE, 0xac10000a);
	add(z, "b1." ZONE, 0xac10000b);
	add(z, "*.sub." ZONE, 0xac10000c);
	add(z, "host.deep.ent." ZONE, 0xac10000d);
	add(z, ZONE, 0xac10000e);
	while (z->n_records < PSC_DNS_MAX_RECORDS)
		add(z, "many." ZONE, 0x0a000000u + (uint32_t)z->n_records);
	z = &cfg.zones[1];
	snprintf(z->origin, PSC_DNS_NAME_LEN, "tidbcloud.com.");
	add(z, "*.tidbcloud.com.", 0x01010101);
	char err[256];
	if (psc_dns_config_check(&cfg, err, sizeof(err)) != 0) {
		fprintf(stderr, "fuzz_dns: %s\n", err);
		abort();
	}
	ready = 1;
	return &cfg;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t out[65536];
	if (size < 1)
		return 0;
	uint8_t mode = data[0];
	bool tcp = mode & 1;
	/* bit 1: a full buffer; else 12..1000 bytes, to reach truncation */
	size_t outcap = (mode & 2) ? 65535 : 12 + (size_t)(mode >> 2) * 16;
	const uint8_t *q = data + 1;
	size_t qlen = size - 1;

	long n = psc_dns_answer(config(), q, qlen, out, outcap, tcp);
	if (n < 0) {
		/* only when the buffer cannot hold header and question */
		if (outcap >= 512)
			abort();
		return 0;
	}
	if (n == 0)
		return 0;
	if ((size_t)n > outcap || n < 12 || qlen < 12 || (q[2] & 0x80))
		abort();
	if (!tcp && n > PSC_DNS_EDNS_SIZE)
		abort();
	ldns_pkt *r = NULL;
	if (ldns_wire2pkt(&r, out, (size_t)n) != LDNS_STATUS_OK || !r)
		abort();
	if (!ldns_pkt_qr(r) || ldns_pkt_id(r) != ((q[0] << 8) | q[1]))
		abort();
	/* past 512 over UDP only for a query with EDNS */
	if (!tcp && n > 512 && !ldns_pkt_edns(r))
		abort();
	ldns_pkt_free(r);
	return 0;
}
