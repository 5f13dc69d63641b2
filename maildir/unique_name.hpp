#pragma once
// Unique base names for delivered messages, per the Maildir spec:
//   <seconds>.M<microseconds>P<pid>Q<counter>.<host>
// with '/' written as "\057" and ':' as "\072" in the host name. The counter is per process
// and never repeats, so two deliveries in the same microsecond still differ.

#include <cstdint>
#include <string>
#include <string_view>
#include <sys/types.h>

namespace postfach::maildir {

// The host part: '/' -> "\057", ':' -> "\072"; everything else as is.
std::string escape_host_name(std::string_view host);

// Pure formatting, for tests and for unique_name_generator.
std::string format_unique_name(std::int64_t seconds, std::int64_t microseconds, pid_t pid,
                               std::uint64_t counter, std::string_view escaped_host);

// Produces fresh base names from the real clock, getpid() and gethostname().
// Thread-safe; one instance per process is enough but more are harmless (the counter is shared).
class unique_name_generator {
public:
    unique_name_generator();
    [[nodiscard]] std::string next();

private:
    std::string host_; // escaped
};

} // namespace postfach::maildir
