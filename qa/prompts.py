"""Prompts of the LLM answerer, as data: system, user, repair and problem wording in Chinese and English.

The model sees the top passages numbered [1]…[k] with their city, year and section, must answer in the
question's language, cite [n] after each claim, copy figures exactly, and say ``NOT_FOUND[lang]`` when
the passages do not answer. ``qa.llm`` fills these templates; nothing here calls a model.
Leaves out: few-shot examples (they cost small local models more context than they save).
"""

from __future__ import annotations

from typing import TypeVar

T = TypeVar("T")

NOT_FOUND = {"zh": "资料中没有答案", "en": "NOT IN REPORTS"}

# Phrases (of normalised text: simplified, lower case) that also count as "the passages don't answer" when
# the reply says nothing else of substance.
NOT_FOUND_LOOSE = (
    "资料中没有", "没有提到", "没有提及", "未提及", "未提到", "没有相关", "没有找到", "无法回答", "无法确定",
    "没有提供",
    "not in reports", "not in the reports", "not mentioned", "no information", "do not mention", "does not mention",
    "don't mention", "doesn't mention", "do not say", "does not say", "don't say", "doesn't say", "cannot answer",
    "cannot be determined",
)

SYSTEM = {
    "zh": (  # worded for small local models: a 1.5B model refused far more often when rule 1 was not "answer directly"
        "你是妇联工作报告问答助手。根据用户给出的编号资料回答问题。\n"
        "要求：\n"
        "1. 直接回答问题，写出资料中的原文数字和单位。\n"
        "2. 每句话末尾标注资料编号，如[1]。\n"
        "3. 不要编造资料中没有的数字。\n"
        "4. 只有资料完全没有提到问题所问的内容时，才回答：{not_found}"
    ),
    "en": (
        "You answer questions about the work reports of Chinese women's federations from the numbered passages "
        "the user gives you.\n"
        "Rules:\n"
        "1. Answer the question directly in English, copying each figure and its unit exactly as the passage writes "
        "it (e.g. 59万余册 or 3426人); do not estimate, convert or invent figures.\n"
        "2. End every sentence with the number of the passage it rests on, e.g. [1]; two passages: [1][2]. Use only "
        "the numbers given.\n"
        "3. Be brief: one to three sentences.\n"
        "4. Only if the passages say nothing about what the question asks, reply: {not_found}"
    ),
}

PASSAGE = {"zh": "[{n}] {where}\n{text}", "en": "[{n}] {where}\n{text}"}
WHERE_YEAR = {"zh": "{year}年", "en": "{year}"}

USER = {
    "zh": "资料：\n{passages}\n\n{notes}问题：{question}\n请只根据资料回答，每句话末尾标注资料编号。",
    "en": "Passages:\n{passages}\n\n{notes}Question: {question}\nAnswer from the passages only, ending every "
    "sentence with its passage number.",
}

NOTE_MISSING = {
    "zh": "注意：资料中没有关于{cities}的段落，请说明资料中没有{cities}的情况，不要为它写数字。\n",
    "en": "Note: there are no passages about {cities}; say that the reports don't cover it, with no figure.\n",
}
NOTE_COMPARE = {
    "zh": "这个问题涉及多个地方：请分别写出每个地方的数字，各自标注编号。\n",
    "en": "The question is about several places: give each place's figure with its own passage number.\n",
}
NOTE_TRADITIONAL = {"zh": "请用繁体中文回答。\n", "en": ""}
NOTE_ARITHMETIC = {
    "zh": "这个问题需要计算：先分别写出用到的每个数字并标注编号，再写出计算结果。\n",
    "en": "The question needs arithmetic: first state each figure used with its passage number, then the result.\n",
}

REPAIR = {
    "zh": "你的回答有以下问题：\n{problems}\n请只根据上面的资料重新回答：每个数字都要与所引用资料的原文一致，"
    "只能引用[1]到[{last}]，每句话末尾标注编号。资料中没有答案时，只回答：{not_found}",
    "en": "Your answer has these problems:\n{problems}\nAnswer again from the passages above only: every figure "
    "must be written as in the passage it cites, cite only [1] to [{last}], and end every sentence with its "
    "passage number. If the passages do not answer, reply only: {not_found}",
}

PROBLEMS = {
    "zh": {
        "bad_citation": "- 引用了不存在的编号{cited}（资料只有[1]到[{last}]）",
        "no_citation": "- 没有标注资料编号",
        "empty": "- 只写了编号，没有回答问题",
        "figure": "- “{figure}”在所引用的资料{cited}中找不到",
        "figure_uncited": "- “{figure}”所在的句子没有标注资料编号",
        "affirmed": "- 资料没有写“{figure}”，不能回答“是”",
    },
    "en": {
        "bad_citation": "- cited {cited}, which does not exist (only [1] to [{last}] were given)",
        "no_citation": "- no passage numbers were cited",
        "empty": "- it gives a passage number but no answer",
        "figure": "- “{figure}” is not in the cited passage {cited}",
        "figure_uncited": "- the sentence stating “{figure}” cites no passage",
        "affirmed": "- the passages do not state “{figure}”, so the answer cannot be yes",
    },
}


# Why an answer was replaced, for ``fallback_reason``: never quotes the unsupported figure itself, so an invented
# number does not reach the user by way of the explanation.
REASONS = {
    "bad_citation": "cites {cited}, which was not given (only [1] to [{last}])",
    "no_citation": "cites no passage",
    "empty": "gives a citation but no answer",
    "affirmed": "answers yes although the cited passages do not state the question's figure",
    "figure": "states a figure that is not in its cited passage {cited}",
    "figure_uncited": "states a figure in a sentence that cites no passage",
}


def pick(table: dict[str, T], lang: str) -> T:
    """The ``zh`` or ``en`` entry of a table (zh for any Chinese question)."""
    return table["en" if lang == "en" else "zh"]
