"""The table of each route on each set (clinic_faq_dev.figures) that docs/safety.md shows."""

import json

from clinic_faq_dev.figures import COLUMNS, load, main, table


def test_the_outside_set_comes_first_and_numbered_sets_in_numeric_order(tmp_path):
    summaries = {"blind10_dev": {"cases": 3}, "blind2_dev": {"cases": 4}, "clinc150_val_en": {"cases": 551},
                 "blind2_test": {"cases": 5}}
    rows = table(summaries).splitlines()[2:]
    assert [r.split(" | ")[0] for r in rows] == ["| clinc150_val_en (outside)", "| blind2_dev", "| blind2_test",
                                                "| blind10_dev"]


def test_rates_are_percentages_counts_stay_counts_and_missing_figures_are_dashes():
    row = table({"wild_es": {"cases": 90, "answer_accuracy": 0.97143, "replies_with_dose": 0,
                             "emergency_recall": None}}).splitlines()[2]
    cells = [c.strip() for c in row.strip("|").split("|")]
    by_title = dict(zip(["set", "cases"] + [title for title, _ in COLUMNS], cells, strict=True))
    assert by_title["topic: exact"] == "97.1%"
    assert by_title["replies with a dose"] == "0"
    assert by_title["crisis: 911/988"] == "-"
    assert by_title["chatter: 911/988"] == "-"


def test_the_reports_folder_is_read_and_an_empty_one_is_an_error(tmp_path, capsys):
    assert main([str(tmp_path)]) == 1
    (tmp_path / "blind3_dev.summary.json").write_text(json.dumps({"cases": 7, "unrelated_declined": 0.5}))
    (tmp_path / "blind3_dev.jsonl").write_text("{}")
    assert list(load(tmp_path)) == ["blind3_dev"]
    assert main([str(tmp_path)]) == 0
    assert "| blind3_dev | 7 |" in capsys.readouterr().out
