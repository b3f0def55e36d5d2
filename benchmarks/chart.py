#!/usr/bin/env python3
"""Draws a run's CSV as four bar panels (fan-out deliveries/s, fixed-rate p99, catch-up
changes/s, memory per idle connection) and, from the latency histograms next to it
(<run>-latency.json), two panels of latency distributions (the fixed-rate rows, or the
first full-speed one), writes it as SVG next to the CSV, and renders the SVG to PNG with
headless Chromium. Standard library only.

    python3 chart.py results/<run>.csv results/<run>.png
"""
import csv
import html
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile

COLORS = {
    "syncro-redis": "#2b6cb0", "syncro-jdbc": "#63b3ed", "baseline": "#718096",
    "socketio": "#dd6b20", "pouchdb": "#38a169", "ywebsocket": "#805ad5", "syncro-disabled": "#a0aec0",
}


def number(value):
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def panel(title, unit, bars, x, y, width, height):
    """bars: list of (label, value or None, note)"""
    out = [f'<text x="{x}" y="{y + 18}" font-size="14" font-weight="bold">{html.escape(title)}</text>']
    values = [v for _, v, _ in bars if v is not None]
    top = max(values) if values else 1
    top = top * 1.15 or 1
    plot_y = y + 34
    plot_h = height - 34
    row_h = plot_h / max(1, len(bars))
    label_w = 130
    bar_w = width - label_w - 120
    for i, (label, value, note) in enumerate(bars):
        by = plot_y + i * row_h
        out.append(f'<text x="{x}" y="{by + row_h * 0.62}" font-size="13">{html.escape(label)}</text>')
        if value is None:
            out.append(f'<text x="{x + label_w}" y="{by + row_h * 0.62}" font-size="13" fill="#c53030">{html.escape(note or "n/a")}</text>')
            continue
        w = max(1, bar_w * value / top)
        color = COLORS.get(label, "#4a5568")
        out.append(f'<rect x="{x + label_w}" y="{by + row_h * 0.15}" width="{w:.1f}" height="{row_h * 0.7:.1f}" fill="{color}"/>')
        text = f"{value:,.1f}" if value < 100 else f"{value:,.0f}"
        out.append(f'<text x="{x + label_w + w + 6}" y="{by + row_h * 0.62}" font-size="13">{text} {html.escape(unit)}</text>')
    return out


def cumulative(sparse, xs):
    """The percent of receipts within each latency of xs (ms), from a sparse histogram
    (bucket, count, bucket, count, ...) of 0.1 ms buckets."""
    pairs = sorted(zip(sparse[0::2], sparse[1::2]))
    total = sum(c for _, c in pairs) or 1
    out, seen, i = [], 0, 0
    for x in xs:
        while i < len(pairs) and pairs[i][0] / 10 <= x:
            seen += pairs[i][1]
            i += 1
        out.append(100 * seen / total)
    return out


def latency_panel(title, lines, x, y, width, height):
    """lines: list of (label, color, dashed, sparse histogram): the percent of receipts
    within x ms, x on a logarithmic axis from 0.1 ms to 10 s."""
    out = [f'<text x="{x}" y="{y + 18}" font-size="14" font-weight="bold">{html.escape(title)}</text>']
    left, top, right, bottom = x + 45, y + 52, x + width - 10, y + height - 30
    lo, hi = -1, 4  # log10 of 0.1 ms and 10 s

    def px(ms):
        return left + (right - left) * (math.log10(max(ms, 0.1)) - lo) / (hi - lo)

    def py(percent):
        return bottom - (bottom - top) * percent / 100

    for decade, label in zip(range(lo, hi + 1), ["0.1 ms", "1 ms", "10 ms", "100 ms", "1 s", "10 s"]):
        gx = px(10 ** decade)
        out.append(f'<line x1="{gx:.1f}" y1="{top}" x2="{gx:.1f}" y2="{bottom}" stroke="#e2e8f0"/>')
        out.append(f'<text x="{gx:.1f}" y="{bottom + 18}" font-size="12" text-anchor="middle">{label}</text>')
    for percent in (0, 25, 50, 75, 100):
        gy = py(percent)
        out.append(f'<line x1="{left}" y1="{gy:.1f}" x2="{right}" y2="{gy:.1f}" stroke="#e2e8f0"/>')
        out.append(f'<text x="{left - 6}" y="{gy + 4:.1f}" font-size="12" text-anchor="end">{percent}%</text>')
    out.append(f'<line x1="{left}" y1="{py(99):.1f}" x2="{right}" y2="{py(99):.1f}" stroke="#a0aec0" stroke-dasharray="2,3"/>')
    out.append(f'<text x="{right - 4}" y="{py(99) + 13:.1f}" font-size="11" text-anchor="end" fill="#718096">99%</text>')
    if not lines:
        out.append(f'<text x="{left + 10}" y="{top + 30}" font-size="13" fill="#c53030">not run</text>')
    xs = [10 ** (lo + (hi - lo) * i / 300) for i in range(301)]
    for i, (label, color, dashed, sparse) in enumerate(lines):
        points = " ".join(f"{px(ms):.1f},{py(p):.1f}" for ms, p in zip(xs, cumulative(sparse, xs)))
        dash = ' stroke-dasharray="6,4"' if dashed else ""
        out.append(f'<polyline points="{points}" fill="none" stroke="{color}" stroke-width="2"{dash}/>')
        # the legend in a row above the plot, where no line runs
        lx = left + 160 * i
        out.append(f'<line x1="{lx}" y1="{y + 32}" x2="{lx + 26}" y2="{y + 32}" stroke="{color}" stroke-width="2"{dash}/>')
        out.append(f'<text x="{lx + 32}" y="{y + 36}" font-size="12">{html.escape(label)}</text>')
    return out


def latency_panels(latency_file):
    """Two (title, lines) of the latency histograms: each fixed-rate size, or the first
    full-speed size when there are fewer than two."""
    if not os.path.exists(latency_file):
        return []
    with open(latency_file) as f:
        histograms = json.load(f)
    panels = []
    for workload in ("fan-out fixed rate", "fan-out full speed"):
        sizes = []
        for h in histograms:
            size = h["size"].replace(" (v1)", "")
            if h["workload"] == workload and size not in sizes:
                sizes.append(size)
        for size in sizes[: 2 - len(panels)]:
            lines = [(h["server"] + (" (v1)" if h["size"].endswith(" (v1)") else ""), COLORS.get(h["server"], "#4a5568"),
                      h["size"].endswith(" (v1)"), h["histogram"])
                     for h in histograms if h["workload"] == workload and h["size"].replace(" (v1)", "") == size]
            panels.append((f"Latency, {workload} {size}: receipts within x", lines))
    return panels


def main():
    source, target = sys.argv[1], sys.argv[2]
    with open(source, newline="") as f:
        rows = list(csv.DictReader(f))
    servers = []
    for r in rows:
        if r["server"] not in servers and r["server"] != "syncro-disabled":
            servers.append(r["server"])

    def pick(workload, size_prefix, field):
        # the row kept on protocol v1 beside Syncro's v2 rows is not a bar of its own
        rows_v2 = [r for r in rows if not r["size"].endswith(" (v1)")]
        sizes = [r["size"] for r in rows_v2 if r["workload"] == workload and r["size"].startswith(size_prefix)]
        bars = []
        for s in servers:
            match = [r for r in rows_v2 if r["server"] == s and r["workload"] == workload and r["size"].startswith(size_prefix)]
            if not match:
                bars.append((s, None, "not run"))
            elif match[-1]["result"] != "ok":
                bars.append((s, None, match[-1]["result"]))
            else:
                bars.append((s, number(match[-1][field]), ""))
        return bars, (sizes[-1] if sizes else size_prefix)

    fan_sizes = sorted({r["size"].split(" ")[0] for r in rows if r["workload"] == "fan-out full speed"},
                       key=lambda s: int(s.split("=")[1]))
    fan_n = "N=1000" if "N=1000" in fan_sizes else (fan_sizes[-1] if fan_sizes else "N=")
    fan, fan_label = pick("fan-out full speed", fan_n + " ", "deliveriesPerSec")
    # the first pair of rate and subscribers, the first latency target
    rate_sizes = [r["size"] for r in rows if r["workload"] == "fan-out fixed rate" and not r["size"].endswith(" (v1)")]
    rate, rate_label = pick("fan-out fixed rate", rate_sizes[0] if rate_sizes else "", "p99ms")
    ks = sorted({r["size"] for r in rows if r["workload"] == "catch-up"}, key=lambda s: int(s.split("=")[1]))
    catch, catch_label = pick("catch-up", ks[-1] if ks else "K=", "changesPerSec")
    conn, conn_label = pick("idle connections", "", "rssKbPerConn")
    heap = {r["server"]: number(r["heapKbPerConn"]) for r in rows if r["workload"] == "idle connections" and r["result"] == "ok"}
    conn = [(s, heap.get(s) if heap.get(s) is not None else v, n) for s, v, n in conn]

    latency = latency_panels(source[:-4] + "-latency.json")
    width, height = 1400, 900 + (420 if latency else 0)
    pw, ph = 660, 390
    svg = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" font-family="DejaVu Sans, Arial, sans-serif">',
           '<rect width="100%" height="100%" fill="white"/>',
           f'<text x="30" y="36" font-size="20" font-weight="bold">Syncro and its peers: {html.escape(os.path.basename(source)[:-4])}</text>']
    svg += panel(f"Fan-out, {fan_label}: deliveries per second (higher is better)", "/s", fan, 30, 60, pw, ph)
    svg += panel(f"Fan-out at a fixed rate, {rate_label}: p99 latency (lower is better)", "ms", rate, 720, 60, pw, ph)
    svg += panel(f"Catch-up, {catch_label}: changes per second (higher is better)", "/s", catch, 30, 480, pw, ph)
    svg += panel(f"Idle connections, {conn_label}: KB per connection (heap for Syncro, RSS otherwise)", "KB", conn, 720, 480, pw, ph)
    for i, (title, lines) in enumerate(latency):
        svg += latency_panel(title, lines, 30 + 690 * i, 900, pw, ph)
    svg.append("</svg>")
    svg_path = target[:-4] + ".svg"
    with open(svg_path, "w") as f:
        f.write("\n".join(svg))
    browser = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
    if not browser:
        print("chart.py: no Chromium to render the PNG; wrote " + svg_path, file=sys.stderr)
        return
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run([browser, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                        f"--user-data-dir={profile}", f"--window-size={width},{height}",
                        f"--screenshot={os.path.abspath(target)}", "file://" + os.path.abspath(svg_path)],
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=60)


if __name__ == "__main__":
    main()
