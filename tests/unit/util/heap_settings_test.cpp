#include "util/heap_settings.hpp"

#include <cstdlib>
#include <gtest/gtest.h>

#if defined(__GLIBC__)
#include <malloc.h>

namespace {

// Keeps the compiler from eliding a malloc/free pair.
void* volatile sink = nullptr;

// Whether a block larger than the free space of the heap gets its own mapping, after a block
// four times its size was freed (which raises glibc's default threshold above it). (A block
// that fits into free heap space comes from there whatever the threshold.)
bool mapped_after_a_larger_free() {
    const std::size_t size = ::mallinfo2().fordblks + 256 * 1024;
    sink = std::malloc(4 * size);
    std::free(sink);
    const auto before = ::mallinfo2().hblks;
    sink = std::malloc(size);
    const bool mapped = ::mallinfo2().hblks > before;
    std::free(sink);
    return mapped;
}

TEST(heap_settings, large_blocks_keep_their_own_mapping_after_larger_ones_were_freed) {
#if defined(__SANITIZE_ADDRESS__)
    GTEST_SKIP() << "AddressSanitizer replaces glibc's malloc";
#endif
    postfach::util::apply_heap_settings();
    EXPECT_TRUE(mapped_after_a_larger_free());
}

} // namespace
#endif
