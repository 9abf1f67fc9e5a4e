"""keyproj distribute: bundles, .eml files, and delivery to a real local SMTP server."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import shutil
import socket
import threading
from collections.abc import Iterator
from dataclasses import replace
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from click.testing import CliRunner
from factory import project, write_register
from pypdf import PdfReader, PdfWriter

from pipeline import distribute as mail
from pipeline.cli import cli
from pipeline.config import Recipient, Settings, Smtp, load_settings, settings_from_dict
from pipeline.demo import write_demo
from pipeline.errors import ConfigError, KeyprojError
from pipeline.period import Period
from pipeline.run import Workspace, load_register

OCT = Period(2026, 10)
SENDER = "县重点项目办 <office@example.gov.cn>"
UNIT = "县交通运输局"
# units and leaders whose reports the (simulated) renderer produced
REPORTED_UNITS = ("县交通运输局", "县水利局", "泷泊镇人民政府")
REPORTED_LEADERS = ("张明华", "李建国")


# --- a real SMTP server --------------------------------------------------------------------

class Handler:
    """Accepts everything but the refused addresses; can fail the first DATA (451)."""

    def __init__(self) -> None:
        self.messages: list[tuple[list[str], EmailMessage]] = []
        self.refused: set[str] = set()
        self.fail_data = 0
        self.lock = threading.Lock()

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str,
                          rcpt_options: list[str]) -> str:
        if address in self.refused:
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self.lock:
            if self.fail_data:
                self.fail_data -= 1
                return "451 4.3.0 try again later"
            message = BytesParser(policy=policy.default).parsebytes(envelope.content)
            assert isinstance(message, EmailMessage)
            self.messages.append((list(envelope.rcpt_tos), message))
        return "250 Message accepted"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def server() -> Iterator[tuple[Handler, int]]:
    handler = Handler()
    port = _free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield handler, port
    finally:
        controller.stop()


def _smtp_settings(port: int, **changes: Any) -> Settings:
    base = load_settings(Path("keyproj.toml"))
    smtp = Smtp(host="127.0.0.1", port=port, sender=SENDER, starttls=False)
    return replace(base, smtp=replace(smtp, **changes))


# --- a demo workspace, run once ------------------------------------------------------------

def _pdf(title: str) -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    writer.add_metadata({"/Title": title})
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def _xlsx(text: str) -> bytes:
    book = openpyxl.Workbook()
    book.active["A1"] = text
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def add_outputs(out: Path, files: dict[str, bytes]) -> None:
    """Write report files as a run would, listed in manifest.json with their SHA-256."""
    manifest = json.loads((out / "manifest.json").read_text("utf-8"))
    listed = {o["file"]: o for o in manifest["outputs"]}
    for name, data in files.items():
        (out / name).parent.mkdir(parents=True, exist_ok=True)
        (out / name).write_bytes(data)
        listed[name] = {"file": name, "sha256": hashlib.sha256(data).hexdigest()}
    manifest["outputs"] = sorted(listed.values(), key=lambda o: o["file"])
    (out / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False), "utf-8")


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo workspace with October's outputs as a run leaves them (made here, so these
    tests do not hang on the renderer): manifest.json listing every report by SHA-256."""
    root = tmp_path_factory.mktemp("demo")
    write_demo(root)
    out = Workspace(root / "input", root / "output").period_output(OCT)
    out.mkdir(parents=True)
    (out / "manifest.json").write_text(json.dumps({"period": str(OCT), "outputs": []}))
    files = {"report.pdf": _pdf("调度通报")}
    files |= {f"units/{u}.pdf": _pdf(f"{u} 反馈") for u in REPORTED_UNITS}
    files |= {f"units/{u}-marked.xlsx": _xlsx(u) for u in REPORTED_UNITS[:2]}
    files |= {f"leaders/{x}.pdf": _pdf(f"{x} 协调清单") for x in REPORTED_LEADERS}
    files["ledger.xlsx"] = _xlsx("台账")
    add_outputs(out, files)
    return root


@pytest.fixture
def demo(demo_run: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "w"
    shutil.copytree(demo_run, root)
    monkeypatch.chdir(root)
    monkeypatch.delenv(mail.PASSWORD_ENV, raising=False)
    return root


def _ws(root: Path) -> Workspace:
    return Workspace(root / "input", root / "output")


def _log(root: Path) -> list[dict[str, str]]:
    with (root / "output/2026-10/distribution.csv").open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def _attachments(message: EmailMessage) -> dict[str, bytes]:
    return {part.get_filename() or "": part.get_payload(decode=True)
            for part in message.iter_attachments()}


def _parse(path: Path) -> EmailMessage:
    message = BytesParser(policy=policy.default).parsebytes(path.read_bytes())
    assert isinstance(message, EmailMessage)
    return message


# --- tests ---------------------------------------------------------------------------------

def test_dry_run_writes_eml_files_that_parse(demo: Path) -> None:
    settings = load_settings(Path("keyproj.toml"))

    result = mail.distribute(_ws(demo), OCT, settings)

    out = demo / "output/2026-10"
    message = _parse(out / "outbox" / f"{UNIT}.eml")
    assert message["Subject"] == "【双牌县重点项目建设调度】2026年10月调度反馈及2026年11月进度表 — 县交通运输局"
    assert message["To"].addresses[0].addr_spec == "jtj@example.gov.cn"
    assert message["To"].addresses[0].display_name == UNIT
    files = _attachments(message)
    template = out.parent / "2026-11/templates" / f"{UNIT}.xlsx"
    assert files == {
        "2026年10月调度反馈-县交通运输局.pdf": (out / "units/县交通运输局.pdf").read_bytes(),
        "2026年10月报表标注-县交通运输局.xlsx": (out / "units/县交通运输局-marked.xlsx").read_bytes(),
        "2026年11月进度表-县交通运输局.xlsx": template.read_bytes(),
    }
    pdf = PdfReader(io.BytesIO(files["2026年10月调度反馈-县交通运输局.pdf"]))
    assert len(pdf.pages) == 1
    body = message.get_body(("plain",))
    assert body is not None and "2026年11月进度表" in body.get_content()
    # the templates for November were made, one a unit
    assert len(result.templates_made) == 10
    # the leadership gets the bulletin and the ledger
    lead = _attachments(_parse(out / "outbox/赵立新.eml"))
    assert sorted(lead) == ["2026年10月重点项目台账.xlsx", "2026年10月重点项目建设调度通报.pdf"]
    PdfReader(io.BytesIO(lead["2026年10月重点项目建设调度通报.pdf"]))
    assert lead["2026年10月重点项目建设调度通报.pdf"] == (out / "report.pdf").read_bytes()

    log = {row["recipient"]: row for row in _log(demo)}
    assert log[UNIT]["status"] == "drafted"
    assert log[UNIT]["message_id"] == message["Message-ID"]
    assert log[UNIT]["files"] == "; ".join(files)
    # a unit whose reports are missing still gets its template, with a note
    assert log["县农业农村局"]["status"] == "drafted"
    assert log["县农业农村局"]["files"] == "2026年11月进度表-县农业农村局.xlsx"
    assert "units/县农业农村局.pdf" in log["县农业农村局"]["message"]
    assert log["泷泊镇人民政府"]["files"].count(";") == 1      # pdf and template, no marked copy
    # no address: listed, its .eml written for delivery by hand
    assert log["五里牌镇人民政府"]["status"] == "no_address"
    assert (out / "outbox/五里牌镇人民政府.eml").is_file()
    # a leader without a coordination list has nothing to send
    assert log["王志刚"]["status"] == "skipped"
    assert log["张明华"]["status"] == "drafted"
    assert list(_log(demo)[0]) == list(mail.LOG_COLUMNS)


def test_send_delivers_each_bundle_and_a_refused_address_stops_no_other(
        demo: Path, server: tuple[Handler, int]) -> None:
    handler, port = server
    handler.refused = {"jtj@example.gov.cn"}
    settings = _smtp_settings(port)

    result = mail.distribute(_ws(demo), OCT, settings, send=True)

    out = demo / "output/2026-10"
    got = {rcpt[0]: message for rcpt, message in handler.messages}
    log = {row["recipient"]: row for row in _log(demo)}
    sent = {row["email"] for row in log.values() if row["status"] == "sent"}
    assert set(got) == sent
    # 9 units with an address less the refused one, 2 leaders with a list, the leadership
    assert len(got) == 8 + 2 + 1
    assert "jtj@example.gov.cn" not in got
    assert log[UNIT]["status"] == "refused" and "550" in log[UNIT]["message"]
    assert result.count("refused") == 1 and result.count("sent") == 11
    water = got["slj@example.gov.cn"]
    assert water["Subject"] == "【双牌县重点项目建设调度】2026年10月调度反馈及2026年11月进度表 — 县水利局"
    assert water["From"].addresses[0].addr_spec == "office@example.gov.cn"
    assert water["Message-ID"] == log["县水利局"]["message_id"]
    files = _attachments(water)
    sizes = {name: len(data) for name, data in files.items()}
    assert sizes == {
        "2026年10月调度反馈-县水利局.pdf": (out / "units/县水利局.pdf").stat().st_size,
        "2026年10月报表标注-县水利局.xlsx": (out / "units/县水利局-marked.xlsx").stat().st_size,
        "2026年11月进度表-县水利局.xlsx":
            (out.parent / "2026-11/templates/县水利局.xlsx").stat().st_size,
    }
    for name, data in files.items():
        if name.endswith(".pdf"):
            assert len(PdfReader(io.BytesIO(data)).pages) >= 1
        else:
            openpyxl.load_workbook(io.BytesIO(data))
    leader = got["zhangminghua@example.gov.cn"]
    assert leader["Subject"] == "【双牌县重点项目建设调度】2026年10月协调事项清单 — 张明华"
    assert list(_attachments(leader)) == ["2026年10月协调事项清单-张明华.pdf"]
    lead = got["zhaolixin@example.gov.cn"]
    assert PdfReader(io.BytesIO(_attachments(lead)["2026年10月重点项目建设调度通报.pdf"])).pages
    assert log["县水利局"]["sent_at"].startswith(str(dt.date.today().year))
    # the .eml written is the message sent
    assert _parse(out / "outbox/县水利局.eml")["Message-ID"] == water["Message-ID"]

    # a second --send sends nothing already sent; the refused one is tried again
    again = mail.distribute(_ws(demo), OCT, settings, send=True)
    assert len(handler.messages) == 11
    assert len(again.already) == 11
    assert [r["recipient"] for r in again.rows if r["status"] == "refused"] == [UNIT]
    rows = _log(demo)
    assert sum(r["status"] == "sent" for r in rows) == 11
    assert len(rows) == len({(r["recipient"], r["role"], r["status"]) for r in rows})


def test_a_changed_bundle_is_sent_again_and_resend_sends_all(
        demo: Path, server: tuple[Handler, int]) -> None:
    handler, port = server
    settings = _smtp_settings(port)
    mail.distribute(_ws(demo), OCT, settings, send=True)
    first = len(handler.messages)
    assert first == 12
    add_outputs(demo / "output/2026-10", {"units/县水利局.pdf": _pdf("更正后的反馈")})

    mail.distribute(_ws(demo), OCT, settings, send=True)

    assert [rcpt for rcpt, _ in handler.messages[first:]] == [["slj@example.gov.cn"]]
    assert sum(r["recipient"] == "县水利局" and r["status"] == "sent" for r in _log(demo)) == 2

    mail.distribute(_ws(demo), OCT, settings, send=True, resend=True)
    assert len(handler.messages) == first + 1 + 12


def test_starttls_required_but_not_offered_sends_nothing(
        demo: Path, server: tuple[Handler, int]) -> None:
    handler, port = server
    result = mail.distribute(_ws(demo), OCT, _smtp_settings(port, starttls=True), send=True)

    assert handler.messages == []
    failed = [r for r in result.rows if r["status"] == "failed"]
    assert len(failed) == 12
    assert all("STARTTLS" in r["message"] for r in failed)
    assert not any(r["status"] == "sent" for r in _log(demo))


def test_a_temporary_failure_is_retried_with_back_off(
        demo: Path, server: tuple[Handler, int]) -> None:
    handler, port = server
    handler.fail_data = 1
    slept: list[float] = []
    settings = _smtp_settings(port)
    mailer = mail.Mailer(settings.smtp, None, attempts=3, backoff=0.5, sleep=slept.append)

    result = mail.distribute(_ws(demo), OCT, settings, send=True, mailer=mailer)

    assert slept == [0.5]
    assert result.count("sent") == 12 and len(handler.messages) == 12


def test_an_unreachable_server_fails_every_message_after_retries(demo: Path) -> None:
    slept: list[float] = []
    settings = _smtp_settings(_free_port())
    mailer = mail.Mailer(settings.smtp, None, attempts=3, backoff=1, sleep=slept.append,
                         timeout=5)

    result = mail.distribute(_ws(demo), OCT, settings, send=True, mailer=mailer)

    assert slept == [1, 2]          # tried three times, once: the others fail at once
    assert result.count("failed") == 12 and result.count("sent") == 0


def test_password_comes_from_the_environment(demo: Path, monkeypatch: pytest.MonkeyPatch
                                             ) -> None:
    handler = Handler()
    seen: list[tuple[bytes, bytes]] = []

    def authenticator(server: Any, session: Any, envelope: Any, mechanism: str,
                      data: Any) -> AuthResult:
        assert isinstance(data, LoginPassword)
        seen.append((data.login, data.password))
        return AuthResult(success=data.password == b"s3cret")

    port = _free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port,
                            authenticator=authenticator, auth_require_tls=False)
    controller.start()
    try:
        settings = _smtp_settings(port, user="office@example.gov.cn")
        with pytest.raises(KeyprojError, match=mail.PASSWORD_ENV):
            mail.distribute(_ws(demo), OCT, settings, send=True)
        assert handler.messages == []
        monkeypatch.setenv(mail.PASSWORD_ENV, "s3cret")
        result = mail.distribute(_ws(demo), OCT, settings, send=True)
    finally:
        controller.stop()
    assert seen[0] == (b"office@example.gov.cn", b"s3cret")
    assert result.count("sent") == 12 == len(handler.messages)


def test_names_with_line_breaks_give_safe_headers(demo: Path, server: tuple[Handler, int]
                                                  ) -> None:
    handler, port = server
    evil = "县领导\r\nBcc: spy@evil.example\r\n\r\n正文"
    settings = replace(_smtp_settings(port), recipients=(
        Recipient(evil, "县领导", "lead2@example.gov.cn"),
        Recipient("李四", "县领导", "not-an-address"),
    ))

    result = mail.distribute(_ws(demo), OCT, settings, send=True)

    delivered = {rcpt[0]: message for rcpt, message in handler.messages}
    assert "spy@evil.example" not in delivered
    message = delivered["lead2@example.gov.cn"]
    assert message["Bcc"] is None
    assert "\n" not in message["Subject"] and "\r" not in message["Subject"]
    assert message["To"].addresses[0].display_name == "县领导 Bcc: spy@evil.example 正文"
    raw = b"".join(_raw_headers(demo, message["Message-ID"]))
    assert b"\nBcc:" not in raw
    statuses = {r["recipient"]: r["status"] for r in result.rows}
    assert statuses["李四"] == "invalid_address"


def _raw_headers(root: Path, message_id: str) -> Iterator[bytes]:
    for path in (root / "output/2026-10/outbox").glob("*.eml"):
        data = path.read_bytes()
        if message_id.encode() in data:
            yield data.split(b"\n\n", 1)[0]


def test_cli_distribute(demo: Path, server: tuple[Handler, int]) -> None:
    handler, port = server
    toml = (demo / "keyproj.toml").read_text("utf-8")
    (demo / "keyproj.toml").write_text(
        toml + f'\n[smtp]\nhost = "127.0.0.1"\nport = {port}\nsender = "{SENDER}"\n'
               "starttls = false\n", "utf-8")
    runner = CliRunner()

    dry = runner.invoke(cli, ["distribute", "--period", "2026-10"])
    assert dry.exit_code == 0, dry.output
    assert "drafted 12, no_address 1, skipped 4" in dry.output and handler.messages == []
    sent = runner.invoke(cli, ["distribute", "--period", "2026-10", "--send"])
    assert sent.exit_code == 0, sent.output
    assert "sent 12" in sent.output and len(handler.messages) == 12
    again = runner.invoke(cli, ["distribute", "--send"])   # the latest period is 2026-11
    assert again.exit_code == 1 and "keyproj run --period 2026-11" in again.output
    again = runner.invoke(cli, ["distribute", "--period", "2026-10", "--send"])
    assert again.exit_code == 0 and "already sent 12" in again.output
    assert len(handler.messages) == 12
    usage = runner.invoke(cli, ["distribute", "--period", "2026-10", "--resend"])
    assert usage.exit_code == 2


def test_cli_distribute_refuses_a_server_without_starttls(
        demo: Path, server: tuple[Handler, int]) -> None:
    handler, port = server
    (demo / "keyproj.toml").write_text(
        f'[smtp]\nhost = "127.0.0.1"\nport = {port}\nsender = "{SENDER}"\n', "utf-8")
    result = CliRunner().invoke(cli, ["distribute", "--period", "2026-10", "--send"])
    assert result.exit_code == 1
    assert "STARTTLS" in result.output and handler.messages == []


# --- recipients ----------------------------------------------------------------------------

def _register_with_contacts(root: Path, contacts: list[list[Any]]) -> Workspace:
    path = write_register(root / "input/register.xlsx", [
        project("SP2026-001", "某公路工程"),
        project("SP2026-002", "某水厂", unit="县水利局", leader="李建国")])
    book = openpyxl.load_workbook(path)
    sheet = book.create_sheet("contacts")
    for row in contacts:
        sheet.append(row)
    book.save(path)
    return _ws(root)


def test_contacts_in_a_column_per_role(tmp_path: Path) -> None:
    ws = _register_with_contacts(tmp_path, [
        ["责任单位", "联系领导", "县领导", "邮箱", "电话"],
        ["交通局", None, None, "jtj@example.gov.cn；jtj2@example.gov.cn", "1"],
        [None, "张明华", None, "张明华 <zmh@example.gov.cn>", "2"],
        [None, None, "赵立新", "zlx@example.gov.cn", "3"],
        ["县水利局", None, None, "slj＠example.gov.cn", "4"],      # full-width @
        ["县财政局", None, None, "czj@example.gov.cn", "5"],       # not in the register
    ])
    register = load_register(ws, Settings())
    assert register.contacts[0] == {"name": "交通局", "role": "unit",
                                    "email": "jtj@example.gov.cn；jtj2@example.gov.cn",
                                    "phone": "1"}
    settings = settings_from_dict({"units": {"aliases": {"县交通运输局": ["交通局"]}}})
    people = {(p.role, p.name): p for p in mail.recipients(register, settings)}
    assert people[("unit", "县交通运输局")].addresses == ("jtj@example.gov.cn",
                                                        "jtj2@example.gov.cn")
    assert people[("unit", "县水利局")].addresses == ("slj@example.gov.cn",)
    assert people[("leader", "张明华")].addresses == ("zmh@example.gov.cn",)
    assert people[("leader", "李建国")].addresses == ()
    assert people[("leadership", "赵立新")].addresses == ("zlx@example.gov.cn",)
    assert people[("unit", "县财政局")].known is False


def test_contacts_by_name_and_role_and_config_recipients(tmp_path: Path) -> None:
    ws = _register_with_contacts(tmp_path, [
        ["联系对象", "角色", "邮箱", "电话"],
        ["县交通运输局", "责任单位", "old@example.gov.cn", ""],
        ["赵立新", "主要领导", "zlx@example.gov.cn", ""],
        ["王五", "秘书", "ww@example.gov.cn", ""],
    ])
    register = load_register(ws, Settings())
    assert [c["role"] for c in register.contacts] == ["unit", "leadership", "秘书"]
    settings = settings_from_dict({"recipients": [
        {"name": "县交通运输局", "role": "unit", "email": "new@example.gov.cn"}]})
    people = {(p.role, p.name): p for p in mail.recipients(register, settings)}
    assert people[("unit", "县交通运输局")].addresses == ("new@example.gov.cn",)
    assert people[("leadership", "赵立新")].addresses == ("zlx@example.gov.cn",)
    assert ("秘书", "王五") in people


def test_config_recipients_are_checked() -> None:
    with pytest.raises(ConfigError, match="recipients"):
        settings_from_dict({"recipients": [{"name": "x", "role": "unit", "mail": "a@b.cn"}]})
    with pytest.raises(ConfigError, match="recipients"):
        settings_from_dict({"recipients": {"name": "x"}})


@pytest.mark.parametrize(("text", "good", "bad"), [
    ("a@b.cn", ["a@b.cn"], []),
    ("a@b.cn; c@d.gov.cn，e@f.cn、a@b.cn", ["a@b.cn", "c@d.gov.cn", "e@f.cn"], []),
    ("张三 <zs@example.gov.cn>", ["zs@example.gov.cn"], []),
    ("zs@example", [], ["zs@example"]),
    ("a@b.cn\r\nBcc: x@y.cn", ["a@b.cn", "x@y.cn"], []),
    ("", [], []),
    ("无", [], []),
    ("待补充", [], ["待补充"]),
])
def test_parse_addresses(text: str, good: list[str], bad: list[str]) -> None:
    assert mail.parse_addresses(text) == (good, bad)


def test_header_text_drops_line_breaks() -> None:
    assert mail.header_text("县交通\r\n运输局\x00\u2028") == "县交通 运输局"


def test_no_manifest_means_run_first(tmp_path: Path) -> None:
    ws = _register_with_contacts(tmp_path, [["联系对象", "角色", "邮箱"]])
    (tmp_path / "input/2026-10").mkdir()
    with pytest.raises(KeyprojError, match="keyproj run --period 2026-10"):
        mail.distribute(ws, OCT, Settings())


def test_a_report_changed_after_the_run_is_left_out(demo: Path) -> None:
    out = demo / "output/2026-10"
    (out / "units/县水利局.pdf").write_bytes(_pdf("edited by hand"))
    mail.distribute(_ws(demo), OCT, load_settings(Path("keyproj.toml")))
    log = {row["recipient"]: row for row in _log(demo)}
    assert "调度反馈" not in log["县水利局"]["files"]
    assert "manifest.json" in log["县水利局"]["message"]
