/*
 * lib/core/error.c: messages and names for enum sl_err.
 *
 * Owns: nothing (static tables generated from SL_ERR_LIST).
 * Thread: any; pure functions.
 */
#include "sipline/error.h"

struct err_entry {
	int code;
	const char *name;
	const char *msg;
};

static const struct err_entry err_table[] = {
#define SL_ERR_ROW_(name, value, msg) { value, #name, msg },
	SL_ERR_LIST(SL_ERR_ROW_)
#undef SL_ERR_ROW_
};

static const struct err_entry *err_find(int code)
{
	for (unsigned i = 0; i < sizeof(err_table) / sizeof(err_table[0]); i++)
		if (err_table[i].code == code)
			return &err_table[i];
	return 0;
}

const char *sl_strerror(int code)
{
	const struct err_entry *e;

	if (code >= 0)
		return "success";
	e = err_find(code);
	return e ? e->msg : "unknown error";
}

const char *sl_err_name(int code)
{
	const struct err_entry *e;

	if (code >= 0)
		return "SL_OK";
	e = err_find(code);
	return e ? e->name : "SL_E?";
}
