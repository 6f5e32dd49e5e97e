"""Backups of the SQLite stores (clinic_faq.ops.backup): consistent while a writer runs,
checked, restored only when nothing has the store open."""

import json
import os
import sqlite3
import subprocess
import sys
import threading
import time

import pytest

from clinic_faq.ops.backup import (
    MANIFEST,
    BackupError,
    backup,
    main,
    processes_using,
    restore,
    store_paths,
)
from tests.conftest import PROJECT


def make_store(path, rows=0):
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE events (id INTEGER PRIMARY KEY, sender_id TEXT, turn INTEGER, part INTEGER)")
    for n in range(rows):
        db.execute("INSERT INTO events (sender_id, turn, part) VALUES ('x', ?, 0)", (n,))
    db.commit()
    db.close()


def test_a_backup_taken_while_a_writer_runs_holds_only_whole_turns(tmp_path):
    store = tmp_path / "tracker.db"
    make_store(store, rows=20_000)
    stop = threading.Event()

    def writer():  # turns of 5 events, each in one transaction, as the tracker store saves them
        db = sqlite3.connect(store, timeout=30)
        turn = 100_000
        while not stop.is_set():
            with db:
                db.executemany("INSERT INTO events (sender_id, turn, part) VALUES ('y', ?, ?)",
                               [(turn, part) for part in range(5)])
            turn += 1
            time.sleep(0.001)  # a busy server's pace, not a tight loop that starves the backup
        db.close()

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        time.sleep(0.2)
        folders = [backup({"tracker": store}, tmp_path / "backups") for _ in range(3)]
    finally:
        stop.set()
        thread.join()
    for folder in folders:
        copy = sqlite3.connect(folder / "tracker.db")
        parts = copy.execute("SELECT turn, COUNT(*) FROM events WHERE sender_id = 'y' GROUP BY turn").fetchall()
        assert parts and all(count == 5 for _, count in parts)  # no half turn
        assert copy.execute("SELECT COUNT(*) FROM events WHERE sender_id = 'x'").fetchone()[0] == 20_000
        manifest = json.loads((folder / MANIFEST).read_text())
        assert manifest["stores"]["tracker"]["rows"]["events"] == 20_000 + 5 * len(parts)
        assert oct(os.stat(folder / "tracker.db").st_mode & 0o777) == "0o600"


def test_restore_puts_the_backup_in_place_and_keeps_the_replaced_store(tmp_path):
    store = tmp_path / "var" / "tracker.db"
    store.parent.mkdir()
    make_store(store, rows=3)
    folder = backup({"tracker": store, "phone_tree": tmp_path / "var" / "missing.db"}, tmp_path / "backups")
    assert sorted(p.name for p in folder.iterdir()) == [MANIFEST, "tracker.db"]
    db = sqlite3.connect(store)
    db.execute("INSERT INTO events (sender_id, turn, part) VALUES ('later', 9, 0)")
    db.commit()
    db.close()
    (tmp_path / "var" / "tracker.db-journal").write_bytes(b"stale")
    restore(folder, {"tracker": store}, keep_aside=tmp_path / "backups")
    restored = sqlite3.connect(store)
    assert restored.execute("SELECT COUNT(*) FROM events").fetchone()[0] == 3
    restored.close()
    assert not (tmp_path / "var" / "tracker.db-journal").exists()
    [aside] = list((tmp_path / "backups").glob("*-before-restore"))
    kept = sqlite3.connect(aside / "tracker.db")
    assert kept.execute("SELECT COUNT(*) FROM events").fetchone()[0] == 4


def test_restore_is_refused_while_a_process_has_the_store_open(tmp_path):
    store = tmp_path / "tracker.db"
    make_store(store, rows=2)
    folder = backup({"tracker": store}, tmp_path / "backups")
    holder = subprocess.Popen([sys.executable, "-c", f"import sqlite3, time; db = sqlite3.connect({str(store)!r}); "
                               "db.execute('SELECT 1 FROM events').fetchall(); print('open', flush=True); time.sleep(60)"],
                              stdout=subprocess.PIPE)
    try:
        assert holder.stdout.readline().strip() == b"open"
        assert holder.pid in processes_using([store])
        with pytest.raises(BackupError, match=f"process {holder.pid}.*Stop it first.*Nothing was changed"):
            restore(folder, {"tracker": store})
    finally:
        holder.kill()
        holder.wait()
    restore(folder, {"tracker": store})


def test_restore_is_refused_while_a_server_holds_the_store(tmp_path):
    """A server (clinic-rasa) marks its SQLite stores in use for as long as it runs, even between requests,
    when it has no connection open."""
    store = tmp_path / "tracker.db"
    make_store(store, rows=2)
    folder = backup({"tracker": store}, tmp_path / "backups")
    server = subprocess.Popen([sys.executable, "-c", "import sys, time; from pathlib import Path; "
                               "from clinic_faq.ops.backup import hold_stores; "
                               f"hold_stores({{'tracker': Path({str(store)!r})}}); print('held', flush=True); time.sleep(60)"],
                              stdout=subprocess.PIPE)
    try:
        assert server.stdout.readline().strip() == b"held"
        with pytest.raises(BackupError, match="a server uses .*tracker.db. Stop it first"):
            restore(folder, {"tracker": store})
    finally:
        server.kill()
        server.wait()
    assert restore(folder, {"tracker": store}) == {"tracker": store}  # once it has stopped


def test_a_damaged_backup_is_not_restored(tmp_path):
    store = tmp_path / "tracker.db"
    make_store(store, rows=2)
    folder = backup({"tracker": store}, tmp_path / "backups")
    with open(folder / "tracker.db", "r+b") as f:
        f.seek(200)
        f.write(b"\xff" * 16)
    with pytest.raises(BackupError, match="differs from when it was backed up"):
        restore(folder, {"tracker": store})
    with pytest.raises(BackupError, match="not a backup"):
        restore(tmp_path, {"tracker": store})


def test_the_stores_come_from_the_endpoints_and_credentials(tmp_path):
    paths = store_paths(PROJECT / "endpoints.yml", PROJECT / "credentials.yml", None, tmp_path)
    assert paths == {"tracker": tmp_path / "var" / "tracker.db", "phone_tree": tmp_path / "var" / "phone_tree.db"}
    with_url = store_paths(PROJECT / "endpoints.yml", PROJECT / "credentials.yml",
                           "postgresql://u@db/clinic", tmp_path)
    assert set(with_url) == {"tracker"}  # the phone tree's store is in PostgreSQL: not copied here
    with pytest.raises(BackupError, match="pg_dump"):
        store_paths(PROJECT / "endpoints.production.yml", PROJECT / "credentials.yml", None, tmp_path)


def test_the_command_line(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "var").mkdir()
    make_store(tmp_path / "var" / "tracker.db", rows=5)
    make_store(tmp_path / "var" / "phone_tree.db", rows=1)
    endpoints = ["--endpoints", str(PROJECT / "endpoints.yml"), "--credentials", str(PROJECT / "credentials.yml")]
    assert main([*endpoints, "backup"]) == 0
    out = capsys.readouterr().out
    assert "tracker: " in out and "phone_tree: " in out and "make restore BACKUP=backups/" in out
    [folder] = list((tmp_path / "backups").iterdir())
    assert main([*endpoints, "restore", str(folder)]) == 0
    assert "Restored" in capsys.readouterr().out
    assert main([*endpoints, "restore", str(tmp_path / "nowhere")]) == 1
    assert "Not done:" in capsys.readouterr().err
