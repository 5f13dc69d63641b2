#pragma once
// Durations in the config: "30s", "5m", "1h30m", "2d", "500ms". A bare number is refused
// (is 300 seconds or minutes?), with a hint to add a unit.

#include <chrono>
#include <string>
#include <string_view>

namespace postfach::config {

struct duration_parse_result {
    std::chrono::milliseconds value{0};
    std::string error; // empty on success

    [[nodiscard]] bool ok() const noexcept { return error.empty(); }
};

duration_parse_result parse_duration(std::string_view text);

// "5m", "1h30m", "30s", "250ms": the shortest exact form, for messages and `status`.
std::string format_duration(std::chrono::milliseconds d);

} // namespace postfach::config
