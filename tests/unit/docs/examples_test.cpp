// Every configuration example in examples/ loads through the configuration loader without a
// single error, so the files the README and the package point people to are valid.

#include "config/config_loader.hpp"

#include <filesystem>
#include <gtest/gtest.h>
#include <map>

namespace postfach::config {
namespace {

namespace fs = std::filesystem;

environment_lookup home_only() {
    return [](std::string_view name) -> std::optional<std::string> {
        if (name == "HOME")
            return "/home/me";
        return std::nullopt;
    };
}

TEST(examples, every_example_loads_through_the_config_loader) {
    const fs::path dir = fs::path(POSTFACH_SOURCE_DIR) / "examples";
    std::size_t count = 0;
    for (const auto& entry : fs::directory_iterator(dir)) {
        if (entry.path().extension() != ".yaml")
            continue;
        ++count;
        const auto loaded = load_config_file(entry.path(), home_only());
        for (const auto& e : loaded.errors)
            ADD_FAILURE() << e.to_string();
        ASSERT_TRUE(loaded.config) << entry.path();
        EXPECT_EQ(loaded.config->accounts.size(), 1u) << entry.path();
        for (const auto& a : loaded.config->accounts)
            EXPECT_TRUE(a.maildir.string().starts_with("/home/me/Mail/")) << a.maildir;
    }
    EXPECT_GE(count, 5u) << "Dovecot, Fastmail, Gmail, Outlook.com and a POP3-only provider";
}

TEST(examples, oauth2_providers_use_a_token_command) {
    for (const char* name : {"gmail.yaml", "outlook.yaml"}) {
        const auto loaded =
            load_config_file(fs::path(POSTFACH_SOURCE_DIR) / "examples" / name, home_only());
        ASSERT_TRUE(loaded.config) << name;
        const auto& imap = *loaded.config->accounts.at(0).imap;
        EXPECT_EQ(imap.secret.source, secret_source::kind::oauth2_token_command) << name;
        EXPECT_EQ(imap.auth, std::vector<auth_mechanism>{auth_mechanism::xoauth2}) << name;
    }
}

} // namespace
} // namespace postfach::config
