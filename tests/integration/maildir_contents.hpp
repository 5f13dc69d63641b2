#pragma once
// What a Maildir folder directory holds, for integration tests that look at the result on disk.

#include <filesystem>
#include <map>
#include <string>

namespace postfach::test {

// Message files of one Maildir folder directory: base name → info part ("2,S" or "").
inline std::map<std::string, std::string> messages_in(const std::filesystem::path& folder_dir) {
    std::map<std::string, std::string> out;
    for (const char* sub : {"new", "cur"}) {
        std::error_code ec;
        for (const auto& e : std::filesystem::directory_iterator(folder_dir / sub, ec)) {
            const auto name = e.path().filename().string();
            const auto colon = name.find(':');
            out[name.substr(0, colon)] = colon == std::string::npos ? "" : name.substr(colon + 1);
        }
    }
    return out;
}

} // namespace postfach::test
