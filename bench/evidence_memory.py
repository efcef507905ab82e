"""Peak memory of concurrent evidence uploads: 8 threads decode a 40 MP PNG at once.

Each measurement runs in a fresh process (peak RSS is a per-process high-water mark):
  png_bytes: size of the 40-megapixel PNG (7744 x 5164, within the 10 MB upload limit)
  baseline_rss_mb: the process after imports and reading the file, before any decode
  peak_rss_mb: the highest RSS while 8 threads run ``photo_inspect`` on it together
  peak_over_baseline_mb: the difference, the memory the 8 uploads took
  decode_slots: frames decoded at the same time (``photos.DECODE_SLOTS``)

Usage: ``python bench/evidence_memory.py`` (``--uploads N``, ``--slots N`` to compare).
"""

import argparse
import resource
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
WIDTH, HEIGHT = 7744, 5164  # 39.99 MP, just under the 40 MP limit


def png_make(path: Path) -> None:
    """A 40 MP photo-like PNG that compresses well (bands and a grid, not noise)."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (WIDTH, HEIGHT), (90, 140, 60))
    draw = ImageDraw.Draw(image)
    for y in range(0, HEIGHT, 64):
        draw.rectangle((0, y, WIDTH, y + 31), fill=(200, 180 - y % 97, 120))
    for x in range(0, WIDTH, 128):
        draw.line((x, 0, x, HEIGHT), fill=(20, 20, 20), width=3)
    image.save(path, "PNG", optimize=False, compress_level=6)


def rss_mb() -> float:
    # ru_maxrss is in kilobytes on Linux.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure(path: Path, uploads: int, slots: int | None) -> dict[str, float]:
    """Run ``uploads`` concurrent inspections in this process and report its peak RSS."""
    from gotong.transparency import photos

    if slots is not None:
        photos.DECODE_SLOTS = slots
        photos._decode_slots = threading.BoundedSemaphore(slots)
    raw = path.read_bytes()
    baseline = rss_mb()
    start = threading.Barrier(uploads)
    errors: list[BaseException] = []

    def upload() -> None:
        start.wait()
        try:
            photos.photo_inspect(raw, max_side=1280, max_pixels=40_000_000)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=upload) for _ in range(uploads)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
    peak = rss_mb()
    return {
        "png_bytes": len(raw),
        "uploads": uploads,
        "decode_slots": photos.DECODE_SLOTS,
        "baseline_rss_mb": round(baseline, 1),
        "peak_rss_mb": round(peak, 1),
        "peak_over_baseline_mb": round(peak - baseline, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--uploads", type=int, default=8)
    parser.add_argument("--slots", type=int, default=None)
    parser.add_argument("--png", type=Path, default=None, help="measure this file (child)")
    parser.add_argument("--make", type=Path, default=None, help="write the PNG here (child)")
    args = parser.parse_args()
    if args.png is not None:
        for name, value in measure(args.png, args.uploads, args.slots).items():
            print(f"{name}: {value}")
        return
    if args.make is not None:
        png_make(args.make)
        return
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "40mp.png"
        # Each step in a fresh process: making the PNG must not raise the measured peak.
        subprocess.run([sys.executable, __file__, "--make", str(path)], check=True)  # noqa: S603
        command = [sys.executable, __file__, "--png", str(path), "--uploads", str(args.uploads)]
        if args.slots is not None:
            command += ["--slots", str(args.slots)]
        subprocess.run(command, check=True)  # noqa: S603


if __name__ == "__main__":
    main()
