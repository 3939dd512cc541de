#pragma once
// The appliance tests' command lines: parse_command_line over a list of arguments, as main gets
// them after EAL's.

#include <initializer_list>
#include <string>
#include <vector>

#include "appliance/config.hpp"

namespace sentinel::appliance::test {

inline CommandLine command_line(std::initializer_list<const char*> args) {
    std::vector<std::string> owned{"sentinel"};
    owned.insert(owned.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (std::string& a : owned) argv.push_back(a.data());
    argv.push_back(nullptr);
    return parse_command_line(static_cast<int>(owned.size()), argv.data());
}

inline Config config(std::initializer_list<const char*> args) { return command_line(args).config; }

}  // namespace sentinel::appliance::test
