#!/usr/bin/python3
"""A delay line for the lab: accepts each packet of an NFQUEUE queue a fixed time after it arrived.

The lab machines' kernel has no sch_netem; nfnetlink_queue is there. An iptables rule
(-j NFQUEUE --queue-num N --queue-bypass) hands packets to this process, which keeps only their ids
(copy mode "meta": no payload is copied) and gives the verdict ACCEPT DELAY ms later, in arrival
order. Plain netlink, standard library only, so it runs on any Debian python3.

Usage: delayq.py --queue N --delay-ms MS   (prints "bound queue N delay MS ms" once it is ready)
"""

import argparse
import collections
import os
import select
import signal
import socket
import struct
import sys
import time

NETLINK_NETFILTER = 12
NFNL_SUBSYS_QUEUE = 3
NFQNL_MSG_PACKET, NFQNL_MSG_VERDICT, NFQNL_MSG_CONFIG, NFQNL_MSG_VERDICT_BATCH = 0, 1, 2, 3
NFQA_CFG_CMD, NFQA_CFG_PARAMS, NFQA_CFG_QUEUE_MAXLEN = 1, 2, 3
NFQNL_CFG_CMD_BIND = 1
NFQNL_COPY_META = 1
NFQA_PACKET_HDR, NFQA_VERDICT_HDR = 1, 2
NF_ACCEPT = 1
NLM_F_REQUEST, NLM_F_ACK = 0x1, 0x4
NLMSG_ERROR = 2
QUEUE_MAXLEN = 8192


class Stopping(Exception):
    pass


def attr(kind, payload):
    length = 4 + len(payload)
    return struct.pack("=HH", length, kind) + payload + b"\0" * ((4 - length % 4) % 4)


class Queue:
    def __init__(self, number):
        self.number = number
        self.seq = 0
        self.sock = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_NETFILTER)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8 << 20)
        self.sock.bind((0, 0))

    def send(self, msg_type, attrs, flags=NLM_F_REQUEST):
        self.seq += 1
        body = struct.pack("!BBH", socket.AF_UNSPEC, 0, self.number) + b"".join(attrs)
        header = struct.pack("=IHHII", 16 + len(body), (NFNL_SUBSYS_QUEUE << 8) | msg_type, flags, self.seq, 0)
        self.sock.send(header + body)

    def configure(self, attrs):
        self.send(NFQNL_MSG_CONFIG, attrs, NLM_F_REQUEST | NLM_F_ACK)
        data = self.sock.recv(65536)
        length, kind = struct.unpack_from("=IH", data)
        if kind == NLMSG_ERROR:
            (error,) = struct.unpack_from("=i", data, 16)
            if error != 0:
                raise OSError(-error, os.strerror(-error))

    def bind(self):
        self.configure([attr(NFQA_CFG_CMD, struct.pack("!BBH", NFQNL_CFG_CMD_BIND, 0, socket.AF_INET))])
        self.configure([attr(NFQA_CFG_PARAMS, struct.pack("!IB", 0, NFQNL_COPY_META))])
        self.configure([attr(NFQA_CFG_QUEUE_MAXLEN, struct.pack("!I", QUEUE_MAXLEN))])

    def accept_through(self, packet_id):
        """ACCEPT every queued packet with an id up to packet_id (ids grow in arrival order)."""
        self.send(NFQNL_MSG_VERDICT_BATCH, [attr(NFQA_VERDICT_HDR, struct.pack("!II", NF_ACCEPT, packet_id))])

    def packet_ids(self, data):
        """The ids of the queued packets in one netlink datagram."""
        offset = 0
        while offset + 16 <= len(data):
            length, kind = struct.unpack_from("=IH", data, offset)
            if length < 16:
                break
            if kind == (NFNL_SUBSYS_QUEUE << 8) | NFQNL_MSG_PACKET:
                a = offset + 20  # netlink header + nfgenmsg
                while a + 4 <= offset + length:
                    alen, atype = struct.unpack_from("=HH", data, a)
                    if alen < 4:
                        break
                    if atype & 0x7FFF == NFQA_PACKET_HDR:
                        yield struct.unpack_from("!I", data, a + 4)[0]
                    a += (alen + 3) & ~3
            offset += (length + 3) & ~3


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--queue", type=int, required=True)
    parser.add_argument("--delay-ms", type=float, required=True)
    args = parser.parse_args()
    delay = args.delay_ms / 1000.0

    queue = Queue(args.queue)
    queue.bind()
    pending = collections.deque()  # (due time, packet id), in arrival order

    def stop(*_):
        raise Stopping()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    print(f"bound queue {args.queue} delay {args.delay_ms} ms", flush=True)

    try:
        while True:
            timeout = max(0.0, pending[0][0] - time.monotonic()) if pending else 1.0
            if select.select([queue.sock], [], [], timeout)[0]:
                try:
                    data = queue.sock.recv(1 << 20)
                except OSError as e:  # ENOBUFS: the kernel dropped messages; go on with what comes
                    print(f"recv: {e}", file=sys.stderr, flush=True)
                    data = b""
                arrived = time.monotonic()
                for packet_id in queue.packet_ids(data):
                    pending.append((arrived + delay, packet_id))
            now = time.monotonic()
            last = None
            while pending and pending[0][0] <= now:
                last = pending.popleft()[1]
            if last is not None:
                queue.accept_through(last)
    except Stopping:
        # Leaving: let everything still held go at once rather than be dropped with the queue.
        if pending:
            queue.accept_through(pending[-1][1])

if __name__ == "__main__":
    main()
