#include "maildir/internal_date.hpp"

#include "util/ascii.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <fstream>
#include <string>
#include <vector>

namespace postfach::maildir {

namespace {

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil).
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
    y -= m <= 2;
    const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
    const auto yoe = static_cast<unsigned>(y - era * 400);
    const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

// Splits on spaces, tabs, commas and the colons of the time; drops comments "(...)".
std::vector<std::string_view> tokens(std::string_view text) {
    std::vector<std::string_view> out;
    std::size_t i = 0;
    int depth = 0;
    while (i < text.size()) {
        const char c = text[i];
        if (c == '(') {
            ++depth;
            ++i;
        } else if (c == ')') {
            depth = std::max(0, depth - 1);
            ++i;
        } else if (depth > 0 || c == ' ' || c == '\t' || c == ',' || c == '\r' || c == '\n') {
            ++i;
        } else {
            const auto start = i;
            while (i < text.size() && text[i] != ' ' && text[i] != '\t' && text[i] != ',' &&
                   text[i] != '(' && text[i] != '\r' && text[i] != '\n')
                ++i;
            out.push_back(text.substr(start, i - start));
        }
    }
    return out;
}

std::optional<int> number(std::string_view s) {
    int v = 0;
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc{} || end != s.data() + s.size())
        return std::nullopt;
    return v;
}

// Zone offset in seconds east of UTC.
std::optional<int> zone_offset(std::string_view z) {
    if (z.size() == 5 && (z[0] == '+' || z[0] == '-')) {
        const auto hhmm = number(z.substr(1));
        if (!hhmm)
            return std::nullopt;
        const int secs = (*hhmm / 100) * 3600 + (*hhmm % 100) * 60;
        return z[0] == '-' ? -secs : secs;
    }
    static constexpr std::array<std::pair<std::string_view, int>, 10> names{{{"UT", 0},
                                                                             {"GMT", 0},
                                                                             {"Z", 0},
                                                                             {"EST", -5},
                                                                             {"EDT", -4},
                                                                             {"CST", -6},
                                                                             {"CDT", -5},
                                                                             {"MST", -7},
                                                                             {"MDT", -6},
                                                                             {"PST", -8}}};
    for (const auto& [name, hours] : names)
        if (util::ascii_iequals(z, name))
            return hours * 3600;
    if (util::ascii_iequals(z, "PDT"))
        return -7 * 3600;
    return 0; // RFC 5322 §4.3: other zone names are taken as -0000
}

} // namespace

std::optional<std::int64_t> parse_rfc5322_date(std::string_view text) {
    auto t = tokens(text);
    if (!t.empty() && !t.front().empty() && std::isalpha(static_cast<unsigned char>(t.front()[0])))
        t.erase(t.begin()); // day of week
    if (t.size() < 4)
        return std::nullopt;
    static constexpr std::array<std::string_view, 12> months{
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    const auto day = number(t[0]);
    const auto month = std::find_if(months.begin(), months.end(), [&](std::string_view m) {
        return util::ascii_iequals(m, t[1]);
    });
    auto year = number(t[2]);
    if (!day || month == months.end() || !year || *day < 1 || *day > 31)
        return std::nullopt;
    if (t[2].size() <= 2)
        *year += *year < 50 ? 2000 : 1900; // §4.3
    else if (t[2].size() == 3)
        *year += 1900;
    // hh:mm[:ss]
    std::string_view time = t[3];
    int parts[3] = {0, 0, 0};
    for (int i = 0; i < 3 && !time.empty(); ++i) {
        const auto colon = time.find(':');
        const auto p = number(time.substr(0, colon));
        if (!p)
            return std::nullopt;
        parts[i] = *p;
        time = colon == std::string_view::npos ? std::string_view{} : time.substr(colon + 1);
    }
    if (parts[0] > 23 || parts[1] > 59 || parts[2] > 60)
        return std::nullopt;
    int offset = 0;
    if (t.size() > 4)
        if (const auto z = zone_offset(t[4]))
            offset = *z;
    const auto m = static_cast<unsigned>(month - months.begin() + 1);
    return days_from_civil(*year, m, static_cast<unsigned>(*day)) * 86400 + parts[0] * 3600 +
           parts[1] * 60 + parts[2] - offset;
}

std::int64_t internal_date_of(const std::filesystem::path& file,
                              std::chrono::system_clock::time_point mtime) {
    const auto fallback =
        std::chrono::duration_cast<std::chrono::seconds>(mtime.time_since_epoch()).count();
    std::ifstream in(file, std::ios::binary);
    std::string line, value;
    bool in_date = false;
    // The header block: up to the first empty line, at most 1 MiB of it.
    std::size_t read = 0;
    while (std::getline(in, line) && read < (1u << 20)) {
        read += line.size() + 1;
        if (!line.empty() && line.back() == '\r')
            line.pop_back();
        if (line.empty())
            break;
        const bool continuation = line.front() == ' ' || line.front() == '\t';
        if (in_date && continuation) {
            value += line;
            continue;
        }
        if (in_date)
            break;
        const auto colon = line.find(':');
        if (colon != std::string::npos &&
            util::ascii_iequals(std::string_view(line).substr(0, colon), "Date")) {
            in_date = true;
            value = line.substr(colon + 1);
        }
    }
    if (const auto parsed = parse_rfc5322_date(value))
        return *parsed;
    return fallback;
}

} // namespace postfach::maildir
