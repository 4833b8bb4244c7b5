/*
 * lib/device/noalsa.c: the "alsa" driver's place in a build without ALSA
 * (make NO_ALSA=1 drops lib/device/alsa*.c and defines SL_NO_ALSA).
 *
 * Owns: nothing. Thread: none.
 */
#include "sipline/device.h"

#ifdef SL_NO_ALSA
const struct sl_audio_driver *const sl_audio_driver_alsa = NULL;
#else
/* ISO C wants at least one declaration in a translation unit. */
typedef int sl__noalsa_unused;
#endif
