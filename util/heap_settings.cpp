#include "util/heap_settings.hpp"

#include <cstdlib> // defines __GLIBC__ with glibc

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace postfach::util {

void apply_heap_settings() noexcept {
#if defined(__GLIBC__)
    // Setting it at all turns the dynamic threshold off; 128 KiB is glibc's own starting value.
    ::mallopt(M_MMAP_THRESHOLD, 128 * 1024);
#endif
}

} // namespace postfach::util
