"""Reading the tracker store: which database, and its events streamed in the order they were stored.

The store is the one the Rasa server writes (Rasa's SQLTrackerStore schema, SQLite or PostgreSQL: one
`events` row per event, its JSON in `data`). It is found, in this order, from

1. a database URL (`--store-url`, or `INSIGHTS_STORE_URL`, so a password stays out of the command line);
2. an endpoints file's `tracker_store` section (`endpoints.yml`: SQLite under var/; `endpoints.production.yml`:
   PostgreSQL), with `${VAR}` values read from the environment as Rasa reads them.

Nothing here imports Rasa: the report runs without loading it.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any, Callable, Dict, Iterator, Mapping, Optional, Tuple, Union
from urllib import parse

import sqlalchemy as sa
import yaml

from clinic_faq import settings
from clinic_faq.core.turns import EventDict
from clinic_faq.paths import project_dir
from clinic_faq.settings import Settings

STORE_URL_ENV = "INSIGHTS_STORE_URL"
HASH_KEY_ENV = "CONVERSATION_HASH_KEY"
SQL_STORE_TYPES = ("sql", "clinic_faq.rasa_ext.stores.tracker.loudsqltrackerstore")
# The events a report reads; the others (actions, slots, featurization) are left in the database.
REPORT_EVENTS: Tuple[str, ...] = ("user", "bot", "session_started")
_ENV_VAR = re.compile(r"\$\{([^}]+)\}")


class StoreError(ValueError):
    """The tracker store cannot be found or read: the message says what to change."""


def expand_env(value: Any) -> Any:
    """`${VAR}` in a string (or in a dict's or list's strings), replaced from the environment."""
    if isinstance(value, str):
        def replace(match: re.Match[str]) -> str:
            name = match.group(1)
            if name not in os.environ:
                raise StoreError(f"the environment variable {name} is not set (the endpoints file uses ${{{name}}})")
            return os.environ[name]

        return _ENV_VAR.sub(replace, value)
    if isinstance(value, dict):
        return {k: expand_env(v) for k, v in value.items()}
    if isinstance(value, list):
        return [expand_env(v) for v in value]
    return value


def store_url_from_endpoints(path: Union[str, Path]) -> Union[str, sa.engine.URL]:
    """The database URL of the SQL tracker store an endpoints file configures (as Rasa's SQLTrackerStore
    builds it, but for the store's own database rather than `login_db`)."""
    path = Path(path)
    try:
        with open(path, encoding="utf-8") as f:
            store = (yaml.safe_load(f) or {}).get("tracker_store") or {}
    except OSError as error:
        raise StoreError(f"{path}: cannot read the endpoints file ({error.strerror})") from error
    if str(store.get("type", "")).lower() not in SQL_STORE_TYPES:
        raise StoreError(f"{path}: the tracker store must be a SQL store (SQLite or PostgreSQL)")
    store = expand_env(store)
    dialect = str(store.get("dialect") or "sqlite")
    host: Optional[str] = store.get("url")
    db = str(store.get("db") or "rasa.db")
    if host and "://" in host:  # a complete URL in `url`, as Rasa allows
        return host
    port = store.get("port")
    if host:
        parsed = parse.urlsplit(f"scheme://{host}")
        port = parsed.port or port
        host = parsed.hostname or host
    if dialect == "sqlite" and db != ":memory:" and not Path(db).is_absolute():
        db = str(project_dir() / db)  # Rasa opens it relative to the project directory it runs in
    query: Mapping[str, Any] = store.get("query") or {}
    return sa.engine.URL.create(
        dialect, username=store.get("username") or None, password=store.get("password") or None, host=host or None,
        port=int(port) if port not in (None, "") else None, database=db, query={k: str(v) for k, v in query.items()},
    )


def engine_for(url: Optional[str] = None, endpoints: Optional[Union[str, Path]] = None) -> sa.engine.Engine:
    """An engine on the tracker store: `url`, else INSIGHTS_STORE_URL, else the endpoints file's store."""
    url = url or Settings.secret(settings.current().insights_store_url)
    if url:
        return sa.create_engine(url)
    return sa.create_engine(store_url_from_endpoints(endpoints or project_dir() / "endpoints.yml"))


def describe(engine: sa.engine.Engine) -> str:
    """Which store, for the report's header: the dialect and database name, never a password or host."""
    database = engine.url.database or ""
    name = Path(database).name if engine.url.get_backend_name() == "sqlite" else database
    return f"{engine.url.get_backend_name()} ({name})"


def conversation_hash_key() -> Optional[bytes]:
    key = Settings.secret(settings.current().conversation_hash_key) or ""
    return key.encode() if key else None


def _loads() -> Callable[[str], Any]:
    """ujson's parser where it is installed (Rasa depends on it): about a third faster on stored events."""
    try:
        import ujson
    except ImportError:  # pragma: no cover - ujson comes with Rasa
        return json.loads
    parse: Callable[[str], Any] = ujson.loads
    return parse


def stream_events(
    engine: sa.engine.Engine,
    since: Optional[float] = None,
    until: Optional[float] = None,
    kinds: Tuple[str, ...] = REPORT_EVENTS,
) -> Iterator[Tuple[str, EventDict]]:
    """(sender id, event) for every stored event of the given kinds, in the order they were stored.

    Rows are fetched in batches from a server-side cursor, so memory does not grow with the store.
    """
    where = ["type_name IN :kinds"]
    params: Dict[str, Any] = {"kinds": list(kinds)}
    if since is not None:
        where.append("timestamp >= :since")
        params["since"] = since
    if until is not None:
        where.append("timestamp < :until")
        params["until"] = until
    query = sa.text(f"SELECT sender_id, data FROM events WHERE {' AND '.join(where)} ORDER BY id").bindparams(
        sa.bindparam("kinds", expanding=True)
    )
    loads = _loads()
    with engine.connect() as connection:
        if not sa.inspect(connection).has_table("events"):
            raise StoreError(f"{describe(engine)}: no conversations stored yet (there is no events table)")
        result = connection.execution_options(stream_results=True, yield_per=5000).execute(query, params)
        for partition in result.partitions(5000):
            for sender_id, data in partition:
                yield sender_id, loads(data)
