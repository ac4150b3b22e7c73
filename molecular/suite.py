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
    description="Molecular dynamics: LJ fluids, water and force-field files, PME, constraints, neural potentials",
    demo=_demo,
    run_config=_run_config,
    examples=(
        Example("lj_nvt_rdf", "molecular/lj_nvt_rdf.py", "LJ liquid, Nose-Hoover NVT, radial distribution function"),
        Example("lj_nve_energy", "molecular/lj_nve_energy.py", "LJ NVE energy conservation vs time step"),
        Example("lj_npt_eos", "molecular/lj_npt_eos.py", "LJ NPT equation-of-state point (MC barostat)"),
        Example("argon_real_units", "molecular/argon_real_units.py", "liquid argon in nm, ps, K, bar"),
        Example("water_spce", "molecular/water_spce.py",
                "SPC/E water, PME + SETTLE, NVT then NPT at 300 K: O-O RDF, density"),
        Example("nacl_solution", "molecular/nacl_solution.py", "NaCl in SPC/E with Joung-Cheatham ions: ion RDFs"),
        Example("small_molecule_gromacs", "molecular/small_molecule_gromacs.py",
                "ethanol (OPLS-AA) from a GROMACS topology: minimise, Langevin NVT, h-bond constraints"),
        Example("nn_potential_lj", "molecular/nn_potential_lj.py", "Behler-Parrinello potential trained on LJ data"),
        Example("schnet_lj", "molecular/schnet_lj.py", "SchNet message-passing potential trained on LJ data"),
        Example("delta_learning", "molecular/delta_learning.py", "classical force field + learned correction"),
        Example("fit_lj_parameters", "molecular/fit_lj_parameters.py",
                "fit LJ epsilon/sigma by gradients through an unrolled MD run"),
        Example("lj_config", "molecular/lj_nvt.toml", "`mindscience run` config of an LJ NVT run"),
        Example("quickstart_notebook", "notebooks/molecular_quickstart.ipynb",
                "build, equilibrate, run, analyse, plot"),
    ),
)
