/*
 * include/sipline/sipline.h: the umbrella header; includes every public
 * header of sipline.
 */
#ifndef SIPLINE_SIPLINE_H
#define SIPLINE_SIPLINE_H

#include "sipline/version.h"
#include "sipline/error.h"
#include "sipline/log.h"
#include "sipline/slice.h"
#include "sipline/uri.h"
#include "sipline/headers.h"
#include "sipline/msg.h"
#include "sipline/build.h"
#include "sipline/sdp.h"
#include "sipline/digest.h"
#include "sipline/net.h"
#include "sipline/event.h"
#include "sipline/codec.h"
#include "sipline/device.h"
#include "sipline/media.h"
#include "sipline/ua.h"
#include "sipline/call.h"
#include "sipline/message.h"

#endif /* SIPLINE_SIPLINE_H */
