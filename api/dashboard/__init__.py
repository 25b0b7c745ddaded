"""The leaders' dashboard (issue 17): one view over every domain's figures, and periodic reports.

`figures.py` composes what each domain counts of its own tables (`api/<domain>/figures.py`,
SQL aggregates; the dashboard reads no other domain's table), `export.py` writes them as CSV or
XLSX, `service.py` holds the rules (the period, the ward a leader may see, the
weekly and monthly reports the scheduler makes, who has read them), `routes.py` the endpoints
under /leader.
"""
