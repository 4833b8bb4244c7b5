/*
 * lib/sip/charset.h: RFC 3261 §25.1 character classes as one 256-entry table
 * built at compile time, so no parser depends on the C locale (isalpha()).
 *
 * Thread: read-only data; any thread.
 */
#ifndef SL_SIP_CHARSET_H
#define SL_SIP_CHARSET_H

#include <stdint.h>

enum sl_ch_class {
	SL_CH_ALPHA = 1u << 0,
	SL_CH_DIGIT = 1u << 1,
	SL_CH_HEX = 1u << 2,
	SL_CH_TOKEN = 1u << 3,       /* token */
	SL_CH_WS = 1u << 4,          /* SP HT CR LF (LWS inside a value) */
	SL_CH_UNRESERVED = 1u << 5,  /* alphanum / mark */
	SL_CH_USER = 1u << 6,        /* unreserved / user-unreserved */
	SL_CH_PASSWORD = 1u << 7,    /* unreserved / & = + $ , */
	SL_CH_PARAM = 1u << 8,       /* unreserved / param-unreserved */
	SL_CH_HNV = 1u << 9,         /* unreserved / hnv-unreserved */
	SL_CH_WORD = 1u << 10,       /* word (Call-ID) */
	SL_CH_RESERVED = 1u << 11,   /* reserved */
	SL_CH_HOST = 1u << 12,       /* alphanum / - . */
	SL_CH_UTF8 = 1u << 13,       /* 0x80-0xFF */
	SL_CH_TEXT = 1u << 14        /* visible ASCII, SP, HT and UTF-8 bytes */
};

extern const uint16_t sl__charset[256];

static inline int sl__ch(unsigned char c, unsigned cls)
{
	return (sl__charset[c] & cls) != 0;
}

static inline int sl__hexval(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static inline unsigned char sl__lower(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') ? (unsigned char)(c + 32) : c;
}

#endif /* SL_SIP_CHARSET_H */
