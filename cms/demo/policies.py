"""Channels and time limits of the five seed centres, and the work calendar.

高平's ten channels come first (seed 001: "十个诉求渠道，形成一个超级入口");
then the channels the other four centres have and 高平 does not. The
time-limit policies carry each centre's published rules; first match wins
(lowest priority number), from the most specific condition (a directory
item, a channel with fixed dates) to the catch-all default at the end:

====  ==============================================  ==========================
prio  policy                                          matches
====  ==============================================  ==========================
10    莱山·新开办企业24小时建立联系                   item 新开办企业服务
20-22 莱山·人大议案政协提案 (fixed dates)             channels npc-*, cppcc-*
30-31 宁国·民生急事当日处置                           urgency very urgent/urgent
40-41 莱山·涉企复杂问题 / 涉企一般问题                item / class 企业服务
45-46 高平·网格重要事件 / 街乡吹哨                    channels grid-events, whistle
50-52 莱山·网上民声 / 政务热线 / 接诉即办             channels web, hotline, 12345转办
60    珙县·咨询类                                     case type consultation
70    宁国·调查核实事项                               case type report
80    珙县·其他类                                     channel mini-program
1000  高平·默认时限                                   anything
====  ==============================================  ==========================
"""

from decimal import Decimal

from snippets.models import Channel, DirectoryItem, PolicyLimit, TimeLimitPolicy
from snippets.services.calendar import seed_from_chinesecalendar

# (code, name, description, public, requires the channel's own id)
CHANNELS = [
    # 高平: the ten channels of the "one entry"
    ("jincheng-12345", "晋城12345转办事件", "晋城市12345政务服务便民热线转办至高平的诉求，带热线工单号。", False, True),
    ("people-leader-board", "人民网地方领导留言板", "人民网“领导留言板”上的网民留言，按留言编号对接。", False, True),
    ("mayor-mailbox", "市长信箱", "市政府门户网站市长信箱来信。", False, False),
    ("gaoxiaoban", "今日高平/高效办", "本地便民服务平台“高效办”政民互动版块上报的投诉、建议、咨询。", False, True),
    ("gov-miniprogram", "国务院客户端微信小程序", "国务院客户端小程序“互联网+督查”转来的问题线索。", False, True),
    ("mediation", "矛盾纠纷多元调解", "矛盾纠纷多元化解平台流转的调解事项。", False, False),
    ("cyberspace", "网信办", "网信部门监测到的网上民声舆情。", False, False),
    ("media-helpers", "融媒体中心帮帮团", "市融媒体中心“帮帮团”栏目收集的群众求助。", False, False),
    ("whistle", "街乡吹哨", "乡镇（街道）二级平台自身无法处置、向市级“吹哨”的事项。", False, False),
    ("grid-events", "网格重要事件", "网格员、社区工作者在网格内发现并上报的重要事件（大循环事件）。", False, False),
    # the other four centres
    ("hotline-12345", "12345政务服务热线", "本级12345热线来电（宁国、珙县、市南、莱山）。", False, False),
    ("web", "门户网站", "政府门户网站“网上民声”在线提交，群众无需登录。", True, False),
    ("mini-program", "微信小程序", "“群众有话说”微信小程序，与村（社区）办理员一对一交流（珙县）。", True, False),
    ("wenzheng", "问政平台", "省级网络问政平台转办的留言（珙县：问政四川）。", False, True),
    ("visit-ledger", "走访民情台账", "“单位包村、干部包户”走访中收集登记的民情（珙县）。", False, False),
    ("enterprise", "为企服务平台", "企业全生命周期服务平台、“政企通”上的企业诉求（宁国、莱山）。", False, False),
    ("enterprise-visit", "包保企业座谈走访", "包保干部座谈、走访企业时收集的诉求（莱山）。", False, False),
    ("service-hall", "政务服务大厅", "政务服务大厅窗口现场反映的诉求（莱山）。", False, False),
    ("npc-cppcc-city", "人大议案政协提案（市级交办）", "上级人大、政协交办的议案、建议和提案（莱山）。", False, True),
    ("npc-motion", "人大议案与代表建议", "本级人大代表提出的议案和建议（莱山）。", False, True),
    ("cppcc-proposal", "政协提案", "本级政协委员提出的提案（莱山）。", False, True),
    ("npc-deputy-online", "人大代表线上诉求", "人大代表线上反映的群众诉求，代表参与监督（青岛市南）。", False, False),
    ("letters-visits", "来信来访", "信访部门受理的群众来信来访、初信初访（宁国）。", False, False),
    ("police-110", "110社会面重要警情", "公安机关推送的社会面重要警情及事件信息（宁国）。", False, False),
    ("higher-assignment", "上级交办", "上级机关交办、转办的问题（宁国）。", False, True),
    ("onsite-meeting", "现场收集会", "现场办公会、政商恳谈会、“周六大接访”上由工作人员登记的问题（宁国）。", False, False),
    ("internet-inspection", "“互联网+督查”平台", "政府办统筹的“互联网+督查”平台留言（宁国）。", False, False),
]

K = PolicyLimit.Kind
H, ND, WD, FIXED = (PolicyLimit.Unit.HOURS, PolicyLimit.Unit.NATURAL_DAYS, PolicyLimit.Unit.WORKING_DAYS,
                    PolicyLimit.Unit.FIXED_DATE)


def fixed(kind, month, day):
    return (kind, None, FIXED, month, day)


# (priority, name, conditions, limits, note); a limit is (kind, amount, unit[, month, day]).
POLICIES = [
    (10, "莱山·新开办企业24小时建立联系", {"directory_item": "C3304"},
     [(K.SIGN, 2, H), (K.CONTACT, 24, H), (K.REPLY, 3, WD), (K.COMPLETION, 5, ND)],
     "莱山：全生命周期服务新开办企业，24小时内建立联系。"),
    (20, "莱山·人大议案政协提案（市级交办）", {"channel": "npc-cppcc-city"},
     [(K.SIGN, 1, WD), (K.CONTACT, 5, WD), fixed(K.REPLY, 5, 31), fixed(K.COMPLETION, 5, 31)],
     "莱山：市级议案、提案原则上5月底前办结；两会以后收到的原则上3个月内办结（规则无法按收到日期区分，由派单员批准延期）。"),
    (21, "莱山·人大议案（区级）", {"channel": "npc-motion"},
     [(K.SIGN, 1, WD), (K.CONTACT, 5, WD), fixed(K.REPLY, 9, 30), fixed(K.COMPLETION, 9, 30)],
     "莱山：区级人大议案、代表建议原则上9月底前办结。"),
    (22, "莱山·政协提案（区级）", {"channel": "cppcc-proposal"},
     [(K.SIGN, 1, WD), (K.CONTACT, 5, WD), fixed(K.REPLY, 9, 30), fixed(K.COMPLETION, 9, 30)],
     "莱山：区级政协提案原则上9月底前办结。"),
    (30, "宁国·民生急事当日处置（特急）", {"urgency": "very_urgent"},
     [(K.SIGN, 1, H), (K.CONTACT, 2, H), (K.COMPLETION, 0, ND), (K.REPLY, 1, WD)],
     "宁国：能够立即解决的民生急事小事当日处置到位（0个自然日：当天结束前），办结后1个工作日内做好正面回应。"),
    (31, "宁国·民生急事当日处置（紧急）", {"urgency": "urgent"},
     [(K.SIGN, 2, H), (K.CONTACT, 4, H), (K.COMPLETION, 0, ND), (K.REPLY, 1, WD)],
     "宁国：民生急事小事当日处置到位（0个自然日：当天结束前），办结后1个工作日内做好正面回应。"),
    (40, "莱山·涉企复杂问题（10日内解决）", {"directory_item": "C3303"},
     [(K.SIGN, 2, H), (K.CONTACT, 1, WD), (K.REPLY, 5, ND), (K.COMPLETION, 10, ND)],
     "莱山：包保企业诉求，复杂问题10日内解决；重大问题按区委、区政府研究进度确定。"),
    (41, "莱山·涉企一般问题（5日内解决）", {"directory_item": "C33"},
     [(K.SIGN, 2, H), (K.CONTACT, 1, WD), (K.REPLY, 5, ND), (K.COMPLETION, 5, ND)],
     "莱山：包保企业诉求，一般问题5日内解决（覆盖“企业服务”类下的全部条目）。"),
    (45, "高平·网格重要事件", {"channel": "grid-events"},
     [(K.SIGN, 1, H), (K.CONTACT, 2, H), (K.REPLY, 3, WD), (K.COMPLETION, 5, WD)],
     "高平：网格上报的重要事件，各级平台1小时内签收，三级联动处置。"),
    (46, "高平·街乡吹哨", {"channel": "whistle"},
     [(K.SIGN, 1, H), (K.CONTACT, 4, H), (K.REPLY, 3, WD), (K.COMPLETION, 10, WD)],
     "高平：乡镇（街道）吹哨、市级部门报到，1小时内签收。"),
    (50, "莱山·网上民声（5个工作日答复）", {"channel": "web"},
     [(K.SIGN, 4, H), (K.REPLY, 5, WD), (K.COMPLETION, 10, WD)],
     "莱山：网上民声事项5个工作日内答复。"),
    (51, "莱山·政务热线（3个工作日答复）", {"channel": "hotline-12345"},
     [(K.SIGN, 2, H), (K.REPLY, 3, WD), (K.COMPLETION, 10, WD)],
     "莱山：各级热线3个工作日答复。"),
    (52, "莱山·接诉即办（2个工作日答复、13个工作日办结）", {"channel": "jincheng-12345"},
     [(K.SIGN, 2, H), (K.CONTACT, 1, WD), (K.REPLY, 2, WD), (K.COMPLETION, 13, WD)],
     "莱山：接诉即办事项2个工作日答复、13个工作日办结；高平用于12345转办事件。"),
    (60, "珙县·咨询类（3个工作日办结）", {"case_type": "consultation"},
     [(K.SIGN, 2, H), (K.REPLY, 3, WD), (K.COMPLETION, 3, WD)],
     "珙县：咨询类事件原则上3个工作日内办结。"),
    (70, "宁国·调查核实事项（7日内反馈进展）", {"case_type": "report"},
     [(K.SIGN, 2, H), (K.CONTACT, 1, WD), (K.PROGRESS, 7, ND), (K.REPLY, 10, WD), (K.COMPLETION, 15, WD)],
     "宁国：需要调查核实的事项，7日内给予反馈说明进展。"),
    (80, "珙县·其他类（5个工作日办结）", {"channel": "mini-program"},
     [(K.SIGN, 2, H), (K.CONTACT, 1, WD), (K.REPLY, 5, WD), (K.COMPLETION, 5, WD)],
     "珙县：“群众有话说”小程序上的其他类事件原则上5个工作日内办结。"),
    (1000, "高平·默认时限", {},
     [(K.SIGN, 2, H), (K.CONTACT, 24, H), (K.REPLY, 5, WD), (K.COMPLETION, 15, WD)],
     "兜底规则：以上规则都不匹配时使用。高平：7×24小时受理，派单后2小时内签收。"),
]


# 珙县: the directory's keyword matching names the unit, leader and handler of a mini-program request by itself.
AUTO_DISPATCH = {"mini-program": Decimal("0.80")}


def load_channels(stats):
    existing = set(Channel.objects.values_list("code", flat=True))
    for order, (code, name, description, public, external) in enumerate(CHANNELS, start=1):
        if code in existing:
            continue
        Channel.objects.create(code=code, name=name, description=description, is_public=public,
                               requires_external_id=external, sort_order=order * 10,
                               auto_dispatch_confidence=AUTO_DISPATCH.get(code))
        stats["Channel"] += 1


def load_policies(stats):
    """Create the missing policies (by name) with their limits."""
    existing = set(TimeLimitPolicy.objects.values_list("name", flat=True))
    channels = {c.code: c for c in Channel.objects.all()}
    items = {d.code: d for d in DirectoryItem.objects.filter(code__in=["C3304", "C3303", "C33"])}
    for priority, name, conditions, limits, note in POLICIES:
        if name in existing:
            continue
        policy = TimeLimitPolicy.objects.create(
            name=name, priority=priority, note=note,
            channel=channels.get(conditions.get("channel")),
            case_type=conditions.get("case_type", ""), urgency=conditions.get("urgency", ""),
            directory_item=items.get(conditions.get("directory_item")),
        )
        stats["TimeLimitPolicy"] += 1
        for order, (kind, amount, unit, *date) in enumerate(limits):
            month, day = date or (None, None)
            PolicyLimit.objects.create(policy=policy, kind=kind, amount=amount, unit=unit,
                                       fixed_month=month, fixed_day=day, sort_order=order)
            stats["PolicyLimit"] += 1


def load_calendar(stats):
    years, days = seed_from_chinesecalendar()
    stats["CalendarYear"] += years
    stats["CalendarDay"] += days
