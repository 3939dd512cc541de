#include "top_of_book_publisher.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

#include "log/log.hpp"

namespace sentinel::net {

TopOfBookPublisher::TopOfBookPublisher(UdpSender* multicast, const std::string& file, bool force)
    : multicast_(multicast), path_(file) {
    if (path_.empty()) return;
    fd_ = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC | (force ? O_TRUNC : O_EXCL), 0644);
    if (fd_ < 0)
        throw std::runtime_error("--tob-out " + path_ + ": " + std::strerror(errno) +
                                 (errno == EEXIST ? " (use --force to overwrite it)" : ""));
    file_buffer_.resize(kFileBuffer);
}

TopOfBookPublisher::~TopOfBookPublisher() {
    flush();
    if (fd_ >= 0) ::close(fd_);
}

void TopOfBookPublisher::on_events(std::span<TopOfBookEvent> events, std::int64_t, bool end_of_batch) {
    for (const TopOfBookEvent& e : events) {
        if (count_ != 0 && e.sequence != first_ + count_) close_datagram();
        if (count_ == 0) first_ = e.sequence;
        std::memcpy(datagram_.data() + feed::kTopOfBookHeaderSize + count_ * feed::kTopOfBookRecordSize, &e.top,
                    feed::kTopOfBookRecordSize);  // the record is the wire format (top_of_book.hpp)
        if (++count_ == feed::kTopOfBookPerDatagram) close_datagram();
    }
    if (end_of_batch && count_ != 0) close_datagram();
    if (end_of_batch && multicast_ != nullptr) multicast_->flush();  // the batch's datagrams, one tx_burst
    idle_since_ns_ = 0;
}

void TopOfBookPublisher::close_datagram() noexcept {
    feed::write_top_of_book_header(std::span<std::byte, feed::kTopOfBookHeaderSize>(datagram_.data(), feed::kTopOfBookHeaderSize),
                                   count_, first_);
    const std::span<const std::byte> bytes(datagram_.data(), feed::kTopOfBookHeaderSize + count_ * feed::kTopOfBookRecordSize);
    if (multicast_ != nullptr) multicast_->queue(bytes);  // a refused one is counted by the sender
    if (fd_ >= 0) write_file(bytes);
    else if (!path_.empty()) add(file_dropped_, count_);
    add(records_, count_);
    add(datagrams_, 1);
    count_ = 0;
}

void TopOfBookPublisher::write_file(std::span<const std::byte> bytes) noexcept {
    if (buffered_ + bytes.size() > file_buffer_.size()) flush();
    if (fd_ < 0) {
        add(file_dropped_, count_);
        return;
    }
    std::memcpy(file_buffer_.data() + buffered_, bytes.data(), bytes.size());
    buffered_ += bytes.size();
}

void TopOfBookPublisher::on_idle(std::uint64_t now_ns) noexcept {
    if (buffered_ == 0) return;
    if (idle_since_ns_ == 0) idle_since_ns_ = now_ns;
    else if (now_ns - idle_since_ns_ >= kIdleFlushNs) flush();
}

// The records of the buffer's datagrams that do not end within its first `written` bytes: a
// datagram the write cut is as lost as the ones after it.
std::uint64_t TopOfBookPublisher::records_after(std::size_t written) const noexcept {
    std::uint64_t lost = 0;
    for (std::size_t at = 0; at < buffered_;) {
        std::uint16_t count;
        std::memcpy(&count, file_buffer_.data() + at + 6, 2);  // the header's record count (top_of_book.hpp)
        at += feed::kTopOfBookHeaderSize + count * feed::kTopOfBookRecordSize;
        if (at > written) lost += count;
    }
    return lost;
}

void TopOfBookPublisher::flush() noexcept {
    std::size_t done = 0;
    while (fd_ >= 0 && done < buffered_) {
        const ssize_t n = ::write(fd_, file_buffer_.data() + done, buffered_ - done);
        if (n > 0) {
            done += static_cast<std::size_t>(n);
            continue;
        }
        if (n < 0 && errno == EINTR) continue;
        error_ = "--tob-out " + path_ + ": " + (n < 0 ? std::strerror(errno) : "write returned 0");
        add(file_dropped_, records_after(done));
        log::write(log::Type::net, log::Level::error, "%s; top-of-book records no longer written to the file", error_.c_str());
        ::close(fd_);
        fd_ = -1;
    }
    buffered_ = 0;
    idle_since_ns_ = 0;
}

}  // namespace sentinel::net
