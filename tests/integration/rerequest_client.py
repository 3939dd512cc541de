#!/usr/bin/env python3
"""A MoldUDP64 re-request client for rerequest_server_test.sh: sends MODE's requests to
scripts/mold_rerequest_server.py, checks each answer (or its absence) byte for byte against
gen_itch.py's --messages-out, and writes the counters the server must end with to EXPECTED
("name=value" per line). On a wrong answer prints why, indented, and exits 1. Python standard
library only.

usage: rerequest_client.py MODE PORT SESSION MSGS EXPECTED MAX_MESSAGES MAX_PAYLOAD
  MODE  full (ranges, caps, malformed and foreign requests, a 1000-message fill), short (a journal
        of a few messages), drop (the two requests --drop-first leaves, then one answered)
"""

import socket
import struct
import sys
import time

HEADER = struct.Struct(">10sQH")
COUNTERS = ("requests", "requests_dropped", "requests_malformed", "requests_foreign_session",
            "requests_unknown", "answers", "messages_sent")
ANSWER_WAIT, SILENCE_WAIT = 2.0, 0.3  # seconds: for an answer due; to call one absent


class Failed(Exception):
    pass


class Client:
    def __init__(self, port, session, msgs, max_messages, max_payload):
        self.server = ("127.0.0.1", port)
        self.session = session.encode().ljust(10)
        self.msgs = msgs  # sequence n is msgs[n - 1]
        self.max_messages, self.max_payload = max_messages, max_payload
        self.expected = dict.fromkeys(COUNTERS, 0)
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))

    def send(self, datagram):
        self.expected["requests"] += 1
        self.sock.sendto(datagram, self.server)

    def receive(self, wait):
        self.sock.settimeout(wait)
        try:
            return self.sock.recv(65535)
        except TimeoutError:
            return None

    def due(self, first, count):
        """How many messages the answer to (first, count) carries, by the protocol's rules."""
        n, size = 0, HEADER.size
        while n < min(count, self.max_messages) and 1 <= first + n <= len(self.msgs):
            size += 2 + len(self.msgs[first + n - 1])
            if size > self.max_payload:
                break
            n += 1
        return n

    def silence(self, why):
        answer = self.receive(SILENCE_WAIT)
        if answer is not None:
            raise Failed("%s: answered (%d bytes)" % (why, len(answer)))

    def ask(self, first, count):
        """Requests (first, count) and checks the answer; returns how many messages it carried."""
        self.send(HEADER.pack(self.session, first, count))
        n = self.due(first, count)
        if n == 0:
            self.expected["requests_unknown"] += 1
            self.silence("request %d+%d beyond the journal" % (first, count))
            return 0
        answer = self.receive(ANSWER_WAIT)
        if answer is None:
            raise Failed("request %d+%d: no answer in %.1f s" % (first, count, ANSWER_WAIT))
        got = HEADER.unpack_from(answer) if len(answer) >= HEADER.size else None
        if got != (self.session, first, n):
            raise Failed("request %d+%d: header %r, expected %r" % (first, count, got, (self.session, first, n)))
        blocks = b"".join(struct.pack(">H", len(m)) + m for m in self.msgs[first - 1:first - 1 + n])
        if answer[HEADER.size:] != blocks:
            raise Failed("request %d+%d: message blocks differ from --messages-out" % (first, count))
        if len(answer) > self.max_payload:
            raise Failed("request %d+%d: %d bytes, over %d" % (first, count, len(answer), self.max_payload))
        self.expected["answers"] += 1
        self.expected["messages_sent"] += n
        return n

    def fill(self, first, count, limit_s=20.0):
        """Asks from the first missing message on until first..first+count-1 are all in; returns the asks."""
        deadline, asks, have = time.monotonic() + limit_s, 0, 0
        while have < count:
            if asks > count or time.monotonic() > deadline:
                raise Failed("range %d+%d: %d messages after %d requests" % (first, count, have, asks))
            got = self.ask(first + have, count - have)
            if got == 0:
                raise Failed("range %d+%d: nothing from %d" % (first, count, first + have))
            have, asks = have + got, asks + 1
        return asks


def capped(client, first, count):
    """A request larger than an answer carries: the answer stops at a cap, not at the count."""
    n = client.ask(first, count)
    if not 0 < n < count:
        raise Failed("request %d+%d: %d messages, expected a capped answer" % (first, count, n))
    print("      %d+%d answered with %d" % (first, count, n))


def full(client):
    last = len(client.msgs)
    client.ask(1, 10)
    client.ask(1500, 20)
    capped(client, 200, 500)
    client.ask(last - 4, 5)
    client.ask(last - 2, 10)  # the last 3 only
    client.ask(last + 1, 5)
    client.ask(0, 1)
    for size in (0, 19, 21):
        client.send(HEADER.pack(client.session, 1, 1).ljust(size, b"\0")[:size])
        client.expected["requests_malformed"] += 1
        client.silence("a %d-byte request" % size)
    client.send(HEADER.pack(client.session, 1, 0))
    client.expected["requests_malformed"] += 1
    client.silence("a request for 0 messages")
    client.send(HEADER.pack(b"SNTL000008", 1, 1))
    client.expected["requests_foreign_session"] += 1
    client.silence("a request for another session")
    print("      1001+1000 filled in %d requests" % client.fill(1001, 1000))


def short(client):
    last = len(client.msgs)
    client.ask(1, 10)
    client.ask(last // 2, 20)
    capped(client, 200, 500)
    client.ask(last - 2, 10)
    client.ask(last + 1, 1)
    print("      1+%d filled in %d requests" % (last, client.fill(1, last)))


def drop(client):
    for _ in range(2):
        client.send(HEADER.pack(client.session, 1, 1))
        client.expected["requests_dropped"] += 1
        client.silence("a request --drop-first leaves")
    client.ask(1, 1)


def main(mode, port, session, msgs_path, expected_path, max_messages, max_payload):
    data, msgs, offset = open(msgs_path, "rb").read(), [], 0
    while offset < len(data):
        length = struct.unpack_from(">H", data, offset)[0]
        msgs.append(data[offset + 2:offset + 2 + length])
        offset += 2 + length
    client = Client(int(port), session, msgs, int(max_messages), int(max_payload))
    try:
        {"full": full, "short": short, "drop": drop}[mode](client)
    except Failed as e:
        print("      " + str(e))
        return 1
    with open(expected_path, "w") as f:
        f.writelines("%s=%d\n" % (key, client.expected[key]) for key in COUNTERS)
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
