#!/usr/bin/env python3
"""Draws a run's CSV as four bar panels (fan-out deliveries/s, fixed-rate p99, catch-up
changes/s, memory per idle connection), writes it as SVG next to the CSV, and renders
the SVG to PNG with headless Chromium. Standard library only.

    python3 chart.py results/<run>.csv results/<run>.png
"""
import csv
import html
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


def main():
    source, target = sys.argv[1], sys.argv[2]
    with open(source, newline="") as f:
        rows = list(csv.DictReader(f))
    servers = []
    for r in rows:
        if r["server"] not in servers and r["server"] != "syncro-disabled":
            servers.append(r["server"])

    def pick(workload, size_prefix, field):
        sizes = [r["size"] for r in rows if r["workload"] == workload and r["size"].startswith(size_prefix)]
        bars = []
        for s in servers:
            match = [r for r in rows if r["server"] == s and r["workload"] == workload and r["size"].startswith(size_prefix)]
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
    rate, rate_label = pick("fan-out fixed rate", "", "p99ms")
    ks = sorted({r["size"] for r in rows if r["workload"] == "catch-up"}, key=lambda s: int(s.split("=")[1]))
    catch, catch_label = pick("catch-up", ks[-1] if ks else "K=", "changesPerSec")
    conn, conn_label = pick("idle connections", "", "rssKbPerConn")
    heap = {r["server"]: number(r["heapKbPerConn"]) for r in rows if r["workload"] == "idle connections" and r["result"] == "ok"}
    conn = [(s, heap.get(s) if heap.get(s) is not None else v, n) for s, v, n in conn]

    width, height = 1400, 900
    pw, ph = 660, 390
    svg = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" font-family="DejaVu Sans, Arial, sans-serif">',
           '<rect width="100%" height="100%" fill="white"/>',
           f'<text x="30" y="36" font-size="20" font-weight="bold">Syncro and its peers: {html.escape(os.path.basename(source)[:-4])}</text>']
    svg += panel(f"Fan-out, {fan_label}: deliveries per second (higher is better)", "/s", fan, 30, 60, pw, ph)
    svg += panel(f"Fan-out at a fixed rate, {rate_label}: p99 latency (lower is better)", "ms", rate, 720, 60, pw, ph)
    svg += panel(f"Catch-up, {catch_label}: changes per second (higher is better)", "/s", catch, 30, 480, pw, ph)
    svg += panel(f"Idle connections, {conn_label}: KB per connection (heap for Syncro, RSS otherwise)", "KB", conn, 720, 480, pw, ph)
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
