/*
 * include/sipline/net.h: network choices shared by the UA's configuration
 * and the library's server location.
 *
 * Thread: declarations only.
 */
#ifndef SIPLINE_NET_H
#define SIPLINE_NET_H

#ifdef __cplusplus
extern "C" {
#endif

/** Address family preference for dual-stack names (RFC 3263 results). */
enum sl_ip_pref {
	SL_IP_PREFER_V4 = 0,
	SL_IP_PREFER_V6 = 1,
	SL_IP_V4_ONLY = 2,
	SL_IP_V6_ONLY = 3
};

#ifdef __cplusplus
}
#endif

#endif /* SIPLINE_NET_H */
