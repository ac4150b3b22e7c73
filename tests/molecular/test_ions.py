"""Joung-Cheatham ion parameters: the paper's table converted to sigma/epsilon, checked against OpenMM's copy."""

import re
from pathlib import Path

import pytest

from mindscience.errors import InputError
from molecular.ions import ION_MASSES, JOUNG_CHEATHAM_2008, ion_parameters


def test_conversion_from_rmin_half():
    # reference: sigma = 2 R_min/2 / 2^(1/6) (LJ minimum at 2^(1/6) sigma), 1 kcal = 4.184 kJ; JC 2008 Table 5
    na = ion_parameters("NA", "SPC/E")
    assert na.name == "Na+" and na.charge == 1.0 and na.mass == 22.99
    assert na.sigma * 2 ** (1 / 6) / 2 == pytest.approx(0.1212, rel=1e-12)
    assert na.epsilon == pytest.approx(0.3526418 * 4.184, rel=1e-12)
    cl = ion_parameters("cl", "tip4pew")
    assert cl.charge == -1.0 and cl.water == "tip4pew"
    assert "9020" in cl.reference


@pytest.mark.parametrize("water", ["spce", "tip3p", "tip4pew"])
def test_parameters_match_openmm_amber14(water):
    # reference: OpenMM's amber14 water/ion force fields (from AMBER's frcmod.ionsjc_*), an independent transcription
    openmm = pytest.importorskip("openmm")
    path = Path(openmm.__file__).parent / "app" / "data" / "amber14" / f"{water}.xml"
    if not path.exists():
        pytest.skip(f"{path} not shipped with this OpenMM")
    text = path.read_text()
    for ion in ION_MASSES:
        m = re.search(rf'<Atom epsilon="([0-9.eE+-]+)" sigma="([0-9.eE+-]+)" type="{water}_standard-{re.escape(ion)}"',
                      text)
        assert m, ion
        p = ion_parameters(ion, water)
        assert p.epsilon == pytest.approx(float(m.group(1)), rel=1e-6), ion
        assert p.sigma == pytest.approx(float(m.group(2)), rel=1e-3), ion  # R_min/2 tabulated to 1e-3 A


def test_tables_complete_and_errors():
    for water, table in JOUNG_CHEATHAM_2008.items():
        assert set(table) == set(ION_MASSES), water
    with pytest.raises(InputError, match="Mg"):
        ion_parameters("Mg2+")
    with pytest.raises(InputError, match="opc"):
        ion_parameters("Na+", "opc")
