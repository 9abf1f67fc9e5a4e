"""The reader's sandbox (SPEC 7): workers with a memory and a time limit, replaced when they
die, stopped when the read is over, killed with their parent; what they send back is data,
never code; a file that changes while it is read is left for the next run."""

from __future__ import annotations

import os
import pickle
import random
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import hostile_files as H
import pytest
from conftest import GOOD_FILES, PERIOD, data

from pipeline import sandbox
from pipeline.config import Limits, Settings
from pipeline.errors import KeyprojError
from pipeline.period import Period
from pipeline.read import READER_STOPPED, Book, list_inputs, read_book, require_safe_xml
from pipeline.run import Workspace, run_check
from pipeline.sandbox import SandboxLimits, read_files

ROW = ["SP-001", "城区污水管网改造工程", 100, 900, "路基施工", None]


def slow_workbook(path: Path, cells: int = 450_000) -> Path:
    """Under every limit but slow to parse: about 4 s of openpyxl."""
    rnd = random.Random(3)
    rows = (f'<row r="{r}">' + "".join(f"<c><v>{rnd.randrange(10**6)}</v></c>" for _ in range(15))
            + "</row>" for r in range(1, cells // 15 + 1))
    return H.zip_with(path, H.xlsx_entries(iter(
        [f'<worksheet xmlns="{H.NS}"><sheetData>'.encode(), *(r.encode() for r in rows),
         b"</sheetData></worksheet>"])))


def codes(book: Book) -> list[str]:
    return [f.code for f in book.findings]


def readers() -> set[int]:
    """This process's reader workers still there (Linux)."""
    pids: set[int] = set()
    for task in Path(f"/proc/{os.getpid()}/task").iterdir():
        for pid in (task / "children").read_text().split():
            try:
                if b"_worker_main" in Path(f"/proc/{pid}/cmdline").read_bytes():
                    pids.add(int(pid))
            except FileNotFoundError:
                pass
    return pids


def gone(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return True
    return state in ("Z", "X")


def test_a_worker_that_dies_is_replaced_and_its_file_gets_a_finding(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    (tmp_path / "a-corner.xls").write_bytes(H.corner_xls())    # python-calamine aborts
    H.workbook(tmp_path / "b.xlsx", [ROW])
    (tmp_path / "c.xls").write_bytes(H.xls([H.HEADER, ROW]))
    books = read_files(list_inputs(tmp_path), Limits(), sandbox=SandboxLimits(workers=1))
    assert [(b.name, codes(b), len(b.grids)) for b in books] == [
        ("a-corner.xls", ["unreadable_file"], 0), ("b.xlsx", [], 1), ("c.xls", [], 1)]
    assert books[0].findings[0].message == f"a-corner.xls: {' / '.join(READER_STOPPED)}"
    assert "a-corner.xls: the reader died (exit status -6)" in caplog.text     # SIGABRT
    assert readers() == set()


def test_files_queued_behind_one_that_kills_its_worker_are_read(tmp_path: Path) -> None:
    """A worker has a few files handed over at a time: when one kills it, only that one
    gets the finding, and those queued behind it are read by the next worker."""
    H.workbook(tmp_path / "a.xlsx", [ROW])
    (tmp_path / "b-corner.xls").write_bytes(H.corner_xls())    # python-calamine aborts
    for name in "cdefg":
        H.workbook(tmp_path / f"{name}.xlsx", [ROW])
    books = read_files(list_inputs(tmp_path), Limits(), sandbox=SandboxLimits(workers=1))
    assert [(b.name, codes(b), len(b.grids)) for b in books] == [
        ("a.xlsx", [], 1), ("b-corner.xls", ["unreadable_file"], 0),
        *((f"{name}.xlsx", [], 1) for name in "cdefg")]
    assert sandbox.QUEUED_PER_WORKER > 1      # else nothing was queued behind it
    assert readers() == set()


def test_a_file_over_the_time_limit_is_stopped(tmp_path: Path,
                                                caplog: pytest.LogCaptureFixture) -> None:
    slow_workbook(tmp_path / "a-slow.xlsx")
    H.workbook(tmp_path / "b.xlsx", [ROW])
    start = time.monotonic()
    books = read_files(list_inputs(tmp_path), Limits(),
                       sandbox=SandboxLimits(seconds=0.5, workers=1))
    assert time.monotonic() - start < 3
    assert [(b.name, codes(b), len(b.grids)) for b in books] == [
        ("a-slow.xlsx", ["unreadable_file"], 0), ("b.xlsx", [], 1)]
    assert "a-slow.xlsx: reading it took longer than 0.5 s" in caplog.text
    assert readers() == set()


def test_a_file_over_the_memory_limit_is_stopped(tmp_path: Path) -> None:
    slow_workbook(tmp_path / "a.xlsx", cells=120_000)     # ~60 MB in openpyxl; a worker
    H.workbook(tmp_path / "b.xlsx", [ROW])                   # starts in ~40 MB
    books = read_files(list_inputs(tmp_path), Limits(),
                       sandbox=SandboxLimits(memory_mb=90, workers=1))
    assert [(b.name, codes(b), len(b.grids)) for b in books] == [
        ("a.xlsx", ["unreadable_file"], 0), ("b.xlsx", [], 1)]
    assert books[0].findings[0].message == f"a.xlsx: {' / '.join(READER_STOPPED)}"


def test_workers_give_what_the_reader_gives_in_process(tmp_path: Path) -> None:
    H.workbook(tmp_path / "a.xlsx", [ROW, ["SP-002", "乙", "1,200", "2026年3月", "√", "无"]])
    (tmp_path / "b.xls").write_bytes(H.xls([H.HEADER, ROW]))
    (tmp_path / "c.xlsx").write_bytes(H.encrypted_xlsx())
    (tmp_path / "d.csv").write_bytes(("\n".join(["项目编号,项目名称"] + ["SP-9,丙"] * 20_000))
                                     .encode("gb18030"))            # big: read by a worker
    files = list_inputs(tmp_path)
    in_process = [read_book(path, name, Limits()) for path, name in files]
    assert read_files(files, Limits(), sandbox=SandboxLimits(workers=2)) == in_process


def test_small_text_files_need_no_worker(tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                                         ) -> None:
    def no_worker(*args: object) -> None:
        raise AssertionError("no worker should start")

    monkeypatch.setattr(sandbox, "_Worker", no_worker)
    (tmp_path / "a.csv").write_text("项目编号,年度累计完成投资\nSP-001,900\n", encoding="utf-8")
    (tmp_path / "~$b.xlsx").write_bytes(b"\x08owner" + bytes(100))
    (tmp_path / "c.xlsx").write_bytes(b"")
    books = read_files(list_inputs(tmp_path), Limits())
    assert [(b.name, codes(b)) for b in books] == [
        ("a.csv", []), ("c.xlsx", ["unreadable_file"]), ("~$b.xlsx", ["unsupported_file"])]


def test_what_a_worker_sends_back_is_data_never_code() -> None:
    class Evil:
        def __reduce__(self) -> tuple[object, tuple[str]]:
            return (os.system, ("echo pwned",))

    with pytest.raises(pickle.UnpicklingError):
        sandbox._safe_loads(pickle.dumps(("book", Evil())))
    with pytest.raises(pickle.UnpicklingError):
        sandbox._safe_loads(pickle.dumps(("book", {"not": "a book"})))
    book = Book(path=Path("a.xlsx"), name="a.xlsx", size=1, sha256="", mtime=0.0, kind="xlsx")
    assert sandbox._safe_loads(pickle.dumps(("book", book))) == ("book", book)


_DRIVER = """
import sys
from pathlib import Path
from pipeline import sandbox
from pipeline.config import Limits, Settings
from pipeline.period import Period

results = sandbox.ReaderPool.results
def announce(self):
    print(" ".join(str(w.process.pid) for w in self.workers), flush=True)
    return results(self)
sandbox.ReaderPool.results = announce
sandbox.read_files([(Path(sys.argv[1]), "slow.xlsx")], Limits(),
                   sandbox=sandbox.SandboxLimits(seconds=600, workers=1))
"""


def test_workers_die_with_a_killed_run(tmp_path: Path) -> None:
    if not sys.platform.startswith("linux"):
        pytest.skip("PR_SET_PDEATHSIG is Linux only")
    path = slow_workbook(tmp_path / "slow.xlsx")
    with subprocess.Popen([sys.executable, "-c", _DRIVER, str(path)],
                          stdout=subprocess.PIPE, text=True) as run:
        assert run.stdout is not None
        workers = [int(p) for p in run.stdout.readline().split()]
        assert workers and not any(gone(p) for p in workers)
        run.send_signal(signal.SIGKILL)
        run.wait()
    deadline = time.monotonic() + 3
    while not all(gone(p) for p in workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert all(gone(p) for p in workers)


def test_the_reader_refuses_to_run_without_defusedxml(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "defusedxml", None)     # import defusedxml fails
    with pytest.raises(KeyprojError, match="defusedxml"):
        require_safe_xml()


def test_the_reader_refuses_to_run_when_openpyxl_parses_unsafely(
        monkeypatch: pytest.MonkeyPatch) -> None:
    import xml.etree.ElementTree as ET

    from openpyxl.xml import functions

    monkeypatch.setattr(functions, "fromstring", ET.fromstring)   # as with lxml installed
    with pytest.raises(KeyprojError, match="OPENPYXL_LXML=False"):
        require_safe_xml()


def test_keyproj_without_defusedxml_exits_1(workspace: Path) -> None:
    code = ("import sys; sys.modules['defusedxml'] = None\n"
            "from pipeline.cli import cli; cli(['check'])")
    result = subprocess.run([sys.executable, "-c", code], cwd=workspace, capture_output=True,
                            text=True, timeout=60, check=False)
    assert result.returncode == 1
    assert "pip install defusedxml" in result.stderr
    assert not (workspace / "output").exists()


def test_a_file_still_being_written_is_left_for_the_next_run(workspace: Path) -> None:
    folder = workspace / "input" / PERIOD
    growing = folder / "导出中.csv"

    def check() -> None:
        run_check(Workspace(workspace / "input", workspace / "output"), Period.parse(PERIOD),
                  Settings())

    growing.write_text(",".join(H.HEADER) + "\n", encoding="utf-8")
    stop = threading.Event()

    def export() -> None:           # a script still writing its export, line by line
        with open(growing, "a", encoding="utf-8") as handle:
            while not stop.is_set():
                handle.write("SP-100,重点项目SP-100,1,2,施工中,\n")
                handle.flush()
                time.sleep(0.01)

    writer = threading.Thread(target=export)
    writer.start()
    try:
        check()
    finally:
        stop.set()
        writer.join()
    found = data(workspace, "findings.csv", folder="check")
    assert [(f["file"], f["code"]) for f in found if f["file"] == growing.name] == [
        (growing.name, "file_in_progress")]
    rows = data(workspace, "rows.csv", folder="check")
    assert [r["file"] for r in rows if r["disposition"] == "used"] == sorted(GOOD_FILES)
    # complete now: the next run reads it
    check()
    found = data(workspace, "findings.csv", folder="check")
    assert "file_in_progress" not in {f["code"] for f in found}
    rows = data(workspace, "rows.csv", folder="check")
    assert growing.name in {r["file"] for r in rows}


def test_a_file_gone_before_it_is_read_is_left_for_the_next_run(tmp_path: Path) -> None:
    H.workbook(tmp_path / "a.xlsx", [ROW])
    (tmp_path / "~$a.xlsx").write_bytes(b"\x08owner" + bytes(100))   # Excel closed: gone
    files = list_inputs(tmp_path)
    (tmp_path / "~$a.xlsx").unlink()
    books = read_files(files, Limits())
    assert [(b.name, codes(b)) for b in books] == [("a.xlsx", []),
                                                   ("~$a.xlsx", ["file_in_progress"])]


def test_a_file_that_cannot_be_opened_says_so(tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    path = H.workbook(tmp_path / "a.xlsx", [ROW])
    read_bytes = Path.read_bytes

    def denied(self: Path) -> bytes:
        if self == path:
            raise PermissionError(13, "Permission denied")
        return read_bytes(self)

    monkeypatch.setattr(Path, "read_bytes", denied)      # as for a user without the right
    book = read_book(path, "a.xlsx", Limits())
    assert codes(book) == ["unreadable_file"]
    assert "cannot be opened (Permission denied)" in book.findings[0].message


def test_the_limits_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KEYPROJ_READ_MEMORY_MB", "512")
    monkeypatch.setenv("KEYPROJ_READ_SECONDS", "2.5")
    monkeypatch.setenv("KEYPROJ_READ_WORKERS", "3")
    assert SandboxLimits.from_env() == SandboxLimits(memory_mb=512, seconds=2.5, workers=3)
    monkeypatch.setenv("KEYPROJ_READ_SECONDS", "soon")
    with pytest.raises(KeyprojError, match="KEYPROJ_READ_SECONDS"):
        SandboxLimits.from_env()
