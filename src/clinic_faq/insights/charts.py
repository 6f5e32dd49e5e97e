"""The report's charts: PNG images (matplotlib, no display) embedded in the page as data URIs."""

from __future__ import annotations

import base64
import io
from typing import Dict, List, Sequence

import matplotlib  # type: ignore[import-untyped]

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # type: ignore[import-untyped]  # noqa: E402

# Colours that stay apart for colour-blind readers (Okabe-Ito).
COLOURS = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"]


def _png(figure: plt.Figure) -> str:
    buffer = io.BytesIO()
    figure.tight_layout()
    figure.savefig(buffer, format="png", dpi=96)
    plt.close(figure)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def _ticks(axis: plt.Axes, labels: Sequence[str]) -> None:
    step = max(1, len(labels) // 12)
    axis.set_xticks(range(0, len(labels), step))
    axis.set_xticklabels([labels[i] for i in range(0, len(labels), step)], rotation=45, ha="right", fontsize=8)


def lines(labels: Sequence[str], series: Dict[str, List[int]], title: str) -> str:
    """One line per series over the time buckets."""
    figure, axis = plt.subplots(figsize=(8, 3.2))
    for (name, values), colour in zip(series.items(), COLOURS, strict=False):
        axis.plot(range(len(labels)), values, marker="o", markersize=3, label=name, color=colour)
    _ticks(axis, labels)
    axis.set_title(title, fontsize=10)
    axis.set_ylim(bottom=0)
    axis.grid(axis="y", alpha=0.3)
    axis.legend(fontsize=8, frameon=False)
    return _png(figure)


def stacked(labels: Sequence[str], series: Dict[str, List[int]], title: str) -> str:
    """Stacked bars over the time buckets (for example messages per channel)."""
    figure, axis = plt.subplots(figsize=(8, 3.2))
    bottom = [0] * len(labels)
    for (name, values), colour in zip(series.items(), COLOURS, strict=False):
        axis.bar(range(len(labels)), values, bottom=bottom, label=name, color=colour)
        bottom = [b + v for b, v in zip(bottom, values, strict=True)]
    _ticks(axis, labels)
    axis.set_title(title, fontsize=10)
    axis.grid(axis="y", alpha=0.3)
    axis.legend(fontsize=8, frameon=False)
    return _png(figure)


def bars(names: Sequence[str], values: Sequence[float], title: str, unit: str = "") -> str:
    """Horizontal bars, largest on top."""
    figure, axis = plt.subplots(figsize=(8, max(1.6, 0.28 * len(names) + 0.8)))
    positions = list(range(len(names)))[::-1]
    axis.barh(positions, values, color=COLOURS[0])
    axis.set_yticks(positions)
    axis.set_yticklabels(names, fontsize=8)
    for y, value in zip(positions, values, strict=True):
        axis.text(value, y, f" {value:g}{unit}", va="center", fontsize=8)
    axis.set_title(title, fontsize=10)
    axis.set_xlim(0, max(list(values) + [1]) * 1.15)
    return _png(figure)
