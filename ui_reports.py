"""The reports tab: the indexed reports (title, city, year, passages, when indexed), upload with per-file
progress and outcome, read a report's text, delete a report.

Writes need the API token, entered once and kept in this browser tab (``sessionStorage``); the browser sends
uploads (``POST /api/jobs``) and deletes (``DELETE /api/documents/...``) straight to the HTTP API with it, so
they pass the API's token check before any byte is received, are audited like any API write, and Gradio's
file route stays closed. Upload jobs run in the background (``qa.jobs``); a ``gr.Timer`` polls them while
any file is unfinished. With no token configured on the server the tab is read-only and says why.
Leaves out: the chat (``ui_chat``), indexing itself (``qa.jobs``, ``qa.reports``).
"""

from __future__ import annotations

import html
import json
from dataclasses import dataclass
from typing import Any

import gradio as gr

from fulian_qa.api.deps import token_problem
from qa.jobs import MAX_FILES, FileStatus, JobStatus
from qa.reports import ReportInfo
from qa.system import System
from ui_assets import delete_js, drop_token_js, save_token_js, upload_js
from ui_text import lang_of, reason, say

POLL = 1.0  # seconds between looks at running upload jobs
COLUMNS = ("col_title", "col_city", "col_year", "col_passages", "col_indexed", "col_file")
ACCEPT = ".txt,.md,.docx,.pdf"


@dataclass
class ReportsParts:
    """What the page needs of the reports tab: the widgets redrawn on load, an upload or a language switch."""

    table: gr.Dataframe
    count: gr.Markdown
    token: gr.Textbox
    token_state: gr.Textbox
    token_note: gr.Markdown


# -- drawing ------------------------------------------------------------------------------------------
def when(iso: str) -> str:
    """「2026-11-25 09:30 UTC」 from an ISO time ("" stays "")."""
    return f"{iso[:10]} {iso[11:16]} UTC" if len(iso) >= 16 else iso


def rows(reports: list[ReportInfo], lang: str) -> dict[str, Any]:
    """The reports as table data with headers in ``lang``."""
    data = [[r.title or r.doc, r.city, r.year or "", r.chunks, when(r.indexed_at), r.doc] for r in reports]
    return {"headers": [say(lang, c) for c in COLUMNS], "data": data or [[""] * len(COLUMNS)]}


def table(reports: list[ReportInfo], lang: str) -> Any:
    """An update of the reports table (for handlers' replies)."""
    return gr.Dataframe(value=rows(reports, lang))


def count(reports: list[ReportInfo], lang: str) -> str:
    if not reports:
        return say(lang, "no_reports")
    return say(lang, "report_count", n=len(reports), chunks=sum(r.chunks for r in reports))


def outcome_text(f: FileStatus, lang: str) -> str:
    """A finished file's outcome for people, in ``lang``."""
    where = " ".join(p for p in (f.city, str(f.year) if f.year else "") if p)
    where = f"({where})" if where and lang == "zh" else (f" ({where})" if where else "")
    if f.outcome == "indexed":
        title = f" · {f.title}" if f.title else ""
        return say(lang, "indexed", chunks=f.chunks, added=f.total or f.done, where=where) + title
    if f.outcome == "unchanged":
        return say(lang, "unchanged", where=where)
    if f.outcome == "duplicate":
        return say(lang, "duplicate", other=f.duplicate_of or "?")
    if f.outcome == "error" or f.state == "error":
        return say(lang, "failed", reason=reason(lang, f.message))
    return ""


def file_row(f: FileStatus, lang: str) -> str:
    if f.finished:
        bar = "" if f.state == "error" else "<progress value='1' max='1'></progress>"
    elif f.total:
        shown = say(lang, "passages_done", done=f.done, total=f.total)
        bar = f"<progress value='{f.done}' max='{f.total}'></progress> {shown}"
    else:
        bar = "<progress></progress>"
    good = f.outcome in ("indexed", "unchanged")
    css = "fqa-good" if good else ("fqa-bad" if f.finished else "")
    return (f"<tr class='fqa-file'><td>{html.escape(f.name)}</td><td>{say(lang, f.state)}</td><td>{bar}</td>"
            f"<td class='{css}'>{html.escape(outcome_text(f, lang))}</td></tr>")


def jobs_html(jobs: list[JobStatus], local: list[FileStatus], lang: str) -> str:
    """Every file of the given jobs (and those refused in the browser) with its state, progress and outcome."""
    files = [f for j in jobs for f in j.files] + local
    if not files:
        return ""
    head = "".join(f"<th>{say(lang, k)}</th>" for k in ("file", "state", "progress", "outcome"))
    rows = "".join(file_row(f, lang) for f in files)
    return f"<div class='fqa-jobs'><table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table></div>"


def note(text: str, bad: bool = False) -> str:
    return f"<div class='fqa-note{' fqa-bad' if bad else ''}'>{html.escape(text)}</div>" if text else ""


def problem_text(result: dict[str, Any], lang: str, action: str = "upload") -> str:
    """Why the browser sent nothing, or what the server refused, in ``lang``."""
    problem = result.get("problem", "")
    if problem == "need_token":
        return say(lang, "need_token" if action == "upload" else "need_token_delete")
    if problem == "no_files":
        return say(lang, "no_files")
    if problem == "network":
        return say(lang, "network", detail=result.get("detail", ""))
    if problem == "refused":
        return say(lang, "refused", status=result.get("status", ""), detail=reason(lang, str(result.get("detail", ""))))
    return ""


def parse(raw: Any) -> dict[str, Any]:
    """The JSON the browser sent back (anything else is an empty result)."""
    try:
        value = json.loads(raw) if isinstance(raw, str) else None
    except ValueError:
        value = None
    return value if isinstance(value, dict) else {}


# -- the tab ------------------------------------------------------------------------------------------
def build_reports(system: System, i18n: gr.I18n, lang: gr.Radio, api_root: str,
                  refresh_outputs: list[Any], refresh_values: Any) -> ReportsParts:
    """The reports tab's widgets and events (inside an open ``gr.Tab``). ``refresh_outputs`` are redrawn by
    ``refresh_values()`` whenever the reports change (the chat's filter choices)."""
    settings = system.settings
    writable = bool(settings.api_token)
    reports = system.reports.documents()
    gr.Markdown(i18n("reports_intro"))
    if not writable:
        gr.Markdown(i18n("read_only"), elem_id="fqa-read-only", elem_classes=["fqa-note"])
    with gr.Group(visible=writable):
        with gr.Row(equal_height=True):
            token = gr.Textbox(label=i18n("token"), placeholder=i18n("token_placeholder"), type="password", scale=4,
                               elem_id="fqa-token")
            use = gr.Button(i18n("token_use"), variant="primary", scale=1, elem_id="fqa-token-use")
            forget = gr.Button(i18n("token_forget"), scale=1, elem_id="fqa-token-forget")
        token_note = gr.Markdown(i18n("token_none"), elem_id="fqa-token-note")
        token_state = gr.Textbox("none", visible="hidden", elem_id="fqa-token-state")
        gr.HTML(f"<input type='file' multiple accept='{ACCEPT}'>", label=i18n("files"), show_label=True,
                elem_id="fqa-files", js_on_load=None, container=True)
        upload = gr.Button(i18n("upload"), variant="primary", elem_id="fqa-upload")
        sent = gr.Textbox(visible="hidden")
        progress = gr.HTML("", elem_id="fqa-progress")
    timer = gr.Timer(POLL, active=False)
    jobs_state = gr.State({"jobs": [], "local": [], "finished": 0})
    count_md = gr.Markdown(count(reports, "zh"), elem_id="fqa-report-count")
    grid = gr.Dataframe(value=rows(reports, "zh"), interactive=False, wrap=True, elem_id="fqa-reports",
                        max_height=420)
    picked = gr.Textbox(visible="hidden", elem_id="fqa-picked")
    heading = gr.Markdown(i18n("pick_report"), elem_id="fqa-report-heading")
    text = gr.Textbox(label=i18n("report_text"), lines=12, max_lines=24, interactive=False, elem_id="fqa-report-text",
                      buttons=["copy"])
    with gr.Row(visible=writable):
        delete = gr.Button(i18n("delete"), variant="stop", interactive=False, elem_id="fqa-delete")
        refresh = gr.Button(i18n("refresh"), elem_id="fqa-refresh")
    deleted = gr.Textbox(visible="hidden")
    message = gr.HTML("", elem_id="fqa-reports-message")

    def listing(lang: str) -> tuple[Any, ...]:
        lang = lang_of(lang)
        docs = system.reports.documents()
        return (table(docs, lang), count(docs, lang), *refresh_values())

    listed = [grid, count_md, *refresh_outputs]

    def check_token(given: str, lang: str) -> tuple[str, str, str]:
        lang = lang_of(lang)
        if not given:
            return say(lang, "token_none"), "none", ""
        if token_problem(settings, f"Bearer {given}"):
            return say(lang, "token_wrong"), "wrong", ""
        return say(lang, "token_ok"), "ok", ""

    def started(lang: str, raw: str) -> tuple[Any, ...]:
        lang, result = lang_of(lang), parse(raw)
        local = [FileStatus(name=str(f.get("name", "")), size=int(f.get("size", 0)), state="error", outcome="error",
                            message=str(f.get("reason", ""))) for f in result.get("local") or [] if isinstance(f, dict)]
        ids = [str(i) for i in result.get("jobs") or []]
        state = {"jobs": ids, "local": [f.model_dump() for f in local], "finished": 0}
        jobs = [system.jobs.status(i) for i in ids if _known(system, i)]
        problem = problem_text(result, lang)
        return (jobs_html(jobs, local, lang), state, gr.Timer(active=bool(ids)), note(problem, bad=bool(problem)))

    def poll(lang: str, state: dict[str, Any]) -> tuple[Any, ...]:
        lang = lang_of(lang)
        jobs = [system.jobs.status(i) for i in state.get("jobs", []) if _known(system, i)]
        local = [FileStatus.model_validate(f) for f in state.get("local", [])]
        finished = sum(f.finished for j in jobs for f in j.files)
        running = any(not j.finished for j in jobs)
        changed = finished != state.get("finished")
        state = {**state, "finished": finished}
        lists = listing(lang) if changed else tuple(gr.skip() for _ in listed)
        return (jobs_html(jobs, local, lang), state, gr.Timer(active=running), *lists)

    def pick(lang: str, evt: gr.SelectData) -> tuple[Any, ...]:
        lang = lang_of(lang)
        row = evt.row_value if isinstance(evt.row_value, list) else []
        name = str(row[-1]) if row else ""
        return (*show(name, lang), gr.Button(interactive=bool(name) and writable))

    def show(name: str, lang: str) -> tuple[str, str, str]:
        body = system.reports.text(name) if name else None
        info = next((d for d in system.reports.documents() if d.doc == name), None)
        if body is None or info is None:
            return "", say(lang, "pick_report") if not name else say(lang, "not_indexed", name=name), ""
        where = " · ".join(str(x) for x in (info.city, info.year or "", info.doc, when(info.indexed_at)) if x)
        return name, f"**{_md(info.title or info.doc)}** \n{_md(where)}", body

    def removed(name: str, lang: str, raw: str) -> tuple[Any, ...]:
        lang, result = lang_of(lang), parse(raw)
        if result.get("problem") in ("cancelled", "no_report"):
            return (gr.skip(),) * (4 + len(listed))
        problem = problem_text(result, lang, action="delete")
        if problem:
            return (note(problem, bad=True), gr.skip(), gr.skip(), gr.skip(), *(gr.skip() for _ in listed))
        done = say(lang, "deleted", name=name, n=result.get("removed", 0))
        return (note(done), "", say(lang, "pick_report"), "", *listing(lang))

    use.click(check_token, [token, lang], [token_note, token_state, token], js=save_token_js(),
              api_visibility="private").then(None, [token_state], None, js=drop_token_js(only_if_wrong=True),
                                             api_visibility="private")
    forget.click(lambda lang: (say(lang_of(lang), "token_forgotten"), "none"), [lang], [token_note, token_state],
                 js="(lang) => { sessionStorage.removeItem('fqa-token'); return lang; }", api_visibility="private")
    upload.click(started, [lang, sent], [progress, jobs_state, timer, message],
                 js=upload_js(api_root, settings.max_upload_mb * 1024 * 1024, MAX_FILES), api_visibility="private",
                 show_progress="hidden")
    timer.tick(poll, [lang, jobs_state], [progress, jobs_state, timer, *listed], api_visibility="private",
               show_progress="hidden")
    grid.select(pick, [lang], [picked, heading, text, delete], api_visibility="private")
    delete.click(removed, [picked, lang, deleted], [message, picked, heading, text, *listed], js=delete_js(api_root),
                 api_visibility="private")
    refresh.click(listing, [lang], listed, api_visibility="private")
    return ReportsParts(grid, count_md, token, token_state, token_note)


def _known(system: System, job_id: str) -> bool:
    try:
        system.jobs.status(job_id)
    except KeyError:
        return False
    return True


def _md(text: str) -> str:
    return html.escape(text).replace("*", "\\*").replace("_", "\\_")
