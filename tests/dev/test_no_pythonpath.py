"""The tooling runs as an installed package: nothing in dev/ sets PYTHONPATH, except the stock `rasa init`
project of the benchmark (dev/clinic_faq_dev/bench/stock.py), whose own `actions` package needs it."""

from pathlib import Path

DEV = Path(__file__).resolve().parents[2] / "dev"


def test_only_the_stock_benchmark_project_sets_pythonpath():
    mentions = {(path.relative_to(DEV).as_posix(), line.strip())
                for path in DEV.rglob("*") if path.is_file() and path.suffix in {".py", ".sh", ".cfg", ".toml", ""}
                for line in path.read_text(encoding="utf-8", errors="replace").splitlines() if "PYTHONPATH" in line}
    assert mentions == {("clinic_faq_dev/bench/stock.py",
                         'env["PYTHONPATH"] = str(self.project)  # `actions` is rasa init\'s package, not ours')}
