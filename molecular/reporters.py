"""MD reporters (read-only): thermodynamic log (screen/CSV/HDF5), H5MD, XYZ and PDB trajectories."""

import os

import numpy as np

from mindscience.engine import IntervalReporter
from mindscience.io import save
from molecular.io.h5md import H5MDWriter
from molecular.io.pdb import write_pdb
from molecular.io.xyz import NM_TO_ANGSTROM, write_xyz

THERMO_DEFAULT = ("potential_energy", "kinetic_energy", "total_energy", "conserved_energy", "temperature",
                  "pressure", "density")
THERMO_UNITS = {"time": "ps", "potential_energy": "kJ/mol", "kinetic_energy": "kJ/mol",
                "total_energy": "kJ/mol", "conserved_energy": "kJ/mol", "temperature": "K",
                "pressure": "kJ/mol/nm^3", "density": "nm^-3", "volume": "nm^3"}


class ThermoReporter(IntervalReporter):
    """Log step, time, energies, temperature, pressure, density and the conserved quantity.

    Rows go to the screen (``stdout=True``), to a CSV file (flushed every row) and, at the end of
    the run, to an HDF5 file (atomic write) with units; ``reporter.data`` holds them in memory.

    Parameters
    ----------
    interval : int
        Steps between rows.
    csv : str or os.PathLike, optional
    h5 : str or os.PathLike, optional
    stdout : bool
    quantities : sequence of str
        Observables of :class:`~molecular.simulation.MDSimulation` (scalars).

    Examples
    --------
    >>> rep = ThermoReporter(100, csv="thermo.csv", stdout=False)
    """

    def __init__(self, interval, csv=None, h5=None, stdout=False, quantities=THERMO_DEFAULT):
        super().__init__(interval, quantities)
        self.quantities = tuple(quantities)
        self.csv = None if csv is None else os.fspath(csv)
        self.h5 = None if h5 is None else os.fspath(h5)
        self.stdout = stdout
        self.rows = []
        self._fh = None

    def _report(self, sim, state):
        row = [state["step"], state["time"]] + [float(state[q]) for q in self.quantities]
        self.rows.append(row)
        if self.csv is not None:
            if self._fh is None:
                os.makedirs(os.path.dirname(os.path.abspath(self.csv)), exist_ok=True)
                new = not os.path.exists(self.csv) or os.path.getsize(self.csv) == 0
                self._fh = open(self.csv, "a")
                if new:
                    self._fh.write(",".join(["step", "time", *self.quantities]) + "\n")
            self._fh.write(",".join([str(row[0])] + [f"{v:.10g}" for v in row[1:]]) + "\n")
            self._fh.flush()
        if self.stdout:
            from tqdm.auto import tqdm

            tqdm.write(" ".join([f"{row[0]:>8d}", f"{row[1]:10.4f}"] + [f"{v:12.5g}" for v in row[2:]]))

    @property
    def data(self):
        """``{"step", "time", quantity...}`` arrays of the rows so far."""
        arr = np.array(self.rows, dtype=np.float64).reshape(-1, 2 + len(self.quantities))
        out = {"step": arr[:, 0].astype(np.int64), "time": arr[:, 1]}
        out.update({q: arr[:, 2 + k] for k, q in enumerate(self.quantities)})
        return out

    def close(self):
        if self._fh is not None:
            self._fh.close()
            self._fh = None
        if self.h5 is not None and self.rows:
            save(self.h5, {"thermo": self.data}, units={f"thermo/{k}": u for k, u in THERMO_UNITS.items()},
                 parameters={"interval": self.interval, "quantities": list(self.quantities)})


class H5MDReporter(IntervalReporter):
    """Write an H5MD 1.1 trajectory (positions, box, optional velocities/forces, observables).

    The file is flushed after every frame and closed at the end of each run; passing the same
    reporter to a later run appends to the file.

    Parameters
    ----------
    path : str or os.PathLike
    interval : int
    velocities, forces : bool
    observables : sequence of str
        Scalar observables stored under ``/observables``.
    units : dict, optional
        Unit strings overriding the defaults (e.g. reduced units).

    Examples
    --------
    >>> rep = H5MDReporter("traj.h5", 100, velocities=True)
    """

    def __init__(self, path, interval, velocities=False, forces=False,
                 observables=("potential_energy", "kinetic_energy", "temperature"), units=None):
        include = {"positions", "box", "types", "masses", *observables}
        if velocities:
            include.add("velocities")
        if forces:
            include.add("forces")
        super().__init__(interval, include)
        self.path = os.fspath(path)
        self.velocities, self.forces = velocities, forces
        self.observables = tuple(observables)
        self.units = units
        self.writer = None
        self._started = False

    def _report(self, sim, state):
        if self.writer is None:  # a later run with the same reporter continues the file
            self.writer = H5MDWriter(self.path, len(state["positions"]), species=state["types"],
                                     masses=state["masses"], periodic=state["box"] is not None,
                                     velocities=self.velocities, forces=self.forces, units=self.units,
                                     append=self._started)
            self._started = True
        self.writer.write(state["step"], state["time"], state["positions"], box=state["box"],
                          velocities=state.get("velocities"), forces=state.get("forces"),
                          observables={k: state[k] for k in self.observables})

    def close(self):
        if self.writer is not None:
            self.writer.close()
            self.writer = None


class XYZReporter(IntervalReporter):
    """Append extended-XYZ frames (angstrom by default; ``length_scale=1`` for reduced units)."""

    def __init__(self, path, interval, length_scale=NM_TO_ANGSTROM):
        super().__init__(interval, {"positions", "box"})
        self.path = os.fspath(path)
        self.length_scale = length_scale
        self._first = True

    def _report(self, sim, state):
        names = sim.system.topology.names
        write_xyz(self.path, state["positions"], names, box=state["box"], append=not self._first,
                  length_scale=self.length_scale, extra={"Time": f"{state['time']:.6g}", "Step": state["step"]})
        self._first = False


class PDBReporter(IntervalReporter):
    """Append PDB MODEL frames (positions in angstrom, CRYST1 box)."""

    def __init__(self, path, interval):
        super().__init__(interval, {"positions"})
        self.path = os.fspath(path)
        self._model = 0

    def _report(self, sim, state):
        self._model += 1
        write_pdb(self.path, sim.system, model=self._model, append=self._model > 1)
