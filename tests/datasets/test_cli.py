"""The ``mindscience datasets`` command: list, info, generate, verify, path, and its errors."""

import pytest

import datasets
from datasets import cli
from mindscience import cli as top_cli


def test_list_and_info(capsys):
    assert top_cli.main(["datasets", "list"]) == 0
    out = capsys.readouterr().out
    assert "pde-reference-burgers" in out and "built-in" in out
    assert cli.main(["info", "pde-reference-heat", "-p", "nx=5", "--n", "2"]) == 0
    out = capsys.readouterr().out
    assert "(21, 33, 5)" in out and "alpha" in out and "licence:" in out and "(not generated)" in out


def test_generate_path_verify_round_trip(capsys, data_dir):
    args = ["toy-gauss", "--n", "12", "--seed", "3", "--param", "dim=2"]
    assert cli.main(["generate", *args, "--workers", "1", "--no-progress"]) == 0
    out = capsys.readouterr().out
    path = datasets.dataset_path("toy-gauss", n=12, seed=3, params={"dim": 2})
    assert str(path) in out and "sha256" in out
    assert cli.main(["path", *args]) == 0
    assert capsys.readouterr().out.strip() == str(path)
    assert cli.main(["verify", *args]) == 0
    assert capsys.readouterr().out.startswith("OK ")
    assert cli.main(["verify", str(path)]) == 0
    assert len(datasets.load("toy-gauss", n=12, seed=3, params={"dim": 2})) == 12


@pytest.mark.parametrize(
    ("argv", "code", "message"),
    [
        (["info", "nope"], 1, "no dataset named 'nope'"),
        (["generate", "toy-gauss", "--param", "dim"], 1, "must look like KEY=VALUE"),
        (["generate", "toy-gauss", "--param", "dim=abc"], 1, "dim='abc' must be of type int"),
        (["verify", "toy-gauss", "--n", "3"], 1, "not found"),
        (["frobnicate"], 2, "invalid choice"),
    ],
)
def test_errors_are_one_line_messages_with_exit_codes(capsys, argv, code, message):
    assert cli.main(argv) == code
    assert message in capsys.readouterr().err
