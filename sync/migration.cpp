#include "sync/migration.hpp"

#include <fmt/format.h>
#include <set>

namespace postfach::sync {

namespace {

// Identities of every message of a folder.
task<std::error_code> identify_all(store& s, const std::string& folder, folder_scan& scan) {
    if (auto ec = co_await s.scan(folder, scan))
        co_return ec;
    std::vector<scanned_message*> all;
    for (auto& m : scan.messages)
        all.push_back(&m);
    co_return co_await s.identify(folder, all);
}

} // namespace

task<migration_result> migrate_messages(store& source, store& target, migration_options options) {
    migration_result r;
    auto fail = [&r](std::error_code ec, std::string what) {
        r.error = ec;
        r.error_detail = std::move(what);
    };
    std::vector<folder_info> source_folders, target_folders;
    if (auto ec = co_await source.list_folders(source_folders)) {
        fail(ec, "listing the local folders");
        co_return r;
    }
    if (auto ec = co_await target.list_folders(target_folders)) {
        fail(ec, "listing the server's folders");
        co_return r;
    }
    std::set<std::string> on_target;
    for (const auto& f : target_folders)
        on_target.insert(f.name);

    for (const auto& folder : source_folders) {
        ++r.folders;
        folder_scan local;
        if (auto ec = co_await identify_all(source, folder.name, local)) {
            fail(ec, fmt::format("reading the local folder {}", folder.name));
            co_return r;
        }
        std::set<std::string> there; // identities the target folder has
        if (on_target.contains(folder.name)) {
            folder_scan remote;
            if (auto ec = co_await identify_all(target, folder.name, remote)) {
                fail(ec, fmt::format("scanning the server's folder {}", folder.name));
                co_return r;
            }
            for (const auto& m : remote.messages)
                there.insert(m.identity);
        } else if (!local.messages.empty()) {
            ++r.folders_created;
            if (!options.dry_run) {
                if (auto ec = co_await target.create_folder(folder.name)) {
                    fail(ec, fmt::format("creating the folder {} on the server", folder.name));
                    co_return r;
                }
            }
            on_target.insert(folder.name);
        }
        for (const auto& m : local.messages) {
            if (!there.insert(m.identity).second) {
                ++r.already_there;
                continue;
            }
            std::uint64_t size = 0;
            if (auto ec = co_await source.message_size(folder.name, m.id, size)) {
                fail(ec, fmt::format("reading {} in {}", m.id, folder.name));
                co_return r;
            }
            if (!options.dry_run) {
                new_message wanted;
                wanted.folder = folder.name;
                wanted.flags = m.flags;
                wanted.size = size;
                if (options.date_of)
                    wanted.internal_date = options.date_of(folder.name, m.id);
                const std::string& from_folder = folder.name;
                const std::string& id = m.id;
                store::producer produce = [&source, &from_folder,
                                           &id](message_sink& sink) -> task<std::error_code> {
                    co_return co_await source.read_message(from_folder, id, sink);
                };
                std::string new_id;
                if (auto ec = co_await target.write_message(wanted, produce, new_id)) {
                    fail(ec, fmt::format("uploading {} into {}", m.id, folder.name));
                    co_return r;
                }
            }
            ++r.uploaded;
            r.bytes += size;
            if (options.on_upload)
                options.on_upload(folder.name, m);
        }
        if (!options.dry_run) {
            if (auto ec = co_await target.commit()) {
                fail(ec, fmt::format("committing the uploads into {}", folder.name));
                co_return r;
            }
        }
    }
    co_return r;
}

} // namespace postfach::sync
