#!/usr/bin/env bash
# Checks the OrtApi table indices that Sources/COnnxRuntime/crosstalk_ort.c uses against the
# library's own symbol table: each slot's function must be the OrtApis:: function of that name.
# The default is sherpa-onnx's 1.28.2, which keeps its symbol table (PyPI's 1.32.0 that Smart Turn
# runs on is stripped; the table is append-only, so the indices are the same).
# Usage: Benchmarks/onnx/verify-ort-indices.sh [path/to/libonnxruntime.so]   (needs cc and nm)
set -euo pipefail
lib=${1:-${CROSSTALK_ENGINES_DIR:-.engines}/lib/libonnxruntime.so}
here=$(cd "$(dirname "$0")" && pwd)
shim="$here/../../Sources/COnnxRuntime/crosstalk_ort.c"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# index name pairs from the shim's enum (CT_ORT_GET_ERROR_MESSAGE = 2 -> 2 GetErrorMessage).
sed -n 's/^ *CT_ORT_\([A-Z_]*\) = \([0-9]*\),$/\2 \1/p' "$shim" | grep -v -E ' (ERROR_|LOGGING_|SEQUENTIAL|ENABLE_ALL|ARENA_|MEM_TYPE_|ELEMENT_)' \
    | awk '{ n = split(tolower($2), w, "_"); s = ""; for (i = 1; i <= n; i++) s = s toupper(substr(w[i], 1, 1)) substr(w[i], 2); print $1, s }' >"$work/indices"
cat >"$work/slots.c" <<'C'
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdint.h>
#include <stdio.h>
typedef struct { const void *(*get_api)(uint32_t); const char *(*version)(void); } Base;
int main(int argc, char **argv) {
    void *h = dlopen(argv[1], RTLD_NOW);
    if (!h) { fprintf(stderr, "%s\n", dlerror()); return 2; }
    const Base *base = ((const Base *(*)(void))dlsym(h, "OrtGetApiBase"))();
    const void *const *api = base->get_api(17);
    int index;
    while (scanf("%d", &index) == 1) {
        Dl_info info;
        dladdr(api[index], &info);
        printf("%d %lx\n", index, (unsigned long)((const char *)api[index] - (const char *)info.dli_fbase));
    }
    return 0;
}
C
cc -o "$work/slots" "$work/slots.c" -ldl
cut -d' ' -f1 "$work/indices" | "$work/slots" "$lib" >"$work/addresses"
nm -C "$lib" | sed -n 's/^0*\([0-9a-f]*\) t OrtApis::\([A-Za-z_]*\)(.*)$/\1 \2/p' >"$work/symbols"
failed=0
while read -r index name; do
    address=$(awk -v i="$index" '$1 == i { print $2 }' "$work/addresses")
    found=$(awk -v a="$address" '$1 == a { print $2 }' "$work/symbols" | head -1)
    # The table names CreateTensorWithDataAsOrtValue etc. exactly as OrtApis does; compare case-blind.
    if [ "${found,,}" = "${name,,}" ]; then echo "ok   $index $found"; else echo "FAIL $index expected $name, slot holds ${found:-?}"; failed=1; fi
done <"$work/indices"
exit $failed
