/*
 * include/sipline/version.h: the library's version.
 *
 * Thread: any.
 */
#ifndef SIPLINE_VERSION_H
#define SIPLINE_VERSION_H

#ifdef __cplusplus
extern "C" {
#endif

#define SL_VERSION_MAJOR 0
#define SL_VERSION_MINOR 1
#define SL_VERSION_PATCH 0

/**
 * sl_version() - the version of the linked library, "MAJOR.MINOR.PATCH".
 * Return: a static string; never NULL. It may differ from the SL_VERSION_*
 * macros when an application runs against a newer shared library.
 * Thread: any.
 */
const char *sl_version(void);

#ifdef __cplusplus
}
#endif

#endif /* SIPLINE_VERSION_H */
