"""One resource per configuration model. Headers are given in Chinese (the
first alias is the template's header); choices accept their stored value,
their label, or the short words people use."""

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from ...models import (
    CalendarDay,
    CalendarYear,
    CaseType,
    DirectoryItem,
    Level,
    Region,
    ReplyTemplate,
    Role,
    StaffProfile,
    Unit,
    Urgency,
)
from ...signals import calendar_changed
from ..widgets import (
    ChoiceWidget,
    CodesWidget,
    CodeWidget,
    DateWidget,
    IntegerWidget,
    YesNoWidget,
    cell_text,
)
from .base import ImportResource
from .columns import column

LEVEL_WORDS = {
    Level.CITY: ["市", "市级"],
    Level.DISTRICT: ["区", "县", "区县", "区（县）", "县级", "区级"],
    Level.TOWNSHIP: ["乡镇", "街道", "乡镇街道", "镇", "乡"],
    Level.VILLAGE: ["村", "社区", "村社区", "村（社区）"],
    Level.GRID: ["网格"],
}
KIND_WORDS = {
    Unit.Kind.CENTRE: ["指挥中心", "中心"],
    Unit.Kind.DEPARTMENT: ["部门", "职能部门"],
    Unit.Kind.TOWNSHIP: ["乡镇", "街道", "乡镇街道"],
    Unit.Kind.COMMUNITY: ["村", "社区", "村社区"],
    Unit.Kind.GRID: ["网格"],
    Unit.Kind.UTILITY: ["公共事业", "公用事业", "公共事业单位"],
}
ROUTING_WORDS = {
    DirectoryItem.Routing.NONE: ["无", "分类", "不派单"],
    DirectoryItem.Routing.SECTOR: ["行业", "部门", "行业派单"],
    DirectoryItem.Routing.TERRITORIAL: ["属地", "属地派单"],
}
CASE_TYPE_WORDS = {
    CaseType.CONSULTATION: ["咨询"], CaseType.HELP: ["求助"], CaseType.COMPLAINT: ["投诉"],
    CaseType.REPORT: ["举报"], CaseType.SUGGESTION: ["建议"], CaseType.PRAISE: ["表扬"],
}
URGENCY_WORDS = {
    Urgency.NORMAL: ["一般", "普通"], Urgency.URGENT: ["紧急", "急"], Urgency.VERY_URGENT: ["特急", "非常紧急"],
}
DAY_WORDS = {
    CalendarDay.Kind.HOLIDAY: ["节假日", "假日", "休", "休息", "放假", "法定节假日"],
    CalendarDay.Kind.MAKEUP_WORKDAY: ["调休", "补班", "上班", "班", "调休上班", "调休上班日"],
}


def code_column():
    return column("code", _l("Code"), ["编码", "代码"])


def active_column():
    return column("is_active", _l("Active"), ["启用", "是否启用", "有效"], widget=YesNoWidget(), default=True)


class RegionResource(ImportResource):
    code = code_column()
    name = column("name", _l("Name"), ["名称", "区域名称"])
    level = column("level", _l("Level"), ["层级", "级别"], widget=ChoiceWidget(Level, LEVEL_WORDS))
    parent = column("parent", _l("Parent code"), ["上级编码", "上级区域编码"], widget=CodeWidget(Region))
    aliases = column("aliases", _l("Aliases"), ["别名"])
    is_active = active_column()

    tree = True
    required_columns = ("code", "name", "level")

    class Meta:
        model = Region
        fields = ("code", "name", "level", "parent", "aliases", "is_active")
        import_id_fields = ("code",)


class UnitResource(ImportResource):
    code = code_column()
    name = column("name", _l("Name"), ["名称", "单位名称"])
    kind = column("kind", _l("Kind"), ["类型", "单位类型"], widget=ChoiceWidget(Unit.Kind, KIND_WORDS))
    level = column("level", _l("Level"), ["层级", "级别"], widget=ChoiceWidget(Level, LEVEL_WORDS))
    parent = column("parent", _l("Parent code"), ["上级编码", "上级单位编码"], widget=CodeWidget(Unit))
    region = column("region", _l("Region code"), ["区域编码", "所属区域编码"], widget=CodeWidget(Region))
    phone = column("phone", _l("Duty phone"), ["值班电话", "电话"])
    is_active = active_column()

    tree = True
    required_columns = ("code", "name", "kind", "level")

    class Meta:
        model = Unit
        fields = ("code", "name", "kind", "level", "parent", "region", "phone", "is_active")
        import_id_fields = ("code",)


class UserWidget(CodeWidget):
    """A user account by username; a missing one is made (with no usable
    password: an administrator sets it) when the import is applied."""

    def clean(self, value, row=None, **kwargs):
        username = cell_text(value)
        if not username:
            return None
        users = self.resource.lookup(self.model, "username")
        if username not in users:
            user = self.model(username=username)
            user.set_unusable_password()
            users[username] = user
        return users[username]


class StaffResource(ImportResource):
    name = column("name", _l("Name"), ["姓名", "名称"])
    unit = column("unit", _l("Unit code"), ["单位编码", "所属单位编码"], widget=CodeWidget(Unit))
    roles = column("roles", _l("Roles"), ["角色"], widget=CodesWidget(Role, field="code", also_by="name", choices=Role.Code))
    phone = column("phone", _l("Phone"), ["电话", "联系电话", "手机"])
    skills = column("skills", _l("Skills"), ["技能", "专长"])
    is_active = active_column()
    user = column("user", _l("Username"), ["用户名", "登录名", "账号"], widget=UserWidget(get_user_model(), field="username"))

    key_fields = ("unit", "name")
    required_columns = ("name", "unit")

    class Meta:
        model = StaffProfile
        fields = ("name", "unit", "roles", "phone", "skills", "is_active", "user")
        import_id_fields = ("name", "unit")

    def lookup_queryset(self, model):
        qs = super().lookup_queryset(model)
        if model is StaffProfile:
            qs = qs.select_related("unit", "user")
        return qs

    def _staff_maps(self):
        if "staff" not in self._maps:
            by_user, by_unit_name = {}, {}
            for profile in self.lookup(StaffProfile, "pk").values():
                if profile.user_id:
                    by_user[profile.user.username] = profile
                by_unit_name[(profile.unit.code, profile.name)] = profile
            self._maps["staff"] = (by_user, by_unit_name)
        return self._maps["staff"]

    def row_key(self, row):
        username_col = self.fields["user"].column_name
        username = cell_text(row.get(username_col)) if username_col in row else ""
        if username:
            return ("user", username)
        name = cell_text(row.get(self.fields["name"].column_name))
        unit = cell_text(row.get(self.fields["unit"].column_name))
        return ("unit", unit, name) if name and unit else None

    def _cell(self, row, name):
        column_name = self.fields[name].column_name
        return cell_text(row.get(column_name)) if column_name in row else ""

    def existing_instance(self, row):
        by_user, by_unit_name = self._staff_maps()
        username = self._cell(row, "user")
        if username and username in by_user:
            return by_user[username]
        profile = by_unit_name.get((self._cell(row, "unit"), self._cell(row, "name")))
        if profile is not None and username and profile.user_id and profile.user.username != username:
            return None  # the same name in the unit, but another person's account
        return profile

    def register(self, instance):
        by_user, by_unit_name = self._staff_maps()
        by_unit_name[(instance.unit.code, instance.name)] = instance
        if instance.user is not None:
            by_user[instance.user.username] = instance

    def validate_row(self, instance):
        user = instance.user
        if user is not None and user.pk is not None:
            by_user, _by_unit = self._staff_maps()
            other = by_user.get(user.username)
            if other is not None and other is not instance:
                raise ValidationError({"user": _("The account “%(username)s” already belongs to %(staff)s.") % {
                    "username": user.username, "staff": other,
                }})

    def save_instance(self, instance, is_create, row, **kwargs):
        if instance.user is not None and instance.user.pk is None:
            instance.user.save()
        super().save_instance(instance, is_create, row, **kwargs)


class DirectoryItemResource(ImportResource):
    code = code_column()
    name = column("name", _l("Name"), ["名称", "事项名称", "目录名称"])
    parent = column("parent", _l("Parent code"), ["上级编码", "上级目录编码", "所属分类编码"], widget=CodeWidget(DirectoryItem))
    routing = column(
        "routing", _l("Routing"), ["派单方式", "派单类型"], widget=ChoiceWidget(DirectoryItem.Routing, ROUTING_WORDS),
        default=DirectoryItem.Routing.NONE,
    )
    sector_unit = column("sector_unit", _l("Sector unit code"), ["行业单位编码", "承办单位编码"], widget=CodeWidget(Unit))
    territorial_level = column(
        "territorial_level", _l("Territorial level"), ["属地层级"], widget=ChoiceWidget(Level, LEVEL_WORDS),
    )
    co_handlers = column("co_handlers", _l("Co-handling unit codes"), ["协办单位编码"], widget=CodesWidget(Unit))
    keywords = column("keywords", _l("Keywords"), ["关键词"])
    default_case_type = column(
        "default_case_type", _l("Default case type"), ["默认诉求类型", "诉求类型"],
        widget=ChoiceWidget(CaseType, CASE_TYPE_WORDS), default="",
    )
    default_urgency = column(
        "default_urgency", _l("Default urgency"), ["默认紧急程度", "紧急程度"],
        widget=ChoiceWidget(Urgency, URGENCY_WORDS), default=Urgency.NORMAL,
    )
    sort_order = column("sort_order", _l("Sort order"), ["排序", "序号"], widget=IntegerWidget(), default=0)
    is_active = active_column()

    tree = True
    required_columns = ("code", "name")

    class Meta:
        model = DirectoryItem
        fields = (
            "code", "name", "parent", "routing", "sector_unit", "territorial_level", "co_handlers", "keywords",
            "default_case_type", "default_urgency", "sort_order", "is_active",
        )
        import_id_fields = ("code",)

    def import_data(self, *args, **kwargs):
        from ...services.config_checks import preloaded_units

        # Every item's clean() checks its routing: the staffed levels are
        # read once for the file, not once per territorial item.
        with preloaded_units():
            return super().import_data(*args, **kwargs)

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        try:
            super().validate_instance(instance, import_validation_errors, validate_unique)
        except ValidationError as exc:
            if instance.routing != DirectoryItem.Routing.NONE:
                raise
            # Whether a category has items below it depends on the rows
            # still to come: that rule is checked on the whole file.
            errors = {
                field: kept for field, messages in exc.error_dict.items()
                if (kept := [m for m in messages if getattr(m, "code", None) != "routes_nowhere"])
            }
            if errors:
                raise ValidationError(errors) from None

    def check_whole_file(self):
        from ...services.config_checks import routing_problem

        items = self.lookup(DirectoryItem, "code").values()
        active_children = {}
        for item in items:
            if item.is_active and item.parent is not None:
                key = id(item.parent)
                active_children[key] = active_children.get(key, 0) + 1
        for item in self.changed_instances:
            if item.routing != DirectoryItem.Routing.NONE or not item.is_active:
                continue
            problem = routing_problem(item, active_children=active_children.get(id(item), 0))
            if problem:
                field, message = problem
                self.add_error(item._import_line, self.column_label(field), message)


class ReplyTemplateResource(ImportResource):
    title = column("title", _l("Title"), ["标题", "答复口径标题"])
    directory_items = column(
        "directory_items", _l("Directory item codes"), ["目录编码", "派单目录编码"], widget=CodesWidget(DirectoryItem),
    )
    case_type = column(
        "case_type", _l("Case type"), ["诉求类型"], widget=ChoiceWidget(CaseType, CASE_TYPE_WORDS), default="",
    )
    keywords = column("keywords", _l("Keywords"), ["关键词"])
    body = column("body", _l("Body"), ["正文", "答复内容", "答复口径"])
    policy_basis = column("policy_basis", _l("Policy basis"), ["政策依据", "依据"])
    is_active = active_column()

    key_fields = ("title",)
    required_columns = ("title", "body")

    class Meta:
        model = ReplyTemplate
        fields = ("title", "directory_items", "case_type", "keywords", "body", "policy_basis", "is_active")
        import_id_fields = ("title",)


class CalendarDayResource(ImportResource):
    date = column("date", _l("Date"), ["日期"], widget=DateWidget())
    kind = column("kind", _l("Kind"), ["类型", "日期类型"], widget=ChoiceWidget(CalendarDay.Kind, DAY_WORDS))
    name = column("name", _l("Holiday name"), ["名称", "节日名称", "节假日名称"])

    key_fields = ("date",)
    required_columns = ("date", "kind")

    class Meta:
        model = CalendarDay
        fields = ("date", "kind", "name")
        import_id_fields = ("date",)

    def after_write(self, *, dry_run):
        years = sorted({day.date.year for day in self.changed_instances})
        if not years:
            return
        # A year an administrator fills in by import is a published year.
        known = set(CalendarYear.objects.filter(year__in=years).values_list("year", flat=True))
        CalendarYear.objects.bulk_create([
            CalendarYear(year=y, source=CalendarYear.Source.MANUAL, is_published=True,
                         note=_("Imported from a spreadsheet"))
            for y in years if y not in known
        ])
        if not dry_run:
            # bulk writes send no post_save: open cases' deadlines are
            # recomputed once the import commits.
            calendar_changed.send(sender=CalendarDay, years=years)
