"""The action server, reachable only from the Rasa servers.

`rasa run actions` listens on every interface, allows every CORS origin and answers anyone who can reach
it. This starts the same rasa-sdk application (the `actions` package) with two checks:

- It binds to `ACTION_SERVER_HOST`, 127.0.0.1 unless set: on one machine only local processes reach it.
- When `ACTION_SERVER_TOKEN` is set, every call except `/health` must carry `Authorization: Bearer
  <token>` (the Rasa servers send it: `action_endpoint.headers` in endpoints.production.yml), or it is
  refused with 401. Listening beyond loopback without a token is refused at start-up.

No CORS headers are sent: browsers never call the action server.

    clinic-actions --port 5055    (or python -m clinic_faq.rasa_ext.servers.action_server)
"""

from __future__ import annotations

import argparse
import hmac
import ipaddress
import logging
from typing import List, Optional

from rasa_sdk import utils
from rasa_sdk.endpoint import create_app
from rasa_sdk.plugin import plugin_manager
from sanic import Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse

from clinic_faq import settings
from clinic_faq.core.log_redaction import install_log_redaction
from clinic_faq.settings import Settings

logger = logging.getLogger(__name__)

OPEN_PATHS = {"/health"}


class UnsafeSettings(SystemExit):
    pass


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_settings(host: str, token: Optional[str]) -> None:
    if not is_loopback(host) and not token:
        raise UnsafeSettings(
            f"The action server would listen on {host} without ACTION_SERVER_TOKEN: anyone on the network "
            "could call it. Set ACTION_SERVER_TOKEN (the same value the Rasa servers send) or bind to 127.0.0.1."
        )


def authorized(request: Request, token: Optional[str]) -> bool:
    if not token or request.path in OPEN_PATHS:
        return True
    sent = request.headers.get("authorization", "")
    scheme, _, value = sent.partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(value.strip().encode(), token.encode())


def build_app(token: Optional[str], actions: str = "clinic_faq.rasa_ext.actions") -> Sanic:
    app: Sanic = create_app(actions, cors_origins=None)

    @app.on_request  # type: ignore[misc]  # Sanic 21.12's on_request is unannotated
    async def require_token(request: Request) -> Optional[HTTPResponse]:
        if not authorized(request, token):
            logger.warning("Action server: refused a call to %s without a valid token.", request.path)
            return response.json({"error": "not authorized"}, status=401)
        return None

    plugin_manager().hook.attach_sanic_app_extensions(app=app)
    return app


def main(argv: Optional[List[str]] = None) -> None:
    parser = argparse.ArgumentParser(description="Start the action server (loopback, or token-protected).")
    config = settings.check_startup()
    parser.add_argument("--port", type=int, default=config.action_port)
    parser.add_argument("--actions", default="clinic_faq.rasa_ext.actions")
    parser.add_argument("--debug", action="store_true")
    args = parser.parse_args(argv)
    host, token = config.action_server_host, Settings.secret(config.action_server_token)
    utils.configure_colored_logging(logging.DEBUG if args.debug else logging.INFO)
    utils.update_sanic_log_level()
    install_log_redaction()  # on the handlers just set up: the action server logs trackers at debug level
    check_settings(host, token)
    app = build_app(token, args.actions)
    install_log_redaction()  # and on any the app and the actions added
    logger.info("Action server on http://%s:%s (%s).", host, args.port,
                "token required" if token else "loopback only, no token")
    app.run(host, args.port, workers=utils.number_of_sanic_workers(), access_log=False, motd=False)


if __name__ == "__main__":
    main()
