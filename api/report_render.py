"""Reports (``projections.reports``) as files: an HTML page that opens in a browser with no
script and no network, and the same report as JSON (``fact_codec.as_json``)."""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path

from jinja2 import Environment, PackageLoader, select_autoescape

from projections.fact_codec import as_json
from projections.reports import Report

MAX_ROWS = 200  # rows of one table shown in the HTML; the JSON has them all


@cache
def _environment() -> Environment:
    return Environment(loader=PackageLoader("api", "templates"), autoescape=select_autoescape(["html", "j2"]),
                       trim_blocks=True, lstrip_blocks=True)


def render_html(report: Report) -> str:
    return _environment().get_template("report.html.j2").render(report=report, max_rows=MAX_ROWS)


def render_json(report: Report) -> str:
    return json.dumps(as_json(report), indent=2, ensure_ascii=False) + "\n"


def slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "-", text).strip("-")[:80] or "report"


def write(report: Report, out: Path, stem: str) -> tuple[Path, Path]:
    """``out/STEM.html`` and ``out/STEM.json`` (``out`` is created)."""
    out.mkdir(parents=True, exist_ok=True)
    html, data = out / f"{slug(stem)}.html", out / f"{slug(stem)}.json"
    html.write_text(render_html(report), encoding="utf-8")
    data.write_text(render_json(report), encoding="utf-8")
    return html, data


__all__ = ["render_html", "render_json", "slug", "write"]
