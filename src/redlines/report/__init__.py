"""Reports: one model, serialised once (:meth:`Report.to_dict`); every renderer reads that."""

from .model import RedLineResult, Report
from .render import FORMATS, render, render_json, render_markdown, render_text

__all__ = [
    "FORMATS",
    "RedLineResult",
    "Report",
    "render",
    "render_json",
    "render_markdown",
    "render_text",
]
