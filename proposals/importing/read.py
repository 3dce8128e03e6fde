"""Reading a file as records: CSV (the interchange format) or JSON Lines with the same
keys, UTF-8 with or without a byte-order mark, line by line so that a bad byte or a
broken row is pinned to its line."""

from __future__ import annotations

import codecs
import csv
import json
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import IO

from ..interchange import COLUMNS, READ_COLUMNS, TOPIC_SEPARATOR
from .report import FileProblem, Problem

REQUIRED = ("year", "body", "delegate_name", "title", "topics")
SOURCE_KEYS = ("source_url", "source_title")


# --- Reading ----------------------------------------------------------------------------


@dataclass
class Record:
    line: int
    values: dict[str, str]
    problems: list[Problem] = field(default_factory=list)


NOT_UTF8 = "not UTF-8 text: save the file as UTF-8 (in Excel: “CSV UTF-8”)"


class Lines:
    """Physical lines of a binary stream, decoded one by one so that a byte that is not
    UTF-8 is pinned to its line instead of failing the whole file."""

    def __init__(self, stream: IO[bytes]) -> None:
        self.stream = stream
        self.number = 0
        self.bytes_read = 0
        self.bad: set[int] = set()

    def __iter__(self) -> Iterator[str]:
        for raw in self.stream:
            self.number += 1
            self.bytes_read += len(raw)
            if self.number == 1:
                raw = self._check_start(raw)
            try:
                yield raw.decode("utf-8")
            except UnicodeDecodeError:
                self.bad.add(self.number)
                yield raw.decode("utf-8", errors="replace")

    @staticmethod
    def _check_start(raw: bytes) -> bytes:
        if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            raise FileProblem("the file is UTF-16 text: save it as UTF-8 (in Excel: “CSV UTF-8”)")
        if raw.startswith(b"PK\x03\x04"):
            raise FileProblem(
                "this is a spreadsheet or zip file, not CSV: save it as CSV UTF-8 first"
            )
        return raw.removeprefix(codecs.BOM_UTF8)


def sniff_format(head: bytes) -> str:
    """'jsonl' when the first non-blank character opens a JSON object, else 'csv'."""
    text = head.removeprefix(codecs.BOM_UTF8).lstrip()
    return "jsonl" if text.startswith(b"{") else "csv"


def check_columns(columns: list[str], line: int = 1) -> list[Problem]:
    problems = []
    unknown = [c for c in columns if c not in READ_COLUMNS]
    if unknown:
        problems.append(
            Problem(
                line,
                "",
                ", ".join(unknown),
                f"unknown column(s); the columns are {','.join(READ_COLUMNS)}",
            )
        )
    dupes = [c for c, n in Counter(columns).items() if n > 1]
    if dupes:
        problems.append(Problem(line, "", ", ".join(dupes), "column given twice"))
    missing = [c for c in REQUIRED if c not in columns]
    if not any(c in columns for c in SOURCE_KEYS):
        missing.append("source_url")
    if missing:
        problems.append(Problem(line, "", ", ".join(missing), "missing required column(s)"))
    return problems


def read_csv(lines: Lines) -> Iterator[Record]:
    reader = csv.reader(iter(lines))
    try:
        header = next(reader)
    except StopIteration:
        raise FileProblem("the file is empty") from None
    except csv.Error as exc:
        raise FileProblem(f"the first line is not CSV: {exc}") from None
    header = [h.strip() for h in header]
    if 1 in lines.bad:
        raise FileProblem(NOT_UTF8, value=",".join(header))
    if not any(header):
        if next(reader, None) is None:
            raise FileProblem("the file is empty")
        raise FileProblem("missing header: line 1 is empty; it must name the columns")
    problems = check_columns(header)
    if problems:
        if header and re.fullmatch(r"\d{4}", header[0]):
            raise FileProblem(
                f"missing header: line 1 holds data; the first line must name the columns "
                f"{','.join(COLUMNS)}",
                value=",".join(header)[:100],
            )
        raise FileProblem("; ".join(f"{p.reason}: {p.value}" for p in problems))
    end = 1
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            start, end = end + 1, reader.line_num
            yield Record(start, {}, [Problem(start, "", "", f"not valid CSV: {exc}")])
            continue
        start, end = end + 1, reader.line_num
        if not row or not any(cell.strip() for cell in row):
            continue
        record = Record(start, {})
        if len(row) != len(header):
            record.problems.append(
                Problem(start, "", "", f"has {len(row)} cells where the header has {len(header)}")
            )
        record.values = dict(zip(header, row, strict=False))
        if lines.bad.intersection(range(start, end + 1)):
            _encoding_problems(record)
        yield record


def _encoding_problems(record: Record) -> None:
    bad = [c for c, v in record.values.items() if "\ufffd" in v] or [""]
    for column in bad:
        record.problems.append(
            Problem(record.line, column, record.values.get(column, ""), NOT_UTF8)
        )


def read_jsonl(lines: Lines) -> Iterator[Record]:
    seen_any = False
    for text in lines:
        number = lines.number
        if not text.strip():
            continue
        seen_any = True
        record = Record(number, {})
        if number in lines.bad:
            record.problems.append(Problem(number, "", "", NOT_UTF8))
            yield record
            continue
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            record.problems.append(Problem(number, "", "", f"not valid JSON: {exc.msg}"))
            yield record
            continue
        if not isinstance(data, dict):
            record.problems.append(Problem(number, "", "", "each line must be a JSON object"))
            yield record
            continue
        record.problems.extend(check_columns(list(data), number))
        for key, value in data.items():
            if value is None:
                value = ""
            elif key == "topics" and isinstance(value, list):
                value = TOPIC_SEPARATOR.join(str(v) for v in value)
            elif key == "outcomes" and isinstance(value, list):
                # The events as JSON itself; the cell's own check reads them.
                value = json.dumps(value, ensure_ascii=False)
            elif isinstance(value, bool) or not isinstance(value, str | int | float):
                record.problems.append(
                    Problem(number, key, str(value), "must be a string or a number")
                )
                continue
            record.values[key] = str(value)
        yield record
    if not seen_any:
        raise FileProblem("the file is empty")
