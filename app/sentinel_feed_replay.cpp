// sentinel-feed-replay: replays one MoldUDP64/ITCH 5.0 stream from a capture file through the feed
// engine the appliance runs (lib/feed/pcap_replay.hpp) and writes the final books, for comparison
// with a generator's expected output or with the appliance's --book-out.
//
//   sentinel-feed-replay --feed-a IP:PORT FILE [--book-out OUT]
//
//   FILE       pcap or pcapng (a capture journal's file too) of Ethernet frames
//   --feed-a   the stream's UDP destination; datagrams to anything else are counted and skipped
//   --book-out the books, one line per price level (lib/feed/book_writer.hpp); "-" for stdout
//
// Prints the replay's, the arbitrator's and the handler's counters on stderr, one "label value"
// per line, labelled as the appliance labels them. Exit 0
// when the whole file was read, 1 when a read error cut it short, 2 on bad usage or an unreadable
// file.

#include <cstdio>
#include <cstring>
#include <exception>
#include <optional>
#include <string>
#include <string_view>

#include "feed/book_writer.hpp"
#include "feed/pcap_replay.hpp"

namespace {

using namespace sentinel::feed;

struct Options {
    UdpEndpoint feed;
    std::string file;
    std::string book_out;
};

int usage() {
    std::fputs("usage: sentinel-feed-replay --feed-a IP:PORT FILE [--book-out OUT]\n", stderr);
    return 2;
}

std::optional<Options> parse(int argc, char** argv) {
    Options o;
    bool have_feed = false;
    for (int i = 1; i < argc; ++i) {
        const std::string_view a = argv[i];
        if ((a == "--feed-a" || a == "--book-out") && i + 1 == argc) return std::nullopt;
        if (a == "--feed-a") {
            const std::optional<UdpEndpoint> e = parse_endpoint(argv[++i]);
            if (!e) {
                std::fprintf(stderr, "sentinel-feed-replay: --feed-a %s: expected IPv4:PORT\n", argv[i]);
                return std::nullopt;
            }
            o.feed = *e;
            have_feed = true;
        } else if (a == "--book-out") {
            o.book_out = argv[++i];
        } else if (a.starts_with("--") || !o.file.empty()) {
            return std::nullopt;
        } else {
            o.file = a;
        }
    }
    if (!have_feed || o.file.empty()) return std::nullopt;
    return o;
}

void print_counters(const ReplaySummary& s, const FeedReplay::Engine& engine) {
    const std::pair<const char*, std::uint64_t> replay[] = {
        {"replay_frames", s.frames},       {"replay_feed_datagrams", s.feed_datagrams},
        {"replay_other_datagrams", s.other_datagrams}, {"replay_not_udp", s.not_udp},
        {"replay_fragments", s.fragments}, {"replay_truncated", s.truncated}};
    for (const auto& [label, value] : replay) std::fprintf(stderr, "%s %llu\n", label, static_cast<unsigned long long>(value));
    const auto print = [](std::string_view label, std::uint64_t value) {
        std::fprintf(stderr, "%.*s %llu\n", static_cast<int>(label.size()), label.data(), static_cast<unsigned long long>(value));
    };
    for (std::size_t c = 0; c < kArbitrationCounterCount; ++c)
        print(kArbitrationCounterLabels[c], engine.arbitration().get(static_cast<ArbitrationCounter>(c)));
    print("feed_stale_instruments", engine.stale_instruments());
    for (std::size_t c = 0; c < kFeedCounterCount; ++c)
        print(kFeedCounterLabels[c], engine.counters().get(static_cast<FeedCounter>(c)));
}

bool write_file(const std::string& path, const std::string& text) {
    std::FILE* f = path == "-" ? stdout : std::fopen(path.c_str(), "w");
    if (f == nullptr) {
        std::fprintf(stderr, "sentinel-feed-replay: %s: %s\n", path.c_str(), std::strerror(errno));
        return false;
    }
    const bool ok = std::fwrite(text.data(), 1, text.size(), f) == text.size();
    return (f == stdout ? std::fflush(f) == 0 : std::fclose(f) == 0) && ok;
}

}  // namespace

int main(int argc, char** argv) {
    const std::optional<Options> options = parse(argc, argv);
    if (!options) return usage();
    try {
        FeedReplay replay;
        const ReplaySummary summary = replay.replay(options->file, options->feed);
        print_counters(summary, replay.engine());
        if (!options->book_out.empty()) {
            std::string books;
            const BookWriteSummary written = write_books(replay.engine().books(), replay.engine().instruments(), books);
            if (written.unnamed > 0)
                std::fprintf(stderr, "sentinel-feed-replay: %zu instruments with orders but no Stock Directory "
                                     "message left out of the books\n", written.unnamed);
            if (!write_file(options->book_out, books)) return 2;
        }
        if (!summary.error.empty()) {
            std::fprintf(stderr, "sentinel-feed-replay: %s: read stopped early: %s\n", options->file.c_str(),
                         summary.error.c_str());
            return 1;
        }
        return 0;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "sentinel-feed-replay: %s\n", e.what());
        return 2;
    }
}
