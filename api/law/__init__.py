"""The law as data: what changes by decree, kept in dated files instead of code.

Fees, time limits, documents and forms of procedures, traffic violations and their fines,
report categories, benefit amounts: each lives in `api/law/data/<name>.yaml`, validated at load
against `api/law/schemas/<name>.schema.json` (JSON Schema 2020-12). A file that does not match
its schema stops the API at start, with the file and the place in it, instead of serving a
wrong fee.

A value that a decree changes is written as its history, each entry with the day it takes
effect (`effective_from`, a Vietnam calendar day) and its legal basis; `in_force` picks the one
that applies on a given day, so a new fee is added ahead of time as data and takes effect on its
day without a release. Every file says where its facts come from (`source`) and whether they were
checked against that source (`verified`): unverified facts are shown as such, never presented as
the law.
"""

from api.law.loader import LawDataError, check_all, in_force, read

__all__ = ["LawDataError", "check_all", "in_force", "read"]
