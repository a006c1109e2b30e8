"""The columns a station file may have: each role (name, township, lon, ...) and the headers that mean it.

Kept apart from the importer so that the command line can name its ``--…-col`` flags without
loading the importer (pandas, geopandas) when it starts.
"""

from __future__ import annotations

#: Header names recognised for each role (compared after :func:`header_key`).
COLUMN_ALIASES: dict[str, tuple[str, ...]] = {
    "station_id": ("station_id", "stationid", "id", "编号", "站点编号", "站点代码", "站点id", "站号", "序号", "no"),
    "name": (
        "name",
        "名称",
        "站点名称",
        "站名",
        "社工站名称",
        "社工站",
        "站点",
        "station",
        "stationname",
        "机构名称",
        "服务站名称",
        "社会工作服务站名称",
        "站点全称",
    ),
    "township_code": (
        "township_code",
        "townshipcode",
        "乡镇代码",
        "乡镇编码",
        "区划代码",
        "行政区划代码",
        "统计用区划代码",
        "code",
        "adcode",
        "乡镇街道代码",
        "乡镇区划代码",
    ),
    "township": ("township", "town", "乡镇", "乡镇街道", "所在乡镇", "镇街", "乡镇名称", "街道", "所属乡镇", "乡镇名"),
    "county": ("county", "district", "县", "区县", "县区", "县市区", "所在县", "所属县", "县名"),
    "city": ("city", "prefecture", "市", "地市", "地级市", "所在市", "市州", "所属市"),
    "address": ("address", "地址", "详细地址", "站点地址", "所在地"),
    "lon": ("lon", "lng", "long", "longitude", "x", "经度", "东经", "经度坐标", "x坐标", "经度e"),
    "lat": ("lat", "latitude", "y", "纬度", "北纬", "纬度坐标", "y坐标", "纬度n"),
    "lonlat": ("坐标", "经纬度", "经纬度坐标", "coordinates", "lonlat", "location", "位置"),
    "opened": (
        "opened",
        "open_date",
        "opendate",
        "建站时间",
        "成立时间",
        "成立日期",
        "建成时间",
        "开设时间",
        "开设日期",
        "启用时间",
        "运营时间",
        "挂牌时间",
        "建站日期",
        "开站时间",
        "建立时间",
    ),
    "closed": ("closed", "close_date", "closedate", "撤销时间", "关闭时间", "停止运营时间", "撤站时间", "撤销日期"),
    "crs": ("crs", "坐标系", "coordinatesystem", "坐标系统"),
    "source": ("source", "来源", "数据来源"),
    "notes": ("notes", "note", "备注", "说明"),
}
#: Flags of the command line and keyword names of :func:`read_stations` overriding a role.
ROLE_FLAGS = {role: f"--{role.replace('_', '-')}-col" for role in COLUMN_ALIASES}
