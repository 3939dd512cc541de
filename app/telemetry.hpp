#pragma once
// Telemetry: the appliance's live counters as DPDK telemetry commands, so that the operator's
// usual tool shows them beside ethdev's own:
//
//   $ dpdk-telemetry.py            (or -f PREFIX with --file-prefix)
//   --> /sentinel/stats            {"/sentinel/stats": {"rx_packets": 123, ..., "dropped_nic_missed": 0}}
//   --> /sentinel/stages           {"/sentinel/stages": {"port0_rx0": {"cursor": 123, "filter": 0, ...}}}
//   --> /sentinel/feed             {"/sentinel/feed": {"feed_messages": 123, "feed_gaps": 0, ...}} (with --feed)
//
// /sentinel/stages gives each ring's cursor and each stage's lag behind it, in slots.
//
// DPDK 22.11's commands take no user pointer and cannot be unregistered, so the callbacks reach the
// running pipeline through one pointer behind a mutex: set while a Telemetry object lives, cleared
// (waiting out a callback in progress) when it goes, after which the commands answer an error.
//
// Thread safety: construct and destroy on the main thread; the callbacks run on EAL's telemetry
// thread and only read counters and sequences (relaxed/acquire loads).

#include "appliance/feed_senders.hpp"
#include "appliance/pipeline.hpp"
#include "appliance/receive_ports.hpp"

namespace sentinel::app {

class Telemetry {
public:
    // Registers the commands (once per process) and points them at these objects.
    Telemetry(const appliance::Pipeline& pipeline, const appliance::ReceivePorts& ports, const appliance::FeedSenders& senders);
    ~Telemetry();
    Telemetry(const Telemetry&) = delete;
    Telemetry& operator=(const Telemetry&) = delete;
};

}  // namespace sentinel::app
