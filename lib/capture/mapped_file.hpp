#pragma once
// mapped_file: a whole file mapped read-only, so that a walk over millions of pcapng blocks makes
// no system call per block, and a repair copies the blocks it keeps straight from the mapping.
//
// Thread safety: the bytes may be read from any thread while the object lives.

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <span>
#include <string>
#include <system_error>

namespace sentinel::capture {

class MappedFile {
public:
    // Throws std::system_error naming the path when the file cannot be opened or mapped.
    explicit MappedFile(const std::string& path) {
        const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
        if (fd < 0) throw std::system_error(errno, std::system_category(), path);
        struct stat st{};
        if (::fstat(fd, &st) != 0) {
            const int error = errno;
            ::close(fd);
            throw std::system_error(error, std::system_category(), path + ": fstat");
        }
        size_ = static_cast<std::size_t>(st.st_size);
        mode_ = st.st_mode & 07777;
        void* p = size_ == 0 ? nullptr : ::mmap(nullptr, size_, PROT_READ, MAP_PRIVATE, fd, 0);
        const int error = errno;
        ::close(fd);
        if (p == MAP_FAILED) throw std::system_error(error, std::system_category(), path + ": mmap");
        data_ = static_cast<const std::byte*>(p);
    }
    ~MappedFile() {
        if (data_ != nullptr) ::munmap(const_cast<std::byte*>(data_), size_);
    }
    MappedFile(const MappedFile&) = delete;
    MappedFile& operator=(const MappedFile&) = delete;

    std::span<const std::byte> bytes() const noexcept { return {data_, size_}; }
    // The permission bits, for a copy that replaces the file.
    mode_t mode() const noexcept { return mode_; }

private:
    const std::byte* data_ = nullptr;
    std::size_t size_ = 0;
    mode_t mode_ = 0600;
};

}  // namespace sentinel::capture
