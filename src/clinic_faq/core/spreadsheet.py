"""Cells that are safe to open in a spreadsheet.

A CSV cell that begins with `=`, `+`, `-`, `@`, a tab or a carriage return is read by Excel, LibreOffice and
Google Sheets as a formula: a patient's message such as `=HYPERLINK("http://...")` in a staff export would run
as one. Such a cell is written with a leading apostrophe, which spreadsheets show as text (OWASP's advice for
CSV injection). Every CSV the project writes (insights, audit, the callback inbox) passes through `safe_cell`.
"""

from __future__ import annotations

from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value
