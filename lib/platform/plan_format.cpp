#include "plan_format.hpp"

namespace sentinel::platform {

std::string format_size(std::size_t bytes) {
    static constexpr struct {
        std::size_t bytes;
        char suffix;
    } kUnits[] = {{std::size_t{1} << 30, 'G'}, {std::size_t{1} << 20, 'M'}, {std::size_t{1} << 10, 'K'}};
    for (const auto& unit : kUnits)
        if (bytes != 0 && bytes % unit.bytes == 0)
            return std::to_string(bytes / unit.bytes) + unit.suffix;
    return std::to_string(bytes);
}

std::string format(const Plan& plan) {
    std::string text;
    for (const LcoreAssignment& a : plan.lcores) {
        text += "lcore=" + std::to_string(a.lcore) + " cpu=" + std::to_string(a.cpu) +
                " node=" + std::to_string(a.node) + " core=" + std::to_string(a.core) +
                " role=" + std::string(to_string(a.role));
        if (a.role != Role::main)
            text += " port=" + std::to_string(a.port) + " queue=" + std::to_string(a.queue);
        if (a.role == Role::worker)
            text += " worker=" + std::to_string(a.worker);
        text += '\n';
    }
    for (const MemoryPlacement& m : plan.memory)
        text += "memory=" + m.region.name() + " node=" + std::to_string(m.node) +
                " page=" + format_size(m.page_bytes) + " bytes=" + std::to_string(m.bytes) + '\n';
    for (const std::string& note : plan.notes)
        text += "note=" + note + '\n';
    for (const std::string& warning : plan.warnings)
        text += "warning=" + warning + '\n';
    return text;
}

}  // namespace sentinel::platform
