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
    "{old_name} ({old_code}) is not in the current register (last seen {year})": "{old_name}（{old_code}）已不在现行区划代码表中（最后见于 {year} 年）",
    "{share} of its villages/communities are now in {label}: assigned there": "其 {share} 的村（社区）现属{label}：已归入该乡镇",
    "its villages/communities went to: {labels} - choose one and give its code": "其村（社区）分别划入：{labels}——请选定一个并填写其代码",
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
    "if they were copied from Amap/Tencent declare gcj02, from Baidu bd09": "如果坐标取自高德/腾讯地图，请选择 GCJ-02；取自百度地图，请选择 BD-09",
    "latitude and longitude look swapped in {n} of {total} rows: check the column names": "{total} 行中有 {n} 行的经纬度似乎写反了：请检查列名",
    "province not given": "未指定省份",
    "{name} ({code}) inferred from the names": "根据名称推断为{name}（{code}）",
    "province not given and not inferred from the names": "未指定省份，也无法根据名称推断",
    "assumed {name} ({code})": "按{name}（{code}）处理",
    # stations.py: coordinates
    "coordinates '{lon}', '{lat}' unreadable (use decimal degrees such as 108.32, 22.81)": "坐标“{lon}”“{lat}”无法读取（请用十进制度数，如 108.32, 22.81）",
    "coordinates {lon}, {lat} look like metres of a projected system, not degrees": "坐标 {lon}, {lat} 像是投影坐标系的米数，不是经纬度",
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
    "if these are two stations check the coordinates, otherwise delete the repeated row": "如果是两个站请检查坐标，否则请删除重复的行",
    "resolved by the user: {label}": "由用户选定：{label}",
    # whole-file problems (InputError from io.read_table and stations.read_stations)
    "the file is not text in UTF-8, GBK or GB18030": "文件不是 UTF-8、GBK 或 GB18030 编码的文本",
    "if it is a spreadsheet, save it as .xlsx or as CSV (UTF-8) and load it again": "如果是电子表格，请另存为 .xlsx 或 CSV（UTF-8）后重新上传",
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
    "{name}: no coordinate columns and no station/township name or code column found": "{name}：没有找到坐标列，也没有站名、乡镇名称或代码列",
    "found: {header} - name them with --lon-col/--lat-col or --name-col (in Python: columns={spec} or columns={spec2})": "现有的列：{header}——请把列名改为“经度”“纬度”或“名称”（命令行：--lon-col/--lat-col 或 --name-col）",
    # names.py: a place of another province
    "'{s}' names {place} ({code}), outside {scope}": "“{s}”写的是{place}（{code}），不在{scope}",
    "check the province": "请检查所选省份",
    # stations.py: provinces of the rows, name lists, inline names
    "the file mixes provinces (rows per province: {counts})": "文件中混有多个省份的站点（各省行数：{counts}）",
    "rows of other provinces than {name} are rejected - load each province's rows separately, or pass --province": "不属于{name}的行已拒收——请按省份分别导入，或指定省份（--province）",
    "a township of {where}: {label}, not of {name} ({code}), the province of this import": "这是{where}的乡镇：{label}，不属于本次导入的省份{name}（{code}）",
    "a township of {where}, not of {name} ({code}), the province of this import": "这是{where}的乡镇，不属于本次导入的省份{name}（{code}）",
    "load it with the rows of its province (--province)": "请与该省的站点一起导入（--province）",
    "it is a township of {where}: {label}": "这是{where}的乡镇：{label}",
    "no header row: the first row, '{first}', is a name, so the file is read as a list of names, one per row": "没有表头：第一行“{first}”是名称，因此按名单读取，每行一个",
    "no header row: the first row, '{first}', is a code, so the file is read as a list of codes, one per row": "没有表头：第一行“{first}”是代码，因此按代码清单读取，每行一个",
    "the only column, '{first}', is read as the station names": "唯一的一列“{first}”按站点名称读取",
    "{n} names given inline (not a file); row numbers are their positions in the list": "直接输入了 {n} 个名称（不是文件）；行号即其在名单中的位置",
    "no station names given": "没有给出站点名称",
    "give a file or names separated by commas": "请给出文件，或用逗号分隔的名称",
    "{n} names given inline": "直接输入了 {n} 个名称",
    "give at most {max}, or a file": "最多 {max} 个，或请改用文件",
    # io.read_table: lines, rows and sheets
    "line {n} is not text in UTF-8, GBK or GB18030": "第 {n} 行不是 UTF-8、GBK 或 GB18030 编码的文本",
    "lines {lines} are UTF-8, the rest GB18030: each line was read in its own encoding": "第 {lines} 行是 UTF-8 编码，其余是 GB18030：已按各行自己的编码读取",
    "line {n} holds binary data (NUL bytes)": "第 {n} 行含有二进制数据（NUL 字节）",
    'line {n} cannot be split into cells: a quote (") opened in it is never closed': '第 {n} 行无法拆分为单元格：其中的引号（"）没有闭合',
    "its text: {text}": "原文：{text}",
    "remove or close the quote": "请删去该引号或补上闭合引号",
    "{n} empty rows skipped": "跳过了 {n} 个空行",
    "{n} rows have more cells than the header ({width} columns)": "有 {n} 行的单元格比表头（{width} 列）多",
    "the extra cells are kept as column_{k} ...": "多出的单元格保留为 column_{k} 等列",
    "header found on row {n}": "表头在第 {n} 行",
    "rows above it were skipped": "其上方的行已跳过",
    "read sheet {sheet} (the file has {n} sheets)": "读取了工作表 {sheet}（文件共有 {n} 个工作表）",
    "read sheet {sheet}: the first sheet {first} has no station table": "读取了工作表 {sheet}：第一个工作表 {first} 中没有站点表",
    "cells beyond column {n} ignored in {m} rows": "有 {m} 行第 {n} 列以后的单元格被忽略",
    "{n} cells of merged blocks filled with the value at the top of their block": "合并单元格中的 {n} 个单元格已填入该合并区域顶部的值",
    # io.read_table: whole files refused
    "{name} has more than {max} rows": "{name} 超过 {max} 行",
    "file not found: {path}": "找不到文件：{path}",
    "a station file is read up to {max} rows (a province has a few thousand townships) - split it, e.g. by city, and load each part": "站点文件最多读取 {max} 行（一个省只有几千个乡镇）——请拆分（如按地市）后分别导入",
    "{name} is {mb} MB, more than the {max} MB a station file may have": "{name} 有 {mb} MB，超过站点文件上限 {max} MB",
    "delete columns that are not needed or split it, e.g. by city": "请删去不需要的列，或拆分文件（如按地市）",
    "{name} cannot be read as a table: it is {kind}": "{name} 无法作为表格读取：它是{kind}",
    "a web page (HTML)": "网页（HTML）",
    "an Excel 2003 XML spreadsheet": "Excel 2003 XML 表格",
    "open it in Excel/WPS and save it as .xlsx, or export it as CSV (UTF-8)": "请用 Excel/WPS 打开并另存为 .xlsx，或导出为 CSV（UTF-8）",
    "{name} cannot be read as an Excel workbook: {what}": "{name} 无法作为 Excel 工作簿读取：{what}",
    "save it again from Excel/WPS as .xlsx, or export it as CSV (UTF-8)": "请用 Excel/WPS 重新另存为 .xlsx，或导出为 CSV（UTF-8）",
    "it is protected by a password": "文件设有密码保护",
    "the file is cut off or damaged (not a complete zip archive)": "文件不完整或已损坏（不是完整的 zip 压缩包）",
    "it is an OpenDocument spreadsheet (.ods)": "这是 OpenDocument 表格（.ods）",
    "it is a binary workbook (.xlsb)": "这是二进制工作簿（.xlsb）",
    "it is a zip archive but not an Excel workbook": "这是 zip 压缩包，但不是 Excel 工作簿",
    "the workbook has no sheets": "工作簿中没有工作表",
    "it expands to {mb} MB, more than {max} MB": "解压后有 {mb} MB，超过 {max} MB",
    "it expands to more than {max} MB": "解压后超过 {max} MB",
    "its XML declares entities (an entity-expansion bomb), which is refused": "其 XML 声明了实体（实体膨胀炸弹），拒绝读取",
    "its compressed data is damaged": "其压缩数据已损坏",
    "it is compressed or encrypted in a way this tool cannot read ({error})": "其压缩或加密方式本工具无法读取（{error}）",
    "a sheet's XML is cut off or damaged": "工作表的 XML 不完整或已损坏",
    "a part the workbook refers to is missing": "工作簿引用的部件缺失",
    "unexpected content ({error})": "内容异常（{error}）",
    # trips.py and trip_solver.py: a trip request
    "time {text} unreadable": "时间 {text} 无法读取",
    "write it as HH:MM, e.g. 08:30": "请写成 时:分，如 08:30",
    "start/end {raw} is neither coordinates (lon,lat) nor a city, county or township of {province}: {message}": "起点/终点 {raw} 既不是坐标（经度,纬度），也不是{province}的市、县或乡镇：{message}",
    "{n} station names not recognised - {message} (give the county too, or the 9-digit code)": "{n} 个站名无法识别——{message}（请加上县名，或填写 9 位乡镇代码）",
    "sample rule {rule} unreadable": "抽样规则 {rule} 无法识别",
    "write N-per-city or N-per-county, e.g. 2-per-city": "请写成 N-per-city（每市 N 个）或 N-per-county（每县 N 个），如 2-per-city",
    "no column {column} to stratify by": "没有用于分层的列 {column}",
    "columns: {columns}": "现有的列：{columns}",
    "give a number of days or a last date": "请给出天数或最后一天的日期",
    "no working day between {first} and {last}": "{first} 至 {last} 之间没有工作日",
    "widen the range or allow weekends": "请放宽日期范围或允许周末出行",
    "the working window {start}-{end} leaves no time after a {lunch}-minute lunch": "工作时段 {start}-{end} 扣除 {lunch} 分钟午休后没有剩余时间",
    "itinerary names stations that are not in the station list: {names}": "行程中有不在站点名单里的站：{names}",
    "the start and end are too far apart for the days given": "起点和终点相距太远，给定的天数走不完",
    "add a day or allow an evening transfer": "请增加一天或允许傍晚转场",
    # supervision.py
    "--min {low} is above --max {high}": "每人最少站数 {low} 大于最多站数 {high}",
    "swap them": "请交换两者",
    "{n} supervisors of at most {max} stations cannot cover {stations} stations": "{n} 名督导员每人最多 {max} 个站，照管不了 {stations} 个站",
    "use at least {n} supervisors or raise --max": "请至少安排 {n} 名督导员，或提高每人最多站数",
    "{n} supervisors of at least {min} stations need {need} stations, there are {stations}": "{n} 名督导员每人至少 {min} 个站，需要 {need} 个站，现有 {stations} 个",
    "use at most {n} supervisors or lower --min": "请最多安排 {n} 名督导员，或降低每人最少站数",
    "the supervision model found no assignment": "督导分配模型找不到可行的分配",
    "widen --min/--max or give more supervisors": "请放宽每人最少/最多站数，或增加督导员",
    "the bases file needs lon and lat columns (or names of places)": "驻地文件需要经度、纬度列（或地名列）",
    "found {columns}": "现有的列：{columns}",
    # scenario.py
    "not a JSON scenario file ({error})": "不是 JSON 格式的方案文件（{error}）",
    'not a scenario file of this tool (expected "format": "{format}")': '不是本工具的方案文件（应含 "format": "{format}"）',
    "the scenario file lacks {fields}": "方案文件缺少 {fields}",
    # io.read_layer: boundary layers
    "{name} holds no features": "{name} 中没有任何要素",
    "cannot read {name} as a boundary layer ({error})": "无法把 {name} 读作边界图层（{error}）",
    "use a GeoPackage, GeoJSON, Shapefile (.shp with .dbf/.shx/.prj, or all of them zipped) or GeoParquet": "请使用 GeoPackage、GeoJSON、Shapefile（.shp 连同 .dbf/.shx/.prj，或把它们一起打包为 zip）或 GeoParquet",
    "{name} has no coordinate system (for a Shapefile: the .prj file is missing). If its coordinates are longitude/latitude degrees, declare crs='EPSG:4490' (CGCS2000) or 'EPSG:4326'; if they were digitised on Amap/Tencent use crs='gcj02', on Baidu 'bd09' (command line: --crs)": "{name} 没有坐标系（Shapefile 缺少 .prj 文件）。如果坐标是经纬度，请选择 CGCS2000（EPSG:4490）或 WGS 84（EPSG:4326）；"
    "如果是在高德/腾讯地图上采集的，请选择 GCJ-02，百度地图请选择 BD-09",
    "{name} says it is in degrees ({crs}) but holds values like {x}, {y}: the .prj or declared CRS is wrong; declare the projected CRS the file was made in": "{name} 声明坐标为经纬度（{crs}），但其中的数值像 {x}, {y}：.prj 或所选坐标系有误；请选择该文件实际使用的投影坐标系",
    # supervision.py
    "{n} supervisors: the fewest that can look after {stations} stations at most {max} each": "{n} 名督导员：每人最多 {max} 个站时，照管 {stations} 个站所需的最少人数",
    # replace.py and io.read_layer: uploaded township boundaries
    "no township code or name in this feature": "该要素没有乡镇代码或名称",
    "joined with feature {n} (same township)": "已与第 {n} 个要素合并（同一乡镇）",
    "empty geometry": "几何为空",
    "invalid geometry repaired ({reason})": "无效几何已修复（{reason}）",
    # checks.py: numbers, dates, months and times a person types
    "{what}: {value} is not a number": "{what}：{value} 不是数字",
    "{what}: {value} is not a finite number": "{what}：{value} 不是有限的数",
    "{what}: {value} is too small": "{what}：{value} 太小",
    "{what}: {value} is too large": "{what}：{value} 太大",
    "{what}: {value} is not a whole number": "{what}：{value} 不是整数",
    "{what} '{value}' not understood": "{what}“{value}”无法识别",
    "use YYYY-MM-DD, e.g. 2024-11-04": "请按 YYYY-MM-DD 填写，如 2024-11-04",
    "use YYYY-MM-DD (or a year, meaning its 31 December)": "请按 YYYY-MM-DD 填写（只写年份表示该年 12 月 31 日）",
    "{what} '{value}' is not a day of the calendar ({reason})": "{what}“{value}”不是日历上的日期（{reason}）",
    "{what} {value} is out of range": "{what} {value} 超出范围",
    "give a date from {first} to {last}": "请填 {first} 至 {last} 之间的日期",
    "use YYYY-MM, e.g. 2024-11": "请按 YYYY-MM 填写，如 2024-11",
    "{what} '{value}' is not a month of the calendar ({reason})": "{what}“{value}”不是日历上的月份（{reason}）",
    "give a month from {first} to {last}": "请填 {first} 至 {last} 之间的月份",
    "time {value} unreadable": "时间 {value} 无法识别",
    # what the checked values are
    "date": "日期",
    "month": "月份",
    "target date": "目标日期",
    "first day": "第一天",
    "last day": "最后一天",
    "field as_of: date": "字段 as_of：日期",
    "service radius in km": "服务半径（公里）",
    "service radius in minutes": "服务半径（分钟）",
    "radius in the cost matrix's units": "半径（成本矩阵的单位）",
    "grid cell size in km": "网格边长（公里）",
    "share of demand": "需求占比",
    "time limit in seconds": "求解时限（秒）",
    "speed in km/h": "车速（公里/小时）",
    "long-distance speed in km/h (0 turns it off)": "城际车速（公里/小时，0 表示不用）",
    "road km of a leg at the local speed": "每段按本地车速行驶的公里数",
    "circuity (road km per straight km)": "绕行系数（道路公里/直线公里）",
    "hours per visit": "每次走访小时数",
    "lunch break in minutes": "午休分钟数",
    "evening transfer in minutes": "晚间转场分钟数",
    "hours per station per month": "每站每月督导小时数",
    "hours on site a day": "每天驻站小时数",
    "need weight": "需求权重",
    "need weight of {name}": "{name} 的需求权重",
    "working days": "工作日数",
    "visits a day": "每天走访数",
    "number of new stations": "新建站数",
    "new stations per county, at least": "每县至少新建站数",
    "new stations per county, at most": "每县至多新建站数",
    "number of supervisors": "督导员人数",
    "stations per supervisor": "每名督导员负责站数",
    "seed": "随机种子",
    # issue 15: money, yearly lists and the capacity menu (checks.py)
    "caseload per worker": "每名社工的服务量",
    "capacity": "服务容量",
    "workers per station": "每站社工人数",
    "new certified workers": "新增持证社工人数",
    "amount in yuan": "金额（元）",
    "amount": "金额",
    "capacity menu": "站点规模选项",
    "--budget": "预算（--budget）",
    "--workers": "社工人数（--workers）",
    "write yuan, 万 or 亿, e.g. 3000万 or 1.1亿": "请以元、万或亿为单位填写，如 3000万 或 1.1亿",
    "{what}, {key}: {message}": "{what}，{key}：{message}",
    "{what}: '{item}' is not YEAR:VALUE": "{what}：“{item}”不是“年份:数值”的格式",
    "{what}: '{item}' is not WORKERS:VALUE": "{what}：“{item}”不是“社工人数:建站费用”的格式",
    "write e.g. {example}": "请按此格式填写，如 {example}",
    "{what}: year {year} is out of range": "{what}：年份 {year} 超出范围",
    "give a year from {first} to {last}": "请填 {first} 至 {last} 之间的年份",
    "{what}: year {year} is given twice": "{what}：年份 {year} 重复",
    "{what}: workers {n} is given twice": "{what}：社工人数 {n} 的规模重复",
    "give each once": "每项只填一次",
    "{what}: nothing given": "{what}：没有填写",
    "write YEAR:VALUE pairs, e.g. {example}": "请按“年份:数值”填写，如 {example}",
    "write WORKERS:VALUE pairs, e.g. {example}": "请按“社工人数:建站费用”填写，如 {example}",
    "{what}: {n} sizes": "{what}：共 {n} 种规模",
    "give at most {max}": "最多 {max} 种",
    # issue 15: need tables (need_table.py)
    "township {code} is already given on row {row}": "乡镇 {code} 已在第 {row} 行给出",
    "give one row per township (add them up)": "每个乡镇只写一行（请把数字相加）",
    "{column}: '{text}' is not a number": "{column}：“{text}”不是数字",
    "{column}: '{text}' is negative": "{column}：“{text}”是负数",
    "left out": "未计入",
    "{n} empty cells of {column} counted as 0": "{column} 有 {n} 个空格，按 0 计",
    "{name}: no township code or name column found": "{name}：没有找到乡镇代码或乡镇名称列",
    "found: {header} - name the column 乡镇代码 or 乡镇 (command line: --township-code-col or --township-col)": "现有的列：{header}——请把该列命名为“乡镇代码”或“乡镇”",
    "{name}: no column of counts found": "{name}：没有找到人数列",
    "found: {header} - give columns such as 60岁以上老人, 低保, 特困, 孤儿, 留守, 残疾人 with numbers of people (command line: --columns)": "现有的列：{header}——请提供“60岁以上老人”“低保”“特困”“孤儿”“留守”“残疾人”等人数列",
    "{name}: column {columns} not found": "{name}：找不到列 {columns}",
    "found: {columns}": "现有的列：{columns}",
    "need weights for unknown columns {names}": "需求权重中有需求表没有的列：{names}",
    "the need table's columns are {columns}": "需求表的列为：{columns}",
    "the need weights add up to zero": "需求权重之和为零",
    "give at least one positive weight": "请至少给一个正的权重",
    # issue 15: what need and demand points are (NeedMeasure.label, Demand.kind)
    "proxy: {what}": "代理指标：{what}",
    "villages and communities": "村（社区）数",
    "need units": "需求当量",
    "need table: {terms}": "需求表加权和：{terms}",
    "grid cells ({km} km)": "{km} 公里网格",
    "villages (approximate positions)": "村（社区），位置为近似",
    "weights of the cost matrix's rows": "成本矩阵各行的权重",
    "rows of the cost matrix": "成本矩阵的各行",
    # issue 15: capacity, budgets and staff (capacity.py, budget.py, rollout.py)
    "{p} new stations need at least {least} {what} even at their smallest size, {limit} given": "新建 {p} 个站即使都按最小规模也至少需要 {least} {what}，现只有 {limit}",
    "workers": "名社工",
    "yuan (build and a year's running)": "元（建站费用加一年运行费用）",
    "give more workers or lower p": "请增加社工人数或减少新建站数",
    "give more money or lower p": "请增加预算或减少新建站数",
    "give the number of new stations p, the workers available or a budget: one of them limits the plan": "请给出新建站数 p、可用社工人数或预算，三者至少其一",
    "--budget has no value for {years}": "预算没有 {years} 年的数值",
    "--workers has no value for {years}": "社工人数没有 {years} 年的数值",
    "give one for every target year ({years})": "请为每个目标年度（{years}）各给一个数值",
    "--budget for {years}, which is not a target year": "预算中的 {years} 年不是目标年度",
    "--workers for {years}, which is not a target year": "社工人数中的 {years} 年不是目标年度",
    "the plan's years are {years} (later years are used to find later dates)": "计划年度为 {years}（之后的年份用于推算推迟后的日期）",
    "two targets fall in one year ({dates})": "有两个目标落在同一年（{dates}）",
    "a budgeted plan has one target a year": "按预算编制的计划每年只能有一个目标",
    "{n} capacity ids are neither candidate sites nor open stations (e.g. {ids})": "容量文件中有 {n} 个编号既不是候选站点也不是现有站点（如 {ids}）",
    "use the candidates' township codes or the stations' ids": "请使用候选乡镇的代码或站点编号",
    "a capacity menu needs at least one size, each with its workers and build cost": "站点规模选项至少要有一种规模，每种写明社工人数和建站费用",
    "the menu's sizes {sizes} must be different numbers of workers, smallest first": "规模 {sizes} 的社工人数须各不相同，并从小到大排列",
    # scenario.py: the file checked field by field
    "the scenario file holds {what}, not an object with the fields {fields}": "方案文件的内容是{what}，而不是含有字段 {fields} 的对象",
    "the scenario file is not valid: {problems}": "方案文件有误：{problems}",
    "unknown fields {fields} (the fields are {known})": "未知字段 {fields}（字段应为 {known}）",
    "field {field} holds {what}": "字段 {field} 的值是{what}",
    "it should hold {what}": "应为{what}",
    "field province: {code} is not a province code": "字段 province：{code} 不是省份代码",
    "known codes: {codes}": "已知代码：{codes}",
    "field {field}, item {i}: {value} is not a 9-digit township code (as text)": "字段 {field} 第 {i} 项：{value} 不是 9 位乡镇代码（文本）",
    "field {field}, item {i}: township {code} is not in province {province}": "字段 {field} 第 {i} 项：乡镇 {code} 不在省份 {province} 内",
    "townships {codes} are both added and removed": "乡镇 {codes} 同时出现在新增和撤除中",
    "keep each in one list": "每个乡镇只放在一个列表中",
    "and {n} more problems": "另有 {n} 处问题",
    "an object": "对象",
    "a list": "列表",
    "text": "文本",
    "a number": "数字",
    "true/false": "真/假",
    "null": "空值",
    "text (may be empty)": "文本（可为空）",
    'the 2-digit code of a province, as text, e.g. "45"': '两位省份代码（文本），如 "45"',
    'a date as text, YYYY-MM-DD, e.g. "2021-12-31"': '日期文本，YYYY-MM-DD，如 "2021-12-31"',
    "a list of 9-digit township codes (text) of the province": "该省 9 位乡镇代码（文本）的列表",
    # registry/store.py: edits refused
    "station {sid} was changed meanwhile by {who} at {when} UTC ({action}, version {version}, valid from {valid})": "站点 {sid} 在此期间已被 {who} 修改（{when} UTC，{action}，版本 {version}，自 {valid} 起生效）",
    "station {sid} was changed meanwhile": "站点 {sid} 在此期间已被他人修改",
    "reload it and edit again": "请重新载入最新记录后再修改",
    "edit": "编辑",
    "ledger": "月度台账",
    "close": "撤站",
    "move": "迁址",
    "add": "新增",
    "station {sid} is already in the registry": "登记库中已有站点 {sid}",
    "edit it instead, or give a new id": "请改为编辑该站，或换一个编号",
    "no station {sid} in the registry": "登记库中没有站点 {sid}",
    "add it first": "请先新增该站",
    "a station id is text of 1 to {n} characters, not {text}": "站点编号应为 1 到 {n} 个字符，而不是 {text}",
    "give another id": "请换一个编号",
    "who did it must be a name of 1 to {n} characters, not {text}": "操作人应为 1 到 {n} 个字符的姓名，而不是 {text}",
    "give a person or office": "请填写姓名或单位",
    "{certified} certified social workers but only {workers} social workers": "持证社工 {certified} 人，但社工只有 {workers} 人",
    "certified ones are among them": "持证社工包含在社工人数之内",
    "give both lon and lat, or neither": "经度和纬度要么都填，要么都不填",
    "{field} has {n} characters, more than the {length} the registry keeps: {text}": "{field} 有 {n} 个字符，超过登记库可保存的 {length} 个：{text}",
    "shorten it": "请缩短",
    "{field} must be a whole number of 0 or more, not {value}": "{field} 应为不小于 0 的整数，而不是 {value}",
    # registry/ledger.py: findings, notes and refusals
    "new station {name}": "新站点 {name}",
    "no change": "无变化",
    "closed on {date}": "{date} 撤站",
    "closed": "撤站",
    "township {before} -> {after}": "乡镇 {before} → {after}",
    "moved {d} m": "位置移动 {d} 米",
    "name {before} -> {after}": "名称 {before} → {after}",
    "{name} is in the registry but not in this ledger": "{name} 在登记库中，但本月台账没有列出",
    "accepting closes it on {date}": "采纳即于 {date} 撤站",
    "township {code} is not in {unit}": "乡镇 {code} 不在 {unit} 内",
    "a county submits only its own stations": "各县只报送本县的站点",
    "station {sid} appears twice in this ledger": "站点 {sid} 在本台账中出现两次",
    "keep one row": "请只保留一行",
    "row {row} repeats row {first} (same township and name)": "第 {row} 行与第 {first} 行重复（乡镇和名称相同）",
    "the row is for {other}, not {month}": "该行属于 {other}，不是 {month}",
    "submit it with that month": "请按该月份报送",
    "the same file was already submitted for {unit} {month} (submission {id})": "同一文件已作为 {unit} {month} 的台账提交过（提交编号 {id}）",
    "{n} registry stations of {unit} are not in the ledger": "{unit} 有 {n} 个登记库站点未列入本台账",
    "row {row} of submission {id}: {message}": "提交 {id} 第 {row} 行：{message}",
    "the closing of {sid} (not in the ledger) of submission {id}: {message}": "提交 {id} 中撤销 {sid}（台账未列出）：{message}",
    "submit the ledger again to compare with the newer state": "请重新提交台账，与最新状态比较",
    "a ledger is submitted by a county (6 digits) or a city (4 digits), not {unit}": "台账由县（6 位代码）或市（4 位代码）报送，而不是 {unit}",
    "no county {unit} in the register": "区划代码表中没有县 {unit}",
    "no city {unit} in the register": "区划代码表中没有市 {unit}",
    "give the 6-digit county or 4-digit city code that submits the ledger": "请填写报送台账的 6 位县代码或 4 位市代码",
    "submission {id} has no rows {rows}": "提交 {id} 没有第 {rows} 条",
    "its rows are {rows}": "其条目编号为 {rows}",
    "row {row} of submission {id} was refused ({message})": "提交 {id} 第 {row} 行已被拒收（{message}）",
    "fix the file and submit again": "请修改文件后重新提交",
    "no submission {id}": "没有提交 {id}",
}


def _accepted_ranges() -> dict[str, str]:
    """The "give ..." parts of :class:`coverage.checks.Number` messages, every form, with or without an example."""
    forms = {
        "from {low} to {high}": "{low} 到 {high} 之间的{kind}",
        "of {low} or more": "不小于 {low} 的{kind}",
        "above {low} and at most {high}": "大于 {low}、不超过 {high} 的{kind}",
        "above {low}": "大于 {low} 的{kind}",
        "of at most {high}": "不超过 {high} 的{kind}",
    }
    out = {}
    for kind_en, kind_zh in (("a number", "数"), ("a whole number", "整数")):
        for en, zh in forms.items():
            text_en, text_zh = f"give {kind_en} {en}", "请填" + zh.replace("{kind}", kind_zh)
            out[text_en] = text_zh
            out[text_en + ", e.g. {sample}"] = text_zh + "，如 {sample}"
    return out


MESSAGES_ZH.update(_accepted_ranges())

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
    "other province": "属于其他省份",
}


#: Fields whose value may hold several parts joined by "; " (lists, nested messages, library errors).
SPANNING_FIELDS = {"labels", "message", "error", "problems"}


#: Fields that hold a number (so "give a number above {low}" cannot swallow "and at most 100").
NUMBER_FIELDS = {"low", "high", "sample"}


def _field_pattern(match: re.Match) -> str:
    name = match.group(1)
    if name in NUMBER_FIELDS:
        return f"(?P<{name}>[-+]?[0-9][0-9.,e+]*)"
    # a value may be empty (an empty cell) and hold ";" (a user's text), never "; " (the parts' separator)
    return f"(?P<{name}>.+?)" if name in SPANNING_FIELDS else f"(?P<{name}>(?:(?!; ).)*?)"


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


#: Station attributes the ledger's findings list as "field before -> after", in Chinese.
FIELDS_ZH = {
    "social_workers": "社工人数",
    "certified_workers": "持证社工人数",
    "households_served": "服务户数",
    "people_served": "服务人数",
    "case_files": "个案数",
}
#: Station statuses (registry) and row statuses (importer), in Chinese.
STATION_STATUS_ZH = {"planned": "筹建", "open": "运营", "suspended": "暂停", "closed": "撤站"}
ROW_STATUS_ZH = {
    "matched": "匹配",
    "repaired": "已修正",
    "ambiguous": "待定",
    "unmatched": "未匹配",
    "rejected": "拒绝",
}
_CHANGE = re.compile(r"^(?P<field>[a-z_]+) (?P<before>.*?) -> (?P<after>.*)$", re.DOTALL)
_REFUSED = re.compile(rf"^(?P<status>{'|'.join(ROW_STATUS_ZH)}): (?P<message>.*)$", re.DOTALL)


def _value(text: str) -> str:
    return "—" if text in ("None", "") else text


def _finding_part(part: str) -> str | None:
    """One part of a finding in Chinese when it is a list of changed figures or a status change, else None."""
    changes = [_CHANGE.match(p) for p in part.split(", ")]
    if all(c is not None and c.group("field") in FIELDS_ZH for c in changes):
        return "，".join(
            f"{FIELDS_ZH[c.group('field')]} {_value(c.group('before'))} → {_value(c.group('after'))}"
            for c in changes
            if c is not None
        )
    status = _CHANGE.match(part)
    if status is not None and status.group("field") == "status":
        before, after = status.group("before"), status.group("after")
        return f"状态 {STATION_STATUS_ZH.get(before, _value(before))} → {STATION_STATUS_ZH.get(after, after)}"
    return None


def _finding(message: str, missed: list[str]) -> str:
    refused = _REFUSED.match(message)
    if refused is not None:  # a row the importer could not place: its status and the importer's reason
        reason = _translate(refused.group("message"), missed)
        return f"{ROW_STATUS_ZH[refused.group('status')]}：{reason}"
    parts = message.split("; ")
    done = [_finding_part(p) for p in parts]
    out, rest = [], []
    for part, chinese in zip(parts, done, strict=True):
        if chinese is None:
            rest.append(part)
            continue
        if rest:
            out.append(_translate("; ".join(rest), missed))
            rest = []
        out.append(chinese)
    if rest:
        out.append(_translate("; ".join(rest), missed))
    return "；".join(out)


def translate_finding(message: str, lang: str = "zh") -> str:
    """A ledger finding's message (:mod:`coverage.registry.ledger`) in ``lang``: the templates above, the
    lists of changed staff and caseload figures field by field, and a refused row's importer status."""
    if lang != "zh" or not isinstance(message, str) or not message:
        return message
    return _finding(message, [])


def untranslated_finding_parts(message: str) -> list[str]:
    """The parts of a ledger finding's message that stay in English (empty when all of it translates)."""
    missed: list[str] = []
    if message:
        _finding(message, missed)
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
