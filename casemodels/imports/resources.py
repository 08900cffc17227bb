"""The historical-case resource: the whole file goes through
``casemodels.services.history.import_historical_cases`` (the bulk path);
the resource only reads cells with its columns' widgets and reports the
service's refusals against their row."""

from django.utils.translation import gettext_lazy as _l
from import_export.results import RowResult

from snippets.imports.resources.base import ROW_KEY, ImportResource
from snippets.imports.resources.columns import column
from snippets.imports.resources.config import CASE_TYPE_WORDS, URGENCY_WORDS
from snippets.imports.widgets import ChoiceWidget, DateTimeWidget, cell_text
from snippets.models import CaseType, Urgency

from ..models import Case, CaseState
from ..services.history import import_historical_cases

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

    def import_data(self, dataset, dry_run=False, raise_errors=False, use_transactions=None,
                    collect_failed_rows=False, rollback_on_validation_errors=False, **kwargs):
        """The whole file through ``import_historical_cases`` at once (the
        bulk path): cells are read by the columns' widgets, every row is
        checked by the service, and the rows are written together, all or
        nothing. The import job's transaction wraps it (``_run``)."""
        result = self.get_result_class()()
        headers = dataset.headers
        line_at = headers.index(ROW_KEY)
        plan = [(headers.index(f.column_name), f.attribute, f.widget.clean)
                for f in self.import_columns() if f.column_name in headers]
        rows, cells, bad_rows = [], {}, set()
        for values in dataset:
            line = values[line_at]
            arguments = {}
            for index, attribute, clean in plan:
                try:
                    value = clean(values[index])
                except ValueError as exc:
                    self.add_error(line, self.column_label(attribute), exc)
                    bad_rows.add(line)
                    continue
                if value not in (None, ""):
                    arguments[attribute] = value
            if len(cells) < self.preview_limit:
                cells[line] = values
            rows.append((line, arguments))
        outcome = import_historical_cases(
            acting_user=self.acting_user, rows=[r for r in rows if r[0] not in bad_rows],
            dry_run=dry_run or bool(bad_rows), progress=self.progress,
        )
        for refusal in outcome.errors:
            self.add_error(refusal.row, self.column_label(ARGUMENT_COLUMNS.get(refusal.field, refusal.field)),
                           refusal.message)
        self.row_errors.sort(key=lambda e: e["row"] or 0)
        self.processed = len(rows)
        if self.row_errors:
            self.counts["invalid"] = len({e["row"] for e in self.row_errors})
            return result
        self.counts["new"], self.counts["skip"] = len(outcome.created), len(outcome.skipped)
        for line, _pk, number, title in outcome.created[:self.preview_limit]:
            changes = [[self.column_label(attribute), "", cell_text(cells[line][index])]
                       for index, attribute, _clean in plan if line in cells and cell_text(cells[line][index])]
            self.preview.append({"row": line, "type": RowResult.IMPORT_TYPE_NEW,
                                 "object": f"{number} {title}".strip(), "changes": changes})
        return result
