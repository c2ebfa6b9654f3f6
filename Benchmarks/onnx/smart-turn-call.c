// Times one Smart Turn v3.2 inference through Sources/COnnxRuntime's shim (what
// SmartTurnModel.probability calls), one intra-op thread: the median of 20 calls after one warm-up.
// Build and run with Benchmarks/onnx/smart-turn-call.sh.
#include "crosstalk_ort.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static int compare(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: %s LIBONNXRUNTIME MODEL\n", argv[0]);
        return 2;
    }
    char error[1024];
    if (ct_ort_open(argv[1], error, sizeof error) != 0) { fprintf(stderr, "%s\n", error); return 2; }
    CtOrtModel *model = ct_ort_model_load(argv[2], 1, error, sizeof error);
    if (model == NULL) { fprintf(stderr, "%s\n", error); return 2; }
    static float features[80 * 800];
    unsigned x = 1;
    for (int i = 0; i < 80 * 800; i++) {
        x = 1664525u * x + 1013904223u;
        features[i] = -1.0f + 2.0f * (float)(x >> 8) / 16777216.0f;
    }
    const int64_t shape[3] = {1, 80, 800};
    double ms[21];
    float p = 0;
    for (int i = 0; i < 21; i++) {
        struct timespec a, b;
        clock_gettime(CLOCK_MONOTONIC, &a);
        if (ct_ort_model_run(model, "input_features", features, 80 * 800, shape, 3, "logits", &p, 1, error, sizeof error) != 0) {
            fprintf(stderr, "%s\n", error);
            return 1;
        }
        clock_gettime(CLOCK_MONOTONIC, &b);
        ms[i] = (b.tv_sec - a.tv_sec) * 1e3 + (b.tv_nsec - a.tv_nsec) / 1e6;
    }
    qsort(ms + 1, 20, sizeof ms[0], compare);
    printf("onnxruntime %s, probability %.6f, one call: median %.1f ms, min %.1f ms, max %.1f ms (20 calls after 1 warm-up)\n",
           ct_ort_version(), p, (ms[10] + ms[11]) / 2, ms[1], ms[20]);
    ct_ort_model_free(model);
    return 0;
}
