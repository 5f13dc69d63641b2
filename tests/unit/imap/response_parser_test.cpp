// Transcript tests of the IMAP response parser: each sample is fed whole, split at every byte
// boundary and byte by byte; all feeds must give the same responses and the same body bytes.

#include "imap/imap_errc.hpp"
#include "imap/response_parser.hpp"
#include "tests/unit/imap/dovecot_transcript.hpp"
#include "tests/unit/support/parser_feed.hpp"

#include <algorithm>
#include <gtest/gtest.h>
#include <random>
#include <string>
#include <vector>

namespace postfach::imap {
namespace {

// Records the sink calls as text, body bytes included.
class recording_sink final : public body_sink {
public:
    void begin(const body_section_header& h) override {
        log += "begin seq=" + std::to_string(h.seq) +
               " uid=" + (h.uid ? std::to_string(*h.uid) : std::string("-")) + " " +
               std::string(h.item) + "[" + std::string(h.section) + "]" +
               (h.origin ? "<" + std::to_string(*h.origin) + ">" : std::string()) +
               " size=" + std::to_string(h.size) + "\n";
    }
    void data(std::string_view chunk) override {
        EXPECT_FALSE(chunk.empty());
        log += std::string(chunk);
    }
    void end() override { log += "\nend\n"; }
    std::string log;
};

using outcome = test::parse_outcome<response>;

// Feeds `wire` in the given chunks; collects every response until an error.
outcome feed_chunks(const std::vector<std::string_view>& chunks, parser_limits limits = {}) {
    outcome out;
    recording_sink sink;
    response_parser parser(limits);
    parser.set_body_sink(&sink);
    test::consume_chunks(parser, chunks, out);
    out.sink_log = sink.log;
    return out;
}

outcome feed(std::string_view wire, parser_limits limits = {}) {
    return feed_chunks({wire}, limits);
}

// The same outcome for every split of `wire` into two parts, and byte by byte.
outcome feed_every_split(std::string_view wire, parser_limits limits = {}) {
    return test::same_for_every_split<outcome>(
        wire,
        [&](const std::vector<std::string_view>& chunks) { return feed_chunks(chunks, limits); });
}

// Parses exactly one response of type T (every split) and returns it.
template <typename T>
T check_one(std::string_view wire, std::string* sink_log = nullptr) {
    const auto out = feed_every_split(wire);
    EXPECT_FALSE(out.error) << out.diagnostics;
    EXPECT_FALSE(out.mid_response);
    if (sink_log != nullptr)
        *sink_log = out.sink_log;
    if (out.responses.size() != 1) {
        ADD_FAILURE() << "expected one response, got " << out.responses.size();
        return T{};
    }
    const T* value = std::get_if<T>(&out.responses[0]);
    if (value == nullptr) {
        ADD_FAILURE() << "wrong response type, index " << out.responses[0].index();
        return T{};
    }
    return *value;
}

// Large inputs are fed whole: every split of them would take quadratic time.
outcome check_error(std::string_view wire, imap_errc expected, parser_limits limits = {}) {
    const auto out = wire.size() > 4096 ? feed(wire, limits) : feed_every_split(wire, limits);
    EXPECT_EQ(out.error, make_error_code(expected)) << out.diagnostics;
    return out;
}

TEST(response_parser, greeting_with_capability_code) {
    const auto r = check_one<status_response>(
        "* OK [CAPABILITY IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE LITERAL+ STARTTLS "
        "AUTH=PLAIN] Dovecot ready.\r\n");
    EXPECT_FALSE(r.tagged());
    EXPECT_EQ(r.status, status_word::ok);
    ASSERT_TRUE(r.code);
    EXPECT_EQ(r.code->kind, response_code_kind::capability);
    EXPECT_EQ(r.code->atoms,
              (std::vector<std::string>{"IMAP4REV1", "SASL-IR", "LOGIN-REFERRALS", "ID", "ENABLE",
                                        "IDLE", "LITERAL+", "STARTTLS", "AUTH=PLAIN"}));
    EXPECT_EQ(r.text, "Dovecot ready.");
}

TEST(response_parser, tagged_ok_no_bad) {
    auto r = check_one<status_response>("A1 OK [READ-WRITE] Select completed (0.001 secs).\r\n");
    EXPECT_EQ(r.tag, "A1");
    EXPECT_EQ(r.status, status_word::ok);
    EXPECT_EQ(r.code->kind, response_code_kind::read_write);
    EXPECT_EQ(r.text, "Select completed (0.001 secs).");

    r = check_one<status_response>("a2 no [TRYCREATE] Mailbox doesn't exist: Foo\r\n");
    EXPECT_EQ(r.status, status_word::no);
    EXPECT_EQ(r.code->kind, response_code_kind::trycreate);
    EXPECT_EQ(r.code->name, "TRYCREATE");

    r = check_one<status_response>("A3 BAD Error in IMAP command: Unknown command.\r\n");
    EXPECT_EQ(r.status, status_word::bad);
    EXPECT_FALSE(r.code);
    EXPECT_EQ(r.text, "Error in IMAP command: Unknown command.");

    r = check_one<status_response>("A4 OK\r\n");
    EXPECT_EQ(r.text, "");
    r = check_one<status_response>("A5 OK [READ-ONLY]\r\n");
    EXPECT_EQ(r.code->kind, response_code_kind::read_only);
}

TEST(response_parser, response_codes_with_arguments) {
    auto r = check_one<status_response>("* OK [UIDVALIDITY 3857529045] UIDs valid\r\n");
    EXPECT_EQ(r.code->kind, response_code_kind::uidvalidity);
    EXPECT_EQ(r.code->number, 3857529045u);
    r = check_one<status_response>("* OK [UIDNEXT 4392] Predicted next UID\r\n");
    EXPECT_EQ(r.code->kind, response_code_kind::uidnext);
    EXPECT_EQ(r.code->number, 4392u);
    r = check_one<status_response>("* OK [HIGHESTMODSEQ 90060115205545359] Highest\r\n");
    EXPECT_EQ(r.code->kind, response_code_kind::highestmodseq);
    EXPECT_EQ(r.code->number, 90060115205545359u);
    r = check_one<status_response>("* OK [NOMODSEQ] Sorry, modsequences not supported\r\n");
    EXPECT_EQ(r.code->kind, response_code_kind::nomodseq);
    r = check_one<status_response>(
        "* OK [PERMANENTFLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft $Forwarded \\*)] "
        "Flags permitted.\r\n");
    EXPECT_EQ(r.code->kind, response_code_kind::permanentflags);
    EXPECT_EQ(r.code->atoms, (std::vector<std::string>{"\\Answered", "\\Flagged", "\\Deleted",
                                                       "\\Seen", "\\Draft", "$Forwarded", "\\*"}));
    r = check_one<status_response>("* OK [CLOSED] Previous mailbox closed.\r\n");
    EXPECT_EQ(r.code->kind, response_code_kind::closed);
    r = check_one<status_response>("* NO [ALERT] System shutdown in 10 minutes\r\n");
    EXPECT_EQ(r.status, status_word::no);
    EXPECT_EQ(r.code->kind, response_code_kind::alert);
    EXPECT_EQ(r.text, "System shutdown in 10 minutes");

    r = check_one<status_response>("A3 OK [APPENDUID 38505 3955] APPEND completed\r\n");
    EXPECT_EQ(r.code->kind, response_code_kind::appenduid);
    EXPECT_EQ(r.code->uidvalidity, 38505u);
    EXPECT_EQ(r.code->uids.to_string(), "3955");

    r = check_one<status_response>("A4 OK [COPYUID 38505 304,319:320 3956:3958] Done\r\n");
    EXPECT_EQ(r.code->kind, response_code_kind::copyuid);
    EXPECT_EQ(r.code->uidvalidity, 38505u);
    EXPECT_EQ(r.code->source_uids.to_uids(), (std::vector<std::uint32_t>{304, 319, 320}));
    EXPECT_EQ(r.code->uids.to_uids(), (std::vector<std::uint32_t>{3956, 3957, 3958}));

    r = check_one<status_response>("d105 OK [MODIFIED 7,9] Conditional STORE failed\r\n");
    EXPECT_EQ(r.code->kind, response_code_kind::modified);
    EXPECT_EQ(r.code->uids.to_string(), "7,9");
}

TEST(response_parser, unknown_codes_are_kept_as_text) {
    auto r = check_one<status_response>("A1 NO [AUTHENTICATIONFAILED] Authentication failed.\r\n");
    EXPECT_EQ(r.code->kind, response_code_kind::other);
    EXPECT_EQ(r.code->name, "AUTHENTICATIONFAILED");
    EXPECT_EQ(r.code->text, "");
    r = check_one<status_response>("* OK [X-GUID (a b) \"c\"] text\r\n");
    EXPECT_EQ(r.code->name, "X-GUID");
    EXPECT_EQ(r.code->text, "(a b) \"c\"");
    EXPECT_EQ(r.text, "text");
}

TEST(response_parser, continuation) {
    EXPECT_EQ(check_one<continuation_response>("+ idling\r\n").text, "idling");
    EXPECT_EQ(check_one<continuation_response>("+ \r\n").text, "");
    EXPECT_EQ(check_one<continuation_response>("+\r\n").text, "");
    EXPECT_EQ(check_one<continuation_response>("+ VXNlcm5hbWU6\r\n").text, "VXNlcm5hbWU6");
}

TEST(response_parser, bye_and_preauth) {
    auto r = check_one<status_response>("* BYE Logging out\r\n");
    EXPECT_EQ(r.status, status_word::bye);
    r = check_one<status_response>("* PREAUTH [CAPABILITY IMAP4rev1] Logged in as alice\r\n");
    EXPECT_EQ(r.status, status_word::preauth);
    EXPECT_EQ(r.code->kind, response_code_kind::capability);
}

TEST(response_parser, capability_enabled_flags_and_counts) {
    EXPECT_EQ(check_one<capability_data>("* CAPABILITY IMAP4rev1 UIDPLUS Move\r\n").capabilities,
              (std::vector<std::string>{"IMAP4REV1", "UIDPLUS", "MOVE"}));
    EXPECT_EQ(check_one<enabled_data>("* ENABLED CONDSTORE QRESYNC\r\n").capabilities,
              (std::vector<std::string>{"CONDSTORE", "QRESYNC"}));
    EXPECT_TRUE(check_one<enabled_data>("* ENABLED\r\n").capabilities.empty());
    EXPECT_EQ(check_one<capability_data>("* CAPABILITY IMAP4rev1 IDLE \r\n").capabilities.size(),
              2u);
    EXPECT_EQ(check_one<status_response>("* OK [CAPABILITY IMAP4rev1 ] hi\r\n").code->atoms,
              std::vector<std::string>{"IMAP4REV1"});
    EXPECT_EQ(check_one<flags_data>("* FLAGS (\\Answered \\Seen $Junk)\r\n").flags,
              (std::vector<std::string>{"\\Answered", "\\Seen", "$Junk"}));
    EXPECT_TRUE(check_one<flags_data>("* FLAGS ()\r\n").flags.empty());
    EXPECT_EQ(check_one<exists_data>("* 172 EXISTS\r\n").count, 172u);
    EXPECT_EQ(check_one<recent_data>("* 1 RECENT\r\n").count, 1u);
    EXPECT_EQ(check_one<expunge_data>("* 44 EXPUNGE\r\n").seq, 44u);
}

TEST(response_parser, fetch_attributes_and_streamed_body) {
    std::string log;
    const auto f = check_one<fetch_data>(
        "* 12 FETCH (UID 1001 FLAGS (\\Seen $Forwarded) INTERNALDATE \"17-Jul-1996 02:44:25 "
        "-0700\" RFC822.SIZE 4286 MODSEQ (12121231000) EMAILID (M6d99ac3275bb4e) BODY[] "
        "{12}\r\nHello\r\nWorld)\r\n",
        &log);
    EXPECT_EQ(f.seq, 12u);
    EXPECT_EQ(f.uid, 1001u);
    EXPECT_EQ(f.flags, (std::vector<std::string>{"\\Seen", "$Forwarded"}));
    EXPECT_EQ(f.internal_date, "17-Jul-1996 02:44:25 -0700");
    EXPECT_EQ(f.rfc822_size, 4286u);
    EXPECT_EQ(f.modseq, 12121231000u);
    EXPECT_EQ(f.email_id, "M6d99ac3275bb4e");
    ASSERT_EQ(f.bodies.size(), 1u);
    EXPECT_EQ(f.bodies[0], (fetch_body{"BODY", "", std::nullopt, 12, false}));
    EXPECT_EQ(log, "begin seq=12 uid=1001 BODY[] size=12\nHello\r\nWorld\nend\n");
}

TEST(response_parser, fetch_sections_partial_and_uid_after_body) {
    std::string log;
    const auto f = check_one<fetch_data>(
        "* 3 FETCH (BODY[HEADER.FIELDS (SUBJECT \"X-A]\")] {14}\r\nSubject: x\r\n\r\n"
        " BODY[TEXT]<0> {2}\r\nab BODY[1.2] \"q\\\"b\" RFC822.HEADER {0}\r\n BODY[2] NIL"
        " UID 7)\r\n",
        &log);
    EXPECT_EQ(f.uid, 7u);
    ASSERT_EQ(f.bodies.size(), 5u);
    EXPECT_EQ(f.bodies[0].section, "HEADER.FIELDS (SUBJECT \"X-A]\")");
    EXPECT_EQ(f.bodies[1], (fetch_body{"BODY", "TEXT", 0, 2, false}));
    EXPECT_EQ(f.bodies[2], (fetch_body{"BODY", "1.2", std::nullopt, 3, false}));
    EXPECT_EQ(f.bodies[3], (fetch_body{"RFC822.HEADER", "", std::nullopt, 0, false}));
    EXPECT_EQ(f.bodies[4], (fetch_body{"BODY", "2", std::nullopt, 0, true}));
    EXPECT_EQ(log, "begin seq=3 uid=- BODY[HEADER.FIELDS (SUBJECT \"X-A]\")] size=14\n"
                   "Subject: x\r\n\r\n\nend\n"
                   "begin seq=3 uid=- BODY[TEXT]<0> size=2\nab\nend\n"
                   "begin seq=3 uid=- RFC822.HEADER[] size=0\n\nend\n"
                   // A body sent as a quoted string reaches the sink when the response is complete.
                   "begin seq=3 uid=- BODY[1.2] size=3\nq\"b\nend\n");
}

TEST(response_parser, fetch_literal8_and_non_synchronizing_literal) {
    using namespace std::string_literals;
    const auto wire = "* 1 FETCH (UID 9 BINARY[] ~{4}\r\n\0\1\2\3 RFC822 {3+}\r\nabc)\r\n"s;
    const auto out = feed_every_split(wire);
    ASSERT_FALSE(out.error) << out.diagnostics;
    const auto& f = std::get<fetch_data>(out.responses.at(0));
    ASSERT_EQ(f.bodies.size(), 2u);
    EXPECT_EQ(f.bodies[0].item, "BINARY");
    EXPECT_EQ(f.bodies[0].size, 4u);
    EXPECT_EQ(f.bodies[1].item, "RFC822");
    EXPECT_EQ(out.sink_log, "begin seq=1 uid=9 BINARY[] size=4\n\0\1\2\3\nend\n"
                            "begin seq=1 uid=9 RFC822[] size=3\nabc\nend\n"s);
}

TEST(response_parser, fetch_skips_unknown_items_with_nested_literals) {
    std::string log;
    const auto f = check_one<fetch_data>(
        "* 2 FETCH (ENVELOPE (\"Wed, 17 Jul 1996\" {5}\r\nHi (x NIL NIL ((\"a\" NIL \"b\" \"c\")) "
        "NIL NIL NIL NIL \"<id>\") BODYSTRUCTURE (\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\") "
        "NIL NIL \"7BIT\" 3028 92) BINARY.SIZE[1] 12 X-GM-LABELS (\\Inbox) THREADID NIL UID "
        "5)\r\n",
        &log);
    EXPECT_EQ(f.uid, 5u);
    EXPECT_TRUE(f.bodies.empty());
    EXPECT_EQ(log, "") << "a literal inside ENVELOPE is not a body";
}

TEST(response_parser, list_and_lsub) {
    auto l = check_one<list_data>("* LIST (\\HasNoChildren) \"/\" INBOX\r\n");
    EXPECT_EQ(l.attributes, (std::vector<std::string>{"\\HasNoChildren"}));
    EXPECT_EQ(l.delimiter, '/');
    EXPECT_EQ(l.mailbox, "INBOX");
    l = check_one<list_data>("* LIST (\\Noselect) NIL \"\"\r\n");
    EXPECT_FALSE(l.delimiter);
    EXPECT_EQ(l.mailbox, "");
    l = check_one<list_data>("* LIST () \"\\\\\" {7}\r\nfoo bar\r\n");
    EXPECT_EQ(l.delimiter, '\\');
    EXPECT_EQ(l.mailbox, "foo bar");
    l = check_one<list_data>("* LIST (\\HasNoChildren \\Sent) \".\" \"Gesendete &AMQ-\" "
                             "(\"CHILDINFO\" (\"SUBSCRIBED\"))\r\n");
    EXPECT_EQ(l.mailbox, "Gesendete &AMQ-");
    EXPECT_EQ(l.attributes.size(), 2u);
    l = check_one<list_data>("* LSUB () \".\" #news.comp.mail.misc\r\n");
    EXPECT_TRUE(l.lsub);
    EXPECT_EQ(l.mailbox, "#news.comp.mail.misc");
}

TEST(response_parser, status) {
    const auto s = check_one<status_data>(
        "* STATUS \"Sent Items\" (MESSAGES 231 UIDNEXT 44292 HIGHESTMODSEQ 7011231777)\r\n");
    EXPECT_EQ(s.mailbox, "Sent Items");
    EXPECT_EQ(s.get("MESSAGES"), 231u);
    EXPECT_EQ(s.get("UIDNEXT"), 44292u);
    EXPECT_EQ(s.get("HIGHESTMODSEQ"), 7011231777u);
    EXPECT_FALSE(s.get("UNSEEN"));
}

TEST(response_parser, esearch) {
    auto e = check_one<esearch_data>("* ESEARCH (TAG \"A282\") UID MIN 2 COUNT 3 ALL 2,10:11\r\n");
    EXPECT_EQ(e.tag, "A282");
    EXPECT_TRUE(e.uid);
    EXPECT_EQ(e.min, 2u);
    EXPECT_EQ(e.count, 3u);
    EXPECT_EQ(e.all->to_string(), "2,10:11");
    e = check_one<esearch_data>("* ESEARCH (TAG \"A1\") UID\r\n");
    EXPECT_FALSE(e.all);
    e = check_one<esearch_data>("* ESEARCH MAX 9 MODSEQ 17 PARTIAL (1:10 NIL)\r\n");
    EXPECT_EQ(e.max, 9u);
    EXPECT_EQ(e.modseq, 17u);
}

TEST(response_parser, search) {
    auto s = check_one<search_data>("* SEARCH 2 84 882\r\n");
    EXPECT_EQ(s.numbers, (std::vector<std::uint32_t>{2, 84, 882}));
    EXPECT_FALSE(s.modseq);
    s = check_one<search_data>("* SEARCH\r\n");
    EXPECT_TRUE(s.numbers.empty());
    s = check_one<search_data>("* SEARCH 2 5 6 7 11 12 18 19 20 23 (MODSEQ 917162500)\r\n");
    EXPECT_EQ(s.numbers.size(), 10u);
    EXPECT_EQ(s.modseq, 917162500u);
    s = check_one<search_data>("* SEARCH 4 \r\n");
    EXPECT_EQ(s.numbers, (std::vector<std::uint32_t>{4}));
    check_error("* SEARCH 1 x\r\n", imap_errc::syntax_error);
}

TEST(response_parser, vanished) {
    auto v = check_one<vanished_data>("* VANISHED (EARLIER) 41,43:116,118,120:211,214:540\r\n");
    EXPECT_TRUE(v.earlier);
    EXPECT_EQ(v.uids.to_string(), "41,43:116,118,120:211,214:540");
    v = check_one<vanished_data>("* VANISHED 405,407,410\r\n");
    EXPECT_FALSE(v.earlier);
    EXPECT_EQ(v.uids.to_uids(), (std::vector<std::uint32_t>{405, 407, 410}));
}

TEST(response_parser, unknown_untagged_responses_are_skipped_whole) {
    const auto out = feed_every_split("* NAMESPACE ((\"\" \"/\")) NIL NIL\r\n"
                                      "* 3 XYZZY (a {3}\r\n) ( b\r\n"
                                      "* ID (\"name\" \"Dovecot\")\r\n"
                                      "* XSEARCH 2 5 :-( \r\n"
                                      "A1 OK done\r\n");
    ASSERT_FALSE(out.error) << out.diagnostics;
    ASSERT_EQ(out.responses.size(), 5u);
    EXPECT_EQ(std::get<unknown_data>(out.responses[0]).name, "NAMESPACE");
    EXPECT_EQ(std::get<unknown_data>(out.responses[1]).name, "XYZZY");
    EXPECT_EQ(std::get<unknown_data>(out.responses[2]).name, "ID");
    EXPECT_EQ(std::get<unknown_data>(out.responses[3]).name, "XSEARCH");
    EXPECT_EQ(std::get<status_response>(out.responses[4]).tag, "A1");
}

TEST(response_parser, select_transcript) {
    const auto out =
        feed_every_split("* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)\r\n"
                         "* OK [PERMANENTFLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft "
                         "\\*)] Flags permitted.\r\n"
                         "* 2 EXISTS\r\n"
                         "* 0 RECENT\r\n"
                         "* OK [UIDVALIDITY 1700000000] UIDs valid\r\n"
                         "* OK [UIDNEXT 3] Predicted next UID\r\n"
                         "* OK [HIGHESTMODSEQ 5] Highest\r\n"
                         "* VANISHED (EARLIER) 1\r\n"
                         "* 1 FETCH (UID 2 FLAGS (\\Seen) MODSEQ (5))\r\n"
                         "A2 OK [READ-WRITE] Select completed (0.002 + 0.000 + 0.001 secs).\r\n");
    ASSERT_FALSE(out.error) << out.diagnostics;
    ASSERT_EQ(out.responses.size(), 10u);
    EXPECT_EQ(std::get<fetch_data>(out.responses[8]).modseq, 5u);
}

// Counts the responses of each kind in an outcome.
template <typename T>
std::vector<T> all_of_type(const outcome& out) {
    std::vector<T> found;
    for (const auto& r : out.responses)
        if (const auto* v = std::get_if<T>(&r))
            found.push_back(*v);
    return found;
}

TEST(response_parser, recorded_dovecot_session) {
    const auto out = feed_every_split(testdata::dovecot_session);
    ASSERT_FALSE(out.error) << out.diagnostics;
    EXPECT_FALSE(out.mid_response);
    EXPECT_EQ(out.responses.size(), 40u) << "45 lines, the FETCH response spans 6 of them";

    const auto statuses = all_of_type<status_response>(out);
    EXPECT_EQ(statuses.front().code->kind, response_code_kind::capability);
    EXPECT_EQ(statuses.back().tag, "a12");
    EXPECT_EQ(all_of_type<capability_data>(out).size(), 2u);
    EXPECT_EQ(all_of_type<enabled_data>(out).at(0).capabilities,
              std::vector<std::string>{"QRESYNC"});
    const auto lists = all_of_type<list_data>(out);
    ASSERT_EQ(lists.size(), 5u);
    EXPECT_EQ(lists[2].mailbox, "Sent");
    EXPECT_EQ(lists[2].attributes, std::vector<std::string>{"\\Sent"});
    EXPECT_EQ(all_of_type<status_data>(out).size(), 6u);

    const auto fetch = all_of_type<fetch_data>(out).at(0);
    EXPECT_EQ(fetch.uid, 1u);
    EXPECT_EQ(fetch.rfc822_size, 328u);
    EXPECT_EQ(fetch.internal_date, "26-Nov-2026 08:00:00 +0000");
    EXPECT_EQ(fetch.modseq, 2u);
    ASSERT_EQ(fetch.bodies.size(), 2u);
    EXPECT_EQ(fetch.bodies[0].section, "HEADER.FIELDS (SUBJECT MESSAGE-ID)");
    EXPECT_EQ(fetch.bodies[1].origin, 0u);
    EXPECT_EQ(out.sink_log.find("begin seq=1 uid=1 BODY[HEADER.FIELDS (SUBJECT MESSAGE-ID)] "
                                "size=80\nSubject: Lunch on Friday? #0\r\n"),
              0u)
        << out.sink_log;
    EXPECT_NE(out.sink_log.find("begin seq=1 uid=1 BODY[]<0> size=40\nFrom: Test Sender "
                                "<sender@postfach.test>\nend\n"),
              std::string::npos)
        << out.sink_log;

    EXPECT_EQ(all_of_type<esearch_data>(out).at(0).tag, "a7");
    EXPECT_EQ(all_of_type<vanished_data>(out).at(0).uids.to_string(), "1");
    bool copyuid = false, trycreate = false;
    for (const auto& st : statuses) {
        copyuid |= st.code && st.code->kind == response_code_kind::copyuid;
        trycreate |= st.code && st.code->kind == response_code_kind::trycreate;
    }
    EXPECT_TRUE(copyuid);
    EXPECT_TRUE(trycreate);
}

TEST(response_parser, stops_after_one_response_and_leaves_the_rest) {
    response_parser parser;
    std::error_code ec;
    std::string_view input = "A1 OK Begin TLS negotiation now.\r\nA2 OK injected\r\n";
    const auto r = parser.consume(input, ec);
    ASSERT_TRUE(r);
    EXPECT_EQ(input, "A2 OK injected\r\n");
    EXPECT_FALSE(parser.mid_response());
}

TEST(response_parser, mid_response_while_a_body_streams) {
    response_parser parser;
    std::error_code ec;
    std::string_view input = "* 1 FETCH (BODY[] {10}\r\nabc";
    EXPECT_FALSE(parser.consume(input, ec));
    EXPECT_FALSE(ec);
    EXPECT_TRUE(input.empty());
    EXPECT_TRUE(parser.mid_response());
}

TEST(response_parser, bare_lf_line_endings_are_accepted) {
    EXPECT_EQ(check_one<exists_data>("* 3 EXISTS\n").count, 3u);
}

TEST(response_parser, errors_on_malformed_responses) {
    for (const char* wire : {
             "* 3 FETCH (UID)\r\n",
             "* 3 FETCH (UID 0)\r\n",
             "* 3 FETCH UID 4\r\n",
             "* 3 FETCH (UID 4\r\n",
             "* 3 FETCH (FLAGS (\\Seen) UID 4))\r\n",
             "* 3 FETCH (BODY[ {3}\r\nabc)\r\n",
             "* 3 FETCH (BODY[]<x> {3}\r\nabc)\r\n",
             "* 3 FETCH (INTERNALDATE \"unterminated)\r\n",
             "* 3 FETCH (INTERNALDATE \"bad \\escape\")\r\n",
             "* 3 FETCH (MODSEQ (99999999999999999999))\r\n",
             "* 4294967296 EXISTS\r\n",
             "* 5 EXISTS x\r\n",
             "* 5\r\n",
             "*\r\n",
             "\r\n",
             "A1 FOO bar\r\n",
             "A1 BYE bye\r\n",
             "* OK [UIDVALIDITY x] bad\r\n",
             "* OK [UIDVALIDITY 1 bad\r\n",
             "* OK [COPYUID 1 2] bad\r\n",
             "* OK [APPENDUID 0 2] bad\r\n",
             "* LIST (\\X) \"ab\" INBOX\r\n",
             "* LIST (\\X) \"/\"\r\n",
             "* STATUS INBOX (MESSAGES x)\r\n",
             "* VANISHED (LATER) 1:2\r\n",
             "* VANISHED 0:3\r\n",
             "* ESEARCH (TAG \"A1\" UID\r\n",
         }) {
        SCOPED_TRACE(wire);
        check_error(wire, imap_errc::syntax_error);
    }
}

TEST(response_parser, diagnostics_name_the_tag_and_quote_briefly) {
    const auto out = check_error("A17 OK [UIDNEXT " + std::string(500, 'x') + "] bad\r\n",
                                 imap_errc::syntax_error);
    EXPECT_NE(out.diagnostics.find("tagged response \"A17\""), std::string::npos)
        << out.diagnostics;
    EXPECT_LT(out.diagnostics.size(), 250u) << out.diagnostics;
    const auto fetch = check_error("* 9 FETCH (UID \x01\x1b[31m)\r\n", imap_errc::syntax_error);
    EXPECT_NE(fetch.diagnostics.find("untagged \"FETCH\""), std::string::npos) << fetch.diagnostics;
    EXPECT_EQ(fetch.diagnostics.find('\x1b'), std::string::npos) << "control bytes escaped";
}

TEST(response_parser, line_limit) {
    parser_limits limits;
    limits.max_line_size = 64;
    check_error("* OK " + std::string(100, 'a') + "\r\n", imap_errc::line_too_long, limits);
    // A line that never ends is cut off at the limit, not buffered without bound.
    response_parser parser(limits);
    std::error_code ec;
    const std::string chunk(1000, 'a');
    std::string_view input = chunk;
    EXPECT_FALSE(parser.consume(input, ec));
    EXPECT_EQ(ec, imap_errc::line_too_long);
    // Exactly at the limit is fine.
    EXPECT_FALSE(feed("* OK " + std::string(59, 'a') + "\r\n", limits).error);
}

TEST(response_parser, literal_limits) {
    parser_limits limits;
    limits.max_literal_size = 100;
    limits.max_response_size = 1000;
    check_error("* 1 FETCH (BODY[] {101}\r\n", imap_errc::literal_too_large, limits);
    check_error("* LIST () \"/\" {101}\r\n", imap_errc::literal_too_large, limits);
    check_error("* LIST () \"/\" {99999999999999999999999}\r\n", imap_errc::literal_too_large,
                limits);
    EXPECT_FALSE(
        feed("* 1 FETCH (BODY[] {100}\r\n" + std::string(100, 'x') + ")\r\n", limits).error);
    // Buffered literals count against the response size; streamed bodies do not.
    std::string many;
    for (int i = 0; i < 20; ++i)
        many += " {99}\r\n" + std::string(99, 'x');
    check_error("* XYZ" + many + "\r\n", imap_errc::response_too_large, limits);
    std::string bodies = "* 1 FETCH (";
    for (int i = 0; i < 20; ++i)
        bodies += "BODY[" + std::to_string(i + 1) + "] {99}\r\n" + std::string(99, 'x') + " ";
    bodies += "UID 1)\r\n";
    const auto out = feed(bodies, limits);
    EXPECT_FALSE(out.error) << out.diagnostics;
    EXPECT_EQ(std::get<fetch_data>(out.responses.at(0)).bodies.size(), 20u);
}

TEST(response_parser, nesting_limit) {
    parser_limits limits;
    limits.max_nesting_depth = 10;
    check_error("* 1 FETCH (X-A " + std::string(10, '(') + std::string(10, ')') + ")\r\n",
                imap_errc::nesting_too_deep, limits);
    EXPECT_FALSE(
        feed("* 1 FETCH (X-A " + std::string(9, '(') + std::string(9, ')') + ")\r\n", limits)
            .error);
    // The default limit keeps a hostile server from exhausting the stack.
    check_error("* 1 FETCH (X-A " + std::string(100000, '(') + "\r\n", imap_errc::nesting_too_deep);
}

TEST(response_parser, failed_parser_stays_failed_until_reset) {
    response_parser parser;
    std::error_code ec;
    std::string_view bad = "A1 FOO\r\n";
    EXPECT_FALSE(parser.consume(bad, ec));
    EXPECT_EQ(ec, imap_errc::syntax_error);
    std::string_view good = "A2 OK\r\n";
    EXPECT_FALSE(parser.consume(good, ec));
    EXPECT_EQ(ec, imap_errc::parser_failed);
    parser.reset();
    EXPECT_TRUE(parser.consume(good, ec));
    EXPECT_FALSE(ec);
}

// Mutated samples must give a response or an error, never a crash (run under ASan in CI).
TEST(response_parser, mutated_input_never_crashes) {
    const std::vector<std::string> samples = {
        "* 12 FETCH (UID 1001 FLAGS (\\Seen) BODY[HEADER.FIELDS (A)]<0> {5}\r\nabcde MODSEQ "
        "(3))\r\n",
        "* LIST (\\HasNoChildren) \"/\" {3}\r\nabc\r\n",
        "A1 OK [COPYUID 1 2:3 4:5] done\r\n",
        "* ESEARCH (TAG \"A1\") UID ALL 1:3\r\n",
        "* STATUS INBOX (MESSAGES 1)\r\n",
    };
    std::mt19937 rng(42);
    const std::string alphabet = "()[]{}<>\"\\ ~+*:,0123456789\r\nAUIDBODY";
    for (int round = 0; round < 3000; ++round) {
        auto wire = samples[rng() % samples.size()];
        const int edits = 1 + static_cast<int>(rng() % 4);
        for (int e = 0; e < edits; ++e) {
            const auto pos = rng() % wire.size();
            switch (rng() % 3) {
            case 0:
                wire[pos] = alphabet[rng() % alphabet.size()];
                break;
            case 1:
                wire.erase(pos, 1);
                break;
            default:
                wire.insert(pos, 1, alphabet[rng() % alphabet.size()]);
            }
            if (wire.empty())
                wire = "x";
        }
        const auto cut = rng() % (wire.size() + 1);
        const auto out = feed_chunks(
            {std::string_view(wire).substr(0, cut), std::string_view(wire).substr(cut)});
        // Every response needs a line end of its own.
        EXPECT_LE(out.responses.size(),
                  static_cast<std::size_t>(std::count(wire.begin(), wire.end(), '\n')))
            << wire;
    }
}

} // namespace
} // namespace postfach::imap
