"""[IO] Workbooks saved as bytes that depend on their content alone.

openpyxl stamps the clock into a saved workbook twice: every zip entry's time, and
``dcterms:modified`` in ``docProps/core.xml``. The ledger, the marked copies, the unit
templates and the demo's sheets are saved here instead, with one given time in both
places, so that the same content gives the same bytes (and SHA-256) on every run: an
unchanged period's manifest stays the same, and a changed file really changed.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.writer.excel import ExcelWriter

_CORE_TIME = re.compile(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:)")


class _StampedZip(zipfile.ZipFile):
    """A zip being written whose entries all carry one time (and plain permissions)."""

    def __init__(self, file: Any, when: dt.datetime) -> None:
        super().__init__(file, "w", zipfile.ZIP_DEFLATED)
        self.when = when

    def writestr(self, zinfo_or_arcname: Any, data: Any, compress_type: int | None = None,
                 compresslevel: int | None = None) -> None:
        name = (zinfo_or_arcname.filename if isinstance(zinfo_or_arcname, zipfile.ZipInfo)
                else str(zinfo_or_arcname))
        content = data.encode("utf-8") if isinstance(data, str) else bytes(data)
        if name == "docProps/core.xml":
            stamp = self.when.strftime("%Y-%m-%dT%H:%M:%SZ").encode("ascii")
            content = _CORE_TIME.sub(rb"\g<1>" + stamp + rb"\g<2>", content)
        entry = zipfile.ZipInfo(name, date_time=self.when.timetuple()[:6])
        entry.compress_type = zipfile.ZIP_DEFLATED
        entry.external_attr = 0o644 << 16
        super().writestr(entry, content)

    def write(self, filename: Any, arcname: Any = None, compress_type: int | None = None,
              compresslevel: int | None = None) -> None:
        """openpyxl writes each worksheet through a temporary file: its time is not kept."""
        self.writestr(arcname if arcname is not None else Path(filename).name,
                      Path(filename).read_bytes())


def workbook_bytes(workbook: Workbook, when: dt.datetime) -> bytes:
    """``workbook`` as .xlsx bytes, created and modified at ``when`` (its zone dropped)."""
    when = when.replace(tzinfo=None)
    workbook.properties.created = workbook.properties.modified = when
    buffer = io.BytesIO()
    ExcelWriter(workbook, _StampedZip(buffer, when)).save()   # save() closes the archive
    return buffer.getvalue()
