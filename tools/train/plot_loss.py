#!/usr/bin/env python3
"""The loss curve of a training run as an SVG, from its loss.csv: train loss (thin, and its
50-step mean), a held-out column (points) and the learning rate when the CSV has one (right
axis). train-lm's curves have heldout_loss and lr; the MRI trainers' have their own held-out
columns (--heldout heldout_psnr: a metric that is not a loss gets the right axis). Standard
library only.

    tools/train/plot_loss.py RUN/loss.csv OUT.svg [--title TEXT] [--heldout COLUMN] [--ymax Y]
"""
import argparse
import csv


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("csv")
    ap.add_argument("svg")
    ap.add_argument("--title", default="")
    ap.add_argument("--heldout", default="heldout_loss", help="the held-out column drawn as points")
    ap.add_argument("--ymax", type=float, default=0, help="top of the loss axis (0: the largest loss)")
    a = ap.parse_args()
    rows = list(csv.DictReader(open(a.csv)))
    if not rows:
        raise SystemExit(f"error: '{a.csv}' has no rows")
    if a.heldout not in rows[0]:
        raise SystemExit(f"error: '{a.csv}' has no column {a.heldout} (it has {', '.join(rows[0])})")
    step = [int(r["step"]) for r in rows]
    loss = [float(r["loss"]) for r in rows]
    lr = [float(r["lr"]) for r in rows] if "lr" in rows[0] else []
    held = [(int(r["step"]), float(r[a.heldout])) for r in rows if r.get(a.heldout)]
    # A held-out metric that is not a loss (PSNR, SSIM) gets its own axis on the right.
    metric_axis = "loss" not in a.heldout
    mean = [sum(loss[max(0, i - 49):i + 1]) / len(loss[max(0, i - 49):i + 1]) for i in range(len(loss))]
    W, H, L, R, T, B = 900, 480, 70, 80, 40, 50
    x0, x1 = min(step), max(step)
    y0, y1 = 0.0, a.ymax or max(loss) * 1.05
    lr1 = (max(lr) * 1.1 or 1.0) if lr else 1.0
    h0 = min((v for _, v in held), default=0.0)
    h1 = max((v for _, v in held), default=1.0)
    h0, h1 = h0 - 0.1 * (h1 - h0 or 1), h1 + 0.1 * (h1 - h0 or 1)
    X = lambda s: L + (s - x0) / max(1, x1 - x0) * (W - L - R)
    Y = lambda v: T + (1 - (min(v, y1) - y0) / (y1 - y0)) * (H - T - B)
    YL = lambda v: T + (1 - v / lr1) * (H - T - B)
    YH = (lambda v: T + (1 - (v - h0) / (h1 - h0)) * (H - T - B)) if metric_axis else Y
    path = lambda xs, ys, f: " ".join(f"{X(s):.1f},{f(v):.1f}" for s, v in zip(xs, ys))
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" font-family="sans-serif" font-size="12">',
           f'<rect width="{W}" height="{H}" fill="white"/>',
           f'<text x="{W / 2}" y="22" text-anchor="middle" font-size="14">{a.title}</text>']
    for i in range(6):
        k = y0 + i * (y1 - y0) / 5
        out.append(f'<line x1="{L}" x2="{W - R}" y1="{Y(k):.1f}" y2="{Y(k):.1f}" stroke="#ddd"/><text x="{L - 8}" y="{Y(k) + 4:.1f}" text-anchor="end">{k:.3g}</text>')
        if metric_axis and held:
            v = h0 + i * (h1 - h0) / 5
            out.append(f'<text x="{W - R + 8}" y="{YH(v) + 4:.1f}" fill="#d94801">{v:.3g}</text>')
    for k in range(6):
        s = x0 + k * (x1 - x0) / 5
        out.append(f'<text x="{X(s):.1f}" y="{H - B + 18}" text-anchor="middle">{int(s)}</text>')
    out.append(f'<text x="{(L + W - R) / 2}" y="{H - 12}" text-anchor="middle">step</text>')
    out.append(f'<text x="18" y="{H / 2}" transform="rotate(-90 18 {H / 2})" text-anchor="middle">{"loss (nats per token)" if lr else "training loss"}</text>')
    if lr:
        out.append(f'<text x="{W - 18}" y="{H / 2}" transform="rotate(90 {W - 18} {H / 2})" text-anchor="middle">learning rate (max {max(lr):.3g})</text>')
    elif metric_axis:
        out.append(f'<text x="{W - 18}" y="{H / 2}" transform="rotate(90 {W - 18} {H / 2})" text-anchor="middle" fill="#d94801">{a.heldout}</text>')
    out.append(f'<polyline fill="none" stroke="#9ecae1" stroke-width="0.8" points="{path(step, loss, Y)}"/>')
    out.append(f'<polyline fill="none" stroke="#08519c" stroke-width="2" points="{path(step, mean, Y)}"/>')
    if lr:
        out.append(f'<polyline fill="none" stroke="#999" stroke-dasharray="4 3" points="{path(step, lr, YL)}"/>')
    for s, v in held:
        out.append(f'<circle cx="{X(s):.1f}" cy="{YH(v):.1f}" r="4" fill="#d94801"/>')
    legend = [("#9ecae1", "train loss"), ("#08519c", "train loss, mean of 50 steps"), ("#d94801", a.heldout.replace("_", " "))] + ([("#999", "learning rate")] if lr else [])
    for i, (c, t) in enumerate(legend):
        y = T + 14 + 18 * i
        out.append(f'<line x1="{W - R - 210}" x2="{W - R - 185}" y1="{y}" y2="{y}" stroke="{c}" stroke-width="3"/><text x="{W - R - 178}" y="{y + 4}">{t}</text>')
    out.append("</svg>")
    open(a.svg, "w").write("\n".join(out) + "\n")


if __name__ == "__main__":
    main()
