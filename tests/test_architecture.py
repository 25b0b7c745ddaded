"""The architecture's rules that import-linter cannot see (its contracts run in `make lint`).

- No module of the product is over 800 lines: a file that long holds more than one
  responsibility.
- What the domains offer each other is registered by api/wiring.py alone: importing every
  module of the product registers no payable, usage check or asset provider, and
  `connect_domains()` registers them all.
- One owner of the transaction: nothing in the product commits but api/unit_of_work.py (the
  edge's `transaction()` and the named `checkpoint(why)`).
- One shape of status machine: every domain's moves are a table (`api.state_machine`).
"""

from __future__ import annotations

import importlib
import re
import subprocess
import sys
from pathlib import Path

import pytest

from api.extensions import db
from api.state_machine import StateMachine

ROOT = Path(__file__).resolve().parents[1]
PRODUCT = ("api", "wallet", "notifications", "content", "chatbot/actions", "chatbot/components")
MAX_LINES = 800


def test_no_module_of_the_product_is_over_800_lines():
    too_long = {}
    for package in PRODUCT:
        for path in (ROOT / package).rglob("*.py"):
            lines = len(path.read_text(encoding="utf-8").splitlines())
            if lines > MAX_LINES:
                too_long[str(path.relative_to(ROOT))] = lines
    assert too_long == {}, f"split these by responsibility (at most {MAX_LINES} lines): {too_long}"


def _product_modules():
    for package in PRODUCT:
        for path in (ROOT / package).rglob("*.py"):
            yield path.relative_to(ROOT).as_posix(), path.read_text(encoding="utf-8")


def test_only_the_unit_of_work_commits():
    committing = sorted(
        name
        for name, text in _product_modules()
        if name != "api/unit_of_work.py" and re.search(r"\.commit\(\)", text)
    )
    assert committing == [], f"stage writes and let the edge commit (api/unit_of_work.py): {committing}"


# Every model whose rows move through statuses, and the table (api/state_machine.py) that says how.
STATUS_MACHINES = {
    "api.dossiers.models:Dossier": "api.dossiers.workflow:WORKFLOW",
    "api.reports.models:Report": "api.reports.workflow:ACTIONS",
    "api.fines.models:FineNotice": "api.fines.workflow:FINES",
    "api.benefits.models:Beneficiary": "api.benefits.workflow:BENEFICIARIES",
    "api.benefits.models:BenefitPayment": "api.benefits.workflow:PAYMENTS",
    "api.chat.models:Handoff": "api.chat.workflow:HANDOFFS",
    "wallet.models:Payment": "wallet.workflow:PAYMENTS",
    "wallet.models:Refund": "wallet.workflow:REFUNDS",
    "wallet.models:Payout": "wallet.workflow:PAYOUTS",
    "notifications.campaigns.models:Campaign": "notifications.campaigns.workflow:MACHINE",
    "content.models:Article": "content.workflow:MACHINE",
    "content.products.models:ProductSeller": "content.products.workflow:SELLERS",
    "content.products.models:Product": "content.products.workflow:PRODUCTS",
}


# Status columns that are not moved by this product, and so have no table of moves.
NOT_MOVED_HERE = {
    "api.records.models:LandCertificate": "a fact copied from the land registry as it is there",
    "content.models:ArticleVersion": "a snapshot of the article's status when that version was saved",
    "notifications.models:PushDelivery": "the outcome FCM gave, written once when the push is answered",
}


def test_every_status_column_of_the_product_is_in_the_list_above(app):
    with_status = {
        f"{mapper.class_.__module__}:{mapper.class_.__name__}"
        for mapper in db.Model.registry.mappers
        if "status" in mapper.class_.__table__.c
    }
    assert with_status == set(STATUS_MACHINES) | set(NOT_MOVED_HERE)


def _load(reference: str):
    module, name = reference.split(":")
    return getattr(importlib.import_module(module), name)


@pytest.mark.parametrize(("model", "machine"), STATUS_MACHINES.items())
def test_each_status_column_is_governed_by_one_table_of_moves(model, machine):
    """A status the table does not know could only be set by hand-written code around it."""
    table = _load(machine)
    assert isinstance(table, StateMachine)
    column = _load(model).__table__.c.status
    assert column.default is None or column.default.arg in table.statuses
    moved_to = {transition.to_status for transition in table.values()}
    assert set(table.statuses) - moved_to <= {column.default.arg if column.default else None}, (
        "every status but the first is reached by a move of the table"
    )


# Run in a fresh interpreter: the test session's own imports and apps have wired it already.
_IMPORT_EVERYTHING_THEN_WIRE = """
import importlib, pkgutil
import api, content, notifications, wallet
for package in (api, wallet, notifications, content):
    for module in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
        if ".devrun" not in module.name:
            importlib.import_module(module.name)

from api.citizens import service as citizens
from api.documents import service as documents
from wallet import payables

def state():
    return (
        payables.purposes(),
        len(documents._usage_checks),
        citizens.asset_provider("e_payment_account").__module__,
    )

print(state())
from api.wiring import connect_domains
connect_domains()
print(state())
"""


def test_domains_are_wired_by_the_wiring_module_not_by_importing_them():
    result = subprocess.run(  # noqa: S603 (this interpreter, our own code)
        [sys.executable, "-c", _IMPORT_EVERYTHING_THEN_WIRE],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    imported, wired = result.stdout.strip().splitlines()[-2:]
    assert imported == "((), 0, 'api.citizens.service')"
    assert wired == "(('dossier_fee', 'fine'), 1, 'wallet.accounts')"
