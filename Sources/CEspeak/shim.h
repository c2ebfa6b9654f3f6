#ifndef CROSSTALK_CESPEAK_SHIM_H
#define CROSSTALK_CESPEAK_SHIM_H
#include <espeak-ng/speak_lib.h>
#endif
