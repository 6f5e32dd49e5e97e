"""Backups of the embedded default's SQLite stores, taken while the server runs, and restoring one.

    make backup                               backups/<UTC time>/tracker.db, phone_tree.db, manifest.json
    make restore BACKUP=backups/<UTC time>    refused while the server runs; the current stores are kept aside
    python -m clinic_faq.ops.backup backup [--out backups] [--endpoints endpoints.yml]
    python -m clinic_faq.ops.backup restore backups/<UTC time> [--endpoints endpoints.yml]

The stores: the tracker store (the endpoints file's `tracker_store`, SQLite: `var/tracker.db`) and the phone
tree's (credentials.yml's `store`, or PHONE_TREE_STORE_URL: `var/phone_tree.db`). Each is copied with
SQLite's online backup API (`sqlite3.Connection.backup`), a few megabytes at a time so that the running
server can go on writing in between; when the store changes during the copy SQLite starts it again, so every
copy is the store as it was at one moment, never half a turn. Each copy is checked (`PRAGMA
integrity_check`) and described in manifest.json (size, SHA-256, rows per table). The two files are each
consistent, not taken at the same instant. Files are readable by their owner only: they hold health
information.

Restoring checks the backup (SHA-256 and integrity), refuses while a server uses a store (stop it first:
every server started by `clinic-rasa` holds a shared lock on `<store>.lock` for as long as it runs,
`hold_stores`, and restoring takes it exclusively) or any other process has it open, copies the stores the server has now into backups/<UTC time>-before-restore/, then
puts the backup's copies in place (stale journal files of the replaced store are removed).

A PostgreSQL store (production mode) is not copied here: use pg_dump (docs/deployment.md, "Backups").
"""

from __future__ import annotations

import argparse
import fcntl
import hashlib
import json
import os
import sqlite3
import sys
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional

import yaml

from clinic_faq import settings

STORES = {"tracker": "tracker.db", "phone_tree": "phone_tree.db"}
MANIFEST = "manifest.json"
PAGES_PER_STEP = 1024  # 4 MB at SQLite's default page size
PHONE_TREE_CHANNEL = "clinic_faq.rasa_ext.channels.phone_tree.PhoneTreeInput"


class BackupError(RuntimeError):
    """A backup or restore that cannot be done; the message says why and what to do."""


# --- where the stores are ------------------------------------------------------------------------------


def _sqlite_path(location: str, base: Path) -> Optional[Path]:
    """The file of a SQLite store given as a path or a sqlite:/// URL (None for any other database)."""
    if "://" in location:
        if not location.startswith("sqlite:///"):
            return None
        location = location[len("sqlite:///"):]
    path = Path(location)
    return path if path.is_absolute() else base / path


def store_paths(endpoints: Path, credentials: Path, phone_tree_store: Optional[str], base: Path,
                sqlite_only: bool = False) -> Dict[str, Path]:
    """The SQLite files of the tracker store and the phone tree's store (`phone_tree_store`, the setting
    PHONE_TREE_STORE_URL, else credentials.yml's), by role. A store on another
    database (PostgreSQL) is not listed; if the tracker store is one, that is an error with the way out
    (unless `sqlite_only`: then it is just left out)."""
    with open(endpoints, encoding="utf-8") as f:
        tracker = (yaml.safe_load(f) or {}).get("tracker_store") or {}
    dialect = str(tracker.get("dialect") or "sqlite")
    paths: Dict[str, Optional[Path]] = {}
    if dialect == "sqlite":
        paths["tracker"] = _sqlite_path(str(tracker.get("db") or "rasa.db"), base)
    elif not sqlite_only:
        raise BackupError(f"The tracker store in {endpoints} is {dialect}, not SQLite: back it up with the "
                          "database's own tools (pg_dump; docs/deployment.md, Backups).")
    phone = phone_tree_store
    if not phone and credentials.exists():
        with open(credentials, encoding="utf-8") as f:
            phone = ((yaml.safe_load(f) or {}).get(PHONE_TREE_CHANNEL) or {}).get("store")
    paths["phone_tree"] = _sqlite_path(str(phone or "var/phone_tree.db"), base)
    return {role: path for role, path in paths.items() if path is not None}


# --- copying ---------------------------------------------------------------------------------------------


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _check(path: Path) -> Dict[str, int]:
    """Rows per table of a SQLite file, after SQLite's own integrity check (BackupError if it fails)."""
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        result = db.execute("PRAGMA integrity_check").fetchone()[0]
        if result != "ok":
            raise BackupError(f"{path} failed SQLite's integrity check: {result}")
        tables = [row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
        return {table: int(db.execute(f'SELECT COUNT(*) FROM "{table}"').fetchone()[0]) for table in tables}
    finally:
        db.close()


def copy_store(source: Path, target: Path) -> None:
    """A consistent copy of a SQLite file that may be in use, with the online backup API. (The source is
    opened as any SQLite client opens it: after a crash, its journal is rolled back first.)"""
    src = sqlite3.connect(source, timeout=30)
    tmp = target.with_name(target.name + ".partial")
    tmp.unlink(missing_ok=True)
    dst = sqlite3.connect(tmp)
    try:
        src.backup(dst, pages=PAGES_PER_STEP, sleep=0.005)
    finally:
        dst.close()
        src.close()
    os.chmod(tmp, 0o600)
    os.replace(tmp, target)


def _new_dir(out: Path, suffix: str = "") -> Path:
    out.mkdir(parents=True, exist_ok=True)
    os.chmod(out, 0o700)
    stamp = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H-%M-%SZ")
    for n in range(1, 100):
        target = out / f"{stamp}{suffix}{'' if n == 1 else f'-{n}'}"
        try:
            target.mkdir(mode=0o700)
            return target
        except FileExistsError:
            continue
    raise BackupError(f"could not make a new folder in {out}")


def backup(stores: Mapping[str, Path], out: Path, suffix: str = "") -> Path:
    """Copy each existing store into a new folder under `out`; returns it (with manifest.json)."""
    target = _new_dir(out, suffix)
    manifest: Dict[str, Any] = {"created": datetime.now(timezone.utc).isoformat(timespec="seconds"), "stores": {}}
    for role, source in stores.items():
        if not source.exists():
            continue
        started = time.monotonic()
        copy = target / STORES[role]
        copy_store(source, copy)
        manifest["stores"][role] = {
            "file": copy.name, "source": str(source), "bytes": copy.stat().st_size, "sha256": _sha256(copy),
            "rows": _check(copy), "seconds": round(time.monotonic() - started, 3),
        }
    if not manifest["stores"]:
        target.rmdir()
        raise BackupError("None of the stores exists yet: " + ", ".join(str(p) for p in stores.values()))
    (target / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n")
    return target


# --- a server's stores in use -----------------------------------------------------------------------------

_held: List[int] = []


def _lock_file(store: Path) -> int:
    store.parent.mkdir(parents=True, exist_ok=True)
    return os.open(f"{store}.lock", os.O_RDWR | os.O_CREAT, 0o600)


def hold_stores(stores: Mapping[str, Path]) -> None:
    """Mark these stores as in use by this process until it ends (a shared lock on `<store>.lock`, which
    SQLite's own locks do not touch): a restore is refused meanwhile. Called by `clinic-rasa` at start-up."""
    for store in stores.values():
        fd = _lock_file(store)
        fcntl.flock(fd, fcntl.LOCK_SH)
        _held.append(fd)


def in_use(store: Path) -> Optional[int]:
    """An exclusive lock on the store's lock file (its descriptor), or None while a server holds it."""
    fd = _lock_file(store)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        return None
    return fd


# --- restoring ---------------------------------------------------------------------------------------------


def processes_using(paths: List[Path]) -> Dict[int, str]:
    """The processes (pid -> command line) that have any of these files open (Linux: /proc/*/fd)."""
    wanted = {str(p.resolve()) for p in paths}
    wanted |= {f"{w}-journal" for w in wanted} | {f"{w}-wal" for w in wanted}
    found: Dict[int, str] = {}
    for proc in Path("/proc").glob("[0-9]*"):
        try:
            if any(os.readlink(fd) in wanted for fd in (proc / "fd").iterdir()):
                found[int(proc.name)] = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:  # gone, or not ours to look at
            continue
    return found


def read_manifest(folder: Path) -> Dict[str, Any]:
    try:
        manifest: Dict[str, Any] = json.loads((folder / MANIFEST).read_text())
    except (OSError, ValueError) as e:
        raise BackupError(f"{folder} is not a backup made by `make backup` (no readable {MANIFEST}: {e})") from None
    for role, entry in manifest.get("stores", {}).items():
        copy = folder / entry["file"]
        if role not in STORES or not copy.exists() or _sha256(copy) != entry["sha256"]:
            raise BackupError(f"{copy} is missing or differs from when it was backed up: not restored.")
        _check(copy)
    return manifest


def restore(folder: Path, targets: Mapping[str, Path], keep_aside: Optional[Path] = None) -> Dict[str, Path]:
    """Put the backup's stores in place of `targets` (role -> file); only the roles both have. Refused
    while a process has a target open. The files replaced are first copied into `keep_aside`/<time>-before-
    restore/ (when given). Returns role -> file restored."""
    manifest = read_manifest(folder)
    roles = [role for role in manifest["stores"] if role in targets]
    if not roles:
        raise BackupError(f"{folder} holds none of the stores to restore ({', '.join(targets)}).")
    locks: List[int] = []
    try:
        for role in roles:
            fd = in_use(targets[role])
            if fd is None:
                raise BackupError(f"The assistant is running: a server uses {targets[role]}. Stop it first (Ctrl-C "
                                  "where `make run` runs, or stop the service), then restore again. Nothing was changed.")
            locks.append(fd)
        users = processes_using([targets[role] for role in roles])
        users.pop(os.getpid(), None)
        if users:
            who = "; ".join(f"process {pid}: {cmd[:100]}" for pid, cmd in sorted(users.items()))
            raise BackupError(f"The store is open in another program ({who}). Stop it first (Ctrl-C where `make run` "
                              "runs, or stop the service), then restore again. Nothing was changed.")
        if keep_aside is not None:
            current = {role: targets[role] for role in roles if targets[role].exists()}
            if current:
                backup(current, keep_aside, suffix="-before-restore")
        restored = {}
        for role in roles:
            target = targets[role]
            copy_store(folder / manifest["stores"][role]["file"], target)
            for stale in (f"{target}-journal", f"{target}-wal", f"{target}-shm"):
                Path(stale).unlink(missing_ok=True)  # belonged to the store just replaced
            restored[role] = target
        return restored
    finally:
        for fd in locks:
            os.close(fd)


# --- the command line --------------------------------------------------------------------------------------


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description="Back up or restore the embedded default's SQLite stores.")
    parser.add_argument("--endpoints", type=Path, default=Path("endpoints.yml"))
    parser.add_argument("--credentials", type=Path, default=Path("credentials.yml"))
    modes = parser.add_subparsers(dest="mode", required=True)
    b = modes.add_parser("backup", help="copy the stores (while the server runs) into OUT/<UTC time>/")
    b.add_argument("--out", type=Path, default=Path("backups"))
    r = modes.add_parser("restore", help="put a backup's stores in place (the server must be stopped)")
    r.add_argument("folder", type=Path)
    r.add_argument("--out", type=Path, default=Path("backups"), help="where the replaced stores are kept aside")
    args = parser.parse_args(argv)
    try:
        stores = store_paths(args.endpoints, args.credentials, settings.current().phone_tree_store_url, Path.cwd())
        if args.mode == "backup":
            folder = backup(stores, args.out)
            manifest = json.loads((folder / MANIFEST).read_text())
            for role, entry in manifest["stores"].items():
                print(f"  {role}: {entry['source']} -> {folder / entry['file']} ({entry['bytes']:,} bytes, "
                      f"{entry['rows'].get('events', sum(entry['rows'].values())):,} rows)")
            print(f"Backed up to {folder}. Restore with: make restore BACKUP={folder}")
        else:
            restored = restore(args.folder, stores, keep_aside=args.out)
            for role, target in restored.items():
                print(f"  {role}: {args.folder / STORES[role]} -> {target}")
            print(f"Restored {args.folder} (the stores it replaced were kept in {args.out}/*-before-restore/).")
    except BackupError as e:
        print(f"Not done: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
