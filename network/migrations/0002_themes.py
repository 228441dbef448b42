"""Seed the shared theme taxonomy so that every database, tests included, has it."""

from django.db import migrations


def forwards(apps, schema_editor):
    from network.themes import themes_ensure

    themes_ensure(apps.get_model("network", "Theme"))


class Migration(migrations.Migration):
    dependencies = [("network", "0001_initial")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
