#include "net_eal.hpp"

#include <pcap/pcap.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_ethdev.h>

#include <array>
#include <cstdlib>
#include <memory>
#include <stdexcept>
#include <system_error>

namespace sentinel::net::test {
namespace {

struct PcapClose {
    void operator()(pcap_t* p) const noexcept { pcap_close(p); }
};

void write_pcap(const std::filesystem::path& path, const std::vector<Frame>& frames) {
    const std::unique_ptr<pcap_t, PcapClose> pcap(pcap_open_dead(DLT_EN10MB, 65535));
    pcap_dumper_t* dumper = pcap_dump_open(pcap.get(), path.c_str());
    if (dumper == nullptr) throw std::runtime_error("pcap_dump_open " + path.string() + ": " + pcap_geterr(pcap.get()));
    for (const Frame& f : frames) {
        pcap_pkthdr header{};
        header.caplen = header.len = static_cast<bpf_u_int32>(f.bytes.size());
        pcap_dump(reinterpret_cast<u_char*>(dumper), &header, f.bytes.data());
    }
    pcap_dump_close(dumper);
}

class Environment : public ::testing::Environment {
public:
    void SetUp() override {
        try {
            char dir_template[] = "/tmp/net_unit.XXXXXX";
            if (mkdtemp(dir_template) == nullptr) throw std::system_error(errno, std::generic_category(), "mkdtemp");
            dir_ = dir_template;
            const std::vector<Frame> all = sample_frames();
            rx_frames_ = {frame_named(all, "jumbo_udp"), frame_named(all, "ipv4_udp_dns"), frame_named(all, "runt_14")};
            write_pcap(dir_ / "rx.pcap", rx_frames_);
            tx_pcap_ = dir_ / "tx.pcap";
        } catch (const std::exception& e) {
            why_down_ = e.what();
            ADD_FAILURE() << why_down_;
            return;
        }

        const std::string rx_port = "net_pcap0,rx_pcap=" + (dir_ / "rx.pcap").string();
        const std::string tx_port = "net_pcap1,tx_pcap=" + tx_pcap_.string();
        const std::array args{"net_unit",  "--no-huge", "-m",          "512",          "--no-shconf",
                              "--no-pci",  "--no-telemetry",           "-l",           "0",
                              "--log-level=lib.eal:error",             "--vdev",       rx_port.c_str(),
                              "--vdev",    tx_port.c_str(),            "--vdev",       "net_ring0",
                              "--vdev",    "net_ring1",                "--vdev",       "net_null0",
                              "--vdev",    "net_null1",                "--vdev",       "net_ring2",
                              "--vdev",    "net_ring3"};
        std::array<char*, args.size()> argv;
        for (std::size_t i = 0; i < args.size(); ++i) argv[i] = const_cast<char*>(args[i]);
        if (rte_eal_init(static_cast<int>(argv.size()), argv.data()) < 0) {
            why_down_ = std::string("rte_eal_init: ") + rte_strerror(rte_errno);
            ADD_FAILURE() << why_down_;
        }
    }

    void TearDown() override {
        if (why_down_.empty()) rte_eal_cleanup();
        std::error_code ignored;
        if (!dir_.empty()) std::filesystem::remove_all(dir_, ignored);
    }

    static inline std::string why_down_;
    static inline std::vector<Frame> rx_frames_;
    static inline std::filesystem::path tx_pcap_;

private:
    std::filesystem::path dir_;
};

const auto* const kEnvironment = ::testing::AddGlobalTestEnvironment(new Environment);

}  // namespace

const std::string& NetEal::why_down() { return Environment::why_down_; }
const std::vector<Frame>& NetEal::rx_frames() { return Environment::rx_frames_; }
std::filesystem::path NetEal::tx_pcap() { return Environment::tx_pcap_; }

std::uint16_t NetEal::port(const std::string& name) {
    std::uint16_t id = 0;
    if (rte_eth_dev_get_port_by_name(name.c_str(), &id) != 0) throw std::runtime_error("EAL has no port " + name);
    return id;
}

std::vector<Bytes> read_pcap(const std::filesystem::path& path) {
    std::array<char, PCAP_ERRBUF_SIZE> error{};
    const std::unique_ptr<pcap_t, PcapClose> pcap(pcap_open_offline(path.c_str(), error.data()));
    if (!pcap) throw std::runtime_error("pcap_open_offline " + path.string() + ": " + error.data());
    std::vector<Bytes> frames;
    pcap_pkthdr* header = nullptr;
    const u_char* data = nullptr;
    int rc;
    while ((rc = pcap_next_ex(pcap.get(), &header, &data)) == 1) frames.emplace_back(data, data + header->caplen);
    if (rc != PCAP_ERROR_BREAK) throw std::runtime_error("pcap_next_ex " + path.string() + ": " + pcap_geterr(pcap.get()));
    return frames;
}

}  // namespace sentinel::net::test
