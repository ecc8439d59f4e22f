/* SPDX-License-Identifier: MIT */
/* replay_custbarcode.c — replays the customer barcode harness's corpus (fuzz_custbarcode.c). */
#define REPLAY_CORPUS "tests/fuzz/corpus/custbarcode"
#include "replay.c"
