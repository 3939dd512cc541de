#include "pipeline_bench_options.hpp"

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <stdexcept>

namespace sentinel::bench {
namespace {

constexpr const char* kUsage =
    "usage: pipeline_bench [EAL options] -- [--quick] [--case NAME[,NAME...]] [--impl NAME] [--seconds S]\n"
    "                      [--repeats N]\n"
    "  EAL options: -l 0-1 --no-pci --vdev net_null0,size=64 (lcore 0 runs the stages, the next one RX)\n"
    "  --quick        1 run of 2 s per implementation\n"
    "  --case NAMES   pipeline_filter_release, pipeline_fanout3 (default: both)\n"
    "  --impl NAME    run only this implementation (sentinel, rte_ring, rte_ring_refcnt), e.g. under perf\n"
    "  --seconds S    measured seconds per run, after a 0.25 s warm-up (default 3)\n"
    "  --repeats N    runs per implementation; the median is reported (default 3)\n";

std::string_view value_of(int argc, char** argv, int& i) {
    if (i + 1 >= argc) throw std::invalid_argument(std::string(argv[i]) + " needs a value");
    return argv[++i];
}

template <class T>
T parse_number(std::string_view text, std::string_view option, T low, T high) {
    T value{};
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size() || value < low || value > high)
        throw std::invalid_argument(std::string(option) + ": '" + std::string(text) + "' is not a number from " +
                                    std::to_string(low) + " to " + std::to_string(high));
    return value;
}

}  // namespace

std::optional<PipelineOptions> parse_pipeline_options(int argc, char** argv,
                                                      const std::vector<std::string_view>& known) {
    PipelineOptions o;
    std::optional<double> seconds;
    std::optional<int> repeats;
    for (int i = 1; i < argc; ++i) {
        const std::string_view arg = argv[i];
        if (arg == "--help" || arg == "-h") {
            std::fputs(kUsage, stdout);
            return std::nullopt;
        } else if (arg == "--quick") {
            o.quick = true;
        } else if (arg == "--case") {
            const std::string_view list = value_of(argc, argv, i);
            for (std::size_t start = 0; start <= list.size();) {
                const std::size_t end = std::min(list.find(',', start), list.size());
                const std::string_view name = list.substr(start, end - start);
                if (std::ranges::find(known, name) == known.end())
                    throw std::invalid_argument("--case: no case named '" + std::string(name) + "'");
                o.cases.emplace_back(name);
                start = end + 1;
            }
        } else if (arg == "--impl") {
            o.impl = value_of(argc, argv, i);
        } else if (arg == "--seconds") {
            seconds = parse_number(value_of(argc, argv, i), arg, 0.1, 60.0);
        } else if (arg == "--repeats") {
            repeats = parse_number(value_of(argc, argv, i), arg, 1, 99);
        } else {
            throw std::invalid_argument("unknown option '" + std::string(arg) + "'\n" + kUsage);
        }
    }
    o.seconds = std::chrono::duration<double>(seconds.value_or(o.quick ? 2.0 : 3.0));
    o.repeats = repeats.value_or(o.quick ? 1 : 3);
    return o;
}

bool wants_case(const PipelineOptions& options, std::string_view name) {
    return options.cases.empty() || std::ranges::find(options.cases, name) != options.cases.end();
}

bool wants_impl(const PipelineOptions& options, std::string_view name) {
    return options.impl.empty() || options.impl == name;
}

}  // namespace sentinel::bench
