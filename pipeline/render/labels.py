"""Every word the reports print, in Chinese and English: one table, not copies of templates.

Entries with ``{placeholders}`` are sentence patterns filled by the context builders, so
word order can differ between languages without logic in the templates.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

LANGS = ("zh", "en")

LABELS: dict[str, dict[str, str]] = {
    # --- lights (SPEC 1: grey = not reported) -------------------------------------------
    "green": {"zh": "绿", "en": "green"},
    "yellow": {"zh": "黄", "en": "yellow"},
    "red": {"zh": "红", "en": "red"},
    "grey": {"zh": "未报", "en": "not reported"},
    # short forms for narrow table headings (the units table)
    "green_short": {"zh": "绿", "en": "G"},
    "yellow_short": {"zh": "黄", "en": "Y"},
    "red_short": {"zh": "红", "en": "R"},
    "grey_short": {"zh": "未报", "en": "NR"},
    # --- categories ---------------------------------------------------------------------
    "new": {"zh": "新开工", "en": "new"},
    "continuing": {"zh": "续建", "en": "continuing"},
    "completing": {"zh": "竣工投产", "en": "completing"},
    "preparatory": {"zh": "前期", "en": "preparatory"},
    # --- light reasons (SPEC 5.3, 6.2) --------------------------------------------------
    "on_schedule": {"zh": "序时推进", "en": "on schedule"},
    "lag": {"zh": "滞后", "en": "behind schedule"},
    "overdue_start": {"zh": "逾期未开工", "en": "start overdue"},
    "overdue_completion": {"zh": "逾期未竣工", "en": "completion overdue"},
    "milestones_on_time": {"zh": "节点按时", "en": "milestones on time"},
    "milestone_overdue": {"zh": "节点逾期", "en": "milestone overdue"},
    "milestone_overdue_30d": {"zh": "节点逾期超30天", "en": "milestone overdue > 30 days"},
    "not_reported": {"zh": "未报送", "en": "not reported"},
    "unusable_value": {"zh": "数据不可用", "en": "unusable value"},
    # --- page ---------------------------------------------------------------------------
    "html_lang": {"zh": "zh-CN", "en": "en"},
    # --- masthead -----------------------------------------------------------------------
    "bulletin_title": {"zh": "{county}重点项目建设调度通报",
                       "en": "{county} Key Construction Projects Bulletin"},
    "bulletin_title_no_county": {"zh": "重点项目建设调度通报",
                                 "en": "Key Construction Projects Bulletin"},
    "issue": {"zh": "{year}年第{month}期", "en": "Issue {month}, {year}"},
    "date": {"zh": "{year}年{month}月{day}日", "en": "{day} {month_name} {year}"},
    # --- section headings ---------------------------------------------------------------
    "section_number": {"zh": "{number}、", "en": "{number}. "},
    "sec_overview": {"zh": "总体情况", "en": "Overview"},
    "sec_lights": {"zh": "亮灯情况", "en": "Lights"},
    "sec_units": {"zh": "责任单位排名", "en": "Ranking of responsible units"},
    "sec_projects": {"zh": "项目进度排名", "en": "Ranking of projects by progress"},
    "sec_categories": {"zh": "分类推进情况", "en": "Progress by category"},
    "sec_lists": {"zh": "红黑榜", "en": "Red list and black list"},
    "sec_attraction": {"zh": "招商引资项目", "en": "Investment-promotion projects"},
    "sec_problems": {"zh": "存在问题", "en": "Open problems"},
    "sec_next_steps": {"zh": "下步工作要求", "en": "Next steps"},
    "sub_number": {"zh": "（{number}）", "en": "({number}) "},
    "annex_word": {"zh": "附件", "en": "Annexes"},
    "annex_colon": {"zh": "：", "en": ": "},
    "annex_dot": {"zh": "．", "en": ". "},
    "annex_heading": {"zh": "附件{number}", "en": "Annex {number}"},
    "annex_projects": {"zh": "重点项目进度排名表", "en": "Progress of every project, by rank"},
    "annex_quality": {"zh": "数据质量情况", "en": "Data quality"},
    # --- narrative ----------------------------------------------------------------------
    "overview_summary": {
        "zh": "全县纳入调度的重点项目{projects}个，总投资{total}亿元，年度计划投资{plan}亿元。"
              "{months}累计完成投资{done}亿元，其中本月完成{month_done}亿元。",
        "en": "The county schedules {projects} key projects with a total investment of "
              "{total} hundred million yuan and an annual plan of {plan} hundred million yuan. "
              "{months}, {done} hundred million yuan were invested, {month_done} of them "
              "this month.",
    },
    "overview_summary_county": {
        "zh": "{county}纳入调度的重点项目{projects}个，总投资{total}亿元，年度计划投资{plan}亿元。"
              "{months}累计完成投资{done}亿元，其中本月完成{month_done}亿元。",
        "en": "{county} schedules {projects} key projects with a total investment of "
              "{total} hundred million yuan and an annual plan of {plan} hundred million yuan. "
              "{months}, {done} hundred million yuan were invested, {month_done} of them "
              "this month.",
    },
    "months_span": {"zh": "1—{month}月", "en": "From January to {month_name}"},
    "months_span_january": {"zh": "1月", "en": "In January"},
    "overview_rate": {
        "zh": "年度计划完成率{rate}，序时进度{time}，{gap}。",
        "en": "That is {rate} of the annual plan against a time progress of {time}: {gap}.",
    },
    "ahead_pp": {"zh": "超序时进度{pp}个百分点", "en": "{pp} percentage points ahead of schedule"},
    "behind_pp": {"zh": "低于序时进度{pp}个百分点",
                  "en": "{pp} percentage points behind schedule"},
    "even_pp": {"zh": "与序时进度持平", "en": "level with the schedule"},
    "sentence_gap": {"zh": "", "en": " "},
    "overview_lights": {
        "zh": "亮绿灯{green}个、黄灯{yellow}个、红灯{red}个、灰灯（未报送或数据不可用）{grey}个。",
        "en": "Lights: {green} green, {yellow} yellow, {red} red, {grey} grey (not reported or "
              "unusable).",
    },
    "overview_quality": {
        "zh": "本期数据核查发现错误{error}条、警告{warning}条、提示{info}条。",
        "en": "Data checks found {error} errors, {warning} warnings and {info} notes.",
    },
    # --- table headings -----------------------------------------------------------------
    "col_rank": {"zh": "排名", "en": "Rank"},
    "col_unit": {"zh": "责任单位", "en": "Unit"},
    "col_name": {"zh": "项目名称", "en": "Project"},
    "col_project_id": {"zh": "项目编号", "en": "ID"},
    "col_category": {"zh": "类别", "en": "Category"},
    "col_leader": {"zh": "联系领导", "en": "Leader"},
    "col_projects": {"zh": "项目数", "en": "Projects"},
    "col_score": {"zh": "得分", "en": "Score"},
    "col_parts": {"zh": "分项完成比例", "en": "Parts achieved"},
    "col_investment": {"zh": "投资", "en": "Investment"},
    "col_starts": {"zh": "开工", "en": "Starts"},
    "col_milestones": {"zh": "节点", "en": "Milestones"},
    "col_reporting": {"zh": "报送", "en": "Reporting"},
    "col_annual_plan": {"zh": "年度计划", "en": "Annual plan"},
    "col_ytd_done": {"zh": "累计完成", "en": "Done this year"},
    "col_completion_rate": {"zh": "完成率", "en": "% of plan"},
    "col_time_progress": {"zh": "序时进度", "en": "Time progress"},
    "col_lag_pp": {"zh": "滞后（百分点）", "en": "Lag (pp)"},
    "col_light": {"zh": "亮灯", "en": "Light"},
    "col_light_reason": {"zh": "原因", "en": "Reason"},
    "col_total": {"zh": "合计", "en": "Total"},
    "amount_unit_wan": {"zh": "金额单位：万元", "en": "Amounts in 10,000 yuan"},
    "unit_wan_suffix": {"zh": "（万元）", "en": " (10,000 yuan)"},
    "units_note": {
        "zh": "注：得分满分100分：投资完成{investment}分、开工{starts}分、节点{milestones}分、"
              "报送{reporting}分；无可考核内容的项不计，其余按比例折算。各项为完成比例。",
        "en": "Note: score out of 100: investment {investment}, starts {starts}, milestones "
              "{milestones}, reporting {reporting}; a part with nothing to measure drops out "
              "and the others are scaled up. Parts are shown as shares achieved. G, Y, R: "
              "projects with a green, yellow, red light; NR: not reported.",
    },
    "projects_note": {
        "zh": "注：未排名项目（年度计划投资为0、未报送或数据不可用）列于表末。",
        "en": "Note: unranked projects (no annual plan, not reported or unusable value) are "
              "listed last.",
    },
    "lights_unit": {"zh": "单位：个", "en": "Number of projects"},
    "no_rows": {"zh": "（无）", "en": "(none)"},
    # --- trend (section 1) ----------------------------------------------------------------
    "trend_sentence": {
        "zh": "与上月相比，年度计划完成率提高{rate_change}个百分点，红灯项目{red_change}。",
        "en": "Since last month the completion rate rose by {rate_change} percentage points; "
              "red lights {red_change}.",
    },
    "trend_sentence_down": {
        "zh": "与上月相比，年度计划完成率下降{rate_change}个百分点，红灯项目{red_change}。",
        "en": "Since last month the completion rate fell by {rate_change} percentage points; "
              "red lights {red_change}.",
    },
    "red_more": {"zh": "增加{n}个", "en": "rose by {n}"},
    "red_fewer": {"zh": "减少{n}个", "en": "fell by {n}"},
    "red_same": {"zh": "持平", "en": "unchanged"},
    "col_period": {"zh": "月份", "en": "Month"},
    "month_short": {"zh": "{month}月", "en": "{month_abbr}"},
    "trend_caption": {"zh": "图{number}　年度计划完成率与序时进度（按月）",
                      "en": "Figure {number}. Completion rate and time progress by month"},
    "trend_lights_caption": {"zh": "图{number}　各月亮灯情况",
                             "en": "Figure {number}. Lights by month"},
    # --- categories (section 2) -----------------------------------------------------------
    "cat_new": {
        "zh": "新开工项目{n}个，应于本期末前开工{due}个，已开工{started}个，开工率{rate}；{overdue}",
        "en": "{n} new projects: {due} due to start by the period's end, {started} started, a "
              "start rate of {rate}; {overdue}",
    },
    "cat_new_overdue": {"zh": "{names}逾期未开工。", "en": "start overdue: {names}."},
    "cat_new_none_overdue": {"zh": "无逾期未开工项目。", "en": "no start is overdue."},
    "cat_new_unknown": {"zh": "另有{n}个应开工项目未报送，开工情况不明。",
                        "en": "{n} due to start did not report: whether they started is "
                              "not known."},
    "cat_continuing": {
        "zh": "续建项目{n}个，年度计划投资{plan}亿元，累计完成{done}亿元，完成率{rate}，{gap}。",
        "en": "{n} continuing projects: annual plan {plan} hundred million yuan, {done} done, "
              "{rate} of plan, {gap}.",
    },
    "cat_completing": {
        "zh": "竣工投产项目{n}个，已竣工{completed}个；{overdue}",
        "en": "{n} projects due for completion: {completed} completed; {overdue}",
    },
    "cat_completing_overdue": {"zh": "{names}逾期未竣工。", "en": "completion overdue: {names}."},
    "cat_completing_none_overdue": {"zh": "无逾期未竣工项目。",
                                    "en": "no completion is overdue."},
    "cat_preparatory": {
        "zh": "前期项目{n}个，截至本期末到期节点{due}个，按时完成{on_time}个，逾期未完成{overdue}个{names}。",
        "en": "{n} preparatory projects: {due} milestones due by the period's end, {on_time} done "
              "on time, {overdue} overdue{names}.",
    },
    "cat_preparatory_names": {"zh": "（{names}）", "en": " ({names})"},
    "cat_none": {"zh": "{category}项目：无。", "en": "{category} projects: none."},
    "name_join": {"zh": "、", "en": "; "},
    "quoted": {"zh": "{name}", "en": "{name}"},
    "col_gap_pp": {"zh": "与序时进度差（百分点）", "en": "Against schedule (pp)"},
    "col_month_done": {"zh": "本月完成", "en": "This month"},
    "categories_caption": {"zh": "图{number}　各类别项目年度计划完成率与序时进度",
                           "en": "Figure {number}. Completion rate and time progress by category"},
    "gap_note": {"zh": "注：完成率、序时进度按年度计划投资大于0的项目计算；与序时进度差为完成率"
                       "减序时进度，正数为超序时进度。",
                 "en": "Note: completion rate and time progress are over the projects with an "
                       "annual plan; against schedule = completion rate − time progress; "
                       "positive is ahead."},
    # --- lights (section 3) ---------------------------------------------------------------
    "lights_by_category": {"zh": "按项目类别", "en": "By category"},
    "lights_by_sector": {"zh": "按行业领域", "en": "By sector"},
    "col_sector": {"zh": "行业领域", "en": "Sector"},
    "sector_none": {"zh": "未分类", "en": "unspecified"},
    "lights_caption": {"zh": "图{number}　各类别项目亮灯情况",
                       "en": "Figure {number}. Lights by category"},
    "lights_rule": {
        "zh": "亮灯规则：完成率不低于序时进度亮绿灯，低于序时进度{red}个百分点以内亮黄灯，低于序时进度"
              "超过{red}个百分点亮红灯；逾期未开工、逾期未竣工亮红灯；未报送或数据不可用亮灰灯。",
        "en": "Lights: green at or ahead of time progress, yellow up to {red} percentage points "
              "behind, red beyond that and for an overdue start or completion; grey when not "
              "reported or unusable.",
    },
    "lights_rule_offset": {
        "zh": "亮灯规则：完成率低于序时进度{yellow}个百分点以内亮绿灯，{yellow}至{red}个百分点亮黄灯，超过"
              "{red}个百分点亮红灯；逾期未开工、逾期未竣工亮红灯；未报送或数据不可用亮灰灯。",
        "en": "Lights: green up to {yellow} percentage points behind time progress, yellow up to "
              "{red}, red beyond that and for an overdue start or completion; grey when not "
              "reported or unusable.",
    },
    "lights_rule_relative": {
        "zh": "亮灯规则：完成率不低于序时进度亮绿灯，不低于序时进度的{share}亮黄灯，低于亮红灯；"
              "逾期未开工、逾期未竣工亮红灯；未报送或数据不可用亮灰灯。",
        "en": "Lights: green at or ahead of time progress, yellow down to {share} of it, red "
              "below and for an overdue start or completion; grey when not reported or "
              "unusable.",
    },
    # --- units (section 4) ----------------------------------------------------------------
    "col_change": {"zh": "较上月", "en": "Change"},
    "group_heading": {"zh": "{group}", "en": "{group}"},
    "units_caption": {"zh": "图{number}　各责任单位年度计划完成率与序时进度",
                      "en": "Figure {number}. Completion rate and time progress by unit"},
    "units_summary": {
        "zh": "本期{count}个责任单位参加排名，得分前三位的是{top}；得分后三位的是{bottom}。",
        "en": "{count} units are ranked; the top three are {top}; the bottom three are {bottom}.",
    },
    "units_summary_short": {"zh": "本期{count}个责任单位参加排名。",
                            "en": "{count} units are ranked."},
    "score_points": {"zh": "{name}（{score}分）", "en": "{name} ({score})"},
    # --- lists (section 5) ----------------------------------------------------------------
    "red_list": {"zh": "红榜", "en": "Red list (commendation)"},
    "black_list": {"zh": "黑榜", "en": "Black list (accountability)"},
    "red_projects": {"zh": "红榜项目", "en": "Projects commended"},
    "red_units": {"zh": "红榜单位", "en": "Units commended"},
    "black_projects": {"zh": "黑榜项目", "en": "Projects on the black list"},
    "black_units": {"zh": "黑榜单位", "en": "Units on the black list"},
    "force_majeure": {"zh": "不可抗力申请", "en": "Force-majeure claims"},
    "col_number": {"zh": "序号", "en": "No."},
    "col_reason": {"zh": "上榜原因", "en": "Reason"},
    "col_escalation": {"zh": "督办措施", "en": "Follow-up"},
    "col_claim": {"zh": "申请理由", "en": "Reason given"},
    "col_status": {"zh": "认定情况", "en": "Status"},
    "fm_approved": {"zh": "已认定，不列入黑榜", "en": "approved: kept off the black list"},
    "fm_pending": {"zh": "待认定", "en": "awaiting the office's decision"},
    "lists_rule": {
        "zh": "注：红榜项目为亮绿灯且完成率不低于序时进度的前{red_projects}个项目；红榜单位为得分{min_score}分"
              "及以上的前{red_units}个单位。黑榜项目为亮红灯的项目（经认定的不可抗力除外），按连续红灯月数"
              "提醒、约谈、通报问责；黑榜单位为有项目未报送的单位和得分低于{below}分的后{black_units}个单位。",
        "en": "Note: the red list holds the best {red_projects} green projects at or ahead of "
              "schedule and the best {red_units} units scoring {min_score} or more. The black list "
              "holds every red project (approved force majeure excepted), followed up by "
              "consecutive red months: reminder, interview, accountability; and every unit with "
              "an unreported project, and the worst {black_units} units scoring below {below}.",
    },
    "ahead": {"zh": "超序时进度", "en": "ahead of schedule"},
    "top_score": {"zh": "得分居前", "en": "top score"},
    "score_below_60": {"zh": "得分偏低", "en": "low score"},
    "remind": {"zh": "提醒", "en": "reminder"},
    "interview": {"zh": "约谈", "en": "interview"},
    "accountability": {"zh": "通报问责", "en": "accountability"},
    # --- attraction (section 6) -----------------------------------------------------------
    "attraction_summary": {
        "zh": "全县招商引资项目{signed}个，合同引资额{contract}亿元，累计到位资金{funds}亿元；"
              "履约率{performance}，资金到位率{funds_rate}，开工率{start_rate}。",
        "en": "{signed} investment-promotion projects with contracts of {contract} hundred "
              "million yuan, {funds} in place: performance rate {performance}, funds rate "
              "{funds_rate}, start rate {start_rate}.",
    },
    "attraction_none": {"zh": "本期无招商引资项目。", "en": "No investment-promotion projects."},
    "county_scope": {"zh": "全县", "en": "County"},
    "col_signed": {"zh": "签约项目", "en": "Signed"},
    "col_performing": {"zh": "履约", "en": "Performing"},
    "col_started": {"zh": "开工", "en": "Started"},
    "col_contract": {"zh": "合同引资额", "en": "Contracts"},
    "col_funds": {"zh": "到位资金", "en": "Funds in place"},
    "col_performance_rate": {"zh": "履约率", "en": "Performance"},
    "col_funds_rate": {"zh": "资金到位率", "en": "Funds rate"},
    "col_start_rate": {"zh": "开工率", "en": "Start rate"},
    # --- problems (section 7) -------------------------------------------------------------
    "problems_summary": {
        "zh": "本期各单位反映需协调解决的问题{count}个，其中{by_type}。按联系领导分：{by_leader}。",
        "en": "Units reported {count} problems to unblock: {by_type}. By leader: {by_leader}.",
    },
    "problems_none": {"zh": "本期各单位未反映需协调解决的问题。",
                      "en": "No unit reported a problem to unblock."},
    "count_of": {"zh": "{name}{count}个", "en": "{name} {count}"},
    # a person's count: a name may end in a digit (领导08), so the count stands apart
    "count_of_name": {"zh": "{name}（{count}个）", "en": "{name} ({count})"},
    "col_problem": {"zh": "存在问题及需协调事项", "en": "Problem and request"},
    "col_months": {"zh": "持续月数", "en": "Months open"},
    "problem_group": {"zh": "{type}（{count}个）", "en": "{type} ({count})"},
    "land": {"zh": "征地拆迁", "en": "land acquisition"},
    "approval": {"zh": "用地审批", "en": "land-use approval"},
    "funding": {"zh": "资金筹措", "en": "funding"},
    "planning": {"zh": "规划许可", "en": "planning permit"},
    "environment": {"zh": "环评", "en": "environmental assessment"},
    "other": {"zh": "其他", "en": "other"},
    # --- next steps (section 8) -----------------------------------------------------------
    "next_steps_missing": {
        "zh": "（本期下步工作要求未填写：请在 keyproj.toml 的 [report] next_steps 中写明。）",
        "en": "(No next steps given: write them in keyproj.toml, [report] next_steps.)",
    },
    # --- annexes --------------------------------------------------------------------------
    "col_files": {"zh": "报送文件", "en": "Files"},
    "col_rows": {"zh": "数据行", "en": "Rows"},
    "col_used": {"zh": "采用", "en": "Used"},
    "col_duplicate": {"zh": "重复", "en": "Duplicate"},
    "col_rejected": {"zh": "未采用", "en": "Rejected"},
    "col_errors": {"zh": "错误", "en": "Errors"},
    "col_warnings": {"zh": "警告", "en": "Warnings"},
    "col_infos": {"zh": "提示", "en": "Notes"},
    "col_not_reported": {"zh": "未报项目", "en": "Not reported"},
    "col_code": {"zh": "问题", "en": "Problem"},
    "col_severity": {"zh": "级别", "en": "Severity"},
    "col_count": {"zh": "条数", "en": "Count"},
    "quality_summary": {
        "zh": "本期收到报表文件{files}个，读取数据行{rows}行，采用{used}行、重复{duplicate}行、"
              "未采用{rejected}行；发现错误{error}条、警告{warning}条、提示{info}条。",
        "en": "{files} files received, {rows} data rows read: {used} used, {duplicate} "
              "duplicate, {rejected} rejected; {error} errors, {warning} warnings, {info} notes.",
    },
    "quality_by_unit": {"zh": "按责任单位", "en": "By unit"},
    "quality_by_code": {"zh": "按问题类型", "en": "By problem"},
    "unit_unknown": {"zh": "（未能识别单位的文件）", "en": "(files of no known unit)"},
    "error": {"zh": "错误", "en": "error"},
    "warning": {"zh": "警告", "en": "warning"},
    "info": {"zh": "提示", "en": "note"},
    # --- finding codes (SPEC 5.2 and the README's additions) ------------------------------
    "code_missing_value": {"zh": "缺少必填数据", "en": "missing value"},
    "code_bad_number": {"zh": "数字填写有误", "en": "not a number"},
    "code_negative_amount": {"zh": "金额为负数", "en": "negative amount"},
    "code_bad_date": {"zh": "日期填写有误", "en": "not a date"},
    "code_future_date": {"zh": "日期晚于本期末", "en": "date in the future"},
    "code_ytd_exceeds_total": {"zh": "累计完成超过总投资", "en": "done exceeds total investment"},
    "code_ytd_mismatch": {"zh": "累计数与上月不衔接", "en": "year-to-date does not add up"},
    "code_ytd_decreased": {"zh": "累计数比上月减少", "en": "year-to-date went down"},
    "code_started_without_date": {"zh": "已开工未填开工时间", "en": "started without a date"},
    "code_unit_mismatch": {"zh": "报送了其他单位的项目", "en": "another unit's project"},
    "code_unknown_project": {"zh": "项目库中无此项目", "en": "project not in the register"},
    "code_not_reported": {"zh": "项目未报送", "en": "project not reported"},
    "code_duplicate_row": {"zh": "重复填报", "en": "duplicate row"},
    "code_conflicting_rows": {"zh": "同一项目数据冲突", "en": "conflicting rows"},
    "code_unreadable_file": {"zh": "文件无法读取", "en": "unreadable file"},
    "code_unsupported_file": {"zh": "文件格式不支持", "en": "unsupported file"},
    "code_no_header": {"zh": "找不到表头", "en": "no header row"},
    "code_amount_in_yuan": {"zh": "以元填报（已换算）", "en": "amount in yuan (converted)"},
    "code_amount_in_yi": {"zh": "以亿元填报（已换算）", "en": "amount in 亿元 (converted)"},
    "code_matched_by_name": {"zh": "按名称近似匹配", "en": "matched by a similar name"},
    "code_bad_flag": {"zh": "是/否项填写有误", "en": "not a yes/no"},
    "code_encrypted_file": {"zh": "文件已加密", "en": "password-protected file"},
    "code_file_too_large": {"zh": "文件过大", "en": "file too large"},
    "code_macros_present": {"zh": "含宏（未执行）", "en": "macros (ignored)"},
    "code_hidden_sheet_skipped": {"zh": "隐藏工作表未读取", "en": "hidden sheet skipped"},
    "code_unknown_unit": {"zh": "无法识别报送单位", "en": "unit not recognised"},
    "code_register_error": {"zh": "项目库有误", "en": "register error"},
    "code_duplicate_project": {"zh": "项目库编号重复", "en": "duplicate register id"},
    # --- unit feedback sheet --------------------------------------------------------------
    "unit_title": {"zh": "重点项目建设调度反馈单", "en": "Key projects: feedback to the unit"},
    "unit_title_county": {"zh": "{county}重点项目建设调度反馈单",
                          "en": "{county} key projects: feedback to the unit"},
    "unit_to": {"zh": "{unit}：", "en": "To {unit}:"},
    "unit_sec_score": {"zh": "得分与排名", "en": "Score and rank"},
    "unit_sec_projects": {"zh": "项目进展", "en": "Projects"},
    "unit_sec_findings": {"zh": "报表问题及修改方法", "en": "Problems in your sheet and how to fix them"},
    "unit_sec_todo": {"zh": "下月报送前须完成", "en": "To do before next month"},
    "unit_rank": {
        "zh": "本期你单位得分{score}分，在{count}个{scope}中排第{rank}名。",
        "en": "This period your unit scores {score} and ranks {rank} of {count} {scope}.",
    },
    "unit_rank_change": {"zh": "上月得分{score}分。", "en": "Last month: {score}."},
    "unit_scope_all": {"zh": "责任单位", "en": "units"},
    "unit_scope_group": {"zh": "{group}单位", "en": "units in {group}"},
    "unit_listed_red": {"zh": "你单位列入本期红榜。", "en": "Your unit is on this period's red list."},
    "unit_listed_black": {"zh": "你单位列入本期黑榜（{reasons}）。",
                          "en": "Your unit is on this period's black list ({reasons})."},
    "col_part": {"zh": "考核项", "en": "Part"},
    "col_weight": {"zh": "满分", "en": "Out of"},
    "col_achieved": {"zh": "完成比例", "en": "Achieved"},
    "col_points": {"zh": "得分", "en": "Points"},
    "col_basis": {"zh": "计算依据", "en": "Basis"},
    "basis_investment": {"zh": "累计完成{done}万元，按序时应完成{target}万元",
                         "en": "{done} done against {target} due by now (10,000 yuan)"},
    "basis_starts": {"zh": "应开工{due}个，已开工{started}个",
                     "en": "{started} of {due} due starts made"},
    "basis_milestones": {"zh": "到期节点{due}个，按时完成{on_time}个",
                         "en": "{on_time} of {due} due milestones on time"},
    "basis_reporting": {"zh": "报送项目{reported}/{projects}个，无错误数据行{clean}/{rows}行",
                        "en": "{reported} of {projects} projects reported, {clean} of {rows} "
                              "rows without error"},
    "basis_none": {"zh": "本期无考核内容，不计分", "en": "nothing to measure: not scored"},
    "col_total_score": {"zh": "合计", "en": "Total"},
    "col_place": {"zh": "位置", "en": "Where"},
    "col_what": {"zh": "问题", "en": "What is wrong"},
    "col_fix": {"zh": "修改方法", "en": "How to fix"},
    "findings_none": {"zh": "本期报表未发现问题。", "en": "No problems were found in your sheet."},
    "findings_file": {"zh": "文件：{file}", "en": "File: {file}"},
    "findings_project_level": {"zh": "项目层面问题", "en": "Problems of a project"},
    "findings_note": {
        "zh": "随附的“{marked}”已将原表中有问题的单元格标色并加批注，以上全部问题另列于其“{review}”"
              "工作表；请在原表上修改后于下月按时报送。",
        "en": "The attached “{marked}” colours and comments each cell of your sheet that has a "
              "problem, and lists all of the above on its “{review}” sheet: correct your sheet "
              "there and send it next month.",
    },
    "todo_overdue_start": {"zh": "{name}：计划{date}开工，逾期未开工，请尽快开工并报送实际开工时间。",
                           "en": "{name}: planned to start {date}; the start is overdue."},
    "todo_overdue_completion": {"zh": "{name}：计划{date}竣工，逾期未竣工，请加快收尾。",
                                "en": "{name}: planned for completion {date}; overdue."},
    "todo_milestone": {"zh": "{name}：“{milestone}”计划{date}完成，已逾期{days}天。",
                       "en": "{name}: “{milestone}” was due {date}, {days} days overdue."},
    "todo_not_reported": {"zh": "{name}：本期未报送，请下月一并补报。",
                          "en": "{name}: not reported this period; report it next month."},
    "todo_unusable": {"zh": "{name}：年度累计完成投资无法使用，请更正后报送。",
                      "en": "{name}: the year-to-date figure was unusable; correct it."},
    "todo_red": {"zh": "{name}：亮红灯（{reason}），督办措施：{escalation}，请制定赶超措施。",
                 "en": "{name}: red ({reason}); follow-up: {escalation}. Plan how to catch up."},
    "todo_none": {"zh": "本期无逾期事项，请继续按计划推进。",
                  "en": "Nothing is overdue; keep to the plan."},
    "unit_trend": {"zh": "历月得分：{scores}。", "en": "Scores by month: {scores}."},
    "month_score": {"zh": "{month}月{score}分", "en": "{month_abbr} {score}"},
    # --- leader coordination list ---------------------------------------------------------
    "leader_title": {"zh": "重点项目建设督办单", "en": "Key projects: coordination list"},
    "leader_title_county": {"zh": "{county}重点项目建设督办单",
                            "en": "{county} key projects: coordination list"},
    "leader_to": {"zh": "联系领导：{leader}", "en": "Liaison leader: {leader}"},
    "leader_sec_projects": {"zh": "联系项目", "en": "Projects"},
    "leader_sec_problems": {"zh": "待协调解决的问题", "en": "Problems to unblock"},
    "leader_summary": {
        "zh": "您联系的重点项目{n}个，亮绿灯{green}个、黄灯{yellow}个、红灯{red}个、灰灯（未报送或"
              "数据不可用）{grey}个；待协调解决的问题{problems}个。",
        "en": "You liaise {n} key projects: {green} green, {yellow} yellow, {red} red, {grey} grey "
              "(not reported or unusable); {problems} problems to unblock.",
    },
    "col_instruction": {"zh": "领导批示", "en": "Instructions"},
    "problems_none_leader": {"zh": "本期无待协调问题。", "en": "No open problems this period."},
    "leader_note": {"zh": "注：问题按持续时间排列，持续最久的在前。",
                    "en": "Note: oldest problems first."},
    # --- index ----------------------------------------------------------------------------
    "index_title": {"zh": "{period}调度成果", "en": "Outputs for {period}"},
    "index_bulletin": {"zh": "调度通报", "en": "County bulletin"},
    "index_units": {"zh": "责任单位反馈单", "en": "Unit feedback sheets"},
    "index_leaders": {"zh": "联系领导督办单", "en": "Leaders' coordination lists"},
    "index_ledger": {"zh": "调度台账", "en": "Ledger"},
    "index_data": {"zh": "数据文件", "en": "Data files"},
    "col_leader_name": {"zh": "联系领导", "en": "Leader"},
    "col_html": {"zh": "网页", "en": "Web page"},
    "col_pdf": {"zh": "PDF", "en": "PDF"},
    "col_marked": {"zh": "标注报表", "en": "Marked sheet"},
    "index_no_marked": {"zh": "未报送", "en": "no sheet"},
    "index_manifest": {"zh": "运行清单（manifest.json）", "en": "Run manifest (manifest.json)"},
    # --- ledger sheet names ---------------------------------------------------------------
    "sheet_projects": {"zh": "项目", "en": "projects"},
    "sheet_units": {"zh": "单位", "en": "units"},
    "sheet_findings": {"zh": "数据问题", "en": "findings"},
    "sheet_lists": {"zh": "红黑榜", "en": "lists"},
    "sheet_attraction": {"zh": "招商引资", "en": "attraction"},
    "sheet_coordination": {"zh": "协调事项", "en": "coordination"},
    "sheet_marks": {"zh": "核查意见", "en": "review"},
    "col_file": {"zh": "文件", "en": "File"},
    "col_sheet": {"zh": "工作表", "en": "Sheet"},
    "col_cell": {"zh": "单元格", "en": "Cell"},
    "col_row": {"zh": "行", "en": "Row"},
    "col_message": {"zh": "说明", "en": "Message"},
    "col_list": {"zh": "榜单", "en": "List"},
    "col_kind": {"zh": "对象", "en": "Kind"},
    "col_id": {"zh": "编号/名称", "en": "ID"},
    "col_scope": {"zh": "范围", "en": "Scope"},
    "col_total_investment": {"zh": "总投资", "en": "Total investment"},
    "col_progress_index": {"zh": "进度指数", "en": "Progress index"},
    "col_category_rank": {"zh": "类别内排名", "en": "Rank in category"},
    "col_reported": {"zh": "已报送", "en": "Reported"},
    "col_group": {"zh": "分组", "en": "Group"},
    "col_text": {"zh": "问题内容", "en": "Text"},
    "col_problem_type": {"zh": "问题类型", "en": "Problem type"},
    "col_physical_progress": {"zh": "形象进度", "en": "Physical progress"},
    "project": {"zh": "项目", "en": "project"},
    "unit": {"zh": "单位", "en": "unit"},
    "yes": {"zh": "是", "en": "yes"},
    "no": {"zh": "否", "en": "no"},
    "marked_intro": {
        "zh": "以下为县重点办对本表的核查意见；有问题的单元格已标色并加批注（红色为错误，黄色为警告，蓝色为提示）。",
        "en": "The office's review of this workbook; each cell with a problem is coloured and "
              "commented (red: error, yellow: warning, blue: note).",
    },
    "marked_other_file": {"zh": "（另一报送文件）", "en": " (another file)"},
}

_MONTHS_EN = ("January", "February", "March", "April", "May", "June", "July", "August",
              "September", "October", "November", "December")


def _check_lang(lang: str) -> None:
    if lang not in LANGS:
        raise ValueError(f"unknown language {lang!r}: use one of {', '.join(LANGS)}")


def label(key: str, lang: str) -> str:
    """Return the label for ``key`` in ``lang`` ("zh" or "en")."""
    _check_lang(lang)
    try:
        return LABELS[key][lang]
    except KeyError:
        raise KeyError(f"no label {key!r}: add it to pipeline/render/labels.py") from None


def labels(lang: str) -> Mapping[str, str]:
    """All labels in ``lang``, read-only, for templates (``t.col_unit``)."""
    _check_lang(lang)
    return MappingProxyType({key: entry[lang] for key, entry in LABELS.items()})


def month_name(month: int) -> str:
    """English month name (1 = January)."""
    return _MONTHS_EN[month - 1]


def label_or(key: str, lang: str, default: str) -> str:
    """The label for ``key``, or ``default`` when the table has none (a new finding code)."""
    _check_lang(lang)
    entry = LABELS.get(key)
    return entry[lang] if entry else default


def month_label(month: int, lang: str) -> str:
    """A month as a chart or table shows it: 11月 / Nov."""
    return label("month_short", lang).format(month=month, month_abbr=month_name(month)[:3])
