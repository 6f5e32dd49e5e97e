"""The page frame shared by the report and the staff page: one style block, a strict Content-Security-Policy.

No script, no external font, image or style: the style block is allowed by its hash, images only as
data: URIs. Light on purpose (no matplotlib), so the staff page can use it in the Rasa server.
"""

from __future__ import annotations

import base64
import hashlib
from html import escape

# Where the staff page (rasa_ext/channels/staff.py) puts its buttons.
TOOLBAR_MARK = "<!-- staff toolbar -->"

STYLE = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0 auto;max-width:70rem;padding:1rem 1.5rem;
color:#1a1a1a;background:#fff;line-height:1.45}
h1{font-size:1.6rem;margin-bottom:.2rem}h2{margin-top:2.2rem;border-bottom:2px solid #0072B2;padding-bottom:.2rem}
h3{margin-bottom:.3rem}.meta{color:#444;margin-top:0}
.cards{display:flex;flex-wrap:wrap;gap:.8rem;margin:1rem 0;padding:0;list-style:none}
.cards li{border:1px solid #bbb;border-radius:6px;padding:.6rem 1rem;min-width:8rem}
.cards strong{display:block;font-size:1.5rem}
table{border-collapse:collapse;margin:.6rem 0 1rem;font-size:.9rem}caption{text-align:left;font-weight:600;padding:.3rem 0}
th,td{border:1px solid #ccc;padding:.25rem .6rem;text-align:left;vertical-align:top}td.n,th.n{text-align:right}
thead th{background:#eef4f9}img{max-width:100%;height:auto;display:block;margin:.5rem 0}
.group{border:1px solid #bbb;border-radius:6px;padding:.2rem 1rem .8rem;margin:1rem 0}
.group ul{margin:.3rem 0}.hidden{color:#444;font-style:italic}
pre{background:#f4f4f4;border:1px solid #ddd;padding:.6rem;overflow-x:auto;font-size:.85rem;white-space:pre}
details{margin:.4rem 0}summary{cursor:pointer;font-weight:600}
.note{background:#fff8e1;border-left:4px solid #E69F00;padding:.5rem 1rem}
.toolbar{display:flex;flex-wrap:wrap;gap:.6rem;align-items:center;border-bottom:1px solid #bbb;padding:.5rem 0 .8rem}
.toolbar form{margin:0}.toolbar button,.signin button{font:inherit;padding:.35rem .9rem;border:1px solid #0072B2;
border-radius:4px;background:#0072B2;color:#fff;cursor:pointer}.toolbar .status{color:#444}
.toolbar button:focus-visible,.signin button:focus-visible,.signin input:focus-visible{outline:3px solid #E69F00;
outline-offset:2px}.signin label{display:block;margin:.8rem 0 .3rem}.signin input{font:inherit;padding:.3rem;min-width:20rem}
.staffnav ul{display:flex;flex-wrap:wrap;gap:1rem;list-style:none;margin:0;padding:.5rem 0}
.staffnav a{color:#005a8c}.staffnav a[aria-current=page]{font-weight:700;color:#1a1a1a}
form.staff label{display:block;margin:.6rem 0 .2rem;font-weight:600}form.staff input,form.staff select,
form.staff textarea{font:inherit;padding:.3rem;min-width:18rem;max-width:100%}form.staff button,button.staff{font:inherit;
padding:.35rem .9rem;border:1px solid #0072B2;border-radius:4px;background:#0072B2;color:#fff;cursor:pointer;margin:.4rem .4rem 0 0}
form.staff button.secondary{background:#fff;color:#005a8c}
.state-ok{color:#1b6e20;font-weight:600}.state-bad{color:#a31515;font-weight:600}.state-due{color:#8a5300;font-weight:600}
.side{display:grid;grid-template-columns:1fr 1fr;gap:1rem}.side>div{border:1px solid #ccc;border-radius:6px;padding:.4rem .8rem}
@media (max-width:40em){.side{grid-template-columns:1fr}}
:focus-visible{outline:3px solid #E69F00;outline-offset:2px}
.scroll{overflow-x:auto;max-width:100%}
td form.staff input,td form.staff select{min-width:9rem;width:9rem}
"""


def style_hash() -> str:
    """The CSP source for the page's style block."""
    return "'sha256-" + base64.b64encode(hashlib.sha256(STYLE.encode()).digest()).decode() + "'"


def content_security_policy() -> str:
    return f"default-src 'none'; img-src data:; style-src {style_hash()}; base-uri 'none'; form-action 'self'"


def page(title: str, body: str) -> str:
    return (
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        f"<meta http-equiv=\"Content-Security-Policy\" content=\"{escape(content_security_policy())}\">\n"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        "<meta name=\"referrer\" content=\"no-referrer\">\n"
        f"<title>{escape(title)}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n{TOOLBAR_MARK}\n"
        f"<main>\n{body}\n</main>\n</body>\n</html>\n"
    )
