#pragma once
// Expands a path from the config: a leading "~" or "~/" is $HOME; $HOME, $XDG_CONFIG_HOME,
// $XDG_STATE_HOME, $XDG_DATA_HOME, $XDG_CACHE_HOME and $XDG_RUNTIME_DIR (also as ${NAME}) are
// replaced, the XDG ones falling back to their XDG Base Directory defaults when unset. Any other
// $NAME is an error: silently keeping or dropping it would put mail in a surprising place.

#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace postfach::config {

// Looks up an environment variable; tests pass their own.
using environment_lookup = std::function<std::optional<std::string>(std::string_view)>;

environment_lookup process_environment();

struct path_expansion_result {
    std::filesystem::path path;
    std::string error; // empty on success

    [[nodiscard]] bool ok() const noexcept { return error.empty(); }
};

path_expansion_result expand_path(std::string_view text, const environment_lookup& env);

// The XDG base directories with their defaults, e.g. xdg_dir("XDG_STATE_HOME", env) is
// $XDG_STATE_HOME or ~/.local/state. Empty if neither it nor HOME is set.
std::filesystem::path xdg_dir(std::string_view variable, const environment_lookup& env);

// Default config file: $XDG_CONFIG_HOME/postfach/config.yaml.
std::filesystem::path default_config_path(const environment_lookup& env);

// Default state dir: $STATE_DIRECTORY (set by systemd) else $XDG_STATE_HOME/postfach.
std::filesystem::path default_state_dir(const environment_lookup& env);

} // namespace postfach::config
