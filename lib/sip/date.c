/*
 * lib/sip/date.c: the Date header's rfc1123-date (RFC 3261 §20.17, §25.1).
 *
 * Owns: nothing.
 * Thread: pure; any thread.
 *
 * SIP-date = wkday "," SP date1 SP time SP "GMT"
 * date1    = 2DIGIT SP month SP 4DIGIT
 * time     = 2DIGIT ":" 2DIGIT ":" 2DIGIT
 */
#include <string.h>

#include "scan.h"
#include "sipline/headers.h"

static int take_name(struct sl_cur *c, const char *const *names, int n)
{
	if (c->end - c->p < 3)
		return -1;
	for (int i = 0; i < n; i++)
		if (memcmp(c->p, names[i], 3) == 0) {
			c->p += 3;
			return i;
		}
	return -1;
}

static int take_digits(struct sl_cur *c, int n, int *out)
{
	int v = 0;

	if (c->end - c->p < n)
		return 0;
	for (int i = 0; i < n; i++) {
		if (c->p[i] < '0' || c->p[i] > '9')
			return 0;
		v = v * 10 + (c->p[i] - '0');
	}
	c->p += n;
	*out = v;
	return 1;
}

static int take_char(struct sl_cur *c, char ch)
{
	if (c->p < c->end && *c->p == ch) {
		c->p++;
		return 1;
	}
	return 0;
}

/* Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar: the
 * year is counted from March so February's length only matters at the
 * end of a counted year. */
static int64_t days_from_civil(int64_t y, int m, int d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static int days_in_month(int y, int m)
{
	static const int days[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31,
				      30, 31 };
	int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

	return m == 2 ? 28 + leap : days[m - 1];
}

int sl_date_decode(struct sl_slice v, int64_t *unix_time)
{
	static const char *const wkdays[] = { "Mon", "Tue", "Wed", "Thu",
					      "Fri", "Sat", "Sun" };
	static const char *const months[] = { "Jan", "Feb", "Mar", "Apr",
					      "May", "Jun", "Jul", "Aug",
					      "Sep", "Oct", "Nov", "Dec" };
	struct sl_cur c;
	int day, mon, year, hh, mm, ss;

	if (!unix_time || (!v.p && v.len))
		return SL_EINVAL;
	c = sl__cur(sl__trim(v));
	if (take_name(&c, wkdays, 7) < 0 || !take_char(&c, ',') ||
	    !take_char(&c, ' ') || !take_digits(&c, 2, &day) ||
	    !take_char(&c, ' ') || (mon = take_name(&c, months, 12)) < 0 ||
	    !take_char(&c, ' ') || !take_digits(&c, 4, &year) ||
	    !take_char(&c, ' ') || !take_digits(&c, 2, &hh) ||
	    !take_char(&c, ':') || !take_digits(&c, 2, &mm) ||
	    !take_char(&c, ':') || !take_digits(&c, 2, &ss) ||
	    !take_char(&c, ' ') || c.end - c.p != 3 ||
	    memcmp(c.p, "GMT", 3) != 0)
		return SL_EPARSE;
	mon++;
	/* 60 seconds: a leap second, which POSIX time folds into the next */
	if (day < 1 || day > days_in_month(year, mon) || hh > 23 || mm > 59 ||
	    ss > 60)
		return SL_EPARSE;
	*unix_time = days_from_civil(year, mon, day) * 86400 +
		     hh * 3600 + mm * 60 + ss;
	return 0;
}
