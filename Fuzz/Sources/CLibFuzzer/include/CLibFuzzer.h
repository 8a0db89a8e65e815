// libFuzzer's driver entry point (compiler-rt FuzzerInterface.h). SwiftPM links every executable
// with `--defsym main=<Target>_main`, which takes `main` away from libFuzzer's own; each target's
// `<Target>_main` therefore runs the driver itself, the documented way to start libFuzzer from
// a custom main.
#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));
