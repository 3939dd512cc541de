#include "journal_repair.hpp"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <stdexcept>
#include <system_error>
#include <vector>

#include "mapped_file.hpp"
#include "printf_string.hpp"

namespace sentinel::capture {
namespace {

[[noreturn]] void fail(int error, const std::string& path, const std::string& call) {
    throw std::system_error(error, std::system_category(), path + ": " + call);
}

std::string directory_of(const std::string& path) {
    const std::string dir = std::filesystem::path(path).parent_path().string();
    return dir.empty() ? "." : dir;
}

// The copy under a temporary name beside its final one (a rename never crosses file systems);
// removed unless renamed into place.
class PartialFile {
public:
    PartialFile(const std::string& final_path, mode_t mode) : path_(final_path + ".partial.XXXXXX") {
        fd_ = ::mkostemp(path_.data(), O_CLOEXEC);
        if (fd_ < 0) fail(errno, final_path + ".partial.XXXXXX", "mkostemp");
        if (::fchmod(fd_, mode) != 0) {
            const int error = errno;
            discard();
            fail(error, path_, "fchmod");
        }
    }
    ~PartialFile() { discard(); }
    PartialFile(const PartialFile&) = delete;
    PartialFile& operator=(const PartialFile&) = delete;

    const std::string& path() const noexcept { return path_; }

    void write(const std::byte* at, std::size_t n) {
        while (n > 0) {
            const ssize_t done = ::write(fd_, at, n);
            if (done < 0 && errno == EINTR) continue;
            if (done < 0) fail(errno, path_, "write");
            at += done;
            n -= static_cast<std::size_t>(done);
        }
    }

    void sync_and_close() {
        if (::fsync(fd_) != 0) fail(errno, path_, "fsync");
        const int fd = fd_;
        fd_ = -1;
        if (::close(fd) != 0) fail(errno, path_, "close");
    }

    // Replaces `target` or, without `replace`, fails with EEXIST where it exists.
    void rename_to(const std::string& target, bool replace) {
        if (replace) {
            if (::rename(path_.c_str(), target.c_str()) != 0) fail(errno, target, "rename");
        } else if (::renameat2(AT_FDCWD, path_.c_str(), AT_FDCWD, target.c_str(), RENAME_NOREPLACE) != 0) {
            // File systems without RENAME_NOREPLACE: link() refuses an existing target as well.
            if (errno != EINVAL && errno != ENOSYS) fail(errno, target, "rename");
            if (::link(path_.c_str(), target.c_str()) != 0) fail(errno, target, "link");
            ::unlink(path_.c_str());
        }
        renamed_ = true;
    }

private:
    void discard() noexcept {
        if (fd_ >= 0) ::close(fd_);
        fd_ = -1;
        if (!renamed_) ::unlink(path_.c_str());
        renamed_ = true;
    }

    std::string path_;
    int fd_ = -1;
    bool renamed_ = false;
};

// The kept spans in order; a section header whose section length is stale gets -1 in the copy.
void copy_kept(std::span<const std::byte> file, const JournalCheck& check, PartialFile& out) {
    static constexpr std::size_t kSectionLengthAt = 16;  // type, length, magic, version
    static const std::vector<std::byte> kUnknownLength(8, std::byte{0xFF});
    auto stale = check.stale_section_lengths.begin();
    for (const FileSpan& span : check.kept) {
        std::uint64_t at = span.offset;
        const std::uint64_t end = span.offset + span.bytes;
        for (; stale != check.stale_section_lengths.end() && *stale < end; ++stale) {
            const std::uint64_t field = *stale + kSectionLengthAt;
            out.write(file.data() + at, field - at);
            out.write(kUnknownLength.data(), kUnknownLength.size());
            at = field + kUnknownLength.size();
        }
        out.write(file.data() + at, end - at);
    }
}

void sync_directory(const std::string& dir, const std::string& renamed) {
    const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    // The rename is done by now: say so, since it may not survive a crash.
    if (fd < 0) fail(errno, dir, "open, to fsync the rename to " + renamed);
    const int synced = ::fsync(fd);
    const int error = errno;
    ::close(fd);
    if (synced != 0) fail(error, dir, "fsync of the rename to " + renamed);
}

}  // namespace

std::string repaired_path(const std::string& path) {
    static constexpr std::string_view kExtension = ".pcapng";
    const bool pcapng = path.size() > kExtension.size() && path.ends_with(kExtension);
    return (pcapng ? path.substr(0, path.size() - kExtension.size()) : path) + ".repaired.pcapng";
}

JournalRepair repair_journal(const std::string& path, const RepairOptions& options) {
    if (options.in_place && !options.output.empty())
        throw std::invalid_argument("an output file and in-place repair exclude each other");
    const MappedFile file(path);
    JournalRepair r;
    r.check = check_journal(file.bytes());
    if (r.check.verdict != JournalCheck::Verdict::damaged) return r;
    r.output = options.in_place ? path : options.output.empty() ? repaired_path(path) : options.output;
    if (!options.in_place) {
        struct stat st{};
        if (::lstat(r.output.c_str(), &st) == 0) throw std::system_error(EEXIST, std::system_category(), r.output);
    }
    if (options.dry_run) return r;

    PartialFile out(r.output, file.mode());
    copy_kept(file.bytes(), r.check, out);
    out.sync_and_close();
    const JournalCheck copy = check_journal(out.path());
    if (copy.verdict != JournalCheck::Verdict::ok || copy.packets != r.check.packets)
        throw std::runtime_error(printf_string("%s: the repaired copy does not check valid (%s, %llu of %llu packets); "
                                               "nothing written",
                                               path.c_str(), copy.problem.c_str(),
                                               static_cast<unsigned long long>(copy.packets),
                                               static_cast<unsigned long long>(r.check.packets)));
    out.rename_to(r.output, options.in_place);
    r.written = true;
    sync_directory(directory_of(r.output), r.output);
    return r;
}

}  // namespace sentinel::capture
