#include "pcap_inputs.hpp"

#include <cstdio>
#include <map>
#include <stdexcept>
#include <string_view>
#include <system_error>

#include "eal_view.hpp"

namespace sentinel::app {
namespace {

using net::PcapInputCheck;

std::string plural(std::uint64_t n, std::string_view one, std::string_view many) {
    return std::to_string(n) + ' ' + std::string(n == 1 ? one : many);
}

// After the good records: what the rest of the file becomes on the port.
std::string consequence(const PcapInput& input, const PcapInputCheck& c) {
    const std::uint64_t good = c.good_records;
    std::string text = "net_pcap will replay " + plural(good, "good record", "good records");
    if (c.format == PcapInputCheck::Format::pcapng && c.refused_records != 0)
        return text + ", then libpcap refuses that block (pcapng is checked for framing only)";
    if (input.infinite) {
        const std::uint64_t loop = c.refused_records != 0 ? c.before_refusal : c.packets;
        if (loop > good) text += ", then " + plural(loop - good, "more packet", "more packets");
        return text + ", over and over (infinite_rx=1 stops reading at the first record libpcap refuses)";
    }
    std::string then;
    if (const std::uint64_t more = c.packets - good; more != 0) {
        then = plural(more, "more packet", "more packets");
        if (c.runts != 0) then += " (" + std::to_string(c.runts) + " shorter than an Ethernet header)";
    }
    if (c.refused_records != 0)
        then += (then.empty() ? "refuse " : " and refuse ") + plural(c.refused_records, "record", "records") +
                " (port ierrors)";
    return text + ", then " + then;
}

}  // namespace

std::vector<PcapInput> rx_pcap_inputs(int argc, char** argv) {
    std::vector<PcapInput> inputs;
    for (const std::string_view a : vdev_arguments(argc, argv)) {
        const std::string_view vdev = a.substr(0, a.find(','));
        if (!vdev.starts_with("net_pcap") && !vdev.starts_with("eth_pcap")) continue;
        std::vector<PcapInput> files;
        bool infinite = false;
        // The driver's own key=value list, comma-separated: a file name cannot hold a comma here either.
        for (std::size_t at = a.find(','); at != std::string_view::npos;) {
            const std::size_t end = a.find(',', at + 1);
            const std::string_view kv = a.substr(at + 1, end == std::string_view::npos ? end : end - at - 1);
            if (kv.starts_with("rx_pcap=")) files.push_back({std::string(vdev), std::string(kv.substr(8)), false});
            if (kv == "infinite_rx=1") infinite = true;
            at = end;
        }
        for (PcapInput& f : files) f.infinite = infinite;
        inputs.insert(inputs.end(), files.begin(), files.end());
    }
    return inputs;
}

std::uint64_t check_rx_pcap_inputs(const std::vector<PcapInput>& inputs) {
    std::uint64_t damaged = 0;
    std::map<std::string, PcapInputCheck> checked;  // a file named for several queues is read once
    for (const PcapInput& input : inputs) {
        auto [it, first] = checked.try_emplace(input.file);
        PcapInputCheck& c = it->second;
        if (first) {
            try {
                c = net::check_pcap_input(input.file);
            } catch (const std::system_error& e) {
                throw std::runtime_error("cannot read rx_pcap " + input.file + " of --vdev " + input.vdev + ": " +
                                         e.code().message());
            }
            if (!c.opens)
                throw std::runtime_error("rx_pcap " + input.file + " of --vdev " + input.vdev +
                                         " is not a file net_pcap can read: " + c.problem);
            if (c.damaged()) std::fprintf(stderr, "%s\n", damage_warning(input, c).c_str());
        }
        damaged += c.damaged_records;
    }
    return damaged;
}

std::string damage_warning(const PcapInput& input, const PcapInputCheck& c) {
    const std::string offset = std::to_string(c.first_bad_offset);
    const std::string remedy = c.nothing_good_after
                                   ? "'truncate -s " + offset + " " + input.file + "' keeps every good record"
                                   : "repair or re-capture the file";
    return "warning=rx_pcap " + input.file + " is damaged at offset " + offset + ": " + c.problem + "; " +
           consequence(input, c) + "; " + plural(c.damaged_records, "damaged record", "damaged records") + ", " +
           plural(c.damaged_bytes, "byte", "bytes") + "; " + remedy;
}

}  // namespace sentinel::app
