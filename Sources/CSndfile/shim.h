#ifndef CROSSTALK_CSNDFILE_SHIM_H
#define CROSSTALK_CSNDFILE_SHIM_H
#include <sndfile.h>
/* Format constants import as Int; typed wrappers keep call sites honest. */
static inline int csndfile_format_wav_pcm16(void) { return SF_FORMAT_WAV | SF_FORMAT_PCM_16; }
static inline int csndfile_mode_read(void) { return SFM_READ; }
static inline int csndfile_mode_write(void) { return SFM_WRITE; }
#endif
