/*
 * lib/device/devices.c: the built-in driver table and what the drivers
 * share (sl_audio_list(), configuration checks, index names).
 *
 * Owns: nothing.
 * Thread: any.
 * Called by: applications (sl_audio_list()), lib/media (driver look-up)
 * and the drivers in lib/device/.
 */
#include <string.h>

#include "device/port.h"
#include "sipline/device.h"
#include "sipline/error.h"

const struct sl_audio_driver *sl__audio_driver_find(const char *name)
{
	if (!name || !name[0] || strcmp(name, "virtual") == 0)
		return &sl_audio_driver_virtual;
	if (strcmp(name, "alsa") == 0)
		return sl_audio_driver_alsa;    /* NULL without ALSA */
	return NULL;
}

unsigned sl__audio_driver_default_rate(const struct sl_audio_driver *drv)
{
	if (drv && strcmp(drv->name, "alsa") == 0)
		return 48000;
	return 16000;
}

int sl_audio_list(const char *driver, struct sl_audio_dev_info *out,
		  size_t cap)
{
	const struct sl_audio_driver *drv;

	if (!driver || (!out && cap))
		return SL_EINVAL;
	drv = sl__audio_driver_find(driver);
	if (!drv || !drv->list)
		return SL_ENOTFOUND;
	return drv->list(out, cap);
}

int sl__audio_cfg_check(const struct sl_audio_dev_config *cfg,
			const struct sl_audio_port *port)
{
	unsigned frame_ms = sl__audio_port_frame_ms(port);

	if (!cfg)
		return SL_EINVAL;
	if (cfg->rate && cfg->rate != sl__audio_port_rate(port))
		return SL_EINVAL;
	if (cfg->frame_ms && cfg->frame_ms != frame_ms)
		return SL_EINVAL;
	if (cfg->buffer_ms && (cfg->buffer_ms < 2 * frame_ms ||
			       cfg->buffer_ms > 1000))
		return SL_EINVAL;
	return 0;
}

int sl__audio_parse_index(const char *name)
{
	int v = 0, i;

	if (!name || !name[0])
		return -1;
	for (i = 0; name[i]; i++) {
		if (i >= 4 || name[i] < '0' || name[i] > '9')
			return -1;
		v = v * 10 + (name[i] - '0');
	}
	return v;
}
