"""[IO] Per-recipient bundles of a period's reports, as .eml files or sent over SMTP
(SPEC 7 `keyproj distribute`).

Recipients come from the register's contacts sheet and ``[[recipients]]`` in keyproj.toml:
each unit gets its feedback sheet, its marked-up submission and its template for the next
month; each liaison leader the coordination list; the county leadership the bulletin and
the ledger. A report is attached only as ``manifest.json`` lists it (same SHA-256), so a
half-written or hand-edited file never goes out.

``output/P/distribution.csv`` is the log: every bundle sent stays in it (with its
Message-ID and time); the other rows say what happened to the rest on the last run. A
recipient already sent the same bundle (same addresses, same SHA-256) is not sent it again
unless ``resend``.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import hashlib
import json
import os
import re
import smtplib
import ssl
import time
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid, parseaddr
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pipeline.columns import EMPTY_WORDS
from pipeline.config import Settings, Smtp
from pipeline.errors import KeyprojError
from pipeline.names import file_names, safe_name
from pipeline.outputs import csv_bytes, write_atomic
from pipeline.period import Period
from pipeline.reconcile import resolve_unit
from pipeline.register import Register, contact_role
from pipeline.unit_template import template_paths, write_templates
from pipeline.values import nfkc

if TYPE_CHECKING:
    from pipeline.run import Workspace

LOG = "distribution.csv"
OUTBOX = "outbox"
LOG_COLUMNS = ("recipient", "role", "email", "files", "sha256", "status", "message_id",
               "sent_at", "message")
PASSWORD_ENV = "KEYPROJ_SMTP_PASSWORD"
ROLES = ("unit", "leader", "leadership")
ROLE_ZH = {"unit": "责任单位", "leader": "联系领导", "leadership": "县领导"}
# statuses of distribution.csv
SENT, DRAFTED, REFUSED, FAILED = "sent", "drafted", "refused", "failed"
NO_ADDRESS, INVALID_ADDRESS, SKIPPED = "no_address", "invalid_address", "skipped"

MIME = {".pdf": ("application", "pdf"),
        ".xlsx": ("application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet")}
_ADDRESS = re.compile(r"^[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}$")
_SEPARATORS = re.compile(r"[;,，；、\s]+")
_UNSAFE_HEADER = re.compile(r"[\x00-\x1f\x7f\u0085\u2028\u2029]+")


# --- recipients ----------------------------------------------------------------------------

@dataclass(frozen=True)
class Recipient:
    name: str                       # as the register writes it (a unit, a leader) or the sheet
    role: str                       # unit | leader | leadership, or the text as written
    addresses: tuple[str, ...] = ()
    invalid: tuple[str, ...] = ()   # address texts that are not e-mail addresses
    known: bool = True              # the register knows this unit or leader


def parse_addresses(text: str) -> tuple[list[str], list[str]]:
    """(addresses, texts that look like an address but are not) in a contacts cell;
    several may be separated by ; , 、 or spaces, and may carry a name (张三 <a@b.cn>)."""
    good: list[str] = []
    bad: list[str] = []
    for token in _SEPARATORS.split(nfkc(text or "")):
        token = token.strip().strip("<>()[]（）【】《》\"'“”")
        if not token:
            continue
        if "<" in token or ">" in token:
            token = parseaddr(token)[1] or token
        if _ADDRESS.match(token):
            if token.lower() not in (a.lower() for a in good):
                good.append(token)
        elif "@" in token:
            bad.append(token)
    text = header_text(nfkc(text or ""))
    if not good and not bad and text.lower() not in EMPTY_WORDS:
        bad.append(text)        # something was written, but no address
    return good, bad


def header_text(text: str) -> str:
    """A name or subject safe in a mail header: line breaks and control characters become
    a space (no header injection), runs of spaces one."""
    text = _UNSAFE_HEADER.sub(" ", unicodedata.normalize("NFC", text))
    text = "".join(ch if unicodedata.category(ch) not in ("Cc", "Cf") else " " for ch in text)
    return re.sub(r" {2,}", " ", text).strip()


def recipients(register: Register, settings: Settings) -> list[Recipient]:
    """Every unit and leader of the register (with their addresses, or none) and every
    leadership contact; contacts naming no unit or leader of the register are listed as
    unknown. keyproj.toml's [[recipients]] win over the sheet for the same name and role."""
    units = register.units
    leaders = register.leaders

    def key(contact: dict[str, str]) -> tuple[str, str]:
        role = contact_role(contact.get("role", "")) or contact.get("role", "").strip()
        name = header_text(contact.get("name", ""))
        if role == "unit":
            name = resolve_unit(name, units, settings.unit_aliases) or name
        return role, name

    rows: dict[tuple[str, str], list[dict[str, str]]] = {}
    for contact in register.contacts:
        rows.setdefault(key(contact), []).append(contact)
    configured: dict[tuple[str, str], list[dict[str, str]]] = {}
    for entry in settings.recipients:
        contact = dataclasses.asdict(entry)
        configured.setdefault(key(contact), []).append(contact)
    rows.update(configured)
    out = []
    wanted = [("unit", u) for u in units] + [("leader", x) for x in leaders]
    wanted += sorted(k for k in rows if k[0] == "leadership")
    wanted += sorted(k for k in rows if k not in wanted)
    for role, name in wanted:
        good: list[str] = []
        bad: list[str] = []
        for contact in rows.get((role, name), []):
            found, wrong = parse_addresses(contact.get("email", ""))
            good += [a for a in found if a not in good]
            bad += wrong
        known = (role == "unit" and name in units) or (role == "leader" and name in leaders) \
            or role == "leadership"
        out.append(Recipient(name, role, tuple(good), tuple(bad), known))
    return out


# --- bundles -------------------------------------------------------------------------------

@dataclass(frozen=True)
class Attachment:
    name: str          # the file name in the message
    path: Path
    sha256: str
    size: int


@dataclass
class Bundle:
    recipient: Recipient
    label: str                                   # the .eml's name, without .eml
    attachments: list[Attachment] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)   # files left out, and why
    problem: tuple[str, str] | None = None       # (status, message) when it cannot go

    @property
    def sha256(self) -> str:
        """The bundle's content hash: its attachments' names and SHA-256s."""
        text = "\n".join(f"{a.name}\t{a.sha256}" for a in sorted(self.attachments,
                                                                 key=lambda a: a.name))
        return hashlib.sha256(text.encode("utf-8")).hexdigest() if self.attachments else ""

    @property
    def email(self) -> str:
        return "; ".join(self.recipient.addresses)


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def read_manifest(out: Path) -> dict[str, str]:
    """file -> SHA-256 as output/P/manifest.json lists them."""
    path = out / "manifest.json"
    if not path.is_file():
        raise KeyprojError(
            f"{path} 不存在：请先运行 keyproj run --period {out.name}，再分发 / "
            f"no manifest at {path}: run `keyproj run --period {out.name}` first")
    try:
        data = json.loads(path.read_text("utf-8"))
        return {o["file"]: o["sha256"] for o in data["outputs"]}
    except (ValueError, KeyError, TypeError) as exc:
        raise KeyprojError(f"{path} 已损坏，请重新运行 keyproj run / cannot be read ({exc}): "
                           "run `keyproj run` again") from exc


def _month(period: Period) -> str:
    return f"{period.year}年{period.month}月"


def build_bundles(register: Register, people: list[Recipient], out: Path, period: Period,
                  manifest: dict[str, str], templates: dict[str, Path]) -> list[Bundle]:
    """One bundle a recipient, with the files that exist and that the manifest vouches for;
    ``templates`` maps unit -> its template for the next month."""
    unit_files = file_names(register.units)
    leader_files = file_names(register.leaders)
    month, nxt = _month(period), _month(period.next)
    labels = _labels(people)
    bundles = []
    for person in people:
        bundle = Bundle(person, labels[(person.role, person.name)])
        wanted: list[tuple[str, str, Path | None]] = []   # (attachment name, manifest key, path)
        if person.role == "unit" and person.known:
            stem = unit_files[person.name]
            wanted = [(f"{month}调度反馈-{stem}.pdf", f"units/{stem}.pdf", None),
                      (f"{month}报表标注-{stem}.xlsx", f"units/{stem}-marked.xlsx", None),
                      (f"{nxt}进度表-{stem}.xlsx", "", templates.get(person.name))]
        elif person.role == "leader" and person.known:
            stem = leader_files[person.name]
            wanted = [(f"{month}协调事项清单-{stem}.pdf", f"leaders/{stem}.pdf", None)]
        elif person.role == "leadership":
            wanted = [(f"{month}重点项目建设调度通报.pdf", "report.pdf", None),
                      (f"{month}重点项目台账.xlsx", "ledger.xlsx", None)]
        for name, key, path in wanted:
            if path is None:
                _attach_report(bundle, name, key, out, manifest)
            elif path.is_file():
                data = path.read_bytes()
                bundle.attachments.append(Attachment(name, path, hashlib.sha256(data)
                                                     .hexdigest(), len(data)))
            else:
                bundle.notes.append(f"{name}：模板未生成 / template missing")
        bundle.problem = _problem(bundle)
        bundles.append(bundle)
    return bundles


def _attach_report(bundle: Bundle, name: str, key: str, out: Path,
                   manifest: dict[str, str]) -> None:
    path = out / key
    if not path.is_file():
        bundle.notes.append(f"{key} 未生成，未附 / not produced, left out")
    elif key not in manifest:
        bundle.notes.append(f"{key} 不在 manifest.json 中，未附（请重新运行 keyproj run）/ "
                            "not listed in manifest.json, left out: run again")
    elif _digest(path) != manifest[key]:
        bundle.notes.append(f"{key} 在运行后被改动（与 manifest.json 不符），未附；请重新运行 "
                            "keyproj run / changed since the run, left out: run again")
    else:
        bundle.attachments.append(Attachment(name, path, manifest[key], path.stat().st_size))


def _problem(bundle: Bundle) -> tuple[str, str] | None:
    person = bundle.recipient
    if person.role not in ROLES:
        return SKIPPED, (f"角色“{person.role}”不认识（应为 责任单位/联系领导/县领导）/ unknown "
                         "role: use 责任单位, 联系领导 or 县领导")
    if not person.known:
        what = "责任单位" if person.role == "unit" else "联系领导"
        return SKIPPED, (f"项目库中没有这个{what}，请核对通讯录中的名称 / not a {person.role} "
                         "of the register: check the name in the contacts")
    if not bundle.attachments:
        return SKIPPED, "没有可发送的文件 / nothing to send"
    if person.invalid and not person.addresses:
        return INVALID_ADDRESS, (f"邮箱格式不对：{'; '.join(person.invalid)}，请在通讯录中改正 / "
                                 "not an e-mail address: correct it in the contacts")
    if not person.addresses:
        return NO_ADDRESS, ("通讯录中没有邮箱，请补填（或另行送达 outbox 中的邮件）/ no e-mail "
                            "address in the contacts: add one (or deliver the .eml by hand)")
    return None


def _labels(people: list[Recipient]) -> dict[tuple[str, str], str]:
    """(role, name) -> the .eml's file name; a name in several roles gets the role added."""
    counts: dict[str, int] = {}
    for person in people:
        counts[person.name] = counts.get(person.name, 0) + 1
    wanted = {(p.role, p.name): (p.name if counts[p.name] == 1
                                 else f"{p.name}-{ROLE_ZH.get(p.role, safe_name(p.role))}")
              for p in people}
    safe = file_names(list(wanted.values()))
    return {key: safe[value] for key, value in wanted.items()}


# --- messages ------------------------------------------------------------------------------

def compose(bundle: Bundle, *, period: Period, settings: Settings, sender: str,
            when: dt.datetime) -> EmailMessage:
    """The message of a bundle (no To when the recipient has no address)."""
    person = bundle.recipient
    name = header_text(person.name)
    county = header_text(settings.report.county)
    month = _month(period)
    what = {"unit": f"{month}调度反馈及{_month(period.next)}进度表",
            "leader": f"{month}协调事项清单",
            "leadership": f"{month}调度通报及项目台账"}.get(person.role, f"{month}调度材料")
    msg = EmailMessage()
    msg["Subject"] = header_text(f"【{county}重点项目建设调度】{what} — {name}")
    msg["From"] = sender
    if person.addresses:
        msg["To"] = [Address(display_name=name, addr_spec=a) for a in person.addresses]
    msg["Date"] = format_datetime(when)
    domain = parseaddr(sender)[1].rpartition("@")[2] or "keyproj.local"
    msg["Message-ID"] = make_msgid(domain=domain)
    msg["X-Keyproj-Bundle"] = bundle.sha256
    msg.set_content(_body(bundle, period, settings, what, when.date()))
    for item in bundle.attachments:
        maintype, subtype = MIME.get(item.path.suffix.lower(), ("application", "octet-stream"))
        msg.add_attachment(item.path.read_bytes(), maintype=maintype, subtype=subtype,
                           filename=item.name)
    return msg


def _body(bundle: Bundle, period: Period, settings: Settings, what: str, day: dt.date) -> str:
    person = bundle.recipient
    office = settings.report.office or "县重点项目办"
    verb = "发送给你们，请查收" if person.role == "unit" else "呈送，请审阅"
    lines = [f"{header_text(person.name)}：", "",
             f"现将{settings.report.county}{what}{verb}。", "", "附件："]
    lines += [f"{i}. {a.name}（{_size(a.size)}）" for i, a in enumerate(bundle.attachments, 1)]
    if person.role == "unit":
        lines += ["", (f"请使用附件中的{_month(period.next)}进度表（已预填项目和上月累计数）填报"
                      f"{_month(period.next)}进度，按时报送{office}。反馈材料中标注的问题，请在"
                      "下次报送时一并改正。")]
    elif person.role == "leader":
        lines += ["", "清单列出您联系项目的进展和待协调解决的问题，请督促推进。"]
    if bundle.notes:
        lines += ["", "说明：", *[f"- {n}" for n in bundle.notes]]
    lines += ["", office, f"{day.year}年{day.month}月{day.day}日", "",
              "（本邮件由 keyproj 生成，如有疑问请直接回复。）"]
    return "\n".join(lines) + "\n"


def _size(size: int) -> str:
    return f"{size / 1048576:.1f} MB" if size >= 1048576 else f"{max(1, round(size / 1024))} KB"


def sender_of(smtp: Smtp, settings: Settings) -> str:
    """The From header: [smtp] sender, else the user, else the office at localhost."""
    text = header_text(smtp.sender or smtp.user)
    if text:
        display, address = parseaddr(text)
        if not _ADDRESS.match(address):
            raise KeyprojError(f"[smtp] sender “{text}” 不是邮箱地址，如 \"县重点项目办 "
                               "<office@example.gov.cn>\" / is not an e-mail address")
        return str(Address(display_name=display, addr_spec=address))
    return str(Address(display_name=header_text(settings.report.office) or "keyproj",
                       addr_spec="keyproj@localhost"))


# --- SMTP ----------------------------------------------------------------------------------

class FatalSmtpError(KeyprojError):
    """The server cannot be used at all (no STARTTLS, login refused, unreachable)."""


class Mailer:
    """One SMTP connection, opened on first use, with retries and back-off.

    ``starttls = true`` refuses a server that does not offer STARTTLS; port 465 is SMTP over
    TLS from the first byte. The password comes from KEYPROJ_SMTP_PASSWORD, never a file.
    """

    def __init__(self, smtp: Smtp, password: str | None, *, attempts: int = 3,
                 backoff: float = 2.0, timeout: float = 60.0,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.smtp = smtp
        self.password = password
        self.attempts = max(1, attempts)
        self.backoff = backoff
        self.timeout = timeout
        self.sleep = sleep
        self.connection: smtplib.SMTP | None = None

    def _connect(self) -> smtplib.SMTP:
        smtp = self.smtp
        context = ssl.create_default_context()
        conn: smtplib.SMTP
        if smtp.port == 465:
            conn = smtplib.SMTP_SSL(smtp.host, smtp.port, timeout=self.timeout, context=context)
            conn.ehlo()
        else:
            conn = smtplib.SMTP(smtp.host, smtp.port, timeout=self.timeout)
            conn.ehlo()
            if smtp.starttls:
                if not conn.has_extn("starttls"):
                    _quit(conn)
                    raise FatalSmtpError(
                        f"邮件服务器 {smtp.host}:{smtp.port} 不支持 STARTTLS 加密，未发送。请改用支持"
                        "加密的端口（587 或 465）；仅本机测试服务器可设 starttls = false / "
                        f"{smtp.host}:{smtp.port} does not offer STARTTLS: nothing was sent. Use "
                        "an encrypted port (587, 465); starttls = false only for a local test "
                        "server")
                conn.starttls(context=context)
                conn.ehlo()
        if smtp.user:
            try:
                conn.login(smtp.user, self.password or "")
            except smtplib.SMTPException as exc:
                _quit(conn)
                raise FatalSmtpError(
                    f"邮件服务器拒绝登录 {smtp.user}（{_reason(exc)}）：请检查 [smtp] user 和环境"
                    f"变量 {PASSWORD_ENV} / login refused for {smtp.user}: check [smtp] user "
                    f"and {PASSWORD_ENV}") from exc
        return conn

    def send(self, msg: EmailMessage, sender: str, to: list[str]) -> dict[str, str]:
        """Send; return the refused addresses with the server's reason. Retries transient
        failures with back-off; raises FatalSmtpError when the server cannot be used and
        smtplib.SMTPException when this message fails for good."""
        last: Exception | None = None
        for attempt in range(self.attempts):
            if attempt:
                self.sleep(self.backoff * 2 ** (attempt - 1))
            try:
                if self.connection is None:
                    self.connection = self._connect()
                refused = self.connection.send_message(msg, from_addr=sender, to_addrs=to)
                return {a: _reason(r) for a, r in refused.items()}
            except smtplib.SMTPRecipientsRefused as exc:
                if all(code >= 500 for code, _ in exc.recipients.values()):
                    return {a: _reason(r) for a, r in exc.recipients.items()}
                last = exc
                self.close()
            except FatalSmtpError:
                raise
            except smtplib.SMTPResponseException as exc:
                if exc.smtp_code >= 500:
                    self._reset()
                    raise
                last = exc
                self.close()
            except (smtplib.SMTPException, OSError) as exc:   # disconnects, timeouts, refused
                last = exc
                self.close()
        if self.connection is None:
            raise FatalSmtpError(
                f"连接邮件服务器 {self.smtp.host}:{self.smtp.port} 失败（已重试 {self.attempts} 次：{last}）"
                f" / cannot reach {self.smtp.host}:{self.smtp.port} after {self.attempts} "
                f"tries: {last}")
        raise smtplib.SMTPException(f"重试 {self.attempts} 次仍失败 / failed after "
                                    f"{self.attempts} tries: {last}")

    def _reset(self) -> None:
        try:
            if self.connection is not None:
                self.connection.rset()
        except (smtplib.SMTPException, OSError):
            self.close()

    def close(self) -> None:
        if self.connection is not None:
            _quit(self.connection)
            self.connection = None


def _quit(conn: smtplib.SMTP) -> None:
    try:
        conn.quit()
    except (smtplib.SMTPException, OSError):
        conn.close()


def _reason(value: Any) -> str:
    if isinstance(value, tuple) and len(value) == 2:
        code, text = value
        text = text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text)
        return f"{code} {text}"
    if isinstance(value, smtplib.SMTPResponseException):
        return _reason((value.smtp_code, value.smtp_error))
    return str(value)


# --- the log and the command ---------------------------------------------------------------

def read_log(path: Path) -> list[dict[str, str]]:
    if not path.is_file():
        return []
    with path.open(encoding="utf-8", newline="") as handle:
        return [{k: (v or "") for k, v in row.items() if k} for row in csv.DictReader(handle)]


def _write_log(path: Path, rows: list[dict[str, str]]) -> None:
    write_atomic(path, csv_bytes(LOG_COLUMNS, ([r.get(c, "") for c in LOG_COLUMNS]
                                              for r in rows)))


def _already_sent(log: list[dict[str, str]], bundle: Bundle) -> dict[str, str] | None:
    for row in log:
        if (row.get("status") == SENT and row.get("recipient") == bundle.recipient.name
                and row.get("role") == bundle.recipient.role and row.get("email") == bundle.email
                and row.get("sha256") == bundle.sha256):
            return row
    return None


@dataclass
class Distribution:
    period: Period
    rows: list[dict[str, str]]                 # this run's rows of distribution.csv
    already: list[Bundle]                      # not sent again: same bundle already sent
    outbox: list[Path]
    templates_made: list[Path]
    log: Path

    def count(self, status: str) -> int:
        return sum(1 for r in self.rows if r["status"] == status)


def distribute(workspace: Workspace, period: Period, settings: Settings, *, send: bool = False,
               resend: bool = False, mailer: Mailer | None = None,
               now: Callable[[], dt.datetime] | None = None) -> Distribution:
    """Make the bundles of a period, write them to output/P/outbox/, and with ``send``
    deliver them over SMTP; log every outcome in output/P/distribution.csv."""
    from pipeline.run import load_register

    clock = now or (lambda: dt.datetime.now(dt.UTC).astimezone())
    out = workspace.period_output(period)
    manifest = read_manifest(out)
    register = load_register(workspace, settings)
    if send and mailer is None:
        mailer = _mailer(settings.smtp)
    sender = sender_of(settings.smtp, settings)
    made = write_templates(workspace, period.next, settings, register=register,
                           only_missing=True)
    templates = template_paths(register, workspace, period.next)
    bundles = build_bundles(register, recipients(register, settings), out, period, manifest,
                            templates)
    log_path = out / LOG
    kept = [r for r in read_log(log_path) if r.get("status") == SENT]
    result = Distribution(period, [], [], [], sorted(made.values()), log_path)
    outbox = out / OUTBOX
    fatal: str | None = None
    try:
        for bundle in bundles:
            row = {"recipient": bundle.recipient.name, "role": bundle.recipient.role,
                   "email": bundle.email, "files": "; ".join(a.name for a in bundle.attachments),
                   "sha256": bundle.sha256, "message": "; ".join(bundle.notes)}
            if bundle.problem is None and _already_sent(kept, bundle) and not resend:
                result.already.append(bundle)
                continue
            msg = None
            if bundle.attachments:
                msg = compose(bundle, period=period, settings=settings, sender=sender,
                              when=clock())
                eml = outbox / f"{bundle.label}.eml"
                write_atomic(eml, msg.as_bytes())
                result.outbox.append(eml)
                row["message_id"] = str(msg["Message-ID"])
            if bundle.problem is not None:
                status, why = bundle.problem
                row.update(status=status, message=_join(why, row["message"]))
            elif not send or msg is None:
                row["status"] = DRAFTED
            elif fatal is not None:
                row.update(status=FAILED, message=_join(fatal, row["message"]))
            else:
                assert mailer is not None
                try:
                    refused = mailer.send(msg, parseaddr(sender)[1],
                                          list(bundle.recipient.addresses))
                except FatalSmtpError as exc:
                    fatal = str(exc)
                    row.update(status=FAILED, message=_join(fatal, row["message"]))
                except smtplib.SMTPException as exc:
                    row.update(status=FAILED, message=_join(_reason(exc), row["message"]))
                else:
                    accepted = [a for a in bundle.recipient.addresses if a not in refused]
                    why = "; ".join(f"{a}: {r}" for a, r in refused.items())
                    if accepted:
                        row.update(status=SENT, sent_at=clock().isoformat(timespec="seconds"),
                                   message=_join(f"拒收 refused {why}" if why else "",
                                                 row["message"]))
                    else:
                        row.update(status=REFUSED, message=_join(
                            f"服务器拒收，请核对邮箱 / the server refused: {why}",
                            row["message"]))
            result.rows.append(row)
            # the log is rewritten after every message: a crash never forgets a send
            _write_log(log_path, kept + result.rows)
    finally:
        if mailer is not None:
            mailer.close()
    _write_log(log_path, kept + result.rows)
    _clean_outbox(outbox, {b.label for b in bundles})
    return result


def _join(*parts: str) -> str:
    return "; ".join(p for p in parts if p)


def _clean_outbox(outbox: Path, labels: set[str]) -> None:
    """Drop .eml files of recipients no longer in the list (the outbox is this command's)."""
    if not outbox.is_dir():
        return
    for path in outbox.glob("*.eml"):
        if path.stem not in labels:
            path.unlink()


def _mailer(smtp: Smtp) -> Mailer:
    if not smtp.host:
        raise KeyprojError("keyproj.toml 中没有 [smtp] host，无法发送；不加 --send 时只生成 outbox "
                           "中的邮件 / no [smtp] host in keyproj.toml: set it to send (without "
                           "--send the messages are only written to the outbox)")
    if not (smtp.sender or smtp.user):
        raise KeyprojError("keyproj.toml 中没有 [smtp] sender（发件人），如 \"县重点项目办 "
                           "<office@example.gov.cn>\" / set [smtp] sender to send")
    password = os.environ.get(PASSWORD_ENV)
    if smtp.user and not password:
        raise KeyprojError(f"请在环境变量 {PASSWORD_ENV} 中设置邮箱密码（不要写进文件）/ set the "
                           f"password of {smtp.user} in the environment variable {PASSWORD_ENV} "
                           "(never in a file)")
    return Mailer(smtp, password)
