#pragma once
// StageHandler: what a stage does with the events it is given, in one of two forms.
//
//   void on_event(T& event, std::int64_t sequence, bool end_of_batch);   EventHandler: per event
//   void on_events(std::span<T> events, std::int64_t first_sequence, bool end_of_batch);
//                                                                        BatchHandler: per run of
//        slots contiguous in memory; a batch that wraps the ring's end arrives as two runs. Loops
//        over a span keep their running state in registers, and bulk APIs (rte_pktmbuf_free_bulk,
//        rte_eth_tx_burst) take it directly. Preferred when a handler has both; sharded stages
//        need on_event.
//   void on_batch_start(std::int64_t batch_size);                        optional: before a batch
//   void on_start();  void on_shutdown();                                optional: on the stage's thread
//   void on_timeout(std::int64_t sequence);                              optional: wait strategy timed out
//
// end_of_batch is true on the last event the stage will see before it waits again: I/O stages
// flush there, so a burst costs one write and a lone event is never held back.

#include <concepts>
#include <cstdint>
#include <span>

namespace sentinel::disruptor {

template <class H, class T>
concept EventHandler = requires(H& h, T& event, std::int64_t sequence, bool end_of_batch) {
    h.on_event(event, sequence, end_of_batch);
};

template <class H, class T>
concept BatchHandler = requires(H& h, std::span<T> events, std::int64_t first, bool end_of_batch) {
    h.on_events(events, first, end_of_batch);
};

template <class H, class T>
concept StageHandler = EventHandler<H, T> || BatchHandler<H, T>;

}  // namespace sentinel::disruptor
