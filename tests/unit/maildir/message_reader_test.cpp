#include "maildir/folder_layout.hpp"
#include "maildir/maildir_errc.hpp"
#include "maildir/maildir_folder.hpp"
#include "maildir/message_reader.hpp"
#include "tests/unit/support/temp_dir.hpp"

#include <fstream>
#include <gtest/gtest.h>

namespace fs = std::filesystem;

namespace postfach::maildir {
namespace {

std::string read_all(message_reader& reader, std::size_t chunk_size) {
    std::string out;
    std::string chunk;
    while (true) {
        EXPECT_FALSE(reader.next(chunk, chunk_size));
        if (chunk.empty())
            return out;
        out += chunk;
    }
}

class message_reader_test : public ::testing::Test {
protected:
    fs::path write(const std::string& name, const std::string& content) {
        const auto p = tmp_.path() / name;
        std::ofstream(p, std::ios::binary) << content;
        return p;
    }
    test::temp_dir tmp_;
};

TEST_F(message_reader_test, gives_crlf_and_its_size_in_advance_at_any_chunk_size) {
    const std::string disk = "Subject: x\n\nline\r\nalready crlf\nlast\n";
    const std::string wire = "Subject: x\r\n\r\nline\r\nalready crlf\r\nlast\r\n";
    const auto p = write("m", disk);
    for (std::size_t chunk : {1U, 2U, 5U, 64U * 1024U}) {
        message_reader reader;
        ASSERT_FALSE(message_reader::open(p, reader));
        EXPECT_EQ(reader.disk_size(), disk.size());
        std::uint64_t size = 0;
        ASSERT_FALSE(reader.wire_size(size));
        EXPECT_EQ(size, wire.size());
        EXPECT_EQ(read_all(reader, chunk), wire) << "chunk " << chunk;
        reader.rewind();
        EXPECT_EQ(read_all(reader, 3), wire);
    }
}

TEST_F(message_reader_test, a_rename_while_reading_changes_nothing) {
    const auto p = write("m:2,", "a\nb\n");
    message_reader reader;
    ASSERT_FALSE(message_reader::open(p, reader));
    fs::rename(p, tmp_.path() / "m:2,S");
    EXPECT_EQ(read_all(reader, 1), "a\r\nb\r\n");
}

TEST_F(message_reader_test, folder_opens_a_message_a_reader_renamed) {
    folder_layout layout(tmp_.path() / "mail", layout_kind::maildir_plus_plus);
    ASSERT_FALSE(layout.create_folder("INBOX"));
    const maildir_folder inbox(tmp_.path() / "mail");
    std::ofstream(inbox.dir() / "new" / "msg") << "hello\n";
    scan_result r;
    ASSERT_FALSE(inbox.scan(r));
    auto msg = r.messages.at(0);
    fs::rename(inbox.dir() / "new" / "msg", inbox.dir() / "cur" / "msg:2,S");
    message_reader reader;
    ASSERT_FALSE(inbox.open_message(msg, reader));
    EXPECT_EQ(msg.file_name, "msg:2,S");
    EXPECT_EQ(read_all(reader, 4), "hello\r\n");

    fs::remove(inbox.dir() / "cur" / "msg:2,S");
    EXPECT_EQ(inbox.open_message(msg, reader), maildir_errc::message_not_found);
}

TEST_F(message_reader_test, missing_file_is_an_error) {
    message_reader reader;
    EXPECT_EQ(message_reader::open(tmp_.path() / "nope", reader),
              std::errc::no_such_file_or_directory);
}

} // namespace
} // namespace postfach::maildir
