/*
 * tests/unit/check_media_api.c: the media side of the UA without audio
 * measurements (lib/ua/call_media.c, media_api.c, info.c, ua.c): the SDP
 * a media configuration gives (ports bound in the range, codecs from the
 * registry with their payload types and fmtp, ptime, maxptime,
 * rtcp-mux, RFC 3556 bandwidth), every error return of sipline/media.h
 * and sl_call_send_info() (bad UA, session, arguments, wrong state,
 * missing telephone-event, fixed-rate codec, full queues), a UA without
 * media, the statistics JSON writer, and the configuration checks and
 * defaults of sl_ua_create(). UAs call each other over 127.0.0.1
 * (tests/unit/media_env.c).
 */
#include "media_env.c"
#include "check_main.h"

/* ---- SDP ---- */

static void sdp_tweak_a(struct sl_ua_config *cfg, const void *arg)
{
	(void)arg;
	copy_str(cfg->audio_codecs, sizeof(cfg->audio_codecs),
		 "opus,G722,PCMA, telephone-event ,CN");
	copy_str(cfg->media.payload_types, sizeof(cfg->media.payload_types),
		 "opus=109, telephone-event=100");
	copy_str(cfg->media.fmtp, sizeof(cfg->media.fmtp),
		 "opus:useinbandfec=1;maxaveragebitrate=24000");
	cfg->media.ptime_ms = 30;
	cfg->media.maxptime_ms = 60;
	cfg->media.rtcp_as_kbps = 80;
	cfg->media.rtcp_rs_bps = 800;
	cfg->media.rtcp_rr_bps = 2000;
	cfg->rtp_port_min = 40000;
	cfg->rtp_port_max = 40999;
}

static void sdp_tweak_b(struct sl_ua_config *cfg, const void *arg)
{
	(void)arg;
	copy_str(cfg->audio_codecs, sizeof(cfg->audio_codecs),
		 "G722,opus,telephone-event");
	cfg->media.rtcp_mux = 0;
	cfg->rtp_port_min = 41000;
	cfg->rtp_port_max = 41999;
}

START_TEST(sdp_from_media_config)
{
	const struct rec *r;
	char offer[4096];
	unsigned port;
	int as, bs;

	n_sides = 0;
	side_make(&A, "alice", sdp_tweak_a, NULL);
	side_make(&B, "bob", sdp_tweak_b, NULL);
	connect_ab(&A, &B, &as, &bs);
	pump(50);
	/* A's INVITE: its codecs in order with the configured payload
	 * types and fmtp, the codec's own fmtp where none is set, ptime,
	 * maxptime, RFC 3556 bandwidth and rtcp-mux. */
	snprintf(offer, sizeof(offer), "%s", A.sdp);
	ck_assert_ptr_nonnull(strstr(offer, " RTP/AVP 109 9 8 100 13\r\n"));
	ck_assert_ptr_nonnull(strstr(offer, "a=rtpmap:109 opus/48000/2\r\n"));
	ck_assert_ptr_nonnull(strstr(offer, "a=fmtp:109 useinbandfec=1;"
					    "maxaveragebitrate=24000\r\n"));
	ck_assert_ptr_nonnull(strstr(offer, "a=rtpmap:9 G722/8000\r\n"));
	ck_assert_ptr_nonnull(strstr(offer, "a=rtpmap:100 "
					    "telephone-event/8000\r\n"));
	ck_assert_ptr_nonnull(strstr(offer, "a=fmtp:100 0-16\r\n"));
	ck_assert_ptr_nonnull(strstr(offer, "a=rtpmap:13 CN/8000\r\n"));
	ck_assert_ptr_nonnull(strstr(offer, "a=ptime:30\r\n"));
	ck_assert_ptr_nonnull(strstr(offer, "a=maxptime:60\r\n"));
	ck_assert_ptr_nonnull(strstr(offer, "b=AS:80\r\n"));
	ck_assert_ptr_nonnull(strstr(offer, "b=RS:800\r\n"));
	ck_assert_ptr_nonnull(strstr(offer, "b=RR:2000\r\n"));
	ck_assert_ptr_nonnull(strstr(offer, "a=rtcp-mux\r\n"));
	port = sdp_port(offer);
	ck_assert_uint_ge(port, 40000);
	ck_assert_uint_le(port, 40999);
	ck_assert_uint_eq(port % 2, 0);
	/* B's answer: its preference (G722 first), the offer's numbers,
	 * its own opus fmtp from the codec, no rtcp-mux (off in B). */
	ck_assert_ptr_nonnull(strstr(B.sdp, " RTP/AVP 9 109 100\r\n"));
	ck_assert_ptr_null(strstr(B.sdp, "a=rtcp-mux"));
	ck_assert_ptr_null(strstr(B.sdp, "b=AS"));
	port = sdp_port(B.sdp);
	ck_assert_uint_ge(port, 41000);
	ck_assert_uint_le(port, 41999);
	/* The stream runs G722 both ways. */
	r = wait_ev(&A, SL_EV_MEDIA_STARTED, as, 3000);
	ck_assert_ptr_nonnull(r);
	ck_assert_str_eq(r->codec, "G722");
	ck_assert_int_eq(r->payload_type, 9);
	r = wait_ev(&B, SL_EV_MEDIA_STARTED, bs, 3000);
	ck_assert_ptr_nonnull(r);
	ck_assert_str_eq(r->codec, "G722");
	hangup_ab(&A, &B, as, bs);
	sides_reset();
}
END_TEST

/* ---- errors ---- */

static void err_tweak_b(struct sl_ua_config *cfg, const void *arg)
{
	(void)arg;
	/* No telephone-event: RFC 4733 cannot be used towards B. */
	copy_str(cfg->audio_codecs, sizeof(cfg->audio_codecs), "PCMU");
}

static void hook_audio(void *arg, int session, unsigned d, const int16_t *p,
		       size_t n, unsigned rate)
{
	(void)arg;
	(void)session;
	(void)d;
	(void)p;
	(void)n;
	(void)rate;
}

static void hook_rtp(void *arg, int session, unsigned d, const uint8_t *p,
		     size_t n)
{
	(void)arg;
	(void)session;
	(void)d;
	(void)p;
	(void)n;
}

START_TEST(api_errors)
{
	struct sl_call_stats st;
	struct sl_call_params p;
	const struct rec *in;
	char buf[1024], big[SL_INFO_BODY_MAX + 1];
	int16_t pcm[160] = { 0 };
	int as, bs;

	n_sides = 0;
	side_make(&A, "alice", NULL, NULL);
	side_make(&B, "bob", err_tweak_b, NULL);
	memset(big, 'x', sizeof(big));
	/* Bad UA, session, arguments. */
	ck_assert_int_eq(sl_call_stats(NULL, 1, &st), SL_EHANDLE);
	ck_assert_int_eq(sl_call_stats(A.ua, 1, NULL), SL_EINVAL);
	ck_assert_int_eq(sl_call_stats(A.ua, 0, &st), SL_ESESSION);
	ck_assert_int_eq(sl_call_stats(A.ua, 99, &st), SL_ESESSION);
	ck_assert_int_eq(sl_call_stats_json(NULL, 1, buf, sizeof(buf)),
			 SL_EHANDLE);
	ck_assert_int_eq(sl_call_stats_json(A.ua, 1, NULL, 10), SL_EINVAL);
	ck_assert_int_eq(sl_call_stats_json(A.ua, 99, buf, sizeof(buf)),
			 SL_ESESSION);
	ck_assert_int_eq(sl_call_send_dtmf(NULL, 1, "1", 0), SL_EHANDLE);
	ck_assert_int_eq(sl_call_send_dtmf(A.ua, 1, NULL, 0), SL_EINVAL);
	ck_assert_int_eq(sl_call_send_dtmf(A.ua, 1, "", 0), SL_EINVAL);
	ck_assert_int_eq(sl_call_send_dtmf(A.ua, 1, "12x", 0), SL_EINVAL);
	ck_assert_int_eq(sl_call_send_dtmf(A.ua, 1, "1", 3), SL_EINVAL);
	ck_assert_int_eq(sl_call_send_dtmf(A.ua, 1,
					   "123456789012345678901234567890123",
					   0), SL_ELIMIT);
	ck_assert_int_eq(sl_call_send_dtmf(A.ua, 99, "1", 0), SL_ESESSION);
	ck_assert_int_eq(sl_call_mute(NULL, 1, 0), SL_EHANDLE);
	ck_assert_int_eq(sl_call_mute(A.ua, 1, 4), SL_EINVAL);
	ck_assert_int_eq(sl_call_mute(A.ua, 99, SL_MUTE_IN), SL_ESESSION);
	ck_assert_int_eq(sl_call_set_scaling(NULL, 1, 100, 100), SL_EHANDLE);
	ck_assert_int_eq(sl_call_set_scaling(A.ua, 1, 1001, 100), SL_EINVAL);
	ck_assert_int_eq(sl_call_set_scaling(A.ua, 1, 100, 1001), SL_EINVAL);
	ck_assert_int_eq(sl_call_set_scaling(A.ua, 99, 100, 100),
			 SL_ESESSION);
	ck_assert_int_eq(sl_call_set_bitrate(NULL, 1, 32000), SL_EHANDLE);
	ck_assert_int_eq(sl_call_set_bitrate(A.ua, 1, 5999), SL_EINVAL);
	ck_assert_int_eq(sl_call_set_bitrate(A.ua, 1, 510001), SL_EINVAL);
	ck_assert_int_eq(sl_call_set_bitrate(A.ua, 99, 32000), SL_ESESSION);
	ck_assert_int_eq(sl_call_set_audio_cb(NULL, 1, 1, hook_audio, NULL),
			 SL_EHANDLE);
	ck_assert_int_eq(sl_call_set_audio_cb(A.ua, 1, 0, hook_audio, NULL),
			 SL_EINVAL);
	ck_assert_int_eq(sl_call_set_audio_cb(A.ua, 1, 4, hook_audio, NULL),
			 SL_EINVAL);
	ck_assert_int_eq(sl_call_set_audio_cb(A.ua, 99, 1, hook_audio, NULL),
			 SL_ESESSION);
	ck_assert_int_eq(sl_call_set_rtp_cb(NULL, 1, 1, hook_rtp, NULL),
			 SL_EHANDLE);
	ck_assert_int_eq(sl_call_set_rtp_cb(A.ua, 1, 0, hook_rtp, NULL),
			 SL_EINVAL);
	ck_assert_int_eq(sl_call_set_rtp_cb(A.ua, 99, 0, NULL, NULL),
			 SL_ESESSION);
	ck_assert_int_eq(sl_media_mute(NULL, 0), SL_EHANDLE);
	ck_assert_int_eq(sl_media_mute(A.ua, 8), SL_EINVAL);
	ck_assert_int_eq(sl_media_mute(A.ua, SL_MUTE_OUT), 0);
	ck_assert_int_eq(sl_media_mute(A.ua, 0), 0);
	ck_assert_int_eq(sl_media_set_volume(NULL, 1, 1), SL_EHANDLE);
	ck_assert_int_eq(sl_media_set_volume(A.ua, 256, 1), SL_EINVAL);
	ck_assert_int_eq(sl_media_set_volume(A.ua, 1, 256), SL_EINVAL);
	ck_assert_int_eq(sl_media_set_volume(A.ua, 200, 255), 0);
	ck_assert_int_eq(sl_media_loopback(NULL, 1), SL_EHANDLE);
	ck_assert_int_eq(sl_media_loopback(A.ua, 1), 0);
	ck_assert_int_eq(sl_media_loopback(A.ua, 0), 0);
	ck_assert_int_eq(sl_media_feed_pcm(NULL, pcm, 160, 8000), SL_EHANDLE);
	ck_assert_int_eq(sl_media_feed_pcm(A.ua, NULL, 160, 8000), SL_EINVAL);
	ck_assert_int_eq(sl_media_feed_pcm(A.ua, pcm, 160, 11025), SL_EINVAL);
	/* The capture device is not "app". */
	ck_assert_int_eq(sl_media_feed_pcm(A.ua, pcm, 160, 8000), SL_ESTATE);
	ck_assert_int_eq(sl_call_send_info(NULL, 1, "text/plain", "x", 1),
			 SL_EINVAL);
	ck_assert_int_eq(sl_call_send_info(A.ua, 1, "text/plain", NULL, 1),
			 SL_EINVAL);
	ck_assert_int_eq(sl_call_send_info(A.ua, 1, NULL, "x", 1), SL_EINVAL);
	ck_assert_int_eq(sl_call_send_info(A.ua, 1, "textplain", "x", 1),
			 SL_EINVAL);
	ck_assert_int_eq(sl_call_send_info(A.ua, 1, "text/plain\r\nX: y",
					   "x", 1), SL_EINVAL);
	ck_assert_int_eq(sl_call_send_info(A.ua, 1, "text/plain", big,
					   sizeof(big)), SL_EINVAL);
	ck_assert_int_eq(sl_call_send_info(A.ua, 0, "text/plain", "x", 1),
			 SL_ESESSION);
	ck_assert_int_eq(sl_call_send_info(A.ua, 99, "text/plain", "x", 1),
			 SL_ESESSION);

	/* Wrong state: a ringing call has no media yet. */
	sl_call_params_init(&p);
	p.callee = B.uri;
	as = sl_call_make(A.ua, &p);
	ck_assert_int_gt(as, 0);
	in = wait_ev(&B, SL_EV_INCOMING, 0, 3000);
	ck_assert_ptr_nonnull(in);
	bs = in->session;
	ck_assert_int_eq(sl_call_stats(B.ua, bs, &st), SL_ESTATE);
	ck_assert_int_eq(sl_call_stats_json(B.ua, bs, buf, sizeof(buf)),
			 SL_ESTATE);
	ck_assert_int_eq(sl_call_send_dtmf(B.ua, bs, "1", 0), SL_ESTATE);
	ck_assert_int_eq(sl_call_send_dtmf(B.ua, bs, "1", SL_DTMF_INFO),
			 SL_ESTATE);
	ck_assert_int_eq(sl_call_send_info(B.ua, bs, "text/plain", "x", 1),
			 SL_ESTATE);
	ck_assert_int_eq(sl_call_set_bitrate(B.ua, bs, 32000), SL_ESTATE);
	/* Settings before media are kept for it. */
	ck_assert_int_eq(sl_call_mute(B.ua, bs, SL_MUTE_IN | SL_MUTE_OUT), 0);
	ck_assert_int_eq(sl_call_set_scaling(B.ua, bs, 50, 200), 0);
	ck_assert_int_eq(sl_call_set_audio_cb(B.ua, bs, SL_DIR_RECEIVED,
					      hook_audio, NULL), 0);
	ck_assert_int_eq(sl_call_set_rtp_cb(B.ua, bs, SL_DIR_SENT, hook_rtp,
					    NULL), 0);
	ck_assert_int_eq(sl_call_answer(B.ua, bs, 0), 0);
	ck_assert_ptr_nonnull(wait_ev(&A, SL_EV_CONNECTED, as, 3000));
	ck_assert_ptr_nonnull(wait_ev(&B, SL_EV_MEDIA_STARTED, bs, 3000));
	/* No telephone-event in B's answer; PCMU has a fixed rate. */
	ck_assert_int_eq(sl_call_send_dtmf(A.ua, as, "1", SL_DTMF_RFC4733),
			 SL_EUNSUPP);
	ck_assert_int_eq(sl_call_set_bitrate(A.ua, as, 32000), SL_EUNSUPP);
	ck_assert_int_eq(sl_call_stats_json(A.ua, as, buf, 10), SL_ENOSPC);
	ck_assert_int_eq(sl_call_stats_json(A.ua, as, buf, 0), SL_ENOSPC);
	/* INFO digits: 32 may wait, not 33 (the first has gone). */
	ck_assert_int_eq(sl_call_send_dtmf(A.ua, as,
					   "12345678901234567890123456789012",
					   SL_DTMF_INFO), 0);
	ck_assert_int_eq(sl_call_send_dtmf(A.ua, as, "12", SL_DTMF_INFO),
			 SL_ELIMIT);
	ck_assert_int_eq(sl_call_set_audio_cb(B.ua, bs, 0, NULL, NULL), 0);
	ck_assert_int_eq(sl_call_set_rtp_cb(B.ua, bs, 0, NULL, NULL), 0);
	ck_assert_int_eq(sl_call_mute(B.ua, bs, 0), 0);
	hangup_ab(&A, &B, as, bs);
	sides_reset();
}
END_TEST

/* RFC 3556 per call: RS = RR = 0 switches this call's RTCP off, so no
 * side learns a round-trip time; back to the peer's/default values, the
 * reports flow and both do (RFC 3550 §6.4.1: A - LSR - DLSR). */
START_TEST(rtcp_bandwidth_per_call)
{
	struct sl_call_params p;
	const struct rec *in;
	struct sl_call_stats sa, sb;
	uint64_t end;
	int as, bs;

	side_make(&A, "alice", NULL, NULL);
	side_make(&B, "bob", NULL, NULL);
	ck_assert_int_eq(sl_call_set_rtcp_bandwidth(NULL, 1, 0, 0, 0),
			 SL_EHANDLE);
	ck_assert_int_eq(sl_call_set_rtcp_bandwidth(A.ua, 99, 0, 0, 0),
			 SL_ESESSION);
	ck_assert_int_eq(sl_call_set_rtcp_bandwidth(A.ua, 1, 0, -2, 0),
			 SL_EINVAL);
	ck_assert_int_eq(sl_call_set_rtcp_bandwidth(A.ua, 1, 0, 0, -2),
			 SL_EINVAL);
	/* Set while ringing, before either stream exists: kept for it. */
	sl_call_params_init(&p);
	p.callee = B.uri;
	as = sl_call_make(A.ua, &p);
	ck_assert_int_gt(as, 0);
	in = wait_ev(&B, SL_EV_INCOMING, 0, 3000);
	ck_assert_ptr_nonnull(in);
	bs = in->session;
	ck_assert_int_eq(sl_call_set_rtcp_bandwidth(A.ua, as, 64, 0, 0), 0);
	ck_assert_int_eq(sl_call_set_rtcp_bandwidth(B.ua, bs, 64, 0, 0), 0);
	ck_assert_int_eq(sl_call_answer(B.ua, bs, 0), 0);
	ck_assert_ptr_nonnull(wait_ev(&A, SL_EV_MEDIA_STARTED, as, 3000));
	ck_assert_ptr_nonnull(wait_ev(&B, SL_EV_MEDIA_STARTED, bs, 3000));
	/* Longer than the first report interval (2.5 s, halved minimum). */
	run_ms(6000);
	ck_assert_int_eq(sl_call_stats(A.ua, as, &sa), 0);
	ck_assert_int_eq(sl_call_stats(B.ua, bs, &sb), 0);
	ck_assert_msg(sa.rtt_ms < 0 && sb.rtt_ms < 0, "rtt %f %f",
		      sa.rtt_ms, sb.rtt_ms);
	ck_assert_int_eq(sl_call_set_rtcp_bandwidth(A.ua, as, 64, -1, -1), 0);
	ck_assert_int_eq(sl_call_set_rtcp_bandwidth(B.ua, bs, 64, -1, -1), 0);
	end = now_ms() + 15000;
	do {
		run_ms(250);
		ck_assert_int_eq(sl_call_stats(A.ua, as, &sa), 0);
		ck_assert_int_eq(sl_call_stats(B.ua, bs, &sb), 0);
	} while ((sa.rtt_ms < 0 || sb.rtt_ms < 0) && now_ms() < end);
	ck_assert_msg(sa.rtt_ms >= 0 && sb.rtt_ms >= 0, "rtt %f %f",
		      sa.rtt_ms, sb.rtt_ms);
	hangup_ab(&A, &B, as, bs);
	sides_reset();
}
END_TEST

static void no_media_tweak(struct sl_ua_config *cfg, const void *arg)
{
	(void)arg;
	cfg->media.enabled = 0;
}

START_TEST(media_disabled)
{
	struct sl_call_stats st;
	const struct rec *r;
	int16_t pcm[80] = { 0 };
	int as, bs;

	n_sides = 0;
	side_make(&A, "alice", no_media_tweak, NULL);
	side_make(&B, "bob", no_media_tweak, NULL);
	ck_assert_int_eq(sl_media_mute(A.ua, SL_MUTE_IN), SL_ESTATE);
	ck_assert_int_eq(sl_media_set_volume(A.ua, 1, 1), SL_ESTATE);
	ck_assert_int_eq(sl_media_loopback(A.ua, 1), SL_ESTATE);
	ck_assert_int_eq(sl_media_feed_pcm(A.ua, pcm, 80, 8000), SL_ESTATE);
	/* Signalling still negotiates: PCMU, no stream. */
	connect_ab(&A, &B, &as, &bs);
	r = wait_ev(&A, SL_EV_CONNECTED, as, 0);
	ck_assert_ptr_nonnull(r);
	ck_assert_ptr_nonnull(strstr(A.sdp, "m=audio "));
	ck_assert_int_eq(sl_call_stats(A.ua, as, &st), SL_ESTATE);
	ck_assert_int_eq(sl_call_send_dtmf(A.ua, as, "1", SL_DTMF_RFC4733),
			 SL_ESTATE);
	/* INFO needs no media. */
	ck_assert_int_eq(sl_call_send_dtmf(A.ua, as, "3", SL_DTMF_INFO), 0);
	r = wait_ev(&B, SL_EV_DTMF, bs, 3000);
	ck_assert_ptr_nonnull(r);
	ck_assert_int_eq(r->digit, '3');
	run_ms(100);
	ck_assert_int_eq(count(&A, SL_EV_MEDIA_STARTED, 0), 0);
	hangup_ab(&A, &B, as, bs);
	ck_assert_int_eq(count(&A, SL_EV_MEDIA_STATS, 0), 0);
	sides_reset();
}
END_TEST

static void app_tweak(struct sl_ua_config *cfg, const void *arg)
{
	(void)arg;
	copy_str(cfg->media.capture_dev, sizeof(cfg->media.capture_dev),
		 "app");
}

/* The application's PCM instead of a microphone: taken up to the
 * buffer's 100 ms, from any one thread, at the four rates. */
START_TEST(feed_pcm)
{
	static int16_t pcm[48000];
	int rc;

	n_sides = 0;
	side_make(&A, "alice", app_tweak, NULL);
	for (size_t i = 0; i < sizeof(pcm) / sizeof(pcm[0]); i++)
		pcm[i] = (int16_t)(8000 * sin(2 * 3.14159265 * 440 * i /
					      16000.0));
	ck_assert_int_eq(sl_media_feed_pcm(A.ua, pcm, 0, 8000), 0);
	ck_assert_int_eq(sl_media_feed_pcm(A.ua, pcm, 160, 8000), 160);
	ck_assert_int_eq(sl_media_feed_pcm(A.ua, pcm, 320, 16000), 320);
	/* A second of audio does not fit: part of it is taken. */
	rc = sl_media_feed_pcm(A.ua, pcm, 48000, 48000);
	ck_assert_int_ge(rc, 0);
	ck_assert_int_lt(rc, 48000);
	ck_assert_int_eq(sl_media_feed_pcm(A.ua, pcm, 160, 32000) >= 0, 1);
	ck_assert_int_eq(sl_media_feed_pcm(A.ua, pcm, 160, 44100), SL_EINVAL);
	sides_reset();
}
END_TEST

/* The statistics writer: escaping, non-finite numbers, every size. */
START_TEST(stats_json_writer)
{
	struct sl_call_stats st;
	char buf[1024], small[1024];
	int n;

	memset(&st, 0, sizeof(st));
	memcpy(st.codec, "a\"b\\c\x01\x7f", 8);
	memcpy(st.remote_rtp, "[::1]:4000", 11);
	st.payload_type = 96;
	st.lost = -2;              /* duplicates can make it negative */
	st.rtt_ms = NAN;
	st.mos = INFINITY;
	st.jitter_ms = 1.23456;
	st.tx_packets = UINT64_MAX;
	n = sl__media_stats_json(7, &st, buf, sizeof(buf));
	ck_assert_int_gt(n, 0);
	ck_assert_uint_eq(strlen(buf), (size_t)n);
	ck_assert_msg(json_ok(buf, (size_t)n), "%s", buf);
	ck_assert_ptr_nonnull(strstr(buf, "\"codec\":\"a\\\"b\\\\c\\u0001"
					  "\\u007f\""));
	ck_assert_ptr_nonnull(strstr(buf, "\"remote_rtp\":\"[::1]:4000\""));
	ck_assert_ptr_nonnull(strstr(buf, "\"lost\":-2,"));
	ck_assert_ptr_nonnull(strstr(buf, "\"rtt_ms\":null,"));
	ck_assert_ptr_nonnull(strstr(buf, "\"mos\":null,"));
	ck_assert_ptr_nonnull(strstr(buf, "\"jitter_ms\":1.235,"));
	ck_assert_ptr_nonnull(strstr(buf, "\"tx_packets\":"
					  "18446744073709551615,"));
	ck_assert_ptr_nonnull(strstr(buf, "{\"session\":7,"));
	/* Too small at every size: SL_ENOSPC and an empty string. */
	for (size_t cap = 0; cap <= (size_t)n; cap++) {
		memset(small, 'x', sizeof(small));
		ck_assert_int_eq(sl__media_stats_json(7, &st, small, cap),
				 SL_ENOSPC);
		if (cap)
			ck_assert_int_eq(small[0], '\0');
		ck_assert_int_eq(small[cap], 'x');
	}
	ck_assert_int_eq(sl__media_stats_json(7, &st, small, (size_t)n + 1),
			 n);
	ck_assert_str_eq(small, buf);
	ck_assert_int_eq(sl__media_stats_json(7, &st, NULL, 10), SL_ENOSPC);
	/* The digits DTMF takes. */
	for (int c = 0; c < 256; c++)
		ck_assert_int_eq(sl__dtmf_digit_ok((char)c),
				 c != 0 &&
				 strchr("0123456789*#ABCD!", c) != NULL);
}
END_TEST

/* ---- configuration checks of sl_ua_create() ---- */

struct bad_cfg {
	const char *what;
	void (*set)(struct sl_ua_config *c);
};

static void b_codec(struct sl_ua_config *c)
{
	copy_str(c->audio_codecs, sizeof(c->audio_codecs), "PCMU,G729");
}
static void b_codec_rate(struct sl_ua_config *c)
{
	copy_str(c->audio_codecs, sizeof(c->audio_codecs), "opus/8000");
}
static void b_only_te(struct sl_ua_config *c)
{
	copy_str(c->audio_codecs, sizeof(c->audio_codecs),
		 "telephone-event,CN");
}
static void b_pt_range(struct sl_ua_config *c)
{
	copy_str(c->media.payload_types, sizeof(c->media.payload_types),
		 "opus=95");
}
static void b_pt_syntax(struct sl_ua_config *c)
{
	copy_str(c->media.payload_types, sizeof(c->media.payload_types),
		 "opus:111");
}
static void b_pt_twice(struct sl_ua_config *c)
{
	copy_str(c->audio_codecs, sizeof(c->audio_codecs),
		 "opus,telephone-event");
	copy_str(c->media.payload_types, sizeof(c->media.payload_types),
		 "opus=101,telephone-event=101");
}
static void b_fmtp(struct sl_ua_config *c)
{
	copy_str(c->media.fmtp, sizeof(c->media.fmtp), "opus=x");
}
static void b_ptime(struct sl_ua_config *c)
{
	c->media.ptime_ms = 25;
}
static void b_maxptime(struct sl_ua_config *c)
{
	c->media.ptime_ms = 40;
	c->media.maxptime_ms = 20;
}
static void b_enabled(struct sl_ua_config *c)
{
	c->media.enabled = 2;
}
static void b_driver(struct sl_ua_config *c)
{
	copy_str(c->media.audio_driver, sizeof(c->media.audio_driver), "oss");
}
static void b_dtmf_len(struct sl_ua_config *c)
{
	c->media.dtmf_duration_ms = 30;
}
static void b_dtmf_method(struct sl_ua_config *c)
{
	c->media.dtmf_method = (enum sl_dtmf_method)7;
}
static void b_frame(struct sl_ua_config *c)
{
	c->media.device_frame_ms = 15;
}
static void b_rate(struct sl_ua_config *c)
{
	c->media.device_rate = 96000;
}
static void b_jb(struct sl_ua_config *c)
{
	c->media.jb_min_ms = 300;
	c->media.jb_max_ms = 200;
}
static void b_dscp(struct sl_ua_config *c)
{
	c->media.audio_dscp = 64;
}
static void b_bitrate(struct sl_ua_config *c)
{
	c->media.audio_bitrate = 1000;
}
static void b_rtcp(struct sl_ua_config *c)
{
	c->media.rtcp_rr_bps = -2;
}
static void b_threads(struct sl_ua_config *c)
{
	c->media.media_threads = 0;
}
static void b_capture(struct sl_ua_config *c)
{
	copy_str(c->media.capture_dev, sizeof(c->media.capture_dev),
		 "wav:/nonexistent/dir/x.wav");
}

static const struct bad_cfg bad_cfgs[] = {
	{ "unknown codec", b_codec }, { "codec rate", b_codec_rate },
	{ "no voice codec", b_only_te }, { "pt range", b_pt_range },
	{ "pt syntax", b_pt_syntax }, { "pt twice", b_pt_twice },
	{ "fmtp", b_fmtp }, { "ptime", b_ptime }, { "maxptime", b_maxptime },
	{ "enabled", b_enabled }, { "driver", b_driver },
	{ "dtmf length", b_dtmf_len }, { "dtmf method", b_dtmf_method },
	{ "frame", b_frame }, { "rate", b_rate }, { "jitter buffer", b_jb },
	{ "dscp", b_dscp }, { "bitrate", b_bitrate }, { "rtcp", b_rtcp },
	{ "threads", b_threads }, { "capture file", b_capture },
};

START_TEST(config_rejected)
{
	const struct bad_cfg *b = &bad_cfgs[_i];
	struct sl_ua_config cfg;
	struct sl_ua *ua = (struct sl_ua *)1;
	int rc;

	/* The configuration is checked before the UA sets the level. */
	sl_log_set_level(SL_LOG_NONE);
	base_config(&cfg);
	cfg.log_level = SL_LOG_NONE;
	b->set(&cfg);
	rc = sl_ua_create(&ua, &cfg);
	ck_assert_msg(rc < 0, "%s accepted", b->what);
	/* A device that cannot open is the device's error, not the
	 * configuration's. */
	if (b->set != b_capture)
		ck_assert_msg(rc == SL_EINVAL, "%s: %s", b->what,
			      sl_err_name(rc));
	ck_assert_ptr_null(ua);
}
END_TEST

START_TEST(config_defaults)
{
	struct sl_ua_config c;
	struct sl_ua *ua;

	sl_ua_config_init(&c);
	ck_assert_int_eq(c.media.enabled, 1);
	ck_assert_str_eq(c.media.audio_driver, "virtual");
	ck_assert_str_eq(c.media.capture_dev, "");
	ck_assert_str_eq(c.media.playback_dev, "");
	ck_assert_uint_eq(c.media.ptime_ms, 20);
	ck_assert_uint_eq(c.media.maxptime_ms, 0);
	ck_assert_uint_eq(c.media.jb_min_ms, 20);
	ck_assert_uint_eq(c.media.jb_max_ms, 200);
	ck_assert_uint_eq(c.media.media_timeout_ms, 30000);
	ck_assert_int_eq(c.media.keepalive_pt, 13);
	ck_assert_uint_eq(c.media.keepalive_ms, 0);
	ck_assert_int_eq(c.media.audio_dscp, -1);
	ck_assert_uint_eq(c.media.media_threads, 1);
	ck_assert_uint_eq(c.media.max_streams, 0);
	ck_assert_int_eq(c.media.dtmf_method, SL_DTMF_RFC4733);
	ck_assert_uint_eq(c.media.dtmf_duration_ms, 100);
	ck_assert_int_eq(c.media.dtmf_local_tone, 0);
	ck_assert_int_eq(c.media.rtcp_mux, 1);
	ck_assert_uint_eq(c.media.rtcp_as_kbps, 0);
	ck_assert_int_eq(c.media.rtcp_rs_bps, -1);
	ck_assert_int_eq(c.media.rtcp_rr_bps, -1);
	/* The defaults create a UA; "L16/16000" picks one rate. */
	base_config(&c);
	copy_str(c.audio_codecs, sizeof(c.audio_codecs),
		 "L16/16000,pcmu,telephone-event");
	ck_assert_int_eq(sl_ua_create(&ua, &c), 0);
	ck_assert_int_eq(sl_ua_destroy(ua, 0), 0);
}
END_TEST

/* ---- the suite ---- */

static void setup_none(void)
{
	n_sides = 0;
}

static void teardown_all(void)
{
	sides_reset();
}

static Suite *check_media_api_suite(void)
{
	Suite *s = suite_create("media_api");
	TCase *calls = tcase_create("calls");
	TCase *conf = tcase_create("config");

	tcase_add_checked_fixture(calls, setup_none, teardown_all);
	tcase_set_timeout(calls, 30);
	tcase_add_test(calls, sdp_from_media_config);
	tcase_add_test(calls, api_errors);
	tcase_add_test(calls, media_disabled);
	tcase_add_test(calls, stats_json_writer);
	tcase_add_test(calls, feed_pcm);
	tcase_add_test(calls, rtcp_bandwidth_per_call);
	suite_add_tcase(s, calls);

	tcase_add_loop_test(conf, config_rejected, 0,
			    sizeof(bad_cfgs) / sizeof(bad_cfgs[0]));
	tcase_add_test(conf, config_defaults);
	suite_add_tcase(s, conf);
	return s;
}

SL_CHECK_MAIN(check_media_api_suite)
