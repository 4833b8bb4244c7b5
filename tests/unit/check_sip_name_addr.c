/*
 * tests/unit/check_sip_name_addr.c: name-addr / addr-spec values and
 * Contact (lib/sip/name_addr.c).
 *
 * Vectors carry their source (RFC 3261 section, RFC 4475 test name,
 * RFC 5118 section) in @ref so a failure names it.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "sipline/error.h"
#include "sipline/headers.h"

static void check_slice(struct sl_slice s, const char *want, const char *what,
			const char *base, size_t len, const char *ref)
{
	size_t n = want ? strlen(want) : 0;

	ck_assert_msg(s.len == n && (n == 0 || memcmp(s.p, want, n) == 0),
		      "%s: %s is '%.*s', want '%s'", ref, what, (int)s.len,
		      s.p ? s.p : "", want ? want : "");
	if (n)
		ck_assert_msg(s.p >= base && s.p + s.len <= base + len,
			      "%s: %s does not point into the input", ref,
			      what);
}

/* An exact-size copy without a NUL, so ASan sees any over-read. */
static char *exact_copy(const char *text, size_t *len)
{
	char *buf;

	*len = strlen(text);
	buf = malloc(*len ? *len : 1);
	memcpy(buf, text, *len);
	return buf;
}

/* ---- name-addr ---- */

struct na_vec {
	const char *ref;
	const char *text;
	const char *display;
	int quoted;
	const char *uri_text;
	int angle;
	enum sl_uri_scheme scheme;
	const char *host;
	const char *params;
	const char *tag;
};

static const struct na_vec good[] = {
	{ "3261 20.20", "\"Alice\" <sip:alice@atlanta.com>;tag=1928301774",
	  "Alice", 1, "sip:alice@atlanta.com", 1, SL_URI_SIP, "atlanta.com",
	  "tag=1928301774", "1928301774" },
	{ "3261 20.39", "Bob <sip:bob@biloxi.com>", "Bob", 0,
	  "sip:bob@biloxi.com", 1, SL_URI_SIP, "biloxi.com", "", "" },
	{ "no display", "<sip:carol@chicago.com>", "", 0,
	  "sip:carol@chicago.com", 1, SL_URI_SIP, "chicago.com", "", "" },
	{ "3261 20.39 addr-spec", "sip:carol@chicago.com;tag=887s", "", 0,
	  "sip:carol@chicago.com", 0, SL_URI_SIP, "chicago.com", "tag=887s",
	  "887s" },
	{ "4475 lwsdisp", "caller<sip:caller@example.com>;tag=323", "caller",
	  0, "sip:caller@example.com", 1, SL_URI_SIP, "example.com",
	  "tag=323", "323" },
	{ "4475 wsinv from",
	  "\"J Rosenberg \\\\\\\"\"       <sip:jdrosen@example.com>  ;  "
	  "tag = 98asjd8",
	  "J Rosenberg \\\\\\\"", 1, "sip:jdrosen@example.com", 1,
	  SL_URI_SIP, "example.com", "tag = 98asjd8", "98asjd8" },
	{ "4475 wsinv to",
	  "\"Quoted string \\\"\\\"\" <sip:jdrosen@example.com> ; "
	  "newparam = newvalue ;  secondparam ; q = 0.33",
	  "Quoted string \\\"\\\"", 1, "sip:jdrosen@example.com", 1,
	  SL_URI_SIP, "example.com",
	  "newparam = newvalue ;  secondparam ; q = 0.33", "" },
	{ "4475 wsinv t",
	  "sip:vivekg@chair-dnrc.example.com;tag=1918181833n", "", 0,
	  "sip:vivekg@chair-dnrc.example.com", 0, SL_URI_SIP,
	  "chair-dnrc.example.com", "tag=1918181833n", "1918181833n" },
	{ "empty quoted display", "\"\" <sip:anon@example.com>", "", 1,
	  "sip:anon@example.com", 1, SL_URI_SIP, "example.com", "", "" },
	{ "token display LWS", "Joe  Q.   Public <sip:jqp@example.com>",
	  "Joe  Q.   Public", 0, "sip:jqp@example.com", 1, SL_URI_SIP,
	  "example.com", "", "" },
	{ "token display chars", "A-b_c.d!e%f*g+h`i'j~k <sip:a@b>",
	  "A-b_c.d!e%f*g+h`i'j~k", 0, "sip:a@b", 1, SL_URI_SIP, "b", "", "" },
	{ "4475 esc01 from",
	  "\"I have spaces\" <sip:%75se%72@example.com>;tag=938",
	  "I have spaces", 1, "sip:%75se%72@example.com", 1, SL_URI_SIP,
	  "example.com", "tag=938", "938" },
	{ "4475 esc01 contact",
	  "<sip:cal%6Cer@host5.example.net;%6C%72;n%61me=v%61lue%25%34%31>",
	  "", 0,
	  "sip:cal%6Cer@host5.example.net;%6C%72;n%61me=v%61lue%25%34%31", 1,
	  SL_URI_SIP, "host5.example.net", "", "" },
	{ "4475 unksm2 to", "isbn:2983792873", "", 0, "isbn:2983792873", 0,
	  SL_URI_OTHER, "", "", "" },
	{ "unknown scheme angle", "<name:John_Mc_Doe>", "", 0,
	  "name:John_Mc_Doe", 1, SL_URI_OTHER, "", "", "" },
	{ "5118 4.1 contact", "\"Caller\" <sip:caller@[2001:db8::1]>",
	  "Caller", 1, "sip:caller@[2001:db8::1]", 1, SL_URI_SIP,
	  "2001:db8::1", "", "" },
	{ "4475 regbadct fixed",
	  "<sip:user@example.com?Route=%3Csip:sip.example.com%3E>", "", 0,
	  "sip:user@example.com?Route=%3Csip:sip.example.com%3E", 1,
	  SL_URI_SIP, "example.com", "", "" },
	{ "surrounding ws", "  <sip:a@b>  ", "", 0, "sip:a@b", 1, SL_URI_SIP,
	  "b", "", "" },
	{ "v6 gen-value", "<sip:a@b>;received=[2001:db8::1]", "", 0,
	  "sip:a@b", 1, SL_URI_SIP, "b", "received=[2001:db8::1]", "" },
	{ "quoted gen-value", "<sip:a@b>;x=\"quoted;value\";tag=t", "", 0,
	  "sip:a@b", 1, SL_URI_SIP, "b", "x=\"quoted;value\";tag=t", "t" },
	{ "UTF-8 quoted display", "\"Caf\xc3\xa9\" <sip:a@b>",
	  "Caf\xc3\xa9", 1, "sip:a@b", 1, SL_URI_SIP, "b", "", "" },
	{ "tel angle", "<tel:+1-201-555-0123>", "", 0, "tel:+1-201-555-0123",
	  1, SL_URI_TEL, "", "", "" },
	{ "3261 20 tel addr-spec params are header params",
	  "tel:+1-201-555-0123;tag=x", "", 0, "tel:+1-201-555-0123", 0,
	  SL_URI_TEL, "", "tag=x", "x" },
	{ "3261 20 addr-spec lr", "sip:proxy.example.com;lr", "", 0,
	  "sip:proxy.example.com", 0, SL_URI_SIP, "proxy.example.com", "lr",
	  "" },
	{ "tag name case", "<sip:alice@atlanta.com>;TAG=abc", "", 0,
	  "sip:alice@atlanta.com", 1, SL_URI_SIP, "atlanta.com", "TAG=abc",
	  "abc" },
	{ "no space before '<'", "\"Alice\"<sip:a@b>", "Alice", 1, "sip:a@b",
	  1, SL_URI_SIP, "b", "", "" },
	{ "first tag wins", "<sip:a@b>;tag=1;tag=2", "", 0, "sip:a@b", 1,
	  SL_URI_SIP, "b", "tag=1;tag=2", "1" },
	{ "SWS before ';'", "sip:a@b ;tag=1", "", 0, "sip:a@b", 0, SL_URI_SIP,
	  "b", "tag=1", "1" },
	{ "folded", "\"A\"\r\n <sip:a@b>\r\n ;tag=1", "A", 1, "sip:a@b", 1,
	  SL_URI_SIP, "b", "tag=1", "1" },
	{ "flag param", "<sip:p.example.com;lr>;lr", "", 0,
	  "sip:p.example.com;lr", 1, SL_URI_SIP, "p.example.com", "lr", "" },
	{ "tag without value", "<sip:a@b>;tag", "", 0, "sip:a@b", 1,
	  SL_URI_SIP, "b", "tag", "" },
	{ "3323 anonymous", "Anonymous <sip:c8oqz84zk7z@privacy.org>;tag=hyh8",
	  "Anonymous", 0, "sip:c8oqz84zk7z@privacy.org", 1, SL_URI_SIP,
	  "privacy.org", "tag=hyh8", "hyh8" },
	{ "sips", "<sips:bob@biloxi.example.com>", "", 0,
	  "sips:bob@biloxi.example.com", 1, SL_URI_SIPS,
	  "biloxi.example.com", "", "" },
	{ "';' user in angle", "<sip:alice;day=tuesday@atlanta.com>;tag=1",
	  "", 0, "sip:alice;day=tuesday@atlanta.com", 1, SL_URI_SIP,
	  "atlanta.com", "tag=1", "1" },
	{ "quoted display with '<'", "\"a <b>\" <sip:a@b>", "a <b>", 1,
	  "sip:a@b", 1, SL_URI_SIP, "b", "", "" },
	{ "star display token", "* <sip:a@b>", "*", 0, "sip:a@b", 1,
	  SL_URI_SIP, "b", "", "" },
};

START_TEST(valid_name_addr_decodes)
{
	const struct na_vec *v = &good[_i];
	size_t len;
	char *buf = exact_copy(v->text, &len);
	struct sl_slice s = { buf, len };
	struct sl_name_addr na;
	int rc = sl_name_addr_decode(s, &na);

	ck_assert_msg(rc == 0, "%s: rc %d", v->ref, rc);
	check_slice(na.display, v->display, "display", buf, len, v->ref);
	ck_assert_msg(na.display_quoted == v->quoted, "%s: quoted", v->ref);
	check_slice(na.uri_text, v->uri_text, "uri_text", buf, len, v->ref);
	ck_assert_msg(na.angle == v->angle, "%s: angle", v->ref);
	ck_assert_msg(na.uri.scheme == v->scheme, "%s: scheme", v->ref);
	check_slice(na.uri.host, v->host, "host", buf, len, v->ref);
	check_slice(na.params, v->params, "params", buf, len, v->ref);
	check_slice(na.tag, v->tag, "tag", buf, len, v->ref);
	free(buf);
}
END_TEST

struct bad_vec {
	const char *ref;
	const char *text;
};

static const struct bad_vec bad[] = {
	{ "empty", "" },
	{ "only ws", "   " },
	{ "4475 quotbal", "\"Mr. J. User <sip:j.user@example.com>" },
	{ "4475 baddn", "Bell, Alexander <sip:a.g.bell@bell-tel.com>;tag=43" },
	{ "4475 badaspec", "\"Watson, Thomas\" < sip:t.watson@example.org >" },
	{ "space before '>'", "<sip:t.watson@example.org >" },
	{ "regbadct display without '<'", "Some One sip:someone@example.com;" },
	{ "4475 regbadct",
	  "sip:user@example.com?Route=%3Csip:sip.example.com%3E" },
	{ "4475 badaddr", "sip:user @example.com" },
	{ "comma in addr-spec", "sip:a@b,sip:c@d" },
	{ "comma in other addr-spec", "urn:a,b" },
	{ "'?' in addr-spec user", "sip:us?er@host" },
	{ "no '>'", "<sip:a@b" },
	{ "empty angle", "<>" },
	{ "junk after '>'", "<sip:a@b>x" },
	{ "empty param", "<sip:a@b>;" },
	{ "double ';'", "<sip:a@b>;;tag=1" },
	{ "missing value", "<sip:a@b>;tag=" },
	{ "unterminated quoted value", "<sip:a@b>;tag=\"x" },
	{ "empty param name", "<sip:a@b>;=x" },
	{ "bad v6 value", "<sip:a@b>;x=[1.2.3.4]" },
	{ "unterminated v6 value", "<sip:a@b>;x=[::1" },
	{ "two value tokens", "<sip:a@b>;x=a b" },
	{ "quoted display no angle", "\"Alice\" sip:a@b" },
	{ "quoted display unterminated angle", "\"Alice\" <sip:a@b" },
	{ "quoted display nothing after", "\"Alice\"" },
	{ "display only", "Alice" },
	{ "display then ws", "Alice Smith  " },
	{ "space in angle uri", "<sip:a b@c>" },
	{ "5118 4.2 contact", "\"Caller\" <sip:caller@2001:db8::1>" },
	{ "no scheme in angle", "<foo>" },
	{ "colon first in angle", "<:foo>" },
	{ "unquoted UTF-8 display", "Caf\xc3\xa9 <sip:a@b>" },
	{ "two name-addrs", "<sip:a@b> <sip:c@d>" },
	{ "comma after angle", "<sip:a@b>, <sip:c@d>" },
	{ "junk after params", "sip:a@b;tag=1 x" },
	{ "backslash at end of quote", "\"a\\" },
	{ "'<' inside display tokens", "a<b <sip:a@b>" },
	{ "quoted then token", "\"Joe\" Smith <sip:a@b>" },
	{ "bad addr-spec uri", "sip:a@-b" },
	{ "bad angle uri", "<sip:a@b;=x>" },
	{ "unknown scheme bad chars", "<name:a\"b>" },
	{ "'>' alone", ">" },
	{ "';' first", ";tag=1" },
	{ "bare newline in quote", "\"a\nb\" <sip:a@b>" },
	{ "colon param", "<sip:a@b>;a:b=1" },
};

START_TEST(invalid_name_addr_is_refused)
{
	const struct bad_vec *v = &bad[_i];
	size_t len;
	char *buf = exact_copy(v->text, &len);
	struct sl_slice s = { buf, len };
	struct sl_name_addr na;
	int rc = sl_name_addr_decode(s, &na);

	ck_assert_msg(rc == SL_EPARSE, "%s: '%s' rc %d", v->ref, v->text, rc);
	free(buf);
}
END_TEST

START_TEST(name_addr_checks_arguments)
{
	struct sl_name_addr na;
	struct sl_slice s = { "<sip:a@b>", 9 };
	struct sl_slice n = { NULL, 3 };
	struct sl_slice e = { NULL, 0 };

	ck_assert_int_eq(sl_name_addr_decode(s, NULL), SL_EINVAL);
	ck_assert_int_eq(sl_name_addr_decode(n, &na), SL_EINVAL);
	ck_assert_int_eq(sl_name_addr_decode(e, &na), SL_EPARSE);
}
END_TEST

/* The decoded URI is the same as parsing uri_text alone. */
START_TEST(name_addr_uri_fields)
{
	static const char t[] =
		"\"Bob\" <sips:bob:pw@[2001:db8::1]:5061;transport=tls?x=1>"
		" ;tag=a1;foo";
	struct sl_slice s = { t, sizeof(t) - 1 };
	struct sl_name_addr na;

	ck_assert_int_eq(sl_name_addr_decode(s, &na), 0);
	ck_assert_int_eq(na.uri.scheme, SL_URI_SIPS);
	ck_assert_int_eq(na.uri.host_type, SL_HOST_IPV6);
	ck_assert_uint_eq(na.uri.port, 5061);
	ck_assert_int_eq(na.uri.has_password, 1);
	ck_assert_uint_eq(na.uri.user.len, 3);
	ck_assert_uint_eq(na.uri.params.len, strlen("transport=tls"));
	ck_assert_uint_eq(na.uri.headers.len, 3);
	ck_assert_uint_eq(na.tag.len, 2);
	ck_assert_uint_eq(na.params.len, strlen("tag=a1;foo"));
}
END_TEST

/* Every prefix either decodes or fails cleanly, reading only itself. */
START_TEST(every_prefix_is_safe)
{
	static const char *texts[] = {
		("\"J \\\"R\\\\\" <sips:u;a=b:p%20w@[2001:db8::1]:5061;lr?h=v>"
		 " ; tag = x ; q=0.5 ; expires=60 ; y=\"q;v\" ; z=[::1]"),
		"Joe Q Public <tel:863-1234;phone-context=+1-914>;tag=1",
		"sip:a@b.c;tag=1;expires=3600;q=1.000",
	};

	for (size_t t = 0; t < sizeof(texts) / sizeof(texts[0]); t++) {
		size_t n = strlen(texts[t]);

		for (size_t i = 0; i <= n; i++) {
			char *buf = malloc(i ? i : 1);
			struct sl_slice s = { buf, i };
			struct sl_name_addr na;
			struct sl_contact c;
			int rc;

			memcpy(buf, texts[t], i);
			rc = sl_name_addr_decode(s, &na);
			ck_assert(rc == 0 || rc == SL_EPARSE);
			rc = sl_contact_decode(s, &c);
			ck_assert(rc == 0 || rc == SL_EPARSE);
			free(buf);
		}
	}
}
END_TEST

/* ---- Contact ---- */

struct contact_vec {
	const char *ref;
	const char *text;
	int rc;
	int star;
	long long expires;
	int q;
	const char *host;
};

static const struct contact_vec contacts[] = {
	{ "3261 10.2.2 star", "*", 0, 1, -1, -1, "" },
	{ "star with ws", "  *\t", 0, 1, -1, -1, "" },
	{ "plain", "<sip:alice@pc33.atlanta.com>", 0, 0, -1, -1,
	  "pc33.atlanta.com" },
	{ "expires and q", "<sip:alice@pc33.atlanta.com>;expires=3600;q=0.7",
	  0, 0, 3600, 700, "pc33.atlanta.com" },
	{ "3261 20.10 a",
	  "\"Mr. Watson\" <sip:watson@worcester.bell-telephone.com>;q=0.7; "
	  "expires=3600",
	  0, 0, 3600, 700, "worcester.bell-telephone.com" },
	{ "3261 20.10 b",
	  "\"Mr. Watson\" <mailto:watson@bell-telephone.com> ;q=0.1", 0, 0, -1,
	  100, "" },
	{ "addr-spec expires", "sip:alice@host;expires=0", 0, 0, 0, -1,
	  "host" },
	{ "addr-spec q", "sip:a@b;q=0.5", 0, 0, -1, 500, "b" },
	{ "q=0", "<sip:a@b>;q=0", 0, 0, -1, 0, "b" },
	{ "q=1", "<sip:a@b>;q=1", 0, 0, -1, 1000, "b" },
	{ "q=0.5", "<sip:a@b>;q=0.5", 0, 0, -1, 500, "b" },
	{ "q=0.05", "<sip:a@b>;q=0.05", 0, 0, -1, 50, "b" },
	{ "q=0.001", "<sip:a@b>;q=0.001", 0, 0, -1, 1, "b" },
	{ "q=0.999", "<sip:a@b>;q=0.999", 0, 0, -1, 999, "b" },
	{ "q=0.33", "<sip:a@b>;q=0.33", 0, 0, -1, 330, "b" },
	{ "q=1.0", "<sip:a@b>;q=1.0", 0, 0, -1, 1000, "b" },
	{ "q=1.00", "<sip:a@b>;q=1.00", 0, 0, -1, 1000, "b" },
	{ "q=1.000", "<sip:a@b>;q=1.000", 0, 0, -1, 1000, "b" },
	{ "3261 25.1 q=0.", "<sip:a@b>;q=0.", 0, 0, -1, 0, "b" },
	{ "3261 25.1 q=1.", "<sip:a@b>;q=1.", 0, 0, -1, 1000, "b" },
	{ "Q name case", "<sip:a@b>;Q=0.5;EXPIRES=10", 0, 0, 10, 500, "b" },
	{ "ws around '='", "<sip:a@b> ; q = 0.25 ; expires = 7", 0, 0, 7, 250,
	  "b" },
	{ "expires max", "<sip:a@b>;expires=4294967295", 0, 0, 4294967295LL,
	  -1, "b" },
	{ "expires leading zeros", "<sip:a@b>;expires=00000000000000060", 0, 0,
	  60, -1, "b" },
	{ "first q wins", "<sip:a@b>;q=0.5;q=0.7", 0, 0, -1, 500, "b" },
	{ "other params", "<sip:a@b>;+sip.instance=\"<urn:uuid:1>\";reg-id=1",
	  0, 0, -1, -1, "b" },
	{ "q in uri is not q", "<sip:a@b;q=0.5>", 0, 0, -1, -1, "b" },

	{ "q=1.001", "<sip:a@b>;q=1.001", SL_EPARSE, 0, -1, -1, "" },
	{ "q=2", "<sip:a@b>;q=2", SL_EPARSE, 0, -1, -1, "" },
	{ "q=0.1234", "<sip:a@b>;q=0.1234", SL_EPARSE, 0, -1, -1, "" },
	{ "q=.5", "<sip:a@b>;q=.5", SL_EPARSE, 0, -1, -1, "" },
	{ "q=-0.5", "<sip:a@b>;q=-0.5", SL_EPARSE, 0, -1, -1, "" },
	{ "q=0,5", "<sip:a@b>;q=0,5", SL_EPARSE, 0, -1, -1, "" },
	{ "q=1.5", "<sip:a@b>;q=1.5", SL_EPARSE, 0, -1, -1, "" },
	{ "q=00.5", "<sip:a@b>;q=00.5", SL_EPARSE, 0, -1, -1, "" },
	{ "q=0.5x", "<sip:a@b>;q=0.5x", SL_EPARSE, 0, -1, -1, "" },
	{ "q quoted", "<sip:a@b>;q=\"0.5\"", SL_EPARSE, 0, -1, -1, "" },
	{ "q empty", "<sip:a@b>;q=", SL_EPARSE, 0, -1, -1, "" },
	{ "q no value", "<sip:a@b>;q", SL_EPARSE, 0, -1, -1, "" },
	{ "second q bad", "<sip:a@b>;q=0.5;q=7", SL_EPARSE, 0, -1, -1, "" },
	{ "expires too big", "<sip:a@b>;expires=4294967296", SL_EPARSE, 0, -1,
	  -1, "" },
	{ "expires negative", "<sip:a@b>;expires=-1", SL_EPARSE, 0, -1, -1,
	  "" },
	{ "expires exponent", "<sip:a@b>;expires=1e3", SL_EPARSE, 0, -1, -1,
	  "" },
	{ "expires quoted", "<sip:a@b>;expires=\"60\"", SL_EPARSE, 0, -1, -1,
	  "" },
	{ "expires no value", "<sip:a@b>;expires", SL_EPARSE, 0, -1, -1, "" },
	{ "expires letters", "<sip:a@b>;expires=12a", SL_EPARSE, 0, -1, -1,
	  "" },
	{ "star with params", "*;expires=0", SL_EPARSE, 0, -1, -1, "" },
	{ "double star", "**", SL_EPARSE, 0, -1, -1, "" },
	{ "star and uri", "*, <sip:a@b>", SL_EPARSE, 0, -1, -1, "" },
	{ "unterminated display", "\"unterminated <sip:a@b>", SL_EPARSE, 0,
	  -1, -1, "" },
	{ "4475 regbadct",
	  "sip:user@example.com?Route=%3Csip:sip.example.com%3E", SL_EPARSE,
	  0, -1, -1, "" },
	{ "empty", "", SL_EPARSE, 0, -1, -1, "" },
};

START_TEST(contact_decodes)
{
	const struct contact_vec *v = &contacts[_i];
	size_t len;
	char *buf = exact_copy(v->text, &len);
	struct sl_slice s = { buf, len };
	struct sl_contact c;
	int rc = sl_contact_decode(s, &c);

	ck_assert_msg(rc == v->rc, "%s: rc %d, want %d", v->ref, rc, v->rc);
	if (rc == 0) {
		ck_assert_msg(c.star == v->star, "%s: star", v->ref);
		ck_assert_msg(c.expires == v->expires, "%s: expires %lld",
			      v->ref, (long long)c.expires);
		ck_assert_msg(c.q == v->q, "%s: q %d", v->ref, c.q);
		check_slice(c.addr.uri.host, v->host, "host", buf, len, v->ref);
		if (c.star)
			ck_assert_uint_eq(c.addr.uri_text.len, 0);
		else
			ck_assert_uint_ne(c.addr.uri_text.len, 0);
	}
	free(buf);
}
END_TEST

START_TEST(contact_checks_arguments)
{
	struct sl_contact c;
	struct sl_slice s = { "*", 1 };
	struct sl_slice n = { NULL, 3 };
	struct sl_slice e = { NULL, 0 };

	ck_assert_int_eq(sl_contact_decode(s, NULL), SL_EINVAL);
	ck_assert_int_eq(sl_contact_decode(n, &c), SL_EINVAL);
	ck_assert_int_eq(sl_contact_decode(e, &c), SL_EPARSE);
}
END_TEST

/* Name-addr rules apply to Contact too: the same bad values fail. */
START_TEST(contact_refuses_bad_name_addr)
{
	const struct bad_vec *v = &bad[_i];
	size_t len;
	char *buf = exact_copy(v->text, &len);
	struct sl_slice s = { buf, len };
	struct sl_contact c;

	ck_assert_msg(sl_contact_decode(s, &c) == SL_EPARSE, "%s", v->ref);
	free(buf);
}
END_TEST

Suite *check_sip_name_addr_suite(void);

Suite *check_sip_name_addr_suite(void)
{
	Suite *s = suite_create("sip_name_addr");
	TCase *na = tcase_create("name_addr");
	TCase *ct = tcase_create("contact");

	tcase_add_loop_test(na, valid_name_addr_decodes, 0,
			    sizeof(good) / sizeof(good[0]));
	tcase_add_loop_test(na, invalid_name_addr_is_refused, 0,
			    sizeof(bad) / sizeof(bad[0]));
	tcase_add_test(na, name_addr_checks_arguments);
	tcase_add_test(na, name_addr_uri_fields);
	tcase_add_test(na, every_prefix_is_safe);
	suite_add_tcase(s, na);

	tcase_add_loop_test(ct, contact_decodes, 0,
			    sizeof(contacts) / sizeof(contacts[0]));
	tcase_add_test(ct, contact_checks_arguments);
	tcase_add_loop_test(ct, contact_refuses_bad_name_addr, 0,
			    sizeof(bad) / sizeof(bad[0]));
	suite_add_tcase(s, ct);
	return s;
}

SL_CHECK_MAIN(check_sip_name_addr_suite)
