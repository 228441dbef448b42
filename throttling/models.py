"""Rate-limit counters, shared by every application process through the database."""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class Hit(models.Model):
    """One attempt counted against a limit (a booking from an address, a reset for an email).

    `bucket` is a keyed hash of the limit's name and what it counts (an address, a phone number,
    an email address), so the table holds no personal data and no address in the clear. Rows are
    deleted once they are older than the longest window (`throttling.services.KEEP`).
    """

    bucket = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            models.Index(fields=["bucket", "created_at"], name="throttling_hit_bucket_time"),
            models.Index(fields=["created_at"], name="throttling_hit_time"),
        ]

    def __str__(self) -> str:
        return f"{self.bucket[:8]}… {self.created_at:%Y-%m-%d %H:%M}"
