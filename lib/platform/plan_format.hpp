#pragma once
// The plan as text: one line per decision, printed at start-up, stable so that scripts and tests
// can compare and grep it.
//
//   lcore=0 cpu=0 node=0 core=0 role=main
//   lcore=0 cpu=0 node=0 core=0 role=worker port=0 queue=0 worker=0
//   lcore=1 cpu=1 node=0 core=1 role=rx port=0 queue=0
//   memory=ring.rx0 node=0 page=2M bytes=4194304
//   note=worker port=0 queue=0 worker=0 shares the main lcore 0 in one duty cycle: ...
//
// Grammar (fields separated by one space, integers in decimal, lines ending in '\n'):
//
//   plan       = { lcore-line } { memory-line } { note-line } { warning-line }
//   lcore-line = "lcore=" int " cpu=" int " node=" int " core=" int " role=" role
//                [ " port=" int " queue=" int [ " worker=" int ] ]
//   role       = "main" | "rx" | "worker"          ; port and queue with rx and worker,
//                                                   ; worker with worker only
//   memory-line  = "memory=" name " node=" int " page=" size " bytes=" int
//   size         = int [ "K" | "M" | "G" ]          ; the largest unit that divides it exactly
//   note-line    = "note=" text                    ; an expected choice worth knowing
//   warning-line = "warning=" text                 ; a choice that costs throughput or locality
//   name       = 1*( any character but space and newline )
//   text       = 1*( any character but newline )   ; free text, to the end of the line
//
// Lines keep Plan's order: lcores by lcore id, then main, rx, worker, then port, queue, worker;
// memory in request order; notes and warnings in the order the planner made them. An lcore
// running several duties has one line per duty. New fields are only ever appended to a line.

#include <string>

#include "planner.hpp"

namespace sentinel::platform {

std::string format(const Plan& plan);

// 4096 -> "4K", 2097152 -> "2M", 1073741824 -> "1G", 1000 -> "1000".
std::string format_size(std::size_t bytes);

}  // namespace sentinel::platform
