#pragma once
// Where folders live on disk (design.md §3). Folder names are UTF-8 with '/' as the hierarchy
// separator (modified UTF-7 is only a wire format, handled by the IMAP side).
//
//   maildir++ (default): INBOX is the root maildir; folder "A/B" is the directory ".A.B" with a
//                        "maildirfolder" file, as Dovecot and Courier do.
//   verbatim:            INBOX is "INBOX/"; folder "A/B" is "A/B/".
//
// Escaping, so that every valid name maps to one directory and back (name_to_dir and
// dir_to_name are inverse): a byte is written as '\' plus two lowercase hex digits.
//   both layouts: '\' is always escaped ("\5c");
//   maildir++:    '.' inside a component is escaped ("\2e"), since '.' separates components;
//   verbatim:     a leading '.' of a component is escaped (a dot-directory is hidden and "."/".."
//                 are special), and a component that is exactly "tmp", "new" or "cur" has its
//                 first letter escaped ("\6eew"), since it would collide with the parent
//                 folder's Maildir subdirectories.
// Decoding is lenient: a '\' not followed by two hex digits stays as is, so directories made by
// other programs still get a name. Everything else, spaces, '&' and non-ASCII UTF-8 included,
// is written verbatim.
//
// A valid folder name is non-empty, has no empty component (no leading, trailing or double
// '/') and no NUL byte. "INBOX" (exactly; callers canonicalise case) is the inbox.

#include <filesystem>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

namespace postfach::maildir {

enum class layout_kind { maildir_plus_plus, verbatim };

class folder_layout {
public:
    folder_layout(std::filesystem::path root, layout_kind kind);

    [[nodiscard]] const std::filesystem::path& root() const noexcept { return root_; }
    [[nodiscard]] layout_kind kind() const noexcept { return kind_; }

    // The folder's directory (whether or not it exists). Fails with invalid_folder_name.
    [[nodiscard]] std::filesystem::path folder_dir(std::string_view name,
                                                   std::error_code& ec) const;

    // Folders on disk: every directory that is a maildir (has cur/), sorted by name.
    // Directories that are not folders (dot-files in verbatim, tmp/new/cur) are skipped.
    [[nodiscard]] std::vector<std::string> list_folders(std::error_code& ec) const;

    [[nodiscard]] bool folder_exists(std::string_view name) const;

    // Creates the folder with tmp/, new/, cur/ (mode 0700) and, in maildir++, "maildirfolder";
    // the parent directory is fsynced. An existing folder gives folder_exists. INBOX may be
    // created (it is the root in maildir++).
    std::error_code create_folder(std::string_view name) const;

    // Removes the folder and its messages. Sub-folders are kept: in maildir++ they are separate
    // directories anyway; in verbatim the directory stays as a plain parent while it has them.
    // INBOX cannot be deleted.
    std::error_code delete_folder(std::string_view name) const;

    // Renames the folder and its sub-folders (IMAP RENAME semantics), keeping every message
    // file (the same inodes). The target must not exist and must not be inside the source.
    std::error_code rename_folder(std::string_view from, std::string_view to) const;

private:
    std::filesystem::path root_;
    layout_kind kind_;
};

// The escaping rules above, exposed for tests and diagnostics.
bool is_valid_folder_name(std::string_view name) noexcept;
std::string encode_folder_component(std::string_view component, layout_kind kind);
std::string decode_folder_component(std::string_view encoded);

} // namespace postfach::maildir
