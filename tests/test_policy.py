"""The authorisation policy: every route declares who may call it, and it is enforced."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint

from api.extensions import api
from api.policy import Citizen, allow, policy_of


def test_every_route_and_method_has_a_policy(app):
    """Walks the whole URL map: a route added without `@allow(...)` fails here."""
    missing = []
    for rule in app.url_map.iter_rules():
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            if policy_of(app, rule.endpoint, method) is None:
                missing.append(f"{method} {rule.rule} ({rule.endpoint})")
    assert missing == [], "routes without an authorisation policy:\n" + "\n".join(missing)
    assert len(list(app.url_map.iter_rules())) > 10  # the walk saw the real app


def test_a_route_without_policy_is_refused_at_runtime(make_app):
    blp = Blueprint("forgotten", __name__, url_prefix="/forgotten")

    @blp.route("")
    class Forgotten(MethodView):
        def get(self):
            return {"secret": "data"}

    probe = make_app()
    api.register_blueprint(blp)
    response = probe.test_client().get("/forgotten")
    assert response.status_code == 403
    assert response.json["code"] == "no_policy"
    assert "secret" not in response.get_data(as_text=True)


def test_level_two_routes_explain_how_to_get_level_two(make_app, citizen_headers):
    blp = Blueprint("records_probe", __name__, url_prefix="/probe-records")

    @blp.route("")
    class Records(MethodView):
        @allow(Citizen(min_level=2))
        def get(self):
            return {"records": []}

    probe = make_app()
    api.register_blueprint(blp)
    client = probe.test_client()
    level1, _, _ = citizen_headers(identity_level=1)
    level2, _, _ = citizen_headers(identity_level=2)

    refused = client.get("/probe-records", headers=level1)
    assert refused.status_code == 403
    assert refused.json["code"] == "identity_level_required"
    assert "mức 2" in refused.json["detail"]
    assert client.get("/probe-records", headers=level2).status_code == 200


def test_openapi_marks_protected_operations(client):
    spec = client.get("/openapi.json").json
    assert spec["paths"]["/auth/whoami"]["get"]["security"] == [{"bearerAuth": []}]
    assert "security" not in spec["paths"]["/health"]["get"]
    assert client.get("/docs").status_code == 200
    assert client.get("/docs/assets/swagger-ui-bundle.js").status_code == 200
