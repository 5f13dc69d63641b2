#include "util/open_file_limit.hpp"

#include <cstdint>
#include <sys/resource.h>

namespace postfach::util {

void raise_open_file_limit() noexcept {
    struct rlimit limit {};
    if (::getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur >= limit.rlim_max)
        return;
    limit.rlim_cur = limit.rlim_max;
    (void)::setrlimit(RLIMIT_NOFILE, &limit);
}

std::size_t open_file_limit() noexcept {
    struct rlimit limit {};
    if (::getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur == RLIM_INFINITY ||
        limit.rlim_cur >= SIZE_MAX)
        return SIZE_MAX;
    return static_cast<std::size_t>(limit.rlim_cur);
}

} // namespace postfach::util
