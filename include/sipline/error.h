/*
 * include/sipline/error.h: the one error model of sipline.
 *
 * Every public function returns int: zero or a positive value is success (or
 * an id), a negative value is one of the codes below. Codes are append-only:
 * a retired code keeps its number so firmware built against an old header
 * still reads the right message.
 *
 * Thread: every function here is pure and may be called from any thread.
 */
#ifndef SIPLINE_ERROR_H
#define SIPLINE_ERROR_H

#ifdef __cplusplus
extern "C" {
#endif

/*
 * The list that drives the enum, sl_err_name() and sl_strerror(): a code
 * without a message cannot be written. X(name, value, message).
 */
#define SL_ERR_LIST(X) \
	X(SL_EFAIL,      -1,  "general failure") \
	X(SL_EINVAL,     -2,  "invalid argument or pointer") \
	X(SL_EHANDLE,    -3,  "invalid handle") \
	X(SL_ELINE,      -4,  "invalid line") \
	X(SL_ESESSION,   -5,  "invalid session") \
	X(SL_ESTATE,     -6,  "invalid in the current state") \
	X(SL_ENOTINIT,   -7,  "not initialized") \
	X(SL_ENOMEM,     -8,  "out of memory or pool exhausted") \
	X(SL_EUNSUPP,    -9,  "unsupported") \
	X(SL_EPARSE,     -10, "parse error") \
	X(SL_ETIMEOUT,   -11, "timed out") \
	X(SL_EAUTH,      -12, "authentication failed") \
	X(SL_ETRANSPORT, -13, "transport error") \
	X(SL_ENOSPC,     -14, "buffer too small") \
	X(SL_EAGAIN,     -15, "need more data") \
	X(SL_ETOOBIG,    -16, "message too large") \
	X(SL_ENOTFOUND,  -17, "not found") \
	X(SL_EEXIST,     -18, "already exists") \
	X(SL_ELIMIT,     -19, "configured limit exceeded") \
	X(SL_EIO,        -20, "input/output error")

/** Error codes returned (negated) by every public function. */
enum sl_err {
	SL_OK = 0,
#define SL_ERR_ENUM_(name, value, msg) name = (value),
	SL_ERR_LIST(SL_ERR_ENUM_)
#undef SL_ERR_ENUM_
	SL_ERR__LAST = -20 /* lowest code in use; tests walk [SL_ERR__LAST, 0] */
};

/**
 * sl_strerror() - a one-line, human-readable message for a return code.
 * @code: any int returned by a sipline function.
 *
 * Return: a static string; never NULL. Non-negative values read "success";
 * an unknown negative value reads "unknown error".
 * Thread: any.
 */
const char *sl_strerror(int code);

/**
 * sl_err_name() - the symbolic name of a return code ("SL_EINVAL").
 * @code: any int returned by a sipline function.
 *
 * Return: a static string; never NULL ("SL_OK" for non-negative values,
 * "SL_E?" for unknown codes).
 * Thread: any.
 */
const char *sl_err_name(int code);

#ifdef __cplusplus
}
#endif

#endif /* SIPLINE_ERROR_H */
