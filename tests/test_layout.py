"""The package's layers hold: the safety core runs without Rasa, and the product never imports the tooling."""

import ast
import subprocess
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "src" / "clinic_faq"


def imported_modules(path: Path):
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            yield node.module


def test_importing_the_safety_core_loads_no_rasa():
    modules = sorted(p.stem for p in (PACKAGE / "core").glob("*.py") if p.stem != "__init__")
    code = ("import sys\n" + "".join(f"import clinic_faq.core.{m}\n" for m in modules)
            + "print(sorted({m.split('.')[0] for m in sys.modules} & {'rasa', 'rasa_sdk', 'sanic', 'socketio'}))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]", done.stdout
    assert len(modules) >= 10


def test_the_core_imports_nothing_from_above_it():
    for path in (PACKAGE / "core").rglob("*.py"):
        for module in imported_modules(path):
            assert not module.startswith(("rasa", "clinic_faq.rasa_ext", "clinic_faq_dev", "sanic")), (path, module)


def test_the_product_never_imports_the_developer_tooling():
    for path in PACKAGE.rglob("*.py"):
        for module in imported_modules(path):
            assert not module.startswith("clinic_faq_dev"), (path, module)


def test_rasa_internals_are_patched_only_in_the_patches_module():
    """Assignments to Rasa's classes or modules happen in rasa_ext/patches.py only; the logging module's
    machinery is not replaced anywhere (log redaction is a filter on the handlers)."""
    rasa_names = ("rasa.", "RemoteAction.", "Event.", "RulePolicy.", "DialogueStateTracker.", "SQLTrackerStore.")
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Assign) and path.name != "patches.py":
                for target in node.targets:
                    assert not ast.unparse(target).startswith(rasa_names), (path, ast.unparse(target))
            if isinstance(node, ast.Call):
                assert ast.unparse(node.func) != "logging.setLogRecordFactory", path
                # no state hidden on Rasa's objects (trackers, policies) by attribute name
                assert "rasa_ext" not in path.parts or ast.unparse(node.func) != "setattr", path


# Plain Python that only the Rasa extensions read: which of their speed-ups are on, and the code fingerprint of their
# components for Rasa's training cache.
RASA_EXT_ONLY = {"tuning.py", "fingerprint.py"}
NOT_YET_MOVED: set = set()


def test_what_is_under_rasa_ext_plugs_into_rasa():
    """A module that touches neither Rasa, rasa-sdk, Sanic nor another rasa_ext module belongs elsewhere."""
    rasa_ext = PACKAGE / "rasa_ext"
    for path in rasa_ext.rglob("*.py"):
        name = path.relative_to(rasa_ext).as_posix()
        if path.name == "__init__.py" or name in RASA_EXT_ONLY | NOT_YET_MOVED:
            continue
        modules = list(imported_modules(path))
        assert any(m.startswith(("rasa", "sanic", "socketio", "clinic_faq.rasa_ext")) for m in modules), name


def test_every_test_of_the_machines_services_runs_in_their_group():
    """A test module outside tests/production/ that reaches the machine's PostgreSQL or Redis is marked `services`, so
    that on two workers it never runs beside the tests that stop and restart them (tests/conftest.py)."""
    tests = Path(__file__).resolve().parent
    reaches = ("clinic_faq_dev.postgres", "redis.Redis(", "127.0.0.1:5432", "127.0.0.1:6379", "port\": 6379",
               "Cluster(")
    unmarked, marked = [], 0
    for path in tests.rglob("test_*.py"):
        if path.relative_to(tests).parts[0] == "production" or path == Path(__file__).resolve():
            continue
        text = path.read_text(encoding="utf-8")
        if any(r in text for r in reaches):
            if "pytest.mark.services" in text:
                marked += 1
            else:
                unmarked.append(str(path.relative_to(tests)))
    assert unmarked == []
    assert marked >= 9
