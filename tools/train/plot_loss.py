#!/usr/bin/env python3
"""The loss curve of a train-lm run as an SVG: train loss (thin, and its 50-step mean), held-out
loss (points) and the learning rate (right axis), from the run's loss.csv. Standard library only.

    tools/train/plot_loss.py RUN/loss.csv OUT.svg [--title TEXT]
"""
import argparse
import csv


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("csv")
    ap.add_argument("svg")
    ap.add_argument("--title", default="")
    a = ap.parse_args()
    rows = list(csv.DictReader(open(a.csv)))
    if not rows:
        raise SystemExit(f"error: '{a.csv}' has no rows")
    step = [int(r["step"]) for r in rows]
    loss = [float(r["loss"]) for r in rows]
    lr = [float(r["lr"]) for r in rows]
    held = [(int(r["step"]), float(r["heldout_loss"])) for r in rows if r.get("heldout_loss")]
    mean = [sum(loss[max(0, i - 49):i + 1]) / len(loss[max(0, i - 49):i + 1]) for i in range(len(loss))]
    W, H, L, R, T, B = 900, 480, 70, 80, 40, 50
    x0, x1 = min(step), max(step)
    y0, y1 = 0.0, max(loss) * 1.05
    lr1 = max(lr) * 1.1 or 1.0
    X = lambda s: L + (s - x0) / max(1, x1 - x0) * (W - L - R)
    Y = lambda v: T + (1 - (v - y0) / (y1 - y0)) * (H - T - B)
    YL = lambda v: T + (1 - v / lr1) * (H - T - B)
    path = lambda xs, ys, f: " ".join(f"{X(s):.1f},{f(v):.1f}" for s, v in zip(xs, ys))
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" font-family="sans-serif" font-size="12">',
           f'<rect width="{W}" height="{H}" fill="white"/>',
           f'<text x="{W / 2}" y="22" text-anchor="middle" font-size="14">{a.title}</text>']
    for k in range(0, int(y1) + 1):
        out.append(f'<line x1="{L}" x2="{W - R}" y1="{Y(k):.1f}" y2="{Y(k):.1f}" stroke="#ddd"/><text x="{L - 8}" y="{Y(k) + 4:.1f}" text-anchor="end">{k}</text>')
    for k in range(6):
        s = x0 + k * (x1 - x0) / 5
        out.append(f'<text x="{X(s):.1f}" y="{H - B + 18}" text-anchor="middle">{int(s)}</text>')
    out.append(f'<text x="{(L + W - R) / 2}" y="{H - 12}" text-anchor="middle">step</text>')
    out.append(f'<text x="18" y="{H / 2}" transform="rotate(-90 18 {H / 2})" text-anchor="middle">loss (nats per token)</text>')
    out.append(f'<text x="{W - 18}" y="{H / 2}" transform="rotate(90 {W - 18} {H / 2})" text-anchor="middle">learning rate (max {max(lr):.3g})</text>')
    out.append(f'<polyline fill="none" stroke="#9ecae1" stroke-width="0.8" points="{path(step, loss, Y)}"/>')
    out.append(f'<polyline fill="none" stroke="#08519c" stroke-width="2" points="{path(step, mean, Y)}"/>')
    out.append(f'<polyline fill="none" stroke="#999" stroke-dasharray="4 3" points="{path(step, lr, YL)}"/>')
    for s, v in held:
        out.append(f'<circle cx="{X(s):.1f}" cy="{Y(v):.1f}" r="4" fill="#d94801"/>')
    legend = [("#9ecae1", "train loss"), ("#08519c", "train loss, mean of 50 steps"), ("#d94801", "held-out loss"), ("#999", "learning rate")]
    for i, (c, t) in enumerate(legend):
        y = T + 14 + 18 * i
        out.append(f'<line x1="{W - R - 210}" x2="{W - R - 185}" y1="{y}" y2="{y}" stroke="{c}" stroke-width="3"/><text x="{W - R - 178}" y="{y + 4}">{t}</text>')
    out.append("</svg>")
    open(a.svg, "w").write("\n".join(out) + "\n")


if __name__ == "__main__":
    main()
