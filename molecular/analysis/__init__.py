"""Analysis: RDF, MSD and diffusion, VACF, block averages; each takes arrays or our H5MD files."""

from molecular.analysis.msd import diffusion_coefficient, msd
from molecular.analysis.plots import plot_msd, plot_rdf, plot_thermo, plot_vacf
from molecular.analysis.rdf import rdf
from molecular.analysis.thermo import block_analysis, block_average
from molecular.analysis.vacf import vacf

__all__ = ["block_analysis", "block_average", "diffusion_coefficient", "msd", "plot_msd", "plot_rdf", "plot_thermo",
           "plot_vacf", "rdf", "vacf"]
