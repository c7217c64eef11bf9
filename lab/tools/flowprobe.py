#!/usr/bin/env python3
"""A daemon Rebound knows nothing about, for bench/heal-flow.sh (standard library only).

  flowprobe.py udp-echo ADDR PORT                 echo every datagram back
  flowprobe.py udp-client LPORT ADDR PORT MS      send from the fixed local port LPORT every MS milliseconds
  flowprobe.py tcp-echo ADDR PORT                 echo every line back, one thread per connection
  flowprobe.py tcp-client ADDR PORT MS DEADLINE   one long-lived connection: a request every MS ms, each answer
                                                  awaited up to DEADLINE s (a long-poll's watchdog); on an error
                                                  or the deadline, reconnect at once

Clients print lines like `ping -D -O`: "[UNIX] bytes from ..." for an answer, "[UNIX] no answer yet" for each
period without one, "[UNIX] no answer yet (error ...)" when the connection failed (then "[UNIX] connected from ADDR:PORT").
"""
import select, socket, sys, threading, time

def out(text):
    print(f"[{time.time():.6f}] {text}", flush=True)

def udp_echo(addr, port):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((addr, int(port)))
    while True:
        data, peer = s.recvfrom(2048)
        try:
            s.sendto(data, peer)
        except OSError:
            pass  # e.g. EPERM: the lab drops traffic to a dead WAN's address; a real server would not notice either

def udp_client(lport, addr, port, ms):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("0.0.0.0", int(lport)))
    period = int(ms) / 1000
    answered = True
    seq = 0
    next_send = time.time()
    while True:
        now = time.time()
        if now >= next_send:
            if not answered:
                out("no answer yet")
            try:
                s.sendto(str(seq).encode(), (addr, int(port)))
            except OSError as e:
                out(f"no answer yet (error {e.errno})")
            seq += 1
            answered = False
            next_send = now + period
        r, _, _ = select.select([s], [], [], max(0, next_send - time.time()))
        if r:
            try:
                s.recvfrom(2048)
                answered = True
                out(f"bytes from {addr}:{port}")
            except OSError as e:
                out(f"no answer yet (error {e.errno})")

def tcp_echo(addr, port):
    srv = socket.socket()
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind((addr, int(port)))
    srv.listen(16)
    def serve(c):
        with c:
            while True:
                data = c.recv(2048)
                if not data:
                    return
                c.sendall(data)
    while True:
        c, _ = srv.accept()
        threading.Thread(target=serve, args=(c,), daemon=True).start()

def tcp_client(addr, port, ms, deadline):
    period, deadline = int(ms) / 1000, float(deadline)
    while True:
        try:
            c = socket.create_connection((addr, int(port)), timeout=5)
            out("connected from %s:%d" % c.getsockname())
            while True:
                c.sendall(b"poll\n")
                asked = time.time()
                while True:
                    r, _, _ = select.select([c], [], [], period)
                    if r:
                        if not c.recv(2048):
                            raise OSError(0, "closed by the server")
                        out(f"bytes from {addr}:{port}")
                        break
                    out("no answer yet")
                    if time.time() - asked > deadline:
                        raise OSError(110, "deadline")
                time.sleep(max(0, period - (time.time() - asked)))
        except OSError as e:
            out(f"no answer yet (error {e.errno} {e.strerror})")
            time.sleep(0.05)

if __name__ == "__main__":
    {"udp-echo": udp_echo, "udp-client": udp_client, "tcp-echo": tcp_echo, "tcp-client": tcp_client}[sys.argv[1]](*sys.argv[2:])
