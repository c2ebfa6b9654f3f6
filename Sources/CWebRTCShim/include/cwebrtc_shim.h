// A C API over the voice detector of WebRTC's audio processing module (Debian
// libwebrtc-audio-processing 0.3, a C++ library), for Sources/Engines/WebRTCVAD.swift.
//
// The library is opened at run time (dlopen): only webrtc::AudioProcessing::Create is looked up
// by name, everything else goes through its virtual functions, so nothing here links against it
// and the package builds and runs without it. Built without the -dev headers, every call fails
// with a message saying so.
#ifndef CWEBRTC_SHIM_H
#define CWEBRTC_SHIM_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// One WebRTC voice detector (an AudioProcessing instance with only voice detection on).
typedef struct cwebrtc_vad cwebrtc_vad;

/// Opens `library_path` (e.g. "libwebrtc_audio_processing.so.1") and creates a detector for mono
/// audio at `sample_rate_hz` (8000, 16000, 32000 or 48000) with `likelihood` 0 (very low: fewest
/// false alarms) to 3 (high: clips least speech). On failure returns NULL and writes a message
/// into `error` (`error_size` bytes); `*missing` is set to 1 when the library could not be opened,
/// 2 when this shim was built without its headers.
cwebrtc_vad *cwebrtc_vad_create(const char *library_path, int sample_rate_hz, int likelihood,
                                int *missing, char *error, size_t error_size);

/// Processes one 10 ms chunk (`sample_rate_hz / 100` samples). Returns 1 voice, 0 no voice,
/// negative an AudioProcessing error code.
int cwebrtc_vad_process(cwebrtc_vad *vad, const int16_t *samples, size_t count);

/// Frees the detector.
void cwebrtc_vad_destroy(cwebrtc_vad *vad);

#ifdef __cplusplus
}
#endif

#endif
