"""What every source writer shares: serial ids, spelling choices, broken lines and formats."""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from cdp_assets.generator.journeys import Touch
from cdp_assets.generator.people import (
    Person,
    email_variant,
    name_variant,
    slip_leading_digits,
    spell_phone,
)
from cdp_assets.generator.places import Project

# Share of lines in line-based formats written broken on purpose.
BROKEN_FRACTION = 0.001

TruthRow = tuple[str, str]
"""(source_record_id, person_id) of a record that parses."""

IST_OFFSET = timedelta(hours=5, minutes=30)
_EPOCH = datetime(1970, 1, 1)
WEBSITE = "https://www.nivasahomes.in"


def expanded(weights: dict[str, int]) -> tuple[str, ...]:
    """A tuple holding each key as often as its weight, for fast weighted `rng.choice`."""
    return tuple(key for key, weight in weights.items() for _ in range(weight))


def epoch_seconds(moment: datetime) -> int:
    """Unix time of a naive India-time moment."""
    return int((moment - IST_OFFSET - _EPOCH).total_seconds())


def dumps(value: Any) -> str:
    """One JSON line as the source systems write it (UTF-8 text, keys in field order)."""
    return json.dumps(value, ensure_ascii=False)


def slug(text: str) -> str:
    """A lowercase, hyphenated form of a name for URLs and ids."""
    return text.lower().replace(" ", "-")


class SourceWriter:
    """Writes one source's files for a day and reports the records that will parse."""

    name = ""
    phone_styles: tuple[str, ...] = ("plain",)

    def __init__(self, rng: random.Random, broken_rows: bool) -> None:
        self._rng = rng
        self._broken_rows = broken_rows
        self._serial = 0
        self.files_written = 0
        self.broken_lines = 0

    def write_day(self, directory: Path, day: date, touches: list[Touch]) -> list[TruthRow]:
        """Write the day's files under `directory`; return the truth of each record that parses."""
        raise NotImplementedError

    def _next_serial(self) -> int:
        self._serial += 1
        return self._serial

    def _write(self, path: Path, content: bytes) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
        self.files_written += 1

    def _breaks_line(self) -> bool:
        if self._broken_rows and self._rng.random() < BROKEN_FRACTION:
            self.broken_lines += 1
            return True
        return False

    def _phone(self, person: Person, missing: float = 0.0, landline: float = 0.0) -> str | None:
        rng = self._rng
        roll = rng.random()
        if roll < missing:
            return None
        if person.landline and roll < missing + landline:
            return person.landline
        number = person.alt_mobile if person.alt_mobile and rng.random() < 0.3 else person.mobile
        if rng.random() < 0.01:
            number = slip_leading_digits(rng, number)
        return spell_phone(number, rng.choice(self.phone_styles))

    def _email(self, person: Person, missing: float) -> str | None:
        return None if self._rng.random() < missing else email_variant(self._rng, person)

    def _name(self, person: Person) -> str:
        return name_variant(self._rng, person)

    def _project(self, person: Person) -> Project:
        projects = person.projects
        return projects[1] if len(projects) > 1 and self._rng.random() < 0.3 else projects[0]

    def _city(self, person: Person, missing: float = 0.0) -> str | None:
        if self._rng.random() < missing:
            return None
        spellings = person.city.spellings
        return spellings[0] if self._rng.random() < 0.75 else self._rng.choice(spellings)

    def _maybe(self, value: str, missing: float) -> str | None:
        return None if self._rng.random() < missing else value


class JsonLinesWriter(SourceWriter):
    """A source that writes one JSON object a line into one file a day."""

    file_pattern = ""
    id_path: tuple[str | int, ...] = ()
    date_path: tuple[str | int, ...] = ()
    bad_date: Any = "2024-02-30T25:61:00"

    def write_day(self, directory: Path, day: date, touches: list[Touch]) -> list[TruthRow]:
        lines, truth = [], []
        for group in self._line_groups(touches):
            element, record_ids = self._element(group)
            if self._breaks_line():
                lines.append(self._broken_line(element))
                continue
            lines.append(dumps(element).encode())
            truth.extend((record_id, touch.person.person_id) for record_id, touch in record_ids)
        self._write(directory / self.file_pattern.format(day=day), b"\n".join(lines) + b"\n")
        return truth

    def _line_groups(self, touches: list[Touch]) -> Iterator[list[Touch]]:
        for touch in touches:
            yield [touch]

    def _element(self, touches: list[Touch]) -> tuple[dict[str, Any], list[tuple[str, Touch]]]:
        raise NotImplementedError

    def _id_path(self, element: dict[str, Any]) -> tuple[str | int, ...]:
        return self.id_path

    def _broken_line(self, element: dict[str, Any]) -> bytes:
        # Spoil a copy: rows can be shared with a person's later records.
        element = json.loads(dumps(element))
        kind = self._rng.randrange(4)
        if kind == 0:
            text = dumps(element)
            return text[: len(text) // 2].encode()
        if kind == 1:
            _set_path(element, self._id_path(element), None, delete=True)
        elif kind == 2:
            _set_path(element, self.date_path, self.bad_date)
        else:
            text = dumps(element).encode()
            middle = len(text) // 2
            return text[:middle] + b"\xff" + text[middle:]
        return dumps(element).encode()


def _set_path(element: Any, path: tuple[str | int, ...], value: Any, delete: bool = False) -> None:
    for key in path[:-1]:
        element = element[key]
    if delete:
        del element[path[-1]]
    else:
        element[path[-1]] = value


def csv_field(value: str | None) -> str:
    """A CSV field, quoted only when it holds a comma, a quote or a line break."""
    if value is None:
        return ""
    if any(character in value for character in ',"\n'):
        return '"' + value.replace('"', '""') + '"'
    return value


class CsvWriter(SourceWriter):
    """A source whose rows are CSV lines under a fixed header, as exported from a spreadsheet."""

    header: tuple[str, ...] = ()
    id_column = 0
    date_column = 1
    bad_date = "31/02/2024 10:22"

    def _write_csv(
        self, path: Path, rows: list[tuple[list[str | None], str, Touch]]
    ) -> list[TruthRow]:
        lines, truth = [",".join(self.header).encode()], []
        for fields, record_id, touch in rows:
            if self._breaks_line():
                lines.append(self._broken_row(fields))
                continue
            lines.append(",".join(map(csv_field, fields)).encode())
            truth.append((record_id, touch.person.person_id))
        self._write(path, b"\r\n".join(lines) + b"\r\n")
        return truth

    def _broken_row(self, fields: list[str | None]) -> bytes:
        fields = list(fields)
        kind = self._rng.randrange(4)
        if kind == 0:
            fields.pop()
        elif kind == 1:
            fields[self.id_column] = ""
        elif kind == 2:
            fields[self.date_column] = self.bad_date
        line = ",".join(map(csv_field, fields)).encode()
        if kind == 3:
            middle = len(line) // 2
            line = line[:middle] + b"\xff" + line[middle:]
        return line


class DocumentWriter(SourceWriter):
    """A source whose API returns whole JSON documents; these are never broken on purpose."""

    def _document(self, path: Path, document: Any) -> None:
        self._write(path, json.dumps(document, ensure_ascii=False).encode())
