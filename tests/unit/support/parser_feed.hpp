#pragma once
// Feeding a sans-IO response parser (imap::response_parser, pop3::response_parser) in unit
// tests: in the chunks given, and in every split of the wire bytes, which must all give the
// same outcome (a parser must not depend on how TCP cuts the stream).

#include <gtest/gtest.h>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

namespace postfach::test {

template <typename Response>
struct parse_outcome {
    std::vector<Response> responses;
    std::string sink_log; // what the body/message sink was given, as the test records it
    std::error_code error;
    std::string diagnostics;
    bool mid_response = false;
};

// Feeds each chunk until the parser has taken all of it; stops at the first error.
template <typename Parser, typename Response>
void consume_chunks(Parser& parser, const std::vector<std::string_view>& chunks,
                    parse_outcome<Response>& out) {
    for (auto chunk : chunks) {
        while (!chunk.empty() && !out.error) {
            auto r = parser.consume(chunk, out.error);
            if (r)
                out.responses.push_back(std::move(*r));
        }
        if (out.error)
            break;
    }
    out.diagnostics = parser.diagnostics();
    out.mid_response = parser.mid_response();
}

// feed_chunks(chunks) parses with a fresh parser. Checks that every split of `wire` into two
// parts, and byte by byte, gives what `wire` whole gives; returns that.
template <typename Outcome, typename FeedChunks>
Outcome same_for_every_split(std::string_view wire, FeedChunks feed_chunks) {
    const Outcome whole = feed_chunks(std::vector<std::string_view>{wire});
    const auto same = [&](const Outcome& other, const std::string& how) {
        EXPECT_EQ(other.responses, whole.responses) << how;
        EXPECT_EQ(other.sink_log, whole.sink_log) << how;
        EXPECT_EQ(other.error, whole.error) << how;
        return other.responses == whole.responses && other.sink_log == whole.sink_log;
    };
    for (std::size_t cut = 1; cut < wire.size(); ++cut)
        if (!same(feed_chunks(std::vector<std::string_view>{wire.substr(0, cut), wire.substr(cut)}),
                  "split at " + std::to_string(cut)))
            break; // one report is enough
    std::vector<std::string_view> bytes;
    for (std::size_t i = 0; i < wire.size(); ++i)
        bytes.push_back(wire.substr(i, 1));
    same(feed_chunks(bytes), "byte by byte");
    return whole;
}

// Every response of `wire` fed whole to a fresh parser; a parse error fails the test.
template <typename Parser>
auto parse_all(std::string_view wire) {
    using response_type = typename decltype(std::declval<Parser&>().consume(
        std::declval<std::string_view&>(), std::declval<std::error_code&>()))::value_type;
    Parser parser;
    parse_outcome<response_type> out;
    consume_chunks(parser, std::vector<std::string_view>{wire}, out);
    EXPECT_FALSE(out.error) << out.diagnostics;
    return out.responses;
}

} // namespace postfach::test
