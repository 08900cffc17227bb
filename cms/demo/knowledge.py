"""The knowledge base, warning rules and assessment schemes of the demo.

高平's unified replies (统一答复口径) for the matters the hotline hears most
(heating, water, property, noise, social security …), each linked to the
directory items it answers by their codes (see ``directory``); the duty
boundary list (职责边界清单) for matters two units argue over; the warning
rules the seed centres describe (yellow at 80% of the reply time, red when
overdue, 3 calls in 3 days from one caller — 珙县 — unsatisfied, extended,
returned twice); one assessment scheme for departments and one for
townships (三率, 高平). Rows are found by title / matter / name and updated
in place, so a second run adds nothing."""

from snippets.models import AssessmentScheme, CaseType, DirectoryItem, DutyBoundary, ReplyTemplate, Unit, WarningRule

C = CaseType
GREETING = "{{ citizen_name }}您好，您反映的“{{ title }}”（工单号{{ case_number }}）已收悉。"

# (title, case type, item codes, keywords, body, policy basis)
TEMPLATES = [
    ("暖气不热·室温标准答复", C.COMPLAINT, "C1101", "暖气不热,室温,不热,供暖温度",
     GREETING + "按照《山西省城市供热条例》，供暖期内居民卧室、起居室室温应不低于18℃。{{ unit }}将于24小时内"
     "上门测温，不达标的将排查管网并限期整改，连续不达标的按规定退还相应供暖费。",
     "《山西省城市供热条例》第三十一条"),
    ("供暖收费标准咨询", C.CONSULTATION, "C1102", "取暖费,供暖费,暖气费,收费标准",
     GREETING + "我市居民集中供暖价格按建筑面积每平方米每采暖期22元执行，低保户、特困人员可向社区申请减免。"
     "缴费可通过热力公司营业厅、“高效办”小程序或银行代收办理。", "高平市发展和改革局供热价格文件"),
    ("停暖报停与恢复供暖", C.CONSULTATION, "C1102", "停暖,报停,不用暖气",
     GREETING + "申请停暖需在每年10月15日前到热力公司营业厅办理报停，报停期间按规定缴纳基本热费；"
     "恢复供暖请提前15天申请。", ""),
    ("供热管网漏水抢修", C.HELP, "C1103", "暖气管,漏水,冒热气,供热管网",
     GREETING + "已通知{{ unit }}抢修人员赶赴现场，请远离漏水点并注意防烫，抢修期间可能短时停暖，敬请谅解。", ""),
    ("计划停水通知答复", C.HELP, "C0801", "停水,没水,断水,来水",
     GREETING + "经核实，因管网检修，相关区域计划停水，预计当日恢复供水。{{ unit }}已在小区张贴通知，"
     "停水超过24小时将安排送水车。", ""),
    ("高层水压低答复", C.HELP, "C0802", "水压,水小,高层没水,二次供水",
     GREETING + "高层住户水压不足多与小区二次供水设施有关，{{ unit }}将会同物业检查加压泵运行情况，3个工作日内反馈。", ""),
    ("自来水发黄处置答复", C.COMPLAINT, "C0803", "水质,水浑,发黄,异味",
     GREETING + "请先放水3—5分钟；如仍浑浊，{{ unit }}将上门取样检测，检测结果将告知您。检测期间请勿饮用。",
     "《生活饮用水卫生标准》GB 5749"),
    ("水费阶梯价格咨询", C.CONSULTATION, "C0805", "水费,阶梯水价,水表",
     GREETING + "居民生活用水实行阶梯水价，第一阶梯年用水量180立方米以内。具体价格可在自来水公司营业厅或“高效办”查询。", ""),
    ("物业服务不到位答复", C.COMPLAINT, "C0601", "物业,物业服务,物业不作为,保洁",
     GREETING + "已转{{ unit }}督促物业服务企业按合同约定整改；整改不到位的，将依据《物业管理条例》记入信用档案。",
     "《物业管理条例》第三十五条"),
    ("物业费收费争议答复", C.COMPLAINT, "C0602", "物业费,乱收费,公摊",
     GREETING + "物业费应按物业服务合同约定和明码标价收取。{{ unit }}将会同市场监管部门核查收费依据，"
     "如存在超标准收费将责令退还。", "《物业服务收费管理办法》"),
    ("电梯困人应急答复", C.HELP, "C0603", "电梯,困人,电梯故障",
     GREETING + "请保持冷静、不要扒门，已通知维保单位30分钟内到场救援，{{ unit }}将跟踪处置并督促维保单位排查故障。",
     "《特种设备安全法》"),
    ("夜间施工噪音答复", C.COMPLAINT, "C0103", "夜间施工,工地噪音,施工扰民",
     GREETING + "晚22时至次日6时禁止产生噪声污染的建筑施工作业（抢修、抢险及经批准的连续作业除外）。"
     "{{ unit }}将于当晚核查，违规的依法处罚。", "《噪声污染防治法》第四十三条"),
    ("社会生活噪音扰民答复", C.COMPLAINT, "C1401", "噪音,扰民,广场舞,音响",
     GREETING + "已转{{ unit }}处理，民警将到场劝导，对经劝阻仍持续干扰他人正常生活的依法处理。", "《治安管理处罚法》"),
    ("养老金领取资格认证", C.CONSULTATION, "C1601", "养老金,认证,退休,社保",
     GREETING + "领取养老金人员每年需进行一次资格认证，可通过“掌上12333”或“民生山西”APP刷脸认证，"
     "行动不便的可申请工作人员上门认证。", ""),
    ("异地就医备案与报销", C.CONSULTATION, "C1602", "异地就医,备案,报销,医保",
     GREETING + "异地就医前请通过“国家医保服务平台”APP或医保经办窗口办理备案，备案后在定点医疗机构可直接结算。", ""),
    ("城乡居民医保缴费期", C.CONSULTATION, "C1604", "居民医保,缴费,参保",
     GREETING + "城乡居民医保集中缴费期为每年9月至12月，可通过“晋税通”、银行APP或村（社区）代收缴费。", ""),
    ("农民工欠薪处理答复", C.COMPLAINT, "C1501", "欠薪,拖欠工资,讨薪,农民工工资",
     GREETING + "{{ unit }}已受理，劳动保障监察员将在5个工作日内约谈用人单位，请准备好考勤记录、工资欠条等材料。",
     "《保障农民工工资支付条例》"),
    ("路灯不亮维修答复", C.COMPLAINT, "C0202", "路灯,路灯不亮,照明",
     GREETING + "已派{{ unit }}路灯维修班组核查，一般故障3个工作日内修复，需更换线缆的将另行告知工期。", ""),
    ("预付卡退费答复", C.COMPLAINT, "C2002", "预付卡,会员卡,退费,跑路",
     GREETING + "{{ unit }}将约谈经营者协商退费；经营者失联的，建议保留合同、付款凭证，必要时向公安机关报案。",
     "《山西省预付卡消费管理办法》"),
    ("户口迁移办理咨询", C.CONSULTATION, "C3501", "户口,迁移,落户",
     GREETING + "户口迁移可持居民身份证、户口簿及迁入地住房证明到迁入地派出所户籍窗口办理，省内迁移可“一站式”办理。", ""),
]

# (matter, lead unit, co-units, item codes, legal basis, keywords, description)
BOUNDARIES = [
    ("小区二次供水设施维护", "zilaishui", "zhujian", "C0802",
     "《城市供水条例》第二十七条", "二次供水,水压,加压泵",
     "已移交的二次供水设施由供水企业维护；未移交的由产权人委托物业维护，住建局监督。"),
    ("住宅电梯安全监管", "shichang", "zhujian", "C0603",
     "《特种设备安全法》", "电梯,维保,困人", "市场监管局负责安全监察，住建局督促物业履行管理责任。"),
    ("建筑施工噪声", "zhujian", "huanjing,chengguan", "C0103",
     "《噪声污染防治法》第四十三条", "夜间施工,工地噪音", "住建局负责在建工地；生态环境局负责监测；城管负责无证工地。"),
    ("社会生活噪声", "gongan", "chengguan", "C1401",
     "《噪声污染防治法》第六十四条", "广场舞,音响,噪音", "公安负责社会生活噪声；商业经营噪声由城管负责。"),
    ("餐饮油烟", "chengguan", "huanjing,shichang", "C0305",
     "《大气污染防治法》第八十一条", "油烟,烧烤,排烟", "城管负责查处，生态环境局负责监测，市场监管局负责餐饮许可。"),
    ("供热质量与收费", "reli", "zhujian,shichang", "C11",
     "《山西省城市供热条例》", "暖气,供暖,取暖费", "热力公司负责供热质量；住建局监管；收费争议由市场监管局核查。"),
    ("违法建设", "chengguan", "ziran,zhujian", "C0302",
     "《城乡规划法》第六十四条", "违建,私搭乱建", "城区违建由城管查处，农村宅基地上的由乡镇负责，自然资源局负责规划认定。"),
    ("拖欠农民工工资", "renshe", "zhujian,gongan", "C1501",
     "《保障农民工工资支付条例》", "欠薪,农民工", "人社局牵头；工程建设领域住建局配合；涉嫌拒不支付劳动报酬罪的移送公安。"),
]

R = WarningRule
# (name, kind, light, deadline, share, hours before, count, window days, centre, sms, supervision)
WARNING_RULES = [
    ("答复临期黄灯（已用80%时限）", R.Kind.NEAR_DUE, R.Light.YELLOW, R.Deadline.REPLY, 80, None, None, None,
     False, False, False),
    ("签收超时红灯", R.Kind.OVERDUE, R.Light.RED, R.Deadline.SIGN, None, None, None, None, True, True, False),
    ("答复超期红灯", R.Kind.OVERDUE, R.Light.RED, R.Deadline.REPLY, None, None, None, None, True, True, True),
    ("同一来电人3天3次重复诉求", R.Kind.REPEAT_CALLER, R.Light.RED, "", None, None, 3, 3, True, True, False),
    ("群众不满意", R.Kind.UNSATISFIED, R.Light.RED, "", None, None, None, None, True, True, True),
    ("延期办理", R.Kind.EXTENDED, R.Light.YELLOW, "", None, None, 1, None, True, False, False),
    ("两次退单", R.Kind.RETURNED, R.Light.RED, "", None, None, 2, None, True, False, True),
]

# (name, unit kind, weights: response, resolution, satisfaction, on time; min sample)
SCHEMES = [
    ("部门考评（三率）", Unit.Kind.DEPARTMENT, (20, 30, 40, 10), 10),
    ("乡镇（街道）考评（三率）", Unit.Kind.TOWNSHIP, (20, 35, 35, 10), 10),
]


def _sync_m2m(manager, rows):
    wanted = {r.pk for r in rows}
    if set(manager.values_list("pk", flat=True)) != wanted:
        manager.set(rows)


def _update_or_create(model, lookup, defaults, stats):
    obj, created = model.objects.update_or_create(**lookup, defaults=defaults)
    stats[model.__name__] += created
    return obj


def load(stats):
    """Create or update the knowledge base, warning rules and schemes."""
    items = {d.code: d for d in DirectoryItem.objects.all()}
    units = {u.code: u for u in Unit.objects.all()}

    def pick(mapping, codes):
        return [mapping[c] for c in codes.split(",") if c and c in mapping]

    for title, case_type, codes, keywords, body, basis in TEMPLATES:
        template = _update_or_create(ReplyTemplate, {"title": title}, {
            "case_type": case_type, "keywords": keywords, "body": body, "policy_basis": basis, "is_active": True,
        }, stats)
        _sync_m2m(template.directory_items, pick(items, codes))

    for matter, lead, co, codes, basis, keywords, description in BOUNDARIES:
        if lead not in units:
            continue
        boundary = _update_or_create(DutyBoundary, {"matter": matter}, {
            "lead_unit": units[lead], "legal_basis": basis, "keywords": keywords, "description": description,
            "is_active": True,
        }, stats)
        _sync_m2m(boundary.co_units, pick(units, co))
        _sync_m2m(boundary.directory_items, pick(items, codes))

    for name, kind, light, deadline, share, hours, count, days, centre, sms, supervise in WARNING_RULES:
        _update_or_create(WarningRule, {"name": name}, {
            "kind": kind, "light": light, "deadline": deadline, "share_elapsed": share, "hours_before": hours,
            "threshold": count, "window_days": days, "notify_lead_unit": True, "notify_centre": centre,
            "by_sms": sms, "in_app": True, "raise_supervision": supervise, "is_active": True,
        }, stats)

    for name, kind, (response, resolution, satisfaction, on_time), min_sample in SCHEMES:
        _update_or_create(AssessmentScheme, {"name": name}, {
            "unit_kind": kind, "weight_response": response, "weight_resolution": resolution,
            "weight_satisfaction": satisfaction, "weight_on_time": on_time, "min_sample": min_sample,
            "is_active": True,
        }, stats)
