"""Seed the list of organisations and apps questions are about, so every database has it."""

from django.db import migrations


def forwards(apps, schema_editor):
    from questions.concerns import concerns_ensure

    concerns_ensure(apps.get_model("questions", "Concern"))


class Migration(migrations.Migration):
    dependencies = [("questions", "0001_initial")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
