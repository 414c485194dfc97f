"""``fulian-qa`` command line: index, ask, list, remove, eval, serve, feedback export.

Arguments are checked before anything heavy is imported: ``--help``, ``--version``, ``list`` and every usage error
(an empty or over-long question, a missing file, an unknown report) answer at once, errors with one ``error:`` line
and exit code 2. The model, Chroma, jieba and LangChain are imported only by the commands that use them, and a
step that takes a while says ``loading …`` on stderr. Leaves out: answering (``qa``) and scoring (``eval``).
"""

from __future__ import annotations

import argparse
import difflib
import json
import os
import sys
import threading
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

from fulian_qa import __version__

if TYPE_CHECKING:
    from core.settings import Settings

SEEDS = Path("seeds")
USAGE_EXIT = 2
MAX_K = 50  # as the API's ``k``
# commands that write nothing, or only files they have closed before returning, so may end with os._exit (no
# tear-down of the model's and the store's native threads, which can crash an interpreter on its way out)
READ_ONLY = ("ask", "list", "eval")
LOADING_AFTER = 0.3  # seconds a step may take before it says "loading …"


class UsageError(Exception):
    """Bad arguments, found before anything heavy is loaded: one ``error:`` line, exit code 2."""


def get_settings() -> Settings:
    from core.settings import get_settings as settings

    return settings()


@contextmanager
def loading(what: str, after: float = LOADING_AFTER) -> Iterator[None]:
    """Say ``loading <what> …`` on stderr when the block takes longer than ``after`` seconds."""
    timer = threading.Timer(after, lambda: print(f"loading {what} …", file=sys.stderr, flush=True))
    timer.daemon = True
    timer.start()
    try:
        yield
    finally:
        timer.cancel()


def _service(follow: bool = True):
    """The answer service; ``follow=False`` (one question) leaves out the thread that follows the store's feed."""
    settings = get_settings()
    if not follow:
        settings = settings.model_copy(update={"sync_interval": 0.0})
    with loading("the index and the embedding model"):
        from concurrent.futures import ThreadPoolExecutor

        from index.embed import get_embedder

        embedder = get_embedder(settings.embed_model, settings.models_dir, settings.encoder)
        with ThreadPoolExecutor(1) as pool:  # the encoder's session opens (outside the GIL) beside the imports
            warm = pool.submit(embedder.warm_up)
            from qa.system import System

            service = System.from_settings(settings, embedder=embedder).service
            warm.result()
    return service


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if not 1 <= value <= MAX_K:
        raise argparse.ArgumentTypeError(f"must be a whole number from 1 to {MAX_K}, not {text!r}")
    return value


def cmd_index(args: argparse.Namespace) -> int:
    paths = [Path(p) for p in args.paths] or [SEEDS]
    missing = [str(p) for p in paths if not p.exists()]
    if missing:
        hint = "" if args.paths else " (give the files or folders to index)"
        raise UsageError(f"no such file or folder: {', '.join(missing)}{hint}")
    import logging

    from index.indexer import Indexer
    from index.load import ReportError

    if args.verbose:
        logging.basicConfig(level=logging.INFO, format="%(message)s", stream=sys.stderr)
    settings = get_settings()
    with loading("the embedding model"):
        indexer = Indexer.from_settings(settings)

    def show(o) -> None:
        if o.status == "error":
            print(f"✗ {o.doc}: {o.message}", file=sys.stderr)
        elif o.status == "duplicate":
            print(f"= {o.doc}: skipped, {o.message}")
        else:
            where = " ".join(p for p in (o.city, str(o.year) if o.year else "") if p) or "city/year unknown"
            print(f"✓ {o.doc} ({where}): {o.chunks} chunks, {o.added} new, {o.removed} removed [{o.status}]")

    try:
        outcomes = indexer.index_paths(paths, on_outcome=show, progress=True)
    except ReportError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"{indexer.store.count()} chunks in collection '{settings.collection}'")
    from qa.bilingual import lookup

    lookup("report")  # the English-to-Chinese table is built now (~2 s once), not on the first English question
    return 1 if any(o.status == "error" for o in outcomes) else 0


def _print_answer(ans: dict) -> None:
    print(ans["answer"])
    for c in ans["citations"]:
        where = " · ".join(str(x) for x in (c["doc"], c.get("city"), c.get("section")) if x)
        print(f"[{c['n']}] {where}")
        passage = c["text"].replace("\n", " ")
        print(f"    {passage[:160]}{'……' if len(passage) > 160 else ''}")
    if not ans["found"] and ans.get("reason"):
        print(f"({ans['reason']})")
    if ans.get("answerer") == "extractive-fallback":
        print(f"(LLM answer replaced by the extractive one: {ans.get('fallback_reason', '')})")


def check_ask(args: argparse.Namespace) -> str | None:
    """The question to ask (None with ``--jsonl``), or ``UsageError``: the service's own checks, made early."""
    settings = get_settings()
    if (args.answerer or settings.answerer).strip().lower() == "llm" and not settings.llm_enabled:
        raise UsageError("the llm answerer is not configured: set FQA_LLM_BASE_URL (and FQA_LLM_MODEL)")
    if args.report:
        _check_reports(settings, args.report)
    if args.jsonl:
        if args.question:
            raise UsageError("give a QUESTION or --jsonl, not both")
        return None
    if not args.question:
        raise UsageError("give a QUESTION or --jsonl")
    question = " ".join(args.question).strip()
    if not question:
        raise UsageError("question is empty")
    if len(question) > settings.max_question_chars:
        raise UsageError(
            f"question is too long ({len(question)} characters; at most {settings.max_question_chars})"
        )
    return question


def cmd_ask(args: argparse.Namespace) -> int:
    question = check_ask(args)
    from qa.plan import QuestionError

    service = _service(follow=question is None)
    filters = {"docs": list(dict.fromkeys(args.report))} if args.report else None
    if question is None:
        for line_no, line in enumerate(sys.stdin, 1):
            if not line.strip():
                continue
            item: Any = None
            try:
                item = json.loads(line)
                asked = item["question"] if isinstance(item, dict) else item
                ans = service.ask(
                    asked, k=args.k, filters=filters, id=item.get("id") if isinstance(item, dict) else None,
                    answerer=args.answerer,
                )
                out = ans.to_dict()
            except (json.JSONDecodeError, KeyError, TypeError) as exc:
                out = {"line": line_no, "error": f"bad input line: {exc}"}
            except QuestionError as exc:
                out = {"line": line_no, "error": str(exc)}
                if isinstance(item, dict):
                    out |= {"id": item.get("id"), "question": item.get("question")}
            print(json.dumps(out, ensure_ascii=False), flush=True)
        return 0
    try:
        ans = service.ask(question, k=args.k, filters=filters, answerer=args.answerer).to_dict()
    except QuestionError as exc:
        raise UsageError(str(exc)) from None
    if args.json:
        print(json.dumps(ans, ensure_ascii=False, indent=2))
    else:
        _print_answer(ans)
    return 0


def indexed_reports(settings: Settings) -> tuple[list[dict[str, Any]], str]:
    """The indexed reports (doc, city, year, passages) by name, and the embedding model their vectors are from.

    Read from the store's chunk metadata alone: no model, no corpus, no collection created.
    """
    if not settings.chroma_host and not settings.chroma_dir.exists():
        return [], ""
    from core.types import ChunkMeta
    from index.store import make_client

    client = make_client(settings)
    try:
        collection = client.get_collection(settings.collection)
    except Exception as exc:
        if "does not exist" in str(exc).lower() or "not found" in str(exc).lower():
            return [], ""
        raise
    reports: dict[str, dict[str, Any]] = {}
    batch = 5000
    for offset in range(0, collection.count(), batch):
        for raw in collection.get(include=["metadatas"], limit=batch, offset=offset)["metadatas"] or []:
            meta = ChunkMeta.parse(raw)
            row = reports.setdefault(meta.doc, {"doc": meta.doc, "city": meta.city, "year": meta.year, "passages": 0})
            row["passages"] += 1
    return sorted(reports.values(), key=lambda r: r["doc"]), str((collection.metadata or {}).get("embed_model", ""))


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _table(rows: list[list[str]]) -> list[str]:
    widths = [max(_width(row[i]) for row in rows) for i in range(len(rows[0]))]
    return ["  ".join(cell + " " * (w - _width(cell)) for cell, w in zip(row, widths, strict=True)).rstrip()
            for row in rows]


def cmd_list(args: argparse.Namespace) -> int:
    settings = get_settings()
    reports, model = indexed_reports(settings)
    if args.json:
        print(json.dumps(reports, ensure_ascii=False, indent=2))
        return 0
    if not reports:
        print(f"no reports indexed in collection '{settings.collection}' (add some: fulian-qa index PATH)")
        return 0
    rows = [["report", "city", "year", "passages"]]
    rows += [[r["doc"], r["city"] or "-", str(r["year"] or "-"), str(r["passages"])] for r in reports]
    print("\n".join(_table(rows)))
    total = sum(r["passages"] for r in reports)
    print(f"{len(reports)} reports, {total} passages in collection '{settings.collection}' (vectors: {model or '?'})")
    return 0


def _check_reports(settings: Settings, names: list[str]) -> None:
    """``UsageError`` naming the reports not in the store, with the closest indexed names."""
    known = [r["doc"] for r in indexed_reports(settings)[0]]
    unknown = [n for n in dict.fromkeys(names) if n not in known]
    if unknown:
        close = sorted({m for n in unknown for m in difflib.get_close_matches(n, known, n=3, cutoff=0.5)})
        hint = f"; did you mean {', '.join(close)}?" if close else "; `fulian-qa list` shows the indexed reports"
        raise UsageError(f"no report named {', '.join(unknown)} in collection '{settings.collection}'{hint}")


def cmd_remove(args: argparse.Namespace) -> int:
    settings = get_settings()
    names = list(dict.fromkeys(args.names))
    _check_reports(settings, names)
    from index.indexer import Indexer

    with loading("the store"):
        indexer = Indexer.from_settings(settings)
    for name in names:
        print(f"removed {name}: {indexer.remove(name)} passages")
    return 0


def cmd_eval(args: argparse.Namespace) -> int:
    from eval.run import main as eval_main

    return eval_main(args)


def cmd_feedback(args: argparse.Namespace) -> int:
    from eval.feedback_export import main as export_main

    return export_main(args)


def cmd_serve(args: argparse.Namespace) -> int:
    from fulian_qa.serve import serve

    serve(args.host, args.port)
    return 0


EXAMPLES = {
    "main": """examples:
  fulian-qa index seeds/                      index the reports in a folder
  fulian-qa ask "天水培训了多少陇原巧手"          answer with cited passages
  fulian-qa list                              the indexed reports
  fulian-qa serve                             web UI and HTTP API on http://127.0.0.1:7860

settings come from FQA_* environment variables (FQA_DATA_DIR, FQA_ENCODER, ...): see the README.""",
    "index": """examples:
  fulian-qa index                             the seed reports (seeds/)
  fulian-qa index reports/2024/ extra.docx    a folder and a file; re-runs add only what changed
  fulian-qa index -v reports/                 and log each write step""",
    "ask": """examples:
  fulian-qa ask "株洲组建了多少个姐妹帮帮团"
  fulian-qa ask --json "How many 陇原巧手 were trained in Tianshui?"
  fulian-qa ask --jsonl < questions.jsonl > answers.jsonl    ({"id","question"} per line)
  fulian-qa ask -k 8 --answerer extractive 天水培训了多少陇原巧手
  fulian-qa ask --report 003_4eae8feafdbcf8d2.txt 组建了多少个姐妹帮帮团    from one report only""",
    "list": """examples:
  fulian-qa list
  fulian-qa list --json""",
    "remove": """examples:
  fulian-qa remove 002_73b7ae9f94230e8b.txt
  fulian-qa remove a/report.txt b/report.txt       names as `fulian-qa list` shows them""",
    "eval": """examples:
  fulian-qa eval                                        every system on eval/gold.jsonl
  fulian-qa eval --systems main --out r.jsonl --report eval/results
  fulian-qa eval --fail-under default                   exit 1 below the CI floors""",
    "serve": """examples:
  fulian-qa serve
  fulian-qa serve --host 0.0.0.0 --port 8080""",
}


class Parser(argparse.ArgumentParser):
    """argparse with a usage error on one line: ``error: <what> (see: <prog> --help)``, exit code 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(USAGE_EXIT, f"error: {message} (see: {self.prog} --help)\n")


def _sub(sub: Any, name: str, help: str, **kwargs: Any) -> argparse.ArgumentParser:
    return sub.add_parser(
        name, help=help, description=help[:1].upper() + help[1:] + ".", epilog=EXAMPLES.get(name),
        formatter_class=argparse.RawDescriptionHelpFormatter, **kwargs,
    )


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(
        prog="fulian-qa",
        description="Cited answers from 妇联 work reports, offline.",
        epilog=EXAMPLES["main"],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"fulian-qa {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND", parser_class=Parser)

    p = _sub(sub, "index", "index report files or folders (default: seeds/)")
    p.add_argument("paths", nargs="*", help="files or folders (.txt .md .docx .pdf); reports are named by their "
                   "path inside the folder")
    p.add_argument("-v", "--verbose", action="store_true", help="log each write step")
    p.set_defaults(func=cmd_index)

    p = _sub(sub, "ask", "answer a question with cited passages")
    p.add_argument("question", nargs="*", help="the question (simplified or traditional Chinese, or English)")
    p.add_argument("--json", action="store_true", help="print the answer object as JSON")
    p.add_argument("--jsonl", action="store_true", help='read {"id","question"} lines on stdin, write answers')
    p.add_argument("-k", type=_positive, default=None, help="passages to consider/cite (default: FQA_TOP_K)")
    p.add_argument(
        "--report", action="append", default=[], metavar="NAME",
        help="answer from this report only (repeat for several; names as `fulian-qa list` shows them)",
    )
    p.add_argument(
        "--answerer",
        choices=["llm", "extractive"],
        default=None,
        help="who writes the answer (default: FQA_ANSWERER; llm needs FQA_LLM_BASE_URL)",
    )
    p.set_defaults(func=cmd_ask)

    p = _sub(sub, "list", "list the indexed reports: name, city, year, passages")
    p.add_argument("--json", action="store_true", help="print them as a JSON list")
    p.set_defaults(func=cmd_list)

    p = _sub(sub, "remove", "remove indexed reports by name")
    p.add_argument("names", nargs="+", metavar="NAME", help="a report's name as `fulian-qa list` shows it")
    p.set_defaults(func=cmd_remove)

    p = _sub(sub, "eval", "score answers against a gold set")
    from eval.args import add_eval_args

    add_eval_args(p)
    p.set_defaults(func=cmd_eval)

    p = sub.add_parser("feedback", help="rated answers: export them as gold-set candidates")
    fsub = p.add_subparsers(dest="action", required=True, parser_class=Parser)
    f = fsub.add_parser("export", help="write rated answers as gold-set candidates (JSON lines)")
    f.add_argument("--out", required=True, help="the file to write (e.g. eval/feedback.jsonl)")
    f.add_argument("--feedback", default=None, help="the feedback file (default: $FQA_DATA_DIR/feedback.jsonl)")
    f.set_defaults(func=cmd_feedback)

    p = _sub(sub, "serve", "web UI at / and REST API at /api")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=7860)
    p.set_defaults(func=cmd_serve)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run one command; as the program (``argv`` None), a read-only command ends without the slow tear-down."""
    args = build_parser().parse_args(argv)
    code = _run(args)
    if argv is None and args.command in READ_ONLY:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)  # the model's and the store's threads and objects need no tear-down to answer a question
    return code


def _run(args: argparse.Namespace) -> int:
    try:
        return args.func(args)
    except KeyboardInterrupt:
        return 130
    except UsageError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return USAGE_EXIT
    except Exception as exc:  # a clear message instead of a traceback for known failures
        from pydantic import ValidationError

        if isinstance(exc, ValidationError):  # a bad FQA_* value
            bad = "; ".join(f"FQA_{'_'.join(map(str, e['loc'])).upper()}: {e['msg']}" for e in exc.errors())
            print(f"error: invalid setting: {bad}", file=sys.stderr)
            return USAGE_EXIT
        from core.errors import StoreUnavailable
        from index.embed import ModelError
        from index.store import StoreError

        if isinstance(exc, StoreError | StoreUnavailable | ModelError):
            print(f"error: {exc}", file=sys.stderr)
            return USAGE_EXIT
        raise


if __name__ == "__main__":
    sys.exit(main())
