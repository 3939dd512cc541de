#pragma once
// JournalFile: one output file, appended to in whole buffers of whole blocks.
//
//   create:  open(O_CREAT | O_EXCL, or O_TRUNC when forced), then fcntl(F_SETFL, O_DIRECT): the
//            buffers go straight from their memory to the disk. A filesystem that refuses O_DIRECT
//            (EINVAL: tmpfs, some network filesystems) gets the same buffers through the page cache.
//            O_DIRECT is added after the open because a refused open(O_CREAT | O_DIRECT) still
//            creates the file, and an O_EXCL retry would then find it.
//   append:  pwrite at the end of the last whole append until every byte is written (short writes,
//            EINTR). On failure the file is cut back to that end, so it always ends on a block
//            boundary and stays valid pcapng.
//   close:   fdatasync, close. O_DIRECT bypasses the page cache, not the disk's cache or the
//            metadata that holds the file's size.
//
// Thread safety: one thread at a time (the writer thread, or the journal's owner around it).

#include <cstdint>
#include <span>
#include <string>

namespace sentinel::capture {

class JournalFile {
public:
    JournalFile() = default;
    ~JournalFile() { close(); }
    JournalFile(const JournalFile&) = delete;
    JournalFile& operator=(const JournalFile&) = delete;

    // 0, or the errno of the failed open. On success direct() tells whether O_DIRECT took, and
    // direct_refused() why not.
    int create(const std::string& path, bool force) noexcept;

    // Length, address and offset must be multiples of kBlockAlign while direct(). 0, or the errno.
    int append(std::span<const std::byte> blocks) noexcept;

    // 0, or the first errno of fdatasync/close. Closing a closed file does nothing.
    int close() noexcept;

    bool is_open() const noexcept { return fd_ >= 0; }
    bool direct() const noexcept { return direct_refused_ == 0; }
    int direct_refused() const noexcept { return direct_refused_; }
    std::uint64_t size() const noexcept { return size_; }
    const std::string& path() const noexcept { return path_; }

private:
    int fd_ = -1;
    int direct_refused_ = 0;
    std::uint64_t size_ = 0;  // end of the last whole append
    std::string path_;
};

}  // namespace sentinel::capture
