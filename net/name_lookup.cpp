#include "net/name_lookup.hpp"

#include <algorithm>
#include <arpa/nameser.h>
#include <netdb.h>
#include <netinet/in.h>
#include <resolv.h>
#include <sys/socket.h>

namespace postfach::net {

std::vector<srv_record> system_name_lookup::srv(const std::string& name) {
    std::vector<srv_record> records;
    struct __res_state state {};
    if (res_ninit(&state) != 0)
        return records;
    state.retrans = 2; // seconds per try
    state.retry = 1;
    unsigned char answer[NS_PACKETSZ * 4];
    const int length = res_nquery(&state, name.c_str(), ns_c_in, ns_t_srv, answer, sizeof answer);
    if (length > 0) {
        ns_msg message;
        if (ns_initparse(answer, length, &message) == 0) {
            const int count = ns_msg_count(message, ns_s_an);
            for (int i = 0; i < count; ++i) {
                ns_rr rr;
                if (ns_parserr(&message, ns_s_an, i, &rr) != 0 || ns_rr_type(rr) != ns_t_srv ||
                    ns_rr_rdlen(rr) < 7)
                    continue;
                const unsigned char* data = ns_rr_rdata(rr);
                srv_record record;
                record.priority = ns_get16(data);
                record.weight = ns_get16(data + 2);
                record.port = ns_get16(data + 4);
                char target[NS_MAXDNAME];
                if (ns_name_uncompress(ns_msg_base(message), ns_msg_end(message), data + 6, target,
                                       sizeof target) < 0)
                    continue;
                record.target = target;
                if (record.target == ".")
                    record.target.clear();
                while (!record.target.empty() && record.target.back() == '.')
                    record.target.pop_back();
                records.push_back(std::move(record));
            }
        }
    }
    res_nclose(&state);
    std::stable_sort(records.begin(), records.end(), [](const srv_record& a, const srv_record& b) {
        return a.priority != b.priority ? a.priority < b.priority : a.weight > b.weight;
    });
    return records;
}

bool system_name_lookup::resolves(const std::string& host) {
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* result = nullptr;
    const int rc = ::getaddrinfo(host.c_str(), nullptr, &hints, &result);
    if (result != nullptr)
        ::freeaddrinfo(result);
    return rc == 0;
}

} // namespace postfach::net
