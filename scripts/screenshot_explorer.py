#!/usr/bin/env python
"""Regenerate docs/explorer.png: the explorer page of the README's MovieLens model.

The model is the README's main job (bundled MovieLens, ``MOVIELENS_DEFAULTS``, seed 0);
the page is written with the defaults (``method="auto"``: t-SNE; genres coloured by
the one nearest each movie), opened in headless Chromium at 1200 x 720, "Toy Story"
searched, and the window saved as a PNG.

Needs Debian's chromium (/usr/bin/chromium) and ``pip install playwright``.

    python scripts/screenshot_explorer.py [--out docs/explorer.png]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=REPO / "docs" / "explorer.png")
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    args = parser.parse_args(argv)
    from playwright.sync_api import sync_playwright

    from n2v_lite.movielens import fit_movielens

    emb = fit_movielens(random_state=0, progress=False)
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as manager:
        page_path = emb.explore(Path(tmp) / "movies.html", title="movies.n2v")
        browser = manager.chromium.launch(executable_path=args.chromium, args=ARGS)
        page = browser.new_page(viewport={"width": 1200, "height": 720})
        page.goto(page_path.as_uri())
        page.wait_for_selector("body[data-ready='1']")
        page.fill("#search", "Toy Story")
        page.press("#search", "Enter")
        page.screenshot(path=str(args.out))
        browser.close()
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
