#pragma once
// FullPolicy: what an RX lcore does with a burst when its ring has no room for it.

namespace sentinel::net {

enum class FullPolicy {
    wait,  // spin until the stages free slots: the NIC queue absorbs the backlog, then counts imissed
    drop,  // free the burst at once and count dropped_ring_full: the poll loop never stalls
};

}  // namespace sentinel::net
