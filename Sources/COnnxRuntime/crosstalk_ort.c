// ONNX Runtime through its C API table, opened with dlopen. The OrtApi struct is a table of
// function pointers that only ever grows at its end, so an entry's index is fixed across releases;
// the indices below were read from onnxruntime_c_api.h and checked against the symbols of
// sherpa-onnx's 1.28.2 library (Benchmarks/onnx/verify-ort-indices.sh; PyPI's 1.32.0, which Smart
// Turn runs on, is stripped, and ct_ort_open probes its table). Only what Crosstalk calls is declared.
#include "crosstalk_ort.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

// Opaque ONNX Runtime objects, only ever handled by pointer.
typedef struct CtOrtStatus CtOrtStatus;
typedef struct CtOrtEnv CtOrtEnv;
typedef struct CtOrtSessionOptions CtOrtSessionOptions;
typedef struct CtOrtSession CtOrtSession;
typedef struct CtOrtMemoryInfo CtOrtMemoryInfo;
typedef struct CtOrtValue CtOrtValue;
typedef struct CtOrtShapeInfo CtOrtShapeInfo;

// The entry point the library exports: two functions, the table for a version and the version.
typedef struct {
    const void *(*get_api)(uint32_t version);
    const char *(*get_version_string)(void);
} CtOrtApiBase;
typedef const CtOrtApiBase *(*CtOrtGetApiBaseFn)(void);

// Indices into the OrtApi table (each slot one function pointer).
enum {
    CT_ORT_CREATE_STATUS = 0,
    CT_ORT_GET_ERROR_CODE = 1,
    CT_ORT_GET_ERROR_MESSAGE = 2,
    CT_ORT_CREATE_ENV = 3,
    CT_ORT_CREATE_SESSION = 7,
    CT_ORT_RUN = 9,
    CT_ORT_CREATE_SESSION_OPTIONS = 10,
    CT_ORT_SET_SESSION_EXECUTION_MODE = 13,
    CT_ORT_SET_SESSION_GRAPH_OPTIMIZATION_LEVEL = 23,
    CT_ORT_SET_INTRA_OP_NUM_THREADS = 24,
    CT_ORT_SET_INTER_OP_NUM_THREADS = 25,
    CT_ORT_CREATE_TENSOR_WITH_DATA_AS_ORT_VALUE = 49,
    CT_ORT_GET_TENSOR_MUTABLE_DATA = 51,
    CT_ORT_GET_TENSOR_ELEMENT_TYPE = 60,
    CT_ORT_GET_TENSOR_SHAPE_ELEMENT_COUNT = 64,
    CT_ORT_GET_TENSOR_TYPE_AND_SHAPE = 65,
    CT_ORT_CREATE_CPU_MEMORY_INFO = 69,
    CT_ORT_RELEASE_STATUS = 93,
    CT_ORT_RELEASE_MEMORY_INFO = 94,
    CT_ORT_RELEASE_SESSION = 95,
    CT_ORT_RELEASE_VALUE = 96,
    CT_ORT_RELEASE_TENSOR_TYPE_AND_SHAPE_INFO = 99,
    CT_ORT_RELEASE_SESSION_OPTIONS = 100,
};

// Enumeration values of the C API used here.
enum {
    CT_ORT_ERROR_INVALID_ARGUMENT = 2,   // OrtErrorCode
    CT_ORT_LOGGING_FATAL = 4,            // OrtLoggingLevel: errors come back as statuses
    CT_ORT_SEQUENTIAL = 0,               // ExecutionMode
    CT_ORT_ENABLE_ALL = 99,              // GraphOptimizationLevel
    CT_ORT_ARENA_ALLOCATOR = 1,          // OrtAllocatorType
    CT_ORT_MEM_TYPE_DEFAULT = 0,         // OrtMemType
    CT_ORT_ELEMENT_FLOAT = 1,            // ONNXTensorElementDataType
};

// The function types of the entries used.
typedef CtOrtStatus *(*CreateStatusFn)(int code, const char *message);
typedef int (*GetErrorCodeFn)(const CtOrtStatus *status);
typedef const char *(*GetErrorMessageFn)(const CtOrtStatus *status);
typedef CtOrtStatus *(*CreateEnvFn)(int log_level, const char *log_id, CtOrtEnv **out);
typedef CtOrtStatus *(*CreateSessionFn)(const CtOrtEnv *env, const char *path, const CtOrtSessionOptions *options,
                                        CtOrtSession **out);
typedef CtOrtStatus *(*RunFn)(CtOrtSession *session, const void *run_options, const char *const *input_names,
                              const CtOrtValue *const *inputs, size_t input_count, const char *const *output_names,
                              size_t output_count, CtOrtValue **outputs);
typedef CtOrtStatus *(*CreateSessionOptionsFn)(CtOrtSessionOptions **out);
typedef CtOrtStatus *(*SetIntOptionFn)(CtOrtSessionOptions *options, int value);
typedef CtOrtStatus *(*CreateTensorWithDataFn)(const CtOrtMemoryInfo *info, void *data, size_t byte_count,
                                               const int64_t *shape, size_t rank, int element_type, CtOrtValue **out);
typedef CtOrtStatus *(*GetTensorMutableDataFn)(CtOrtValue *value, void **out);
typedef CtOrtStatus *(*GetTensorElementTypeFn)(const CtOrtShapeInfo *info, int *out);
typedef CtOrtStatus *(*GetTensorShapeElementCountFn)(const CtOrtShapeInfo *info, size_t *out);
typedef CtOrtStatus *(*GetTensorTypeAndShapeFn)(const CtOrtValue *value, CtOrtShapeInfo **out);
typedef CtOrtStatus *(*CreateCpuMemoryInfoFn)(int allocator_type, int memory_type, CtOrtMemoryInfo **out);
typedef void (*ReleaseFn)(void *object);

static pthread_mutex_t ct_lock = PTHREAD_MUTEX_INITIALIZER;
static const void *const *ct_api;   // the OrtApi table, once opened
static const char *ct_version;
static CtOrtEnv *ct_env;            // one environment for the process, never released

#define CT_FN(type, index) ((type)ct_api[(index)])

static void ct_set_error(char *error, size_t capacity, const char *prefix, const char *detail) {
    if (error == NULL || capacity == 0) return;
    snprintf(error, capacity, "%s%s", prefix, detail != NULL ? detail : "");
    // One line: newlines inside ONNX Runtime's message become spaces.
    for (char *c = error; *c != '\0'; c++) {
        if (*c == '\n' || *c == '\r') *c = ' ';
    }
}

// Copies a failed status's message into `error` and releases the status. Returns -1 when
// `status` is a failure, 0 when it is NULL (success).
static int ct_take_status(CtOrtStatus *status, const char *prefix, char *error, size_t capacity) {
    if (status == NULL) return 0;
    ct_set_error(error, capacity, prefix, CT_FN(GetErrorMessageFn, CT_ORT_GET_ERROR_MESSAGE)(status));
    CT_FN(ReleaseFn, CT_ORT_RELEASE_STATUS)(status);
    return -1;
}

// Checks the table's first entries and ReleaseStatus with a round trip through a status.
static int ct_probe(const void *const *api) {
    CtOrtStatus *status = ((CreateStatusFn)api[CT_ORT_CREATE_STATUS])(CT_ORT_ERROR_INVALID_ARGUMENT, "crosstalk probe");
    if (status == NULL) return -1;
    int code = ((GetErrorCodeFn)api[CT_ORT_GET_ERROR_CODE])(status);
    const char *message = ((GetErrorMessageFn)api[CT_ORT_GET_ERROR_MESSAGE])(status);
    int ok = code == CT_ORT_ERROR_INVALID_ARGUMENT && message != NULL && strcmp(message, "crosstalk probe") == 0;
    ((ReleaseFn)api[CT_ORT_RELEASE_STATUS])(status);
    return ok ? 0 : -1;
}

int ct_ort_open(const char *library_path, char *error, size_t error_capacity) {
    pthread_mutex_lock(&ct_lock);
    if (ct_api != NULL) {
        pthread_mutex_unlock(&ct_lock);
        return 0;
    }
    int result = -1;
    void *handle = dlopen(library_path, RTLD_NOW | RTLD_LOCAL);
    if (handle == NULL) {
        ct_set_error(error, error_capacity, "cannot open onnxruntime: ", dlerror());
        goto done;
    }
    CtOrtGetApiBaseFn get_base = (CtOrtGetApiBaseFn)dlsym(handle, "OrtGetApiBase");
    const CtOrtApiBase *base = get_base != NULL ? get_base() : NULL;
    if (base == NULL) {
        ct_set_error(error, error_capacity, library_path, " has no OrtGetApiBase (not onnxruntime?)");
        goto done;
    }
    const void *const *api = (const void *const *)base->get_api(CT_ORT_API_VERSION);
    if (api == NULL) {
        ct_set_error(error, error_capacity, library_path, " is older than onnxruntime 1.17 (its C API version 17 is needed)");
        goto done;
    }
    if (ct_probe(api) != 0) {
        ct_set_error(error, error_capacity, library_path, ": its C API table does not answer as expected");
        goto done;
    }
    ct_api = api;
    CtOrtEnv *env = NULL;
    if (ct_take_status(CT_FN(CreateEnvFn, CT_ORT_CREATE_ENV)(CT_ORT_LOGGING_FATAL, "crosstalk", &env),
                       "onnxruntime cannot create its environment: ", error, error_capacity) != 0) {
        ct_api = NULL;
        goto done;
    }
    ct_env = env;
    ct_version = base->get_version_string();
    result = 0;
done:
    // The library stays loaded for the process (dlclose would pull its static state away).
    pthread_mutex_unlock(&ct_lock);
    return result;
}

const char *ct_ort_version(void) {
    pthread_mutex_lock(&ct_lock);
    const char *version = ct_version;
    pthread_mutex_unlock(&ct_lock);
    return version;
}

struct CtOrtModel {
    CtOrtSession *session;
    CtOrtMemoryInfo *memory;
};

static int ct_opened(char *error, size_t capacity) {
    pthread_mutex_lock(&ct_lock);
    int opened = ct_api != NULL && ct_env != NULL;
    pthread_mutex_unlock(&ct_lock);
    if (!opened) ct_set_error(error, capacity, "onnxruntime is not open", "");
    return opened;
}

CtOrtModel *ct_ort_model_load(const char *model_path, int intra_op_threads, char *error, size_t error_capacity) {
    if (!ct_opened(error, error_capacity)) return NULL;
    CtOrtSessionOptions *options = NULL;
    if (ct_take_status(CT_FN(CreateSessionOptionsFn, CT_ORT_CREATE_SESSION_OPTIONS)(&options), "", error, error_capacity) != 0) {
        return NULL;
    }
    CtOrtModel *model = NULL;
    if (ct_take_status(CT_FN(SetIntOptionFn, CT_ORT_SET_INTRA_OP_NUM_THREADS)(options, intra_op_threads), "", error, error_capacity) != 0 ||
        ct_take_status(CT_FN(SetIntOptionFn, CT_ORT_SET_INTER_OP_NUM_THREADS)(options, 1), "", error, error_capacity) != 0 ||
        ct_take_status(CT_FN(SetIntOptionFn, CT_ORT_SET_SESSION_EXECUTION_MODE)(options, CT_ORT_SEQUENTIAL), "", error, error_capacity) != 0 ||
        ct_take_status(CT_FN(SetIntOptionFn, CT_ORT_SET_SESSION_GRAPH_OPTIMIZATION_LEVEL)(options, CT_ORT_ENABLE_ALL), "", error, error_capacity) != 0) {
        goto done;
    }
    CtOrtSession *session = NULL;
    if (ct_take_status(CT_FN(CreateSessionFn, CT_ORT_CREATE_SESSION)(ct_env, model_path, options, &session), "", error, error_capacity) != 0) {
        goto done;
    }
    CtOrtMemoryInfo *memory = NULL;
    if (ct_take_status(CT_FN(CreateCpuMemoryInfoFn, CT_ORT_CREATE_CPU_MEMORY_INFO)(CT_ORT_ARENA_ALLOCATOR, CT_ORT_MEM_TYPE_DEFAULT, &memory),
                       "", error, error_capacity) != 0) {
        CT_FN(ReleaseFn, CT_ORT_RELEASE_SESSION)(session);
        goto done;
    }
    model = calloc(1, sizeof *model);
    if (model == NULL) {
        ct_set_error(error, error_capacity, "out of memory", "");
        CT_FN(ReleaseFn, CT_ORT_RELEASE_MEMORY_INFO)(memory);
        CT_FN(ReleaseFn, CT_ORT_RELEASE_SESSION)(session);
        goto done;
    }
    model->session = session;
    model->memory = memory;
done:
    CT_FN(ReleaseFn, CT_ORT_RELEASE_SESSION_OPTIONS)(options);
    return model;
}

// Checks that `value` is a float32 tensor of exactly `count` elements.
static int ct_check_output(CtOrtValue *value, size_t count, const char *name, char *error, size_t capacity) {
    CtOrtShapeInfo *info = NULL;
    if (ct_take_status(CT_FN(GetTensorTypeAndShapeFn, CT_ORT_GET_TENSOR_TYPE_AND_SHAPE)(value, &info), "", error, capacity) != 0) {
        return -1;
    }
    int element_type = 0;
    size_t elements = 0;
    int result = -1;
    if (ct_take_status(CT_FN(GetTensorElementTypeFn, CT_ORT_GET_TENSOR_ELEMENT_TYPE)(info, &element_type), "", error, capacity) == 0 &&
        ct_take_status(CT_FN(GetTensorShapeElementCountFn, CT_ORT_GET_TENSOR_SHAPE_ELEMENT_COUNT)(info, &elements), "", error, capacity) == 0) {
        if (element_type != CT_ORT_ELEMENT_FLOAT || elements != count) {
            char detail[160];
            snprintf(detail, sizeof detail, "output %s is not %zu float32 values (element type %d, %zu values)", name, count,
                     element_type, elements);
            ct_set_error(error, capacity, detail, "");
        } else {
            result = 0;
        }
    }
    CT_FN(ReleaseFn, CT_ORT_RELEASE_TENSOR_TYPE_AND_SHAPE_INFO)(info);
    return result;
}

int ct_ort_model_run(CtOrtModel *model, const char *input_name, const float *input, size_t input_count,
                     const int64_t *input_shape, size_t input_rank, const char *output_name, float *output,
                     size_t output_capacity, char *error, size_t error_capacity) {
    if (model == NULL) {
        ct_set_error(error, error_capacity, "no model", "");
        return -1;
    }
    CtOrtValue *tensor = NULL;
    // ONNX Runtime only reads an input tensor; the API takes a mutable pointer all the same.
    if (ct_take_status(CT_FN(CreateTensorWithDataFn, CT_ORT_CREATE_TENSOR_WITH_DATA_AS_ORT_VALUE)(
                           model->memory, (void *)input, input_count * sizeof(float), input_shape, input_rank,
                           CT_ORT_ELEMENT_FLOAT, &tensor),
                       "", error, error_capacity) != 0) {
        return -1;
    }
    const CtOrtValue *inputs[1] = {tensor};
    const char *input_names[1] = {input_name};
    const char *output_names[1] = {output_name};
    CtOrtValue *outputs[1] = {NULL};
    int result = ct_take_status(CT_FN(RunFn, CT_ORT_RUN)(model->session, NULL, input_names, inputs, 1, output_names, 1, outputs),
                                "", error, error_capacity);
    if (result == 0) result = ct_check_output(outputs[0], output_capacity, output_name, error, error_capacity);
    if (result == 0) {
        void *data = NULL;
        result = ct_take_status(CT_FN(GetTensorMutableDataFn, CT_ORT_GET_TENSOR_MUTABLE_DATA)(outputs[0], &data), "", error,
                                error_capacity);
        if (result == 0) memcpy(output, data, output_capacity * sizeof(float));
    }
    if (outputs[0] != NULL) CT_FN(ReleaseFn, CT_ORT_RELEASE_VALUE)(outputs[0]);
    CT_FN(ReleaseFn, CT_ORT_RELEASE_VALUE)(tensor);
    return result;
}

void ct_ort_model_free(CtOrtModel *model) {
    if (model == NULL) return;
    CT_FN(ReleaseFn, CT_ORT_RELEASE_MEMORY_INFO)(model->memory);
    CT_FN(ReleaseFn, CT_ORT_RELEASE_SESSION)(model->session);
    free(model);
}
