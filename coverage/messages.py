"""Chinese renderings of the importers' reports (the English text stays the record).

The importers (:mod:`coverage.stations` with :mod:`coverage.names`, and
:mod:`coverage.replace` for township boundaries) write their row-by-row
reports in English: the command line, the files it writes and the tests read
that.  The app shows the same report in Chinese.  Each English
template below, with its ``{fields}``, has a Chinese counterpart.  A message of
several parts joined by ``"; "`` is translated part by part (the longest run of
parts that fits a template first), and a field whose value is itself a message
(``township column: …``) is translated too.  Place names, codes and numbers
pass through unchanged.  A part with no template stays in English, so nothing
is lost; ``tests/test_messages.py`` runs the importer over many bad rows and
checks that every part it writes has a template.
"""

from __future__ import annotations

import functools
import re

import pandas as pd

#: English template -> Chinese template (same field names).
MESSAGES_ZH: dict[str, str] = {
    # names.py: matching township names
    "no name given": "未给出名称",
    "'{s}' fits {n} townships": "“{s}”对应 {n} 个乡镇",
    "give the county (e.g. '{example}') or the 9-digit code": "请写明所在县（如“{example}”）或填写 9 位乡镇代码",
    "the text before it ('{prefix}') is not a place name of that township": "前面的文字（“{prefix}”）不是该乡镇所在地的地名",
    "{old} is now {current} ({code})": "{old}现名{current}（{code}）",
    "the register now calls it {name}": "区划代码表现称{name}",
    "{old_name} ({old_code}) is not in the current register (last seen {year})":
        "{old_name}（{old_code}）已不在现行区划代码表中（最后见于 {year} 年）",
    "{share} of its villages/communities are now in {label}: assigned there": "其 {share} 的村（社区）现属{label}：已归入该乡镇",
    "its villages/communities went to: {labels} - choose one and give its code":
        "其村（社区）分别划入：{labels}——请选定一个并填写其代码",
    "{label} ({share} of its villages/communities)": "{label}（占其村（社区）的 {share}）",
    "no successor known - choose one and give its code": "没有已知的承继乡镇——请选定一个并填写其代码",
    "no successor known": "没有已知的承继乡镇",
    "'{s}' names a county, not a township": "“{s}”是县级名称，不是乡镇",
    "add the township (e.g. {example})": "请加上乡镇名（如 {example}）",
    "'{s}' is not a township name of the register": "“{s}”不是区划代码表中的乡镇名称",
    "{county} has no township '{tail}' in the register": "区划代码表中{county}没有“{tail}”这个乡镇",
    "closest: {labels}": "最接近的：{labels}",
    # stations.py: the file
    "coordinates assumed WGS 84": "坐标按 WGS 84 处理",
    "if they were copied from Amap/Tencent declare gcj02, from Baidu bd09":
        "如果坐标取自高德/腾讯地图，请选择 GCJ-02；取自百度地图，请选择 BD-09",
    "latitude and longitude look swapped in {n} of {total} rows: check the column names":
        "{total} 行中有 {n} 行的经纬度似乎写反了：请检查列名",
    "province not given": "未指定省份",
    "{name} ({code}) inferred from the names": "根据名称推断为{name}（{code}）",
    "province not given and not inferred from the names": "未指定省份，也无法根据名称推断",
    "assumed {name} ({code})": "按{name}（{code}）处理",
    # stations.py: coordinates
    "coordinates '{lon}', '{lat}' unreadable (use decimal degrees such as 108.32, 22.81)":
        "坐标“{lon}”“{lat}”无法读取（请用十进制度数，如 108.32, 22.81）",
    "coordinates {lon}, {lat} look like metres of a projected system, not degrees":
        "坐标 {lon}, {lat} 像是投影坐标系的米数，不是经纬度",
    "convert them to longitude/latitude degrees": "请换算为经纬度（度）",
    "latitude and longitude were swapped ({a}, {b})": "经纬度写反了（{a}, {b}）",
    "read as lon {lon}, lat {lat}": "已按经度 {lon}、纬度 {lat} 读取",
    "latitude and longitude look swapped ({a}, {b})": "经纬度似乎写反了（{a}, {b}）",
    "swap the columns or allow the fix": "请交换两列，或允许自动修正",
    "outside China (lon {lon}, lat {lat})": "不在中国境内（经度 {lon}，纬度 {lat}）",
    "check the coordinates and which column is which": "请检查坐标，以及哪一列是经度、哪一列是纬度",
    "converted from {crs} to WGS 84": "已从 {crs} 转换为 WGS 84",
    "{d} m outside the township polygons (generalised coast or border)": "在乡镇边界外 {d} 米（海岸线或边界经过概化）",
    "assigned to the nearest, {name}": "已归入最近的{name}",
    "outside every township of {province} ({where})": "不在{province}的任何乡镇内（{where}）",
    "it lies in {place}": "位于{place}",
    "nearest: {name}, {km} km away": "最近的是{name}，相距 {km} 公里",
    "check the coordinates, their coordinate system, or the province": "请检查坐标、坐标系或所选省份",
    "placed by its township instead": "改按所填乡镇定位",
    # stations.py: codes
    "township code '{text}' is not a 9-digit code": "乡镇代码“{text}”不是 9 位代码",
    "ignored": "已忽略",
    "code {code} ({name}) is from the {year} register": "代码 {code}（{name}）来自 {year} 年的区划代码表",
    "now {label}": "现为{label}",
    "code {code} is not in the {year} register": "代码 {code} 不在 {year} 年区划代码表中",
    "code {code} belongs to another province": "代码 {code} 属于其他省份",
    "'{text}' shortened to the 9-digit township code {code}": "“{text}”已截为 9 位乡镇代码 {code}",
    "name '{text}' points to {a}, the code to {b}": "名称“{text}”指向{a}，代码指向{b}",
    "the code is used": "采用代码",
    "the name is used": "采用名称",
    "township column: {message}": "乡镇列：{message}",
    "its coordinates fall in {label} (township boundaries are approximate)": "其坐标落在{label}（乡镇边界为近似）",
    "no coordinates, township code or township name to place it by": "没有坐标、乡镇代码或乡镇名称可供定位",
    "add one": "请补上其中一项",
    # stations.py: dates
    "opened: {message}": "建站日期：{message}",
    "closed: {message}": "撤站日期：{message}",
    "date '{text}' does not exist": "日期“{text}”不存在",
    "date '{text}' is out of range": "日期“{text}”超出范围",
    "partial date '{text}' read as {date}": "不完整的日期“{text}”按 {date} 读取",
    "date '{text}' unreadable (use YYYY-MM-DD)": "日期“{text}”无法识别（请用 YYYY-MM-DD）",
    "Excel day number {text} read as {date}": "Excel 日期序号 {text} 按 {date} 读取",
    "closed {closed} before opened {opened}": "撤站日期 {closed} 早于建站日期 {opened}",
    "closing date dropped": "已删去撤站日期",
    # stations.py: duplicates and the user's choices
    "station id '{sid}' already used by row {row}": "站点编号“{sid}”已被第 {row} 行使用",
    "give each station its own id": "请给每个站不同的编号",
    "same location as row {row}": "与第 {row} 行位置相同",
    "if these are two stations check the coordinates, otherwise delete the repeated row":
        "如果是两个站请检查坐标，否则请删除重复的行",
    "resolved by the user: {label}": "由用户选定：{label}",
    # whole-file problems (InputError from io.read_table and stations.read_stations)
    "the file is not text in UTF-8, GBK or GB18030": "文件不是 UTF-8、GBK 或 GB18030 编码的文本",
    "if it is a spreadsheet, save it as .xlsx or as CSV (UTF-8) and load it again":
        "如果是电子表格，请另存为 .xlsx 或 CSV（UTF-8）后重新上传",
    "the file has no rows with content; it is empty": "文件中没有任何内容（空文件）",
    "{name} is empty": "{name} 是空文件",
    "export the station list again with its header row": "请带表头重新导出社工站名单",
    "{name} is an old Excel .xls file": "{name} 是旧版 Excel .xls 文件",
    "save it as .xlsx (or CSV UTF-8) and load it again": "请另存为 .xlsx（或 CSV UTF-8）后重新上传",
    "{name} holds binary data (NUL bytes), not a text table": "{name} 含有二进制数据，不是文本表格",
    "export it again as CSV or XLSX": "请重新导出为 CSV 或 XLSX",
    "{name} has a header row ({header}) but no data rows below it": "{name} 只有表头（{header}），下面没有数据行",
    "{name}: found a lon column ({column}) but no lat column": "{name}：有经度列（{column}），但没有纬度列",
    "{name}: found a lat column ({column}) but no lon column": "{name}：有纬度列（{column}），但没有经度列",
    "found: {header} - pass --{flag}-col": "现有的列：{header}——请指明该列（命令行：--{flag}-col）",
    "{name}: no coordinate columns and no station/township name or code column found":
        "{name}：没有找到坐标列，也没有站名、乡镇名称或代码列",
    "found: {header} - name them with --lon-col/--lat-col or --name-col (in Python: columns={spec} or columns={spec2})":
        "现有的列：{header}——请把列名改为“经度”“纬度”或“名称”（命令行：--lon-col/--lat-col 或 --name-col）",
    # supervision.py
    "{n} supervisors: the fewest that can look after {stations} stations at most {max} each":
        "{n} 名督导员：每人最多 {max} 个站时，照管 {stations} 个站所需的最少人数",
    # replace.py and io.read_layer: uploaded township boundaries
    "no township code or name in this feature": "该要素没有乡镇代码或名称",
    "joined with feature {n} (same township)": "已与第 {n} 个要素合并（同一乡镇）",
    "empty geometry": "几何为空",
    "invalid geometry repaired ({reason})": "无效几何已修复（{reason}）",
}

#: The report's ``how`` column (how a row was placed).
HOW_ZH: dict[str, str] = {
    "code": "乡镇代码",
    "location": "坐标",
    "name": "名称",
    "name with county": "名称（含县名）",
    "name without suffix": "名称（无镇/乡/街道后缀）",
    "name without suffix with county": "名称（无后缀，含县名）",
    "kind changed": "乡镇类别已变",
    "earlier name": "旧称",
    "former name": "已撤并的乡镇",
    "name in several places": "多地同名",
    "name and location": "名称和坐标",
    "chosen by the user": "用户选定",
}


#: Fields whose value may hold several parts joined by "; " (lists, nested messages).
SPANNING_FIELDS = {"labels", "message"}


def _field_pattern(match: re.Match) -> str:
    name = match.group(1)
    return f"(?P<{name}>.+?)" if name in SPANNING_FIELDS else f"(?P<{name}>[^;]+?)"


@functools.cache
def _patterns() -> list[tuple[re.Pattern, str]]:
    out = []
    for english, chinese in MESSAGES_ZH.items():
        pattern = re.sub(r"\\\{(\w+)\\\}", _field_pattern, re.escape(english))
        out.append((re.compile(f"^{pattern}$", re.DOTALL), chinese))
    # fewer fields first, so a fixed sentence wins over a template that would swallow it
    out.sort(key=lambda p: (p[0].groups, -len(p[0].pattern)))
    return out


def _one(text: str) -> str | None:
    """``text`` translated if a single template fits it, else ``None``."""
    for pattern, chinese in _patterns():
        match = pattern.match(text)
        if match:
            fields = {k: _field(v) for k, v in match.groupdict().items()}
            return chinese.format(**fields)
    return None


def _field(value: str) -> str:
    """A field's value: translated when it is itself a message, else (a name, a code) unchanged."""
    inner: list[str] = []
    done = _translate(value, inner)
    return value if inner and len(inner) == len(value.split("; ")) else done


def _translate(text: str, missed: list[str]) -> str:
    parts = text.split("; ")
    out, i = [], 0
    while i < len(parts):
        for j in range(len(parts), i, -1):  # the longest run of parts that fits a template
            done = _one("; ".join(parts[i:j]))
            if done is not None:
                out.append(done)
                i = j
                break
        else:
            out.append(parts[i])
            missed.append(parts[i])
            i += 1
    return "；".join(out)


def translate(message: str, lang: str = "zh") -> str:
    """``message`` from the importer in ``lang`` (``en``: unchanged; ``zh``: Chinese where a template fits)."""
    if lang != "zh" or not isinstance(message, str) or not message:
        return message
    return _translate(message, [])


def untranslated_parts(message: str) -> list[str]:
    """The parts of ``message`` that no template fits (empty when all of it translates)."""
    missed: list[str] = []
    if message:
        _translate(message, missed)
    return missed


def report_in(report: pd.DataFrame, lang: str = "zh") -> pd.DataFrame:
    """The importer's report with ``message`` and ``how`` in ``lang`` (column names unchanged)."""
    if lang != "zh":
        return report
    out = report.copy()
    if "message" in out:
        out["message"] = out["message"].map(translate)
    if "how" in out:
        out["how"] = out["how"].map(lambda h: HOW_ZH.get(h, h) if isinstance(h, str) else h)
    return out
