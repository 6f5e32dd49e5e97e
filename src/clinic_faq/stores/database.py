"""One engine per store URL, with the tables created on first use."""

from __future__ import annotations

import functools
import threading
from pathlib import Path
from typing import Optional, Union

import sqlalchemy as sa

from clinic_faq import settings
from clinic_faq.paths import var_dir

URL_ENV = "CLINIC_STORE_URL"
METADATA = sa.MetaData()
_lock = threading.Lock()


def store_url(configured: Optional[Union[str, Path]] = None) -> str:
    """`configured`, else CLINIC_STORE_URL, else the embedded default `var/clinic.db`; a plain path is a
    SQLite file."""
    location = str(configured or settings.current().store_url or var_dir() / "clinic.db")
    if "://" not in location:
        Path(location).parent.mkdir(parents=True, exist_ok=True)
        location = f"sqlite:///{location}"
    return location


@functools.lru_cache(maxsize=8)
def _engine(url: str) -> sa.engine.Engine:
    kwargs = {"connect_args": {"timeout": 15}} if url.startswith("sqlite") else {}
    engine = sa.create_engine(url, pool_pre_ping=True, future=True, **kwargs)
    with _lock:
        METADATA.create_all(engine)
    return engine


def engine(configured: Optional[Union[str, Path]] = None) -> sa.engine.Engine:
    """The engine of the clinic store (tables of every imported store module created)."""
    return _engine(store_url(configured))
