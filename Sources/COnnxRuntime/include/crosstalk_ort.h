// A small C interface over ONNX Runtime's C API, opened at run time (dlopen), so the package
// builds and runs without the library. Crosstalk's own declarations: only the few OrtApi entries
// it calls, reached by their fixed index in the (append-only) OrtApi function table.
#ifndef CROSSTALK_ORT_H
#define CROSSTALK_ORT_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// The OrtApi version requested from the library (1.17's table, a prefix of every later one).
#define CT_ORT_API_VERSION 17

/// Opens `library_path` (libonnxruntime.so), gets its OrtApi table and checks it with a probe
/// (create a status, read its code and message back, release it). Process-wide and idempotent:
/// the first library that opens stays. Returns 0, or -1 with a one-line reason in `error`.
int ct_ort_open(const char *library_path, char *error, size_t error_capacity);

/// The opened library's version string ("1.28.2"), or NULL before a successful ct_ort_open.
const char *ct_ort_version(void);

/// A loaded model: an ONNX Runtime session with its CPU memory description.
typedef struct CtOrtModel CtOrtModel;

/// Loads the ONNX model at `model_path` on the CPU with `intra_op_threads` threads inside an
/// operator, one between operators, sequential execution and every graph optimisation.
/// Returns NULL with a one-line reason in `error` (ONNX Runtime's message) on failure.
CtOrtModel *ct_ort_model_load(const char *model_path, int intra_op_threads, char *error, size_t error_capacity);

/// Runs the model on one float32 tensor (`input_name`, `input_shape` of `input_rank` dimensions,
/// `input_count` values) and copies the float32 output `output_name` into `output`, which holds
/// `output_capacity` values; the output must have exactly that many elements. Returns 0, or -1
/// with a one-line reason in `error`. Safe to call from several threads on one model.
int ct_ort_model_run(CtOrtModel *model, const char *input_name, const float *input, size_t input_count,
                     const int64_t *input_shape, size_t input_rank, const char *output_name, float *output,
                     size_t output_capacity, char *error, size_t error_capacity);

/// Releases a model from ct_ort_model_load (NULL is ignored).
void ct_ort_model_free(CtOrtModel *model);

#ifdef __cplusplus
}
#endif

#endif
