"""Exceptions shared by every suite: bad input, bad configuration, diverging runs."""


class InputError(ValueError):
    """A parameter is outside its allowed range; the message names parameter, value and range."""


class ConfigError(InputError):
    """A configuration file is malformed, misses a key or has an unknown key."""


class SimulationDiverged(RuntimeError):
    """A solver state became non-finite.

    Attributes
    ----------
    step : int
        The first step at which the guard saw a non-finite value (the state was finite at the
        previous check, ``step - guard_interval`` or earlier).
    quantity : str
        Name of the offending state array (for example ``"positions"`` or ``"Ez"``).
    """

    def __init__(self, step, quantity, detail=""):
        self.step = int(step)
        self.quantity = str(quantity)
        msg = f"simulation diverged: {quantity!s} became non-finite (NaN or inf) by step {step}"
        if detail:
            msg += f"; {detail}"
        super().__init__(msg)


def check_range(name, value, low=None, high=None, *, low_open=False, high_open=False):
    """Raise :class:`InputError` unless ``low <= value <= high`` (bounds may be open or absent).

    Parameters
    ----------
    name : str
        Parameter name used in the message.
    value : float
        The value to check.
    low, high : float or None
        Bounds; ``None`` means unbounded on that side.
    low_open, high_open : bool
        Exclude the bound itself.

    Returns
    -------
    float
        ``value``, for chaining.
    """
    ok = value == value  # NaN fails every range
    if ok and low is not None:
        ok = value > low if low_open else value >= low
    if ok and high is not None:
        ok = value < high if high_open else value <= high
    if not ok:
        lo = "-inf" if low is None else f"{low:g}"
        hi = "inf" if high is None else f"{high:g}"
        rng = f"{'(' if low_open or low is None else '['}{lo}, {hi}{')' if high_open or high is None else ']'}"
        raise InputError(f"{name}={value!r} is out of range; allowed: {rng}")
    return value
