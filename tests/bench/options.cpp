#include "options.hpp"

#include <sched.h>

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <set>
#include <stdexcept>
#include <system_error>

namespace sentinel::bench {
namespace {

constexpr const char* kUsage =
    "usage: disruptor_bench [--quick] [--cpus LIST] [--case NAME[,NAME...]] [--events N] [--repeats N]\n"
    "  --quick        fewer events and round trips (about half a minute on two cores)\n"
    "  --cpus LIST    CPUs to pin to, e.g. 0,1,2,3 or 0-3 (default: all this process may use);\n"
    "                 the producer takes the first, consumers the next ones, wrapping around\n"
    "  --case NAMES   unicast_1p1c, pipeline_1p3c, multicast_1p3c, diamond_1p3c,\n"
    "                 sequencer_3p1c, pingpong_rtt (default: all)\n"
    "  --events N     events per throughput run (rounded up to a multiple of 96)\n"
    "  --repeats N    throughput runs per measurement; the median is reported\n";

std::int64_t parse_int(std::string_view text, std::string_view option) {
    std::int64_t value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size() || value < 0)
        throw std::invalid_argument(std::string(option) + ": '" + std::string(text) +
                                    "' is not a non-negative integer");
    return value;
}

std::vector<std::string_view> split(std::string_view text, char sep) {
    std::vector<std::string_view> parts;
    for (std::size_t start = 0;;) {
        const std::size_t end = text.find(sep, start);
        parts.push_back(text.substr(start, end - start));
        if (end == std::string_view::npos) return parts;
        start = end + 1;
    }
}

// "0,2,4-7" in the order given; a CPU listed twice is pinned twice (and counted once).
std::vector<int> parse_cpus(std::string_view text) {
    std::vector<int> cpus;
    for (std::string_view item : split(text, ',')) {
        const std::size_t dash = item.find('-');
        const std::int64_t lo = parse_int(item.substr(0, dash), "--cpus");
        const std::int64_t hi = dash == std::string_view::npos ? lo : parse_int(item.substr(dash + 1), "--cpus");
        if (hi < lo || hi >= CPU_SETSIZE)
            throw std::invalid_argument("--cpus: '" + std::string(item) + "' is not a CPU or a rising range");
        for (std::int64_t c = lo; c <= hi; ++c) cpus.push_back(static_cast<int>(c));
    }
    return cpus;
}

std::vector<int> allowed_cpus() {
    cpu_set_t set;
    CPU_ZERO(&set);
    if (sched_getaffinity(0, sizeof set, &set) != 0)
        throw std::system_error(errno, std::generic_category(), "sched_getaffinity");
    std::vector<int> cpus;
    for (int c = 0; c < CPU_SETSIZE; ++c)
        if (CPU_ISSET(c, &set)) cpus.push_back(c);
    return cpus;
}

std::string_view value_of(int argc, char** argv, int& i) {
    if (i + 1 >= argc) throw std::invalid_argument(std::string(argv[i]) + " needs a value");
    return argv[++i];
}

}  // namespace

std::optional<Options> parse_options(int argc, char** argv) {
    Options o;
    std::optional<std::int64_t> events;
    std::optional<int> repeats;
    for (int i = 1; i < argc; ++i) {
        const std::string_view arg = argv[i];
        if (arg == "--help" || arg == "-h") {
            std::fputs(kUsage, stdout);
            return std::nullopt;
        } else if (arg == "--quick") {
            o.quick = true;
        } else if (arg == "--cpus") {
            o.cpus = parse_cpus(value_of(argc, argv, i));
        } else if (arg == "--case") {
            for (std::string_view c : split(value_of(argc, argv, i), ',')) o.cases.emplace_back(c);
        } else if (arg == "--events") {
            events = parse_int(value_of(argc, argv, i), arg);
        } else if (arg == "--repeats") {
            repeats = static_cast<int>(std::clamp<std::int64_t>(parse_int(value_of(argc, argv, i), arg), 1, 99));
        } else {
            throw std::invalid_argument("unknown option '" + std::string(arg) + "'\n" + kUsage);
        }
    }
    const std::vector<int> allowed = allowed_cpus();
    if (o.cpus.empty()) o.cpus = allowed;
    for (int c : o.cpus)
        if (std::find(allowed.begin(), allowed.end(), c) == allowed.end())
            throw std::invalid_argument("--cpus: CPU " + std::to_string(c) + " is not one this process may run on");

    // Quick: enough events that a run lasts tens of milliseconds even for the fastest queue.
    const std::int64_t wanted = events.value_or(o.quick ? std::int64_t{1} << 21 : std::int64_t{1} << 25);
    o.events = std::max<std::int64_t>(1, (wanted + kEventQuantum - 1) / kEventQuantum) * kEventQuantum;
    o.repeats = repeats.value_or(3);
    o.round_trips = o.quick ? 100'000 : 1'000'000;
    o.warmup_round_trips = o.round_trips / 10;
    return o;
}

bool wants_case(const Options& options, std::string_view name) {
    return options.cases.empty() ||
           std::find(options.cases.begin(), options.cases.end(), name) != options.cases.end();
}

int cpu_for_role(const Options& options, int role) {
    return options.cpus[static_cast<std::size_t>(role) % options.cpus.size()];
}

bool oversubscribed(const Options& options, int threads) {
    const std::set<int> distinct(options.cpus.begin(), options.cpus.end());
    return static_cast<std::size_t>(threads) > distinct.size();
}

}  // namespace sentinel::bench
