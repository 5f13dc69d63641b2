// Fuzzes Maildir name handling: message file names (base, info part, flags) and folder names
// (both layouts' escaping). The first byte picks the layout and the check; the rest is the name.
//
// Properties:
//  - file_name: parse never fails; compose() is a fixed point (parsing it and composing again
//    gives the same name) and keeps base, flags, other letters and rest;
//  - folder names: a valid name maps to a directory strictly inside the root, with no "." or
//    ".." component, and each component decodes back to the name's component.

#include "maildir/file_name.hpp"
#include "maildir/folder_layout.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <string_view>

namespace {

using namespace postfach::maildir;

void check_file_name(std::string_view input) {
    const auto parsed = file_name::parse(input);
    if (parsed.base.find(':') != std::string::npos)
        std::abort();
    const std::string composed = parsed.compose();
    const auto again = file_name::parse(composed);
    if (again.base != parsed.base || again.flags != parsed.flags ||
        again.has_rest != parsed.has_rest || again.rest != parsed.rest ||
        !again.foreign_info.empty())
        std::abort();
    std::string letters = again.other_letters;
    std::string original = parsed.other_letters;
    std::sort(original.begin(), original.end());
    if (letters != original || again.compose() != composed)
        std::abort();
    // compose_for_new keeps whatever the name carried.
    const auto for_new = file_name::parse(parsed.compose_for_new());
    if (for_new.base != parsed.base || for_new.flags != parsed.flags ||
        for_new.foreign_info != parsed.foreign_info || for_new.rest != parsed.rest)
        std::abort();
}

void check_folder_name(std::string_view name, layout_kind kind) {
    std::error_code ec;
    const std::filesystem::path root = "/maildir-root";
    const folder_layout layout(root, kind);
    const auto dir = layout.folder_dir(name, ec);
    if (!is_valid_folder_name(name)) {
        if (!ec)
            std::abort();
        return;
    }
    if (ec)
        std::abort();
    if (dir == root) {
        if (name != "INBOX" || kind != layout_kind::maildir_plus_plus)
            std::abort();
        return;
    }
    // Strictly inside the root: the path starts with root, and no component is "." or "..".
    const auto relative = dir.lexically_relative(root);
    if (relative.empty() || *relative.begin() == "..")
        std::abort();
    std::string decoded;
    for (const auto& part : relative) {
        const std::string s = part.string();
        if (s.empty() || s == "." || s == ".." || s.find('/') != std::string::npos)
            std::abort();
        if (kind == layout_kind::verbatim) {
            if (s == "tmp" || s == "new" || s == "cur" || s.front() == '.')
                std::abort();
            if (!decoded.empty())
                decoded.push_back('/');
            decoded += decode_folder_component(s);
        } else {
            // One directory ".A.B": components separated by unescaped dots.
            if (s.front() != '.')
                std::abort();
            std::size_t start = 1;
            while (true) {
                const auto dot = s.find('.', start);
                if (!decoded.empty() || start > 1)
                    decoded.push_back('/');
                decoded += decode_folder_component(s.substr(start, dot - start));
                if (dot == std::string::npos)
                    break;
                start = dot + 1;
            }
        }
    }
    if (decoded != name)
        std::abort();
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0)
        return 0;
    const std::string_view input(reinterpret_cast<const char*>(data) + 1, size - 1);
    switch (data[0] % 3) {
    case 0:
        check_file_name(input);
        break;
    case 1:
        check_folder_name(input, layout_kind::maildir_plus_plus);
        break;
    default:
        check_folder_name(input, layout_kind::verbatim);
        break;
    }
    return 0;
}
