"""Exceptions of the datasets package: unknown names, bad generator output, corrupt or missing files."""

from mindscience.errors import InputError


class UnknownDatasetError(InputError, KeyError):
    """No dataset of that name is registered (built in or declared by an installed suite)."""

    def __str__(self):  # KeyError would quote the message
        return str(self.args[0]) if self.args else ""


class DatasetError(RuntimeError):
    """A dataset cannot be generated or read (bad generator output, schema mismatch, missing file)."""


class DatasetNotFoundError(DatasetError, FileNotFoundError):
    """The dataset has not been generated yet; the message gives the command that generates it."""


class CorruptDatasetError(DatasetError):
    """A stored file fails its checksum, is truncated or unreadable; the message names the file and the fix.

    Attributes
    ----------
    path : str
        The offending file.
    command : str
        The shell command that regenerates it (empty when unknown).
    """

    def __init__(self, path, problem, command=""):
        self.path = str(path)
        self.command = command
        fix = f"; regenerate it with: {command}" if command else "; delete it and generate the dataset again"
        super().__init__(f"dataset file {self.path} {problem}{fix}")
