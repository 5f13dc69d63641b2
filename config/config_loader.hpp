#pragma once
// Loads and validates the YAML configuration (design.md §2) before any I/O happens.
// Every problem is reported with file:line:col and the key path; all problems in a file are
// collected, so a user fixes them in one go. Secret values never appear in an error.

#include "config/config.hpp"
#include "config/path_expansion.hpp"

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace postfach::config {

struct config_error {
    std::string file;
    int line = 0;         // 1-based; 0 when the error concerns the whole file
    int column = 0;       // 1-based
    std::string key_path; // e.g. "accounts[0].imap.tls"; empty for syntax errors
    std::string message;

    // "config.yaml:12:7: accounts[0].imap.tls: expected implicit, starttls or none, got 'ssl'"
    [[nodiscard]] std::string to_string() const;
};

struct load_result {
    std::optional<configuration> config; // set only when errors is empty
    std::vector<config_error> errors;
};

load_result load_config_file(const std::filesystem::path& file, const environment_lookup& env);

// As above, from text; `file` is only used in messages and as configuration::source.
load_result load_config_text(std::string_view text, const std::filesystem::path& file,
                             const environment_lookup& env);

} // namespace postfach::config
