#pragma once
// RecoveryScheduler: which MoldUDP64 re-requests to send now for the gaps a GapTracker holds, with
// a cap on those awaiting an answer and a retry for those whose answer never came.
//
//   gap [100, 160), max_request 25, max_in_flight 2
//
//   t0  send [100,125) and [125,150)         in flight: 2, the cap
//   t1  answer 100..111 arrives              [100,125) retires: its first number came
//       send [112,125)                       the server capped its answer: ask for the rest
//   t2  answer 112..124 arrives              [112,125) retires; send [150,160)
//   t3  nothing for [125,150) since t0       t3 - t0 >= retry: send [125,150) again (a retry)
//   ... until the gap is filled, or given up by the arbitrator
//
// A request is in flight from its sending until its first number stops being missing: its answer
// arrived (whole, or the first part: servers cap how much one answer carries, and answer from the
// first number asked for), or a line delivered it late, or the arbitrator gave it up. Whatever is
// still missing of it is then asked for again at once, as a new request. Lowest numbers first:
// the stream waits on the front gap.
//
// Thread safety: one owner thread.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <memory_resource>
#include <span>

#include "feed/gap_tracker.hpp"
#include "feed/moldudp64.hpp"
#include "feed/preallocated_array.hpp"

namespace sentinel::feed {

struct RecoveryRequest {
    std::uint64_t first = 0;
    std::uint16_t count = 0;
    bool retry = false;  // sent before and not answered within retry_ns
    bool operator==(const RecoveryRequest&) const = default;
};

class RecoveryScheduler {
public:
    RecoveryScheduler(std::size_t max_in_flight, std::uint16_t max_request, std::uint64_t retry_ns,
                      std::pmr::memory_resource* memory)
        // 0xFFFF is the end-of-session count in a downstream packet: never ask for that many.
        : max_request_(std::clamp<std::uint16_t>(max_request, 1, mold::kEndOfSessionCount - 1)),
          retry_ns_(retry_ns),
          in_flight_(max_in_flight == 0 ? 1 : max_in_flight, memory),
          sends_(in_flight_.size(), memory) {}

    // Retires the answered requests, then says what to send now: the overdue again, and new
    // requests for declared gaps nobody has asked for, while the cap allows. Valid until the next
    // poll().
    std::span<const RecoveryRequest> poll(const GapTracker& gaps, std::uint64_t now_ns) noexcept {
        std::size_t sends = 0;
        std::size_t kept = 0;
        for (std::size_t i = 0; i < in_flight_count_; ++i) {
            Asked r = in_flight_[i];
            const MissingRange* missing = gaps.find(r.first);
            if (missing == nullptr) continue;
            if (now_ns - r.sent_ns >= retry_ns_) {
                r.end = std::min(r.end, missing->end);
                r.sent_ns = now_ns;
                sends_[sends++] = RecoveryRequest{r.first, static_cast<std::uint16_t>(r.end - r.first), true};
            }
            in_flight_[kept++] = r;
        }
        in_flight_count_ = kept;
        for (std::size_t g = 0; g < gaps.size() && gaps[g].gap && in_flight_count_ < in_flight_.size(); ++g) {
            std::uint64_t at = gaps[g].first;
            while (at < gaps[g].end && in_flight_count_ < in_flight_.size()) {
                if (const Asked* asked = covering(at)) {
                    at = asked->end;
                    continue;
                }
                // As distances from `at`: near 2^64 - 1, at + max_request_ would wrap.
                const std::uint64_t end =
                    at + std::min({gaps[g].end - at, max_request_, next_asked_after(at) - at});
                in_flight_[in_flight_count_++] = Asked{at, end, now_ns};
                sends_[sends++] = RecoveryRequest{at, static_cast<std::uint16_t>(end - at), false};
                at = end;
            }
        }
        return {sends_.data(), sends};
    }

    std::size_t in_flight() const noexcept { return in_flight_count_; }

    // Forgets every request in flight: their numbers now mean something else (a re-anchor).
    void clear() noexcept { in_flight_count_ = 0; }

private:
    struct Asked {
        std::uint64_t first = 0;
        std::uint64_t end = 0;
        std::uint64_t sent_ns = 0;
    };

    const Asked* covering(std::uint64_t sequence) const noexcept {
        for (std::size_t i = 0; i < in_flight_count_; ++i)
            if (in_flight_[i].first <= sequence && sequence < in_flight_[i].end) return &in_flight_[i];
        return nullptr;
    }

    std::uint64_t next_asked_after(std::uint64_t sequence) const noexcept {
        std::uint64_t next = std::numeric_limits<std::uint64_t>::max();
        for (std::size_t i = 0; i < in_flight_count_; ++i)
            if (in_flight_[i].first > sequence) next = std::min(next, in_flight_[i].first);
        return next;
    }

    std::uint64_t max_request_;
    std::uint64_t retry_ns_;
    PreallocatedArray<Asked> in_flight_;
    PreallocatedArray<RecoveryRequest> sends_;  // each poll()'s answer: at most one per in-flight slot
    std::size_t in_flight_count_ = 0;
};

}  // namespace sentinel::feed
