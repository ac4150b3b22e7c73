"""Surrogate in the loop: an MLP trained on multilayer spectra designs a reflector, verified by FDTD.

:class:`MultilayerSurrogate` maps the layer indices and thicknesses of a free-standing stack (the
``fdtd-multilayer-spectra`` dataset's parameters) to its power reflectance ``R(f)`` on the dataset's
frequency grid. The network's inputs are physics-informed features of the design at each frequency
(:meth:`MultilayerSurrogate.features`; by default the normalised characteristic matrix of the whole
stack, Born & Wolf sec. 1.6.2, and the logarithm of its norm, next to the scaled indices and frequency),
the output goes through a sigmoid (``0 < R < 1``) and the network is trained by mean-squared error with
Adam (:class:`mindscience.nn.Training`, cosine-decayed learning rate), optionally polished by full-batch
L-BFGS (:func:`mindscience.nn.lbfgs`). :meth:`MultilayerSurrogate.validate` reports its error on held-out
samples. :func:`design_reflector` maximises a soft minimum of the predicted ``R`` over a wavelength
band with L-BFGS-B inside the parameter box, with gradients from :mod:`autodiff` through the
network, from several starts; :func:`verify_design` re-simulates the design with the dataset
generator's own FDTD (:func:`datasets.generators.fdtd_multilayer.multilayer_fdtd`, thicknesses rounded
to its whole cells) and with the transfer-matrix reference :func:`datasets.references.multilayer_rt`.

Examples
--------
>>> import numpy as np
>>> from datasets.references import multilayer_rt
>>> f = np.linspace(3.75e14, 7.5e14, 16)
>>> rng = np.random.default_rng(0)
>>> n, d = rng.uniform(1.3, 3.5, (64, 2)), rng.uniform(20e-9, 150e-9, (64, 2))
>>> R = np.array([multilayer_rt(a, b, 2.998e8 / f)[0] for a, b in zip(n, d)])
>>> sur = MultilayerSurrogate(2, f, (1.3, 3.5), (20e-9, 150e-9), widths=(16,))
>>> _ = sur.fit(n, d, R, steps=20, progress=False)
>>> sur.predict(n[:3], d[:3]).shape
(3, 16)
"""

import math

import numpy as np
from scipy.constants import c as C0
from scipy.optimize import minimize

import autodiff as ad
import autodiff.numpy as anp
from mindscience.errors import InputError
from mindscience.nn import MLP, Adam, Training, cosine_decay, lbfgs

__all__ = ["MultilayerSurrogate", "characteristic_matrix", "load_training_data", "from_dataset_params",
           "design_reflector", "verify_design", "band_mask"]


def _range(name, r):
    lo, hi = (float(v) for v in r)
    if not (math.isfinite(lo) and math.isfinite(hi) and hi > lo):
        raise InputError(f"{name}={r!r} must be two finite numbers lo < hi")
    return lo, hi


def characteristic_matrix(index, phase, xp=np):
    """Real entries ``(A, B, C, D)`` of a lossless stack's characteristic matrix ``[[A, -i B], [-i C, D]]``.

    ``M = M_1 M_2 ... M_L`` with ``M_j = [[cos phi_j, -i sin(phi_j) / n_j], [-i n_j sin phi_j, cos phi_j]]``
    at normal incidence (Born & Wolf, *Principles of Optics*, sec. 1.6.2; layer 1 faces the incident
    wave). In vacuum on both sides ``r = (A - D + i (C - B)) / (A + D - i (B + C))`` and ``R = |r|^2``.

    Parameters
    ----------
    index : array_like, shape (N, L)
        Refractive indices (> 0).
    phase : array_like, shape (N, F, L)
        Phase thicknesses ``phi_j = 2 pi n_j d_j / lambda`` (radians) at F wavelengths.
    xp : module
        ``numpy`` or ``autodiff.numpy`` (differentiable).

    Returns
    -------
    tuple of 4 arrays, shape (N, F)
        ``A, B, C, D`` (``A D + B C = 1``).

    Examples
    --------
    >>> A, B, C, D = characteristic_matrix(np.array([[2.0]]), np.full((1, 1, 1), np.pi / 2))
    >>> float(((A - D) ** 2 + (B - C) ** 2)[0, 0] / ((A + D) ** 2 + (B + C) ** 2)[0, 0])  # quarter wave, n=2
    0.36
    """
    L = index.shape[1]
    A = B = C = D = None
    for j in range(L):
        c, s, nj = xp.cos(phase[:, :, j]), xp.sin(phase[:, :, j]), index[:, j][:, None]
        if j == 0:
            A, B, C, D = c, s / nj, nj * s, c
        else:
            A, B, C, D = A * c - B * nj * s, A * s / nj + B * c, C * c + D * nj * s, D * c - C * s / nj
    return A, B, C, D


class MultilayerSurrogate:
    """MLP surrogate ``(index, thickness) -> R(f)`` of an ``n_layers`` free-standing stack.

    Parameters
    ----------
    n_layers : int
        Layers per stack (>= 1).
    frequencies : array_like, shape (F,)
        Frequencies of the predicted spectrum, Hz.
    index_range : (float, float)
        Refractive-index range of the training data (inputs are scaled to [-1, 1] with it).
    thickness_range : (float, float)
        Layer-thickness range, m.
    widths : sequence of int
        Hidden-layer widths.
    activation : str
        Hidden activation (:func:`mindscience.nn.get_activation`).
    features : {"stack", "stack-norm", "phase"}
        Input features (see :meth:`features`): ``"stack"`` the normalised characteristic matrix of the
        stack, ``"stack-norm"`` (default) that and the logarithm of its norm (the transfer-matrix ``R`` is
        then one tanh unit), ``"phase"`` the cosine and sine of each layer's phase thickness.

    Attributes
    ----------
    params : pytree or None
        Network parameters after :meth:`fit`.
    validation : dict
        Filled by :meth:`validate`: ``rmse``, ``max_abs``, ``p95`` (absolute errors of R over all
        held-out samples and frequencies).
    """

    FEATURES = ("stack", "stack-norm", "phase")

    def __init__(self, n_layers, frequencies, index_range, thickness_range, widths=(64, 64, 64), activation="tanh",
                 features="stack-norm"):
        if isinstance(n_layers, bool) or int(n_layers) != n_layers or n_layers < 1:
            raise InputError(f"n_layers={n_layers!r} is out of range; allowed: integers >= 1")
        self.n_layers = int(n_layers)
        self.frequencies = np.asarray(frequencies, dtype=np.float64).ravel()
        if self.frequencies.size < 1 or not np.all(self.frequencies > 0):
            raise InputError("frequencies must be a non-empty array of positive values (Hz)")
        self.index_range = _range("index_range", index_range)
        self.thickness_range = _range("thickness_range", thickness_range)
        if features not in self.FEATURES:
            raise InputError(f"features={features!r} is not one of {self.FEATURES}")
        if self.index_range[0] <= 0:
            raise InputError(f"index_range={index_range!r} must be positive (refractive indices)")
        self.feature_kind = features
        self.widths = [int(w) for w in widths]
        self.activation = activation
        n_in = {"stack": self.n_layers + 5, "stack-norm": self.n_layers + 6, "phase": 3 * self.n_layers + 1}[features]
        self.net = MLP([n_in, *self.widths, 1], activation=activation, output_activation="sigmoid")
        self.params = None
        self.validation = {}
        self.history = None

    # ------------------------------------------------------------------ scaling
    @property
    def bounds(self):
        """``(lo, hi)`` arrays of shape (2 L,): the box of valid designs (indices, then thicknesses in m)."""
        lo = np.r_[np.full(self.n_layers, self.index_range[0]), np.full(self.n_layers, self.thickness_range[0])]
        hi = np.r_[np.full(self.n_layers, self.index_range[1]), np.full(self.n_layers, self.thickness_range[1])]
        return lo, hi

    def encode(self, index, thickness):
        """Scaled inputs ``(N, 2 L)`` in [-1, 1] (plain numpy)."""
        index = np.atleast_2d(np.asarray(index, dtype=np.float64))
        thickness = np.atleast_2d(np.asarray(thickness, dtype=np.float64))
        if index.shape[1] != self.n_layers or thickness.shape != index.shape:
            raise InputError(f"index and thickness have shapes {index.shape}, {thickness.shape}; expected (N, "
                             f"{self.n_layers}) each")
        lo, hi = self.bounds
        return 2.0 * (np.hstack([index, thickness]) - lo) / (hi - lo) - 1.0

    def decode(self, z):
        """Inverse of :meth:`encode`: ``(index, thickness)`` from scaled inputs ``(N, 2 L)``."""
        lo, hi = self.bounds
        x = lo + 0.5 * (np.atleast_2d(z) + 1.0) * (hi - lo)
        return x[:, : self.n_layers], x[:, self.n_layers:]

    # ------------------------------------------------------------------ model
    def features(self, z, xp=np):
        """Network inputs ``(N F, n_in)`` from scaled designs ``z`` (N, 2 L), one row per (stack, frequency).

        With ``phi_j = 2 pi n_j d_j f / c`` the phase thickness of layer ``j``:

        - ``"stack"`` (``n_in = L + 5``): the scaled indices, the characteristic matrix of the whole stack
          ``M = M_1 M_2 ... M_L``, ``M_j = [[cos phi_j, -i sin phi_j / n_j], [-i n_j sin phi_j, cos phi_j]]``
          (Born & Wolf, *Principles of Optics*, sec. 1.6.2), written ``M = [[A, -i B], [-i C, D]]`` with
          ``A, B, C, D`` real for lossless layers and scaled to the unit vector ``(A, B, C, D) / |(A, B, C,
          D)|``, and the scaled frequency. In vacuum on both sides the continuum stack has ``R = ((A - D)^2 +
          (B - C)^2) / ((A + D)^2 + (B + C)^2)``, a function of the unit vector alone; the network learns
          this map together with the FDTD data's departures from it (the Yee grid's dispersion, whole-cell
          thicknesses), which the indices and frequency let it resolve. With ``AD + BC = 1`` this ``R`` is
          ``(|m|^2 - 2) / (|m|^2 + 2)``, ``m = (A, B, C, D)``, so on the unit vector ``u = m / |m|`` it is
          ``(1 - 2 s) / (1 + 2 s)`` with ``s = u_A u_D + u_B u_C``: a fixed rational function the network has to
          learn from the data (it is not given ``R``), and to extrapolate beyond the data's range of ``R``.
        - ``"stack-norm"`` (``n_in = L + 6``): the same plus ``ln(|m|^2 / 2) / (2 L ln n_max)``. The continuum
          ``R = tanh(ln(|m|^2 / 2) / 2)`` is then one tanh unit of this input: the network only has to
          learn the FDTD data's departures from the transfer-matrix result (a physics-embedded surrogate
          that extrapolates to stacks more reflective than any in the data).
        - ``"phase"`` (``n_in = 3 L + 1``): the scaled indices, ``cos phi_j`` and ``sin phi_j`` of each
          layer, and the scaled frequency (M is multilinear in these, so R is smooth in them, but the
          network has to learn the matrix product: a much harder regression, kept for comparison).

        Differentiable in ``z`` with ``xp=autodiff.numpy``.
        """
        L, F = self.n_layers, self.frequencies.size
        lo, hi = self.bounds
        x = lo + 0.5 * (z + 1.0) * (hi - lo)  # physical (index, thickness)
        n, d = x[:, :L], x[:, L:]
        k = (2 * np.pi / C0) * self.frequencies  # (F,)
        phi = (n * d)[:, None, :] * k[None, :, None]  # (N, F, L)
        N = z.shape[0]
        nz = xp.broadcast_to(z[:, None, :L], (N, F, L))
        fz = xp.broadcast_to(xp.asarray(self._fscaled)[None, :, None], (N, F, 1))
        if self.feature_kind == "phase":
            feats = xp.concatenate([nz, xp.cos(phi), xp.sin(phi), fz], axis=2)
            return xp.reshape(feats, (N * F, 3 * L + 1))
        m = xp.stack(characteristic_matrix(n, phi, xp), axis=2)  # (N, F, 4)
        m2 = xp.sum(m * m, axis=2, keepdims=True)  # |m|^2 >= 2 (det M = AD + BC = 1)
        cols = [nz, m / xp.sqrt(m2), fz]
        if self.feature_kind == "stack-norm":  # ln(|m|^2 / 2) / (2 L ln n_max): in [0, ~1]
            cols.append(xp.log(0.5 * m2) / (2 * L * math.log(max(self.index_range[1], 1.0 / self.index_range[0]))))
        feats = xp.concatenate(cols, axis=2)
        return xp.reshape(feats, (N * F, self.net.widths[0]))

    @property
    def _fscaled(self):
        f = self.frequencies
        span = f.max() - f.min()
        return 2.0 * (f - f.min()) / span - 1.0 if span > 0 else np.zeros_like(f)

    def apply(self, params, z, xp=anp):
        """Predicted R ``(N, F)`` from scaled designs ``z`` (N, 2 L) (differentiable in ``params`` and ``z``)."""
        y = self.net.apply(params, self.features(z, xp))
        return xp.reshape(y, (z.shape[0], self.frequencies.size))

    def predict(self, index, thickness):
        """Predicted power reflectance, shape (N, F)."""
        self._check_trained()
        return np.asarray(self.apply(self.params, self.encode(index, thickness)))

    def _check_trained(self):
        if self.params is None:
            raise InputError("the surrogate is not trained yet; call fit() first")

    def fit(self, index, thickness, R, steps=2000, lr=3e-3, batch=2048, seed=0, progress=True, lbfgs_steps=0):
        """Train by mean-squared error of R with Adam (cosine-decayed learning rate) on random minibatches
        of (stack, frequency) pairs, then optionally polish with full-batch L-BFGS.

        Parameters
        ----------
        index, thickness : array_like, shape (N, L)
            Layer indices and thicknesses (m) of the training stacks.
        R : array_like, shape (N, F)
            Their reflectance spectra on :attr:`frequencies`.
        steps : int
            Adam steps.
        lr : float
            Initial learning rate.
        batch : int
            (stack, frequency) pairs per step.
        seed : int
            Initialisation and minibatch seed.
        progress : bool
        lbfgs_steps : int
            L-BFGS iterations on the mean-squared error over all training pairs after Adam (0: none).

        Returns
        -------
        dict
            The training history (``loss`` per Adam step; ``lbfgs``: the L-BFGS info when used).
        """
        z = self.encode(index, thickness)
        R = np.asarray(R, dtype=np.float64)
        if R.shape != (len(z), self.frequencies.size):
            raise InputError(f"R has shape {R.shape}; expected ({len(z)}, {self.frequencies.size})")
        for name, v, low in (("steps", steps, 1), ("batch", batch, 1), ("lbfgs_steps", lbfgs_steps, 0)):
            if isinstance(v, bool) or int(v) != v or v < low:
                raise InputError(f"{name}={v!r} is out of range; allowed: integers >= {low}")
        rng = np.random.default_rng(seed)
        params = self.net.init(rng) if self.params is None else self.params
        X = self.features(z)  # (N F, 3 L + 1): fixed inputs, computed once
        Y = R.reshape(-1, 1)
        batch = min(int(batch), len(X))

        def loss(p):
            idx = rng.integers(0, len(X), batch)
            d = self.net.apply(p, X[idx]) - Y[idx]
            return anp.mean(d * d), {}

        tr = Training(loss, params, Adam(cosine_decay(lr, int(steps), lr * 0.01)))
        tr.run(int(steps), progress=progress)
        self.params = tr.params
        self.history = tr.history
        if lbfgs_steps:
            vg = ad.value_and_grad(lambda p: anp.mean((self.net.apply(p, X) - Y) ** 2))
            self.params, info = lbfgs(vg, self.params, maxiter=int(lbfgs_steps))
            self.history = {**tr.history, "lbfgs": info}
        return self.history

    def validate(self, index, thickness, R):
        """Errors on held-out stacks; stored in :attr:`validation` and returned.

        Returns
        -------
        dict
            ``rmse``, ``max_abs``, ``p95`` of ``|R_pred - R|`` over every sample and frequency, and ``n``.
        """
        err = np.abs(self.predict(index, thickness) - np.asarray(R, dtype=np.float64))
        self.validation = {"rmse": float(np.sqrt(np.mean(err**2))), "max_abs": float(err.max()),
                           "p95": float(np.percentile(err, 95)), "n": int(len(err))}
        return dict(self.validation)


# ---------------------------------------------------------------------- data
def load_training_data(dataset):
    """Arrays of an opened ``fdtd-multilayer-spectra`` view (e.g. one split).

    Parameters
    ----------
    dataset : datasets.Dataset
        E.g. ``datasets.load("fdtd-multilayer-spectra", "train", n=1000)``.

    Returns
    -------
    dict
        ``index`` (N, L), ``thickness`` (N, L) m, ``R`` (N, F), ``frequencies`` (F,) Hz and ``params`` (the
        generation parameters: ranges of the design box and the FDTD discretisation).
    """
    arr = dataset.arrays(["index", "thickness", "R"])
    return {**arr, "frequencies": np.asarray(dataset.coords["frequency"]), "params": dict(dataset.parameters)}


def from_dataset_params(params, frequencies, **kwargs):
    """A :class:`MultilayerSurrogate` whose input box is the dataset's ``index_min/max`` and ``thickness_min/max``."""
    return MultilayerSurrogate(int(params["n_layers"]), frequencies, (params["index_min"], params["index_max"]),
                               (params["thickness_min"], params["thickness_max"]), **kwargs)


# ---------------------------------------------------------------------- design
def band_mask(frequencies, band):
    """Boolean mask of ``frequencies`` (Hz) whose vacuum wavelength lies in ``band = (lo, hi)`` m."""
    lo, hi = _range("band", band)
    lam = C0 / np.asarray(frequencies, dtype=np.float64)
    m = (lam >= lo) & (lam <= hi)
    if not m.any():
        raise InputError(f"band={band!r} m contains no frequency of the surrogate's grid")
    return m


def design_reflector(surrogate, band, n_starts=16, seed=0, sharpness=40.0, maxiter=200):
    """Maximise the predicted band-minimum reflectance with L-BFGS-B inside the surrogate's parameter box.

    The objective is the soft minimum ``-1/b log mean exp(-b R_f)`` over the band's frequencies
    (``b = sharpness``), differentiated through the network with :func:`autodiff.value_and_grad`;
    the bounds are the training data's index and thickness ranges.

    Parameters
    ----------
    surrogate : MultilayerSurrogate
        Trained.
    band : (float, float)
        Vacuum-wavelength band, m.
    n_starts : int
        Random starts (the best predicted design is returned).
    seed : int
    sharpness : float
        ``b`` of the soft minimum (> 0).
    maxiter : int
        L-BFGS-B iterations per start.

    Returns
    -------
    dict
        ``index`` (L,), ``thickness`` (L,) m, ``R_pred`` (F,), ``min_pred`` (band minimum of ``R_pred``),
        ``mask`` (F,) bool.
    """
    surrogate._check_trained()
    if sharpness <= 0:
        raise InputError(f"sharpness={sharpness!r} is out of range; allowed: (0, inf)")
    mask = band_mask(surrogate.frequencies, band)
    sel = np.nonzero(mask)[0]
    params = surrogate.params

    def softmin(z):
        r = surrogate.apply(params, anp.reshape(z, (1, -1)))[0][sel]  # (band,)
        return anp.log(anp.mean(anp.exp(-sharpness * r))) / sharpness  # = -softmin, to be minimised

    vg = ad.value_and_grad(softmin)

    def fun(z):
        v, g = vg(z)
        return float(v), np.asarray(g, dtype=np.float64)

    rng = np.random.default_rng(seed)
    best = None
    for _ in range(int(n_starts)):
        z0 = rng.uniform(-1.0, 1.0, 2 * surrogate.n_layers)
        res = minimize(fun, z0, jac=True, method="L-BFGS-B", bounds=[(-1.0, 1.0)] * z0.size,
                       options={"maxiter": int(maxiter)})
        if best is None or res.fun < best.fun:
            best = res
    index, thickness = surrogate.decode(best.x)
    R = surrogate.predict(index, thickness)[0]
    return {"index": index[0], "thickness": thickness[0], "R_pred": R, "min_pred": float(R[mask].min()),
            "mask": mask}


def verify_design(index, thickness, frequencies, params=None):
    """R of a design from the dataset generator's 1D FDTD and from transfer matrices.

    Thicknesses are rounded to whole cells of the generator's ``dx = wavelength_min /
    (cells_per_wavelength index_max)`` within its cell range (the dataset's own discretisation); both
    references use the rounded stack.

    Parameters
    ----------
    index, thickness : array_like, shape (L,)
        Indices and thicknesses (m).
    frequencies : array_like, shape (F,)
        Hz.
    params : dict, optional
        The dataset's generation parameters (default: the registered defaults of
        ``fdtd-multilayer-spectra``).

    Returns
    -------
    dict
        ``R_fdtd``, ``T_fdtd``, ``R_tmm`` (F,), ``cells`` (L,) and ``thickness`` (L,) m as simulated.
    """
    import datasets
    from datasets.generators.fdtd_multilayer import multilayer_fdtd
    from datasets.references import multilayer_rt

    p = datasets.get("fdtd-multilayer-spectra").resolve(params)
    dx = p["wavelength_min"] / (p["cells_per_wavelength"] * p["index_max"])
    index = np.asarray(index, dtype=np.float64)
    lo = max(1, math.ceil(p["thickness_min"] / dx - 1e-9))  # the generator's whole-cell thickness range
    hi = max(lo, math.floor(p["thickness_max"] / dx + 1e-9))
    cells = np.clip(np.rint(np.asarray(thickness, dtype=np.float64) / dx), lo, hi).astype(int)
    freqs = np.asarray(frequencies, dtype=np.float64)
    out = multilayer_fdtd(index, cells, dx, freqs, p["dispersion_correction"])
    R_tmm = multilayer_rt(index, cells * dx, C0 / freqs)[0]
    return {"R_fdtd": out["R"], "T_fdtd": out["T"], "R_tmm": R_tmm, "cells": cells, "thickness": cells * dx}
