"""The periodic jobs (deploy/scheduler.py): one list, each a real command, due when it says."""

from __future__ import annotations

import importlib.util
import sys
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from django.core.management import get_commands

REPO_ROOT = Path(__file__).resolve().parent.parent


def scheduler():
    spec = importlib.util.spec_from_file_location("scheduler", REPO_ROOT / "deploy/scheduler.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["scheduler"] = module
    spec.loader.exec_module(module)
    return module


def test_every_job_is_a_command_of_the_project_and_named_once():
    jobs = scheduler().JOBS
    commands = get_commands()

    assert len({job.name for job in jobs}) == len(jobs)
    assert [job.command[0] for job in jobs if job.command[0] not in commands] == []


def test_a_daily_job_is_due_once_a_day_in_brussels_time_also_in_summer():
    module = scheduler()
    purge = next(job for job in module.JOBS if job.name == "purge-personal-data")
    brussels = ZoneInfo("Europe/Brussels")
    day = [
        datetime(2026, 7, 1, hour, minute, tzinfo=brussels)
        for hour in range(24)
        for minute in range(60)
    ]

    assert [moment.strftime("%H:%M") for moment in day if purge.is_due(moment)] == ["03:15"]


def test_the_crontab_lines_name_each_command():
    module = scheduler()
    lines = [job.crontab() for job in module.JOBS]

    for job, line in zip(module.JOBS, lines, strict=True):
        assert line.split()[0].split(",")[0] == str(job.minute)
        assert f"manage.py {job.command[0]}" in line


def test_the_rollups_are_refreshed_every_five_minutes():
    module = scheduler()
    rollups = next(job for job in module.JOBS if job.name == "refresh-rollups")
    hour = [datetime(2026, 12, 7, 10, minute, tzinfo=UTC) for minute in range(60)]

    assert [m.minute for m in hour if rollups.is_due(m)] == list(range(2, 60, 5))
    assert rollups.crontab().startswith("2,7,12,17,22,27,32,37,42,47,52,57 * * * *")
