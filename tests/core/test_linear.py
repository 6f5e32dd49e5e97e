"""clinic_faq.core.linear: the fit over n-grams beside a sentence vector, read apart, against scikit-learn's own fit
of the joined matrix (the oracle: the same solver over the matrix it was written for)."""

from __future__ import annotations

import inspect
from typing import Any, Tuple

import numpy as np
import pytest
from scipy import sparse
from sklearn.linear_model import LogisticRegression
from sklearn.linear_model._logistic import _logistic_regression_path

from clinic_faq.core import linear

SPARSE_COLUMNS, DENSE_COLUMNS = 300, 16


def problem(classes: int, rows: int = 240, seed: int = 0) -> Tuple[sparse.csr_matrix, np.ndarray]:
    """Rows of sparse counts beside a dense unit vector, with labels that depend on both parts."""
    rng = np.random.default_rng(seed)
    s = sparse.random(rows, SPARSE_COLUMNS, density=0.04, format="csr", random_state=seed, dtype=np.float64)
    d = rng.normal(size=(rows, DENSE_COLUMNS))
    d /= np.linalg.norm(d, axis=1, keepdims=True)
    signal = s @ rng.normal(size=(SPARSE_COLUMNS, classes)) + d @ rng.normal(size=(DENSE_COLUMNS, classes)) * 2
    labels = np.array([f"class{i}" for i in np.argmax(signal + rng.normal(scale=0.3, size=signal.shape), axis=1)])
    return sparse.hstack([s, sparse.csr_matrix(d)]).tocsr(), labels


def both(make: Any, x: sparse.csr_matrix, y: np.ndarray, **fit: Any) -> Tuple[LogisticRegression, LogisticRegression]:
    ours = linear.fit(make(), x, y, dense_from=SPARSE_COLUMNS, **fit)
    theirs = make().fit(x, y, **fit)
    return ours, theirs


def assert_same(ours: LogisticRegression, theirs: LogisticRegression, x: sparse.csr_matrix) -> None:
    assert list(ours.classes_) == list(theirs.classes_)
    assert ours.coef_.shape == theirs.coef_.shape
    np.testing.assert_allclose(ours.coef_, theirs.coef_, atol=1e-4)
    np.testing.assert_allclose(ours.intercept_, theirs.intercept_, atol=1e-4)
    np.testing.assert_allclose(ours.predict_proba(x), theirs.predict_proba(x), atol=1e-5)


def tight(**kwargs: Any) -> Any:
    return lambda: LogisticRegression(C=5.0, max_iter=5000, tol=1e-10, **kwargs)


@pytest.mark.parametrize("classes", [2, 3, 7])
def test_the_fit_read_apart_is_scikit_learns_fit(classes: int) -> None:
    x, y = problem(classes)
    ours, theirs = both(tight(), x, y)
    assert_same(ours, theirs, x)
    assert ours.n_iter_.shape == theirs.n_iter_.shape


@pytest.mark.parametrize("classes", [2, 3])
def test_balanced_classes_and_sample_weights_are_kept(classes: int) -> None:
    x, y = problem(classes, seed=3)
    y[:150] = y[0]  # one class much larger: balanced weights change the fit
    weights = np.where(np.arange(len(y)) % 4 == 0, 3.0, 1.0)
    ours, theirs = both(tight(class_weight="balanced"), x, y, sample_weight=weights)
    assert_same(ours, theirs, x)
    plain = LogisticRegression(C=5.0, max_iter=5000, tol=1e-10).fit(x, y)
    assert np.abs(plain.coef_ - ours.coef_).max() > 1e-2  # the weights made a difference the fit kept


def test_a_warm_start_starts_from_the_given_weights() -> None:
    x, y = problem(3, seed=5)
    start = LogisticRegression(C=5.0, max_iter=5000, tol=1e-10).fit(x[:120], y[:120])

    def warm() -> LogisticRegression:
        model = LogisticRegression(C=5.0, max_iter=5000, tol=1e-10, warm_start=True)
        model.coef_, model.intercept_ = start.coef_.copy(), start.intercept_.copy()
        return model

    ours, theirs = both(warm, x, y)
    assert_same(ours, theirs, x)
    cold = linear.fit(LogisticRegression(C=5.0, max_iter=5000, tol=1e-10), x, y, dense_from=SPARSE_COLUMNS)
    assert ours.n_iter_[0] < cold.n_iter_[0]


def test_loose_tolerance_stops_where_scikit_learn_stops() -> None:
    """The intent classifier stops early (tol 1e-2): the fit read apart takes as many steps to the same place."""
    x, y = problem(7, rows=600, seed=11)
    ours, theirs = both(lambda: LogisticRegression(C=20.0, max_iter=3000, tol=1e-2), x, y)
    assert abs(int(ours.n_iter_[0]) - int(theirs.n_iter_[0])) <= 2
    assert (ours.predict(x) == theirs.predict(x)).mean() >= 0.99


def test_without_dense_columns_it_is_scikit_learns_fit() -> None:
    x, y = problem(3)
    s = x[:, :SPARSE_COLUMNS]
    model = linear.fit(LogisticRegression(C=5.0, max_iter=5000), s, y, dense_from=SPARSE_COLUMNS)
    np.testing.assert_array_equal(model.coef_, LogisticRegression(C=5.0, max_iter=5000).fit(s, y).coef_)


def test_the_products_equal_the_joined_matrixs() -> None:
    x, _ = problem(3, rows=101)  # an odd number of rows: blocks of unequal size
    rows = linear.SplitRows.of(x, SPARSE_COLUMNS)
    rng = np.random.default_rng(1)
    w, g, v = rng.normal(size=(x.shape[1], 4)), rng.normal(size=(4, x.shape[0])), rng.normal(size=x.shape[0])
    np.testing.assert_allclose(rows @ w, x @ w, atol=1e-12)
    np.testing.assert_allclose(g @ rows, g @ x, atol=1e-12)
    np.testing.assert_allclose(rows.T @ v, x.T @ v, atol=1e-12)
    assert rows.shape == x.shape


def test_one_class_or_another_solver_is_refused() -> None:
    x, y = problem(3)
    with pytest.raises(ValueError, match="at least 2 classes"):
        linear.fit(LogisticRegression(), x, np.array(["same"] * len(y)), dense_from=SPARSE_COLUMNS)
    with pytest.raises(ValueError, match="L-BFGS"):
        linear.fit(LogisticRegression(solver="saga"), x, y, dense_from=SPARSE_COLUMNS)


def test_the_private_solver_path_still_takes_what_the_fit_passes() -> None:
    """scikit-learn's solver path is private: a new version that renames its arguments fails here first."""
    names = set(inspect.signature(_logistic_regression_path).parameters)
    assert {"pos_class", "Cs", "fit_intercept", "max_iter", "tol", "solver", "coef", "class_weight", "penalty",
            "multi_class", "check_input", "sample_weight", "random_state", "verbose"} <= names
