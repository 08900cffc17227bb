"""The directory import's shortcuts keep every check: the staffed levels
read once per import, each value-only field check done once per distinct
value, the fast XLSX reader."""

import datetime
import io

import openpyxl
import pytest
from django.contrib.auth import get_user_model

from snippets.imports.xlsx import WorkbookRefused, read_first_sheet
from snippets.models import DirectoryItem, ImportJob, Level, Unit
from snippets.services.config_checks import preloaded_units, routing_problem
from tests.factories import RegionFactory, UnitFactory

from .imports_helpers import DIRECTORY_HEADERS, run_import

pytestmark = pytest.mark.django_db
S = ImportJob.Status


@pytest.fixture
def admin():
    return get_user_model().objects.create_superuser("importer", password="x")


@pytest.fixture
def township_unit():
    town = RegionFactory(code="town", level=Level.TOWNSHIP, parent=RegionFactory(code="city", level=Level.CITY))
    return UnitFactory(code="t1", name="一镇", kind=Unit.Kind.TOWNSHIP, level=Level.TOWNSHIP, region=town)


def category(code="A"):
    return [code, "市政设施", "", "无", "", "", "", "", "", "", 0, "是"]


def territorial(code, level):
    return [code, f"事项{code}", "A", "属地", "", level, "", "", "", "", 1, "是"]


def test_every_territorial_row_to_an_unstaffed_level_is_refused(admin, township_unit):
    # given townships are staffed but villages are not
    rows = [category(), territorial("A01", "乡镇"), territorial("A02", "村"), territorial("A03", "村")]
    job = run_import("directory", DIRECTORY_HEADERS, rows, admin)
    # then each village row gets the routing message, the township row none
    assert job.status == S.INVALID
    with preloaded_units():
        expected = routing_problem(
            DirectoryItem(name="事项A02", routing="territorial", territorial_level=Level.VILLAGE),
        )[1]
    assert [(e["row"], e["field"]) for e in job.errors] == [(4, "属地层级"), (5, "属地层级")]
    assert job.errors[0]["message"] == expected
    assert not DirectoryItem.objects.exists()


def test_the_staffed_levels_are_read_once_and_say_the_same_as_the_database(township_unit, django_assert_num_queries):
    village = DirectoryItem(name="村级事项", routing="territorial", territorial_level=Level.VILLAGE)
    town = DirectoryItem(name="镇级事项", routing="territorial", territorial_level=Level.TOWNSHIP)
    outside = [routing_problem(village), routing_problem(town)]
    with django_assert_num_queries(1), preloaded_units():
        inside = [routing_problem(village) for _ in range(5)] + [routing_problem(town)]
    assert outside[0] is not None and outside[1] is None
    assert inside == [outside[0]] * 5 + [None]
    # a unit closed after the block is seen again by the next check
    township_unit.is_active = False
    township_unit.save()
    assert routing_problem(town) is not None


def test_a_bad_value_repeated_on_several_rows_is_reported_on_each(admin, township_unit):
    long_name = "长" * 201
    rows = [
        category(),
        ["A01", long_name, "A", "属地", "", "乡镇", "", "", "", "", 1, "是"],
        ["A02", long_name, "A", "属地", "", "乡镇", "", "", "", "", 2, "是"],
        ["A03", "正常", "A", "属地", "", "乡镇", "", "", "", "", -1, "是"],
        ["A04", "正常二", "A", "属地", "", "乡镇", "", "", "", "", -1, "是"],
    ]
    job = run_import("directory", DIRECTORY_HEADERS, rows, admin)
    assert job.status == S.INVALID
    by_row = {(e["row"], e["field"]) for e in job.errors}
    assert by_row == {(3, "名称"), (4, "名称"), (5, "排序"), (6, "排序")}
    assert all(e["message"] for e in job.errors)


def _book(fill):
    book = openpyxl.Workbook()
    fill(book.active)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _openpyxl_rows(data):
    book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    return [[None if v == "" else v for v in row] for row in book.worksheets[0].iter_rows(values_only=True)]


def test_the_xlsx_reader_reads_what_openpyxl_reads():
    def plain(sheet):
        sheet.append(["编码", "名称 & <x>", "日期", "是否"])
        sheet.append(["A", 1.5, datetime.date(2025, 10, 1), True])
        sheet.append([None, -3, 7, False])
        sheet["F5"] = "后面"

    def with_formula(sheet):
        plain(sheet)
        sheet["A7"] = "=1+1"

    data = _book(plain)
    ours = [values for _number, values in read_first_sheet(data) if any(v is not None for v in values)]
    theirs = [row for row in _openpyxl_rows(data) if any(v is not None for v in row)]
    assert [values + [None] * (len(theirs[0]) - len(values)) for values in ours] == theirs
    assert [number for number, _values in read_first_sheet(_book(plain))] == [1, 2, 3, 5]
    # A formula is refused with its cell, not read as its cached value (tests/snippets/test_import_malformed.py).
    with pytest.raises(WorkbookRefused) as refused:
        read_first_sheet(_book(with_formula))
    assert refused.value.cells == ["A7"]
