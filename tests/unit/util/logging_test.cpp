#include "util/logging.hpp"

#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

namespace {

using postfach::logging::redact_credentials;

TEST(redact_credentials, hides_imap_login_and_authenticate_secrets) {
    EXPECT_EQ(redact_credentials("A1 LOGIN alice hunter2"), "A1 LOGIN alice ***");
    EXPECT_EQ(redact_credentials("a1 login \"alice\" \"hunter 2\""), "a1 login \"alice\" ***");
    EXPECT_EQ(redact_credentials("A2 AUTHENTICATE PLAIN AGFsaWNlAGh1bnRlcjI="),
              "A2 AUTHENTICATE PLAIN ***");
    EXPECT_EQ(redact_credentials("A2 AUTHENTICATE XOAUTH2"), "A2 AUTHENTICATE XOAUTH2");
}

TEST(redact_credentials, hides_pop3_secrets) {
    EXPECT_EQ(redact_credentials("PASS hunter2"), "PASS ***");
    EXPECT_EQ(redact_credentials("pass hunter 2"), "pass ***");
    EXPECT_EQ(redact_credentials("APOP alice c4c9334bac560ecc979e58001b3e22fb"), "APOP alice ***");
    EXPECT_EQ(redact_credentials("AUTH PLAIN AGFsaWNlAGh1bnRlcjI="), "AUTH PLAIN ***");
    EXPECT_EQ(redact_credentials("AUTH PLAIN"), "AUTH PLAIN");
}

TEST(redact_credentials, leaves_other_lines_alone) {
    EXPECT_EQ(redact_credentials("A3 SELECT INBOX"), "A3 SELECT INBOX");
    EXPECT_EQ(redact_credentials("USER alice"), "USER alice");
    EXPECT_EQ(redact_credentials("A4 UID FETCH 1:* (FLAGS)"), "A4 UID FETCH 1:* (FLAGS)");
}

TEST(journal_prefix, maps_levels_to_syslog_priorities) {
    EXPECT_EQ(postfach::logging::journal_prefix(spdlog::level::err), "<3>");
    EXPECT_EQ(postfach::logging::journal_prefix(spdlog::level::warn), "<4>");
    EXPECT_EQ(postfach::logging::journal_prefix(spdlog::level::info), "<6>");
    EXPECT_EQ(postfach::logging::journal_prefix(spdlog::level::debug), "<7>");
    EXPECT_EQ(postfach::logging::journal_prefix(spdlog::level::trace), "<7>");
}

TEST(trace_protocol, logs_redacted_lines_only_when_verbose) {
    std::ostringstream out;
    auto logger = std::make_shared<spdlog::logger>(
        "test", std::make_shared<spdlog::sinks::ostream_sink_mt>(out));
    logger->set_pattern("%v");
    auto previous = spdlog::default_logger();
    spdlog::set_default_logger(logger);

    logger->set_level(spdlog::level::info);
    postfach::logging::trace_protocol("work", postfach::logging::direction::client_to_server,
                                      "A1 SELECT INBOX\r\n");
    EXPECT_EQ(out.str(), "");

    logger->set_level(spdlog::level::trace);
    using postfach::logging::direction;
    postfach::logging::trace_protocol("work", direction::client_to_server,
                                      "A1 LOGIN alice hunter2\r\n");
    postfach::logging::trace_protocol("work", direction::client_to_server, "aHVudGVyMg==", true);
    postfach::logging::trace_protocol("work", direction::server_to_client, "A1 OK done\r\n");
    spdlog::set_default_logger(previous);
    EXPECT_EQ(out.str(), "work C: A1 LOGIN alice ***\n"
                         "work C: *** (12 bytes, redacted)\n"
                         "work S: A1 OK done\n");
}

} // namespace
