#!/usr/bin/env python3
"""Streaming client for the Sluice benchmark (Python 3 standard library only).

  ttft        time to first token: sequential streamed chat completions, alternating between the
              targets given (e.g. the gateway and the stub directly), one keep-alive connection per
              target; reports p50/p90/p99 of the time from sending the request to the arrival of
              the first complete SSE `data:` event.
  concurrent  N streams at once (one connection each); reports how many completed with
              `data: [DONE]` and a proper end of the chunked body, the duration, and whether all
              were in flight at the same time (every stream had its first event before any ended).

Every result line starts with BENCH and is `key=value` pairs, for bench/run.sh to collect.

  stream_client.py ttft --target direct=http://127.0.0.1:9090 --target gateway=http://127.0.0.1:8080 \
      --key KEY --n 500 [--warmup 50]
  stream_client.py concurrent --target gateway=http://127.0.0.1:8080 --key KEY --n 256 \
      --chunks 20 --delay-ms 50
"""
import argparse
import asyncio
import json
import socket
import sys
import time
from urllib.parse import urlsplit

PATH = "/v1/chat/completions"


def body(model, chunks=None, delay_ms=None):
    b = {
        "model": model,
        "stream": True,
        "messages": [
            {"role": "system", "content": "You are a helpful assistant."},
            {"role": "user", "content": "Say hello to the benchmark in one short sentence, please."},
        ],
        "max_tokens": 64,
    }
    # read by the stub only; the gateway passes unknown fields through untouched
    if chunks is not None:
        b["stub_chunks"] = chunks
    if delay_ms is not None:
        b["stub_delay_ms"] = delay_ms
    return json.dumps(b, separators=(",", ":")).encode()


def request_bytes(host, port, key, payload):
    head = (
        f"POST {PATH} HTTP/1.1\r\nHost: {host}:{port}\r\nContent-Type: application/json\r\n"
        f"Accept: text/event-stream\r\nAuthorization: Bearer {key}\r\nContent-Length: {len(payload)}\r\n\r\n"
    )
    return head.encode() + payload


class ResponseParser:
    """Incremental HTTP/1.1 response parser (chunked or Content-Length bodies)."""

    def __init__(self):
        self.buf = b""
        self.status = None
        self.chunked = False
        self.length = None
        self.in_head = True
        self.chunk_left = None  # bytes left in the current chunk (None: expecting a size line)
        self.body = bytearray()
        self.done = False
        self.first_event = False

    def feed(self, data):
        self.buf += data
        if self.in_head:
            end = self.buf.find(b"\r\n\r\n")
            if end < 0:
                return
            head = self.buf[:end].decode("latin-1").split("\r\n")
            self.buf = self.buf[end + 4:]
            self.in_head = False
            self.status = int(head[0].split(" ")[1])
            for line in head[1:]:
                name, _, value = line.partition(":")
                name = name.strip().lower()
                if name == "transfer-encoding" and "chunked" in value.lower():
                    self.chunked = True
                elif name == "content-length":
                    self.length = int(value.strip())
        if self.chunked:
            while True:
                if self.chunk_left is None:
                    nl = self.buf.find(b"\r\n")
                    if nl < 0:
                        break
                    size = int(self.buf[:nl].split(b";")[0], 16)
                    self.buf = self.buf[nl + 2:]
                    if size == 0:
                        # no trailers are expected: the terminating CRLF follows
                        if len(self.buf) >= 2:
                            self.buf = self.buf[2:]
                            self.done = True
                        else:
                            self.chunk_left = -1
                        break
                    self.chunk_left = size
                if self.chunk_left == -1:
                    if len(self.buf) >= 2:
                        self.buf = self.buf[2:]
                        self.done = True
                    break
                if len(self.buf) < self.chunk_left + 2:
                    break
                self.body += self.buf[: self.chunk_left]
                self.buf = self.buf[self.chunk_left + 2:]
                self.chunk_left = None
        else:
            self.body += self.buf
            self.buf = b""
            if self.length is not None and len(self.body) >= self.length:
                self.done = True
        if not self.first_event:
            i = self.body.find(b"data:")
            if i >= 0 and self.body.find(b"\n\n", i) >= 0:
                self.first_event = True


def percentile(values, p):
    s = sorted(values)
    if not s:
        return float("nan")
    k = max(0, min(len(s) - 1, int(round(p / 100.0 * len(s) + 0.5)) - 1))
    return s[k]


class SyncTarget:
    def __init__(self, name, url, key, payload):
        u = urlsplit(url)
        self.name, self.host, self.port = name, u.hostname, u.port
        self.req = request_bytes(self.host, self.port, key, payload)
        self.sock = None
        self.ttft = []
        self.ttfb = []
        self.total = []
        self.failed = 0

    def connect(self):
        self.sock = socket.create_connection((self.host, self.port))
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def one(self, record):
        if self.sock is None:
            self.connect()
        p = ResponseParser()
        t0 = time.perf_counter()
        self.sock.sendall(self.req)
        first = head = None
        while not p.done:
            data = self.sock.recv(65536)
            if not data:
                break
            p.feed(data)
            if head is None and not p.in_head:
                head = time.perf_counter()
            if first is None and p.first_event:
                first = time.perf_counter()
        end = time.perf_counter()
        ok = p.done and p.status == 200 and b"data: [DONE]" in p.body and first is not None
        if not p.done:
            self.sock.close()
            self.sock = None
        if record:
            if ok:
                self.ttft.append((first - t0) * 1e6)
                self.ttfb.append((head - t0) * 1e6)
                self.total.append((end - t0) * 1e6)
            else:
                self.failed += 1
        return ok


def ttft(args):
    targets = []
    for spec in args.target:
        name, _, url = spec.partition("=")
        targets.append(SyncTarget(name, url, args.key, body(args.model, args.chunks, args.delay_ms)))
    for i in range(args.warmup):
        for t in targets:
            t.one(False)
    for i in range(args.n):
        # alternate (and swap the order every round) so that both targets see the same noise
        order = targets if i % 2 == 0 else list(reversed(targets))
        for t in order:
            t.one(True)
    for t in targets:
        print(
            f"BENCH kind=ttft target={t.name} n={len(t.ttft)} failed={t.failed} "
            f"ttft_p50_us={percentile(t.ttft, 50):.0f} ttft_p90_us={percentile(t.ttft, 90):.0f} "
            f"ttft_p99_us={percentile(t.ttft, 99):.0f} head_p50_us={percentile(t.ttfb, 50):.0f} "
            f"total_p50_us={percentile(t.total, 50):.0f}",
            flush=True,
        )


async def one_stream(host, port, req, start_gate, results, idx, timeout):
    first = end = None
    ok = False
    try:
        reader, writer = await asyncio.wait_for(asyncio.open_connection(host, port), timeout)
        await start_gate.wait()
        writer.write(req)
        p = ResponseParser()
        while not p.done:
            data = await asyncio.wait_for(reader.read(65536), timeout)
            if not data:
                break
            p.feed(data)
            if first is None and p.first_event:
                first = time.perf_counter()
        end = time.perf_counter()
        ok = p.done and p.status == 200 and b"data: [DONE]" in p.body
        writer.close()
    except (OSError, asyncio.TimeoutError):
        end = time.perf_counter()
    results[idx] = (ok, first, end)


async def concurrent_main(args):
    name, _, url = args.target[0].partition("=")
    u = urlsplit(url)
    req = request_bytes(u.hostname, u.port, args.key, body(args.model, args.chunks, args.delay_ms))
    results = [None] * args.n
    gate = asyncio.Event()
    tasks = [asyncio.create_task(one_stream(u.hostname, u.port, req, gate, results, i, args.timeout))
             for i in range(args.n)]
    await asyncio.sleep(0.5)  # let every connection open first
    t0 = time.perf_counter()
    gate.set()
    try:
        await asyncio.wait_for(asyncio.gather(*tasks), args.timeout + 5)
    except asyncio.TimeoutError:
        pass
    done = [r for r in results if r is not None]
    completed = sum(1 for r in done if r[0])
    firsts = [r[1] for r in done if r[1] is not None]
    ends = [r[2] for r in done if r[0]]
    duration = (max(r[2] for r in done) - t0) if done else float("nan")
    overlap = bool(firsts) and bool(ends) and len(firsts) == args.n and max(firsts) < min(ends)
    print(
        f"BENCH kind=concurrent target={name} streams={args.n} completed={completed} "
        f"duration_s={duration:.2f} all_in_flight_at_once={'yes' if overlap else 'no'} "
        f"first_event_max_ms={(max(firsts) - t0) * 1000 if firsts else float('nan'):.1f} "
        f"events_per_stream={args.chunks + 3 if args.chunks else 'default'}",
        flush=True,
    )
    return completed == args.n


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("mode", choices=["ttft", "concurrent"])
    ap.add_argument("--target", action="append", required=True, help="name=http://host:port")
    ap.add_argument("--key", default="none")
    ap.add_argument("--model", default="bench-model")
    ap.add_argument("--n", type=int, default=500)
    ap.add_argument("--warmup", type=int, default=50)
    ap.add_argument("--chunks", type=int, default=None, help="stub: content chunks per stream")
    ap.add_argument("--delay-ms", type=int, default=None, help="stub: delay between chunks")
    ap.add_argument("--timeout", type=float, default=60.0)
    args = ap.parse_args()
    if args.mode == "ttft":
        ttft(args)
        return 0
    return 0 if asyncio.run(concurrent_main(args)) else 1


if __name__ == "__main__":
    sys.exit(main())
