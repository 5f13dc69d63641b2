#include "maildir/line_endings.hpp"

namespace postfach::maildir {

void crlf_to_lf::feed(std::string_view chunk, std::string& out) {
    out.reserve(out.size() + chunk.size() + 1);
    std::size_t i = 0;
    if (pending_cr_ && !chunk.empty()) {
        pending_cr_ = false;
        if (chunk.front() != '\n')
            out.push_back('\r'); // a lone CR: keep it
    }
    for (; i < chunk.size(); ++i) {
        const char c = chunk[i];
        if (c != '\r') {
            out.push_back(c);
            continue;
        }
        if (i + 1 == chunk.size()) {
            pending_cr_ = true; // decide when the next byte arrives
        } else if (chunk[i + 1] != '\n') {
            out.push_back('\r');
        }
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
