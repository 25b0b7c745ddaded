"""Citizen accounts: lookup, creation from VNeID claims, profile and the digital-citizen assets."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import date

from sqlalchemy import ColumnElement, Connection, select

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
    """Set the contact phone, normalised ("+84 912 345 678" -> "0912345678"), and commit."""
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
    db.session.commit()
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
    """The provider installed for `key`: a replacement may fall back to the one it replaces."""
    return _asset_providers[key]


def _asset_provider(key: str) -> Callable[[AssetProvider], AssetProvider]:
    def decorator(provider: AssetProvider) -> AssetProvider:
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
    db.session.commit()
    return address, created


def delete_digital_address(citizen: Citizen) -> None:
    if citizen.digital_address is None:
        raise digital_address_not_found()
    citizen.digital_address = None  # delete-orphan removes the row
    db.session.commit()


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


def audience_conditions(
    *,
    today: date,
    province_code: str | None = None,
    ward_codes: Collection[str] | None = None,
    min_age: int | None = None,
    max_age: int | None = None,
) -> list[ColumnElement[bool]]:
    """SQL conditions on the registry selecting citizens who live in the province or one of the
    wards and are `min_age` to `max_age` years old today (each bound optional); none: everybody.
    Campaigns and articles both count and reach their audience with these."""
    conditions: list[ColumnElement[bool]] = []
    if province_code is not None:
        conditions.append(
            Citizen.ward_code.in_([w.code for w in units.search_wards(province_code=province_code)])
        )
    if ward_codes is not None:
        conditions.append(Citizen.ward_code.in_(list(ward_codes)))
    if min_age is not None:  # at least min_age years old today
        conditions.append(Citizen.date_of_birth <= years_before(today, min_age))
    if max_age is not None:  # not yet max_age + 1
        conditions.append(Citizen.date_of_birth > years_before(today, max_age + 1))
    return conditions
