"""PacGAN's Table 1 (modes captured, mean +- standard error) with Lab 7's reference, beside the paper's numbers.

Longer than the notebook's CPU profile: more seeds and steps. Runs one configuration after another on one thread, so a
2-core machine stays usable; prints a Markdown table and writes every run's numbers to --out.
    python benchmarks/lab07_pacgan_table.py [--seeds 5] [--epochs 10] [--steps-per-epoch 500] [--loss gan]
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import time
import warnings
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from solutions.lab07_gans import lab07_gans as lab  # noqa: E402


def mean_se(values: list[float]) -> tuple[float, float]:
    t = torch.tensor(values, dtype=torch.float64)
    return float(t.mean()), float(t.std() / len(t) ** 0.5) if len(t) > 1 else float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--first-seed", type=int, default=0)
    parser.add_argument("--merge", type=Path, nargs="*", default=[],
                        help="earlier --out files whose runs join this table (other seeds, same settings)")
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--steps-per-epoch", type=int, default=500)
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--hidden", type=int, default=128)
    parser.add_argument("--lr", type=float, default=1e-3)
    parser.add_argument("--loss", choices=["gan", "wgan-gp"], default="gan")
    parser.add_argument("--datasets", default="ring,grid")
    parser.add_argument("--pacs", default="1,2,4")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--out", type=Path, default=Path("lab07_pacgan_table.json"))
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    logging.getLogger("lightning.pytorch").setLevel(logging.ERROR)
    warnings.filterwarnings("ignore")

    runs = []
    for dataset in args.datasets.split(","):
        for pac in map(int, args.pacs.split(",")):
            for seed in range(args.first_seed, args.first_seed + args.seeds):
                start = time.monotonic()
                model = lab.train_pacgan(dataset, pac, seed, args.epochs, args.steps_per_epoch, args.batch_size,
                                         hidden=args.hidden, lr=args.lr, loss=args.loss,
                                         critic_steps=1 if args.loss == "gan" else 5)
                _, modes, quality = model.coverage[-1]
                runs.append(dict(dataset=dataset, pac=pac, seed=seed, modes=modes, high_quality=quality,
                                 seconds=round(time.monotonic() - start, 1), per_epoch=model.coverage))
                print(json.dumps(runs[-1]), flush=True)
                args.out.write_text(json.dumps(dict(args={k: str(v) for k, v in vars(args).items()}, runs=runs),
                                               indent=1))

    runs += [run for path in args.merge for run in json.loads(path.read_text())["runs"]]
    seeds = sorted({run["seed"] for run in runs})
    print(f"\n{args.loss}, {args.epochs * args.steps_per_epoch} steps, hidden {args.hidden}, batch "
          f"{args.batch_size}, lr {args.lr}, seeds {seeds}\n")
    print("| data | model | paper: modes (10 trials) | here: modes | here: high-quality samples |")
    print("|---|---|---|---|---|")
    for dataset in args.datasets.split(","):
        for pac in map(int, args.pacs.split(",")):
            rows = [r for r in runs if r["dataset"] == dataset and r["pac"] == pac]
            m, se = mean_se([r["modes"] for r in rows])
            q, qse = mean_se([100 * r["high_quality"] for r in rows])
            paper = lab.PAPER_MODES.get((dataset, pac))
            paper_text = f"{paper[0]} ± {paper[1]}" if paper else "—"
            name = "GAN" if pac == 1 else f"PacGAN{pac}"
            print(f"| {dataset} | {name} | {paper_text} | {m:.1f} ± {se:.1f} | {q:.0f}% ± {qse:.0f} |")


if __name__ == "__main__":
    main()
