// See include/cwebrtc_shim.h.
#include "cwebrtc_shim.h"

#include <dlfcn.h>
#include <stdio.h>
#include <string.h>

#if __has_include(<webrtc/modules/audio_processing/include/audio_processing.h>)
#define CWEBRTC_HAVE_HEADERS 1
#include <webrtc/modules/audio_processing/include/audio_processing.h>
#include <webrtc/modules/interface/module_common_types.h>
#endif

#ifdef CWEBRTC_HAVE_HEADERS

struct cwebrtc_vad {
  webrtc::AudioProcessing *apm;
  webrtc::AudioFrame frame;
  int sample_rate_hz;
};

// webrtc::AudioProcessing::Create() (Itanium C++ ABI name).
typedef webrtc::AudioProcessing *(*CreateFn)();

extern "C" cwebrtc_vad *cwebrtc_vad_create(const char *library_path, int sample_rate_hz, int likelihood,
                                           int *missing, char *error, size_t error_size) {
  *missing = 0;
  // Never closed: the detector's code and vtables live in it.
  void *library = dlopen(library_path, RTLD_NOW | RTLD_LOCAL);
  if (!library) {
    *missing = 1;
    snprintf(error, error_size, "%s", dlerror());
    return nullptr;
  }
  CreateFn create = reinterpret_cast<CreateFn>(dlsym(library, "_ZN6webrtc15AudioProcessing6CreateEv"));
  if (!create) {
    snprintf(error, error_size, "%s has no webrtc::AudioProcessing::Create()", library_path);
    return nullptr;
  }
  if (sample_rate_hz != 8000 && sample_rate_hz != 16000 && sample_rate_hz != 32000 && sample_rate_hz != 48000) {
    snprintf(error, error_size, "sample rate %d Hz is not one of 8000, 16000, 32000, 48000", sample_rate_hz);
    return nullptr;
  }
  if (likelihood < 0 || likelihood > 3) {
    snprintf(error, error_size, "likelihood %d is not 0...3", likelihood);
    return nullptr;
  }
  webrtc::AudioProcessing *apm = create();
  if (!apm) {
    snprintf(error, error_size, "webrtc::AudioProcessing::Create() failed");
    return nullptr;
  }
  webrtc::VoiceDetection *vd = apm->voice_detection();
  int rc = vd->Enable(true);
  if (rc == 0) rc = vd->set_likelihood(static_cast<webrtc::VoiceDetection::Likelihood>(likelihood));
  if (rc == 0) rc = vd->set_frame_size_ms(10);
  if (rc != 0) {
    delete apm;
    snprintf(error, error_size, "voice detection setup failed (error %d)", rc);
    return nullptr;
  }
  cwebrtc_vad *vad = new cwebrtc_vad;
  vad->apm = apm;
  vad->sample_rate_hz = sample_rate_hz;
  return vad;
}

extern "C" int cwebrtc_vad_process(cwebrtc_vad *vad, const int16_t *samples, size_t count) {
  if (count != static_cast<size_t>(vad->sample_rate_hz / 100)) return webrtc::AudioProcessing::kBadDataLengthError;
  webrtc::AudioFrame &f = vad->frame;
  f.sample_rate_hz_ = vad->sample_rate_hz;
  f.num_channels_ = 1;
  f.samples_per_channel_ = count;
  memcpy(f.data_, samples, count * sizeof(int16_t));
  int rc = vad->apm->ProcessStream(&f);
  if (rc != 0) return rc < 0 ? rc : -rc;
  return vad->apm->voice_detection()->stream_has_voice() ? 1 : 0;
}

extern "C" void cwebrtc_vad_destroy(cwebrtc_vad *vad) {
  if (!vad) return;
  delete vad->apm;
  delete vad;
}

#else  // built without libwebrtc-audio-processing-dev

struct cwebrtc_vad {};

extern "C" cwebrtc_vad *cwebrtc_vad_create(const char *, int, int, int *missing, char *error, size_t error_size) {
  *missing = 2;
  snprintf(error, error_size, "built without the libwebrtc-audio-processing-dev headers");
  return nullptr;
}

extern "C" int cwebrtc_vad_process(cwebrtc_vad *, const int16_t *, size_t) { return -1; }

extern "C" void cwebrtc_vad_destroy(cwebrtc_vad *) {}

#endif
