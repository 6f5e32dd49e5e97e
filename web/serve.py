#!/usr/bin/env python3
"""A tiny static server for the chat widget and its demo page (Python standard library only).

    python web/serve.py [--port 8080]        (or WEB_PORT=8080)

Serves this folder (web/) on 127.0.0.1 only, with security headers on every answer. It never lists a
folder, never serves anything outside web/ (no `..`, no symlink out, no absolute paths), and never serves
dotfiles or Python files. It is meant for the demo page and tests; in production put widget.js,
widget/, widget.css and vendor/ on the clinic's own web server or CDN with the same headers, and CORS
when the page is on another origin (docs/widget.md).
"""

from __future__ import annotations

import argparse
import http.server
import os
import posixpath
import sys
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent
HOST = "127.0.0.1"
DEFAULT_PORT = 8080

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "connect-src 'self' http://localhost:* http://127.0.0.1:* ws://localhost:* ws://127.0.0.1:*",
        "base-uri 'none'",
        "form-action 'none'",
        "frame-ancestors 'none'",
    ]
)

SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "Cache-Control": "no-cache",
}

FORBIDDEN_SUFFIXES = {".py", ".pyc"}


class WidgetRequestHandler(http.server.SimpleHTTPRequestHandler):
    server_version = "widget-static"
    sys_version = ""
    extensions_map = {
        **http.server.SimpleHTTPRequestHandler.extensions_map,
        ".js": "text/javascript; charset=utf-8",
        ".css": "text/css; charset=utf-8",
        ".html": "text/html; charset=utf-8",
        ".map": "application/json",
        ".png": "image/png",
        ".svg": "image/svg+xml",
        ".license": "text/plain; charset=utf-8",
        "": "text/plain; charset=utf-8",
    }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, directory=str(ROOT), **kwargs)

    def end_headers(self) -> None:
        for name, value in SECURITY_HEADERS.items():
            self.send_header(name, value)
        super().end_headers()

    def send_head(self):
        target = self._safe_target(self.path)
        if target is None:
            self.send_error(404, "Not found")
            return None
        # Hand the standard library a path it resolves to exactly `target`.
        self.path = "/" + target.relative_to(ROOT).as_posix()
        return super().send_head()

    def _safe_target(self, raw_path: str) -> Path | None:
        """The file that `raw_path` names inside web/, or None when it names anything else."""
        try:
            path = urllib.parse.unquote(urllib.parse.urlsplit(raw_path).path, errors="strict")
        except (UnicodeDecodeError, ValueError):
            return None
        if "\x00" in path or "\\" in path:
            return None
        parts = [p for p in path.split("/") if p]
        if any(p in (".", "..") or p.startswith(".") for p in parts):
            return None
        if posixpath.normpath("/" + "/".join(parts)) != "/" + "/".join(parts):
            return None
        target = ROOT.joinpath(*parts).resolve() if parts else ROOT
        if target != ROOT and ROOT not in target.parents:
            return None  # a symlink pointing out of web/
        if target.is_dir():
            target = target / "index.html"  # a folder is its index page, never a listing
        if not target.is_file() or target.suffix in FORBIDDEN_SUFFIXES:
            return None
        return target

    def list_directory(self, path):
        self.send_error(404, "Not found")
        return None


class WidgetServer(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True


def port_from(args_port: int | None) -> int:
    if args_port is not None:
        return args_port
    env = os.environ.get("WEB_PORT", "").strip()
    if env:
        try:
            return int(env)
        except ValueError:
            raise SystemExit(f"WEB_PORT must be a port number, not {env!r}") from None
    return DEFAULT_PORT


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Serve the chat widget and its demo page on 127.0.0.1.")
    parser.add_argument("--port", type=int, default=None, help=f"port (default: $WEB_PORT or {DEFAULT_PORT})")
    parser.add_argument("--quiet", action="store_true", help="do not log each request")
    args = parser.parse_args(argv)
    port = port_from(args.port)
    if not 0 < port < 65536:
        parser.error(f"not a port: {port}")

    handler = WidgetRequestHandler
    if args.quiet:
        handler = type("QuietHandler", (WidgetRequestHandler,), {"log_message": lambda self, *a: None})
    try:
        server = WidgetServer((HOST, port), handler)
    except OSError as e:
        print(f"serve.py: cannot listen on {HOST}:{port}: {e.strerror or e}", file=sys.stderr)
        return 1

    # The Rasa server accepts the page origin http://localhost:<port> (clinic.yml: website_origins).
    print(f"Serving {ROOT} at http://localhost:{port}/ (demo page: http://localhost:{port}/index.html)",
          flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
