"""Writing an evaluation report to a folder: JSON, Markdown, a self-contained HTML page and PNG charts."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from agent.evaluation.html import render_html
from agent.evaluation.report import render_markdown
from agent.files import write_atomic


def write_charts(report: dict[str, Any], directory: Path) -> list[Path]:
    """Pattern accuracy and technology F1 per drafter, and a reliability chart per drafter (PNG)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    written = []
    names = list(report["drafters"])
    figure, axis = plt.subplots(figsize=(6, 3.5))
    width = 0.35
    for offset, key in ((-width / 2, "pattern_accuracy"), (width / 2, "tech_f1")):
        values = [report["drafters"][n]["metrics"][key] or 0 for n in names]
        axis.bar([i + offset for i in range(len(names))], values, width, label=key.replace("_", " "))
    axis.set_xticks(range(len(names)), names)
    axis.set_ylim(0, 1)
    axis.legend()
    axis.set_title("Pattern accuracy and technology F1")
    figure.tight_layout()
    written.append(directory / "scores.png")
    figure.savefig(written[-1], dpi=100)
    plt.close(figure)
    for name in names:
        bins = report["drafters"][name]["calibration"]["bins"]
        figure, axis = plt.subplots(figsize=(4, 4))
        axis.plot([0, 1], [0, 1], linestyle="--", color="grey", label="perfect")
        axis.plot([b["confidence"] for b in bins], [b["accuracy"] for b in bins], marker="o", label=name)
        axis.set_xlabel("confidence")
        axis.set_ylabel("accuracy")
        axis.set_title(f"Reliability ({name})")
        axis.legend()
        figure.tight_layout()
        written.append(directory / f"reliability-{name}.png")
        figure.savefig(written[-1], dpi=100)
        plt.close(figure)
    return written


def write_report(report: dict[str, Any], directory: Path) -> list[Path]:
    """report.json, report.md, report.html and the charts, each written atomically."""
    directory.mkdir(parents=True, exist_ok=True)
    outputs = {
        "report.json": json.dumps(report, indent=2),
        "report.md": render_markdown(report),
        "report.html": render_html(report),
    }
    written = []
    for name, text in outputs.items():
        write_atomic(directory / name, text)
        written.append(directory / name)
    return written + write_charts(report, directory)
