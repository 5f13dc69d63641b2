#include "net/tls_session_info.hpp"

#include <fmt/format.h>

namespace postfach::net {

std::string describe(const tls_session_info& info) {
    std::string out = fmt::format("{} {}", info.protocol, info.cipher);
    if (!info.peer_subject.empty())
        out += fmt::format(", certificate {} issued by {}, valid until {}", info.peer_subject,
                           info.peer_issuer, info.peer_not_after_text);
    return out;
}

} // namespace postfach::net
