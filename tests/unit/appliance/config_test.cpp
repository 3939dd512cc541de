// Config: every option's parse, every cross-option rule and its message, --config files. No EAL.

#include "appliance/config.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include "capture/journal_sizing.hpp"
#include "command_line.hpp"

namespace sentinel::appliance {
namespace {

using test::command_line;
using test::config;


std::string refusal(std::initializer_list<const char*> args) {
    try {
        command_line(args);
    } catch (const std::invalid_argument& e) {
        return e.what();
    }
    return "(accepted)";
}

template <class F>
std::string refusal_of(F&& f) {
    try {
        f();
    } catch (const std::invalid_argument& e) {
        return e.what();
    }
    return "(accepted)";
}

TEST(Config, DefaultsWithoutOptions) {
    const CommandLine line = command_line({});
    EXPECT_FALSE(line.help);
    const Config& c = line.config;
    EXPECT_EQ(c.rx_queues, 1);
    EXPECT_EQ(c.ring_size, 4096u);
    EXPECT_EQ(c.burst, 32u);
    EXPECT_EQ(c.full_policy, net::FullPolicy::wait);
    EXPECT_EQ(c.snaplen, 262144u);
    EXPECT_TRUE(c.capture.empty());
    EXPECT_FALSE(c.forward || c.feed || c.duration || c.stop_when_idle);
}

TEST(Config, HelpStopsParsingAndUsageNamesEveryOption) {
    EXPECT_TRUE(command_line({"--help", "--no-such-option"}).help);
    const std::string text(usage());
    for (const char* option : {"--plan", "--topology", "--port-numa-node", "--rx-queues", "--ring-size",
                               "--refuse-cross-node", "--share-cpus", "--ports", "--burst", "--full-policy", "--duration",
                               "--stop-when-idle", "--stats-interval", "--stats-out", "--config", "--capture",
                               "--capture-filter", "--snaplen", "--rotate-size", "--rotate-seconds", "--max-files",
                               "--force", "--forward", "--forward-filter", "--feed", "--feed-a", "--feed-b",
                               "--book-out", "--feed-max-orders", "--rerequest-server", "--rerequest-source",
                               "--rerequest-mac", "--feed-tx", "--tob-multicast", "--tob-source", "--tob-out"})
        EXPECT_NE(text.find(option), std::string::npos) << option;
}

TEST(Config, ParsesValues) {
    const Config c = command_line({"--ports", "0,2", "--rx-queues", "4", "--ring-size", "1024", "--burst", "64",
                            "--full-policy", "drop", "--duration", "2.5", "--stop-when-idle", "300",
                            "--capture", "/tmp/x.pcapng", "--rotate-size", "64M", "--max-files", "3",
                            "--snaplen", "128", "--forward", "1", "--forward-filter", "tcp"})
                         .config;
    EXPECT_EQ(c.ports, (std::vector<int>{0, 2}));
    EXPECT_EQ(c.rx_queues, 4);
    EXPECT_EQ(c.ring_size, 1024u);
    EXPECT_EQ(c.burst, 64u);
    EXPECT_EQ(c.full_policy, net::FullPolicy::drop);
    EXPECT_EQ(c.duration, std::chrono::milliseconds(2500));
    EXPECT_EQ(c.stop_when_idle, std::chrono::milliseconds(300));
    EXPECT_EQ(c.rotate_bytes, std::uint64_t{64} << 20);
    EXPECT_EQ(c.max_files, 3u);
    EXPECT_EQ(c.snaplen, 128u);
    EXPECT_EQ(c.forward, 1);
    EXPECT_EQ(c.forward_filter, "tcp");
}

TEST(Config, ParsesTheFeed) {
    const Config c = command_line({"--feed", "itch50", "--feed-a", "233.54.12.111:26477", "--feed-b", "233.54.12.112:26477",
                            "--rerequest-server", "10.0.0.1:9000", "--rerequest-source", "10.0.0.2:9001",
                            "--rerequest-mac", "02:00:00:00:00:01", "--feed-tx", "0", "--tob-multicast",
                            "239.1.1.1:5000", "--feed-max-orders", "2048"})
                         .config;
    EXPECT_TRUE(c.feed);
    EXPECT_EQ(c.feed_a->address, 0xE9360C6Fu);
    EXPECT_EQ(c.feed_a->port, 26477);
    EXPECT_EQ(c.rerequest_mac, (std::array<std::uint8_t, 6>{2, 0, 0, 0, 0, 1}));
    EXPECT_EQ(c.feed_max_orders, 2048u);
}

// One bad value per option that takes one, with the line the operator sees.
TEST(Config, RefusesBadValuesNamingTheOption) {
    EXPECT_EQ(refusal({"--rx-queues", "0"}), "--rx-queues needs an integer from 1 to 1024, got '0'");
    EXPECT_EQ(refusal({"--ring-size", "1000"}), "--ring-size must be a power of two, got 1000 (try 1024)");
    EXPECT_EQ(refusal({"--ring-size", "32"}), "--ring-size needs an integer from 64 to 1073741824, got '32'");
    EXPECT_EQ(refusal({"--burst", "513"}), "--burst needs an integer from 1 to 512, got '513'");
    EXPECT_EQ(refusal({"--ports", "0,x"}), "--ports needs an integer from 0 to 65535, got 'x'");
    EXPECT_EQ(refusal({"--full-policy", "spin"}), "--full-policy is wait or drop, not 'spin'");
    EXPECT_EQ(refusal({"--duration", "0"}), "--duration needs seconds above 0, e.g. 2.5, got '0'");
    EXPECT_EQ(refusal({"--stats-interval", "soon"}), "--stats-interval needs seconds above 0, e.g. 2.5, got 'soon'");
    EXPECT_EQ(refusal({"--stop-when-idle", "-1"}), "--stop-when-idle needs an integer from 1 to 86400000, got '-1'");
    EXPECT_EQ(refusal({"--capture", "x", "--snaplen", "13"}), "--snaplen needs an integer from 14 to 262144, got '13'");
    EXPECT_EQ(refusal({"--capture", "x", "--rotate-size", "2X"}),
              "--rotate-size needs an integer from 1 to 1125899906842624, got '2X'");
    EXPECT_EQ(refusal({"--feed", "itch41"}), "--feed knows itch50 (ITCH 5.0 over MoldUDP64), not 'itch41'");
    EXPECT_EQ(refusal({"--feed", "itch50", "--feed-a", "233.54.12.111"}),
              "--feed-a needs IPv4:PORT, e.g. 233.54.12.111:26477, got '233.54.12.111'");
    EXPECT_EQ(refusal({"--feed", "itch50", "--feed-a", "1.2.3.4:0"}),
              "--feed-a needs IPv4:PORT, e.g. 233.54.12.111:26477, got '1.2.3.4:0'");
    EXPECT_EQ(refusal({"--rerequest-mac", "02:00:00:00:00"}),
              "--rerequest-mac needs a MAC address like 02:00:00:00:00:01, got '02:00:00:00:00'");
    EXPECT_EQ(refusal({"--tob-multicast", "10.0.0.1:5000"}),
              "--tob-multicast needs a multicast group (224.0.0.0/4), got '10.0.0.1:5000'");
    EXPECT_EQ(refusal({"--tob-source", "0.0.0.0"}),
              "--tob-source needs an IPv4 address other than 0.0.0.0, e.g. 10.0.0.2, got '0.0.0.0'");
    EXPECT_EQ(refusal({"--feed-max-orders", "10"}), "--feed-max-orders needs an integer from 1024 to 1073741824, got '10'");
}

TEST(Config, PortNumaNodesForEveryPortOrPortByPort) {
    EXPECT_EQ(config({"--port-numa-node", "1"}).port_numa_node, 1);
    const Config pairs = config({"--port-numa-node", "0:0,1:1,7:1"});
    EXPECT_FALSE(pairs.port_numa_node);
    EXPECT_EQ(pairs.port_numa_nodes, (std::map<int, int>{{0, 0}, {1, 1}, {7, 1}}));
    const Config last = config({"--port-numa-node", "0:1", "--port-numa-node", "2"});
    EXPECT_TRUE(last.port_numa_nodes.empty()) << "the later option replaces the earlier";
    EXPECT_EQ(last.port_numa_node, 2);
    EXPECT_EQ(refusal({"--port-numa-node", "0:0,1"}),
              "--port-numa-node takes N or port:node pairs like 0:0,1:1, not both: got '0:0,1'");
    EXPECT_EQ(refusal({"--port-numa-node", "0:0,0:1"}), "--port-numa-node names port 0 twice");
    EXPECT_EQ(refusal({"--port-numa-node", "0:x"}), "--port-numa-node needs an integer from 0 to 1023, got 'x'");
    EXPECT_EQ(refusal({"--port-numa-node", "-1"}), "--port-numa-node needs an integer from 0 to 1023, got '-1'");
}

TEST(Config, CapturePathsOneDirectoryEach) {
    EXPECT_EQ(config({"--capture", "cap.pcapng"}).capture, std::vector<std::string>{"cap.pcapng"});
    EXPECT_EQ(config({"--capture", "/d1/cap.pcapng,/d2/cap.pcapng,cap"}).capture,
              (std::vector<std::string>{"/d1/cap.pcapng", "/d2/cap.pcapng", "cap"}));
    EXPECT_EQ(refusal({"--capture", "/d1/a.pcapng,/d1/b.pcapng"}),
              "--capture names directory /d1 twice: give each path a directory (a disk) of its own");
    EXPECT_EQ(refusal({"--capture", "a,./b"}), "--capture names directory . twice: give each path a directory (a disk) of its own");
    EXPECT_EQ(refusal({"--capture", "/d1/a,"}),
              "--capture needs a file name for each path (FILE or DIR/FILE, several separated by commas), got '/d1/a,'");
    EXPECT_EQ(refusal({"--capture", "/d1/"}),
              "--capture needs a file name for each path (FILE or DIR/FILE, several separated by commas), got '/d1/'");
}

TEST(Config, RefusesWhatIsNotAnOption) {
    EXPECT_EQ(refusal({"--burts", "4"}), "unknown option '--burts' (EAL options go before '--'; sentinel -- --help lists ours)");
    EXPECT_EQ(refusal({"--burst"}), "--burst needs a value (sentinel -- --help)");
    EXPECT_EQ(refusal({"--plan", "extra"}), "unexpected argument 'extra' (sentinel -- --help)");
}

// Every rule between options, each with its message.
TEST(Config, RefusesOptionsThatDoNotGoTogether) {
    EXPECT_EQ(refusal({"--ring-size", "64", "--burst", "128"}), "--burst 128 is larger than --ring-size 64");
    EXPECT_EQ(refusal({"--topology", "t.xml"}), "--topology plans for another machine and only goes with --plan");
    EXPECT_EQ(command_line({"--plan", "--topology", "t.xml"}).config.topology, "t.xml");
    for (auto args : {std::initializer_list<const char*>{"--capture-filter", "tcp"}, {"--rotate-size", "1M"},
                      {"--rotate-seconds", "5"}, {"--max-files", "2"}})
        EXPECT_EQ(refusal(args), "--capture-filter, --rotate-size, --rotate-seconds and --max-files only go with --capture PATH");
    EXPECT_EQ(refusal({"--force"}), "--force only goes with --capture PATH or --tob-out FILE");
    EXPECT_EQ(refusal({"--capture", "x", "--max-files", "2"}),
              "--max-files needs rotation: add --rotate-size or --rotate-seconds");
    EXPECT_EQ(refusal({"--forward-filter", "tcp"}), "--forward-filter only goes with --forward PORT");
    const std::string smallest = std::to_string(capture::smallest_rotate_bytes(262144));
    EXPECT_EQ(refusal({"--capture", "x", "--rotate-size", "64K"}),
              "--rotate-size 65536 is too small: with --snaplen 262144 a file needs at least " + smallest + " bytes");
    EXPECT_NO_THROW(command_line({"--capture", "x", "--rotate-size", "64K", "--snaplen", "1500"}));
}

TEST(Config, RefusesFeedOptionsThatDoNotGoTogether) {
    const char* feed_only = "--feed-a, --feed-b, --book-out, --feed-max-orders, --rerequest-*, --feed-tx, --tob-* only go with --feed itch50";
    for (auto args : {std::initializer_list<const char*>{"--feed-a", "233.0.0.1:1"}, {"--feed-b", "233.0.0.1:1"},
                      {"--book-out", "b"}, {"--feed-max-orders", "2048"}, {"--rerequest-server", "10.0.0.1:1"},
                      {"--rerequest-source", "10.0.0.1:1"}, {"--rerequest-mac", "02:00:00:00:00:01"},
                      {"--feed-tx", "0"}, {"--tob-multicast", "239.0.0.1:1"}, {"--tob-source", "10.0.0.1"},
                      {"--tob-out", "t"}})
        EXPECT_EQ(refusal(args), feed_only) << *args.begin();

    EXPECT_EQ(refusal({"--feed", "itch50"}), "--feed itch50 needs a line: --feed-a IP:PORT and/or --feed-b IP:PORT");
    EXPECT_EQ(refusal({"--feed", "itch50", "--feed-a", "233.0.0.1:1", "--feed-b", "233.0.0.1:1"}),
              "--feed-a and --feed-b name the same destination: give each line its own");
    EXPECT_EQ(refusal({"--feed", "itch50", "--feed-a", "233.0.0.1:1", "--rerequest-source", "10.0.0.2:1"}),
              "--rerequest-source and --rerequest-mac only go with --rerequest-server IP:PORT");
    EXPECT_EQ(refusal({"--feed", "itch50", "--feed-a", "233.0.0.1:1", "--rerequest-mac", "02:00:00:00:00:01"}),
              "--rerequest-source and --rerequest-mac only go with --rerequest-server IP:PORT");
    const char* server_needs = "--rerequest-server needs --rerequest-source IP:PORT (our address, where answers come) "
                               "and --feed-tx PORT (the port that sends)";
    EXPECT_EQ(refusal({"--feed", "itch50", "--feed-a", "233.0.0.1:1", "--rerequest-server", "10.0.0.1:1",
                       "--feed-tx", "0"}),
              server_needs);
    EXPECT_EQ(refusal({"--feed", "itch50", "--feed-a", "233.0.0.1:1", "--rerequest-server", "10.0.0.1:1",
                       "--rerequest-source", "10.0.0.2:1"}),
              server_needs);
    EXPECT_EQ(refusal({"--feed", "itch50", "--feed-a", "233.0.0.1:1", "--tob-multicast", "239.0.0.1:1"}),
              "--tob-multicast needs --feed-tx PORT (the port that sends)");
    EXPECT_EQ(refusal({"--feed", "itch50", "--feed-a", "233.0.0.1:1", "--tob-multicast", "239.0.0.1:1", "--feed-tx", "0"}),
              "--tob-multicast needs a source address, --tob-source IP (receivers drop multicast from 0.0.0.0)");
    EXPECT_EQ(refusal({"--feed", "itch50", "--feed-a", "233.0.0.1:1", "--tob-source", "10.0.0.2"}),
              "--tob-source only goes with --tob-multicast");
    EXPECT_EQ(refusal({"--feed", "itch50", "--feed-a", "239.0.0.1:1", "--tob-multicast", "239.0.0.1:1", "--feed-tx",
                       "0", "--tob-source", "10.0.0.2"}),
              "--tob-multicast is a feed line's destination: our output would come back as the feed; give it its own "
              "group or port");
    EXPECT_EQ(refusal({"--feed", "itch50", "--feed-a", "233.0.0.1:1", "--feed-tx", "0"}),
              "--feed-tx sends re-requests or top of book: add --rerequest-server or --tob-multicast");
    // The source of a re-request serves as the multicast source too.
    EXPECT_NO_THROW(command_line({"--feed", "itch50", "--feed-a", "233.0.0.1:1", "--tob-multicast", "239.0.0.1:1",
                           "--feed-tx", "0", "--rerequest-server", "10.0.0.1:1", "--rerequest-source", "10.0.0.2:1"}));
}

TEST(Config, TheFeedTakesEachLineFromOneRing) {
    const Config a = config({"--feed", "itch50", "--feed-a", "233.0.0.1:1"});
    EXPECT_NO_THROW(check_feed_rings(a, 1));
    EXPECT_EQ(refusal_of([&] { check_feed_rings(a, 2); }),
              "--feed reads each line from one RX ring, and this run would spread its 1 line over 2 rings: receive "
              "with at most one ring per line (--ports and --rx-queues), e.g. line A on one port and line B on another");
    const Config ab = config({"--feed", "itch50", "--feed-a", "233.0.0.1:1", "--feed-b", "233.0.0.2:1"});
    EXPECT_NO_THROW(check_feed_rings(ab, 2));
    EXPECT_NE(refusal_of([&] { check_feed_rings(ab, 3); }).find("its 2 lines over 3 rings"), std::string::npos);
    const Config with_recovery = config({"--feed", "itch50", "--feed-a", "233.0.0.1:1", "--feed-b", "233.0.0.2:1",
                                         "--rerequest-server", "10.0.0.1:1", "--rerequest-source", "10.0.0.2:1",
                                         "--feed-tx", "0"});
    EXPECT_NO_THROW(check_feed_rings(with_recovery, 3));
    EXPECT_NO_THROW(check_feed_rings(config({}), 4));
}

class ConfigFile : public ::testing::Test {
protected:
    std::string path = ::testing::TempDir() + "sentinel_config_test.conf";
    void write(const std::string& text) { std::ofstream(path) << text; }
    void TearDown() override { std::filesystem::remove(path); }
};

TEST_F(ConfigFile, ReadsKeysAndTheCommandLineOverrides) {
    write("# a recorder\nrx-queues = 2\n  capture = /tmp/c.pcapng   # where\nforce\n\nburst=16\n");
    const Config c = command_line({"--config", path.c_str(), "--burst", "8"}).config;
    EXPECT_EQ(c.rx_queues, 2);
    EXPECT_EQ(c.capture, std::vector<std::string>{"/tmp/c.pcapng"});
    EXPECT_TRUE(c.force);
    EXPECT_EQ(c.burst, 8u);
    EXPECT_EQ(command_line({("--conf=" + path).c_str()}).config.burst, 16u);  // a prefix, as getopt takes it
}

TEST_F(ConfigFile, RefusesBadLinesNamingTheLine) {
    write("burst = 4\nbrust = 4\n");
    EXPECT_EQ(refusal({"--config", path.c_str()}),
              "--config " + path + " line 2: unknown key 'brust' (keys are the long options without '--')");
    write("capture\n");
    EXPECT_EQ(refusal({"--config", path.c_str()}), "--config " + path + " line 1: 'capture' needs a value: capture = VALUE");
    write("force = yes\n");
    EXPECT_EQ(refusal({"--config", path.c_str()}), "--config " + path + " line 1: 'force' takes no value");
    write("config = other\n");
    EXPECT_EQ(refusal({"--config", path.c_str()}),
              "--config " + path + " line 1: unknown key 'config' (keys are the long options without '--')");
    std::filesystem::remove(path);
    EXPECT_EQ(refusal({"--config", path.c_str()}), "--config " + path + ": cannot open: No such file or directory");
}

}  // namespace
}  // namespace sentinel::appliance
