"""Spreadsheets in and out: CSV (UTF-8) or the first sheet of an XLSX, chosen by the file's suffix.

For the directory and knowledge-base imports and exports: rows are dicts keyed by the header row.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path


def read_rows(path: Path) -> Iterator[tuple[int, dict[str, str]]]:
    """(line number, row by header) from a CSV (UTF-8, with or without BOM) or the first sheet of an XLSX."""
    if path.suffix.lower() == ".xlsx":
        from openpyxl import load_workbook  # only the XLSX path needs it

        sheet = load_workbook(path, read_only=True, data_only=True).worksheets[0]
        rows = sheet.iter_rows(values_only=True)
        header = [str(c or "").strip() for c in next(rows, ())]
        for line, values in enumerate(rows, start=2):
            yield line, {h: "" if v is None else str(v).strip() for h, v in zip(header, values, strict=False)}
        return
    with path.open(encoding="utf-8-sig", newline="") as f:
        reader = csv.DictReader(f)
        for line, row in enumerate(reader, start=2):
            yield line, {k.strip(): (v or "").strip() for k, v in row.items() if k is not None}


def write_rows(path: Path, header: Sequence[str], rows: Iterable[Sequence[object]]) -> int:
    """Write ``header`` and ``rows`` to a CSV (UTF-8 with BOM, so spreadsheet programs read the Chinese
    right) or an XLSX; returns the number of rows written."""
    count = 0
    if path.suffix.lower() == ".xlsx":
        from openpyxl import Workbook

        book = Workbook(write_only=True)
        sheet = book.create_sheet()
        sheet.append(list(header))
        for row in rows:
            sheet.append(["" if v is None else v for v in row])
            count += 1
        book.save(path)
        return count
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        for row in rows:
            writer.writerow(["" if v is None else v for v in row])
            count += 1
    return count


def refuse_bad_rows(path: Path, bad: Sequence[tuple[int, str]], *, skip_bad: bool, shown: int = 50) -> None:
    """For an import command: name the bad rows by line (the first ``shown``), and stop the import when
    there are any, unless the user asked to skip them."""
    import click

    for line, reason in bad[:shown]:
        click.echo(f"{path}:{line}: {reason}", err=True)
    if len(bad) > shown:
        click.echo(f"… and {len(bad) - shown} more bad rows", err=True)
    if bad and not skip_bad:
        raise click.ClickException(f"{len(bad)} bad rows; nothing was imported (fix them, or --skip-bad)")
