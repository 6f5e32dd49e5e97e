"""Start `rasa run` with the HTTP API off unless a token or JWT secret is set.

Rasa's HTTP API (`/conversations/...`, `/model/...`) can read and change any conversation. It is enabled
here only together with its authentication:

- `RASA_API_TOKEN`: `--enable-api --auth-token <token>` (callers add `?token=<token>`);
- `RASA_JWT_SECRET`: `--enable-api --jwt-secret <secret>` (callers send a signed JWT);
- neither: no `--enable-api`; only the channels (REST webhook, socket.io, SMS) answer.

    python -m service.rasa_server --model models/current.tar.gz --port 5005 ...   (any `rasa run` flags)
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import List, Mapping

RASA = str(Path(sys.executable).with_name("rasa"))


def api_flags(env: Mapping[str, str]) -> List[str]:
    token = env.get("RASA_API_TOKEN", "").strip()
    jwt_secret = env.get("RASA_JWT_SECRET", "").strip()
    if token and jwt_secret:
        raise SystemExit("Set RASA_API_TOKEN or RASA_JWT_SECRET, not both.")
    if token:
        return ["--enable-api", "--auth-token", token]
    if jwt_secret:
        return ["--enable-api", "--jwt-secret", jwt_secret, "--jwt-method", env.get("RASA_JWT_METHOD", "HS256")]
    return []


def command(args: List[str], env: Mapping[str, str]) -> List[str]:
    if "--enable-api" in args:
        raise SystemExit("Do not pass --enable-api: set RASA_API_TOKEN or RASA_JWT_SECRET, and it is enabled with it.")
    return [RASA, "run", *args, *api_flags(env)]


def main() -> None:
    cmd = command(sys.argv[1:], os.environ)
    os.execv(cmd[0], cmd)


if __name__ == "__main__":
    main()
