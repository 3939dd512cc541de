#include "hugepage_files.hpp"

#include <fcntl.h>
#include <rte_memory.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <string_view>

namespace sentinel::platform {
namespace {

// The path an open descriptor names; "" when it has none to remove: unlinked (--huge-unlink),
// or never linked (a memfd with --in-memory).
std::string named_path(int fd) {
    std::array<char, 4096> target{};
    const std::string link = "/proc/self/fd/" + std::to_string(fd);
    const ssize_t n = ::readlink(link.c_str(), target.data(), target.size() - 1);
    if (n <= 0) return {};
    const std::string_view path(target.data(), static_cast<std::size_t>(n));
    if (!path.starts_with('/') || path.starts_with("/memfd:") || path.ends_with(" (deleted)")) return {};
    return std::string(path);
}

}  // namespace

HugepageFiles HugepageFiles::of_this_process() {
    HugepageFiles files;
    // One descriptor per page, or per list with --single-file-segments; none with --no-huge or
    // --legacy-mem (ENOTSUP, ENODEV): such a segment has nothing of its own to remove here.
    rte_memseg_walk(
        [](const rte_memseg_list*, const rte_memseg* ms, void* arg) {
            const int fd = rte_memseg_get_fd_thread_unsafe(ms);  // the walk holds the memory lock
            if (fd < 0) return 0;
            auto& paths = static_cast<HugepageFiles*>(arg)->paths_;
            if (std::string path = named_path(fd); !path.empty() && std::ranges::find(paths, path) == paths.end())
                paths.push_back(std::move(path));
            return 0;
        },
        &files);
    return files;
}

std::vector<std::string> HugepageFiles::remove() const {
    std::vector<std::string> kept;
    for (const std::string& path : paths_) {
        const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
        if (fd < 0) {
            if (errno != ENOENT) kept.push_back(path + " kept: cannot open it: " + std::strerror(errno));
            continue;
        }
        if (::flock(fd, LOCK_EX | LOCK_NB) != 0)
            kept.push_back(path + " kept: another process maps it (a secondary such as dpdk-dumpcap)");
        else if (::unlink(path.c_str()) != 0 && errno != ENOENT)
            kept.push_back(path + " kept: cannot remove it: " + std::strerror(errno));
        ::close(fd);  // drops the lock, after the unlink, as DPDK's own free does
    }
    return kept;
}

}  // namespace sentinel::platform
