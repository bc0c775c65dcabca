"""One row per job and day it ran for: a second run for the same day finds it and does
nothing (issue #7: "running it twice for the same day does nothing the second time")."""

from __future__ import annotations

from django.db import models


class JobRun(models.Model):
    job = models.CharField(max_length=32)
    day = models.DateField()  # the day it ran for (--as-of), not the day it ran on
    started_at = models.DateTimeField()
    # None while it runs; a run that died before finishing is taken over by the next one.
    finished_at = models.DateTimeField(null=True, blank=True)
    summary = models.TextField(blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["job", "day"], name="job_run_once_a_day")]
        ordering = ["-day", "id"]

    def __str__(self) -> str:
        return f"{self.job} {self.day:%Y-%m-%d}"
