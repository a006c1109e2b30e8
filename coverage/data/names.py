"""Resolve hand-typed administrative names to 9-digit township codes.

Station lists name their township as "肇庆市德庆县九市镇社工站", "德庆县九市镇" or
just "九市", sometimes by a name the township no longer has.  The matcher:

* normalises the text (full-width to half-width, spaces and punctuation
  removed) and strips station words (社工站, 社会工作服务站, 民政服务站 ...);
* reads the end of the text as a township (with or without 镇/乡/街道/街道办事处,
  and with an ethnic-township name shortened: 秤架瑶族乡 = 秤架) and the text
  before it as province / city / county names (full or short: 连山县 =
  连山壮族瑶族自治县), which must belong to that township;
* never guesses: the same name in several counties, with no county given,
  is *ambiguous* and the candidates are listed;
* a name found only in an earlier register (2016-2022) is followed to its
  successor (the current township holding most of its villages); a town that
  became a street (东海镇 -> 东海街道) is recognised by its core name.  Both are
  reported as *repaired*, saying what changed;
* otherwise *unmatched*, with the closest names of the county (or province).

Examples
--------
>>> m = TownshipMatcher("44")
>>> r = m.match("肇庆市德庆县九市镇社工站")
>>> r.status, r.code, r.how
('matched', '441226114', 'name with county')
>>> m.match("汕尾市陆丰市东海镇").status, m.match("汕尾市陆丰市东海镇").code
('repaired', '441581001')
"""

from __future__ import annotations

import difflib
import functools
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field

import pandas as pd

from coverage.codes import LEVELS, level_of, unit_of, units_of
from coverage.data.register import Register, load_register

#: Words that name the station rather than the place, stripped from the end (longest first).
STATION_WORDS = (
    "社会工作和志愿服务站",
    "社会工作与志愿服务站",
    "社会工作服务中心",
    "社会工作服务站",
    "社会工作服务点",
    "社工服务中心",
    "社工服务站",
    "社会工作站",
    "民政服务站",
    "民政工作站",
    "社工站点",
    "社工站",
    "服务站",
    "工作站",
)
#: Township kind suffixes, longest first.
TOWNSHIP_SUFFIXES = ("街道办事处", "民族乡", "办事处", "街道", "苏木", "镇", "乡")
COUNTY_SUFFIXES = ("自治县", "自治旗", "林区", "特区", "县", "市", "区", "旗")
CITY_SUFFIXES = ("自治州", "地区", "市", "盟")
#: The 55 minority nationalities, as they appear in names of autonomous units.
ETHNIC = [
    "蒙古族",
    "回族",
    "藏族",
    "维吾尔族",
    "苗族",
    "彝族",
    "壮族",
    "布依族",
    "朝鲜族",
    "满族",
    "侗族",
    "瑶族",
    "白族",
    "土家族",
    "哈尼族",
    "哈萨克族",
    "傣族",
    "黎族",
    "傈僳族",
    "佤族",
    "畲族",
    "高山族",
    "拉祜族",
    "水族",
    "东乡族",
    "纳西族",
    "景颇族",
    "柯尔克孜族",
    "土族",
    "达斡尔族",
    "仫佬族",
    "羌族",
    "布朗族",
    "撒拉族",
    "毛南族",
    "仡佬族",
    "锡伯族",
    "阿昌族",
    "普米族",
    "塔吉克族",
    "怒族",
    "乌孜别克族",
    "俄罗斯族",
    "鄂温克族",
    "德昂族",
    "保安族",
    "裕固族",
    "京族",
    "塔塔尔族",
    "独龙族",
    "鄂伦春族",
    "赫哲族",
    "门巴族",
    "珞巴族",
    "基诺族",
    "各族",
]
_ETHNIC_RE = re.compile("(" + "|".join(sorted(ETHNIC, key=len, reverse=True)) + ")+$")
_PUNCT_RE = re.compile(r"[\s\u3000·•,，.。;；:：、'\"“”‘’()（）\[\]【】<>《》〔〕［］「」『』\-—_/\\|]+")
#: Characters that show nothing but break comparisons: zero-width spaces and joiners, byte-order
#: marks inside text, direction marks, soft hyphens, variation selectors and control characters.
_INVISIBLE_RE = re.compile(
    "[\u0000-\u001f\u007f-\u009f\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f"
    "\u200b-\u200f\u202a-\u202e\u2060-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0\ufff0-\ufffb]"
)
#: A bracketed part of a name: "九市镇（社工站）", "九市镇(社工站)", "【试点】九市镇".
_BRACKET_RE = re.compile(r"[(\[（【〔［「『<《]([^()\[\]（）【】〔〕［］「」『』<>《》]*)[)\]）】〕］」』>》]")
#: Code points searched for traditional characters (CJK blocks of the BMP, and extensions B-F).
_CJK_RANGES = ((0x3400, 0x4DC0), (0x4E00, 0xA000), (0x20000, 0x2EBF0))


@functools.cache
def _t2s_table() -> dict[int, str]:
    """Traditional -> simplified, character by character (OpenCC's ``t2s`` dictionary, built once).

    Character by character, not phrase by phrase, so that converting a text
    and converting its parts give the same result (names are cut into
    province, city, county and township parts).  A character that some
    simplified names keep (於, 乾) is converted on both sides alike: register
    names are looked up through :func:`fold` too.
    """
    import opencc

    converter = opencc.OpenCC("t2s")
    chars = "".join(chr(c) for start, stop in _CJK_RANGES for c in range(start, stop))
    converted = converter.convert("\n".join(chars)).split("\n")
    return {ord(a): b for a, b in zip(chars, converted, strict=True) if a != b and len(b) == 1}


def fold(text: object) -> str:
    """Comparable form of any text, character for character.

    NFKC (full-width letters, digits and brackets to half-width, U+00A0 and
    U+3000 to a plain space), invisible characters removed (zero-width spaces
    and joiners, byte-order marks inside text, control characters), and
    traditional characters converted to simplified.

    >>> fold("廣西\u200b壯族自治區 ＡＢ（１）")
    '广西壮族自治区 AB(1)'
    """
    text = unicodedata.normalize("NFKC", str(text or ""))
    text = _INVISIBLE_RE.sub("", text)
    return text.translate(_t2s_table())


def _strip_station_words(text: str) -> str:
    changed = True
    while changed:
        changed = False
        for word in STATION_WORDS:
            if text.endswith(word) and len(text) > len(word):
                text = text[: -len(word)]
                changed = True
    return text


def _drop_brackets(text: str, keep: bool) -> str:
    """Bracketed parts removed (``keep=False``), or only their brackets (``keep=True``).

    A bracketed station word ("（社工站）") goes either way; a text that is all
    brackets keeps its content.
    """

    def part(match: re.Match) -> str:
        inner = _PUNCT_RE.sub("", match.group(1))
        if not inner or _strip_station_words("x" + inner) == "x":
            return ""
        return match.group(1) if keep else ""

    out = _BRACKET_RE.sub(part, text)
    return out if _PUNCT_RE.sub("", out) else _BRACKET_RE.sub(lambda m: m.group(1), text)


def normalise(text: object, keep_brackets: bool = False) -> str:
    """The key a name is looked up by.

    :func:`fold`, then bracketed parts dropped (with ``keep_brackets``: only
    the brackets), spaces and punctuation removed, and trailing station words
    (社工站, 社会工作服务站 ...) stripped.  Register names and typed names go
    through this one function, so both sides compare alike.

    >>> normalise("德慶縣 九市鎮（社工站）")
    '德庆县九市镇'
    >>> normalise("九市镇社工站（德庆县）"), normalise("九市镇社工站（德庆县）", keep_brackets=True)
    ('九市镇', '九市镇社工站德庆县')
    """
    text = _drop_brackets(fold(text), keep_brackets)
    return _strip_station_words(_PUNCT_RE.sub("", text))


def looks_like_place(text: object) -> bool:
    """Does ``text`` read as a place or station name (or a township code) rather than a column header?

    True for a 9- or 12-digit code, a text ending in an administrative suffix
    (镇, 乡, 街道, 县, 市 ...) or a station word (社工站 ...), and a text that
    names a township of the register.

    >>> looks_like_place("德庆县九市镇"), looks_like_place("九市镇社工站"), looks_like_place("单位")
    (True, True, False)
    """
    key = normalise(text)
    if not key:
        return False
    digits = re.sub(r"\D", "", key)
    if len(digits) in (9, 12) and len(digits) >= len(key) - 1:
        return True
    plain = _PUNCT_RE.sub("", _drop_brackets(fold(text), keep=False))
    if key != plain or key.endswith(TOWNSHIP_SUFFIXES + COUNTY_SUFFIXES + CITY_SUFFIXES):
        return True
    return matcher_for(None).match(str(text), suggest=False).status != "unmatched"


def township_core(name: str) -> str:
    """Township name without kind suffixes and ethnic words: 秤架瑶族乡 -> 秤架, 九市镇 -> 九市.

    Suffixes are stripped repeatedly (乌布尔宝力格苏木乡 -> 乌布尔宝力格) while two characters remain.
    """
    stripped = True
    while stripped:
        stripped = False
        for suffix in TOWNSHIP_SUFFIXES:
            if name.endswith(suffix) and len(name) - len(suffix) >= 2:
                name = name[: -len(suffix)]
                stripped = True
                break
    short = _ETHNIC_RE.sub("", name)
    return short if len(short) >= 2 else name


def short_name(name: str, suffixes: tuple[str, ...] = COUNTY_SUFFIXES) -> str:
    """Name without its administrative suffix and ethnic words: 连山壮族瑶族自治县 -> 连山, 德庆县 -> 德庆.

    A name that would shrink below two characters is kept whole (城区 stays 城区).
    """
    short = name
    for suffix in suffixes:
        if name.endswith(suffix) and len(name) > len(suffix) + 1:
            short = name[: -len(suffix)]
            break
    stripped = _ETHNIC_RE.sub("", short)
    return stripped if len(stripped) >= 2 else short


def _unit_variants(name: str, suffixes: tuple[str, ...], generic: tuple[str, ...]) -> set[str]:
    """Full name, short name, and short name with each generic suffix (all as lookup keys)."""
    name = normalise(name)
    out = {name}
    short = short_name(name, suffixes)
    if len(short) >= 2:
        out.add(short)
        out.update(short + s for s in generic)
    return {v for v in out if v}


_PROVINCE_SUFFIXES = ("壮族自治区", "回族自治区", "维吾尔自治区", "自治区", "省", "市")
_NOT_CITIES = ("市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划")


class PlaceNames:
    """Province, city and county names of the whole country, as lookup keys, indexed both ways.

    Built once (:func:`place_names`) and shared by every matcher: a name's
    prefix ("广西贺州市八步区") is read against all of China, so a county of
    another province is recognised as such.
    """

    def __init__(self, reg: Register):
        province: dict[str, set[str]] = defaultdict(set)
        for code, name in zip(reg.provinces.index.astype(str), reg.provinces["name"].astype(str), strict=True):
            province[code] |= _unit_variants(name, _PROVINCE_SUFFIXES, ("省",))
            province[code].add(normalise(name)[:2])
        city: dict[str, set[str]] = defaultdict(set)
        for code, name in zip(reg.cities.index.astype(str), reg.cities["name"].astype(str), strict=True):
            if name not in _NOT_CITIES:
                city[code] |= _unit_variants(name, CITY_SUFFIXES, ("市",))
        county: dict[str, set[str]] = defaultdict(set)
        for code, name in zip(reg.counties.index.astype(str), reg.counties["name"].astype(str), strict=True):
            county[code] |= _unit_variants(name, COUNTY_SUFFIXES, ("县", "市", "区"))
        for row in reg.former_counties.itertuples(index=False):
            county[str(row.new_code)] |= _unit_variants(str(row.old_name), COUNTY_SUFFIXES, ("县", "市", "区"))

        def longest_first(d: dict[str, set[str]]) -> dict[str, tuple[str, ...]]:
            return {k: tuple(sorted(v, key=lambda x: (-len(x), x))) for k, v in d.items()}

        def inverse(d: dict[str, set[str]]) -> dict[str, tuple[str, ...]]:
            out: dict[str, list[str]] = defaultdict(list)
            for code, variants in sorted(d.items()):
                for v in variants:
                    out[v].append(code)
            return {k: tuple(v) for k, v in out.items()}

        self.province = longest_first(province)
        self.city = longest_first(city)
        self.county = longest_first(county)
        self.province_by_key = inverse(province)
        self.city_by_key = inverse(city)
        self.county_by_key = inverse(county)
        self.max_len = max(len(k) for k in self.county_by_key)

    def strip(self, prefix: str, county_code: str) -> tuple[bool, bool]:
        """Does ``prefix`` consist only of province/city/county names of ``county_code``, in that order?

        Returns (fully consumed, county named).
        """
        rest = prefix
        for variant in self.province.get(unit_of(county_code, "province"), ()):
            if rest.startswith(variant):
                rest = rest[len(variant) :]
                break
        for variant in self.city.get(unit_of(county_code, "city"), ()):
            if rest.startswith(variant):
                rest = rest[len(variant) :]
                break
        county_named = False
        for variant in self.county.get(county_code, ()):
            if rest.startswith(variant):
                rest = rest[len(variant) :]
                county_named = True
                break
        return rest == "", county_named

    def named_by(self, prefix: str) -> list[str]:
        """Codes of the places that ``prefix`` names entirely: counties (6 digits), else cities
        (4), else provinces (2).  ``"广西贺州市八步区"`` -> ``["451102"]``; ``""`` -> ``[]``.
        """
        if not prefix:
            return []
        counties = {
            code
            for j in range(len(prefix))
            for code in self.county_by_key.get(prefix[j:], ())
            if self.strip(prefix, code) == (True, True)
        }
        if counties:
            return sorted(counties)
        cities = set()
        for j in range(len(prefix)):
            for code in self.city_by_key.get(prefix[j:], ()):
                head = prefix[:j]
                if not head or head in self.province.get(unit_of(code, "province"), ()):
                    cities.add(code)
        if cities:
            return sorted(cities)
        return list(self.province_by_key.get(prefix, ()))

    def counties_in(self, text: str, scope: str | None = None) -> list[tuple[int, str]]:
        """(length, county code) of every county name (2 characters or more) appearing in ``text``,
        limited to codes starting with ``scope``."""
        found = []
        for i in range(len(text)):
            for j in range(i + 2, min(len(text), i + self.max_len) + 1):
                for code in self.county_by_key.get(text[i:j], ()):
                    if scope is None or code.startswith(scope):
                        found.append((j - i, code))
        return found


@functools.cache
def place_names() -> PlaceNames:
    """The national :class:`PlaceNames` of the register (built once)."""
    return PlaceNames(load_register())


@dataclass
class NameMatch:
    """Result of matching one text: ``status`` is matched, repaired, ambiguous or unmatched."""

    text: str
    status: str
    code: str | None = None
    how: str = ""
    message: str = ""
    candidates: list[str] = field(default_factory=list)


@dataclass
class _Entry:
    code: str
    how: str  # "name", "core", "kind changed", "former"
    detail: str = ""


class TownshipMatcher:
    """Match texts to township codes within one province (or all of China when ``province`` is None)."""

    def __init__(self, province: str | None = None, register: Register | None = None):
        self.register = register or load_register()
        reg = self.register
        if province is None:
            towns = reg.townships
            self.province_code = None
        else:
            self.province_code = reg.province_code(province)
            towns = reg.in_province(self.province_code)
        self.towns = towns
        self._county_codes = set(towns["county_code"])
        self.places = place_names() if register is None else PlaceNames(reg)
        self._labels: dict[str, str] = {}
        self._entries: dict[str, list[_Entry]] = defaultdict(list)
        for code, raw_name in zip(towns["code"], towns["name"], strict=True):
            keys = dict.fromkeys((normalise(raw_name), normalise(raw_name, keep_brackets=True)))
            for name in keys:
                core = township_core(name)
                self._add(name, _Entry(code, "name"))
                if name.endswith("街道办事处"):
                    self._add(name[: -len("办事处")], _Entry(code, "name"))
                elif name.endswith("街道"):
                    self._add(name + "办事处", _Entry(code, "name"))
                self._add(core, _Entry(code, "core"))
                for suffix in ("镇", "乡", "街道"):
                    variant = core + suffix
                    if variant != name and not name.endswith(suffix):
                        self._add(variant, _Entry(code, "kind changed", raw_name))
        former = reg.former_townships
        if self.province_code is not None:
            former = former[units_of(former["old_code"], "province") == self.province_code]
        for row in former.itertuples(index=False):
            detail = f"{row.old_name} ({row.old_code}) is not in the current register (last seen {row.last_year})"
            entry = _Entry(str(row.old_code), "former", detail)
            entry.row = row  # type: ignore[attr-defined]
            key = normalise(str(row.old_name))
            self._add(key, entry)
            self._add(township_core(key), entry)
        self._max_len = max((len(k) for k in self._entries), default=0)

    def _add(self, key: str, entry: _Entry) -> None:
        if len(key) >= 2:
            self._entries[key].append(entry)

    # ------------------------------------------------------------------ helpers
    def label(self, code: str) -> str:
        """Readable "city county township (code)" for a current township code."""
        if code not in self._labels:
            row = self.register.townships.loc[code]
            city = str(self.register.cities["name"].get(str(row["city_code"]), ""))
            county = str(self.register.counties["name"].get(str(row["county_code"]), ""))
            city = "" if city in _NOT_CITIES else city
            self._labels[code] = f"{city}{county}{row['name']} ({code})"
        return self._labels[code]

    def place_label(self, code: str) -> str:
        """Readable name of a province (2 digits), city (4) or county (6) code: 广西壮族自治区贺州市八步区."""
        reg = self.register
        level = LEVELS.index(level_of(code))
        parts = [reg.provinces["name"].get(unit_of(code, "province"), "")]
        if level >= LEVELS.index("city"):
            city = reg.cities["name"].get(unit_of(code, "city"), "")
            parts.append("" if city in _NOT_CITIES else city)
        if level >= LEVELS.index("county"):
            parts.append(reg.counties["name"].get(unit_of(code, "county"), ""))
        return "".join(parts)

    def _strip_places(self, prefix: str, county_code: str) -> tuple[bool, bool]:
        return self.places.strip(prefix, county_code)

    def _current(self, entry: _Entry) -> list[tuple[str, float]]:
        """Current township code(s) an entry stands for, with shares for former names."""
        if entry.how != "former":
            return [(entry.code, 1.0)]
        row = entry.row  # type: ignore[attr-defined]
        out = []
        for code, share in ((row.new_code, row.share), (row.new_code_2, row.share_2)):
            if code and code in self.register.townships.index:
                out.append((code, float(share)))
        return out

    # ------------------------------------------------------------------ matching
    def match(self, text: str, county: str = "", city: str = "", suggest: bool = True) -> NameMatch:
        """Match one text (plus optional separate county and city texts) to a township.

        See the module docstring for the rules.  ``county``/``city`` come from
        separate columns of a table and are prepended to ``text``.  A text with
        a bracketed part ("九市镇社工站（德庆县）") is read without it first, then
        with it.  ``suggest=False`` leaves out the closest names of an
        unmatched text (the slow part; guessing a province does not need them).
        """
        raw = f"{city}{county}{text}"
        result = self._match(raw, normalise(raw), suggest)
        if result.code is None:
            kept = normalise(raw, keep_brackets=True)
            if kept != normalise(raw):
                again = self._match(raw, kept, suggest)
                if again.code is not None:
                    return again
        return result

    def _match(self, raw: str, s: str, suggest: bool) -> NameMatch:
        if not s:
            return NameMatch(raw, "unmatched", message="no name given")
        hits = []  # (quality, suffix length, entry, county named)
        for k in range(max(0, len(s) - self._max_len), len(s)):
            suffix = s[k:]
            for entry in self._entries.get(suffix, ()):
                county_code = unit_of(entry.code, "county")
                consumed, county_named = self._strip_places(s[:k], county_code)
                if entry.how == "former" and not consumed:
                    # the old county code may differ; accept the successor's county names
                    for code, _ in self._current(entry):
                        consumed, county_named = self._strip_places(s[:k], unit_of(code, "county"))
                        if consumed:
                            break
                hits.append((consumed, len(suffix), entry, county_named, s[:k]))
        if not hits:
            return self._unmatched(raw, s, suggest)
        full = [h for h in hits if h[0]]
        if not full:
            elsewhere = self._named_elsewhere(raw, s, hits)
            if elsewhere is not None:
                return elsewhere
            if self._named_county(s):
                # the text names a county of the province, but none of the hits lies in it
                return self._unmatched(raw, s, suggest)
        pool = full if full else hits
        best_len = max(h[1] for h in pool)
        pool = [h for h in pool if h[1] == best_len]
        # prefer exact names over variants when both fit the same text
        rank = {"name": 0, "core": 1, "kind changed": 2, "former": 3}
        best_rank = min(rank[h[2].how] for h in pool)
        pool = [h for h in pool if rank[h[2].how] == best_rank]
        codes: dict[str, tuple] = {}
        for h in pool:
            codes.setdefault(h[2].code, h)
        if len(codes) > 1:
            labels = [self._candidate_label(h[2]) for h in codes.values()]
            return NameMatch(
                raw,
                "ambiguous",
                how="name in several places",
                message=f"'{s}' fits {len(codes)} townships; give the county (e.g. '{labels[0].split(' (')[0]}') or the 9-digit code",
                candidates=labels,
            )
        consumed, _, entry, county_named, prefix = next(iter(codes.values()))
        note = "" if consumed else f"; the text before it ('{prefix}') is not a place name of that township"
        how = "name with county" if county_named else "name"
        if entry.how == "core":
            how = how.replace("name", "name without suffix")
        if entry.how == "kind changed":
            current = self.register.townships.loc[entry.code, "name"]
            return NameMatch(
                raw,
                "repaired",
                entry.code,
                "kind changed",
                f"{s[len(prefix) :]} is now {current} ({entry.code}){note}",
            )
        if entry.how == "former":
            return self._former(raw, entry, note)
        return NameMatch(raw, "matched", entry.code, how, note.lstrip("; "))

    def _named_elsewhere(self, raw: str, s: str, hits: list[tuple]) -> NameMatch | None:
        """Unmatched, when the text before the township name names a place outside this matcher's province.

        "广西贺州市八步区城东街道" read in Guangdong must not become one of
        Guangdong's 城东街道: its prefix names 八步区 of Guangxi.
        """
        if self.province_code is None:
            return None
        for prefix in sorted({h[4] for h in hits}, key=len):
            named = self.places.named_by(prefix)
            outside = [c for c in named if not c.startswith(self.province_code)]
            if outside and len(outside) == len(named):
                scope = self.register.provinces["name"].get(self.province_code, "")
                return NameMatch(
                    raw,
                    "unmatched",
                    how="other province",
                    message=f"'{s}' names {self.place_label(outside[0])} ({outside[0]}), outside {scope}; check the province",
                )
        return None

    def _named_county(self, s: str) -> str | None:
        """Code of a county of the matcher's scope whose name (or short name) appears in ``s``."""
        found = self.places.counties_in(s, self.province_code)
        if not found:
            return None
        best = max(n for n, _ in found)
        return next(code for n, code in found if n == best)

    def _candidate_label(self, entry: _Entry) -> str:
        if entry.how == "former":
            current = self._current(entry)
            target = ", ".join(f"{self.label(c)} {share:.0%}" for c, share in current) or "no successor known"
            return f"{entry.detail} -> {target}"
        return self.label(entry.code)

    def _former(self, raw: str, entry: _Entry, note: str) -> NameMatch:
        current = self._current(entry)
        if current and current[0][0] == entry.code and current[0][1] >= 0.5:
            name = str(self.register.townships.loc[entry.code, "name"])
            return NameMatch(raw, "matched", entry.code, "earlier name", f"the register now calls it {name}{note}")
        if current and current[0][1] >= 0.8 and (len(current) == 1 or current[1][1] < 0.2):
            code, share = current[0]
            return NameMatch(
                raw,
                "repaired",
                code,
                "former name",
                f"{entry.detail}; {share:.0%} of its villages/communities are now in {self.label(code)}: assigned there{note}",
            )
        labels = [f"{self.label(c)} ({share:.0%} of its villages/communities)" for c, share in current]
        message = (
            f"{entry.detail}; "
            + ("its villages/communities went to: " + "; ".join(labels) if labels else "no successor known")
            + " - choose one and give its code"
        )
        return NameMatch(raw, "ambiguous" if labels else "unmatched", None, "former name", message, labels)

    @functools.cache  # noqa: B019 - matchers are few and live as long as the process (matcher_for)
    def _cores(self, county: str | None) -> dict[str, str]:
        """Core name -> code of the townships of ``county`` (or of the matcher's scope), for suggestions."""
        scope = self.towns if county is None else self.towns[self.towns["county_code"] == county]
        if scope.empty:
            scope = self.towns
        return {township_core(normalise(n)): c for c, n in zip(scope["code"], scope["name"], strict=True)}

    def _unmatched(self, raw: str, s: str, suggest: bool = True) -> NameMatch:
        # restrict the suggestions to the county named in the text, if any
        scope = self.towns
        tail = s
        county = self._named_county(s)
        if county is not None and county in self._county_codes:
            scope = scope[scope["county_code"] == county]
            longest = max((v for v in self.places.county[county] if v in s), key=len)
            tail = s[s.index(longest) + len(longest) :]
        if not tail:
            return NameMatch(
                raw,
                "unmatched",
                message=f"'{s}' names a county, not a township; add the township (e.g. {self.label(scope['code'].iloc[0])})",
            )
        message = f"'{s}' is not a township name of the register"
        if county is not None and tail:
            message = f"{self.register.counties.loc[county, 'name']!s} has no township '{tail}' in the register"
        if not suggest:
            return NameMatch(raw, "unmatched", message=message)
        cores = self._cores(county)
        close = difflib.get_close_matches(township_core(tail[-8:]), list(cores), n=3, cutoff=0.34)
        labels = [self.label(cores[c]) for c in close]
        if labels:
            message += "; closest: " + ", ".join(labels)
        return NameMatch(raw, "unmatched", message=message, candidates=labels)


@functools.lru_cache(maxsize=8)
def matcher_for(province: str | None) -> TownshipMatcher:
    """Cached matcher for a province (or all of China)."""
    return TownshipMatcher(province)


def match_names(texts: pd.Series, province: str | None = None) -> pd.DataFrame:
    """Match many texts; return ``status``, ``code``, ``how``, ``message`` per text."""
    matcher = matcher_for(province)
    rows = [matcher.match(t) for t in texts]
    return pd.DataFrame(
        {
            "status": [r.status for r in rows],
            "code": [r.code for r in rows],
            "how": [r.how for r in rows],
            "message": [r.message for r in rows],
        },
        index=texts.index,
    )
