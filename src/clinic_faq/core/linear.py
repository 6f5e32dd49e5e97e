"""Logistic regression over n-grams beside a sentence vector, fitted without joining the two into one sparse matrix.

The intent classifier and the learned detectors read one row per message: some tens of thousands of sparse TF-IDF
n-gram columns and the 512 dense numbers of the sentence vector. scikit-learn's `LogisticRegression.fit` takes them as
one sparse matrix, and three quarters of its stored values are then the dense vector's: every product of the L-BFGS
fit (two per iteration, the bulk of training) walks them one by one on one core. `fit` here runs scikit-learn's own
solver path (`_logistic_regression_path`: the same loss, penalty, class weights, warm start and L-BFGS stopping rule)
over `SplitRows`, which multiplies the sparse part in two row blocks on two threads (scipy's sparse products release
the GIL) and the dense part with BLAS. The fitted estimator is an ordinary `LogisticRegression` (`coef_` over all the
columns, as `fit` would set it); only the sums are taken in another order, so coefficients agree to rounding
(tests/core/test_linear.py compares with scikit-learn's `fit`).

The solver path is a private function of scikit-learn, pinned at 1.1.3 (requirements-product.txt); a test fails if
its signature changes.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any, List, Optional, Tuple

import numpy as np
import numpy.typing as npt
from scipy import sparse
from sklearn.linear_model import LogisticRegression
from sklearn.linear_model._logistic import _check_multi_class, _logistic_regression_path

# The sparse part is cut into this many row blocks, whatever the machine: the sums, and so the fitted coefficients,
# are the same on every machine; the blocks run on as many threads.
BLOCKS = 2
_pool: Optional[ThreadPoolExecutor] = None
_pool_lock = threading.Lock()


def _threads() -> ThreadPoolExecutor:
    global _pool
    with _pool_lock:
        if _pool is None:
            _pool = ThreadPoolExecutor(BLOCKS, thread_name_prefix="linear-fit")
        return _pool


class SplitRows:
    """The matrix [S | D] (S sparse, D dense) for the products scikit-learn's logistic loss takes: `X @ w`,
    `G @ X` (G an array: numpy defers to `__rmatmul__`) and `X.T @ g`."""

    __array_ufunc__ = None  # `ndarray @ SplitRows` calls SplitRows.__rmatmul__ instead of converting it
    dtype = np.dtype(np.float64)

    def __init__(self, sparse_part: Any, dense_part: npt.ArrayLike) -> None:
        s = sparse.csr_matrix(sparse_part, dtype=np.float64)
        d = np.ascontiguousarray(dense_part, dtype=np.float64)
        if d.ndim != 2 or d.shape[0] != s.shape[0]:
            raise ValueError("the dense part needs one row per row of the sparse part")
        self.width = int(s.shape[1])
        self.shape: Tuple[int, int] = (int(s.shape[0]), self.width + int(d.shape[1]))
        bounds = np.linspace(0, s.shape[0], BLOCKS + 1).astype(int)
        self._spans = [(int(a), int(b)) for a, b in zip(bounds[:-1], bounds[1:], strict=True)]
        self._blocks = [s[a:b] for a, b in self._spans]
        self._dense = d

    @classmethod
    def of(cls, x: Any, dense_from: int) -> SplitRows:
        """The rows of a joined matrix whose columns from `dense_from` on hold a dense vector."""
        x = sparse.csr_matrix(x)
        return cls(x[:, :dense_from], x[:, dense_from:].toarray())

    def __matmul__(self, w: npt.NDArray[Any]) -> npt.NDArray[np.float64]:
        w = np.asarray(w)
        head, tail = w[: self.width], w[self.width:]
        parts: List[npt.NDArray[Any]] = list(_threads().map(lambda block: block @ head, self._blocks))
        out: npt.NDArray[np.float64] = np.concatenate(parts) + self._dense @ tail
        return out

    def __rmatmul__(self, g: npt.NDArray[Any]) -> npt.NDArray[np.float64]:
        g = np.asarray(g)

        def product(i: int) -> Any:
            a, b = self._spans[i]
            return g[..., a:b] @ self._blocks[i]

        parts = list(_threads().map(product, range(len(self._blocks))))
        out: npt.NDArray[np.float64] = np.concatenate([np.sum(parts, axis=0), g @ self._dense], axis=-1)
        return out

    @property
    def T(self) -> _Transposed:  # noqa: N802 (the name numpy and scikit-learn use)
        return _Transposed(self)


class _Transposed:
    """`X.T` of a SplitRows, for the product `X.T @ g` of the binary loss's gradient."""

    __array_ufunc__ = None

    def __init__(self, rows: SplitRows) -> None:
        self.rows = rows

    def __matmul__(self, g: npt.NDArray[Any]) -> npt.NDArray[np.float64]:
        out: npt.NDArray[np.float64] = self.rows.__rmatmul__(np.asarray(g).T).T
        return out


def fit(model: LogisticRegression, x: Any, y: npt.ArrayLike, dense_from: Optional[int] = None,
        sample_weight: Optional[npt.ArrayLike] = None) -> LogisticRegression:
    """`model.fit(x, y, sample_weight)` for an L2, L-BFGS logistic regression with an intercept. When the columns of
    `x` from `dense_from` on hold a dense vector, the fit reads them apart (SplitRows); otherwise it is
    scikit-learn's own `fit`."""
    width = x.shape[1]
    if dense_from is None or dense_from >= width:
        return model.fit(x, y, sample_weight=sample_weight)
    if model.solver != "lbfgs" or model.penalty != "l2" or not model.fit_intercept:
        raise ValueError("linear.fit reads apart only an L2, L-BFGS logistic regression with an intercept")
    labels = np.asarray(y)
    rows = SplitRows.of(x, dense_from)
    model.classes_ = classes = np.unique(labels)
    if len(classes) < 2:
        raise ValueError(f"a logistic regression needs examples of at least 2 classes, not only {classes[0]!r}")
    multi_class = _check_multi_class(model.multi_class, "lbfgs", len(classes))
    start = None
    if model.warm_start and getattr(model, "coef_", None) is not None:
        start = np.append(model.coef_, np.asarray(model.intercept_)[:, np.newaxis], axis=1)
        if multi_class != "multinomial":
            start = start[0]
    weights = None if sample_weight is None else np.asarray(sample_weight, dtype=np.float64)
    coefs, _, n_iter = _logistic_regression_path(
        rows, labels, pos_class=None if multi_class == "multinomial" else classes[1], Cs=[model.C],
        fit_intercept=True, max_iter=model.max_iter, tol=model.tol, verbose=model.verbose, solver="lbfgs",
        coef=start, class_weight=model.class_weight, penalty="l2", multi_class=multi_class,
        random_state=model.random_state, check_input=False, sample_weight=weights,
    )
    w = np.asarray(coefs[0]).reshape(-1, width + 1)  # (classes, columns + intercept); one row when binary
    model.coef_, model.intercept_ = w[:, :-1], w[:, -1]
    model.n_iter_ = np.asarray(n_iter, dtype=np.int32)
    model.n_features_in_ = width
    return model
