"""Demo pictures drawn as SVG, one set per hotel and one per room type, so every demo page has
its own images with no download and no licence to track. ``write_demo_art(static_dir)``
(re)writes them; the files are committed under static/img/, and ``seed_demo`` points at them.

Each hotel's scenes vary with a hash of its slug (palette, storeys, windows, palms), so two
hotels never look the same; the art is generated, never fetched.
"""
import hashlib
from pathlib import Path

WIDTH, HEIGHT = 800, 480
PALETTES = (  # sky top, sky bottom, building, accent, water
    ("#fde68a", "#fff7ed", "#0f766e", "#f97316", "#38bdf8"),
    ("#bae6fd", "#f0f9ff", "#1e3a8a", "#f59e0b", "#0ea5e9"),
    ("#fecdd3", "#fff1f2", "#7c2d12", "#db2777", "#22d3ee"),
    ("#ddd6fe", "#f5f3ff", "#3f3f46", "#a855f7", "#2dd4bf"),
    ("#bbf7d0", "#f0fdf4", "#14532d", "#ea580c", "#06b6d4"),
    ("#fed7aa", "#fffbeb", "#831843", "#0d9488", "#60a5fa"),
)
HOTEL_SCENES = ("exterior", "pool", "room")


def _seed(text: str) -> int:
    return int(hashlib.sha256(text.encode()).hexdigest()[:12], 16)


def _frame(palette, body: str, label: str) -> str:
    top, bottom = palette[0], palette[1]
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" '
            f'height="{HEIGHT}" role="img" aria-label="{label}">'
            f'<defs><linearGradient id="sky" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="{top}"/>'
            f'<stop offset="1" stop-color="{bottom}"/></linearGradient></defs>'
            f'<rect width="{WIDTH}" height="{HEIGHT}" fill="url(#sky)"/>{body}</svg>\n')


def _palm(x: int, ground: int, height: int, colour: str) -> str:
    top = ground - height
    leaves = "".join(f'<ellipse cx="{x + dx}" cy="{top + dy}" rx="46" ry="12" fill="{colour}" '
                     f'transform="rotate({angle} {x + dx} {top + dy})"/>'
                     for dx, dy, angle in ((-30, 6, 25), (30, 6, -25), (-22, -8, -20), (22, -8, 20)))
    return (f'<path d="M{x} {ground} q12 -{height // 2} -4 -{height}" stroke="#92400e" stroke-width="9" '
            f'fill="none" stroke-linecap="round"/>{leaves}')


def _exterior(seed: int, palette) -> str:
    _top, _bottom, building, accent, water = palette
    storeys, columns = 2 + seed % 4, 3 + (seed >> 3) % 4
    width, storey = 90 * columns + 40, 62
    left, ground = (WIDTH - width) // 2, 400
    top = ground - storeys * storey
    windows = "".join(
        f'<rect x="{left + 30 + c * 90}" y="{top + 18 + s * storey}" width="54" height="36" rx="4" fill="#fef3c7"/>'
        for s in range(storeys) for c in range(columns))
    door = f'<rect x="{left + width // 2 - 28}" y="{ground - 70}" width="56" height="70" rx="4" fill="{accent}"/>'
    roof = f'<polygon points="{left - 24},{top + 4} {left + width // 2},{top - 70} {left + width + 24},{top + 4}" fill="{accent}"/>'
    sun = f'<circle cx="{120 + seed % 560}" cy="{70 + (seed >> 5) % 40}" r="40" fill="{accent}" opacity=".55"/>'
    palms = _palm(left - 60, ground, 150, "#15803d") + _palm(left + width + 60, ground, 130, "#15803d")
    return (sun + f'<rect y="{ground}" width="{WIDTH}" height="{HEIGHT - ground}" fill="{water}" opacity=".35"/>'
            + roof + f'<rect x="{left}" y="{top}" width="{width}" height="{ground - top}" rx="8" fill="{building}"/>'
            + windows + door + palms)


def _pool(seed: int, palette) -> str:
    _top, _bottom, building, accent, water = palette
    loungers = "".join(
        f'<g transform="translate({90 + i * 150} {330})"><rect width="110" height="18" rx="6" fill="#fff"/>'
        f'<rect x="70" y="-22" width="40" height="26" rx="6" fill="#fff" transform="rotate(-18 90 -9)"/>'
        f'<circle cx="55" cy="-70" r="42" fill="{accent}" opacity=".85"/><rect x="53" y="-70" width="4" height="80" fill="#78350f"/></g>'
        for i in range(3 + seed % 2))
    ripples = "".join(f'<path d="M{80 + i * 130} {420 + (i % 2) * 18} q30 -12 60 0" stroke="#fff" stroke-width="4" '
                      f'fill="none" opacity=".7"/>' for i in range(5))
    return (f'<rect y="150" width="{WIDTH}" height="90" fill="{building}" opacity=".85"/>'
            + "".join(f'<rect x="{40 + i * 120}" y="172" width="70" height="40" rx="4" fill="#fef3c7"/>' for i in range(7))
            + f'<rect y="240" width="{WIDTH}" height="140" fill="#fde7d3"/>' + loungers
            + f'<rect y="380" width="{WIDTH}" height="100" fill="{water}"/>' + ripples
            + _palm(730, 380, 190, "#15803d"))


def _room(seed: int, palette, *, beds: int = 1, sofa: bool = False, wide: bool = False) -> str:
    _top, _bottom, building, accent, water = palette
    wall = f'<rect width="{WIDTH}" height="330" fill="#fdf6ec"/><rect y="330" width="{WIDTH}" height="150" fill="#d6b48c"/>'
    window = (f'<rect x="480" y="60" width="{260 if wide else 220}" height="170" rx="8" fill="{water}" opacity=".55"/>'
              f'<rect x="480" y="60" width="{260 if wide else 220}" height="170" rx="8" fill="none" stroke="#fff" stroke-width="10"/>')
    art = f'<rect x="110" y="70" width="150" height="90" rx="4" fill="{accent}" opacity=".75"/>'
    bed_parts = []
    for i in range(beds):
        x = 60 + i * 230
        bed_parts.append(
            f'<rect x="{x}" y="250" width="{200 if beds > 1 else 330}" height="110" rx="14" fill="#fff"/>'
            f'<rect x="{x}" y="300" width="{200 if beds > 1 else 330}" height="60" rx="10" fill="{building}" opacity=".85"/>'
            f'<rect x="{x + 18}" y="262" width="70" height="34" rx="10" fill="#f8fafc" stroke="#e2e8f0"/>'
            f'<rect x="{x - 10}" y="200" width="20" height="170" rx="6" fill="#92400e"/>')
    sofa_part = (f'<rect x="560" y="300" width="190" height="70" rx="18" fill="{accent}"/>'
                 f'<rect x="560" y="280" width="190" height="36" rx="14" fill="{accent}" opacity=".8"/>') if sofa else ""
    lamp = f'<rect x="{430 if beds == 1 else 500}" y="300" width="40" height="60" rx="6" fill="#92400e"/><circle cx="{450 if beds == 1 else 520}" cy="285" r="22" fill="#fde68a"/>'
    return wall + window + art + "".join(bed_parts) + sofa_part + lamp


def hotel_svg(slug: str, name: str, scene: str) -> str:
    seed = _seed(slug)
    palette = PALETTES[seed % len(PALETTES)]
    body = {"exterior": _exterior, "pool": _pool}.get(scene, lambda s, p: _room(s, p, beds=1 + s % 2))(seed, palette)
    return _frame(palette, body, f"{name}: {scene}")


ROOM_SHAPES = {"deluxe": {"beds": 1}, "premier": {"beds": 1, "sofa": True}, "suite": {"beds": 1, "sofa": True, "wide": True}}


def room_svg(code: str, name: str) -> str:
    seed = _seed(code)
    palette = PALETTES[seed % len(PALETTES)]
    return _frame(palette, _room(seed, palette, **ROOM_SHAPES.get(code, {"beds": 2})), name)


def hotel_photo_path(slug: str, scene: str) -> str:
    return f"img/hotels/{slug}-{scene}.svg"


def room_photo_path(code: str) -> str:
    return f"img/rooms/{code}.svg"


def write_demo_art(static_dir: Path, *, hotels: list[tuple[str, str]], rooms: list[tuple[str, str]]) -> int:
    """Write every hotel's scenes and every room type's picture under ``static_dir``; the count."""
    written = 0
    for slug, name in hotels:
        for scene in HOTEL_SCENES:
            written += _write(static_dir / hotel_photo_path(slug, scene), hotel_svg(slug, name, scene))
    for code, name in rooms:
        written += _write(static_dir / room_photo_path(code), room_svg(code, name))
    return written


def _write(path: Path, text: str) -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return 1
