"""Validate the gold, holdout, sealed and added answer sets in eval/.

Standard library + pytest only. Each check runs once per file. A failure about a sealed split (``sealed``,
``sealed2``, ``added``, ``added2``) names row ids only, never its questions, quotes or answers.
"""

import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
EVAL = ROOT / "eval"
ADDED = EVAL / "added"  # reports added after install (not in seeds/)
ADDED2 = EVAL / "added2"  # a second one, asked about alone and beside the seed reports

# "docs": the folders whose reports a file's "doc" names and "evidence" quotes, first match wins (default: seeds/)
# "sealed": failures name ids only; "mix": the split must hold every type, >= MIN_LANG_SHARE of en and zh-hant,
# and every report of "reports"
FILES = {
    "gold.jsonl": {"prefix": "g", "min_rows": 160},
    "holdout.jsonl": {"prefix": "h", "min_rows": 50},
    "sealed.jsonl": {"prefix": "s", "min_rows": 60, "sealed": True},
    "added.jsonl": {"prefix": "a", "min_rows": 20, "docs": (ADDED,), "sealed": True},
    "sealed2.jsonl": {"prefix": "t", "min_rows": 70, "sealed": True, "mix": True, "reports": SEEDS},
    "sealed3.jsonl": {"prefix": "s3_", "min_rows": 60, "sealed": True, "mix": True, "reports": SEEDS},
    "sealed4.jsonl": {"prefix": "s4_", "min_rows": 60, "sealed": True, "mix": True, "reports": SEEDS},
    "sealed5.jsonl": {"prefix": "s5_", "min_rows": 60, "sealed": True, "mix": True, "reports": SEEDS},
    "sealed6.jsonl": {"prefix": "s6_", "min_rows": 70, "sealed": True, "mix": True, "reports": SEEDS},
    "sealed7.jsonl": {"prefix": "s7_", "min_rows": 62, "sealed": True, "mix": True, "reports": SEEDS},
    "sealed8.jsonl": {"prefix": "s8_", "min_rows": 64, "sealed": True, "mix": True, "reports": SEEDS},
    "sealed9.jsonl": {"prefix": "s9_", "min_rows": 64, "sealed": True, "mix": True, "reports": SEEDS},
    "sealed10.jsonl": {"prefix": "s10_", "min_rows": 64, "sealed": True, "mix": True, "reports": SEEDS},
    "sealed11.jsonl": {"prefix": "s11_", "min_rows": 64, "sealed": True, "mix": True, "reports": SEEDS},
    "sealed12.jsonl": {"prefix": "s12_", "min_rows": 64, "sealed": True, "mix": True, "reports": SEEDS},
    "sealed13.jsonl": {"prefix": "s13_", "min_rows": 64, "sealed": True, "mix": True, "reports": SEEDS},
    "sealed14.jsonl": {"prefix": "s14_", "min_rows": 64, "sealed": True, "mix": True, "reports": SEEDS},
    "sealed15.jsonl": {"prefix": "s15_", "min_rows": 64, "sealed": True, "mix": True, "reports": SEEDS},
    "sealed16.jsonl": {"prefix": "s16_", "min_rows": 64, "sealed": True, "mix": True, "reports": SEEDS},
    "added2.jsonl": {"prefix": "b", "min_rows": 30, "docs": (ADDED2, SEEDS), "sealed": True, "mix": True,
                     "reports": ADDED2},
}
NEW_SPLITS = sorted(name for name, cfg in FILES.items() if cfg.get("sealed"))
MIN_LANG_SHARE = 0.15
TYPES = {"numeric", "entity", "list", "multi_doc", "unanswerable", "yesno"}
LANGS = {"zh-hans", "zh-hant", "en"}
REQUIRED = {
    "id": str,
    "question": str,
    "type": str,
    "answers": list,
    "must_contain": list,
    "doc": list,
    "evidence": list,
    "lang": str,
}
LIST_FIELDS = ("answers", "must_contain", "doc", "evidence")
# optional "class" tag for the hard cases
CLASSES = {
    "part_whole", "unit_focus", "entity_span", "list_complete", "yesno_qualifier",
    "refusal_measure", "refusal_place", "refusal_concept", "refusal_year",
}

# "1,234" -> "1234" (and "12,345,678" -> "12345678"); leaves "3099箱,92970盒" alone
_THOUSANDS = re.compile(r"(?<=\d)[,，](?=\d{3}(?!\d))")


def strip_thousands(text):
    return _THOUSANDS.sub("", text)


def load_rows(name):
    path = EVAL / name
    assert path.is_file(), f"missing {path}"
    rows = []
    with path.open(encoding="utf-8") as f:
        for lineno, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:  # pragma: no cover - reported as failure
                pytest.fail(f"{name}:{lineno}: invalid JSON: {exc}")
            assert isinstance(row, dict), f"{name}:{lineno}: not a JSON object"
            rows.append(row)
    return rows


_SEED_CACHE = {}


def doc_path(cfg, doc):
    """The report file a row's ``doc`` names: the first of the file's folders that holds it (None if none)."""
    for base in cfg.get("docs", (SEEDS,)):
        if (base / doc).is_file():
            return base / doc
    return None


def seed_text(path):
    if path not in _SEED_CACHE:
        _SEED_CACHE[path] = path.read_text(encoding="utf-8")
    return _SEED_CACHE[path]


def shown(cfg, value):
    """``: value`` for an open file, nothing for a sealed split (its contents stay out of test output)."""
    return "" if cfg.get("sealed") else f": {value!r}"


@pytest.fixture(params=sorted(FILES), ids=lambda n: n.split(".")[0])
def dataset(request):
    name = request.param
    return name, FILES[name], load_rows(name)


def test_lines_are_valid_json_objects(dataset):
    name, cfg, rows = dataset
    raw = [ln for ln in (EVAL / name).read_text(encoding="utf-8").splitlines() if ln.strip()]
    assert len(raw) == len(rows)
    assert len(rows) >= cfg["min_rows"], f"{name}: only {len(rows)} rows"


def test_required_fields_and_types(dataset):
    name, _, rows = dataset
    errors = []
    for i, row in enumerate(rows, 1):
        for field, typ in REQUIRED.items():
            if field not in row:
                errors.append(f"row {i}: missing {field}")
            elif not isinstance(row[field], typ):
                errors.append(f"row {i}: {field} is {type(row[field]).__name__}, want {typ.__name__}")
        for field in LIST_FIELDS:
            for item in row.get(field, []) if isinstance(row.get(field), list) else []:
                if not isinstance(item, str) or not item.strip():
                    errors.append(f"row {i} ({row.get('id')}): {field} has a non-string or blank item")
        if isinstance(row.get("question"), str) and not row["question"].strip():
            errors.append(f"row {i}: empty question")
    assert not errors, "\n".join(errors)


def test_ids_unique_and_prefixed(dataset):
    name, cfg, rows = dataset
    ids = [row["id"] for row in rows]
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    assert not dupes, f"{name}: duplicate ids {dupes}"
    pattern = re.compile(rf"^{cfg['prefix']}\d{{3,}}$")
    bad = [i for i in ids if not pattern.match(i)]
    assert not bad, f"{name}: ids not of the form {cfg['prefix']}NNN: {bad}"


def test_questions_unique(dataset):
    name, cfg, rows = dataset
    qs = [row["question"].strip() for row in rows]
    dupes = sorted(r["id"] for r in rows if qs.count(r["question"].strip()) > 1)
    assert not dupes, f"{name}: rows {dupes} repeat a question" + shown(cfg, sorted({q for q in qs if qs.count(q) > 1}))


def test_type_and_lang_allowed(dataset):
    _, _, rows = dataset
    bad = [(r["id"], r["type"], r["lang"]) for r in rows if r["type"] not in TYPES or r["lang"] not in LANGS]
    assert not bad, bad


def test_optional_class_allowed(dataset):
    _, _, rows = dataset
    bad = [(r["id"], r["class"]) for r in rows if "class" in r and r["class"] not in CLASSES]
    assert not bad, bad


def test_docs_exist(dataset):
    _, cfg, rows = dataset
    missing = [(r["id"], d) for r in rows for d in r["doc"] if doc_path(cfg, d) is None]
    assert not missing, missing


def test_evidence_is_verbatim(dataset):
    _, cfg, rows = dataset
    errors = []
    for r in rows:
        texts = [seed_text(path) for d in r["doc"] if (path := doc_path(cfg, d))]
        for n, quote in enumerate(r["evidence"], 1):
            if not any(quote in t for t in texts):
                errors.append(f"{r['id']}: evidence {n} not found in {r['doc']}" + shown(cfg, quote))
    assert not errors, "\n".join(errors)


def test_answerable_vs_unanswerable(dataset):
    _, _, rows = dataset
    errors = []
    for r in rows:
        if r["type"] == "unanswerable":
            for field in LIST_FIELDS:
                if r[field]:
                    errors.append(f"{r['id']}: unanswerable but {field} is not empty")
        else:
            for field in LIST_FIELDS:
                if not r[field]:
                    errors.append(f"{r['id']}: answerable but {field} is empty")
    assert not errors, "\n".join(errors)


def test_must_contain_supported(dataset):
    _, cfg, rows = dataset
    errors = []
    for r in rows:
        if r["type"] == "unanswerable":
            continue
        haystacks = [strip_thousands(s) for s in r["answers"] + r["evidence"]]
        for needle in r["must_contain"]:
            n = strip_thousands(needle)
            if not any(n in h for h in haystacks):
                errors.append(f"{r['id']}: a must_contain item is not in answers or evidence" + shown(cfg, needle))
    assert not errors, "\n".join(errors)


def test_yesno_answers(dataset):
    _, _, rows = dataset
    errors = []
    for r in rows:
        if r["type"] != "yesno":
            continue
        if r["must_contain"] not in (["是"], ["否"]):
            errors.append(f"{r['id']}: yesno must_contain must be ['是'] or ['否']")
        elif r["must_contain"][0] not in r["answers"]:
            errors.append(f"{r['id']}: yesno answers do not contain {r['must_contain'][0]}")
        if ("是" in r["answers"]) == ("否" in r["answers"]):
            errors.append(f"{r['id']}: yesno answers must hold exactly one of 是/否")
    assert not errors, "\n".join(errors)


def test_multi_doc_has_evidence_from_each_report(dataset):
    _, cfg, rows = dataset
    errors = []
    for r in rows:
        if r["type"] == "multi_doc":
            if len(set(r["doc"])) < 2:
                errors.append(f"{r['id']}: multi_doc names fewer than two reports")
            for d in r["doc"]:
                if (path := doc_path(cfg, d)) and not any(q in seed_text(path) for q in r["evidence"]):
                    errors.append(f"{r['id']}: no evidence quote from {d}")
        elif r["type"] != "unanswerable" and len(r["doc"]) != 1:
            errors.append(f"{r['id']}: single-report type {r['type']} names {len(r['doc'])} reports")
    assert not errors, "\n".join(errors)


def test_holdout_questions_differ_from_gold():
    gold = {r["question"].strip() for r in load_rows("gold.jsonl")}
    hold = {r["question"].strip() for r in load_rows("holdout.jsonl")}
    assert not gold & hold, sorted(gold & hold)


@pytest.mark.parametrize("name", NEW_SPLITS)
def test_new_split_questions_differ_from_gold_and_holdout(name):
    # a failure names only the gold/holdout ids that repeat, never the sealed split's contents
    seen = {r["question"].strip(): r["id"] for f in ("gold.jsonl", "holdout.jsonl") for r in load_rows(f)}
    new = {r["question"].strip() for r in load_rows(name)}
    repeated = sorted(seen[q] for q in seen.keys() & new)
    assert repeated == [], f"{name} repeats these gold/holdout questions: {', '.join(repeated)}"


@pytest.mark.parametrize("name", NEW_SPLITS)
def test_new_split_questions_differ_from_other_splits(name):
    # ids only: "t005=s012" says row t005 repeats row s012
    others = {r["question"].strip(): r["id"] for f in NEW_SPLITS if f != name for r in load_rows(f)}
    repeated = sorted(f"{r['id']}={others[q]}" for r in load_rows(name) if (q := r["question"].strip()) in others)
    assert repeated == [], f"{name} repeats questions of another sealed split: {', '.join(repeated)}"


@pytest.mark.parametrize("name", sorted(n for n, cfg in FILES.items() if cfg.get("mix")))
def test_split_covers_types_languages_and_reports(name):
    cfg, rows = FILES[name], load_rows(name)
    assert {r["type"] for r in rows} == TYPES, f"{name}: missing types {sorted(TYPES - {r['type'] for r in rows})}"
    for lang in ("en", "zh-hant"):
        share = sum(r["lang"] == lang for r in rows) / len(rows)
        assert share >= MIN_LANG_SHARE, f"{name}: {lang} is {share:.0%} of the rows, want >= {MIN_LANG_SHARE:.0%}"
    reports = {p.name for p in cfg["reports"].glob("*.txt")}
    asked = {d for r in rows for d in r["doc"]}
    assert reports <= asked, f"{name}: no question about {sorted(reports - asked)}"
    classes = {r.get("class") for r in rows} - {None}
    refusals = {c for c in classes if c.startswith("refusal_")}
    assert classes - refusals and refusals, f"{name}: needs answer classes and refusal classes, has {sorted(classes)}"
