"""Chatbot latency: Rasa's `/model/parse`, and a dossier lookup through `POST /chat`.

Needs the stack `make run` starts (API on :8000, Rasa on :5005, actions on :5055) and its
database (the demo citizen's dossier comes from `flask seed-demo`). Requests are sent one
after another, so the figures are latencies, not throughput:

    make run                                   # in another terminal; wait for Rasa to load
    .venv/bin/python bench/chat_bench.py       # --parse 300 --chat 100

The chat round trip covers the API (store, delegated token), Rasa (NLU, policies), the action
server and its call back into the API for the citizen's dossier, and the reply stored.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

import httpx
import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def percentile(samples: list[float], share: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def report(name: str, samples: list[float]) -> None:
    print(
        f"{name:<28} n={len(samples):<4} p50 {percentile(samples, 0.5) * 1000:6.1f} ms"
        f"   p95 {percentile(samples, 0.95) * 1000:6.1f} ms   mean {statistics.mean(samples) * 1000:6.1f} ms"
    )


def held_out_messages() -> list[str]:
    """Real citizen phrasings from the held-out NLU set, annotations stripped."""
    import re

    messages = []
    for name in ("test_nlu.yml", "test_nlu_no_diacritics.yml"):
        data = yaml.safe_load((ROOT / "nlu_data/test" / name).read_text(encoding="utf-8"))
        for block in data["nlu"]:
            for line in block.get("examples", "").splitlines():
                text = re.sub(
                    r"\[([^\]]+)\]\([^)]+\)|\[([^\]]+)\]\{[^}]+\}", r"\1\2", line.lstrip("- ").strip()
                )
                if text:
                    messages.append(text)
    return messages


def bench_parse(rasa_url: str, token: str, count: int) -> list[float]:
    messages = held_out_messages()
    samples = []
    with httpx.Client(timeout=10) as client:
        for i in range(count):
            started = time.perf_counter()
            response = client.post(
                f"{rasa_url}/model/parse", params={"token": token}, json={"text": messages[i % len(messages)]}
            )
            samples.append(time.perf_counter() - started)
            response.raise_for_status()
    return samples


def demo_citizen_session() -> tuple[str, str, str]:
    """Sign the demo level-2 citizen in (as VNeID would) and find their demo dossier."""
    from api import create_app
    from api.auth import service as auth
    from api.citizens import service as citizens
    from api.demo import demo_level2_citizen
    from api.dossiers import service as dossiers
    from api.extensions import db

    app = create_app({"LOG_LEVEL": "WARNING"})
    with app.test_request_context():
        citizen = citizens.citizen_by_cccd(demo_level2_citizen().cccd)
        if citizen is None:
            sys.exit("No demo data: run `make run` (or `flask seed-demo`) first.")
        dossier = db.session.scalars(dossiers.citizen_dossiers(citizen.id).limit(1)).first()
        pair = auth.sign_in_citizen(citizen)
        return pair["access_token"], dossier.code, dossier.procedure.name


def bench_chat(api_url: str, count: int) -> list[float]:
    token, code, procedure_name = demo_citizen_session()
    headers = {"Authorization": f"Bearer {token}"}
    samples = []
    with httpx.Client(timeout=30, headers=headers) as client:
        conversation_id = None
        for i in range(count):
            if i % 10 == 0:
                conversation_id = None  # a new conversation now and then, as real chats are short
            body = {"message": f"hồ sơ {code} của tôi đến đâu rồi"}
            if conversation_id:
                body["conversation_id"] = conversation_id
            started = time.perf_counter()
            response = client.post(f"{api_url}/chat", json=body)
            samples.append(time.perf_counter() - started)
            if response.status_code != 200:
                sys.exit(f"POST /chat answered {response.status_code}: {response.text[:300]}")
            reply = response.json()
            conversation_id = reply["conversation_id"]
            answer = " ".join(message["text"] for message in reply["replies"])
            if code not in answer:
                sys.exit(f"the bot did not answer with the dossier: {answer[:300]!r}")
    print(f"(dossier {code}, {procedure_name})")
    return samples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--parse", type=int, default=300, help="number of /model/parse requests")
    parser.add_argument("--chat", type=int, default=100, help="number of POST /chat lookups")
    args = parser.parse_args()
    rasa_url = os.environ.get("RASA_URL", "http://127.0.0.1:5005")
    api_url = os.environ.get("CDS_API_URL", "http://127.0.0.1:8000")
    token = os.environ.get("RASA_TOKEN", "dev-only-rasa-token-change-me")

    bench_parse(rasa_url, token, 20)  # warm-up: first requests load lazily
    report("Rasa /model/parse", bench_parse(rasa_url, token, args.parse))
    report("POST /chat dossier lookup", bench_chat(api_url, args.chat))


if __name__ == "__main__":
    main()
