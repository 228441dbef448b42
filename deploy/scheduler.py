"""The periodic jobs of Digipunt, and a small clock that runs them (the compose file's `scheduler`).

`JOBS` is the one list of what runs when, in Brussels time. Three ways to run it:

- `python deploy/scheduler.py`: waits for each minute and runs the jobs due then, one after the
  other, in this container or machine (compose.yaml). Jobs missed while it was stopped are not
  made up for: every job is safe to run late or twice, and the next run does what was missed.
- `python deploy/scheduler.py --crontab`: prints the same schedule as crontab lines, for the
  host's cron (docs/operations.md shows them).
- `python deploy/scheduler.py --run NAME`: runs one job now (the systemd timers in deploy/systemd/
  start it this way).

Messages the jobs send (reminders) go through the task queue: the worker sends them.
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
BRUSSELS = ZoneInfo("Europe/Brussels")
logger = logging.getLogger("scheduler")
# A cron line's start: the application's folder and environment (docs/operations.md).
CRON_PREFIX = (
    "cd /srv/digipunt && set -a && . /etc/digipunt/digipunt.env && set +a && "
    "exec .venv/bin/python manage.py"
)


@dataclass(frozen=True)
class Job:
    name: str
    minute: int
    hour: int | None  # None: every hour
    command: tuple[str, ...]  # a manage.py command and its arguments
    why: str
    every_minutes: int | None = None  # instead of `minute`: every so many minutes of the hour

    def is_due(self, moment: datetime) -> bool:
        """Whether the job runs at `moment` (a minute, in Brussels time)."""
        local = moment.astimezone(BRUSSELS)
        if self.every_minutes:
            return local.minute % self.every_minutes == self.minute
        return local.minute == self.minute and self.hour in (None, local.hour)

    def crontab(self) -> str:
        hour = "*" if self.hour is None else str(self.hour)
        if self.every_minutes:
            minutes = ",".join(str(m) for m in range(self.minute, 60, self.every_minutes))
            return f"{minutes} * * * *  {CRON_PREFIX} {' '.join(self.command)}"
        arguments = " ".join(f"'{part}'" if "*" in part else part for part in self.command)
        return f"{self.minute} {hour} * * *  {CRON_PREFIX} {arguments}"


JOBS = (
    Job(
        "refresh-rollups",
        2,
        None,
        ("refresh_rollups",),
        "the evidence's rollups: the days changed since the last run, recounted",
        every_minutes=5,
    ),
    Job(
        "appointment-reminders",
        5,
        None,
        ("send_appointment_reminders",),
        "appointments 12 to 36 hours ahead, once each",
    ),
    Job(
        "course-reminders",
        10,
        None,
        ("send_course_reminders",),
        "course sessions 12 to 36 hours ahead, once each",
    ),
    Job(
        "expire-holds",
        5,
        0,
        ("expire_holds",),
        "devices set aside and not picked up go to the next person waiting",
    ),
    Job(
        "loan-reminders",
        0,
        9,
        ("send_loan_reminders",),
        "loans due in two days, today, or 7 and 21 days overdue",
    ),
    Job(
        "purge-personal-data",
        15,
        3,
        ("purge_personal_data",),
        "residents' personal data past its retention period",
    ),
    Job(
        "prune-task-results",
        30,
        3,
        ("prune_db_task_results", "--queue-name", "*", "--min-age-days", "1"),
        "sent messages (address and text) leave the task table after a day",
    ),
    Job(
        "clear-sessions",
        45,
        3,
        ("clearsessions",),
        "expired sign-in sessions",
    ),
)


def run(job: Job) -> int:
    """Run `job` with this Python and the project's manage.py; its exit status."""
    started = time.monotonic()
    logger.info("Job %s started", job.name)
    status = subprocess.run(  # noqa: S603 (a fixed command of JOBS)
        [sys.executable, str(ROOT / "manage.py"), *job.command], cwd=ROOT, check=False
    ).returncode
    level = logging.INFO if status == 0 else logging.ERROR
    seconds = time.monotonic() - started
    logger.log(level, "Job %s ended with status %d after %.1f s", job.name, status, seconds)
    return status


def loop() -> None:
    """Every minute, run the jobs due in the minutes since the last look (a slow job delays the
    next ones; it does not make them miss their minute)."""
    last = datetime.now(UTC).replace(second=0, microsecond=0)
    logger.info("Scheduler started: %s", ", ".join(job.name for job in JOBS))
    while True:
        next_minute = last + timedelta(minutes=1)
        time.sleep(max(0.0, (next_minute - datetime.now(UTC)).total_seconds()))
        now = datetime.now(UTC).replace(second=0, microsecond=0)
        minute = last + timedelta(minutes=1)
        while minute <= now:
            for job in JOBS:
                if job.is_due(minute):
                    run(job)
            minute += timedelta(minutes=1)
        last = now


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    choice = parser.add_mutually_exclusive_group()
    choice.add_argument("--crontab", action="store_true", help="print the schedule for cron")
    choice.add_argument("--run", metavar="NAME", choices=[job.name for job in JOBS])
    arguments = parser.parse_args(argv)
    if arguments.crontab:
        print("# Digipunt's periodic jobs (deploy/scheduler.py), as the application's user.")
        print("# The times are Brussels time: the host's time zone must be Europe/Brussels.")
        for job in JOBS:
            print(f"# {job.why}")
            print(job.crontab())
        return 0
    _log_to_stderr()
    if arguments.run:
        return run(next(job for job in JOBS if job.name == arguments.run))
    # As a container's first process, SIGTERM (docker stop) would otherwise be ignored.
    signal.signal(signal.SIGTERM, lambda _signal, _frame: sys.exit(0))
    loop()
    return 0


def _log_to_stderr() -> None:
    """The scheduler's lines, in the application's format (LOG_FORMAT) when it can be loaded."""
    handler = logging.StreamHandler()
    if os.environ.get("LOG_FORMAT") == "json":
        sys.path.insert(0, str(ROOT))
        from core.logging import JsonFormatter

        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)


if __name__ == "__main__":
    sys.exit(main())
