"""Deterministic invented people for the demo: names and phone numbers.

Everything here is drawn from a ``random.Random`` the caller seeds, so the
same seed always gives the same people (the demo is reproducible)."""

# Common surnames, with the ones frequent in southern Shanxi (牛 申 焦 秦 郭) well represented.
SURNAMES = (
    "王王李李张张刘陈杨赵赵郭郭牛牛申申焦秦秦常常靳毕冯崔马孙周吴徐胡朱高林何罗梁宋郑谢韩"
    "唐董程曹袁邓许傅彭吕苏卢蒋蔡贾丁魏薛叶阎潘杜田任姜范石姚谭廖邹金陆郝孔白康毛史侯孟段"
)
GIVEN_TWO = (
    "建国", "建华", "志刚", "志强", "国庆", "海燕", "晓燕", "丽娟", "春花", "秀英", "桂兰", "玉兰", "红梅", "文辉", "宏伟", "晓东", "雅琴", "婷婷",
    "俊峰", "鹏飞", "瑞霞", "晋生", "晋平", "小军", "小红", "亚楠", "思远", "浩然", "雨欣", "子涵", "慧敏", "永红", "永刚", "润生", "保平", "满仓",
    "爱萍", "彩霞", "冬梅", "晓丽", "鑫磊", "佳琪", "欣怡", "泽宇", "明轩", "国栋", "立新", "学军", "素琴", "凤英", "金花", "拴柱", "双喜", "振华",
)
GIVEN_ONE = (
    "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛",
    "明", "超", "霞", "平", "刚", "斌", "波", "辉", "鹏", "华", "红", "燕", "蕾", "瑶", "琳",
)
MOBILE_PREFIXES = ("135", "136", "137", "138", "139", "150", "151", "152", "158", "159", "182", "187", "188",
                   "130", "131", "155", "156", "185", "186", "133", "153", "180", "189", "177")

# 高平 "十支队伍下沉网格": the kinds of people sent down to the grids, and what they can handle.
GRID_TEAMS = ("网格员", "社区工作者", "党员", "志愿者", "执法队员", "民警", "医生", "律师", "电工", "水暖工")
GRID_SKILLS = (
    "矛盾调解", "政策宣传", "环境卫生巡查", "安全隐患排查", "水电维修", "燃气安全", "法律咨询", "医疗健康",
    "治安巡逻", "防汛值守", "老年人帮扶", "垃圾分类", "消防安全", "心理疏导", "政务代办",
)


def person_name(rng):
    surname = rng.choice(SURNAMES)
    given = rng.choice(GIVEN_TWO) if rng.random() < 0.7 else rng.choice(GIVEN_ONE)
    return surname + given


def mobile(rng):
    return rng.choice(MOBILE_PREFIXES) + "".join(str(rng.randrange(10)) for _ in range(8))


def skills(rng, team):
    picked = rng.sample(GRID_SKILLS, 2)
    return ",".join([team, *picked])
