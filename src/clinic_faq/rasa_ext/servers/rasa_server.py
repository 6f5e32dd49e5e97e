"""Start the Rasa server: the project's patches applied, then `rasa run`, with the HTTP API off unless a
token or JWT secret is set.

    clinic-rasa run --model models/current.tar.gz --port 5005 ...   (any `rasa run` flags; `run` optional)

The patches (`clinic_faq.rasa_ext.patches`: two speed-ups and the action call's timeout) are applied in
this process before Rasa starts; Rasa then runs in the same process. A patch whose Rasa code has changed
is skipped with a warning. Plain `rasa run` works too, with the same configuration and log redaction,
only slower (docs/deployment.md).

Rasa's HTTP API (`/conversations/...`, `/model/...`) can read and change any conversation. It is enabled
here only together with its authentication:

- `RASA_API_TOKEN`: `--enable-api --auth-token <token>` (callers add `?token=<token>`);
- `RASA_JWT_SECRET`: `--enable-api --jwt-secret <secret>` (callers send a signed JWT);
- neither: no `--enable-api`; only the channels (REST webhook, socket.io, SMS) answer.
"""

from __future__ import annotations

import os
import sys
from typing import List, Optional

from clinic_faq import settings
from clinic_faq.rasa_ext import patches
from clinic_faq.settings import Settings


def api_flags(config: Settings) -> List[str]:
    token, jwt_secret = Settings.secret(config.rasa_api_token), Settings.secret(config.rasa_jwt_secret)
    if token and jwt_secret:
        raise SystemExit("Set RASA_API_TOKEN or RASA_JWT_SECRET, not both.")
    if token:
        return ["--enable-api", "--auth-token", token]
    if jwt_secret:
        return ["--enable-api", "--jwt-secret", jwt_secret, "--jwt-method", config.rasa_jwt_method]
    return []


def command(args: List[str], config: Settings) -> List[str]:
    if "--enable-api" in args:
        raise SystemExit("Do not pass --enable-api: set RASA_API_TOKEN or RASA_JWT_SECRET, and it is enabled with it.")
    return ["run", *args, *api_flags(config)]


def file_arg(args: List[str], flag: str, default: str) -> str:
    """A file `rasa run` will read (its `--endpoints` or `--credentials`, else Rasa's default), absolute."""
    path = default
    for index, arg in enumerate(args):
        if arg == flag and index + 1 < len(args):
            path = args[index + 1]
        elif arg.startswith(f"{flag}="):
            path = arg.split("=", 1)[1]
    return os.path.abspath(path)


def endpoints_path(args: List[str]) -> str:
    """The endpoints file: the abuse limits read the lock store's Redis settings from it
    (clinic_faq.channel_stores.rate_limit)."""
    return file_arg(args, "--endpoints", "endpoints.yml")


def hold_sqlite_stores(args: List[str]) -> None:
    """Mark the SQLite stores this server uses as in use, so that `make restore` refuses while it runs."""
    from pathlib import Path

    from clinic_faq.ops.backup import hold_stores, store_paths

    try:
        hold_stores(store_paths(Path(endpoints_path(args)), Path(file_arg(args, "--credentials", "credentials.yml")),
                                settings.current().phone_tree_store_url, Path.cwd(), sqlite_only=True))
    except Exception as error:  # a restore could then not tell that this server runs; the server runs anyway
        print(f"clinic-rasa: could not mark the SQLite stores as in use ({error}).", file=sys.stderr)


def main(argv: Optional[List[str]] = None) -> None:
    args = list(sys.argv[1:] if argv is None else argv)
    if args[:1] == ["run"]:
        args = args[1:]
    os.environ["CLINIC_ENDPOINTS"] = endpoints_path(args)  # the abuse limits find the lock store's Redis there
    rasa_args = command(args, settings.check_startup())
    hold_sqlite_stores(args)
    patches.apply()
    from rasa.__main__ import main as rasa_main

    sys.argv = ["rasa", *rasa_args]
    rasa_main()


if __name__ == "__main__":
    main()
