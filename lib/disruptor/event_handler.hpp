#pragma once
// EventHandler: what a stage does with each event.
//
//   void on_event(T& event, std::int64_t sequence, bool end_of_batch);   required
//   void on_batch_start(std::int64_t batch_size);                        optional: before a batch
//   void on_start();  void on_shutdown();                                optional: on the stage's thread
//   void on_timeout(std::int64_t sequence);                              optional: wait strategy timed out
//
// end_of_batch is true on the last event the stage will see before it waits again: I/O stages
// flush there, so a burst costs one write and a lone event is never held back.

#include <concepts>
#include <cstdint>

namespace sentinel::disruptor {

template <class H, class T>
concept EventHandler = requires(H& h, T& event, std::int64_t sequence, bool end_of_batch) {
    h.on_event(event, sequence, end_of_batch);
};

}  // namespace sentinel::disruptor
