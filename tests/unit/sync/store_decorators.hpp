#pragma once
// Stores wrapped around other stores, for engine tests over real stores:
//   forwarding_store:    passes every operation on (the base of the others);
//   wire_identity_store: a memory_store whose identities are the real ones
//                        (sync::identity_builder over the body), so its messages pair with a
//                        Maildir's by identity as an IMAP server's would;
//   failing_store:       the n-th mutating operation fails and the store is dead after it,
//                        as a process killed at that step.

#include "sync/message_identity.hpp"
#include "sync/store.hpp"
#include "tests/unit/sync/memory_store.hpp"

namespace postfach::sync::testing {

class forwarding_store : public store {
public:
    explicit forwarding_store(store& next)
        : next_(next) {}

    task<std::error_code> list_folders(std::vector<folder_info>& folders) override {
        return next_.list_folders(folders);
    }
    task<std::error_code> create_folder(const std::string& folder) override {
        return next_.create_folder(folder);
    }
    task<std::error_code> delete_folder(const std::string& folder) override {
        return next_.delete_folder(folder);
    }
    task<std::error_code> rename_folder(const std::string& from, const std::string& to) override {
        return next_.rename_folder(from, to);
    }
    task<std::error_code> scan(const std::string& folder, folder_scan& scan) override {
        return next_.scan(folder, scan);
    }
    task<std::error_code> identify(const std::string& folder,
                                   std::vector<scanned_message*>& messages) override {
        return next_.identify(folder, messages);
    }
    task<std::error_code> message_size(const std::string& folder, const std::string& id,
                                       std::uint64_t& size) override {
        return next_.message_size(folder, id, size);
    }
    task<std::error_code> read_message(const std::string& folder, const std::string& id,
                                       message_sink& sink) override {
        return next_.read_message(folder, id, sink);
    }
    void expect_scans(std::vector<expected_scan> scans) override {
        next_.expect_scans(std::move(scans));
    }
    task<std::error_code> read_messages(const std::string& folder,
                                        const std::vector<std::string>& ids,
                                        message_receiver& receiver) override {
        return next_.read_messages(folder, ids, receiver);
    }
    task<std::error_code> begin_message(const new_message& message,
                                        std::unique_ptr<message_writer>& writer) override {
        return next_.begin_message(message, writer);
    }
    task<std::error_code> set_flags(const std::string& folder, const std::string& id, flag_bits add,
                                    flag_bits remove) override {
        return next_.set_flags(folder, id, add, remove);
    }
    task<std::error_code> remove_message(const std::string& folder,
                                         const std::string& id) override {
        return next_.remove_message(folder, id);
    }
    task<std::error_code> move_message(const std::string& from_folder, const std::string& id,
                                       const std::string& to_folder, std::string& new_id) override {
        return next_.move_message(from_folder, id, to_folder, new_id);
    }
    task<std::error_code> commit() override { return next_.commit(); }

protected:
    store& next_;
};

class wire_identity_store final : public forwarding_store {
public:
    explicit wire_identity_store(memory_store& memory)
        : forwarding_store(memory)
        , memory_(memory) {}

    task<std::error_code> identify(const std::string& folder,
                                   std::vector<scanned_message*>& messages) override {
        for (auto* m : messages) {
            const auto& body = memory_.working()[folder].at(m->id).body;
            identity_builder builder;
            builder.feed(body);
            m->identity = builder.identity(body.size());
        }
        co_return std::error_code{};
    }

private:
    memory_store& memory_;
};

class failing_store final : public forwarding_store {
public:
    using forwarding_store::forwarding_store;

    // The n-th mutating operation from now (0-based) fails; the store is dead after it. With
    // `performed`, that operation still reaches the store and only its answer is lost: a kill
    // right after a change (or a commit) was made, before anyone recorded it.
    void fail_at(int n, bool performed = false) {
        fail_at_ = n;
        perform_failing_ = performed;
    }
    [[nodiscard]] bool dead() const { return dead_; }

    task<std::error_code> scan(const std::string& folder, folder_scan& scan) override {
        if (dead_)
            co_return dead_error();
        co_return co_await next_.scan(folder, scan);
    }
    task<std::error_code> create_folder(const std::string& folder) override {
        return mutation([&] { return next_.create_folder(folder); });
    }
    task<std::error_code> delete_folder(const std::string& folder) override {
        return mutation([&] { return next_.delete_folder(folder); });
    }
    task<std::error_code> rename_folder(const std::string& from, const std::string& to) override {
        return mutation([&] { return next_.rename_folder(from, to); });
    }
    // The write is the mutation; its message reaches the store at finish(), so a failing
    // write that is performed fails at finish(), after the message got there.
    task<std::error_code> begin_message(const new_message& message,
                                        std::unique_ptr<message_writer>& writer) override {
        if (dead_)
            co_return dead_error();
        if (fail_at_ >= 0 && mutations_ == fail_at_) {
            dead_ = true;
            if (!perform_failing_)
                co_return dead_error();
            std::unique_ptr<message_writer> inner;
            if (auto ec = co_await next_.begin_message(message, inner))
                co_return dead_error();
            writer = std::make_unique<answer_lost_writer>(std::move(inner));
            co_return std::error_code{};
        }
        ++mutations_;
        co_return co_await next_.begin_message(message, writer);
    }
    task<std::error_code> set_flags(const std::string& folder, const std::string& id, flag_bits add,
                                    flag_bits remove) override {
        return mutation([&] { return next_.set_flags(folder, id, add, remove); });
    }
    task<std::error_code> remove_message(const std::string& folder,
                                         const std::string& id) override {
        return mutation([&] { return next_.remove_message(folder, id); });
    }
    task<std::error_code> move_message(const std::string& from_folder, const std::string& id,
                                       const std::string& to_folder, std::string& new_id) override {
        return mutation([&] { return next_.move_message(from_folder, id, to_folder, new_id); });
    }
    task<std::error_code> commit() override {
        return mutation([&] { return next_.commit(); });
    }

private:
    static std::error_code dead_error() { return std::make_error_code(std::errc::io_error); }

    // Writes through, then reports the failure: the message got there, the answer was lost.
    class answer_lost_writer final : public message_writer {
    public:
        explicit answer_lost_writer(std::unique_ptr<message_writer> inner)
            : inner_(std::move(inner)) {}
        task<std::error_code> write(std::string_view chunk) override {
            return inner_->write(chunk);
        }
        task<std::error_code> finish(std::string& new_id) override {
            (void)co_await inner_->finish(new_id);
            co_return dead_error();
        }

    private:
        std::unique_ptr<message_writer> inner_;
    };

    // `operation` makes the coroutine of the wrapped store's call; it holds references to the
    // caller's arguments, which outlive this coroutine (the caller awaits it at once).
    template <typename Operation>
    task<std::error_code> mutation(Operation operation) {
        if (dead_)
            co_return dead_error();
        if (fail_at_ >= 0 && mutations_ == fail_at_) {
            dead_ = true;
            if (perform_failing_)
                (void)co_await operation();
            co_return dead_error();
        }
        ++mutations_;
        co_return co_await operation();
    }

    int fail_at_ = -1;
    bool perform_failing_ = false;
    int mutations_ = 0;
    bool dead_ = false;
};

} // namespace postfach::sync::testing
