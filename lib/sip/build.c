/*
 * lib/sip/build.c: the message builder of sipline/build.h (RFC 3261 §7,
 * §8.1.1, §8.2.6, §12.1.1, §20, §21, §25.1).
 *
 * Owns: nothing; a struct sl_builder and its buffer belong to the caller.
 * Thread: reentrant; one builder per thread at a time.
 * Called by: the transaction, dialog and UA layers to compose requests and
 * responses (sl_build_response() answers a parsed request).
 *
 * Every write goes through put(), which refuses to write at or past cap and
 * records the first error; every public function starts by returning that
 * error, which is what makes errors sticky. Caller text is validated before
 * anything is written, so a refused call leaves no partial header behind.
 */
#include <limits.h>
#include <string.h>

#include "sipline/build.h"
#include "scan.h"

/* struct sl_builder.state: what the message needs next. */
enum {
	ST_START = 0,   /* the start line */
	ST_HEADERS,     /* header fields, or finish */
	ST_DONE         /* nothing: finish succeeded */
};

/* struct sl_builder.flags */
enum {
	F_HAS_CTYPE = 1u << 0   /* a Content-Type header was written */
};

/* ---- writing ---- */

static int fail(struct sl_builder *b, int err)
{
	if (b->err == 0)
		b->err = err;
	return b->err;
}

static void put(struct sl_builder *b, const char *p, size_t n)
{
	if (b->err)
		return;
	if (n > b->cap - b->len) {
		fail(b, SL_ENOSPC);
		return;
	}
	if (n)
		memcpy(b->buf + b->len, p, n);
	b->len += n;
}

static void put_str(struct sl_builder *b, const char *s)
{
	put(b, s, strlen(s));
}

static void put_slice(struct sl_builder *b, struct sl_slice s)
{
	put(b, s.p, s.len);
}

static void put_uint(struct sl_builder *b, uint64_t v)
{
	char tmp[20];
	size_t i = sizeof(tmp);

	do {
		tmp[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	put(b, tmp + i, sizeof(tmp) - i);
}

/* ---- validation: 1 when acceptable ---- */

static int all_of(struct sl_slice s, unsigned cls)
{
	for (size_t i = 0; i < s.len; i++)
		if (!sl__ch((unsigned char)s.p[i], cls))
			return 0;
	return 1;
}

static int is_token(struct sl_slice s)
{
	return s.len > 0 && all_of(s, SL_CH_TOKEN);
}

/* Header values, reason phrases, display names: TEXT-UTF8 plus SP and HT,
 * so no NUL, CR, LF or other control can end a line early. */
static int is_text(struct sl_slice s)
{
	return all_of(s, SL_CH_TEXT);
}

/*
 * A URI as the builder accepts it: scheme ":" then at least one visible
 * ASCII character. '<', '>' and '"' would end a name-addr early; SP, CTLs
 * and non-ASCII bytes must be escaped in any URI (RFC 3986 §2, RFC 3261
 * §25.1), so none of them can smuggle anything past the line.
 */
static int is_uri(struct sl_slice s)
{
	size_t i = 0;

	if (s.len == 0 || !sl__ch((unsigned char)s.p[0], SL_CH_ALPHA))
		return 0;
	while (i < s.len && (sl__ch((unsigned char)s.p[i],
				    SL_CH_ALPHA | SL_CH_DIGIT) ||
			     s.p[i] == '+' || s.p[i] == '-' || s.p[i] == '.'))
		i++;
	if (i >= s.len || s.p[i] != ':' || i + 1 == s.len)
		return 0;
	for (i++; i < s.len; i++) {
		unsigned char c = (unsigned char)s.p[i];

		if (c <= 0x20 || c >= 0x7f || c == '<' || c == '>' || c == '"')
			return 0;
	}
	return 1;
}

/* A slice handed in by a caller: p may be NULL only when it is empty. */
static int slice_ok(struct sl_slice s)
{
	return s.p != NULL || s.len == 0;
}

static struct sl_slice str_slice(const char *s)
{
	struct sl_slice r = { s, s ? strlen(s) : 0 };

	return r;
}

static int name_is(struct sl_slice name, const char *lng, char compact)
{
	if (name.len == 1)
		return sl__lower((unsigned char)name.p[0]) == compact;
	return sl_slice_ieq(name, lng);
}

/* ---- state ---- */

/* A header may be written: the start line is there, finish is not. */
static int header_ready(struct sl_builder *b)
{
	if (b->err)
		return b->err;
	if (b->state != ST_HEADERS)
		return fail(b, SL_ESTATE);
	return 0;
}

/*
 * Checks a header name for every header-writing function: a token, and not
 * Content-Length, which only finish may write (one honest length per
 * message). Returns 0 or the (sticky) error.
 */
static int name_check(struct sl_builder *b, struct sl_slice name)
{
	int rc = header_ready(b);

	if (rc)
		return rc;
	if (!is_token(name) || name_is(name, "Content-Length", 'l'))
		return fail(b, SL_EINVAL);
	return 0;
}

/* Writes "name: ", noting a Content-Type so that finish neither adds a
 * second one nor refuses a body for want of one. */
static void put_name(struct sl_builder *b, struct sl_slice name)
{
	if (name_is(name, "Content-Type", 'c'))
		b->flags |= F_HAS_CTYPE;
	put_slice(b, name);
	put(b, ": ", 2);
}

static void put_crlf(struct sl_builder *b)
{
	put(b, "\r\n", 2);
}

/* ---- public API ---- */

int sl_build_init(struct sl_builder *b, char *buf, size_t cap)
{
	if (!b)
		return SL_EINVAL;
	memset(b, 0, sizeof(*b));
	b->buf = buf;
	b->cap = buf ? cap : 0;
	b->state = ST_START;
	if (!buf && cap)
		return fail(b, SL_EINVAL);
	return 0;
}

int sl_build_request_line_slice(struct sl_builder *b, struct sl_slice method,
				struct sl_slice uri)
{
	if (!b)
		return SL_EINVAL;
	if (b->err)
		return b->err;
	if (b->state != ST_START)
		return fail(b, SL_ESTATE);
	if (!slice_ok(method) || !slice_ok(uri) ||
	    !is_token(method) || !is_uri(uri))
		return fail(b, SL_EINVAL);
	put_slice(b, method);
	put(b, " ", 1);
	put_slice(b, uri);
	put_str(b, " SIP/2.0\r\n");
	b->state = ST_HEADERS;
	return b->err;
}

int sl_build_request_line(struct sl_builder *b, const char *method,
			  const char *uri)
{
	if (b && !b->err && (!method || !uri))
		return fail(b, SL_EINVAL);
	return sl_build_request_line_slice(b, str_slice(method),
					   str_slice(uri));
}

int sl_build_status_line(struct sl_builder *b, int code, const char *reason)
{
	struct sl_slice r;

	if (!b)
		return SL_EINVAL;
	if (b->err)
		return b->err;
	if (b->state != ST_START)
		return fail(b, SL_ESTATE);
	r = str_slice(reason ? reason : sl_status_phrase(code));
	if (code < 100 || code > 699 || !is_text(r))
		return fail(b, SL_EINVAL);
	put_str(b, "SIP/2.0 ");
	put_uint(b, (uint64_t)code);
	put(b, " ", 1);
	put_slice(b, r);
	put_crlf(b);
	b->state = ST_HEADERS;
	return b->err;
}

int sl_build_header_slice(struct sl_builder *b, struct sl_slice name,
			  struct sl_slice value)
{
	int rc;

	if (!b)
		return SL_EINVAL;
	if (b->err)
		return b->err;
	if (!slice_ok(name) || !slice_ok(value))
		return fail(b, SL_EINVAL);
	rc = name_check(b, name);
	if (rc)
		return rc;
	if (!is_text(value))
		return fail(b, SL_EINVAL);
	put_name(b, name);
	put_slice(b, value);
	put_crlf(b);
	return b->err;
}

int sl_build_header(struct sl_builder *b, const char *name, const char *value)
{
	if (b && !b->err && (!name || !value))
		return fail(b, SL_EINVAL);
	return sl_build_header_slice(b, str_slice(name), str_slice(value));
}

int sl_build_header_uint(struct sl_builder *b, const char *name,
			 uint32_t value)
{
	int rc;

	if (!b)
		return SL_EINVAL;
	if (b->err)
		return b->err;
	if (!name)
		return fail(b, SL_EINVAL);
	rc = name_check(b, str_slice(name));
	if (rc)
		return rc;
	put_name(b, str_slice(name));
	put_uint(b, value);
	put_crlf(b);
	return b->err;
}

/*
 * A value received in a message: its only line breaks are folds, [CR] LF
 * followed by SP or HT (RFC 3261 §7.3.1; sl_msg_parse() takes a bare LF
 * for CRLF, so a fold may lack the CR too), and a NUL appears only after a
 * backslash, escaped as in the display name of RFC 4475 §3.1.1.9.
 */
static int folded_ok(struct sl_slice v)
{
	for (size_t i = 0; i < v.len; i++) {
		char c = v.p[i];

		/* The parser's own test (a backslash just before), so that
		 * whatever it accepts can be answered. */
		if (c == '\0' && (i == 0 || v.p[i - 1] != '\\'))
			return 0;
		if (c == '\r') {
			if (i + 1 >= v.len || v.p[i + 1] != '\n')
				return 0;
			c = v.p[++i];
		}
		if (c == '\n' && (i + 1 >= v.len ||
				  (v.p[i + 1] != ' ' && v.p[i + 1] != '\t')))
			return 0;
	}
	return 1;
}

/*
 * Writes a folded_ok() value on one line. A white-space run that holds a
 * fold is one LWS, equivalent to a single SP (RFC 3261 §7.3.1), so it
 * becomes one; any other run is kept as received.
 */
static void put_unfolded(struct sl_builder *b, struct sl_slice v)
{
	size_t i = 0, run = 0;

	while (i < v.len) {
		size_t j = i;
		int fold = 0;

		if (!sl__ch((unsigned char)v.p[i], SL_CH_WS)) {
			i++;
			continue;
		}
		while (j < v.len && sl__ch((unsigned char)v.p[j], SL_CH_WS)) {
			fold |= v.p[j] == '\r' || v.p[j] == '\n';
			j++;
		}
		if (fold) {
			put(b, v.p + run, i - run);
			put(b, " ", 1);
			run = j;
		}
		i = j;
	}
	put(b, v.p + run, v.len - run);
}

int sl_build_header_copy(struct sl_builder *b, const struct sl_hdr *h)
{
	int rc;

	if (!b)
		return SL_EINVAL;
	if (b->err)
		return b->err;
	if (!h || !slice_ok(h->name) || !slice_ok(h->value))
		return fail(b, SL_EINVAL);
	rc = name_check(b, h->name);
	if (rc)
		return rc;
	if (!folded_ok(h->value))
		return fail(b, SL_EINVAL);
	put_name(b, h->name);
	put_unfolded(b, h->value);
	put_crlf(b);
	return b->err;
}

/* ---- typed headers ---- */

/*
 * Via sent-by host: a name or IPv4 address as sl__take_host() accepts it,
 * or an IPv6 address with or without its brackets. Returns 1 and sets
 * *bracket when brackets must be added, 0 when malformed.
 */
static int via_host_ok(struct sl_slice h, int *bracket)
{
	struct sl_cur c = sl__cur(h);
	struct sl_slice out;
	enum sl_host_type type;

	*bracket = 0;
	if (h.len == 0)
		return 0;
	if (memchr(h.p, ':', h.len) && h.p[0] != '[') {
		*bracket = 1;
		return sl__is_ipv6(h);
	}
	return sl__take_host(&c, &out, &type) == 1 && c.p == c.end;
}

int sl_build_via(struct sl_builder *b, const char *transport, const char *host,
		 uint16_t port, const char *branch, int rport)
{
	static const struct sl_slice via = { "Via", 3 };
	struct sl_slice t = str_slice(transport), h = str_slice(host);
	struct sl_slice br = str_slice(branch);
	int rc, bracket;

	if (!b)
		return SL_EINVAL;
	rc = name_check(b, via);
	if (rc)
		return rc;
	if (!is_token(t) || !is_token(br) || !via_host_ok(h, &bracket))
		return fail(b, SL_EINVAL);
	put_name(b, via);
	put_str(b, "SIP/2.0/");
	put_slice(b, t);
	put(b, bracket ? " [" : " ", bracket ? 2 : 1);
	put_slice(b, h);
	if (bracket)
		put(b, "]", 1);
	if (port) {
		put(b, ":", 1);
		put_uint(b, port);
	}
	put_str(b, ";branch=");
	put_slice(b, br);
	if (rport)
		put_str(b, ";rport");
	put_crlf(b);
	return b->err;
}

/* Writes a display name as a quoted-string, escaping '"' and '\'
 * (RFC 3261 §25.1 quoted-pair). */
static void put_quoted(struct sl_builder *b, struct sl_slice s)
{
	size_t i, run = 0;

	put(b, "\"", 1);
	for (i = 0; i < s.len; i++) {
		if (s.p[i] != '"' && s.p[i] != '\\')
			continue;
		put(b, s.p + run, i - run);
		put(b, "\\", 1);
		run = i;
	}
	put(b, s.p + run, i - run);
	put(b, "\"", 1);
}

/*
 * The common part of the name-addr writers. @suffix_name and @suffix are
 * what follows '>' (";tag=" and the tag, or nothing and the parameters);
 * @suffix has been validated by the caller.
 */
static int put_name_addr(struct sl_builder *b, const char *name,
			 const char *display, const char *uri,
			 const char *suffix_name, struct sl_slice suffix)
{
	struct sl_slice n = str_slice(name), d = str_slice(display);
	struct sl_slice u = str_slice(uri);
	int rc;

	if (!name || !uri)
		return fail(b, SL_EINVAL);
	rc = name_check(b, n);
	if (rc)
		return rc;
	if (!is_text(d) || !is_uri(u))
		return fail(b, SL_EINVAL);
	put_name(b, n);
	if (d.len) {
		put_quoted(b, d);
		put(b, " ", 1);
	}
	put(b, "<", 1);
	put_slice(b, u);
	put(b, ">", 1);
	if (suffix.len) {
		put_str(b, suffix_name);
		put_slice(b, suffix);
	}
	put_crlf(b);
	return b->err;
}

int sl_build_name_addr_header(struct sl_builder *b, const char *name,
			      const char *display, const char *uri,
			      const char *tag)
{
	struct sl_slice t = str_slice(tag);

	if (!b)
		return SL_EINVAL;
	if (b->err)
		return b->err;
	if (t.len && !is_token(t))
		return fail(b, SL_EINVAL);
	return put_name_addr(b, name, display, uri, ";tag=", t);
}

int sl_build_name_addr_params(struct sl_builder *b, const char *name,
			      const char *display, const char *uri,
			      const char *params)
{
	struct sl_slice p = str_slice(params);

	if (!b)
		return SL_EINVAL;
	if (b->err)
		return b->err;
	if (p.len && (p.p[0] != ';' || !is_text(p)))
		return fail(b, SL_EINVAL);
	return put_name_addr(b, name, display, uri, "", p);
}

int sl_build_cseq(struct sl_builder *b, uint32_t seq, const char *method)
{
	static const struct sl_slice cseq = { "CSeq", 4 };
	struct sl_slice m = str_slice(method);
	int rc;

	if (!b)
		return SL_EINVAL;
	rc = name_check(b, cseq);
	if (rc)
		return rc;
	/* RFC 3261 §8.1.1.5: the sequence number MUST be below 2^31. */
	if (seq >= 0x80000000u || !is_token(m))
		return fail(b, SL_EINVAL);
	put_name(b, cseq);
	put_uint(b, seq);
	put(b, " ", 1);
	put_slice(b, m);
	put_crlf(b);
	return b->err;
}

int sl_build_call_id(struct sl_builder *b, const char *call_id)
{
	static const struct sl_slice name = { "Call-ID", 7 };
	struct sl_slice id = str_slice(call_id), w1 = id, w2 = { NULL, 0 };
	const char *at;
	int rc;

	if (!b)
		return SL_EINVAL;
	rc = name_check(b, name);
	if (rc)
		return rc;
	/* callid = word [ "@" word ] (RFC 3261 §25.1) */
	at = id.len ? memchr(id.p, '@', id.len) : NULL;
	if (at) {
		w1 = sl__slice(id.p, at);
		w2 = sl__slice(at + 1, id.p + id.len);
	}
	if (w1.len == 0 || !all_of(w1, SL_CH_WORD) ||
	    (at && (w2.len == 0 || !all_of(w2, SL_CH_WORD))))
		return fail(b, SL_EINVAL);
	put_name(b, name);
	put_slice(b, id);
	put_crlf(b);
	return b->err;
}

int sl_build_finish(struct sl_builder *b, const char *content_type,
		    const void *body, size_t body_len)
{
	struct sl_slice ct = str_slice(content_type);
	int rc;

	if (!b)
		return SL_EINVAL;
	rc = header_ready(b);
	if (rc)
		return rc;
	if (!body && body_len)
		return fail(b, SL_EINVAL);
	if (content_type) {
		/* one Content-Type per message, and a real one */
		if ((b->flags & F_HAS_CTYPE) || ct.len == 0 || !is_text(ct))
			return fail(b, SL_EINVAL);
	} else if (body_len && !(b->flags & F_HAS_CTYPE)) {
		/* RFC 3261 §20.15: a non-empty body MUST have a type */
		return fail(b, SL_EINVAL);
	}
	if (content_type) {
		put_str(b, "Content-Type: ");
		put_slice(b, ct);
		put_crlf(b);
	}
	/* Always present: required over streams (RFC 3261 §18.3, §20.14)
	 * and harmless over datagrams. */
	put_str(b, "Content-Length: ");
	put_uint(b, body_len);
	put_str(b, "\r\n\r\n");
	put(b, body, body_len);
	if (b->err)
		return b->err;
	if (b->len > INT_MAX)
		return fail(b, SL_ETOOBIG);
	b->state = ST_DONE;
	if (b->len < b->cap)
		b->buf[b->len] = '\0';
	return (int)b->len;
}

/* ---- responses (RFC 3261 §8.2.6) ---- */

/*
 * Copies the values of header @id of @req, in order, at most @max of them,
 * under the name @canonical; @tag (when not empty) is appended to each as a
 * tag parameter. With @dry set only checks what would be copied, so that a
 * bad request is refused before the status line is written. Stores the
 * number of values in *@n. Returns 0 or the sticky error.
 */
static int copy_values(struct sl_builder *b, const struct sl_msg *req,
		       enum sl_hdr_id id, const char *canonical, unsigned max,
		       struct sl_slice tag, int dry, unsigned *n)
{
	struct sl_slice name = str_slice(canonical);
	unsigned idx = req->first[id];

	/* A chain can't be longer than the table: a longer one loops. */
	for (*n = 0; idx != SL_HDR_NONE && *n < max; (*n)++) {
		const struct sl_hdr *h;

		if (idx >= req->n_hdrs || *n >= req->n_hdrs)
			return fail(b, SL_EINVAL);
		h = &req->hdrs[idx];
		if (dry) {
			if (!slice_ok(h->value) || !folded_ok(h->value))
				return fail(b, SL_EINVAL);
		} else {
			put_name(b, name);
			put_unfolded(b, h->value);
			if (tag.len) {
				put_str(b, ";tag=");
				put_slice(b, tag);
			}
			put_crlf(b);
		}
		idx = h->next;
	}
	return b->err;
}

int sl_build_response(struct sl_builder *b, const struct sl_msg *req,
		      int code, const char *reason, const char *to_tag,
		      unsigned flags)
{
	/* What §8.2.6 copies, in the order the response carries it, how
	 * many values (UINT_MAX: all) and whether every request has it
	 * (§8.1.1). */
	static const struct {
		enum sl_hdr_id id;
		const char *name;
		unsigned max;
		int mandatory;
	} copied[] = {
		{ SL_HDR_VIA, "Via", UINT_MAX, 1 },
		{ SL_HDR_FROM, "From", 1, 1 },
		{ SL_HDR_TO, "To", 1, 1 },
		{ SL_HDR_CALL_ID, "Call-ID", 1, 1 },
		{ SL_HDR_CSEQ, "CSeq", 1, 1 },
		{ SL_HDR_TIMESTAMP, "Timestamp", 1, 0 },
		{ SL_HDR_RECORD_ROUTE, "Record-Route", UINT_MAX, 0 },
	};
	static const struct sl_slice no_tag = { NULL, 0 };
	struct sl_slice tag = str_slice(to_tag);
	unsigned n;
	int rc;

	if (!b)
		return SL_EINVAL;
	if (b->err)
		return b->err;
	if (b->state != ST_START)
		return fail(b, SL_ESTATE);
	/* ACK is never answered (RFC 3261 §17.1.1.3, §17.2.1). */
	if (!req || !req->is_request || req->method == SL_METHOD_ACK ||
	    !req->hdrs || (flags & ~(unsigned)SL_BUILD_COPY_RECORD_ROUTE) ||
	    (tag.len && !is_token(tag)))
		return fail(b, SL_EINVAL);
	/* §8.2.6.2: the UAS adds its tag when the request had none, except
	 * on a 100 (Trying), which never establishes a dialog. */
	if (req->to.tag.len || code <= 100)
		tag = no_tag;

	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = 0; i < sizeof(copied) / sizeof(copied[0]);
		     i++) {
			enum sl_hdr_id id = copied[i].id;

			/* §8.2.6.1: Timestamp goes back in a 100 only;
			 * §12.1.1: Record-Route when the caller says the
			 * response creates a dialog. */
			if ((id == SL_HDR_TIMESTAMP && code != 100) ||
			    (id == SL_HDR_RECORD_ROUTE &&
			     !(flags & SL_BUILD_COPY_RECORD_ROUTE)))
				continue;
			rc = copy_values(b, req, id, copied[i].name,
					 copied[i].max,
					 id == SL_HDR_TO ? tag : no_tag,
					 pass == 0, &n);
			if (rc)
				return rc;
			if (n == 0 && copied[i].mandatory)
				return fail(b, SL_EINVAL);
		}
		if (pass == 0) {
			rc = sl_build_status_line(b, code, reason);
			if (rc)
				return rc;
		}
	}
	return b->err;
}

/* ---- reason phrases (RFC 3261 §21 and the IANA registry) ---- */

static const struct {
	short code;
	const char *phrase;
} phrases[] = {
	{ 100, "Trying" },
	{ 180, "Ringing" },
	{ 181, "Call Is Being Forwarded" },
	{ 182, "Queued" },
	{ 183, "Session Progress" },
	{ 199, "Early Dialog Terminated" },          /* RFC 6228 */
	{ 200, "OK" },
	{ 202, "Accepted" },                         /* RFC 3265 */
	{ 204, "No Notification" },                  /* RFC 5839 */
	{ 300, "Multiple Choices" },
	{ 301, "Moved Permanently" },
	{ 302, "Moved Temporarily" },
	{ 305, "Use Proxy" },
	{ 380, "Alternative Service" },
	{ 400, "Bad Request" },
	{ 401, "Unauthorized" },
	{ 402, "Payment Required" },
	{ 403, "Forbidden" },
	{ 404, "Not Found" },
	{ 405, "Method Not Allowed" },
	{ 406, "Not Acceptable" },
	{ 407, "Proxy Authentication Required" },
	{ 408, "Request Timeout" },
	{ 410, "Gone" },
	{ 412, "Conditional Request Failed" },       /* RFC 3903 */
	{ 413, "Request Entity Too Large" },
	{ 414, "Request-URI Too Long" },
	{ 415, "Unsupported Media Type" },
	{ 416, "Unsupported URI Scheme" },
	{ 417, "Unknown Resource-Priority" },        /* RFC 4412 */
	{ 420, "Bad Extension" },
	{ 421, "Extension Required" },
	{ 422, "Session Interval Too Small" },       /* RFC 4028 */
	{ 423, "Interval Too Brief" },
	{ 428, "Use Identity Header" },              /* RFC 8224 */
	{ 429, "Provide Referrer Identity" },        /* RFC 3892 */
	{ 430, "Flow Failed" },                      /* RFC 5626 */
	{ 433, "Anonymity Disallowed" },             /* RFC 5079 */
	{ 439, "First Hop Lacks Outbound Support" }, /* RFC 5626 */
	{ 440, "Max-Breadth Exceeded" },             /* RFC 5393 */
	{ 469, "Bad Info Package" },                 /* RFC 6086 */
	{ 470, "Consent Needed" },                   /* RFC 5360 */
	{ 480, "Temporarily Unavailable" },
	{ 481, "Call/Transaction Does Not Exist" },
	{ 482, "Loop Detected" },
	{ 483, "Too Many Hops" },
	{ 484, "Address Incomplete" },
	{ 485, "Ambiguous" },
	{ 486, "Busy Here" },
	{ 487, "Request Terminated" },
	{ 488, "Not Acceptable Here" },
	{ 489, "Bad Event" },                        /* RFC 6665 */
	{ 491, "Request Pending" },
	{ 493, "Undecipherable" },
	{ 494, "Security Agreement Required" },      /* RFC 3329 */
	{ 500, "Server Internal Error" },
	{ 501, "Not Implemented" },
	{ 502, "Bad Gateway" },
	{ 503, "Service Unavailable" },
	{ 504, "Server Time-out" },
	{ 505, "Version Not Supported" },
	{ 513, "Message Too Large" },
	{ 580, "Precondition Failure" },             /* RFC 3312 */
	{ 600, "Busy Everywhere" },
	{ 603, "Decline" },
	{ 604, "Does Not Exist Anywhere" },
	{ 606, "Not Acceptable" },
	{ 607, "Unwanted" },                         /* RFC 8197 */
	{ 608, "Rejected" },                         /* RFC 8688 */
};

const char *sl_status_phrase(int code)
{
	/* The §21 section titles, for codes a newer RFC may define: a UA
	 * treats an unknown code as its class's x00 (§8.1.3.2). */
	static const char *const classes[] = {
		"Provisional", "Successful", "Redirection",
		"Request Failure", "Server Failure", "Global Failure"
	};

	if (code < 100 || code > 699)
		return "Unknown";
	for (size_t i = 0; i < sizeof(phrases) / sizeof(phrases[0]); i++)
		if (phrases[i].code == code)
			return phrases[i].phrase;
	return classes[code / 100 - 1];
}
