#pragma once
// Logging for the whole process (spdlog). Three output formats, chosen once at start:
//  - a terminal: short, coloured lines;
//  - systemd's journal (JOURNAL_STREAM names our stderr): "<N>message", N the syslog priority,
//    so journald files each line under the right priority;
//  - anything else (a file, a pipe): ISO timestamps and level names.
// Protocol traces are logged at trace level, shown only with --verbose, and pass through
// redact_credentials() first: passwords and tokens never reach a log.

#include <string>
#include <string_view>

namespace postfach::logging {

enum class verbosity { quiet, normal, verbose };
enum class output_format { terminal, journal, plain };

// Detects the format from stderr and the environment (JOURNAL_STREAM, TERM).
output_format detect_output_format();

// Installs the default logger on stderr. Safe to call again (e.g. tests).
void setup(verbosity level, output_format format);

// The journald priority prefix of a spdlog level number: "<3>" for error, "<7>" for debug.
std::string_view journal_prefix(int spdlog_level);

// Direction of a protocol line, for traces.
enum class direction { client_to_server, server_to_client };

// Replaces the secret part of a client command line with "***": IMAP LOGIN and AUTHENTICATE
// initial responses, POP3 PASS, APOP and AUTH initial responses. Other lines are returned as is.
std::string redact_credentials(std::string_view client_line);

// Logs one protocol line at trace level as "account C: ..." / "account S: ...".
// sensitive: the whole line is a secret (a SASL response sent after a continuation); only its
// length is logged.
void trace_protocol(std::string_view account, direction dir, std::string_view line,
                    bool sensitive = false);

} // namespace postfach::logging
