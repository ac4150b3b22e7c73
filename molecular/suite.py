"""Registration of the molecular-dynamics suite with the mindscience core (entry point)."""

from mindscience.plugins import Example, Suite
from molecular import __version__


def _demo(outdir):
    from molecular.demo import demo

    return demo(outdir)


def _run_config(config, outdir):
    from molecular.demo import run_config

    return run_config(config, outdir)


SUITE = Suite(
    name="molecular",
    version=__version__,
    description="Molecular dynamics: Lennard-Jones fluids, integrators, thermostats, H5MD trajectories",
    demo=_demo,
    run_config=_run_config,
    examples=(
        Example("lj_nvt_rdf", "molecular/lj_nvt_rdf.py", "LJ liquid, Nose-Hoover NVT, radial distribution function"),
        Example("lj_nve_energy", "molecular/lj_nve_energy.py", "LJ NVE energy conservation vs time step"),
        Example("lj_npt_eos", "molecular/lj_npt_eos.py", "LJ NPT equation-of-state point (MC barostat)"),
        Example("argon_real_units", "molecular/argon_real_units.py", "liquid argon in nm, ps, K, bar"),
        Example("lj_config", "molecular/lj_nvt.toml", "`mindscience run` config of an LJ NVT run"),
        Example("quickstart_notebook", "notebooks/molecular_quickstart.ipynb",
                "build, equilibrate, run, analyse, plot"),
    ),
)
