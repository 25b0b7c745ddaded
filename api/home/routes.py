"""`GET /`: the home page (HTML), or a small JSON index for a client that asks for JSON.

Public, like `/ready` whose checks it shows: it holds no one's data. Not in the OpenAPI document
(a page for people, like the workspace).
"""

from __future__ import annotations

from pathlib import Path

from flask import current_app, jsonify, render_template, request, send_from_directory
from werkzeug.exceptions import HTTPException
from werkzeug.routing import RequestRedirect

from api.health import readiness
from api.http import Blueprint
from api.policy import PUBLIC, allow

home = Blueprint("home", __name__, template_folder="templates")
STATIC_FILES = Path(__file__).parent / "static"

# Only the page's own script and stylesheet; its script reads this origin only.
HOME_CSP = (
    "default-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'none'; frame-ancestors 'none'"
)

# How long Rasa takes to load its model after `make run` starts it: 71 s measured on a 2-core
# machine doing other work (the Makefile's banner and api/devrun/watch.py say the same).
RASA_LOAD_TIME = "70–90 giây"

COMPONENT_NAMES = {
    "database": "Cơ sở dữ liệu",
    "chatbot": "Trợ lý ảo (Rasa)",
    "payments": "Cổng thanh toán",
    "scheduler": "Bộ lập lịch (thông báo, đối soát, nhắc hạn)",
    "push": "Thông báo đẩy (FCM)",
    "storage": "Lưu trữ tệp",
    "identity_provider": "Đăng nhập VNeID",
    "redis": "Redis (giới hạn tần suất)",
}
STATE_NAMES = {"ok": "Sẵn sàng", "off": "Không bật", "down": "Không hoạt động"}
# Where the general words would mislead: a chatbot still loading is not broken.
STATE_NAMES_OF = {
    ("chatbot", "down"): "Chưa sẵn sàng",
    ("scheduler", "off"): "Chưa chạy",
    ("scheduler", "down"): "Đã dừng",
}
# What a person should know while a part is not there yet.
WAITING_HINTS = {
    "chatbot": f"Sau khi khởi động, trợ lý ảo cần khoảng {RASA_LOAD_TIME} để nạp mô hình.",
    "scheduler": "Bộ lập lịch là tiến trình `scheduler` của `make run` "
    "(flask --app api:create_app scheduler run).",
}

# (path, title, what it is); a path is linked only when the app serves it.
LINKS = (
    ("/app/", "Ứng dụng công dân", "ứng dụng web cho công dân"),
    (
        "/workspace/",
        "Không gian làm việc của cán bộ",
        "một cửa, công an, lãnh đạo, tổng đài, truyền thông, quản trị",
    ),
    ("/auth/vneid/login", "Đăng nhập công dân (VNeID)", "trả về cặp mã truy cập của API"),
    ("/docs", "Tài liệu API", "Swagger UI, thử trực tiếp các API"),
    ("/openapi.json", "Đặc tả OpenAPI 3", "tài liệu máy đọc được"),
    ("/ready", "Tình trạng sẵn sàng", "JSON: từng thành phần và trạng thái"),
    ("/health", "Kiểm tra hoạt động", "JSON: tiến trình API trả lời"),
)


def _served(path: str) -> bool:
    adapter = current_app.url_map.bind("localhost")
    try:
        adapter.match(path, method="GET")
    except RequestRedirect:  # "/app" → "/app/": served
        return True
    except HTTPException:
        return False
    return True


def _components() -> tuple[bool, list[dict]]:
    ready, results = readiness()
    components = [
        {
            "name": "api",
            "label": "API",
            "state": "ok",
            "state_label": "Đang chạy",
            "detail": f"môi trường {current_app.config['CDS_ENV']}",
        }
    ]
    for name, result in results.items():
        state = result["state"]
        detail = result["detail"]
        if state != "ok" and name in WAITING_HINTS:
            detail = f"{detail}. {WAITING_HINTS[name]}"
        components.append(
            {
                "name": name,
                "label": COMPONENT_NAMES.get(name, name),
                "state": state,
                "state_label": STATE_NAMES_OF.get((name, state), STATE_NAMES.get(state, state)),
                "detail": detail,
            }
        )
    return ready, components


def _links() -> list[dict]:
    return [
        {"href": path, "title": title, "description": description}
        for path, title, description in LINKS
        if _served(path)
    ]


@home.get("/")
@allow(PUBLIC)
def home_page():
    ready, components = _components()
    links = _links()
    wants = request.accept_mimetypes.best_match(["text/html", "application/json"], default="text/html")
    if wants == "application/json":
        response = jsonify(
            {
                "name": "Công dân số",
                "status": "ready" if ready else "not_ready",
                "components": components,
                "links": links,
            }
        )
    else:
        response = current_app.make_response(
            render_template(
                "home/index.html",
                ready=ready,
                components=components,
                links=links,
                waiting=[c for c in components if c["state"] != "ok"],
            )
        )
        response.headers["Content-Security-Policy"] = HOME_CSP
    response.headers["Cache-Control"] = "no-store"
    response.vary.add("Accept")
    return response


@home.get("/home/<any('home.js', 'home.css'):filename>")
@allow(PUBLIC)
def home_asset(filename: str):
    return send_from_directory(STATIC_FILES, filename, max_age=300)
