#pragma once
// PipelineOptions: what pipeline_bench was asked to run, from the options after EAL's "--".
//
//   pipeline_bench [EAL options] -- [--quick] [--case NAME[,NAME...]] [--impl NAME] [--seconds S] [--repeats N]
//
// Each run warms up for kWarmup, then measures for `seconds`; every implementation of a case runs
// once per repeat, interleaved (ours, peer, ours, peer, ...), so a load that comes and goes on a
// shared machine falls on both; the median of the repeats is reported.

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sentinel::bench {

inline constexpr std::chrono::milliseconds kWarmup{250};

struct PipelineOptions {
    std::vector<std::string> cases;  // empty: all of them
    std::string impl;                // empty: every implementation of each case (--impl: one, to profile it)
    std::chrono::duration<double> seconds{3.0};
    int repeats = 3;
    bool quick = false;
};

// `known`: the case names --case may list. Throws std::invalid_argument naming the offending
// option; nullopt after printing --help.
std::optional<PipelineOptions> parse_pipeline_options(int argc, char** argv,
                                                      const std::vector<std::string_view>& known);

bool wants_case(const PipelineOptions& options, std::string_view name);
bool wants_impl(const PipelineOptions& options, std::string_view name);

}  // namespace sentinel::bench
