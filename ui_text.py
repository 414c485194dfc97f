"""The web UI's words, in Chinese (the default) and English: static labels and messages for people.

``ZH``/``EN`` map one key to one phrase; ``gr.I18n(zh=ZH, en=EN)`` translates the static labels in the
browser, and ``say(lang, key, **values)`` picks a message for a handler's reply in the user's language.
``reason(lang, message)`` puts a known indexing or upload error in the user's language (others are kept as
the server wrote them). Leaves out: widgets (``ui``, ``ui_chat``, ``ui_reports``) and the wording of answers
themselves (``qa.templates``, ``qa.render``).
"""

from __future__ import annotations

import re
from typing import Literal

Lang = Literal["zh", "en"]
DEFAULT: Lang = "zh"
CHOICES: list[tuple[str, str]] = [("中文", "zh"), ("English", "en")]

ZH: dict[str, str] = {
    "title": "妇联工作报告问答",
    "header": "## 妇联工作报告问答\n"
    "根据已收录的各地妇联工作报告回答问题,每个答案都标注来源段落。可以追问,例如先问天水,再问「那株洲呢?」。",
    "sources_heading": "### 来源",
    "lang": "语言",
    "tab_chat": "问答",
    "tab_reports": "报告",
    "filter_city": "按城市筛选",
    "filter_doc": "按报告筛选",
    "filter_info": "不选则检索全部",
    "chat": "对话",
    "chat_placeholder": "输入问题,或点击下面的示例。",
    "input_placeholder": "输入问题,例如:天水培训了多少陇原巧手",
    "ask": "提问",
    "stop": "停止",
    "examples": "示例",
    "sources": "来源",
    "export_md": "导出 Markdown",
    "export_json": "导出 JSON",
    "clear": "清空对话",
    "correction_title": "这条回答不对?告诉我们正确答案(可选)",
    "correction": "正确答案",
    "correction_placeholder": "例如:3426人",
    "should_refuse": "报告里没有答案,应当拒答",
    "send_correction": "提交更正",
    "close": "关闭",
    # answers and sources
    "empty_sources": "提问后,这里列出答案引用的原文段落。",
    "searching": "正在检索原文…",
    "sources_n": "来源({n})",
    "closest": "未找到答案 · 最接近的段落(仅供参考)",
    "not_found": "未找到答案",
    "answered_as": "按「{question}」回答",
    "see_sources": "点击 [n] 查看原文,证据已高亮。",
    "see_closest": "下面列出最接近的段落,仅供参考。",
    "copy": "复制",
    "copied": "已复制",
    "relevance": "相关度 {score} · 原文第 {start}–{end} 字",
    "figure": "数字",
    "not_in_reports": "报告中没有找到",
    # errors in the chat
    "busy": "服务繁忙,请稍后再试。",
    "store_down": "文档库暂时无法访问,请稍后再试。",
    "internal": "内部错误,已记录在服务器日志中,请稍后再试。",
    "empty_question": "请输入问题。",
    "too_long": "问题太长({n} 字),最多 {limit} 字。",
    "cannot_answer": "无法回答:{detail}",
    "feedback_saved_up": "已记录 👍,谢谢!",
    "feedback_saved_down": "已记录 👎。可以在下面填写正确答案。",
    "feedback_removed": "评价已撤回(已保存的记录不删除)。",
    "feedback_failed": "评价未能保存:{detail}",
    "correction_saved": "更正已保存,谢谢!",
    "correction_empty": "请填写正确答案,或勾选“应当拒答”。",
    "correction_both": "请只选一项:填写正确答案,或勾选“应当拒答”。",
    "nothing_to_export": "还没有可导出的对话。",
    # reports
    "reports_intro": "已收录的报告。点击一行查看全文;上传和删除需要 API 令牌。",
    "read_only": "只读:服务器没有设置 FQA_API_TOKEN,报告只能查看,不能上传或删除。"
    "设置该环境变量并重启服务后即可管理报告。",
    "token": "API 令牌",
    "token_placeholder": "输入服务器的 FQA_API_TOKEN",
    "token_use": "使用令牌",
    "token_forget": "清除令牌",
    "token_ok": "令牌正确:可以上传和删除报告(只保存在本浏览器标签页中)。",
    "token_wrong": "令牌错误:请检查后重新输入。",
    "token_none": "尚未输入令牌:可以查看报告,上传和删除需要令牌。",
    "token_forgotten": "令牌已清除。",
    "files": "选择报告文件(.txt .md .docx .pdf,可多选)",
    "upload": "上传并索引",
    "upload_progress": "上传进度",
    "no_files": "请先选择要上传的文件。",
    "need_token": "上传被拒绝:需要 API 令牌。请先在上方输入令牌。",
    "need_token_delete": "删除被拒绝:需要 API 令牌。请先在上方输入令牌。",
    "refused": "被服务器拒绝({status}):{detail}",
    "network": "无法连接服务器:{detail}",
    "col_title": "标题",
    "col_city": "城市",
    "col_year": "年份",
    "col_passages": "段落",
    "col_indexed": "索引时间",
    "col_file": "文件名",
    "no_reports": "还没有收录报告。",
    "report_count": "共 {n} 份报告,{chunks} 个段落。",
    "report_text": "报告全文",
    "pick_report": "在上表中点击一份报告,查看全文或删除。",
    "delete": "删除此报告",
    "confirm_delete": "确定删除报告「{name}」吗?删除后它的段落不再用于回答。",
    "deleted": "已删除「{name}」({n} 个段落)。",
    "not_indexed": "没有名为「{name}」的报告。",
    "refresh": "刷新",
    "file": "文件",
    "state": "状态",
    "progress": "进度",
    "outcome": "结果",
    "queued": "排队中",
    "running": "索引中",
    "done": "完成",
    "error": "出错",
    "indexed": "已索引:{chunks} 个段落,新增 {added} 个{where}",
    "unchanged": "未变化:已收录相同内容{where}",
    "duplicate": "与已收录的「{other}」内容相同,未重复收录",
    "failed": "出错:{reason}",
    "passages_done": "{done}/{total} 段",
}

EN: dict[str, str] = {
    "title": "Women's Federation Report Q&A",
    "header": "## Women's Federation Report Q&A\nAnswers questions from the indexed women's-federation work reports, "
    "each answer with its source passages. Follow-ups work: ask about Tianshui, then 「那株洲呢?」 "
    "(what about Zhuzhou?).",
    "sources_heading": "### Sources",
    "lang": "Language",
    "tab_chat": "Ask",
    "tab_reports": "Reports",
    "filter_city": "Filter by city",
    "filter_doc": "Filter by report",
    "filter_info": "None selected: search all",
    "chat": "Conversation",
    "chat_placeholder": "Type a question, or pick an example below.",
    "input_placeholder": "Type a question, e.g. 天水培训了多少陇原巧手",
    "ask": "Ask",
    "stop": "Stop",
    "examples": "Examples",
    "sources": "Sources",
    "export_md": "Export Markdown",
    "export_json": "Export JSON",
    "clear": "Clear conversation",
    "correction_title": "Was this answer wrong? Tell us the right one (optional)",
    "correction": "Right answer",
    "correction_placeholder": "e.g. 3426人",
    "should_refuse": "The reports do not hold the answer: it should have refused",
    "send_correction": "Send correction",
    "close": "Close",
    "empty_sources": "Ask a question: the passages its answer cites are listed here.",
    "searching": "Searching the reports…",
    "sources_n": "Sources ({n})",
    "closest": "No answer found · the closest passages (for reference only)",
    "not_found": "No answer found",
    "answered_as": "Answered as 「{question}」",
    "see_sources": "Click an [n] to open its source; the evidence is highlighted.",
    "see_closest": "The closest passages are listed below, for reference only.",
    "copy": "Copy",
    "copied": "Copied",
    "relevance": "relevance {score} · characters {start}–{end} of the report",
    "figure": "Figure",
    "not_in_reports": "not in the reports",
    "busy": "The service is busy; please try again shortly.",
    "store_down": "The report store cannot be reached right now; please try again shortly.",
    "internal": "Internal error (logged on the server); please try again shortly.",
    "empty_question": "Please type a question.",
    "too_long": "The question is too long ({n} characters; at most {limit}).",
    "cannot_answer": "Cannot answer: {detail}",
    "feedback_saved_up": "👍 recorded, thank you!",
    "feedback_saved_down": "👎 recorded. You can give the right answer below.",
    "feedback_removed": "Rating withdrawn (stored records are kept).",
    "feedback_failed": "The rating could not be stored: {detail}",
    "correction_saved": "Correction stored, thank you!",
    "correction_empty": "Type the right answer, or tick “it should have refused”.",
    "correction_both": "Choose one: type the right answer, or tick “it should have refused”.",
    "nothing_to_export": "There is no conversation to export yet.",
    "reports_intro": "The indexed reports. Click a row to read it; uploading and deleting need the API token.",
    "read_only": "Read-only: the server has no FQA_API_TOKEN set, so reports can be read but not uploaded or "
    "deleted. Set that environment variable and restart the service to manage reports.",
    "token": "API token",
    "token_placeholder": "The server's FQA_API_TOKEN",
    "token_use": "Use token",
    "token_forget": "Forget token",
    "token_ok": "Token accepted: you can upload and delete reports (kept in this browser tab only).",
    "token_wrong": "Wrong token: please check it and enter it again.",
    "token_none": "No token entered: reports can be read; uploading and deleting need the token.",
    "token_forgotten": "Token forgotten.",
    "files": "Choose report files (.txt .md .docx .pdf, several at once)",
    "upload": "Upload and index",
    "upload_progress": "Upload progress",
    "no_files": "Choose the files to upload first.",
    "need_token": "Upload refused: the API token is needed. Enter it above first.",
    "need_token_delete": "Delete refused: the API token is needed. Enter it above first.",
    "refused": "Refused by the server ({status}): {detail}",
    "network": "Cannot reach the server: {detail}",
    "col_title": "Title",
    "col_city": "City",
    "col_year": "Year",
    "col_passages": "Passages",
    "col_indexed": "Indexed",
    "col_file": "File",
    "no_reports": "No reports indexed yet.",
    "report_count": "{n} reports, {chunks} passages.",
    "report_text": "Report text",
    "pick_report": "Click a report in the table to read or delete it.",
    "delete": "Delete this report",
    "confirm_delete": "Delete the report “{name}”? Its passages will no longer be used for answers.",
    "deleted": "Deleted “{name}” ({n} passages).",
    "not_indexed": "No report named “{name}”.",
    "refresh": "Refresh",
    "file": "File",
    "state": "State",
    "progress": "Progress",
    "outcome": "Outcome",
    "queued": "queued",
    "running": "indexing",
    "done": "done",
    "error": "error",
    "indexed": "indexed: {chunks} passages, {added} new{where}",
    "unchanged": "unchanged: already indexed with the same text{where}",
    "duplicate": "duplicate of “{other}”: not indexed again",
    "failed": "error: {reason}",
    "passages_done": "{done}/{total} passages",
}

TABLES: dict[Lang, dict[str, str]] = {"zh": ZH, "en": EN}

# known reasons an upload or a report is refused (as the server words them) → Chinese
_REASONS_ZH: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"unsupported file type (\S+?);"), "不支持的文件类型 {0},请上传 .txt、.md、.docx 或 .pdf 文件"),
    (re.compile(r"larger than (\d+) MB"), "文件超过 {0} MB 上限(FQA_MAX_UPLOAD_MB)"),
    (re.compile(r"the file is empty|no text found|no text to index"), "文件中没有文字"),
    (re.compile(r"the file has no name"), "文件没有名字"),
    (re.compile(r"file names must be printable"), "文件名须为可打印字符,且不超过 200 个字符"),
    (re.compile(r"binary file"), "二进制文件,不是文本报告"),
    (re.compile(r"unknown text encoding"), "无法识别的文字编码(应为 UTF-8 或 GBK/GB18030)"),
    (re.compile(r"not a readable (\.\w+) file"), "不是可读取的 {0} 文件"),
    (re.compile(r"unpacks to more than (\d+) MB"), "解压后超过 {0} MB 上限(FQA_MAX_UNPACKED_MB)"),
    (re.compile(r"lost in a restart"), "服务重启时上传丢失,请重新上传"),
    (re.compile(r"missing or wrong token"), "令牌缺失或错误"),
    (re.compile(r"writes are disabled"), "服务器没有设置 FQA_API_TOKEN,不能写入"),
    (re.compile(r"upload queue is full"), "上传队列已满,请稍后再试"),
    (re.compile(r"request body larger than (\d+) KB"), "请求超过 {0} KB 上限"),
]


def lang_of(value: object) -> Lang:
    """``en`` for English, else the default (Chinese)."""
    return "en" if isinstance(value, str) and value.lower().startswith("en") else DEFAULT


def say(lang: object, key: str, **values: object) -> str:
    """The message ``key`` in ``lang``, filled with ``values``."""
    return TABLES[lang_of(lang)][key].format(**values)


def reason(lang: object, message: str) -> str:
    """A refusal reason from the server in ``lang`` (unknown reasons stay as written)."""
    if lang_of(lang) == "en":
        return message
    for pattern, zh in _REASONS_ZH:
        found = pattern.search(message)
        if found:
            return zh.format(*found.groups())
    return message
