#!/usr/bin/python3
"""tests/reliability/netprobe.py - the traffic of tests/reliability/
service_flood.sh, run INSIDE a lab's namespace (`ip netns exec
psclab-<lab>-<node> python3 netprobe.py ...`), never in the host's.  Only the
standard library (no dig/drill/dnspython on this machine): a DNS query is
written by hand (RFC 1035 header + one question, optional EDNS OPT), an
answer read back just enough to check it (id, rcode, AA, the A records).
Every mode is bounded in count and in seconds; each prints one line
"key=value ..." that the shell test reads.

  query NAME [udp|tcp]                  one A query; rcode, aa, the addresses
  flood N SECONDS NAMES...              N UDP queries pipelined (64 in
                                        flight), stops at SECONDS; counts
                                        the answers and the correct ones
  garbage-udp HOST PORT N SECONDS       N random datagrams, 0..1400 bytes
  garbage-tcp HOST PORT N SECONDS       N connections, random bytes each
  malformed                             truncated and oversize messages,
                                        UDP and TCP, one line per case
  tcp-hold N SECONDS NAME               N idle TCP connections to the stub
                                        held for SECONDS; meanwhile one UDP
                                        and one TCP query
  garbage-server PORT SECONDS           accept on PORT, answer random bytes
"""
import os
import random
import select
import socket
import struct
import sys
import time

STUB = ("169.254.169.254", 53)
RNG = random.Random(int(os.environ.get("RELIABILITY_SEED", "1")))


def encode_name(name):
    out = b""
    for label in name.rstrip(".").split("."):
        out += bytes([len(label)]) + label.encode()
    return out + b"\0"


def query_msg(qid, name, qtype=1, edns=None, qdcount=1, extra=b""):
    hdr = struct.pack(">HHHHHH", qid, 0x0100, qdcount, 0, 0,
                      1 if edns else 0)
    msg = hdr + encode_name(name) + struct.pack(">HH", qtype, 1)
    if edns:
        msg += b"\0" + struct.pack(">HHIH", 41, edns, 0, 0)
    return msg + extra


def skip_name(buf, off):
    while off < len(buf):
        n = buf[off]
        if n == 0:
            return off + 1
        if n & 0xC0 == 0xC0:
            return off + 2
        off += 1 + n
    raise ValueError("name runs past the end")


def parse_answer(buf):
    """(id, rcode, aa, [addresses]) of an answer"""
    qid, flags, qd, an, _, _ = struct.unpack(">HHHHHH", buf[:12])
    off = 12
    for _ in range(qd):
        off = skip_name(buf, off) + 4
    addrs = []
    for _ in range(an):
        off = skip_name(buf, off)
        rtype, _, _, rdlen = struct.unpack(">HHIH", buf[off:off + 10])
        off += 10
        if rtype == 1 and rdlen == 4:
            addrs.append(socket.inet_ntoa(buf[off:off + 4]))
        off += rdlen
    return qid, flags & 0xF, bool(flags & 0x0400), addrs


def recv_exact(s, n):
    data = b""
    while len(data) < n:
        part = s.recv(n - len(data))
        if not part:
            raise ConnectionError("closed after %d of %d bytes"
                                  % (len(data), n))
        data += part
    return data


def tcp_exchange(msg, timeout=2.0):
    with socket.create_connection(STUB, timeout=timeout) as s:
        s.sendall(struct.pack(">H", len(msg)) + msg)
        n = struct.unpack(">H", recv_exact(s, 2))[0]
        return recv_exact(s, n)


def udp_exchange(msg, timeout=2.0):
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.settimeout(timeout)
        s.sendto(msg, STUB)
        return s.recv(65535)


def show(qid, ans):
    rid, rcode, aa, addrs = parse_answer(ans)
    return "answered=1 id_ok=%d rcode=%d aa=%d a=%s" % (
        rid == qid, rcode, aa, ",".join(addrs) or "-")


def mode_query(name, proto="udp"):
    qid = RNG.randrange(65536)
    try:
        ex = tcp_exchange if proto == "tcp" else udp_exchange
        print(show(qid, ex(query_msg(qid, name))))
    except (OSError, ValueError, ConnectionError) as e:
        print("answered=0 error=%s" % str(e).replace(" ", "_"))
        return 1
    return 0


def mode_flood(n, seconds, names):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setblocking(False)
    want, sent, answered, correct = {}, 0, 0, 0
    t0 = time.monotonic()
    end = t0 + seconds
    while time.monotonic() < end and (sent < n or want):
        while sent < n and len(want) < 64:
            qid = sent % 65536
            name = names[sent % len(names)]
            s.sendto(query_msg(qid, name), STUB)
            want[qid] = time.monotonic()
            sent += 1
        r, _, _ = select.select([s], [], [], 0.2)
        while r:
            try:
                buf = s.recv(65535)
            except BlockingIOError:
                break
            rid, rcode, _, addrs = parse_answer(buf)
            if want.pop(rid, None) is not None:
                answered += 1
                correct += rcode == 0 and addrs == [EXPECT]
        now = time.monotonic()
        for qid in [q for q, t in want.items() if now - t > 1.0]:
            del want[qid]     # lost: counted as unanswered
    print("sent=%d answered=%d correct=%d seconds=%.2f" % (
        sent, answered, correct, time.monotonic() - t0))
    return 0


def mode_garbage_udp(host, port, n, seconds):
    end, sent = time.monotonic() + seconds, 0
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        while sent < n and time.monotonic() < end:
            try:
                s.sendto(RNG.randbytes(RNG.randrange(1401)), (host, port))
            except OSError:
                pass          # ENOBUFS / refused: the next one
            sent += 1
    print("sent=%d" % sent)
    return 0


def mode_garbage_tcp(host, port, n, seconds):
    end, done, refused = time.monotonic() + seconds, 0, 0
    while done < n and time.monotonic() < end:
        done += 1
        try:
            with socket.create_connection((host, port), timeout=1) as s:
                s.sendall(RNG.randbytes(RNG.randrange(1, 4097)))
                s.settimeout(0.01)
                try:
                    s.recv(65535)
                except OSError:
                    pass
        except OSError:
            refused += 1
    print("connections=%d failed=%d" % (done, refused))
    return 0


def malformed_cases():
    q = query_msg(0x1111, "b1." + ZONE)
    return [
        ("empty", b""),
        ("5-byte-header", q[:5]),
        ("header-only", q[:12]),
        ("question-cut", q[:20]),
        ("qdcount-5-one-question", query_msg(0x2222, "b1." + ZONE,
                                             qdcount=5)),
        ("label-past-end", q[:12] + b"\x3f" + b"a" * 10),
        ("pointer-loop", q[:12] + b"\xc0\x0c" + b"\0\x01\0\x01"),
        ("pointer-forward", q[:12] + b"\xc0\xff" + b"\0\x01\0\x01"),
        ("label-64", query_msg(0x3333, "a" * 63 + "b." + ZONE)),
        ("name-300", q[:12] + (b"\x3f" + b"a" * 63) * 5 + b"\0\0\1\0\1"),
        ("answer-bit-set", q[:2] + b"\x81\x00" + q[4:]),
        ("axfr", query_msg(0x4444, ZONE, qtype=252)),
        ("edns-65535", query_msg(0x5555, "b1." + ZONE, edns=65535)),
        ("trailing-60000", q + RNG.randbytes(60000)),
        ("oversize-65000", RNG.randbytes(65000)),
    ]


def try_case(proto, msg):
    if proto == "udp":
        if len(msg) > 65507:
            return "not-sent"
        try:
            ans = udp_exchange(msg, timeout=0.5)
        except OSError:
            return "no-answer"
    else:
        if len(msg) > 65535:
            return "not-sent"
        try:
            ans = tcp_exchange(msg, timeout=0.5)
        except (OSError, ConnectionError):
            return "closed-or-none"
    if len(ans) < 12:
        return "short-answer"
    return "rcode=%d" % (ans[3] & 0xF)


def tcp_frame_attacks():
    """a frame announced at 65535 bytes then cut; a zero-length frame"""
    out = []
    for label, data in (("frame-65535-cut", b"\xff\xff" + b"x" * 100),
                        ("frame-0", b"\0\0")):
        try:
            with socket.create_connection(STUB, timeout=1) as s:
                s.sendall(data)
        except OSError as e:
            out.append("%s=%s" % (label, e.__class__.__name__))
            continue
        out.append("%s=sent" % label)
    return out


def mode_malformed():
    for label, msg in malformed_cases():
        print("case=%s udp=%s tcp=%s" % (label, try_case("udp", msg),
                                         try_case("tcp", msg)))
    print(" ".join(tcp_frame_attacks()))
    return 0


def mode_tcp_hold(n, seconds, name):
    held = []
    for _ in range(n):
        try:
            held.append(socket.create_connection(STUB, timeout=1))
        except OSError:
            break
    time.sleep(0.3)
    rc_udp = mode_query(name, "udp")
    rc_tcp = mode_query(name, "tcp")
    time.sleep(max(0.0, seconds - 0.3))
    for s in held:
        s.close()
    print("held=%d udp_ok=%d tcp_ok=%d" % (len(held), rc_udp == 0,
                                          rc_tcp == 0))
    return 0


def mode_garbage_server(port, seconds):
    end, served = time.monotonic() + seconds, 0
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as ls:
        ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        ls.bind(("0.0.0.0", port))
        ls.listen(128)
        while time.monotonic() < end:
            r, _, _ = select.select([ls], [], [], 0.2)
            if not r:
                continue
            c, _ = ls.accept()
            try:
                c.setblocking(False)
                c.send(RNG.randbytes(RNG.randrange(1, 2048)))
            except OSError:
                pass
            c.close()
            served += 1
    print("served=%d" % served)
    return 0


ZONE = os.environ.get("NETPROBE_ZONE", "abc.us-west1.gcp.3199745.tidbcloud.com")
EXPECT = os.environ.get("NETPROBE_EXPECT", "172.16.0.10")


def main(argv):
    mode, a = argv[1], argv[2:]
    if mode == "query":
        return mode_query(a[0], a[1] if len(a) > 1 else "udp")
    if mode == "flood":
        return mode_flood(int(a[0]), float(a[1]), a[2:])
    if mode == "garbage-udp":
        return mode_garbage_udp(a[0], int(a[1]), int(a[2]), float(a[3]))
    if mode == "garbage-tcp":
        return mode_garbage_tcp(a[0], int(a[1]), int(a[2]), float(a[3]))
    if mode == "malformed":
        return mode_malformed()
    if mode == "tcp-hold":
        return mode_tcp_hold(int(a[0]), float(a[1]), a[2])
    if mode == "garbage-server":
        return mode_garbage_server(int(a[0]), float(a[1]))
    print("netprobe.py: unknown mode %s" % mode, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
