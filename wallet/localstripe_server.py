"""localstripe (the Stripe-compatible test server) as the tests, the benchmark and `make run` run it.

Two changes from its own `localstripe` command, both about sharing one machine:
- it listens on loopback only (its command binds every interface);
- its objects are kept in a file we choose (`--store`), not in /tmp/localstripe.pickle, which
  every instance on the machine would share: the tests, `make run` and the benchmark would
  overwrite each other's cards and payments. Restarted without `--from-scratch`, it reloads the
  file, as a real provider keeps its state across an outage.

Development and tests only: production talks to the real provider.
"""

from __future__ import annotations

import argparse
import logging
import pickle
import socket
from pathlib import Path

from aiohttp import web
from localstripe import resources, server


def _use_store_file(path: Path) -> None:
    def load(store: resources.Store) -> None:
        if path.exists():
            with path.open("rb") as stored:
                store.clear()
                store.update(pickle.load(stored))  # noqa: S301 (our own file, written below)

    def dump(store: resources.Store) -> None:
        partial = path.with_suffix(".tmp")
        with partial.open("wb") as stored:
            pickle.dump(dict(store), stored, protocol=pickle.HIGHEST_PROTOCOL)
        partial.replace(path)  # never a half-written file for the next start to read

    resources.Store.try_load_from_disk = load
    resources.Store.dump_to_disk = dump


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8420)
    parser.add_argument("--store", type=Path, required=True, help="file keeping its objects")
    parser.add_argument("--from-scratch", action="store_true", help="forget what the file holds")
    args = parser.parse_args()
    args.store.parent.mkdir(parents=True, exist_ok=True)
    _use_store_file(args.store)
    if args.from_scratch:
        args.store.unlink(missing_ok=True)
    server.store.try_load_from_disk()

    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", args.port))
    access_log = logging.getLogger("aiohttp.access")
    access_log.setLevel(logging.INFO)
    access_log.addHandler(logging.StreamHandler())
    # The API's /ready asks for the balance (wallet.service.readiness), and `make run`'s status
    # process asks /ready every few seconds: those probes are not worth a line each.
    access_log.addFilter(lambda record: "GET /v1/balance " not in record.getMessage())
    web.run_app(server.app, sock=listener, access_log=access_log, print=None)


if __name__ == "__main__":
    main()
