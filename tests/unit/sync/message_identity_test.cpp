#include "sync/message_identity.hpp"

#include <gtest/gtest.h>

namespace {

using namespace postfach::sync;

const std::string crlf = "From: a@b\r\nSubject: hi\r\nMessage-ID: <1@x>\r\n\r\nbody\r\nmore\r\n";
const std::string lf = "From: a@b\nSubject: hi\nMessage-ID: <1@x>\n\nbody\nmore\n";

TEST(message_identity, same_for_lf_and_crlf_and_any_chunking) {
    const auto expected = make_identity(crlf.size(), crlf.substr(0, crlf.find("\r\n\r\n") + 4));
    for (const auto* text : {&crlf, &lf}) {
        for (std::size_t chunk = 1; chunk <= text->size(); ++chunk) {
            identity_builder b;
            for (std::size_t i = 0; i < text->size() && !b.header_complete(); i += chunk)
                b.feed(std::string_view(*text).substr(i, chunk));
            EXPECT_TRUE(b.header_complete());
            EXPECT_EQ(b.identity(crlf.size()), expected) << "chunk " << chunk;
        }
    }
}

TEST(message_identity, differs_by_size_and_by_header) {
    identity_builder a, b;
    a.feed(crlf);
    b.feed("From: a@b\r\nSubject: hi!\r\nMessage-ID: <1@x>\r\n\r\nbody\r\n");
    EXPECT_NE(a.identity(100), b.identity(100));
    EXPECT_NE(a.identity(100), a.identity(101));
    EXPECT_EQ(a.identity(100).substr(0, 4), "100:");
    EXPECT_EQ(a.identity(100).size(), 4u + 64u);
}

TEST(message_identity, a_message_without_body_hashes_all_it_has) {
    identity_builder b;
    b.feed("Subject: only a header\n");
    EXPECT_FALSE(b.header_complete());
    EXPECT_EQ(b.identity(25), make_identity(25, "Subject: only a header\r\n"));
}

} // namespace
