#include "eal_init_failure.hpp"

#include <fcntl.h>
#include <linux/magic.h>
#include <rte_errno.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string_view>

namespace sentinel::platform {
namespace {

constexpr std::string_view kHugepagesFix =
    "reserve and mount hugepages (sudo hugepages/hugepages.sh reserve --pages N, or --mount DIR for a "
    "directory of your own), or run with --no-huge";

// `option`'s value at argv[i]: "--option VALUE" or "--option=VALUE".
std::optional<std::string> value_of(std::string_view option, int argc, char** argv, int& i) {
    const std::string_view a(argv[i]);
    if (a == option) return i + 1 < argc ? std::optional<std::string>(argv[++i]) : std::nullopt;
    if (a.starts_with(option) && a.size() > option.size() && a[option.size()] == '=')
        return std::string(a.substr(option.size() + 1));
    return std::nullopt;
}

// The process holding the write lock a running primary keeps on its config file: its PID (0 when
// it is in another PID namespace), or nothing when no process holds it.
std::optional<pid_t> config_lock_holder(const std::string& config) {
    const int fd = ::open(config.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return std::nullopt;
    struct flock lock {};
    lock.l_type = F_WRLCK;  // would a writer conflict with anyone: any lock on any byte
    lock.l_whence = SEEK_SET;
    const bool asked = ::fcntl(fd, F_GETLK, &lock) == 0;
    ::close(fd);  // this process holds no lock on the file, so closing drops none
    if (!asked || lock.l_type == F_UNLCK) return std::nullopt;
    return lock.l_pid;
}

bool any_hugetlbfs_mounted() {
    std::ifstream mounts("/proc/self/mounts");
    std::string line;
    while (std::getline(mounts, line)) {
        std::istringstream fields(line);
        std::string device, dir, type;
        if (fields >> device >> dir >> type && type == "hugetlbfs") return true;
    }
    return false;
}

// Why `dir` cannot serve as --huge-dir, or "" when it can (a hugetlbfs, or a directory in one).
std::string huge_dir_problem(const std::string& dir) {
    struct stat st {};
    if (::stat(dir.c_str(), &st) != 0)
        return errno == ENOENT ? "does not exist" : std::string("cannot be read: ") + std::strerror(errno);
    if (!S_ISDIR(st.st_mode)) return "is not a directory";
    struct statfs fs {};
    if (::statfs(dir.c_str(), &fs) != 0) return std::string("cannot be read: ") + std::strerror(errno);
    if (fs.f_type != HUGETLBFS_MAGIC) return "is not a hugetlbfs mount";
    return {};
}

}  // namespace

EalPlaces eal_places(int argc, char** argv) {
    EalPlaces places;
    for (int i = 1; i < argc; ++i) {
        const std::string_view a(argv[i]);
        if (a == "--") break;
        if (auto v = value_of("--file-prefix", argc, argv, i)) places.file_prefix = *v;
        else if (auto d = value_of("--huge-dir", argc, argv, i)) places.huge_dir = *d;
        else if (a == "--no-huge") places.no_huge = true;
        else if (a == "--no-shconf" || a == "--in-memory") places.no_shconf = true;
    }
    return places;
}

std::string explain_eal_init_failure(int error, const EalPlaces& places, const std::string& runtime_dir) {
    // A second primary fails on the lock before anything sets rte_errno.
    if (!places.no_shconf && !runtime_dir.empty()) {
        if (const std::optional<pid_t> holder = config_lock_holder(runtime_dir + "/config")) {
            const std::string who = *holder > 0 ? "(PID " + std::to_string(*holder) + ")" : "(in another PID namespace)";
            return "another DPDK process " + who + " uses --file-prefix " + places.file_prefix +
                   ": give this one another prefix (--file-prefix NAME) or stop that one";
        }
    }
    // EAL's hugepage survey fails as EACCES whatever the cause; the usual one is the directory.
    if (error == EACCES && !places.no_huge) {
        if (places.huge_dir) {
            if (const std::string problem = huge_dir_problem(*places.huge_dir); !problem.empty())
                return "--huge-dir " + *places.huge_dir + " " + problem + ": name a hugetlbfs mount (findmnt -t hugetlbfs), " +
                       std::string(kHugepagesFix);
        } else if (!any_hugetlbfs_mounted()) {
            return "no hugetlbfs is mounted: " + std::string(kHugepagesFix);
        }
    }
    if (error == 0) return "cannot initialise DPDK's EAL (its lines above say why; check the EAL options before '--')";
    return "cannot initialise DPDK's EAL: " + std::string(rte_strerror(error)) + " (check the EAL options before '--')";
}

}  // namespace sentinel::platform
