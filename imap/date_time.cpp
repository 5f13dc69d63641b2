#include "imap/date_time.hpp"

#include <array>
#include <cctype>
#include <cstdio>
#include <ctime>

namespace postfach::imap {

namespace {

constexpr std::array<const char*, 12> months{"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                             "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

// Reads exactly n digits.
bool digits(std::string_view& text, std::size_t n, int& out) {
    if (text.size() < n)
        return false;
    out = 0;
    for (std::size_t i = 0; i < n; ++i) {
        if (std::isdigit(static_cast<unsigned char>(text[i])) == 0)
            return false;
        out = out * 10 + (text[i] - '0');
    }
    text.remove_prefix(n);
    return true;
}

bool eat(std::string_view& text, char c) {
    if (text.empty() || text.front() != c)
        return false;
    text.remove_prefix(1);
    return true;
}

// Days since 1970-01-01 of a civil date (H. Hinnant's algorithm).
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
    y -= m <= 2 ? 1 : 0;
    const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
    const auto yoe = static_cast<unsigned>(y - era * 400);
    const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

} // namespace

std::string format_date_time(std::int64_t seconds) {
    const std::time_t t = seconds;
    std::tm tm{};
    ::gmtime_r(&t, &tm);
    char buffer[40];
    std::snprintf(buffer, sizeof buffer, "%02d-%s-%04d %02d:%02d:%02d +0000", tm.tm_mday,
                  months[static_cast<std::size_t>(tm.tm_mon)], tm.tm_year + 1900, tm.tm_hour,
                  tm.tm_min, tm.tm_sec);
    return buffer;
}

std::optional<std::int64_t> parse_date_time(std::string_view text) {
    int day = 0;
    if (eat(text, ' ')) {
        if (!digits(text, 1, day))
            return std::nullopt;
    } else if (!digits(text, 2, day) && !digits(text, 1, day)) {
        return std::nullopt;
    }
    if (!eat(text, '-') || text.size() < 3)
        return std::nullopt;
    unsigned month = 0;
    for (unsigned i = 0; i < months.size(); ++i)
        if (text.substr(0, 3) == months[i])
            month = i + 1;
    text.remove_prefix(3);
    int year = 0, hour = 0, minute = 0, second = 0, zone_h = 0, zone_m = 0;
    if (month == 0 || !eat(text, '-') || !digits(text, 4, year) || !eat(text, ' ') ||
        !digits(text, 2, hour) || !eat(text, ':') || !digits(text, 2, minute) || !eat(text, ':') ||
        !digits(text, 2, second) || !eat(text, ' ') || text.empty())
        return std::nullopt;
    const char sign = text.front();
    text.remove_prefix(1);
    if ((sign != '+' && sign != '-') || !digits(text, 2, zone_h) || !digits(text, 2, zone_m) ||
        !text.empty() || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60)
        return std::nullopt;
    const std::int64_t zone = (zone_h * 3600 + zone_m * 60) * (sign == '-' ? -1 : 1);
    return days_from_civil(year, month, static_cast<unsigned>(day)) * 86400 + hour * 3600 +
           minute * 60 + second - zone;
}

} // namespace postfach::imap
