"""``fulian-qa`` command line: index, ask, eval, serve."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from core.settings import get_settings

SEEDS = Path("seeds")


def _service():
    from qa.system import System

    return System.from_settings(get_settings()).service


def cmd_index(args: argparse.Namespace) -> int:
    import logging

    from index.indexer import Indexer
    from index.load import ReportError

    if args.verbose:
        logging.basicConfig(level=logging.INFO, format="%(message)s", stream=sys.stderr)
    settings = get_settings()
    paths = [Path(p) for p in args.paths] or [SEEDS]
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


def cmd_ask(args: argparse.Namespace) -> int:
    from qa.plan import QuestionError

    service = _service()
    if args.jsonl:
        for line_no, line in enumerate(sys.stdin, 1):
            if not line.strip():
                continue
            try:
                item = json.loads(line)
                question = item["question"] if isinstance(item, dict) else item
                ans = service.ask(
                    question, k=args.k, id=item.get("id") if isinstance(item, dict) else None, answerer=args.answerer
                )
                out = ans.to_dict()
            except (json.JSONDecodeError, KeyError, TypeError) as exc:
                out = {"line": line_no, "error": f"bad input line: {exc}"}
            except QuestionError as exc:
                out = {"id": item.get("id"), "question": item.get("question"), "error": str(exc)}
            print(json.dumps(out, ensure_ascii=False), flush=True)
        return 0
    if not args.question:
        print("error: give a QUESTION or --jsonl", file=sys.stderr)
        return 2
    try:
        ans = service.ask(" ".join(args.question), k=args.k, answerer=args.answerer).to_dict()
    except QuestionError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(ans, ensure_ascii=False, indent=2))
    else:
        _print_answer(ans)
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


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="fulian-qa", description="Cited answers from 妇联 work reports.")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("index", help="index report files or folders (default: seeds/)")
    p.add_argument("paths", nargs="*", help="files or folders (.txt .md .docx .pdf); reports are named by their "
                   "path inside the folder")
    p.add_argument("-v", "--verbose", action="store_true", help="log each write step")
    p.set_defaults(func=cmd_index)

    p = sub.add_parser("ask", help="answer a question with cited passages")
    p.add_argument("question", nargs="*")
    p.add_argument("--json", action="store_true", help="print the answer object as JSON")
    p.add_argument("--jsonl", action="store_true", help='read {"id","question"} lines on stdin, write answers')
    p.add_argument("-k", type=int, default=None, help="passages to consider/cite")
    p.add_argument(
        "--answerer",
        choices=["llm", "extractive"],
        default=None,
        help="who writes the answer (default: FQA_ANSWERER; llm needs FQA_LLM_BASE_URL)",
    )
    p.set_defaults(func=cmd_ask)

    p = sub.add_parser("eval", help="score answers against a gold set")
    from eval.args import add_eval_args

    add_eval_args(p)
    p.set_defaults(func=cmd_eval)

    p = sub.add_parser("feedback", help="rated answers: export them as gold-set candidates")
    fsub = p.add_subparsers(dest="action", required=True)
    f = fsub.add_parser("export", help="write rated answers as gold-set candidates (JSON lines)")
    f.add_argument("--out", required=True, help="the file to write (e.g. eval/feedback.jsonl)")
    f.add_argument("--feedback", default=None, help="the feedback file (default: $FQA_DATA_DIR/feedback.jsonl)")
    f.set_defaults(func=cmd_feedback)

    p = sub.add_parser("serve", help="web UI at / and REST API at /api")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=7860)
    p.set_defaults(func=cmd_serve)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # a clear message instead of a traceback for known failures
        from core.errors import StoreUnavailable
        from index.embed import ModelError
        from index.store import StoreError

        if isinstance(exc, StoreError | StoreUnavailable | ModelError):
            print(f"error: {exc}", file=sys.stderr)
            return 2
        raise


if __name__ == "__main__":
    sys.exit(main())
