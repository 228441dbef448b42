"""The inventory as a CSV file: a whole site's devices in, and out.

Import is all or nothing: every row is checked first (the columns, each value, a tag twice in the
file or already used in the organisation), and a single refused row means nothing is added; the
report says, row by row, what is wrong, in the staff member's language. Export writes the same
columns, so an exported file can be corrected and imported at another site.

The columns (a header row, in this order or any other; "," or ";" between values, UTF-8 with or
without a byte order mark, as spreadsheets save it): `asset_tag`, `kind`, `make_model`,
`serial_number`, `source`, `source_note`, `accessories` (separated by "|"), `condition`, `notes`.
Kinds, sources and conditions are the codes the export writes (`laptop`, `donated`, `good`...).
The export adds `status`, which the import reads past (a device comes in available). The same
table downloads as XLSX (`devices_export_xlsx`, through `core.spreadsheets`).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from audit.services import log_action
from core.spreadsheets import xlsx_bytes
from lending import holds
from lending.models import Device, DeviceEvent, Hold
from lending.services import inventory_to_directory
from network.models import Site

COLUMNS = (
    "asset_tag",
    "kind",
    "make_model",
    "serial_number",
    "source",
    "source_note",
    "accessories",
    "condition",
    "notes",
)
REQUIRED = ("asset_tag", "kind", "make_model")
# Written by the export, read past by the import: an imported device comes in available.
EXPORT_ONLY = ("status",)
ACCESSORY_SEPARATOR = "|"
MAX_BYTES = 2_000_000
MAX_ROWS = 5000


@dataclass
class ImportReport:
    """What an import found: the devices it added (none when any row is refused), and per
    refused row its line in the file and what is wrong."""

    added: int = 0
    rows: int = 0
    problems: list[tuple[int, str]] = field(default_factory=list)  # (line, message)

    @property
    def ok(self) -> bool:
        return not self.problems


def _text(raw: bytes) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationError(
            _("This file is not in UTF-8. Save it from your spreadsheet as “CSV UTF-8”."),
            code="encoding",
        ) from None


def _reader(text: str) -> csv.DictReader[str]:
    first = text.splitlines()[0] if text.strip() else ""
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.DictReader(io.StringIO(text), delimiter=delimiter)
    header = [name.strip().lower() for name in (reader.fieldnames or [])]
    missing = [name for name in REQUIRED if name not in header]
    if missing:
        raise ValidationError(
            _("The first row must name the columns; missing: %(columns)s.")
            % {"columns": ", ".join(missing)},
            code="header",
        )
    unknown = [name for name in header if name and name not in (*COLUMNS, *EXPORT_ONLY)]
    if unknown:
        raise ValidationError(
            _("Unknown columns: %(columns)s. Use: %(known)s.")
            % {"columns": ", ".join(unknown), "known": ", ".join(COLUMNS)},
            code="header",
        )
    reader.fieldnames = header
    return reader


def devices_import(*, actor: User, site: Site, raw: bytes) -> ImportReport:
    """Add the devices of a CSV file to `site`'s inventory, all or none (see the module)."""
    if len(raw) > MAX_BYTES:
        raise ValidationError(
            _("This file is too large (at most %(max)d MB). Split it.")
            % {"max": MAX_BYTES // 10**6},
            code="too_large",
        )
    try:
        rows = list(_reader(_text(raw)))
    except csv.Error as error:
        raise ValidationError(
            _("This file cannot be read as CSV (%(error)s).") % {"error": error}, code="csv"
        ) from None
    if not rows:
        raise ValidationError(_("This file has no devices under its header row."), code="empty")
    if len(rows) > MAX_ROWS:
        raise ValidationError(
            _("At most %(max)d devices at once. Split the file.") % {"max": MAX_ROWS},
            code="too_many",
        )
    report = ImportReport(rows=len(rows))
    taken = set(
        Device.objects.filter(organisation_id=site.organisation_id).values_list(
            "asset_tag", flat=True
        )
    )
    seen: dict[str, int] = {}
    devices: list[Device] = []
    for line, row in enumerate(rows, start=2):  # line 1 is the header
        device, problems = _device(site, row, line, taken, seen)
        report.problems.extend((line, problem) for problem in problems)
        if device is not None:
            devices.append(device)
    if not report.ok:
        return report
    now = timezone.now()
    with transaction.atomic():
        created = Device.objects.bulk_create(devices, batch_size=500)
        DeviceEvent.objects.bulk_create(
            [
                DeviceEvent(
                    device=device,
                    kind=DeviceEvent.Kind.ADDED,
                    at=now,
                    actor=actor,
                    actor_label=str(actor),
                    note=_("CSV import"),
                )
                for device in created
            ],
            batch_size=500,
        )
        log_action(
            actor=actor,
            action="device.import",
            target=site,
            changes={"added": len(created)},
            site=site,
        )
        inventory_to_directory(site.pk)
        # New devices go first to those waiting for their kind, as a device added by hand does.
        waiting = set(
            Hold.objects.filter(site=site, status=Hold.Status.WAITING).values_list(
                "kind", flat=True
            )
        )
        for device in created:
            if device.kind in waiting and holds.offer_to_next(device, actor, now) is None:
                waiting.discard(device.kind)
    report.added = len(created)
    return report


def _device(
    site: Site, row: dict[str, str | None], line: int, taken: set[str], seen: dict[str, int]
) -> tuple[Device | None, list[str]]:
    from lending.services import normalise_tag

    values = {name: _unguarded(" ".join((row.get(name) or "").split())) for name in COLUMNS}
    problems: list[str] = []
    tag = normalise_tag(values["asset_tag"])
    if not tag:
        problems.append(_("The tag is empty."))
    elif tag in taken:
        problems.append(
            _("Another device of your organisation has the tag %(tag)s.") % {"tag": tag}
        )
    elif tag in seen:
        problems.append(
            _("The tag %(tag)s is also on line %(line)d.") % {"tag": tag, "line": seen[tag]}
        )
    else:
        seen[tag] = line
    choices = (
        ("kind", Device.Kind, _("kind"), ""),
        ("source", Device.Source, _("source"), Device.Source.BOUGHT),
        ("condition", Device.Condition, _("condition"), Device.Condition.GOOD),
    )
    chosen: dict[str, str] = {}
    for name, options, label, default in choices:
        value = values[name].lower() or default
        if value not in options.values:
            problems.append(
                _("“%(value)s” is not a %(what)s; use one of %(codes)s.")
                % {"value": values[name], "what": label, "codes": ", ".join(options.values)}
            )
        chosen[name] = value
    if not values["make_model"]:
        problems.append(_("Say what it is in make_model, for example “Lenovo ThinkPad E14”."))
    limits = {"make_model": 120, "serial_number": 80, "source_note": 120, "notes": 500}
    for name, limit in limits.items():
        if len(values[name]) > limit:
            problems.append(
                _("%(column)s is longer than %(max)d characters.") % {"column": name, "max": limit}
            )
    if problems:
        return None, problems
    accessories = [
        " ".join(item.split())
        for item in values["accessories"].split(ACCESSORY_SEPARATOR)
        if item.strip()
    ]
    device = Device(
        site=site,
        organisation_id=site.organisation_id,
        asset_tag=tag,
        kind=chosen["kind"],
        make_model=values["make_model"],
        serial_number=values["serial_number"],
        source=chosen["source"],
        source_note=values["source_note"],
        accessories=list(dict.fromkeys(accessories)),
        condition=chosen["condition"],
        notes=values["notes"],
    )
    return device, []


# A cell that starts like a formula is written with an apostrophe before it, so a spreadsheet
# shows it as text instead of running it (CSV injection); the import takes the apostrophe off.
_FORMULA_STARTS = ("=", "+", "-", "@")


def _guarded(value: str) -> str:
    return f"'{value}" if value.startswith(_FORMULA_STARTS) else value


def _unguarded(value: str) -> str:
    return value[1:] if value.startswith("'") and value[1:].startswith(_FORMULA_STARTS) else value


def _export_rows(site: Site) -> Iterator[list[str]]:
    for device in Device.objects.filter(site=site).order_by("asset_tag"):
        yield [
            device.asset_tag,
            device.kind,
            device.make_model,
            device.serial_number,
            device.source,
            device.source_note,
            ACCESSORY_SEPARATOR.join(device.accessories),
            device.condition,
            device.notes,
            device.status,
        ]


def devices_export(site: Site) -> str:
    """The site's devices as CSV, in the columns the import reads (and the status, which the
    import leaves aside: a device comes in available)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([*COLUMNS, *EXPORT_ONLY])
    for row in _export_rows(site):
        writer.writerow([_guarded(value) for value in row])
    return out.getvalue()


def devices_export_xlsx(site: Site) -> bytes:
    """The same table as `devices_export`, as an XLSX workbook (text cells stay text)."""
    return xlsx_bytes(str(_("Devices")), [*COLUMNS, *EXPORT_ONLY], _export_rows(site))
