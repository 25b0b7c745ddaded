"""The architecture's rules that import-linter cannot see (its contracts run in `make lint`).

- No module of the product is over 800 lines: a file that long holds more than one
  responsibility.
- What the domains offer each other is registered by api/wiring.py alone: importing every
  module of the product registers no payable, usage check or asset provider, and
  `connect_domains()` registers them all.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

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
