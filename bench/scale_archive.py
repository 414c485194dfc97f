"""Synthetic report archives for the scale benchmark, recombined from the seed reports' own paragraphs.

A synthetic report is a title naming its city and year, an opening paragraph and a handful of sections
(a heading and its paragraphs) drawn from any seed; each paragraph keeps most of its sentences, sometimes in
another order. Every piece is moved to the report's city (seed city names replaced) and year (years
shifted by the same amount), and every other figure is scaled by its own random factor with its unit kept,
so passages are distinct. Everything is deterministic from one seed; an archive of N passages (the
chunker's passages) is the first files of one endless sequence, plus the seed reports themselves.
Leaves out: vectors (``bench.scale_vectors``) and indexing (the product's ``Indexer``).
"""

from __future__ import annotations

import json
import random
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from core.sentences import split_sentences
from index.chunk import chunk_report, heading_level
from index.meta import detect_city, detect_year

# Real prefecture- and county-level cities that jieba tags as places (so the product detects them), the seeds'
# own cities among them (so a question about a seed city finds many reports of that city, as in a real archive).
_CITY_NAMES = """
石家庄 唐山 秦皇岛 邯郸 邢台 张家口 承德 沧州 廊坊 衡水 太原 阳泉 长治 晋城 朔州 晋中 运城 忻州 临汾 吕梁
呼和浩特 包头 乌海 赤峰 通辽 鄂尔多斯 沈阳 大连 鞍山 抚顺 本溪 丹东 锦州 阜新 辽阳 盘锦 葫芦岛 长春 吉林 四平 辽源
白山 松原 白城 哈尔滨 齐齐哈尔 鸡西 鹤岗 双鸭山 大庆 伊春 佳木斯 七台河 牡丹江 黑河 绥化 南京 无锡 徐州 常州 苏州
南通 连云港 淮安 盐城 扬州 镇江 泰州 宿迁 杭州 宁波 温州 嘉兴 湖州 绍兴 金华 衢州 舟山 台州 丽水 合肥 芜湖 蚌埠
淮南 马鞍山 淮北 铜陵 安庆 黄山 滁州 阜阳 宿州 六安 亳州 池州 宣城 福州 厦门 莆田 三明 泉州 漳州 南平 龙岩 宁德
南昌 景德镇 萍乡 九江 新余 鹰潭 赣州 吉安 宜春 抚州 上饶 济南 青岛 淄博 枣庄 烟台 潍坊 济宁 泰安 威海 日照 临沂
德州 聊城 滨州 菏泽 郑州 开封 洛阳 平顶山 安阳 鹤壁 新乡 濮阳 许昌 漯河 三门峡 南阳 商丘 信阳 驻马店 武汉 黄石 十堰
宜昌 襄阳 鄂州 荆门 孝感 荆州 黄冈 咸宁 随州 长沙 湘潭 衡阳 邵阳 岳阳 常德 张家界 益阳 郴州 永州 怀化 娄底 广州
韶关 深圳 珠海 汕头 佛山 江门 湛江 茂名 肇庆 惠州 梅州 汕尾 河源 阳江 清远 东莞 中山 潮州 揭阳 云浮 南宁 柳州 桂林
梧州 北海 防城港 钦州 贵港 玉林 百色 贺州 河池 崇左 海口 三亚 成都 自贡 攀枝花 泸州 德阳 绵阳 广元 遂宁 内江 乐山
南充 眉山 宜宾 广安 达州 雅安 巴中 贵阳 六盘水 遵义 安顺 昆明 曲靖 玉溪 保山 昭通 丽江 普洱 临沧 拉萨 西安 铜川
宝鸡 咸阳 渭南 延安 汉中 榆林 安康 商洛 兰州 嘉峪关 金昌 白银 武威 张掖 平凉 酒泉 庆阳 定西 陇南 西宁 银川 石嘴山
固原 中卫 乌鲁木齐 克拉玛依 义乌 昆山 江阴 张家港 常熟 慈溪 诸暨 瑞安 晋江 石狮 青州 诸城 胶州 即墨 邹城 滕州 龙口
莱州 海宁 桐乡 余姚 宜兴 溧阳 丹阳 靖江 如皋 海门 启东 太仓 都江堰 彭州 邛崃 浏阳 醴陵 韶山 耒阳 汨罗 冷水江 景洪
瑞丽 敦煌 玉门 格尔木 库尔勒 喀什 伊宁 东营 昌邑 天水 株洲 乐清"""
CITIES = _CITY_NAMES.split()
YEARS = (2000, 2025)
SEED_NAMES = "seed"  # folder of the archive holding the seed reports as they are

_CN = "一二三四五六七八九十"
_TOP_HEADING = re.compile(rf"^[{_CN}]+、")
# a year (shifted) or any other figure (scaled); a year is 19xx/20xx written before 年, a range or a date
_FIGURE = re.compile(
    r"(?P<year>(?<!\d)(?:19|20)\d{2}(?=\s*(?:年|[-—–~至到]\s*(?:19|20)\d{2}|\s*[-/.]\s*\d{1,2}\s*[-/.])))"
    r"|(?P<num>(?<![\d.])\d+(?:\.\d+)?(?![\d.]))"
)
_KEEP_AFTER = re.compile(r"\s*[月日号时点:：\-/]")  # dates and times keep their figures
_KEEP_BEFORE = re.compile(r"[:：\-/]\s*$")


@dataclass(frozen=True)
class Piece:
    """A paragraph (or heading line) of a seed report, with the seed's city and year."""

    text: str
    city: str
    year: int
    heading: bool


@dataclass(frozen=True)
class Seed:
    """The seed reports cut into an opening pool and sections (a heading and the paragraphs under it)."""

    openings: list[Piece]
    sections: list[list[Piece]]
    cities: list[str]

    @classmethod
    def read(cls, folder: Path) -> Seed:
        openings: list[Piece] = []
        sections: list[list[Piece]] = []
        cities: list[str] = []
        for path in sorted(folder.glob("*.txt")):
            text = path.read_text(encoding="utf-8")
            city, year = detect_city(text), detect_year(text)
            if city:
                cities.append(city)
            current: list[Piece] = []
            for line in (ln.strip() for ln in text.splitlines()):
                if not line:
                    continue
                spans = split_sentences(line)
                is_heading = len(spans) == 1 and heading_level(line, spans[0]) > 0
                piece = Piece(line, city, year, is_heading)
                if is_heading:
                    if any(not p.heading for p in current):
                        sections.append(current)
                        current = []
                    current.append(piece)
                elif current:
                    current.append(piece)
                else:
                    openings.append(piece)
                    sections.append([piece])  # a paragraph before any heading is also a section of its own
            if current and any(not p.heading for p in current):
                sections.append(current)
        return cls(openings, sections, cities)


def cn_numeral(n: int) -> str:
    """1..99 in Chinese numerals (十一, 二十三)."""
    tens, ones = divmod(n, 10)
    head = "" if tens == 0 else ("十" if tens == 1 else _CN[tens - 1] + "十")
    return head + (_CN[ones - 1] if ones else "") if n >= 10 else _CN[n - 1]


def scale_figure(raw: str, rng: random.Random, percent: bool) -> str:
    """``raw`` times a random factor, written with as many decimals as ``raw`` (integers stay ≥ 1)."""
    decimals = len(raw.split(".")[1]) if "." in raw else 0
    value = float(raw) * rng.uniform(0.55, 1.8)
    if percent and float(raw) <= 100:
        value = min(value, 100.0)
    return f"{value:.{decimals}f}" if decimals else str(max(1, round(value)))


def vary(text: str, piece: Piece, city: str, year: int, seed_cities: list[str], rng: random.Random) -> str:
    """Move a seed paragraph to ``city`` and ``year`` and scale its figures (units, dates and numbering kept)."""
    for name in seed_cities:
        text = text.replace(name, city)
    shift = year - piece.year if piece.year else 0

    def one(m: re.Match[str]) -> str:
        if m.group("year"):
            return str(int(m.group("year")) + shift)
        raw, s, e = m.group("num"), m.start(), m.end()
        at_line_start = s == 0 or text[s - 1] == "\n"
        if at_line_start and e < len(text) and text[e] in "、.．)）":
            return raw  # a heading's number
        if _KEEP_AFTER.match(text, e) or _KEEP_BEFORE.search(text, 0, s):
            return raw
        return scale_figure(raw, rng, text.startswith("%", e) or text.startswith("％", e))

    return _FIGURE.sub(one, text)


def drop_and_shuffle(paragraph: str, rng: random.Random) -> str:
    """Most of a paragraph's sentences (each kept with p=0.85, at least one), sometimes reordered."""
    spans = split_sentences(paragraph)
    parts = [paragraph[s.start : s.end] for s in spans]
    if len(parts) > 1:
        kept = [p for p in parts if rng.random() < 0.85] or [rng.choice(parts)]
        if rng.random() < 0.3:
            rng.shuffle(kept)
        parts = kept
    return "".join(parts)


def synthetic_report(seed: Seed, rng: random.Random) -> tuple[str, str, int]:
    """(text, city, year) of one synthetic report."""
    city = rng.choice(CITIES)
    year = rng.randint(*YEARS)
    lines = [f"{city}市妇联{year}年工作报告"]
    opening = rng.choice(seed.openings)
    lines.append(vary(drop_and_shuffle(opening.text, rng), opening, city, year, seed.cities, rng))
    top = 0
    for section in rng.sample(seed.sections, rng.randint(6, 14)):
        for piece in section:
            if piece.heading:
                text = piece.text
                if _TOP_HEADING.match(text):
                    top += 1
                    text = _TOP_HEADING.sub(f"{cn_numeral(min(top, 99))}、", text)
                lines.append(vary(text, piece, city, year, seed.cities, rng))
            else:
                lines.append(vary(drop_and_shuffle(piece.text, rng), piece, city, year, seed.cities, rng))
    return "\n\n".join(lines) + "\n", city, year


def reports(seed: Seed, seed_value: int) -> Iterator[tuple[str, str, str, int]]:
    """The endless sequence of (file name, text, city, year); report ``i`` depends only on (seed_value, i)."""
    i = 0
    while True:
        text, city, year = synthetic_report(seed, random.Random(f"{seed_value}:{i}"))
        yield f"r{i // 1000:03d}/{i:06d}_{city}_{year}.txt", text, city, year
        i += 1


def count_passages(text: str, size: int, overlap: int) -> int:
    """How many passages the product's chunker makes of ``text``."""
    return len(chunk_report("x", text, "x", size, overlap))


@dataclass(frozen=True)
class Archive:
    """A written archive: its folder, files and passages (the chunker's count), seed reports included."""

    folder: Path
    files: int
    passages: int
    chars: int

    def to_json(self) -> dict[str, object]:
        return {"folder": str(self.folder), "files": self.files, "passages": self.passages, "chars": self.chars}


def build_archive(
    folder: Path, passages: int, seeds: Path, size: int, overlap: int, seed_value: int = 0
) -> Archive:
    """Write an archive of at least ``passages`` passages into ``folder`` (reused when already written alike)."""
    manifest = folder / "archive.json"
    wanted = {"passages": passages, "seed": seed_value, "chunk_size": size, "chunk_overlap": overlap}
    if manifest.exists():
        got = json.loads(manifest.read_text(encoding="utf-8"))
        if got.get("wanted") == wanted:
            return Archive(folder, got["files"], got["passages"], got["chars"])
    if folder.exists():
        for old in sorted(folder.rglob("*.txt")):
            old.unlink()
    (folder / SEED_NAMES).mkdir(parents=True, exist_ok=True)
    total = chars = files = 0
    for path in sorted(seeds.glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        (folder / SEED_NAMES / path.name).write_text(text, encoding="utf-8")
        total += count_passages(text, size, overlap)
        chars += len(text)
        files += 1
    for name, text, _, _ in reports(Seed.read(seeds), seed_value):
        if total >= passages:
            break
        out = folder / name
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text, encoding="utf-8")
        total += count_passages(text, size, overlap)
        chars += len(text)
        files += 1
    manifest.write_text(
        json.dumps({"wanted": wanted, "files": files, "passages": total, "chars": chars}), encoding="utf-8"
    )
    return Archive(folder, files, total, chars)
