#include "config/path_expansion.hpp"

#include <cctype>
#include <cstdlib>

namespace postfach::config {

namespace {

bool is_name_char(char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
}

std::optional<std::string> non_empty(std::optional<std::string> v) {
    if (v && v->empty())
        return std::nullopt;
    return v;
}

} // namespace

environment_lookup process_environment() {
    return [](std::string_view name) -> std::optional<std::string> {
        const char* v = std::getenv(std::string(name).c_str());
        if (v == nullptr)
            return std::nullopt;
        return std::string(v);
    };
}

std::filesystem::path xdg_dir(std::string_view variable, const environment_lookup& env) {
    if (auto v = non_empty(env(variable)); v && v->front() == '/')
        return *v; // the spec says relative values are invalid and must be ignored
    const auto home = non_empty(env("HOME"));
    if (variable == "HOME")
        return home ? std::filesystem::path(*home) : std::filesystem::path();
    if (variable == "XDG_RUNTIME_DIR" || !home)
        return {};
    const std::filesystem::path h(*home);
    if (variable == "XDG_CONFIG_HOME")
        return h / ".config";
    if (variable == "XDG_STATE_HOME")
        return h / ".local/state";
    if (variable == "XDG_DATA_HOME")
        return h / ".local/share";
    if (variable == "XDG_CACHE_HOME")
        return h / ".cache";
    return {};
}

path_expansion_result expand_path(std::string_view text, const environment_lookup& env) {
    path_expansion_result result;
    std::string out;
    std::size_t i = 0;
    if (text == "~" || text.starts_with("~/")) {
        const auto home = xdg_dir("HOME", env);
        if (home.empty()) {
            result.error = "'~' used but HOME is not set";
            return result;
        }
        out = home.string();
        i = 1;
    } else if (text.starts_with("~")) {
        result.error = "'~user' is not supported; write the full path";
        return result;
    }
    while (i < text.size()) {
        const char c = text[i];
        if (c != '$') {
            out.push_back(c);
            ++i;
            continue;
        }
        std::string name;
        std::size_t next = i + 1;
        if (next < text.size() && text[next] == '{') {
            const auto close = text.find('}', next);
            if (close == std::string_view::npos) {
                result.error = "unterminated '${' in path";
                return result;
            }
            name = std::string(text.substr(next + 1, close - next - 1));
            next = close + 1;
        } else {
            while (next < text.size() && is_name_char(text[next]))
                name.push_back(text[next++]);
        }
        const bool known = name == "HOME" || name == "XDG_CONFIG_HOME" ||
                           name == "XDG_STATE_HOME" || name == "XDG_DATA_HOME" ||
                           name == "XDG_CACHE_HOME" || name == "XDG_RUNTIME_DIR";
        if (!known) {
            result.error = "only ~, $HOME and $XDG_* are expanded in paths, not '$" + name +
                           "'; write the full path";
            return result;
        }
        const auto value = xdg_dir(name, env);
        if (value.empty()) {
            result.error = "$" + name + " is used in the path but is not set (nor is HOME)";
            return result;
        }
        out += value.string();
        i = next;
    }
    if (out.empty()) {
        result.error = "empty path";
        return result;
    }
    // Normal form without a trailing slash, so "/m" and "/m/" compare equal.
    result.path = std::filesystem::path(out).lexically_normal();
    if (!result.path.has_filename() && result.path.has_relative_path())
        result.path = result.path.parent_path();
    return result;
}

std::filesystem::path default_config_path(const environment_lookup& env) {
    const auto base = xdg_dir("XDG_CONFIG_HOME", env);
    return base.empty() ? std::filesystem::path() : base / "postfach" / "config.yaml";
}

std::filesystem::path default_state_dir(const environment_lookup& env) {
    if (auto systemd_dir = non_empty(env("STATE_DIRECTORY"))) {
        // systemd may pass several colon-separated directories; the first is ours.
        return std::filesystem::path(systemd_dir->substr(0, systemd_dir->find(':')));
    }
    const auto base = xdg_dir("XDG_STATE_HOME", env);
    return base.empty() ? std::filesystem::path() : base / "postfach";
}

} // namespace postfach::config
