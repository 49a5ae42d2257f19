#!/usr/bin/python3
"""Traffic for the link-model guest test (link-models.test.sh): numbered UDP
datagrams carrying their send time, a receiver that records what arrived and
when, and a TCP transfer that must survive a jam on one connection.

  link_traffic.py recv PORT OUT.json DONE [--idle S]  records until DONE exists
                                                     and S seconds passed quietly
  link_traffic.py send HOST PORT COUNT [--size B] [--gap S] [--tos T] [--done DONE]
  link_traffic.py analyze OUT.json bursts|order|rate|spread [--gap X]
  link_traffic.py tcp-server PORT OUT.json
  link_traffic.py tcp-client HOST PORT BYTES READY_FILE GO_FILE
  link_traffic.py tcp-sink PORT OUT.json           bytes received, with when
  link_traffic.py tcp-source HOST PORT SECONDS     sends as fast as TCP lets it (128 KiB buffer)

Both ends run on one guest, so the wall clock is shared: one-way delays are
the kernel's receive timestamp (SO_TIMESTAMPNS, not when Python got to read
it: under emulation that can be milliseconds later) minus the send time.
"""
import json
import os
import socket
import struct
import sys
import time

HEADER = struct.Struct("!Qd")  # sequence number, send time (wall clock)
SO_TIMESTAMPNS = getattr(socket, "SO_TIMESTAMPNS", 35)  # the kernel's receive time
SO_RCVBUFFORCE = getattr(socket, "SO_RCVBUFFORCE", 33)  # root: past rmem_max


def recv(port, out, done, idle=0.5, give_up=60.0):
    """Records until the sender's DONE file exists and nothing came for IDLE
    seconds (a stalled guest must not end the measurement), or GIVE_UP
    seconds of silence. Times are the kernel's receive timestamps."""
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, SO_RCVBUFFORCE, 16 << 20)
    s.setsockopt(socket.SOL_SOCKET, SO_TIMESTAMPNS, 1)
    s.bind(("0.0.0.0", port))
    open(out + ".ready", "w").close()
    s.settimeout(0.1)
    seqs, delays, arrivals = [], [], []
    last = time.monotonic()
    while True:
        try:
            data, ancillary, _, _ = s.recvmsg(65536, 256)
        except socket.timeout:
            quiet = time.monotonic() - last
            if (os.path.exists(done) and quiet > idle) or quiet > give_up:
                break
            continue
        last = time.monotonic()
        now = time.time()
        for level, kind, value in ancillary:
            if level == socket.SOL_SOCKET and kind == SO_TIMESTAMPNS:
                sec, nsec = struct.unpack("qq", value[:16])
                now = sec + nsec / 1e9
        seq, sent = HEADER.unpack_from(data)
        seqs.append(seq)
        delays.append(now - sent)
        arrivals.append(now)
    with open(out, "w") as f:
        json.dump({"seqs": seqs, "delays": delays, "arrivals": arrivals}, f)


def send(host, port, count, size=64, gap=0.0, tos=0, done=None):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    if tos:
        s.setsockopt(socket.IPPROTO_IP, socket.IP_TOS, tos)
    pad = b"\0" * max(0, size - HEADER.size)
    start = time.monotonic()
    for i in range(count):
        if gap:
            # Paced by the clock, not by sleeps that add up.
            delay = start + i * gap - time.monotonic()
            if delay > 0:
                time.sleep(delay)
        while True:
            try:
                s.sendto(HEADER.pack(i, time.time()) + pad, (host, port))
                break
            except (BlockingIOError, OSError):
                time.sleep(0.0005)  # a full queue below us: wait, do not lose it here
    if done:
        open(done, "w").close()


def tcp_server(port, out):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("0.0.0.0", port))
    s.listen(1)
    open(out + ".ready", "w").close()
    s.settimeout(60)
    conn, _ = s.accept()
    conn.settimeout(60)
    total, accepted = 0, 1
    start = time.monotonic()
    while True:
        data = conn.recv(65536)
        if not data:
            break
        total += len(data)
    s.settimeout(0.2)
    try:
        s.accept()
        accepted += 1  # a second connection would be a reconnect
    except socket.timeout:
        pass
    with open(out, "w") as f:
        json.dump({"bytes": total, "connections": accepted,
                   "seconds": time.monotonic() - start}, f)


def tcp_client(host, port, total, ready, go):
    s = socket.create_connection((host, port), timeout=60)
    s.sendall(b"x" * 1000)  # the connection is up before the jam
    open(ready, "w").close()
    deadline = time.monotonic() + 60
    while not os.path.exists(go) and time.monotonic() < deadline:
        time.sleep(0.01)
    s.sendall(b"y" * (total - 1000))
    s.shutdown(socket.SHUT_WR)
    s.settimeout(60)
    s.recv(1)  # until the server closes: everything was read
    s.close()


def tcp_sink(port, out):
    """Records [wall time, bytes so far] after every read until the sender
    closes, for throughput per window (what iperf3 -i reports, without
    iperf3). A stalled reader only moves bytes to a later read: the kernel's
    receive buffer holds them meanwhile."""
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("0.0.0.0", port))
    s.listen(1)
    open(out + ".ready", "w").close()
    s.settimeout(60)
    conn, _ = s.accept()
    conn.settimeout(60)
    total, samples = 0, []
    while True:
        data = conn.recv(1 << 14)  # at 8 Mbit/s a read every ~16 ms at the most
        if not data:
            break
        total += len(data)
        samples.append([time.time(), total])
    with open(out, "w") as f:
        json.dump({"samples": samples}, f)


def tcp_source(host, port, seconds):
    """Sends for SECONDS with a send buffer of 128 KiB (the kernel doubles
    it): enough to keep a link of some Mbit/s busy, too little to overflow the
    shaper's queue, so the receiver sees the link's rate and not TCP's loss
    recovery through a queue of seconds."""
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 128 << 10)
    s.settimeout(60)
    s.connect((host, port))
    chunk = b"z" * (1 << 16)
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        s.sendall(chunk)
    s.close()


def analyze(path, what, gap=0.008):
    """Prints numbers about a receiver's record, space-separated."""
    d = json.load(open(path))
    t, seqs, delays = d["arrivals"], d["seqs"], d["delays"]
    if what == "bursts":  # count, largest, mean ms between their starts
        starts = [0] + [i for i in range(1, len(t)) if t[i] - t[i - 1] > gap]
        sizes = [b - a for a, b in zip(starts, starts[1:] + [len(t)])]
        apart = 1000 * (t[starts[-1]] - t[0]) / max(len(starts) - 1, 1)
        print(len(starts), max(sizes), apart)
    elif what == "order":  # datagrams overtaken by a later one, mean delay ms
        late, highest = 0, -1
        for s in seqs:
            late += s < highest
            highest = max(highest, s)
        print(late, 1000 * sum(delays) / len(delays))
    elif what == "rate":  # bits/s of FRAME-byte frames between first and last
        print((len(t) - 1) * int(gap) * 8 / (t[-1] - t[0]))
    elif what == "spread":  # count, first to last arrival s, shortest delay s
        print(len(t), t[-1] - t[0], min(delays))


def main(argv):
    cmd, args = argv[1], argv[2:]
    opts = {}
    while args and len(args) >= 2 and args[-2].startswith("--"):
        opts[args[-2][2:]] = args[-1]
        args = args[:-2]
    if cmd == "recv":
        recv(int(args[0]), args[1], args[2], float(opts.get("idle", 0.5)))
    elif cmd == "send":
        send(args[0], int(args[1]), int(args[2]), int(opts.get("size", 64)),
             float(opts.get("gap", 0)), int(opts.get("tos", 0)), opts.get("done"))
    elif cmd == "tcp-sink":
        tcp_sink(int(args[0]), args[1])
    elif cmd == "tcp-source":
        tcp_source(args[0], int(args[1]), float(args[2]))
    elif cmd == "analyze":
        analyze(args[0], args[1], float(opts.get("gap", 0.008)))
    elif cmd == "tcp-server":
        tcp_server(int(args[0]), args[1])
    elif cmd == "tcp-client":
        tcp_client(args[0], int(args[1]), int(args[2]), args[3], args[4])
    else:
        sys.exit("unknown command " + cmd)


if __name__ == "__main__":
    main(sys.argv)
