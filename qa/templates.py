"""Answer wording, as data: one place for every sentence the product says, in Chinese and English."""

from __future__ import annotations

TEMPLATES: dict[str, dict[str, str]] = {
    "zh": {
        "figure": "{figure} —— {evidence}[{n}]",
        "list": "{items} —— {evidence}[{n}]",
        "span": "{span} —— {evidence}[{n}]",
        "list_fewer": "{items}(报告中列出的项少于所问)—— {evidence}[{n}]",
        "yes": "是。{evidence}[{n}]",
        "no_figure": "否。报告写的是{figure}:{evidence}[{n}]",
        "no_such_figure": "否。报告没有写到所说的数目:{evidence}[{n}]",
        "no_such_name": "否。报告没有写到“{name}”:{evidence}[{n}]",
        "plain": "{evidence}[{n}]",
        "part": "{city}:{body}",
        "not_found": "报告中没有找到这个问题的答案。下面是最接近的段落,供参考。",
        "unknown_place": "报告中没有关于{place}的内容(已收录:{covered})。",
        "uncovered_year": "报告未涵盖{year}年的{city}情况(已收录:{covered})。",
        "uncovered_year_any": "报告未涵盖{year}年(已收录:{covered})。",
        "part_missing": "{city}:报告中没有找到答案。",
        "uncovered_year_part": "报告未涵盖{year}年的情况。",
        "empty_index": "还没有索引任何报告:请先运行 fulian-qa index(或上传报告)。",
        "compare_more": "{a}({fa})多于{b}({fb})。",
        "compare_equal": "{a}与{b}相同({fa})。",
    },
    "en": {
        "figure": "{figure} — {evidence} [{n}]",
        "list": "{items} — {evidence} [{n}]",
        "span": "{span} — {evidence} [{n}]",
        "list_fewer": "{items} (the report lists fewer items than asked) — {evidence} [{n}]",
        "yes": "Yes. {evidence} [{n}]",
        "no_figure": "No. The report says {figure}: {evidence} [{n}]",
        "no_such_figure": "No. The report does not state the number claimed: {evidence} [{n}]",
        "no_such_name": "No. The report does not mention “{name}”: {evidence} [{n}]",
        "plain": "{evidence} [{n}]",
        "part": "{city}: {body}",
        "not_found": "The reports don't say. The closest passages are listed for reference.",
        "unknown_place": "The reports contain nothing about {place} (covered: {covered}).",
        "uncovered_year": "The reports do not cover {city} in {year} (covered: {covered}).",
        "uncovered_year_any": "The reports do not cover {year} (covered: {covered}).",
        "part_missing": "{city}: the reports don't say.",
        "uncovered_year_part": "the reports do not cover {year}.",
        "empty_index": "No reports are indexed yet: run `fulian-qa index` (or upload a report) first.",
        "compare_more": "{a} ({fa}) is more than {b} ({fb}).",
        "compare_equal": "{a} and {b} are the same ({fa}).",
    },
}


def say(lang: str, key: str, **values: object) -> str:
    """Fill template ``key`` in ``lang`` (zh for any Chinese question, en otherwise)."""
    return TEMPLATES["en" if lang == "en" else "zh"][key].format(**values)
