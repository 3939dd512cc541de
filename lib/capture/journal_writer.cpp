#include "journal_writer.hpp"

#include <pthread.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <filesystem>
#include <stdexcept>
#include <system_error>
#include <utility>

#include "disruptor/thread_affinity.hpp"
#include "log/log.hpp"

namespace sentinel::capture {
namespace {

std::string describe(int error) { return std::system_category().message(error); }

}  // namespace

JournalWriter::JournalWriter(const JournalConfig& config, std::size_t producers)
    : config_(config), by_producer_(producers) {}

std::string JournalWriter::file_path(const JournalConfig& config, std::uint32_t n) {
    if (config.rotate_bytes == 0 && config.rotate_interval.count() == 0) return config.path;
    const std::filesystem::path path(config.path);
    char number[16];
    std::snprintf(number, sizeof number, "_%05u", n);
    return (path.parent_path() / (path.stem().string() + number + path.extension().string())).string();
}

std::string JournalWriter::earlier_rotation(const JournalConfig& config) {
    if (config.rotate_bytes == 0 && config.rotate_interval.count() == 0) return {};
    const std::filesystem::path path(config.path);
    const std::string stem = path.stem().string() + '_';
    const std::string extension = path.extension().string();
    std::error_code ec;  // a directory that cannot be listed holds nothing to refuse; creating the file says why
    for (const auto& entry : std::filesystem::directory_iterator(path.has_parent_path() ? path.parent_path() : ".", ec)) {
        const std::string name = entry.path().filename().string();
        if (name.size() < stem.size() + extension.size() || !name.starts_with(stem) || !name.ends_with(extension))
            continue;
        const std::string number = name.substr(stem.size(), name.size() - stem.size() - extension.size());
        if (number.size() >= 5 && number.find_first_not_of("0123456789") == std::string::npos) return entry.path().string();
    }
    return {};
}

void JournalWriter::open(std::span<const std::byte> header) {
    if (!config_.force)
        if (const std::string earlier = earlier_rotation(config_); !earlier.empty())
            throw std::runtime_error("cannot rotate into " + earlier +
                                     ": it exists from an earlier run (use --force to overwrite, or another --capture name)");
    header_ = header;
    if (std::string what = open_next(); !what.empty()) throw std::runtime_error(what);
}

void JournalWriter::on_start() noexcept {
    pthread_setname_np(pthread_self(), "journal-writer");
    if (config_.writer_cpus.empty()) return;
    try {
        disruptor::confine_current_thread(config_.writer_cpus);
    } catch (const std::system_error& e) {  // it still writes, wherever it was started
        log::write(log::Type::capture, log::Level::warning, "capture journal writer: %s: it runs where it was started", e.what());
    }
}

void JournalWriter::on_event(JournalBuffer*& slot, std::int64_t, bool) noexcept {
    JournalBuffer& buffer = *slot;
    if (!failed() && rotation_due(buffer.size)) {
        const int closed = file_.close();
        std::string what = closed != 0 ? file_.path() + ": " + describe(closed) : open_next();
        if (!what.empty()) fail(std::move(what));
    }
    if (!failed()) {
        if (const int error = file_.append({buffer.data, buffer.size}); error != 0) fail(file_.path() + ": " + describe(error));
    }
    JournalCounters& producer = by_producer_[buffer.producer];
    if (failed()) {
        counters_.add(JournalCounter::lost_packets, buffer.packets);
        producer.add(JournalCounter::lost_packets, buffer.packets);
    } else {
        counters_.add(JournalCounter::written_packets, buffer.packets);
        counters_.add(JournalCounter::written_bytes, buffer.packet_bytes);
        counters_.add(JournalCounter::file_bytes, buffer.size);
        producer.add(JournalCounter::written_packets, buffer.packets);
        producer.add(JournalCounter::written_bytes, buffer.packet_bytes);
        producer.add(JournalCounter::file_bytes, buffer.size);
    }
    buffer.returned->store_release(buffer.ordinal);  // R5: pairs with A5 in the producer; pwrite is done with it
}

void JournalWriter::finish(std::span<const std::byte> trailer) noexcept {
    if (!file_.is_open()) return;
    // Even after a failure: statistics in a file cut short by a full disk say what it missed.
    if (!trailer.empty()) {
        if (const int error = file_.append(trailer); error != 0) {
            if (!failed()) fail(file_.path() + ": " + describe(error) + " writing the interface statistics");
        } else {
            counters_.add(JournalCounter::file_bytes, trailer.size());
        }
    }
    if (const int error = file_.close(); error != 0 && !failed()) fail(file_.path() + ": " + describe(error));
}

std::string JournalWriter::error() const {
    if (!failed_.load(std::memory_order_acquire)) return {};  // A6: pairs with R6; error_ is complete
    return error_ + " (wrote " + std::to_string(counters_.get(JournalCounter::written_packets)) + " packets; " +
           std::to_string(counters_.get(JournalCounter::lost_packets)) + " not written)";
}

std::string JournalWriter::open_next() noexcept {
    const std::string path = file_path(config_, file_number_ + 1);
    if (const int error = file_.create(path, config_.force); error != 0)
        return "cannot create " + path + ": " + describe(error) +
               (error == EEXIST ? " (use --force to overwrite it)" : "");
    ++file_number_;
    counters_.add(JournalCounter::files, 1);
    opened_at_ = std::chrono::steady_clock::now();
    if (!file_.direct() && !std::exchange(warned_, true))
        log::write(log::Type::capture, log::Level::warning, "journal O_DIRECT refused on %s (%s); writing through the page cache",
                   path.c_str(), describe(file_.direct_refused()).c_str());
    if (const int error = file_.append(header_); error != 0) {
        file_.close();
        ::unlink(path.c_str());  // a file without its header is no pcapng: leave none behind
        return path + ": " + describe(error);
    }
    counters_.add(JournalCounter::file_bytes, header_.size());
    if (config_.max_files != 0 && file_number_ > config_.max_files)
        ::unlink(file_path(config_, file_number_ - config_.max_files).c_str());  // gone already: nothing to do
    return {};
}

bool JournalWriter::rotation_due(std::size_t next_bytes) const noexcept {
    const std::uint64_t size = file_.size();
    if (config_.rotate_bytes != 0 && size > header_.size() && size + next_bytes > config_.rotate_bytes) return true;
    return config_.rotate_interval.count() != 0 &&
           std::chrono::steady_clock::now() - opened_at_ >= config_.rotate_interval;
}

void JournalWriter::fail(std::string what) noexcept {
    error_ = "capture stopped: " + std::move(what);
    failed_.store(true, std::memory_order_release);  // R6: pairs with A6 in error()
}

}  // namespace sentinel::capture
