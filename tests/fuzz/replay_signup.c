/* SPDX-License-Identifier: MIT */
/* replay_signup.c — replays the sign-up harness's corpus (tests/fuzz/fuzz_signup.c). */
#define REPLAY_CORPUS "tests/fuzz/corpus/signup"
#include "replay.c"
