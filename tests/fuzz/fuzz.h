/* libFuzzer entry points, declared for every test source (tests/Makefile.am
 * force-includes this file) so harnesses build with -Wmissing-prototypes. */
#pragma once
#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);
