// Fuzzes the configuration loader with YAML text: it must never crash or throw, and every error
// must carry a position (line:col), except the one for an empty file, which concerns the whole
// file. A configuration comes back exactly when there is no error.

#include "config/config_loader.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace postfach::config;
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    // A fixed environment: HOME set, nothing else; paths expand without touching the machine.
    const environment_lookup env = [](std::string_view name) -> std::optional<std::string> {
        if (name == "HOME")
            return std::string("/home/fuzz");
        return std::nullopt;
    };
    const auto result = load_config_text(text, "fuzz.yaml", env);
    if (result.config.has_value() == !result.errors.empty())
        std::abort();
    for (const auto& e : result.errors) {
        const bool whole_file = e.message.starts_with("the file is empty");
        if (!whole_file && (e.line < 1 || e.column < 1))
            std::abort();
        if (e.to_string().empty())
            std::abort();
    }
    return 0;
}
