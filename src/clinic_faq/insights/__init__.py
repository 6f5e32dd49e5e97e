"""The staff insights report: what people ask, what the assistant did, and what it could not answer.

Read from the tracker store (`store`), counted turn by turn (`aggregate`), the unanswered messages grouped
by similarity (`cluster`), turned into NLU blocks and draft test stories (`export`), and written as an HTML
page with CSV and JSON beside it (`report`, `html`, `charts`). `make insights` runs it (`cli`); the staff
page (clinic_faq.rasa_ext.channels.staff) serves the latest report. docs/insights.md is the staff guide.

Nothing here imports Rasa, and only already-redacted text ever leaves the store: see `cluster` for the
rule on which messages may be shown.
"""
