#!/usr/bin/env python3
"""Writes the fuzz targets' regression corpus: tests/fuzz/regression/<target>/<name>.

Each file is one input, named for what it does; run_fuzz.sh replays them all before fuzzing, and
seeds the fuzzers with them. Inputs the fuzzer found live beside these, committed as found (this
script overwrites only the names below, and removes nothing).

  tests/fuzz/make_regression_corpus.py [DIR]     DIR defaults to tests/fuzz/regression

feed_fuzz inputs are chunks (u16 length, bytes). arbitration_fuzz inputs are its step scripts:
the format is documented at the top of arbitration_script.hpp, and the helpers below follow it.
"""

import os
import struct
import sys

SESSION = b'SESSION001'


# ---- feed_fuzz: MoldUDP64 packets of ITCH messages, each behind a u16 length -------------------

def itch(kind, locate, body, timestamp=1):
    return kind.encode() + struct.pack('>HH', locate, 0) + timestamp.to_bytes(6, 'big') + body


def add(ref, side, shares, price, kind='A'):
    m = itch(kind, 7, struct.pack('>Q', ref) + side.encode() + struct.pack('>I', shares) + b'SEED    ' +
             struct.pack('>I', price))
    return m + (b'MPID' if kind == 'F' else b'')


def mold(sequence, messages, session=b'SEED000001'):
    return session + struct.pack('>QH', sequence, len(messages)) + b''.join(
        struct.pack('>H', len(m)) + m for m in messages)


def chunks(*packets):
    return b''.join(struct.pack('>H', len(p)) + p for p in packets)


def feed_inputs():
    directory = itch('R', 7, b'SEED    QN' + struct.pack('>I', 100) + b'NCZ PNN1N' + struct.pack('>I', 0) + b'N')
    return {
        'book_lifecycle': chunks(
            mold(1, [directory, add(1, 'B', 100, 10000), add(2, 'S', 50, 10100), add(3, 'B', 10, 9900, 'F')]),
            mold(5, [itch('E', 7, struct.pack('>QIQ', 1, 40, 9)), itch('X', 7, struct.pack('>QI', 2, 10)),
                     itch('U', 7, struct.pack('>QQII', 3, 4, 20, 9950)), itch('D', 7, struct.pack('>Q', 2)),
                     itch('C', 7, struct.pack('>QIQ', 4, 20, 10) + b'Y' + struct.pack('>I', 9990))])),
        'system_event_then_heartbeat': chunks(
            mold(1, [itch('S', 0, b'O'), itch('H', 7, b'SEED    T ' + b'    ')]),
            b'SEED000001' + struct.pack('>QH', 3, 0)),
        'many_levels': chunks(mold(2, [add(i, 'BS'[i % 2], i, 10000 + i * (1 if i % 2 else -1)) for i in range(1, 40)])),
        'heartbeat_2pow63': chunks(mold(1, [directory]), b'SEED000001' + struct.pack('>QH', 1 << 63, 0),
                                   mold(2, [add(1, 'B', 100, 10000)])),
        'seq_2pow64_minus1_count1': chunks(mold(1, [directory]), mold((1 << 64) - 1, [add(1, 'B', 100, 10000)]),
                                           mold(2, [add(2, 'S', 100, 10100)])),
    }


# ---- arbitration_fuzz: step scripts -------------------------------------------------------------

A, B, RECOVERY, TIMER = 0, 1, 2, 3
NO_WAIT, WAIT_U8, WAIT_REORDER, WAIT_RETRY, WAIT_RECOVERY, WAIT_U16, WAIT_U64, WAIT_REANCHOR = range(8)
IN_ORDER, BUILT, BUILT_CANONICAL, HEARTBEAT, RAW, REPLAY, SKIP = range(7)

# Sequence modes of a built packet (arbitration_script.hpp, choose_sequence).
NEXT, HIGH, CURSOR, U64, SPECIAL, WINDOW_EDGE, TOP, NEXT_U32, NEXT_HORIZON, HIGH_HORIZON, BEHIND_HORIZON, \
    NEXT_MINUS = range(12)
SPECIAL_0, SPECIAL_1, SPECIAL_2, SPECIAL_2POW63, SPECIAL_2POW63_MINUS1, SPECIAL_2POW63_PLUS1, \
    SPECIAL_2POW64_MINUS1, SPECIAL_2POW64_MINUS2, SPECIAL_2POW32, SPECIAL_2POW40 = range(10)

OWN_SESSION, OTHER_SESSION = 0, 2
HEARTBEAT_COUNT, END_OF_SESSION_COUNT = 0, 1
PRESET_SMALL, PRESET_SMALLEST, PRESET_DEFAULT_HORIZON, PRESET_WIDE_LOSS = range(4)
MESSAGE_RAW = 7  # a built message's kind: length u8, then the bytes


def op(line, what=IN_ORDER, wait=NO_WAIT):
    return bytes([line | wait << 2 | what << 5])


def in_order(line, messages=4, wait=NO_WAIT):
    return op(line, IN_ORDER, wait) + bytes([messages - 1])


def timer(wait):
    return op(TIMER, IN_ORDER, wait)


def timer_u16(units):
    """Time passes: units x 64 ns."""
    return op(TIMER, IN_ORDER, WAIT_U16) + struct.pack('>H', units)


def skip(line, amount, messages=4, wait=NO_WAIT):
    """A line that lost `amount` (1..16) numbers, then sends its next packet."""
    return op(line, SKIP, wait) + bytes([amount - 1, messages - 1])


def jump(line, which, messages=4, wait=NO_WAIT):
    """A line whose stream moved: which = 0 h-1, 1 h, 2 h+1, 3 2h, 4 2^32, 5 buffer, 6 back to 1, 7 2^63."""
    return op(line, SKIP, wait) + bytes([0xC0 + which, messages - 1])


def sequence(mode, *fields):
    return bytes([mode]) + b''.join(fields)


def near(offset):
    return struct.pack('b', offset)


def special(index):
    return bytes([index])


def messages(n):
    return 2 + n - 1  # the count byte for n messages (n <= 8)


def built_messages(line, seq, n, session=OWN_SESSION, wait=NO_WAIT):
    return op(line, BUILT_CANONICAL, wait) + bytes([session]) + seq + bytes([messages(n)])


def built_raw(line, seq, sizes, session=OWN_SESSION, wait=NO_WAIT):
    """A built packet of messages of the given lengths (each <= 255 bytes, at most 8)."""
    return op(line, BUILT, wait) + bytes([session]) + seq + bytes([messages(len(sizes))]) + b''.join(
        bytes([MESSAGE_RAW, n]) + b'R' * n for n in sizes)


def at(number):
    """A built packet's sequence: exactly `number`."""
    return sequence(U64, struct.pack('>Q', number))


def ahead(distance):
    """A built packet's sequence: `distance` past the next number to deliver."""
    return sequence(NEXT_U32, struct.pack('>I', distance))


def behind(distance):
    """A built packet's sequence: `distance` (<= 255) before the next number to deliver."""
    return sequence(NEXT_MINUS, bytes([distance]))


def heartbeat(line, seq, session=OWN_SESSION, wait=NO_WAIT):
    return op(line, BUILT_CANONICAL, wait) + bytes([session]) + seq + bytes([HEARTBEAT_COUNT])


def end_of_session(line, seq, session=OWN_SESSION, wait=NO_WAIT):
    return op(line, BUILT_CANONICAL, wait) + bytes([session]) + seq + bytes([END_OF_SESSION_COUNT])


def raw(line, payload, wait=NO_WAIT):
    return op(line, RAW, wait) + struct.pack('>H', len(payload)) + payload


def script(preset, *steps):
    return bytes([preset]) + b''.join(steps)


def stream(n):
    """Lines A and B in step, n packets each."""
    return b''.join(in_order(A) + in_order(B) for _ in range(n))


def arbitration_inputs():
    return {
        # The hostile packets: the last possible number (the next would be 2^64), first or mid-stream.
        'seq_2pow64_minus1_count1': script(
            PRESET_SMALL, stream(2), built_messages(A, sequence(SPECIAL, special(SPECIAL_2POW64_MINUS1)), 1),
            stream(2), timer(WAIT_RECOVERY), stream(1)),
        'seq_2pow64_minus1_count1_first': script(
            PRESET_SMALL, built_messages(A, sequence(SPECIAL, special(SPECIAL_2POW64_MINUS1)), 1), stream(3)),
        'heartbeat_2pow63': script(
            PRESET_SMALL, stream(2), heartbeat(A, sequence(SPECIAL, special(SPECIAL_2POW63))),
            timer(WAIT_REORDER), timer(WAIT_RECOVERY), stream(2)),
        'heartbeat_2pow63_default_horizon': script(
            PRESET_DEFAULT_HORIZON, stream(2), heartbeat(B, sequence(SPECIAL, special(SPECIAL_2POW63))),
            timer(WAIT_REORDER), stream(2)),
        'sequence_zero': script(
            PRESET_SMALL, built_messages(A, sequence(SPECIAL, special(SPECIAL_0)), 3), stream(2),
            built_messages(B, sequence(SPECIAL, special(SPECIAL_0)), 2), heartbeat(A, sequence(SPECIAL, special(SPECIAL_0))),
            stream(1)),
        'count_runs_past_2pow64': script(
            PRESET_SMALL, stream(1), built_messages(A, sequence(TOP, bytes([2])), 8), stream(1)),
        'end_of_session_foreign': script(
            PRESET_SMALL, stream(2), end_of_session(B, sequence(NEXT_U32, struct.pack('>I', 1000)), OTHER_SESSION),
            stream(2), end_of_session(A, sequence(CURSOR, near(0)))),
        'end_of_session_foreign_first': script(
            PRESET_SMALL, end_of_session(A, sequence(NEXT, near(5)), OTHER_SESSION), stream(3)),
        'other_session_mid_stream': script(
            PRESET_SMALL, stream(2), built_messages(B, sequence(NEXT, near(0)), 3, OTHER_SESSION),
            built_messages(A, sequence(NEXT, near(2)), 3, OTHER_SESSION), stream(2)),
        # Admission's edges: a packet's numbers within the window less one of the next number (64
        # slots: 63), ahead (the last slot held, one past refused) and behind (a copy 63 back is a
        # duplicate, 64 back refused).
        'window_edge': script(
            PRESET_SMALL, stream(1), built_messages(A, sequence(WINDOW_EDGE, near(-2)), 1),
            built_messages(A, sequence(WINDOW_EDGE, near(-1)), 1),
            built_messages(B, sequence(WINDOW_EDGE, near(-3)), 2),
            built_messages(B, sequence(WINDOW_EDGE, near(-2)), 2), stream(20), built_messages(A, behind(63), 1),
            built_messages(A, behind(64), 1), stream(1)),
        # The horizon's edge (256) for a far stream of the session: heartbeats one past it are no
        # wide loss (4 packets over 3 us are short of the re-anchor's 5 us); after a live packet,
        # heartbeats at it are: followed as a resync once 4 packets and 1 us old.
        'horizon_edges': script(
            PRESET_SMALL, stream(1), heartbeat(A, sequence(NEXT_HORIZON, near(1))),
            heartbeat(B, sequence(NEXT_HORIZON, near(1)), wait=WAIT_REORDER),
            heartbeat(A, sequence(NEXT_HORIZON, near(1)), wait=WAIT_REORDER),
            heartbeat(B, sequence(NEXT_HORIZON, near(1)), wait=WAIT_REORDER), stream(1),
            heartbeat(A, sequence(NEXT_HORIZON, near(0))), heartbeat(B, sequence(NEXT_HORIZON, near(0))),
            heartbeat(A, sequence(NEXT_HORIZON, near(0))),
            heartbeat(B, sequence(NEXT_HORIZON, near(0)), wait=WAIT_REORDER),
            timer(WAIT_RECOVERY), stream(1)),
        'gap_recovered': script(
            PRESET_SMALL, stream(2), skip(A, 8), skip(B, 8), timer(WAIT_REORDER), in_order(RECOVERY, 4),
            in_order(RECOVERY, 4), timer(WAIT_RETRY), in_order(RECOVERY, 4), stream(1)),
        'gap_given_up_lines_flowing': script(
            PRESET_SMALL, stream(2), skip(A, 12), skip(B, 12), timer(WAIT_REORDER), timer(WAIT_RETRY), stream(1),
            timer(WAIT_RECOVERY), stream(1), stream(1)),
        'gap_given_up_quiet': script(
            PRESET_SMALL, stream(2), skip(A, 12), skip(B, 12), timer(WAIT_REORDER), timer(WAIT_RETRY),
            timer(WAIT_RECOVERY), timer_u16(2000), stream(1)),
        'gap_filled_late': script(
            PRESET_SMALL, stream(1), skip(A, 4), in_order(A), in_order(A), timer(WAIT_REORDER), in_order(B),
            in_order(B), in_order(B), stream(1)),
        # Line A runs on past a gap: what lies within the window (15) is held, the rest refused (no
        # longer a buffer overflow: it would take 100 ns to be followed as a wide loss).
        'buffer_full': script(
            PRESET_SMALLEST, stream(1), skip(A, 2), *[in_order(A) for _ in range(6)], stream(1)),
        'late_join': script(PRESET_SMALL, jump(A, 4), jump(B, 4), stream(2)),
        'reanchor_far_stream': script(
            PRESET_SMALL, stream(2), jump(A, 4), jump(B, 4), in_order(A, wait=WAIT_REANCHOR),
            in_order(B, wait=WAIT_REANCHOR), in_order(A, wait=WAIT_REANCHOR), stream(2)),
        'restart_from_one': script(
            PRESET_SMALLEST, stream(2), jump(A, 7), jump(B, 7), jump(A, 6, wait=WAIT_REANCHOR), jump(B, 6),
            stream(2)),
        # A session joined just below 2^64 (a heartbeat at 2^64 - 8), with a gap up to 2^64 - 4: a
        # re-request of max_request (8) from its first number would run past 2^64.
        'rerequest_near_2pow64': script(
            PRESET_SMALL, heartbeat(A, sequence(TOP, bytes([7]))), heartbeat(A, sequence(TOP, bytes([3]))),
            timer(WAIT_REORDER), timer(WAIT_RETRY)),
        'recovery_first': script(PRESET_SMALL, in_order(RECOVERY), stream(1)),
        'replayed_on_other_line': script(
            PRESET_SMALL, in_order(A), op(B, REPLAY) + bytes([0]), in_order(A), op(B, REPLAY) + bytes([1]), stream(1)),
        'malformed_count': script(
            PRESET_SMALL, stream(1), raw(A, SESSION + struct.pack('>QH', 5, 3) + struct.pack('>H', 1) + b'S'),
            stream(1)),
        # A message longer than max_message_size (64) makes its packet malformed, first or mid-stream,
        # on any line; one of exactly 64 bytes is held.
        'oversize_message': script(
            PRESET_SMALL, built_raw(A, sequence(NEXT, near(0)), [65]), stream(1),
            built_raw(B, sequence(NEXT, near(1)), [64, 65]), built_raw(A, sequence(NEXT, near(2)), [10, 64]),
            skip(A, 4), timer(WAIT_REORDER), built_raw(RECOVERY, sequence(NEXT, near(0)), [65, 1]), stream(2)),
        # An end of session of our own session, before any packet: it starts no session.
        'end_of_session_first': script(
            PRESET_SMALL, end_of_session(A, sequence(NEXT, near(8))), end_of_session(B, sequence(NEXT, near(0))),
            stream(3)),
        # A stranger's heartbeat anchors its session; the real feed, foreign at first, is a far
        # stream that takes the session after 3 packets and 5 us: the stranger is then the foreigner.
        'foreign_session_first_reanchors': script(
            PRESET_SMALL, heartbeat(A, sequence(NEXT, near(100)), OTHER_SESSION), in_order(A), in_order(B),
            in_order(A, wait=WAIT_REANCHOR), in_order(B), stream(2),
            heartbeat(B, sequence(NEXT, near(4)), OTHER_SESSION), stream(1)),
        # Heartbeats each 10 past the last: those within the window open ranges until the 4 records
        # are taken (the fifth reveals nothing), those beyond it are refused; none walks the
        # horizon, and the lines then fill what was revealed.
        'heartbeat_chain': script(
            PRESET_SMALL, stream(1), *[heartbeat(A, at(15 + 10 * k)) for k in range(8)], timer(WAIT_REORDER),
            stream(13)),
        # A forged message between the window (63) and the horizon (256), on both lines, three at a
        # time while the live stream flows: each live packet ends the far stream, none is followed.
        'forged_between_window_and_horizon': script(
            PRESET_SMALL, stream(1),
            *[built_messages(A, ahead(100), 1, wait=WAIT_REORDER) + built_messages(B, ahead(100), 1) +
              built_messages(A, ahead(101), 1) + in_order(B, wait=WAIT_REORDER) + in_order(A)
              for _ in range(4)], stream(1)),
        # Both lines jump 64 (beyond the window, within the horizon): a wide loss, followed by the
        # fourth packet 1 us later, what lies between given up (a buffer overflow).
        'wide_loss_followed': script(
            PRESET_SMALL, stream(2), jump(A, 5), jump(B, 5), in_order(A, wait=WAIT_REORDER), in_order(B),
            stream(2)),
        # The same at the default horizon: a jump of 2^20 - 1 followed after 2 packets.
        'wide_loss_followed_default_horizon': script(
            PRESET_WIDE_LOSS, stream(2), jump(A, 0, messages=1), jump(B, 0, messages=1, wait=WAIT_REORDER),
            stream(2)),
        # Two ranges where one record is left: the split finds no room, a resync to the message.
        'ranges_full_overflow': script(PRESET_SMALLEST, stream(1), skip(A, 2), skip(A, 2), in_order(A)),
        # A far stream alternating between another session and ours beyond the window is no stream.
        'far_stream_mixed_sessions': script(
            PRESET_SMALL, stream(1),
            *[built_messages(A, ahead(100), 1, OTHER_SESSION, wait=WAIT_REANCHOR) +
              built_messages(B, ahead(100), 1, wait=WAIT_REANCHOR) for _ in range(3)], stream(1)),
        # The session's own stream 80 behind the next number, beyond the window: no wide loss (it is
        # behind), a re-anchor back after 3 packets and 5 us.
        'far_stream_behind': script(
            PRESET_SMALL, stream(20), built_messages(A, behind(80), 4), built_messages(B, behind(80), 4),
            built_messages(A, behind(76), 4, wait=WAIT_REANCHOR), built_messages(B, behind(0), 4), stream(1)),
        # Gaps [5, 9) and [9, 13) (heartbeats), declared apart; 9 arrives: only its own gap's clock
        # restarts, so the first is given up 10 x recovery_timeout after it was declared.
        'stall_clock_per_gap': script(
            PRESET_SMALL, stream(1), heartbeat(A, at(9)), timer(WAIT_REORDER), heartbeat(A, at(13)),
            timer(WAIT_REORDER), built_messages(B, at(9), 1, wait=WAIT_RETRY), timer_u16(1500), stream(3)),
        # A declared gap while the lines bring only packets beyond the window: they count as line
        # packets, so the gap is given up after recovery_timeout and 4 of them, not 10 x as long.
        'stall_counts_refused_line_packets': script(
            PRESET_SMALL, stream(1), skip(A, 4), timer(WAIT_REORDER), timer(WAIT_RECOVERY),
            *[built_messages(A if k % 2 else B, ahead(100), 1) for k in range(4)], timer(NO_WAIT), stream(3)),
    }


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(os.path.abspath(__file__)), 'regression')
    for target, inputs in (('feed_fuzz', feed_inputs()), ('arbitration_fuzz', arbitration_inputs())):
        os.makedirs(os.path.join(root, target), exist_ok=True)
        for name, data in inputs.items():
            with open(os.path.join(root, target, name), 'wb') as f:
                f.write(data)


if __name__ == '__main__':
    main()
