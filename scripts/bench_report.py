#!/usr/bin/env python3
"""The report of scripts/bench.sh's benchmarks: the figures they printed, summed up.

  bench_report.py summary BENCHMARK RESULTS   the summary table of RESULTS' BENCH lines, then
                                              BENCHMARK's targets and the run's warnings again
  bench_report.py median                      the median of the numbers on stdin, one a line
  bench_report.py divide X Y                  X / Y

A BENCH line is "BENCH <case> <impl> <value> <unit>". The table gives, per case, each
implementation's figure and Sentinel's ratio to it (sentinel/impl: > 1 means Sentinel is ahead;
every unit summed up here is a rate), with a note under some. The targets are reported, never
enforced. Numbers are printed with 2 decimals.
"""

import sys
from typing import NamedTuple


class Target(NamedTuple):
    """OURS >= FACTOR x PEER in CASE; with PEER None, OURS >= FACTOR in its own unit."""
    case: str
    ours: str
    peer: str | None
    factor: float
    wording: str


# Each benchmark's targets, and a note under some (case, impl) rows of its table.
TARGETS = {
    "pipeline": [
        Target("pipeline_filter_release", "sentinel", None, 30, "sentinel >= 30 Mpps"),
        Target("pipeline_filter_release", "sentinel", "rte_ring", 1.0, "sentinel >= 1.0x rte_ring"),
        Target("pipeline_fanout3", "sentinel", "rte_ring_refcnt", 1.5, "sentinel >= 1.5x rte_ring_refcnt"),
    ],
    "capture": [
        Target("capture_64b", "sentinel", "dpdk_dumpcap", 5, "sentinel >= 5x dpdk_dumpcap (loss-free rate)"),
        Target("capture_1500b", "sentinel", "dpdk_dumpcap", 5, "sentinel >= 5x dpdk_dumpcap (loss-free rate)"),
        Target("capture_1500b_bytes", "sentinel", "dd", 0.9, "sentinel >= 0.9x dd (disk bytes/s)"),
    ],
    "feed": [
        Target("itch_book", "sentinel", None, 20, "sentinel >= 20 Mmsg/s (<= 50 ns/message)"),
    ],
    "rx-scaling": [],
}

NOTES = {
    "pipeline": {
        ("pipeline_filter_release", "sentinel"):
            "RxQueuePoller -> PacketRing -> FilterStage -> ReleaseStage (2 stage duties)",
        ("pipeline_filter_release", "rte_ring"):
            "rx_burst -> rte_ring -> dequeue, PacketFilter::matches, free_bulk",
        ("pipeline_filter_release", "testpmd_io"):
            "reference, not a peer: one lcore, rx + tx, no handoff; both ports summed",
        ("pipeline_fanout3", "sentinel"): "filter -> {a, b, c} -> release on one ring (5 stage duties)",
        ("pipeline_fanout3", "rte_ring_refcnt"):
            "ring0 -> filter (refcnt 3) -> rings A, B, C -> a, b, c each free",
    },
    "capture": {
        ("capture_64b", "sentinel"):
            "lcore 1 RX, lcore 0 filter + capture + release; O_DIRECT writer thread",
        ("capture_64b", "dpdk_dumpcap"):
            "secondary process; sentinel's RX callback copies each packet to it",
        ("capture_1500b_bytes", "sentinel"): "pcapng file bytes / s",
        ("capture_1500b_bytes", "dd"): "if=/dev/zero bs=4M oflag=direct, same disk",
    },
    "feed": {
        ("itch_book", "sentinel"):
            "FeedEngine::on_packet, the appliance's path: A/B arbitration, decode, order books, top-of-book records",
        ("wire_to_book_p50", "sentinel_20000pps"):
            "net_af_packet RX lcore 1 -> ring -> filter, feed (lcore 0)",
    },
    "rx-scaling": {
        ("rx_scaling_q1", "sentinel"):
            "RX lcore per queue -> ring -> release (workers on their own CPUs where 2N+1 fit)",
        ("rx_scaling_q1", "testpmd_rxonly"):
            "reference: each lcore receives and frees its own queue, no handoff",
    },
}


def divide(x: float, y: float) -> str:
    return f"{x / y:.2f}"


def median(values: list[float]) -> str:
    """The middle value (the upper one of an even count); "" for none."""
    if not values:
        return ""
    return f"{sorted(values)[len(values) // 2]:.2f}"


def read_figures(lines: list[str]) -> dict[str, dict[str, tuple[str, str]]]:
    """case -> impl -> (value, unit), in the order the BENCH lines came."""
    figures: dict[str, dict[str, tuple[str, str]]] = {}
    for line in lines:
        fields = line.split()
        if len(fields) >= 5 and fields[0] == "BENCH":
            figures.setdefault(fields[1], {})[fields[2]] = (fields[3], fields[4])
    return figures


def print_summary(benchmark: str, lines: list[str]) -> None:
    figures = read_figures(lines)
    notes = NOTES[benchmark]
    row = "{:<26} {:<16} {:>10} {:<6} {:>14}"
    print()
    print(row.format("case", "impl", "value", "unit", "sentinel/impl"))
    for case, impls in figures.items():
        for impl, (value, unit) in impls.items():
            ratio = ""
            if impl != "sentinel" and "sentinel" in impls:
                ratio = divide(float(impls["sentinel"][0]), float(value)) + "x"
            print(row.format(case, impl, value, unit, ratio))
            if (case, impl) in notes:
                print(f"{'':<26}   {notes[case, impl]}")

    print()
    print("Targets (reported, not enforced):")
    targets = TARGETS[benchmark]
    if not targets:
        print("  none set for these cases")
    for target in targets:
        impls = figures.get(target.case, {})
        measured, met = "not measured", ""
        if target.ours in impls and target.peer is None:
            value, unit = impls[target.ours]
            measured = f"{value} {unit}"
            met = "met" if float(value) >= target.factor else "NOT met"
        elif target.ours in impls and target.peer in impls:
            ratio = divide(float(impls[target.ours][0]), float(impls[target.peer][0]))
            measured = ratio + "x"
            met = "met" if float(ratio) >= target.factor else "NOT met"
        print(f"  {target.case:<26} {target.wording:<44} {measured:<14} {met}")

    # The run's warnings (contended runs, --no-huge) scrolled past above: they are repeated here.
    warnings = [line for line in lines if line.startswith("# warning")]
    if warnings:
        print()
        print("".join(warnings), end="")


def main(argv: list[str]) -> int:
    if len(argv) == 3 and argv[0] == "summary" and argv[1] in TARGETS:
        with open(argv[2]) as results:
            print_summary(argv[1], results.readlines())
    elif len(argv) == 1 and argv[0] == "median":
        print(median([float(line) for line in sys.stdin if line.strip()]))
    elif len(argv) == 3 and argv[0] == "divide":
        print(divide(float(argv[1]), float(argv[2])))
    else:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
