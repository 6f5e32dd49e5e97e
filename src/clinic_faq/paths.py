"""Where the project's files are: the one place that works out the project directory.

The Rasa project files (`clinic.yml`, `domain.yml`, `data/`) and the runtime directory `var/` are found in
the project directory:

1. `CLINIC_PROJECT_DIR`, when set;
2. else the current directory, when it holds `domain.yml` (Rasa itself reads its files from there);
3. else the source checkout this package is installed from in editable mode (`pip install -e .`);
4. else the current directory.
"""

from __future__ import annotations

from pathlib import Path

from clinic_faq import settings

ENV = "CLINIC_PROJECT_DIR"
_CHECKOUT = Path(__file__).resolve().parents[2]


def project_dir() -> Path:
    configured = settings.current().project_dir
    if configured:
        return configured.resolve()
    here = Path.cwd()
    if (here / "domain.yml").is_file():
        return here
    if (_CHECKOUT / "domain.yml").is_file():
        return _CHECKOUT
    return here


def project_file(*parts: str) -> Path:
    """A path inside the project directory, e.g. `project_file("clinic.yml")`."""
    return project_dir().joinpath(*parts)


def var_dir() -> Path:
    """The runtime directory (`var/`: the embedded SQLite stores and the session key), created if missing."""
    path = project_file("var")
    path.mkdir(parents=True, exist_ok=True)
    return path
