#pragma once
// DNS questions `postfach init` asks to propose server settings: SRV records (RFC 6186) and
// whether a host name resolves. Behind an interface so discovery is unit-tested without DNS.

#include <cstdint>
#include <string>
#include <vector>

namespace postfach::net {

struct srv_record {
    std::uint16_t priority = 0;
    std::uint16_t weight = 0;
    std::uint16_t port = 0;
    std::string target; // without the trailing dot; "." (service not offered) becomes ""
};

class name_lookup {
public:
    virtual ~name_lookup() = default;
    // The SRV records of `name` (e.g. "_imaps._tcp.example.com"), best first (lowest priority,
    // then highest weight). Empty when there are none or DNS is unreachable.
    virtual std::vector<srv_record> srv(const std::string& name) = 0;
    // True when `host` has an address.
    virtual bool resolves(const std::string& host) = 0;
};

// The system resolver (res_nquery, getaddrinfo) with short timeouts, so that a machine without
// DNS answers within a few seconds.
class system_name_lookup final : public name_lookup {
public:
    std::vector<srv_record> srv(const std::string& name) override;
    bool resolves(const std::string& host) override;
};

} // namespace postfach::net
