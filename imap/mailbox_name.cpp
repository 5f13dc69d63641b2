#include "imap/mailbox_name.hpp"

#include "imap/imap_errc.hpp"

#include <cstdint>
#include <optional>
#include <vector>

namespace postfach::imap {

namespace {

constexpr char base64_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+,";

int base64_value(char c) {
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '+')
        return 62;
    if (c == ',')
        return 63;
    return -1;
}

bool printable_ascii(char32_t c) {
    return c >= 0x20 && c <= 0x7e;
}

void append_utf8(std::string& out, char32_t c) {
    if (c < 0x80) {
        out += static_cast<char>(c);
    } else if (c < 0x800) {
        out += static_cast<char>(0xc0 | (c >> 6));
        out += static_cast<char>(0x80 | (c & 0x3f));
    } else if (c < 0x10000) {
        out += static_cast<char>(0xe0 | (c >> 12));
        out += static_cast<char>(0x80 | ((c >> 6) & 0x3f));
        out += static_cast<char>(0x80 | (c & 0x3f));
    } else {
        out += static_cast<char>(0xf0 | (c >> 18));
        out += static_cast<char>(0x80 | ((c >> 12) & 0x3f));
        out += static_cast<char>(0x80 | ((c >> 6) & 0x3f));
        out += static_cast<char>(0x80 | (c & 0x3f));
    }
}

// Decodes one UTF-8 sequence at the front of `in`; nullopt if invalid.
std::optional<char32_t> next_code_point(std::string_view& in) {
    const auto lead = static_cast<unsigned char>(in[0]);
    int length = 0;
    char32_t c = 0;
    char32_t minimum = 0;
    if (lead < 0x80) {
        in.remove_prefix(1);
        return lead;
    } else if ((lead & 0xe0) == 0xc0) {
        length = 2, c = lead & 0x1f, minimum = 0x80;
    } else if ((lead & 0xf0) == 0xe0) {
        length = 3, c = lead & 0x0f, minimum = 0x800;
    } else if ((lead & 0xf8) == 0xf0) {
        length = 4, c = lead & 0x07, minimum = 0x10000;
    } else {
        return std::nullopt;
    }
    if (in.size() < static_cast<std::size_t>(length))
        return std::nullopt;
    for (int i = 1; i < length; ++i) {
        const auto b = static_cast<unsigned char>(in[static_cast<std::size_t>(i)]);
        if ((b & 0xc0) != 0x80)
            return std::nullopt;
        c = (c << 6) | (b & 0x3f);
    }
    if (c < minimum || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
        return std::nullopt;
    in.remove_prefix(static_cast<std::size_t>(length));
    return c;
}

// "&" + modified base64 of the UTF-16BE units + "-".
void append_shift(std::string& out, const std::vector<char16_t>& units) {
    out += '&';
    std::uint32_t bits = 0;
    int bit_count = 0;
    for (const auto unit : units) {
        for (const int shift : {8, 0}) {
            bits = (bits << 8) | ((unit >> shift) & 0xff);
            bit_count += 8;
            while (bit_count >= 6) {
                bit_count -= 6;
                out += base64_alphabet[(bits >> bit_count) & 0x3f];
            }
        }
    }
    if (bit_count > 0)
        out += base64_alphabet[(bits << (6 - bit_count)) & 0x3f];
    out += '-';
}

// Decodes the base64 run of one shift into `out`; false if it is not canonical.
bool decode_shift(std::string_view run, std::string& out) {
    std::vector<char16_t> units;
    std::uint32_t bits = 0;
    int bit_count = 0;
    for (const char c : run) {
        const int value = base64_value(c);
        if (value < 0)
            return false;
        bits = (bits << 6) | static_cast<std::uint32_t>(value);
        bit_count += 6;
        if (bit_count >= 16) {
            bit_count -= 16;
            units.push_back(static_cast<char16_t>((bits >> bit_count) & 0xffff));
        }
    }
    // Padding: fewer than 6 bits left over, all zero.
    if (units.empty() || bit_count >= 6 || (bits & ((1u << bit_count) - 1)) != 0)
        return false;
    for (std::size_t i = 0; i < units.size(); ++i) {
        char32_t c = units[i];
        if (c >= 0xdc00 && c <= 0xdfff)
            return false;
        if (c >= 0xd800 && c <= 0xdbff) {
            if (i + 1 >= units.size() || units[i + 1] < 0xdc00 || units[i + 1] > 0xdfff)
                return false;
            c = 0x10000 + ((c - 0xd800) << 10) + (units[++i] - 0xdc00);
        }
        if (printable_ascii(c))
            return false;
        append_utf8(out, c);
    }
    return true;
}

} // namespace

std::error_code encode_mailbox_name(std::string_view utf8, std::string& out) {
    out.clear();
    std::vector<char16_t> run;
    while (!utf8.empty()) {
        const auto c = next_code_point(utf8);
        if (!c) {
            out.clear();
            return imap_errc::invalid_mailbox_name;
        }
        if (printable_ascii(*c)) {
            if (!run.empty()) {
                append_shift(out, run);
                run.clear();
            }
            if (*c == '&')
                out += "&-";
            else
                out += static_cast<char>(*c);
        } else if (*c >= 0x10000) {
            run.push_back(static_cast<char16_t>(0xd800 + ((*c - 0x10000) >> 10)));
            run.push_back(static_cast<char16_t>(0xdc00 + ((*c - 0x10000) & 0x3ff)));
        } else {
            run.push_back(static_cast<char16_t>(*c));
        }
    }
    if (!run.empty())
        append_shift(out, run);
    return {};
}

std::error_code decode_mailbox_name(std::string_view mutf7, std::string& out) {
    out.clear();
    std::size_t previous_shift_end = std::string_view::npos;
    std::size_t i = 0;
    const auto invalid = [&out] {
        out.clear();
        return make_error_code(imap_errc::invalid_mailbox_name);
    };
    while (i < mutf7.size()) {
        const char c = mutf7[i];
        if (!printable_ascii(static_cast<unsigned char>(c)))
            return invalid();
        if (c != '&') {
            out += c;
            ++i;
            continue;
        }
        const auto dash = mutf7.find('-', i + 1);
        if (dash == std::string_view::npos)
            return invalid();
        if (dash == i + 1) {
            out += '&';
        } else {
            if (previous_shift_end == i || !decode_shift(mutf7.substr(i + 1, dash - i - 1), out))
                return invalid();
            previous_shift_end = dash + 1;
        }
        i = dash + 1;
    }
    return {};
}

} // namespace postfach::imap
