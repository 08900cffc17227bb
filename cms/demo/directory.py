"""高平's dispatch directory (派单目录), abridged: 43 classes and the items
below them. 高平 works with 40 classes / 1,946 items (seed 001); this demo
keeps the classes a county-level city recognises and three to five common
items under each.

Each item routes by sector (``route`` is a unit code) or territorially
(``route`` is ``T``: the township or street the case's region belongs to).
Keywords drive the suggestion of an item from a request's text (珙县, seed
002); co-handlers are named where a matter usually needs two units."""

from snippets.models import CaseType, DirectoryItem, Level, Unit, Urgency

T = "T"  # territorial routing, at the township level
TYPES = {"zx": CaseType.CONSULTATION, "qz": CaseType.HELP, "ts": CaseType.COMPLAINT, "jb": CaseType.REPORT,
         "jy": CaseType.SUGGESTION, "by": CaseType.PRAISE}
URGENCY = {"": Urgency.NORMAL, "u": Urgency.URGENT, "vu": Urgency.VERY_URGENT}

# (class code, class name, [(item name, route, keywords, type, urgency, co-handlers), ...])
CLASSES = [
    ("C01", "城乡建设", [
        ("井盖破损缺失", "zhujian", "井盖,窨井,井盖破损,井盖丢失,下水井", "ts", "u", "guotou"),
        ("天桥及人行设施损坏", "zhujian", "天桥,人行天桥,玻璃破损,护栏,台阶", "ts", "u", ""),
        ("建筑工地夜间施工", "zhujian", "夜间施工,工地噪音,施工扰民,工地", "ts", "", "huanjing"),
        ("老旧小区改造", "zhujian", "老旧小区,改造,加装电梯,外墙保温,雨污分流", "jy", "", ""),
        ("农村危房改造", T, "危房,危房改造,房屋倒塌,土坯房", "qz", "", "zhujian"),
    ]),
    ("C02", "市政设施", [
        ("道路破损坑洼", "chengguan", "路面破损,坑洼,塌陷,路面下沉,坑", "ts", "u", ""),
        ("路灯不亮", "chengguan", "路灯,路灯不亮,路灯损坏,照明,黑灯", "ts", "", ""),
        ("排水管网堵塞", "chengguan", "下水道,排水,管道堵塞,污水外溢,返水", "ts", "u", "zhujian"),
        ("雨水篦子缺失", "chengguan", "雨篦,雨水口,篦子", "ts", "", ""),
    ]),
    ("C03", "城市管理", [
        ("占道经营", "chengguan", "占道,摆摊,流动摊贩,店外经营,早市", "ts", "", ""),
        ("违法建设", T, "违建,私搭乱建,违章建筑,加盖,彩钢房", "jb", "", "chengguan,ziran"),
        ("户外广告招牌", "chengguan", "广告牌,招牌,横幅,广告,灯箱", "ts", "", ""),
        ("渣土车撒漏", "chengguan", "渣土车,撒漏,遗撒,泥土,拉土车", "ts", "", "jiaotong"),
        ("餐饮油烟扰民", "chengguan", "油烟,烧烤,饭店油烟,排烟", "ts", "", "huanjing"),
    ]),
    ("C04", "环境卫生", [
        ("生活垃圾清运不及时", T, "垃圾,垃圾清运,垃圾堆积,垃圾站,垃圾箱满", "ts", "", "chengguan"),
        ("道路清扫保洁", "chengguan", "清扫,保洁,卫生,落叶,扬尘", "ts", "", ""),
        ("公共厕所管理", "chengguan", "公厕,厕所,异味,厕所关门", "ts", "", ""),
        ("农村人居环境整治", T, "人居环境,村容村貌,柴草,粪堆,旱厕", "jy", "", "nongye"),
    ]),
    ("C05", "园林绿化", [
        ("树木修剪", "chengguan", "树木,修剪,树枝,遮挡,倒伏,枯树", "qz", "", ""),
        ("绿地损毁", "chengguan", "绿地,草坪,踩踏,毁绿,种菜", "ts", "", ""),
        ("公园设施损坏", "chengguan", "公园,健身器材,座椅,凉亭,丹河公园", "ts", "", ""),
    ]),
    ("C06", "物业管理", [
        ("物业服务质量", "zhujian", "物业,物业服务,保安,保洁,物业不作为", "ts", "", ""),
        ("物业收费", "zhujian", "物业费,收费,乱收费,公摊", "ts", "", "shichang"),
        ("电梯故障", "shichang", "电梯,困人,电梯故障,电梯停运,维保", "qz", "vu", "zhujian"),
        ("小区停车管理", "zhujian", "停车,车位,地下车库,车位费", "ts", "", ""),
        ("业主委员会", T, "业委会,业主大会,换届,维修基金", "zx", "", "zhujian"),
    ]),
    ("C07", "房地产管理", [
        ("延期交房", "zhujian", "交房,延期,逾期交房,烂尾,停工", "ts", "", ""),
        ("不动产登记", "ziran", "不动产证,房产证,办证,过户,产权", "zx", "", ""),
        ("房屋中介租赁", "zhujian", "中介,租房,押金,房东", "ts", "", "shichang"),
        ("商品房质量", "zhujian", "漏水,裂缝,房屋质量,渗水,空鼓", "ts", "", ""),
    ]),
    ("C08", "供水", [
        ("停水", "zilaishui", "停水,没水,断水,来水", "qz", "u", ""),
        ("水压低", "zilaishui", "水压,水小,高层没水,二次供水", "qz", "", ""),
        ("水质问题", "zilaishui", "水质,水浑,自来水发黄,异味", "ts", "u", "weijian"),
        ("供水管道漏水", "zilaishui", "漏水,爆管,管道破裂,跑水", "qz", "u", ""),
        ("水费水表", "zilaishui", "水费,缴费,水表,阶梯水价", "zx", "", ""),
    ]),
    ("C09", "供电", [
        ("停电", "gongdian", "停电,没电,断电,跳闸", "qz", "u", ""),
        ("电压不稳", "gongdian", "电压,电压低,灯闪,电器带不动", "ts", "", ""),
        ("线路安全隐患", "gongdian", "电线,私拉乱接,线路老化,电线杆,变压器", "jb", "u", ""),
        ("电费电表", "gongdian", "电费,电表,缴费,峰谷电", "zx", "", ""),
    ]),
    ("C10", "供气", [
        ("燃气泄漏", "ranqi", "燃气泄漏,煤气味,漏气,天然气味", "qz", "vu", "xiaofang"),
        ("燃气停气", "ranqi", "停气,没气,燃气停供,打不着火", "qz", "u", ""),
        ("燃气开户安装", "ranqi", "开户,燃气安装,通气,燃气报装,煤改气", "zx", "", ""),
        ("燃气收费", "ranqi", "燃气费,气费,IC卡,充值", "ts", "", "shichang"),
    ]),
    ("C11", "供热", [
        ("暖气不热", "reli", "暖气,不热,供暖温度,室温,暖气片", "ts", "u", ""),
        ("供暖收费", "reli", "取暖费,供暖费,暖气费,停暖", "zx", "", ""),
        ("供热管网漏水", "reli", "供热管网,暖气管,漏水,冒热气", "qz", "u", ""),
        ("集中供暖接入", "reli", "集中供暖,入网,接入,没有暖气", "jy", "", "zhujian"),
    ]),
    ("C12", "交通运输", [
        ("公交线路站点", "gongjiao", "公交,线路,站点,班次,末班车", "jy", "", "jiaotong"),
        ("出租车服务", "jiaotong", "出租车,拒载,绕路,不打表", "ts", "", ""),
        ("农村公路", "jiaotong", "乡村公路,农村道路,公路损坏,通村路", "ts", "", ""),
        ("城乡客运", "jiaotong", "客运,班车,城乡公交,车站", "ts", "", ""),
        ("网约车", "jiaotong", "网约车,顺风车,平台,司机", "ts", "", ""),
    ]),
    ("C13", "道路交通安全", [
        ("交通信号灯故障", "gongan", "红绿灯,信号灯,交通灯,灯不亮", "qz", "u", ""),
        ("违法停车", "gongan", "乱停车,违停,占用车位,堵门,堵路", "jb", "", ""),
        ("电动车交通违法", "gongan", "电动车,逆行,闯红灯,三轮车,头盔", "jb", "", ""),
        ("飙车炸街", "gongan", "飙车,炸街,改装车,摩托车,轰油门", "jb", "", ""),
        ("交通标志标线", "gongan", "标线,标志,斑马线,减速带", "jy", "", "jiaotong"),
    ]),
    ("C14", "社会治安", [
        ("噪音扰民", "gongan", "噪音,扰民,广场舞,喇叭,音响", "ts", "", ""),
        ("治安隐患", "gongan", "治安,可疑人员,偷盗,打架,盗窃", "jb", "u", ""),
        ("电信网络诈骗", "gongan", "诈骗,电信诈骗,被骗,刷单,冒充", "jb", "u", ""),
        ("黄赌毒线索", "gongan", "赌博,涉黄,吸毒,聚赌", "jb", "", ""),
    ]),
    ("C15", "劳动保障", [
        ("拖欠农民工工资", "renshe", "欠薪,拖欠工资,讨薪,农民工工资,工钱", "ts", "", "zhujian"),
        ("劳动合同纠纷", "renshe", "劳动合同,辞退,加班费,工伤,试用期", "ts", "", ""),
        ("就业创业", "renshe", "就业,招聘,创业,创业贷款,公益岗", "zx", "", ""),
        ("职业技能培训", "renshe", "技能培训,职业培训,证书,培训补贴", "zx", "", ""),
    ]),
    ("C16", "社会保险", [
        ("养老保险", "renshe", "养老保险,养老金,退休,社保,认证", "zx", "", ""),
        ("医疗保险报销", "yibao", "医保,报销,医保卡,异地就医,门诊慢特病", "zx", "", ""),
        ("失业保险", "renshe", "失业金,失业保险,领取", "zx", "", ""),
        ("城乡居民医保缴费", "yibao", "居民医保,缴费,医保缴费,参保", "zx", "", ""),
    ]),
    ("C17", "教育", [
        ("入学招生", "jiaoyu", "入学,招生,学区,转学,报名,划片", "zx", "", ""),
        ("校外培训", "jiaoyu", "校外培训,补课,培训机构,退费", "ts", "", "shichang"),
        ("校园安全", "jiaoyu", "校园安全,校门口,学生安全,欺凌,接送", "ts", "", "gongan"),
        ("教育收费", "jiaoyu", "收费,资料费,校服,餐费", "ts", "", ""),
        ("师德师风", "jiaoyu", "老师,体罚,有偿补课,师德", "jb", "", ""),
    ]),
    ("C18", "医疗卫生", [
        ("医疗服务", "weijian", "医院,医生,服务态度,看病,挂号", "ts", "", ""),
        ("医疗收费", "yibao", "医疗收费,乱收费,药费,检查费", "ts", "", "weijian"),
        ("疫苗接种", "weijian", "疫苗,接种,预防针,狂犬疫苗", "zx", "", ""),
        ("基层医疗", "weijian", "卫生院,村医,卫生室,家庭医生", "jy", "", ""),
    ]),
    ("C19", "食品药品安全", [
        ("食品安全", "shichang", "食品,过期,变质,食物中毒,三无食品", "jb", "u", ""),
        ("餐饮卫生", "shichang", "餐馆,饭店,卫生,后厨,苍蝇", "jb", "", ""),
        ("药品质量", "shichang", "药品,药店,假药,处方药", "jb", "", ""),
    ]),
    ("C20", "市场监管", [
        ("消费纠纷", "shichang", "退货,退款,消费,商家,售后,质量", "ts", "", ""),
        ("预付卡退费", "shichang", "预付卡,会员卡,跑路,退费,健身卡,美容卡", "ts", "", ""),
        ("价格违法", "shichang", "价格,涨价,明码标价,乱收费", "jb", "", ""),
        ("产品质量", "shichang", "质量问题,假冒伪劣,三无产品", "jb", "", ""),
        ("计量器具", "shichang", "缺斤短两,秤,加油机,计量", "jb", "", ""),
    ]),
    ("C21", "生态环境", [
        ("大气污染", "huanjing", "烟尘,废气,异味,粉尘,排放,焦化", "jb", "", ""),
        ("水污染", "huanjing", "污水,排污,河水变黑,水污染", "jb", "", "shuiwu"),
        ("工业噪声", "huanjing", "工厂噪音,机器声,工业噪声,夜间生产", "ts", "", ""),
        ("焚烧秸秆垃圾", T, "焚烧,秸秆,烧垃圾,烟雾", "jb", "", "huanjing"),
    ]),
    ("C22", "自然资源", [
        ("违法占地", "ziran", "占地,耕地,非法占用,乱占,挖土", "jb", "", "nongye"),
        ("宅基地审批", T, "宅基地,建房,审批,翻建", "zx", "", "ziran"),
        ("采煤沉陷", "ziran", "采煤,塌陷,沉陷,房屋裂缝,煤矿,采空区", "qz", "", "yingji"),
        ("地质灾害", "ziran", "滑坡,塌方,地质灾害,地裂缝", "qz", "vu", "yingji"),
    ]),
    ("C23", "水务", [
        ("河道治理", "shuiwu", "河道,丹河,淤堵,河道清理,河道垃圾", "jy", "", ""),
        ("防汛排涝", "shuiwu", "积水,内涝,防汛,排涝,下雨", "qz", "u", "chengguan"),
        ("农村饮水安全", "shuiwu", "农村饮水,自来水入户,水井,吃水难", "qz", "u", ""),
    ]),
    ("C24", "农业农村", [
        ("惠农补贴", "nongye", "补贴,种粮补贴,惠农,直补,农机补贴", "zx", "", "caizheng"),
        ("农资质量", "nongye", "种子,化肥,农药,农资,出苗", "ts", "", "shichang"),
        ("土地承包纠纷", T, "土地承包,流转,承包地,确权,地租", "ts", "", "nongye"),
        ("动物防疫", "nongye", "养殖,防疫,病死猪,畜禽,养殖场", "jb", "", ""),
    ]),
    ("C25", "林业", [
        ("森林防火", "ziran", "防火,野外用火,林地,上坟烧纸", "jb", "u", "yingji"),
        ("乱砍滥伐", "ziran", "砍树,伐木,毁林,林木", "jb", "", ""),
    ]),
    ("C26", "民政", [
        ("低保救助", "minzheng", "低保,救助,特困,困难,临时救助", "qz", "", ""),
        ("养老服务", "minzheng", "养老院,日间照料,老年人,助餐,高龄补贴", "zx", "", ""),
        ("殡葬管理", "minzheng", "殡葬,墓地,公墓,丧事", "zx", "", ""),
        ("婚姻登记", "minzheng", "结婚,离婚,婚姻登记,预约", "zx", "", ""),
        ("残疾人补贴", "minzheng", "残疾人,两项补贴,残疾证,护理补贴", "zx", "", ""),
    ]),
    ("C27", "退役军人", [
        ("优抚待遇", "tuiyi", "优抚,退役,抚恤,军人,光荣牌", "zx", "", ""),
        ("退役安置", "tuiyi", "安置,退伍,就业安置,转业", "qz", "", ""),
    ]),
    ("C28", "文化旅游", [
        ("景区服务", "wenlv", "景区,门票,炎帝陵,羊头山,游客,停车", "ts", "", ""),
        ("文物保护", "wenlv", "文物,古建筑,长平之战,遗址,古庙", "jb", "", ""),
        ("文化娱乐场所", "wenlv", "KTV,网吧,娱乐场所,未成年人,剧本杀", "jb", "", "gongan"),
        ("旅游投诉", "wenlv", "旅行社,导游,购物,旅游,民宿", "ts", "", ""),
    ]),
    ("C29", "体育健身", [
        ("健身设施", "wenlv", "健身器材,体育场,篮球场,健身路径", "jy", "", ""),
        ("全民健身活动", "wenlv", "健身活动,比赛,体育馆开放,游泳馆", "zx", "", ""),
    ]),
    ("C30", "安全生产", [
        ("安全生产隐患", "yingji", "安全隐患,安全生产,违规作业,高空作业", "jb", "u", ""),
        ("煤矿安全", "yingji", "煤矿,瓦斯,井下,矿工,超层越界", "jb", "vu", "ziran"),
        ("危险化学品", "yingji", "危化品,化学品,加油站,液化气罐", "jb", "u", "xiaofang"),
    ]),
    ("C31", "消防安全", [
        ("消防通道堵塞", "xiaofang", "消防通道,堵塞,生命通道,占用", "jb", "u", ""),
        ("电动车违规充电", "xiaofang", "飞线充电,楼道充电,电瓶车,电动车进楼", "jb", "u", ""),
        ("消防设施损坏", "xiaofang", "灭火器,消防栓,消防设施,烟感", "ts", "", ""),
    ]),
    ("C32", "应急救灾", [
        ("灾后救助", "yingji", "受灾,救灾,冰雹,洪水,倒塌", "qz", "u", "minzheng"),
        ("防汛避险", T, "避险,防汛,山洪,转移,河水上涨", "qz", "vu", "yingji"),
    ]),
    ("C33", "企业服务", [
        ("涉企政策咨询", "gongxin", "惠企政策,企业补贴,政策兑现,专精特新", "zx", "", "fagai"),
        ("企业一般问题", "fagai", "企业诉求,营商环境,企业用工,用电,用气", "qz", "", "gongxin"),
        ("企业复杂疑难问题", "fagai", "复杂,疑难,多部门,历史遗留,项目手续", "qz", "", "gongxin,ziran"),
        ("新开办企业服务", "shenpi", "新开办,企业注册,开办企业,营业执照,刻章", "zx", "", "gongxin"),
        ("拖欠企业账款", "gongxin", "拖欠账款,中小企业款,工程款,欠款", "ts", "", "caizheng"),
    ]),
    ("C34", "政务服务", [
        ("证照办理", "shenpi", "办证,许可证,审批,一件事,材料", "zx", "", ""),
        ("窗口服务", "shenpi", "窗口,办事难,态度,排队,跑腿", "ts", "", ""),
        ("政务公开", "zhengfuban", "政务公开,信息公开,依申请公开", "zx", "", ""),
    ]),
    ("C35", "户籍证件", [
        ("户口迁移", "gongan", "户口,迁移,落户,户籍", "zx", "", ""),
        ("身份证办理", "gongan", "身份证,补办,临时身份证,换证", "zx", "", ""),
        ("出入境证件", "gongan", "护照,港澳通行证,签注", "zx", "", ""),
    ]),
    ("C36", "通信网络", [
        ("通信信号", "gongxin", "信号,网络,宽带,5G,基站", "ts", "", ""),
        ("通信线缆", "gongxin", "线缆,光缆,飞线,电话线,线杆", "ts", "", "chengguan"),
    ]),
    ("C37", "人口家庭", [
        ("生育登记", "weijian", "生育,生育登记,生育津贴,三孩", "zx", "", ""),
        ("托育服务", "weijian", "托育,托儿所,婴幼儿,托育补贴", "zx", "", ""),
    ]),
    ("C38", "司法法律", [
        ("法律援助", "sifa", "法律援助,律师,打官司,法律咨询", "qz", "", ""),
        ("人民调解", "sifa", "调解,矛盾纠纷,人民调解", "qz", "", ""),
        ("公证服务", "sifa", "公证,公证处,委托书", "zx", "", ""),
    ]),
    ("C39", "信访事项", [
        ("信访件办理", "xinfang", "信访,上访,信访件,来信", "ts", "", ""),
        ("历史遗留问题", "xinfang", "遗留问题,多年未解决,老问题", "ts", "", "zhengfuban"),
    ]),
    ("C40", "村（社区）事务", [
        ("村务公开", T, "村务公开,账目,村委会,财务,集体收入", "jb", "", ""),
        ("村干部作风", T, "村干部,作风,不作为,吃拿卡要", "jb", "", ""),
        ("社区服务", T, "社区,证明,开证明,社区服务,居委会", "zx", "", ""),
        ("邻里纠纷", T, "邻里,纠纷,漏水,占用,吵架", "qz", "", ""),
    ]),
    ("C41", "财政金融", [
        ("惠民资金发放", "caizheng", "补贴发放,惠民资金,一卡通,没到账", "zx", "", ""),
        ("非法集资", "caizheng", "非法集资,高息,理财,集资,养老诈骗", "jb", "", "gongan"),
    ]),
    ("C42", "网络舆情", [
        ("网络谣言", "wangxin", "谣言,网络,舆情,短视频", "jb", "", ""),
        ("网络不良信息", "wangxin", "不良信息,网络诈骗,网站,直播", "jb", "", "gongan"),
    ]),
    ("C43", "综合类", [
        ("意见建议", "zhengfuban", "建议,意见,希望,提议", "jy", "", ""),
        ("表扬感谢", "zhengfuban", "表扬,感谢,点赞,锦旗,好评", "by", "", ""),
        ("其他事项", T, "其他", "qz", "", ""),
    ]),
]


def item_code(class_code, number):
    return f"{class_code}{number:02d}"


def items():
    """Every item as (code, class code, name, route, keywords, type, urgency, co), in order."""
    for class_code, _class_name, entries in CLASSES:
        for number, entry in enumerate(entries, start=1):
            yield (item_code(class_code, number), class_code, *entry)


ROUTES = {code: route for code, _cls, _name, route, *_rest in items()}
NAMES = {code: name for code, _cls, name, *_rest in items()}


def load(stats):
    """Create the missing classes and items; co-handlers only on new items."""
    units = {u.code: u for u in Unit.objects.all()}
    existing = {d.code: d for d in DirectoryItem.objects.all()}
    for order, (class_code, class_name, entries) in enumerate(CLASSES, start=1):
        category = existing.get(class_code)
        if category is None:
            category = DirectoryItem.objects.create(
                code=class_code, name=class_name, routing=DirectoryItem.Routing.NONE, sort_order=order * 10,
            )
            stats["DirectoryItem"] += 1
        for number, (name, route, keywords, case_type, urgency, co) in enumerate(entries, start=1):
            code = item_code(class_code, number)
            if code in existing:
                continue
            territorial = route == T
            item = DirectoryItem.objects.create(
                code=code, name=name, parent=category,
                routing=DirectoryItem.Routing.TERRITORIAL if territorial else DirectoryItem.Routing.SECTOR,
                sector_unit=None if territorial else units[route],
                territorial_level=Level.TOWNSHIP if territorial else None,
                keywords=keywords, default_case_type=TYPES[case_type], default_urgency=URGENCY[urgency],
                sort_order=number,
            )
            stats["DirectoryItem"] += 1
            if co:
                item.co_handlers.set(units[c] for c in co.split(","))
