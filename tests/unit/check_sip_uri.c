/*
 * tests/unit/check_sip_uri.c: URI decoding, comparison, unescaping and
 * look-up (lib/sip/uri.c, lib/sip/uri_compare.c).
 *
 * Vectors carry their source (RFC 3261 section, RFC 4475 test name,
 * RFC 5118 section, RFC 3966 example) in @ref so a failure names it.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "sipline/error.h"
#include "sipline/uri.h"

/* Checks that @s holds exactly @want (NULL and "" both mean empty) and,
 * when not empty, points inside [@base, @base + @len): zero-copy. */
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

/* ---- valid URIs ---- */

struct uri_vec {
	const char *ref;
	const char *text;
	enum sl_uri_scheme scheme;
	const char *user;      /* NULL: no userinfo (has_user 0) */
	const char *password;  /* NULL: no password */
	const char *host;
	enum sl_host_type host_type;
	unsigned port;
	const char *params;
	const char *headers;
	const char *opaque;
};

static const struct uri_vec good[] = {
	{ "3261 19.1.3 a", "sip:alice@atlanta.com", SL_URI_SIP, "alice",
	  NULL, "atlanta.com", SL_HOST_NAME, 0, "", "", "" },
	{ "3261 19.1.3 b", "sip:alice:secretword@atlanta.com;transport=tcp",
	  SL_URI_SIP, "alice", "secretword", "atlanta.com", SL_HOST_NAME, 0,
	  "transport=tcp", "", "" },
	{ "3261 19.1.3 c",
	  "sips:alice@atlanta.com?subject=project%20x&priority=urgent",
	  SL_URI_SIPS, "alice", NULL, "atlanta.com", SL_HOST_NAME, 0, "",
	  "subject=project%20x&priority=urgent", "" },
	{ "3261 19.1.3 d", "sip:+1-212-555-1212:1234@gateway.com;user=phone",
	  SL_URI_SIP, "+1-212-555-1212", "1234", "gateway.com", SL_HOST_NAME,
	  0, "user=phone", "", "" },
	{ "3261 19.1.3 e", "sips:1212@gateway.com", SL_URI_SIPS, "1212", NULL,
	  "gateway.com", SL_HOST_NAME, 0, "", "", "" },
	{ "3261 19.1.3 f", "sip:alice@192.0.2.4", SL_URI_SIP, "alice", NULL,
	  "192.0.2.4", SL_HOST_IPV4, 0, "", "", "" },
	{ "3261 19.1.3 g",
	  "sip:atlanta.com;method=REGISTER?to=alice%40atlanta.com",
	  SL_URI_SIP, NULL, NULL, "atlanta.com", SL_HOST_NAME, 0,
	  "method=REGISTER", "to=alice%40atlanta.com", "" },
	{ "3261 19.1.3 h", "sip:alice;day=tuesday@atlanta.com", SL_URI_SIP,
	  "alice;day=tuesday", NULL, "atlanta.com", SL_HOST_NAME, 0, "", "",
	  "" },
	{ "4475 semiuri", "sip:user;par=u%40example.net@example.com",
	  SL_URI_SIP, "user;par=u%40example.net", NULL, "example.com",
	  SL_HOST_NAME, 0, "", "", "" },
	{ "4475 esc01 ruri", "sip:sips%3Auser%40example.com@example.net",
	  SL_URI_SIP, "sips%3Auser%40example.com", NULL, "example.net",
	  SL_HOST_NAME, 0, "", "", "" },
	{ "4475 escnull", "sip:null-%00-null@example.com", SL_URI_SIP,
	  "null-%00-null", NULL, "example.com", SL_HOST_NAME, 0, "", "", "" },
	{ "4475 esc01 contact",
	  "sip:cal%6Cer@host5.example.net;%6C%72;n%61me=v%61lue%25%34%31",
	  SL_URI_SIP, "cal%6Cer", NULL, "host5.example.net", SL_HOST_NAME, 0,
	  "%6C%72;n%61me=v%61lue%25%34%31", "", "" },
	{ "4475 wsinv ruri",
	  "sip:1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*:&it+has=1,"
	  "weird!*pas$wo~d_too.(doesn't-it)@example.com",
	  SL_URI_SIP, "1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*",
	  "&it+has=1,weird!*pas$wo~d_too.(doesn't-it)", "example.com",
	  SL_HOST_NAME, 0, "", "", "" },
	{ "4475 wsinv to", "sip:vivekg@chair-dnrc.example.com;unknownparam",
	  SL_URI_SIP, "vivekg", NULL, "chair-dnrc.example.com", SL_HOST_NAME,
	  0, "unknownparam", "", "" },
	{ "4475 escruri", "sip:user@example.com?Route=%3Csip:example.com%3E",
	  SL_URI_SIP, "user", NULL, "example.com", SL_HOST_NAME, 0, "",
	  "Route=%3Csip:example.com%3E", "" },
	{ "3261 19.1.4 scheme case", "SIP:ALICE@AtLanTa.CoM;Transport=udp",
	  SL_URI_SIP, "ALICE", NULL, "AtLanTa.CoM", SL_HOST_NAME, 0,
	  "Transport=udp", "", "" },
	{ "scheme mixed case", "SiPs:a@b.c", SL_URI_SIPS, "a", NULL, "b.c",
	  SL_HOST_NAME, 0, "", "", "" },
	{ "5118 4.1", "sip:[2001:db8::10]", SL_URI_SIP, NULL, NULL,
	  "2001:db8::10", SL_HOST_IPV6, 0, "", "", "" },
	{ "5118 4.4", "sip:[2001:db8::10]:5070", SL_URI_SIP, NULL, NULL,
	  "2001:db8::10", SL_HOST_IPV6, 5070, "", "", "" },
	{ "5118 4.3 no port", "sip:[2001:db8::10:5070]", SL_URI_SIP, NULL,
	  NULL, "2001:db8::10:5070", SL_HOST_IPV6, 0, "", "", "" },
	{ "5118 4.9", "sip:[::ffff:192.0.2.1]", SL_URI_SIP, NULL, NULL,
	  "::ffff:192.0.2.1", SL_HOST_IPV6, 0, "", "", "" },
	{ "5118 4.1 contact", "sip:caller@[2001:db8::1]", SL_URI_SIP,
	  "caller", NULL, "2001:db8::1", SL_HOST_IPV6, 0, "", "", "" },
	{ "5118 4.10 two colons", "sip:[2001:db8::192.0.2.1]", SL_URI_SIP,
	  NULL, NULL, "2001:db8::192.0.2.1", SL_HOST_IPV6, 0, "", "", "" },
	{ "v6 full", "sips:u@[2001:db8:0:0:1:0:0:1]:5061;transport=tls",
	  SL_URI_SIPS, "u", NULL, "2001:db8:0:0:1:0:0:1", SL_HOST_IPV6, 5061,
	  "transport=tls", "", "" },
	{ "port max", "sip:host:65535", SL_URI_SIP, NULL, NULL, "host",
	  SL_HOST_NAME, 65535, "", "", "" },
	{ "port min", "sip:host:1", SL_URI_SIP, NULL, NULL, "host",
	  SL_HOST_NAME, 1, "", "", "" },
	{ "port 5 digits", "sip:host:05060", SL_URI_SIP, NULL, NULL, "host",
	  SL_HOST_NAME, 5060, "", "", "" },
	{ "lr", "sip:user@example.com:5060;lr", SL_URI_SIP, "user", NULL,
	  "example.com", SL_HOST_NAME, 5060, "lr", "", "" },
	{ "fqdn dot", "sip:example.com.", SL_URI_SIP, NULL, NULL,
	  "example.com.", SL_HOST_NAME, 0, "", "", "" },
	{ "empty password", "sip:alice:@atlanta.com", SL_URI_SIP, "alice", "",
	  "atlanta.com", SL_HOST_NAME, 0, "", "", "" },
	{ "empty user (uri.h)", "sip:@example.com", SL_URI_SIP, "", NULL,
	  "example.com", SL_HOST_NAME, 0, "", "", "" },
	{ "refer-to replaces",
	  "sip:bob@b.com?Replaces=abc%40h%3Bto-tag%3D1%3Bfrom-tag%3D2",
	  SL_URI_SIP, "bob", NULL, "b.com", SL_HOST_NAME, 0, "",
	  "Replaces=abc%40h%3Bto-tag%3D1%3Bfrom-tag%3D2", "" },
	{ "maddr v6", "sip:h;maddr=[2001:db8::1];ttl=15", SL_URI_SIP, NULL,
	  NULL, "h", SL_HOST_NAME, 0, "maddr=[2001:db8::1];ttl=15", "", "" },
	{ "tel in user",
	  "sip:+1-212-555-1212;phone-context=example.com@example.com;"
	  "user=phone",
	  SL_URI_SIP, "+1-212-555-1212;phone-context=example.com", NULL,
	  "example.com", SL_HOST_NAME, 0, "user=phone", "", "" },
	{ "local tel in user",
	  "sip:7042;phone-context=+1-914-555@gw.example.com;user=phone",
	  SL_URI_SIP, "7042;phone-context=+1-914-555", NULL,
	  "gw.example.com", SL_HOST_NAME, 0, "user=phone", "", "" },
	{ "empty hvalue", "sip:a@b?x=", SL_URI_SIP, "a", NULL, "b",
	  SL_HOST_NAME, 0, "", "x=", "" },
	{ "params and headers", "sip:user@host;a=b;c?h=v&i=w", SL_URI_SIP,
	  "user", NULL, "host", SL_HOST_NAME, 0, "a=b;c", "h=v&i=w", "" },
	{ "'@' decides userinfo", "sip:host?a=b@c", SL_URI_SIP, "host?a=b",
	  NULL, "c", SL_HOST_NAME, 0, "", "", "" },
	{ "ipv4 port params", "sip:127.0.0.1:5060;transport=udp", SL_URI_SIP,
	  NULL, NULL, "127.0.0.1", SL_HOST_IPV4, 5060, "transport=udp", "",
	  "" },
	{ "name like v4", "sip:u@1.2.3.4.example.com", SL_URI_SIP, "u", NULL,
	  "1.2.3.4.example.com", SL_HOST_NAME, 0, "", "", "" },
	{ "single label", "sip:localhost", SL_URI_SIP, NULL, NULL,
	  "localhost", SL_HOST_NAME, 0, "", "", "" },
	{ "param chars", "sip:h;a-b_c.d!e~f*g'h(i)j=[x]/:&+$", SL_URI_SIP,
	  NULL, NULL, "h", SL_HOST_NAME, 0, "a-b_c.d!e~f*g'h(i)j=[x]/:&+$",
	  "", "" },
	{ "hnv chars", "sip:h?a[]/?:+$=b[]/?:+$-_.!~*'()", SL_URI_SIP, NULL,
	  NULL, "h", SL_HOST_NAME, 0, "", "a[]/?:+$=b[]/?:+$-_.!~*'()", "" },

	/* tel (RFC 3966) */
	{ "3966 global", "tel:+1-201-555-0123", SL_URI_TEL, "+1-201-555-0123",
	  NULL, "", SL_HOST_NONE, 0, "", "", "" },
	{ "3966 local domain", "tel:7042;phone-context=example.com",
	  SL_URI_TEL, "7042", NULL, "", SL_HOST_NONE, 0,
	  "phone-context=example.com", "", "" },
	{ "3966 local global ctx", "tel:863-1234;phone-context=+1-914-555",
	  SL_URI_TEL, "863-1234", NULL, "", SL_HOST_NONE, 0,
	  "phone-context=+1-914-555", "", "" },
	{ "3966 ext", "tel:+1-212-555-1212;ext=1234", SL_URI_TEL,
	  "+1-212-555-1212", NULL, "", SL_HOST_NONE, 0, "ext=1234", "", "" },
	{ "3966 other param", "tel:+358-555-1234567;postd=pp22", SL_URI_TEL,
	  "+358-555-1234567", NULL, "", SL_HOST_NONE, 0, "postd=pp22", "",
	  "" },
	{ "3966 parens", "tel:+1(800)555-1234", SL_URI_TEL, "+1(800)555-1234",
	  NULL, "", SL_HOST_NONE, 0, "", "", "" },
	{ "tel upper scheme", "TEL:+44.20.7946.0000", SL_URI_TEL,
	  "+44.20.7946.0000", NULL, "", SL_HOST_NONE, 0, "", "", "" },
	{ "tel star hash", "tel:*21#;phone-context=example.com", SL_URI_TEL,
	  "*21#", NULL, "", SL_HOST_NONE, 0, "phone-context=example.com", "",
	  "" },
	{ "tel isub ext", "tel:+1234;isub=1411;ext=44", SL_URI_TEL, "+1234",
	  NULL, "", SL_HOST_NONE, 0, "isub=1411;ext=44", "", "" },
	{ "tel isub uric", "tel:+1234;isub=a/b?c:d@e&f=g+h$i,j", SL_URI_TEL,
	  "+1234", NULL, "", SL_HOST_NONE, 0, "isub=a/b?c:d@e&f=g+h$i,j", "",
	  "" },
	{ "tel hex local", "tel:abc;phone-context=+1", SL_URI_TEL, "abc", NULL,
	  "", SL_HOST_NONE, 0, "phone-context=+1", "", "" },
	{ "tel flag param", "tel:+1234;npdi;rn=+1-555", SL_URI_TEL, "+1234",
	  NULL, "", SL_HOST_NONE, 0, "npdi;rn=+1-555", "", "" },

	/* other schemes */
	{ "http", "http://www.example.com/alice/photo.jpg", SL_URI_OTHER,
	  NULL, NULL, "", SL_HOST_NONE, 0, "", "",
	  "//www.example.com/alice/photo.jpg" },
	{ "urn", "urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6", SL_URI_OTHER,
	  NULL, NULL, "", SL_HOST_NONE, 0, "", "",
	  "uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6" },
	{ "4475 unksm", "nobodyknowsthisscheme:totallyopaquecontent",
	  SL_URI_OTHER, NULL, NULL, "", SL_HOST_NONE, 0, "", "",
	  "totallyopaquecontent" },
	{ "4475 unksm2", "isbn:2983792873", SL_URI_OTHER, NULL, NULL, "",
	  SL_HOST_NONE, 0, "", "", "2983792873" },
	{ "mailto", "mailto:watson@bell-telephone.com", SL_URI_OTHER, NULL,
	  NULL, "", SL_HOST_NONE, 0, "", "", "watson@bell-telephone.com" },
	{ "scheme chars", "a+b-c.d9:x", SL_URI_OTHER, NULL, NULL, "",
	  SL_HOST_NONE, 0, "", "", "x" },
	{ "sipx is other", "sipx:alice@example.com", SL_URI_OTHER, NULL, NULL,
	  "", SL_HOST_NONE, 0, "", "", "alice@example.com" },
};

START_TEST(valid_uri_decodes)
{
	const struct uri_vec *v = &good[_i];
	size_t len = strlen(v->text);
	char *buf = malloc(len ? len : 1);
	struct sl_uri u;
	int rc;

	/* an exact-size buffer without a NUL: ASan catches any over-read */
	memcpy(buf, v->text, len);
	rc = sl_uri_parse(buf, len, &u);
	ck_assert_msg(rc == 0, "%s: '%s' rc %d", v->ref, v->text, rc);
	ck_assert_msg(u.scheme == v->scheme, "%s: scheme %d", v->ref,
		      u.scheme);
	ck_assert_ptr_eq(u.scheme_name.p, buf);
	ck_assert_ptr_nonnull(memchr(buf, ':', len));
	ck_assert_uint_eq(u.scheme_name.len,
			  (size_t)((char *)memchr(buf, ':', len) - buf));
	/* a tel number fills @user but is not a userinfo */
	ck_assert_msg(u.has_user == (v->user != NULL &&
				     v->scheme != SL_URI_TEL),
		      "%s: has_user", v->ref);
	check_slice(u.user, v->user, "user", buf, len, v->ref);
	ck_assert_msg(u.has_password == (v->password != NULL),
		      "%s: has_password", v->ref);
	check_slice(u.password, v->password, "password", buf, len, v->ref);
	check_slice(u.host, v->host, "host", buf, len, v->ref);
	ck_assert_msg(u.host_type == v->host_type, "%s: host_type %d",
		      v->ref, u.host_type);
	ck_assert_msg(u.port == v->port, "%s: port %u", v->ref, u.port);
	check_slice(u.params, v->params, "params", buf, len, v->ref);
	check_slice(u.headers, v->headers, "headers", buf, len, v->ref);
	check_slice(u.opaque, v->opaque, "opaque", buf, len, v->ref);
	free(buf);
}
END_TEST

/* A tel number is its own "user" even without a userinfo. */
START_TEST(tel_number_is_user_without_has_user)
{
	struct sl_uri u;

	ck_assert_int_eq(sl_uri_parse("tel:+1234", 9, &u), 0);
	ck_assert_int_eq(u.has_user, 0);
	ck_assert_uint_eq(u.user.len, 5);
}
END_TEST

/* ---- invalid URIs ---- */

struct bad_vec {
	const char *ref;
	const char *text;
};

static const struct bad_vec bad[] = {
	{ "empty", "" },
	{ "no colon", "sip" },
	{ "no scheme", ":alice@host" },
	{ "scheme digit first", "1sip:host" },
	{ "scheme bad char", "si_p:host" },
	{ "space in scheme", "sip :host" },
	{ "empty host", "sip:" },
	{ "empty host after @", "sip:alice@" },
	{ "empty port", "sip:alice@example.com:" },
	{ "port 0", "sip:host:0" },
	{ "port too big", "sip:host:65536" },
	{ "port 6 digits", "sip:host:123456" },
	{ "port letters", "sip:host:50a" },
	{ "port sign", "sip:host:+50" },
	{ "space in user", "sip:user name@host" },
	{ "space in host", "sip:user@host name" },
	{ "leading space", "sip: user@host" },
	{ "trailing space", "sip:user@host " },
	{ "4475 lwsruri", "sip:user@example.com; lr" },
	{ "trailing ';'", "sip:user@host;" },
	{ "empty param", "sip:user@host;;lr" },
	{ "empty pvalue", "sip:user@host;a=" },
	{ "empty pname", "sip:user@host;=b" },
	{ "'=' in pvalue", "sip:user@host;a=b=c" },
	{ "empty headers", "sip:user@host?" },
	{ "header without '='", "sip:user@host?a" },
	{ "empty hname", "sip:user@host?=b" },
	{ "trailing '&'", "sip:user@host?a=b&" },
	{ "'=' in hvalue", "sip:user@host?a=b=c" },
	{ "'@' in header", "sip:user@host?a=b@c" },
	{ "'@' in param", "sip:user@host;a=b@c" },
	{ "bad escape", "sip:%zzuser@host" },
	{ "short escape before '@'", "sip:user%4@host" },
	{ "bare '%' in user", "sip:user%@host" },
	{ "bad escape %Z", "sip:%Z%45@example.com" },
	{ "bad escape in password", "sip:u:p%g1@host" },
	{ "bad escape in param", "sip:user@host;par=%G0" },
	{ "short escape in header", "sip:user@host?a=%4" },
	{ "escape at end", "sip:user@host;a=%" },
	{ "'<' in user", "sip:us<er@host" },
	{ "'>' after host", "sip:user@host>" },
	{ "4475 ltgtruri", "<sip:user@host>" },
	{ "two '@'", "sip:user@@host" },
	{ "'@' in host", "sip:user@host@x" },
	{ "'#' in user", "sip:user#1@host" },
	{ "';' in password", "sip:user:pa;ss@host" },
	{ "':' in password", "sip:user:pa:ss@host" },
	{ "'\"' in user", "sip:\"u\"@host" },
	{ "space in params", "sip:user@host;transport=tcp;a b" },
	{ "5118 4.2 bare v6", "sip:2001:db8::10" },
	{ "5118 4.2 bare v6 user", "sip:caller@2001:db8::1" },
	{ "unterminated v6", "sip:[2001:db8::10" },
	{ "5118 4.10 three colons", "sip:[2001:db8:::192.0.2.1]" },
	{ "v6 port without ':'", "sip:[2001:db8::10]5070" },
	{ "v4 in brackets", "sip:[1.2.3.4]" },
	{ "v6 too many groups", "sip:[1:2:3:4:5:6:7:8:9]" },
	{ "v6 two gaps", "sip:[1::2::3]" },
	{ "v6 empty", "sip:[]" },
	{ "label starts '-'", "sip:user@-host.com" },
	{ "label ends '-'", "sip:user@host-.com" },
	{ "empty label", "sip:user@host..com" },
	{ "v4 out of range", "sip:user@256.1.1.1" },
	{ "digit toplabel", "sip:user@example.123" },
	{ "'_' in host", "sip:user@host_name" },
	{ "'//' authority", "sip://host" },
	{ "CRLF", "sip:alice@atlanta.com\r\n" },
	{ "tab", "sip:alice@at\tlanta.com" },
	{ "UTF-8 user", "sip:caf\xc3\xa9@example.com" },
	{ "high byte", "sip:alice@atlanta.com\x80" },

	{ "tel empty", "tel:" },
	{ "tel plus only", "tel:+" },
	{ "tel separators only", "tel:+-()" },
	{ "3966 local without context", "tel:7042" },
	{ "tel space", "tel:+1 234" },
	{ "tel empty ext", "tel:+1-201;ext=" },
	{ "tel ext letters", "tel:+1;ext=abc" },
	{ "tel empty context", "tel:+1-201;phone-context=" },
	{ "tel context v4", "tel:863-1234;phone-context=1.2.3.4" },
	{ "tel context bare '+'", "tel:1;phone-context=+" },
	{ "tel context no value", "tel:1;phone-context" },
	{ "tel isub no value", "tel:+1;isub" },
	{ "tel empty pvalue", "tel:+1;a=" },
	{ "tel empty pname", "tel:+1;=a" },
	{ "tel escape in pname", "tel:+1;p%61ram=1" },
	{ "tel space in param", "tel:+1;a b" },
	{ "tel headers", "tel:+12?x=y" },
	{ "tel non-hex local", "tel:12g4;phone-context=a.com" },
	{ "tel trailing ';'", "tel:+1234;" },
	{ "tel letters global", "tel:+1abc" },
	{ "tel context bad domain", "tel:1;phone-context=-a.com" },

	{ "other empty", "http:" },
	{ "other space", "http:a b" },
	{ "other '<'", "http:<x>" },
	{ "other quote", "urn:a\"b" },
	{ "other control", "x:\x01" },
	{ "other DEL", "x:\x7f" },
	{ "other UTF-8", "x:\xc3\xa9" },
};

START_TEST(invalid_uri_is_refused)
{
	const struct bad_vec *v = &bad[_i];
	size_t len = strlen(v->text);
	char *buf = malloc(len ? len : 1);
	struct sl_uri u;
	int rc;

	memcpy(buf, v->text, len);
	memset(&u, 0x5a, sizeof(u));
	rc = sl_uri_parse(buf, len, &u);
	ck_assert_msg(rc == SL_EPARSE, "%s: '%s' rc %d, want SL_EPARSE",
		      v->ref, v->text, rc);
	free(buf);
}
END_TEST

START_TEST(parse_checks_arguments)
{
	struct sl_uri u;

	ck_assert_int_eq(sl_uri_parse(NULL, 5, &u), SL_EINVAL);
	ck_assert_int_eq(sl_uri_parse(NULL, 0, &u), SL_EINVAL);
	ck_assert_int_eq(sl_uri_parse("sip:a", 5, NULL), SL_EINVAL);
	ck_assert_int_eq(sl_uri_parse("sip:a", 0, &u), SL_EPARSE);
}
END_TEST

/* The length is the end: bytes after it are never looked at, and a NUL
 * inside the length is just an invalid character. */
START_TEST(parse_stops_at_length)
{
	static const char text[] = "sip:alice@example.com;lr?x=y";
	static const char nul[] = "sip:alice@exa\0mple.com";
	struct sl_uri u;

	ck_assert_int_eq(sl_uri_parse(text, 21, &u), 0);
	ck_assert_uint_eq(u.host.len, 11);
	ck_assert_uint_eq(u.params.len, 0);
	ck_assert_int_eq(sl_uri_parse(text, 24, &u), 0);
	ck_assert_uint_eq(u.params.len, 2);
	ck_assert_uint_eq(u.headers.len, 0);
	ck_assert_int_eq(sl_uri_parse(text, 22, &u), SL_EPARSE);
	ck_assert_int_eq(sl_uri_parse(nul, sizeof(nul) - 1, &u), SL_EPARSE);
	ck_assert_int_eq(sl_uri_parse(nul, 13, &u), 0);
}
END_TEST

/* Every prefix of a long URI either parses or fails cleanly, reading only
 * its own bytes. */
START_TEST(every_prefix_is_safe)
{
	static const char text[] =
		"sips:+1-212;x=%41:pw%20d@[2001:db8::10]:5070;transport=tls;"
		"lr;maddr=[::1]?Replaces=a%40b%3Bto-tag%3D1&Subject=hi";
	size_t n = sizeof(text) - 1;

	for (size_t i = 0; i <= n; i++) {
		char *buf = malloc(i ? i : 1);
		struct sl_uri u;
		int rc;

		memcpy(buf, text, i);
		rc = sl_uri_parse(buf, i, &u);
		ck_assert(rc == 0 || rc == SL_EPARSE);
		free(buf);
	}
}
END_TEST

/* ---- comparison ---- */

struct eq_vec {
	const char *ref;
	const char *a;
	const char *b;
	int want;
};

static const struct eq_vec eqv[] = {
	/* RFC 3261 §19.1.4: equivalent */
	{ "3261 19.1.4 eq 1", "sip:%61lice@atlanta.com;transport=TCP",
	  "sip:alice@AtLanTa.CoM;Transport=tcp", 1 },
	{ "3261 19.1.4 eq 2", "sip:carol@chicago.com",
	  "sip:carol@chicago.com;newparam=5", 1 },
	{ "3261 19.1.4 eq 2", "sip:carol@chicago.com",
	  "sip:carol@chicago.com;security=on", 1 },
	{ "3261 19.1.4 eq 2", "sip:carol@chicago.com;newparam=5",
	  "sip:carol@chicago.com;security=on", 1 },
	{ "3261 19.1.4 eq 3",
	  "sip:biloxi.com;transport=tcp;method=REGISTER"
	  "?to=sip:bob%40biloxi.com",
	  "sip:biloxi.com;method=REGISTER;transport=tcp"
	  "?to=sip:bob%40biloxi.com",
	  1 },
	{ "3261 19.1.4 eq 4",
	  "sip:alice@atlanta.com?subject=project%20x&priority=urgent",
	  "sip:alice@atlanta.com?priority=urgent&subject=project%20x", 1 },
	/* RFC 3261 §19.1.4: not equivalent */
	{ "3261 19.1.4 ne user case", "SIP:ALICE@AtLanTa.CoM;Transport=udp",
	  "sip:alice@AtLanTa.CoM;Transport=UDP", 0 },
	{ "3261 19.1.4 ne port", "sip:bob@biloxi.com",
	  "sip:bob@biloxi.com:5060", 0 },
	{ "3261 19.1.4 ne transport", "sip:bob@biloxi.com",
	  "sip:bob@biloxi.com;transport=udp", 0 },
	{ "3261 19.1.4 ne port+transport", "sip:bob@biloxi.com",
	  "sip:bob@biloxi.com:6000;transport=tcp", 0 },
	{ "3261 19.1.4 ne header", "sip:carol@chicago.com",
	  "sip:carol@chicago.com?Subject=next%20meeting", 0 },
	{ "3261 19.1.4 ne resolved", "sip:bob@phone21.boxesbybob.com",
	  "sip:bob@192.0.2.4", 0 },
	/* the rules one by one */
	{ "sip vs sips", "sip:alice@atlanta.com", "sips:alice@atlanta.com", 0 },
	{ "scheme case", "SIPS:alice@atlanta.com", "sips:alice@atlanta.com",
	  1 },
	{ "escaped reserved differs", "sip:a;b@h", "sip:a%3Bb@h", 0 },
	{ "escape hex case", "sip:a%3bb@h", "sip:a%3Bb@h", 1 },
	{ "escaped unreserved", "sip:%41@h", "sip:A@h", 1 },
	{ "escaped unreserved case", "sip:%41@h", "sip:a@h", 0 },
	{ "password escape", "sip:a:p%41ss@h", "sip:a:pAss@h", 1 },
	{ "password case", "sip:a:pass@h", "sip:a:PASS@h", 0 },
	{ "password vs none", "sip:a:pw@h", "sip:a@h", 0 },
	{ "empty password vs none", "sip:a:@h", "sip:a@h", 0 },
	{ "user vs none", "sip:h", "sip:@h", 0 },
	{ "user vs host only", "sip:a@h", "sip:h", 0 },
	{ "host case", "sip:a@EXAMPLE.com", "sip:a@example.COM", 1 },
	{ "host differs", "sip:a@example.com", "sip:a@example.org", 0 },
	{ "same port", "sip:a@h:5060", "sip:a@h:5060", 1 },
	{ "port differs", "sip:a@h:5060", "sip:a@h:5061", 0 },
	{ "ttl one side", "sip:a@h;ttl=1", "sip:a@h", 0 },
	{ "user param one side", "sip:1@h;user=phone", "sip:1@h", 0 },
	{ "method one side", "sip:a@h;method=INVITE", "sip:a@h", 0 },
	{ "maddr one side", "sip:a@h;maddr=1.2.3.4", "sip:a@h", 0 },
	{ "maddr case", "sip:a@h;maddr=X.com", "sip:a@h;MADDR=x.COM", 1 },
	{ "escaped param name", "sip:a@h;%74ransport=tcp", "sip:a@h", 0 },
	{ "escaped param name eq", "sip:a@h;%74ransport=tcp",
	  "sip:a@h;transport=TCP", 1 },
	{ "lr both", "sip:a@h;lr", "sip:a@h;lr", 1 },
	{ "lr vs lr=on", "sip:a@h;lr", "sip:a@h;lr=on", 0 },
	{ "lr one side", "sip:a@h;lr", "sip:a@h", 1 },
	{ "other param differs", "sip:a@h;newparam=5", "sip:a@h;newparam=6",
	  0 },
	{ "param order", "sip:a@h;x=1;y=2", "sip:a@h;y=2;x=1", 1 },
	{ "header name case", "sip:a@h?X=1", "sip:a@h?x=1", 1 },
	{ "header value case", "sip:a@h?x=A", "sip:a@h?x=a", 0 },
	{ "header value escape", "sip:a@h?x=%41", "sip:a@h?x=A", 1 },
	{ "header subset", "sip:a@h?x=1&y=2", "sip:a@h?x=1", 0 },
	{ "header value differs", "sip:a@h?x=1", "sip:a@h?x=2", 0 },
	{ "5954 v6 leading zero", "sip:[2001:db8::9:1]",
	  "sip:[2001:db8::9:01]", 1 },
	{ "5954 v6 mapped", "sip:[0:0:0:0:0:FFFF:129.144.52.38]",
	  "sip:[::ffff:129.144.52.38]", 1 },
	{ "v6 loopback", "sip:[::1]", "sip:[0:0:0:0:0:0:0:1]", 1 },
	{ "v6 gap at end", "sip:[2001:db8::]", "sip:[2001:db8:0:0:0:0:0:0]",
	  1 },
	{ "v6 differs", "sip:[2001:db8::1]", "sip:[2001:db8::2]", 0 },
	{ "v6 gap position", "sip:[1::2:3]", "sip:[1:2::3]", 0 },
	{ "v6 vs v4", "sip:[::ffff:192.0.2.4]", "sip:192.0.2.4", 0 },
	{ "v4 leading zeros", "sip:a@192.0.2.4", "sip:a@192.000.002.004", 1 },
	{ "v4 differs", "sip:a@192.0.2.4", "sip:a@192.0.2.5", 0 },
	{ "sip vs tel", "sip:+1234@h;user=phone", "tel:+1234", 0 },
	/* RFC 3966 §4 */
	{ "3966 separators", "tel:+1-201-555-0123", "tel:+12015550123", 1 },
	{ "3966 parens dots", "tel:+1(201)5550123", "tel:+1.201.555.0123", 1 },
	{ "3966 domain context case", "tel:7042;phone-context=example.com",
	  "tel:7042;phone-context=EXAMPLE.com", 1 },
	{ "3966 local vs global", "tel:7042;phone-context=example.com",
	  "tel:+7042", 0 },
	{ "3966 digit context", "tel:863-1234;phone-context=+1-914-555",
	  "tel:8631234;phone-context=+1914555", 1 },
	{ "3966 context differs", "tel:1;phone-context=a.com",
	  "tel:1;phone-context=b.com", 0 },
	{ "3966 ext one side", "tel:+1234;ext=1", "tel:+1234", 0 },
	{ "3966 ext separators", "tel:+1234;ext=1-2", "tel:+1234;ext=12", 1 },
	{ "3966 param one side", "tel:+1234;foo=bar", "tel:+1234", 0 },
	{ "3966 param order", "tel:+1234;a=1;b=2", "tel:+1234;b=2;a=1", 1 },
	{ "3966 hex case", "tel:abcd;phone-context=x.com",
	  "tel:ABCD;phone-context=x.com", 1 },
	{ "3966 number differs", "tel:+1234", "tel:+1235", 0 },
	{ "3966 number longer", "tel:+1234", "tel:+12345", 0 },
	/* other schemes */
	{ "other scheme case", "http://a/b", "HTTP://a/b", 1 },
	{ "other opaque exact", "http://a/b", "http://a/B", 0 },
	{ "other scheme differs", "mailto:a@b", "im:a@b", 0 },
	{ "other same", "urn:x", "urn:x", 1 },
};

START_TEST(uri_comparison)
{
	const struct eq_vec *v = &eqv[_i];
	struct sl_uri a, b;

	ck_assert_msg(sl_uri_parse(v->a, strlen(v->a), &a) == 0, "%s: a",
		      v->ref);
	ck_assert_msg(sl_uri_parse(v->b, strlen(v->b), &b) == 0, "%s: b",
		      v->ref);
	ck_assert_msg(sl_uri_equal(&a, &b) == v->want, "%s: a == b is %d",
		      v->ref, !v->want);
	ck_assert_msg(sl_uri_equal(&b, &a) == v->want, "%s: b == a is %d",
		      v->ref, !v->want);
	ck_assert_msg(sl_uri_equal(&a, &a) == 1, "%s: a != a", v->ref);
	ck_assert_msg(sl_uri_equal(&b, &b) == 1, "%s: b != b", v->ref);
}
END_TEST

START_TEST(every_valid_uri_equals_itself)
{
	const struct uri_vec *v = &good[_i];
	struct sl_uri a, b;
	size_t len = strlen(v->text);
	char *copy = malloc(len);

	/* two parses of separate copies: equality must not rely on the
	 * slices sharing memory */
	memcpy(copy, v->text, len);
	ck_assert_int_eq(sl_uri_parse(v->text, len, &a), 0);
	ck_assert_int_eq(sl_uri_parse(copy, len, &b), 0);
	ck_assert_msg(sl_uri_equal(&a, &b) == 1, "%s", v->ref);
	free(copy);
}
END_TEST

START_TEST(repeated_params_stay_reflexive)
{
	static const char *t[] = {
		"sip:a@h;x=1;x=2", "sip:a@h?x=1&x=2", "tel:+1;a=1;a=2",
		"sip:a@h;ttl=1;ttl=2;transport=tcp",
	};

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct sl_uri u;

		ck_assert_int_eq(sl_uri_parse(t[i], strlen(t[i]), &u), 0);
		ck_assert_int_eq(sl_uri_equal(&u, &u), 1);
	}
}
END_TEST

START_TEST(equal_handles_null_and_empty)
{
	struct sl_uri u, z;

	memset(&z, 0, sizeof(z));
	ck_assert_int_eq(sl_uri_parse("sip:a@h", 7, &u), 0);
	ck_assert_int_eq(sl_uri_equal(NULL, &u), 0);
	ck_assert_int_eq(sl_uri_equal(&u, NULL), 0);
	ck_assert_int_eq(sl_uri_equal(&u, &z), 0);
	ck_assert_int_eq(sl_uri_equal(&z, &z), 0);
}
END_TEST

/* ---- unescaping ---- */

START_TEST(unescape_decodes)
{
	char out[64];
	struct sl_slice s = { "%61lice", 7 };

	ck_assert_int_eq(sl_uri_unescape(s, out, sizeof(out)), 5);
	ck_assert_str_eq(out, "alice");

	s.p = "sips%3Auser%40example.com";
	s.len = strlen(s.p);
	ck_assert_int_eq(sl_uri_unescape(s, out, sizeof(out)), 21);
	ck_assert_str_eq(out, "sips:user@example.com");

	s.p = "v%61lue%25%34%31"; /* RFC 4475 esc01: once, not twice */
	s.len = strlen(s.p);
	ck_assert_int_eq(sl_uri_unescape(s, out, sizeof(out)), 8);
	ck_assert_str_eq(out, "value%41");

	s.p = "%c3%A9";
	s.len = 6;
	ck_assert_int_eq(sl_uri_unescape(s, out, sizeof(out)), 2);
	ck_assert_str_eq(out, "\xc3\xa9");

	s.p = "plain";
	s.len = 5;
	ck_assert_int_eq(sl_uri_unescape(s, out, sizeof(out)), 5);
	ck_assert_str_eq(out, "plain");
}
END_TEST

/* RFC 4475 escnull: %00 decodes to a NUL byte inside the result; the
 * return value is the only reliable length. */
START_TEST(unescape_keeps_embedded_nul)
{
	char out[32];
	struct sl_slice s = { "null-%00-null", 13 };

	memset(out, 'x', sizeof(out));
	ck_assert_int_eq(sl_uri_unescape(s, out, sizeof(out)), 11);
	ck_assert_int_eq(memcmp(out, "null-\0-null\0", 12), 0);
}
END_TEST

START_TEST(unescape_errors)
{
	static const char *badt[] = { "abc%2", "%G1", "%", "a%1", "%%41",
				      "x%4g" };
	char out[16];
	struct sl_slice s;

	for (size_t i = 0; i < sizeof(badt) / sizeof(badt[0]); i++) {
		s.p = badt[i];
		s.len = strlen(badt[i]);
		ck_assert_int_eq(sl_uri_unescape(s, out, sizeof(out)),
				 SL_EPARSE);
		ck_assert_int_eq(out[0], '\0');
		/* a bad escape wins over a small buffer */
		ck_assert_int_eq(sl_uri_unescape(s, out, 1), SL_EPARSE);
	}

	s.p = "alice";
	s.len = 5;
	memset(out, 'x', sizeof(out));
	ck_assert_int_eq(sl_uri_unescape(s, out, 5), SL_ENOSPC);
	ck_assert_int_eq(out[0], '\0');
	ck_assert_int_eq(out[5], 'x'); /* nothing past cap */
	ck_assert_int_eq(sl_uri_unescape(s, out, 6), 5);
	ck_assert_str_eq(out, "alice");
	ck_assert_int_eq(sl_uri_unescape(s, NULL, 0), SL_ENOSPC);
	ck_assert_int_eq(sl_uri_unescape(s, NULL, 4), SL_EINVAL);

	s.p = "%41%42";
	s.len = 6;
	ck_assert_int_eq(sl_uri_unescape(s, out, 2), SL_ENOSPC);
	ck_assert_int_eq(sl_uri_unescape(s, out, 3), 2);
	ck_assert_str_eq(out, "AB");

	s.p = NULL;
	s.len = 0;
	ck_assert_int_eq(sl_uri_unescape(s, out, 1), 0);
	ck_assert_str_eq(out, "");
	s.len = 3;
	ck_assert_int_eq(sl_uri_unescape(s, out, sizeof(out)), SL_EINVAL);
}
END_TEST

/* ---- parameter and header look-up ---- */

static int param_is(const struct sl_uri *u, const char *name,
		    const char *want)
{
	struct sl_slice v = { "junk", 4 };

	if (!sl_uri_param(u, name, &v))
		return want == NULL;
	return want && v.len == strlen(want) && memcmp(v.p, want, v.len) == 0;
}

START_TEST(param_lookup)
{
	static const char t[] =
		"sip:a;x=y@h;transport=tcp;lr;maddr=1.2.3.4;TTL=5;%6C%72x";
	struct sl_uri u;
	struct sl_slice v;

	ck_assert_int_eq(sl_uri_parse(t, strlen(t), &u), 0);
	ck_assert(param_is(&u, "transport", "tcp"));
	ck_assert(param_is(&u, "TRANSPORT", "tcp"));
	ck_assert(param_is(&u, "lr", ""));
	ck_assert(param_is(&u, "maddr", "1.2.3.4"));
	ck_assert(param_is(&u, "ttl", "5"));
	ck_assert(param_is(&u, "lrx", "")); /* escaped name decodes */
	ck_assert(param_is(&u, "x", NULL)); /* in the user part only */
	ck_assert(param_is(&u, "tr", NULL));
	ck_assert(param_is(&u, "transpor", NULL));
	ck_assert(param_is(&u, "transportx", NULL));
	ck_assert(param_is(&u, "", NULL));
	ck_assert_int_eq(sl_uri_param(&u, "lr", NULL), 1);
	ck_assert_int_eq(sl_uri_param(NULL, "lr", &v), 0);
	ck_assert_int_eq(sl_uri_param(&u, NULL, &v), 0);

	ck_assert_int_eq(sl_uri_parse("tel:7042;phone-context=example.com",
				      34, &u), 0);
	ck_assert(param_is(&u, "phone-context", "example.com"));
	ck_assert_int_eq(sl_uri_parse("sip:h", 5, &u), 0);
	ck_assert(param_is(&u, "lr", NULL));
	ck_assert_int_eq(sl_uri_parse("urn:x;lr", 8, &u), 0);
	ck_assert(param_is(&u, "lr", NULL));
}
END_TEST

START_TEST(header_lookup_refer_to_replaces)
{
	static const char t[] =
		"sip:bob@b.com?Replaces=abc%40h%3Bto-tag%3D1%3Bfrom-tag%3D2"
		"&subject=x&empty=";
	struct sl_uri u;
	struct sl_slice v;
	char out[64];

	ck_assert_int_eq(sl_uri_parse(t, strlen(t), &u), 0);
	ck_assert_int_eq(sl_uri_header(&u, "Replaces", &v), 1);
	ck_assert_uint_eq(v.len, strlen("abc%40h%3Bto-tag%3D1%3Bfrom-tag%3D2"));
	ck_assert_int_eq(sl_uri_unescape(v, out, sizeof(out)), 25);
	ck_assert_str_eq(out, "abc@h;to-tag=1;from-tag=2");
	ck_assert_int_eq(sl_uri_header(&u, "replaces", NULL), 1);
	ck_assert_int_eq(sl_uri_header(&u, "SUBJECT", &v), 1);
	ck_assert_uint_eq(v.len, 1);
	ck_assert_int_eq(v.p[0], 'x');
	ck_assert_int_eq(sl_uri_header(&u, "empty", &v), 1);
	ck_assert_uint_eq(v.len, 0);
	ck_assert_int_eq(sl_uri_header(&u, "Repl", &v), 0);
	ck_assert_int_eq(sl_uri_header(&u, "s", &v), 0);
	ck_assert_int_eq(sl_uri_header(NULL, "s", &v), 0);
	ck_assert_int_eq(sl_uri_header(&u, NULL, &v), 0);
	ck_assert_int_eq(sl_uri_parse("sip:h;a=b", 9, &u), 0);
	ck_assert_int_eq(sl_uri_header(&u, "a", &v), 0);
}
END_TEST

Suite *check_sip_uri_suite(void);

Suite *check_sip_uri_suite(void)
{
	Suite *s = suite_create("sip_uri");
	TCase *tc = tcase_create("parse");
	TCase *eq = tcase_create("equal");
	TCase *esc = tcase_create("unescape");
	TCase *look = tcase_create("lookup");

	tcase_add_loop_test(tc, valid_uri_decodes, 0,
			    sizeof(good) / sizeof(good[0]));
	tcase_add_test(tc, tel_number_is_user_without_has_user);
	tcase_add_loop_test(tc, invalid_uri_is_refused, 0,
			    sizeof(bad) / sizeof(bad[0]));
	tcase_add_test(tc, parse_checks_arguments);
	tcase_add_test(tc, parse_stops_at_length);
	tcase_add_test(tc, every_prefix_is_safe);
	suite_add_tcase(s, tc);

	tcase_add_loop_test(eq, uri_comparison, 0,
			    sizeof(eqv) / sizeof(eqv[0]));
	tcase_add_loop_test(eq, every_valid_uri_equals_itself, 0,
			    sizeof(good) / sizeof(good[0]));
	tcase_add_test(eq, repeated_params_stay_reflexive);
	tcase_add_test(eq, equal_handles_null_and_empty);
	suite_add_tcase(s, eq);

	tcase_add_test(esc, unescape_decodes);
	tcase_add_test(esc, unescape_keeps_embedded_nul);
	tcase_add_test(esc, unescape_errors);
	suite_add_tcase(s, esc);

	tcase_add_test(look, param_lookup);
	tcase_add_test(look, header_lookup_refer_to_replaces);
	suite_add_tcase(s, look);
	return s;
}

SL_CHECK_MAIN(check_sip_uri_suite)
