#!/usr/bin/python3
"""Turn tapegrad-word2vec's --log CSV into an SVG loss curve (standard library only).

  scripts/plot_loss.py train.csv loss.svg [--title TEXT]

The CSV has the columns tokens,loss,lr,words_per_sec; the picture shows the
moving-average loss against tokens read, with the learning rate as a dashed line
on a second axis.
"""
import argparse
import csv
import sys


def nice_ticks(lo, hi, count=5):
    if hi <= lo:
        hi = lo + 1.0
    raw = (hi - lo) / count
    magnitude = 10 ** len(str(int(raw))) / 10 if raw >= 1 else 1.0
    while magnitude > raw:
        magnitude /= 10
    for step in (1, 2, 5, 10):
        if raw <= step * magnitude:
            step *= magnitude
            break
    first = (lo // step) * step
    ticks = []
    value = first
    while value <= hi + 1e-12:
        if value >= lo - 1e-12:
            ticks.append(value)
        value += step
    return ticks


def label(value):
    if abs(value) >= 1e6:
        return f"{value / 1e6:g}M"
    if abs(value) >= 1e3:
        return f"{value / 1e3:g}k"
    return f"{value:.3g}"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("csv")
    parser.add_argument("svg")
    parser.add_argument("--title", default="tapegrad-word2vec training loss")
    args = parser.parse_args()
    rows = []
    with open(args.csv, newline="") as f:
        for row in csv.DictReader(f):
            try:
                rows.append((float(row["tokens"]), float(row["loss"]), float(row["lr"])))
            except (KeyError, ValueError) as e:
                sys.exit(f"plot_loss.py: {args.csv}: bad row {row}: {e}; expected columns tokens,loss,lr,words_per_sec")
    rows = [r for r in rows if r[1] > 0]
    if not rows:
        sys.exit(f"plot_loss.py: {args.csv} has no rows with a loss; expected at least one")
    width, height, left, right, top, bottom = 720, 420, 70, 70, 40, 50
    x_lo, x_hi = 0.0, max(r[0] for r in rows) or 1.0
    y_lo, y_hi = 0.0, max(r[1] for r in rows) * 1.05
    lr_hi = max(r[2] for r in rows) or 1.0

    def px(x):
        return left + (x - x_lo) / (x_hi - x_lo) * (width - left - right)

    def py(y, hi=y_hi):
        return height - bottom - (y - y_lo) / (hi - y_lo) * (height - top - bottom)

    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
           f'font-family="sans-serif" font-size="12">',
           f'<rect width="{width}" height="{height}" fill="white"/>',
           f'<text x="{width / 2}" y="22" text-anchor="middle" font-size="15">{args.title}</text>']
    for t in nice_ticks(x_lo, x_hi):
        out.append(f'<line x1="{px(t):.1f}" y1="{top}" x2="{px(t):.1f}" y2="{height - bottom}" stroke="#eee"/>')
        out.append(f'<text x="{px(t):.1f}" y="{height - bottom + 16}" text-anchor="middle">{label(t)}</text>')
    for t in nice_ticks(y_lo, y_hi):
        out.append(f'<line x1="{left}" y1="{py(t):.1f}" x2="{width - right}" y2="{py(t):.1f}" stroke="#eee"/>')
        out.append(f'<text x="{left - 6}" y="{py(t) + 4:.1f}" text-anchor="end">{label(t)}</text>')
    for t in nice_ticks(0.0, lr_hi):
        out.append(f'<text x="{width - right + 6}" y="{py(t, lr_hi) + 4:.1f}" fill="#c33">{t:g}</text>')
    out.append(f'<rect x="{left}" y="{top}" width="{width - left - right}" height="{height - top - bottom}" '
               f'fill="none" stroke="#333"/>')
    loss = " ".join(f"{px(x):.1f},{py(y):.1f}" for x, y, _ in rows)
    lr = " ".join(f"{px(x):.1f},{py(r, lr_hi):.1f}" for x, _, r in rows)
    out.append(f'<polyline points="{loss}" fill="none" stroke="#1f5fbf" stroke-width="2"/>')
    out.append(f'<polyline points="{lr}" fill="none" stroke="#c33" stroke-width="1.5" stroke-dasharray="6 4"/>')
    out.append(f'<text x="{width / 2}" y="{height - 12}" text-anchor="middle">tokens read</text>')
    out.append(f'<text x="16" y="{height / 2}" transform="rotate(-90 16 {height / 2})" text-anchor="middle" '
               f'fill="#1f5fbf">average loss per pair</text>')
    out.append(f'<text x="{width - 16}" y="{height / 2}" transform="rotate(90 {width - 16} {height / 2})" '
               f'text-anchor="middle" fill="#c33">learning rate</text>')
    out.append("</svg>")
    with open(args.svg, "w") as f:
        f.write("\n".join(out) + "\n")


if __name__ == "__main__":
    main()
