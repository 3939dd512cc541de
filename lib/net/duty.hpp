#pragma once
// Duty: one unit of polled work that an lcore's duty cycle runs beside others (an RX queue, a
// stage of a ring). Aeron's agent, with the shutdown protocol the appliance needs:
//
//   start() ─▶ poll() ... ─▶ begin_drain() ─▶ poll() ... until drained() ─▶ stop()
//
// Every call comes from the one lcore that owns the duty. begin_drain() says no new packets will
// be admitted from now on (RX stops receiving); drained() is true once the duty will never have
// work again (a stage has handled everything its ring's producer published).
// poll() is a virtual call per burst or batch, not per packet: the hot loops live inside.

#include <cstddef>
#include <string_view>

namespace sentinel::net {

class Duty {
public:
    virtual ~Duty() = default;

    virtual void start() {}
    // A bounded batch of work; returns how much it did (0: none, the cycle may idle).
    virtual std::size_t poll() = 0;
    virtual void begin_drain() {}
    virtual bool drained() const = 0;
    virtual void stop() {}

    // What it is, for the messages that name it: "rx port0 queue1", "ring.port0.rx1 capture".
    virtual std::string_view role_name() const noexcept = 0;
};

}  // namespace sentinel::net
