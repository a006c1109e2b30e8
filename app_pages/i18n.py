"""Every text of the app in Chinese (default) and English: ``t(key, **values)``.

A key missing from either language raises ``KeyError`` (the app tests open
every page in both languages, so an untranslated label fails a test).  Map
legends and popups use :data:`coverage.webmap.LABELS`.
"""

from __future__ import annotations

import streamlit as st

LANGUAGES = {"zh": "中文", "en": "English"}

#: Background colours of the status column (met / on track / behind).
STATUS_COLOURS = {"met": "#c8e6c9", "on track": "#fff3c4", "behind": "#ffcdd2"}

TEXT: dict[str, tuple[str, str]] = {
    # navigation
    "page_overview": ("总览", "Overview"),
    "page_map": ("地图", "Map"),
    "page_gaps": ("服务空白", "Gaps"),
    "page_plan": ("规划", "Plan"),
    "page_data": ("数据", "Data"),
    "page_exports": ("导出", "Exports"),
    "page_trips": ("督导行程", "Field trips"),
    # sidebar
    "province": ("省份（数据集）", "Province (dataset)"),
    "uploaded_dataset": ("{name}（本次上传的边界）", "{name} (boundaries uploaded this session)"),
    "city": ("市", "City"),
    "county": ("县（市、区）", "County"),
    "all": ("全部", "All"),
    "as_of": ("统计日期", "As of"),
    "radius_unit": ("服务半径单位", "Service radius in"),
    "unit_km": ("公里", "km"),
    "unit_min": ("分钟车程", "minutes"),
    "radius_km": ("服务半径（公里，直线）", "Service radius (km, straight line)"),
    "radius_min": ("服务半径（分钟车程）", "Service radius (minutes of travel)"),
    "radius_min_help": (
        "分钟换算为直线距离：直线距离 × 绕行系数 1.3 ÷ 平均车速 40 km/h",
        "Minutes become a straight-line distance: distance × circuity 1.3 ÷ 40 km/h average speed",
    ),
    "radius_km_label": ("半径 {km:g} 公里", "radius {km:g} km"),
    "radius_minutes_label": (
        "{minutes:g} 分钟车程（约直线 {km:.1f} 公里）",
        "{minutes:g} min of travel (≈ {km:.1f} km straight)",
    ),
    "targets": ("目标进度表", "Target schedule"),
    "target_date": ("日期", "Date"),
    "target_percent": ("目标覆盖率（%）", "Target rate (%)"),
    "targets_invalid": (
        "目标进度表有误，暂用默认 30/60/100%：{error}",
        "The target schedule is not valid, using 30/60/100 %: {error}",
    ),
    # general
    "no_stations": (
        "该省没有社工站名单；请在“数据”页上传。",
        "This province has no station list; upload one on the Data page.",
    ),
    "input_problem": ("输入有问题：{error}", "Problem with the input: {error}"),
    "unexpected_error": (
        "出现意外错误，请调整参数重试，或把下面的详情发给维护人员：{error}",
        "Something unexpected went wrong; change the parameters and try again, or send the details below to the maintainers: {error}",
    ),
    "details": ("详情", "Details"),
    "approximate_note": (
        "乡镇（街道）边界为按县域自动划分的近似单元，仅用于示意和统计，不代表官方界线。",
        "Township boundaries are approximate cells drawn per county, for illustration and statistics only; they are not official boundaries.",
    ),
    "date": ("日期", "Date"),
    "level": ("层级", "Level"),
    "level_city": ("市", "Cities"),
    "level_county": ("县（市、区）", "Counties"),
    "status_met": ("已完成", "Met"),
    "status_on track": ("按计划", "On track"),
    "status_behind": ("滞后", "Behind"),
    "download": ("下载", "Download"),
    # overview
    "overview_title": ("{region}社工站覆盖进度", "{region}: station coverage"),
    "m_counted": ("计入目标的乡镇（街道）", "Townships counted"),
    "m_covered": ("有社工站的乡镇（街道）", "Townships with a station"),
    "m_rate": ("覆盖率", "Coverage rate"),
    "m_next_target": ("下一目标", "Next target"),
    "m_next_target_help": ("到 {date}", "by {date}"),
    "m_needed": ("还需建站", "Stations still needed"),
    "m_needed_help": ("为达到 {date} 的目标", "to reach the target of {date}"),
    "status_line": (
        "状态：{status}（截至 {as_of}；下一目标日期 {date}）",
        "Status: {status} (as of {as_of}; next target date {date})",
    ),
    "rate_over_time": ("覆盖率变化与目标", "Coverage rate over time against the targets"),
    "series_rate": ("覆盖率", "Coverage rate"),
    "series_target": ("目标", "Target"),
    "units_table": ("各市县进度", "Progress by city and county"),
    "lagging_count": (
        "{total} 个{level}中 {n} 个滞后，排在最前。",
        "{n} of {total} {level} are behind; they are listed first.",
    ),
    "col_name": ("名称", "Name"),
    "col_code": ("代码", "Code"),
    "col_counted": ("计入乡镇数", "Townships counted"),
    "col_covered": ("有站乡镇数", "With a station"),
    "col_rate": ("覆盖率", "Rate"),
    "col_status": ("状态", "Status"),
    "col_kind": ("乡镇类别", "Township kind"),
    "col_priority": ("优先级", "Priority"),
    "col_needed_due": ("已到期目标还差", "Short of due target"),
    "col_needed_next": ("下一目标还差", "Needed for next target"),
    "col_next_date": ("下一目标日期", "Next target date"),
    "col_county": ("县（市、区）", "County"),
    "col_city": ("市", "City"),
    "col_area": ("面积（km²）", "Area (km²)"),
    "col_area_within": ("半径内面积（km²）", "Area within (km²)"),
    "col_share_beyond": ("半径外面积占比", "Share of area beyond"),
    "col_farthest": ("最远点距离（km）", "Farthest point (km)"),
    "col_villages": ("村（社区）数", "Villages and communities"),
    "col_villages_within": ("半径内村（社区）", "Villages within"),
    "col_score": ("需求得分", "Need score"),
    "col_rank": ("排名", "Rank"),
    "col_year": ("年度", "Year"),
    "col_gain": ("新增覆盖需求占比", "Demand gained (share)"),
    "col_has_station": ("有社工站", "Has a station"),
    "col_change": ("变动", "Change"),
    # map
    "map_title": ("{region}社工站地图", "{region}: station map"),
    "basemap": ("底图", "Basemap"),
    "basemap_none": ("无（离线）", "None (offline)"),
    "basemap_osm": ("OpenStreetMap（WGS 84）", "OpenStreetMap (WGS 84)"),
    "basemap_amap": ("高德地图（GCJ-02，图层已偏移对齐）", "Amap (GCJ-02, layers shifted to match)"),
    "basemap_note": (
        "所选底图的瓦片由其服务器提供（需能访问互联网）；应用本身的地图脚本全部由本机提供。",
        "Tiles of the chosen basemap come from its tile server (internet needed); every map script is served by the app itself.",
    ),
    "layers": ("图层", "Layers"),
    "layer_townships": ("乡镇覆盖", "Township coverage"),
    "layer_choropleth": ("县覆盖率分级", "County rate choropleth"),
    "layer_stations": ("社工站", "Stations"),
    "layer_radius": ("服务半径圈", "Service-radius circles"),
    "layer_gaps": ("服务空白区", "Gap areas"),
    "layer_candidates": ("优先选址", "Priority sites"),
    "n_candidates": ("优先选址数量", "Number of priority sites"),
    "map_caption": (
        "{stations} 个社工站在 {as_of} 已开放；点击乡镇查看名称、代码和数据。",
        "{stations} stations open on {as_of}; click a township for its name, code and figures.",
    ),
    # gaps
    "gaps_title": ("{region}服务空白（{radius}）", "{region}: service gaps ({radius})"),
    "g_area_within": ("半径内面积占比", "Area within the radius"),
    "g_demand_within": ("半径内需求占比（1 公里网格）", "Demand within (1-km grid)"),
    "g_villages_within": ("半径内村（社区）占比", "Villages within"),
    "g_gap_area": ("空白面积（km²）", "Gap area (km²)"),
    "gaps_table": ("各乡镇半径外面积占比（由高到低）", "Townships by share of area beyond the radius"),
    "gaps_slider_note": (
        "拖动侧栏的服务半径，地图只替换半径圈和空白区图层，不会整体重绘。",
        "Move the service radius in the sidebar: only the circles and gap layers are replaced, the map is not rebuilt.",
    ),
    # plan
    "plan_title": ("{region}选址与分年度推进计划", "{region}: siting and year-by-year rollout"),
    "plan_model": ("模型", "Model"),
    "model_rollout": (
        "分年度推进（满足目标、覆盖最多需求）",
        "Year-by-year rollout (meet the targets, cover the most need)",
    ),
    "model_mclp": ("最大覆盖（MCLP，新建 p 个站）", "Maximal covering (MCLP, p new stations)"),
    "model_lscp": ("集合覆盖（LSCP，最少站覆盖全部需求）", "Set covering (LSCP, fewest stations covering all demand)"),
    "model_pmedian": ("p-中位（平均距离最短）", "p-median (shortest mean distance)"),
    "model_pcenter": ("p-中心（最远距离最短）", "p-center (shortest longest distance)"),
    "plan_p": ("新建站数 p", "New stations p"),
    "plan_county_min": ("每县至少（个）", "At least per county"),
    "plan_time_limit": ("求解时间上限（秒）", "Solver time limit (s)"),
    "plan_as_of": (
        "规划起始日期（默认：最近开站年份年底）",
        "Plan from (default: end of the year of the latest opening)",
    ),
    "plan_run": ("运行", "Run"),
    "plan_running": ("正在求解…", "Solving …"),
    "plan_done": (
        "完成：{solver}，{seconds:.1f} 秒，目标值 {objective:,.1f}，界 {bound:,.1f}，差距 {gap:.2%}",
        "Done: {solver}, {seconds:.1f} s, objective {objective:,.1f}, bound {bound:,.1f}, gap {gap:.2%}",
    ),
    "plan_none": (
        "尚未运行规划。选择模型和参数后点“运行”。",
        "No plan yet. Choose a model and parameters, then press Run.",
    ),
    "plan_year": ("年度", "Year"),
    "plan_years_table": ("分年度计划", "Plan by year"),
    "plan_sites_table": ("选址名单（按新增覆盖排序）", "Chosen sites (by demand gained)"),
    "plan_year_line": (
        "{date}：目标 {share:.0%}，累计需 {required} 个；新建 {opened} 个，建成后覆盖率 {rate:.1%}，半径内需求 {demand:.1%}",
        "{date}: target {share:.0%}, {required} in total; {opened} new, rate after {rate:.1%}, demand within {demand:.1%}",
    ),
    "whatif": ("假设分析：增减社工站", "What-if: add or remove stations"),
    "whatif_help": (
        "在表中勾选或取消“有社工站”，或点击地图上的乡镇切换；覆盖率和半径内需求立即更新。",
        "Tick or untick “Has a station” in the table, or click a township on the map to toggle it; the rate and demand within update at once.",
    ),
    "scenario": ("方案", "Scenario"),
    "scenario_a": ("方案 A", "Scenario A"),
    "scenario_b": ("方案 B", "Scenario B"),
    "scenario_editing": ("正在编辑", "Editing"),
    "scenario_from_plan": ("把当前规划的站点加入{name}", "Add the plan's sites to {name}"),
    "scenario_reset": ("清空{name}的改动", "Clear the changes of {name}"),
    "scenario_compare": ("两个方案对比", "The two scenarios side by side"),
    "scenario_save": ("保存方案文件（JSON）", "Save scenario file (JSON)"),
    "scenario_load": ("载入方案文件", "Load a scenario file"),
    "scenario_loaded": (
        "已载入方案：新增 {added} 个，撤销 {removed} 个。",
        "Scenario loaded: {added} added, {removed} removed.",
    ),
    "scenario_wrong_province": (
        "该方案文件属于省份 {file}，当前是 {current}；请先切换省份。",
        "This scenario file is for province {file}, the current one is {current}; switch province first.",
    ),
    "scenario_bad_file": (
        "无法读取方案文件：{error}。请上传本应用保存的 JSON 文件。",
        "Cannot read the scenario file: {error}. Upload a JSON file saved by this app.",
    ),
    "s_added": ("新增站", "Added"),
    "s_removed": ("撤销站", "Removed"),
    "s_covered": ("有站乡镇", "Townships with a station"),
    "s_rate": ("覆盖率", "Coverage rate"),
    "s_demand": ("半径内需求占比", "Demand within the radius"),
    "s_target": ("最终目标还差", "Short of the final target"),
    "clicked": ("已切换：{name}", "Toggled: {name}"),
    # data
    "data_title": ("数据：上传社工站名单和乡镇边界", "Data: upload station lists and township boundaries"),
    "upload_stations": ("上传社工站名单（CSV 或 XLSX）", "Upload a station list (CSV or XLSX)"),
    "upload_stations_help": (
        "支持 UTF-8/GBK 编码、中英文表头、WGS 84/CGCS2000/GCJ-02/BD-09 坐标或仅有乡镇名称。",
        "UTF-8/GBK, Chinese or English headers, WGS 84/CGCS2000/GCJ-02/BD-09 coordinates, or township names only.",
    ),
    "file_crs": ("文件中坐标的坐标系", "Coordinate system of the file"),
    "crs_wgs84": ("WGS 84（GPS）", "WGS 84 (GPS)"),
    "crs_cgcs2000": ("CGCS2000（国家 2000）", "CGCS2000"),
    "crs_gcj02": ("GCJ-02（高德、腾讯）", "GCJ-02 (Amap, Tencent)"),
    "crs_bd09": ("BD-09（百度）", "BD-09 (Baidu)"),
    "import_summary": (
        "共 {total} 行：匹配 {matched}，修正 {repaired}，待定 {ambiguous}，未匹配 {unmatched}，拒绝 {rejected}。",
        "{total} rows: {matched} matched, {repaired} repaired, {ambiguous} ambiguous, {unmatched} unmatched, {rejected} rejected.",
    ),
    "import_empty": (
        "文件中没有任何可用的社工站。请检查文件内容（见下表每行原因）。",
        "No usable station in the file. Check its contents (each row's reason is in the table below).",
    ),
    "report": ("逐行导入报告", "Row-by-row import report"),
    "report_filter": ("只看这些状态", "Show these statuses"),
    "rep_row": ("行号", "Row"),
    "rep_status": ("状态", "Status"),
    "rep_township_code": ("乡镇代码", "Township code"),
    "rep_township": ("乡镇", "Township"),
    "rep_how": ("定位依据", "Placed by"),
    "rep_message": ("说明", "Message"),
    "rep_candidates": ("候选乡镇", "Candidates"),
    "rep_lon_wgs84": ("经度（WGS 84）", "Longitude (WGS 84)"),
    "rep_lat_wgs84": ("纬度（WGS 84）", "Latitude (WGS 84)"),
    "rep_input": ("原文：{column}", "Input: {column}"),
    "st_matched": ("匹配", "matched"),
    "st_repaired": ("已修正", "repaired"),
    "st_ambiguous": ("待定", "ambiguous"),
    "st_unmatched": ("未匹配", "unmatched"),
    "st_rejected": ("拒绝", "rejected"),
    "resolve": ("处理待定行", "Resolve ambiguous rows"),
    "resolve_row": ("第 {row} 行：{text}", "Row {row}: {text}"),
    "resolve_skip": ("（暂不处理）", "(leave unresolved)"),
    "resolve_apply": ("应用选择", "Apply the choices"),
    "resolved": ("已处理 {n} 行。", "{n} rows resolved."),
    "use_stations": ("在所有页面使用这份名单", "Use this list on every page"),
    "using_stations": ("当前使用：{source}", "In use: {source}"),
    "source_embedded": ("内置名单", "the embedded list"),
    "source_upload": ("本次上传的名单（{n} 个站）", "the list uploaded this session ({n} stations)"),
    "use_embedded": ("改回内置名单", "Back to the embedded list"),
    "upload_boundaries": (
        "上传乡镇边界（GeoPackage、GeoJSON、Shapefile 压缩包）",
        "Upload township boundaries (GeoPackage, GeoJSON, zipped Shapefile)",
    ),
    "boundaries_help": (
        "用官方乡镇边界替换近似单元。按代码或名称匹配；未匹配的要素会列出。",
        "Replace the approximate cells by official township polygons, matched by code or name; unmatched features are listed.",
    ),
    "boundaries_crs": ("边界文件坐标系（文件未注明时）", "CRS of the boundaries (when the file does not say)"),
    "boundaries_done": (
        "已替换 {replaced} 个乡镇边界；在侧栏的“省份”中选择“{name}”。",
        "{replaced} township polygons replaced; choose “{name}” under Province in the sidebar.",
    ),
    "boundaries_report": ("边界匹配报告", "Boundary matching report"),
    # exports
    "exports_title": ("导出：{region}", "Exports: {region}"),
    "exports_tables": ("表格和图层", "Tables and layers"),
    "export_item": ("内容", "Content"),
    "export_format": ("格式", "Format"),
    "ex_townships": ("乡镇覆盖（图层）", "Township coverage (layer)"),
    "ex_stations": ("社工站（图层）", "Stations (layer)"),
    "ex_units": ("各市县进度（表）", "Progress by city and county (table)"),
    "ex_gaps": ("服务空白区（图层）", "Gap areas (layer)"),
    "ex_gap_towns": ("乡镇服务空白（表）", "Township gaps (table)"),
    "ex_need": ("优先选址需求得分（表）", "Need scores (table)"),
    "ex_counties": ("县覆盖率（图层）", "County rates (layer)"),
    "ex_trajectory": ("覆盖率变化（表）", "Rate over time (table)"),
    "export_map": ("地图（HTML，离线可打开）", "Map (HTML, opens offline)"),
    "export_report": ("给领导的报告（XLSX，含图表和地图）", "Report for officials (XLSX with charts and map)"),
    "export_report_help": (
        "按当前筛选（地区、日期、目标、规划）生成。",
        "Generated from the current filters (region, date, targets, plan).",
    ),
    "export_prepare": ("生成", "Prepare"),
    "export_ready": ("已生成，点击下载。", "Ready; click to download."),
    "export_with_plan": (
        "报告包含“规划”页最近一次的推进计划。",
        "The report includes the latest rollout from the Plan page.",
    ),
    "export_without_plan": (
        "尚未在“规划”页运行推进计划，报告中的计划页将说明未计算。",
        "No rollout has been run on the Plan page; the report's plan sheet will say so.",
    ),
    # trips and supervision
    "trips_title": ("{region}督导评估行程", "{region}: field trips and supervision"),
    "trip_tab": ("评估行程", "Evaluation trip"),
    "supervise_tab": ("督导分工", "Supervision"),
    "trip_choose": ("选择社工站", "Choose stations"),
    "trip_mode_sample": ("按规则抽样", "Sample by rule"),
    "trip_mode_pick": ("从名单中选", "Pick from the list"),
    "trip_mode_names": ("输入名称", "Type names"),
    "trip_rule": ("抽样规则（如 2-per-city、1-per-county）", "Sampling rule (e.g. 2-per-city, 1-per-county)"),
    "trip_seed": ("随机种子（相同种子抽样结果相同）", "Seed (the same seed gives the same sample)"),
    "trip_strata": ("分层", "Stratify by"),
    "trip_strata_none": ("不分层", "none"),
    "trip_strata_help": (
        "每个市（县）抽出的站轮流取自各层，如街道、镇、乡各取一个",
        "Each city's (county's) picks go round the strata in turn, e.g. one subdistrict, one town, one township",
    ),
    "trip_pick": ("社工站", "Stations"),
    "trip_names": ("社工站所在乡镇名称（逗号或换行分隔）", "Township names of the stations (comma or line separated)"),
    "trip_names_help": (
        "可带县名，如“德庆县九市镇”，或 9 位代码。",
        "With the county if needed, e.g. 德庆县九市镇, or the 9-digit code.",
    ),
    "trip_chosen": ("已选 {n} 个社工站。", "{n} stations chosen."),
    "trip_start": ("出发和返回地点", "Start and end"),
    "trip_start_help": (
        "默认省会；也可填乡镇、县城名或“经度,纬度”。",
        'Default: the provincial capital; or a township, county town or "lon,lat".',
    ),
    "trip_first_day": ("第一天", "First day"),
    "trip_days": ("工作日天数", "Working days"),
    "trip_per_day": ("每天最多走访", "Visits a day at most"),
    "trip_visit_hours": ("每站停留（小时）", "Hours per visit"),
    "trip_day_start": ("每天开始", "Day starts"),
    "trip_day_end": ("每天结束", "Day ends"),
    "trip_lunch": ("午休（分钟）", "Lunch (minutes)"),
    "trip_overnight": ("住宿", "Overnight"),
    "trip_overnight_towns": ("就近住在县城", "In any county town"),
    "trip_overnight_base": ("每晚回出发地", "Back at base every night"),
    "trip_evening": ("允许晚间转场（分钟）", "Evening transfer allowed (minutes)"),
    "trip_speed": ("乡镇道路车速（km/h）", "Local road speed (km/h)"),
    "trip_speed_help": (
        "每段路程的前 {km:g} km（县乡道路）按此车速计",
        "The first {km:g} km of each leg (county and township roads) at this speed",
    ),
    "trip_long_speed": ("城际车速（km/h）", "Intercity speed (km/h)"),
    "trip_long_speed_help": (
        "每段路程超过 {km:g} km 的部分（高速公路、国道）按此车速计；0 表示全程同一车速",
        "Road km beyond the first {km:g} km of a leg (expressways, national roads) at this speed; 0 = one speed throughout",
    ),
    "trip_weekends": ("周末也出行", "Travel on weekends"),
    "trip_previous": ("上次的行程（可选，每行一天）用于对比", "Last itinerary (optional, one line per day) to compare"),
    "trip_previous_help": (
        "按同一出行模型计算，显示本次规划节省的时间。",
        "Measured with the same travel model, to show the plan's saving.",
    ),
    "trip_run": ("规划行程", "Plan the trip"),
    "trip_none_chosen": ("没有选中任何社工站；请先选择。", "No station chosen; choose some first."),
    "trip_solving": ("正在求解…", "Solving …"),
    "trip_all_fit": (
        "全部 {total} 个站可在 {days} 天（每天 {hours:.1f} 小时）内走访完。",
        "All {total} stations fit in {days} days of {hours:.1f} h.",
    ),
    "trip_some_fit": (
        "{total} 个站中只有 {fit} 个能在 {days} 天（每天 {hours:.1f} 小时）内走访；未安排：{left}。可选办法：",
        "{fit} of {total} stations fit in {days} days of {hours:.1f} h; left out: {left}. Choices:",
    ),
    "opt_drop": (
        "去掉优先级最低的 {n} 个走访（即上面未安排的站）— 其余车程 {h:.1f} 小时",
        "Drop the {n} lowest-priority visits (those left out above) — {h:.1f} h of driving for the rest",
    ),
    "opt_evening": ("允许晚间转场 {evening_min:g} 分钟", "Allow an evening transfer of {evening_min:g} min"),
    "opt_days": ("增加 {days} 天（至 {last_date}）", "Add {days} day(s) (to {last_date})"),
    "opt_longer": ("每天延长 {extra_min} 分钟", "Lengthen every day by {extra_min} min"),
    "opt_longer_any": ("延长每天的工作时间", "Lengthen the days"),
    "trip_over_cap": (
        "已选 {n} 个站，超过 {days} 天 × 每天 {per_day} 个 = {cap} 次走访的上限：请增加天数、减少站点，"
        "或缩小侧栏的市县范围；也可以直接规划，看哪些站能排进去。",
        "{n} stations chosen, more than {days} days × {per_day} a day = {cap} visits: add days, choose fewer "
        "stations or narrow the city/county in the sidebar; or plan anyway to see which fit.",
    ),
    "trip_solver": ("求解方法：{solver}（{seconds:.1f} 秒）", "Solved by {solver} in {seconds:.1f} s"),
    "opt_fits": ("可全部走访，车程 {h:.1f} 小时", "all fit, {h:.1f} h of driving"),
    "opt_not_enough": ("仍不能全部走访", "still not all fit"),
    "opt_cap": ("（站数超过天数 × 每天走访上限）", " (more stations than days × visits a day)"),
    "trip_travel_min": ("总车程", "Total driving"),
    "trip_travel_km": ("总里程（km）", "Total distance (km)"),
    "trip_bound": ("最优下界", "Best bound"),
    "trip_gap": ("与最优的差距", "Gap to optimum"),
    "trip_compare": (
        "上次行程车程 {given:.1f} 小时，本次规划 {plan:.1f} 小时，节省 {saving:.1f} 小时。",
        "Last itinerary {given:.1f} h of driving, this plan {plan:.1f} h: {saving:.1f} h saved.",
    ),
    "trip_col_day": ("天", "Day"),
    "trip_col_date": ("日期", "Date"),
    "trip_col_visits": ("走访", "Visits"),
    "trip_col_overnight": ("住宿", "Overnight"),
    "trip_col_travel_min": ("车程（分钟）", "Driving (min)"),
    "trip_col_travel_km": ("里程（km）", "Distance (km)"),
    "trip_col_start": ("出发", "Start"),
    "trip_col_finish": ("结束", "Finish"),
    "trip_col_over_min": ("超时（分钟）", "Over hours (min)"),
    "trip_legs": ("逐段行程", "Leg by leg"),
    "trip_day_n": ("第 {} 天", "Day {}"),
    "trip_print": ("打印版（HTML）", "Printable (HTML)"),
    "sup_n": ("督导员人数（0 = 自动）", "Supervisors (0 = automatic)"),
    "sup_n_help": ("自动：能承担全部站点的最少人数。", "Automatic: the fewest that can carry every station."),
    "sup_min": ("每人最少站数", "Stations each at least"),
    "sup_max": ("每人最多站数", "Stations each at most"),
    "sup_month": ("月份", "Month"),
    "sup_run": ("分配督导", "Assign supervisors"),
    "sup_col_supervisor": ("督导员", "Supervisor"),
    "sup_col_base": ("驻地", "Base"),
    "sup_col_base_code": ("驻地代码", "Base code"),
    "sup_col_stations": ("负责站点", "Stations"),
    "sup_col_load": ("站数", "Stations (count)"),
    "sup_col_travel_min": ("车程（分钟）", "Driving (min)"),
    "sup_col_travel_km": ("里程（km）", "Distance (km)"),
    "sup_col_binds": ("约束", "Binding"),
    "sup_col_days_used": ("所需天数", "Days needed"),
    "sup_col_working_days": ("当月工作日", "Working days"),
    "sup_col_fits": ("当月能完成", "Fits the month"),
    "sup_col_date": ("日期", "Date"),
    "sup_col_station": ("站点", "Station"),
    "sup_col_code": ("代码", "Code"),
    "sup_col_hours": ("驻站小时", "Hours on site"),
    "sup_binds_at minimum load": ("达到下限", "at minimum load"),
    "sup_binds_at maximum load": ("达到上限", "at maximum load"),
    "sup_count": ("督导员", "Supervisors"),
    "sup_total": ("往返车程合计（单程）", "Travel from base (one way)"),
    "sup_rounds": ("{month} 月度走访", "Monthly round {month}"),
}


#: The language of the latest script run: used only when a widget's label
#: function is called outside a run (Streamlit's AppTest does that).
_last = {"lang": "zh"}


def lang() -> str:
    """The session's language code (``zh`` or ``en``)."""
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    if get_script_run_ctx(suppress_warning=True) is None:
        return _last["lang"]
    _last["lang"] = st.session_state.get("lang", "zh")
    return _last["lang"]


def t(key: str, **values) -> str:
    """The text of ``key`` in the session's language, formatted with ``values``."""
    zh, en = TEXT[key]
    text = en if lang() == "en" else zh
    return text.format(**values) if values else text


def t_known(prefix: str, value):
    """``t(prefix + value)`` where that key exists, else ``value`` unchanged (column names, status values)."""
    key = f"{prefix}{value}"
    return t(key) if key in TEXT else value
