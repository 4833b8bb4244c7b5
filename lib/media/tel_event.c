/*
 * lib/media/tel_event.c: the RFC 4733 telephone-event payload (§2.3) and
 * the DTMF digit <-> event code table (§3.2, table 1: events 0-16).
 *
 * Owns: nothing (pure functions over caller-owned bytes).
 * Thread: any (the media thread per DTMF packet; the SIP loop for
 * SIP INFO digits).
 * Called by: the media engine's DTMF sender and receiver.
 */
#include "media/rtp.h"
#include "sipline/error.h"

enum {
	EV_LEN = 4,
	EV_FLASH = 16,          /* hook flash, the last event of table 1 */
	EV_VOLUME_MAX = 63      /* 6 bits of -dBm0 */
};

int sl__tel_event_parse(const uint8_t *p, size_t len, struct sl_tel_event *e)
{
	if (!p || !e)
		return SL_EINVAL;
	if (len < EV_LEN)
		return SL_EPARSE;
	/* Events past 16 (fax and modem tones, §3.2 of RFC 4734) are not
	 * DTMF; refusing them here keeps every caller's event in 0..16,
	 * and a receiver ignores events it does not know anyway (§2.5.2). */
	if (p[0] > EV_FLASH)
		return SL_EPARSE;
	e->event = p[0];
	e->end = p[1] >> 7;
	/* Bit 6 is reserved: senders set it to 0, receivers ignore it. */
	e->volume = p[1] & 0x3f;
	e->duration = (uint16_t)((unsigned)p[2] << 8 | p[3]);
	return 0;
}

int sl__tel_event_write(uint8_t *out, size_t cap, const struct sl_tel_event *e)
{
	if (!out || !e || e->event > EV_FLASH || e->volume > EV_VOLUME_MAX)
		return SL_EINVAL;
	if (cap < EV_LEN)
		return SL_ENOSPC;
	out[0] = e->event;
	out[1] = (uint8_t)((e->end ? 0x80 : 0) | e->volume);
	out[2] = (uint8_t)(e->duration >> 8);
	out[3] = (uint8_t)e->duration;
	return EV_LEN;
}

int sl__tel_event_code(char digit)
{
	if (digit >= '0' && digit <= '9')
		return digit - '0';
	if (digit >= 'A' && digit <= 'D')
		return 12 + (digit - 'A');
	if (digit >= 'a' && digit <= 'd')
		return 12 + (digit - 'a');
	switch (digit) {
	case '*':
		return 10;
	case '#':
		return 11;
	case '!':
		return EV_FLASH;
	default:
		return -1;
	}
}

char sl__tel_event_digit(uint8_t code)
{
	static const char digits[EV_FLASH + 1] = "0123456789*#ABCD!";

	/* (char)-1 for anything else: on targets where char is unsigned
	 * callers must compare with (char)-1, not with -1. */
	if (code > EV_FLASH)
		return (char)-1;
	return digits[code];
}
