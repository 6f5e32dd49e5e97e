import logging

import pytest

from clinic_faq.core.log_redaction import (
    RedactingFilter,
    install_log_redaction,
    log_redaction_installed,
    uninstall_log_redaction,
)


class Capture(logging.Handler):
    def __init__(self):
        super().__init__(level=logging.DEBUG)
        self.setFormatter(logging.Formatter("%(message)s"))
        self.lines = []

    def emit(self, record):
        self.lines.append(self.format(record))


@pytest.fixture
def logger():
    log = logging.getLogger("test.phi")
    handler = Capture()
    log.addHandler(handler)
    log.setLevel(logging.DEBUG)
    log.propagate = False
    yield log, handler
    log.removeHandler(handler)
    uninstall_log_redaction()


def test_log_records_are_redacted_at_every_level_by_a_filter_on_each_handler(logger):
    log, handler = logger
    assert install_log_redaction() >= 1 and install_log_redaction() == 0  # added once per handler
    assert log_redaction_installed()
    assert sum(isinstance(f, RedactingFilter) for f in handler.filters) == 1
    log.debug("Received user message 'call me at %s'", "555-201-8841")
    log.error("user said my ssn is 123-45-6789")
    assert handler.lines == ["Received user message 'call me at [PHONE]'", "user said my ssn is [SSN]"]
    uninstall_log_redaction()
    assert not handler.filters and not log_redaction_installed()


def test_exception_text_is_redacted(logger):
    log, handler = logger
    install_log_redaction()
    try:
        raise ValueError("could not parse 'my phone is 555-201-8841'")
    except ValueError:
        log.exception("failed")
    assert "555-201-8841" not in handler.lines[0]
    assert "[PHONE]" in handler.lines[0] and "ValueError" in handler.lines[0]


def test_a_handler_added_later_is_covered_by_the_next_install(logger):
    log, first = logger
    install_log_redaction()
    later = Capture()
    log.addHandler(later)
    try:
        assert not log_redaction_installed()
        assert install_log_redaction() == 1
        log.info("this is John Smith, 555-201-8841")
        assert later.lines == first.lines and "555-201-8841" not in later.lines[0]
    finally:
        log.removeHandler(later)


def test_a_malformed_log_call_is_left_to_the_handler(logger):
    log, handler = logger
    install_log_redaction()
    record = logging.LogRecord("test.phi", logging.INFO, __file__, 1, "%d apples", ("many",), None)
    assert RedactingFilter().filter(record) is True
