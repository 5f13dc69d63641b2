#pragma once
// Builders of POP3 commands (RFC 1939, RFC 2449 CAPA/STLS, RFC 5034 AUTH). Each returns the
// whole line and the response kind to expect. Commands above 255 octets with CRLF are refused
// (command_too_long, RFC 2449 §4); arguments with CR, LF or NUL, empty names, and message number
// 0 are refused (invalid_argument): a caller's data can never inject a second command.

#include "pop3/command.hpp"
#include "util/secret.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>

namespace postfach::pop3 {

inline constexpr std::size_t max_command_size = 255; // octets, CRLF included

// Lower-case hex MD5 of timestamp + secret (RFC 1939 §7), e.g. for APOP.
std::string apop_digest(std::string_view timestamp, const secret_string& secret);

namespace commands {

std::optional<command> user(std::string_view name, std::error_code& ec);
std::optional<command> pass(const secret_string& password, std::error_code& ec);
// timestamp: the greeting's "<...>" including the angle brackets.
std::optional<command> apop(std::string_view name, std::string_view timestamp,
                            const secret_string& secret, std::error_code& ec);
// AUTH mechanism [initial-response] (RFC 5034 §4). initial_argument is sent as given: base64 or
// "=", as net::sasl_exchange::initial_argument() returns it. A line over 255 octets is
// command_too_long: send AUTH without it then, and answer the server's empty challenge with it.
std::optional<command> auth(std::string_view mechanism,
                            const std::optional<secret_string>& initial_argument,
                            std::error_code& ec);
// A line of the SASL exchange as net::sasl_exchange::answer() returns it (base64, or "*" to
// cancel); always sensitive. No 255-octet limit (RFC 5034 §4).
command sasl_line(const secret_string& line);

command capa();
command stls();
command stat();
std::optional<command> uidl(std::optional<std::uint32_t> number, std::error_code& ec);
std::optional<command> list(std::optional<std::uint32_t> number, std::error_code& ec);
std::optional<command> top(std::uint32_t number, std::uint32_t lines, std::error_code& ec);
std::optional<command> retr(std::uint32_t number, std::error_code& ec);
// Marks a message deleted; only QUIT commits it (RFC 1939 §6), RSET undoes it.
std::optional<command> dele(std::uint32_t number, std::error_code& ec);
command rset();
command noop();
command quit();

} // namespace commands

} // namespace postfach::pop3
