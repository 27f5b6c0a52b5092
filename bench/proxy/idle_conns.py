#!/usr/bin/env python3
"""Memory per idle keep-alive connection: opens N connections to HOST:PORT, sends one keep-alive
request on each and reads the answer, then leaves them open; prints the server's RSS growth / N."""
import socket, sys, time

def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError("no VmRSS")

def main():
    host, port, pid, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    path = sys.argv[5] if len(sys.argv) > 5 else "/healthz"
    req = f"GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: keep-alive\r\n\r\n".encode()
    warm = []
    for _ in range(50):  # warm up allocator pools before the baseline
        s = socket.create_connection((host, port)); s.sendall(req); s.recv(65536); warm.append(s)
    for s in warm: s.close()
    time.sleep(0.5)
    before = rss_kib(pid)
    socks = []
    for _ in range(n):
        s = socket.create_connection((host, port))
        s.sendall(req)
        data = b""
        while b"\r\n\r\n" not in data:
            data += s.recv(65536)
        socks.append(s)
    time.sleep(1.0)
    after = rss_kib(pid)
    per = (after - before) * 1024 / n
    print(f"{n} idle keep-alive connections: RSS {before} KiB -> {after} KiB, {per:.0f} bytes per connection")
    for s in socks: s.close()

main()
