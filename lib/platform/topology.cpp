#include "topology.hpp"

#include <hwloc.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <stdexcept>

namespace sentinel::platform {
namespace {

struct HwlocTopologyDeleter {
    void operator()(hwloc_topology* t) const noexcept { hwloc_topology_destroy(t); }
};
using HwlocTopology = std::unique_ptr<hwloc_topology, HwlocTopologyDeleter>;

struct HwlocBitmapDeleter {
    void operator()(hwloc_bitmap_s* b) const noexcept { hwloc_bitmap_free(b); }
};
using HwlocBitmap = std::unique_ptr<hwloc_bitmap_s, HwlocBitmapDeleter>;

std::string errno_text() { return std::strerror(errno); }

HwlocTopology new_hwloc_topology() {
    hwloc_topology_t t = nullptr;
    if (hwloc_topology_init(&t) != 0)
        throw std::runtime_error("hwloc_topology_init failed: " + errno_text());
    HwlocTopology owned(t);
    // PCI devices tell which node a NIC hangs off; "important" keeps NICs and drops the bridges,
    // storage controllers and OS devices nobody here asks about.
    hwloc_topology_set_io_types_filter(t, HWLOC_TYPE_FILTER_KEEP_IMPORTANT);
    // The libpciaccess plugin leaks (LeakSanitizer fails the tests on it) and adds nothing on
    // Linux, whose sysfs backend finds the same devices and their nodes.
    hwloc_topology_set_components(t, HWLOC_TOPOLOGY_COMPONENTS_FLAG_BLACKLIST, "pci");
    return owned;
}

void load(hwloc_topology_t t, const std::string& source) {
    if (hwloc_topology_load(t) != 0)
        throw std::runtime_error("hwloc cannot load " + source + ": " + errno_text());
}

int logical_index_of_ancestor(hwloc_topology_t t, hwloc_obj_type_t type, hwloc_obj_t obj) {
    const hwloc_obj_t ancestor = hwloc_get_ancestor_obj_by_type(t, type, obj);
    return ancestor ? static_cast<int>(ancestor->logical_index) : -1;
}

}  // namespace

// Reads what the planner needs out of a loaded hwloc topology; the hwloc topology dies after.
class Topology::Loader {
public:
    // `usable`: the CPUs to keep; nullptr keeps every CPU the topology lists.
    static Topology read(hwloc_topology_t t, std::string source, hwloc_const_cpuset_t usable) {
        Topology topology;
        topology.source_ = std::move(source);

        // A machine whose hwloc shows no Core objects: each CPU is its own core, numbered past
        // the real cores so that ids stay unique.
        const int core_count = hwloc_get_nbobjs_by_type(t, HWLOC_OBJ_CORE);
        for (hwloc_obj_t pu = nullptr; (pu = hwloc_get_next_obj_by_type(t, HWLOC_OBJ_PU, pu));) {
            if (usable != nullptr && !hwloc_bitmap_isset(usable, pu->os_index))
                continue;
            const int core = logical_index_of_ancestor(t, HWLOC_OBJ_CORE, pu);
            topology.cpus_.push_back(Cpu{
                .os_index = static_cast<int>(pu->os_index),
                .core = core >= 0 ? core : core_count + static_cast<int>(pu->logical_index),
                .l3 = logical_index_of_ancestor(t, HWLOC_OBJ_L3CACHE, pu),
                .package = logical_index_of_ancestor(t, HWLOC_OBJ_PACKAGE, pu),
                // With memory tiers (HBM, CXL) a CPU has several local nodes; the lowest is its
                // DRAM node on the machines we know, and DRAM is what the data path wants.
                .node = hwloc_bitmap_first(pu->nodeset),
            });
        }
        if (topology.cpus_.empty())
            throw std::runtime_error(topology.source_ +
                                     " has no CPU this process may use: check the file, or the "
                                     "affinity (taskset) and cgroup cpuset it runs under");
        std::ranges::sort(topology.cpus_, {}, &Cpu::os_index);

        for (hwloc_obj_t n = nullptr; (n = hwloc_get_next_obj_by_type(t, HWLOC_OBJ_NUMANODE, n));)
            topology.nodes_.push_back(static_cast<int>(n->os_index));
        std::ranges::sort(topology.nodes_);

        for (hwloc_obj_t dev = nullptr; (dev = hwloc_get_next_pcidev(t, dev));) {
            // A device attached above a single node (to the machine itself) has no known locality.
            const hwloc_obj_t parent = hwloc_get_non_io_ancestor_obj(t, dev);
            const bool one_node = parent && hwloc_bitmap_weight(parent->nodeset) == 1;
            const auto& pci = dev->attr->pcidev;
            topology.pci_devices_.push_back(PciDevice{
                .domain = pci.domain,
                .bus = pci.bus,
                .device = pci.dev,
                .function = pci.func,
                .node = one_node ? hwloc_bitmap_first(parent->nodeset) : -1,
            });
        }
        return topology;
    }
};

Topology Topology::this_machine() {
    const std::string source = "this machine";
    HwlocTopology t = new_hwloc_topology();
    load(t.get(), source);
    // hwloc already drops CPUs outside the cgroup cpuset; the affinity mask (taskset) narrows it
    // further, and is how an operator fences the appliance off from the rest of the machine.
    const HwlocBitmap affinity(hwloc_bitmap_alloc());
    if (!affinity || hwloc_get_cpubind(t.get(), affinity.get(), HWLOC_CPUBIND_PROCESS) != 0)
        throw std::runtime_error("cannot read this process's CPU affinity: " + errno_text());
    return Loader::read(t.get(), source, affinity.get());
}

Topology Topology::from_xml_file(const std::string& path) {
    HwlocTopology t = new_hwloc_topology();
    // Both calls must be checked: after a failed set_xml, load would silently read this machine.
    if (hwloc_topology_set_xml(t.get(), path.c_str()) != 0 || hwloc_topology_load(t.get()) != 0) {
        const std::string why = errno == EINVAL
                                    ? "not an hwloc XML topology (HWLOC_XML_VERBOSE=1 shows why)"
                                    : errno_text();
        throw std::runtime_error("cannot read topology file " + path + ": " + why +
                                 "; export one on the target with: lstopo --of xml FILE");
    }
    return Loader::read(t.get(), path, nullptr);
}

Topology Topology::from_synthetic(const std::string& description) {
    HwlocTopology t = new_hwloc_topology();
    if (hwloc_topology_set_synthetic(t.get(), description.c_str()) != 0)
        throw std::runtime_error("invalid synthetic topology \"" + description +
                                 "\": hwloc rejects it; write levels outermost first, e.g. "
                                 "\"pack:2 [numa] l3:1 core:8 pu:2\"");
    const std::string source = "synthetic \"" + description + "\"";
    load(t.get(), source);
    return Loader::read(t.get(), source, nullptr);
}

bool Topology::has_node(int node) const noexcept {
    return std::ranges::binary_search(nodes_, node);
}

const Cpu* Topology::find_cpu(int os_index) const noexcept {
    const auto it = std::ranges::lower_bound(cpus_, os_index, {}, &Cpu::os_index);
    return it != cpus_.end() && it->os_index == os_index ? &*it : nullptr;
}

std::vector<Cpu> Topology::cpus_on_node(int node) const {
    std::vector<Cpu> on_node;
    std::ranges::copy_if(cpus_, std::back_inserter(on_node),
                         [node](const Cpu& c) { return c.node == node; });
    return on_node;
}

std::vector<int> Topology::smt_siblings(int cpu) const {
    std::vector<int> siblings;
    const Cpu* self = find_cpu(cpu);
    if (self == nullptr)
        return siblings;
    for (const Cpu& c : cpus_)
        if (c.core == self->core && c.os_index != cpu)
            siblings.push_back(c.os_index);
    return siblings;
}

int Topology::pci_device_node(std::string_view address) const {
    const std::string text(address);
    unsigned domain = 0, bus = 0, device = 0, function = 0;
    int consumed = 0;
    const bool full = std::sscanf(text.c_str(), "%x:%x:%x.%x%n", &domain, &bus, &device, &function,
                                  &consumed) == 4;
    if (!full) {
        domain = 0;
        consumed = 0;
        if (std::sscanf(text.c_str(), "%x:%x.%x%n", &bus, &device, &function, &consumed) != 3)
            consumed = 0;
    }
    if (consumed == 0 || static_cast<std::size_t>(consumed) != text.size())
        throw std::invalid_argument("PCI address \"" + text +
                                    "\" is not [domain:]bus:device.function, e.g. 0000:81:00.0");
    for (const PciDevice& d : pci_devices_)
        if (d.domain == domain && d.bus == bus && d.device == device && d.function == function)
            return d.node;
    return -1;
}

}  // namespace sentinel::platform
