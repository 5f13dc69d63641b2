// Server proposals for `postfach init` from a scripted DNS: known providers, SRV records in
// priority order, "." targets, and host-name guesses only when they resolve.

#include "daemon/server_discovery.hpp"

#include <gtest/gtest.h>
#include <map>
#include <set>

namespace postfach {
namespace {

class scripted_dns final : public net::name_lookup {
public:
    std::map<std::string, std::vector<net::srv_record>> srv_records;
    std::set<std::string> hosts;
    std::vector<std::string> asked;

    std::vector<net::srv_record> srv(const std::string& name) override {
        asked.push_back(name);
        const auto it = srv_records.find(name);
        return it == srv_records.end() ? std::vector<net::srv_record>{} : it->second;
    }
    bool resolves(const std::string& host) override { return hosts.count(host) > 0; }
};

TEST(server_discovery, a_known_provider_comes_first_and_says_it_wants_oauth2) {
    scripted_dns dns;
    dns.hosts = {"imap.gmail.com"};
    const auto proposals = propose_servers("gmail.com", dns);
    ASSERT_FALSE(proposals.empty());
    EXPECT_EQ(proposals[0].host, "imap.gmail.com");
    EXPECT_EQ(proposals[0].port, 993);
    EXPECT_TRUE(proposals[0].oauth2);
    EXPECT_NE(proposals[0].provider_note.find("oama"), std::string::npos);
    // The same server found again by guessing is not proposed twice.
    EXPECT_EQ(proposals.size(), 1u);
}

TEST(server_discovery, srv_records_give_implicit_tls_and_starttls_servers_imap_first) {
    scripted_dns dns;
    dns.srv_records["_pop3s._tcp.example.org"] = {{0, 0, 995, "pop.example.org"}};
    dns.srv_records["_imap._tcp.example.org"] = {{5, 0, 143, "imap.example.org"}};
    dns.srv_records["_imaps._tcp.example.org"] = {{10, 0, 993, "mx2.example.org"},
                                                  {0, 0, 993, "mx1.example.org"}};
    const auto proposals = propose_servers("example.org", dns);
    ASSERT_EQ(proposals.size(), 4u);
    // The lookup sorts by priority; the fake returns them as given, so the order shows ours.
    EXPECT_EQ(proposals[0].host, "mx2.example.org");
    EXPECT_EQ(proposals[0].tls, config::tls_mode::implicit);
    EXPECT_EQ(proposals[2].host, "imap.example.org");
    EXPECT_EQ(proposals[2].tls, config::tls_mode::starttls);
    EXPECT_EQ(proposals[2].port, 143);
    EXPECT_EQ(proposals[3].kind, config::server_kind::pop3);
    EXPECT_EQ(proposals[3].source, "DNS SRV _pop3s._tcp.example.org");
}

TEST(server_discovery, a_dot_target_means_the_service_is_not_offered) {
    scripted_dns dns;
    dns.srv_records["_imaps._tcp.example.net"] = {{0, 0, 0, ""}};
    dns.srv_records["_pop3s._tcp.example.net"] = {{0, 0, 995, "pop.example.net"}};
    const auto proposals = propose_servers("example.net", dns);
    ASSERT_EQ(proposals.size(), 1u);
    EXPECT_EQ(proposals[0].kind, config::server_kind::pop3);
}

TEST(server_discovery, guesses_only_names_that_resolve) {
    scripted_dns dns;
    dns.hosts = {"mail.example.com", "pop.example.com"};
    const auto proposals = propose_servers("example.com", dns);
    ASSERT_EQ(proposals.size(), 2u);
    EXPECT_EQ(describe(proposals[0]),
              "mail.example.com:993 (IMAP, implicit TLS; common host name)");
    EXPECT_EQ(proposals[1].host, "pop.example.com");
    EXPECT_EQ(proposals[1].port, 995);
    EXPECT_TRUE(propose_servers("nothing.invalid", dns).empty());
}

} // namespace
} // namespace postfach
