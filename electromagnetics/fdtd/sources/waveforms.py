"""Waveforms: the *when* of a source, functions of time only (s -> dimensionless amplitude)."""

import math

import numpy as np

from mindscience.errors import InputError, check_range


class Waveform:
    """Base class: ``waveform(t)`` evaluates the time profile at ``t`` (s, scalar or array).

    Subclasses implement :meth:`__call__`; ``end_time`` (s) says when the waveform is negligible
    (``inf`` for a continuous wave), which ``run(until_decayed=...)`` uses.
    """

    end_time = math.inf

    def __call__(self, t):
        raise NotImplementedError


class GaussianPulse(Waveform):
    """``exp(-((t - delay)/width)^2 / 2)``: a baseband pulse with spectrum width ``1/(2 pi width)`` Hz.

    Parameters
    ----------
    width : float
        Standard deviation in time, s (> 0).
    delay : float, optional
        Peak time, s; default ``5 width`` (the pulse starts smoothly at t = 0).

    Examples
    --------
    >>> w = GaussianPulse(width=1e-15)
    >>> float(w(5e-15))
    1.0
    """

    def __init__(self, width, delay=None):
        self.width = check_range("GaussianPulse.width", float(width), 0, None, low_open=True)
        self.delay = 5 * self.width if delay is None else float(delay)
        self.end_time = self.delay + 6 * self.width

    def __call__(self, t):
        s = (np.asarray(t, dtype=float) - self.delay) / self.width
        return np.exp(-0.5 * s * s)


class ModulatedGaussian(Waveform):
    """``sin(2 pi f0 (t - delay)) exp(-((t - delay)/tau)^2/2)`` with ``tau = 1/(2 pi fwidth)``.

    Zero mean (no static charge is left behind); spectrum centred on ``frequency`` with Gaussian
    standard deviation ``fwidth``.

    Parameters
    ----------
    frequency : float
        Centre frequency f0, Hz (> 0).
    fwidth : float
        Spectral standard deviation, Hz (> 0).
    delay : float, optional
        s; default ``5 tau``.
    """

    def __init__(self, frequency, fwidth, delay=None):
        self.frequency = check_range("ModulatedGaussian.frequency", float(frequency), 0, None, low_open=True)
        self.fwidth = check_range("ModulatedGaussian.fwidth", float(fwidth), 0, None, low_open=True)
        self.tau = 1.0 / (2 * math.pi * self.fwidth)
        self.delay = 5 * self.tau if delay is None else float(delay)
        self.end_time = self.delay + 6 * self.tau

    def __call__(self, t):
        s = np.asarray(t, dtype=float) - self.delay
        return np.sin(2 * math.pi * self.frequency * s) * np.exp(-0.5 * (s / self.tau) ** 2)


class Ricker(Waveform):
    """Ricker wavelet ``(1 - 2 (pi fp s)^2) exp(-(pi fp s)^2)``, ``s = t - delay``, peak frequency fp.

    Parameters
    ----------
    frequency : float
        Peak frequency of the spectrum, Hz (> 0).
    delay : float, optional
        s; default ``4.5 sqrt(2)/(pi fp)``, where the wavelet is below 1e-8 of its peak at t = 0.
    """

    def __init__(self, frequency, delay=None):
        self.frequency = check_range("Ricker.frequency", float(frequency), 0, None, low_open=True)
        self.delay = 4.5 / (math.pi * self.frequency) * math.sqrt(2) if delay is None else float(delay)
        self.end_time = 2 * self.delay

    def __call__(self, t):
        a = (math.pi * self.frequency * (np.asarray(t, dtype=float) - self.delay)) ** 2
        return (1 - 2 * a) * np.exp(-a)


class ContinuousWave(Waveform):
    """``sin(2 pi f t)`` switched on smoothly: multiplied by ``sin^2(pi t/(2 ramp))`` for ``t < ramp``.

    Parameters
    ----------
    frequency : float
        Hz (> 0).
    ramp : float, optional
        Switch-on time, s (>= 0); default 5 periods.
    """

    def __init__(self, frequency, ramp=None):
        self.frequency = check_range("ContinuousWave.frequency", float(frequency), 0, None, low_open=True)
        self.ramp = 5.0 / self.frequency if ramp is None else check_range("ContinuousWave.ramp", float(ramp), 0)

    def __call__(self, t):
        t = np.asarray(t, dtype=float)
        env = np.where(t < self.ramp, np.sin(0.5 * math.pi * np.clip(t, 0, None) / max(self.ramp, 1e-300)) ** 2,
                       1.0)
        return env * np.sin(2 * math.pi * self.frequency * t) * (t >= 0)


class CustomWaveform(Waveform):
    """A user function of time ``func(t) -> amplitude`` (t in s, array in, array out).

    Parameters
    ----------
    func : callable
    end_time : float
        When the waveform is over, s (default inf).
    """

    def __init__(self, func, end_time=math.inf):
        if not callable(func):
            raise InputError("CustomWaveform.func must be callable: func(t) -> amplitude")
        self.func = func
        self.end_time = float(end_time)

    def __call__(self, t):
        return np.asarray(self.func(t), dtype=float)
