"""高平 as an organisation: regions (city → townships/streets → villages/
communities → grids), the units answering for them, the city departments and
public utilities, and the staff with their logins and roles.

高平 (seed 001) has three command levels — the city centre, the township
(street) platforms and the village (community) platforms — plus grids with
grid staff listed by name, phone and skills. Every loader here only creates
what is missing, so an administrator's later edits survive a re-run."""

import random
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from wagtail.admin.models import Admin as WagtailAdmin

from snippets.models import Level, Region, Role, StaffProfile, Unit
from snippets.services.roles import ensure_roles

from .names import GRID_TEAMS, mobile, person_name, skills

PASSWORD = "minsheng-demo"
STAFF_GROUP = "工作人员"
ADMIN_GROUP = "平台管理员"
R = Role.Code

CITY = ("gaoping", "高平市", "高平,高平县")
CENTRE = ("centre", "高平市接诉即办指挥中心", "0356-12345")

# The real streets and towns of 高平; the villages and communities below them are
# plausible inventions (a few are real names). (code, name, aliases, villages)
TOWNSHIPS = [
    ("dongcheng", "东城街道", "东城办事处,东城",
     [("dongguan", "东关社区"), ("fenghe", "凤和社区"), ("kangying", "康营社区"), ("beiwangzhuang", "北王庄村")]),
    ("nancheng", "南城街道", "南城办事处,南城",
     [("nanguan", "南关社区"), ("changping", "长平社区"), ("jianshe", "建设社区"), ("nanchen", "南陈村")]),
    ("beicheng", "北城街道", "北城办事处,北城",
     [("beiguan", "北关社区"), ("xuanshi", "泫氏社区"), ("yandi", "炎帝社区"), ("beiyang", "北杨村")]),
    ("mishan", "米山镇", "米山", [("mixi", "米西村"), ("midong", "米东村"), ("yongwan", "拥万村")]),
    ("sanjia", "三甲镇", "三甲", [("sanjianan", "三甲南村"), ("chixiang", "赤祥村"), ("xingcun", "邢村")]),
    ("shennong", "神农镇", "神农", [("tuanchi", "团池村"), ("zhuangli", "庄里村"), ("zhongcun", "中村"),
                                   ("xiatai", "下台村")]),
    ("chenqu", "陈区镇", "陈区", [("chenqucun", "陈区村"), ("wangcun", "王村"), ("tielu", "铁炉村")]),
    ("beishi", "北诗镇", "北诗", [("beishicun", "北诗村"), ("wuan", "午安村"), ("zhongping", "中坪村")]),
    ("hexi", "河西镇", "河西", [("hexicun", "河西村"), ("suzhuang", "苏庄村"), ("niucun", "牛村")]),
    ("macun", "马村镇", "马村", [("macuncun", "马村"), ("dazhou", "大周村"), ("chenjiagou", "陈家沟村")]),
    ("yechuan", "野川镇", "野川", [("yechuancun", "野川村"), ("duzhai", "杜寨村"), ("donggou", "东沟村")]),
    ("sizhuang", "寺庄镇", "寺庄", [("sizhuangcun", "寺庄村"), ("bofang", "伯方村"), ("jiantou", "箭头村")]),
    ("jianning", "建宁乡", "建宁", [("jianningcun", "建宁村"), ("lijiahe", "李家河村"), ("nanhe", "南河村")]),
    ("shimo", "石末乡", "石末", [("shimocun", "石末村"), ("houzhuang", "侯庄村"), ("qiaojia", "乔家村")]),
    ("yuancun", "原村乡", "原村", [("yuancuncun", "原村"), ("shangdongfeng", "上董峰村"), ("zhaozhuang", "赵庄村")]),
    ("yonglu", "永录乡", "永录", [("yonglucun", "永录村"), ("fushi", "扶市村"), ("hougou", "后沟村")]),
]
STREETS = {"dongcheng", "nancheng", "beicheng"}  # urban streets: communities with residential compounds
GRIDS_PER_VILLAGE = 3
CN_NUMBERS = "一二三四五六七八九十"

# City departments (children of the centre). (code, name, duty phone)
DEPARTMENTS = [
    ("zhujian", "市住建局", "0356-5221101"), ("chengguan", "市城市管理局", "0356-5221102"),
    ("jiaotong", "市交通运输局", "0356-5221103"), ("renshe", "市人社局", "0356-5221104"),
    ("jiaoyu", "市教育局", "0356-5221105"), ("weijian", "市卫健局", "0356-5221106"),
    ("shichang", "市市场监管局", "0356-5221107"), ("huanjing", "市生态环境局", "0356-5221108"),
    ("gongan", "市公安局", "0356-5221109"), ("ziran", "市自然资源局", "0356-5221110"),
    ("shuiwu", "市水务局", "0356-5221111"), ("minzheng", "市民政局", "0356-5221112"),
    ("nongye", "市农业农村局", "0356-5221113"), ("wenlv", "市文旅局", "0356-5221114"),
    ("yingji", "市应急管理局", "0356-5221115"), ("yibao", "市医保局", "0356-5221116"),
    ("shenpi", "市行政审批服务管理局", "0356-5221117"), ("fagai", "市发改局", "0356-5221118"),
    ("gongxin", "市工信局", "0356-5221119"), ("caizheng", "市财政局", "0356-5221120"),
    ("sifa", "市司法局", "0356-5221121"), ("xinfang", "市信访局", "0356-5221122"),
    ("tuiyi", "市退役军人事务局", "0356-5221123"), ("zhengfuban", "市政府办", "0356-5221124"),
    ("wangxin", "市委网信办", "0356-5221125"), ("xiaofang", "市消防救援大队", "0356-5221126"),
]
UTILITIES = [
    ("gongdian", "国网高平市供电公司", "0356-95598"), ("ranqi", "高平市燃气公司", "0356-5226666"),
    ("zilaishui", "高平市自来水公司", "0356-5223333"), ("guotou", "高平市国投公司", "0356-5228888"),
    ("reli", "高平市热力公司", "0356-5225555"), ("gongjiao", "高平市公交公司", "0356-5227777"),
]

# Named centre staff. (username, name, roles, phone)
CENTRE_STAFF = [
    ("dispatcher", "吴晓燕", (R.DISPATCHER,), "13835601201"),
    ("dispatcher2", "李雅琴", (R.DISPATCHER,), "13835601202"),
    ("visitor", "赵婷婷", (R.VISITOR,), "13835601203"),
    ("supervisor", "秦建国", (R.SUPERVISOR,), "13835601204"),
    ("director", "牛志刚", (R.UNIT_LEADER, R.SUPERVISOR, R.DISPATCHER), "13835601205"),
    ("operator", "郭瑞霞", (R.ADMINISTRATOR,), "13835601206"),
]
DEPARTMENT_LEADERS = {"zhujian", "chengguan", "shichang", "renshe", "huanjing", "gongan", "gongdian"}
TOWNSHIP_LEADERS = {"dongcheng", "nancheng", "mishan", "shennong"}


def village_code(township_code, village):
    return f"{township_code}-{village}"


def grid_code(vcode, number):
    return f"{vcode}-{number:02d}"


def grid_name(village_name, number):
    return f"{village_name}第{CN_NUMBERS[number - 1]}网格"


@dataclass
class Account:
    username: str
    name: str
    unit: str
    roles: str
    group: str = ""


class Loader:
    """Creates what is missing and counts it in ``stats`` (model name → rows)."""

    def __init__(self, stats):
        self.stats = stats
        self._password_hash = None
        self.rng = random.Random("minsheng-demo-organisation")

    def created(self, model, created=True):
        if created:
            self.stats[model.__name__] += 1

    @property
    def password_hash(self):
        if self._password_hash is None:  # hashing is slow: once for every demo account
            self._password_hash = make_password(PASSWORD)
        return self._password_hash

    # --- regions -----------------------------------------------------------------
    def region(self, code, name, level, parent, aliases=""):
        obj, created = Region.objects.get_or_create(
            code=code, defaults={"name": name, "level": level, "parent": parent, "aliases": aliases},
        )
        self.created(Region, created)
        return obj

    def load_regions(self):
        city = self.region(CITY[0], CITY[1], Level.CITY, None, CITY[2])
        regions = {city.code: city}
        for tcode, tname, aliases, villages in TOWNSHIPS:
            township = regions[tcode] = self.region(tcode, tname, Level.TOWNSHIP, city, aliases)
            for vslug, vname in villages:
                vcode = village_code(tcode, vslug)
                village = regions[vcode] = self.region(vcode, vname, Level.VILLAGE, township)
                for n in range(1, GRIDS_PER_VILLAGE + 1):
                    gcode = grid_code(vcode, n)
                    regions[gcode] = self.region(gcode, grid_name(vname, n), Level.GRID, village)
        return regions

    # --- units ----------------------------------------------------------------------
    def unit(self, code, name, kind, level, parent, region=None, phone=""):
        obj, created = Unit.objects.get_or_create(
            code=code,
            defaults={"name": name, "kind": kind, "level": level, "parent": parent, "region": region, "phone": phone},
        )
        self.created(Unit, created)
        return obj

    def load_units(self, regions):
        K = Unit.Kind
        centre = self.unit(CENTRE[0], CENTRE[1], K.CENTRE, Level.CITY, None, regions[CITY[0]], CENTRE[2])
        units = {centre.code: centre}
        for code, name, phone in DEPARTMENTS:
            units[code] = self.unit(code, name, K.DEPARTMENT, Level.CITY, centre, None, phone)
        for code, name, phone in UTILITIES:
            units[code] = self.unit(code, name, K.UTILITY, Level.CITY, centre, None, phone)
        for i, (tcode, tname, _aliases, villages) in enumerate(TOWNSHIPS, start=1):
            township = units[tcode] = self.unit(
                tcode, tname, K.TOWNSHIP, Level.TOWNSHIP, centre, regions[tcode], f"0356-52{i:02d}000",
            )
            for vslug, vname in villages:
                vcode = village_code(tcode, vslug)
                village = units[vcode] = self.unit(vcode, vname, K.COMMUNITY, Level.VILLAGE, township, regions[vcode])
                for n in range(1, GRIDS_PER_VILLAGE + 1):
                    gcode = grid_code(vcode, n)
                    units[gcode] = self.unit(gcode, grid_name(vname, n), K.GRID, Level.GRID, village, regions[gcode])
        return units

    # --- people ------------------------------------------------------------------------
    def user(self, username, name, *, superuser=False):
        User = get_user_model()
        user = User.objects.filter(username=username).first()
        if user is not None:
            return user
        user = User(username=username, first_name=name, email=f"{username}@demo.minsheng.invalid",
                    is_staff=True, is_superuser=superuser)
        user.password = self.password_hash
        user.save()
        self.created(User)
        return user

    def profile(self, unit, name, roles, phone, *, user=None, skill_text=""):
        lookup = {"user": user} if user is not None else {"user": None, "unit": unit, "name": name}
        profile, created = StaffProfile.objects.get_or_create(
            **lookup, defaults={"name": name, "unit": unit, "phone": phone, "skills": skill_text},
        )
        if created:
            profile.roles.set(self.roles[c] for c in roles)
        self.created(StaffProfile, created)
        return profile

    def staff(self, username, name, unit, roles, phone):
        user = self.user(username, name)
        self.profile(unit, name, roles, phone, user=user)
        self.logins.append(username)

    def load_staff(self, units):
        self.roles = ensure_roles()
        self.logins = []
        rng = self.rng
        self.user("admin", "系统管理员", superuser=True)
        for username, name, roles, phone in CENTRE_STAFF:
            self.staff(username, name, units[CENTRE[0]], roles, phone)
        for code, _name, _phone in DEPARTMENTS + UTILITIES:
            self.staff(code, person_name(rng), units[code], (R.HANDLER,), mobile(rng))
            if code in DEPARTMENT_LEADERS:
                self.staff(f"{code}_leader", person_name(rng), units[code], (R.UNIT_LEADER,), mobile(rng))
        for tcode, _tname, _aliases, villages in TOWNSHIPS:
            # The township platform both dispatches (down to villages) and handles.
            self.staff(tcode, person_name(rng), units[tcode], (R.HANDLER, R.DISPATCHER), mobile(rng))
            if tcode in TOWNSHIP_LEADERS:
                self.staff(f"{tcode}_leader", person_name(rng), units[tcode], (R.UNIT_LEADER,), mobile(rng))
            for vslug, _vname in villages:
                vcode = village_code(tcode, vslug)
                # The village platform registers grid events, handles, and whistles up.
                self.staff(vcode, person_name(rng), units[vcode], (R.HANDLER, R.DISPATCHER), mobile(rng))
                for n in range(1, GRIDS_PER_VILLAGE + 1):
                    self.grid_staff(units[grid_code(vcode, n)], rng)

    def grid_staff(self, grid, rng):
        """Grid staff: a grid worker and one member of the ten teams sent down
        to the grid; name, phone and skills, no login."""
        names = set()
        for team in ("网格员", rng.choice(GRID_TEAMS[1:])):
            name = person_name(rng)
            while name in names:
                name = person_name(rng)
            names.add(name)
            self.profile(grid, name, (), mobile(rng), skill_text=skills(rng, team))

    # --- groups and accounts ------------------------------------------------------------
    def load_groups(self):
        # get_or_create: a flushed database (transactional tests) has lost it.
        access, _new = Permission.objects.get_or_create(
            content_type=ContentType.objects.get_for_model(WagtailAdmin), codename="access_admin",
            defaults={"name": "Can access Wagtail admin"},
        )
        snippet_perms = Permission.objects.filter(content_type__app_label="snippets")
        staff_group, created = Group.objects.get_or_create(name=STAFF_GROUP)
        self.created(Group, created)
        admin_group, created = Group.objects.get_or_create(name=ADMIN_GROUP)
        self.created(Group, created)
        # .add() inserts only the missing links: re-running creates no rows.
        staff_group.permissions.add(access, *snippet_perms.filter(codename__startswith="view_"))
        admin_group.permissions.add(access, *snippet_perms)
        User = get_user_model()
        users = User.objects.filter(username__in=self.logins)
        for user in users:
            user.groups.add(staff_group)
        for user in users.filter(staff_profile__roles__code=R.ADMINISTRATOR):
            user.groups.add(admin_group)

    def accounts(self):
        User = get_user_model()
        rows = [Account("admin", "系统管理员", "（全部单位）", "超级用户")]
        users = (
            User.objects.filter(username__in=self.logins)
            .select_related("staff_profile__unit").prefetch_related("staff_profile__roles", "groups")
        )
        by_name = {u.username: u for u in users}
        for username in self.logins:
            user = by_name[username]
            profile = user.staff_profile
            rows.append(Account(username, profile.name, profile.unit.name, profile.roles_display,
                                "、".join(g.name for g in user.groups.all())))
        return rows


def load(stats):
    """Load regions, units, staff and groups; return the loader (for accounts)."""
    loader = Loader(stats)
    regions = loader.load_regions()
    units = loader.load_units(regions)
    loader.load_staff(units)
    loader.load_groups()
    return loader
