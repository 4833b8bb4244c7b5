/*
 * tests/unit/check_sip_sdp.c: SDP parsing, writing, building and the
 * RFC 3264 offer/answer rules (lib/sip/sdp_*.c).
 *
 * The descriptions below are shaped after what real peers send (Asterisk,
 * FreeSWITCH, Linphone, PJSIP, a browser) and the examples of RFC 4566 §5,
 * RFC 3264 §10 and RFC 4568 §9.
 */
#include <check.h>
#include <stdio.h>
#include <string.h>

#include "check_main.h"
#include "sipline/error.h"
#include "sipline/sdp.h"

#define CRLF "\r\n"

/* ---- descriptions ---- */

static const char asterisk_sdp[] =
	"v=0" CRLF
	"o=- 1234567890 1234567891 IN IP4 192.168.1.10" CRLF
	"s=Asterisk" CRLF
	"c=IN IP4 192.168.1.10" CRLF
	"t=0 0" CRLF
	"m=audio 10000 RTP/AVP 0 8 3 111 101" CRLF
	"a=rtpmap:0 PCMU/8000" CRLF
	"a=rtpmap:8 PCMA/8000" CRLF
	"a=rtpmap:3 GSM/8000" CRLF
	"a=rtpmap:111 G726-32/8000" CRLF
	"a=rtpmap:101 telephone-event/8000" CRLF
	"a=fmtp:101 0-16" CRLF
	"a=ptime:20" CRLF
	"a=maxptime:150" CRLF
	"a=sendrecv" CRLF;

static const char freeswitch_srtp_sdp[] =
	"v=0" CRLF
	"o=FreeSWITCH 1700000000 1700000001 IN IP4 10.0.0.5" CRLF
	"s=FreeSWITCH" CRLF
	"c=IN IP4 10.0.0.5" CRLF
	"t=0 0" CRLF
	"m=audio 24580 RTP/SAVP 9 0 8 101 13" CRLF
	"a=rtpmap:9 G722/8000" CRLF
	"a=rtpmap:0 PCMU/8000" CRLF
	"a=rtpmap:8 PCMA/8000" CRLF
	"a=rtpmap:101 telephone-event/8000" CRLF
	"a=fmtp:101 0-16" CRLF
	"a=rtpmap:13 CN/8000" CRLF
	"a=ptime:20" CRLF
	"a=sendrecv" CRLF
	"a=rtcp:24581 IN IP4 10.0.0.5" CRLF
	"a=crypto:1 AES_CM_128_HMAC_SHA1_80 "
	"inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz|2^20|1:4" CRLF
	"a=crypto:2 AES_CM_128_HMAC_SHA1_32 "
	"inline:NzB4d1BINUAvLEw6UzF3WSJ+PSdFcGdUJShpX1Zj|2^20|1:4" CRLF;

static const char linphone_sdp[] =
	"v=0" CRLF
	"o=alice 3506 2108 IN IP4 192.168.0.20" CRLF
	"s=Talk" CRLF
	"c=IN IP4 192.168.0.20" CRLF
	"t=0 0" CRLF
	"a=rtcp-xr:rcvr-rtt=all:10000 stat-summary=loss,dup,jitt,TTL "
	"voip-metrics" CRLF
	"a=record:off" CRLF
	"m=audio 7078 RTP/AVP 96 97 98 0 8 18 101 99 100" CRLF
	"a=rtpmap:96 opus/48000/2" CRLF
	"a=fmtp:96 useinbandfec=1" CRLF
	"a=rtpmap:97 SILK/16000" CRLF
	"a=rtpmap:98 speex/16000" CRLF
	"a=fmtp:98 vbr=on" CRLF
	"a=rtpmap:18 G729/8000" CRLF
	"a=fmtp:18 annexb=yes" CRLF
	"a=rtpmap:101 telephone-event/48000" CRLF
	"a=rtpmap:99 telephone-event/16000" CRLF
	"a=rtpmap:100 telephone-event/8000" CRLF
	"a=rtcp-fb:* trr-int 1000" CRLF
	"a=rtcp-fb:* ccm tmmbr" CRLF
	"m=video 9078 RTP/AVP 96 97" CRLF
	"a=rtpmap:96 VP8/90000" CRLF
	"a=rtpmap:97 H264/90000" CRLF
	"a=fmtp:97 profile-level-id=42801F" CRLF
	"a=rtcp-fb:* trr-int 1000" CRLF
	"a=rtcp-fb:96 nack pli" CRLF
	"a=rtcp-fb:96 ccm fir" CRLF
	"a=rtcp-fb:97 nack pli" CRLF
	"a=content:main" CRLF
	"m=video 9080 RTP/AVP 96" CRLF
	"a=rtpmap:96 VP8/90000" CRLF
	"a=content:slides" CRLF
	"a=sendonly" CRLF;

/* PJSIP: c= only at media level, b= before t=, a property attribute. */
static const char pjsip_sdp[] =
	"v=0" CRLF
	"o=- 3894561873 3894561873 IN IP4 192.168.1.50" CRLF
	"s=pjmedia" CRLF
	"b=AS:84" CRLF
	"t=0 0" CRLF
	"a=X-nat:0" CRLF
	"m=audio 4000 RTP/AVP 96 9 8 0 101 102" CRLF
	"c=IN IP4 192.168.1.50" CRLF
	"b=TIAS:64000" CRLF
	"a=rtcp:4001 IN IP4 192.168.1.50" CRLF
	"a=sendrecv" CRLF
	"a=rtpmap:96 opus/48000/2" CRLF
	"a=fmtp:96 useinbandfec=1" CRLF
	"a=rtpmap:9 G722/8000" CRLF
	"a=rtpmap:8 PCMA/8000" CRLF
	"a=rtpmap:0 PCMU/8000" CRLF
	"a=rtpmap:101 telephone-event/48000" CRLF
	"a=fmtp:101 0-16" CRLF
	"a=rtpmap:102 telephone-event/8000" CRLF
	"a=fmtp:102 0-16" CRLF
	"a=ssrc:1234567890 cname:4c2b7a3e2f1a4b5c" CRLF
	"a=ice-lite" CRLF;

static const char chrome_sdp[] =
	"v=0" CRLF
	"o=- 4611731400430051336 2 IN IP4 127.0.0.1" CRLF
	"s=-" CRLF
	"t=0 0" CRLF
	"a=group:BUNDLE 0 1 2" CRLF
	"a=extmap-allow-mixed" CRLF
	"a=msid-semantic: WMS stream1" CRLF
	"m=audio 9 UDP/TLS/RTP/SAVPF 111 63 9 0 8 13 110 126" CRLF
	"c=IN IP4 0.0.0.0" CRLF
	"a=rtcp:9 IN IP4 0.0.0.0" CRLF
	"a=ice-ufrag:EsAw" CRLF
	"a=ice-pwd:bP+XJMM09aR8AiX1jdukzR6Y" CRLF
	"a=ice-options:trickle" CRLF
	"a=fingerprint:sha-256 D7:87:A1:0F:3C:6E:2B:91:44:52:E0:8D:AF:27:"
	"31:B4:C8:99:10:5A:7E:6C:0D:F3:21:88:4B:B0:9A:13:57:EE" CRLF
	"a=setup:actpass" CRLF
	"a=mid:0" CRLF
	"a=extmap:1 urn:ietf:params:rtp-hdrext:ssrc-audio-level" CRLF
	"a=extmap:2 http://www.webrtc.org/experiments/rtp-hdrext/"
	"abs-send-time" CRLF
	"a=sendrecv" CRLF
	"a=msid:stream1 track1" CRLF
	"a=rtcp-mux" CRLF
	"a=rtcp-rsize" CRLF
	"a=rtpmap:111 opus/48000/2" CRLF
	"a=rtcp-fb:111 transport-cc" CRLF
	"a=fmtp:111 minptime=10;useinbandfec=1" CRLF
	"a=rtpmap:63 red/48000/2" CRLF
	"a=fmtp:63 111/111" CRLF
	"a=rtpmap:9 G722/8000" CRLF
	"a=rtpmap:0 PCMU/8000" CRLF
	"a=rtpmap:8 PCMA/8000" CRLF
	"a=rtpmap:13 CN/8000" CRLF
	"a=rtpmap:110 telephone-event/48000" CRLF
	"a=rtpmap:126 telephone-event/8000" CRLF
	"a=ssrc:3570614608 cname:4TOk42mSjXCkVIa6" CRLF
	"a=ssrc:3570614608 msid:stream1 track1" CRLF
	"m=video 9 UDP/TLS/RTP/SAVPF 96 97 102 103" CRLF
	"c=IN IP4 0.0.0.0" CRLF
	"a=rtcp:9 IN IP4 0.0.0.0" CRLF
	"a=ice-ufrag:EsAw" CRLF
	"a=ice-pwd:bP+XJMM09aR8AiX1jdukzR6Y" CRLF
	"a=setup:actpass" CRLF
	"a=mid:1" CRLF
	"a=sendrecv" CRLF
	"a=rtcp-mux" CRLF
	"a=rtpmap:96 VP8/90000" CRLF
	"a=rtcp-fb:96 goog-remb" CRLF
	"a=rtcp-fb:96 transport-cc" CRLF
	"a=rtcp-fb:96 ccm fir" CRLF
	"a=rtcp-fb:96 nack" CRLF
	"a=rtcp-fb:96 nack pli" CRLF
	"a=rtpmap:97 rtx/90000" CRLF
	"a=fmtp:97 apt=96" CRLF
	"a=rtpmap:102 H264/90000" CRLF
	"a=fmtp:102 level-asymmetry-allowed=1;packetization-mode=1;"
	"profile-level-id=42001f" CRLF
	"a=rtpmap:103 rtx/90000" CRLF
	"a=fmtp:103 apt=102" CRLF
	"a=ssrc-group:FID 1 2" CRLF
	"m=application 9 UDP/DTLS/SCTP webrtc-datachannel" CRLF
	"c=IN IP4 0.0.0.0" CRLF
	"a=mid:2" CRLF
	"a=sctp-port:5000" CRLF
	"a=max-message-size:262144" CRLF;

/* RFC 4566 §5 example, with multicast c= and the u=, e=, i= lines. */
static const char rfc4566_sdp[] =
	"v=0" CRLF
	"o=jdoe 2890844526 2890842807 IN IP4 10.47.16.5" CRLF
	"s=SDP Seminar" CRLF
	"i=A Seminar on the session description protocol" CRLF
	"u=http://www.example.com/seminars/sdp.pdf" CRLF
	"e=j.doe@example.com (Jane Doe)" CRLF
	"c=IN IP4 224.2.17.12/127" CRLF
	"t=2873397496 2873404696" CRLF
	"a=recvonly" CRLF
	"m=audio 49170 RTP/AVP 0" CRLF
	"m=video 51372 RTP/AVP 99" CRLF
	"a=rtpmap:99 h263-1998/90000" CRLF;

/* RFC 3264 §10.1 */
static const char rfc3264_offer1[] =
	"v=0" CRLF
	"o=alice 2890844526 2890844526 IN IP4 host.anywhere.com" CRLF
	"s=" CRLF
	"c=IN IP4 host.anywhere.com" CRLF
	"t=0 0" CRLF
	"m=audio 49170 RTP/AVP 0" CRLF
	"a=rtpmap:0 PCMU/8000" CRLF
	"m=video 51372 RTP/AVP 31" CRLF
	"a=rtpmap:31 H261/90000" CRLF
	"m=video 53000 RTP/AVP 32" CRLF
	"a=rtpmap:32 MPV/90000" CRLF;

static const char rfc3264_answer1[] =
	"v=0" CRLF
	"o=bob 2890844730 2890844730 IN IP4 host.example.com" CRLF
	"s=" CRLF
	"c=IN IP4 host.example.com" CRLF
	"t=0 0" CRLF
	"m=audio 49920 RTP/AVP 0" CRLF
	"a=rtpmap:0 PCMU/8000" CRLF
	"m=video 0 RTP/AVP 31" CRLF
	"m=video 53000 RTP/AVP 32" CRLF
	"a=rtpmap:32 MPV/90000" CRLF;

static const char rfc3264_offer2[] =
	"v=0" CRLF
	"o=bob 2890844730 2890844731 IN IP4 host.example.com" CRLF
	"s=" CRLF
	"c=IN IP4 host.example.com" CRLF
	"t=0 0" CRLF
	"m=audio 65422 RTP/AVP 0" CRLF
	"a=rtpmap:0 PCMU/8000" CRLF
	"m=video 0 RTP/AVP 31" CRLF
	"m=video 53000 RTP/AVP 32" CRLF
	"a=rtpmap:32 MPV/90000" CRLF
	"m=audio 51434 RTP/AVP 110" CRLF
	"a=rtpmap:110 telephone-events/8000" CRLF
	"a=recvonly" CRLF;

static const char rfc3264_answer2[] =
	"v=0" CRLF
	"o=alice 2890844526 2890844527 IN IP4 host.anywhere.com" CRLF
	"s=" CRLF
	"c=IN IP4 host.anywhere.com" CRLF
	"t=0 0" CRLF
	"m=audio 49170 RTP/AVP 0" CRLF
	"a=rtpmap:0 PCMU/8000" CRLF
	"m=video 0 RTP/AVP 31" CRLF
	"a=rtpmap:31 H261/90000" CRLF
	"m=video 53000 RTP/AVP 32" CRLF
	"a=rtpmap:32 MPV/90000" CRLF
	"m=audio 53122 RTP/AVP 110" CRLF
	"a=rtpmap:110 telephone-events/8000" CRLF
	"a=sendonly" CRLF;

/* RFC 3264 §10.2: one of N codecs, offered inactive. */
static const char rfc3264_offer3[] =
	"v=0" CRLF
	"o=alice 2890844526 2890844526 IN IP4 host.anywhere.com" CRLF
	"s=" CRLF
	"c=IN IP4 host.anywhere.com" CRLF
	"t=0 0" CRLF
	"m=audio 62986 RTP/AVP 0 4 18" CRLF
	"a=rtpmap:0 PCMU/8000" CRLF
	"a=rtpmap:4 G723/8000" CRLF
	"a=rtpmap:18 G729/8000" CRLF
	"a=inactive" CRLF;

static const char rfc3264_answer3[] =
	"v=0" CRLF
	"o=bob 2890844730 2890844731 IN IP4 host.example.com" CRLF
	"s=" CRLF
	"c=IN IP4 host.example.com" CRLF
	"t=0 0" CRLF
	"m=audio 54344 RTP/AVP 0 4" CRLF
	"a=rtpmap:0 PCMU/8000" CRLF
	"a=rtpmap:4 G723/8000" CRLF
	"a=inactive" CRLF;

/* RFC 4568 §9.1: several keys with MKIs, and session parameters. */
static const char rfc4568_sdp[] =
	"v=0" CRLF
	"o=sam 2890844526 2890842807 IN IP4 10.47.16.5" CRLF
	"s=SRTP Discussion" CRLF
	"i=A discussion of Secure RTP" CRLF
	"u=http://www.example.com/seminars/srtp.pdf" CRLF
	"e=marge@example.com (Marge Simpson)" CRLF
	"c=IN IP4 168.2.17.12" CRLF
	"t=2873397496 2873404696" CRLF
	"m=audio 49170 RTP/SAVP 0" CRLF
	"a=crypto:1 AES_CM_128_HMAC_SHA1_80 "
	"inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz|2^20|1:4;"
	"inline:QUJjZGVmMTIzNDU2Nzg5QUJDREUwMTIzNDU2Nzg5|2^20|2:4 "
	"FEC_ORDER=FEC_SRTP" CRLF
	"a=crypto:2 F8_128_HMAC_SHA1_80 "
	"inline:MTIzNDU2Nzg5QUJDREUwMTIzNDU2Nzg5QUJjZGVm|2^20|1:4;"
	"inline:QUJjZGVmMTIzNDU2Nzg5QUJDREUwMTIzNDU2Nzg5|2^20|2:4 "
	"FEC_ORDER=FEC_SRTP" CRLF;

/* IPv6, n_ports, multicast TTL/num, r= z= k= and unknown lines kept. */
static const char misc_sdp[] =
	"v=0" CRLF
	"o=- 1 1 IN IP6 2001:db8::1" CRLF
	"s=misc" CRLF
	"p=+1 617 555-6011" CRLF
	"c=IN IP6 ff15::101/3" CRLF
	"b=CT:128" CRLF
	"t=3034423619 3042462419" CRLF
	"r=7d 1h 0 25h" CRLF
	"t=0 0" CRLF
	"z=2882844526 -1h 2898848070 0" CRLF
	"k=prompt" CRLF
	"y=0100000001" CRLF
	"m=audio 49170/2 RTP/AVP 0" CRLF
	"c=IN IP4 224.2.1.1/127/3" CRLF
	"k=clear:secret" CRLF
	"i=main audio" CRLF
	"m=image 0 udptl t38" CRLF
	"a=T38FaxVersion:0" CRLF
	"a=fmtp:t38 foo" CRLF;

static const struct {
	const char *name;
	const char *text;
} good[] = {
	{ "asterisk", asterisk_sdp },
	{ "freeswitch-srtp", freeswitch_srtp_sdp },
	{ "linphone", linphone_sdp },
	{ "pjsip", pjsip_sdp },
	{ "chrome", chrome_sdp },
	{ "rfc4566", rfc4566_sdp },
	{ "rfc3264-offer1", rfc3264_offer1 },
	{ "rfc3264-answer1", rfc3264_answer1 },
	{ "rfc3264-offer2", rfc3264_offer2 },
	{ "rfc3264-answer2", rfc3264_answer2 },
	{ "rfc3264-offer3", rfc3264_offer3 },
	{ "rfc3264-answer3", rfc3264_answer3 },
	{ "rfc4568", rfc4568_sdp },
	{ "misc", misc_sdp },
};
static const int n_good = (int)(sizeof(good) / sizeof(good[0]));

/* ---- helpers ---- */

static void parse_ok(struct sl_sdp *sdp, const char *text)
{
	struct sl_sdp_error err = { 0, 0, NULL };
	int rc = sl_sdp_parse(sdp, text, strlen(text), &err);

	ck_assert_msg(rc == 0, "parse failed: %s at line %u (%s)",
		      err.reason ? err.reason : "?", err.line,
		      sl_err_name(rc));
}

static int seq(struct sl_slice s, const char *lit)
{
	return sl_slice_eq(s, lit);
}

#define ck_slice(s, lit) \
	ck_assert_msg(seq((s), (lit)), "%s: got '%.*s', want '%s'", #s, \
		      (int)(s).len, (s).p ? (s).p : "", (lit))

/* ---- parsing ---- */

START_TEST(parse_asterisk)
{
	struct sl_sdp sdp;
	const struct sl_sdp_media *m;
	struct sl_sdp_rtpmap r;

	parse_ok(&sdp, asterisk_sdp);
	ck_slice(sdp.origin.username, "-");
	ck_slice(sdp.origin.sess_id, "1234567890");
	ck_slice(sdp.origin.sess_version, "1234567891");
	ck_slice(sdp.origin.nettype, "IN");
	ck_slice(sdp.origin.addrtype, "IP4");
	ck_slice(sdp.origin.address, "192.168.1.10");
	ck_slice(sdp.name, "Asterisk");
	ck_assert(sdp.conn.present);
	ck_slice(sdp.conn.address, "192.168.1.10");
	ck_assert_uint_eq(sdp.t_start, 0);
	ck_assert_uint_eq(sdp.n_media, 1);
	m = &sdp.media[0];
	ck_assert_int_eq(m->type, SL_SDP_MEDIA_AUDIO);
	ck_assert_uint_eq(m->port, 10000);
	ck_slice(m->proto, "RTP/AVP");
	ck_assert(sl_sdp_media_is_rtp(m));
	ck_assert(!sl_sdp_media_is_srtp(m));
	ck_assert_uint_eq(m->n_fmt, 5);
	ck_assert_int_eq(m->fmt[3].pt, 111);
	ck_slice(m->fmt[3].encoding, "G726-32");
	ck_assert_uint_eq(m->fmt[3].clock_rate, 8000);
	ck_assert_uint_eq(m->fmt[3].channels, 0);
	ck_assert(m->fmt[4].has_fmtp);
	ck_slice(m->fmt[4].fmtp, "0-16");
	ck_assert(!m->fmt[0].has_fmtp);
	ck_assert_uint_eq(m->ptime, 20);
	ck_assert_uint_eq(m->maxptime, 150);
	ck_assert_int_eq(m->dir, SL_SDP_DIR_SENDRECV);
	ck_assert_uint_eq(m->n_attr, 0);
	ck_assert_int_eq(sl_sdp_fmt_rtpmap(&m->fmt[1], &r), 0);
	ck_slice(r.name, "PCMA");
	ck_assert_uint_eq(r.channels, 1);
}
END_TEST

START_TEST(parse_freeswitch_srtp)
{
	struct sl_sdp sdp;
	const struct sl_sdp_media *m;

	parse_ok(&sdp, freeswitch_srtp_sdp);
	m = &sdp.media[0];
	ck_assert(sl_sdp_media_is_srtp(m));
	ck_assert(m->has_rtcp);
	ck_assert_uint_eq(m->rtcp_port, 24581);
	ck_assert(m->rtcp_addr.present);
	ck_slice(m->rtcp_addr.address, "10.0.0.5");
	ck_assert_uint_eq(m->n_crypto, 2);
	ck_assert_uint_eq(m->crypto[0].tag, 1);
	ck_slice(m->crypto[0].suite, "AES_CM_128_HMAC_SHA1_80");
	ck_slice(m->crypto[0].key_params,
		 "inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz|2^20|1:4");
	ck_assert_uint_eq(m->crypto[0].session_params.len, 0);
	ck_assert_uint_eq(m->crypto[1].tag, 2);
	ck_slice(m->crypto[1].suite, "AES_CM_128_HMAC_SHA1_32");
	ck_slice(m->fmt[4].encoding, "CN");
}
END_TEST

START_TEST(parse_linphone_two_videos)
{
	struct sl_sdp sdp;
	struct sl_slice v;
	int i;

	parse_ok(&sdp, linphone_sdp);
	ck_assert_uint_eq(sdp.n_attr, 2);
	ck_assert_int_eq(sl_sdp_attr_find(&sdp, -1, "record", 0, &v), 1);
	ck_slice(v, "off");
	ck_assert_uint_eq(sdp.n_media, 3);
	ck_assert_uint_eq(sdp.media[0].n_fmt, 9);
	ck_slice(sdp.media[0].fmt[0].encoding, "opus");
	ck_assert_uint_eq(sdp.media[0].fmt[0].channels, 2);
	ck_slice(sdp.media[0].fmt[0].fmtp, "useinbandfec=1");
	/* pt 0 and 8 have no rtpmap: RFC 3551 applies */
	ck_assert(!sdp.media[0].fmt[3].has_rtpmap);
	ck_assert_uint_eq(sdp.media[0].n_attr, 2);
	ck_assert_int_eq(sdp.media[1].type, SL_SDP_MEDIA_VIDEO);
	ck_assert_int_eq(sdp.media[2].type, SL_SDP_MEDIA_VIDEO);
	ck_slice(sdp.media[1].content, "main");
	ck_slice(sdp.media[2].content, "slides");
	ck_assert_uint_eq(sdp.media[1].n_attr, 4);
	/* iterate the rtcp-fb lines of the first video */
	i = sl_sdp_attr_find(&sdp, 1, "RTCP-FB", 0, &v);
	ck_assert_int_eq(i, 0);
	ck_slice(v, "* trr-int 1000");
	i = sl_sdp_attr_find(&sdp, 1, "rtcp-fb", (size_t)i + 1, &v);
	ck_assert_int_eq(i, 1);
	ck_slice(v, "96 nack pli");
	ck_assert_int_eq(sl_sdp_attr_find(&sdp, 2, "rtcp-fb", 0, NULL),
			 SL_ENOTFOUND);
	ck_assert_int_eq(sl_sdp_media_dir(&sdp, 1), SL_SDP_DIR_SENDRECV);
	ck_assert_int_eq(sl_sdp_media_dir(&sdp, 2), SL_SDP_DIR_SENDONLY);
	ck_assert_int_eq(sl_sdp_media_dir(&sdp, 3), SL_SDP_DIR_INACTIVE);
	ck_assert_int_eq(sl_sdp_attr_find(&sdp, 3, "x", 0, NULL), SL_EINVAL);
}
END_TEST

START_TEST(parse_pjsip_media_level_c)
{
	struct sl_sdp sdp;
	const struct sl_sdp_conn *c;
	const struct sl_sdp_media *m;

	parse_ok(&sdp, pjsip_sdp);
	ck_assert(!sdp.conn.present);
	ck_assert_uint_eq(sdp.n_bw, 1);
	ck_slice(sdp.bw[0].type, "AS");
	ck_assert_uint_eq(sdp.bw[0].value, 84);
	m = &sdp.media[0];
	ck_assert_uint_eq(m->n_bw, 1);
	ck_slice(m->bw[0].type, "TIAS");
	ck_assert_uint_eq(m->bw[0].value, 64000);
	ck_assert_int_eq(sl_sdp_media_conn(&sdp, 0, &c), 0);
	ck_assert_ptr_eq(c, &m->conn);
	ck_slice(c->address, "192.168.1.50");
	ck_assert_uint_eq(m->n_attr, 2);
	ck_assert_int_eq(sl_sdp_attr_find(&sdp, 0, "ice-lite", 0, NULL), 1);
	ck_assert(!sdp.attr[m->attr_first + 1].has_value);
	ck_assert(sdp.attr[m->attr_first].has_value);
	ck_assert_int_eq(sl_sdp_media_conn(&sdp, 1, &c), SL_EINVAL);
}
END_TEST

START_TEST(parse_chrome)
{
	struct sl_sdp sdp;
	const struct sl_sdp_media *m;
	struct sl_slice v;

	parse_ok(&sdp, chrome_sdp);
	ck_slice(sdp.origin.sess_id, "4611731400430051336");
	ck_assert_uint_eq(sdp.n_attr, 3);
	ck_assert_int_eq(sl_sdp_attr_find(&sdp, -1, "msid-semantic", 0, &v),
			 2);
	ck_slice(v, " WMS stream1");
	ck_assert_uint_eq(sdp.n_media, 3);
	m = &sdp.media[0];
	ck_slice(m->proto, "UDP/TLS/RTP/SAVPF");
	ck_assert(sl_sdp_media_is_rtp(m));
	ck_assert(sl_sdp_media_is_srtp(m));
	ck_assert(m->rtcp_mux);
	ck_slice(m->mid, "0");
	ck_assert_uint_eq(m->n_fmt, 8);
	ck_slice(m->fmt[1].encoding, "red");
	ck_slice(m->fmt[1].fmtp, "111/111");
	ck_assert_int_eq(sl_sdp_attr_find(&sdp, 0, "fingerprint", 0, &v), 3);
	ck_assert_int_eq(v.p[8], 'D');
	m = &sdp.media[2];
	ck_assert_int_eq(m->type, SL_SDP_MEDIA_APPLICATION);
	ck_assert(!sl_sdp_media_is_rtp(m));
	ck_assert_uint_eq(m->n_fmt, 1);
	ck_assert_int_eq(m->fmt[0].pt, -1);
	ck_slice(m->fmt[0].id, "webrtc-datachannel");
	ck_slice(m->mid, "2");
}
END_TEST

START_TEST(parse_rfc4566_example)
{
	struct sl_sdp sdp;

	parse_ok(&sdp, rfc4566_sdp);
	ck_slice(sdp.name, "SDP Seminar");
	ck_slice(sdp.info, "A Seminar on the session description protocol");
	ck_slice(sdp.uri, "http://www.example.com/seminars/sdp.pdf");
	ck_assert_uint_eq(sdp.n_extra, 1);
	ck_assert_int_eq(sdp.extra[0].type, 'e');
	ck_slice(sdp.extra[0].value, "j.doe@example.com (Jane Doe)");
	ck_slice(sdp.conn.address, "224.2.17.12");
	ck_assert_uint_eq(sdp.conn.ttl, 127);
	ck_assert_uint_eq(sdp.conn.num, 0);
	ck_assert_uint_eq(sdp.t_start, 2873397496u);
	ck_assert_uint_eq(sdp.t_stop, 2873404696u);
	ck_assert_int_eq(sdp.dir, SL_SDP_DIR_RECVONLY);
	ck_assert_int_eq(sdp.media[0].dir, SL_SDP_DIR_NONE);
	ck_assert_int_eq(sl_sdp_media_dir(&sdp, 0), SL_SDP_DIR_RECVONLY);
	ck_slice(sdp.media[1].fmt[0].encoding, "h263-1998");
}
END_TEST

START_TEST(parse_rfc4568_crypto)
{
	struct sl_sdp sdp;
	const struct sl_sdp_media *m;

	parse_ok(&sdp, rfc4568_sdp);
	m = &sdp.media[0];
	ck_assert_uint_eq(m->n_crypto, 2);
	ck_slice(m->crypto[0].key_params,
		 "inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz|2^20|1:4;"
		 "inline:QUJjZGVmMTIzNDU2Nzg5QUJDREUwMTIzNDU2Nzg5|2^20|2:4");
	ck_slice(m->crypto[0].session_params, "FEC_ORDER=FEC_SRTP");
	ck_slice(m->crypto[1].suite, "F8_128_HMAC_SHA1_80");
}
END_TEST

START_TEST(parse_misc_lines)
{
	struct sl_sdp sdp;
	const struct sl_sdp_media *m;

	parse_ok(&sdp, misc_sdp);
	ck_slice(sdp.origin.addrtype, "IP6");
	ck_slice(sdp.origin.address, "2001:db8::1");
	ck_slice(sdp.conn.address, "ff15::101");
	ck_assert_uint_eq(sdp.conn.num, 3);
	ck_assert_uint_eq(sdp.conn.ttl, 0);
	ck_assert_uint_eq(sdp.t_start, 3034423619u);
	/* p= r= t= z= k= y= at session level, in order */
	ck_assert_uint_eq(sdp.n_extra, 6);
	ck_assert_int_eq(sdp.extra[0].type, 'p');
	ck_assert_int_eq(sdp.extra[1].type, 'r');
	ck_slice(sdp.extra[1].value, "7d 1h 0 25h");
	ck_assert_int_eq(sdp.extra[2].type, 't');
	ck_assert_int_eq(sdp.extra[5].type, 'y');
	m = &sdp.media[0];
	ck_assert_uint_eq(m->n_ports, 2);
	ck_assert_uint_eq(m->conn.ttl, 127);
	ck_assert_uint_eq(m->conn.num, 3);
	ck_slice(m->info, "main audio");
	ck_assert_uint_eq(m->n_extra, 1);
	ck_assert_int_eq(sdp.extra[m->extra_first].type, 'k');
	m = &sdp.media[1];
	ck_assert_int_eq(m->type, SL_SDP_MEDIA_IMAGE);
	ck_assert_uint_eq(m->port, 0);
	ck_assert(m->fmt[0].has_fmtp);
	ck_slice(m->fmt[0].fmtp, "foo");
	ck_assert_uint_eq(m->n_attr, 1);
}
END_TEST

START_TEST(parse_lf_and_missing_newline)
{
	static const char lf[] = "v=0\no=- 1 1 IN IP4 1.2.3.4\ns=-\n"
				 "c=IN IP4 1.2.3.4\nt=0 0\n"
				 "m=audio 5004 RTP/AVP 0\na=sendonly";
	static const char mixed[] = "v=0\r\no=- 1 1 IN IP4 1.2.3.4\ns=-\r\n"
				    "c=IN IP4 1.2.3.4\nt=0 0 \r\n"
				    "m=audio 5004 RTP/AVP 0 \r\n\r\n\r\n";
	struct sl_sdp a, b;

	parse_ok(&a, lf);
	ck_assert_int_eq(a.media[0].dir, SL_SDP_DIR_SENDONLY);
	parse_ok(&b, mixed);
	ck_assert_uint_eq(b.media[0].n_fmt, 1);
	ck_assert_uint_eq(b.media[0].port, 5004);
}
END_TEST

START_TEST(parse_rtpmap_elsewhere_kept)
{
	/* an rtpmap for a pt not in the m= line, an fmtp for a session:
	 * kept as they are, not lost and not an error */
	static const char t[] = "v=0\r\no=- 1 1 IN IP4 h\r\ns=-\r\n"
				"c=IN IP4 h\r\nt=0 0\r\na=fmtp:0 x\r\n"
				"m=audio 1 RTP/AVP 0\r\n"
				"a=rtpmap:98 L16/16000/2\r\n"
				"m=image 2 udptl t38\r\nc=IN X25 1:2:3\r\n"
				"a=fmtp:t39 x\r\n";
	struct sl_sdp sdp;
	struct sl_slice v;

	parse_ok(&sdp, t);
	ck_assert_uint_eq(sdp.n_attr, 1);
	ck_assert_int_eq(sl_sdp_attr_find(&sdp, 0, "rtpmap", 0, &v), 0);
	ck_slice(v, "98 L16/16000/2");
	ck_assert(!sdp.media[0].fmt[0].has_rtpmap);
	ck_assert_uint_eq(sdp.media[1].n_attr, 1);
	ck_assert(!sdp.media[1].fmt[0].has_fmtp);
	ck_slice(sdp.media[1].conn.address, "1:2:3");
}
END_TEST

/* A browser-sized video section: 30 payload types, 5 rtcp-fb each. */
static size_t big_video(char *buf, size_t cap, int n_pt, int n_fb,
			int n_media)
{
	size_t n = (size_t)snprintf(buf, cap,
				    "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\n"
				    "s=-\r\nc=IN IP4 0.0.0.0\r\nt=0 0\r\n");

	for (int k = 0; k < n_media; k++) {
		n += (size_t)snprintf(buf + n, cap - n, "m=video 9 RTP/AVPF");
		for (int i = 0; i < n_pt; i++)
			n += (size_t)snprintf(buf + n, cap - n, " %d", 96 + i);
		n += (size_t)snprintf(buf + n, cap - n, "\r\n");
		for (int i = 0; i < n_pt; i++) {
			n += (size_t)snprintf(buf + n, cap - n,
					      "a=rtpmap:%d VP8/90000\r\n",
					      96 + i);
			for (int j = 0; j < n_fb; j++)
				n += (size_t)snprintf(buf + n, cap - n,
						      "a=rtcp-fb:%d nack\r\n",
						      96 + i);
		}
	}
	return n;
}

START_TEST(parse_many_attributes)
{
	static char buf[65536];
	struct sl_sdp sdp;
	struct sl_sdp_error err;
	size_t n;

	n = big_video(buf, sizeof(buf), 30, 5, 1);
	ck_assert_int_eq(sl_sdp_parse(&sdp, buf, n, &err), 0);
	ck_assert_uint_eq(sdp.media[0].n_fmt, 30);
	ck_assert_uint_eq(sdp.media[0].n_attr, 150);
	/* 32 formats is the cap, 33 is SL_ELIMIT */
	n = big_video(buf, sizeof(buf), 32, 0, 1);
	ck_assert_int_eq(sl_sdp_parse(&sdp, buf, n, &err), 0);
	n = big_video(buf, sizeof(buf), 33, 0, 1);
	ck_assert_int_eq(sl_sdp_parse(&sdp, buf, n, &err), SL_ELIMIT);
	ck_assert_str_eq(err.reason, "too many formats");
	/* 256 kept attributes over the description, then SL_ELIMIT */
	n = big_video(buf, sizeof(buf), 32, 4, 2);
	ck_assert_int_eq(sl_sdp_parse(&sdp, buf, n, &err), 0);
	ck_assert_uint_eq(sdp.attr_used, 256);
	n = big_video(buf, sizeof(buf), 32, 4, 2);
	memcpy(buf + n, "a=x\r\n", 5);
	ck_assert_int_eq(sl_sdp_parse(&sdp, buf, n + 5, &err), SL_ELIMIT);
	ck_assert_str_eq(err.reason, "too many a= lines");
	/* 8 m= lines, then SL_ELIMIT */
	n = big_video(buf, sizeof(buf), 1, 0, 8);
	ck_assert_int_eq(sl_sdp_parse(&sdp, buf, n, &err), 0);
	n = big_video(buf, sizeof(buf), 1, 0, 9);
	ck_assert_int_eq(sl_sdp_parse(&sdp, buf, n, &err), SL_ELIMIT);
	ck_assert_str_eq(err.reason, "too many m= lines");
	ck_assert_uint_eq(err.line, 5 + 8 * 2 + 1);
}
END_TEST

START_TEST(parse_args_and_struct_size)
{
	struct sl_sdp sdp;

	ck_assert_int_eq(sl_sdp_parse(NULL, "v=0", 3, NULL), SL_EINVAL);
	ck_assert_int_eq(sl_sdp_parse(&sdp, NULL, 3, NULL), SL_EINVAL);
	ck_assert_int_eq(sl_sdp_parse(&sdp, NULL, 0, NULL), SL_EPARSE);
	/* the size sdp.h documents */
	if (sizeof(void *) == 8)
		ck_assert_uint_eq(sizeof(struct sl_sdp), 32304);
	ck_assert_uint_lt(sizeof(struct sl_sdp), 40000);
	ck_assert_str_eq(sl_sdp_dir_name(SL_SDP_DIR_INACTIVE), "inactive");
	ck_assert_str_eq(sl_sdp_dir_name(SL_SDP_DIR_NONE), "");
	ck_assert_str_eq(sl_sdp_media_type_name(SL_SDP_MEDIA_IMAGE), "image");
	ck_assert_str_eq(sl_sdp_media_type_name((enum sl_sdp_media_type)99),
			 "");
	ck_assert_int_eq(sl_sdp_media_dir(NULL, 0), SL_SDP_DIR_INACTIVE);
	/* a disabled stream needs no c= (and some SBCs list no format) */
	parse_ok(&sdp, "v=0\r\no=- 1 1 IN IP4 h\r\ns=-\r\nt=0 0\r\n"
		       "m=audio 0 RTP/AVP\r\n");
	ck_assert_uint_eq(sdp.media[0].n_fmt, 0);
	{
		const struct sl_sdp_conn *c;

		ck_assert_int_eq(sl_sdp_media_conn(&sdp, 0, &c),
				 SL_ENOTFOUND);
	}
	ck_assert(!sl_sdp_media_is_rtp(NULL));
	ck_assert_int_eq(sl_sdp_media_find_pt(NULL, 0), SL_ENOTFOUND);
}
END_TEST

/* ---- malformed input: each a defined error ---- */

#define HEAD "v=0\r\no=- 1 1 IN IP4 10.0.0.1\r\ns=-\r\nc=IN IP4 10.0.0.1\r\n" \
	     "t=0 0\r\n"
#define AUDIO "m=audio 4000 RTP/AVP 0 101\r\n"

static const struct {
	const char *text;
	int rc;
	const char *reason;
	unsigned line;
} bad[] = {
	{ "", SL_EPARSE, "missing v= line", 0 },
	{ "\r\n\r\n", SL_EPARSE, "missing v= line", 0 },
	{ "o=- 1 1 IN IP4 h\r\nv=0\r\n", SL_EPARSE,
	  "v= must be the first line", 1 },
	{ "v=1\r\n", SL_EPARSE, "bad v= line", 1 },
	{ "v=00\r\n", SL_EPARSE, "bad v= line", 1 },
	{ "v=0\r\ns=-\r\nt=0 0\r\n", SL_EPARSE, "missing o= line", 0 },
	{ "v=0\r\no=- 1 1 IN IP4 h\r\nt=0 0\r\n", SL_EPARSE,
	  "missing s= line", 0 },
	{ "v=0\r\no=- 1 1 IN IP4 h\r\ns=-\r\n", SL_EPARSE,
	  "missing t= line", 0 },
	{ "v=0\r\no=- 1 1 IN IP4 h\r\ns=-\r\nt=0 0\r\nm=audio 1 RTP/AVP 0\r\n",
	  SL_EPARSE, "missing c= line", 5 },
	{ HEAD "\r\n" AUDIO, SL_EPARSE, "empty line", 6 },
	{ HEAD "a\r\n", SL_EPARSE, "line without '='", 6 },
	{ HEAD "a =x\r\n", SL_EPARSE, "line without '='", 6 },
	{ HEAD "A=x\r\n", SL_EPARSE, "bad line type", 6 },
	{ HEAD "1=x\r\n", SL_EPARSE, "bad line type", 6 },
	{ HEAD " a=x\r\n", SL_EPARSE, "line without '='", 6 },
	{ HEAD "a=x\x01y\r\n", SL_EPARSE, "control character in line", 6 },
	{ HEAD "a=x\ry\r\n", SL_EPARSE, "control character in line", 6 },
	{ HEAD "v=0\r\n", SL_EPARSE, "duplicate v= line", 6 },
	{ HEAD "o=- 1 1 IN IP4 h\r\n", SL_EPARSE, "duplicate o= line", 6 },
	{ HEAD "s=x\r\n", SL_EPARSE, "duplicate s= line", 6 },
	{ HEAD "i=x\r\ni=y\r\n", SL_EPARSE, "duplicate i= line", 7 },
	{ HEAD "u=x\r\nu=y\r\n", SL_EPARSE, "duplicate u= line", 7 },
	{ HEAD "c=IN IP4 h\r\n", SL_EPARSE, "duplicate c= line", 6 },
	{ HEAD AUDIO "c=IN IP4 h\r\nc=IN IP4 h\r\n", SL_EPARSE,
	  "duplicate c= line", 8 },
	{ HEAD AUDIO "s=x\r\n", SL_EPARSE, "session line in media section", 7 },
	{ HEAD AUDIO "t=0 0\r\n", SL_EPARSE, "session line in media section",
	  7 },
	{ "v=0\r\no=- 1 IN IP4 h\r\n", SL_EPARSE, "bad o= line", 2 },
	{ "v=0\r\no=- x 1 IN IP4 h\r\n", SL_EPARSE, "bad o= line", 2 },
	{ "v=0\r\no=- 1 1 IN IP4 h extra\r\n", SL_EPARSE, "bad o= line", 2 },
	{ "v=0\r\no=- 1 1 IN IP4 ::1\r\n", SL_EPARSE, "bad o= line", 2 },
	{ "v=0\r\no=- 1 1 IN IP4 999.1.1.1\r\n", SL_EPARSE, "bad o= line", 2 },
	{ "v=0\r\nc=IN IP4\r\n", SL_EPARSE, "bad c= line", 2 },
	{ "v=0\r\nc=IN IP4 1.2.3.4/256\r\n", SL_EPARSE, "bad c= line", 2 },
	{ "v=0\r\nc=IN IP4 1.2.3.4/1/0\r\n", SL_EPARSE, "bad c= line", 2 },
	{ "v=0\r\nc=IN IP4 1.2.3.4/1/2/3\r\n", SL_EPARSE, "bad c= line", 2 },
	{ "v=0\r\nc=IN IP6 ::1/x\r\n", SL_EPARSE, "bad c= line", 2 },
	{ "v=0\r\nc=IN IP6 1.2.3.4:5\r\n", SL_EPARSE, "bad c= line", 2 },
	{ "v=0\r\nc=IN IP4 a b\r\n", SL_EPARSE, "bad c= line", 2 },
	{ "v=0\r\nb=AS\r\n", SL_EPARSE, "bad b= line", 2 },
	{ "v=0\r\nb=AS:x\r\n", SL_EPARSE, "bad b= line", 2 },
	{ "v=0\r\nb=AS:4294967296\r\n", SL_EPARSE, "bad b= line", 2 },
	{ "v=0\r\nb=AS:1\r\nb=AS:1\r\nb=AS:1\r\nb=AS:1\r\nb=AS:1\r\n",
	  SL_ELIMIT, "too many b= lines", 6 },
	{ "v=0\r\nt=0\r\n", SL_EPARSE, "bad t= line", 2 },
	{ "v=0\r\nt=x 0\r\n", SL_EPARSE, "bad t= line", 2 },
	{ "v=0\r\nt=0 0\r\nt=1\r\n", SL_EPARSE, "bad t= line", 3 },
	{ "v=0\r\nt=18446744073709551616 0\r\n", SL_EPARSE, "bad t= line", 2 },
	{ "v=0\r\nr=7d 1h 0 25h\r\n", SL_EPARSE, "r= line without t= line",
	  2 },
	{ HEAD "m=audio\r\n", SL_EPARSE, "bad m= line", 6 },
	{ HEAD "m=audio 65536 RTP/AVP 0\r\n", SL_EPARSE, "bad m= line", 6 },
	{ HEAD "m=audio 4000/0 RTP/AVP 0\r\n", SL_EPARSE, "bad m= line", 6 },
	{ HEAD "m=audio 4000 RTP/AVP\r\n", SL_EPARSE, "bad m= line", 6 },
	{ HEAD "m=audio 4000 RTP//AVP 0\r\n", SL_EPARSE, "bad m= line", 6 },
	{ HEAD "m=audio 4000 RTP/A@VP 0\r\n", SL_EPARSE, "bad m= line", 6 },
	{ "v=0\r\nc=IN IP4 /127\r\n", SL_EPARSE, "bad c= line", 2 },
	{ HEAD "m=audio 4000 /AVP 0\r\n", SL_EPARSE, "bad m= line", 6 },
	{ HEAD "m=audio x RTP/AVP 0\r\n", SL_EPARSE, "bad m= line", 6 },
	{ HEAD "m=audio 4000 RTP/AVP 0,8\r\n", SL_EPARSE, "bad m= line", 6 },
	{ HEAD "m=audio 4000 RTP/AVP 128\r\n", SL_EPARSE, "bad payload type",
	  6 },
	{ HEAD "m=audio 4000 RTP/AVP PCMU\r\n", SL_EPARSE, "bad payload type",
	  6 },
	{ HEAD "m=audio 4000 RTP/AVP 0 8 0\r\n", SL_EPARSE, "duplicate format",
	  6 },
	{ HEAD "m=image 4000 udptl t38 t38\r\n", SL_EPARSE, "duplicate format",
	  6 },
	{ HEAD "k=a\r\nk=a\r\nk=a\r\nk=a\r\nk=a\r\nk=a\r\nk=a\r\nk=a\r\n"
	  "k=a\r\nk=a\r\nk=a\r\nk=a\r\nk=a\r\nk=a\r\nk=a\r\nk=a\r\nk=a\r\n",
	  SL_ELIMIT, "too many kept lines", 22 },
	{ HEAD "a=sendrecv:x\r\n", SL_EPARSE, "bad direction attribute", 6 },
	{ HEAD "a=sendonly\r\na=recvonly\r\n", SL_EPARSE,
	  "conflicting direction attributes", 7 },
	{ HEAD AUDIO "a=inactive\r\na=sendrecv\r\n", SL_EPARSE,
	  "conflicting direction attributes", 8 },
	{ HEAD "a=\r\n", SL_EPARSE, "bad a= line", 6 },
	{ HEAD "a=foo bar\r\n", SL_EPARSE, "bad a= line", 6 },
	{ HEAD "a=:x\r\n", SL_EPARSE, "bad a= line", 6 },
	{ HEAD AUDIO "a=rtpmap\r\n", SL_EPARSE, "bad a=rtpmap", 7 },
	{ HEAD AUDIO "a=rtpmap:0\r\n", SL_EPARSE, "bad a=rtpmap", 7 },
	{ HEAD AUDIO "a=rtpmap:0 PCMU\r\n", SL_EPARSE, "bad a=rtpmap", 7 },
	{ HEAD AUDIO "a=rtpmap:0 PCMU/\r\n", SL_EPARSE, "bad a=rtpmap", 7 },
	{ HEAD AUDIO "a=rtpmap:0 PCMU/0\r\n", SL_EPARSE, "bad a=rtpmap", 7 },
	{ HEAD AUDIO "a=rtpmap:0 PCMU/8000/0\r\n", SL_EPARSE, "bad a=rtpmap",
	  7 },
	{ HEAD AUDIO "a=rtpmap:0 PCMU/8000 x\r\n", SL_EPARSE, "bad a=rtpmap",
	  7 },
	{ HEAD AUDIO "a=rtpmap:1000 PCMU/8000\r\n", SL_EPARSE, "bad a=rtpmap",
	  7 },
	{ HEAD AUDIO "a=rtpmap:128 PCMU/8000\r\n", SL_EPARSE,
	  "rtpmap for pt > 127", 7 },
	{ HEAD AUDIO "a=rtpmap:0 PCMU/8000\r\na=rtpmap:0 PCMA/8000\r\n",
	  SL_EPARSE, "duplicate a=rtpmap", 8 },
	{ HEAD AUDIO "a=fmtp\r\n", SL_EPARSE, "bad a=fmtp", 7 },
	{ HEAD AUDIO "a=fmtp:x y\r\n", SL_EPARSE, "bad a=fmtp", 7 },
	{ HEAD AUDIO "a=fmtp:101:0-16\r\n", SL_EPARSE, "bad a=fmtp", 7 },
	{ HEAD AUDIO "a=fmtp:101 0-16\r\na=fmtp:101 0-15\r\n", SL_EPARSE,
	  "duplicate a=fmtp", 8 },
	{ HEAD AUDIO "a=ptime\r\n", SL_EPARSE, "bad a=ptime", 7 },
	{ HEAD AUDIO "a=ptime:0\r\n", SL_EPARSE, "bad a=ptime", 7 },
	{ HEAD AUDIO "a=ptime:20.5\r\n", SL_EPARSE, "bad a=ptime", 7 },
	{ HEAD AUDIO "a=ptime:20\r\na=ptime:30\r\n", SL_EPARSE,
	  "duplicate attribute", 8 },
	{ HEAD AUDIO "a=maxptime:x\r\n", SL_EPARSE, "bad a=maxptime", 7 },
	{ HEAD AUDIO "a=rtcp\r\n", SL_EPARSE, "bad a=rtcp", 7 },
	{ HEAD AUDIO "a=rtcp:70000\r\n", SL_EPARSE, "bad a=rtcp", 7 },
	{ HEAD AUDIO "a=rtcp:5000 IN IP4\r\n", SL_EPARSE, "bad a=rtcp", 7 },
	{ HEAD AUDIO "a=rtcp:5000IN IP4 h\r\n", SL_EPARSE, "bad a=rtcp", 7 },
	{ HEAD AUDIO "a=rtcp:5000 IN IP4 224.1.1.1/3\r\n", SL_EPARSE,
	  "bad a=rtcp", 7 },
	{ HEAD AUDIO "a=rtcp:5001\r\na=rtcp:5001\r\n", SL_EPARSE,
	  "duplicate attribute", 8 },
	{ HEAD AUDIO "a=rtcp-mux:1\r\n", SL_EPARSE, "bad a=rtcp-mux", 7 },
	{ HEAD AUDIO "a=crypto:1 AES_CM_128_HMAC_SHA1_80\r\n", SL_EPARSE,
	  "bad a=crypto", 7 },
	{ HEAD AUDIO "a=crypto:x AES_CM_128_HMAC_SHA1_80 inline:k\r\n",
	  SL_EPARSE, "bad a=crypto", 7 },
	{ HEAD AUDIO "a=crypto:1 AES_CM_128_HMAC_SHA1_80 key\r\n", SL_EPARSE,
	  "bad a=crypto", 7 },
	{ HEAD AUDIO "a=crypto:1000000000 AES_CM_128_HMAC_SHA1_80 "
	  "inline:k\r\n", SL_EPARSE, "bad a=crypto", 7 },
	{ HEAD AUDIO "a=crypto:1 A inline:k\r\na=crypto:2 A inline:k\r\n"
	  "a=crypto:3 A inline:k\r\na=crypto:4 A inline:k\r\n"
	  "a=crypto:5 A inline:k\r\n", SL_ELIMIT, "too many a=crypto lines",
	  11 },
	{ HEAD AUDIO "a=mid\r\n", SL_EPARSE, "bad a=mid", 7 },
	{ HEAD AUDIO "a=mid:\r\n", SL_EPARSE, "bad a=mid", 7 },
	{ HEAD AUDIO "a=mid:a b\r\n", SL_EPARSE, "bad a=mid", 7 },
	{ HEAD AUDIO "a=mid:a\r\na=mid:b\r\n", SL_EPARSE,
	  "duplicate attribute", 8 },
	{ HEAD AUDIO "a=content:\r\n", SL_EPARSE, "bad a=content", 7 },
	{ HEAD AUDIO "a=content:sl ides\r\n", SL_EPARSE, "bad a=content", 7 },
};
static const int n_bad = (int)(sizeof(bad) / sizeof(bad[0]));

START_TEST(malformed_vector)
{
	struct sl_sdp sdp;
	struct sl_sdp_error err = { 99, 99, NULL };
	const char *t = bad[_i].text;
	size_t len = strlen(t);
	int rc;

	rc = sl_sdp_parse(&sdp, t, len, &err);
	ck_assert_msg(rc == bad[_i].rc, "#%d: rc %s, want %s (%s)", _i,
		      sl_err_name(rc), sl_err_name(bad[_i].rc),
		      err.reason ? err.reason : "-");
	ck_assert_ptr_nonnull(err.reason);
	ck_assert_msg(strcmp(err.reason, bad[_i].reason) == 0,
		      "#%d: reason '%s', want '%s'", _i, err.reason,
		      bad[_i].reason);
	ck_assert_msg(err.line == bad[_i].line, "#%d: line %u, want %u", _i,
		      err.line, bad[_i].line);
	ck_assert_uint_le(err.offset, len);
	/* the error works without a report too */
	ck_assert_int_eq(sl_sdp_parse(&sdp, t, len, NULL), bad[_i].rc);
}
END_TEST

START_TEST(error_offset_points_at_line)
{
	static const char t[] = HEAD AUDIO "a=ptime:x\r\n";
	struct sl_sdp sdp;
	struct sl_sdp_error err;

	ck_assert_int_eq(sl_sdp_parse(&sdp, t, strlen(t), &err), SL_EPARSE);
	ck_assert_uint_eq(err.offset, strlen(HEAD AUDIO));
	ck_assert_uint_eq(err.line, 7);
	/* a NUL byte inside a line */
	ck_assert_int_eq(sl_sdp_parse(&sdp, HEAD "a=x\0y\r\n",
				      strlen(HEAD) + 7, &err), SL_EPARSE);
	ck_assert_str_eq(err.reason, "control character in line");
	/* truncating the text in the middle of a line is a defined error */
	ck_assert_int_eq(sl_sdp_parse(&sdp, t, strlen(HEAD) + 7, &err),
			 SL_EPARSE);
	ck_assert_str_eq(err.reason, "bad m= line");
}
END_TEST

/* ---- writing ---- */

START_TEST(round_trip_vector)
{
	static char out1[16384], out2[16384];
	struct sl_sdp a, b;
	int n1, n2;

	parse_ok(&a, good[_i].text);
	n1 = sl_sdp_write(&a, out1, sizeof(out1));
	ck_assert_msg(n1 > 0, "%s: write %s", good[_i].name, sl_err_name(n1));
	ck_assert_uint_eq(strlen(out1), (size_t)n1);
	parse_ok(&b, out1);
	ck_assert_msg(sl_sdp_equal(&a, &b), "%s: fields differ after round "
		      "trip:\n%s", good[_i].name, out1);
	n2 = sl_sdp_write(&b, out2, sizeof(out2));
	ck_assert_int_eq(n1, n2);
	ck_assert_str_eq(out1, out2);
	/* every line ends with CRLF */
	for (int i = 0; i < n1; i++)
		if (out1[i] == '\n')
			ck_assert_int_eq(out1[i - 1], '\r');
	/* too small a buffer at every size is SL_ENOSPC, never an overrun */
	for (int cap = 0; cap <= n1; cap++)
		ck_assert_int_eq(sl_sdp_write(&a, out2, (size_t)cap),
				 SL_ENOSPC);
	ck_assert_int_eq(sl_sdp_write(&a, out2, (size_t)n1 + 1), n1);
}
END_TEST

START_TEST(written_text_is_canonical)
{
	/* LF-only, b= before c=, out-of-order attributes: written in RFC
	 * order with CRLF */
	static const char in[] = "v=0\no=- 1 1 IN IP4 1.2.3.4\ns=-\n"
				 "t=0 0\nm=audio 5004 RTP/AVP 0 101\n"
				 "a=fmtp:101 0-15\na=sendrecv\n"
				 "b=AS:64\nc=IN IP4 1.2.3.4\n"
				 "a=rtpmap:101 telephone-event/8000\n"
				 "a=x-foo\na=mid:a1\na=ptime:020";
	static const char want[] =
		"v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\ns=-\r\nt=0 0\r\n"
		"m=audio 5004 RTP/AVP 0 101\r\n"
		"c=IN IP4 1.2.3.4\r\nb=AS:64\r\n"
		"a=mid:a1\r\n"
		"a=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-15\r\n"
		"a=ptime:20\r\na=sendrecv\r\na=x-foo\r\n";
	char out[512];
	struct sl_sdp sdp;

	parse_ok(&sdp, in);
	ck_assert_int_eq(sl_sdp_write(&sdp, out, sizeof(out)),
			 (int)strlen(want));
	ck_assert_str_eq(out, want);
}
END_TEST

START_TEST(write_refuses_bad_fields)
{
	struct sl_sdp sdp;
	char out[2048];

	parse_ok(&sdp, asterisk_sdp);
	ck_assert_int_eq(sl_sdp_write(NULL, out, sizeof(out)), SL_EINVAL);
	ck_assert_int_eq(sl_sdp_write(&sdp, NULL, sizeof(out)), SL_EINVAL);
	/* a CRLF in a text field would inject a line */
	sdp.name = (struct sl_slice){ "x\r\na=evil", 9 };
	ck_assert_int_eq(sl_sdp_write(&sdp, out, sizeof(out)), SL_EINVAL);
	parse_ok(&sdp, asterisk_sdp);
	sdp.origin.username = (struct sl_slice){ "a b", 3 };
	ck_assert_int_eq(sl_sdp_write(&sdp, out, sizeof(out)), SL_EINVAL);
	parse_ok(&sdp, asterisk_sdp);
	sdp.origin.address.len = 0;
	ck_assert_int_eq(sl_sdp_write(&sdp, out, sizeof(out)), SL_EINVAL);
	parse_ok(&sdp, asterisk_sdp);
	sdp.media[0].fmt[0].pt = 200;
	ck_assert_int_eq(sl_sdp_write(&sdp, out, sizeof(out)), SL_EINVAL);
	parse_ok(&sdp, asterisk_sdp);
	sdp.media[0].fmt[0].encoding = (struct sl_slice){ "PC/MU", 5 };
	ck_assert_int_eq(sl_sdp_write(&sdp, out, sizeof(out)), SL_EINVAL);
	parse_ok(&sdp, asterisk_sdp);
	sdp.media[0].n_attr = 3; /* past the pool */
	ck_assert_int_eq(sl_sdp_write(&sdp, out, sizeof(out)), SL_EINVAL);
	parse_ok(&sdp, asterisk_sdp);
	sdp.n_media = SL_SDP_MAX_MEDIA + 1;
	ck_assert_int_eq(sl_sdp_write(&sdp, out, sizeof(out)), SL_EINVAL);
	parse_ok(&sdp, asterisk_sdp);
	sdp.media[0].dir = (enum sl_sdp_dir)9;
	ck_assert_int_eq(sl_sdp_write(&sdp, out, sizeof(out)), SL_EINVAL);
	parse_ok(&sdp, asterisk_sdp);
	sdp.conn.addrtype = (struct sl_slice){ "X25", 3 };
	sdp.conn.ttl = 3;
	ck_assert_int_eq(sl_sdp_write(&sdp, out, sizeof(out)), SL_EINVAL);
	parse_ok(&sdp, asterisk_sdp);
	sdp.conn.ttl = 300;
	ck_assert_int_eq(sl_sdp_write(&sdp, out, sizeof(out)), SL_EINVAL);
	parse_ok(&sdp, asterisk_sdp);
	sdp.origin.sess_id = (struct sl_slice){ "12a", 3 };
	ck_assert_int_eq(sl_sdp_write(&sdp, out, sizeof(out)), SL_EINVAL);
	parse_ok(&sdp, asterisk_sdp);
	sdp.media[0].n_fmt = 0;
	ck_assert_int_eq(sl_sdp_write(&sdp, out, sizeof(out)), SL_EINVAL);
	parse_ok(&sdp, misc_sdp);
	sdp.conn.ttl = 1; /* IP6 has no TTL */
	ck_assert_int_eq(sl_sdp_write(&sdp, out, sizeof(out)), SL_EINVAL);
	parse_ok(&sdp, misc_sdp);
	sdp.media[1].fmt[0].has_rtpmap = 1; /* no rtpmap on udptl */
	sdp.media[1].fmt[0].clock_rate = 8000;
	ck_assert_int_eq(sl_sdp_write(&sdp, out, sizeof(out)), SL_EINVAL);
	parse_ok(&sdp, misc_sdp);
	sdp.media[1].fmt[0].id.len = 0;
	ck_assert_int_eq(sl_sdp_write(&sdp, out, sizeof(out)), SL_EINVAL);
	parse_ok(&sdp, misc_sdp);
	sdp.n_bw = SL_SDP_MAX_BW + 1;
	ck_assert_int_eq(sl_sdp_write(&sdp, out, sizeof(out)), SL_EINVAL);
	parse_ok(&sdp, misc_sdp);
	sdp.info = (struct sl_slice){ NULL, 3 };
	ck_assert_int_eq(sl_sdp_write(&sdp, out, sizeof(out)), SL_EINVAL);
	parse_ok(&sdp, freeswitch_srtp_sdp);
	sdp.media[0].crypto[1].tag = 1000000000;
	ck_assert_int_eq(sl_sdp_write(&sdp, out, sizeof(out)), SL_EINVAL);
	parse_ok(&sdp, freeswitch_srtp_sdp);
	sdp.media[0].rtcp_addr.num = 2;
	ck_assert_int_eq(sl_sdp_write(&sdp, out, sizeof(out)), SL_EINVAL);
	/* kept lines that would read back as something else */
	parse_ok(&sdp, misc_sdp);
	ck_assert_int_gt(sl_sdp_write(&sdp, out, sizeof(out)), 0);
	sdp.extra[0].type = 'a';
	ck_assert_int_eq(sl_sdp_write(&sdp, out, sizeof(out)), SL_EINVAL);
	parse_ok(&sdp, misc_sdp);
	sdp.extra[sdp.media[0].extra_first].type = 'r';
	ck_assert_int_eq(sl_sdp_write(&sdp, out, sizeof(out)), SL_EINVAL);
	parse_ok(&sdp, misc_sdp);
	sdp.attr[sdp.media[1].attr_first].has_value = 0;
	ck_assert_int_eq(sl_sdp_write(&sdp, out, sizeof(out)), SL_EINVAL);
	/* an empty description has no origin to write */
	sl_sdp_init(&sdp);
	ck_assert_int_eq(sl_sdp_write(&sdp, out, sizeof(out)), SL_EINVAL);
}
END_TEST

/* Each mutation of a parsed description makes it differ. */
static void mutate(struct sl_sdp *s, int k)
{
	struct sl_sdp_media *m = &s->media[0];

	switch (k) {
	case 0: s->origin.username.len--; break;
	case 1: s->origin.sess_version.len--; break;
	case 2: s->name.len--; break;
	case 3: s->conn.num++; break;
	case 4: s->bw[0].value++; break;
	case 5: s->t_stop++; break;
	case 6: s->dir = SL_SDP_DIR_INACTIVE; break;
	case 7: s->extra[0].value.len--; break;
	case 8: s->extra[1].type = 'x'; break;
	case 9: s->n_media--; break;
	case 10: m->port++; break;
	case 11: m->n_ports++; break;
	case 12: m->conn.ttl++; break;
	case 13: m->info.len--; break;
	case 14: m->fmt[0].pt = 8; break;
	case 15: m->fmt[0].has_rtpmap = 1; m->fmt[0].clock_rate = 1; break;
	case 16: m->ptime = 30; break;
	case 17: m->rtcp_mux = 1; break;
	case 18: m->has_rtcp = 1; break;
	case 19: s->extra[m->extra_first].value.len--; break;
	case 20: s->media[1].fmt[0].id.len--; break;
	case 21: s->attr[s->media[1].attr_first].has_value = 0; break;
	case 22: s->attr[s->media[1].attr_first].value.len--; break;
	case 23: s->media[1].fmt[0].fmtp.len--; break;
	case 24: s->media[1].n_attr = 0; break;
	case 25: m->mid = (struct sl_slice){ "x", 1 }; break;
	default: m->content = (struct sl_slice){ "x", 1 }; break;
	}
}

START_TEST(equal_sees_each_field)
{
	struct sl_sdp a, b;

	parse_ok(&a, misc_sdp);
	for (int k = 0; k <= 26; k++) {
		parse_ok(&b, misc_sdp);
		ck_assert(sl_sdp_equal(&a, &b));
		mutate(&b, k);
		ck_assert_msg(!sl_sdp_equal(&a, &b), "mutation %d unseen", k);
		ck_assert_msg(!sl_sdp_equal(&b, &a), "mutation %d unseen", k);
	}
	/* crypto and rtcp details */
	parse_ok(&a, freeswitch_srtp_sdp);
	parse_ok(&b, freeswitch_srtp_sdp);
	b.media[0].crypto[1].key_params.len--;
	ck_assert(!sl_sdp_equal(&a, &b));
	parse_ok(&b, freeswitch_srtp_sdp);
	b.media[0].rtcp_port++;
	ck_assert(!sl_sdp_equal(&a, &b));
	parse_ok(&b, freeswitch_srtp_sdp);
	b.media[0].rtcp_addr.present = 0;
	ck_assert(!sl_sdp_equal(&a, &b));
	parse_ok(&b, freeswitch_srtp_sdp);
	b.media[0].n_crypto = 1;
	ck_assert(!sl_sdp_equal(&a, &b));
}
END_TEST

START_TEST(equal_compares_fields)
{
	struct sl_sdp a, b;
	char copy[sizeof(asterisk_sdp)];

	/* same fields, different buffers */
	memcpy(copy, asterisk_sdp, sizeof(copy));
	parse_ok(&a, asterisk_sdp);
	parse_ok(&b, copy);
	ck_assert(sl_sdp_equal(&a, &b));
	b.media[0].fmt[2].clock_rate = 16000;
	ck_assert(!sl_sdp_equal(&a, &b));
	parse_ok(&b, copy);
	copy[strlen(copy) - 4] = 'X'; /* "sendrecX"... an attribute now */
	parse_ok(&b, copy);
	ck_assert(!sl_sdp_equal(&a, &b));
	ck_assert(!sl_sdp_equal(&a, NULL));
	parse_ok(&b, linphone_sdp);
	ck_assert(!sl_sdp_equal(&a, &b));
}
END_TEST

/* ---- building ---- */

static const struct sl_sdp_codec audio_codecs[] = {
	{ "opus", 48000, 2, 96, "useinbandfec=1" },
	{ "G722", 8000, 1, 9, NULL },
	{ "PCMA", 8000, 1, 8, NULL },
	{ "PCMU", 8000, 1, 0, NULL },
	{ "telephone-event", 8000, 1, 101, "0-16" },
	{ "telephone-event", 48000, 1, 102, "0-16" },
};

static const struct sl_sdp_codec video_codecs[] = {
	{ "H264", 90000, 0, 97,
	  "profile-level-id=42e01f;packetization-mode=1" },
	{ "VP8", 90000, 0, 98, NULL },
};

static const struct sl_sdp_crypto our_keys[] = {
	{ 1, { "AES_CM_128_HMAC_SHA1_80", 23 },
	  { "inline:d0RmdmcmVCspeEc3QGZiNWpVLFJhQX1cfHAwJSoj", 47 },
	  { NULL, 0 } },
	{ 2, { "AES_CM_128_HMAC_SHA1_32", 23 },
	  { "inline:NzB4d1BINUAvLEw6UzF3WSJ+PSdFcGdUJShpX1Zj", 47 },
	  { NULL, 0 } },
};

static const struct sl_sdp_session_cfg our_session = {
	"phone", "42", "1", "sipline", "192.0.2.10"
};

static void audio_cfg(struct sl_sdp_media_cfg *c)
{
	memset(c, 0, sizeof(*c));
	c->type = SL_SDP_MEDIA_AUDIO;
	c->port = 40000;
	c->codecs = audio_codecs;
	c->n_codecs = 6;
	c->ptime = 20;
}

static void video_cfg(struct sl_sdp_media_cfg *c, uint16_t port,
		      const char *content)
{
	memset(c, 0, sizeof(*c));
	c->type = SL_SDP_MEDIA_VIDEO;
	c->port = port;
	c->codecs = video_codecs;
	c->n_codecs = 2;
	c->content = content;
}

START_TEST(build_offer_text)
{
	static const char want[] =
		"v=0\r\n"
		"o=phone 42 1 IN IP4 192.0.2.10\r\n"
		"s=sipline\r\n"
		"c=IN IP4 192.0.2.10\r\n"
		"t=0 0\r\n"
		"m=audio 40000 RTP/SAVP 96 9 8 0 101 102\r\n"
		"a=mid:a\r\n"
		"a=rtpmap:96 opus/48000/2\r\n"
		"a=fmtp:96 useinbandfec=1\r\n"
		"a=rtpmap:9 G722/8000\r\n"
		"a=rtpmap:8 PCMA/8000\r\n"
		"a=rtpmap:0 PCMU/8000\r\n"
		"a=rtpmap:101 telephone-event/8000\r\n"
		"a=fmtp:101 0-16\r\n"
		"a=rtpmap:102 telephone-event/48000\r\n"
		"a=fmtp:102 0-16\r\n"
		"a=ptime:20\r\n"
		"a=sendrecv\r\n"
		"a=rtcp:40001\r\n"
		"a=rtcp-mux\r\n"
		"a=crypto:1 AES_CM_128_HMAC_SHA1_80 "
		"inline:d0RmdmcmVCspeEc3QGZiNWpVLFJhQX1cfHAwJSoj\r\n"
		"a=crypto:2 AES_CM_128_HMAC_SHA1_32 "
		"inline:NzB4d1BINUAvLEw6UzF3WSJ+PSdFcGdUJShpX1Zj\r\n"
		"m=video 40010 RTP/AVP 97 98\r\n"
		"a=rtpmap:97 H264/90000\r\n"
		"a=fmtp:97 profile-level-id=42e01f;packetization-mode=1\r\n"
		"a=rtpmap:98 VP8/90000\r\n"
		"a=sendrecv\r\n"
		"m=video 40020 RTP/AVP 97 98\r\n"
		"a=rtpmap:97 H264/90000\r\n"
		"a=fmtp:97 profile-level-id=42e01f;packetization-mode=1\r\n"
		"a=rtpmap:98 VP8/90000\r\n"
		"a=sendonly\r\n"
		"a=content:slides\r\n";
	struct sl_sdp_media_cfg m[3];
	struct sl_sdp sdp, back;
	char out[2048];

	audio_cfg(&m[0]);
	m[0].rtcp_port = 40001;
	m[0].rtcp_mux = 1;
	m[0].srtp = SL_SDP_SRTP_MANDATORY;
	m[0].crypto = our_keys;
	m[0].n_crypto = 2;
	m[0].mid = "a";
	video_cfg(&m[1], 40010, NULL);
	video_cfg(&m[2], 40020, "slides");
	m[2].dir = SL_SDP_DIR_SENDONLY;
	ck_assert_int_eq(sl_sdp_build_offer(&sdp, &our_session, m, 3), 0);
	ck_assert_int_eq(sl_sdp_write(&sdp, out, sizeof(out)),
			 (int)strlen(want));
	ck_assert_str_eq(out, want);
	parse_ok(&back, out);
	ck_assert(sl_sdp_equal(&sdp, &back));
}
END_TEST

START_TEST(build_offer_defaults_and_errors)
{
	struct sl_sdp_session_cfg s = { NULL, NULL, NULL, NULL, "2001:db8::5" };
	struct sl_sdp_media_cfg m[SL_SDP_MAX_MEDIA + 1];
	static const struct sl_sdp_codec dup[] = {
		{ "PCMU", 8000, 1, 0, NULL }, { "PCMA", 8000, 1, 0, NULL }
	};
	struct sl_sdp sdp;
	char out[4096];

	audio_cfg(&m[0]);
	m[0].srtp = SL_SDP_SRTP_OPTIONAL;
	m[0].crypto = our_keys;
	m[0].n_crypto = 1;
	ck_assert_int_eq(sl_sdp_build_offer(&sdp, &s, m, 1), 0);
	ck_slice(sdp.origin.username, "-");
	ck_slice(sdp.origin.sess_id, "0");
	ck_slice(sdp.origin.addrtype, "IP6");
	ck_slice(sdp.conn.addrtype, "IP6");
	ck_slice(sdp.name, "-");
	/* optional SRTP: RTP/AVP with a=crypto (best-effort SRTP) */
	ck_slice(sdp.media[0].proto, "RTP/AVP");
	ck_assert_uint_eq(sdp.media[0].n_crypto, 1);
	ck_assert_int_gt(sl_sdp_write(&sdp, out, sizeof(out)), 0);
	ck_assert_ptr_nonnull(strstr(out, "c=IN IP6 2001:db8::5\r\n"));

	ck_assert_int_eq(sl_sdp_build_offer(&sdp, NULL, m, 1), SL_EINVAL);
	s.address = "";
	ck_assert_int_eq(sl_sdp_build_offer(&sdp, &s, m, 1), SL_EINVAL);
	s.address = "192.0.2.1";
	m[0].codecs = dup;
	m[0].n_codecs = 2;
	ck_assert_int_eq(sl_sdp_build_offer(&sdp, &s, m, 1), SL_EINVAL);
	m[0].n_codecs = 0;
	ck_assert_int_eq(sl_sdp_build_offer(&sdp, &s, m, 1), SL_EINVAL);
	audio_cfg(&m[0]);
	m[0].type = SL_SDP_MEDIA_OTHER;
	ck_assert_int_eq(sl_sdp_build_offer(&sdp, &s, m, 1), SL_EINVAL);
	for (int i = 0; i <= SL_SDP_MAX_MEDIA; i++)
		audio_cfg(&m[i]);
	ck_assert_int_eq(sl_sdp_build_offer(&sdp, &s, m, SL_SDP_MAX_MEDIA), 0);
	ck_assert_int_eq(sl_sdp_build_offer(&sdp, &s, m, SL_SDP_MAX_MEDIA + 1),
			 SL_ELIMIT);
	ck_assert_int_eq(sl_sdp_build_offer(&sdp, &s, NULL, 1), SL_EINVAL);
}
END_TEST


START_TEST(add_functions)
{
	struct sl_sdp sdp;
	struct sl_sdp_codec c = { "PCMU", 8000, 1, 0, NULL };
	struct sl_sdp_crypto k = our_keys[0];
	struct sl_sdp back;
	struct sl_slice v;
	char out[8192];
	int rc;

	ck_assert_int_eq(sl_sdp_build_offer(&sdp, &our_session, NULL, 0), 0);
	ck_assert_int_eq(sl_sdp_add_media(&sdp, "audio", 4000, "RTP/AVP"), 0);
	ck_assert_int_eq(sl_sdp_add_media(&sdp, "video", 4002, "RTP/AVP"), 1);
	ck_assert_int_eq(sdp.media[1].type, SL_SDP_MEDIA_VIDEO);
	ck_assert_int_eq(sl_sdp_add_media(&sdp, NULL, 1, "RTP/AVP"),
			 SL_EINVAL);
	ck_assert_int_eq(sl_sdp_add_codec(&sdp, 0, &c), 0);
	ck_assert_int_eq(sl_sdp_add_codec(&sdp, 0, &c), SL_EEXIST);
	ck_assert_int_eq(sl_sdp_add_codec(&sdp, 2, &c), SL_EINVAL);
	c.pt = 200;
	ck_assert_int_eq(sl_sdp_add_codec(&sdp, 0, &c), SL_EINVAL);
	c.pt = 5;
	c.clock_rate = 0;
	ck_assert_int_eq(sl_sdp_add_codec(&sdp, 0, &c), SL_EINVAL);
	c.clock_rate = 8000;
	c.name = NULL;
	ck_assert_int_eq(sl_sdp_add_codec(&sdp, 0, &c), SL_EINVAL);
	ck_assert_int_eq(sl_sdp_add_codec(&sdp, 1, &video_codecs[1]), 0);

	/* attributes land at the end of their own section */
	ck_assert_int_eq(sl_sdp_add_attr(&sdp, 1, "a1", "1"), 0);
	ck_assert_int_eq(sl_sdp_add_attr(&sdp, 0, "a0", "0"), 0);
	ck_assert_int_eq(sl_sdp_add_attr(&sdp, -1, "ice-lite", NULL), 0);
	ck_assert_int_eq(sl_sdp_add_attr(&sdp, 1, "a2", "2"), 0);
	ck_assert_int_eq(sl_sdp_add_attr(&sdp, 2, "x", "2"), SL_EINVAL);
	ck_assert_int_eq(sl_sdp_add_attr(&sdp, 0, "", "2"), SL_EINVAL);
	ck_assert_uint_eq(sdp.n_attr, 1);
	ck_assert_uint_eq(sdp.media[0].attr_first, 1);
	ck_assert_uint_eq(sdp.media[1].attr_first, 2);
	ck_assert_int_eq(sl_sdp_attr_find(&sdp, -1, "ice-lite", 0, NULL), 0);
	ck_assert_int_eq(sl_sdp_attr_find(&sdp, 0, "a0", 0, &v), 0);
	ck_slice(v, "0");
	ck_assert_int_eq(sl_sdp_attr_find(&sdp, 1, "a2", 0, &v), 1);
	ck_slice(v, "2");

	ck_assert_int_eq(sl_sdp_add_crypto(&sdp, 0, &k), 0);
	k.tag = 0;
	ck_assert_int_eq(sl_sdp_add_crypto(&sdp, 0, &k), SL_EINVAL);
	k.tag = 7;
	ck_assert_int_eq(sl_sdp_add_crypto(&sdp, 9, &k), SL_EINVAL);
	for (int i = 1; i < SL_SDP_MAX_CRYPTO; i++)
		ck_assert_int_eq(sl_sdp_add_crypto(&sdp, 0, &k), 0);
	ck_assert_int_eq(sl_sdp_add_crypto(&sdp, 0, &k), SL_ELIMIT);

	ck_assert_int_gt(sl_sdp_write(&sdp, out, sizeof(out)), 0);
	parse_ok(&back, out);
	ck_assert(sl_sdp_equal(&sdp, &back));

	/* capacities */
	while ((rc = sl_sdp_add_attr(&sdp, 0, "fill", "x")) == 0)
		;
	ck_assert_int_eq(rc, SL_ELIMIT);
	ck_assert_uint_eq(sdp.attr_used, SL_SDP_MAX_ATTR);
	while ((rc = sl_sdp_add_media(&sdp, "audio", 1, "RTP/AVP")) >= 0)
		;
	ck_assert_int_eq(rc, SL_ELIMIT);
	c.name = "X";
	for (c.pt = 0; c.pt < SL_SDP_MAX_FMT; c.pt++)
		ck_assert_int_ge(sl_sdp_add_codec(&sdp, 7, &c), 0);
	ck_assert_int_eq(sl_sdp_add_codec(&sdp, 7, &c), SL_ELIMIT);
}
END_TEST

START_TEST(hold_and_resume)
{
	static const char holding_us[] =
		HEAD "m=audio 4000 RTP/AVP 0\r\na=sendonly\r\n"
		"m=video 0 RTP/AVP 97\r\n";
	struct sl_sdp_media_cfg m[2];
	struct sl_sdp local, remote;

	ck_assert_int_eq(sl_sdp_hold_dir(SL_SDP_DIR_NONE), SL_SDP_DIR_SENDONLY);
	ck_assert_int_eq(sl_sdp_hold_dir(SL_SDP_DIR_SENDRECV),
			 SL_SDP_DIR_SENDONLY);
	ck_assert_int_eq(sl_sdp_hold_dir(SL_SDP_DIR_RECVONLY),
			 SL_SDP_DIR_SENDONLY);
	ck_assert_int_eq(sl_sdp_hold_dir(SL_SDP_DIR_SENDONLY),
			 SL_SDP_DIR_INACTIVE);
	ck_assert_int_eq(sl_sdp_hold_dir(SL_SDP_DIR_INACTIVE),
			 SL_SDP_DIR_INACTIVE);

	audio_cfg(&m[0]);
	video_cfg(&m[1], 0, NULL); /* a disabled stream keeps its line */
	ck_assert_int_eq(sl_sdp_build_offer(&local, &our_session, m, 2), 0);
	ck_assert_int_eq(sl_sdp_hold(&local, NULL), 0);
	ck_assert_int_eq(local.media[0].dir, SL_SDP_DIR_SENDONLY);
	ck_assert_int_eq(local.media[1].dir, SL_SDP_DIR_SENDRECV);
	parse_ok(&remote, asterisk_sdp);
	ck_assert_int_eq(sl_sdp_hold(&local, &remote), 0);
	ck_assert_int_eq(local.media[0].dir, SL_SDP_DIR_SENDONLY);
	parse_ok(&remote, holding_us);
	ck_assert_int_eq(sl_sdp_hold(&local, &remote), 0);
	ck_assert_int_eq(local.media[0].dir, SL_SDP_DIR_INACTIVE);
	ck_assert_int_eq(sl_sdp_resume(&local), 0);
	ck_assert_int_eq(local.media[0].dir, SL_SDP_DIR_SENDRECV);
	ck_assert_int_eq(local.media[1].dir, SL_SDP_DIR_SENDRECV);
	local.dir = SL_SDP_DIR_INACTIVE;
	ck_assert_int_eq(sl_sdp_resume(&local), 0);
	ck_assert_int_eq(local.dir, SL_SDP_DIR_NONE);
	ck_assert_int_eq(sl_sdp_hold(NULL, &remote), SL_EINVAL);
	ck_assert_int_eq(sl_sdp_resume(NULL), SL_EINVAL);
}
END_TEST

/* ---- offer/answer ---- */

START_TEST(direction_rules)
{
	static const struct {
		enum sl_sdp_dir a, b, answer, effective;
	} v[] = {
		/* offered, wanted -> answer; local, remote -> effective */
		{ SL_SDP_DIR_SENDONLY, SL_SDP_DIR_SENDRECV,
		  SL_SDP_DIR_RECVONLY, SL_SDP_DIR_SENDONLY },
		{ SL_SDP_DIR_RECVONLY, SL_SDP_DIR_SENDRECV,
		  SL_SDP_DIR_SENDONLY, SL_SDP_DIR_RECVONLY },
		{ SL_SDP_DIR_INACTIVE, SL_SDP_DIR_SENDRECV,
		  SL_SDP_DIR_INACTIVE, SL_SDP_DIR_INACTIVE },
		{ SL_SDP_DIR_SENDRECV, SL_SDP_DIR_SENDRECV,
		  SL_SDP_DIR_SENDRECV, SL_SDP_DIR_SENDRECV },
		{ SL_SDP_DIR_NONE, SL_SDP_DIR_NONE,
		  SL_SDP_DIR_SENDRECV, SL_SDP_DIR_SENDRECV },
		{ SL_SDP_DIR_SENDRECV, SL_SDP_DIR_SENDONLY,
		  SL_SDP_DIR_SENDONLY, SL_SDP_DIR_RECVONLY },
		{ SL_SDP_DIR_SENDONLY, SL_SDP_DIR_SENDONLY,
		  SL_SDP_DIR_INACTIVE, SL_SDP_DIR_INACTIVE },
		{ SL_SDP_DIR_SENDRECV, SL_SDP_DIR_INACTIVE,
		  SL_SDP_DIR_INACTIVE, SL_SDP_DIR_INACTIVE },
		{ SL_SDP_DIR_RECVONLY, SL_SDP_DIR_SENDONLY,
		  SL_SDP_DIR_SENDONLY, SL_SDP_DIR_RECVONLY },
		{ SL_SDP_DIR_RECVONLY, SL_SDP_DIR_RECVONLY,
		  SL_SDP_DIR_INACTIVE, SL_SDP_DIR_INACTIVE },
		{ SL_SDP_DIR_SENDRECV, SL_SDP_DIR_RECVONLY,
		  SL_SDP_DIR_RECVONLY, SL_SDP_DIR_SENDONLY },
	};

	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		ck_assert_int_eq(sl_sdp_dir_answer(v[i].a, v[i].b),
				 v[i].answer);
		ck_assert_int_eq(sl_sdp_dir_effective(v[i].a, v[i].b),
				 v[i].effective);
	}
}
END_TEST

START_TEST(static_payload_types)
{
	struct sl_sdp_fmt f;
	struct sl_sdp_rtpmap r;

	memset(&f, 0, sizeof(f));
	f.pt = 9;
	ck_assert_int_eq(sl_sdp_fmt_rtpmap(&f, &r), 0);
	ck_slice(r.name, "G722");
	ck_assert_uint_eq(r.clock_rate, 8000);
	f.pt = 10;
	ck_assert_int_eq(sl_sdp_fmt_rtpmap(&f, &r), 0);
	ck_slice(r.name, "L16");
	ck_assert_uint_eq(r.clock_rate, 44100);
	ck_assert_uint_eq(r.channels, 2);
	f.pt = 18;
	ck_assert_int_eq(sl_sdp_fmt_rtpmap(&f, &r), 0);
	ck_slice(r.name, "G729");
	f.pt = 34;
	ck_assert_int_eq(sl_sdp_fmt_rtpmap(&f, &r), 0);
	ck_slice(r.name, "H263");
	f.pt = 2; /* unassigned since RFC 3551 */
	ck_assert_int_eq(sl_sdp_fmt_rtpmap(&f, &r), SL_ENOTFOUND);
	f.pt = 96;
	ck_assert_int_eq(sl_sdp_fmt_rtpmap(&f, &r), SL_ENOTFOUND);
	f.pt = -1;
	ck_assert_int_eq(sl_sdp_fmt_rtpmap(&f, &r), SL_ENOTFOUND);
	ck_assert_int_eq(sl_sdp_fmt_rtpmap(NULL, &r), SL_EINVAL);
}
END_TEST

/* Answers @offer_text with @m, checks the answer against the offer, its
 * round trip through text, and returns the accepted count. */
static int answer_with(const char *offer_text,
		       const struct sl_sdp_media_cfg *m, size_t n,
		       struct sl_sdp *offer, struct sl_sdp *answer,
		       char *out, size_t cap)
{
	struct sl_sdp back;
	const char *why = NULL;
	int accepted, len;

	parse_ok(offer, offer_text);
	accepted = sl_sdp_answer(answer, offer, &our_session, m, n);
	ck_assert_int_ge(accepted, 0);
	ck_assert_uint_eq(answer->n_media, offer->n_media);
	ck_assert_msg(sl_sdp_check_answer(offer, answer, &why) == 0,
		      "own answer fails the check: %s", why);
	len = sl_sdp_write(answer, out, cap);
	ck_assert_int_gt(len, 0);
	parse_ok(&back, out);
	ck_assert(sl_sdp_equal(answer, &back));
	return accepted;
}

START_TEST(answer_codec_intersection)
{
	static const char want[] =
		"v=0\r\n"
		"o=phone 42 1 IN IP4 192.0.2.10\r\n"
		"s=sipline\r\n"
		"c=IN IP4 192.0.2.10\r\n"
		"t=0 0\r\n"
		"m=audio 40000 RTP/AVP 8 0 101\r\n"
		"a=rtpmap:8 PCMA/8000\r\n"
		"a=rtpmap:0 PCMU/8000\r\n"
		"a=rtpmap:101 telephone-event/8000\r\n"
		"a=fmtp:101 0-16\r\n"
		"a=ptime:20\r\n"
		"a=sendrecv\r\n";
	struct sl_sdp_media_cfg m;
	struct sl_sdp offer, answer;
	char out[2048];

	/* Asterisk offers 0 8 3 111 101: we keep PCMA then PCMU (our
	 * order, its numbers) and its telephone-event */
	audio_cfg(&m);
	ck_assert_int_eq(answer_with(asterisk_sdp, &m, 1, &offer, &answer,
				     out, sizeof(out)), 1);
	ck_assert_str_eq(out, want);

	/* one codec only, plus telephone-event */
	m.max_codecs = 1;
	answer_with(asterisk_sdp, &m, 1, &offer, &answer, out, sizeof(out));
	ck_assert_uint_eq(answer.media[0].n_fmt, 2);
	ck_assert_int_eq(answer.media[0].fmt[0].pt, 8);
	ck_assert_int_eq(answer.media[0].fmt[1].pt, 101);
}
END_TEST

START_TEST(answer_keeps_offerer_payload_types)
{
	static const char offer_text[] =
		HEAD "m=audio 5000 RTP/AVP 111 0 110\r\n"
		"a=rtpmap:111 opus/48000/2\r\n"
		"a=fmtp:111 minptime=10\r\n"
		"a=rtpmap:110 telephone-event/48000\r\n";
	struct sl_sdp_media_cfg m;
	struct sl_sdp offer, answer;
	struct sl_sdp_stream st;
	const struct sl_sdp_media *am;
	char out[2048];

	audio_cfg(&m);
	answer_with(offer_text, &m, 1, &offer, &answer, out, sizeof(out));
	am = &answer.media[0];
	/* we list opus as 96; the offerer calls it 111, so 111 it is */
	ck_assert_uint_eq(am->n_fmt, 3);
	ck_assert_int_eq(am->fmt[0].pt, 111);
	ck_slice(am->fmt[0].encoding, "opus");
	ck_assert_uint_eq(am->fmt[0].channels, 2);
	ck_slice(am->fmt[0].fmtp, "useinbandfec=1");
	ck_assert_int_eq(am->fmt[1].pt, 0);
	/* telephone-event at the clock rate of opus, our fmtp for it */
	ck_assert_int_eq(am->fmt[2].pt, 110);
	ck_assert_uint_eq(am->fmt[2].clock_rate, 48000);
	ck_slice(am->fmt[2].fmtp, "0-16");
	ck_assert_ptr_nonnull(strstr(out, "a=rtpmap:0 PCMU/8000\r\n"));

	ck_assert_int_eq(sl_sdp_negotiated(&offer, &answer, 0, 0, &st), 0);
	ck_assert(st.active);
	ck_slice(st.encoding, "opus");
	ck_assert_uint_eq(st.clock_rate, 48000);
	ck_assert_uint_eq(st.channels, 2);
	ck_assert_int_eq(st.pt_send, 111);
	ck_assert_int_eq(st.pt_recv, 111);
	ck_slice(st.fmtp_send, "minptime=10");
	ck_slice(st.fmtp_recv, "useinbandfec=1");
	ck_assert_int_eq(st.te_send_pt, 110);
	ck_assert_int_eq(st.te_recv_pt, 110);
	ck_slice(st.remote_addr, "10.0.0.1");
	ck_slice(st.remote_addrtype, "IP4");
	ck_assert_uint_eq(st.remote_port, 5000);
	ck_assert_uint_eq(st.remote_rtcp_port, 5001);
	ck_assert_int_eq(st.dir, SL_SDP_DIR_SENDRECV);
	ck_assert(!st.srtp);
}
END_TEST

START_TEST(answer_telephone_event)
{
	static const char no_te[] = HEAD "m=audio 5000 RTP/AVP 0 8\r\n";
	static const char two_te[] =
		HEAD "m=audio 5000 RTP/AVP 8 110 126\r\n"
		"a=rtpmap:110 telephone-event/48000\r\n"
		"a=rtpmap:126 telephone-event/8000\r\n";
	static const char only_te[] =
		HEAD "m=audio 5000 RTP/AVP 101\r\n"
		"a=rtpmap:101 telephone-event/8000\r\n";
	static const struct sl_sdp_codec no_te_codecs[] = {
		{ "PCMA", 8000, 1, 8, NULL }
	};
	struct sl_sdp_media_cfg m;
	struct sl_sdp offer, answer;
	struct sl_sdp_stream st;
	char out[2048];

	audio_cfg(&m);
	/* kept only when offered */
	answer_with(no_te, &m, 1, &offer, &answer, out, sizeof(out));
	ck_assert_uint_eq(answer.media[0].n_fmt, 2);
	ck_assert_int_eq(answer.media[0].fmt[0].pt, 8);
	ck_assert_int_eq(answer.media[0].fmt[1].pt, 0);
	ck_assert_int_eq(sl_sdp_negotiated(&offer, &answer, 0, 0, &st), 0);
	ck_assert_int_eq(st.te_send_pt, -1);
	ck_assert_int_eq(st.te_recv_pt, -1);
	/* PCMA runs at 8000: the 8000 one of the two */
	answer_with(two_te, &m, 1, &offer, &answer, out, sizeof(out));
	ck_assert_uint_eq(answer.media[0].n_fmt, 2);
	ck_assert_int_eq(answer.media[0].fmt[1].pt, 126);
	/* not ours when we do not list it */
	m.codecs = no_te_codecs;
	m.n_codecs = 1;
	answer_with(two_te, &m, 1, &offer, &answer, out, sizeof(out));
	ck_assert_uint_eq(answer.media[0].n_fmt, 1);
	/* telephone-event alone makes no call */
	audio_cfg(&m);
	ck_assert_int_eq(answer_with(only_te, &m, 1, &offer, &answer, out,
				     sizeof(out)), 0);
	ck_assert_uint_eq(answer.media[0].port, 0);
}
END_TEST

START_TEST(answer_rejects_streams)
{
	static const char g729[] = HEAD "m=audio 5000 RTP/AVP 18\r\n"
				   "a=rtpmap:18 G729/8000\r\n"
				   "m=image 5002 udptl t38\r\n"
				   "m=audio 0 RTP/AVP 0\r\n"
				   "m=audio 5004 RTP/AVP 0\r\n"
				   "m=audio 5006 TCP/RTP/AVP 0\r\n";
	struct sl_sdp_media_cfg m[2];
	struct sl_sdp offer, answer;
	char out[2048];
	const struct sl_sdp_media *am;

	audio_cfg(&m[0]);
	audio_cfg(&m[1]);
	m[1].port = 40002;
	ck_assert_int_eq(answer_with(g729, m, 2, &offer, &answer, out,
				     sizeof(out)), 1);
	/* no common codec: port 0, offered proto and first format */
	am = &answer.media[0];
	ck_assert_uint_eq(am->port, 0);
	ck_slice(am->media, "audio");
	ck_slice(am->proto, "RTP/AVP");
	ck_assert_uint_eq(am->n_fmt, 1);
	ck_assert_int_eq(am->fmt[0].pt, 18);
	ck_assert(!am->fmt[0].has_rtpmap);
	ck_assert_ptr_nonnull(strstr(out, "m=audio 0 RTP/AVP 18\r\n"));
	/* unsupported media type */
	am = &answer.media[1];
	ck_assert_uint_eq(am->port, 0);
	ck_slice(am->proto, "udptl");
	ck_slice(am->fmt[0].id, "t38");
	ck_assert_ptr_nonnull(strstr(out, "m=image 0 udptl t38\r\n"));
	/* port 0 in the offer */
	ck_assert_uint_eq(answer.media[2].port, 0);
	/* the first entry was not used by the rejected G.729 stream */
	ck_assert_uint_eq(answer.media[3].port, 40000);
	/* unsupported transport */
	ck_assert_uint_eq(answer.media[4].port, 0);
	ck_assert_ptr_nonnull(strstr(out, "m=audio 0 TCP/RTP/AVP 0\r\n"));
}
END_TEST

START_TEST(answer_browser_offer)
{
	struct sl_sdp_media_cfg m[2];
	struct sl_sdp offer, answer;
	char out[2048];

	/* DTLS-SRTP and data channels are not ours: all rejected, mids kept
	 * so the bundle group still lines up */
	audio_cfg(&m[0]);
	m[0].srtp = SL_SDP_SRTP_OPTIONAL;
	m[0].crypto = our_keys;
	m[0].n_crypto = 2;
	video_cfg(&m[1], 40010, NULL);
	ck_assert_int_eq(answer_with(chrome_sdp, m, 2, &offer, &answer, out,
				     sizeof(out)), 0);
	for (size_t i = 0; i < 3; i++)
		ck_assert_uint_eq(answer.media[i].port, 0);
	ck_slice(answer.media[0].mid, "0");
	ck_slice(answer.media[2].mid, "2");
	ck_slice(answer.media[2].fmt[0].id, "webrtc-datachannel");
	ck_assert_ptr_nonnull(strstr(out, "m=application 0 UDP/DTLS/SCTP "
					  "webrtc-datachannel\r\na=mid:2\r\n"));
}
END_TEST

START_TEST(answer_rfc3264_examples)
{
	static const struct sl_sdp_codec pcmu[] = {
		{ "PCMU", 8000, 1, 0, NULL }
	};
	static const struct sl_sdp_codec mpv[] = {
		{ "MPV", 90000, 0, 32, NULL }
	};
	static const struct sl_sdp_codec one_of_n[] = {
		{ "PCMU", 8000, 1, 0, NULL },
		{ "G723", 8000, 1, 4, NULL },
		{ "PCMA", 8000, 1, 8, NULL },
	};
	struct sl_sdp_media_cfg m[2];
	struct sl_sdp offer, answer, theirs;
	const char *why;
	char out[2048];

	/* §10.1: Bob takes audio and the MPEG video, not H.261 */
	memset(m, 0, sizeof(m));
	m[0].type = SL_SDP_MEDIA_AUDIO;
	m[0].port = 49920;
	m[0].codecs = pcmu;
	m[0].n_codecs = 1;
	m[1].type = SL_SDP_MEDIA_VIDEO;
	m[1].port = 53000;
	m[1].codecs = mpv;
	m[1].n_codecs = 1;
	ck_assert_int_eq(answer_with(rfc3264_offer1, m, 2, &offer, &answer,
				     out, sizeof(out)), 2);
	parse_ok(&theirs, rfc3264_answer1);
	for (size_t i = 0; i < 3; i++) {
		ck_assert_uint_eq(answer.media[i].port,
				  theirs.media[i].port);
		ck_assert_uint_eq(answer.media[i].n_fmt,
				  theirs.media[i].n_fmt);
		ck_assert_int_eq(answer.media[i].fmt[0].pt,
				 theirs.media[i].fmt[0].pt);
	}
	ck_assert_int_eq(sl_sdp_check_answer(&offer, &theirs, &why), 0);
	ck_assert_ptr_null(why);
	/* the RFC's second exchange passes our checks */
	parse_ok(&offer, rfc3264_offer2);
	parse_ok(&theirs, rfc3264_answer2);
	ck_assert_int_eq(sl_sdp_check_answer(&offer, &theirs, &why), 0);

	/* §10.2: inactive offer of three codecs, answered with two */
	m[0].codecs = one_of_n;
	m[0].n_codecs = 3;
	m[0].port = 54344;
	ck_assert_int_eq(answer_with(rfc3264_offer3, m, 1, &offer, &answer,
				     out, sizeof(out)), 1);
	ck_assert_uint_eq(answer.media[0].n_fmt, 2);
	ck_assert_int_eq(answer.media[0].fmt[0].pt, 0);
	ck_assert_int_eq(answer.media[0].fmt[1].pt, 4);
	ck_assert_int_eq(answer.media[0].dir, SL_SDP_DIR_INACTIVE);
	parse_ok(&theirs, rfc3264_answer3);
	ck_assert_int_eq(sl_sdp_check_answer(&offer, &theirs, NULL), 0);
}
END_TEST

START_TEST(answer_two_video_streams)
{
	static const char slides_first[] =
		HEAD "m=video 6000 RTP/AVP 100\r\n"
		"a=rtpmap:100 VP8/90000\r\na=content:slides\r\n"
		"m=video 6002 RTP/AVP 100\r\na=rtpmap:100 VP8/90000\r\n";
	struct sl_sdp_media_cfg m[3];
	struct sl_sdp offer, answer;
	char out[4096];

	audio_cfg(&m[0]);
	video_cfg(&m[1], 40010, NULL);
	video_cfg(&m[2], 40020, "slides");
	ck_assert_int_eq(answer_with(linphone_sdp, m, 3, &offer, &answer, out,
				     sizeof(out)), 3);
	/* camera: H264 then VP8 in our order, their numbers */
	ck_assert_uint_eq(answer.media[1].port, 40010);
	ck_assert_int_eq(answer.media[1].fmt[0].pt, 97);
	ck_assert_int_eq(answer.media[1].fmt[1].pt, 96);
	ck_slice(answer.media[1].content, "main");
	/* screen sharing goes to the slides entry, receive only */
	ck_assert_uint_eq(answer.media[2].port, 40020);
	ck_slice(answer.media[2].content, "slides");
	ck_assert_int_eq(answer.media[2].dir, SL_SDP_DIR_RECVONLY);
	ck_assert_ptr_nonnull(strstr(out, "a=recvonly\r\na=content:slides"));

	/* the content decides, not the order */
	ck_assert_int_eq(answer_with(slides_first, m, 3, &offer, &answer, out,
				     sizeof(out)), 2);
	ck_assert_uint_eq(answer.media[0].port, 40020);
	ck_assert_uint_eq(answer.media[1].port, 40010);
	/* with one video entry the second stream is rejected */
	ck_assert_int_eq(answer_with(slides_first, m, 2, &offer, &answer, out,
				     sizeof(out)), 1);
	ck_assert_uint_eq(answer.media[0].port, 40010);
	ck_assert_uint_eq(answer.media[1].port, 0);
}
END_TEST

START_TEST(answer_rtcp_mux_and_direction)
{
	static const char mux[] = HEAD "m=audio 5000 RTP/AVPF 0\r\n"
				  "a=rtcp-mux\r\na=sendonly\r\n";
	static const char plain[] = HEAD "m=audio 5000 RTP/AVP 0\r\n"
				    "a=recvonly\r\n";
	static const char inactive[] = HEAD "a=inactive\r\n"
				       "m=audio 5000 RTP/AVP 0\r\n";
	struct sl_sdp_media_cfg m;
	struct sl_sdp offer, answer;
	struct sl_sdp_stream st;
	char out[2048];

	audio_cfg(&m);
	m.rtcp_mux = 1;
	m.rtcp_port = 40001;
	answer_with(mux, &m, 1, &offer, &answer, out, sizeof(out));
	ck_assert(answer.media[0].has_rtcp);
	ck_assert_uint_eq(answer.media[0].rtcp_port, 40001);
	ck_assert(answer.media[0].rtcp_mux);
	ck_slice(answer.media[0].proto, "RTP/AVPF");
	ck_assert_int_eq(answer.media[0].dir, SL_SDP_DIR_RECVONLY);
	ck_assert_int_eq(sl_sdp_negotiated(&offer, &answer, 0, 0, &st), 0);
	ck_assert(st.rtcp_mux);
	ck_assert_uint_eq(st.remote_rtcp_port, 5000);
	ck_assert_int_eq(st.dir, SL_SDP_DIR_RECVONLY);
	m.rtcp_mux = 0;
	answer_with(mux, &m, 1, &offer, &answer, out, sizeof(out));
	ck_assert(!answer.media[0].rtcp_mux);
	m.rtcp_mux = 1;
	answer_with(plain, &m, 1, &offer, &answer, out, sizeof(out));
	ck_assert(!answer.media[0].rtcp_mux);
	ck_assert_int_eq(answer.media[0].dir, SL_SDP_DIR_SENDONLY);
	/* session-level inactive applies to the stream */
	answer_with(inactive, &m, 1, &offer, &answer, out, sizeof(out));
	ck_assert_int_eq(answer.media[0].dir, SL_SDP_DIR_INACTIVE);
	/* we hold while answering */
	m.dir = SL_SDP_DIR_SENDONLY;
	answer_with(asterisk_sdp, &m, 1, &offer, &answer, out, sizeof(out));
	ck_assert_int_eq(answer.media[0].dir, SL_SDP_DIR_SENDONLY);
}
END_TEST

START_TEST(answer_srtp)
{
	static const char avp_crypto[] =
		HEAD "m=audio 5000 RTP/AVP 0\r\n"
		"a=crypto:5 AES_CM_128_HMAC_SHA1_32 inline:abc|2^20\r\n";
	struct sl_sdp_media_cfg m;
	struct sl_sdp offer, answer;
	struct sl_sdp_stream st;
	const struct sl_sdp_media *am;
	char out[2048];

	audio_cfg(&m);
	/* SAVP offered to a plain-RTP phone: rejected */
	ck_assert_int_eq(answer_with(freeswitch_srtp_sdp, &m, 1, &offer,
				     &answer, out, sizeof(out)), 0);
	/* mandatory: the first offered suite we have, its tag, our key */
	m.srtp = SL_SDP_SRTP_MANDATORY;
	m.crypto = our_keys;
	m.n_crypto = 2;
	ck_assert_int_eq(answer_with(freeswitch_srtp_sdp, &m, 1, &offer,
				     &answer, out, sizeof(out)), 1);
	am = &answer.media[0];
	ck_assert_uint_eq(am->n_crypto, 1);
	ck_assert_uint_eq(am->crypto[0].tag, 1);
	ck_slice(am->crypto[0].suite, "AES_CM_128_HMAC_SHA1_80");
	ck_slice(am->crypto[0].key_params,
		 "inline:d0RmdmcmVCspeEc3QGZiNWpVLFJhQX1cfHAwJSoj");
	ck_assert_int_eq(sl_sdp_negotiated(&offer, &answer, 0, 0, &st), 0);
	ck_assert(st.srtp);
	ck_slice(st.crypto_local.key_params,
		 "inline:d0RmdmcmVCspeEc3QGZiNWpVLFJhQX1cfHAwJSoj");
	ck_slice(st.crypto_remote.key_params,
		 "inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz|2^20|1:4");
	ck_slice(st.encoding, "G722");
	/* the offer's rtcp attribute carries its address */
	ck_assert_uint_eq(st.remote_rtcp_port, 24581);
	ck_slice(st.remote_rtcp_addr, "10.0.0.5");
	/* only the 32-bit tag suite in common: tag 2 */
	m.crypto = &our_keys[1];
	m.n_crypto = 1;
	answer_with(freeswitch_srtp_sdp, &m, 1, &offer, &answer, out,
		    sizeof(out));
	ck_assert_uint_eq(answer.media[0].crypto[0].tag, 2);
	/* no keys at all: rejected */
	m.n_crypto = 0;
	ck_assert_int_eq(answer_with(freeswitch_srtp_sdp, &m, 1, &offer,
				     &answer, out, sizeof(out)), 0);
	/* mandatory refuses plain RTP, optional accepts it */
	m.crypto = our_keys;
	m.n_crypto = 2;
	ck_assert_int_eq(answer_with(asterisk_sdp, &m, 1, &offer, &answer,
				     out, sizeof(out)), 0);
	m.srtp = SL_SDP_SRTP_OPTIONAL;
	ck_assert_int_eq(answer_with(asterisk_sdp, &m, 1, &offer, &answer,
				     out, sizeof(out)), 1);
	ck_assert_uint_eq(answer.media[0].n_crypto, 0);
	/* best-effort SRTP: crypto in an RTP/AVP offer */
	answer_with(avp_crypto, &m, 1, &offer, &answer, out, sizeof(out));
	ck_assert_uint_eq(answer.media[0].n_crypto, 1);
	ck_assert_uint_eq(answer.media[0].crypto[0].tag, 5);
	m.srtp = SL_SDP_SRTP_OFF;
	answer_with(avp_crypto, &m, 1, &offer, &answer, out, sizeof(out));
	ck_assert_uint_eq(answer.media[0].n_crypto, 0);
	ck_assert_int_eq(sl_sdp_answer(NULL, &offer, &our_session, &m, 1),
			 SL_EINVAL);
	ck_assert_int_eq(sl_sdp_answer(&answer, &offer, NULL, &m, 1),
			 SL_EINVAL);
}
END_TEST

/* our offer (PCMU, PCMA, telephone-event 101), answers from peers */
static void our_offer(struct sl_sdp *offer, enum sl_sdp_dir dir)
{
	static const struct sl_sdp_codec c[] = {
		{ "PCMU", 8000, 1, 0, NULL },
		{ "PCMA", 8000, 1, 8, NULL },
		{ "opus", 48000, 2, 96, NULL },
		{ "telephone-event", 8000, 1, 101, "0-16" },
	};
	struct sl_sdp_media_cfg m;

	memset(&m, 0, sizeof(m));
	m.type = SL_SDP_MEDIA_AUDIO;
	m.port = 40000;
	m.codecs = c;
	m.n_codecs = 4;
	m.dir = dir;
	m.rtcp_mux = 1;
	ck_assert_int_eq(sl_sdp_build_offer(offer, &our_session, &m, 1), 0);
}

START_TEST(check_answer_rules)
{
	static const struct {
		const char *media;  /* the m= section of the answer */
		enum sl_sdp_dir our_dir;
		const char *reason; /* NULL: accepted */
	} v[] = {
		{ "m=audio 5000 RTP/AVP 8 101\r\n", SL_SDP_DIR_SENDRECV, NULL },
		{ "m=audio 0 RTP/AVP 18\r\n", SL_SDP_DIR_SENDRECV, NULL },
		/* extra formats and renumbered codecs: RFC 3264 §6.1 */
		{ "m=audio 5000 RTP/AVP 0 18\r\n", SL_SDP_DIR_SENDRECV, NULL },
		{ "m=audio 5000 RTP/AVP 100\r\na=rtpmap:100 opus/48000/2\r\n",
		  SL_SDP_DIR_SENDRECV, NULL },
		{ "m=audio 5000 RTP/AVP 18\r\n", SL_SDP_DIR_SENDRECV,
		  "no offered format in the answer" },
		{ "m=audio 5000 RTP/AVP 96\r\na=rtpmap:96 speex/16000\r\n",
		  SL_SDP_DIR_SENDRECV,
		  "payload type reused for another codec" },
		{ "m=video 5000 RTP/AVP 0\r\n", SL_SDP_DIR_SENDRECV,
		  "media type differs from the offer" },
		{ "m=audio 5000 RTP/SAVP 0\r\n", SL_SDP_DIR_SENDRECV,
		  "transport differs from the offer" },
		{ "m=audio 5000 RTP/AVP 0\r\na=sendrecv\r\n",
		  SL_SDP_DIR_SENDONLY, "direction not allowed by the offer" },
		{ "m=audio 5000 RTP/AVP 0\r\na=recvonly\r\n",
		  SL_SDP_DIR_SENDONLY, NULL },
		{ "m=audio 5000 RTP/AVP 0\r\na=recvonly\r\n",
		  SL_SDP_DIR_INACTIVE, "direction not allowed by the offer" },
		{ "m=audio 5000 RTP/AVP 0\r\na=sendonly\r\n",
		  SL_SDP_DIR_RECVONLY, NULL },
		{ "m=audio 5000 RTP/AVP 0\r\na=crypto:1 A inline:x\r\n",
		  SL_SDP_DIR_SENDRECV, "a=crypto does not match the offer" },
	};
	char text[512];
	struct sl_sdp offer, answer;
	const char *why;

	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		our_offer(&offer, v[i].our_dir);
		snprintf(text, sizeof(text), "%s%s", HEAD, v[i].media);
		parse_ok(&answer, text);
		why = "unset";
		ck_assert_int_eq(sl_sdp_check_answer(&offer, &answer, &why),
				 v[i].reason ? SL_EPARSE : 0);
		if (v[i].reason)
			ck_assert_str_eq(why, v[i].reason);
		else
			ck_assert_ptr_null(why);
	}
	/* the number of m= lines, and port 0 staying 0 */
	our_offer(&offer, SL_SDP_DIR_SENDRECV);
	parse_ok(&answer, asterisk_sdp);
	answer.n_media = 0;
	ck_assert_int_eq(sl_sdp_check_answer(&offer, &answer, &why), SL_EPARSE);
	ck_assert_str_eq(why, "m= line count differs from the offer");
	parse_ok(&answer, asterisk_sdp);
	offer.media[0].port = 0;
	ck_assert_int_eq(sl_sdp_check_answer(&offer, &answer, &why), SL_EPARSE);
	ck_assert_str_eq(why, "stream offered with port 0 was accepted");
	ck_assert_int_eq(sl_sdp_check_answer(NULL, &answer, &why), SL_EINVAL);
	/* non-RTP streams compare their format tokens */
	parse_ok(&offer, HEAD "m=image 6000 udptl t38\r\n");
	parse_ok(&answer, HEAD "m=image 6000 udptl t38\r\n");
	ck_assert_int_eq(sl_sdp_check_answer(&offer, &answer, &why), 0);
	parse_ok(&answer, HEAD "m=image 6000 udptl t39\r\n");
	ck_assert_int_eq(sl_sdp_check_answer(&offer, &answer, &why), SL_EPARSE);
	ck_assert_str_eq(why, "no offered format in the answer");
}
END_TEST

START_TEST(check_answer_srtp)
{
	static const char two[] =
		HEAD "m=audio 5000 RTP/SAVP 0\r\n"
		"a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:a\r\n"
		"a=crypto:2 AES_CM_128_HMAC_SHA1_32 inline:b\r\n";
	static const char none[] = HEAD "m=audio 5000 RTP/SAVP 0\r\n";
	static const char ok[] =
		HEAD "m=audio 5000 RTP/SAVP 0\r\n"
		"a=crypto:2 AES_CM_128_HMAC_SHA1_32 inline:b\r\n";
	static const char wrong_suite[] =
		HEAD "m=audio 5000 RTP/SAVP 0\r\n"
		"a=crypto:2 AES_CM_128_HMAC_SHA1_80 inline:b\r\n";
	struct sl_sdp offer, answer;
	const char *why;

	parse_ok(&offer, two);
	parse_ok(&answer, two);
	ck_assert_int_eq(sl_sdp_check_answer(&offer, &answer, &why), SL_EPARSE);
	ck_assert_str_eq(why, "more than one a=crypto in the answer");
	parse_ok(&answer, none);
	ck_assert_int_eq(sl_sdp_check_answer(&offer, &answer, &why), SL_EPARSE);
	ck_assert_str_eq(why, "missing a=crypto");
	parse_ok(&answer, wrong_suite);
	ck_assert_int_eq(sl_sdp_check_answer(&offer, &answer, &why), SL_EPARSE);
	parse_ok(&answer, ok);
	ck_assert_int_eq(sl_sdp_check_answer(&offer, &answer, &why), 0);
}
END_TEST

START_TEST(negotiated_as_offerer)
{
	static const char answer_text[] =
		"v=0\r\no=- 7 7 IN IP4 198.51.100.1\r\ns=-\r\n"
		"c=IN IP4 198.51.100.1\r\nt=0 0\r\n"
		"m=audio 30000 RTP/AVP 8 100 13\r\n"
		"c=IN IP4 198.51.100.99\r\n"
		"a=rtpmap:100 telephone-event/8000\r\n"
		"a=fmtp:100 0-15\r\n"
		"a=ptime:30\r\n"
		"a=rtcp:30011\r\n"
		"a=recvonly\r\n";
	static const char renumbered[] =
		"v=0\r\no=- 7 7 IN IP4 198.51.100.1\r\ns=-\r\n"
		"c=IN IP4 198.51.100.1\r\nt=0 0\r\n"
		"m=audio 30000 RTP/AVP 13 120\r\n"
		"a=rtpmap:120 OPUS/48000/2\r\na=rtcp-mux\r\n";
	static const char only_cn[] =
		"v=0\r\no=- 7 7 IN IP4 198.51.100.1\r\ns=-\r\n"
		"c=IN IP4 198.51.100.1\r\nt=0 0\r\n"
		"m=audio 30000 RTP/AVP 13 101\r\n";
	struct sl_sdp offer, answer;
	struct sl_sdp_stream st;

	our_offer(&offer, SL_SDP_DIR_SENDONLY); /* we hold */
	parse_ok(&answer, answer_text);
	ck_assert_int_eq(sl_sdp_check_answer(&offer, &answer, NULL), 0);
	ck_assert_int_eq(sl_sdp_negotiated(&offer, &answer, 1, 0, &st), 0);
	ck_assert(st.active);
	ck_assert_int_eq(st.type, SL_SDP_MEDIA_AUDIO);
	ck_slice(st.encoding, "PCMA");
	ck_assert_int_eq(st.pt_send, 8);
	ck_assert_int_eq(st.pt_recv, 8);
	/* telephone-event: 100 towards them, 101 towards us */
	ck_assert_int_eq(st.te_send_pt, 100);
	ck_assert_int_eq(st.te_recv_pt, 101);
	/* media c= over session c=; a=rtcp without address */
	ck_slice(st.remote_addr, "198.51.100.99");
	ck_assert_uint_eq(st.remote_port, 30000);
	ck_assert(!st.rtcp_mux);
	ck_assert_uint_eq(st.remote_rtcp_port, 30011);
	ck_slice(st.remote_rtcp_addr, "198.51.100.99");
	ck_assert_uint_eq(st.ptime, 30);
	ck_assert_int_eq(st.dir, SL_SDP_DIR_SENDONLY);

	/* codec renumbered by the answerer: we send its number */
	our_offer(&offer, SL_SDP_DIR_SENDRECV);
	parse_ok(&answer, renumbered);
	ck_assert_int_eq(sl_sdp_check_answer(&offer, &answer, NULL), 0);
	ck_assert_int_eq(sl_sdp_negotiated(&offer, &answer, 1, 0, &st), 0);
	ck_assert(st.active);
	ck_slice(st.encoding, "OPUS");
	ck_assert_int_eq(st.pt_send, 120);
	ck_assert_int_eq(st.pt_recv, 96);
	ck_assert(st.rtcp_mux);
	ck_assert_uint_eq(st.remote_rtcp_port, 30000);
	ck_assert_int_eq(st.te_send_pt, -1);

	/* comfort noise and telephone-event carry no call */
	parse_ok(&answer, only_cn);
	ck_assert_int_eq(sl_sdp_negotiated(&offer, &answer, 1, 0, &st), 0);
	ck_assert(!st.active);

	ck_assert_int_eq(sl_sdp_negotiated(&offer, &answer, 1, 1, &st),
			 SL_ENOTFOUND);
	ck_assert_int_eq(sl_sdp_negotiated(NULL, &answer, 1, 0, &st),
			 SL_EINVAL);
	answer.media[0].port = 0;
	ck_assert_int_eq(sl_sdp_negotiated(&offer, &answer, 1, 0, &st), 0);
	ck_assert(!st.active);
}
END_TEST

static Suite *sdp_suite(void)
{
	Suite *s = suite_create("sip_sdp");
	TCase *tc;

	tc = tcase_create("parse");
	tcase_add_test(tc, parse_asterisk);
	tcase_add_test(tc, parse_freeswitch_srtp);
	tcase_add_test(tc, parse_linphone_two_videos);
	tcase_add_test(tc, parse_pjsip_media_level_c);
	tcase_add_test(tc, parse_chrome);
	tcase_add_test(tc, parse_rfc4566_example);
	tcase_add_test(tc, parse_rfc4568_crypto);
	tcase_add_test(tc, parse_misc_lines);
	tcase_add_test(tc, parse_lf_and_missing_newline);
	tcase_add_test(tc, parse_rtpmap_elsewhere_kept);
	tcase_add_test(tc, parse_many_attributes);
	tcase_add_test(tc, parse_args_and_struct_size);
	suite_add_tcase(s, tc);

	tc = tcase_create("malformed");
	tcase_add_loop_test(tc, malformed_vector, 0, n_bad);
	tcase_add_test(tc, error_offset_points_at_line);
	suite_add_tcase(s, tc);

	tc = tcase_create("write");
	tcase_add_loop_test(tc, round_trip_vector, 0, n_good);
	tcase_add_test(tc, written_text_is_canonical);
	tcase_add_test(tc, write_refuses_bad_fields);
	tcase_add_test(tc, equal_compares_fields);
	tcase_add_test(tc, equal_sees_each_field);
	suite_add_tcase(s, tc);

	tc = tcase_create("build");
	tcase_add_test(tc, build_offer_text);
	tcase_add_test(tc, build_offer_defaults_and_errors);
	tcase_add_test(tc, add_functions);
	tcase_add_test(tc, hold_and_resume);
	suite_add_tcase(s, tc);

	tc = tcase_create("offer_answer");
	tcase_add_test(tc, direction_rules);
	tcase_add_test(tc, static_payload_types);
	tcase_add_test(tc, answer_codec_intersection);
	tcase_add_test(tc, answer_keeps_offerer_payload_types);
	tcase_add_test(tc, answer_telephone_event);
	tcase_add_test(tc, answer_rejects_streams);
	tcase_add_test(tc, answer_browser_offer);
	tcase_add_test(tc, answer_rfc3264_examples);
	tcase_add_test(tc, answer_two_video_streams);
	tcase_add_test(tc, answer_rtcp_mux_and_direction);
	tcase_add_test(tc, answer_srtp);
	tcase_add_test(tc, check_answer_rules);
	tcase_add_test(tc, check_answer_srtp);
	tcase_add_test(tc, negotiated_as_offerer);
	suite_add_tcase(s, tc);
	return s;
}

SL_CHECK_MAIN(sdp_suite)
