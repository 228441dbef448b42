"""The inventory as CSV: all or nothing in, a report row by row, an export that reads back."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from audit.models import AuditEntry
from lending.inventory_csv import devices_export, devices_import
from lending.models import Device, DeviceEvent
from tests.cast import signed_in, text, url
from tests.lending.helpers import device

pytestmark = pytest.mark.django_db

HEADER = "asset_tag,kind,make_model,serial_number,source,source_note,accessories,condition,notes\n"


def rows(count: int, start: int = 1) -> str:
    return "".join(
        f"LAP-{n:04d},laptop,Lenovo ThinkPad E14,SN{n},donated,Rotary,charger|bag,good,\n"
        for n in range(start, start + count)
    )


def test_a_thousand_devices_are_added_at_once(cast):
    report = devices_import(
        actor=cast.coordinator, site=cast.gent_a, raw=(HEADER + rows(1000)).encode()
    )

    assert (report.ok, report.added) == (True, 1000)
    first = Device.objects.get(asset_tag="LAP-0001")
    assert (first.site, first.accessories, first.source) == (
        cast.gent_a,
        ["charger", "bag"],
        "donated",
    )
    assert DeviceEvent.objects.filter(kind="added").count() == 1000
    assert AuditEntry.objects.get(action="device.import").changes == {"added": 1000}


def test_one_bad_row_among_a_thousand_adds_nothing_and_says_which(cast):
    device(cast.gent_b, "LAP-0500")  # same organisation, another site
    bad = (
        HEADER
        + rows(499)
        + "LAP-0500,laptop,Lenovo,,,,,,\n"  # the tag is taken in the organisation
        + "LAP-0501,fridge,Lenovo,,,,,,\n"  # not a kind
        + rows(498, start=502)
        + "LAP-0001,laptop,Lenovo,,,,,,\n"  # twice in the file
    )

    report = devices_import(actor=cast.coordinator, site=cast.gent_a, raw=bad.encode())

    assert not report.ok
    assert report.added == 0
    assert Device.objects.count() == 1
    lines = {line for line, _message in report.problems}
    assert lines == {501, 502, 1001}
    messages = dict(report.problems)
    assert "LAP-0500" in messages[501]
    assert "fridge" in messages[502]
    assert "also on line 2" in messages[1001]


@pytest.mark.parametrize(
    ("raw", "words"),
    [
        (b"\xff\xfe\x00garbage", "UTF-8"),
        (b"tag;name\nA;B\n", "missing: asset_tag, kind, make_model"),
        (HEADER.encode(), "no devices"),
        ((HEADER.rstrip() + ",colour\n" + "A,laptop,X,,,,,,,red\n").encode(), "Unknown columns"),
    ],
)
def test_a_malformed_file_is_refused_with_a_clear_message(cast, raw, words):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as error:
        devices_import(actor=cast.coordinator, site=cast.gent_a, raw=raw)

    assert words in " ".join(error.value.messages)
    assert not Device.objects.exists()


def test_the_export_reads_back_at_another_site_and_guards_formulas(cast):
    device(cast.gent_a, "LAP-1", notes='=HYPERLINK("http://x")', accessories=["charger"])
    exported = devices_export(cast.gent_a)
    assert "'=HYPERLINK" in exported

    moved = exported.replace("LAP-1", "LAP-2")
    report = devices_import(actor=cast.coordinator, site=cast.aalst, raw=moved.encode("utf-8-sig"))

    assert report.ok
    copy = Device.objects.get(asset_tag="LAP-2")
    assert copy.notes == '=HYPERLINK("http://x")'
    assert copy.accessories == ["charger"]


def test_the_import_page_reports_row_by_row_and_keeps_nothing(cast):
    client = signed_in(cast.coordinator)
    upload = SimpleUploadedFile(
        "devices.csv", (HEADER + rows(3) + "LAP-0009,fridge,X,,,,,,\n").encode(), "text/csv"
    )

    response = client.post(url("lending:import", site_id=cast.gent_a.pk), {"file": upload})

    assert response.status_code == 400
    page = text(response)
    assert "Nothing was added" in page
    assert "Row 5" in page
    assert not Device.objects.exists()
    csv = client.get(url("lending:export", site_id=cast.gent_a.pk))
    assert csv["Content-Type"].startswith("text/csv")


def test_the_xlsx_export_has_the_same_table_with_text_kept_as_text(cast):
    import io

    from openpyxl import load_workbook

    device(cast.gent_a, "LAP-1", notes='=HYPERLINK("http://x")', accessories=["charger", "bag"])
    device(cast.aalst, "LAP-OTHER")  # another organisation's device is not in the file
    client = signed_in(cast.volunteer)

    response = client.get(url("lending:export-xlsx", site_id=cast.gent_a.pk))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert ".xlsx" in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.content)).active
    table = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert table[0] == [*HEADER.strip().split(","), "status"]
    assert len(table) == 2
    assert table[1][0] == "LAP-1"
    assert table[1][6] == "charger|bag"
    assert table[1][8] == '=HYPERLINK("http://x")'
    assert sheet.cell(row=2, column=9).data_type == "s"  # a string, not a formula
    assert table[1][9] == "available"


def test_an_exported_csv_with_its_status_column_imports_again(cast):
    device(cast.gent_a, "LAP-1", status=Device.Status.ON_LOAN)
    exported = devices_export(cast.gent_a).replace("LAP-1", "LAP-2")

    report = devices_import(actor=cast.coordinator, site=cast.gent_a, raw=exported.encode())

    assert report.ok
    assert Device.objects.get(asset_tag="LAP-2").status == Device.Status.AVAILABLE


def test_control_characters_do_not_stop_the_xlsx_export(cast):
    import io

    from openpyxl import load_workbook

    from lending.inventory_csv import devices_export_xlsx

    device(cast.gent_a, "LAP-1", notes="charger\x0bmissing")

    sheet = load_workbook(io.BytesIO(devices_export_xlsx(cast.gent_a))).active

    assert sheet.cell(row=2, column=9).value == "chargermissing"
