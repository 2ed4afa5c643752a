#!/usr/bin/env python3
"""Helpers for bench/run.sh (Python 3 standard library only).

  report.py threads PID                      print a JSON snapshot of the process's threads: tid -> [name, cpu ticks]
  report.py threaddiff BEFORE AFTER REQUESTS print CPU per thread group between two snapshots (µs per request)
  report.py hot JFR_FILE [TOP [REQUESTS]]    summarise a JFR recording: where the CPU samples go, top frames,
                                             allocation per request, garbage collections
  report.py table RAW_FILE                   print the results table (and targets) from the BENCH lines in RAW_FILE
"""
import collections
import json
import os
import re
import subprocess
import sys

CLK_TCK = os.sysconf("SC_CLK_TCK")


def proc_ticks(stat_text):
    # fields after the last ')' start with the state (field 3); utime and stime are fields 14 and 15
    rest = stat_text[stat_text.rfind(")") + 2:].split()
    return int(rest[11]) + int(rest[12])


def threads(pid):
    out = {}
    base = f"/proc/{pid}/task"
    for tid in os.listdir(base):
        try:
            with open(f"{base}/{tid}/comm") as f:
                name = f.read().strip()
            with open(f"{base}/{tid}/stat") as f:
                out[tid] = [name, proc_ticks(f.read())]
        except OSError:
            pass  # the thread ended meanwhile
    print(json.dumps(out))


def sysstat():
    """Machine-wide busy CPU ticks, and the ticks of all processes named postgres (the shared server)."""
    with open("/proc/stat") as f:
        cpu = [int(x) for x in f.readline().split()[1:]]
    # user nice system idle iowait irq softirq steal ...
    busy = cpu[0] + cpu[1] + cpu[2] + cpu[5] + cpu[6] + (cpu[7] if len(cpu) > 7 else 0)
    pg = 0
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open(f"/proc/{pid}/stat") as f:
                t = f.read()
        except OSError:
            continue
        if t[t.find("(") + 1:t.rfind(")")] == "postgres":
            pg += proc_ticks(t)
    print(f"{busy} {pg}")


def group_name(name):
    # "sluice-proxy-1-2" -> "sluice-proxy-N", "C2 CompilerThre0" -> "C2 CompilerThre" (Linux cuts names at 15 chars)
    n = re.sub(r"(?<=[A-Za-z])\d+$", "", name)
    n = re.sub(r"(?<=[-#\s])\d+", "N", n)
    n = re.sub(r"([-#\s]N)+[-#\s]?$", "-N", n)
    return n.rstrip("-# ") or name


def threaddiff(before_file, after_file, requests):
    with open(before_file) as f:
        before = json.load(f)
    with open(after_file) as f:
        after = json.load(f)
    requests = max(1, int(requests))
    groups = collections.Counter()
    counts = collections.Counter()
    for tid, (name, ticks) in after.items():
        d = ticks - (before.get(tid, [name, 0])[1])
        g = group_name(name)
        groups[g] += d
        counts[g] += 1
    total = sum(groups.values())
    print(f"gateway CPU by thread group over {requests} requests (total {total / CLK_TCK:.2f} s CPU):")
    for g, d in groups.most_common():
        if d <= 0:
            continue
        print(f"  {g:<28} {counts[g]:>3} threads  {d / CLK_TCK:7.2f} s  {100.0 * d / max(1, total):5.1f} %  "
              f"{d / CLK_TCK * 1e6 / requests:7.1f} µs/request")


def hot(jfr_file, top=25, requests=0):
    top = int(top)
    requests = int(requests)
    jfr = os.path.join(os.environ.get("JAVA_HOME", ""), "bin", "jfr") if os.environ.get("JAVA_HOME") else "jfr"
    raw = subprocess.run([jfr, "print", "--json", "--stack-depth", "64", "--events",
                          "jdk.ExecutionSample,jdk.CPUTimeSample,jdk.ThreadAllocationStatistics,jdk.GarbageCollection,"
                          "jdk.GCHeapSummary,jdk.CPUTimeSamplesLost", jfr_file],
                         capture_output=True, text=True, check=True).stdout
    events = json.loads(raw)["recording"]["events"]
    by_type = collections.defaultdict(list)
    for e in events:
        by_type[e["type"]].append(e)
    memory_summary(by_type, requests)
    lost = sum(int(e["values"].get("lostSamples", 0)) for e in by_type.get("jdk.CPUTimeSamplesLost", []))
    if lost:
        print(f"(CPU-time samples lost by JFR: {lost})")
    for etype in ("jdk.CPUTimeSample", "jdk.ExecutionSample"):
        samples = by_type.get(etype, [])
        if not samples:
            continue
        self_counts = collections.Counter()
        incl_counts = collections.Counter()
        first_own = collections.Counter()
        category = collections.Counter()
        thread_counts = collections.Counter()
        for e in samples:
            v = e["values"]
            st = v.get("stackTrace") or {}
            frames = st.get("frames") or []
            names = []
            for fr in frames:
                m = fr.get("method") or {}
                t = (m.get("type") or {}).get("name", "?").replace("/", ".")
                names.append(f"{t}.{m.get('name', '?')}")
            th = v.get("sampledThread") or v.get("eventThread") or {}
            thread_counts[group_name(th.get("javaName") or th.get("osName") or "?")] += 1
            if not names:
                self_counts["<no Java frames>"] += 1
                category["<no Java frames>"] += 1
                continue
            self_counts[names[0]] += 1
            for n in set(names):
                incl_counts[n] += 1
            category[categorise(names)] += 1
            first_own[first_non_jdk(names)] += 1
        n = len(samples)
        print(f"\n{etype}: {n} samples")
        print("  by thread group:")
        for k, c in thread_counts.most_common(8):
            print(f"    {100.0 * c / n:5.1f} %  {k}")
        print("  by what the sampled stack is doing (socket I/O by its JDK frame, everything else by the first")
        print("  non-JDK frame from the top, so e.g. a HashMap lookup counts for the code that called it):")
        for k, c in category.most_common():
            print(f"    {100.0 * c / n:5.1f} %  {k}")
        print(f"  top {top} frames (self):")
        for k, c in self_counts.most_common(top):
            print(f"    {100.0 * c / n:5.1f} %  {k}")
        print(f"  top {top} first non-JDK frames (self time of JDK code charged to its caller):")
        for k, c in first_own.most_common(top):
            print(f"    {100.0 * c / n:5.1f} %  {k}")
        print(f"  top {top} Sluice frames (inclusive):")
        for k, c in [(k, c) for k, c in incl_counts.most_common() if k.startswith("dev.sluice.")][:top]:
            print(f"    {100.0 * c / n:5.1f} %  {k}")


JDK = ("java.", "jdk.", "sun.", "javax.")


def duration_ms(v):
    # JFR JSON durations look like "PT0.001234S"
    if isinstance(v, (int, float)):
        return float(v) / 1e6
    m = re.match(r"PT(?:(\d+)M)?([\d.]+)S", str(v))
    return (int(m.group(1) or 0) * 60 + float(m.group(2))) * 1000 if m else 0.0


def memory_summary(by_type, requests):
    stats = by_type.get("jdk.ThreadAllocationStatistics", [])
    per_thread = {}
    for e in stats:
        v = e["values"]
        th = v.get("thread") or {}
        tid = th.get("javaThreadId") or th.get("osThreadId") or th.get("javaName")
        name = group_name(th.get("javaName") or th.get("osName") or "?")
        lo, hi, _ = per_thread.get(tid, (None, None, name))
        a = int(v.get("allocated", 0))
        per_thread[tid] = (a if lo is None else min(lo, a), a if hi is None else max(hi, a), name)
    groups = collections.Counter()
    for lo, hi, name in per_thread.values():
        groups[name] += hi - lo
    total = sum(groups.values())
    gcs = by_type.get("jdk.GarbageCollection", [])
    heaps = [e["values"] for e in by_type.get("jdk.GCHeapSummary", [])]
    print("\nJava heap allocation during the recording (jdk.ThreadAllocationStatistics, first to last sample per thread):")
    if requests > 0 and total > 0:
        print(f"  total {total / 1e6:.0f} MB, {total / requests / 1024:.1f} KiB per request ({requests} requests)")
        for name, b in groups.most_common(5):
            print(f"    {name:<24} {b / requests / 1024:7.1f} KiB per request")
    if gcs:
        pauses = [duration_ms(e["values"].get("sumOfPauses", 0)) for e in gcs]
        names = collections.Counter(e["values"].get("name", "?") for e in gcs)
        print(f"  garbage collections: {len(gcs)} ({', '.join(f'{k} {c}' for k, c in names.items())}), "
              f"pauses total {sum(pauses):.0f} ms, longest {max(pauses):.1f} ms")
    if heaps:
        committed = max(int((h.get("heapSpace") or {}).get("committedSize", 0)) for h in heaps)
        used = max(int(h.get("heapUsed", 0)) for h in heaps)
        print(f"  heap: committed up to {committed / 1048576:.0f} MB, used up to {used / 1048576:.0f} MB")


def first_non_jdk(names):
    for fr in names:
        if not fr.startswith(JDK):
            return fr
    return names[0]


CATEGORIES = [
    ("socket write (JDK NIO)", ("sun.nio.ch.SocketDispatcher.write", "sun.nio.ch.SocketDispatcher.writev",
                                "sun.nio.ch.IOUtil.write", "sun.nio.ch.SocketChannelImpl.write")),
    ("socket read (JDK NIO)", ("sun.nio.ch.SocketDispatcher.read", "sun.nio.ch.IOUtil.read",
                               "sun.nio.ch.SocketChannelImpl.read")),
    ("selector / epoll (JDK NIO)", ("sun.nio.ch.EPoll", "sun.nio.ch.EPollSelectorImpl", "sun.nio.ch.SelectorImpl")),
    ("request log (JDBC / jOOQ / PostgreSQL driver)", ("org.postgresql.", "org.jooq.", "com.zaxxer.",
                                                       "dev.sluice.adapters.persistence.")),
    ("Sluice: request body / SSE / usage scanning", ("dev.sluice.domain.openai.",)),
    ("Sluice: proxy use case (application)", ("dev.sluice.application.",)),
    ("Sluice: edge / upstream adapters", ("dev.sluice.adapters.edge.", "dev.sluice.adapters.upstream.")),
    ("Netty HTTP codec", ("io.netty.handler.codec.",)),
    ("Netty buffers / allocator", ("io.netty.buffer.",)),
    ("Netty channel pipeline / event loop", ("io.netty.",)),
    ("Micronaut", ("io.micronaut.",)),
    ("Micrometer metrics", ("io.micrometer.",)),
    ("logging", ("ch.qos.logback.", "org.slf4j.")),
]


def categorise(names):
    for fr in names:
        for label, prefixes in CATEGORIES[:3]:  # socket I/O and the selector, by their JDK frames
            if fr.startswith(prefixes):
                return label
        if fr.startswith(JDK):
            continue
        for label, prefixes in CATEGORIES[3:]:
            if fr.startswith(prefixes):
                return label
        return "other: " + fr.rsplit(".", 2)[0]
    return "JDK only"


def parse_raw(path):
    rows = []
    with open(path) as f:
        for line in f:
            if not line.startswith("BENCH "):
                continue
            d = {}
            for tok in line.split()[1:]:
                k, _, v = tok.partition("=")
                d[k] = v
            rows.append(d)
    return rows


def num(d, k, default=float("nan")):
    try:
        return float(d[k])
    except (KeyError, ValueError):
        return default


def table(raw_file):
    rows = parse_raw(raw_file)
    wrk = {(r["target"], int(r["conns"])): r for r in rows if r.get("phase") == "wrk"}
    conns = sorted({c for (_, c) in wrk})
    clk = CLK_TCK

    def lat(r, p):
        # exact (uncorrected) percentiles where wrk could give them, else wrk's own
        if r.get("exact") == "ok":
            return num(r, f"exact_p{p}_us"), "exact"
        return num(r, f"p{p}_us"), "wrk"

    out = []
    out.append("Non-streamed chat completions (wrk, POST /v1/chat/completions, keep-alive):")
    out.append("")
    hdr = ("| connections | direct p50 | gateway p50 | **added p50** | direct p99 | gateway p99 | **added p99** "
           "| direct req/s | gateway req/s | **ratio** | **gateway CPU/req** | stub CPU/req | errors | request-log backlog ² |")
    out.append(hdr)
    out.append("|" + "---:|" * 14)
    results = {}
    for c in conns:
        d, g = wrk.get(("direct", c)), wrk.get(("gateway", c))
        if not d or not g:
            continue
        dp50, src = lat(d, 50)
        gp50, _ = lat(g, 50)
        dp99, _ = lat(d, 99)
        gp99, _ = lat(g, 99)
        ratio = num(g, "rps") / num(d, "rps")
        cpu = num(g, "gw_cpu_ticks") / clk * 1e6 / max(1, num(g, "requests"))
        stub_cpu = num(d, "stub_cpu_ticks") / clk * 1e6 / max(1, num(d, "requests"))
        errors = sum(int(num(x, k, 0)) for x in (d, g) for k in
                     ("non2xx", "errors_connect", "errors_read", "errors_write", "errors_timeout"))
        results[c] = dict(added_p50=gp50 - dp50, added_p99=gp99 - dp99, ratio=ratio, cpu=cpu, src=src)
        mark = "" if src == "exact" else " ¹"
        out.append(f"| {c} | {dp50 / 1000:.3f} ms | {gp50 / 1000:.3f} ms | **{(gp50 - dp50) / 1000:+.3f} ms**{mark} "
                   f"| {dp99 / 1000:.3f} ms | {gp99 / 1000:.3f} ms | **{(gp99 - dp99) / 1000:+.3f} ms**{mark} "
                   f"| {num(d, 'rps'):,.0f} | {num(g, 'rps'):,.0f} | **{ratio:.2f}** | **{cpu:.1f} µs** "
                   f"| {stub_cpu:.1f} µs | {errors} | {g.get('log_pending', 'na')} (stored {g.get('drain_s', '?')} s later) |")
    out.append("")
    out.append("Latencies: every request timed in wrk's Lua script (clock_gettime, matched by X-Request-Id): exact.")
    out.append("¹ marks wrk's own percentiles where exact ones are missing. wrk 'corrects for coordinated omission' by")
    out.append("  adding synthetic samples for slow responses, so on a shared 2-core box a few stalls inflate them; for")
    out.append("  reference, wrk's own p50/p99 were: " + "; ".join(
        f"{c} conn direct {num(wrk[('direct', c)], 'p50_us'):.0f}/{num(wrk[('direct', c)], 'p99_us'):.0f} µs, "
        f"gateway {num(wrk[('gateway', c)], 'p50_us'):.0f}/{num(wrk[('gateway', c)], 'p99_us'):.0f} µs"
        for c in conns if ("direct", c) in wrk and ("gateway", c) in wrk))
    out.append("² records queued for the request log and not yet written to PostgreSQL at the end of the gateway's")
    out.append("  run (Prometheus gauge sluice_request_log_pending); the gateway's CPU is counted until they are stored.")
    ttft = {r["target"]: r for r in rows if r.get("kind") == "ttft"}
    ttft_hot = {r["target"]: r for r in rows if r.get("kind") == "ttft_hot"}
    conc = {r["target"]: r for r in rows if r.get("kind") == "concurrent"}
    mem = next((r for r in rows if r.get("phase") == "rss"), {})
    out.append("")
    if ttft:
        out.append("Streamed chat completions, time to first token (first complete SSE `data:` event), sequential")
        out.append("streams on one keep-alive connection per target, direct and gateway alternating:")
        out.append("")
        out.append("| stub pacing | | n | head p50 | TTFT p50 | TTFT p90 | TTFT p99 |")
        out.append("|---|---|---:|---:|---:|---:|---:|")
        for label, data in (("5 chunks, 1 ms apart", ttft), ("5 chunks, back-to-back", ttft_hot)):
            if not data:
                continue
            d, g = data.get("direct", {}), data.get("gateway", {})
            for name, r in (("direct", d), ("gateway", g)):
                out.append(f"| {label} | {name} | {r.get('n', '?')} (failed {r.get('failed', '?')}) "
                           f"| {num(r, 'head_p50_us') / 1000:.3f} ms | {num(r, 'ttft_p50_us') / 1000:.3f} ms "
                           f"| {num(r, 'ttft_p90_us') / 1000:.3f} ms | {num(r, 'ttft_p99_us') / 1000:.3f} ms |")
            out.append(f"| {label} | **added** | | {(num(g, 'head_p50_us') - num(d, 'head_p50_us')) / 1000:+.3f} ms "
                       f"| **{(num(g, 'ttft_p50_us') - num(d, 'ttft_p50_us')) / 1000:+.3f} ms** "
                       f"| {(num(g, 'ttft_p90_us') - num(d, 'ttft_p90_us')) / 1000:+.3f} ms "
                       f"| {(num(g, 'ttft_p99_us') - num(d, 'ttft_p99_us')) / 1000:+.3f} ms |")
        out.append("")
    for name, r in conc.items():
        out.append(f"Concurrent streams ({name}): {r['completed']}/{r['streams']} completed in {r['duration_s']} s, "
                   f"all in flight at once: {r['all_in_flight_at_once']} "
                   f"(last first event after {r['first_event_max_ms']} ms; {r['events_per_stream']} events per stream)")
    if mem:
        out.append(f"Gateway memory during the 64-connection run: VmRSS max {num(mem, 'rss_max_kb') / 1024:.0f} MB "
                   f"(at the end {num(mem, 'rss_end_kb') / 1024:.0f} MB, VmHWM {num(mem, 'hwm_kb') / 1024:.0f} MB; "
                   f"Java heap committed {num(mem, 'heap_committed_kb') / 1024:.0f} MB; {mem.get('threads', '?')} threads)")
    cont = next((r for r in rows if r.get("phase") == "contention"), None)
    if cont:
        wall = num(cont, "wall_s")
        cap = wall * os.cpu_count() * clk
        share = lambda k: 100.0 * num(cont, k) / cap
        out.append(f"CPU during the measurements ({wall:.0f} s, {os.cpu_count()} cores = 100 %): machine busy "
                   f"{share('busy_ticks'):.0f} %; gateway {share('gw_ticks'):.0f} %, stub {share('stub_ticks'):.0f} %, "
                   f"load generators and helpers {share('tools_ticks'):.0f} %, PostgreSQL (shared server, all databases) "
                   f"{share('pg_ticks'):.0f} %, **other processes {max(0.0, share('other_ticks')):.0f} %**")
    idle = next((r for r in rows if r.get("phase") == "idle"), None)
    if idle:
        out.append(f"Gateway CPU while idle (background work): {num(idle, 'cpu_ms_per_s'):.1f} ms per second")

    # targets
    out.append("")
    out.append("| target | limit | measured | |")
    out.append("|---|---:|---:|---|")

    def row(name, limit, value, ok):
        out.append(f"| {name} | {limit} | {value} | {'met' if ok else '**missed**'} |")

    if 1 in results:
        v = results[1]["added_p50"] / 1000
        row("added p50 latency, 1 connection", "≤ 0.150 ms", f"{v:+.3f} ms", v <= 0.15)
    if 16 in results:
        v = results[16]["cpu"]
        row("gateway CPU per non-streamed request (16 connections)", "≤ 60 µs", f"{v:.1f} µs", v <= 60)
    if ttft:
        v = (num(ttft["gateway"], "ttft_p50_us") - num(ttft["direct"], "ttft_p50_us")) / 1000
        row("added time to first token (p50, paced streams)", "≤ 0.300 ms", f"{v:+.3f} ms", v <= 0.3)
    if mem:
        v = num(mem, "rss_max_kb") / 1024
        row("gateway RSS at 64 connections (max during the run)", "≤ 250 MB", f"{v:.0f} MB", v <= 250)
    if "gateway" in conc:
        r = conc["gateway"]
        row("256 concurrent streams all complete", "256/256", f"{r['completed']}/{r['streams']}",
            r["completed"] == r["streams"])
    print("\n".join(out))


def main():
    cmd = sys.argv[1]
    if cmd == "threads":
        threads(sys.argv[2])
    elif cmd == "sysstat":
        sysstat()
    elif cmd == "threaddiff":
        threaddiff(*sys.argv[2:5])
    elif cmd == "hot":
        hot(*sys.argv[2:5])
    elif cmd == "table":
        table(sys.argv[2])
    else:
        print(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
