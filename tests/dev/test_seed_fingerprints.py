"""The seed fingerprints (dev/clinic_faq_dev/seed_fingerprints.py) catch a response that copies 8 words of a
seed text, without the seed text, and the file they are kept in cannot go stale unnoticed."""

from clinic_faq_dev import seed_fingerprints as fp

SEED = """Ketamine Infusions Explained

Many patients describe a gentle floating feeling during the first infusion session, which usually
fades within an hour. Your care team watches your blood pressure throughout.
"""


def write_seed_fingerprints(tmp_path):
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / "000_article.txt").write_text(SEED, encoding="utf-8")
    out = tmp_path / "seed_shingles.txt"
    assert fp.main(["--seeds", str(seeds), "--out", str(out)]) == 0
    return seeds, out


def test_a_response_with_eight_words_of_a_seed_is_flagged(tmp_path):
    _, out = write_seed_fingerprints(tmp_path)
    known = fp.read(out)
    assert SEED.split()[5] not in out.read_text()  # the file holds digests, not the text
    domain = {"responses": {
        "utter_copied": [  # 8 words of the seed, with other case and punctuation
            {"text": "Good question! Many patients describe a GENTLE floating feeling, during the infusion."},
            {"text": "Hola.", "condition": [{"type": "slot", "name": "language", "value": "es"}]},
        ],
        "utter_across_a_line_break": [{"text": "It usually fades within an hour. Your care team watches closely."}],
        "utter_spanish_copy": [
            {"text": "Hello."},
            {"text": "Nota: which usually fades within an hour. Your care team.",
             "condition": [{"type": "slot", "name": "language", "value": "es"}]},
        ],
        "utter_seven_words": [{"text": "Many patients describe a gentle floating feeling, but not always."}],
        "utter_own_words": [{"text": "Some people feel light or dreamy while the medicine runs."}],
    }}
    flagged = fp.copied(fp.response_texts(domain), known)
    assert {f.split(":")[0] for f in flagged} == {"utter_copied", "utter_across_a_line_break", "utter_spanish_copy"}
    assert "utter_copied: 'many patients describe a gentle floating feeling during'" in flagged


def test_the_fingerprints_are_sorted_distinct_and_headed(tmp_path):
    _, out = write_seed_fingerprints(tmp_path)
    lines = out.read_text().splitlines()
    digests = [line for line in lines if not line.startswith("#")]
    assert lines[0].startswith("# Fingerprints of the seed texts") and digests == sorted(set(digests))
    assert all(len(d) == 16 and int(d, 16) >= 0 for d in digests)
    assert len(digests) == len(fp.words(SEED)) - 7  # one per 8-word run; line breaks separate words
    assert fp.words("infusion\nsession") == ["infusion", "session"]
    assert fp.normalized("¿Está BIEN?  ok.") == "est bien  ok"


def test_a_stale_fingerprint_file_is_caught(tmp_path, capsys):
    seeds, out = write_seed_fingerprints(tmp_path)
    assert fp.main(["--seeds", str(seeds), "--out", str(out), "--check"]) == 0
    (seeds / "001_new.txt").write_text("A new article about what to expect on the day of your visit.")
    assert fp.main(["--seeds", str(seeds), "--out", str(out), "--check"]) == 1
    assert "not up to date" in capsys.readouterr().err
