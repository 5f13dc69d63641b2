#pragma once
// Delays between reconnection attempts: exponential from 1 s to 5 min, with jitter so that many
// accounts (or many users of one server) do not retry in step. Each delay is drawn uniformly
// from [d/2, d] where d doubles per failure up to the cap.

#include <chrono>
#include <cstdint>
#include <random>

namespace postfach {

class backoff {
public:
    explicit backoff(std::chrono::milliseconds first = std::chrono::seconds(1),
                     std::chrono::milliseconds cap = std::chrono::minutes(5),
                     std::uint64_t seed = std::random_device{}());

    // The delay before the next attempt; each call counts one more failure.
    std::chrono::milliseconds next();
    // After a success: the next failure waits `first` again.
    void reset() noexcept { failures_ = 0; }
    [[nodiscard]] unsigned failures() const noexcept { return failures_; }

private:
    std::chrono::milliseconds first_;
    std::chrono::milliseconds cap_;
    unsigned failures_ = 0;
    std::mt19937_64 random_;
};

} // namespace postfach
