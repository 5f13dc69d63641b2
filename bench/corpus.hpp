#pragma once
// The benchmark corpus: a deterministic stream of realistic messages in several folders.
//
// Profile "mixed" (issue 5: 5,000 messages are about 370 MB): ~70% plain text of 1-12 KB,
// ~20% HTML (multipart/alternative, 8-60 KB), ~10% with one base64 attachment of 50 KB-4 MB
// (mostly under 1 MB). Profile "small": plain text and HTML only, 1-12 KB and 8-60 KB.
// Headers look like delivered mail (Received, DKIM-Signature, ...), ~1.5 KB.
//
// The same options give the same bytes on every machine: each message comes from its own
// pseudo-random stream seeded by (seed, index). Lines never start with "From " (the fixture
// imports through mbox). Messages go to folders with INBOX the biggest, in order, so the
// n-th message of a folder gets UID n there on a fresh server.
//
// Flags: ~70% \Seen, ~8% \Answered, ~3% \Flagged, except that the messages the benchmark's
// flag-change step toggles (change_slice()) never start \Flagged.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace postfach::bench {

enum class corpus_profile { mixed, small };

struct corpus_options {
    std::size_t messages = 1000;
    std::size_t folders = 6; // at most folder_names().size()
    corpus_profile profile = corpus_profile::mixed;
    std::uint64_t seed = 1;
};

struct corpus_message {
    std::string folder;    // UTF-8, "/" between levels
    std::uint32_t uid = 0; // the UID it gets in its folder on a fresh server
    std::string rfc822;    // CRLF line endings
    std::vector<std::string> flags;
};

// The folder names a corpus uses, in order (the first `folders` of them).
const std::vector<std::string>& folder_names();

// The 1% of a folder whose \Flagged the benchmark toggles on the server: UIDs 1, 101, 201, ...
bool in_change_slice(std::uint32_t uid);

class corpus_generator {
public:
    explicit corpus_generator(corpus_options options);

    // Messages 0, 1, 2, ... in order; false after the last.
    bool next(corpus_message& message);

private:
    corpus_options options_;
    std::size_t index_ = 0;
    std::vector<std::uint32_t> next_uid_; // per folder
};

// One message of about `bytes` (a short text and one base64 attachment), for the RSS figure.
std::string make_big_message(std::size_t bytes, std::uint64_t seed);

} // namespace postfach::bench
