#pragma once
// TopOfBookPublisher: the consumer of the TopOfBookRing. It packs consecutive changes into
// datagrams of the documented format (lib/feed/top_of_book.hpp: a 16-byte header, up to 21
// records of 64 bytes) and sends each as one UDP multicast datagram, writes it to a file, or both.
//
//   TopOfBookRing ─▶ publisher ─┬─▶ UdpSender ─▶ TX queue ─▶ GROUP:PORT
//                               └─▶ --tob-out FILE (the same datagrams back to back)
//
// A datagram closes when it is full, when the next change's number is not the next one (a change
// the ring had no room for: the hole stays visible to consumers), and at the end of every batch,
// so a lone change is never held back; a batch's datagrams leave in one tx_burst at its end. The file is written through a 1 MiB buffer, emptied when
// full, when the stage has been idle 100 ms, and at stop: a file write error stops file output
// (counted, reported once) and leaves multicast running.
//
// Thread safety: on_events, on_idle and flush on the lcore that polls the stage; counters and
// error() from any thread once it has stopped (counters at any time).

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "top_of_book_ring.hpp"
#include "udp_sender.hpp"

namespace sentinel::net {

class TopOfBookPublisher {
public:
    // `multicast`: null for none. `file`: "" for none; created (truncated only with `force`),
    // throws std::runtime_error naming it when it cannot be.
    TopOfBookPublisher(UdpSender* multicast, const std::string& file, bool force);
    ~TopOfBookPublisher();
    TopOfBookPublisher(const TopOfBookPublisher&) = delete;
    TopOfBookPublisher& operator=(const TopOfBookPublisher&) = delete;

    void on_events(std::span<TopOfBookEvent> events, std::int64_t first_sequence, bool end_of_batch);
    void on_idle(std::uint64_t now_ns) noexcept;
    // Empties the file buffer; at stop.
    void flush() noexcept;

    std::uint64_t records() const noexcept { return records_.load(std::memory_order_relaxed); }  // a statistic
    std::uint64_t datagrams() const noexcept { return datagrams_.load(std::memory_order_relaxed); }  // a statistic
    std::uint64_t file_dropped() const noexcept { return file_dropped_.load(std::memory_order_relaxed); }  // a statistic
    // The file's error, "" when none; read once the stage has stopped.
    const std::string& error() const noexcept { return error_; }

private:
    static constexpr std::size_t kFileBuffer = std::size_t{1} << 20;
    static constexpr std::uint64_t kIdleFlushNs = 100'000'000;

    void close_datagram() noexcept;
    void write_file(std::span<const std::byte> bytes) noexcept;
    std::uint64_t records_after(std::size_t written) const noexcept;
    static void add(std::atomic<std::uint64_t>& c, std::uint64_t n) noexcept {
        c.store(c.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);  // a statistic, single writer
    }

    UdpSender* const multicast_;
    const std::string path_;
    int fd_ = -1;
    std::string error_;
    std::vector<std::byte> file_buffer_;
    std::size_t buffered_ = 0;
    std::uint64_t idle_since_ns_ = 0;
    std::array<std::byte, feed::kTopOfBookMaxPayload> datagram_{};  // the one being filled
    std::uint16_t count_ = 0;              // records in datagram_
    std::uint64_t first_ = 0;              // the first one's number
    std::atomic<std::uint64_t> records_{0};
    std::atomic<std::uint64_t> datagrams_{0};
    std::atomic<std::uint64_t> file_dropped_{0};  // records not written to the file after an error
};

}  // namespace sentinel::net
