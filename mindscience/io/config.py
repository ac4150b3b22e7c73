"""TOML configuration files: loading with clear errors and validation against a schema.

A schema is a dict mapping each allowed key to its default value, to :data:`REQUIRED`, or to a
nested schema dict (a TOML table). Unknown keys and missing required keys raise
:class:`~mindscience.errors.ConfigError` naming the key, where it is, and the allowed keys.
"""

import difflib
import os

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

from mindscience.errors import ConfigError


class _Required:
    def __repr__(self):
        return "REQUIRED"


REQUIRED = _Required()
"""Marks a schema key that has no default and must be given."""


def load_config(path):
    """Parse a TOML file.

    Parameters
    ----------
    path : str or os.PathLike

    Returns
    -------
    dict

    Raises
    ------
    ConfigError
        If the file is missing or is not valid TOML (the message names the file and line).
    """
    path = os.fspath(path)
    try:
        with open(path, "rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError:
        raise ConfigError(f"config file not found: {path}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from None


def validate_config(config, schema, *, where="config"):
    """Check ``config`` against ``schema`` and return a copy with defaults filled in.

    Parameters
    ----------
    config : dict
        Parsed configuration (e.g. from :func:`load_config`).
    schema : dict
        Allowed keys with their defaults, :data:`REQUIRED`, or nested schema dicts.
    where : str
        Name of the table, used in messages (``"config"``, ``"config.grid"``).

    Returns
    -------
    dict

    Raises
    ------
    ConfigError
        Naming the first unknown key (with a close match if any) and the allowed keys, or the
        first missing required key.

    Examples
    --------
    >>> validate_config({"steps": 10}, {"steps": REQUIRED, "dt": 0.005})
    {'steps': 10, 'dt': 0.005}
    """
    if not isinstance(config, dict):
        raise ConfigError(f"{where} must be a table, got {type(config).__name__}")
    allowed = sorted(schema)
    for key in config:
        if key not in schema:
            close = difflib.get_close_matches(key, allowed, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise ConfigError(f"unknown key {key!r} in {where}{hint}; allowed keys: {', '.join(allowed)}")
    out = {}
    for key, spec in schema.items():
        if isinstance(spec, dict):
            out[key] = validate_config(config.get(key, {}), spec, where=f"{where}.{key}")
        elif key in config:
            out[key] = config[key]
        elif spec is REQUIRED:
            raise ConfigError(f"missing required key {key!r} in {where}; required keys: "
                              + ", ".join(k for k in allowed if schema[k] is REQUIRED))
        else:
            out[key] = spec
    return out
