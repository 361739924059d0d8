"""Train a lab's main run from the command line, through Lightning's LightningCLI.

    python -m labkit.train LAB [--profile cpu|gpu] [LightningCLI options]

LAB is a lab folder (`lab01_cnn`, from the folder that holds the labs, or a path to it). Its `train.yaml` holds one
LightningCLI config (model, data, trainer) per profile; the profile defaults to "gpu" where CUDA is available, else
"cpu". Every option can be overridden (`--trainer.max_epochs 3`, `--model.lr 1e-3`, `--data.batch_size 128`) and
`--print_config` shows the resolved config. The run logs to wandb as the notebooks do (offline unless configured,
see labkit.training), with the lab as the wandb group.

FR : entraîne le run principal d'un lab en ligne de commande. `train.yaml` contient une configuration LightningCLI
par profil ; toute option peut être remplacée sur la ligne de commande, et `--print_config` affiche la configuration.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

import yaml
from lightning.pytorch import Trainer
from lightning.pytorch.cli import LightningCLI

from labkit import training
from labkit.i18n import tr
from labkit.student import LabNotFound, find_lab

CONFIG_FILE = "train.yaml"
PROFILES = ("cpu", "gpu")


class LabCLI(LightningCLI):
    """LightningCLI whose Trainer logs like the notebooks' (labkit.training), unless the config names a logger."""

    def __init__(self, lab: str, profile: str, *args: Any, **kwargs: Any) -> None:
        self.lab, self.profile = lab, profile
        super().__init__(*args, **kwargs)

    def instantiate_trainer(self, **kwargs: Any) -> Trainer:
        if self._get(self.config_init, "trainer", default={}).get("logger") in (None, True):
            config = {"profile": self.profile, **{part: self._get(self.config, part).as_dict()
                                                  for part in ("model", "data")}}
            kwargs["logger"] = training.make_logger(self.lab, run_name=f"{self.lab}-{self.profile}-cli", config=config)
        return super().instantiate_trainer(**kwargs)


def run(argv: list[str] | None = None) -> LabCLI:
    """Parse `argv` (the command line without the program name), train, and return the CLI (its .trainer, .model)."""
    parser = argparse.ArgumentParser(prog="python -m labkit.train", add_help=False)
    parser.add_argument("lab")
    parser.add_argument("--profile", choices=PROFILES, default=None)
    known, rest = parser.parse_known_args(argv)
    try:
        folder = find_lab(known.lab)
    except LabNotFound as exc:
        raise SystemExit(f"labkit.train{tr(': ', ' : ')}{exc}") from None
    if not (folder / CONFIG_FILE).is_file():
        raise SystemExit(tr(f"labkit.train: {folder} has no {CONFIG_FILE}: this lab has no training run to start",
                            f"labkit.train : {folder} n'a pas de {CONFIG_FILE} : ce lab n'a pas d'entraînement à "
                            "lancer"))
    profile = known.profile or training.profile()
    if profile not in PROFILES:  # "grading" is the autograder's, not a training run
        profile = "cpu"
    configs = yaml.safe_load((folder / CONFIG_FILE).read_text(encoding="utf-8"))
    sys.path.insert(0, str(folder))  # the config names the lab's classes by its module, as the notebook imports it
    imported = sys.modules.get(folder.name)
    if imported is not None and Path(imported.__file__ or "").resolve().parent != folder:
        del sys.modules[folder.name]  # a module of that name from another folder (another copy of the lab)
    return LabCLI(folder.name, profile, args=["fit", "--config", yaml.safe_dump(configs[profile]), *rest],
                  subclass_mode_model=True, subclass_mode_data=True, save_config_kwargs={"overwrite": True},
                  trainer_defaults={"log_every_n_steps": 5})


def result_line(trainer: Trainer) -> str:
    """The run's last validation metrics, in the student's language (French numbers with a decimal comma)."""
    metrics = {k: float(v) for k, v in sorted(trainer.callback_metrics.items())
               if k.startswith("val") and getattr(v, "numel", lambda: 1)() == 1}
    if not metrics:
        return tr(f"Result: training finished after {trainer.current_epoch} epochs; no validation metric was logged.",
                  f"Résultat : entraînement terminé après {trainer.current_epoch} époques ; aucune métrique de "
                  "validation n'a été enregistrée.")
    shown = ", ".join(f"{k} = " + tr(f"{v:.4g}", f"{v:.4g}".replace(".", ",")) for k, v in metrics.items())
    return tr(f"Result after {trainer.current_epoch} epochs, last validation metrics: {shown}",
              f"Résultat après {trainer.current_epoch} époques, dernières métriques de validation : {shown}")


def main() -> None:
    argv, sys.argv[1:] = sys.argv[1:], []  # LightningCLI reads sys.argv unless given args, and warns when both are
    cli = run(argv)
    print(result_line(cli.trainer))


if __name__ == "__main__":
    main()
