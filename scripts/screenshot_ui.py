"""Remake the README's screenshot of the Dagster asset graph (docs/images/asset-graph.png).

    .venv/bin/python scripts/screenshot_ui.py            # tiny sample run first (~2-3 min)
    .venv/bin/python scripts/screenshot_ui.py --no-run   # the graph only, nothing materialized

Generates the `tiny` sample data (seed 7) into a temporary folder, runs the pipeline once with
`salesops run` so the graph shows materializations and check results, starts `dagster dev` on a
free port and photographs the lineage from raw/crm_opportunity to published/salesops in headless
Chromium, with the helpers of tests/test_ui_browser.py (Debian's chromium, driven by Playwright).
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))

import test_ui_browser as ui  # noqa: E402

# wider than the test's viewport: the whole chain, raw to published, at a readable zoom
SCREENSHOT_VIEWPORT = {"width": 1900, "height": 1000}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--out", type=Path, default=REPO / "docs" / "images" / "asset-graph.png")
    p.add_argument("--no-run", action="store_true", help="don't run the pipeline first")
    p.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = p.parse_args(argv)

    chromium = ui.find_chromium()
    if chromium is None:
        print("no Chromium found: install Debian's chromium (make browser)", file=sys.stderr)
        return 2

    work = Path(tempfile.mkdtemp(prefix="salesops-screenshot-"))
    env = ui.ui_env(work)
    if not args.no_run:
        salesops = str(Path(sys.executable).with_name("salesops"))
        landing = env["SALESOPS_LANDING_DIR"]
        print(f"generating the tiny sample into {landing} and running the pipeline ...")
        subprocess.run([salesops, "generate", "--preset", "tiny", "--out", landing, "--seed", "7"],
                       check=True, env=env, cwd=REPO)
        subprocess.run([salesops, "run"], check=True, env=env, cwd=REPO)

    print("starting dagster dev ...")
    with ui.dagster_dev(work) as dev, ui.browser_page(chromium, SCREENSHOT_VIEWPORT) as page:
        ui.show_chain(page, dev.base_url)
        args.out.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(args.out))
    print(f"wrote {args.out} ({args.out.stat().st_size // 1024} KiB)")
    if args.keep:
        print(f"kept {work}")
    else:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
