/*
 * tests/fuzz/fuzz_uri.c: libFuzzer harness for the URI layer and the
 * name-addr / Contact decoders (lib/sip/uri.c, uri_compare.c, name_addr.c).
 *
 * Whole input: parsed as a URI, a name-addr and a Contact. Invariants that
 * abort: a parsed URI equals itself, its user unescapes without a parse
 * error, every slice lies inside the input, a name-addr's uri_text parses
 * to an equal URI, q and expires stay in range. When the input holds a
 * '\n', the two halves are also parsed as URIs and compared both ways:
 * sl_uri_equal() must be symmetric.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sipline/error.h"
#include "sipline/headers.h"
#include "sipline/uri.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void inside(struct sl_slice s, const char *p, size_t size)
{
	if (s.len && (s.p < p || s.len > size ||
		      (size_t)(s.p - p) > size - s.len))
		abort();
}

static void check_uri(const struct sl_uri *u, const char *p, size_t size)
{
	struct sl_slice v;
	char buf[64];
	int n;

	inside(u->scheme_name, p, size);
	inside(u->user, p, size);
	inside(u->password, p, size);
	inside(u->host, p, size);
	inside(u->params, p, size);
	inside(u->headers, p, size);
	inside(u->opaque, p, size);
	if (sl_uri_equal(u, u) != 1)
		abort();
	if (sl_uri_param(u, "transport", &v) == 1)
		inside(v, p, size);
	if (sl_uri_param(u, "lr", &v) == 1)
		inside(v, p, size);
	if (sl_uri_param(u, "maddr", NULL) < 0)
		abort();
	if (sl_uri_header(u, "Replaces", &v) == 1) {
		inside(v, p, size);
		n = sl_uri_unescape(v, buf, sizeof(buf));
		if (n != SL_ENOSPC && n != SL_EPARSE && n < 0)
			abort();
	}
	/* the parser accepted only well-formed escapes in a user part */
	n = sl_uri_unescape(u->user, buf, sizeof(buf));
	if (n == SL_EPARSE || (n >= 0 && ((size_t)n >= sizeof(buf) ||
					  buf[n] != '\0')))
		abort();
}

static void check_name_addr(const struct sl_name_addr *na, const char *p,
			    size_t size)
{
	struct sl_uri again;

	inside(na->display, p, size);
	inside(na->uri_text, p, size);
	inside(na->params, p, size);
	inside(na->tag, p, size);
	check_uri(&na->uri, p, size);
	if (sl_uri_parse(na->uri_text.p, na->uri_text.len, &again) != 0 ||
	    sl_uri_equal(&again, &na->uri) != 1)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data;
	const char *nl;
	struct sl_uri u;
	struct sl_name_addr na;
	struct sl_contact c;
	struct sl_slice v = { p, size };

	if (!p)
		return 0;
	if (sl_uri_parse(p, size, &u) == 0)
		check_uri(&u, p, size);
	if (sl_name_addr_decode(v, &na) == 0)
		check_name_addr(&na, p, size);
	if (sl_contact_decode(v, &c) == 0) {
		if (c.q < -1 || c.q > 1000 || c.expires < -1 ||
		    c.expires > 0xffffffffLL)
			abort();
		if (!c.star)
			check_name_addr(&c.addr, p, size);
	}

	nl = size ? memchr(p, '\n', size) : NULL;
	if (nl) {
		struct sl_uri a, b;
		size_t la = (size_t)(nl - p);

		if (sl_uri_parse(p, la, &a) == 0 &&
		    sl_uri_parse(nl + 1, size - la - 1, &b) == 0 &&
		    sl_uri_equal(&a, &b) != sl_uri_equal(&b, &a))
			abort();
	}
	return 0;
}
