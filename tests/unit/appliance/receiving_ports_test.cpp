// receiving_ports: which ports receive, from the options and the ports EAL found.

#include "appliance/receiving_ports.hpp"

#include <gtest/gtest.h>

#include <initializer_list>
#include <stdexcept>
#include <string>
#include <vector>

#include "command_line.hpp"

namespace sentinel::appliance {
namespace {

using test::config;


std::string refusal(const Config& c, const std::vector<int>& available) {
    try {
        receiving_ports(c, available);
    } catch (const std::runtime_error& e) {
        return e.what();
    }
    return "(accepted)";
}

using Ports = std::vector<int>;

TEST(ReceivingPorts, EveryPortByDefault) { EXPECT_EQ(receiving_ports(config({}), {0, 1, 2}), (Ports{0, 1, 2})); }

TEST(ReceivingPorts, PortsListedAreTakenAsGiven) {
    EXPECT_EQ(receiving_ports(config({"--ports", "2,0"}), {0, 1, 2}), (Ports{2, 0}));
    // Listed, the forward port receives too.
    EXPECT_EQ(receiving_ports(config({"--ports", "0,1", "--forward", "1"}), {0, 1}), (Ports{0, 1}));
}

TEST(ReceivingPorts, TheForwardPortOnlyTransmits) {
    EXPECT_EQ(receiving_ports(config({"--forward", "1"}), {0, 1, 2}), (Ports{0, 2}));
    EXPECT_EQ(refusal(config({"--forward", "0"}), {0}),
              "--forward 0 is the only port: add a port to receive on (--vdev) or list it in --ports");
}

TEST(ReceivingPorts, TheFeedTxPortReceivesOnlyWhenItIsTheOnlyOne) {
    const char* feed[] = {"--feed", "itch50", "--feed-a", "233.0.0.1:1", "--tob-multicast", "239.0.0.1:1",
                          "--tob-source", "10.0.0.2", "--feed-tx"};
    const auto with_tx = [&](const char* port) {
        return config({feed[0], feed[1], feed[2], feed[3], feed[4], feed[5], feed[6], feed[7], feed[8], port});
    };
    EXPECT_EQ(receiving_ports(with_tx("1"), {0, 1}), Ports{0});
    EXPECT_EQ(receiving_ports(with_tx("0"), {0}), Ports{0});
}

TEST(ReceivingPorts, RefusesPortsEalDidNotFind) {
    EXPECT_EQ(refusal(config({}), {}),
              "no DPDK ports: add one with --vdev (e.g. --vdev net_null0) or bind a NIC to vfio-pci");
    EXPECT_EQ(refusal(config({"--ports", "0,3"}), {0, 1}), "--ports: port 3 does not exist: EAL found 2 ports (check --vdev/-a)");
    EXPECT_EQ(refusal(config({"--forward", "5"}), {0, 1}), "--forward: port 5 does not exist: EAL found 2 ports (check --vdev/-a)");
}

}  // namespace
}  // namespace sentinel::appliance
