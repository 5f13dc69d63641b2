#include "daemon/backoff.hpp"

#include <algorithm>

namespace postfach {

backoff::backoff(std::chrono::milliseconds first, std::chrono::milliseconds cap, std::uint64_t seed)
    : first_(first)
    , cap_(cap)
    , random_(seed) {}

std::chrono::milliseconds backoff::next() {
    auto ceiling = first_;
    for (unsigned i = 0; i < failures_ && ceiling < cap_; ++i)
        ceiling *= 2;
    ceiling = std::min(ceiling, cap_);
    ++failures_;
    std::uniform_int_distribution<std::int64_t> pick(ceiling.count() / 2, ceiling.count());
    return std::chrono::milliseconds(pick(random_));
}

} // namespace postfach
