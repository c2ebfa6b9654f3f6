#ifndef CROSSTALK_COPUS_SHIM_H
#define CROSSTALK_COPUS_SHIM_H
#include <opus/opus.h>

/* opus_encoder_ctl is variadic: Swift cannot call it, so each request gets a wrapper. */
static inline int copus_set_bitrate(OpusEncoder *e, opus_int32 v) { return opus_encoder_ctl(e, OPUS_SET_BITRATE(v)); }
static inline int copus_set_complexity(OpusEncoder *e, opus_int32 v) { return opus_encoder_ctl(e, OPUS_SET_COMPLEXITY(v)); }
static inline int copus_set_vbr(OpusEncoder *e, opus_int32 v) { return opus_encoder_ctl(e, OPUS_SET_VBR(v)); }
static inline int copus_set_dtx(OpusEncoder *e, opus_int32 v) { return opus_encoder_ctl(e, OPUS_SET_DTX(v)); }
static inline int copus_set_signal_voice(OpusEncoder *e) { return opus_encoder_ctl(e, OPUS_SET_SIGNAL(OPUS_SIGNAL_VOICE)); }
static inline int copus_set_bandwidth_wideband(OpusEncoder *e) { return opus_encoder_ctl(e, OPUS_SET_MAX_BANDWIDTH(OPUS_BANDWIDTH_WIDEBAND)); }
static inline int copus_application_voip(void) { return OPUS_APPLICATION_VOIP; }
static inline int copus_ok(void) { return OPUS_OK; }
#endif
