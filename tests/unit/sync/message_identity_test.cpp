#include "sync/message_identity.hpp"

#include <gtest/gtest.h>
#include <string>
#include <string_view>
#include <vector>

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

// The builder as it was before it hashed incrementally: the header block copied into a CRLF
// string, then make_identity. Identities are persisted (sync state), so the incremental
// builder must give exactly this value for any input and any chunking.
std::string identity_by_copy(std::uint64_t wire_size, const std::vector<std::string_view>& chunks) {
    std::string header;
    bool done = false;
    bool after_cr = false;
    for (auto bytes : chunks) {
        while (!done && !bytes.empty()) {
            const auto end = bytes.find('\n');
            if (end == std::string_view::npos) {
                header.append(bytes);
                after_cr = bytes.back() == '\r';
                break;
            }
            const std::string_view line = bytes.substr(0, end);
            header.append(line);
            if (!(line.empty() ? after_cr : line.back() == '\r'))
                header.push_back('\r');
            header.push_back('\n');
            if (header.size() == 2 || header.ends_with("\r\n\r\n"))
                done = true;
            after_cr = false;
            bytes.remove_prefix(end + 1);
        }
    }
    return make_identity(wire_size, header);
}

std::string identity_incrementally(identity_builder& b, std::uint64_t wire_size,
                                   const std::vector<std::string_view>& chunks) {
    b.reset();
    for (const auto chunk : chunks)
        if (!b.header_complete())
            b.feed(chunk);
    return b.identity(wire_size);
}

TEST(message_identity, incremental_hash_equals_the_copied_header_block_split_anywhere) {
    const std::vector<std::string> texts = {
        crlf,
        lf,
        "From: a\r\nTo: b\nSubject: mixed\r\n\nbody\n", // LF and CRLF lines
        "\r\nbody starts at once\r\n",
        "\nbody starts at once\n",
        "A: bare\rCR inside\r\nB: \r\r\n\r\nbody\r\n",     // CRs that end no line
        "A: 1\r\n\r\r\nB: not the end\n\r\n",              // CR CR LF is not an empty line
        "A: 1\r\n \r\nB: folded\n\t\nC\nD: 2\r\n\r\nbody", // one-byte lines are not empty
        "Subject: no empty line at all\r\nX: y",
        "Subject: ends in a CR\r",
        "",
        std::string(300, 'h') + "\n" + std::string(200, 'i') + "\r\n\nbody",
    };
    identity_builder reused; // reset() between messages, as the copier does
    for (const auto& text : texts) {
        const std::string_view all(text);
        // Two chunks split at every byte boundary.
        for (std::size_t split = 0; split <= all.size(); ++split) {
            const std::vector<std::string_view> chunks = {all.substr(0, split), all.substr(split)};
            EXPECT_EQ(identity_incrementally(reused, 1234, chunks), identity_by_copy(1234, chunks))
                << "split at " << split << " of " << testing::PrintToString(text);
        }
        // Chunks of every size, a fresh builder each time.
        for (std::size_t size = 1; size <= all.size(); ++size) {
            std::vector<std::string_view> chunks;
            for (std::size_t i = 0; i < all.size(); i += size)
                chunks.push_back(all.substr(i, size));
            identity_builder fresh;
            EXPECT_EQ(identity_incrementally(fresh, 99, chunks), identity_by_copy(99, chunks))
                << "chunks of " << size << " of " << testing::PrintToString(text);
        }
    }
}

TEST(message_identity, pinned_value_of_a_known_header_block) {
    // A persisted format: this value must never change.
    identity_builder b;
    b.feed(lf);
    EXPECT_EQ(b.identity(crlf.size()),
              "57:5e67127d6f8c61e376032a306f25d8e787135a7049e8c69b995ab1cc557fb46b");
}

} // namespace
