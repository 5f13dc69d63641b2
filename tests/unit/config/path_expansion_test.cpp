#include "config/path_expansion.hpp"

#include <gtest/gtest.h>
#include <map>

namespace {

using namespace postfach::config;

environment_lookup env_of(std::map<std::string, std::string> vars) {
    return [vars](std::string_view name) -> std::optional<std::string> {
        auto it = vars.find(std::string(name));
        return it == vars.end() ? std::nullopt : std::optional(it->second);
    };
}

TEST(path_expansion, tilde_and_home) {
    const auto env = env_of({{"HOME", "/home/u"}});
    EXPECT_EQ(expand_path("~", env).path, "/home/u");
    EXPECT_EQ(expand_path("~/Mail", env).path, "/home/u/Mail");
    EXPECT_EQ(expand_path("$HOME/Mail", env).path, "/home/u/Mail");
    EXPECT_EQ(expand_path("${HOME}/Mail//x/", env).path, "/home/u/Mail/x");
    EXPECT_EQ(expand_path("/abs/~/x", env).path, "/abs/~/x"); // only a leading ~ expands
}

TEST(path_expansion, xdg_variables_with_their_defaults) {
    const auto unset = env_of({{"HOME", "/home/u"}});
    EXPECT_EQ(expand_path("$XDG_CONFIG_HOME/p", unset).path, "/home/u/.config/p");
    EXPECT_EQ(expand_path("$XDG_STATE_HOME/p", unset).path, "/home/u/.local/state/p");
    EXPECT_EQ(expand_path("$XDG_DATA_HOME/p", unset).path, "/home/u/.local/share/p");
    EXPECT_EQ(expand_path("$XDG_CACHE_HOME/p", unset).path, "/home/u/.cache/p");
    const auto set = env_of(
        {{"HOME", "/home/u"}, {"XDG_STATE_HOME", "/state"}, {"XDG_RUNTIME_DIR", "/run/user/1"}});
    EXPECT_EQ(expand_path("$XDG_STATE_HOME/p", set).path, "/state/p");
    EXPECT_EQ(expand_path("$XDG_RUNTIME_DIR/p", set).path, "/run/user/1/p");
    // A relative XDG value is invalid per the spec and ignored.
    const auto relative = env_of({{"HOME", "/home/u"}, {"XDG_CONFIG_HOME", "rel"}});
    EXPECT_EQ(expand_path("$XDG_CONFIG_HOME", relative).path, "/home/u/.config");
}

TEST(path_expansion, errors) {
    const auto env = env_of({{"HOME", "/home/u"}});
    EXPECT_NE(expand_path("$MAIL/x", env).error.find("'$MAIL'"), std::string::npos);
    EXPECT_NE(expand_path("~bob/x", env).error.find("~user"), std::string::npos);
    EXPECT_NE(expand_path("${HOME/x", env).error.find("unterminated"), std::string::npos);
    EXPECT_NE(expand_path("~/x", env_of({})).error.find("HOME is not set"), std::string::npos);
    EXPECT_NE(expand_path("$XDG_RUNTIME_DIR/x", env).error.find("not set"), std::string::npos);
}

TEST(path_expansion, default_locations) {
    const auto env = env_of({{"HOME", "/home/u"}});
    EXPECT_EQ(default_config_path(env), "/home/u/.config/postfach/config.yaml");
    EXPECT_EQ(default_state_dir(env), "/home/u/.local/state/postfach");
    EXPECT_EQ(default_state_dir(
                  env_of({{"HOME", "/home/u"}, {"STATE_DIRECTORY", "/var/lib/a:/var/lib/b"}})),
              "/var/lib/a");
    EXPECT_EQ(default_config_path(env_of({{"XDG_CONFIG_HOME", "/cfg"}})),
              "/cfg/postfach/config.yaml");
}

} // namespace
