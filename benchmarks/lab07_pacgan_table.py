"""Lab 7's stored training runs: PacGAN's Table 1 (modes captured, mean +- standard error) beside the paper's numbers,
and the notebook's WGAN-GP runs over more seeds and steps than it can afford.

Longer than the notebook's CPU profile: more seeds and steps. Runs one configuration after another on one thread, so a
2-core machine stays usable; prints a Markdown table and keeps every run (modes and high-quality fraction per epoch)
under --entry in --out, beside the entries already there. Rerunning an entry with other seeds adds them to it. The
stored results (benchmarks/results/lab07_*.json) name the command of each entry, e.g.
    python benchmarks/lab07_pacgan_table.py --out benchmarks/results/lab07_pacgan_table.json --entry gan_5000_steps \\
        [--seeds 5 --first-seed 5]
    python benchmarks/lab07_pacgan_table.py --out benchmarks/results/lab07_wgan_gp.json \\
        --entry wgan_gp_ring_lambda1_800_steps --loss wgan-gp --datasets ring --pacs 1 --lambda-gp 1 --hidden 64 \\
        --epochs 4 --steps-per-epoch 200 --seeds 3
"""

from __future__ import annotations

import argparse
import datetime
import json
import logging
import os
import platform
import sys
import time
import warnings
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from solutions.lab07_gans import lab07_gans as lab  # noqa: E402

# What a run's numbers depend on besides the seed: an entry only gathers runs that agree on these.
SETTINGS = ("epochs", "steps_per_epoch", "batch_size", "hidden", "lr", "loss", "lambda_gp")


def mean_se(values: list[float]) -> tuple[float, float]:
    t = torch.tensor(values, dtype=torch.float64)
    return float(t.mean()), float(t.std() / len(t) ** 0.5) if len(t) > 1 else float("nan")


def table(runs: list[dict], loss: str = "gan") -> list[str]:
    """Markdown rows: modes and high-quality fraction, mean +- standard error over seeds, per data set and pac; with
    the paper's modes beside them for its loss."""
    lines = ["| data | model | paper: modes (10 trials) | here: modes | here: high-quality samples | seeds |",
             "|---|---|---|---|---|---|"]
    for dataset, pac in sorted({(r["dataset"], r["pac"]) for r in runs}, key=lambda k: (k[0] != "ring", k[1])):
        rows = [r for r in runs if r["dataset"] == dataset and r["pac"] == pac]
        m, se = mean_se([r["modes"] for r in rows])
        q, qse = mean_se([100 * r["high_quality"] for r in rows])
        paper = lab.PAPER_MODES.get((dataset, pac)) if loss == "gan" else None
        paper_text = f"{paper[0]} ± {paper[1]}" if paper else "—"
        if loss == "gan":
            name = "GAN" if pac == 1 else f"PacGAN{pac}"
        else:
            name = "WGAN-GP" if pac == 1 else f"WGAN-GP, pac {pac}"
        lines.append(f"| {dataset} | {name} | {paper_text} | {m:.1f} ± {se:.1f} | {q:.0f}% ± {qse:.0f} | {len(rows)} |")
    return lines


def seed_table(entries: dict[str, list[dict]]) -> list[str]:
    """Markdown rows, one per seed: each entry's modes and high-quality share after its last step."""
    seeds = sorted({r["seed"] for runs in entries.values() for r in runs})
    lines = ["| seed | " + " | ".join(entries) + " |", "|---" * (len(entries) + 1) + "|"]
    for seed in seeds:
        cells = []
        for runs in entries.values():
            run = next((r for r in runs if r["seed"] == seed), None)
            cells.append(f"{run['modes']}, {100 * run['high_quality']:.1f}%" if run else "—")
        lines.append(f"| {seed} | " + " | ".join(cells) + " |")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entry", default="gan_5000_steps", help="the name these runs are kept under in --out")
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--first-seed", type=int, default=0)
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--steps-per-epoch", type=int, default=500)
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--hidden", type=int, default=128)
    parser.add_argument("--lr", type=float, default=1e-3)
    parser.add_argument("--loss", choices=["gan", "wgan-gp"], default="gan")
    parser.add_argument("--lambda-gp", type=float, default=10.0, help="WGAN-GP's penalty weight")
    parser.add_argument("--datasets", default="ring,grid")
    parser.add_argument("--pacs", default="1,2,4")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--out", type=Path, default=Path("lab07_pacgan_table.json"),
                        help="a JSON file of entries; benchmarks/results/lab07_*.json to add to the stored runs")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    logging.getLogger("lightning.pytorch").setLevel(logging.ERROR)
    warnings.filterwarnings("ignore")

    data = json.loads(args.out.read_text()) if args.out.exists() else {}
    settings = {k: getattr(args, k) for k in SETTINGS}
    entry = data.get(args.entry)
    if entry is not None and entry["settings"] != settings:
        raise SystemExit(f"entry {args.entry!r} holds runs with other settings ({entry['settings']}): pick a new name")
    entry = entry or {"settings": settings, "commands": [], "runs": []}
    entry["commands"].append({
        "command": "python benchmarks/lab07_pacgan_table.py " + " ".join(sys.argv[1:]),
        "date": datetime.date.today().isoformat(),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, {args.threads} thread(s) per run",
        "load_average_at_start": round(os.getloadavg()[0], 2),
        "torch": torch.__version__,
    })
    data[args.entry] = entry
    for dataset in args.datasets.split(","):
        for pac in map(int, args.pacs.split(",")):
            for seed in range(args.first_seed, args.first_seed + args.seeds):
                start = time.monotonic()
                model = lab.train_pacgan(dataset, pac, seed, args.epochs, args.steps_per_epoch, args.batch_size,
                                         hidden=args.hidden, lr=args.lr, loss=args.loss, lambda_gp=args.lambda_gp,
                                         critic_steps=1 if args.loss == "gan" else 5)
                _, modes, quality = model.coverage[-1]
                run = dict(dataset=dataset, pac=pac, seed=seed, modes=modes, high_quality=quality,
                           seconds=round(time.monotonic() - start, 1), per_epoch=model.coverage)
                print(json.dumps(run), flush=True)
                key = (dataset, pac, seed)
                entry["runs"] = [r for r in entry["runs"] if (r["dataset"], r["pac"], r["seed"]) != key]
                entry["runs"].append(run)
                args.out.write_text(json.dumps(data, indent=1) + "\n")

    print(f"\n{args.entry}: {settings}\n")
    print("\n".join(table(entry["runs"], args.loss)))


if __name__ == "__main__":
    main()
