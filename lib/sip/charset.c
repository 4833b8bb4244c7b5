/*
 * lib/sip/charset.c: the character class table of charset.h, computed by the
 * compiler from the RFC 3261 §25.1 definitions below.
 *
 * Thread: read-only data.
 */
#include "charset.h"

#define IN_(c, a, b) ((c) >= (a) && (c) <= (b))
#define ALPHA_(c) (IN_(c, 'a', 'z') || IN_(c, 'A', 'Z'))
#define DIGIT_(c) IN_(c, '0', '9')
#define ALNUM_(c) (ALPHA_(c) || DIGIT_(c))
#define HEX_(c) (DIGIT_(c) || IN_(c, 'a', 'f') || IN_(c, 'A', 'F'))
#define MARK_(c) ((c) == '-' || (c) == '_' || (c) == '.' || (c) == '!' || \
		  (c) == '~' || (c) == '*' || (c) == '\'' || (c) == '(' || \
		  (c) == ')')
#define UNRES_(c) (ALNUM_(c) || MARK_(c))
#define TOKEN_(c) (ALNUM_(c) || (c) == '-' || (c) == '.' || (c) == '!' || \
		   (c) == '%' || (c) == '*' || (c) == '_' || (c) == '+' || \
		   (c) == '`' || (c) == '\'' || (c) == '~')
#define WS_(c) ((c) == ' ' || (c) == '\t' || (c) == '\r' || (c) == '\n')
#define USER_(c) (UNRES_(c) || (c) == '&' || (c) == '=' || (c) == '+' || \
		  (c) == '$' || (c) == ',' || (c) == ';' || (c) == '?' || \
		  (c) == '/')
#define PASSWORD_(c) (UNRES_(c) || (c) == '&' || (c) == '=' || \
		      (c) == '+' || (c) == '$' || (c) == ',')
#define PARAM_(c) (UNRES_(c) || (c) == '[' || (c) == ']' || (c) == '/' || \
		   (c) == ':' || (c) == '&' || (c) == '+' || (c) == '$')
#define HNV_(c) (UNRES_(c) || (c) == '[' || (c) == ']' || (c) == '/' || \
		 (c) == '?' || (c) == ':' || (c) == '+' || (c) == '$')
#define WORD_(c) (TOKEN_(c) || (c) == '(' || (c) == ')' || (c) == '<' || \
		  (c) == '>' || (c) == ':' || (c) == '\\' || (c) == '"' || \
		  (c) == '/' || (c) == '[' || (c) == ']' || (c) == '?' || \
		  (c) == '{' || (c) == '}')
#define RESERVED_(c) ((c) == ';' || (c) == '/' || (c) == '?' || \
		      (c) == ':' || (c) == '@' || (c) == '&' || (c) == '=' || \
		      (c) == '+' || (c) == '$' || (c) == ',')
#define HOST_(c) (ALNUM_(c) || (c) == '-' || (c) == '.')
#define UTF8_(c) ((c) >= 0x80)
#define TEXT_(c) (IN_(c, 0x20, 0x7e) || (c) == '\t' || UTF8_(c))

#define CLS_(c) (uint16_t)( \
	(ALPHA_(c) ? SL_CH_ALPHA : 0) | (DIGIT_(c) ? SL_CH_DIGIT : 0) | \
	(HEX_(c) ? SL_CH_HEX : 0) | (TOKEN_(c) ? SL_CH_TOKEN : 0) | \
	(WS_(c) ? SL_CH_WS : 0) | (UNRES_(c) ? SL_CH_UNRESERVED : 0) | \
	(USER_(c) ? SL_CH_USER : 0) | (PASSWORD_(c) ? SL_CH_PASSWORD : 0) | \
	(PARAM_(c) ? SL_CH_PARAM : 0) | (HNV_(c) ? SL_CH_HNV : 0) | \
	(WORD_(c) ? SL_CH_WORD : 0) | (RESERVED_(c) ? SL_CH_RESERVED : 0) | \
	(HOST_(c) ? SL_CH_HOST : 0) | (UTF8_(c) ? SL_CH_UTF8 : 0) | \
	(TEXT_(c) ? SL_CH_TEXT : 0))

#define R4_(n) CLS_(n), CLS_((n) + 1), CLS_((n) + 2), CLS_((n) + 3)
#define R16_(n) R4_(n), R4_((n) + 4), R4_((n) + 8), R4_((n) + 12)
#define R64_(n) R16_(n), R16_((n) + 16), R16_((n) + 32), R16_((n) + 48)

const uint16_t sl__charset[256] = {
	R64_(0), R64_(64), R64_(128), R64_(192)
};
