#pragma once
// Report: the figures of one benchmark run. Each is printed as it is measured, as one
// machine-readable line
//
//   BENCH <case> <impl> <value> <unit>          unit: Mops/s (throughput) or ns (latency)
//
// (or "# skipped <case> <impl>: <why>"), and print_summary() ends the run with a table per case (each peer's figure and Sentinel's
// advantage over it) and the targets the numbers are held against (reported, never enforced).

#include <string>
#include <string_view>
#include <vector>

#include "options.hpp"

namespace sentinel::bench {

enum class Unit { mops, ns };

class Report {
public:
    void add(std::string_view case_name, std::string_view impl, double value, Unit unit);
    // An implementation that cannot run this case on these CPUs: a comment line, no figure.
    void skip(std::string_view case_name, std::string_view impl, std::string_view why);
    void print_summary(const Options& options) const;

private:
    struct Figure {
        std::string case_name;
        std::string impl;
        double value;
        Unit unit;
    };

    const Figure* find(std::string_view case_name, std::string_view impl) const;
    void print_targets(const Options& options) const;

    std::vector<Figure> figures_;
};

}  // namespace sentinel::bench
