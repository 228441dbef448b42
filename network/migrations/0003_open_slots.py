"""Each site's quarter hours of the week in which it may be open, derived from its opening hours
(docs/decisions/0003-open-now-slots.md). Existing sites get theirs computed here; from now on
`Site.save` keeps the mask in step with the hours."""

from django.db import migrations, models

import network.week_mask


def fill_open_slots(apps, schema_editor):
    Site = apps.get_model("network", "Site")
    batch = []
    for site in Site.objects.only("pk", "opening_hours").iterator(chunk_size=2000):
        site.open_slots = network.week_mask.weekly_slots(site.opening_hours)
        batch.append(site)
        if len(batch) >= 2000:
            Site.objects.bulk_update(batch, ["open_slots"])
            batch = []
    Site.objects.bulk_update(batch, ["open_slots"])


class Migration(migrations.Migration):
    dependencies = [
        ("network", "0002_themes"),
    ]

    operations = [
        migrations.AddField(
            model_name="site",
            name="open_slots",
            field=models.CharField(
                default=network.week_mask.every_slot, editable=False, max_length=168
            ),
        ),
        migrations.RunPython(fill_open_slots, migrations.RunPython.noop),
    ]
