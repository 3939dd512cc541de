#include "feed_bench_stream.hpp"

#include <algorithm>
#include <random>

namespace sentinel::bench {
namespace {

constexpr std::size_t kPacketBudget = 1400;  // payload bytes: one MoldUDP64 packet per Ethernet frame
constexpr std::uint32_t kTick = 100;         // one cent in Price(4)

struct Order {
    std::uint64_t ref;
    std::uint32_t price;
    std::uint32_t shares;
    char side;
};

struct Instrument {
    std::uint32_t mid;
    std::vector<Order> orders;
};

// Writes MoldUDP64 packets: opens one, appends message blocks, closes it when the next would not fit.
class PacketWriter {
public:
    explicit PacketWriter(FeedStream& out) : out_(out) {}

    // Big-endian fields of the message being built.
    PacketWriter& put(std::uint64_t v, int bytes) {
        for (int i = bytes - 1; i >= 0; --i) message_.push_back(std::byte(v >> (8 * i) & 0xFF));
        return *this;
    }
    PacketWriter& header(char type, std::uint16_t locate) {
        message_.clear();
        timestamp_ += 137;
        return put(static_cast<unsigned char>(type), 1).put(locate, 2).put(0, 2).put(timestamp_, 6);
    }
    PacketWriter& stock(std::uint16_t locate) {
        char s[8] = {'S', 'Y', char('A' + locate / 676 % 26), char('A' + locate / 26 % 26), char('A' + locate % 26),
                     ' ', ' ', ' '};
        for (char c : s) put(static_cast<unsigned char>(c), 1);
        return *this;
    }
    void end_message() {
        if (count_ > 0 && out_.bytes.size() - start_ + 2 + message_.size() > kPacketBudget) close();
        if (count_ == 0) open();
        put_raw(message_.size(), 2);
        out_.bytes.insert(out_.bytes.end(), message_.begin(), message_.end());
        ++count_;
        ++out_.messages;
    }
    void close() {
        if (count_ == 0) return;
        for (int i = 0; i < 2; ++i) out_.bytes[start_ + 18 + i] = std::byte(count_ >> (8 * (1 - i)) & 0xFF);
        sequence_ += count_;
        count_ = 0;
        bounds_.push_back(out_.bytes.size());
    }
    // The packets' spans, once every packet is closed (the bytes no longer move).
    void finish() {
        close();
        std::size_t begin = 0;
        for (std::size_t end : bounds_) {
            out_.packets.emplace_back(out_.bytes.data() + begin, end - begin);
            begin = end;
        }
    }

private:
    void open() {
        start_ = out_.bytes.size();
        for (char c : {'B', 'E', 'N', 'C', 'H', '0', '0', '0', '0', '1'}) out_.bytes.push_back(std::byte(c));
        put_raw(sequence_, 8);
        put_raw(0, 2);  // the count, written at close
    }
    void put_raw(std::uint64_t v, int bytes) {
        for (int i = bytes - 1; i >= 0; --i) out_.bytes.push_back(std::byte(v >> (8 * i) & 0xFF));
    }

    FeedStream& out_;
    std::vector<std::byte> message_;
    std::vector<std::size_t> bounds_;
    std::size_t start_ = 0;
    std::uint64_t sequence_ = 1;
    std::uint32_t count_ = 0;
    std::uint64_t timestamp_ = 34'200'000'000'000;  // 09:30
};

class Generator {
public:
    Generator(std::uint32_t instruments, std::uint64_t seed, FeedStream& out)
        : rng_(seed), writer_(out), instruments_(instruments) {
        std::vector<double> weights(instruments);
        for (std::uint32_t i = 0; i < instruments; ++i) weights[i] = 1.0 / (i + 1);
        activity_ = std::discrete_distribution<std::uint32_t>(weights.begin(), weights.end());
        for (std::uint32_t i = 0; i < instruments; ++i) {
            instruments_[i].mid = static_cast<std::uint32_t>(pick(500, 50'000)) * kTick;
            instruments_[i].orders.reserve(1024);
            writer_.header('R', locate(i)).stock(locate(i)).put('Q', 1).put('N', 1).put(100, 4).put('N', 1).put('C', 1)
                .put(' ', 1).put(' ', 1).put('P', 1).put('N', 1).put('N', 1).put('1', 1).put('N', 1).put(0, 4).put('N', 1);
            writer_.end_message();
        }
    }

    void message() {
        const std::uint32_t i = activity_(rng_);
        Instrument& in = instruments_[i];
        if (pick(0, 999) == 0) in.mid = pick(0, 1) ? in.mid + kTick : in.mid - kTick;
        const auto dice = pick(0, 99);
        if (dice < 50 || in.orders.empty()) return add(i, in);
        const std::size_t at = victim(in);
        Order& o = in.orders[at];
        if (dice < 80) {
            writer_.header('D', locate(i)).put(o.ref, 8);
            remove(in, at);
        } else if (dice < 85 && o.shares > 100) {
            const std::uint32_t n = o.shares / 2;
            writer_.header('X', locate(i)).put(o.ref, 8).put(n, 4);
            o.shares -= n;
        } else if (dice < 95) {
            const std::uint32_t n = pick(0, 9) < 7 ? o.shares : std::max<std::uint32_t>(1, o.shares / 3);
            if (pick(0, 9) == 0) {
                writer_.header('C', locate(i)).put(o.ref, 8).put(n, 4).put(++match_, 8).put('Y', 1).put(o.price, 4);
            } else {
                writer_.header('E', locate(i)).put(o.ref, 8).put(n, 4).put(++match_, 8);
            }
            if (n == o.shares) {
                remove(in, at);
            } else {
                o.shares -= n;
            }
        } else if (dice < 99) {
            const std::uint64_t ref = next_ref_++;
            const std::uint32_t price = price_for(in, o.side);
            const auto shares = static_cast<std::uint32_t>(pick(1, 10) * 100);
            writer_.header('U', locate(i)).put(o.ref, 8).put(ref, 8).put(shares, 4).put(price, 4);
            o = {ref, price, shares, o.side};
        } else {
            writer_.header('P', locate(i)).put(0, 8).put('B', 1).put(100, 4).stock(locate(i)).put(in.mid, 4)
                .put(++match_, 8);
        }
        writer_.end_message();
    }

    std::uint64_t resting() const {
        std::uint64_t n = 0;
        for (const Instrument& in : instruments_) n += in.orders.size();
        return n;
    }

    void finish() { writer_.finish(); }

private:
    std::uint64_t pick(std::uint64_t lo, std::uint64_t hi) {
        return std::uniform_int_distribution<std::uint64_t>(lo, hi)(rng_);
    }
    static std::uint16_t locate(std::uint32_t i) { return static_cast<std::uint16_t>(i + 1); }

    std::uint32_t price_for(const Instrument& in, char side) {
        const auto ticks = static_cast<std::uint32_t>(std::min<std::uint64_t>(distance_(rng_), 200));
        return side == 'B' ? in.mid - ticks * kTick : in.mid + (ticks + 1) * kTick;
    }

    void add(std::uint32_t i, Instrument& in) {
        const char side = pick(0, 1) ? 'B' : 'S';
        const Order o{next_ref_++, price_for(in, side), static_cast<std::uint32_t>(pick(1, 10) * 100), side};
        const bool mpid = pick(0, 19) == 0;
        writer_.header(mpid ? 'F' : 'A', locate(i)).put(o.ref, 8).put(static_cast<unsigned char>(side), 1)
            .put(o.shares, 4).stock(locate(i)).put(o.price, 4);
        if (mpid) writer_.put(0x4E495445, 4);  // "NITE"
        writer_.end_message();
        in.orders.push_back(o);
    }

    // Mostly one of the instrument's newest orders (quotes are refreshed soon after they are
    // placed), otherwise any.
    std::size_t victim(const Instrument& in) {
        const std::size_t n = in.orders.size();
        if (pick(0, 9) < 7) return n - 1 - pick(0, std::min<std::size_t>(n - 1, 31));
        return pick(0, n - 1);
    }
    static void remove(Instrument& in, std::size_t at) {
        in.orders[at] = in.orders.back();
        in.orders.pop_back();
    }

    std::mt19937_64 rng_;
    PacketWriter writer_;
    std::vector<Instrument> instruments_;
    std::discrete_distribution<std::uint32_t> activity_;
    std::geometric_distribution<std::uint32_t> distance_{0.25};
    std::uint64_t next_ref_ = 1;
    std::uint64_t match_ = 0;
};

}  // namespace

FeedStream make_feed_stream(std::uint64_t messages, std::uint32_t instruments, std::uint64_t seed,
                            std::pmr::memory_resource* memory) {
    FeedStream out(memory);
    out.bytes.reserve(messages * 34);
    Generator g(instruments, seed, out);
    while (out.messages < messages) g.message();
    g.finish();
    out.resting_orders = g.resting();
    return out;
}

}  // namespace sentinel::bench
