// Tests of the POP3 response parser: each sample is fed whole, split at every byte boundary and
// byte by byte; all feeds must give the same responses and the same message bytes.

#include "pop3/pop3_errc.hpp"
#include "pop3/response_parser.hpp"
#include "tests/unit/support/parser_feed.hpp"

#include <gtest/gtest.h>
#include <string>
#include <vector>

namespace postfach::pop3 {
namespace {

class recording_sink final : public message_sink {
public:
    void begin() override { log += "<begin>"; }
    void data(std::string_view chunk) override {
        EXPECT_FALSE(chunk.empty());
        log += std::string(chunk);
    }
    void end() override { log += "<end>"; }
    std::string log;
};

using outcome = test::parse_outcome<response>;

// Feeds the chunks, expecting `kind` for every response; stops at the first error.
outcome feed_chunks(response_kind kind, const std::vector<std::string_view>& chunks,
                    parser_limits limits = {}) {
    outcome out;
    recording_sink sink;
    response_parser parser(limits);
    parser.expect(kind, "TEST", &sink);
    test::consume_chunks(parser, chunks, out);
    out.sink_log = sink.log;
    return out;
}

// The same outcome whole, for every split into two parts, and byte by byte.
outcome feed_every_split(response_kind kind, std::string_view wire, parser_limits limits = {}) {
    return test::same_for_every_split<outcome>(wire,
                                               [&](const std::vector<std::string_view>& chunks) {
                                                   return feed_chunks(kind, chunks, limits);
                                               });
}

TEST(pop3_response_parser, status_lines_with_and_without_text) {
    auto out = feed_every_split(response_kind::status,
                                "+OK Dovecot ready.\r\n+OK\r\n-ERR no such message\r\n-ERR\r\n");
    ASSERT_FALSE(out.error) << out.diagnostics;
    ASSERT_EQ(out.responses.size(), 4u);
    EXPECT_TRUE(out.responses[0].ok());
    EXPECT_EQ(out.responses[0].text, "Dovecot ready.");
    EXPECT_EQ(out.responses[1].text, "");
    EXPECT_EQ(out.responses[2].type, response::kind::err);
    EXPECT_EQ(out.responses[2].text, "no such message");
    EXPECT_EQ(out.responses[3].type, response::kind::err);
    EXPECT_FALSE(out.mid_response);
}

TEST(pop3_response_parser, resp_codes_kept_apart_from_text) {
    auto out = feed_every_split(
        response_kind::status,
        "-ERR [IN-USE] Mailbox locked\r\n-ERR [LOGIN-DELAY] wait\r\n-ERR [SYS/TEMP] try later\r\n"
        "-ERR [SYS/PERM] gone\r\n-ERR [AUTH] Authentication failed.\r\n-ERR [broken text\r\n"
        "+OK [] empty\r\n");
    ASSERT_FALSE(out.error) << out.diagnostics;
    ASSERT_EQ(out.responses.size(), 7u);
    EXPECT_EQ(out.responses[0].code, "IN-USE");
    EXPECT_EQ(out.responses[0].text, "Mailbox locked");
    EXPECT_EQ(out.responses[1].code, "LOGIN-DELAY");
    EXPECT_EQ(out.responses[2].code, "SYS/TEMP");
    EXPECT_EQ(out.responses[3].code, "SYS/PERM");
    EXPECT_EQ(out.responses[4].code, "AUTH");
    EXPECT_EQ(out.responses[4].text, "Authentication failed.");
    EXPECT_EQ(out.responses[5].code, "");
    EXPECT_EQ(out.responses[5].text, "[broken text");
    EXPECT_EQ(out.responses[6].code, "");
    EXPECT_EQ(out.responses[6].text, "[] empty");
}

TEST(pop3_response_parser, sasl_continuations) {
    auto out =
        feed_every_split(response_kind::sasl, "+ VXNlcm5hbWU6\r\n+\r\n+ \r\n+OK Logged in.\r\n");
    ASSERT_FALSE(out.error) << out.diagnostics;
    ASSERT_EQ(out.responses.size(), 4u);
    EXPECT_EQ(out.responses[0].type, response::kind::continuation);
    EXPECT_EQ(out.responses[0].text, "VXNlcm5hbWU6");
    EXPECT_EQ(out.responses[1].type, response::kind::continuation);
    EXPECT_EQ(out.responses[1].text, "");
    EXPECT_EQ(out.responses[2].text, "");
    EXPECT_TRUE(out.responses[3].ok());
    // Outside AUTH a continuation is a protocol error.
    EXPECT_EQ(feed_chunks(response_kind::status, {"+ abc\r\n"}).error, pop3_errc::syntax_error);
}

TEST(pop3_response_parser, capa_from_dovecot) {
    const std::string wire = "+OK\r\nCAPA\r\nTOP\r\nUIDL\r\nRESP-CODES\r\nPIPELINING\r\n"
                             "AUTH-RESP-CODE\r\nSTLS\r\nUSER\r\nSASL PLAIN LOGIN\r\n.\r\n";
    auto out = feed_every_split(response_kind::capa, wire);
    ASSERT_FALSE(out.error) << out.diagnostics;
    ASSERT_EQ(out.responses.size(), 1u);
    const auto& caps = out.responses[0].capabilities;
    ASSERT_EQ(caps.size(), 9u);
    EXPECT_EQ(caps[0], (capability{"CAPA", {}}));
    EXPECT_EQ(caps[8], (capability{"SASL", {"PLAIN", "LOGIN"}}));
    EXPECT_EQ(parse_capability("login-delay 900 USER"),
              (capability{"LOGIN-DELAY", {"900", "USER"}}));
}

TEST(pop3_response_parser, uidl_list_stat) {
    auto uidl =
        feed_every_split(response_kind::uidl_all,
                         "+OK\r\n1 00000001664a8c5e\r\n2 whqtswO00WBw418f9t5JxYwZ\r\n.\r\n");
    ASSERT_FALSE(uidl.error) << uidl.diagnostics;
    ASSERT_EQ(uidl.responses.size(), 1u);
    EXPECT_EQ(uidl.responses[0].uidls,
              (std::vector<uidl_entry>{{1, "00000001664a8c5e"}, {2, "whqtswO00WBw418f9t5JxYwZ"}}));

    auto list = feed_every_split(response_kind::list_all,
                                 "+OK 2 messages:\r\n1 120\r\n2 200 extra\r\n.\r\n");
    ASSERT_FALSE(list.error) << list.diagnostics;
    EXPECT_EQ(list.responses[0].text, "2 messages:");
    EXPECT_EQ(list.responses[0].listings, (std::vector<scan_listing>{{1, 120}, {2, 200}}));

    auto empty = feed_every_split(response_kind::uidl_all, "+OK\r\n.\r\n");
    ASSERT_EQ(empty.responses.size(), 1u);
    EXPECT_TRUE(empty.responses[0].uidls.empty());

    auto stat = feed_every_split(response_kind::stat, "+OK 2 320\r\n");
    ASSERT_EQ(stat.responses.size(), 1u);
    EXPECT_EQ(stat.responses[0].listings, (std::vector<scan_listing>{{2, 320}}));

    auto one = feed_every_split(response_kind::uidl_one, "+OK 2 abc\r\n-ERR no such message\r\n");
    ASSERT_EQ(one.responses.size(), 2u);
    EXPECT_EQ(one.responses[0].uidls, (std::vector<uidl_entry>{{2, "abc"}}));
    EXPECT_FALSE(one.responses[1].ok());

    auto list_one = feed_every_split(response_kind::list_one, "+OK 3 4096\r\n");
    EXPECT_EQ(list_one.responses[0].listings, (std::vector<scan_listing>{{3, 4096}}));
}

TEST(pop3_response_parser, multi_line_err_is_one_line) {
    auto out = feed_every_split(response_kind::uidl_all, "-ERR [SYS/TEMP] later\r\n+OK\r\n.\r\n");
    ASSERT_EQ(out.responses.size(), 2u);
    EXPECT_FALSE(out.responses[0].ok());
    EXPECT_EQ(out.responses[0].code, "SYS/TEMP");
    EXPECT_TRUE(out.responses[1].ok());
}

TEST(pop3_response_parser, retr_streams_unstuffed_body) {
    const std::string wire = "+OK 61 octets\r\n"
                             "Subject: dots\r\n"
                             "\r\n"
                             "..x\r\n"
                             "..\r\n"
                             ".\rodd\r\n"
                             "a\nb.\r\n"
                             "\n.not end\r\n"
                             ".\r\n"
                             "-ERR no such message\r\n";
    auto out = feed_every_split(response_kind::message, wire);
    ASSERT_FALSE(out.error) << out.diagnostics;
    ASSERT_EQ(out.responses.size(), 2u);
    const std::string body = "Subject: dots\r\n\r\n.x\r\n.\r\n\rodd\r\na\nb.\r\n\n.not end\r\n";
    EXPECT_EQ(out.sink_log, "<begin>" + body + "<end>");
    EXPECT_EQ(out.responses[0].message_octets, body.size());
    EXPECT_EQ(out.responses[0].text, "61 octets");
    EXPECT_FALSE(out.responses[1].ok());
}

TEST(pop3_response_parser, empty_message_and_stops_after_one_response) {
    recording_sink sink;
    response_parser parser;
    parser.expect(response_kind::message, "TOP 1 0", &sink);
    std::string_view input = "+OK\r\n.\r\n+OK next\r\n";
    std::error_code ec;
    auto r = parser.consume(input, ec);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->message_octets, 0u);
    EXPECT_EQ(sink.log, "<begin><end>");
    EXPECT_EQ(input, "+OK next\r\n");
}

TEST(pop3_response_parser, malformed_inputs_are_errors) {
    const std::vector<std::pair<response_kind, std::string>> samples = {
        {response_kind::status, "OK\r\n"},
        {response_kind::status, "+OKAY\r\n"},
        {response_kind::status, "+OK bare lf\n"},
        {response_kind::status, "\r\n"},
        {response_kind::stat, "+OK two 320\r\n"},
        {response_kind::stat, "+OK 99999999999 1\r\n"},
        {response_kind::list_one, "+OK 1\r\n"},
        {response_kind::uidl_one, "+OK 0 abc\r\n"},
        {response_kind::uidl_all, "+OK\r\n1\r\n.\r\n"},
        {response_kind::uidl_all, "+OK\r\n1 a\x01z\r\n.\r\n"},
        {response_kind::uidl_all, "+OK\r\n1 " + std::string(71, 'u') + "\r\n.\r\n"},
        {response_kind::list_all, "+OK\r\n1 -5\r\n.\r\n"},
        {response_kind::capa, "+OK\r\n\r\n.\r\n"},
    };
    for (const auto& [kind, wire] : samples) {
        auto out = feed_every_split(kind, wire);
        EXPECT_EQ(out.error, pop3_errc::syntax_error) << wire;
        EXPECT_TRUE(out.responses.empty()) << wire;
        EXPECT_NE(out.diagnostics.find("TEST"), std::string::npos) << out.diagnostics;
    }
    // 70 characters is the maximum a UIDL may have.
    auto longest = feed_chunks(response_kind::uidl_one, {"+OK 1 " + std::string(70, 'u') + "\r\n"});
    EXPECT_FALSE(longest.error) << longest.diagnostics;
}

TEST(pop3_response_parser, line_limit_is_512_octets_with_crlf) {
    const std::string fits = "-ERR " + std::string(512 - 7, 'x') + "\r\n";
    ASSERT_EQ(fits.size(), 512u);
    EXPECT_FALSE(feed_chunks(response_kind::status, {fits}).error);
    auto over =
        feed_every_split(response_kind::status, "-ERR " + std::string(512 - 6, 'x') + "\r\n");
    EXPECT_EQ(over.error, pop3_errc::line_too_long);
    EXPECT_NE(over.diagnostics.find("response to TEST"), std::string::npos) << over.diagnostics;
    // Refused before the line end arrives: a server cannot make us buffer without bound.
    auto endless = feed_chunks(response_kind::status, {std::string(100000, 'x')});
    EXPECT_EQ(endless.error, pop3_errc::line_too_long);
    // Listing lines obey the same limit; message lines do not.
    EXPECT_EQ(
        feed_chunks(response_kind::capa, {"+OK\r\nX " + std::string(600, 'a') + "\r\n"}).error,
        pop3_errc::line_too_long);
    auto long_body =
        feed_chunks(response_kind::message, {"+OK\r\n" + std::string(5000, 'a') + "\r\n.\r\n"});
    EXPECT_FALSE(long_body.error) << long_body.diagnostics;
}

TEST(pop3_response_parser, message_limit) {
    parser_limits limits;
    limits.max_message_size = 10;
    auto fits = feed_every_split(response_kind::message, "+OK\r\n12345678\r\n.\r\n", limits);
    EXPECT_FALSE(fits.error) << fits.diagnostics;
    // How much reached the sink before the error depends on the chunks (the sink treats it as
    // unconfirmed), so only the error is compared across splits.
    const std::string_view over = "+OK\r\n123456789\r\n.\r\n";
    for (std::size_t cut = 1; cut < over.size(); ++cut) {
        auto out =
            feed_chunks(response_kind::message, {over.substr(0, cut), over.substr(cut)}, limits);
        EXPECT_EQ(out.error, pop3_errc::message_too_large) << cut;
        EXPECT_TRUE(out.responses.empty());
    }
}

TEST(pop3_response_parser, listing_limit) {
    parser_limits limits;
    limits.max_listing_entries = 2;
    EXPECT_FALSE(
        feed_chunks(response_kind::list_all, {"+OK\r\n1 1\r\n2 2\r\n.\r\n"}, limits).error);
    EXPECT_EQ(
        feed_chunks(response_kind::list_all, {"+OK\r\n1 1\r\n2 2\r\n3 3\r\n.\r\n"}, limits).error,
        pop3_errc::too_many_entries);
}

// The byte budget of a listing: lines with their CRLF, per response (the next one starts afresh).
TEST(pop3_response_parser, listing_size_limit) {
    parser_limits limits;
    limits.max_listing_size = 10; // "1 1\r\n2 2\r\n" is exactly 10
    EXPECT_FALSE(
        feed_chunks(response_kind::uidl_all, {"+OK\r\n1 1\r\n2 2\r\n.\r\n"}, limits).error);
    EXPECT_EQ(feed_chunks(response_kind::uidl_all, {"+OK\r\n1 1\r\n2 22\r\n.\r\n"}, limits).error,
              pop3_errc::too_many_entries);
    response_parser parser(limits);
    for (int round = 0; round < 3; ++round) {
        parser.expect(response_kind::uidl_all, "UIDL");
        std::string_view listing = "+OK\r\n1 1\r\n2 2\r\n.\r\n";
        std::error_code ec;
        EXPECT_TRUE(parser.consume(listing, ec)) << round;
        EXPECT_FALSE(ec) << round << ": " << parser.diagnostics();
    }
}

TEST(pop3_response_parser, stays_failed_until_reset) {
    response_parser parser;
    std::string_view bad = "bogus\r\n";
    std::error_code ec;
    EXPECT_FALSE(parser.consume(bad, ec));
    EXPECT_EQ(ec, pop3_errc::syntax_error);
    std::string_view good = "+OK\r\n";
    EXPECT_FALSE(parser.consume(good, ec));
    EXPECT_EQ(ec, pop3_errc::parser_failed);
    parser.reset();
    EXPECT_TRUE(parser.consume(good, ec));
    EXPECT_FALSE(ec);
}

// Every prefix of every sample and arbitrary bytes: no crash, and an error or "need more".
TEST(pop3_response_parser, truncated_and_garbage_inputs_never_crash) {
    const std::string samples[] = {"+OK\r\n..a\r\n.\r", "\xff\x00\r\n", ".\r\n", "+OK\r\n.",
                                   "-ERR [\r\n"};
    for (auto kind : {response_kind::status, response_kind::sasl, response_kind::capa,
                      response_kind::uidl_all, response_kind::list_all, response_kind::message})
        for (const auto& s : samples)
            for (std::size_t n = 0; n <= s.size(); ++n) {
                auto out = feed_chunks(kind, {std::string_view(s).substr(0, n)});
                EXPECT_LE(out.responses.size(), 1u);
            }
}

} // namespace
} // namespace postfach::pop3
