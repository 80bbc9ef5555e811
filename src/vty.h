/*! \file vty.h
 * The telnet VTY of mgcfd and pstnsim: logging, version, timers, counters.
 */
#pragma once

#include <stdint.h>

/*! \brief Set up the VTY commands common to our programs (call once, before mgcfd_vty_listen()). */
void mgcfd_vty_init(void *ctx, const char *app_name, const char *copyright);

/*! \brief Listen for telnet on address:port.  Returns 0 or a negative errno. */
int mgcfd_vty_listen(void *ctx, const char *address, uint16_t port);

/*! \brief Stop listening and close every VTY session. */
void mgcfd_vty_close(void);

struct media_plane;
/*! \brief `show media`: channels, spans and RTP counters of the media plane. */
void mgcfd_media_vty_init(struct media_plane *mp);
