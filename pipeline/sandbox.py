"""[IO] Read a period's untrusted input files in long-lived worker processes (SPEC 7).

A unit's workbook may be broken or hostile: a decompression bomb, a sheet that makes a
parser allocate gigabytes, an .xls that makes python-calamine abort the whole process.
Every workbook is therefore parsed in a worker process with a memory limit
(``RLIMIT_AS``) and a time limit per file. A worker that dies or runs over is killed and
replaced, and its file gets an ``unreadable_file`` finding; the batch goes on. Workers live
for the whole read of a period (starting one costs more than reading a file), die with their
parent, and are stopped and reaped before ``read_files`` returns, so their peak memory
counts in the run's own resource usage.

A worker is a fresh interpreter, as multiprocessing's ``spawn`` makes one (nothing of the
parent is inherited: no threads, no open files, no state), but started by ``subprocess``
with ``python -c``: ``spawn`` and ``forkserver`` re-run the caller's ``__main__`` in every
worker, so a script without an ``if __name__ == "__main__"`` guard would run twice and fail,
and one fed on stdin cannot start a worker at all. It also starts no resource tracker.

What a worker sends back is unpickled with an allow-list of classes (a ``Book`` of plain
values), so even a parser the input has taken over cannot run code in the parent.

Files that need no parser (lock files, empty or oversized files) and small text files are
read in-process. A file whose size or modification time changes while the period is read
(still being copied or saved) gets ``file_in_progress`` and is left for the next run.

Limits (environment variables, for the office's machine and for tests):
``KEYPROJ_READ_MEMORY_MB`` (768), ``KEYPROJ_READ_SECONDS`` (30 per file, counted from the
worker's previous book reaching this process), ``KEYPROJ_READ_WORKERS`` (by default one
for every FILES_PER_WORKER files, up to the number of cores and at most 4; 0 reads
in-process, unsafe, for debugging only).
"""

from __future__ import annotations

import io
import logging
import multiprocessing.connection
import os
import pickle
import socket
import subprocess
import sys
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Self, TypeVar

from pipeline.config import Limits
from pipeline.errors import KeyprojError
from pipeline.findings import CellRef, finding
from pipeline.read import OLE_MAGIC, READER_STOPPED, ZIP_MAGIC, Book, read_book, require_safe_xml
from pipeline.submission import check_book

T = TypeVar("T")
log = logging.getLogger("keyproj.sandbox")

MEMORY_MB = 768
SECONDS = 30.0
MAX_WORKERS = 4
STARTUP_SECONDS = 60.0
IN_PROCESS_TEXT = 256 * 1024     # text files up to this size are read in-process
FILES_PER_WORKER = 64           # files a worker is started for (see SandboxLimits.pool_size)
QUEUED_PER_WORKER = 3            # files handed to a worker at a time (see ReaderPool)
Task = tuple[int, Path, str]     # (key, path, name relative to the input folder)


@dataclass(frozen=True)
class SandboxLimits:
    memory_mb: int = MEMORY_MB     # address space of each worker (RLIMIT_AS); 0: none
    seconds: float = SECONDS       # per file, from taking its worker's previous book
    workers: int | None = None     # None: the cores (at most 4); 0: read in-process

    @classmethod
    def from_env(cls) -> SandboxLimits:
        def number(name: str, kind: Callable[[str], Any], default: Any) -> Any:
            text = os.environ.get(name, "").strip()
            if not text:
                return default
            try:
                value = kind(text)
            except ValueError:
                raise KeyprojError(f"环境变量 {name}={text!r} 不是数字 / {name}={text!r} is not "
                                   "a number") from None
            if value < 0:
                raise KeyprojError(f"{name} 不能为负 / {name} cannot be negative")
            return value

        return cls(memory_mb=number("KEYPROJ_READ_MEMORY_MB", int, MEMORY_MB),
                   seconds=number("KEYPROJ_READ_SECONDS", float, SECONDS),
                   workers=number("KEYPROJ_READ_WORKERS", int, None))

    def pool_size(self, files: int) -> int:
        if files == 0:
            return 0
        if os.name != "posix":      # neither RLIMIT_AS nor passing a socket to a child
            log.warning("no reader sandbox on this platform: workbooks are read in-process")
            return 0
        if self.workers is not None:
            return min(self.workers, files)
        try:
            cores = len(os.sched_getaffinity(0))
        except AttributeError:
            cores = os.cpu_count() or 1
        # starting a worker (an interpreter and its imports) takes about 0.25 s of a core,
        # as long as reading a hundred small workbooks (1.5 ms each): a county's 30 files
        # are read by one worker, sooner than two could start, and leave the other core to
        # the PDF workers starting meanwhile (bench/README.md)
        return max(1, min(cores, MAX_WORKERS, -(-files // FILES_PER_WORKER)))


def read_files(files: list[tuple[Path, str]], limits: Limits, *, month: int | None = None,
               year: int | None = None,
               sandbox: SandboxLimits | None = None,
               progress: Callable[[Iterable[int], str], Iterable[int]] | None = None,
               label: str = "reading") -> list[Book]:
    """Read every (path, name) into a Book, in the order given; never raises for content.

    A book read in a worker is checked there too, for the period's ``month`` and ``year``
    when given (``submission.check_book``)."""
    require_safe_xml()
    sandbox = sandbox or SandboxLimits.from_env()
    listed = {name: _stat(path) for path, name in files}
    outside = {i for i, (path, name) in enumerate(files) if _needs_parser(path, name, limits)}
    size = sandbox.pool_size(len(outside))
    if size == 0:
        outside = set()
    books: dict[int, Book] = {}
    order = progress(range(len(files)), label) if progress else range(len(files))
    with ReaderPool(limits, sandbox, size, (month, year)) as pool:
        for i in order:
            path, name = files[i]
            if i in outside:
                pool.submit(i, path, name)
            else:
                books[i] = read_book(path, name, limits)
        books.update(pool.results())
    out = []
    for i, (path, name) in enumerate(files):
        book = books[i]
        before = listed[name]
        if before is None or _stat(path) != before or book.size != before[0]:
            book = _in_progress(book, path, name)
        out.append(book)
    return out


def _stat(path: Path) -> tuple[int, int] | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return (st.st_size, st.st_mtime_ns)


def _needs_parser(path: Path, name: str, limits: Limits) -> bool:
    """Whether reading the file means running a parser on it (then: in a worker)."""
    if Path(name).name.startswith("~$"):
        return False
    try:
        size = path.stat().st_size
        with path.open("rb") as handle:
            head = handle.read(8)
    except OSError:
        return False
    if size == 0 or size > limits.max_file_mb * 1024 * 1024:
        return False
    return head.startswith((ZIP_MAGIC, OLE_MAGIC)) or size > IN_PROCESS_TEXT


def _in_progress(book: Book, path: Path, name: str) -> Book:
    """The file changed (or vanished) while the period was read: left for the next run."""
    return Book(path=path, name=name, size=book.size, sha256=book.sha256, mtime=book.mtime,
                kind="unknown", findings=[finding(
                    "file_in_progress",
                    "读取期间文件发生了变化（可能仍在复制或保存），本次未读取；复制完成后重新运行",
                    "the file changed while it was read (still being copied or saved?) and was "
                    "not read; run again once it is complete", ref=CellRef(name, ""))])


def _failed(path: Path, name: str) -> Book:
    """The book of a file that stopped its reader."""
    try:
        st = path.stat()
        size, mtime = st.st_size, st.st_mtime
    except OSError:
        size, mtime = 0, 0.0
    return Book(path=path, name=name, size=size, sha256="", mtime=mtime, kind="unknown",
                findings=[finding("unreadable_file", *READER_STOPPED, ref=CellRef(name, ""))])


# --- the pool -----------------------------------------------------------------------------

class _Worker:
    """One reader process: a fresh interpreter (nothing of the parent inherited, the caller's
    main module never re-run) talking over a socket pair."""

    def __init__(self, memory_mb: int) -> None:
        ours, theirs = socket.socketpair()
        package_root = str(Path(__file__).resolve().parents[1])
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(
            p for p in (package_root, os.environ.get("PYTHONPATH", "")) if p)}
        with theirs:
            self.process = subprocess.Popen(
                [sys.executable, "-c", _WORKER_START, str(theirs.fileno()), str(memory_mb),
                 str(os.getpid())],
                pass_fds=(theirs.fileno(),), env=env, stdin=subprocess.DEVNULL)
        self.conn = multiprocessing.connection.Connection(ours.detach())
        self.tasks: deque[Task] = deque()     # handed over, in order; the first is read now
        self.ready = False
        self.retiring = False
        self.deadline = time.monotonic() + STARTUP_SECONDS

    @property
    def open(self) -> bool:
        """Takes more files (up to QUEUED_PER_WORKER handed over at a time)."""
        return self.ready and not self.retiring and len(self.tasks) < QUEUED_PER_WORKER

    @property
    def waited_on(self) -> bool:
        """Busy with a file, or starting: a deadline applies."""
        return bool(self.tasks) or not self.ready

    def hang_up(self, *, kill: bool) -> None:
        """Close the pipe (an idle worker then exits); kill a busy one."""
        self.conn.close()
        if kill and self.process.poll() is None:
            self.process.kill()

    def reap(self) -> None:
        try:
            self.process.wait(5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


_WORKER_START = "import sys; from pipeline.sandbox import _worker_main; _worker_main(*sys.argv[1:])"


class ReaderPool:
    """Worker processes that read one file at a time each; started on the first submit.

    Each worker has up to QUEUED_PER_WORKER files handed over, so that it goes on to the
    next without waiting for this process to take its book and send it another; the time
    limit of a file runs from taking the worker's previous book (or from handing it over)."""

    def __init__(self, limits: Limits, sandbox: SandboxLimits, size: int,
                 period: tuple[int | None, int | None] = (None, None)) -> None:
        self.limits, self.sandbox, self.size, self.period = limits, sandbox, size, period
        self.workers: list[_Worker] = []
        self.queue: deque[Task] = deque()      # submitted, not yet handed over
        self.done: dict[int, Book] = {}

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close(kill=exc[0] is not None)

    def submit(self, key: int, path: Path, name: str) -> None:
        """Queue a file for the workers; wait while enough are queued already."""
        self.queue.append((key, path, name))
        self._hand_over()
        while len(self.queue) > self.size * QUEUED_PER_WORKER:
            self._pump()

    def results(self) -> dict[int, Book]:
        """Wait for every file submitted; the books by key."""
        while self.queue or any(w.tasks for w in self.workers):
            self._pump()
        return self.done

    def close(self, *, kill: bool = False) -> None:
        """Stop every worker and reap it (so its resource usage counts as the run's)."""
        for worker in self.workers:
            worker.hang_up(kill=kill or bool(worker.tasks))
        for worker in self.workers:
            worker.reap()
        self.workers = []

    def _hand_over(self) -> None:
        """Start the workers that are missing, and hand queued files to those that take
        more."""
        while self.queue and len([w for w in self.workers if not w.retiring]) < self.size:
            self.workers.append(_Worker(self.sandbox.memory_mb))
        for worker in self.workers:
            while self.queue and worker.open:
                task = self.queue.popleft()
                if not worker.tasks:
                    worker.deadline = time.monotonic() + self.sandbox.seconds
                worker.tasks.append(task)
                try:
                    worker.conn.send_bytes(pickle.dumps((task[1], task[2], self.limits, self.period)))
                except OSError:
                    break     # it died just now: _pump finds out and gives the finding

    def _pump(self) -> None:
        """Wait for a message, a death or a deadline, deal with it, hand over more files."""
        if not self.workers:
            self._hand_over()
            return
        deadlines = [w.deadline for w in self.workers if w.waited_on]
        timeout = max(0.0, min(deadlines) - time.monotonic()) if deadlines else None
        ready = multiprocessing.connection.wait([w.conn for w in self.workers], timeout)
        now = time.monotonic()
        for worker in list(self.workers):
            if worker.conn in ready:
                self._receive(worker)
            elif worker.waited_on and now >= worker.deadline:
                if worker.conn.poll():     # its book came in just now: the deadline moves
                    self._receive(worker)
                if worker in self.workers and worker.waited_on and now >= worker.deadline:
                    self._overrun(worker)
        self._hand_over()

    def _receive(self, worker: _Worker) -> None:
        try:
            while worker.conn.poll():
                kind, value = _safe_loads(worker.conn.recv_bytes())
                if kind == "ready":
                    worker.ready = True
                elif kind == "fatal":
                    self.close(kill=True)
                    raise KeyprojError(str(value))
                elif kind in ("book", "last") and worker.tasks:
                    key, value.path, _ = worker.tasks.popleft()    # sent without it
                    self.done[key] = value
                    worker.deadline = time.monotonic() + self.sandbox.seconds
                    if kind == "last":      # it exits: what it had not begun goes back
                        worker.retiring = True
                        self.queue.extendleft(reversed(worker.tasks))
                        worker.tasks.clear()
        except (EOFError, OSError):         # the worker is gone: its end of the pipe closed
            worker.process.wait()
            self._lost(worker, f"the reader died (exit status {worker.process.returncode})")
        except pickle.UnpicklingError as exc:   # a worker taken over by its input
            self._lost(worker, f"the reader sent something other than a book ({exc})")

    def _overrun(self, worker: _Worker) -> None:
        if not worker.ready:
            self._remove(worker)
            raise KeyprojError(f"读取进程 {STARTUP_SECONDS:.0f} 秒内未能启动 / the reading worker did "
                               f"not start within {STARTUP_SECONDS:.0f} s")
        self._lost(worker, f"reading it took longer than {self.sandbox.seconds:g} s")

    def _lost(self, worker: _Worker, cause: str) -> None:
        """A worker died, overran or misbehaved: stop it and give the file it was reading a
        finding; the files it had not begun go back to the queue."""
        tasks, ready = list(worker.tasks), worker.ready
        worker.tasks.clear()
        self._remove(worker)
        if not tasks:
            if not ready:
                raise KeyprojError(
                    "读取进程未能启动（内存上限 KEYPROJ_READ_MEMORY_MB 过低？）/ the reading worker "
                    "could not start (is KEYPROJ_READ_MEMORY_MB too low?)")
            return
        self.queue.extendleft(reversed(tasks[1:]))
        key, path, name = tasks[0]
        log.warning("%s: %s; the file gets unreadable_file", name, cause)
        self.done[key] = _failed(path, name)

    def _remove(self, worker: _Worker) -> None:
        self.workers.remove(worker)
        worker.hang_up(kill=True)
        worker.reap()


# --- what crosses the pipe ----------------------------------------------------------------

_ALLOWED = {
    ("pipeline.read", "Book"), ("pipeline.read", "Grid"),
    ("pipeline.findings", "Finding"), ("pipeline.findings", "CellRef"),
    ("pipeline.findings", "Severity"), ("pipeline.submission", "Checked"),
    ("pathlib", "PosixPath"), ("pathlib", "WindowsPath"), ("pathlib", "PurePosixPath"),
    ("pathlib", "PureWindowsPath"),
    ("datetime", "date"), ("datetime", "datetime"), ("datetime", "time"),
    ("datetime", "timedelta"), ("datetime", "timezone"),
}


class _BookUnpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> Any:
        if (module, name) in _ALLOWED:
            return super().find_class(module, name)
        raise pickle.UnpicklingError(f"{module}.{name} is not allowed")


def _safe_loads(data: bytes) -> tuple[str, Any]:
    message = _BookUnpickler(io.BytesIO(data)).load()
    if not (isinstance(message, tuple) and len(message) == 2 and isinstance(message[0], str)):
        raise pickle.UnpicklingError("not a message")
    if message[0] in ("book", "last") and not isinstance(message[1], Book):
        raise pickle.UnpicklingError("not a book")
    return message


# --- the worker ---------------------------------------------------------------------------

def _worker_main(fd: str, memory: str, parent: str) -> None:
    """Set the limits, then read files until the parent closes the pipe."""
    _die_with_parent(int(parent))
    import resource

    conn = multiprocessing.connection.Connection(int(fd))
    memory_mb = int(memory)

    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))    # an abort writes no core file
    if memory_mb:
        limit = memory_mb * 1024 * 1024
        _, hard = resource.getrlimit(resource.RLIMIT_AS)
        if hard != resource.RLIM_INFINITY:
            limit = min(limit, hard)
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    # openpyxl only uses numpy to write numpy values; importing it costs a tenth of a second
    # and OpenBLAS reserves address space per thread, which RLIMIT_AS counts
    sys.modules.setdefault("numpy", None)  # type: ignore[arg-type]
    # a parser that aborts prints its backtrace; the finding says what happened
    os.environ["RUST_BACKTRACE"] = "0"
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 2)
    try:
        require_safe_xml()
    except KeyprojError as exc:
        conn.send_bytes(pickle.dumps(("fatal", str(exc))))
        return
    conn.send_bytes(pickle.dumps(("ready", os.getpid())))
    while True:
        try:
            path, name, limits, period = pickle.loads(conn.recv_bytes())   # from the parent
        except (EOFError, OSError):
            os._exit(0)         # nothing to flush or clean up: skip the interpreter's teardown
        try:
            _read_one(conn, path, name, limits, memory_mb, period)
        except BaseException:  # noqa: BLE001 - out of memory even for the finding: the
            os._exit(3)        # parent sees the worker die and gives the file its finding


def _read_one(conn: Any, path: Path, name: str, limits: Limits, memory_mb: int,
              period: tuple[int | None, int | None] = (None, None)) -> None:
    """Read one file and send its book; retire after it when the worker grew big."""
    try:
        book = read_book(path, name, limits)
    except Exception:  # noqa: BLE001 - the parent must get a book for every file
        book = _failed(path, name)
    try:
        # its rows found and checked here too, in parallel (what needs the period is left
        # to the parent: submission.py)
        book.checked = check_book(book, *period)
    except Exception:  # noqa: BLE001 - the parent checks it then, and says what is wrong
        book.checked = None
    # a worker that grew big retires after this file: the next one starts clean
    kind = "last" if memory_mb and _peak_mb() > memory_mb / 2 else "book"
    # sent without its path, which the parent has (a path costs a third of taking a small
    # book back)
    book.path = None  # type: ignore[assignment]
    try:
        payload = pickle.dumps((kind, book), protocol=pickle.HIGHEST_PROTOCOL)
    except MemoryError:
        kind = "last"
        payload = pickle.dumps((kind, _failed(path, name)))
    conn.send_bytes(payload)
    if kind == "last":
        os._exit(0)


def _peak_mb() -> float:
    import resource

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def _die_with_parent(parent: int) -> None:
    """Linux: have the kernel kill this worker when the process that started it dies, so a
    SIGKILLed run leaves no worker parsing on."""
    if not sys.platform.startswith("linux"):
        return
    try:
        import ctypes
        import signal

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)          # PR_SET_PDEATHSIG
        if os.getppid() != parent:             # the parent died before prctl
            os._exit(1)
    except (OSError, AttributeError):
        pass
