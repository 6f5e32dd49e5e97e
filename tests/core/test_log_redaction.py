import logging

from clinic_faq.core.log_redaction import install_log_redaction, log_redaction_installed, uninstall_log_redaction


class Capture(logging.Handler):
    def __init__(self):
        super().__init__(level=logging.DEBUG)
        self.lines = []

    def emit(self, record):
        self.lines.append(self.format(record))


def test_log_records_are_redacted_at_every_level():
    plain = logging.getLogRecordFactory()
    assert install_log_redaction() and not install_log_redaction()  # installed once
    logger = logging.getLogger("test.phi")
    handler = Capture()
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    try:
        logger.debug("Received user message 'call me at %s'", "555-201-8841")
        logger.error("user said my ssn is 123-45-6789")
    finally:
        logger.removeHandler(handler)
        uninstall_log_redaction()
    assert logging.getLogRecordFactory() is plain and not log_redaction_installed()
    assert handler.lines == ["Received user message 'call me at [PHONE]'", "user said my ssn is [SSN]"]
