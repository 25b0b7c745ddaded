"""The leaders' dashboard (issue 17): one view over every domain's figures, and periodic reports.

`figures.py` counts (SQL aggregates over the domains' tables, read-only), `export.py` writes
them as CSV or XLSX, `service.py` holds the rules (the period, the ward a leader may see, the
weekly and monthly reports the scheduler makes, who has read them), `routes.py` the endpoints
under /leader.
"""
