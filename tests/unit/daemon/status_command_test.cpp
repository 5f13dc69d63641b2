// The renderings of `postfach status`: the table for people, the JSON for scripts (its shape is
// the documented, stable format of the README).

#include "daemon/status_command.hpp"

#include <gtest/gtest.h>

namespace postfach {
namespace {

std::vector<account_status_view> sample() {
    account_status_view work;
    work.name = "work";
    work.known = true;
    work.status.connection = state::connection_state::idle;
    work.status.connection_since = 1764153600; // 2025-11-26 10:40:00 UTC
    work.status.pid = 42;
    work.status.last_success = 1764153600;
    work.status.last_error = "connect to \"imap\" failed";
    work.status.last_error_at = 1764150000;
    work.status.folders.push_back({"INBOX", 12, 3, 1764153600, "", 0});
    work.status.folders.push_back({"Archive/2025", 7, 0, 1764150000, "scan failed", 1764153600});
    account_status_view home;
    home.name = "home";
    return {work, home};
}

TEST(status_table, shows_state_times_errors_and_one_line_per_folder) {
    const auto text = format_status_table(sample(), 1764153600 + 180);
    EXPECT_EQ(text,
              "work: idle since 2025-11-26 10:40:00 UTC (pid 42)\n"
              "  last pass   2025-11-26 10:40:00 UTC (3 min ago)\n"
              "  last error  2025-11-26 09:40:00 UTC (before the last pass): connect to "
              "\"imap\" failed\n"
              "  FOLDER        MESSAGES  UNSEEN  LAST PASS\n"
              "  INBOX               12       3  2025-11-26 10:40:00 UTC\n"
              "  Archive/2025         7       0  2025-11-26 09:40:00 UTC  error at 2025-11-26 "
              "10:40:00 UTC: scan failed\n"
              "home: never synced\n");
}

TEST(status_json, is_the_documented_shape) {
    EXPECT_EQ(format_status_json(sample()),
              "{\"version\": 1, \"accounts\": [\n"
              "  {\"name\": \"work\", \"synced_before\": true, \"connection\": \"idle\", "
              "\"connection_since\": \"2025-11-26T10:40:00Z\", \"pid\": 42, \"last_success\": "
              "\"2025-11-26T10:40:00Z\", \"last_error\": {\"message\": \"connect to \\\"imap\\\" "
              "failed\", \"at\": \"2025-11-26T09:40:00Z\"}, \"folders\": [\n"
              "    {\"name\": \"INBOX\", \"messages\": 12, \"unseen\": 3, \"last_success\": "
              "\"2025-11-26T10:40:00Z\", \"last_error\": null},\n"
              "    {\"name\": \"Archive/2025\", \"messages\": 7, \"unseen\": 0, \"last_success\": "
              "\"2025-11-26T09:40:00Z\", \"last_error\": {\"message\": \"scan failed\", \"at\": "
              "\"2025-11-26T10:40:00Z\"}}\n"
              "  ]},\n"
              "  {\"name\": \"home\", \"synced_before\": false, \"connection\": \"offline\", "
              "\"connection_since\": null, \"pid\": null, \"last_success\": null, \"last_error\": "
              "null, \"folders\": []}\n"
              "]}\n");
}

TEST(status_json, no_accounts_is_an_empty_list) {
    EXPECT_EQ(format_status_json({}), "{\"version\": 1, \"accounts\": []}\n");
}

} // namespace
} // namespace postfach
