/* variant.h: the builds of the user's program that the tools run. */
#ifndef RACELAB_VARIANT_H
#define RACELAB_VARIANT_H

/* The recipe of each is in build.c; a tool names the one it runs. */
enum rl_variant {
    RL_VARIANT_PLAIN, /* gcc -g -O1 -pthread: valgrind tools and probes */
    RL_VARIANT_TSAN,  /* clang -fsanitize=thread */
    RL_VARIANT_ASAN,  /* clang -fsanitize=address,undefined */
    RL_VARIANT_COUNT
};

#endif
