"""Public forms posted by tests as a browser would: with the signed moment the form was shown
(core.human_check), ten seconds earlier, and the field to leave empty left empty."""

from __future__ import annotations

import time
from typing import Any

from core.human_check import STARTED, started_mark


def as_shown(data: dict[str, Any], *, seconds_ago: float = 10) -> dict[str, Any]:
    return {STARTED: started_mark(time.time() - seconds_ago), **data}
