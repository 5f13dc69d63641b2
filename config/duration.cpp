#include "config/duration.hpp"

#include <cctype>
#include <cstdint>
#include <limits>

namespace postfach::config {

duration_parse_result parse_duration(std::string_view text) {
    duration_parse_result result;
    if (text.empty()) {
        result.error = "expected a duration such as 30s, 5m or 1h";
        return result;
    }
    std::int64_t total_ms = 0;
    std::size_t i = 0;
    while (i < text.size()) {
        if (!std::isdigit(static_cast<unsigned char>(text[i]))) {
            result.error =
                "expected a duration such as 30s, 5m or 1h, got '" + std::string(text) + "'";
            return result;
        }
        std::int64_t number = 0;
        while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) {
            number = number * 10 + (text[i] - '0');
            if (number > 1'000'000'000) {
                result.error = "duration '" + std::string(text) + "' is too large";
                return result;
            }
            ++i;
        }
        const std::size_t unit_start = i;
        while (i < text.size() && std::isalpha(static_cast<unsigned char>(text[i])))
            ++i;
        const auto unit = text.substr(unit_start, i - unit_start);
        std::int64_t scale = 0;
        if (unit == "ms")
            scale = 1;
        else if (unit == "s")
            scale = 1000;
        else if (unit == "m")
            scale = 60'000;
        else if (unit == "h")
            scale = 3'600'000;
        else if (unit == "d")
            scale = 86'400'000;
        else if (unit.empty()) {
            result.error = "duration '" + std::string(text) + "' has no unit; write e.g. " +
                           std::to_string(number) + "s or " + std::to_string(number) + "m";
            return result;
        } else {
            result.error = "unknown unit '" + std::string(unit) + "' in duration '" +
                           std::string(text) + "'; use ms, s, m, h or d";
            return result;
        }
        total_ms += number * scale;
        if (total_ms > std::int64_t{365} * 86'400'000) {
            result.error = "duration '" + std::string(text) + "' is longer than a year";
            return result;
        }
    }
    result.value = std::chrono::milliseconds(total_ms);
    return result;
}

std::string format_duration(std::chrono::milliseconds d) {
    auto ms = d.count();
    if (ms == 0)
        return "0s";
    std::string out;
    const std::pair<std::int64_t, const char*> units[] = {
        {86'400'000, "d"}, {3'600'000, "h"}, {60'000, "m"}, {1000, "s"}, {1, "ms"}};
    for (const auto& [scale, name] : units) {
        if (ms >= scale) {
            out += std::to_string(ms / scale) + name;
            ms %= scale;
        }
    }
    return out;
}

} // namespace postfach::config
