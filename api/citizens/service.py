"""Citizen accounts: lookup, creation from VNeID claims, profile and the digital-citizen assets."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import date

from sqlalchemy import ColumnElement, Connection, Select, String, any_, bindparam, func, select
from sqlalchemy.dialects.postgresql import ARRAY

from api.audit import record_audit
from api.citizens import cccd as cccd_rules
from api.citizens.models import Citizen, DigitalAddress
from api.citizens.phone import InvalidPhone, mask, normalise_mobile
from api.errors import ApiError
from api.extensions import db
from api.text import nfc
from api.units import service as units


def get_citizen(citizen_id: uuid.UUID) -> Citizen | None:
    return db.session.get(Citizen, citizen_id)


def citizen_by_cccd(cccd: str) -> Citizen | None:
    return db.session.scalar(select(Citizen).where(Citizen.cccd == cccd))


def registry_rows(cccds: Collection[str], connection: Connection | None = None) -> list:
    """(id, cccd, full_name, date_of_birth) of the citizens holding these numbers, in one query.

    For bulk imports matching thousands of rows to the population data at once; `connection`
    lets such an import read inside its own batch transaction instead of the session's.
    """
    statement = select(Citizen.id, Citizen.cccd, Citizen.full_name, Citizen.date_of_birth).where(
        Citizen.cccd.in_(list(cccds))
    )
    return list((connection or db.session).execute(statement))


def token_claims(citizen: Citizen) -> dict:
    """What an access token says about a citizen: the identity level gates personal records."""
    return {"lvl": citizen.identity_level}


def upsert_from_identity_provider(claims: dict) -> Citizen:
    """The citizen VNeID has vouched for, created on first sign-in, refreshed on every one.

    VNeID is the authoritative source of identity (Đề án 06: the app never becomes a second
    source of truth), so name, birth date, sex and identity level are taken from its claims.
    Raises `cccd.InvalidCCCD` when the claims carry a number inconsistent with the birth data.
    """
    number = str(claims["cccd"]).strip()
    date_of_birth = date.fromisoformat(claims["birthdate"])
    sex = {"male": "male", "female": "female", "nam": "male", "nu": "female", "nữ": "female"}.get(
        str(claims.get("gender", "")).lower()
    )
    cccd_rules.validate(number, date_of_birth=date_of_birth, sex=sex)
    citizen = citizen_by_cccd(number)
    if citizen is None:
        citizen = Citizen(cccd=number)
        db.session.add(citizen)
    citizen.full_name = nfc(claims["name"])
    citizen.date_of_birth = date_of_birth
    citizen.sex = sex or cccd_rules.parse(number).sex
    citizen.identity_level = 2 if int(claims.get("identity_level", 1)) >= 2 else 1
    if claims.get("phone_number"):
        citizen.phone = claims["phone_number"]
    return citizen


def register_citizen(
    *,
    cccd: str,
    full_name: str,
    date_of_birth: date,
    sex: str,
    ward_code: str,
    identity_level: int,
    phone: str | None = None,
) -> Citizen:
    """Add a citizen known from population data (demo seeding, imports); not committed.

    The same rules as everywhere: a CCCD consistent with birth date and sex, a post-2025 ward.
    """
    cccd_rules.validate(cccd, date_of_birth=date_of_birth, sex=sex)
    citizen = Citizen(
        cccd=cccd,
        full_name=nfc(full_name),
        date_of_birth=date_of_birth,
        sex=sex,
        phone=phone,
        ward_code=units.validate_ward_code(ward_code).code,
        identity_level=identity_level,
    )
    db.session.add(citizen)
    return citizen


# ---- the citizen's own profile (M23) ----------------------------------------------------------
# Everything below works for the citizen whose id the caller passes; the routes take it from
# the access token only, so a citizen can reach no one else's data.


def require_citizen(citizen_id: uuid.UUID) -> Citizen:
    """The citizen behind a valid token; 404 if the account is gone (deleted since sign-in)."""
    citizen = get_citizen(citizen_id)
    if citizen is None:
        raise ApiError(404, "citizen_not_found", "Không tìm thấy tài khoản công dân của bạn.")
    return citizen


def ward_summary(ward_code: str | None) -> dict | None:
    """{code, name, province: {code, name}} for a stored ward code.

    A code the catalogue no longer knows is still shown (name None) rather than hidden: the
    citizen should see that something needs fixing.
    """
    if not ward_code:
        return None
    ward = units.get_ward(ward_code)
    if ward is None:
        return {"code": ward_code, "name": None, "province": None}
    return {
        "code": ward.code,
        "name": ward.name,
        "province": {"code": ward.province.code, "name": ward.province.name},
    }


def profile(citizen: Citizen) -> dict:
    """The citizen's own profile with the four digital-citizen assets and what is missing."""
    assets = digital_assets(citizen)
    missing = [asset.key for asset in assets if asset.status == MISSING]
    return {
        "id": citizen.id,
        "full_name": citizen.full_name,
        "cccd": citizen.cccd,
        "date_of_birth": citizen.date_of_birth,
        "sex": citizen.sex,
        "phone": citizen.phone,
        "ward": ward_summary(citizen.ward_code),
        "identity_level": citizen.identity_level,
        "assets": assets,
        "missing": missing,
        "completeness": {"present": len(assets) - len(missing), "total": len(assets)},
    }


def update_phone(citizen: Citizen, phone: str) -> Citizen:
    """Set the contact phone, normalised ("+84 912 345 678" -> "0912345678")."""
    try:
        phone = normalise_mobile(phone)
    except InvalidPhone as exc:
        raise ApiError(422, "invalid_phone", str(exc), errors={"phone": [str(exc)]}) from exc
    if phone != citizen.phone:
        record_audit(
            "citizen.phone_changed",
            actor=f"citizen:{citizen.id}",
            target=f"citizen:{citizen.id}",
            old=mask(citizen.phone),
            new=mask(phone),
        )
        citizen.phone = phone
    db.session.flush()  # the answer shows the row as stored (its new updated_at)
    return citizen


# ---- the four digital-citizen assets (Đề án 06, model 23) -------------------------------------
# One provider per asset builds what the citizen sees. Providers here describe what the app
# knows today; a later domain (the wallet for the e-payment account, a signing service for the
# digital signature) replaces its provider with `register_asset_provider` and nothing else
# changes: the profile, the `missing` list and the completeness count follow.

PRESENT, MISSING = "present", "missing"


@dataclass(frozen=True)
class DigitalAsset:
    key: str
    name: str
    status: str  # PRESENT | MISSING
    detail: str
    how_to_obtain: str | None = None
    link: str | None = None
    level: int | None = None  # identity level, for the VNeID account only


AssetProvider = Callable[[Citizen], DigitalAsset]

ASSET_KEYS = ("vneid", "e_payment_account", "digital_address", "digital_signature")
_asset_providers: dict[str, AssetProvider] = {}


def register_asset_provider(key: str, provider: AssetProvider) -> None:
    """Install (or replace) the provider of one of the four assets."""
    if key not in ASSET_KEYS:
        raise ValueError(f"unknown digital-citizen asset {key!r}; expected one of {ASSET_KEYS}")
    _asset_providers[key] = provider


def asset_provider(key: str) -> AssetProvider:
    """The provider installed for `key`."""
    return _asset_providers[key]


def builtin_asset(key: str, citizen: Citizen) -> DigitalAsset:
    """What this domain alone knows of asset `key` (before any other domain's provider): a
    replacement falls back on it, e.g. the wallet when no card is linked."""
    return _builtin_providers[key](citizen)


# This domain's own providers, installed when the module loads: they need nothing of any other
# domain. Other domains' replacements are installed by api/wiring.py.
_builtin_providers: dict[str, AssetProvider] = {}


def _asset_provider(key: str) -> Callable[[AssetProvider], AssetProvider]:
    def decorator(provider: AssetProvider) -> AssetProvider:
        _builtin_providers[key] = provider
        register_asset_provider(key, provider)
        return provider

    return decorator


def digital_assets(citizen: Citizen) -> list[DigitalAsset]:
    """The four assets in their fixed order."""
    return [_asset_providers[key](citizen) for key in ASSET_KEYS]


LEVEL_2_HOW_TO = (
    "Để lên mức 2: mang thẻ căn cước gắn chip đến Công an cấp xã nơi bạn cư trú để được xác thực "
    "sinh trắc học (ảnh khuôn mặt, vân tay), sau đó đăng nhập lại ứng dụng bằng VNeID. Tài khoản "
    "mức 2 mới xem được hồ sơ, giấy tờ cá nhân."
)


@_asset_provider("vneid")
def _vneid_account(citizen: Citizen) -> DigitalAsset:
    # Every account here was created by a VNeID sign-in, so the VNeID account always exists;
    # what varies is its level (Nghị định 59/2022/NĐ-CP).
    level = citizen.identity_level
    return DigitalAsset(
        key="vneid",
        name="Tài khoản định danh điện tử VNeID",
        status=PRESENT,
        detail=f"Tài khoản định danh điện tử mức {level}.",
        how_to_obtain=LEVEL_2_HOW_TO if level < 2 else None,
        link="https://vneid.gov.vn",
        level=level,
    )


@_asset_provider("e_payment_account")
def _e_payment_account(citizen: Citizen) -> DigitalAsset:
    # No wallet or linked account exists in the app yet: the wallet domain will replace this.
    return DigitalAsset(
        key="e_payment_account",
        name="Tài khoản thanh toán điện tử",
        status=MISSING,
        detail="Chưa có tài khoản thanh toán điện tử nào liên kết với ứng dụng.",
        how_to_obtain=(
            "Mở tài khoản ngân hàng, ví điện tử hoặc tài khoản Mobile Money đứng tên bạn (xác thực "
            "bằng thẻ căn cước gắn chip), rồi liên kết với ứng dụng để nộp phí, lệ phí, tiền phạt và "
            "nhận tiền an sinh xã hội không dùng tiền mặt."
        ),
    )


@_asset_provider("digital_address")
def _digital_address(citizen: Citizen) -> DigitalAsset:
    address = citizen.digital_address
    common = {"key": "digital_address", "name": "Địa chỉ số", "link": "/me/digital-address"}
    if address is None:
        return DigitalAsset(
            **common,
            status=MISSING,
            detail="Bạn chưa khai báo địa chỉ số.",
            how_to_obtain=(
                "Khai báo số nhà, tên đường và phường/xã (theo đơn vị hành chính từ 01/7/2025), có thể "
                "kèm vị trí trên bản đồ, trong mục Địa chỉ số của ứng dụng."
            ),
        )
    return DigitalAsset(**common, status=PRESENT, detail=full_address(address))


@_asset_provider("digital_signature")
def _digital_signature(citizen: Citizen) -> DigitalAsset:
    # No signing service is connected yet; a later issue replaces this provider.
    return DigitalAsset(
        key="digital_signature",
        name="Chữ ký số",
        status=MISSING,
        detail="Chưa có chữ ký số nào gắn với tài khoản của bạn.",
        how_to_obtain=(
            "Đăng ký chứng thư chữ ký số công cộng với một tổ chức cung cấp dịch vụ chứng thực chữ ký "
            "số được cấp phép (danh sách tại Trung tâm Chứng thực điện tử quốc gia - NEAC), hoặc dùng "
            "chữ ký số trên ứng dụng VNeID với tài khoản định danh mức 2."
        ),
        link="https://neac.gov.vn",
    )


# ---- the digital address -----------------------------------------------------------------------
# Separate from the ward of residence (Citizen.ward_code): residence comes from the population
# database; the digital address is where the citizen chooses to be reached.

# Mainland Vietnam with its near-shore islands (Phú Quốc, Côn Đảo, Bạch Long Vĩ...).
_MAINLAND = ((8.1, 23.4), (102.1, 109.5))
# The two archipelagos lie east of that box; they count only for their own special zones.
_ARCHIPELAGOS = {
    "20333": ((15.6, 17.2), (111.0, 113.0)),  # Đặc khu Hoàng Sa
    "22736": ((6.5, 12.0), (111.4, 117.9)),  # Đặc khu Trường Sa
}
OUTSIDE_VIETNAM = "Vị trí nằm ngoài lãnh thổ Việt Nam (vĩ độ 8,1–23,4; kinh độ 102,1–109,5)."


def _inside(box: tuple[tuple[float, float], tuple[float, float]], latitude: float, longitude: float) -> bool:
    (lat_min, lat_max), (lon_min, lon_max) = box
    return lat_min <= latitude <= lat_max and lon_min <= longitude <= lon_max


def check_coordinates(ward_code: str, latitude: float | None, longitude: float | None) -> None:
    if latitude is None and longitude is None:
        return
    if latitude is None or longitude is None:
        message = "Cần gửi cả vĩ độ và kinh độ, hoặc không gửi cả hai."
        raise ApiError(
            422,
            "coordinates_incomplete",
            message,
            errors={"latitude" if latitude is None else "longitude": [message]},
        )
    boxes = [_MAINLAND] + ([_ARCHIPELAGOS[ward_code]] if ward_code in _ARCHIPELAGOS else [])
    if not any(_inside(box, latitude, longitude) for box in boxes):
        raise ApiError(
            422,
            "outside_vietnam",
            OUTSIDE_VIETNAM,
            errors={"latitude": [OUTSIDE_VIETNAM], "longitude": [OUTSIDE_VIETNAM]},
        )


def get_digital_address(citizen: Citizen) -> DigitalAddress | None:
    return citizen.digital_address


def full_address(address: DigitalAddress) -> str:
    """ "12 Lê Duẩn, Phường Buôn Ma Thuột, Tỉnh Đắk Lắk"."""
    ward = units.get_ward(address.ward_code)
    return f"{address.street}, {ward.full_name}" if ward else address.street


def digital_address_view(address: DigitalAddress) -> dict:
    return {
        "street": address.street,
        "ward": ward_summary(address.ward_code),
        "full_address": full_address(address),
        "latitude": address.latitude,
        "longitude": address.longitude,
        "updated_at": address.updated_at,
    }


def set_digital_address(
    citizen: Citizen,
    *,
    street: str,
    ward_code: str,
    latitude: float | None = None,
    longitude: float | None = None,
) -> tuple[DigitalAddress, bool]:
    """Create or replace the citizen's digital address; returns it and whether it was created.

    Everything is checked before anything is written: an unknown ward or a point outside
    Vietnam leaves the stored address as it was.
    """
    ward = units.validate_ward_code(ward_code)
    check_coordinates(ward.code, latitude, longitude)
    street = nfc(street)
    if not street:
        message = "Hãy nhập số nhà, tên đường (hoặc thôn, tổ dân phố)."
        raise ApiError(422, "validation_failed", message, errors={"street": [message]})
    address = citizen.digital_address
    created = address is None
    if created:
        address = DigitalAddress(citizen_id=citizen.id)
        citizen.digital_address = address
    address.street = street
    address.ward_code = ward.code
    address.latitude = latitude
    address.longitude = longitude
    db.session.flush()  # the answer shows the row as stored (its id, its updated_at)
    return address, created


def delete_digital_address(citizen: Citizen) -> None:
    if citizen.digital_address is None:
        raise digital_address_not_found()
    citizen.digital_address = None  # delete-orphan removes the row


def digital_address_not_found() -> ApiError:
    return ApiError(
        404,
        "digital_address_not_found",
        "Bạn chưa khai báo địa chỉ số. Hãy khai báo trong mục Địa chỉ số.",
    )


# ---- audiences: who a broadcast or an article is for ------------------------------------------


def years_before(day: date, years: int) -> date:
    """The same day `years` earlier; 28 February for a 29 February in a year that has none."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


@dataclass(frozen=True, eq=False)
class Audience:
    """Who a broadcast or an article is for, described by values (never by columns): citizens who
    live in the province or in one of the wards, are `min_age` to `max_age` years old on `today`,
    are (True) or are not yet (False) at identity level 2, and are among `among_ids` (a SELECT of
    citizen ids another domain owns, e.g. the benefits domain's active beneficiaries). Every part
    is optional; none at all: everybody.

    Built by push campaigns (notifications/campaigns/audience.py) and articles
    (content/readers.py), then given to the functions below, which keep the registry's columns
    to themselves."""

    province_code: str | None = None
    ward_codes: tuple[str, ...] | None = None
    min_age: int | None = None
    max_age: int | None = None
    today: date | None = None  # the day ages are counted on; required with an age bound
    identity_level_2: bool | None = None
    among_ids: Select | None = None

    @property
    def everybody(self) -> bool:
        """True when nothing narrows the audience (callers can then skip the registry)."""
        return not _audience_conditions(self)


def _audience_conditions(audience: Audience) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if audience.province_code is not None:
        wards = units.search_wards(province_code=audience.province_code)
        conditions.append(Citizen.ward_code.in_([w.code for w in wards]))
    if audience.ward_codes is not None:
        conditions.append(Citizen.ward_code.in_(list(audience.ward_codes)))
    if (audience.min_age is not None or audience.max_age is not None) and audience.today is None:
        raise ValueError("an audience with an age bound needs the day ages are counted on (today)")
    if audience.min_age is not None:  # at least min_age years old today
        conditions.append(Citizen.date_of_birth <= years_before(audience.today, audience.min_age))
    if audience.max_age is not None:  # not yet max_age + 1
        conditions.append(Citizen.date_of_birth > years_before(audience.today, audience.max_age + 1))
    if audience.identity_level_2 is True:
        conditions.append(Citizen.identity_level >= 2)
    elif audience.identity_level_2 is False:
        conditions.append(Citizen.identity_level < 2)
    if audience.among_ids is not None:
        conditions.append(Citizen.id.in_(audience.among_ids))
    return conditions


def audience_citizen_ids(audience: Audience) -> Select:
    """The audience as a SELECT of citizen ids, for one statement of the caller's own (with
    `.in_()`, or joined as a subquery where a keyset page must follow the caller's key).
    Called by notifications/campaigns/audience.py (the devices a campaign reaches)."""
    return select(Citizen.id).where(*_audience_conditions(audience))


def count_audience(audience: Audience) -> int:
    """How many citizens of the registry the audience holds now.
    Called by notifications/campaigns/audience.py (campaign sizes) and content/readers.py
    (an article's reach)."""
    statement = select(func.count()).select_from(Citizen).where(*_audience_conditions(audience))
    return db.session.scalar(statement) or 0


def audience_citizen_ids_after(audience: Audience, after_id: uuid.UUID | None, limit: int) -> list[uuid.UUID]:
    """The next `limit` citizen ids of the audience after `after_id` (None: from the start), in
    id order: a keyset page, so a fan-out to a million citizens reads one page at a time.
    Called by notifications/campaigns/sending.py (the inbox phase of a campaign)."""
    statement = select(Citizen.id).where(*_audience_conditions(audience)).order_by(Citizen.id)
    if after_id is not None:
        statement = statement.where(Citizen.id > after_id)
    return list(db.session.scalars(statement.limit(limit)))


def cccd_ends_with(citizen_id: uuid.UUID | None, last4: str) -> bool:
    """Whether the CCCD of citizen `citizen_id` ends with the digits `last4`; False for an
    unknown id or None. One query whatever the answer, so a caller may ask it for a missing
    record too and have both refusals cost the same. Called by api/dossiers/service.py (public
    tracking of a dossier by its code and the applicant's last four CCCD digits)."""
    statement = select(Citizen.id).where(Citizen.id == citizen_id, func.substr(Citizen.cccd, 9, 4) == last4)
    return db.session.scalar(statement) is not None


def registry_rows_many(cccds: Collection[str], connection: Connection) -> list:
    """(id, cccd, full_name, date_of_birth) of the citizens holding these numbers, in one query
    however many numbers there are (registry_rows binds one parameter per number, and PostgreSQL
    takes at most 65,535 a statement). Called by api/records/bulk.py, the PostgreSQL records import,
    once per batch of up to 100,000 rows, on the import's own connection."""
    numbers = list(cccds)
    columns = (Citizen.id, Citizen.cccd, Citizen.full_name, Citizen.date_of_birth)
    if connection.dialect.name == "postgresql":
        # the numbers travel as one array parameter: cccd = ANY(:numbers)
        numbers_param = bindparam("numbers", numbers, type_=ARRAY(String))
        # .all(): one fetch of the whole result (iterating fetches row by row, several times slower)
        return connection.execute(select(*columns).where(Citizen.cccd == any_(numbers_param))).all()
    # elsewhere (SQLite) in slices well below its limit of 32,766 parameters a statement
    rows: list = []
    for start in range(0, len(numbers), 10_000):
        statement = select(*columns).where(Citizen.cccd.in_(numbers[start : start + 10_000]))
        rows.extend(connection.execute(statement))
    return rows


def resident_ids(ward_code: str) -> Select:
    """The ids of the citizens whose residence is the ward, as a SELECT for the caller's `.in_()`
    (never the registry's columns): the leaders' dashboard counts benefits, chats and campaigns
    "of a ward" as those of its residents (api/benefits/figures.py, api/chat/figures.py,
    notifications/campaigns/figures.py)."""
    return select(Citizen.id).where(Citizen.ward_code == ward_code)
