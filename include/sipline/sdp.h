/*
 * include/sipline/sdp.h: session descriptions (RFC 4566, RFC 8866), their
 * text form, and the offer/answer rules of RFC 3264 as pure functions.
 *
 * Parsing fills a struct sl_sdp whose text fields are slices of the parsed
 * buffer: nothing is copied, nothing is allocated, the buffer is never
 * written. The struct has fixed-size arrays (the SL_SDP_MAX_* constants), so
 * it is large: 32304 bytes on LP64, about 18 KB on 32-bit ARM (checked by
 * the struct_size test in tests/unit/check_sip_sdp.c). Keep one or two per
 * line, or parse into a scratch copy and keep what sl_sdp_negotiated()
 * returns.
 *
 * A description to send is a struct sl_sdp filled by the builder functions
 * (sl_sdp_build_offer(), sl_sdp_answer(), or sl_sdp_init() and the add
 * functions); its slices point at the caller's strings or at a parsed peer
 * description, which must outlive it. sl_sdp_write() turns it into text.
 *
 * Numbers are authoritative over text where both exist: a format with
 * pt >= 0 is written and compared by its payload type number, not by @id.
 *
 * Thread: every function here is reentrant and may be called from any
 * thread, as long as one struct sl_sdp is used by one thread at a time.
 */
#ifndef SIPLINE_SDP_H
#define SIPLINE_SDP_H

#include <stddef.h>
#include <stdint.h>

#include "sipline/error.h"
#include "sipline/slice.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Capacities of struct sl_sdp. Going past one while parsing is SL_ELIMIT. */
enum {
	SL_SDP_MAX_MEDIA = 8,   /* m= sections */
	SL_SDP_MAX_FMT = 32,    /* formats (payload types) per m= line */
	SL_SDP_MAX_BW = 4,      /* b= lines per section */
	SL_SDP_MAX_CRYPTO = 4,  /* a=crypto lines per m= section */
	SL_SDP_MAX_ATTR = 256,  /* other a= lines, whole description: a
				 * browser offer with audio and two video
				 * streams carries about 200 */
	SL_SDP_MAX_EXTRA = 16   /* e= p= r= z= k=, second t=, and lines of
				 * unknown lower-case types, whole
				 * description */
};

/** Media direction attributes (RFC 4566 §6, RFC 3264 §5.1). */
enum sl_sdp_dir {
	SL_SDP_DIR_NONE = 0,   /* no attribute written: inherit */
	SL_SDP_DIR_SENDRECV,
	SL_SDP_DIR_SENDONLY,
	SL_SDP_DIR_RECVONLY,
	SL_SDP_DIR_INACTIVE
};

/** The media token of an m= line, by id; the token itself is kept too. */
enum sl_sdp_media_type {
	SL_SDP_MEDIA_OTHER = 0,
	SL_SDP_MEDIA_AUDIO,
	SL_SDP_MEDIA_VIDEO,
	SL_SDP_MEDIA_TEXT,
	SL_SDP_MEDIA_APPLICATION,
	SL_SDP_MEDIA_MESSAGE,
	SL_SDP_MEDIA_IMAGE
};

/**
 * struct sl_sdp_origin - the o= line.
 * All six fields are non-empty in a parsed description; @sess_id and
 * @sess_version are digits (kept as text: peers send up to 20 and more).
 */
struct sl_sdp_origin {
	struct sl_slice username;
	struct sl_slice sess_id;
	struct sl_slice sess_version;
	struct sl_slice nettype;   /* "IN" */
	struct sl_slice addrtype;  /* "IP4", "IP6" */
	struct sl_slice address;
};

/**
 * struct sl_sdp_conn - a c= line (also the address part of a=rtcp).
 * @address: without the "/ttl/num" suffix.
 * @ttl:     IP4 multicast TTL (0..255); 0 when not written.
 * @num:     number of addresses (1..65535); 0 when not written.
 * @present: 1 when the line (or the a=rtcp address) was there.
 */
struct sl_sdp_conn {
	struct sl_slice nettype;
	struct sl_slice addrtype;
	struct sl_slice address;
	uint16_t ttl;
	uint16_t num;
	int present;
};

/** struct sl_sdp_bw - b=<type>:<value> (CT, AS, TIAS, RS, RR, X-...). */
struct sl_sdp_bw {
	struct sl_slice type;
	uint32_t value;            /* kbit/s for AS and CT, bit/s for TIAS */
};

/**
 * struct sl_sdp_fmt - one format of an m= line with its a=rtpmap and a=fmtp.
 * @id:         the token as written in the m= line ("0", "111", "t38",
 *              "webrtc-datachannel"); may be empty when built with a @pt.
 * @pt:         0..127 on an RTP m= line (see sl_sdp_media_is_rtp()), -1
 *              otherwise. When >= 0 it is what is written and compared.
 * @has_rtpmap: 1 when a=rtpmap gave @encoding, @clock_rate, @channels.
 * @encoding:   encoding name as written ("PCMU", "opus").
 * @clock_rate: RTP clock rate in Hz (>= 1 when @has_rtpmap).
 * @channels:   rtpmap encoding parameters; 0 when not written (mono).
 * @has_fmtp:   1 when a=fmtp gave @fmtp (which may then be empty).
 * @fmtp:       format parameters after "a=fmtp:<fmt> ".
 */
struct sl_sdp_fmt {
	struct sl_slice id;
	int16_t pt;
	uint8_t has_rtpmap;
	uint8_t has_fmtp;
	uint16_t channels;
	uint32_t clock_rate;
	struct sl_slice encoding;
	struct sl_slice fmtp;
};

/**
 * struct sl_sdp_crypto - a=crypto (RFC 4568 §9.1, SDES-SRTP).
 * @tag:            1..999999999.
 * @suite:          "AES_CM_128_HMAC_SHA1_80" ...
 * @key_params:     "inline:<key||salt>[|lifetime][|MKI:len]" (several
 *                  separated by ';'), without white space.
 * @session_params: the rest of the line ("KDR=1 UNENCRYPTED_SRTCP"), may
 *                  be empty.
 */
struct sl_sdp_crypto {
	uint32_t tag;
	struct sl_slice suite;
	struct sl_slice key_params;
	struct sl_slice session_params;
};

/**
 * struct sl_sdp_attr - an a= line the parser does not decode itself.
 * @name:      attribute name (a token).
 * @value:     everything after the first ':' verbatim; empty when none.
 * @has_value: 1 when a ':' was written ("a=foo:" and "a=foo" differ).
 */
struct sl_sdp_attr {
	struct sl_slice name;
	struct sl_slice value;
	int has_value;
};

/** struct sl_sdp_line - a kept line of another type (see SL_SDP_MAX_EXTRA). */
struct sl_sdp_line {
	struct sl_slice value;     /* after "x=" */
	char type;                 /* the lower-case type letter */
};

/**
 * struct sl_sdp_media - one m= section.
 * @type, @media:   media type by id and as written ("audio").
 * @port, @n_ports: m= port (0 = stream disabled or rejected) and the
 *                  "/<number of ports>" suffix, 0 when not written.
 * @proto:          transport ("RTP/AVP", "RTP/SAVPF", "UDP/TLS/RTP/SAVP").
 * @fmt, @n_fmt:    formats in m= line order, with their rtpmap and fmtp.
 *                  At least one, except on a port-0 line (tolerated: some
 *                  SBCs reject streams with no format).
 * @info:           i= text, empty when absent.
 * @conn:           media-level c=; @conn.present is 0 when absent.
 * @bw, @n_bw:      media-level b= lines.
 * @dir:            direction attribute as written, SL_SDP_DIR_NONE when
 *                  absent (then sl_sdp_media_dir() gives the effective one).
 * @ptime, @maxptime: milliseconds, 0 when absent.
 * @has_rtcp, @rtcp_port, @rtcp_addr: a=rtcp (RFC 3605); @rtcp_addr.present
 *                  when the attribute carried an address.
 * @rtcp_mux:       1 when a=rtcp-mux (RFC 5761) is present.
 * @crypto, @n_crypto: a=crypto lines in order (offerer's preference).
 * @mid:            a=mid (RFC 5888) token, empty when absent.
 * @content:        a=content (RFC 4796) value ("slides", "main"), empty
 *                  when absent.
 * @attr_first, @n_attr: this section's other a= lines, in the
 *                  description's @attr pool.
 * @extra_first, @n_extra: this section's k= and unknown-type lines, in the
 *                  description's @extra pool.
 */
struct sl_sdp_media {
	enum sl_sdp_media_type type;
	struct sl_slice media;
	uint16_t port;
	uint16_t n_ports;
	struct sl_slice proto;
	size_t n_fmt;
	struct sl_sdp_fmt fmt[SL_SDP_MAX_FMT];
	struct sl_slice info;
	struct sl_sdp_conn conn;
	size_t n_bw;
	struct sl_sdp_bw bw[SL_SDP_MAX_BW];
	enum sl_sdp_dir dir;
	uint32_t ptime;
	uint32_t maxptime;
	int has_rtcp;
	uint16_t rtcp_port;
	struct sl_sdp_conn rtcp_addr;
	int rtcp_mux;
	size_t n_crypto;
	struct sl_sdp_crypto crypto[SL_SDP_MAX_CRYPTO];
	struct sl_slice mid;
	struct sl_slice content;
	size_t attr_first;
	size_t n_attr;
	size_t extra_first;
	size_t n_extra;
};

/**
 * struct sl_sdp - a whole session description.
 * @origin:     o= line.
 * @name:       s= text (RFC 3264 examples send it empty; accepted).
 * @info, @uri: i= and u=, empty when absent.
 * @conn:       session-level c=.
 * @bw, @n_bw:  session-level b= lines.
 * @t_start, @t_stop: the first t= line (NTP seconds, 0 = unbounded).
 * @dir:        session-level direction attribute, SL_SDP_DIR_NONE if none.
 * @n_attr:     session-level other a= lines: @attr[0 .. n_attr).
 * @n_extra:    session-level kept lines: @extra[0 .. n_extra).
 * @media, @n_media: the m= sections in order.
 * @attr, @attr_used: the pool of other a= lines; the session's come first,
 *              then each media section's, in order.
 * @extra, @extra_used: the pool of kept lines, laid out like @attr.
 *
 * Owner: the caller. Slices point into the parsed buffer or the builder's
 * strings, which must outlive the struct. Copying the struct is fine.
 */
struct sl_sdp {
	struct sl_sdp_origin origin;
	struct sl_slice name;
	struct sl_slice info;
	struct sl_slice uri;
	struct sl_sdp_conn conn;
	size_t n_bw;
	struct sl_sdp_bw bw[SL_SDP_MAX_BW];
	uint64_t t_start;
	uint64_t t_stop;
	enum sl_sdp_dir dir;
	size_t n_attr;
	size_t n_extra;
	size_t n_media;
	struct sl_sdp_media media[SL_SDP_MAX_MEDIA];
	size_t attr_used;
	struct sl_sdp_attr attr[SL_SDP_MAX_ATTR];
	size_t extra_used;
	struct sl_sdp_line extra[SL_SDP_MAX_EXTRA];
};

/**
 * struct sl_sdp_error - where and why sl_sdp_parse() failed.
 * @offset: byte offset of the offending line in the input.
 * @line:   1-based line number (0 when the error is about the whole text).
 * @reason: a static string ("bad m= line", "missing o= line"); never NULL
 *          after a failed parse.
 */
struct sl_sdp_error {
	size_t offset;
	unsigned line;
	const char *reason;
};

/* ---- parsing (lib/sip/sdp_parse.c) ---- */

/**
 * sl_sdp_parse() - parses a session description.
 * @sdp: filled on success; undefined contents after a failure.
 * @buf: the text (need not be NUL-terminated; never written).
 * @len: its length in bytes.
 * @err: optional; filled on failure.
 *
 * Lines end with CRLF or a bare LF; the last line may lack its newline and
 * trailing empty lines are ignored. "v=0" must come first; o=, s= and t=
 * are required; c= is required at session level or in every m= section
 * with a non-zero port. Lines may come in any order within a section, but
 * o= s= u= e= p= t= r= z= are session-level only, and single lines (o= s=
 * i= u= c=, and each decoded attribute) may appear once per section.
 * Lines of unknown lower-case types are kept in @extra; other a= lines in
 * @attr. a=rtpmap and a=fmtp for a format not in the m= line are kept as
 * plain attributes. Attribute names are matched case-insensitively.
 *
 * Return: 0; SL_EINVAL when @sdp or @buf is NULL; SL_EPARSE on a syntax
 * error (bad line type, no '=', bad number, port out of range, rtpmap for
 * pt > 127, a control character, a required line missing...); SL_ELIMIT
 * when a capacity (SL_SDP_MAX_*) is exceeded, with @err->reason naming it.
 * Thread: any.
 */
int sl_sdp_parse(struct sl_sdp *sdp, const char *buf, size_t len,
		 struct sl_sdp_error *err);

/**
 * sl_sdp_media_dir() - the effective direction of media section @i: its
 * own attribute, else the session-level one, else sendrecv.
 * Return: never SL_SDP_DIR_NONE; SL_SDP_DIR_INACTIVE when @i is out of
 * range or @sdp is NULL.
 */
enum sl_sdp_dir sl_sdp_media_dir(const struct sl_sdp *sdp, size_t i);

/**
 * sl_sdp_media_conn() - the c= line that applies to media section @i: its
 * own, else the session-level one.
 * @out: receives a pointer into @sdp.
 * Return: 0; SL_ENOTFOUND when neither is present; SL_EINVAL on bad args.
 */
int sl_sdp_media_conn(const struct sl_sdp *sdp, size_t i,
		      const struct sl_sdp_conn **out);

/**
 * sl_sdp_attr_find() - finds an a= line kept in the @attr pool.
 * @media: media section index, or -1 for the session level.
 * @name:  attribute name (NUL-terminated), matched case-insensitively.
 * @from:  0 for the first match; pass a previous result + 1 to continue.
 * @value: optional; receives the attribute's value.
 * Return: the match's position within the section (>= @from); pass it + 1
 * as @from to find the next one. SL_ENOTFOUND when there is none;
 * SL_EINVAL on bad arguments (NULL, @media out of range).
 */
int sl_sdp_attr_find(const struct sl_sdp *sdp, int media, const char *name,
		     size_t from, struct sl_slice *value);

/**
 * sl_sdp_media_is_rtp() - 1 when the proto is an RTP profile (one of its
 * '/'-separated parts is "RTP"), so formats are payload types.
 */
int sl_sdp_media_is_rtp(const struct sl_sdp_media *m);

/** sl_sdp_media_is_srtp() - 1 for the SAVP and SAVPF profiles. */
int sl_sdp_media_is_srtp(const struct sl_sdp_media *m);

/**
 * sl_sdp_media_find_pt() - index in @m->fmt of payload type @pt.
 * Return: the index, or SL_ENOTFOUND.
 */
int sl_sdp_media_find_pt(const struct sl_sdp_media *m, int pt);

/** sl_sdp_dir_name() - "sendrecv" ...; "" for NONE. Never NULL. */
const char *sl_sdp_dir_name(enum sl_sdp_dir dir);

/** sl_sdp_media_type_name() - "audio" ...; "" for OTHER. Never NULL. */
const char *sl_sdp_media_type_name(enum sl_sdp_media_type type);

/** sl_sdp_media_type_from() - the id of a media token (case-insensitive). */
enum sl_sdp_media_type sl_sdp_media_type_from(struct sl_slice token);

/* ---- writing and comparing (lib/sip/sdp_write.c) ---- */

/**
 * sl_sdp_write() - writes @sdp as text with CRLF line endings.
 * @buf: output; NUL-terminated on success.
 * @cap: its size, counting the NUL.
 *
 * Order: v o s i u e p c b t r z k a, then each m= section as m i c b k a.
 * Decoded attributes are written in a fixed order (mid, rtpmap and fmtp per
 * format, ptime, maxptime, direction, rtcp, rtcp-mux, crypto, content)
 * before the kept ones, so parse(write(parse(x))) has the same fields as
 * parse(x) (see sl_sdp_equal()), though not always the same line order.
 *
 * Return: the length written (without the NUL); SL_ENOSPC when @cap is too
 * small (the contents of @buf are then undefined); SL_EINVAL when @sdp is
 * not writable: a count above its capacity, a pool range out of bounds, a
 * required field empty (o= fields, m= media and proto, c= fields), o= ids
 * that are not digits, a field holding white space where a token is
 * needed, a pt outside 0..127 on an RTP line, an m= line with a port and
 * no format, a kept line of a type the parser decodes, or any text holding
 * CR, LF or NUL (which would inject lines).
 * Thread: any.
 */
int sl_sdp_write(const struct sl_sdp *sdp, char *buf, size_t cap);

/**
 * sl_sdp_equal() - 1 when two descriptions have the same fields.
 *
 * Text is compared byte for byte; formats with a pt by number; numbers by
 * value; kept lines in order (e=/p=, t=/r= and the other kept types each as
 * their own group, as sl_sdp_write() orders them). Which buffer slices
 * point into does not matter.
 * Return: 1 or 0 (0 also when either is NULL).
 */
int sl_sdp_equal(const struct sl_sdp *a, const struct sl_sdp *b);

/* ---- building (lib/sip/sdp_build.c) ---- */

/**
 * sl_sdp_init() - an empty description: no lines, t=0 0, no media. The
 * writer needs at least the origin filled in before it succeeds.
 */
void sl_sdp_init(struct sl_sdp *sdp);

/**
 * sl_sdp_add_media() - appends an m= section.
 * @media: media token ("audio"); @proto: "RTP/AVP" ...; both NUL-terminated
 *         and kept by pointer.
 * Return: the new section's index; SL_ELIMIT when SL_SDP_MAX_MEDIA are
 * there; SL_EINVAL on NULL arguments.
 */
int sl_sdp_add_media(struct sl_sdp *sdp, const char *media, uint16_t port,
		     const char *proto);

/**
 * struct sl_sdp_codec - a codec we can use, for offers and answers.
 * @name:       encoding name ("PCMU", "opus", "telephone-event"),
 *              compared case-insensitively.
 * @clock_rate: RTP clock rate in Hz (8000 for G722, per RFC 3551).
 * @channels:   0 or 1 for mono (nothing written), 2 for stereo. Opus is
 *              always "opus/48000/2" in SDP (RFC 7587), so list it with 2.
 * @pt:         payload type written in our offers (0..127).
 * @fmtp:       format parameters for a=fmtp, or NULL.
 */
struct sl_sdp_codec {
	const char *name;
	uint32_t clock_rate;
	uint16_t channels;
	uint8_t pt;
	const char *fmtp;
};

/**
 * sl_sdp_add_codec() - appends a format to media section @mi with its
 * a=rtpmap (always written, also for static payload types) and a=fmtp.
 * Return: the format's index; SL_ELIMIT when SL_SDP_MAX_FMT are there;
 * SL_EEXIST when the pt is already listed; SL_EINVAL on bad arguments
 * (NULL name, pt > 127, clock rate 0, @mi out of range).
 */
int sl_sdp_add_codec(struct sl_sdp *sdp, size_t mi,
		     const struct sl_sdp_codec *c);

/**
 * sl_sdp_add_attr() - adds a kept a= line at the end of a section's lines.
 * @media: section index or -1 for the session level.
 * @name:  attribute name (a token), NUL-terminated, kept by pointer.
 * @value: its value or NULL for a property attribute ("a=ice-lite").
 * Return: 0; SL_ELIMIT when the pool is full; SL_EINVAL on bad arguments.
 */
int sl_sdp_add_attr(struct sl_sdp *sdp, int media, const char *name,
		    const char *value);

/**
 * sl_sdp_add_crypto() - appends an a=crypto line to media section @mi.
 * Return: 0; SL_ELIMIT past SL_SDP_MAX_CRYPTO; SL_EINVAL on bad arguments
 * (tag 0 or above 999999999, empty suite or key).
 */
int sl_sdp_add_crypto(struct sl_sdp *sdp, size_t mi,
		      const struct sl_sdp_crypto *c);

/** SRTP policy of a stream (SDES, RFC 4568). */
enum sl_sdp_srtp {
	SL_SDP_SRTP_OFF = 0,    /* plain RTP; SAVP offers are rejected */
	SL_SDP_SRTP_OPTIONAL,   /* offer RTP/AVP with a=crypto; accept both */
	SL_SDP_SRTP_MANDATORY   /* offer RTP/SAVP; accept no plain RTP */
};

/**
 * struct sl_sdp_session_cfg - our side of the session-level lines.
 * @username:     o= username, NULL for "-".
 * @sess_id:      o= session id (digits), NULL for "0".
 * @sess_version: o= version (digits); bump it for each changed offer
 *                (RFC 3264 §8). NULL for "0".
 * @name:         s= text, NULL for "-".
 * @address:      our address for o= and the session c=; IP6 is used when
 *                it contains ':', IP4 otherwise. Required.
 */
struct sl_sdp_session_cfg {
	const char *username;
	const char *sess_id;
	const char *sess_version;
	const char *name;
	const char *address;
};

/**
 * struct sl_sdp_media_cfg - one stream we offer, or can accept.
 * @type:      media type (the m= token is sl_sdp_media_type_name()).
 * @port:      our RTP port.
 * @rtcp_port: written as a=rtcp (RFC 3605) when non-zero.
 * @proto:     NULL for "RTP/SAVP" when @srtp is MANDATORY, else "RTP/AVP".
 *             Offers only; answers echo the offered proto.
 * @dir:       the direction we want; NONE means sendrecv.
 * @codecs, @n_codecs: our codecs in preference order. telephone-event is
 *             supported when listed (by name, any clock rate).
 * @ptime, @maxptime: written when non-zero (ms).
 * @rtcp_mux:  offer a=rtcp-mux; in answers, echo it when offered.
 * @srtp:      SRTP policy.
 * @crypto, @n_crypto: our SDES keys, one per suite in preference order
 *             (@tag is used in offers; answers take the offer's tag).
 * @content:   RFC 4796 content ("slides" for screen sharing) or NULL;
 *             answers prefer the cfg whose content matches the offer's.
 * @mid:       a=mid for offers, or NULL. Answers echo the offer's mid.
 * @max_codecs: answers list at most this many codecs besides
 *             telephone-event (1 avoids mid-call codec switches); 0 = all.
 */
struct sl_sdp_media_cfg {
	enum sl_sdp_media_type type;
	uint16_t port;
	uint16_t rtcp_port;
	const char *proto;
	enum sl_sdp_dir dir;
	const struct sl_sdp_codec *codecs;
	size_t n_codecs;
	uint32_t ptime;
	uint32_t maxptime;
	int rtcp_mux;
	enum sl_sdp_srtp srtp;
	const struct sl_sdp_crypto *crypto;
	size_t n_crypto;
	const char *content;
	const char *mid;
	uint32_t max_codecs;
};

/**
 * sl_sdp_build_offer() - fills @sdp with our offer: the session lines of
 * @s (o=, s=, c=, t=0 0) and one m= section per @media entry, each with its
 * codecs (a=rtpmap always, a=fmtp when set), a=ptime, a=maxptime, an
 * explicit direction, a=rtcp, a=rtcp-mux, a=crypto (unless @srtp is OFF),
 * a=content and a=mid as configured.
 * Return: 0; SL_EINVAL on a NULL or empty required field (address, a
 * media type of OTHER, no codec) or a pt listed twice; SL_ELIMIT past a
 * capacity. @sdp then points at the strings of @s and @media.
 * Thread: any.
 */
int sl_sdp_build_offer(struct sl_sdp *sdp, const struct sl_sdp_session_cfg *s,
		       const struct sl_sdp_media_cfg *media, size_t n_media);

/**
 * sl_sdp_hold_dir() - the direction to offer when putting a stream on hold:
 * sendonly, or inactive when the peer's last description already holds us
 * (its direction, from its side, is sendonly or inactive). RFC 3264 §8.4,
 * RFC 6337 §5.
 */
enum sl_sdp_dir sl_sdp_hold_dir(enum sl_sdp_dir remote);

/**
 * sl_sdp_hold() - sets the direction of every enabled (port != 0) stream of
 * our description @local for a hold offer, using sl_sdp_hold_dir() with
 * the effective direction of the same stream in @remote (NULL: none known).
 * The session-level direction is cleared. The caller bumps o= version.
 * Return: 0; SL_EINVAL when @local is NULL.
 */
int sl_sdp_hold(struct sl_sdp *local, const struct sl_sdp *remote);

/**
 * sl_sdp_resume() - sets every enabled stream of @local to sendrecv (the
 * offer to resume; if the peer still holds us its answer says recvonly).
 * Return: 0; SL_EINVAL when @local is NULL.
 */
int sl_sdp_resume(struct sl_sdp *local);

/* ---- offer/answer (lib/sip/sdp_offer_answer.c) ---- */

/**
 * struct sl_sdp_rtpmap - what a format is: its rtpmap, or for static
 * payload types 0..34 without one, the RFC 3551 table entry.
 * @channels is 1 when not written.
 */
struct sl_sdp_rtpmap {
	struct sl_slice name;
	uint32_t clock_rate;
	uint16_t channels;
};

/**
 * sl_sdp_fmt_rtpmap() - resolves a format to its codec.
 * Return: 0; SL_ENOTFOUND for a dynamic or unassigned pt without rtpmap
 * (or a non-RTP format); SL_EINVAL on NULL arguments.
 */
int sl_sdp_fmt_rtpmap(const struct sl_sdp_fmt *f, struct sl_sdp_rtpmap *out);

/**
 * sl_sdp_dir_answer() - the answer's direction for an offered one (RFC 3264
 * §6.1): the offer reversed, narrowed to what we @want (NONE = sendrecv).
 * sendonly gives recvonly, recvonly gives sendonly, inactive gives
 * inactive, sendrecv gives @want.
 */
enum sl_sdp_dir sl_sdp_dir_answer(enum sl_sdp_dir offered,
				  enum sl_sdp_dir want);

/**
 * sl_sdp_dir_effective() - what we may do: we send when @local allows
 * sending and @remote allows receiving, and receive the other way round.
 * Both are directions as written by their side; NONE means sendrecv.
 */
enum sl_sdp_dir sl_sdp_dir_effective(enum sl_sdp_dir local,
				     enum sl_sdp_dir remote);

/**
 * sl_sdp_answer() - builds our answer to @offer (RFC 3264 §6).
 * @answer: filled; its slices point into @offer and the strings of @s and
 *          @media, which must outlive it.
 * @offer:  the peer's parsed offer.
 * @s:      our session lines (as for sl_sdp_build_offer()).
 * @media, @n_media: what we accept. Each offered stream takes the first
 *          unused entry of its media type, preferring one whose @content
 *          matches the offered a=content; so listing two video entries
 *          accepts a second video stream (screen sharing), each with its
 *          own port.
 *
 * The answer has the offer's m= lines in the same order. A stream is
 * rejected (port 0, the offer's media token, proto and first format) when
 * its port is 0, its proto is not RTP/AVP, RTP/AVPF, RTP/SAVP or RTP/SAVPF
 * (DTLS-SRTP is not negotiated here), no entry is left for its type, the
 * SRTP policy and the offered crypto disagree, or no codec is common.
 * Codecs match by name (case-insensitive), clock rate and channels; static
 * payload types without rtpmap by RFC 3551. fmtp does not take part in
 * matching. The answer keeps the offer's payload type numbers and lists
 * the common codecs in OUR preference order (@codecs order), at most
 * @max_codecs of them, then one telephone-event if we list it and it was
 * offered (the one at the clock rate of our first codec, else 8000, else
 * the first offered); telephone-event or CN alone do not make a stream.
 * rtpmap lines use the offer's spelling; fmtp lines are ours. The
 * direction is sl_sdp_dir_answer(offered, @dir); a=mid is echoed (also on
 * rejected lines), a=content echoed, a=rtcp-mux echoed when offered and
 * @rtcp_mux is set, a=ptime/a=rtcp ours. With SRTP, the first offered
 * a=crypto whose suite we have is answered with its tag and our key.
 *
 * Return: the number of accepted streams (0: nothing acceptable, send 488);
 * SL_EINVAL on NULL arguments or an @s without address.
 * Thread: any.
 */
int sl_sdp_answer(struct sl_sdp *answer, const struct sl_sdp *offer,
		  const struct sl_sdp_session_cfg *s,
		  const struct sl_sdp_media_cfg *media, size_t n_media);

/**
 * sl_sdp_check_answer() - checks a peer's @answer against our @offer
 * (RFC 3264 §6, §6.1):
 * - the same number of m= lines, each with the offered media type;
 * - a stream offered with port 0 is answered with port 0;
 * - each accepted (port != 0) stream shares at least one format with the
 *   offer (by codec for RTP) and gives no offered payload type number to a
 *   different codec; extra formats are tolerated (§6.1 allows them, and
 *   sl_sdp_negotiated() ignores them);
 * - the direction is allowed for the offered one (§6.1);
 * - an accepted SAVP stream carries exactly one a=crypto, and any a=crypto
 *   matches an offered tag and suite.
 * @reason: optional; a static string naming the failed rule.
 * Return: 0; SL_EPARSE when a rule fails; SL_EINVAL on NULL arguments.
 */
int sl_sdp_check_answer(const struct sl_sdp *offer,
			const struct sl_sdp *answer, const char **reason);

/**
 * struct sl_sdp_stream - the outcome of offer/answer for one stream.
 * @index:       m= line index; @type: its media type.
 * @active:      1 when both sides have a non-zero port and share a codec.
 *               The fields below are only meaningful when it is set.
 * @dir:         our effective direction (sl_sdp_dir_effective()).
 * @encoding, @clock_rate, @channels: the codec: the first format of the
 *               answer that was offered and is not telephone-event, CN,
 *               red, rtx, ulpfec or flexfec.
 * @pt_send:     its payload type in the peer's description (we send it).
 * @pt_recv:     its payload type in ours (we receive it).
 * @fmtp_send:   the peer's fmtp for @pt_send (how it wants to receive).
 * @fmtp_recv:   our fmtp for @pt_recv.
 * @te_send_pt, @te_recv_pt: telephone-event payload types in each
 *               direction (preferring the codec's clock rate, else 8000),
 *               -1 when the answer has none.
 * @ptime:       the peer's a=ptime (packetization to send), 0 if none.
 * @remote_addr: the peer's media c= over its session c= (address slice of
 *               @remote_addrtype, "IP4"/"IP6").
 * @remote_port: the peer's RTP port.
 * @rtcp_mux:    1 when both sides have a=rtcp-mux.
 * @remote_rtcp_addr, @remote_rtcp_port: where RTCP goes: the RTP port when
 *               @rtcp_mux, else a=rtcp (with its address when given), else
 *               the RTP port + 1.
 * @srtp:        1 when the answer carries a=crypto; @crypto_local is the
 *               line of our description (our key, to encrypt),
 *               @crypto_remote the peer's (its key, to decrypt).
 */
struct sl_sdp_stream {
	size_t index;
	enum sl_sdp_media_type type;
	int active;
	enum sl_sdp_dir dir;
	struct sl_slice encoding;
	uint32_t clock_rate;
	uint16_t channels;
	int pt_send;
	int pt_recv;
	struct sl_slice fmtp_send;
	struct sl_slice fmtp_recv;
	int te_send_pt;
	int te_recv_pt;
	uint32_t ptime;
	struct sl_slice remote_addr;
	struct sl_slice remote_addrtype;
	uint16_t remote_port;
	int rtcp_mux;
	struct sl_slice remote_rtcp_addr;
	uint16_t remote_rtcp_port;
	int srtp;
	struct sl_sdp_crypto crypto_local;
	struct sl_sdp_crypto crypto_remote;
};

/**
 * sl_sdp_negotiated() - the result of a completed exchange for stream
 * @index.
 * @offer, @answer: the two descriptions (one of them ours).
 * @we_offered:     1 when @offer is ours, 0 when @answer is.
 * @out:            filled; slices point into @offer and @answer.
 * Return: 0 (also for a rejected stream, with @out->active = 0);
 * SL_ENOTFOUND when @index is past either description's m= lines;
 * SL_EINVAL on NULL arguments.
 * Thread: any.
 */
int sl_sdp_negotiated(const struct sl_sdp *offer, const struct sl_sdp *answer,
		      int we_offered, size_t index, struct sl_sdp_stream *out);

#ifdef __cplusplus
}
#endif

#endif /* SIPLINE_SDP_H */
