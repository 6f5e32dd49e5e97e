"""The staff page's channel: off without a token, the token on every request, nothing loaded from elsewhere."""

from types import SimpleNamespace

from clinic_faq.core.log_redaction import RedactingFilter, uninstall_log_redaction
from clinic_faq.paths import project_dir
from clinic_faq.rasa_ext.channels.staff import COOKIE, FILES, StaffInput, headers, store_url

TOKEN = "a-long-staff-token-0123456789"


def request(method="GET", auth=None, form=None, cookie=None):
    return SimpleNamespace(method=method, headers={"authorization": auth} if auth else {},
                           form=form or {}, cookies={COOKIE: cookie} if cookie else {})


def test_it_runs_without_the_project_patches_and_redacts_the_logs(monkeypatch):
    """Plain `rasa run` builds the channel: it starts, and every log handler then redacts PHI."""
    import logging

    monkeypatch.setenv("STAFF_TOKEN", TOKEN)
    handler = logging.NullHandler()
    logging.getLogger().addHandler(handler)
    try:
        assert StaffInput.from_credentials({}).token == TOKEN
        assert any(isinstance(f, RedactingFilter) for f in handler.filters)
    finally:
        logging.getLogger().removeHandler(handler)
        uninstall_log_redaction()


def test_off_without_a_token_or_with_a_short_one(rasa_patched, monkeypatch):
    monkeypatch.delenv("STAFF_TOKEN", raising=False)
    assert StaffInput.from_credentials({}).token is None
    monkeypatch.setenv("STAFF_TOKEN", "short")
    assert StaffInput.from_credentials({}).token is None
    monkeypatch.setenv("STAFF_TOKEN", TOKEN)
    channel = StaffInput.from_credentials({"report_dir": "reports/insights"})
    assert channel.token == TOKEN and channel.report_dir == project_dir() / "reports" / "insights"
    assert StaffInput.name() == "staff"


def test_the_token_is_checked_in_each_place_it_may_come_from():
    channel = StaffInput(TOKEN, project_dir())
    assert channel.authorized(request(auth=f"Bearer {TOKEN}"))
    assert channel.authorized(request(auth=f"bearer {TOKEN}"))
    assert channel.authorized(request("POST", form={"token": TOKEN}))
    assert channel.authorized(request(cookie=TOKEN))
    for refused in (request(), request(auth="Bearer nope"), request(auth=f"Basic {TOKEN}"),
                    request(auth=f"Bearer {TOKEN[:-1]}"), request("POST", form={"token": ""}),
                    request("GET", form={"token": TOKEN}),  # a form field counts only in a POST
                    request(cookie=TOKEN + "x")):
        assert not channel.authorized(refused)


def test_nothing_is_authorized_when_the_page_is_off():
    channel = StaffInput(None, project_dir())
    assert not channel.authorized(request(auth="Bearer "))
    assert not channel.authorized(request(cookie=""))


def test_every_response_forbids_loading_anything_from_elsewhere():
    h = headers()
    csp = h["Content-Security-Policy"]
    assert csp.startswith("default-src 'none'") and "img-src data:" in csp and "frame-ancestors 'none'" in csp
    assert "script-src" not in csp and "http" not in csp
    assert h["Cache-Control"] == "no-store" and h["Referrer-Policy"] == "no-referrer"


def test_only_the_report_files_may_be_downloaded():
    for name in ("summary.json", "clusters.csv", "clusters/group-001.nlu.yml", "clusters/group-012.nlu.es.yml",
                 "clusters/group-003.story.yml"):
        assert FILES.match(name), name
    for name in ("../credentials.yml", "report.html/../../x", "clusters/../../tracker.db", "/etc/passwd", "x.csv.bak"):
        assert not FILES.match(name), name


def test_the_store_url_is_found_through_rasas_wrappers():
    engine = SimpleNamespace(url=SimpleNamespace(render_as_string=lambda hide_password: "postgresql://u:p@h/db"))
    wrapped = SimpleNamespace(_tracker_store=SimpleNamespace(_tracker_store=SimpleNamespace(engine=engine)))
    app = SimpleNamespace(ctx=SimpleNamespace(agent=SimpleNamespace(tracker_store=wrapped)))
    assert store_url(app) == "postgresql://u:p@h/db"
    assert store_url(SimpleNamespace(ctx=SimpleNamespace())) is None
