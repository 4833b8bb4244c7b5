/*
 * include/sipline/msg.h: the zero-copy SIP message view (RFC 3261 §7, §20).
 *
 * sl_msg_parse() reads one complete message from a caller's buffer and fills
 * a struct sl_msg whose fields are slices of that buffer: nothing is copied,
 * nothing is written into the buffer, and the only memory used besides the
 * struct itself is a caller-provided arena (header table and decoded Vias).
 * Parsing the same buffer twice gives the same view.
 *
 * Lifetime: every slice in a struct sl_msg points into the parsed buffer, and
 * the header table and Via array live in the arena. Both must outlive the
 * view; resetting the arena invalidates it.
 *
 * Thread: every function here is reentrant and may be called from any
 * thread, as long as one message view and one arena are used by one thread
 * at a time.
 */
#ifndef SIPLINE_MSG_H
#define SIPLINE_MSG_H

#include <stddef.h>
#include <stdint.h>

#include "sipline/error.h"
#include "sipline/uri.h"
#include "sipline/headers.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * struct sl_arena - a bump allocator over caller-provided memory.
 * @base: start of the memory.
 * @cap:  its size in bytes.
 * @used: bytes handed out so far.
 *
 * Owner: the caller. Resetting (used = 0) frees everything at once.
 */
struct sl_arena {
	unsigned char *base;
	size_t cap;
	size_t used;
};

/** sl_arena_init() - lays an arena over @mem (@cap bytes). Thread: any. */
void sl_arena_init(struct sl_arena *a, void *mem, size_t cap);

/** sl_arena_reset() - releases everything handed out, in O(1). */
void sl_arena_reset(struct sl_arena *a);

/**
 * sl_arena_alloc() - @size bytes aligned for any scalar type.
 * Return: the memory, or NULL when the arena is exhausted.
 */
void *sl_arena_alloc(struct sl_arena *a, size_t size);

/** Request methods known by id; anything else is SL_METHOD_OTHER. */
enum sl_method {
	SL_METHOD_NONE = 0,   /* a response */
	SL_METHOD_INVITE,
	SL_METHOD_ACK,
	SL_METHOD_BYE,
	SL_METHOD_CANCEL,
	SL_METHOD_OPTIONS,
	SL_METHOD_REGISTER,
	SL_METHOD_PRACK,
	SL_METHOD_SUBSCRIBE,
	SL_METHOD_NOTIFY,
	SL_METHOD_PUBLISH,
	SL_METHOD_INFO,
	SL_METHOD_REFER,
	SL_METHOD_MESSAGE,
	SL_METHOD_UPDATE,
	SL_METHOD_OTHER
};

/**
 * sl_method_from_name() - the id of a method token (case-sensitive, as
 * RFC 3261 §7.1 requires).
 * Return: the id, SL_METHOD_OTHER for any other token.
 */
enum sl_method sl_method_from_name(const char *p, size_t len);

/** sl_method_name() - "INVITE" ...; "" for NONE/OTHER. Never NULL. */
const char *sl_method_name(enum sl_method m);

/*
 * Header ids. Long and compact names (RFC 3261 §7.3.3, RFC 3265, RFC 3515,
 * RFC 3892, RFC 4028) map to the same id; anything else is SL_HDR_OTHER and
 * is kept verbatim.
 */
#define SL_HDR_LIST(X) \
	X(VIA, "Via", 'v') \
	X(FROM, "From", 'f') \
	X(TO, "To", 't') \
	X(CALL_ID, "Call-ID", 'i') \
	X(CSEQ, "CSeq", 0) \
	X(CONTACT, "Contact", 'm') \
	X(MAX_FORWARDS, "Max-Forwards", 0) \
	X(ROUTE, "Route", 0) \
	X(RECORD_ROUTE, "Record-Route", 0) \
	X(CONTENT_TYPE, "Content-Type", 'c') \
	X(CONTENT_LENGTH, "Content-Length", 'l') \
	X(CONTENT_ENCODING, "Content-Encoding", 'e') \
	X(CONTENT_DISPOSITION, "Content-Disposition", 0) \
	X(EXPIRES, "Expires", 0) \
	X(MIN_EXPIRES, "Min-Expires", 0) \
	X(ALLOW, "Allow", 0) \
	X(SUPPORTED, "Supported", 'k') \
	X(REQUIRE, "Require", 0) \
	X(PROXY_REQUIRE, "Proxy-Require", 0) \
	X(UNSUPPORTED, "Unsupported", 0) \
	X(ACCEPT, "Accept", 0) \
	X(WWW_AUTHENTICATE, "WWW-Authenticate", 0) \
	X(AUTHORIZATION, "Authorization", 0) \
	X(PROXY_AUTHENTICATE, "Proxy-Authenticate", 0) \
	X(PROXY_AUTHORIZATION, "Proxy-Authorization", 0) \
	X(EVENT, "Event", 'o') \
	X(ALLOW_EVENTS, "Allow-Events", 'u') \
	X(SUBSCRIPTION_STATE, "Subscription-State", 0) \
	X(REFER_TO, "Refer-To", 'r') \
	X(REFERRED_BY, "Referred-By", 'b') \
	X(REPLACES, "Replaces", 0) \
	X(RSEQ, "RSeq", 0) \
	X(RACK, "RAck", 0) \
	X(SESSION_EXPIRES, "Session-Expires", 'x') \
	X(MIN_SE, "Min-SE", 0) \
	X(REASON, "Reason", 0) \
	X(RETRY_AFTER, "Retry-After", 0) \
	X(P_ASSERTED_IDENTITY, "P-Asserted-Identity", 0) \
	X(USER_AGENT, "User-Agent", 0) \
	X(SERVER, "Server", 0) \
	X(DATE, "Date", 0) \
	X(TIMESTAMP, "Timestamp", 0) \
	X(SUBJECT, "Subject", 's') \
	X(ACCEPT_CONTACT, "Accept-Contact", 'a') \
	X(REJECT_CONTACT, "Reject-Contact", 'j') \
	X(REQUEST_DISPOSITION, "Request-Disposition", 'd') \
	X(IDENTITY, "Identity", 'y') \
	X(IDENTITY_INFO, "Identity-Info", 'n') \
	X(ALERT_INFO, "Alert-Info", 0) \
	X(CALL_INFO, "Call-Info", 0) \
	X(ORGANIZATION, "Organization", 0) \
	X(PRIORITY, "Priority", 0) \
	X(MIME_VERSION, "MIME-Version", 0) \
	X(ACCEPT_ENCODING, "Accept-Encoding", 0) \
	X(ACCEPT_LANGUAGE, "Accept-Language", 0) \
	X(PATH, "Path", 0) \
	X(SERVICE_ROUTE, "Service-Route", 0) \
	X(WARNING, "Warning", 0)

/** Header ids; SL_HDR_OTHER for names not in SL_HDR_LIST. */
enum sl_hdr_id {
	SL_HDR_OTHER = 0,
#define SL_HDR_ENUM_(id, name, compact) SL_HDR_##id,
	SL_HDR_LIST(SL_HDR_ENUM_)
#undef SL_HDR_ENUM_
	SL_HDR__COUNT
};

/** sl_hdr_id_from_name() - id of a header name, long or compact, any case. */
enum sl_hdr_id sl_hdr_id_from_name(const char *p, size_t len);

/** sl_hdr_name() - canonical long name of an id; "" for SL_HDR_OTHER. */
const char *sl_hdr_name(enum sl_hdr_id id);

/** "No further header" in struct sl_hdr.next and struct sl_msg.first[]. */
#define SL_HDR_NONE 0xffffu

/**
 * struct sl_hdr - one header field value.
 * @name:  the name as written (may be compact, any case).
 * @value: the value without leading/trailing white space. A folded value
 *         spans the original line breaks (CRLF followed by SP or HT), which
 *         every decoder treats as white space.
 * @id:    enum sl_hdr_id.
 * @next:  index of the next header with the same id, or SL_HDR_NONE.
 *
 * Headers whose grammar is a comma-separated list (Via, Contact, Route,
 * Record-Route, Allow, Supported, Require, Proxy-Require, Unsupported,
 * Accept, Allow-Events, Accept-Encoding, Accept-Language, Path,
 * Service-Route, Accept-Contact, Reject-Contact, P-Asserted-Identity,
 * Content-Encoding, Request-Disposition, Warning, Call-Info, Alert-Info,
 * Reason) are
 * split: each element is its own struct sl_hdr with the same @name.
 */
struct sl_hdr {
	struct sl_slice name;
	struct sl_slice value;
	uint16_t id;
	uint16_t next;
};

/**
 * struct sl_parse_limits - bounds on what the parser accepts.
 * Fill with sl_parse_limits_init(); zero in a field means the default.
 */
struct sl_parse_limits {
	size_t max_msg_size;   /* whole message, bytes; default 65535 */
	size_t max_line_len;   /* one start or header line, unfolded; 8192 */
	unsigned max_headers;  /* header values after list splitting; 256 */
	unsigned max_vias;     /* Via values; 70 */
};

/** sl_parse_limits_init() - fills the defaults above. */
void sl_parse_limits_init(struct sl_parse_limits *lim);

/**
 * struct sl_parse_error - what was wrong with a rejected message.
 * @code:   a negative enum sl_err (SL_EPARSE, SL_ETOOBIG, SL_ELIMIT,
 *          SL_ENOMEM for an exhausted arena).
 * @status: the SIP status a UA answers a bad request with (400, 413, 416,
 *          420, 483, 505, 513); 0 when nothing would be sent (a bad
 *          response, or input that is not a request at all).
 * @reason: a static reason phrase naming the problem ("Bad CSeq"), usable
 *          verbatim in the status line.
 * @offset: byte offset in the input where the problem was found.
 */
struct sl_parse_error {
	int code;
	int status;
	const char *reason;
	size_t offset;
};

/** Flags for sl_msg_parse(). */
enum sl_parse_flags {
	/* The input came from a stream (TCP/TLS): Content-Length is required
	 * (RFC 3261 §18.3). Datagram messages without one take the rest. */
	SL_PARSE_STREAM = 1u << 0
};

/**
 * struct sl_msg - the parsed view of one message.
 *
 * Always decoded by sl_msg_parse(): start line, the header table, every Via,
 * From, To, Call-ID, CSeq, Max-Forwards, Content-Length, Content-Type and the
 * body. Everything else is decoded on demand with the functions of
 * sipline/headers.h applied to struct sl_hdr values.
 */
struct sl_msg {
	const char *buf;              /* first byte of the message */
	size_t len;                   /* the message's length, body included */
	int is_request;               /* 1 request, 0 response */

	/* Request line (is_request). */
	enum sl_method method;
	struct sl_slice method_name;
	struct sl_slice ruri_text;    /* Request-URI as written */
	struct sl_uri ruri;           /* decoded; scheme SL_URI_OTHER kept */

	/* Status line (!is_request). */
	int status;                   /* 100..699 */
	struct sl_slice reason;       /* may be empty */

	struct sl_slice version;      /* "SIP/2.0" as written */

	struct sl_hdr *hdrs;          /* in the arena */
	uint16_t n_hdrs;
	uint16_t first[SL_HDR__COUNT]; /* first index per id, or SL_HDR_NONE */

	struct sl_via *vias;          /* every Via value, in order, in the arena */
	uint16_t n_vias;
	struct sl_name_addr from;
	struct sl_name_addr to;
	struct sl_slice call_id;
	struct sl_cseq cseq;
	int max_forwards;             /* -1 when absent */
	long content_length;          /* -1 when absent */
	struct sl_slice content_type; /* empty when absent */
	struct sl_slice body;         /* empty when there is none */
};

/**
 * sl_msg_parse() - parses one complete message.
 * @msg:   filled on success; on failure its contents are unspecified except
 *         that what was decoded before the error may be read for logging.
 * @buf:   the message bytes (not NUL-terminated; never written).
 * @len:   bytes available at @buf. A datagram may carry bytes after the
 *         message's Content-Length; they are not part of it (msg->len says
 *         where it ends).
 * @arena: where the header table and the Via array go.
 * @lim:   limits, or NULL for the defaults.
 * @flags: enum sl_parse_flags.
 * @err:   filled on failure when not NULL.
 *
 * Return: 0; SL_EPARSE for a malformed message; SL_ETOOBIG when it exceeds
 * max_msg_size (status 513); SL_ELIMIT when it has more headers, Vias or a
 * longer line than allowed; SL_ENOMEM when the arena is too small; SL_EINVAL
 * for NULL pointers.
 * Thread: any.
 */
int sl_msg_parse(struct sl_msg *msg, const char *buf, size_t len,
		 struct sl_arena *arena, const struct sl_parse_limits *lim,
		 unsigned flags, struct sl_parse_error *err);

/**
 * struct sl_check_opts - what sl_msg_check_request() compares against.
 * @supported: option tags this UA supports (for Require), may be NULL.
 * @n_supported: their count.
 */
struct sl_check_opts {
	const char *const *supported;
	unsigned n_supported;
};

/**
 * sl_msg_check_request() - the checks a UA makes on a well-formed request
 * before it creates a transaction (RFC 3261 §8.2.1-8.2.2, §16.3).
 * @msg:  a parsed request.
 * @opts: supported option tags, or NULL for none.
 * @err:  filled on failure: status 400 (a Contact, Route, Record-Route,
 *        Expires, Min-Expires, Content-Type, Require or Supported value
 *        that does not decode), 416 (URI scheme), 420 (Require naming an
 *        unsupported extension; the first such tag is reported by
 *        sl_msg_first_unsupported()), 483 (Max-Forwards 0).
 *
 * Return: 0 when the request may go on; SL_EPARSE, SL_EUNSUPP or SL_ELIMIT
 * with @err filled; SL_EINVAL for a response or NULL.
 * Thread: any.
 */
int sl_msg_check_request(const struct sl_msg *msg,
			 const struct sl_check_opts *opts,
			 struct sl_parse_error *err);

/**
 * sl_msg_first_unsupported() - the first Require tag not in @opts.
 * @out: set to the tag.
 * Return: 1 when one was found, 0 when every tag is supported.
 */
int sl_msg_first_unsupported(const struct sl_msg *msg,
			     const struct sl_check_opts *opts,
			     struct sl_slice *out);

/**
 * sl_msg_find() - first header value with a given name.
 * @name: long or compact name, any case; unknown names are compared as
 *        written (case-insensitively).
 * @out:  set to the value.
 *
 * Return: the header's index (>= 0), or SL_ENOTFOUND.
 * Thread: any.
 */
int sl_msg_find(const struct sl_msg *msg, const char *name,
		struct sl_slice *out);

/**
 * sl_msg_find_next() - the next value with the same name as header @index.
 * Return: its index, or SL_ENOTFOUND.
 */
int sl_msg_find_next(const struct sl_msg *msg, int index, struct sl_slice *out);

/**
 * sl_msg_get_header() - copies the value of the first header @name into
 * @out as a NUL-terminated string (for applications reading a raw message).
 * @raw, @len: a whole message; parsed with default limits and a 24 KiB
 *             arena on the caller's stack.
 *
 * Return: the value's length; SL_ENOTFOUND; SL_ENOSPC when @cap is too
 * small; SL_EPARSE (or another sl_msg_parse() error) when @raw is not a
 * valid message. Folded line breaks are copied as one space.
 * Thread: any.
 */
int sl_msg_get_header(const char *raw, size_t len, const char *name,
		      char *out, size_t cap);

/* ---- Stream framing (TCP/TLS, RFC 3261 §18.3) ---- */

/**
 * struct sl_framer - resumable state of the stream framer. Zero it (or call
 * sl_framer_reset()) before the first byte of a connection and after each
 * message is taken.
 */
struct sl_framer {
	size_t scanned;        /* bytes already examined */
	size_t hdr_end;        /* header block length incl. blank line, or 0 */
	long content_length;   /* -1 until the header block is complete */
	unsigned line_start;   /* offset where the current line starts */
	int cl_seen;           /* a Content-Length header was found */
};

/** Results of sl_framer_feed() besides errors. */
enum sl_frame_result {
	SL_FRAME_NEED_MORE = 0, /* no complete message yet */
	SL_FRAME_MESSAGE = 1,   /* a message of *out_len bytes is complete */
	SL_FRAME_KEEPALIVE = 2  /* *out_len bytes of CRLF keep-alive (RFC 5626
				 * §4.4.1: "\r\n\r\n" ping or "\r\n" pong) */
};

/** sl_framer_reset() - prepares for the next message. */
void sl_framer_reset(struct sl_framer *f);

/**
 * sl_framer_feed() - looks for the end of the first message in a stream.
 * @f:   state kept between calls for the same unconsumed bytes.
 * @buf: all unconsumed bytes of the stream, starting at the current message
 *       (callers append new bytes and call again; @buf may move).
 * @len: their count.
 * @lim: limits (message size, line length), or NULL for the defaults.
 * @out_len: set to the message (or keep-alive) length on a result > 0.
 *
 * Each byte is examined once across calls. After a result > 0 the caller
 * consumes *out_len bytes and resets the framer.
 *
 * Return: enum sl_frame_result; SL_ETOOBIG when the message would exceed
 * max_msg_size; SL_EPARSE when the header block has no usable
 * Content-Length (missing, negative, several different values) or a line
 * too long. After an error the connection cannot be resynchronised and
 * should be closed.
 * Thread: any.
 */
int sl_framer_feed(struct sl_framer *f, const char *buf, size_t len,
		   const struct sl_parse_limits *lim, size_t *out_len);

#ifdef __cplusplus
}
#endif

#endif /* SIPLINE_MSG_H */
