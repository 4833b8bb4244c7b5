/*
 * lib/sip/msg_names.c: method and header-name tables (RFC 3261 §7.1,
 * §7.3.3 compact forms, and the extension RFCs in SL_HDR_LIST).
 *
 * Owns: the header-name lookup table, built once from SL_HDR_LIST.
 * Thread: any; the table is built under pthread_once and read-only after.
 *
 * Header names are looked up while the splitter already knows the name's
 * length and its first and last byte, so the bucket costs nothing extra to
 * compute; the candidate is then confirmed by a full case-insensitive
 * comparison.
 */
#include <pthread.h>
#include <string.h>

#include "msg_int.h"

struct hdr_name {
	const char *name;
	uint8_t len;
	char compact;
};

static const struct hdr_name hdr_names[SL_HDR__COUNT] = {
	[SL_HDR_OTHER] = { "", 0, 0 },
#define SL_HDR_ROW_(id, nm, c) [SL_HDR_##id] = { nm, sizeof(nm) - 1, c },
	SL_HDR_LIST(SL_HDR_ROW_)
#undef SL_HDR_ROW_
};

enum { BUCKETS = 256, PER_BUCKET = 4 };

static uint8_t buckets[BUCKETS][PER_BUCKET];
/* Lower-case copies, zero-padded, compared a word at a time. */
static char lower_names[SL_HDR__COUNT][24];
static uint8_t by_compact[26];
static pthread_once_t tables_once = PTHREAD_ONCE_INIT;

static void build_tables(void)
{
	for (unsigned id = 1; id < SL_HDR__COUNT; id++) {
		const struct hdr_name *h = &hdr_names[id];
		unsigned b = sl__hdr_bucket(h->len, (unsigned char)h->name[0],
					    (unsigned char)h->name[h->len - 1]);
		unsigned i = 0;

		for (unsigned k = 0; k < h->len && k < sizeof(lower_names[0]);
		     k++)
			lower_names[id][k] = (char)sl__lower(
				(unsigned char)h->name[k]);
		while (i < PER_BUCKET && buckets[b][i])
			i++;
		/* The table is fixed at compile time; check_sip_msg walks
		 * every name, so an overflow here fails a test, not a user. */
		if (i < PER_BUCKET)
			buckets[b][i] = (uint8_t)id;
		if (h->compact)
			by_compact[h->compact - 'a'] = (uint8_t)id;
	}
}

void sl__hdr_tables_init(void)
{
	pthread_once(&tables_once, build_tables);
}

/* Known names are letters and '-' only, so OR-ing 0x20 into each input
 * byte folds case without a table: a letter becomes lower case, '-' stays
 * '-', and no other token byte can turn into a letter or '-'. */
static int name_eq(const char *lower, const char *p, size_t len)
{
	const uint64_t fold = 0x2020202020202020ull;

	for (; len >= 8; len -= 8, p += 8, lower += 8) {
		uint64_t a, b;

		memcpy(&a, lower, 8);
		memcpy(&b, p, 8);
		if ((b | fold) != a)
			return 0;
	}
	for (; len; len--)
		if ((*p++ | 0x20) != *lower++)
			return 0;
	return 1;
}

enum sl_hdr_id sl__hdr_lookup(const char *p, size_t len)
{
	unsigned b;

	if (len == 1) {
		unsigned char c = sl__lower((unsigned char)p[0]);

		return (c >= 'a' && c <= 'z') ? by_compact[c - 'a']
					      : SL_HDR_OTHER;
	}
	if (len == 0 || len > 255)
		return SL_HDR_OTHER;
	b = sl__hdr_bucket(len, (unsigned char)p[0], (unsigned char)p[len - 1]);
	for (unsigned i = 0; i < PER_BUCKET && buckets[b][i]; i++) {
		const struct hdr_name *h = &hdr_names[buckets[b][i]];

		if (h->len == len && name_eq(lower_names[buckets[b][i]], p, len))
			return (enum sl_hdr_id)buckets[b][i];
	}
	return SL_HDR_OTHER;
}

enum sl_hdr_id sl_hdr_id_from_name(const char *p, size_t len)
{
	if (!p)
		return SL_HDR_OTHER;
	sl__hdr_tables_init();
	return sl__hdr_lookup(p, len);
}

const char *sl_hdr_name(enum sl_hdr_id id)
{
	if ((unsigned)id >= SL_HDR__COUNT)
		return "";
	return hdr_names[id].name;
}

int sl__hdr_bucket_overflows(void)
{
	unsigned n = 0;

	sl__hdr_tables_init();
	for (unsigned id = 1; id < SL_HDR__COUNT; id++)
		if (sl__hdr_lookup(hdr_names[id].name, hdr_names[id].len) != id)
			n++;
	return (int)n;
}

/* ---- methods ---- */

static const char *const method_names[] = {
	[SL_METHOD_NONE] = "",
	[SL_METHOD_INVITE] = "INVITE",
	[SL_METHOD_ACK] = "ACK",
	[SL_METHOD_BYE] = "BYE",
	[SL_METHOD_CANCEL] = "CANCEL",
	[SL_METHOD_OPTIONS] = "OPTIONS",
	[SL_METHOD_REGISTER] = "REGISTER",
	[SL_METHOD_PRACK] = "PRACK",
	[SL_METHOD_SUBSCRIBE] = "SUBSCRIBE",
	[SL_METHOD_NOTIFY] = "NOTIFY",
	[SL_METHOD_PUBLISH] = "PUBLISH",
	[SL_METHOD_INFO] = "INFO",
	[SL_METHOD_REFER] = "REFER",
	[SL_METHOD_MESSAGE] = "MESSAGE",
	[SL_METHOD_UPDATE] = "UPDATE",
	[SL_METHOD_OTHER] = "",
};

enum sl_method sl_method_from_name(const char *p, size_t len)
{
	if (!p || len < 3 || len > 9)
		return SL_METHOD_OTHER;
	/* Methods are case-sensitive (RFC 3261 §7.1): compare exactly. The
	 * first byte and the length pick the one candidate. */
	switch (p[0]) {
	case 'I':
		if (len == 6 && memcmp(p, "INVITE", 6) == 0)
			return SL_METHOD_INVITE;
		if (len == 4 && memcmp(p, "INFO", 4) == 0)
			return SL_METHOD_INFO;
		break;
	case 'A':
		if (len == 3 && memcmp(p, "ACK", 3) == 0)
			return SL_METHOD_ACK;
		break;
	case 'B':
		if (len == 3 && memcmp(p, "BYE", 3) == 0)
			return SL_METHOD_BYE;
		break;
	case 'C':
		if (len == 6 && memcmp(p, "CANCEL", 6) == 0)
			return SL_METHOD_CANCEL;
		break;
	case 'O':
		if (len == 7 && memcmp(p, "OPTIONS", 7) == 0)
			return SL_METHOD_OPTIONS;
		break;
	case 'R':
		if (len == 8 && memcmp(p, "REGISTER", 8) == 0)
			return SL_METHOD_REGISTER;
		if (len == 5 && memcmp(p, "REFER", 5) == 0)
			return SL_METHOD_REFER;
		break;
	case 'P':
		if (len == 5 && memcmp(p, "PRACK", 5) == 0)
			return SL_METHOD_PRACK;
		if (len == 7 && memcmp(p, "PUBLISH", 7) == 0)
			return SL_METHOD_PUBLISH;
		break;
	case 'S':
		if (len == 9 && memcmp(p, "SUBSCRIBE", 9) == 0)
			return SL_METHOD_SUBSCRIBE;
		break;
	case 'N':
		if (len == 6 && memcmp(p, "NOTIFY", 6) == 0)
			return SL_METHOD_NOTIFY;
		break;
	case 'M':
		if (len == 7 && memcmp(p, "MESSAGE", 7) == 0)
			return SL_METHOD_MESSAGE;
		break;
	case 'U':
		if (len == 6 && memcmp(p, "UPDATE", 6) == 0)
			return SL_METHOD_UPDATE;
		break;
	default:
		break;
	}
	return SL_METHOD_OTHER;
}

const char *sl_method_name(enum sl_method m)
{
	if ((unsigned)m > SL_METHOD_OTHER)
		return "";
	return method_names[m];
}

/* Headers whose grammar is a comma-separated list (RFC 3261 §7.3.1): the
 * splitter gives each element its own struct sl_hdr. */
int sl__hdr_is_list(enum sl_hdr_id id)
{
	switch (id) {
	case SL_HDR_VIA:
	case SL_HDR_CONTACT:
	case SL_HDR_ROUTE:
	case SL_HDR_RECORD_ROUTE:
	case SL_HDR_ALLOW:
	case SL_HDR_SUPPORTED:
	case SL_HDR_REQUIRE:
	case SL_HDR_PROXY_REQUIRE:
	case SL_HDR_UNSUPPORTED:
	case SL_HDR_ACCEPT:
	case SL_HDR_ALLOW_EVENTS:
	case SL_HDR_ACCEPT_ENCODING:
	case SL_HDR_ACCEPT_LANGUAGE:
	case SL_HDR_PATH:
	case SL_HDR_SERVICE_ROUTE:
	case SL_HDR_ACCEPT_CONTACT:
	case SL_HDR_REJECT_CONTACT:
	case SL_HDR_P_ASSERTED_IDENTITY:
	case SL_HDR_CONTENT_ENCODING:
	case SL_HDR_REQUEST_DISPOSITION:
	case SL_HDR_WARNING:
	case SL_HDR_CALL_INFO:
	case SL_HDR_ALERT_INFO:
	case SL_HDR_REASON:      /* RFC 3326 §2 */
		return 1;
	default:
		return 0;
	}
}
