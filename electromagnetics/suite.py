"""Registration of the electromagnetics suite with the mindscience core (entry point)."""

from electromagnetics import __version__
from mindscience.plugins import Example, Suite


def _demo(outdir):
    from electromagnetics.demo import demo

    return demo(outdir)


def _run_config(config, outdir):
    from electromagnetics.demo import run_config

    return run_config(config, outdir)


SUITE = Suite(
    name="electromagnetics",
    version=__version__,
    description="FDTD electromagnetics: 1D/2D/3D Yee grids, CPML, dispersive media, monitors",
    demo=_demo,
    run_config=_run_config,
    examples=(
        Example("dipole2d", "electromagnetics/dipole2d.py",
                "dipole radiating in 2D near a dielectric rod (field image)"),
        Example("slab_spectrum", "electromagnetics/slab_spectrum.py",
                "dielectric-slab R/T spectrum vs the Fabry-Perot closed form"),
        Example("pec_cavity", "electromagnetics/pec_cavity.py", "3D PEC cavity resonances by harmonic inversion"),
        Example("gold_film", "electromagnetics/gold_film.py", "gold film reflectance (Drude) vs Fresnel/Airy"),
        Example("oblique_slab", "electromagnetics/oblique_slab.py",
                "oblique R/T of a dielectric slab (s and p, Bloch-phased source) vs the transfer matrix"),
        Example("dipole_pattern", "electromagnetics/dipole_pattern.py",
                "radiation pattern of a dipole via the near-to-far-field transform"),
        Example("maxwell2d_pinn", "surrogates/maxwell2d.py",
                "2D TE Maxwell PINN (MindElec's problem) compared with our FDTD, per-component errors"),
        Example("optimize_dielectric", "electromagnetics/optimize_dielectric.py",
                "inverse design of a 2D dielectric region by gradients through an unrolled FDTD run"),
        Example("multilayer_design", "surrogates/multilayer_design.py",
                "surrogate trained on FDTD multilayer spectra designs a reflector, verified by FDTD"),
        Example("dipole2d_config", "electromagnetics/dipole2d.toml", "`mindscience run` config of a 2D dipole"),
        Example("quickstart_notebook", "notebooks/fdtd_quickstart.ipynb",
                "build a structure, run, look at fields and spectra"),
    ),
)
