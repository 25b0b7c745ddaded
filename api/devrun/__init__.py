"""The processes `make run` adds around the API (Procfile): development only.

- `supervise.py` runs a dependency (Rasa, the action server, localstripe, the scheduler) and
  restarts it when it dies, so honcho, which stops every process as soon as one exits, never
  sees it exit: a crashed dependency no longer takes the API down with it.
- `watch.py` follows `/ready` and says in the terminal when each part is ready (Rasa takes about
  a minute to load its model) and when one goes down or comes back.

Both are run by their paths (`.venv/bin/python api/devrun/supervise.py …`), use the standard
library and httpx only, and read no configuration but the environment the Makefile exports: they
keep working when the app itself fails to import.
"""
