#!/usr/bin/env bash
# scripts/mold_rerequest_server.py in a network namespace of the test's own, against a client of the
# test's own that checks every answer byte for byte against gen_itch.py's --messages-out: ranges at
# the start, middle and end, answers capped by --max-payload and by --max-messages, nothing for
# sequences beyond the journal, malformed and foreign requests, a 1000-message range filled the
# way a real client does it, --drop-first, --idle-exit and the exit counters. Journals: gen_itch's
# pcap, editcap's pcapng, and variants written here (big-endian pcap; a two-section pcapng, one
# section per byte order, with VLAN tags, empty name resolution, statistics and unknown blocks,
# simple packet blocks, a raw IPv4 interface, an IPv4 fragment, a malformed packet and a later copy
# with other bytes). Refused journals and options.
# usage: rerequest_server_test.sh GEN_ITCH_PY MOLD_REREQUEST_SERVER_PY
# Needs root (ip netns), python3 and editcap; exits 77 without them.
set -euo pipefail

(($# == 2)) || { echo "usage: rerequest_server_test.sh GEN_ITCH_PY MOLD_REREQUEST_SERVER_PY" >&2; exit 2; }
gen=$(realpath -m "$1")
server=$(realpath -m "$2")

skip() {
  echo "rerequest_server_test: SKIP: $1"
  exit 77
}
((EUID == 0)) || skip "needs root (ip netns)"
for tool in ip python3 editcap timeout; do
  command -v "$tool" >/dev/null || skip "needs $tool"
done

readonly LINES=(--feed 233.54.12.111:26477 --feed 233.54.12.112:26478)
readonly LISTEN=127.0.0.1:26400
readonly SESSION=SNTL000007  # gen_itch's default session for --seed 7
readonly COUNTERS='requests|requests_dropped|requests_malformed|requests_foreign_session|requests_unknown|answers|messages_sent'
tmp=$(mktemp -d /tmp/rerequest_server_test.XXXXXX)
ns=rerequest_test_$$
ns_made=false
server_pid=
passed=0
failed=0

cleanup() {
  if [[ -n $server_pid ]]; then kill -KILL "$server_pid" 2>/dev/null || true; fi
  if $ns_made; then ip netns del "$ns" 2>/dev/null || true; fi
  rm -rf -- "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

ip netns add "$ns" 2>/dev/null || skip "cannot make a network namespace (ip netns add)"
ns_made=true
ip -n "$ns" link set lo up

check() {  # check NAME COMMAND...
  local name=$1
  shift
  if "$@"; then
    passed=$((passed + 1))
    echo "ok    $name"
  else
    failed=$((failed + 1))
    echo "FAIL  $name"
  fi
}

# equals NAME EXPECTED ACTUAL: a comparison that says what it saw when it fails.
equals() {
  [[ $2 == "$3" ]] || { echo "      $1: expected '$2', got '$3'"; return 1; }
}

# ---- the client and the journal variants --------------------------------------------------------------

# client.py MODE PORT SESSION MSGS EXPECTED MAX_MESSAGES MAX_PAYLOAD: runs MODE's requests, checks each
# answer (or its absence), writes the counters the server must end with to EXPECTED.
cat >"$tmp/client.py" <<'EOF'
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


sys.exit(main(*sys.argv[1:]))
EOF

# journals.py PCAP DIR: from gen_itch's pcap (classic, nanosecond, little-endian) writes in DIR
# be.pcap (classic, microsecond, big-endian), mixed.pcapng (see the header) and two_sessions.pcap.
cat >"$tmp/journals.py" <<'EOF'
import struct
import sys

UDP_PAYLOAD = 14 + 20 + 8  # gen_itch's frames: untagged Ethernet, IPv4 without options, UDP
LINE_B = bytes([233, 54, 12, 112])


def records(path):
    data = open(path, "rb").read()
    assert struct.unpack_from("<I", data)[0] == 0xA1B23C4D, "expected gen_itch's pcap"
    offset = 24
    while offset < len(data):
        seconds, nanoseconds, captured, _ = struct.unpack_from("<IIII", data, offset)
        yield seconds * 10**9 + nanoseconds, data[offset + 16:offset + 16 + captured]
        offset += 16 + captured


def with_payload(frame, payload, fragment=False):
    """The frame with another UDP payload, lengths fixed (the server reads no checksum)."""
    ip = bytearray(frame[14:34])
    struct.pack_into(">H", ip, 2, 20 + 8 + len(payload))
    if fragment:
        struct.pack_into(">H", ip, 6, 0x2000)  # more fragments: the first piece of a datagram
    udp = bytearray(frame[34:42])
    struct.pack_into(">H", udp, 4, 8 + len(payload))
    return frame[:14] + bytes(ip) + bytes(udp) + payload


def block(order, kind, body):
    body += b"\0" * (-len(body) % 4)
    return struct.pack(order + "II", kind, 12 + len(body)) + body + struct.pack(order + "I", 12 + len(body))


def section(order, packets, raw_ip_first):
    """A pcapng section in byte order ORDER. With RAW_IP_FIRST, interface 0 is raw IPv4 (unused) and
    the packets are enhanced packet blocks on interface 1, Ethernet; else interface 0 is Ethernet
    and the packets alternate enhanced and simple packet blocks."""
    ethernet = 1 if raw_ip_first else 0
    out = [block(order, 0x0A0D0D0A, struct.pack(order + "IHHq", 0x1A2B3C4D, 1, 0, -1)),
           block(order, 4, struct.pack(order + "HH", 0, 0))]  # name resolution: nothing but its end
    if raw_ip_first:
        out.append(block(order, 1, struct.pack(order + "HHI", 228, 0, 0)))
    out += [block(order, 1, struct.pack(order + "HHI", 1, 0, 0)),  # Ethernet, no snaplen
            block(order, 0x40000BAD, b"not for us")]               # a custom block nobody reads
    for i, (ns, frame) in enumerate(packets):
        if i % 2 and not raw_ip_first:
            out.append(block(order, 3, struct.pack(order + "I", len(frame)) + frame))
        else:
            out.append(block(order, 6, struct.pack(order + "IIIII", ethernet, ns >> 32, ns & 0xFFFFFFFF,
                                                    len(frame), len(frame)) + frame))
    out.append(block(order, 5, struct.pack(order + "III", 0, 0, 0)))  # interface statistics, no options
    return b"".join(out)


def main(pcap, out):
    packets = list(records(pcap))
    header = open(pcap, "rb").read(24)

    with open(out + "/be.pcap", "wb") as f:
        f.write(struct.pack(">IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        for ns, frame in packets:
            f.write(struct.pack(">IIII", ns // 10**9, ns % 10**9 // 1000, len(frame), len(frame)) + frame)

    # Line B's frames tagged 802.1ad then 802.1Q; the big-endian section has both lines, the
    # little-endian one line B alone, so the second half of the session comes only from tagged
    # frames in that byte order. After the first packet: a fragment of another session (skipped,
    # else the journal would be refused), a packet whose count promises a block more than it holds
    # (counted malformed); at the end of the first section a copy of the first packet with other
    # bytes (the first copy wins).
    tagged = [(ns, f[:12] + bytes.fromhex("88a80064810000c8") + f[12:] if f[30:34] == LINE_B else f)
              for ns, f in packets]
    first_ns, first = packets[0]
    elsewhere = struct.pack(">10sQH", b"ELSEWHERE ", 1, 1)
    fragment = with_payload(first, elsewhere + struct.pack(">H", 1) + b"S", fragment=True)
    torn = with_payload(first, first[UDP_PAYLOAD:UDP_PAYLOAD + 18] + struct.pack(">H", 2) + struct.pack(">H", 1) + b"S")
    assert struct.unpack_from(">H", first, UDP_PAYLOAD + 18)[0] > 0, "expected a data packet first"
    later = first[:-1] + bytes([first[-1] ^ 0xFF])
    tagged[1:1] = [(first_ns, fragment), (first_ns, torn)]
    half = len(tagged) // 2
    line_b = [(ns, f) for ns, f in tagged[half:] if f[12:14] == b"\x88\xa8"]
    with open(out + "/mixed.pcapng", "wb") as f:
        f.write(section(">", tagged[:half] + [(first_ns, later)], True) + section("<", line_b, False))

    with open(out + "/two_sessions.pcap", "wb") as f:
        f.write(header)
        for i, (ns, frame) in enumerate(packets):
            if i == 10:
                frame = frame[:UDP_PAYLOAD] + b"ELSEWHERE " + frame[UDP_PAYLOAD + 10:]
            f.write(struct.pack("<IIII", ns // 10**9, ns % 10**9, len(frame), len(frame)) + frame)


main(*sys.argv[1:])
EOF

# ---- running the server ---------------------------------------------------------------------------------

# start_server NAME JOURNAL ARGS...: the server in the namespace, output in NAME.out and NAME.err;
# returns once it is ready (at most 10 s).
start_server() {
  local name=$1 journal=$2 i
  shift 2
  ip netns exec "$ns" python3 "$server" --journal "$journal" "${LINES[@]}" --listen "$LISTEN" \
    --ready-file "$tmp/$name.ready" "$@" >"$tmp/$name.out" 2>"$tmp/$name.err" </dev/null &
  server_pid=$!  # ip netns exec execs: this is the server
  for ((i = 0; i < 100; i++)); do
    [[ -e $tmp/$name.ready ]] && return 0
    kill -0 "$server_pid" 2>/dev/null || { echo "      exited: $(tail -1 "$tmp/$name.err")"; return 1; }
    sleep 0.1
  done
  echo "      not ready in 10 s"
  return 1
}

# stop_server NAME [SIGNAL]: sends SIGNAL (none: waits for the server to leave by itself), waits at
# most 10 s, then kills; the exit status goes to NAME.rc.
stop_server() {
  local name=$1 i rc=0
  [[ -n $server_pid ]] || { echo none >"$tmp/$name.rc"; return 0; }
  if [[ -n ${2:-} ]]; then kill "-$2" "$server_pid" 2>/dev/null || true; fi
  for ((i = 0; i < 100; i++)); do
    kill -0 "$server_pid" 2>/dev/null || break
    sleep 0.1
  done
  kill -KILL "$server_pid" 2>/dev/null || true
  wait "$server_pid" 2>/dev/null || rc=$?
  server_pid=
  echo "$rc" >"$tmp/$name.rc"
}

# client NAME MODE [MAX_MESSAGES MAX_PAYLOAD]: the client's MODE against the server now running.
client() {
  timeout 120 ip netns exec "$ns" python3 "$tmp/client.py" "$2" "${LISTEN#*:}" "$SESSION" "$tmp/msgs.bin" \
    "$tmp/$1.expected" "${3:-100}" "${4:-1400}"
}

ready_is() {  # ready_is NAME: the ready line on stdout and in the ready file
  local want="ready messages=$messages first=1 last=$messages session=$SESSION"
  equals "stdout" "$want" "$(head -1 "$tmp/$1.out")" && equals "ready file" "$want" "$(cat "$tmp/$1.ready")"
}

exited_0() { equals "exit status" 0 "$(cat "$tmp/$1.rc")"; }

counters_are() {  # counters_are NAME: the server's counters are the ones its client expects
  diff <(grep -E "^($COUNTERS)=" "$tmp/$1.out") "$tmp/$1.expected" | sed 's/^/      /'
}

# serve NAME JOURNAL MODE [MAX_MESSAGES MAX_PAYLOAD]: start, ready line, client, SIGTERM, counters.
serve() {
  local name=$1 journal=$2 mode=$3 max_messages=${4:-100} max_payload=${5:-1400}
  check "$name: starts" start_server "$name" "$journal" --max-messages "$max_messages" --max-payload "$max_payload"
  check "$name: ready line" ready_is "$name"
  check "$name: answers ($mode)" client "$name" "$mode" "$max_messages" "$max_payload"
  stop_server "$name" TERM
  check "$name: exit 0 on SIGTERM" exited_0 "$name"
  check "$name: counters" counters_are "$name"
}

# ---- the journals ---------------------------------------------------------------------------------------

python3 "$gen" --seed 7 --messages 3000 --instruments 5 --out "$tmp/feed.pcap" --messages-out "$tmp/msgs.bin" \
  2>"$tmp/gen.summary"
messages=$(grep -oE '(^| )messages=[0-9]+' "$tmp/gen.summary" | cut -d= -f2)
editcap -F pcapng "$tmp/feed.pcap" "$tmp/feed.pcapng"
python3 "$tmp/journals.py" "$tmp/feed.pcap" "$tmp"
head -c -7 "$tmp/feed.pcap" >"$tmp/truncated.pcap"  # inside the last record, an end of session

# ---- serving --------------------------------------------------------------------------------------------

serve pcap "$tmp/feed.pcap" full
serve pcapng "$tmp/feed.pcapng" short 7 9000
serve be_pcap "$tmp/be.pcap" short
serve mixed_pcapng "$tmp/mixed.pcapng" short
check "mixed_pcapng: the malformed packet counted" equals journal_malformed 1 \
  "$(sed -n 's/^journal_malformed=//p' "$tmp/mixed_pcapng.out")"
check "mixed_pcapng: and warned about" grep -q '^mold_rerequest_server: skipped 1 malformed' "$tmp/mixed_pcapng.err"
serve truncated "$tmp/truncated.pcap" short
check "truncated: warned about" grep -q '^mold_rerequest_server: journal truncated inside the record' "$tmp/truncated.err"

check "drop: starts" start_server drop "$tmp/feed.pcap" --drop-first 2 --idle-exit 1
check "drop: first two requests unanswered, the third answered" client drop drop
stop_server drop  # --idle-exit: leaves by itself
check "drop: exit 0 after 1 s idle" exited_0 drop
check "drop: counters" counters_are drop

# ---- refused: one line on stderr, exit 2 ------------------------------------------------------------------

# refused PATTERN ARGS...: the server exits 2 with one line, 'mold_rerequest_server: ' and PATTERN.
refused() {
  local pattern=$1 rc=0
  shift
  timeout 30 python3 "$server" "$@" >/dev/null 2>"$tmp/err" </dev/null || rc=$?
  if [[ $rc != 2 ]] || [[ $(wc -l <"$tmp/err") != 1 ]] || ! grep -q -- "^mold_rerequest_server: .*$pattern" "$tmp/err"; then
    echo "      exit $rc: $(head -3 "$tmp/err")"
    return 1
  fi
}
check "refused: no feed packets" refused "no feed message" --journal "$tmp/feed.pcap" --feed 233.1.1.1:1 --listen "$LISTEN"
check "refused: two sessions" refused "more than one session" --journal "$tmp/two_sessions.pcap" "${LINES[@]}" --listen "$LISTEN"
check "refused: not a journal" refused "neither pcap nor pcapng" --journal "$tmp/msgs.bin" "${LINES[@]}" --listen "$LISTEN"
check "refused: no journal" refused "cannot read journal" --journal "$tmp/none.pcap" "${LINES[@]}" --listen "$LISTEN"
check "refused: a bad endpoint" refused "expected IPV4:PORT" --journal "$tmp/feed.pcap" --feed 233.54.12:1 --listen "$LISTEN"
check "refused: --max-messages 0" refused "--max-messages" --journal "$tmp/feed.pcap" "${LINES[@]}" --listen "$LISTEN" --max-messages 0
check "refused: --max-payload below a message" refused "cannot carry" --journal "$tmp/feed.pcap" "${LINES[@]}" --listen "$LISTEN" --max-payload 40

echo "rerequest_server_test: $passed passed, $failed failed"
((failed == 0))
