#include "pop3/command_writer.hpp"

#include "pop3/pop3_errc.hpp"

#include <openssl/evp.h>

namespace postfach::pop3 {

namespace {

bool clean(std::string_view arg) {
    return arg.find_first_of(std::string_view("\r\n\0", 3)) == std::string_view::npos;
}

command simple(std::string name, response_kind expects = response_kind::status) {
    command c;
    c.bytes = name + "\r\n";
    c.name = std::move(name);
    c.expects = expects;
    return c;
}

std::optional<command> checked(command c, std::error_code& ec) {
    if (c.bytes.size() > max_command_size) {
        ec = pop3_errc::command_too_long;
        return std::nullopt;
    }
    ec.clear();
    return c;
}

std::optional<command> numbered(std::string_view verb, std::uint32_t number, std::string suffix,
                                response_kind expects, std::error_code& ec) {
    if (number == 0) {
        ec = pop3_errc::invalid_argument;
        return std::nullopt;
    }
    ec.clear();
    return simple(std::string(verb) + " " + std::to_string(number) + suffix, expects);
}

} // namespace

std::string apop_digest(std::string_view timestamp, const secret_string& secret) {
    std::string input(timestamp);
    input += secret.reveal();
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int size = 0;
    if (EVP_Digest(input.data(), input.size(), digest, &size, EVP_md5(), nullptr) != 1)
        return {}; // MD5 unavailable (FIPS mode): APOP cannot work
    static constexpr char hex[] = "0123456789abcdef";
    std::string out;
    for (unsigned int i = 0; i < size; ++i) {
        out += hex[digest[i] >> 4];
        out += hex[digest[i] & 0xf];
    }
    return out;
}

namespace commands {

std::optional<command> user(std::string_view name, std::error_code& ec) {
    if (name.empty() || !clean(name)) {
        ec = pop3_errc::invalid_argument;
        return std::nullopt;
    }
    return checked(simple("USER " + std::string(name)), ec);
}

std::optional<command> pass(const secret_string& password, std::error_code& ec) {
    if (!clean(password.reveal())) {
        ec = pop3_errc::invalid_argument;
        return std::nullopt;
    }
    command c;
    c.name = "PASS";
    c.bytes = "PASS " + std::string(password.reveal()) + "\r\n";
    c.sensitive = true;
    return checked(std::move(c), ec);
}

std::optional<command> apop(std::string_view name, std::string_view timestamp,
                            const secret_string& secret, std::error_code& ec) {
    const auto digest = apop_digest(timestamp, secret);
    if (name.empty() || !clean(name) || name.find(' ') != std::string_view::npos ||
        !clean(timestamp) || digest.empty()) {
        ec = pop3_errc::invalid_argument;
        return std::nullopt;
    }
    command c;
    c.name = "APOP " + std::string(name);
    c.bytes = c.name + " " + digest + "\r\n";
    c.sensitive = true; // a replayable digest while the server keeps the timestamp
    return checked(std::move(c), ec);
}

std::optional<command> auth(std::string_view mechanism,
                            const std::optional<secret_string>& initial_argument,
                            std::error_code& ec) {
    if (mechanism.empty() || !clean(mechanism) || mechanism.find(' ') != std::string_view::npos) {
        ec = pop3_errc::invalid_argument;
        return std::nullopt;
    }
    command c;
    c.name = "AUTH " + std::string(mechanism);
    c.expects = response_kind::sasl;
    c.bytes = c.name;
    if (initial_argument) {
        if (!clean(initial_argument->reveal())) {
            ec = pop3_errc::invalid_argument;
            return std::nullopt;
        }
        c.bytes += " " + std::string(initial_argument->reveal());
        c.sensitive = true;
    }
    c.bytes += "\r\n";
    return checked(std::move(c), ec);
}

command sasl_line(const secret_string& line) {
    command c;
    c.name = "AUTH response";
    c.bytes = std::string(line.reveal()) + "\r\n";
    c.sensitive = true;
    c.expects = response_kind::sasl;
    return c;
}

command capa() {
    return simple("CAPA", response_kind::capa);
}
command stls() {
    return simple("STLS");
}
command stat() {
    return simple("STAT", response_kind::stat);
}

std::optional<command> uidl(std::optional<std::uint32_t> number, std::error_code& ec) {
    if (!number) {
        ec.clear();
        return simple("UIDL", response_kind::uidl_all);
    }
    return numbered("UIDL", *number, {}, response_kind::uidl_one, ec);
}

std::optional<command> list(std::optional<std::uint32_t> number, std::error_code& ec) {
    if (!number) {
        ec.clear();
        return simple("LIST", response_kind::list_all);
    }
    return numbered("LIST", *number, {}, response_kind::list_one, ec);
}

std::optional<command> top(std::uint32_t number, std::uint32_t lines, std::error_code& ec) {
    return numbered("TOP", number, " " + std::to_string(lines), response_kind::message, ec);
}

std::optional<command> retr(std::uint32_t number, std::error_code& ec) {
    return numbered("RETR", number, {}, response_kind::message, ec);
}

std::optional<command> dele(std::uint32_t number, std::error_code& ec) {
    return numbered("DELE", number, {}, response_kind::status, ec);
}

command rset() {
    return simple("RSET");
}
command noop() {
    return simple("NOOP");
}
command quit() {
    return simple("QUIT");
}

} // namespace commands

} // namespace postfach::pop3
