#pragma once
// Streaming line-ending converters. Messages travel with CRLF (IMAP, POP3) and are stored with
// LF (design.md §3). Both work chunk by chunk: a line ending split across two chunks converts
// exactly as if the bytes came in one piece. Bytes other than line endings pass unchanged
// (binary parts and NUL included).

#include <string>
#include <string_view>

namespace postfach::maildir {

// CRLF -> LF. A CR not followed by LF is kept. A CR at the end of a chunk is held back until
// the next chunk (or finish()) shows what follows it.
class crlf_to_lf {
public:
    void feed(std::string_view chunk, std::string& out);
    // End of input: emits a held-back CR.
    void finish(std::string& out);
    // A whole message converted where it is (no copy): the same bytes as feed() of all of it
    // followed by finish().
    static void convert_whole(std::string& message);

private:
    bool pending_cr_ = false;
};

// LF -> CRLF, for uploads. An LF already preceded by CR (a file someone stored with CRLF) is
// left alone, so CRLF never becomes CRCRLF.
class lf_to_crlf {
public:
    void feed(std::string_view chunk, std::string& out);

private:
    bool last_was_cr_ = false;
};

} // namespace postfach::maildir
