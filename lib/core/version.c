/*
 * lib/core/version.c: the version string of the built library.
 *
 * Thread: any.
 */
#include "sipline/version.h"

#define SL_STR2_(x) #x
#define SL_STR_(x) SL_STR2_(x)

const char *sl_version(void)
{
	return SL_STR_(SL_VERSION_MAJOR) "." SL_STR_(SL_VERSION_MINOR) "."
		SL_STR_(SL_VERSION_PATCH);
}
