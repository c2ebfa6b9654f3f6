// The voice activity detector part of sherpa-onnx's C API (sherpa-onnx-core 2.0.1,
// sherpa_onnx/include/sherpa-onnx/c-api/c-api.h; Apache-2.0, k2-fsa/sherpa-onnx): the config
// structs, so the C compiler lays them out as the library expects, and the function types.
// Nothing here links: Sources/Engines/SileroVAD.swift opens libsherpa-onnx-c-api.so at run time
// (installed by `make engines` into .engines/), so the package builds without it.
#ifndef CROSSTALK_SHERPA_ONNX_VAD_H
#define CROSSTALK_SHERPA_ONNX_VAD_H

#include <stdint.h>

/// Configuration for a Silero VAD model.
typedef struct SherpaOnnxSileroVadModelConfig {
  const char *model;           // path to silero_vad.onnx
  float threshold;             // speech probability threshold
  float min_silence_duration;  // seconds of silence that close a segment
  float min_speech_duration;   // seconds of speech that open one
  int32_t window_size;         // 512 at 16 kHz for Silero v5/v6
  float max_speech_duration;   // seconds; past it the detector raises its threshold
} SherpaOnnxSileroVadModelConfig;

/// Configuration for a Ten VAD model (unused; part of the layout).
typedef struct SherpaOnnxTenVadModelConfig {
  const char *model;
  float threshold;
  float min_silence_duration;
  float min_speech_duration;
  int32_t window_size;
  float max_speech_duration;
} SherpaOnnxTenVadModelConfig;

/// Configuration shared by voice activity detectors.
typedef struct SherpaOnnxVadModelConfig {
  SherpaOnnxSileroVadModelConfig silero_vad;
  int32_t sample_rate;
  int32_t num_threads;
  const char *provider;
  int32_t debug;
  SherpaOnnxTenVadModelConfig ten_vad;
} SherpaOnnxVadModelConfig;

/// Opaque detector handle.
typedef struct SherpaOnnxVoiceActivityDetector SherpaOnnxVoiceActivityDetector;

typedef const SherpaOnnxVoiceActivityDetector *(*SherpaOnnxCreateVoiceActivityDetectorFn)(
    const SherpaOnnxVadModelConfig *config, float buffer_size_in_seconds);
typedef void (*SherpaOnnxDestroyVoiceActivityDetectorFn)(const SherpaOnnxVoiceActivityDetector *p);
typedef void (*SherpaOnnxVoiceActivityDetectorAcceptWaveformFn)(
    const SherpaOnnxVoiceActivityDetector *p, const float *samples, int32_t n);
typedef int32_t (*SherpaOnnxVoiceActivityDetectorDetectedFn)(const SherpaOnnxVoiceActivityDetector *p);
typedef void (*SherpaOnnxVoiceActivityDetectorFlushFn)(const SherpaOnnxVoiceActivityDetector *p);
typedef void (*SherpaOnnxVoiceActivityDetectorClearFn)(const SherpaOnnxVoiceActivityDetector *p);

#endif
