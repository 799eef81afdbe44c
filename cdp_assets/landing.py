"""The landing zone: where each source drops its files, `<source>/<YYYY-MM-DD>/<file>`.

Sensors and source assets only use the `LandingZone` interface, so the local folder of
the embedded default and cloud storage in production are interchangeable by configuration.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import dagster as dg


@dataclass(frozen=True)
class LandingFile:
    """One file in the landing zone and the version it had when it was listed."""

    source: str
    day: str
    name: str
    location: str
    version: str

    @property
    def key(self) -> str:
        return f"{self.source}/{self.day}/{self.name}"


class LandingZone(dg.ConfigurableResource):
    """Lists and reads the files a source delivered."""

    def list_files(self, source: str, day: str | None = None) -> list[LandingFile]:
        """Files of one source, of one day folder or of all of them, sorted by key."""
        raise NotImplementedError

    def read_bytes(self, file: LandingFile) -> bytes:
        raise NotImplementedError


class LocalLandingZone(LandingZone):
    """A landing zone in a local folder (the embedded default)."""

    root: str

    def list_files(self, source: str, day: str | None = None) -> list[LandingFile]:
        source_dir = Path(self.root) / source
        if not source_dir.is_dir():
            return []
        day_dirs = [source_dir / day] if day else sorted(source_dir.iterdir())
        files = []
        for day_dir in day_dirs:
            if not day_dir.is_dir():
                continue
            for path in sorted(day_dir.iterdir()):
                if not path.is_file() or path.name.startswith("."):
                    continue
                stat = path.stat()
                files.append(
                    LandingFile(
                        source=source,
                        day=day_dir.name,
                        name=path.name,
                        location=str(path),
                        version=f"{stat.st_mtime_ns}-{stat.st_size}",
                    )
                )
        return files

    def read_bytes(self, file: LandingFile) -> bytes:
        try:
            return Path(file.location).read_bytes()
        except OSError as error:
            raise OSError(f"cannot read landing file {file.location}: {error}") from error
