"""The clinic's own store, apart from Rasa's conversation tracker: clinician sign-offs, callback requests.

A SQLite file by default (`var/clinic.db`), or any SQLAlchemy database URL in CLINIC_STORE_URL
(PostgreSQL in production, shared by every replica). No Rasa here: the Rasa server, the action server, the
staff page and the command-line tools all open it through clinic_faq.stores.database.
"""
