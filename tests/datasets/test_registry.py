"""Registry: listing, info, parameter checks, clear errors, lazy datasets of installed suites, cache paths."""

import sys

import pytest

import datasets
from datasets import registry
from mindscience import plugins
from mindscience.errors import InputError

PDE = ["pde-reference-burgers", "pde-reference-heat", "pde-reference-helmholtz", "pde-reference-poisson"]


def test_list_has_builtin_pde_references():
    names = datasets.list()
    assert set(PDE) <= set(names)
    assert names == sorted(names)


def test_info_gives_units_shapes_parameters_licence_and_size():
    d = datasets.info("pde-reference-heat", params={"nx": 5, "ny": 4, "nt": 3}, n=10)
    fields = {f["name"]: f for f in d["fields"]}
    assert fields["u"]["shape"] == ("nt", "ny", "nx")
    assert fields["u"]["resolved_shape"] == (3, 4, 5)
    assert fields["u"]["units"] == "1"
    assert fields["modes"]["dtype"] == "int64"
    assert d["parameters"]["nx"] == 5
    assert d["licence"] and d["citation"]
    # u: 3*4*5 floats, alpha: 1 float, modes: 3x2 int64, amplitudes: 3 floats
    assert d["nbytes"] == 10 * 8 * (60 + 1 + 6 + 3)


def test_unknown_name_suggests_close_matches():
    with pytest.raises(datasets.UnknownDatasetError, match="did you mean.*pde-reference-burgers"):
        datasets.info("pde-reference-burger")
    with pytest.raises(KeyError):  # also a KeyError (and a ValueError via InputError) for generic handlers
        datasets.get("no-such-dataset")


def test_parameter_errors_name_key_value_and_allowed():
    with pytest.raises(InputError, match="no parameter 'nxx'.*allowed: .*nx"):
        datasets.info("pde-reference-poisson", params={"nxx": 3})
    with pytest.raises(InputError, match="nx='big' must be of type int"):
        datasets.info("pde-reference-poisson", params={"nx": "big"})
    with pytest.raises(InputError, match=r"nu_min=-1\.0 is out of range"):
        datasets.info("pde-reference-burgers", params={"nu_min": -1.0})


def test_integral_float_becomes_int_and_int_becomes_float():
    p = datasets.get("pde-reference-burgers").resolve({"nx": 64.0, "t_max": 2})
    assert p["nx"] == 64 and isinstance(p["nx"], int)
    assert p["t_max"] == 2.0 and isinstance(p["t_max"], float)


def test_register_conflict_is_refused_and_bad_names_rejected():
    with pytest.raises(InputError, match="already registered"):

        @datasets.register_dataset("pde-reference-poisson", description="clash", fields=(datasets.Field("u"),))
        def clash(rng, params, index):
            return {"u": 0.0}

    with pytest.raises(InputError, match="lower-case"):
        datasets.register_dataset("Bad_Name", description="", fields=(datasets.Field("u"),))
    with pytest.raises(InputError, match="only letters"):
        datasets.Field("a/b")


def _fake_suites(mapping):
    suite = plugins.Suite(name="fakesuite", version="0", description="fake", datasets=mapping)
    return lambda: [suite, plugins.BrokenSuite("broken", "ImportError: nope")]


def test_suite_datasets_are_listed_without_import_and_loaded_on_use(monkeypatch):
    monkeypatch.setattr(plugins, "discover_suites", _fake_suites({"toy-suite": "tests.datasets.toy_suite:SPEC"}))
    monkeypatch.delitem(sys.modules, "tests.datasets.toy_suite", raising=False)
    monkeypatch.delitem(registry._REGISTRY, "toy-suite", raising=False)
    assert "toy-suite" in datasets.list()
    assert "tests.datasets.toy_suite" not in sys.modules  # listing imports nothing
    spec = datasets.get("toy-suite")
    assert "tests.datasets.toy_suite" in sys.modules
    assert spec.name == "toy-suite"
    assert registry.provider("toy-suite") == "fakesuite"
    path = datasets.generate("toy-suite", n=3, seed=1, workers=1, progress=False)
    assert len(datasets.load("toy-suite", n=3, seed=1)) == 3
    assert path.exists()


def test_broken_suite_entry_gives_clear_error(monkeypatch):
    monkeypatch.setattr(
        plugins,
        "discover_suites",
        _fake_suites({"ghost": "no_such_module_xyz:SPEC", "wrong": "tests.datasets.toy:CALLS"}),
    )
    with pytest.raises(datasets.UnknownDatasetError, match="'ghost' of suite 'fakesuite' failed to import"):
        datasets.get("ghost")
    with pytest.raises(datasets.UnknownDatasetError, match="not a DatasetSpec named 'wrong'"):
        datasets.get("wrong")


def test_cache_path_follows_environment_and_settings(data_dir, monkeypatch):
    p = datasets.dataset_path("pde-reference-poisson", n=7, seed=3)
    assert p.parent == data_dir / "pde-reference-poisson"
    assert p.name.startswith("pde-reference-poisson-n7-seed3-") and p.suffix == ".h5"
    assert datasets.dataset_path("pde-reference-poisson", n=7, seed=3, params={"nx": 9}) != p
    # explicit defaults hash like omitted ones
    assert datasets.dataset_path("pde-reference-poisson", n=7, seed=3, params={"nx": 65}) == p
    monkeypatch.delenv("MINDSCIENCE_DATA")
    monkeypatch.setenv("XDG_CACHE_HOME", str(data_dir / "xdg"))
    assert registry.data_root() == data_dir / "xdg" / "mindscience"


def test_unknown_name_mentions_generator_modules_that_failed(monkeypatch):
    monkeypatch.setitem(registry._BROKEN, "datasets.generators.fdtd_example", "ImportError: no solver")
    with pytest.raises(datasets.UnknownDatasetError, match="fdtd_example \\(ImportError: no solver\\)"):
        datasets.get("fdtd-example")
