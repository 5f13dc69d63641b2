#pragma once
// What the IMAP and POP3 session state machines are told about the connection's security and
// the user's login, shared so that net/ and the commands configure both the same way.

#include "util/secret.hpp"

#include <string>

namespace postfach::util {

enum class transport_security {
    implicit_tls, // TLS before the greeting (993, 995); the fsm never asks for it
    starttls,     // plaintext greeting, then STARTTLS / STLS is mandatory
    none,         // plaintext throughout (loopback or allow_plaintext only; checked by config)
};

struct login_credentials {
    std::string user;
    secret_string password;
};

} // namespace postfach::util
