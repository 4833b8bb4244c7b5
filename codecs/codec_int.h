/*
 * codecs/codec_int.h: the built-in codec objects, shared by the codec
 * folders (each defines its own) and codecs/registry/registry.c (which
 * lists them first, in the order below).
 *
 * Nothing outside codecs/ includes this header: the library reaches the
 * codecs through sipline/codec.h (sl_codec_find, sl_codec_list).
 *
 * Thread: the objects are immutable; any thread may read them.
 */
#ifndef SL_CODECS_CODEC_INT_H
#define SL_CODECS_CODEC_INT_H

#include "sipline/codec.h"

/* codecs/g711/g711.c: ITU-T G.711, RFC 3551 §4.5.14. */
extern const struct sl_codec sl__codec_pcmu;
extern const struct sl_codec sl__codec_pcma;

/* codecs/g722/: ITU-T G.722, RTP clock 8000, PCM 16000 (RFC 3551 §4.5.2). */
extern const struct sl_codec sl__codec_g722;

/* codecs/l16/l16.c: 16-bit linear PCM, network order (RFC 3551 §4.5.11). */
extern const struct sl_codec sl__codec_l16_8k;
extern const struct sl_codec sl__codec_l16_16k;
extern const struct sl_codec sl__codec_l16_44k;
extern const struct sl_codec sl__codec_l16_48k;

/* codecs/opus/opus.c: libopus, "opus/48000/2" (RFC 7587). */
extern const struct sl_codec sl__codec_opus;

/* codecs/cn/cn.c: RFC 4733 telephone-event (an SDP entry: the media
 * engine itself sends and reads its packets) and RFC 3389 comfort noise. */
extern const struct sl_codec sl__codec_tel_event;
extern const struct sl_codec sl__codec_cn;

#endif /* SL_CODECS_CODEC_INT_H */
