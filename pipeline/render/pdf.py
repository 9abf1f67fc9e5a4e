"""[IO] Print report HTML to PDF with WeasyPrint, fetching nothing from outside.

The HTML is untrusted in part (project names, problems and units' words come from the
units' sheets), so the URL fetcher allows only ``data:`` URLs and files inside the template
folders: an ``<img src="http://…">`` or ``file:///etc/passwd`` is refused, not fetched.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import multiprocessing
import os
from collections import OrderedDict
from collections.abc import Iterable, Mapping
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from urllib.parse import urlsplit
from urllib.request import url2pathname

import weasyprint
from weasyprint.urls import URLFetcher, URLFetcherResponse

from pipeline.render.paths import TEMPLATES_DIR


class LocalFetcher(URLFetcher):
    """Fetch ``data:`` URLs and files under ``roots``; raise ValueError for anything else."""

    def __init__(self, roots: Iterable[Path]) -> None:
        super().__init__(allowed_protocols=("data", "file"), allow_redirects=False)
        self.roots = tuple(Path(root).resolve() for root in roots)

    def fetch(self, url: str, headers: dict[str, str] | None = None) -> URLFetcherResponse:
        scheme = url.split(":", 1)[0].lower()
        if scheme == "data":
            return super().fetch(url, headers)
        if scheme == "file":
            path = Path(url2pathname(urlsplit(url).path)).resolve()
            if path.is_file() and any(path.is_relative_to(root) for root in self.roots):
                return super().fetch(path.as_uri(), headers)
        raise ValueError(f"refused to fetch {url[:200]!r}: reports may only use data: URLs "
                         f"and files in the templates folder")


def html_to_pdf(html: str, *, base_dir: Path, templates_dir: Path | None = None,
                created: dt.datetime | None = None) -> bytes:
    """Print ``html`` to PDF bytes; relative links resolve against ``base_dir``.

    Fonts are embedded and subset. ``created`` sets the PDF's creation and modification
    dates; without it the PDF carries none, so the same HTML gives the same bytes.
    """
    roots = [TEMPLATES_DIR] + ([templates_dir] if templates_dir is not None else [])
    document = weasyprint.HTML(string=html, base_url=str(Path(base_dir).resolve()),
                               url_fetcher=LocalFetcher(roots)).render()
    if created is not None:
        stamp = created.isoformat(timespec="seconds")
        document.metadata.created = stamp
        document.metadata.modified = stamp
    pdf = document.write_pdf()
    assert pdf is not None  # write_pdf returns the bytes when given no target
    return pdf


def _print_one(job: tuple[str, str, str | None, str | None]) -> bytes:
    html, base_dir, templates_dir, created = job
    return html_to_pdf(html, base_dir=Path(base_dir),
                       templates_dir=Path(templates_dir) if templates_dir else None,
                       created=dt.datetime.fromisoformat(created) if created else None)


_POOL: ProcessPoolExecutor | None = None
_POOL_SIZE = 0


def _pool(size: int) -> ProcessPoolExecutor:
    """Worker processes kept for the next run of the same process (a second import of
    WeasyPrint costs more than a page); spawned, not forked, so they inherit nothing."""
    global _POOL, _POOL_SIZE
    if _POOL is None or _POOL_SIZE != size:
        if _POOL is not None:
            _POOL.shutdown(cancel_futures=True)
        _POOL = ProcessPoolExecutor(max_workers=size,
                                    mp_context=multiprocessing.get_context("spawn"))
        _POOL_SIZE = size
    return _POOL


def _ready() -> bool:
    return True


def warm_up(jobs: int | None = None) -> None:
    """Start the PDF workers now, so they load WeasyPrint while the pages are being built."""
    size = max(1, jobs or os.cpu_count() or 1)
    if size > 1:
        pool = _pool(size)
        for _ in range(size):
            pool.submit(_ready)


def print_pages(pages: Mapping[str, str], *, base_dir: Path, templates_dir: Path | None = None,
                created: dt.datetime | None = None, jobs: int | None = None,
                reuse: Mapping[str, bytes] | None = None,
                keys_out: dict[str, str] | None = None) -> dict[str, bytes]:
    """Print many pages (name -> HTML) to PDF, in ``jobs`` worker processes (default: one a
    core); the longest pages go first so the workers finish together. With one job, or a
    pool that broke (a worker killed), they print here.

    A page whose source key (its HTML, base, templates folder, date and the WeasyPrint
    version) is in ``reuse`` (key -> PDF bytes of an earlier run) is not printed again;
    ``keys_out`` is filled with name -> source key.
    """
    global _POOL
    jobs_of = {name: (pages[name], str(Path(base_dir).resolve()),
                      str(templates_dir) if templates_dir else None,
                      created.isoformat() if created else None) for name in pages}
    keys = {name: _key(job) for name, job in jobs_of.items()}
    if keys_out is not None:
        keys_out.update(keys)
    earlier = {**(reuse or {}), **_PRINTED}
    done = {name: earlier[keys[name]] for name in pages if keys[name] in earlier}
    names = sorted((n for n in pages if n not in done), key=lambda n: -len(pages[n]))
    work = [jobs_of[name] for name in names]
    jobs = max(1, min(jobs or os.cpu_count() or 1, len(work)))
    printed: list[bytes] | None = None
    if jobs > 1:
        try:
            printed = list(_pool(jobs).map(_print_one, work))
        except BrokenProcessPool:
            _POOL = None
    if printed is None:
        printed = [_print_one(job) for job in work]
    for name, pdf in zip(names, printed):
        done[name] = pdf
        _remember(keys[name], pdf)
    return {name: done[name] for name in pages}


# The same HTML prints to the same bytes (no dates but ``created``), so a process that runs
# a period again (a rerun, the tests) reuses what it printed; bounded, oldest out first.
_PRINTED: OrderedDict[str, bytes] = OrderedDict()
_PRINTED_MAX = 96


def _key(job: tuple[str, str, str | None, str | None]) -> str:
    digest = hashlib.sha256()
    for part in job:
        digest.update((part or "").encode("utf-8") + b"\0")
    digest.update(weasyprint.__version__.encode("ascii"))
    return digest.hexdigest()


def _remember(key: str, pdf: bytes) -> None:
    _PRINTED[key] = pdf
    _PRINTED.move_to_end(key)
    while len(_PRINTED) > _PRINTED_MAX:
        _PRINTED.popitem(last=False)
