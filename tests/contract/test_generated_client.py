"""A client generated from `/openapi.json`, as a mobile team generates theirs, does a citizen's
errand against the live API: browse procedures, apply, find the dossier, follow it, withdraw.

The generator is openapi-python-client (a dev dependency), run on the live document during the
test into a temporary folder, with `--fail-on-warning`: an operation or schema it cannot read
would be missing from every client generated from the document.
"""

from __future__ import annotations

import importlib
import json
import subprocess
import sys

import pytest

from tests.conftest import serving
from tests.dossiers.samples import VALID_FORMS

PACKAGE = "cong_dan_so_api_client"  # what the generator makes of the document's title


@pytest.fixture
def generated_client(make_app, tmp_path, monkeypatch):
    """(the generated package, the live server's base URL)."""
    with serving(make_app) as base_url:
        config = tmp_path / "generator.yml"
        config.write_text("post_hooks: []\n")  # no formatter run: the code is imported, not read
        run = subprocess.run(  # noqa: S603 - our own interpreter and arguments
            [
                sys.executable,
                "-m",
                "openapi_python_client",
                "generate",
                "--url",
                f"{base_url}/openapi.json",
                "--meta",
                "none",
                "--config",
                str(config),
                "--fail-on-warning",
            ],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert run.returncode == 0, run.stdout[-10000:] + run.stderr[-5000:]
        assert (tmp_path / PACKAGE / "api").is_dir(), run.stdout
        monkeypatch.syspath_prepend(str(tmp_path))
        for name in [n for n in sys.modules if n == PACKAGE or n.startswith(PACKAGE + ".")]:
            del sys.modules[name]
        yield importlib.import_module(PACKAGE), base_url


def test_a_citizen_does_an_errand_with_the_generated_client(generated_client, citizen_headers, catalogue):
    package, base_url = generated_client
    models = importlib.import_module(f"{PACKAGE}.models")

    def operation(tag: str, operation_id: str):
        return importlib.import_module(f"{PACKAGE}.api.{tag}.{operation_id}")

    search = operation("procedures", "get_procedures_procedures")
    procedure_by_code = operation("procedures", "get_procedures_procedure_by_code")
    apply = operation("dossiers", "post_dossiers_my_dossiers")
    my_dossiers = operation("dossiers", "get_dossiers_my_dossiers")
    my_dossier = operation("dossiers", "get_dossiers_my_dossier")
    act = operation("dossiers", "post_dossiers_my_dossier_action")
    _, _, pair = citizen_headers()
    anonymous = package.Client(base_url=base_url, raise_on_unexpected_status=True)
    citizen = package.AuthenticatedClient(
        base_url=base_url, token=pair["access_token"], raise_on_unexpected_status=True
    )

    # Browse the catalogue without signing in, searching without accents as people type.
    found = search.sync_detailed(client=anonymous, q="dang ky tam tru")
    assert found.status_code == 200
    assert "tam-tru" in [procedure.code for procedure in found.parsed]
    assert json.loads(found.headers["X-Pagination"])["total"] >= 1
    procedure = procedure_by_code.sync(client=anonymous, code="tam-tru")
    assert isinstance(procedure, models.Procedure)
    assert procedure.name == "Đăng ký tạm trú"

    # Apply.
    application = models.Application.from_dict({"procedure_code": "tam-tru", "form": VALID_FORMS["tam-tru"]})
    created = apply.sync(client=citizen, body=application)
    assert isinstance(created, models.Dossier)
    assert (created.status, created.status_name, created.overdue) == (1, "Mới đăng ký", False)
    assert created.procedure_name == "Đăng ký tạm trú"

    # It is in "my dossiers", typed: dates are dates, the overdue flag a boolean.
    mine = my_dossiers.sync_detailed(client=citizen)
    assert [dossier.code for dossier in mine.parsed] == [created.code]
    assert json.loads(mine.headers["X-Pagination"])["total"] == 1
    summary = mine.parsed[0]
    assert summary.due_date == created.due_date and summary.overdue is False

    # Its timeline: who did each step, when.
    read = my_dossier.sync_detailed(client=citizen, code=created.code)
    dossier = read.parsed
    assert [(step.action, step.by.value, step.status_name) for step in dossier.history] == [
        ("submit", "citizen", "Mới đăng ký")
    ]
    etag = read.headers["ETag"]

    # Withdraw it: the action needs If-Match, which the generated function asks for. A stale
    # tag is refused with a problem the client reads as such.
    withdraw = models.CitizenAction.from_dict({"action": "withdraw", "note": "Nộp nhầm thủ tục"})
    stale = act.sync(client=citizen, code=created.code, body=withdraw, if_match='"stale"')
    assert isinstance(stale, models.Problem)
    assert (stale.status, stale.code) == (412, "precondition_failed")
    assert stale.detail
    withdrawn = act.sync(client=citizen, code=created.code, body=withdraw, if_match=etag)
    assert isinstance(withdrawn, models.Dossier)
    assert [step.action for step in withdrawn.history] == ["submit", "withdraw"]
    assert withdrawn.status_name != created.status_name
