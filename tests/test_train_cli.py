"""`python -m labkit.train LAB`: every lab trains its main run from the command line (a few steps on the CPU here),
its GPU profile resolves, and command-line overrides reach the model."""

import math
import sys

import pytest
import yaml

from autograder.labs import all_labs
from labkit import train


@pytest.mark.parametrize("lab", all_labs(), ids=lambda lab: lab.name)
def test_each_lab_trains_from_the_command_line(lab, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("WANDB_MODE", "disabled")  # the CSV logger: nothing leaves the machine
    monkeypatch.setattr(sys, "argv", ["labkit.train"])  # as `python -m labkit.train` leaves it for LightningCLI
    profiles = yaml.safe_load((lab.source_dir / train.CONFIG_FILE).read_text())
    assert set(profiles) == set(train.PROFILES)
    lr = profiles["cpu"]["model"]["init_args"].get("lr", 1e-3) / 2
    cli = train.run([str(lab.source_dir), "--profile", "cpu", "--trainer.max_epochs", "1",
                     "--trainer.limit_train_batches", "2", "--trainer.limit_val_batches", "2",
                     "--trainer.enable_progress_bar", "false", "--model.lr", str(lr)])
    assert cli.trainer.state.finished
    assert cli.trainer.fit_loop.epoch_loop.batch_progress.total.completed == 2
    assert cli.model.hparams.lr == lr, "the override reached the model"
    for key, value in profiles["cpu"]["model"]["init_args"].items():
        if key != "lr":
            assert cli.model.hparams[key] == value, key
    logged = {k: float(v) for k, v in cli.trainer.callback_metrics.items()}
    assert logged and all(math.isfinite(v) for v in logged.values()), logged
    assert list((tmp_path / "logs" / lab.name).glob("*/metrics.csv")), "the run is logged like the notebook's"
    # The command ends with the run's result, in the student's language.
    monkeypatch.setenv("LABKIT_LANG", "en")
    assert train.result_line(cli.trainer).startswith("Result")
    monkeypatch.setenv("LABKIT_LANG", "fr")
    french = train.result_line(cli.trainer)
    assert french.startswith("Résultat") and "Result" not in french
    val = {k: v for k, v in logged.items() if k.startswith("val")}
    assert all(k in french for k in val), (val, french)
    monkeypatch.delenv("LABKIT_LANG")

    # The GPU profile resolves (its classes import, its arguments exist) without training.
    with pytest.raises(SystemExit) as exit_info:
        train.run([str(lab.source_dir), "--profile", "gpu", "--print_config"])
    assert exit_info.value.code == 0
    assert yaml.safe_load(capsys.readouterr().out)["trainer"]["max_epochs"] == profiles["gpu"]["trainer"]["max_epochs"]


def test_an_unknown_lab_is_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("LABKIT_LANG", "en")
    with pytest.raises(SystemExit, match="no lab folder 'lab09_missing'"):
        train.run(["lab09_missing"])
    monkeypatch.setenv("LABKIT_LANG", "fr")
    with pytest.raises(SystemExit, match="pas de dossier de lab 'lab09_missing'") as exit_info:
        train.run(["lab09_missing"])
    assert "no lab" not in str(exit_info.value)
