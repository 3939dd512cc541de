#pragma once
// Test support for lib/capture: scratch directories, a packet pattern whose every byte can be
// checked, a pcapng reader written apart from journal_check (so the two check each other), and the
// external readers (tshark, capinfos, tcpdump) run as commands.

#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "capture/journal.hpp"

namespace sentinel::capture::test {

// A fresh directory under $TMPDIR (/tmp), removed with everything in it.
class TempDir {
public:
    TempDir() {
        const char* base = std::getenv("TMPDIR");
        std::string pattern = std::string(base ? base : "/tmp") + "/capture_unit_XXXXXX";
        if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp " + pattern);
        path_ = pattern;
    }
    ~TempDir() {
        std::error_code ignored;
        std::filesystem::remove_all(path_, ignored);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;

    std::string operator/(const std::string& name) const { return (path_ / name).string(); }
    const std::filesystem::path& path() const { return path_; }

private:
    std::filesystem::path path_;
};

// A packet is known by (producer, sequence): the timestamp carries both, and every data byte is a
// function of them, so a reader can tell a packet that is missing, doubled, clipped or corrupted.
inline std::uint64_t packet_timestamp(std::uint32_t producer, std::uint64_t seq) {
    return (std::uint64_t{producer} << 40) | seq;
}
inline std::byte packet_byte(std::uint64_t timestamp, std::uint32_t j) {
    return static_cast<std::byte>((timestamp * 0x9E3779B1u + j * 131u + (timestamp >> 40) * 17u) >> 7);
}
inline void fill_packet(std::byte* at, std::uint64_t timestamp, std::uint32_t captured) {
    for (std::uint32_t j = 0; j < captured; ++j) at[j] = packet_byte(timestamp, j);
}

// Begins, fills and ends one packet, retrying while the writer is behind; false if the journal failed.
inline bool write_packet(JournalProducer& p, std::uint32_t interface, std::uint64_t timestamp, std::uint32_t original,
                         std::uint32_t captured) {
    for (;;) {
        if (std::byte* at = p.begin_packet(interface, timestamp, original, captured)) {
            fill_packet(at, timestamp, captured);
            p.end_packet();
            return true;
        }
        if (p.failed()) return false;
        std::this_thread::yield();
    }
}

struct Packet {
    std::uint32_t interface;
    std::uint64_t timestamp;
    std::uint32_t captured;
    std::uint32_t original;
    std::size_t data;  // offset of the packet bytes in PcapngFile::bytes
};

struct Interface {
    std::string name;
    std::uint32_t snaplen;
    std::uint8_t tsresol;
};

struct Statistics {
    std::uint32_t interface;
    std::uint64_t received;
    std::uint64_t dropped;
};

struct PcapngFile {
    std::vector<std::byte> bytes;  // the whole file
    std::vector<Interface> interfaces;
    std::vector<Packet> packets;
    std::vector<Statistics> statistics;
    std::size_t fillers = 0;  // name resolution blocks with no records
    std::string error;        // the first thing this reader could not read; "" when none
};

inline std::vector<std::byte> read_bytes(const std::string& path) {
    std::ifstream in(path, std::ios::binary | std::ios::ate);
    std::vector<std::byte> bytes(in ? static_cast<std::size_t>(in.tellg()) : 0);
    in.seekg(0);
    in.read(reinterpret_cast<char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
    return bytes;
}

// Little-endian files with one section, as the journal writes them.
inline PcapngFile read_pcapng(const std::string& path) {
    PcapngFile out;
    out.bytes = read_bytes(path);
    const std::vector<std::byte>& f = out.bytes;
    const auto u16 = [&](std::size_t at) { std::uint16_t v; std::memcpy(&v, &f[at], 2); return v; };
    const auto u32 = [&](std::size_t at) { std::uint32_t v; std::memcpy(&v, &f[at], 4); return v; };
    const auto u64 = [&](std::size_t at) { std::uint64_t v; std::memcpy(&v, &f[at], 8); return v; };
    // Options from `at` to the block's trailing length: calls on(code, value offset, length).
    const auto options = [&](std::size_t at, std::size_t end, auto on) {
        while (at + 4 <= end) {
            const std::uint16_t code = u16(at), length = u16(at + 2);
            if (code == 0) break;
            on(code, at + 4, length);
            at += 4 + ((length + 3u) & ~3u);
        }
    };
    for (std::size_t at = 0; at < f.size();) {
        if (f.size() - at < 12) return out.error = "short block at " + std::to_string(at), out;
        const std::uint32_t type = u32(at), length = u32(at + 4);
        if (length < 12 || length % 4 || length > f.size() - at || u32(at + length - 4) != length)
            return out.error = "bad block at " + std::to_string(at), out;
        const std::size_t end = at + length - 4;
        if (type == 0x0A0D0D0A && (u32(at + 8) != 0x1A2B3C4D || u16(at + 12) != 1))
            return out.error = "bad section header", out;
        if (type == 1) {
            Interface i{"", u32(at + 12), 6};
            options(at + 16, end, [&](std::uint16_t code, std::size_t v, std::size_t n) {
                if (code == 2) i.name.assign(reinterpret_cast<const char*>(&f[v]), n);
                if (code == 9) i.tsresol = static_cast<std::uint8_t>(f[v]);
            });
            out.interfaces.push_back(i);
        } else if (type == 6) {
            const Packet p{u32(at + 8), (std::uint64_t{u32(at + 12)} << 32) | u32(at + 16), u32(at + 20), u32(at + 24),
                           at + 28};
            if (28 + ((p.captured + 3u) & ~3u) + 4 > length) return out.error = "packet overruns its block", out;
            out.packets.push_back(p);
        } else if (type == 5) {
            Statistics s{u32(at + 8), 0, 0};
            options(at + 20, end, [&](std::uint16_t code, std::size_t v, std::size_t) {
                if (code == 4) s.received = u64(v);
                if (code == 5) s.dropped = u64(v);
            });
            out.statistics.push_back(s);
        } else if (type == 4 && u32(at + 8) == 0) {
            ++out.fillers;
        }
        at += length;
    }
    return out;
}

struct Command {
    int status;
    std::string out;  // stdout
    std::string err;  // stderr
};

// Runs `command` through the shell; stderr is kept apart so that warnings can be checked.
inline Command run(const std::string& command) {
    char err_path[] = "/tmp/capture_unit_stderr_XXXXXX";
    const int err_fd = ::mkstemp(err_path);
    ::close(err_fd);
    Command c{-1, {}, {}};
    if (FILE* p = ::popen((command + " 2>" + err_path).c_str(), "r")) {
        char chunk[65536];
        for (std::size_t n; (n = std::fread(chunk, 1, sizeof chunk, p)) > 0;) c.out.append(chunk, n);
        const int status = ::pclose(p);
        c.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    }
    const std::vector<std::byte> err = read_bytes(err_path);
    c.err.assign(reinterpret_cast<const char*>(err.data()), err.size());
    ::unlink(err_path);
    return c;
}

// stderr without the line tshark and capinfos print for root: anything left is a warning.
inline std::string warnings(const std::string& err) {
    std::string out;
    std::size_t start = 0;
    while (start < err.size()) {
        std::size_t end = err.find('\n', start);
        if (end == std::string::npos) end = err.size();
        const std::string line = err.substr(start, end - start);
        if (!line.empty() && line.find("Running as user \"root\"") == std::string::npos &&
            line.rfind("reading from file", 0) != 0)
            out += line + "\n";
        start = end + 1;
    }
    return out;
}

// (interface, frame.len, frame.cap_len) of every frame tshark reads, in file order.
struct TsharkFrame {
    std::uint32_t interface;
    std::uint32_t len;
    std::uint32_t cap_len;
    bool operator==(const TsharkFrame&) const = default;
};

inline std::vector<TsharkFrame> tshark_frames(const std::string& path) {
    const Command c = run("tshark -r '" + path + "' -T fields -e frame.interface_id -e frame.len -e frame.cap_len");
    EXPECT_EQ(c.status, 0) << c.err;
    EXPECT_EQ(warnings(c.err), "") << "tshark complained about " << path;
    std::vector<TsharkFrame> frames;
    std::istringstream lines(c.out);
    for (TsharkFrame f{}; lines >> f.interface >> f.len >> f.cap_len;) frames.push_back(f);
    return frames;
}

// The first byte of `p` that differs from the pattern, or -1 when all match.
inline long first_wrong_byte(const PcapngFile& file, const Packet& p) {
    for (std::uint32_t j = 0; j < p.captured; ++j)
        if (file.bytes[p.data + j] != packet_byte(p.timestamp, j)) return j;
    return -1;
}

inline std::vector<TsharkFrame> frames_of(const PcapngFile& file) {
    std::vector<TsharkFrame> frames;
    for (const Packet& p : file.packets) frames.push_back({p.interface, p.original, p.captured});
    return frames;
}

}  // namespace sentinel::capture::test
