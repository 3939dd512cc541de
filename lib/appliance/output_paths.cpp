#include "output_paths.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <string_view>

namespace sentinel::appliance {
namespace {

std::string directory_of(const std::string& path) {
    const std::filesystem::path parent = std::filesystem::path(path).parent_path();
    return parent.empty() ? std::string(".") : parent.string();
}

// A file the run writes (or replaces through FILE.tmp, as --book-out does): its directory must
// take new files, and the file, if there is one, must be a file we may write.
void check_file(std::string_view option, const std::string& path) {
    const std::string named = std::string(option) + " " + path;
    struct stat target {};
    if (::stat(path.c_str(), &target) == 0) {
        if (S_ISDIR(target.st_mode)) throw std::invalid_argument(named + " is a directory: name a file");
        if (::access(path.c_str(), W_OK) != 0)
            throw std::invalid_argument("cannot write " + named + ": " + std::strerror(errno));
    }
    const std::string dir = directory_of(path);
    if (::access(dir.c_str(), W_OK | X_OK) != 0)
        throw std::invalid_argument("cannot write " + named + ": " + dir + ": " + std::strerror(errno));
}

}  // namespace

void check_output_paths(const Config& o) {
    if (o.stats_out) check_file("--stats-out", *o.stats_out);
    if (o.book_out) check_file("--book-out", *o.book_out);
    if (o.tob_out) check_file("--tob-out", *o.tob_out);
    for (const std::string& path : o.capture) {
        if (std::filesystem::is_directory(path))
            throw std::invalid_argument("--capture " + path + " is a directory: give a file name inside it");
        const std::string dir = directory_of(path);
        if (::access(dir.c_str(), W_OK | X_OK) != 0)
            throw std::runtime_error("cannot create --capture " + path + ": " + dir + ": " + std::strerror(errno));
    }
}

}  // namespace sentinel::appliance
