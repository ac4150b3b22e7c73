"""Every python block of README.md runs as written (the README must stay true)."""

import re
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[1] / "README.md"
BLOCKS = re.findall(r"```python\n(.*?)```", README.read_text(), flags=re.S)


def test_readme_has_the_two_commands_first():
    text = README.read_text()
    first_block = re.search(r"```bash\n(.*?)```", text, flags=re.S).group(1)
    assert "pip install -e . && mindscience demo" in first_block
    assert 'pip install -e ".[test]" && pytest' in first_block
    assert text.index("```bash") < text.index("```python")


@pytest.mark.parametrize("code", BLOCKS, ids=[f"block{i}" for i in range(len(BLOCKS))])
def test_readme_block_runs(code, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    namespace = {}
    exec(compile(code, str(README), "exec"), namespace)
    if "probe" in namespace:  # FDTD: the pulse reached the probe through the rod
        assert abs(namespace["probe"].values).max() > 0
    if "g" in namespace:  # MD: a liquid's first RDF peak near r = 1.1 sigma
        r, g = namespace["r"], namespace["g"]
        assert 1.0 < r[g.argmax()] < 1.25 and 2.0 < g.max() < 3.5
    if "water" in namespace:  # SETTLE holds SPC/E's O-H at 0.1 nm; PME + LJ give a cohesive liquid
        import numpy as np

        x = namespace["md"].system.positions
        np.testing.assert_allclose(np.linalg.norm(x[1::3] - x[0::3], axis=1), 0.1, atol=1e-8)
        n_waters = len(x) // 3  # SPC/E liquid: about -46.8 kJ/mol per water
        # (Berendsen et al. 1987 quote -41.5 after their 5.2 kJ/mol polarisation correction); 0.2 ps after solvate
        assert -50.0 < namespace["md"].integrator.result.energy / n_waters < -25.0
    if "d6" in namespace:  # d^6/dx^6 tanh(x) at 0 is 0 and sin(x)exp(-x^2/3) is odd: d6 is odd
        import numpy as np

        d6 = np.asarray(namespace["d6"])
        np.testing.assert_allclose(d6, -d6[::-1], rtol=1e-9, atol=1e-9)
        h = np.asarray(namespace["h"])  # Rosenbrock Hessian at the minimum (analytic): diag 202 (802 inside), off -400
        assert h[0, 0] == 802 and h[-1, -1] == 200 and h[0, 1] == -400
    if "trainer" in namespace:
        import numpy as np

        pts = np.random.default_rng(0).uniform(0, 1, size=(500, 2))
        exact = np.sin(np.pi * pts[:, 0]) * np.sin(np.pi * pts[:, 1])
        assert namespace["trainer"].relative_l2(pts, exact) < 1e-2
