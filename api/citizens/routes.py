"""The citizen's own profile and digital-citizen assets (M23); thin over api/citizens/service.py.

Every route serves the citizen named by the access token and no one else: there is no id in
these URLs to tamper with.
"""

from __future__ import annotations

import uuid

from flask.views import MethodView

from api.citizens import service
from api.citizens.models import Citizen as CitizenAccount
from api.citizens.schemas import (
    DigitalAddressInputSchema,
    DigitalAddressSchema,
    ProfilePatchSchema,
    ProfileSchema,
)
from api.http import Blueprint, put_may_create
from api.policy import Citizen, allow, require_principal

blp = Blueprint("citizens", __name__, url_prefix="/me", description="Công dân số: hồ sơ cá nhân")


def _current_citizen() -> CitizenAccount:
    return service.require_citizen(uuid.UUID(require_principal().id))


@blp.route("")
@blp.etag
class Me(MethodView):
    @allow(Citizen())
    @blp.response(200, ProfileSchema)
    def get(self):
        """My profile and which of the four digital-citizen assets I still lack."""
        return service.profile(_current_citizen())

    @allow(Citizen())
    @blp.arguments(ProfilePatchSchema)
    @blp.response(200, ProfileSchema)
    def patch(self, body):
        """Change my contact phone number. Needs If-Match with the ETag of GET /me."""
        citizen = _current_citizen()
        blp.check_etag(service.profile(citizen), ProfileSchema)
        service.update_phone(citizen, body["phone"])
        return service.profile(citizen)


@blp.route("/digital-address")
@blp.etag
class MyDigitalAddress(MethodView):
    @allow(Citizen())
    @blp.response(200, DigitalAddressSchema)
    def get(self):
        """My digital address."""
        address = service.get_digital_address(_current_citizen())
        if address is None:
            raise service.digital_address_not_found()
        return service.digital_address_view(address)

    @allow(Citizen())
    @put_may_create
    @blp.arguments(DigitalAddressInputSchema)
    @blp.response(200, DigitalAddressSchema, description="Đã thay địa chỉ số")
    @blp.alt_response(201, schema=DigitalAddressSchema, description="Đã tạo địa chỉ số")
    def put(self, body):
        """Set my digital address. Creating needs no If-Match; replacing needs the current ETag."""
        citizen = _current_citizen()
        current = service.get_digital_address(citizen)
        blp.check_replace_precondition(
            None if current is None else service.digital_address_view(current), DigitalAddressSchema
        )
        address, created = service.set_digital_address(citizen, **body)
        return service.digital_address_view(address), 201 if created else 200

    @allow(Citizen())
    @blp.response(204)
    def delete(self):
        """Remove my digital address. Needs If-Match with its ETag."""
        citizen = _current_citizen()
        address = service.get_digital_address(citizen)
        if address is None:
            raise service.digital_address_not_found()
        blp.check_etag(service.digital_address_view(address), DigitalAddressSchema)
        service.delete_digital_address(citizen)
