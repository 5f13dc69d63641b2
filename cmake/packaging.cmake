# CPack: a Debian package with the binary, the systemd units, the man pages, the completions
# and the examples (scripts/package builds it with the install prefix /usr). Depends are the
# Debian 12 runtime packages of the libraries the binary links; scripts/package checks them
# against the binary's actual libraries.
set(CPACK_PACKAGE_NAME postfach)
set(CPACK_PACKAGE_VENDOR "postfach")
set(CPACK_PACKAGE_CONTACT "postfach maintainers <postfach@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "two-way IMAP <-> Maildir sync daemon")
set(CPACK_PACKAGE_DESCRIPTION
    "postfach keeps local Maildirs in two-way sync with IMAP accounts, and fetches over POP3\n\
where an account has no IMAP. It runs as a systemd service that pushes changes both ways as\n\
they happen (IDLE and inotify), or as a one-shot pass from a timer for backups.")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_GENERATOR DEB)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION mail)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_DEPENDS
    "libc6 (>= 2.34), libstdc++6 (>= 12), libgcc-s1, libboost-program-options1.81.0, \
libssl3, libyaml-cpp0.7, libsqlite3-0, libspdlog1.10, libfmt9")
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "neomutt | mutt, notmuch")
set(CPACK_DEBIAN_PACKAGE_HOMEPAGE "https://example.invalid/postfach")
# Directories that belong to other packages (base-files, systemd, bash-completion, zsh) are
# not claimed by ours, so removing postfach never removes them.
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION TRUE)
set(CPACK_STRIP_FILES TRUE)
include(CPack)
