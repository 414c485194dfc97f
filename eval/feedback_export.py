"""Rated answers → gold-set candidates (``fulian-qa feedback export``), in the gold schema of ``eval/gold.jsonl``.

A record becomes an item when it says what the right answer is:

* 👍 on a refusal, or "should have refused" → ``unanswerable`` (no answers, docs or evidence);
* a correction → the correction is the answer; its figure (or, for a name, the correction itself) must
  appear in a cited passage, whose sentence holding it becomes the evidence;
* 👍 on a found answer → what the answer states first (「3426人」 of 「3426人 —— …[1]」) is the answer; the
  cited evidence spans are the evidence.

Type comes from the answer object (the question's parsed type), else from the answer text (a figure:
``numeric``; 是/否: ``yesno``; else ``entity``); ``lang`` from the question (en / zh-hant / zh-hans); ids are
``f`` and the record's position in the feedback file (stable: the file only grows). Every item is checked
with ``eval.metrics.gold_from_dict`` and the gold rules (non-empty lists for answerable items, one report for a
single-report type, two or more for ``multi_doc``, each ``must_contain`` inside an answer or the evidence);
records that cannot make a valid item are returned as skipped, with the reason. Leaves out: de-duplicating
against the existing gold set and review itself (the output is candidates for a person to check).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from core.sentences import split_sentences
from core.text import detect_lang, to_simplified
from eval.metrics import TYPES, gold_from_dict, verdict
from qa.feedback import FeedbackRecord
from qa.figures import find_figures

_MARK = re.compile(r"\s*\[\d+\]")
_LEAD = re.compile(r"\s?——\s?| — ")
_CITY_PREFIX = re.compile(r"^[^:：\n]{1,12}[:：]\s*")
_CORE = re.compile(r"[\d.,，]+[万亿]?")
_THOUSANDS = re.compile(r"(?<=\d)[,，](?=\d{3}(?!\d))")
MAX_NAME = 40  # characters: a longer stated answer is not a name to require


@dataclass(frozen=True)
class Skipped:
    """A record that made no gold item, and why."""

    id: str
    reason: str


def gold_lang(question: str) -> str:
    """``en``, ``zh-hant`` (the question changes under traditional→simplified) or ``zh-hans``."""
    if detect_lang(question) == "en":
        return "en"
    return "zh-hant" if to_simplified(question) != question else "zh-hans"


def _unmarked(text: str) -> str:
    return _MARK.sub("", text).strip()


def stated(answer_text: str) -> list[str]:
    """What each line of an answer states first, without [n] marks or a leading 「city:」."""
    out = []
    for line in answer_text.splitlines():
        line = _unmarked(line)
        if not line:
            continue
        first = _LEAD.split(line, maxsplit=1)[0].strip()
        if len(answer_text.splitlines()) > 1:
            first = _CITY_PREFIX.sub("", first)
        if first:
            out.append(first)
    return out


def _plain_digits(text: str) -> str:
    return _THOUSANDS.sub("", text)


def required(answer: str, qtype: str) -> list[str]:
    """The strings a correct answer must hold: the figure cores (「59万」 of 「59万余册」), or the name."""
    if qtype == "yesno":
        v = verdict(answer)
        return [] if v is None else ["是" if v == "yes" else "否"]
    cores = []
    for fig in find_figures(answer):
        if fig.is_year and len(find_figures(answer)) > 1:
            continue
        m = _CORE.match(fig.text)
        core = m.group(0).rstrip(".,，") if m else fig.text
        if core and core not in cores:
            cores.append(core)
    if cores:
        return cores
    name = _unmarked(answer)
    return [name] if 0 < len(name) <= MAX_NAME else []


def guess_type(answer_type: str, answer: str) -> str:
    """The item type: the answer object's own, else judged from the answer text."""
    if answer_type in TYPES and answer_type != "unanswerable":
        return answer_type
    if verdict(answer) is not None:
        return "yesno"
    return "numeric" if find_figures(answer) else "entity"


def holds(text: str, needle: str) -> bool:
    """``text`` holds ``needle``, thousands separators ignored; a figure only as a whole number (「18」 is not
    in 「2018年」)."""
    text, needle = _plain_digits(text), _plain_digits(needle)
    if not needle[:1].isdigit():
        return needle in text
    return re.search(rf"(?<![\d.]){re.escape(needle)}(?![\d])", text) is not None


def _sentence_with(passage: str, needles: list[str]) -> str:
    """The sentence of a passage holding every needle, or ""."""
    for span in split_sentences(passage):
        sentence = passage[span.start : span.end].strip()
        if sentence and all(holds(sentence, n) for n in needles):
            return sentence
    return ""


def _evidence(citations: Sequence[Mapping[str, Any]], needles: list[str], use_spans: bool) -> list[tuple[str, str]]:
    """(report, quote) pairs that hold the needles, from the cited evidence spans or the passages' sentences."""
    out: list[tuple[str, str]] = []
    for c in citations:
        doc = str(c.get("doc") or "")
        quote = ""
        span = str(c.get("evidence") or "").strip()
        if use_spans and span and (not needles or any(holds(span, n) for n in needles)):
            quote = span
        elif needles:
            quote = _sentence_with(str(c.get("text") or ""), needles)
        if doc and quote and (doc, quote) not in out:
            out.append((doc, quote))
    return out


def item_for(record: FeedbackRecord, seq: int) -> dict[str, Any] | Skipped:
    """The gold item a record makes (``seq``: its 1-based position in the feedback file), or why none."""
    ident = f"f{seq:03d}"
    base = {"id": ident, "question": record.question, "lang": gold_lang(record.question)}
    answer = record.answer
    refused = (record.rating == "up" and not answer.found) or record.should_refuse
    if refused:
        row = {**base, "type": "unanswerable", "answers": [], "must_contain": [], "doc": [], "evidence": []}
        return _checked(row, record)
    if record.correction:
        texts = [_unmarked(record.correction)]
    elif record.rating == "up" and answer.found:
        texts = stated(answer.answer)
    else:
        return Skipped(record.id, "rated 👎 without a correction: the right answer is not known")
    if not texts:
        return Skipped(record.id, "the answer states nothing to check against")
    qtype = guess_type(answer.type, " ".join(texts))
    must = [m for t in texts for m in required(t, qtype)]
    if not must:
        return Skipped(record.id, "no figure or short name to require in the answer")
    citations = [c.model_dump() for c in answer.citations]
    if qtype == "yesno":
        pairs = [(str(c["doc"]), str(c["evidence"]).strip()) for c in citations if str(c.get("evidence", "")).strip()]
        if not pairs:
            pairs = [(str(c["doc"]), s) for c in citations if (s := _first_sentence(str(c.get("text") or "")))]
    else:
        pairs = _evidence(citations, must, use_spans=not record.correction)
    if qtype == "multi_doc":
        docs = list(dict.fromkeys(d for d, _ in pairs))
    else:
        docs = [pairs[0][0]] if pairs else []
        pairs = [p for p in pairs if p[0] in docs]
    if not pairs:
        return Skipped(record.id, f"no cited passage holds {'、'.join(must)}")
    answers = texts if qtype != "yesno" else must
    row = {
        **base,
        "type": qtype,
        "answers": answers,
        "must_contain": must,
        "doc": docs,
        "evidence": [q for _, q in pairs],
    }
    return _checked(row, record)


def _first_sentence(passage: str) -> str:
    for span in split_sentences(passage):
        sentence = passage[span.start : span.end].strip()
        if sentence:
            return sentence
    return ""


def problems(row: Mapping[str, Any]) -> list[str]:
    """What breaks the gold rules in one item ([] when it is valid)."""
    out = []
    try:
        gold_from_dict(dict(row))
    except ValueError as exc:
        out.append(str(exc))
    lists = ("answers", "must_contain", "doc", "evidence")
    if row.get("type") == "unanswerable":
        out += [f"unanswerable but {k} is not empty" for k in lists if row.get(k)]
        return out
    out += [f"{k} is empty" for k in lists if not row.get(k)]
    out += [f"{k} has a blank item" for k in lists if any(not str(v).strip() for v in row.get(k) or [])]
    docs = row.get("doc") or []
    if row.get("type") == "multi_doc" and len(set(docs)) < 2:
        out.append("multi_doc names fewer than two reports")
    if row.get("type") != "multi_doc" and len(docs) > 1:
        out.append("a single-report type names several reports")
    hay = [_plain_digits(s) for s in list(row.get("answers") or []) + list(row.get("evidence") or [])]
    out += [f"must_contain {m!r} is in no answer or evidence" for m in row.get("must_contain") or []
            if not any(_plain_digits(m) in h for h in hay)]
    if row.get("type") == "yesno" and row.get("must_contain") not in (["是"], ["否"]):
        out.append("yesno must_contain must be ['是'] or ['否']")
    return out


def _checked(row: dict[str, Any], record: FeedbackRecord) -> dict[str, Any] | Skipped:
    found = problems(row)
    if found:
        return Skipped(record.id, "; ".join(found))
    return {**row, "feedback_id": record.id}


def candidates(records: Iterable[FeedbackRecord]) -> tuple[list[dict[str, Any]], list[Skipped]]:
    """Gold items from rated answers, and the records that made none (with the reason)."""
    items: list[dict[str, Any]] = []
    skipped: list[Skipped] = []
    for seq, record in enumerate(records, 1):
        made = item_for(record, seq)
        if isinstance(made, Skipped):
            skipped.append(made)
        else:
            items.append(made)
    return items, skipped


def export_gold(records: Iterable[FeedbackRecord]) -> list[dict[str, Any]]:
    """The gold-set candidates of rated answers (see ``candidates`` for the ones left out)."""
    return candidates(records)[0]


def main(args: argparse.Namespace) -> int:
    """``fulian-qa feedback export --out FILE``: write the candidates as JSON lines; say what was left out."""
    from core.settings import get_settings
    from qa.feedback import FeedbackStore, feedback_path

    path = Path(args.feedback) if getattr(args, "feedback", None) else feedback_path(get_settings())
    if not path.exists():
        print(f"error: no feedback file at {path}", file=sys.stderr)
        return 2
    records, unreadable = FeedbackStore(path).read()
    items, skipped = candidates(records)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    with open(out, "w", encoding="utf-8") as f:
        for item in items:
            f.write(json.dumps(item, ensure_ascii=False) + "\n")
    print(f"{len(items)} gold candidates from {len(records)} feedback records → {out}")
    for s in skipped:
        print(f"  skipped {s.id}: {s.reason}", file=sys.stderr)
    if unreadable:
        print(f"  {unreadable} unreadable line(s) in {path} skipped", file=sys.stderr)
    return 0
