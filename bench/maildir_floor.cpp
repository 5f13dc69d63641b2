// What creating a corpus's files costs this machine, with nothing else going on: no network,
// no parsing, no state database. The cheapest durable delivery there is: an unnamed file
// (O_TMPFILE) written in one call, one syncfs() per batch, then each file linked into cur/ and
// each directory fsynced. bench/run adds its CPU to the wire limit's: an initial sync has to
// do both, so on a machine with few cores that sum bounds the initial sync from below.
// Not a test: it prints figures.
//
//   maildir_floor_bench --dir DIR --sizes FILE [--folders N] [--batch N]
//
// FILE holds one message size in bytes per line; the files are spread over N folders in
// order (the corpus's folders are filled one after another too).

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <string>
#include <string_view>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

namespace {

struct options {
    std::string dir;
    std::string sizes;
    std::size_t folders = 6;
    std::size_t batch = 256;
};

bool parse(int argc, char** argv, options& o) {
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string_view key = argv[i];
        if (key == "--dir")
            o.dir = argv[i + 1];
        else if (key == "--sizes")
            o.sizes = argv[i + 1];
        else if (key == "--folders")
            o.folders = std::strtoul(argv[i + 1], nullptr, 10);
        else if (key == "--batch")
            o.batch = std::strtoul(argv[i + 1], nullptr, 10);
        else
            return false;
    }
    return argc % 2 == 1 && !o.dir.empty() && !o.sizes.empty() && o.folders > 0 && o.batch > 0;
}

[[noreturn]] void die(const std::string& what) {
    std::fprintf(stderr, "maildir_floor_bench: %s: %s\n", what.c_str(), std::strerror(errno));
    std::exit(1);
}

double seconds(const timeval& tv) {
    return static_cast<double>(tv.tv_sec) + static_cast<double>(tv.tv_usec) / 1e6;
}

struct folder_dirs {
    int tmp = -1;
    int cur = -1;
};

folder_dirs make_folder(const std::string& root, std::size_t k) {
    const std::string folder = root + "/f" + std::to_string(k);
    folder_dirs d;
    for (const char* sub : {"", "/tmp", "/cur", "/new"})
        if (::mkdir((folder + sub).c_str(), 0700) != 0 && errno != EEXIST)
            die("mkdir " + folder + sub);
    d.tmp = ::open((folder + "/tmp").c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    d.cur = ::open((folder + "/cur").c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (d.tmp < 0 || d.cur < 0)
        die("open " + folder);
    return d;
}

// Links an unnamed file: AT_EMPTY_PATH needs CAP_DAC_READ_SEARCH, /proc/self/fd does not.
void link_file(int fd, int dir, const std::string& name) {
    if (::linkat(fd, "", dir, name.c_str(), AT_EMPTY_PATH) == 0)
        return;
    const std::string proc = "/proc/self/fd/" + std::to_string(fd);
    if (::linkat(AT_FDCWD, proc.c_str(), dir, name.c_str(), AT_SYMLINK_FOLLOW) != 0)
        die("linkat " + name);
}

} // namespace

int main(int argc, char** argv) {
    options o;
    if (!parse(argc, argv, o)) {
        std::fprintf(stderr, "usage: maildir_floor_bench --dir DIR --sizes FILE [--folders N] "
                             "[--batch N]\n");
        return 2;
    }
    std::vector<std::size_t> sizes;
    {
        std::ifstream in(o.sizes);
        for (std::size_t s = 0; in >> s;)
            sizes.push_back(s);
        if (sizes.empty()) {
            std::fprintf(stderr, "maildir_floor_bench: no sizes in %s\n", o.sizes.c_str());
            return 1;
        }
    }
    if (::mkdir(o.dir.c_str(), 0700) != 0 && errno != EEXIST)
        die("mkdir " + o.dir);
    std::vector<folder_dirs> folders;
    for (std::size_t k = 0; k < o.folders; ++k)
        folders.push_back(make_folder(o.dir, k));
    const std::string content(*std::max_element(sizes.begin(), sizes.end()), 'x');

    rusage before{};
    ::getrusage(RUSAGE_SELF, &before);
    const auto start = std::chrono::steady_clock::now();
    struct pending {
        int fd;
        int dir;
        std::size_t index;
    };
    std::vector<pending> batch;
    std::uint64_t bytes = 0;
    const auto commit = [&] {
        if (batch.empty())
            return;
        if (::syncfs(batch.front().fd) != 0)
            die("syncfs");
        std::vector<int> dirs;
        for (const auto& p : batch) {
            link_file(p.fd, p.dir,
                      "1764226800.M" + std::to_string(p.index) +
                          "P4242.floor,S=" + std::to_string(sizes[p.index]) + ":2,S");
            ::close(p.fd);
            if (std::find(dirs.begin(), dirs.end(), p.dir) == dirs.end())
                dirs.push_back(p.dir);
        }
        for (const int d : dirs)
            if (::fsync(d) != 0)
                die("fsync directory");
        batch.clear();
    };
    for (std::size_t i = 0; i < sizes.size(); ++i) {
        const auto& f = folders[i * o.folders / sizes.size()];
        if (!batch.empty() && batch.back().dir != f.cur)
            commit(); // a batch is one folder's, as postfach's are
        const int fd = ::openat(f.tmp, ".", O_TMPFILE | O_WRONLY | O_CLOEXEC, 0600);
        if (fd < 0)
            die("open O_TMPFILE (the file system needs it)");
        if (::write(fd, content.data(), sizes[i]) != static_cast<ssize_t>(sizes[i]))
            die("write");
        bytes += sizes[i];
        batch.push_back({fd, f.cur, i});
        if (batch.size() >= o.batch)
            commit();
    }
    commit();
    const double wall =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    rusage after{};
    ::getrusage(RUSAGE_SELF, &after);
    const double cpu = seconds(after.ru_utime) - seconds(before.ru_utime) +
                       seconds(after.ru_stime) - seconds(before.ru_stime);
    std::printf("floor files=%zu bytes=%llu seconds=%.3f cpu=%.3f\n", sizes.size(),
                static_cast<unsigned long long>(bytes), wall, cpu);
    return 0;
}
