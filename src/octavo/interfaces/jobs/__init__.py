"""Scheduled jobs (STYLE.md layout: interfaces/jobs): the nightly work, each job one call to a
domain service, run by `octavo run-jobs` from cron or a systemd timer
(docs/operators/nightly-jobs.md)."""
