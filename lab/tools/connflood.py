#!/usr/bin/env python3
"""Connection floods for bench/hostile.sh (standard library only): what a hostile local user can do.

  connflood.py --tcp ADDR:PORT [--unix PATH] [--per-wave N] [--unix-per-wave M] [--every S] [--waves W]

Every S seconds opens N TCP connections (non-blocking connect) to ADDR:PORT and M to the unix socket PATH, and
never closes any of them (nor sends or reads anything). Raises its own descriptor limit to the hard limit; when
near it, the oldest wave is closed to make room. Prints one line per wave: "[UNIX] wave I tcp N unix M held H".
"""
import argparse, errno, resource, socket, time

def main():
    p = argparse.ArgumentParser()
    p.add_argument("--tcp", required=True)
    p.add_argument("--unix")
    p.add_argument("--per-wave", type=int, default=1500)
    p.add_argument("--unix-per-wave", type=int, default=200)
    p.add_argument("--every", type=float, default=4.0)
    p.add_argument("--waves", type=int, default=12)
    a = p.parse_args()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    host, port = a.tcp.rsplit(":", 1)
    waves, held = [], 0
    for i in range(a.waves):
        start = time.monotonic()
        while waves and held + a.per_wave + a.unix_per_wave > hard - 100:
            for s in waves.pop(0):
                s.close()
                held -= 1
        wave, tcp, unix = [], 0, 0
        for _ in range(a.per_wave):
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.setblocking(False)
            wave.append(s)
            if s.connect_ex((host, int(port))) in (0, errno.EINPROGRESS):
                tcp += 1
        for _ in range(a.unix_per_wave if a.unix else 0):
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            s.setblocking(False)
            wave.append(s)
            if s.connect_ex(a.unix) == 0:  # a full backlog refuses at once (EAGAIN)
                unix += 1
        waves.append(wave)
        held += len(wave)
        print(f"[{time.time():.6f}] wave {i} tcp {tcp} unix {unix} held {held}", flush=True)
        time.sleep(max(0.0, a.every - (time.monotonic() - start)))

if __name__ == "__main__":
    main()
