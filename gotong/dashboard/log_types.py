"""Entry types of the dashboard app (imported from ``DashboardConfig.ready``)."""

from gotong.transparency.log_schema import COUNT, SLUG, entry_types_declare

entry_types_declare({"dashboard.reference_set": {"code": SLUG, "rw": COUNT, "value": COUNT}})
