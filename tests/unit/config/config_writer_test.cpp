// What `postfach init` writes loads back through the loader unchanged, whatever the values.

#include "config/config_loader.hpp"
#include "config/config_writer.hpp"

#include <gtest/gtest.h>

namespace postfach::config {
namespace {

environment_lookup home_only() {
    return [](std::string_view name) -> std::optional<std::string> {
        if (name == "HOME")
            return "/home/u";
        return std::nullopt;
    };
}

TEST(config_writer, a_rendered_account_loads_back_with_every_value) {
    account_draft draft;
    draft.name = "work";
    draft.maildir = "~/Mail/Arbeit ü";
    draft.layout = layout_kind::verbatim;
    draft.protocol = protocol_kind::imap;
    draft.host = "imap.example.com";
    draft.port = 1993;
    draft.tls = tls_mode::starttls;
    draft.ca_file = "/etc/ssl/my ca.pem";
    draft.user = "alice@example.com";
    draft.secret = secret_source::kind::password_command;
    draft.secret_value = R"(pass show "mail/work: main")";
    const auto text = render_config({draft}, "a comment");
    EXPECT_EQ(text.rfind("# a comment", 0), 0u) << text;

    const auto loaded = load_config_text(text, "/c.yaml", home_only());
    ASSERT_TRUE(loaded.config) << text
                               << (loaded.errors.empty() ? "" : loaded.errors[0].to_string());
    const auto& a = loaded.config->accounts.at(0);
    EXPECT_EQ(a.name, "work");
    EXPECT_EQ(a.maildir, "/home/u/Mail/Arbeit ü");
    EXPECT_EQ(a.layout, layout_kind::verbatim);
    EXPECT_EQ(a.protocol, protocol_kind::imap);
    ASSERT_TRUE(a.imap);
    EXPECT_EQ(a.imap->host, "imap.example.com");
    EXPECT_EQ(a.imap->port, 1993);
    EXPECT_EQ(a.imap->tls, tls_mode::starttls);
    EXPECT_EQ(a.imap->ca_file, std::filesystem::path("/etc/ssl/my ca.pem"));
    EXPECT_EQ(a.imap->user, "alice@example.com");
    EXPECT_EQ(a.imap->secret.source, secret_source::kind::password_command);
    EXPECT_EQ(a.imap->secret.command,
              (std::vector<std::string>{"pass", "show", "mail/work: main"}));
}

TEST(config_writer, a_pop3_account_goes_into_a_pop3_block_and_a_default_port_is_left_out) {
    account_draft draft;
    draft.name = "old";
    draft.maildir = "/m";
    draft.protocol = protocol_kind::pop3;
    draft.server = server_kind::pop3;
    draft.host = "pop.example.com";
    draft.user = "u";
    draft.secret = secret_source::kind::oauth2_token_command;
    draft.secret_value = "oama access u@example.com";
    const auto text = render_config({draft}, "");
    EXPECT_EQ(text.find("port"), std::string::npos) << text;
    const auto loaded = load_config_text(text, "/c.yaml", home_only());
    ASSERT_TRUE(loaded.config) << text;
    const auto& a = loaded.config->accounts.at(0);
    ASSERT_TRUE(a.pop3);
    EXPECT_FALSE(a.imap);
    EXPECT_EQ(a.pop3->port, 995);
    EXPECT_EQ(a.pop3->secret.source, secret_source::kind::oauth2_token_command);
}

} // namespace
} // namespace postfach::config
