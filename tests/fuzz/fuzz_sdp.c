/*
 * tests/fuzz/fuzz_sdp.c: libFuzzer target for the SDP parser, writer and
 * offer/answer functions (lib/sip/sdp_*.c).
 *
 * Properties checked (abort on violation):
 * - a parsed description writes, and the text parses back to the same
 *   fields (sl_sdp_equal) and writes to the same bytes;
 * - our answer to it, for a fixed set of capabilities, passes our own
 *   answer check and survives the same round trip;
 * - the outcome of every stream is computable from both sides.
 * It is also used as the peer's answer to a fixed offer of ours.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sipline/sdp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

enum { OUT_CAP = 1 << 20 };

static struct sl_sdp sdp, back, answer, answer_back, offer;
static char out1[OUT_CAP], out2[OUT_CAP], out3[OUT_CAP];

static const struct sl_sdp_codec audio[] = {
	{ "opus", 48000, 2, 96, "useinbandfec=1" },
	{ "G722", 8000, 1, 9, NULL },
	{ "PCMA", 8000, 1, 8, NULL },
	{ "PCMU", 8000, 1, 0, NULL },
	{ "CN", 8000, 1, 13, NULL },
	{ "telephone-event", 8000, 1, 101, "0-16" },
	{ "telephone-event", 48000, 1, 102, "0-16" },
};

static const struct sl_sdp_codec video[] = {
	{ "H264", 90000, 0, 97, "packetization-mode=1" },
	{ "VP8", 90000, 0, 98, NULL },
};

static const struct sl_sdp_crypto keys[] = {
	{ 1, { "AES_CM_128_HMAC_SHA1_80", 23 },
	  { "inline:d0RmdmcmVCspeEc3QGZiNWpVLFJhQX1cfHAwJSoj", 47 },
	  { NULL, 0 } },
	{ 2, { "AES_CM_128_HMAC_SHA1_32", 23 },
	  { "inline:NzB4d1BINUAvLEw6UzF3WSJ+PSdFcGdUJShpX1Zj", 47 },
	  { "KDR=1", 5 } },
};

static const struct sl_sdp_session_cfg session = {
	"fuzz", "1", "2", "-", "192.0.2.1"
};

static const struct sl_sdp_media_cfg caps[] = {
	{ SL_SDP_MEDIA_AUDIO, 4000, 4001, NULL, SL_SDP_DIR_NONE, audio, 7, 20,
	  0, 1, SL_SDP_SRTP_OPTIONAL, keys, 2, NULL, "a", 0 },
	{ SL_SDP_MEDIA_VIDEO, 4010, 0, NULL, SL_SDP_DIR_SENDRECV, video, 2,
	  0, 0, 1, SL_SDP_SRTP_OFF, NULL, 0, NULL, NULL, 0 },
	{ SL_SDP_MEDIA_VIDEO, 4020, 0, NULL, SL_SDP_DIR_RECVONLY, video, 2,
	  0, 0, 0, SL_SDP_SRTP_OFF, NULL, 0, "slides", NULL, 1 },
};

static void round_trip(const struct sl_sdp *s, char *a, char *b,
		       struct sl_sdp *tmp)
{
	struct sl_sdp_error err;
	int n1, n2;

	n1 = sl_sdp_write(s, a, OUT_CAP);
	if (n1 <= 0)
		abort();
	if (sl_sdp_parse(tmp, a, (size_t)n1, &err) != 0)
		abort();
	if (!sl_sdp_equal(s, tmp))
		abort();
	n2 = sl_sdp_write(tmp, b, OUT_CAP);
	if (n2 != n1 || memcmp(a, b, (size_t)n1) != 0)
		abort();
}

static void outcome(const struct sl_sdp *o, const struct sl_sdp *a,
		    int we_offered)
{
	struct sl_sdp_stream st;

	for (size_t i = 0; i < o->n_media && i < a->n_media; i++) {
		if (sl_sdp_negotiated(o, a, we_offered, i, &st) != 0)
			abort();
		if (st.active && (st.pt_send < 0 || st.pt_send > 127 ||
				  st.pt_recv < 0 || st.pt_recv > 127 ||
				  st.encoding.len == 0))
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sl_sdp_error err;
	const char *why;
	int rc, accepted;

	if (size > OUT_CAP / 4)
		return 0;
	rc = sl_sdp_parse(&sdp, (const char *)data, size, &err);
	if (rc != 0) {
		if (rc != SL_EPARSE && rc != SL_ELIMIT)
			abort();
		if (!err.reason || err.offset > size)
			abort();
		return 0;
	}
	round_trip(&sdp, out1, out2, &back);

	/* we answer it */
	accepted = sl_sdp_answer(&answer, &sdp, &session, caps, 3);
	if (accepted < 0)
		abort();
	if (sl_sdp_check_answer(&sdp, &answer, &why) != 0)
		abort();
	round_trip(&answer, out3, out2, &answer_back);
	outcome(&sdp, &answer, 0);
	sl_sdp_hold(&answer, &sdp);
	if (sl_sdp_write(&answer, out3, OUT_CAP) <= 0)
		abort();

	/* it answers our offer */
	if (sl_sdp_build_offer(&offer, &session, caps, 3) != 0)
		abort();
	(void)sl_sdp_check_answer(&offer, &sdp, &why);
	outcome(&offer, &sdp, 1);
	return 0;
}
