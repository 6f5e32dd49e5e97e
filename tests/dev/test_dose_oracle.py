"""The checks' own dose detector (clinic_faq_dev.dose_oracle), on examples of its own: it must find what
the product's guard is meant to block, including what a guard tuned on its own examples could miss, and
must pass the curated answers and the numbers that are not doses."""

import ast
from pathlib import Path

import pytest
import yaml

from clinic_faq.paths import project_dir
from clinic_faq_dev import dose_oracle
from clinic_faq_dev.dose_oracle import dose_findings, has_dose


@pytest.mark.parametrize("text, kind", [
    ("The usual amount is 250 mg.", "amount"),
    ("about two hundred milligrams", "amount"),
    ("two hundred and fifty micrograms", "amount"),
    ("twenty-five mcg per kilo", "amount"),
    ("one and a half tablets at night", "amount"),
    ("a hundred mcg", "amount"),
    ("½ tab", "amount"),
    ("1/2 tablet", "amount"),
    ("0.5 mg/kg over 40 minutes", "amount"),
    ("take 2 more tablets", "amount"),
    ("take one tablet", "amount"),
    ("dos cientos miligramos", "amount"),
    ("doscientos cincuenta mg", "amount"),
    ("treinta y cinco gotas", "amount"),
    ("veinticinco miligramos", "amount"),
    ("media pastilla", "amount"),
    ("tres cápsulas", "amount"),
    ("take your pain pill every 4 hours", "schedule"),
    ("ketamina dos veces al día", "schedule"),
    ("double your dose tonight", "instruction"),
    ("You can lower your opioid dose.", "instruction"),
    ("take an extra pill if it hurts", "instruction"),
    ("suba la dosis de morfina", "instruction"),
    ("tome una pastilla más", "instruction"),
])
def test_doses_are_found(text, kind):
    assert kind in {f.kind for f in dose_findings(text)}, dose_findings(text)


@pytest.mark.parametrize("text", [
    "Please don't change your medicine without your care team.",
    "Never double your dose.",
    "Your care team may adjust your medicines.",
    "No cambie ningún medicamento sin hablar antes con su equipo de atención.",
    "Ketamine is given at a low dose, under supervision.", "una dosis baja, bajo supervisión",
    "A session lasts 40 minutes to 4 hours.", "Relief can last from 48 hours to 2 weeks.",
    "Call 911 or text 988.", "Two hundred people took part in the trial.", "In 2023, 1,200 patients.",
    "Most people need six sessions over two to three weeks.", "one of the side effects is dizziness",
    "It may take more than one session.", "dura unas dos horas", "llame al 911",
])
def test_what_is_not_a_dose_passes(text):
    assert not has_dose(text), dose_findings(text)


def test_the_curated_answers_hold_no_dose():
    domain = yaml.safe_load((project_dir() / "domain.yml").read_text(encoding="utf-8"))
    found = {name: dose_findings(v.get("text") or "") for name, variants in domain["responses"].items()
             for v in variants if dose_findings(v.get("text") or "")}
    assert not found


def test_it_is_written_apart_from_the_guard_it_checks():
    tree = ast.parse(Path(dose_oracle.__file__).read_text(encoding="utf-8"))
    imported = [n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)] + \
        [a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names]
    assert not [m for m in imported if m and m.startswith("clinic_faq")], imported
