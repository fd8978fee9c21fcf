"""The page's words in English and Chinese (``?lang=zh`` / ``?lang=en`` in the link).

The labels of levers and outcomes are declared beside the English ones: a lever's Chinese
meaning is its ``zh=`` in :mod:`sim.params` (units: :data:`UNITS_ZH` here), an outcome's is
:data:`sim.catalog.LABEL_ZH`. This module holds the page's own sentences, the units, the
sections and the scenario descriptions in Chinese (keyed by the file's stem in
``scenarios/``; tests/test_app.py checks every scenario file and lever has its Chinese).
The messages of the checks (the schema's, the uploads', the session's) are translated by
their patterns (:func:`message`), keeping key names, values and file names.

Why one long module: every word the page shows in Chinese is here or declared beside its
English (levers, outcomes); the length is the translations.
"""

from __future__ import annotations

import re

from .. import catalog

LANGS = ("en", "zh")
LANG_NAMES = {"en": "English", "zh": "中文"}

# the page's sentences: key -> (English, Chinese); {name} fields are filled by t()
TEXT = {
    "title": ("cogov: co-governance of urban communities", "cogov：城市社区共治模拟"),
    "heading": ("Co-governance of an urban community, simulated", "城市社区共治模拟"),
    "intro": (
        "An agent-based model of a Chinese urban community (社区共治): residents, the residents' "
        "committee, grid workers, party members, social organizations and mediators, day by day. "
        "Choose a scenario or change the levers of reform, press Reset, then Step or Run and "
        "watch participation, disputes, needs and spending. Day 0 is a settled community: every "
        "model first runs {spin:,} days (the spin-up) with the baseline's levers, so that "
        "day 0 is not an empty start; the scenario's levers act from day 0.{spinup}",
        "一个中国城市社区的多主体模型（社区共治）：居民、居委会、网格员、党员、社会组织和调解员，"
        "逐日模拟。选择一个场景或调整改革杠杆，点击“重置”，再“单步”或“运行”，观察参与、纠纷、"
        "需求和支出的变化。第0天是一个已稳定的社区：每个模型先以基线的杠杆运行{spin:,}天（预热），"
        "所以第0天并不是空白的起点；场景的杠杆从第0天起生效。{spinup}"),
    "intro_spinup": (" The charts show the spin-up's last year before day 0 (grey band).",
                     "图表在第0天之前（灰色区域）显示预热的最后一年。"),
    "language": ("language", "语言"),
    "scenario": ("scenario", "场景"),
    "compare": ("compare with (B: same seed, population and run settings)",
                "对比场景（B：相同的随机种子、人口和运行设置）"),
    "none": ("(none)", "（无）"),
    "seed": ("seed", "随机种子"),
    "communities": ("communities", "社区数"),
    "residents": ("residents per community", "每个社区的居民数"),
    "levers": ("<b>Levers</b> (each bounded by its plausible range)",
               "<b>改革杠杆</b>（每项限于其合理范围）"),
    "upload": ("upload a scenario (YAML, at most 64 KB)", "上传场景（YAML，最多64 KB）"),
    "upload_box": ("scenario YAML (extends: may name a file of scenarios/)",
                   "场景 YAML（extends: 可指定 scenarios/ 中的文件）"),
    "use_upload": ("Use this scenario", "使用此场景"),
    "changes": ("{n} change(s) take effect at Reset: ", "{n} 项修改将在重置时生效："),
    "day": ("Day {day}", "第 {day} 天"),
    "step": ("Step", "单步"),
    "play": ("Play", "播放"),
    "pause": ("Pause", "暂停"),
    "speed": ("speed", "速度"),
    "run_to": ("run to day", "运行到第几天"),
    "run": ("Run", "运行"),
    "reset": ("Reset (apply changes)", "重置（应用修改）"),
    "reset_estimate": ("a Reset takes {s} here", "在此服务器上重置需{s}"),
    "uploaded": ("uploaded scenario", "上传的场景"),
    "setup_line": ("{who}{vs}, seed {seed}, {n:,} residents", "{who}{vs}，随机种子 {seed}，{n:,} 名居民"),
    "changed": (", changed: ", "，已修改："),
    "headline": ("Headline numbers at day {day}", "第 {day} 天的主要结果"),
    "headline_ab": ("Headline numbers (A; B and A - B below each) at day {day}",
                    "第 {day} 天的主要结果（A；每项下方为 B 和 A - B）"),
    "over_time": ("Over time", "随时间变化"),
    "shown": ("days shown (zoom)", "显示的天数（缩放）"),
    "span_all": ("all", "全部"),
    "span_days": ("last {n} days", "最近 {n} 天"),
    "hover_hint": ("hover a chart for the day's values", "鼠标悬停在图表上可查看当天的数值"),
    "reps_n": ("replications ({lo}-{hi})", "重复次数（{lo}-{hi}）"),
    "reps_days": ("days per replication (1-{hi:,})", "每次重复的天数（1-{hi:,}）"),
    "reps_run": ("Run replications", "运行重复实验"),
    "reps_cancel": ("Cancel replications", "取消重复实验"),
    "reps_none": ("Choose a scenario to compare with (B) to run paired replications of A and B.",
                  "选择对比场景（B）后可运行 A 与 B 的配对重复实验。"),
    "resident": ("resident (0-{hi:,})", "居民编号（0-{hi:,}）"),
    "diff_head": ("Difference A - B (same seed: common random numbers)",
                  "差异 A - B（相同种子：共同随机数）"),
    "identical": ("identical: every difference is exactly zero", "完全相同：每个差异都恰好为零"),
    "by_group": ("took part in the last year, by group (%)", "过去一年参与过，按群体（%）"),
    "day_axis": ("day (before 0: the spin-up's last year)", "天（0之前：预热的最后一年）"),
    "spinup": ("spin-up", "预热"),
    "day_word": ("day", "天"),
    "spinning": ("Reset: spinning up {d:,} days{years} before day 0 at {n:,} residents{each}; "
                 "{est}. The page shows day 0 when it is done.",
                 "重置：在第0天之前以 {n:,} 名居民{each}预热 {d:,} 天{years}，需 {est}。完成后页面显示第0天。"),
    "building": ("Reset: building {n:,} residents; {est}.", "重置：正在生成 {n:,} 名居民，需 {est}。"),
    "each_side": (" on each side", "（每侧）"),
    "years": (" ({y:.1f} years)", "（{y:.1f} 年）"),
    "seconds": ("about {s:.0f} s", "约 {s:.0f} 秒"),
    "under_second": ("under a second", "不到1秒"),
    "replications": ("Replications (the paired comparison of <code>cogov compare</code>)",
                     "重复实验（<code>cogov compare</code> 的配对比较）"),
    "network": ("Network", "网络"),
    "show_network": ("show the network (grid level and one resident's ties)",
                     "显示网络（网格层面和一名居民的关系）"),
    "share": ("Download and share", "下载和分享"),
    "link": ("Link to this state: ", "此状态的链接："),
    "switch_title": ("Drop your changes?", "放弃修改？"),
    "switch_body": ("Switching to {name} drops the {n} change(s) not yet applied: {changes}",
                    "切换到 {name} 会放弃尚未应用的 {n} 项修改：{changes}"),
    "switch_ok": ("Switch and drop them", "切换并放弃"),
    "switch_cancel": ("Keep my changes", "保留修改"),
    # messages
    "not_number": ("{what}: {value!r} is not a number", "{what}：{value!r} 不是数字"),
    "not_finite": ("{what}: must be a finite number, got {value!r}", "{what}：必须是有限的数字，输入为 {value!r}"),
    "not_whole": ("{what}: must be a whole number, got {value!r}", "{what}：必须是整数，输入为 {value!r}"),
    "outside": ("{what}: {value} is outside {lo}-{hi} {unit}", "{what}：{value} 超出范围 {lo}-{hi} {unit}"),
    "population": ("population: {n} residents; the app runs 1 to {max:,} "
                   "(communities x residents per community)",
                   "人口：{n} 名居民；本应用支持 1 至 {max:,} 名（社区数 x 每个社区的居民数）"),
    "seed_range": ("seed: a whole number from 0 to {max:,}", "随机种子：0 至 {max:,} 的整数"),
    "day_range": ("run to day: between 0 and {max:,}", "运行到第几天：0 至 {max:,}"),
    "reps_range": ("{what}: between {lo:,} and {hi:,}", "{what}：{lo:,} 至 {hi:,}"),
    "ego_range": ("resident: between 0 and {max:,}", "居民编号：0 至 {max:,}"),
    "bad_link": ("The link could not be used: {error}\nShowing the baseline scenario instead.",
                 "链接无法使用：{error}\n改为显示基线场景。"),
    "input_error": ("{error}", "输入有误：{error}"),
    "failed": ("Reset failed: {error}", "重置失败：{error}"),
    "budget": ("this session has used its {s:g} s of model time (every Reset with its spin-up, "
               "Step, Run and replication counts); reload the page for a new session",
               "本会话已用完 {s:g} 秒的模型时间（每次重置及其预热、单步、运行和重复实验都计入）；"
               "请刷新页面开始新会话"),
    "busy_title": ("cogov: server busy", "cogov：服务器繁忙"),
    "vs": (" vs {name} (B)", "，对比 {name}（B）"),
    "speed_days": ("{n} days/s", "每秒 {n} 天"),
    "speed_max": ("as fast as possible", "尽可能快"),
    "na": ("n/a", "无数据"),
    "pts": ("pts", "个百分点"),
    "reps_note": ("Replication i of both sides uses seed {seed} + i (the page's seed is the root); "
                  "each run spins up {spin:,} days before day 0.",
                  "两侧的第 i 次重复使用随机种子 {seed} + i（页面的种子是起点）；每次运行在第0天之前预热 {spin:,} 天。"),
    "reps_progress": ("running in the background: {done} of {total} replications done ({s:.0f} s)",
                      "正在后台运行：已完成 {done}/{total} 次重复（{s:.0f} 秒）"),
    "reps_failed": ("replications failed: {error}", "重复实验失败：{error}"),
    "reps_done": ("{reps} paired replications of {days:,} days in {s:.1f} s; differences are A - B "
                  "with 95% t-intervals over the pairs.",
                  "{reps} 次配对重复，每次 {days:,} 天，用时 {s:.1f} 秒；差异为 A - B，附配对的95% t 区间。"),
    "reps_stopped": ("replications stopped: this session has used its {s:g} s of model time",
                     "重复实验已停止：本会话已用完 {s:g} 秒的模型时间"),
    "reps_outcome": ("outcome", "结果"),
    "reps_effect": ("A - B, 95% interval (* excludes 0)", "A - B，95% 区间（* 表示不含0）"),
    "reps_cases": ("{label}, {b:,.0f} / {a:,.0f} cases", "{label}，{b:,.0f} / {a:,.0f} 件"),
    "no_link": ("an uploaded scenario has no link; download its YAML instead",
                "上传的场景没有链接；请改为下载其 YAML"),
    "cost_na": ("n/a", "无数据"),
    "cost_no_extra": ("n/a: no extra on average", "无：平均没有增加"),
    "cost_zero": ("n/a: the effect's interval holds zero", "无：效果的区间包含零"),
    # the network views
    "net_community": ("community {c}", "社区 {c}"),
    "net_grid_tip": ("community {c}, grid {g}: {n:,} residents, {p:.0f}% took part in the last year",
                     "社区 {c}，网格 {g}：{n:,} 名居民，{p:.0f}% 在过去一年参与过"),
    "net_summary": ("{g} grids, {c} communities; size: residents; red: ties across communities",
                    "{g} 个网格，{c} 个社区；大小：居民数；红线：跨社区的关系"),
    "net_colour": ("fill: share who took part in the last year (white 0%, blue 100%)",
                   "填充：过去一年参与过的比例（白色 0%，蓝色 100%）"),
    "net_types": ("panel and rim: community type", "面板和圆圈边框：社区类型"),
    "ego_tip": ("resident {v}{chosen}: age {age}, {origin}, {party}, {orgs} organization memberships; "
                "acts since the start: {acts}",
                "居民 {v}{chosen}：年龄 {age}，{origin}，{party}，参加 {orgs} 个组织；开始以来的参与：{acts}"),
    "ego_chosen": (" (chosen)", "（所选）"),
    "ego_migrant": ("migrant", "流动人口"),
    "ego_local": ("local", "本地居民"),
    "ego_party": ("party member", "党员"),
    "ego_nonparty": ("not a party member", "非党员"),
    "ego_summary": ("resident {ego}: {ties} ties, {n} residents within 2 steps{capped}; blue took "
                    "part in the last year",
                    "居民 {ego}：{ties} 个关系，2步以内 {n} 名居民{capped}；蓝色：过去一年参与过"),
    "ego_capped": (" (capped)", "（已截断）"),
    "solara_badge": ("This website runs on Solara", "本网站基于 Solara 运行"),
    "busy": ("Server busy: the most visitors this server serves at once are using it. "
             "Please try again in a few minutes.",
             "服务器繁忙：同时访问的人数已达上限，请几分钟后再试。"),
}

UNITS_ZH = {
    "staff per 10,000 residents": "人/万居民", "yuan/community/year": "元/社区/年", "share": "比例",
    "items": "项", "switch": "开关", "plaques": "块", "inspections": "次/月", "households": "户",
    "workers": "人", "households/day": "户/天", "contests": "次/年", "projects": "个",
    "yuan": "元", "rule": "规则", "yuan/item/year": "元/项/年", "need types": "需求类型",
    "organizations/year": "个/年", "workers/community": "人/社区", "hours/month": "小时/月",
    "meetings/year": "次/年", "format": "形式", "hours/week": "小时/周", "days/week": "天/周",
    "mediators/1,000 residents": "人/千居民",
}

SECTIONS_ZH = {
    "committee": "居委会", "grid": "网格", "grants": "公益微创投", "purchased_services": "政府购买服务",
    "incubation": "组织孵化", "party": "党建", "deliberation": "议事协商", "legal": "法治与调解",
    "transparency": "公开透明", "moral": "德治", "smart": "智慧治理",
}

# scenario file stem -> (name, description) in Chinese
SCENARIOS_ZH = {
    "baseline": ("基线", "改革前的一个约5,000名成年人的老城区社区：居委会承担200余项下沉事项和70余块挂牌，"
                 "社会组织少，没有公益微创投，没有政府购买服务，回社区报到的在职党员少，每年议事两次，每周一天有民警。"),
    "doc000_chengdu_wuhou": ("成都武侯", "成都“一核多元”共治：武侯区把下沉到社区的全部139项政府服务事项通过购买服务交给社会组织，"
                             "由专职社工承接，从而减轻居委会负担；党务、居务、财务公开；居民代表每年六月评议党员；"
                             "院落举手会议事；律师进社区；多级孵化平台。"),
    "doc001_shenzhen_shatou": ("深圳沙头", "沙头街道在两个社区（金地和天安，合计约12,000名居民）的标准化试点。"
                               "三张清单共141项社区事项：党建28项、居务52项、政务61项；工作站承接政务，"
                               "清单上的政务事项即居委会的下沉事项，新增事项须列入清单。50家专业组织组成的服务联盟可供孵化、培育、引进和购买。"),
    "doc002_provincial_guideline": ("省级指导意见", "把指导意见的规则用于基线社区：职责清单管理、费随事转，只保留三块牌子，"
                                    "减少检查、推行电子台账，在职党员回社区报到，备案代替登记，枢纽型组织和政府购买服务。"
                                    "文件只给规则不给数字：标为A的数量是我们的假设。"),
    "doc003_jiayuguan": ("嘉峪关", "嘉峪关在两个试点社区的改革：下沉事项由200余项减至97项，挂牌由70余块减至27块，实行准入审核；"
                         "每个网格300户；一名民警和两名辅警每周至少3天在社区；律师进社区；调解矛盾不过夜；"
                         "每万人不少于18名工作人员、办公经费20万元；议事至少每季度一次；至少3个购买服务项目；"
                         "在职党员双报到和评议；评优表彰和晚间开放；小程序和线上调解。"),
    "doc004_chaoyangmen": ("朝阳门", "朝阳门“多元参与、协商共治”：每月居民代表会议，采用开放空间和工作坊形式；"
                           "物业费与每月满意度测评挂钩；两次公益微创投共资助26个项目，每个1,000-10,000元，并有项目书培训；"
                           "街道创新中心和“1+9+N”孵化计划；三社联动项目（社工）。"),
    "five_governance": ("五治融合", "嘉峪关“五治融合”作为一个整体用于基线社区。政治：在职党员双报到和评议。"
                        "法治：民警每周三天、律师进社区、线上调解。德治：评优表彰和晚间开放。"
                        "自治：下沉事项97项、挂牌27块并准入审核，每万人18名工作人员和20万元办公经费，每季度议事，三个购买服务项目，每网格300户。"
                        "智治：小程序下单。"),
    "lever_deliberation": ("杠杆：议事协商", "每月召开居民代表议事会（朝阳门），代替每年两次，采用通知全社区的开放空间形式，多数决。"
                           "会议室有80个座位：代表优先，其次是常来的居民，所以十二次会议覆盖约10%的成年人；"
                           "第一年在5,000名成年人时年度参与率提高3.7个百分点 [3.3, 4.2]（2,000人时3.3，15,000人时4.2；docs/VALIDATION.md 第3节）。"),
    "lever_double_registration": ("杠杆：党员双报到", "大多数在职党员回居住社区报到服务（80%报到，每月4小时），"
                                  "居民代表每年六月评议党员；评议在后一半的党员会加大投入。服务的党员邀请他们的熟人参与。"),
    "lever_duty_reduction": ("杠杆：减负", "嘉峪关减负后的基线社区：下沉事项由200余项减至97项，挂牌由70余块减至27块，"
                             "新增事项只能经清单并随经费进入（准入审核），所以不会反弹。腾出的居委会时间用于自治工作"
                             "（派单、服务需求、议事、支持组织）。"),
    "lever_grants": ("杠杆：公益微创投", "在基线上增加朝阳门的公益微创投：每年两次大赛，每次在街道各社区资助13个项目"
                     "（5,000名成年人的社区按户数比例得2个），每个项目1,000-10,000元，并为居民骨干提供项目书培训。"
                     "获资助的骨干成立组织；获资助的组织在项目期间开展更多活动、吸纳更多成员。"
                     "第一年年度参与率：5,000人时提高1.0个百分点 [0.6, 1.3]，15,000人时0.7 [0.5, 0.9]；"
                     "2,000人时每次大赛只有1个项目，提高0.8个百分点 [0.3, 1.3]（docs/VALIDATION.md 第3节）。"),
    "lever_grid": ("杠杆：网格", "每个300户的网格（嘉峪关标准）配两名专职网格员，代替半名；网格员走访住户，"
                   "发现的需求和纠纷会被报告。纠纷更早被发现：化解天数中位数减少0.81天，发生当天化解提高2.6个百分点；"
                   "化解率的变化分辨不出（+1.0个百分点 [-1.2, 2.9]）。"),
    "lever_incubation": ("杠杆：组织孵化", "枢纽型组织围绕有意愿的居民孵化组织，组织可以备案代替登记（成立门槛更低），"
                         "并为社区组织配两名社工（服务更多需求、留住成员、帮助骨干成立组织）。"),
    "lever_legal_mediation": ("杠杆：法治与调解", "社区民警和两名辅警每周至少三天在社区（嘉峪关），社区律师/专职调解员每周8小时"
                              "（律师进社区），居委会坚持调解矛盾不过夜（当天报告的纠纷当天由有能力的社区渠道调解，ODD 7.9）。"
                              "在5,000名成年人、8次两年的配对重复时：化解率提高1.5个百分点（84.8%到86.2%），上交街道减少4.6个百分点，"
                              "报告当天化解提高18.4个百分点（40%到58%）。2,000名成年人的社区一年只调解约16起纠纷，"
                              "第一年在10次配对中每次化解的都是同样的纠纷（+0.0个百分点：杠杆改变的是在哪里化解、多快化解，上交更少，而不是能否化解）；"
                              "5,000人时10次配对为+1.2 [-0.4, 2.8]，区间比效果还宽。"),
    "lever_moral": ("杠杆：德治", "志愿者评优表彰（参与不易疲倦），文体设施下班后开放，让在职成年人有可用的空闲时间。"),
    "lever_purchased_services": ("杠杆：政府购买服务", "政府把服务项目委托给社会组织：六个项目（嘉峪关每年至少三个新项目的两倍），"
                                 "每个3万元，轮流用于养老、环境物业、法律和文化服务。承接的组织服务相应需求，"
                                 "等待居委会或部门的需求更少，每个项目也减轻居委会的部分下沉工作。"),
    "lever_smart": ("杠杆：智慧治理", "居民通过小程序下单（报告更容易，居委会派单更省），纠纷可以先到线上调解平台"
                    "（家庭和群体纠纷除外；延迟一天、容量大、志愿调解员的水平）。在5,000名成年人、8次两年的配对重复时："
                    "化解天数中位数减少1.12天，发生当天化解提高3.7个百分点，化解率提高3.4个百分点（84.8%到88.2%）；上交和报告当天化解（-3.8个百分点）的变化分辨不出。"),
    "lever_staffing_funding": ("杠杆：人员和经费", "嘉峪关的改革标准：每万名居民至少18名居委会专职工作人员，每个社区办公经费至少20万元"
                               "（部分用于支持社区组织）。工作人员随居委会的工作量配置（ODD 7.15）：每万人18名让每个居委会的人员是基线的1.5倍，"
                               "5,000名成年人时9人，2,000名时4.7人（基线3.1人）。"),
    "lever_transparency": ("杠杆：公开透明", "每月公开党务、居务和财务（成都“三公开一监督”），物业费仅在每月满意度测评合格时全额支付"
                           "（朝阳门），提高环境和物业服务的成功率。主要结果是平均信任：5,000名成年人时第一年提高0.046，"
                           "并持续上升三年（docs/VALIDATION.md 第3、4节）。"),
}


ACTS_ZH = {"meeting": "会议", "volunteering": "志愿服务", "organization": "组织活动",
           "evaluation": "评议"}


def t(key: str, lang: str, **fields) -> str:
    """The page's sentence ``key`` in ``lang`` (English where ``lang`` is unknown)."""
    en, zh = TEXT[key]
    return (zh if lang == "zh" else en).format(**fields)


def unit(text: str, lang: str) -> str:
    return UNITS_ZH.get(text, text) if lang == "zh" else text


def section(name: str, lang: str) -> str:
    return SECTIONS_ZH.get(name, name) if lang == "zh" else name.replace("_", " ")


def outcome_label(name: str, lang: str) -> str:
    o = catalog.OUTCOMES.get(name)
    if o is None:
        return name
    return (o.zh or o.label) if lang == "zh" else o.label


def outcome_axis(name: str, lang: str) -> str:
    """The label with its unit, for an axis or a tile."""
    o = catalog.OUTCOMES.get(name)
    if o is None:
        return name
    if lang != "zh":
        return o.axis_label
    u = o.unit or catalog.UNIT_OF_KIND[o.kind]
    u = {"yuan": "元", "days": "天", "hours": "小时"}.get(u, u)
    label = o.zh or o.label
    return f"{label}（{u}）" if u and u not in label else label


def scenario(stem: str, english: tuple[str, str], lang: str) -> tuple[str, str]:
    """(name, description) of a scenario file in ``lang``."""
    return SCENARIOS_ZH.get(stem, english) if lang == "zh" else english


def forest_words(lang: str) -> dict | None:
    """The words of the replications' forest plot in ``lang`` (sim.study.compare.plot_forest);
    None: its own English."""
    if lang != "zh":
        return None
    return {"labels": {k: o.zh for k, o in catalog.OUTCOMES.items() if o.zh},
            "units": {"percentage points": "百分点", "yuan": "元", "days": "天", "hours": "小时",
                      "count": "个数"},
            "xlabel": "与 {base} 的差异（{unit}）",
            "title": "与 {base} 的配对差异：配对重复的均值和95%置信区间",
            "effect": {" pp": " 个百分点", "n/a": "无数据"}}


def outcome_meaning(name: str, lang: str) -> str:
    """An outcome's definition (a headline tile's hover), from the catalog."""
    o = catalog.OUTCOMES.get(name)
    if o is None:
        return name
    return (o.meaning_zh or o.meaning) if lang == "zh" else o.meaning


# ------------------------------------------------------------------------ messages
# The checks of the schema, the uploads and the session speak English (the command line's
# words); on the page in Chinese each message is translated by its pattern, keeping the
# key names, the values typed and the file names as they are.
_TYPES_ZH = {"float": "数字", "int": "整数", "bool": "开关（true 或 false）", "str": "文本",
             "dict": "映射", "list": "列表", "number": "数字", "integer": "整数",
             "boolean": "开关（true 或 false）", "string": "文本", "dictionary": "映射"}
def _type(name: str) -> str:
    """A type's name in Chinese (a choice: its options)."""
    m = re.match(r"(?:list\[)?Literal\[(.*)\]\]?$", name)
    if m:
        return ("选项列表：" if name.startswith("list") else "选项之一：") + m[1]
    return _TYPES_ZH.get(name, name)


_ORIGINS = ((r"uploaded scenario with changes", "上传的场景（含修改）"),
            (r"uploaded scenario", "上传的场景"), (r"scenario upload", "上传的场景"),
            (r"scenario ([\w-]+)", r"场景 \1"))
_PATTERNS = [
    (r"^(\s*)(.+?): invalid scenario$", r"\1\2：场景无效"),
    (r"unknown key; did you mean (.+?)\? Valid keys here: (.+)$",
     lambda m: f"未知的键；是否想写 {m[1].replace(' or ', ' 或 ')}？此处有效的键：{m[2]}"),
    (r"unknown key; '([\w.]+)' is a key of section ([\w. ]+?)\. Valid keys here: (.+)$",
     r"未知的键；'\1' 是 \2 部分的键。此处有效的键：\3"),
    (r"unknown key\. Valid keys here: (.+)$", r"未知的键。此处有效的键：\1"),
    (r"must be a mapping \(a section\), got (.+)$", r"必须是一个映射（一个部分），输入为 \1"),
    (r"must be a mapping of key: value, got (.+)$", r"必须是键值映射，输入为 \1"),
    (r"Input should be greater than or equal to ([\w.+-]+)", r"应大于或等于 \1"),
    (r"Input should be greater than ([\w.+-]+)", r"应大于 \1"),
    (r"Input should be less than or equal to ([\w.+-]+)", r"应小于或等于 \1"),
    (r"Input should be less than ([\w.+-]+)", r"应小于 \1"),
    (r"Input should be a finite number", "应为有限的数字"),
    (r"Input should be a valid (\w+), unable to parse string as an? \w+",
     lambda m: f"应为{_type(m[1])}，无法把文本读作{_type(m[1])}"),
    (r"Input should be a valid (\w+), got a number with a fractional part",
     lambda m: f"应为{_type(m[1])}，输入有小数部分"),
    (r"Input should be a valid (\w+), unable to interpret input", lambda m: f"应为{_type(m[1])}，无法读出输入"),
    (r"Input should be a valid (\w+)", lambda m: f"应为{_type(m[1])}"),
    (r"Input should be (.+?)(?=; got)", lambda m: f"应为 {m[1].replace(' or ', '、')} 之一"),
    (r"Field required", "缺少此项"),
    (r"must not exceed (\w+)", r"不得超过 \1"),
    (r"([\w.]+) must not be empty", r"\1 不得为空"),
    (r"([\w.]+) must have (\d+) entries \(like the default.*?\)", r"\1 必须有 \2 项（与默认值相同）"),
    (r"([\w.]+) entries must be between (\S+) and (\S+), got", r"\1 的各项必须在 \2 至 \3 之间，输入为"),
    (r" \(default\)", "（默认值）"),
    (r"; got ", "；输入为 "),
    (r"\. Allowed: (.+)$", lambda m: "。允许：" + _allowed_zh(m[1])),
    (r"not valid YAML at line (\d+), column (\d+): .*$", r"不是有效的 YAML（第 \1 行第 \2 列）"),
    (r"not valid YAML.*$", "不是有效的 YAML"),
    (r"empty \(or only comments\); a scenario needs at least one key, e\.g\. (`.*`)$",
     r"为空（或只有注释）；场景至少需要一个键，例如 \1"),
    (r"the top level must be a mapping of sections, got (\w+)$",
     lambda m: f"顶层必须是各部分的映射，输入为{_type(m[1])}"),
    (r"'extends' may only name a file of scenarios/ \((.*)\), got (.+)$",
     r"'extends' 只能指定 scenarios/ 中的文件（\1），输入为 \2"),
    (r"more than ([\d,]+) bytes$", r"超过 \1 字节"),
    (r"([\d,]+) bytes; at most ([\d,]+) are accepted$", r"\1 字节；最多接受 \2 字节"),
    (r"not UTF-8 text$", "不是 UTF-8 文本"),
    (r"nested too deeply$", "嵌套太深"),
    (r"([\d,]+) residents \(population\.n_communities x population\.residents_per_community\); "
     r"the app runs at most ([\d,]+)\. Run larger populations with (`cogov run`)\.",
     r"\1 名居民（population.n_communities x population.residents_per_community）；本应用最多运行 \2 名。"
     r"更大的人口请用 \3 运行。"),
    (r"unknown scenario (.+?); choose one of: (.+)$", r"未知的场景 \1；可选：\2"),
    (r"^link: unknown query key (.+?); allowed: (.+)$", r"链接：未知的查询键 \1；允许：\2"),
    (r"^link: (.+?) is given more than once$", r"链接：\1 出现了不止一次"),
    (r"^link: the query is too long$", "链接：查询太长"),
    (r"^link: (\w+) must be a whole number, got (.+)$", r"链接：\1 必须是整数，输入为 \2"),
    (r"^link: (\w+) must be between ([\d,]+) and ([\d,]+), got (.+)$", r"链接：\1 必须在 \2 至 \3 之间，输入为 \4"),
    (r"^seed: a whole number from 0 to ([\d,]+), got (.+)$", r"随机种子：0 至 \1 的整数，输入为 \2"),
    (r"^this session has used its (\S+) s of model time.*$",
     lambda m: TEXT["budget"][1].format(s=float(m[1]))),
    (r"^replications: choose a scenario to compare with \(B\) first$", "重复实验：请先选择对比场景（B）"),
    (r"^replications: between (\d+) and (\d+), got (.+)$", r"重复次数：\1 至 \2，输入为 \3"),
    (r"^days per replication: between 1 and ([\d,]+), got (.+)$", r"每次重复的天数：1 至 \1，输入为 \2"),
    (r"^an uploaded scenario has no link; download its YAML instead$", TEXT["no_link"][1]),
]
_COMPILED = [(re.compile(p), r) for p, r in _PATTERNS]


def _allowed_zh(text: str) -> str:
    """'type float, >= 0, unit: yuan (meaning)' in Chinese: the type and unit by name, the
    meaning as the lever's ``zh`` (or left out: the key names it)."""
    meaning = ""
    m = re.match(r"(.*?) \((.*)\)$", text)
    if m:
        text, meaning = m[1], _MEANINGS_ZH().get(m[2], "")
    bits = []
    for bit in re.split(r", (?![^\[]*\])", text):  # not inside Literal[...]
        if bit.startswith("type "):
            bits.append("类型：" + _type(bit[5:]))
        elif bit.startswith("unit: "):
            bits.append("单位：" + UNITS_ZH.get(bit[6:], _UNITS_MORE_ZH.get(bit[6:], bit[6:])))
        elif bit.startswith("keys: "):
            bits.append("键：" + bit[6:])
        else:
            bits.append(bit)
    return "，".join(bits) + (f"（{meaning}）" if meaning else "")


_UNITS_MORE_ZH = {"residents": "人", "days": "天", "share": "比例", "yuan/year": "元/年",
                  "yuan/contest": "元/次", "score": "分", "factor": "倍数", "issues": "个议题"}
_meanings: dict[str, str] = {}


def _MEANINGS_ZH() -> dict[str, str]:
    """{English meaning: Chinese meaning} of every parameter that has one."""
    if not _meanings:
        from ..params import iter_parameters
        for _, field, _ in iter_parameters():
            zh = (field.json_schema_extra or {}).get("zh")
            if zh and field.description:
                _meanings[field.description] = zh
    return _meanings


def message(text: str, lang: str) -> str:
    """A message of the checks in ``lang``: in Chinese, line by line, each known pattern
    translated (the key names, values and file names kept as they are)."""
    if lang != "zh" or not text:
        return text
    out = []
    for line in text.split("\n"):
        for pattern, zh in _ORIGINS:
            line = re.sub(rf"^(\s*){pattern}(?=: )", lambda m, zh=zh, p=pattern: m[1] + re.sub(p, zh, m[0].strip()), line)
        for pattern, repl in _COMPILED:
            line = pattern.sub(repl, line)
        out.append(re.sub(r"(?<=[\u4e00-\u9fff）]): ", "：", line.replace(" (from ", "（来自 ")))
    return "\n".join(out)
