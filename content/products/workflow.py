"""The moderation of local products (M22): sellers and their products, each one table of moves.

    seller:  pending ──verify──► verified        product:  pending ──approve──► approved
               ▲   └──reject──► rejected                      ▲   └──reject───► rejected
               └──resubmit (the seller's edit) ──┘            └──resubmit (the seller's edit)──┘

Staff may decide again on a seller or product already decided (a verified seller found to be
fraudulent is rejected; a product fixed by hand is approved): no status is final. What the seller
changes that staff must see sends it back to pending. Decisions are written with a version check
(`version_id_col`, and If-Match at the edge), so a decision on a copy edited meanwhile fails.
"""

from __future__ import annotations

from api.state_machine import StateMachine, move
from content.products.models import APPROVED, PENDING, PRODUCT_STATUSES, REJECTED, SELLER_STATUSES, VERIFIED

STAFF, SELLER = "staff", "seller"

SELLERS = StateMachine(
    SELLER_STATUSES,
    [
        move("verify", STAFF, SELLER_STATUSES, VERIFIED, label="Đã xác minh người bán"),
        move("reject", STAFF, SELLER_STATUSES, REJECTED, note_required=True, label="Từ chối người bán"),
        move("resubmit", SELLER, SELLER_STATUSES, PENDING, label="Người bán sửa thông tin, chờ xác minh lại"),
    ],
)

PRODUCTS = StateMachine(
    PRODUCT_STATUSES,
    [
        move("approve", STAFF, PRODUCT_STATUSES, APPROVED, label="Đã duyệt sản phẩm"),
        move("reject", STAFF, PRODUCT_STATUSES, REJECTED, note_required=True, label="Từ chối sản phẩm"),
        move("resubmit", SELLER, PRODUCT_STATUSES, PENDING, label="Người bán sửa sản phẩm, chờ duyệt lại"),
    ],
)
