#include "journal_file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

namespace sentinel::capture {

int JournalFile::create(const std::string& path, bool force) noexcept {
    close();
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC | (force ? O_TRUNC : O_EXCL), 0644);
    if (fd < 0) return errno;
    const int flags = ::fcntl(fd, F_GETFL);
    direct_refused_ = flags >= 0 && ::fcntl(fd, F_SETFL, flags | O_DIRECT) == 0 ? 0 : errno;
    fd_ = fd;
    size_ = 0;
    path_ = path;
    return 0;
}

int JournalFile::append(std::span<const std::byte> blocks) noexcept {
    std::size_t done = 0;
    while (done < blocks.size()) {
        const ssize_t n = ::pwrite(fd_, blocks.data() + done, blocks.size() - done,
                                   static_cast<off_t>(size_ + done));
        if (n > 0) {
            done += static_cast<std::size_t>(n);
            continue;
        }
        if (n < 0 && errno == EINTR) continue;
        const int error = n < 0 ? errno : EIO;  // no progress on a non-empty write: call it an I/O error
        // The failed part may have landed partly: cut the file back to its last whole block. Its
        // own failure changes nothing the caller can do; the write's error is the one to report.
        (void)::ftruncate(fd_, static_cast<off_t>(size_));
        return error;
    }
    size_ += done;
    return 0;
}

int JournalFile::close() noexcept {
    if (fd_ < 0) return 0;
    const int synced = ::fdatasync(fd_) == 0 ? 0 : errno;
    const int closed = ::close(fd_) == 0 ? 0 : errno;
    fd_ = -1;
    return synced != 0 ? synced : closed;
}

}  // namespace sentinel::capture
