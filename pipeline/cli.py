"""The keyproj command line: options -> Settings -> one call -> exit status. No pandas here.

Exit status: 0 when the run finished (findings in the data are not failures), 1 when it
could not (no register, unreadable config), 2 for usage errors.
"""

from __future__ import annotations

import dataclasses
import functools
import gc
import sqlite3
import sys
import traceback
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, TypeVar

import click

from pipeline import __version__
from pipeline.errors import KeyprojError

F = TypeVar("F", bound=Callable[..., Any])
T = TypeVar("T")


def _stderr_progress(items: Iterable[T], label: str) -> Iterable[T]:
    sequence = list(items)
    with click.progressbar(sequence, label=label, file=sys.stderr,
                           show_pos=True) as bar:
        yield from bar


def main() -> None:
    """The ``keyproj`` command (and ``python -m pipeline``): the CLI in a process of its own.

    What a command made lives until the process ends: it is frozen (``gc.freeze``) before
    the interpreter's last collection, which would walk every object only to free it, a
    fifth of a second after a county run. Not done by ``cli`` itself: a process that runs
    commands and goes on (the tests) must be able to collect them. Before that, the PDF
    workers a run started are let finish starting (``printer.settle``)."""
    try:
        try:
            code = cli.main(standalone_mode=False)    # ctx.exit(n) returns n here
            if isinstance(code, int) and code:
                sys.exit(code)
        except click.UsageError as exc:       # Click's own words are English only
            exc.show()
            click.echo("用法有误，请运行 keyproj --help 查看命令和选项 / see keyproj --help for "
                       "the commands and options", err=True)
            sys.exit(exc.exit_code)
        except click.ClickException as exc:
            exc.show()
            sys.exit(exc.exit_code)
        except (click.Abort, KeyboardInterrupt):
            click.echo("\n已中断 / interrupted", err=True)
            sys.exit(130)
    finally:
        printer = sys.modules.get("pipeline.render.printer")
        if printer is not None:
            printer.settle()
        gc.freeze()


def handle_errors(func: F) -> F:
    """Turn KeyprojError, a file that cannot be read or written and a damaged history into
    a message on stderr (Chinese and English, with what to do) and exit status 1."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        debug = kwargs.get("debug", False)
        try:
            return func(*args, **kwargs)
        except (KeyprojError, OSError, sqlite3.Error) as exc:
            if debug:
                traceback.print_exc()
            click.echo(f"错误 / error: {error_text(exc)}", err=True)
            sys.exit(1)

    return wrapper  # type: ignore[return-value]


def _latest_run(workspace: Any) -> Any:
    """The latest period with a manifest in the output folder, or None."""
    from pipeline.period import Period, is_period_name

    runs = sorted(Period.parse(p.parent.name) for p in workspace.output_dir.glob("*/manifest.json")
                  if is_period_name(p.parent.name))
    return runs[-1] if runs else None


def _latest_input(workspace: Any) -> Any:
    """The latest period folder holding a sheet (``resolve_period``), or None."""
    from pipeline.errors import PeriodError

    try:
        return workspace.resolve_period(None)
    except PeriodError:
        return None


def error_text(exc: BaseException) -> str:
    """What a person reads of an error that stops a command."""
    if isinstance(exc, sqlite3.OperationalError) and "locked" in str(exc):
        return ("历史库（输出文件夹中的 history.sqlite）正被另一个 keyproj 占用；请等它结束后再运行 / the "
                "history (history.sqlite in the output folder) is in use by another keyproj: "
                "run again once it has finished")
    if isinstance(exc, sqlite3.Error):
        return (f"历史库（输出文件夹中的 history.sqlite）已损坏或无法读写（{exc}）；请从备份恢复它，"
                "或把它移到别处后按月份顺序重新运行 / the history (history.sqlite in the output "
                f"folder) is damaged or cannot be read or written ({exc}): restore it from a "
                "backup, or move it aside and run the months again in order")
    if isinstance(exc, OSError) and not isinstance(exc, KeyprojError):
        if exc.strerror is None and exc.filename is None:
            return f"{type(exc).__name__}: {exc}"
        where = exc.filename or ""
        reason = exc.strerror or str(exc) or type(exc).__name__
        return (f"无法读写 {where}（{reason}）：请确认该位置存在、可写、不是文件夹，或关闭占用它的"
                f"程序后重试 / cannot read or write {where} ({reason}): check that it exists, is "
                "writable and is not a folder (or close the program holding it), then run again")
    return str(exc)


def _period(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """A malformed --period is a usage error (exit 2)."""
    from pipeline.period import Period

    if value is not None:
        try:
            Period.parse(value)
        except KeyprojError as exc:
            raise click.BadParameter(str(exc)) from exc
    return value


def workspace_options(func: F) -> F:
    options = [
        click.option("--period", metavar="YYYY-MM", callback=_period,
                     help="Period; default: the latest input/YYYY-MM/."),
        click.option("--input", "input_dir", type=click.Path(file_okay=False, path_type=Path),
                     default=Path("input"), show_default=True, help="Input folder."),
        click.option("--output", "output_dir", type=click.Path(file_okay=False, path_type=Path),
                     default=Path("output"), show_default=True, help="Output folder."),
        click.option("--config", "config", type=click.Path(dir_okay=False, path_type=Path),
                     default=None, help="Config file; default: ./keyproj.toml when present."),
        click.option("--debug", is_flag=True, help="Show tracebacks."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def _settings(config: Path | None, lang: str | None = None) -> Any:
    from pipeline.config import load_settings

    settings = load_settings(config or Path("keyproj.toml"), required=config is not None)
    if lang:
        settings = dataclasses.replace(settings,
                                       report=dataclasses.replace(settings.report, lang=lang))
    return settings


@click.group()
@click.version_option(__version__, prog_name="keyproj")
def cli() -> None:
    """keyproj — 重点项目建设调度: monthly scheduling of a county's key construction projects.

    Drop each unit's Excel sheet into input/YYYY-MM/, keep the year's register in
    input/register.xlsx, and run `keyproj run`.
    """


@cli.command()
@workspace_options
@click.option("--lang", type=click.Choice(["zh", "en"]), default=None,
              help="Report language (default from keyproj.toml, else zh).")
@click.option("--jobs", type=click.IntRange(min=1), default=None,
              help="Worker processes for rendering (default: the number of cores).")
@click.option("--force", is_flag=True,
              help="Run the period and print every PDF again, even when nothing changed "
                   "since its last run.")
@handle_errors
def run(period: str | None, input_dir: Path, output_dir: Path, config: Path | None,
        lang: str | None, jobs: int | None, force: bool, debug: bool) -> None:
    """Run the whole monthly batch: read, check, reconcile, score, rank, render.

    A period whose inputs, register, settings, history and program are all as at its last
    run, and whose outputs are all still there, is not run again (``--force`` runs it).
    """
    from pipeline.rerun import unchanged
    from pipeline.workspace import Workspace

    settings = _settings(config, lang)
    workspace = Workspace(input_dir, output_dir)
    chosen = workspace.resolve_period(period)
    last = None if force else unchanged(workspace, chosen, settings)
    if last is not None:
        _run_summary(chosen, len(last["inputs"]), last["rows"], last["findings"])
        click.echo("未变化 unchanged: 输入、项目库、配置和历史与上次运行相同，输出保持不变"
                   "（如需重新生成请加 --force）/ inputs, register, settings and history are "
                   "as at the last run: outputs kept (--force rebuilds them)")
    else:
        from pipeline.render.printer import warm_up

        warm_up(jobs)      # the PDF workers load WeasyPrint while pandas loads here
        from pipeline.run import run_period

        analysis = run_period(workspace, chosen, settings, progress=_stderr_progress,
                              jobs=jobs, force=force)
        _run_summary(chosen, len(analysis.books), analysis.row_counts(),
                     analysis.finding_counts())
    click.echo(f"输出 outputs: {workspace.period_output(chosen)}")


def _run_summary(period: Any, files: int, counts: dict[str, int],
                 found: dict[str, int]) -> None:
    click.echo(f"{period}: {files} 个文件 files, {counts['read']} 行 rows "
               f"(used {counts['used']}, duplicate {counts['duplicate']}, "
               f"rejected {counts['rejected']}); findings: {found['error']} error, "
               f"{found['warning']} warning, {found['info']} info")


@cli.command()
@workspace_options
@handle_errors
def check(period: str | None, input_dir: Path, output_dir: Path, config: Path | None,
          debug: bool) -> None:
    """Read, check and reconcile only: who has submitted, who is missing, findings."""
    from pipeline.run import Workspace, run_check, submitted_units

    settings = _settings(config)
    workspace = Workspace(input_dir, output_dir)
    chosen = workspace.resolve_period(period)
    analysis = run_check(workspace, chosen, settings, progress=_stderr_progress)
    sent, missing = submitted_units(analysis)
    found = analysis.finding_counts()
    click.echo(f"{chosen}: 已报送 submitted {len(sent)} / {len(sent) + len(missing)} 单位 units")
    for unit in missing:
        click.echo(f"  未报送 missing: {unit}")
    click.echo(f"findings: {found['error']} error, {found['warning']} warning, "
               f"{found['info']} info -> {workspace.period_output(chosen) / 'check'}")


@cli.command()
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path), default=Path("."))
@click.option("--seed", type=int, default=2026, show_default=True, help="Random seed.")
@click.option("--force", is_flag=True, help="Overwrite a workspace's files already there.")
@handle_errors
def demo(directory: Path, seed: int, force: bool) -> None:
    """Write a realistic demo workspace (register, two months of sheets with mistakes)."""
    from pipeline.demo import demo_files, write_demo

    there = [path for path in demo_files(directory) if path.exists()]
    if there and not force:
        shown = "、".join(str(p.relative_to(directory)) for p in there[:3])
        raise KeyprojError(
            f"{directory} 中已有工作区文件（{shown}{' 等' if len(there) > 3 else ''}），示例不会"
            "覆盖它们；请换一个空文件夹，或加 --force 覆盖 / the folder already holds a "
            f"workspace's files ({', '.join(str(p.relative_to(directory)) for p in there[:3])}"
            f"{', …' if len(there) > 3 else ''}); the demo does not overwrite them: choose an "
            "empty folder, or add --force")
    written = write_demo(directory, seed=seed)
    click.echo(f"demo workspace: {directory} ({len(written)} files). "
               f"Next: cd {directory} && keyproj run")


@cli.command()
@handle_errors
def doctor() -> None:
    """Check the environment: CJK fonts, Pango, library versions."""
    from pipeline.doctor import diagnose

    problems = 0
    for ok, line in diagnose():
        click.echo(f"{'ok  ' if ok else 'FAIL'} {line}")
        problems += not ok
    if problems:
        sys.exit(1)


@cli.command()
@click.option("--output", "output_dir", type=click.Path(file_okay=False, path_type=Path),
              default=Path("output"), show_default=True, help="Output folder (holds history.sqlite).")
@click.option("--drop", metavar="YYYY-MM", callback=_period, default=None,
              help="Remove this period from the history.")
@handle_errors
def history(output_dir: Path, drop: str | None) -> None:
    """Show what the history holds (periods, run times, inputs); --drop a period."""
    from pipeline import history as store
    from pipeline.period import Period

    path = output_dir / "history.sqlite"
    if drop:
        if store.drop_period(path, Period.parse(drop)):
            click.echo(f"已删除 dropped {drop} from {path}")
        else:
            click.echo(f"历史中没有 {drop} / {drop} is not in the history", err=True)
            sys.exit(1)
        return
    periods = store.summary(path)
    if not periods:
        click.echo(f"历史为空 / the history is empty ({path})")
        return
    for item in periods:
        stale = "  过期，请重新运行 stale: run it again" if item.stale else ""
        click.echo(f"{item.period}  run {item.run_at}  keyproj {item.version}  "
                   f"{item.projects} projects  {len(item.inputs)} inputs{stale}")
        for file, size, sha in item.inputs:
            click.echo(f"    {sha[:16]}  {size:>9}  {file}")


@cli.command()
@workspace_options
@handle_errors
def templates(period: str | None, input_dir: Path, output_dir: Path, config: Path | None,
              debug: bool) -> None:
    """Write each unit's prefilled sheet for a period: output/P/templates/<unit>.xlsx.

    The sheet lists the unit's projects (ids and names locked), last month's cumulative
    investment for reference, and dropdowns and checks for every input column. Default
    period: the month after the latest one in the history (else after the latest
    input/YYYY-MM/).
    """
    from pipeline.period import Period
    from pipeline.run import Workspace
    from pipeline.unit_template import default_period, reference_period, write_templates

    settings = _settings(config)
    workspace = Workspace(input_dir, output_dir)
    chosen = Period.parse(period) if period else default_period(workspace)
    written = write_templates(workspace, chosen, settings)
    reference = reference_period(workspace, chosen)
    source = (f"上月累计取自 {reference} 的历史 / last month's figures from {reference}"
              if reference else "历史中没有上月数据，参考列为空 / no history for last month: "
              "the reference column is empty")
    click.echo(f"{chosen}: {len(written)} 个模板 templates -> "
               f"{workspace.period_output(chosen) / 'templates'} ({source})")


@cli.command()
@workspace_options
@click.option("--send", is_flag=True,
              help="Send over SMTP ([smtp] in keyproj.toml, password from "
                   "KEYPROJ_SMTP_PASSWORD); without it only output/P/outbox/*.eml is written.")
@click.option("--resend", is_flag=True,
              help="With --send: send again to recipients already sent the same bundle.")
@handle_errors
def distribute(period: str | None, input_dir: Path, output_dir: Path, config: Path | None,
               debug: bool, send: bool, resend: bool) -> None:
    """Bundle a period's reports for each unit, leader and the county leadership.

    Units get their feedback sheet, marked-up submission and next month's template (made
    when missing); leaders their coordination list; the leadership the bulletin and the
    ledger. Writes output/P/outbox/<recipient>.eml and output/P/distribution.csv; sends
    only with --send, and never twice the same bundle to the same recipient.
    """
    from pipeline import distribute as mail
    from pipeline.period import Period
    from pipeline.run import Workspace

    if resend and not send:
        raise click.UsageError("--resend 须与 --send 同用 / --resend goes with --send")
    settings = _settings(config)
    workspace = Workspace(input_dir, output_dir)
    # what it sends is the period's outputs: a period run, its sheets since archived, is
    # distributed all the same; without --period, the latest period run or with sheets (one
    # with sheets not run yet says to run it)
    if period:
        ran = Period.parse(period)
        chosen = ran if workspace.period_output(ran).is_dir() else \
            workspace.resolve_period(period)
    else:
        found = [p for p in (_latest_run(workspace), _latest_input(workspace)) if p]
        chosen = max(found) if found else workspace.resolve_period(None)   # says what is wrong
    result = mail.distribute(workspace, chosen, settings, send=send, resend=resend)
    for row in result.rows:
        if row["status"] not in (mail.SENT, mail.DRAFTED):
            click.echo(f"  {row['status']}: {row['recipient']} ({row['role']}) {row['message']}",
                       err=True)
    counts = {s: result.count(s) for s in (mail.SENT, mail.DRAFTED, mail.REFUSED, mail.FAILED,
                                           mail.NO_ADDRESS, mail.INVALID_ADDRESS, mail.SKIPPED)}
    shown = ", ".join(f"{s} {n}" for s, n in counts.items() if n)
    click.echo(f"{chosen}: {shown or 'nothing new'}; already sent {len(result.already)}; "
               f"{len(result.templates_made)} new templates for {chosen.next}")
    click.echo(f"outbox: {workspace.period_output(chosen) / mail.OUTBOX}  log: {result.log}")
    if counts[mail.FAILED]:
        sys.exit(1)
