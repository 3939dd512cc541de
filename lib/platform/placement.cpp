#include "placement.hpp"

#include <numaif.h>

#include <cerrno>
#include <charconv>
#include <cstdint>
#include <fstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>

namespace sentinel::platform {
namespace {

std::string hex(const void* addr) {
    char text[2 + 16 + 1];
    const auto end = std::to_chars(text, text + sizeof text, reinterpret_cast<std::uintptr_t>(addr), 16).ptr;
    return "0x" + std::string(text, end);
}

std::size_t kernel_page_size(const void* addr) {
    const auto target = reinterpret_cast<std::uintptr_t>(addr);
    std::ifstream smaps("/proc/self/smaps");
    if (!smaps) throw std::system_error(errno, std::generic_category(), "open /proc/self/smaps");
    bool holds_target = false;
    for (std::string line; std::getline(smaps, line);) {
        const std::string_view view(line);
        // A mapping opens with "start-end perms offset dev inode [path]"; its fields follow as
        // "Key: value" lines, so only the opening line has no colon in its first word.
        const std::string_view first = view.substr(0, view.find(' '));
        const auto dash = first.find('-');
        if (first.find(':') == std::string_view::npos && dash != std::string_view::npos) {
            std::uintptr_t start = 0;
            std::uintptr_t end = 0;
            std::from_chars(first.data(), first.data() + dash, start, 16);
            std::from_chars(first.data() + dash + 1, first.data() + first.size(), end, 16);
            holds_target = start <= target && target < end;
        } else if (holds_target && first == "KernelPageSize:") {
            std::string_view value = view.substr(first.size());
            value.remove_prefix(value.find_first_not_of(' '));
            std::size_t kib = 0;
            std::from_chars(value.data(), value.data() + value.size(), kib);
            return kib * 1024;
        }
    }
    if (smaps.bad()) throw std::system_error(errno, std::generic_category(), "read /proc/self/smaps");
    throw std::invalid_argument("address " + hex(addr) + " is in no mapping of this process");
}

int node_of(const void* addr) {
    // move_pages() takes void** for its move mode; with no target nodes it only reports.
    void* page = const_cast<void*>(addr);
    int status = 0;
    if (move_pages(0, 1, &page, nullptr, &status, 0) != 0)
        throw std::system_error(errno, std::generic_category(), "move_pages query of " + hex(addr));
    if (status < 0)
        throw std::system_error(-status, std::generic_category(),
                                "move_pages status of " + hex(addr) +
                                    " (ENOENT: the page is not faulted in yet; touch it first)");
    return status;
}

}  // namespace

Placement placement_of(const void* addr) {
    const std::size_t page_size = kernel_page_size(addr);
    return {node_of(addr), page_size};
}

}  // namespace sentinel::platform
