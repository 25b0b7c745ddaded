"""Downloads are documented as `application/octet-stream` first (generated clients read that as
bytes; a list of only image/jpeg, image/png... left them nothing to read), so a client asking for
octet-stream gets the same bytes labelled so. Any other client gets the file's own type."""

from __future__ import annotations

from tests.documents.samples import MINIMAL_PDF
from tests.dossiers.test_dossiers import upload


def test_a_download_is_octet_stream_for_a_client_that_asks_for_it(client, citizen):
    document_id = upload(client, citizen["headers"])
    url = f"/me/documents/{document_id}/content"

    as_bytes = client.get(url, headers={**citizen["headers"], "Accept": "application/octet-stream"})
    assert as_bytes.status_code == 200
    assert as_bytes.mimetype == "application/octet-stream"
    assert as_bytes.data == MINIMAL_PDF
    assert as_bytes.headers["X-Content-Type-Options"] == "nosniff"

    for accept in (None, "*/*", "application/pdf, application/octet-stream;q=0.5"):
        extra = {"Accept": accept} if accept else {}
        answer = client.get(url, headers={**citizen["headers"], **extra})
        assert (answer.status_code, answer.mimetype, answer.data) == (200, "application/pdf", MINIMAL_PDF)
