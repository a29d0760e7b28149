// What every fuzz target shares: a check that aborts (so libFuzzer keeps the input) with
// one line saying which invariant broke.
#pragma once

#include <cstdio>
#include <cstdlib>

#define FUZZ_CHECK(condition)                                                                        \
    do {                                                                                             \
        if (!(condition)) {                                                                          \
            std::fprintf(stderr, "%s:%d: invariant broken: %s\n", __FILE__, __LINE__, #condition);  \
            std::abort();                                                                            \
        }                                                                                            \
    } while (0)
