"""The landing files of a preset: generated once into the cache (by a stamp), and drop folders
linked into a run's landing folder (hard links, never copies)."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

from bench.common import ROOT, log, now_iso
from salesops.ingest.drops import complete_drops

GENERATOR_DIR = ROOT / "salesops" / "generator"


def generator_hash() -> str:
    h = hashlib.sha256()
    for p in sorted(GENERATOR_DIR.glob("*.py")):
        h.update(p.name.encode() + b"\0" + p.read_bytes() + b"\0")
    return h.hexdigest()


def ensure_landing(cache: Path, preset: str, seed: int) -> dict:
    """<cache>/<preset>/landing, generated once; returns the stamp (with the generator's
    summary). Regenerated only when the stamp's preset, seed or generator hash differ."""
    pdir = cache / preset
    landing, stamp_file = pdir / "landing", pdir / "stamp.json"
    want = {"preset": preset, "seed": seed, "generator_sha256": generator_hash()}
    if stamp_file.is_file() and landing.is_dir():
        stamp = json.loads(stamp_file.read_text())
        if all(stamp.get(k) == v for k, v in want.items()):
            log(f"{preset}: landing files cached in {landing} (seed {seed})")
            return stamp
        log(f"{preset}: the cached landing files are stale ({stamp_file}): regenerating")
    pdir.mkdir(parents=True, exist_ok=True)
    stamp_file.unlink(missing_ok=True)  # written last: an interrupted generation starts again
    tmp = pdir / "landing.tmp"
    for old in (tmp, landing):
        if old.exists():
            shutil.rmtree(old)
    summary_file = pdir / "generate_summary.json"
    log(f"{preset}: generating the landing files (seed {seed}) into {landing} ...")
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-m", "bench.run_bench", "_generate", preset, str(tmp),
                    str(seed), str(summary_file)], cwd=ROOT, check=True)
    tmp.rename(landing)
    stamp = {**want, "generated_at": now_iso(),
             "generate_s": round(time.perf_counter() - t0, 1),
             "summary": json.loads(summary_file.read_text())}
    stamp_file.write_text(json.dumps(stamp, indent=2, default=str))
    summary_file.unlink()
    return stamp


def generate_worker(preset: str, out: str, seed: str, summary_file: str) -> int:
    from salesops.generator import generate

    summary = generate(preset, Path(out), seed=int(seed))
    Path(summary_file).write_text(json.dumps(summary, default=str))
    return 0


def drop_folders(landing: Path) -> dict[str, list[Path]]:
    """Complete drop folders by date (YYYY-MM-DD -> [<landing>/<system>/<date>, ...]), by the
    ingestion's own rule for complete drops."""
    out: dict[str, list[Path]] = defaultdict(list)
    for drop in complete_drops(landing):
        out[drop.date.isoformat()].append(drop.path)
    return dict(sorted(out.items()))


def link_drop(folder: Path, landing: Path) -> None:
    """The drop folder under landing/<system>/<date>, its files hard-linked (symlinked across
    file systems): no copies."""
    dest = landing / folder.parent.name / folder.name
    dest.mkdir(parents=True)
    for f in folder.iterdir():
        if f.is_file():
            try:
                os.link(f, dest / f.name)
            except OSError:
                (dest / f.name).symlink_to(f.resolve())
    # _SUCCESS last, as a real delivery does
    marker = dest / "_SUCCESS"
    if not marker.exists():
        marker.touch()
