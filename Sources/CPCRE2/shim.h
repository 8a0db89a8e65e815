// PCRE2's 8-bit API (UTF-8 subjects). The header needs the code unit width before it is included;
// Swift then sees the `_8`-suffixed functions (pcre2_compile_8, pcre2_match_8, …).
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
