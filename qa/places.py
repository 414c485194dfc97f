"""Chinese place names in a question, however they are written: 拉萨, 拉萨市, Lhasa, Yinchuan, "Hangzhou City".

A small gazetteer of the provinces and prefecture-level cities (plus the usual English exonyms) complements
jieba's place tags, which miss many cities (拉萨, 银川 are not tagged ``ns``). English questions are matched
through pypinyin romanisations of the gazetteer and of jieba's city words (乐清市 → leqing, yueqing).
Names that are also common words (日照, 安康, 中山…) count in Chinese only with an administrative suffix or
before 妇联. Leaves out: deciding whether a place is covered by the reports (``qa.query.parse``).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from functools import lru_cache
from pathlib import Path

from core.text import pos_tags

_PROVINCES = (
    "河北 山西 辽宁 吉林 黑龙江 江苏 浙江 安徽 福建 江西 山东 河南 湖北 湖南 广东 海南 四川 贵州 云南 陕西 "
    "甘肃 青海 台湾 内蒙古 广西 西藏 宁夏 新疆"
)
_CITIES = (
    "北京 天津 上海 重庆 香港 澳门 台北 石家庄 唐山 秦皇岛 邯郸 邢台 保定 张家口 承德 沧州 廊坊 衡水 太原 "
    "阳泉 晋城 朔州 晋中 运城 忻州 临汾 吕梁 呼和浩特 包头 乌海 赤峰 通辽 鄂尔多斯 呼伦贝尔 巴彦淖尔 "
    "乌兰察布 锡林郭勒 阿拉善 沈阳 大连 鞍山 抚顺 本溪 丹东 锦州 营口 阜新 辽阳 盘锦 铁岭 葫芦岛 长春 四平 "
    "辽源 松原 白城 延边 哈尔滨 齐齐哈尔 鸡西 鹤岗 双鸭山 伊春 佳木斯 七台河 牡丹江 绥化 南京 无锡 徐州 "
    "常州 苏州 南通 连云港 淮安 盐城 扬州 镇江 泰州 宿迁 杭州 宁波 温州 嘉兴 湖州 绍兴 金华 衢州 舟山 台州 "
    "丽水 义乌 合肥 芜湖 蚌埠 淮南 马鞍山 淮北 铜陵 安庆 滁州 阜阳 宿州 六安 亳州 池州 宣城 福州 厦门 莆田 "
    "泉州 漳州 南平 龙岩 宁德 南昌 景德镇 萍乡 九江 新余 鹰潭 赣州 宜春 抚州 上饶 济南 青岛 淄博 枣庄 东营 "
    "烟台 潍坊 济宁 泰安 威海 临沂 德州 聊城 滨州 菏泽 郑州 开封 洛阳 平顶山 安阳 鹤壁 新乡 焦作 濮阳 许昌 "
    "漯河 三门峡 南阳 商丘 信阳 周口 驻马店 武汉 黄石 十堰 宜昌 襄阳 鄂州 荆门 孝感 荆州 黄冈 咸宁 随州 "
    "恩施 长沙 株洲 湘潭 衡阳 邵阳 岳阳 常德 张家界 益阳 郴州 永州 怀化 娄底 湘西 广州 韶关 深圳 珠海 汕头 "
    "佛山 江门 湛江 茂名 肇庆 惠州 梅州 汕尾 河源 阳江 清远 东莞 潮州 揭阳 云浮 南宁 柳州 桂林 梧州 防城港 "
    "钦州 贵港 玉林 百色 贺州 河池 崇左 海口 三亚 儋州 成都 自贡 攀枝花 泸州 德阳 绵阳 广元 遂宁 内江 乐山 "
    "南充 眉山 宜宾 广安 达州 雅安 巴中 资阳 阿坝 甘孜 凉山 贵阳 六盘水 遵义 安顺 毕节 铜仁 黔东南 黔南 "
    "黔西南 昆明 曲靖 玉溪 保山 昭通 丽江 临沧 楚雄 西双版纳 大理 德宏 怒江 迪庆 拉萨 日喀则 昌都 林芝 那曲 "
    "西安 铜川 宝鸡 咸阳 渭南 延安 汉中 榆林 商洛 兰州 嘉峪关 金昌 天水 武威 张掖 平凉 酒泉 庆阳 定西 陇南 "
    "临夏 甘南 西宁 果洛 银川 石嘴山 吴忠 固原 中卫 乌鲁木齐 克拉玛依 吐鲁番 哈密 昌吉 阿克苏 喀什 和田 "
    "伊犁 塔城 阿勒泰 石河子"
)
# Also everyday words: a place in Chinese only with a suffix (日照市) or before 妇联.
_AMBIGUOUS = (
    "日照 安康 中山 朝阳 大庆 来宾 北海 红河 黄山 三明 白山 文山 山南 海东 海北 海西 黄南 玉树 阿里 普洱 "
    "黑河 大同 长治 吉安 通化 白银 随州 三沙 济源 仙桃 潜江 天门 铜仁 兴安 大兴安岭 伊春 普洱 抚州"
)
_EXONYMS = {
    "lhasa": "拉萨", "urumqi": "乌鲁木齐", "urumchi": "乌鲁木齐", "hohhot": "呼和浩特", "kashgar": "喀什",
    "shigatse": "日喀则", "xigaze": "日喀则", "nyingchi": "林芝", "peking": "北京", "canton": "广州", "amoy": "厦门",
    "tibet": "西藏", "inner mongolia": "内蒙古", "hong kong": "香港", "macau": "澳门", "macao": "澳门",
    "shaanxi": "陕西", "harbin": "哈尔滨", "hotan": "和田", "turpan": "吐鲁番", "taipei": "台北",
}
_SUFFIX = re.compile(r"(?:省|市|县|自治区|自治州|自治县|地区|盟|区)$")
OWNER_ZH = r"(?:省|市|县|区|州)?(?:妇联|妇女联合会)"
_EN_WORD = re.compile(r"[a-z]+(?:'(?!s\b)[a-z]+)?")
_EN_OWNER = re.compile(r"^[\s']*(?:s\s+)?(?:city|county|district|prefecture|municipal|women'?s federation)\b")


def base(name: str) -> str:
    """A place name without its administrative suffix (银川市 → 银川, 西藏自治区 → 西藏)."""
    stripped = _SUFFIX.sub("", name)
    return stripped if len(stripped) >= 2 else name


@lru_cache(maxsize=1)
def gazetteer() -> frozenset[str]:
    """Provinces and prefecture-level cities (names that are also common words left out)."""
    return frozenset((_PROVINCES + " " + _CITIES).split()) - set(_AMBIGUOUS.split())


@lru_cache(maxsize=1)
def _jieba_cities() -> frozenset[str]:
    """Bases of jieba's city words (乐清市 → 乐清, 义乌市 → 义乌): county-level cities the gazetteer leaves out."""
    from core.text import jieba

    text = jieba().get_dict_file().read().decode("utf-8")
    return frozenset(m for m in re.findall(r"^([\u4e00-\u9fff]{2,4})市 \d+ ns$", text, re.M))


@lru_cache(maxsize=256)
def pinyins(city: str) -> tuple[str, ...]:
    """Romanisations of a city name: the word's reading (乐清 → yueqing) and the per-character one (leqing)."""
    from pypinyin import Style, lazy_pinyin

    whole = "".join(lazy_pinyin(city, style=Style.NORMAL))
    per_char = "".join(lazy_pinyin(ch, style=Style.NORMAL)[0] for ch in city)
    return tuple(sorted({whole, per_char}))


@lru_cache(maxsize=1)
def romanised() -> dict[str, str]:
    """Romanisation → Chinese name, for every gazetteer and jieba place name, plus the English exonyms.

    Built once (about half a second: jieba's city words and pypinyin) and kept as JSON under ``<data dir>/cache``,
    named by the versions and the lists it is made from."""
    path = _romanised_path()
    if path is not None:
        try:
            cached = json.loads(path.read_text(encoding="utf-8"))
            if isinstance(cached, dict):
                return cached
        except (OSError, ValueError):
            pass
    table = _build_romanised()
    if path is not None:
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        try:
            tmp.write_text(json.dumps(table, ensure_ascii=False), encoding="utf-8")
            os.replace(tmp, path)
        except OSError:
            tmp.unlink(missing_ok=True)
    return table


def romanisations(city: str) -> tuple[str, ...]:
    """The romanisations of a city name: from the cached table when it holds the name (no pypinyin import),
    else ``pinyins``."""
    found = _by_name().get(city)
    return found if found else pinyins(city)


@lru_cache(maxsize=1)
def _by_name() -> dict[str, tuple[str, ...]]:
    names: dict[str, set[str]] = {}
    for roman, name in romanised().items():
        names.setdefault(name, set()).add(roman)
    return {name: tuple(sorted(romans)) for name, romans in names.items()}


def _romanised_path() -> Path | None:
    from importlib.metadata import version

    from core.text import cache_dir

    folder = cache_dir()
    if folder is None:
        return None
    made_from = json.dumps([version("jieba"), version("pypinyin"), _PROVINCES, _CITIES, _AMBIGUOUS, _EXONYMS],
                           ensure_ascii=False, sort_keys=True)
    return folder / f"romanised-{hashlib.sha256(made_from.encode()).hexdigest()[:16]}.json"


def _build_romanised() -> dict[str, str]:
    table = {p: n for n in sorted(_jieba_cities()) for p in pinyins(n) if len(p) >= 5}
    table |= {p: n for n in sorted(_AMBIGUOUS.split()) for p in pinyins(n) if len(p) >= 5}
    table |= {p: n for n in sorted(gazetteer()) for p in pinyins(n) if len(p) >= 4}
    return table | _EXONYMS


def is_province(name: str) -> bool:
    """A province-level name (山东, 湖南省): the reports of its cities speak of it."""
    return base(name) in _PROVINCES.split()


def places_zh(norm: str) -> list[str]:
    """Place names as written in a Chinese question: jieba ``ns`` words, suffixed words, gazetteer names."""
    found = []
    for word, flag in pos_tags(norm):
        if len(word) < 2:
            continue
        suffixed = len(word) >= 3 and _SUFFIX.search(word) and word[-2] != "全"
        if flag == "ns" or suffixed or word in gazetteer():
            found.append(word)
    for name in _AMBIGUOUS.split():
        if re.search(f"{name}(?:{OWNER_ZH}|市|县)", norm) and not any(name in w for w in found):
            found.append(name)
    return list(dict.fromkeys(found))


def places_en(norm: str) -> list[tuple[str, str, bool]]:
    """(as written, Chinese name, named as an owner: "… City", "…'s women's federation") in an English question."""
    table = romanised()
    words = list(_EN_WORD.finditer(norm))
    found: list[tuple[str, str, bool]] = []
    for i, m in enumerate(words):
        for j in (i + 1, i):  # a two-word name first ("hong kong", "hang zhou")
            if j >= len(words):
                continue
            written = norm[m.start() : words[j].end()]
            key = re.sub(r"[\s'-]", "", written)
            name = table.get(written) or table.get(key)
            if name:
                owner = bool(_EN_OWNER.search(norm[words[j].end() :]))
                found.append((written, name, owner))
                break
    return found
