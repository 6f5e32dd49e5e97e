"""Every reason the decision can give has its own sentence on the staff page's "why" view.

The reasons are read from the decision's source (every string it passes to `Decision(...)` as the reason, or
returns from `crisis_level`), so a reason added there without a sentence here fails this test.
"""

import ast
from pathlib import Path
from typing import List, Set

import clinic_faq.core.decision as decision_module
from clinic_faq.rasa_ext.channels.staff_views.why import load_catalogue, reason_words


def _texts(node: ast.AST) -> List[str]:
    """The strings an expression can evaluate to: constants, `a or "b"`, `"x" + ("y" if c else "")`."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.BoolOp):
        return [t for value in node.values for t in _texts(value)]
    if isinstance(node, ast.IfExp):
        return _texts(node.body) + _texts(node.orelse)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return [a + b for a in _texts(node.left) for b in _texts(node.right)]
    return []


def _alternatives(node: ast.AST) -> List[ast.AST]:
    """`a if c else b`: a and b; anything else: itself."""
    return _alternatives(node.body) + _alternatives(node.orelse) if isinstance(node, ast.IfExp) else [node]


def _reasons() -> Set[str]:
    tree = ast.parse(Path(decision_module.__file__).read_text(encoding="utf-8"))
    found: Set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "Decision" and len(node.args) > 1:
            found.update(_texts(node.args[1]))
        if isinstance(node, ast.FunctionDef) and node.name == "crisis_level":
            for inner in ast.walk(node):
                if isinstance(inner, ast.Return):
                    for value in _alternatives(inner.value):
                        if isinstance(value, ast.Tuple):
                            found.update(_texts(value.elts[1]))
                if isinstance(inner, ast.Assign) and isinstance(inner.value, ast.Tuple):
                    found.update(t for elt in inner.value.elts[1:] for t in _texts(elt))
                if isinstance(inner, ast.Assign) and any(getattr(t, "id", "") == "why" for t in inner.targets):
                    found.update(_texts(inner.value))
    return {r for r in found if r and " " in r}


def test_the_reasons_are_found_in_the_decision():
    reasons = _reasons()
    # a sample the reader of this test can check by eye in decision.py
    assert {"domain gate", "a symptom reported", "crisis detector: danger", "dose question",
            "crisis detector: unsure, on a personal medical question"} <= reasons
    assert len(reasons) >= 15


def test_every_reason_has_a_sentence_for_staff():
    catalogue = load_catalogue()
    missing = sorted(r for r in _reasons() if reason_words(r, catalogue) == r)
    assert missing == []


def test_a_guess_without_evidence_names_the_intent_it_replaced():
    words = reason_words("referral without evidence", load_catalogue())
    assert "no screen found evidence" in words
