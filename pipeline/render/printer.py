"""[IO] Print many report pages to PDF at once, in worker processes.

``Printer`` takes pages one by one, as render_reports builds them, hands each to a pool of
worker processes (one a core by default; WeasyPrint is CPU-bound) as a worker is about to
be free, and gives the PDFs back when asked; a page handed over ``first`` (the bulletin:
built last, once its charts are drawn, and the longest to print) goes ahead of those still
waiting. Before the first page that prints, a worker makes the period's fonts (fonts.py,
pdf.py) that every page is printed from. A page whose source key matches a PDF of the
period's last run is not printed again. With one job, or a pool that broke (a worker
killed), pages print in this process. The output is the same bytes whatever the number of
jobs: each page is printed on its own, from the same fonts, dated the same.

This module does not import WeasyPrint: a run that prints in workers, or prints nothing
(an unchanged period), does not pay for loading it in the main process.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import hashlib
import heapq
import logging
import multiprocessing
import os
import sys
import tempfile
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import CancelledError, Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from importlib.metadata import version
from pathlib import Path
from typing import Any, Generic, TypeVar

from pipeline.render.fonts import FontSpec, period_font_spec

log = logging.getLogger(__name__)
T = TypeVar("T")

# html, base dir, templates dir, created, the period fonts' digest and their folder (not
# part of the source key: the digest names what they hold)
Job = tuple[str, str, str | None, str | None, str, str | None]


def _print_one(job: Job) -> bytes:
    from pipeline.render import pdf  # looked up on each call, so tests can count prints

    html, base_dir, templates_dir, created, _, fonts = job
    return pdf.html_to_pdf(html, base_dir=Path(base_dir),
                           templates_dir=Path(templates_dir) if templates_dir else None,
                           created=dt.datetime.fromisoformat(created) if created else None,
                           fonts=Path(fonts) if fonts else None)


def _make_fonts(spec: FontSpec, folder: str) -> None:
    from pipeline.render import pdf

    pdf.make_period_fonts(spec, Path(folder))


def _ready() -> bool:
    from pipeline.render import pdf  # noqa: F401 - load WeasyPrint before the first page

    return True


_POOL: ProcessPoolExecutor | None = None
_WARMING: threading.Thread | None = None
_POOL_SIZE = 0
_POOL_LOCK = threading.RLock()


def _pool(size: int) -> ProcessPoolExecutor:
    """Worker processes kept for the next run of the same process (loading WeasyPrint costs
    more than a page), all started here (``_context``). Locked: the Printer's feeder thread
    and the main thread both start tasks."""
    global _POOL, _POOL_SIZE
    with _POOL_LOCK:
        if _POOL is None or _POOL_SIZE != size:
            if _POOL is not None:
                _POOL.shutdown(cancel_futures=True)
            _POOL = ProcessPoolExecutor(max_workers=size, mp_context=_context())
            _POOL_SIZE = size
            with _main_script_hidden():
                for _ in range(size):      # the executor starts a process per waiting task
                    _POOL.submit(_ready)
        return _POOL


def _context() -> multiprocessing.context.BaseContext:
    """How the workers start: forked from a fork server, a fresh interpreter that has
    loaded WeasyPrint and matplotlib once (``preload.py``) and inherits nothing of this
    process; where there is none (Windows), spawned, each loading WeasyPrint itself.
    Loading it takes 0.7 s of a core: the fork server saves that for every worker but the
    first, at the same wait for the first page."""
    if "forkserver" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["pipeline.render.preload"])
        return context
    return multiprocessing.get_context("spawn")


@contextlib.contextmanager
def _main_script_hidden() -> Iterator[None]:
    """``spawn`` and ``forkserver`` run the caller's main script again in each worker
    before it takes work; for the ``keyproj`` command that is the whole CLI, pandas and
    all, a second of a core per worker that printing never uses. While the workers start,
    the main module shows no script path (``python -m`` main modules are skipped by
    multiprocessing already)."""
    main = sys.modules.get("__main__")
    path = getattr(main, "__file__", None)
    if main is None or path is None or getattr(main, "__spec__", None) is not None:
        yield
        return
    del main.__file__
    try:
        yield
    finally:
        main.__file__ = path


def warm_up(jobs: int | None = None) -> None:
    """Start the PDF workers now, so they load WeasyPrint while the period is read and the
    pages are built. In a thread: starting the first worker waits until the fork server
    has loaded WeasyPrint, and this process has its own modules to load meanwhile."""
    global _WARMING
    size = _jobs(jobs)
    starting = _WARMING is not None and _WARMING.is_alive()
    if size > 1 and not starting and not (_POOL is not None and _POOL_SIZE == size):
        _WARMING = threading.Thread(target=_start, args=(size,), name="keyproj-warm-up",
                                    daemon=True)
        _WARMING.start()


def settle() -> None:
    """Wait until the workers ``warm_up`` is starting have started. A process that ended
    before (a run stopped by a missing register, say) would leave the fork server a worker
    to make for it, which would print a traceback after the command's own message."""
    thread = _WARMING
    if thread is not None:
        thread.join()


def _start(size: int) -> None:
    with contextlib.suppress(Exception):     # the first page starts them again, or prints
        _pool(size)                          # here if they cannot start (in_worker)


def in_worker(func: Callable[..., T], *args: Any, jobs: int | None = None) -> Pending[T]:
    """Start ``func(*args)`` in a PDF worker (idle while the pages are being built) and
    return what waits for its result; with one job, what runs it here when asked."""
    size = _jobs(jobs)
    if size > 1:
        pool = None
        try:
            pool = _pool(size)
            return Pending(func, args, pool.submit(func, *args), pool)
        except (BrokenProcessPool, RuntimeError):
            _forget_pool(pool)
    return Pending(func, args, None)


class Pending(Generic[T]):
    """``func(*args)`` started in a worker of ``pool`` (``future``), or to be run here:
    calling it waits for the result (and runs it here if the pool broke); ``done`` says
    whether calling it would wait for a worker."""

    def __init__(self, func: Callable[..., T], args: tuple[Any, ...],
                 future: Future[T] | None, pool: ProcessPoolExecutor | None = None) -> None:
        self.func, self.args, self.future, self.pool = func, args, future, pool

    def done(self) -> bool:
        return self.future is None or self.future.done()

    def __call__(self) -> T:
        if self.future is not None:
            try:
                return self.future.result()
            except (BrokenProcessPool, CancelledError):     # cancelled: its pool broke
                _forget_pool(self.pool)
        return self.func(*self.args)


def _jobs(jobs: int | None) -> int:
    return max(1, jobs or os.cpu_count() or 1)


class Printer:
    """Pages in (``submit``), PDFs out (``results``); see the module's docstring.

    ``reuse`` maps source keys (``keys``) of an earlier run to its PDF bytes. Pages wait
    here, not in the pool's queue, until a worker is about to be free, so that a page
    submitted ``first`` (the bulletin, the longest, built last) overtakes those handed over
    before it instead of printing alone at the end.
    """

    def __init__(self, *, base_dir: Path, templates_dir: Path | None = None,
                 created: dt.datetime | None = None, jobs: int | None = None,
                 reuse: Mapping[str, bytes] | None = None,
                 fonts: FontSpec | None = None) -> None:
        self.base_dir = str(Path(base_dir).resolve())
        self.templates_dir = str(templates_dir) if templates_dir else None
        self.created = created.isoformat() if created else None
        self.jobs = _jobs(jobs)
        self.reuse = reuse or {}
        self.fonts = fonts
        self.keys: dict[str, str] = {}          # page name -> source key
        self._done: dict[str, bytes] = {}
        self._waits: dict[str, Pending[bytes]] = {}   # page name -> its PDF, when asked
        self._printing: list[str] = []                 # names to print, in submitted order
        self._folder: tempfile.TemporaryDirectory[str] | None = None
        # pages waiting for a worker: (0 first / 1, order, name, job), and the feeder that
        # hands them over while fewer than jobs + 1 are in the pool
        self._queue: list[tuple[int, int, str, Job]] = []
        self._busy = 0
        self._closed = False
        self._cond = threading.Condition()
        self._feeder: threading.Thread | None = None

    def submit(self, name: str, html: str, *, first: bool = False) -> None:
        """Print ``html`` as ``name`` unless an earlier run printed the same source;
        ``first``: before the pages submitted so far that no worker has taken yet."""
        if self._closed:
            raise RuntimeError("this Printer gave its results or was closed: use a new one")
        if name in self.keys:
            raise ValueError(f"a page named {name!r} was submitted already")
        digest = self.fonts.digest if self.fonts is not None else ""
        job: Job = (html, self.base_dir, self.templates_dir, self.created, digest, None)
        key = self.keys[name] = source_key(job)
        earlier = self.reuse.get(key) or _PRINTED.get(key)
        if earlier is not None:
            self._done[name] = earlier
            return
        job = (*job[:5], self._font_folder())
        self._printing.append(name)
        if self.jobs == 1:
            self._waits[name] = Pending(_print_one, (job,), None)
            return
        with self._cond:
            heapq.heappush(self._queue, (0 if first else 1, len(self._printing), name, job))
            self._cond.notify_all()
        if self._feeder is None:
            self._feeder = threading.Thread(target=self._feed, name="keyproj-printer",
                                            daemon=True)
            self._feeder.start()

    def _feed(self) -> None:
        """Hand the waiting pages to the pool, each as a worker is about to be free."""
        while True:
            with self._cond:
                while not (self._queue and self._busy <= self.jobs) and not (
                        self._closed and not self._queue):
                    self._cond.wait()
                if not self._queue:
                    return
                _, _, name, job = heapq.heappop(self._queue)
                self._busy += 1
            try:
                pending = in_worker(_print_one, job, jobs=self.jobs)
            except Exception:  # noqa: BLE001 - never leave results() waiting: print it there
                pending = Pending(_print_one, (job,), None)
            with self._cond:
                self._waits[name] = pending
                self._cond.notify_all()
            if pending.future is not None:
                pending.future.add_done_callback(self._finished)
            else:
                self._finished(None)

    def _finished(self, _: object) -> None:
        with self._cond:
            self._busy -= 1
            self._cond.notify_all()

    def _font_folder(self) -> str | None:
        """The period's fonts, made (once, before the first page that prints) in a worker,
        or here with one job; None without fonts to make."""
        if self.fonts is None:
            return None
        if self._folder is None:
            self._folder = tempfile.TemporaryDirectory(prefix="keyproj-fonts-")
            try:
                in_worker(_make_fonts, self.fonts, self._folder.name, jobs=self.jobs)()
            except Exception as exc:  # noqa: BLE001 - the fonts only make printing faster:
                log.warning("the period's fonts could not be made (%s); the PDFs are printed "
                            "from the installed fonts", exc)     # without them, as before
        return self._folder.name

    def results(self) -> dict[str, bytes]:
        """Wait for every page handed over; name -> PDF bytes, in the order submitted."""
        try:
            return self._results()
        finally:
            self.close()

    def close(self) -> None:
        """Print nothing more (the pages not yet handed to a worker are dropped) and remove
        the period's fonts; for a run that stops before asking for its PDFs."""
        with self._cond:
            self._closed = True
            self._queue.clear()
            running = [w.future for w in self._waits.values() if w.future is not None]
            self._cond.notify_all()
        for future in running:       # those a worker has not begun; the others finish
            future.cancel()
        if self._folder is not None:
            self._folder.cleanup()
            self._folder = None

    def _results(self) -> dict[str, bytes]:
        with self._cond:
            if self._closed:
                raise RuntimeError("this Printer gave its results or was closed already")
            self._closed = True
            self._cond.notify_all()
        for name in self._printing:
            with self._cond:
                while name not in self._waits:
                    self._cond.wait()
                wait = self._waits.pop(name)
            self._done[name] = pdf = wait()
            _remember(self.keys[name], pdf)
        self._printing.clear()
        return {name: self._done[name] for name in self.keys}


def _forget_pool(pool: ProcessPoolExecutor | None = None) -> None:
    """Drop the pool (``pool``, if it is still the one in use: another thread may have
    started a new one since) and stop its workers; the next task starts a new one."""
    global _POOL
    with _POOL_LOCK:
        if _POOL is not None and (pool is None or pool is _POOL):
            _POOL.shutdown(wait=False, cancel_futures=True)
            _POOL = None


def print_pages(pages: Mapping[str, str], *, base_dir: Path, templates_dir: Path | None = None,
                created: dt.datetime | None = None, jobs: int | None = None,
                reuse: Mapping[str, bytes] | None = None,
                keys_out: dict[str, str] | None = None) -> dict[str, bytes]:
    """Print pages (name -> HTML) all at once, with the period fonts of their text;
    ``keys_out`` gets name -> source key."""
    printer = Printer(base_dir=base_dir, templates_dir=templates_dir, created=created,
                      jobs=jobs, reuse=reuse, fonts=period_font_spec(pages.values()))
    for name, html in sorted(pages.items(), key=lambda item: -len(item[1])):
        printer.submit(name, html)
    printed = printer.results()
    if keys_out is not None:
        keys_out.update(printer.keys)
    return {name: printed[name] for name in pages}


# The same HTML prints to the same bytes (no dates but ``created``), so a process that runs
# a period again (a rerun, the tests) reuses what it printed; bounded, oldest out first.
_PRINTED: OrderedDict[str, bytes] = OrderedDict()
_PRINTED_MAX = 96


def source_key(job: Job) -> str:
    """What a PDF is printed from: its HTML, base, templates folder, date, the period
    fonts, WeasyPrint."""
    digest = hashlib.sha256()
    for part in job[:5]:
        digest.update((part or "").encode("utf-8") + b"\0")
    digest.update(_weasyprint_version().encode("ascii"))
    return digest.hexdigest()


@functools.cache
def _weasyprint_version() -> str:
    return version("weasyprint")


def _remember(key: str, pdf: bytes) -> None:
    _PRINTED[key] = pdf
    _PRINTED.move_to_end(key)
    while len(_PRINTED) > _PRINTED_MAX:
        _PRINTED.popitem(last=False)
