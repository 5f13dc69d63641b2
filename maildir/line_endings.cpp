#include "maildir/line_endings.hpp"

namespace postfach::maildir {

void crlf_to_lf::feed(std::string_view chunk, std::string& out) {
    out.reserve(out.size() + chunk.size() + 1);
    if (pending_cr_ && !chunk.empty()) {
        pending_cr_ = false;
        if (chunk.front() != '\n')
            out.push_back('\r'); // a lone CR: keep it
    }
    // Runs between CRs are appended whole (memchr), not byte by byte: this is on the path of
    // every byte fetched.
    while (!chunk.empty()) {
        const auto cr = chunk.find('\r');
        if (cr == std::string_view::npos) {
            out.append(chunk);
            return;
        }
        out.append(chunk.substr(0, cr));
        if (cr + 1 == chunk.size()) {
            pending_cr_ = true; // decide when the next byte arrives
            return;
        }
        if (chunk[cr + 1] != '\n')
            out.push_back('\r');
        chunk.remove_prefix(cr + 1);
    }
}

void crlf_to_lf::finish(std::string& out) {
    if (pending_cr_)
        out.push_back('\r');
    pending_cr_ = false;
}

void lf_to_crlf::feed(std::string_view chunk, std::string& out) {
    out.reserve(out.size() + chunk.size() + chunk.size() / 32);
    for (char c : chunk) {
        if (c == '\n' && !last_was_cr_)
            out.push_back('\r');
        out.push_back(c);
        last_was_cr_ = c == '\r';
    }
}

} // namespace postfach::maildir
