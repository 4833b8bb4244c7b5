/*
 * tests/unit/vectors/torture.h: expectations for the RFC 4475 and RFC 5118
 * torture messages in tests/data/torture/ (one file per message, named after
 * the RFC's short name, bytes as the RFCs give them, lines ending in CRLF).
 *
 * Each vector says what a sipline UA does with the message at the message
 * level: sl_msg_parse() (datagram mode unless .flags says otherwise), then,
 * for a request, sl_msg_check_request() with the option tags
 * TORTURE_SUPPORTED. The verdict names the stage that must refuse it, and
 * .status is the SIP status the UA answers (0: nothing is sent, either
 * because the message is fine or because it is a response).
 *
 * Where the RFC leaves the choice to the implementation ("it is acceptable
 * to reject", "an element that is liberal may ignore"), .note says which
 * way sipline goes. Statuses that only a higher layer can produce (415,
 * 406, 501, a registrar's 400) are named in the note; at the message level
 * those messages are accepted.
 *
 * Used by tests/unit/check_sip_torture.c; tests/sipmsg-test.sh keeps its own
 * copy of the verdicts for the command-line tool.
 */
#ifndef SL_TEST_VECTORS_TORTURE_H
#define SL_TEST_VECTORS_TORTURE_H

#include <stddef.h>
#include <stdint.h>

#include "sipline/msg.h"

#define TORTURE_DIR "tests/data/torture/"

/* What the UA under test supports (Require checks, RFC 3261 §8.2.2.3). */
#define TORTURE_SUPPORTED { "100rel", "timer", "replaces", "path" }

enum torture_verdict {
	T_ACCEPT = 1,     /* parses and passes the request checks */
	T_REJECT_PARSE,   /* sl_msg_parse() refuses it */
	T_REJECT_CHECK    /* parses; sl_msg_check_request() refuses it */
};

/*
 * struct torture_vector - one message and what must happen to it.
 *
 * For T_ACCEPT every field from .is_request to .msg_len is checked (give
 * them all). The fields after that are optional: NULL or 0 skips them.
 */
struct torture_vector {
	const char *file;        /* under TORTURE_DIR */
	const char *section;     /* "RFC 4475 3.1.1.1" */
	size_t file_size;        /* bytes: catches edits and CRLF loss */
	unsigned flags;          /* enum sl_parse_flags */
	enum torture_verdict verdict;
	int status;              /* what the UA answers; 0 nothing */

	/* Key fields of an accepted message. */
	int is_request;
	enum sl_method method_id;
	const char *method;      /* method as written; NULL for responses */
	int code;                /* status code of a response */
	const char *call_id;
	uint32_t cseq;
	const char *cseq_method;
	int n_vias;
	const char *branch;      /* top Via's branch, "" when absent */
	const char *from_tag;    /* "" when absent */
	const char *to_tag;      /* "" when absent */
	long body_len;
	long content_length;     /* -1 when absent */
	int max_forwards;        /* -1 when absent */
	size_t msg_len;          /* 0: the whole file */

	/* Optional checks. */
	const char *ruri_host;   /* Request-URI host, IPv6 without [] */
	unsigned ruri_port;      /* checked with ruri_host */
	const char *via_host;    /* top Via sent-by host */
	const char *hdr_name;    /* sl_msg_find(hdr_name) must give hdr_value */
	const char *hdr_value;
	int n_contacts;          /* Contact values, when > 0 */
	int contact;             /* first Contact: 1 decodes, -1 refused */
	const char *unsupported; /* 420: first tag sl_msg_first_unsupported */
	const char *note;        /* policy choices and higher-layer answers */
};

/* The SDP body most RFC 4475 messages carry. */
#define T_SDP150 150

static const struct torture_vector torture_vectors[] = {
	/* ---- RFC 4475 3.1.1: valid messages ---- */
	{
		.file = "rfc4475_wsinv.sip", .section = "RFC 4475 3.1.1.1",
		.file_size = 1001, .verdict = T_ACCEPT,
		.is_request = 1, .method_id = SL_METHOD_INVITE,
		.method = "INVITE", .call_id = "wsinv.ndaksdj@192.0.2.1",
		.cseq = 9, .cseq_method = "INVITE", .n_vias = 3,
		.branch = "390skdjuw", .from_tag = "98asjd8",
		.to_tag = "1918181833n", .body_len = T_SDP150,
		.content_length = 150, .max_forwards = 68,
		.ruri_host = "chair-dnrc.example.com",
		.via_host = "192.0.2.2",
		.hdr_name = "NewFangledHeader",
		.hdr_value = "newfangled value\r\n continued newfangled value",
		.n_contacts = 1, .contact = 1,
		.note = "folding, LWS everywhere, leading zeros, mixed forms",
	},
	{
		.file = "rfc4475_intmeth.sip", .section = "RFC 4475 3.1.1.2",
		.file_size = 641, .verdict = T_ACCEPT,
		.is_request = 1, .method_id = SL_METHOD_OTHER,
		.method = "!interesting-Method0123456789_*+`.%indeed'~",
		.call_id = "intmeth.word%ZK-!.*_+'@word`~)(><:\\/\"][?}{",
		.cseq = 139122385,
		.cseq_method = "!interesting-Method0123456789_*+`.%indeed'~",
		.n_vias = 1, .branch = "z9hG4bK-.!%66*_+`'~",
		.from_tag = "_token~1'+`*%!-.", .to_tag = "",
		.body_len = 0, .content_length = 0, .max_forwards = 255,
		.ruri_host = "example.com",
		.hdr_name = "extensionHeader-!.%*+_`'~",
		.hdr_value = "\xEF\xBB\xBF\xE5\xA4\xA7\xE5\x81\x9C\xE9\x9B\xBB",
		.note = "unknown method: a UA answers 501 above the parser; "
			"To holds quoted-pair NUL, BEL and DEL",
	},
	{
		.file = "rfc4475_esc01.sip", .section = "RFC 4475 3.1.1.3",
		.file_size = 543, .verdict = T_ACCEPT,
		.is_request = 1, .method_id = SL_METHOD_INVITE,
		.method = "INVITE",
		.call_id = "esc01.239409asdfakjkn23onasd0-3234",
		.cseq = 234234, .cseq_method = "INVITE", .n_vias = 1,
		.branch = "z9hG4bKkdjuw", .from_tag = "938", .to_tag = "",
		.body_len = T_SDP150, .content_length = 150,
		.max_forwards = 87, .ruri_host = "example.net",
		.n_contacts = 1, .contact = 1,
		.note = "escapes kept as written in the slices",
	},
	{
		.file = "rfc4475_escnull.sip", .section = "RFC 4475 3.1.1.4",
		.file_size = 359, .verdict = T_ACCEPT,
		.is_request = 1, .method_id = SL_METHOD_REGISTER,
		.method = "REGISTER",
		.call_id = "escnull.39203ndfvkjdasfkq3w4otrq0adsfdfnavd",
		.cseq = 14398234, .cseq_method = "REGISTER", .n_vias = 1,
		.branch = "z9hG4bKkdjuw", .from_tag = "839923423",
		.to_tag = "", .body_len = 0, .content_length = 0,
		.max_forwards = 70, .n_contacts = 2, .contact = 1,
		.note = "%00 in user parts",
	},
	{
		.file = "rfc4475_esc02.sip", .section = "RFC 4475 3.1.1.5",
		.file_size = 439, .verdict = T_ACCEPT,
		.is_request = 1, .method_id = SL_METHOD_OTHER,
		.method = "RE%47IST%45R",
		.call_id = "esc02.asdfnqwo34rq23i34jrjasdcnl23nrlknsdf",
		.cseq = 29344, .cseq_method = "RE%47IST%45R", .n_vias = 1,
		.branch = "z9hG4bK209%fzsnel234", .from_tag = "f232jadfj23",
		.to_tag = "", .body_len = 0, .content_length = 0,
		.max_forwards = 70,
		.hdr_name = "C%6Fntact",
		.hdr_value = "<sip:alias2@host2.example.com>",
		.n_contacts = 2, .contact = 1,
		.note = "% is no escape in method or header name: unknown "
			"method (501 above the parser); C%6Fntact is no "
			"Contact",
	},
	{
		.file = "rfc4475_lwsdisp.sip", .section = "RFC 4475 3.1.1.6",
		.file_size = 255, .verdict = T_ACCEPT,
		.is_request = 1, .method_id = SL_METHOD_OPTIONS,
		.method = "OPTIONS",
		.call_id = "lwsdisp.1234abcd@funky.example.com",
		.cseq = 60, .cseq_method = "OPTIONS", .n_vias = 1,
		.branch = "z9hG4bKkdjuw", .from_tag = "323", .to_tag = "",
		.body_len = 0, .content_length = 0, .max_forwards = 70,
	},
	{
		.file = "rfc4475_longreq.sip", .section = "RFC 4475 3.1.1.7",
		.file_size = 3515, .verdict = T_ACCEPT,
		.is_request = 1, .method_id = SL_METHOD_INVITE,
		.method = "INVITE",
		.call_id =
		"longreq.onereallyreallyreallyreallyreallyreallyreallyreallyr"
		"eallyreallyreallyreallyreallyreallyreallyreallyreallyreallyr"
		"eallyreallylongcallid",
		.cseq = 3882340, .cseq_method = "INVITE", .n_vias = 34,
		.branch = "", .from_tag =
		"129829829829829829829829829829829829829829829829829829829829"
		"829829829829829829829829829829829829829829829829829829829829"
		"82982982982982982982982982982982424",
		.to_tag = "", .body_len = T_SDP150, .content_length = 150,
		.max_forwards = 70, .via_host = "sip33.example.com",
		.hdr_name =
		"Unknown-LongLongLongLongLongLongLongLongLongLongLongLongLong"
		"LongLongLongLongLongLongLong-Name",
		.hdr_value =
		"unknown-longlonglonglonglonglonglonglonglonglonglonglonglong"
		"longlonglonglonglonglonglong-value; unknown-longlonglonglong"
		"longlonglonglonglonglonglonglonglonglonglonglonglonglonglong"
		"long-parameter-name = unknown-longlonglonglonglonglonglonglo"
		"nglonglonglonglonglonglonglonglonglonglonglonglong-parameter"
		"-value",
		.n_contacts = 1, .contact = 1,
		.note = "34 Via values with the default limits: max_vias "
			"must be at least 34 (Max-Forwards 70 allows 70)",
	},
	{
		.file = "rfc4475_dblreq.sip", .section = "RFC 4475 3.1.1.8",
		.file_size = 748, .verdict = T_ACCEPT,
		.is_request = 1, .method_id = SL_METHOD_REGISTER,
		.method = "REGISTER",
		.call_id = "dblreq.0ha0isndaksdj99sdfafnl3lk233412",
		.cseq = 8, .cseq_method = "REGISTER", .n_vias = 1,
		.branch = "z9hG4bKkdjuw23492", .from_tag = "43251j3j324",
		.to_tag = "", .body_len = 0, .content_length = 0,
		.max_forwards = 8, .msg_len = 300,
		.note = "datagram: the INVITE after Content-Length 0 is not "
			"part of the message",
	},
	{
		.file = "rfc4475_dblreq.sip", .section = "RFC 4475 3.1.1.8",
		.file_size = 748, .flags = SL_PARSE_STREAM,
		.verdict = T_ACCEPT,
		.is_request = 1, .method_id = SL_METHOD_REGISTER,
		.method = "REGISTER",
		.call_id = "dblreq.0ha0isndaksdj99sdfafnl3lk233412",
		.cseq = 8, .cseq_method = "REGISTER", .n_vias = 1,
		.branch = "z9hG4bKkdjuw23492", .from_tag = "43251j3j324",
		.to_tag = "", .body_len = 0, .content_length = 0,
		.max_forwards = 8, .msg_len = 300,
		.note = "stream: the first message ends after its "
			"Content-Length; the INVITE is the next one",
	},
	{
		.file = "rfc4475_semiuri.sip", .section = "RFC 4475 3.1.1.9",
		.file_size = 380, .verdict = T_ACCEPT,
		.is_request = 1, .method_id = SL_METHOD_OPTIONS,
		.method = "OPTIONS", .call_id = "semiuri.0ha0isndaksdj",
		.cseq = 8, .cseq_method = "OPTIONS", .n_vias = 1,
		.branch = "z9hG4bKkdjuw", .from_tag = "33242", .to_tag = "",
		.body_len = 0, .content_length = 0, .max_forwards = 3,
		.ruri_host = "example.com",
		.note = "';' inside the Request-URI user part",
	},
	{
		.file = "rfc4475_transports.sip",
		.section = "RFC 4475 3.1.1.10",
		.file_size = 503, .verdict = T_ACCEPT,
		.is_request = 1, .method_id = SL_METHOD_OPTIONS,
		.method = "OPTIONS",
		.call_id = "transports.kijh4akdnaqjkwendsasfdj",
		.cseq = 60, .cseq_method = "OPTIONS", .n_vias = 5,
		.branch = "z9hG4bKkdjuw", .from_tag = "323", .to_tag = "",
		.body_len = 0, .content_length = 0, .max_forwards = 70,
		.via_host = "t1.example.com",
		.note = "SCTP, TLS and an unknown transport in Via",
	},
	{
		.file = "rfc4475_mpart01.sip", .section = "RFC 4475 3.1.1.11",
		.file_size = 1290, .verdict = T_ACCEPT,
		.is_request = 1, .method_id = SL_METHOD_MESSAGE,
		.method = "MESSAGE",
		.call_id = "3d9485ad0c49859b@Zmx1ZmZ5LW1hYy0xNi5sb2NhbA..",
		.cseq = 1, .cseq_method = "MESSAGE", .n_vias = 1,
		.branch = "z9hG4bK-d87543-4dade06d0bdb11ee-1--d87543-",
		.from_tag = "2fb0dcc9", .to_tag = "", .body_len = 553,
		.content_length = 553, .max_forwards = 70,
		.via_host = "127.0.0.1",
		.note = "binary body with NUL bytes, framed by Content-Length",
	},
	{
		.file = "rfc4475_unreason.sip", .section = "RFC 4475 3.1.1.12",
		.file_size = 526, .verdict = T_ACCEPT,
		.is_request = 0, .method_id = SL_METHOD_NONE, .code = 200,
		.call_id = "unreason.1234ksdfak3j2erwedfsASdf",
		.cseq = 35, .cseq_method = "INVITE", .n_vias = 1,
		.branch = "z9hG4bK1324923", .from_tag = "11141343",
		.to_tag = "2229", .body_len = 154, .content_length = 154,
		.max_forwards = -1,
		.note = "UTF-8 reason phrase",
	},
	{
		.file = "rfc4475_noreason.sip", .section = "RFC 4475 3.1.1.13",
		.file_size = 274, .verdict = T_ACCEPT,
		.is_request = 0, .method_id = SL_METHOD_NONE, .code = 100,
		.call_id = "noreason.asndj203insdf99223ndf",
		.cseq = 35, .cseq_method = "INVITE", .n_vias = 1,
		.branch = "z9hG4bK2398ndaoe", .from_tag = "39ansfi3",
		.to_tag = "902jndnke3", .body_len = 0, .content_length = 0,
		.max_forwards = -1,
		.note = "empty reason phrase after the SP",
	},

	/* ---- RFC 4475 3.1.2: invalid messages ---- */
	{
		.file = "rfc4475_badinv01.sip", .section = "RFC 4475 3.1.2.1",
		.file_size = 472, .verdict = T_REJECT_PARSE, .status = 400,
		.note = "empty Via and Contact parameters and list elements",
	},
	{
		.file = "rfc4475_clerr.sip", .section = "RFC 4475 3.1.2.2",
		.file_size = 498, .verdict = T_REJECT_PARSE, .status = 400,
		.note = "datagram: Content-Length beyond the bytes received",
	},
	{
		.file = "rfc4475_ncl.sip", .section = "RFC 4475 3.1.2.3",
		.file_size = 486, .verdict = T_REJECT_PARSE, .status = 400,
		.note = "negative Content-Length",
	},
	{
		.file = "rfc4475_scalar02.sip", .section = "RFC 4475 3.1.2.4",
		.file_size = 476, .verdict = T_REJECT_PARSE, .status = 400,
		.note = "CSeq beyond 2**31 (the RFC's reason for the 400); "
			"Max-Forwards 300 and the huge expires are also bad",
	},
	{
		.file = "rfc4475_scalarlg.sip", .section = "RFC 4475 3.1.2.5",
		.file_size = 385, .verdict = T_REJECT_PARSE, .status = 0,
		.note = "a response: discarded, never answered",
	},
	{
		.file = "rfc4475_quotbal.sip", .section = "RFC 4475 3.1.2.6",
		.file_size = 485, .verdict = T_REJECT_PARSE, .status = 400,
		.note = "unterminated quoted string in To",
	},
	{
		.file = "rfc4475_ltgtruri.sip", .section = "RFC 4475 3.1.2.7",
		.file_size = 452, .verdict = T_REJECT_PARSE, .status = 400,
		.note = "Request-URI inside < >",
	},
	{
		.file = "rfc4475_lwsruri.sip", .section = "RFC 4475 3.1.2.8",
		.file_size = 541, .verdict = T_REJECT_PARSE, .status = 400,
		.note = "SP inside the Request-URI (400, not 505)",
	},
	{
		.file = "rfc4475_lwsstart.sip", .section = "RFC 4475 3.1.2.9",
		.file_size = 506, .verdict = T_REJECT_PARSE, .status = 400,
		.note = "policy: the RFC allows rejecting or ignoring the "
			"extra SPs; sipline is strict on the request line",
	},
	{
		.file = "rfc4475_trws.sip", .section = "RFC 4475 3.1.2.10",
		.file_size = 327, .verdict = T_REJECT_PARSE, .status = 400,
		.note = "policy: SP before the request line's CRLF; the RFC "
			"allows rejecting or ignoring it; sipline is strict",
	},
	{
		.file = "rfc4475_escruri.sip", .section = "RFC 4475 3.1.2.11",
		.file_size = 550, .verdict = T_REJECT_PARSE, .status = 400,
		.note = "policy: headers (?Route=) in the Request-URI; the "
			"RFC allows a 400 or ignoring them; sipline answers "
			"400",
	},
	{
		.file = "rfc4475_baddate.sip", .section = "RFC 4475 3.1.2.12",
		.file_size = 532, .verdict = T_ACCEPT,
		.is_request = 1, .method_id = SL_METHOD_INVITE,
		.method = "INVITE",
		.call_id = "baddate.239423mnsadf3j23lj42--sedfnm234",
		.cseq = 1392934, .cseq_method = "INVITE", .n_vias = 1,
		.branch = "z9hG4bKkdjuw", .from_tag = "2234923",
		.to_tag = "", .body_len = T_SDP150, .content_length = 150,
		.max_forwards = 70,
		.hdr_name = "Date",
		.hdr_value = "Fri, 01 Jan 2010 16:00:00 EST",
		.note = "policy: Date (EST, not GMT) is not decoded at the "
			"message level, so it is ignored as the RFC permits",
	},
	{
		.file = "rfc4475_regbadct.sip", .section = "RFC 4475 3.1.2.13",
		.file_size = 307, .verdict = T_REJECT_CHECK, .status = 400,
		.note = "Contact URI with '?' outside < > (RFC 3261 §20): "
			"the RFC finds a 400 reasonable; the request checks "
			"decode Contact and answer it",
	},
	{
		.file = "rfc4475_badaspec.sip", .section = "RFC 4475 3.1.2.14",
		.file_size = 346, .verdict = T_REJECT_PARSE, .status = 400,
		.note = "SP inside < > around the To URI",
	},
	{
		.file = "rfc4475_baddn.sip", .section = "RFC 4475 3.1.2.15",
		.file_size = 333, .verdict = T_REJECT_PARSE, .status = 400,
		.note = "unquoted display names with ','",
	},
	{
		.file = "rfc4475_badvers.sip", .section = "RFC 4475 3.1.2.16",
		.file_size = 291, .verdict = T_REJECT_PARSE, .status = 505,
		.note = "SIP/7.0",
	},
	{
		.file = "rfc4475_mismatch01.sip",
		.section = "RFC 4475 3.1.2.17",
		.file_size = 236, .verdict = T_REJECT_PARSE, .status = 400,
		.note = "CSeq method differs from the request method",
	},
	{
		.file = "rfc4475_mismatch02.sip",
		.section = "RFC 4475 3.1.2.18",
		.file_size = 449, .verdict = T_REJECT_PARSE, .status = 400,
		.note = "the RFC prefers 501 (unknown method) and accepts 400; "
			"the message-level check sees the CSeq mismatch first",
	},
	{
		.file = "rfc4475_bigcode.sip", .section = "RFC 4475 3.1.2.19",
		.file_size = 332, .verdict = T_REJECT_PARSE, .status = 0,
		.note = "status code 4294967301: a response, discarded",
	},

	/* ---- RFC 4475 3.2: transaction layer ---- */
	{
		.file = "rfc4475_badbranch.sip", .section = "RFC 4475 3.2.1",
		.file_size = 262, .verdict = T_ACCEPT,
		.is_request = 1, .method_id = SL_METHOD_OPTIONS,
		.method = "OPTIONS",
		.call_id = "badbranch.sadonfo23i420jv0as0derf3j3n",
		.cseq = 8, .cseq_method = "OPTIONS", .n_vias = 1,
		.branch = "z9hG4bK", .from_tag = "33242", .to_tag = "",
		.body_len = 0, .content_length = 0, .max_forwards = 3,
		.note = "branch is the bare magic cookie: the transaction "
			"layer matches it the RFC 2543 way",
	},

	/* ---- RFC 4475 3.3: application layer ---- */
	{
		.file = "rfc4475_insuf.sip", .section = "RFC 4475 3.3.1",
		.file_size = 304, .verdict = T_REJECT_PARSE, .status = 400,
		.note = "no Call-ID, From, To or Max-Forwards",
	},
	{
		.file = "rfc4475_unkscm.sip", .section = "RFC 4475 3.3.2",
		.file_size = 291, .verdict = T_REJECT_CHECK, .status = 416,
		.note = "unknown Request-URI scheme",
	},
	{
		.file = "rfc4475_novelsc.sip", .section = "RFC 4475 3.3.3",
		.file_size = 277, .verdict = T_REJECT_CHECK, .status = 416,
		.note = "soap.beep: scheme, not understood by a UA",
	},
	{
		.file = "rfc4475_unksm2.sip", .section = "RFC 4475 3.3.4",
		.file_size = 282, .verdict = T_ACCEPT,
		.is_request = 1, .method_id = SL_METHOD_REGISTER,
		.method = "REGISTER",
		.call_id = "unksm2.daksdj@hyphenated-host.example.com",
		.cseq = 234902, .cseq_method = "REGISTER", .n_vias = 1,
		.branch = "z9hG4bKkdjuw", .from_tag = "3234233",
		.to_tag = "", .body_len = 0, .content_length = 0,
		.max_forwards = 70, .n_contacts = 1, .contact = 1,
		.note = "isbn:, http:, name: URIs parse as SL_URI_OTHER; a "
			"registrar answers 400 (To must be SIP or SIPS)",
	},
	{
		.file = "rfc4475_bext01.sip", .section = "RFC 4475 3.3.5",
		.file_size = 381, .verdict = T_REJECT_CHECK, .status = 420,
		.unsupported = "nothingSupportsThis",
		.note = "Require with unknown tags; Proxy-Require is for "
			"proxies and ignored by a UA",
	},
	{
		.file = "rfc4475_invut.sip", .section = "RFC 4475 3.3.6",
		.file_size = 391, .verdict = T_ACCEPT,
		.is_request = 1, .method_id = SL_METHOD_INVITE,
		.method = "INVITE",
		.call_id = "invut.0ha0isndaksdjadsfij34n23d",
		.cseq = 235448, .cseq_method = "INVITE", .n_vias = 1,
		.branch = "z9hG4bKkdjuw", .from_tag = "8392034",
		.to_tag = "", .body_len = 40, .content_length = 40,
		.max_forwards = 70,
		.note = "unknown Content-Type: 415 comes from the UA layer",
	},
	{
		.file = "rfc4475_regaut01.sip", .section = "RFC 4475 3.3.7",
		.file_size = 304, .verdict = T_ACCEPT,
		.is_request = 1, .method_id = SL_METHOD_REGISTER,
		.method = "REGISTER", .call_id = "regaut01.0ha0isndaksdj",
		.cseq = 9338, .cseq_method = "REGISTER", .n_vias = 1,
		.branch = "z9hG4bKkdjuw", .from_tag = "87321hj23128",
		.to_tag = "", .body_len = 0, .content_length = 0,
		.max_forwards = 8,
		.hdr_name = "Authorization",
		.hdr_value = "NoOneKnowsThisScheme opaque-data=here",
		.note = "unknown auth scheme: a registrar challenges (401)",
	},
	{
		.file = "rfc4475_multi01.sip", .section = "RFC 4475 3.3.8",
		.file_size = 643, .verdict = T_REJECT_PARSE, .status = 400,
		.note = "two CSeq, Call-ID, To, From and Max-Forwards",
	},
	{
		.file = "rfc4475_mcl01.sip", .section = "RFC 4475 3.3.9",
		.file_size = 382, .verdict = T_REJECT_PARSE, .status = 400,
		.note = "two different Content-Length values",
	},
	{
		.file = "rfc4475_bcast.sip", .section = "RFC 4475 3.3.10",
		.file_size = 516, .verdict = T_ACCEPT,
		.is_request = 0, .method_id = SL_METHOD_NONE, .code = 200,
		.call_id = "bcast.0384840201234ksdfak3j2erwedfsASdf",
		.cseq = 35, .cseq_method = "INVITE", .n_vias = 2,
		.branch = "z9hG4bK1324923", .from_tag = "11141343",
		.to_tag = "2229", .body_len = 154, .content_length = 154,
		.max_forwards = -1, .via_host = "192.0.2.198",
		.note = "255.255.255.255 in the second Via",
	},
	{
		.file = "rfc4475_zeromf.sip", .section = "RFC 4475 3.3.11",
		.file_size = 272, .verdict = T_REJECT_CHECK, .status = 483,
		.note = "policy: Max-Forwards 0; a proxy answers 483 (or an "
			"OPTIONS as a UAS); sipline's request check answers "
			"483",
	},
	{
		.file = "rfc4475_cparam01.sip", .section = "RFC 4475 3.3.12",
		.file_size = 321, .verdict = T_ACCEPT,
		.is_request = 1, .method_id = SL_METHOD_REGISTER,
		.method = "REGISTER",
		.call_id = "cparam01.70710@saturn.example.com",
		.cseq = 2, .cseq_method = "REGISTER", .n_vias = 1,
		.branch = "z9hG4bKkdjuw", .from_tag = "DkfVgjkrtMwaerKKpe",
		.to_tag = "", .body_len = 0, .content_length = 0,
		.max_forwards = 70, .n_contacts = 1, .contact = 1,
		.note = "without < >, unknownparam is a Contact parameter",
	},
	{
		.file = "rfc4475_cparam02.sip", .section = "RFC 4475 3.3.13",
		.file_size = 311, .verdict = T_ACCEPT,
		.is_request = 1, .method_id = SL_METHOD_REGISTER,
		.method = "REGISTER",
		.call_id = "cparam02.70710@saturn.example.com",
		.cseq = 3, .cseq_method = "REGISTER", .n_vias = 1,
		.branch = "z9hG4bKkdjuw", .from_tag = "838293",
		.to_tag = "", .body_len = 0, .content_length = 0,
		.max_forwards = 70, .n_contacts = 1, .contact = 1,
		.note = "inside < >, unknownparam is a URI parameter",
	},
	{
		.file = "rfc4475_regescrt.sip", .section = "RFC 4475 3.3.14",
		.file_size = 302, .verdict = T_ACCEPT,
		.is_request = 1, .method_id = SL_METHOD_REGISTER,
		.method = "REGISTER",
		.call_id = "regescrt.k345asrl3fdbv@192.0.2.1",
		.cseq = 14398234, .cseq_method = "REGISTER", .n_vias = 1,
		.branch = "z9hG4bKkdjuw", .from_tag = "8", .to_tag = "",
		.body_len = 0, .content_length = 0, .max_forwards = 70,
		.n_contacts = 1, .contact = 1,
		.note = "escaped header in a Contact URI inside < >",
	},
	{
		.file = "rfc4475_sdp01.sip", .section = "RFC 4475 3.3.15",
		.file_size = 494, .verdict = T_ACCEPT,
		.is_request = 1, .method_id = SL_METHOD_INVITE,
		.method = "INVITE", .call_id = "sdp01.ndaksdj9342dasdd",
		.cseq = 8, .cseq_method = "INVITE", .n_vias = 1,
		.branch = "z9hG4bKkdjuw", .from_tag = "234", .to_tag = "",
		.body_len = T_SDP150, .content_length = 150,
		.max_forwards = 5,
		.note = "Accept excludes SDP: 406 comes from the UA layer",
	},

	/* ---- RFC 4475 3.4: backward compatibility ---- */
	{
		.file = "rfc4475_inv2543.sip", .section = "RFC 4475 3.4.1",
		.file_size = 445, .verdict = T_ACCEPT,
		.is_request = 1, .method_id = SL_METHOD_INVITE,
		.method = "INVITE",
		.call_id = "inv2543.1717@ift.client.example.com",
		.cseq = 56, .cseq_method = "INVITE", .n_vias = 1,
		.branch = "", .from_tag = "", .to_tag = "",
		.body_len = 105, .content_length = -1, .max_forwards = -1,
		.via_host = "iftgw.example.com",
		.note = "RFC 2543: no branch, From tag, Max-Forwards or "
			"Content-Length (a datagram takes the rest as body)",
	},

	/* ---- RFC 5118: IPv6 ---- */
	{
		.file = "rfc5118_ipv6-good.sip", .section = "RFC 5118 4.1",
		.file_size = 303, .verdict = T_ACCEPT,
		.is_request = 1, .method_id = SL_METHOD_REGISTER,
		.method = "REGISTER",
		.call_id = "SSG9559905523997077@hlau_4100",
		.cseq = 98176, .cseq_method = "REGISTER", .n_vias = 1,
		.branch = "z9hG4bKas3-111", .from_tag = "81x2", .to_tag = "",
		.body_len = 0, .content_length = 0, .max_forwards = 70,
		.ruri_host = "2001:db8::10", .via_host = "2001:db8::9:1",
		.n_contacts = 1, .contact = 1,
	},
	{
		.file = "rfc5118_ipv6-bad.sip", .section = "RFC 5118 4.2",
		.file_size = 301, .verdict = T_REJECT_PARSE, .status = 400,
		.note = "IPv6 Request-URI host without [ ]",
	},
	{
		.file = "rfc5118_port-ambiguous.sip",
		.section = "RFC 5118 4.3",
		.file_size = 308, .verdict = T_ACCEPT,
		.is_request = 1, .method_id = SL_METHOD_REGISTER,
		.method = "REGISTER",
		.call_id = "SSG9559905523997077@hlau_4100",
		.cseq = 98176, .cseq_method = "REGISTER", .n_vias = 1,
		.branch = "z9hG4bKas3-111", .from_tag = "81x2", .to_tag = "",
		.body_len = 0, .content_length = 0, .max_forwards = 70,
		.ruri_host = "2001:db8::10:5070", .ruri_port = 0,
		.note = "well-formed: 5070 is the address's last group, "
			"not a port",
	},
	{
		.file = "rfc5118_port-unambiguous.sip",
		.section = "RFC 5118 4.4",
		.file_size = 308, .verdict = T_ACCEPT,
		.is_request = 1, .method_id = SL_METHOD_REGISTER,
		.method = "REGISTER",
		.call_id = "SSG9559905523997077@hlau_4100",
		.cseq = 98176, .cseq_method = "REGISTER", .n_vias = 1,
		.branch = "z9hG4bKas3-111", .from_tag = "81x2", .to_tag = "",
		.body_len = 0, .content_length = 0, .max_forwards = 70,
		.ruri_host = "2001:db8::10", .ruri_port = 5070,
	},
	{
		.file = "rfc5118_via-received-param-with-delim.sip",
		.section = "RFC 5118 4.5",
		.file_size = 283, .verdict = T_ACCEPT,
		.is_request = 1, .method_id = SL_METHOD_BYE,
		.method = "BYE", .call_id = "SSG9559905523997077@hlau_4100",
		.cseq = 321, .cseq_method = "BYE", .n_vias = 1,
		.branch = "z9hG4bKas3-111", .from_tag = "81x2",
		.to_tag = "bd76ya", .body_len = 0, .content_length = 0,
		.max_forwards = 70, .ruri_host = "2001:db8::10",
		.via_host = "2001:db8::9:1",
		.note = "received=[...]: accepted, as the RFC asks",
	},
	{
		.file = "rfc5118_via-received-param-no-delim.sip",
		.section = "RFC 5118 4.5",
		.file_size = 317, .verdict = T_ACCEPT,
		.is_request = 1, .method_id = SL_METHOD_OPTIONS,
		.method = "OPTIONS", .call_id = "SSG95523997077@hlau_4100",
		.cseq = 921, .cseq_method = "OPTIONS", .n_vias = 1,
		.branch = "z9hG4bKas3", .from_tag = "81x2", .to_tag = "",
		.body_len = 0, .content_length = 0, .max_forwards = 70,
		.via_host = "2001:db8::9:1",
	},
	{
		.file = "rfc5118_ipv6-in-sdp.sip", .section = "RFC 5118 4.6",
		.file_size = 590, .verdict = T_ACCEPT,
		.is_request = 1, .method_id = SL_METHOD_INVITE,
		.method = "INVITE",
		.call_id = "SSG9559905523997077@hlau_4100",
		.cseq = 8612, .cseq_method = "INVITE", .n_vias = 1,
		.branch = "z9hG4bKas3-111", .from_tag = "81x2", .to_tag = "",
		.body_len = 241, .content_length = 241, .max_forwards = 70,
		.msg_len = 580, .ruri_host = "2001:db8::10",
		.via_host = "2001:db8::20",
		.note = "the RFC's Content-Length (241) is 10 short of the "
			"CRLF body: a datagram keeps 241 bytes",
	},
	{
		.file = "rfc5118_mult-ip-in-header.sip",
		.section = "RFC 5118 4.7",
		.file_size = 397, .verdict = T_ACCEPT,
		.is_request = 1, .method_id = SL_METHOD_BYE,
		.method = "BYE", .call_id = "997077@lau_4100",
		.cseq = 89187, .cseq_method = "BYE", .n_vias = 3,
		.branch = "z9hG4bKas3-111", .from_tag = "81x2",
		.to_tag = "9817--94", .body_len = 0, .content_length = 0,
		.max_forwards = 70, .ruri_host = "host.example.net",
		.via_host = "2001:db8::9:1",
	},
	{
		.file = "rfc5118_mult-ip-in-sdp.sip",
		.section = "RFC 5118 4.8",
		.file_size = 530, .verdict = T_ACCEPT,
		.is_request = 1, .method_id = SL_METHOD_INVITE,
		.method = "INVITE",
		.call_id = "SSG9559905523997077@hlau_4100",
		.cseq = 8912, .cseq_method = "INVITE", .n_vias = 1,
		.branch = "z9hG4bKas3-111", .from_tag = "81x2", .to_tag = "",
		.body_len = 181, .content_length = 181, .max_forwards = 70,
		.msg_len = 522,
		.note = "the RFC's Content-Length (181) is 8 short of the "
			"CRLF body: a datagram keeps 181 bytes",
	},
	{
		.file = "rfc5118_ipv4-mapped-ipv6.sip",
		.section = "RFC 5118 4.9",
		.file_size = 657, .verdict = T_ACCEPT,
		.is_request = 1, .method_id = SL_METHOD_INVITE,
		.method = "INVITE",
		.call_id = "SSG9559905523997077@hlau_4100",
		.cseq = 612, .cseq_method = "INVITE", .n_vias = 2,
		.branch = "z9hG4bKbh19", .from_tag = "81x2", .to_tag = "",
		.body_len = 236, .content_length = 236, .max_forwards = 70,
		.msg_len = 648, .via_host = "::ffff:192.0.2.10",
		.n_contacts = 1, .contact = 1,
		.note = "the RFC's Content-Length (236) is 9 short of the "
			"CRLF body: a datagram keeps 236 bytes",
	},
	{
		.file = "rfc5118_ipv6-bug-abnf-3-colons.sip",
		.section = "RFC 5118 4.10",
		.file_size = 282, .verdict = T_REJECT_PARSE, .status = 400,
		.note = "2001:db8:::192.0.2.1 is no IPv6 address (RFC 4291), "
			"though RFC 3261's ABNF admits it",
	},
	{
		.file = "rfc5118_ipv6-correct-abnf-2-colons.sip",
		.section = "RFC 5118 4.10",
		.file_size = 280, .verdict = T_ACCEPT,
		.is_request = 1, .method_id = SL_METHOD_OPTIONS,
		.method = "OPTIONS", .call_id = "G9559905523997077@hlau_4100",
		.cseq = 689, .cseq_method = "OPTIONS", .n_vias = 1,
		.branch = "z9hG4bKas3-111", .from_tag = "810x2",
		.to_tag = "", .body_len = 0, .content_length = 0,
		.max_forwards = 70, .ruri_host = "2001:db8::192.0.2.1",
		.via_host = "lab1.east.example.com",
	},
};

static const int n_torture_vectors =
	(int)(sizeof(torture_vectors) / sizeof(torture_vectors[0]));

#endif /* SL_TEST_VECTORS_TORTURE_H */
