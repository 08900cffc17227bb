"""The historical-case resource: rows go through
``casemodels.services.history.import_historical_case``; the resource only
reads cells and reports the service's refusals against their row."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _l
from import_export.results import RowResult

from snippets.imports.resources.base import ImportResource
from snippets.imports.resources.columns import column
from snippets.imports.resources.config import CASE_TYPE_WORDS, URGENCY_WORDS
from snippets.imports.widgets import ChoiceWidget, DateTimeWidget, cell_text
from snippets.models import CaseType, Urgency

from ..models import Case, CaseState
from ..services.base import CaseActionError
from ..services.history import import_historical_case

STATE_WORDS = {CaseState.CLOSED: ["办结", "已办结", "结案", "已结案"], CaseState.ARCHIVED: ["归档", "已归档"]}
# Service argument -> resource column, for reporting the service's errors.
ARGUMENT_COLUMNS = {"owner_unit": "unit"}


class HistoricalCaseResource(ImportResource):
    external_id = column("external_id", _l("Original case number"), ["原工单号", "原编号", "工单编号", "工单号"])
    channel = column("channel", _l("Channel code"), ["渠道编码", "渠道"])
    case_type = column("case_type", _l("Case type"), ["诉求类型"], widget=ChoiceWidget(CaseType, CASE_TYPE_WORDS))
    urgency = column("urgency", _l("Urgency"), ["紧急程度"], widget=ChoiceWidget(Urgency, URGENCY_WORDS))
    title = column("title", _l("Title"), ["标题"])
    content = column("content", _l("Content"), ["诉求内容", "内容"])
    address = column("address", _l("Address"), ["地址"])
    region = column("region", _l("Region code"), ["区域编码"])
    citizen_name = column("citizen_name", _l("Citizen's name"), ["市民姓名", "姓名"])
    citizen_phone = column("citizen_phone", _l("Citizen's phone"), ["联系电话", "电话"])
    directory_item = column("directory_item", _l("Directory item code"), ["目录编码", "派单目录编码"])
    unit = column("unit", _l("Unit code"), ["承办单位编码", "单位编码"])
    received_at = column("received_at", _l("Received at"), ["受理时间"], widget=DateTimeWidget())
    replied_at = column("replied_at", _l("Replied at"), ["答复时间"], widget=DateTimeWidget())
    closed_at = column("closed_at", _l("Closed at"), ["办结时间"], widget=DateTimeWidget())
    reply = column("reply", _l("Reply"), ["答复内容", "办理结果"])
    state = column("state", _l("State"), ["状态"], widget=ChoiceWidget(CaseState, STATE_WORDS))

    key_fields = ("channel", "external_id")
    required_columns = ("external_id", "channel", "content", "received_at", "closed_at")

    class Meta:
        model = Case
        use_bulk = False
        fields = (
            "external_id", "channel", "case_type", "urgency", "title", "content", "address", "region",
            "citizen_name", "citizen_phone", "directory_item", "unit", "received_at", "replied_at", "closed_at",
            "reply", "state",
        )
        import_id_fields = ("external_id",)

    def existing_instance(self, row):
        key = self.row_key(row)
        if not key:
            return None
        channel, external_id = key
        return Case.objects.filter(channel__code=channel, external_id=external_id).first()

    def import_instance(self, instance, row, **kwargs):
        values, errors = {}, {}
        for field in self.import_columns():
            if field.column_name not in row:
                continue
            try:
                value = field.clean(row)
            except ValueError as exc:
                errors[field.attribute] = [ValidationError(str(exc), code="invalid")]
                continue
            if value not in (None, ""):
                values[field.attribute] = value
        instance._history = values
        instance._import_m2m = {}
        if errors:
            raise ValidationError(errors)

    def skip_row(self, instance, original, row, import_validation_errors=None):
        return not import_validation_errors and instance.pk is not None

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        if import_validation_errors:
            raise ValidationError(import_validation_errors)

    def save_instance(self, instance, is_create, row, **kwargs):
        values = dict(instance._history)
        try:
            case, _created = import_historical_case(
                acting_user=self.acting_user, source=cell_text(row.get("__row__")), **values,
            )
        except CaseActionError as exc:
            field = ARGUMENT_COLUMNS.get(exc.field, exc.field)
            raise ValidationError({field: exc.message} if field else exc.message) from None
        instance.pk, instance.number, instance.title = case.pk, case.number, case.title
        self.changed_instances.append(instance)

    def _add_preview(self, line, import_type, row):
        if len(self.preview) >= self.preview_limit or import_type != RowResult.IMPORT_TYPE_NEW:
            return
        instance = self.changed_instances[-1]
        changes = [
            [self.column_label(f.attribute), "", cell_text(row.get(f.column_name))]
            for f in self.import_columns() if f.column_name in row and cell_text(row.get(f.column_name))
        ]
        self.preview.append({"row": line, "type": import_type, "object": f"{instance.number} {instance.title}",
                             "changes": changes})
