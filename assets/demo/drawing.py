"""Pictures for the demo mall, drawn by code with Pillow: promotion posters, store logos and
(for review only) plan previews of every level with its path graph.

Posters are drawn at twice their size and scaled down, which smooths the edges of shapes and
text. Chinese text needs a CJK font (Debian's fonts-noto-cjk, Simplified-Chinese face); without
it the posters still come out, with their English lines only.
"""
from __future__ import annotations

import math
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

POSTER_SIZE = (1920, 1080)
SCALE = 2  # draw at 2x, then downsample
FONT_CANDIDATES = [
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc", 2),   # face 2 = SC
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 2),
    ("/usr/share/fonts/truetype/noto/NotoSansCJK-Bold.ttc", 2),
]
_font_cache: dict[int, ImageFont.FreeTypeFont | ImageFont.ImageFont] = {}


def cjk_font_available() -> bool:
    return _font_source() is not None


def _font_source() -> tuple[str, int] | None:
    for path, index in FONT_CANDIDATES:
        if Path(path).exists():
            return path, index
    return None


def font(size: int):
    """The bold Simplified-Chinese face at `size` px, or Pillow's default font."""
    if size not in _font_cache:
        source = _font_source()
        if source is not None:
            _font_cache[size] = ImageFont.truetype(source[0], size, index=source[1])
        else:
            _font_cache[size] = ImageFont.load_default(size)
    return _font_cache[size]


def has_cjk(text: str) -> bool:
    return any("\u2e80" <= ch <= "\u9fff" or "\uff00" <= ch <= "\uffef" for ch in text)


def drawable(text: str) -> str:
    """The text, or "" when it needs CJK glyphs that no installed font has."""
    return text if cjk_font_available() or not has_cjk(text) else ""


def hex_rgb(colour: str) -> tuple[int, int, int]:
    colour = colour.lstrip("#")
    return tuple(int(colour[i:i + 2], 16) for i in (0, 2, 4))


def luminance(rgb: tuple[int, int, int]) -> float:
    def channel(c: int) -> float:
        c = c / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = (channel(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: tuple[int, int, int], b: tuple[int, int, int]) -> float:
    """WCAG contrast ratio of two colours."""
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def readable_ink(backgrounds: list[tuple], candidates: list[tuple], wanted: float = 4.5) -> tuple:
    """The first candidate with at least `wanted` contrast on every background, else the best."""
    def worst(ink: tuple) -> float:
        return min(contrast(ink, background) for background in backgrounds)
    for ink in candidates:
        if worst(ink) >= wanted:
            return ink
    return max(candidates, key=worst)


def mix(a: tuple[int, int, int], b: tuple[int, int, int], t: float) -> tuple[int, int, int]:
    return tuple(round(x + (y - x) * t) for x, y in zip(a, b, strict=True))


def vertical_gradient(size: tuple[int, int], top: tuple, bottom: tuple) -> Image.Image:
    width, height = size
    column = Image.new("RGB", (1, height))
    column.putdata([mix(top, bottom, y / (height - 1)) for y in range(height)])
    return column.resize(size, Image.Resampling.NEAREST)


def fit_font(draw: ImageDraw.ImageDraw, text: str, max_width: int, start: int, minimum: int):
    size = start
    while size > minimum and draw.textlength(text, font=font(size)) > max_width:
        size -= 4
    return font(size)


# ---------------------------------------------------------------- promotion posters
def draw_promotion(spec, path: Path, mall_zh: str, mall_en: str) -> None:
    """A 1920x1080 poster: gradient, shapes, a motif, the headline in Chinese and English."""
    w, h = POSTER_SIZE[0] * SCALE, POSTER_SIZE[1] * SCALE
    top, bottom, accent = (hex_rgb(c) for c in spec.palette)
    image = vertical_gradient((w, h), top, bottom)
    dark_background = luminance(mix(top, bottom, 0.5)) < 0.3
    ink = readable_ink([top, bottom], [mix(accent, (15, 15, 25), 0.35), (255, 255, 255),
                                       mix(bottom, (0, 0, 0), 0.75), (20, 20, 30)])
    soft = (255, 255, 255, 40) if dark_background else (255, 255, 255, 90)

    overlay = Image.new("RGBA", (w, h), (0, 0, 0, 0))
    od = ImageDraw.Draw(overlay)
    # Big soft circles behind the motif, a band along the bottom.
    od.ellipse(_box(2900, 1080, 1150), fill=soft)
    od.ellipse(_box(3500, 200, 520), fill=soft)
    od.ellipse(_box(180, 2050, 420), fill=soft)
    od.polygon([(0, h - 260), (w, h - 520), (w, h), (0, h)], fill=(*accent, 255))
    image = Image.alpha_composite(image.convert("RGBA"), overlay)

    motif = Image.new("RGBA", (w, h), (0, 0, 0, 0))
    MOTIFS[spec.motif](ImageDraw.Draw(motif), (2900, 980), 560, accent, dark_background, motif)
    image = Image.alpha_composite(image, motif)

    draw = ImageDraw.Draw(image)
    left = 200
    headline = drawable(spec.headline_zh)
    y = 300
    if headline:
        f = fit_font(draw, headline, 1900, 330, 160)
        draw.text((left, y), headline, font=f, fill=ink)
        y += f.size + 120
    f = fit_font(draw, spec.headline_en, 1900, 150 if headline else 230, 80)
    draw.text((left, y), spec.headline_en, font=f, fill=ink)
    y += f.size + 110
    tagline = drawable(spec.tagline) or spec.tagline.split("·")[-1].strip()
    f = fit_font(draw, tagline, 2000, 84, 48)
    pad = 44
    width = draw.textlength(tagline, font=f)
    pill_fill = accent if not dark_background else mix(accent, (255, 255, 255), 0.1)
    draw.rounded_rectangle((left - pad, y - 26, left + width + pad, y + f.size + 46),
                           radius=(f.size + 72) // 2, fill=pill_fill)
    tag_ink = readable_ink([pill_fill], [(255, 255, 255), (25, 25, 35)])
    draw.text((left, y), tagline, font=f, fill=tag_ink)

    footer = drawable(f"{mall_zh}  ·  {mall_en}") or mall_en
    f = font(68)
    footer_ink = readable_ink([accent], [(255, 255, 255), (25, 25, 35)])
    draw.text((left, h - 190), footer, font=f, fill=footer_ink)

    final = image.convert("RGB").resize(POSTER_SIZE, Image.Resampling.LANCZOS)
    _save(final, path)


def _box(cx: float, cy: float, r: float) -> tuple[float, float, float, float]:
    return (cx - r, cy - r, cx + r, cy + r)


def _save(image: Image.Image, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix.lower() in (".jpg", ".jpeg"):
        image.save(path, "JPEG", quality=90, optimize=True, progressive=True, subsampling=0)
    else:
        image.save(path, "PNG", optimize=True)


def _motif_coffee(d, c, r, accent, dark, canvas):
    cx, cy = c
    white = (255, 255, 255, 255)
    brown = (*accent, 255)
    d.ellipse((cx - r * 0.95, cy + r * 0.38, cx + r * 0.95, cy + r * 0.78), fill=white)  # saucer
    d.ellipse((cx - r * 0.7, cy + r * 0.42, cx + r * 0.7, cy + r * 0.66), fill=(*accent, 60))
    d.rounded_rectangle((cx - r * 0.6, cy - r * 0.35, cx + r * 0.6, cy + r * 0.55), radius=r * 0.28, fill=white)
    d.ellipse((cx + r * 0.42, cy - r * 0.18, cx + r * 0.92, cy + r * 0.32), outline=white, width=int(r * 0.12))
    d.ellipse((cx - r * 0.6, cy - r * 0.5, cx + r * 0.6, cy - r * 0.2), fill=white)
    d.ellipse((cx - r * 0.52, cy - r * 0.46, cx + r * 0.52, cy - r * 0.24), fill=brown)
    d.ellipse((cx - r * 0.2, cy - r * 0.4, cx + r * 0.2, cy - r * 0.3), fill=(255, 240, 225, 255))  # latte art
    for k, dx in enumerate((-0.28, 0.0, 0.28)):
        x0 = cx + r * dx
        points = [(x0 + math.sin(t / 6 + k) * r * 0.07, cy - r * 0.62 - t * r * 0.022) for t in range(0, 24)]
        d.line(points, fill=(255, 255, 255, 200), width=int(r * 0.06), joint="curve")


def _motif_balloons(d, c, r, accent, dark, canvas):
    cx, cy = c
    colours = [(*accent, 255), (255, 213, 79, 255), (236, 64, 122, 255), (66, 165, 245, 255)]
    spots = [(-0.55, -0.35, 0.42), (0.1, -0.6, 0.48), (0.62, -0.2, 0.4), (-0.05, 0.05, 0.36)]
    for (dx, dy, size), colour in zip(spots, colours, strict=True):
        bx, by = cx + dx * r, cy + dy * r
        d.line([(bx, by + size * r * 1.15), (cx + dx * r * 0.2, cy + r * 1.0)], fill=(90, 90, 90, 255), width=6)
        d.ellipse((bx - size * r * 0.85, by - size * r, bx + size * r * 0.85, by + size * r * 1.1), fill=colour)
        d.polygon([(bx, by + size * r * 1.05), (bx - 22, by + size * r * 1.2), (bx + 22, by + size * r * 1.2)],
                  fill=colour)
        d.ellipse((bx - size * r * 0.5, by - size * r * 0.7, bx - size * r * 0.22, by - size * r * 0.3),
                  fill=(255, 255, 255, 110))


def _motif_dining(d, c, r, accent, dark, canvas):
    cx, cy = c
    d.ellipse(_box(cx, cy, r * 0.82), fill=(255, 255, 255, 245))
    d.ellipse(_box(cx, cy, r * 0.62), fill=(240, 236, 250, 255))
    d.ellipse(_box(cx, cy, r * 0.6), outline=(*accent, 255), width=10)
    fork_x, knife_x = cx - r * 1.05, cx + r * 1.05
    d.rounded_rectangle((fork_x - 22, cy - r * 0.2, fork_x + 22, cy + r * 0.85), radius=20, fill=(255, 255, 255, 255))
    for k in (-1.5, -0.5, 0.5, 1.5):
        d.rounded_rectangle((fork_x + k * 30 - 9, cy - r * 0.75, fork_x + k * 30 + 9, cy - r * 0.25), radius=8,
                            fill=(255, 255, 255, 255))
    d.rounded_rectangle((fork_x - 60, cy - r * 0.32, fork_x + 60, cy - r * 0.18), radius=20, fill=(255, 255, 255, 255))
    d.rounded_rectangle((knife_x - 22, cy - r * 0.1, knife_x + 22, cy + r * 0.85), radius=20, fill=(255, 255, 255, 255))
    d.pieslice((knife_x - 60, cy - r * 0.8, knife_x + 60, cy), 180, 360, fill=(255, 255, 255, 255))
    d.rectangle((knife_x - 60, cy - r * 0.4, knife_x + 22, cy - r * 0.05), fill=(255, 255, 255, 255))
    for angle in range(0, 360, 45):  # a little garnish
        x = cx + math.cos(math.radians(angle)) * r * 0.3
        y = cy + math.sin(math.radians(angle)) * r * 0.3
        d.ellipse(_box(x, y, r * 0.09), fill=(*accent, 255))
    d.ellipse(_box(cx, cy, r * 0.16), fill=(229, 57, 53, 255))


def _leaf(d, cx, cy, length, width, angle, colour):
    points = []
    for k in range(0, 41):
        t = k / 40
        half = math.sin(math.pi * t) * width / 2
        points.append((t * length, half))
    points += [(t, -y) for t, y in reversed(points)]
    a = math.radians(angle)
    d.polygon([(cx + x * math.cos(a) - y * math.sin(a), cy + x * math.sin(a) + y * math.cos(a)) for x, y in points],
              fill=colour)
    d.line([(cx, cy), (cx + length * 0.9 * math.cos(a), cy + length * 0.9 * math.sin(a))],
           fill=(255, 255, 255, 120), width=6)


def _motif_leaves(d, c, r, accent, dark, canvas):
    """Greens, a carrot and tomatoes: the fresh-food motif."""
    cx, cy = c
    greens = [(*accent, 255), (67, 160, 71, 255), (124, 179, 66, 255)]
    for k, angle in enumerate((-150, -110, -70, -30)):
        _leaf(d, cx - r * 0.1, cy + r * 0.1, r * 0.9, r * 0.34, angle, greens[k % len(greens)])
    carrot = [(cx + r * 0.15, cy - r * 0.25), (cx + r * 0.55, cy - r * 0.05), (cx - r * 0.35, cy + r * 0.85)]
    d.polygon(carrot, fill=(251, 140, 0, 255))
    for k in range(4):
        t = 0.25 + k * 0.17
        x0 = carrot[0][0] + (carrot[2][0] - carrot[0][0]) * t
        y0 = carrot[0][1] + (carrot[2][1] - carrot[0][1]) * t
        d.line([(x0 + r * 0.04, y0), (x0 + r * 0.16, y0 + r * 0.05)], fill=(230, 110, 0, 255), width=10)
    for angle in (-80, -55, -30):
        _leaf(d, cx + r * 0.36, cy - r * 0.16, r * 0.42, r * 0.14, angle, (46, 125, 50, 255))
    for dx, dy, size in ((0.62, 0.45, 0.28), (0.15, 0.62, 0.22)):
        x, y = cx + dx * r, cy + dy * r
        d.ellipse(_box(x, y, size * r), fill=(229, 57, 53, 255))
        d.polygon(_star(x, y - size * r * 0.85, size * r * 0.35, size * r * 0.12), fill=(46, 125, 50, 255))
        d.ellipse(_box(x - size * r * 0.4, y - size * r * 0.3, size * r * 0.18), fill=(255, 255, 255, 100))


def _motif_film(d, c, r, accent, dark, canvas):
    cx, cy = c
    strip = Image.new("RGBA", (int(r * 2.0), int(r * 0.8)), (0, 0, 0, 0))
    sd = ImageDraw.Draw(strip)
    sw, sh = strip.size
    sd.rounded_rectangle((0, 0, sw, sh), radius=30, fill=(30, 30, 40, 255))
    for x in range(30, sw - 30, 70):
        sd.rounded_rectangle((x, 18, x + 36, 58), radius=8, fill=(255, 255, 255, 230))
        sd.rounded_rectangle((x, sh - 58, x + 36, sh - 18), radius=8, fill=(255, 255, 255, 230))
    for k in range(3):
        x0 = 40 + k * (sw - 80) / 3
        sd.rectangle((x0 + 12, 80, x0 + (sw - 80) / 3 - 12, sh - 80), fill=(*accent, 255))
    rotated = strip.rotate(-14, resample=Image.Resampling.BICUBIC, expand=True)
    canvas.alpha_composite(rotated, (int(cx + r * 0.15 - rotated.width / 2), int(cy - rotated.height / 2 - r * 0.25)))
    d.ellipse(_box(cx + r * 0.1, cy + r * 0.55, r * 0.42), fill=(255, 255, 255, 245))
    d.polygon([(cx - r * 0.02, cy + r * 0.35), (cx - r * 0.02, cy + r * 0.75), (cx + r * 0.32, cy + r * 0.55)],
              fill=(*accent, 255))


def _star(cx, cy, outer, inner, points=5, rotation=-90):
    vertices = []
    for k in range(points * 2):
        radius = outer if k % 2 == 0 else inner
        angle = math.radians(rotation + k * 180 / points)
        vertices.append((cx + radius * math.cos(angle), cy + radius * math.sin(angle)))
    return vertices


def _motif_stars(d, c, r, accent, dark, canvas):
    cx, cy = c
    d.ellipse(_box(cx, cy, r * 0.8), fill=(*accent, 255))
    d.polygon(_star(cx, cy + r * 0.04, r * 0.72, r * 0.34), fill=(255, 236, 130, 255))
    for dx, dy, size in ((-0.95, -0.7, 0.2), (0.95, -0.55, 0.16), (0.85, 0.8, 0.24), (-0.9, 0.75, 0.13)):
        d.polygon(_star(cx + dx * r, cy + dy * r, size * r, size * r * 0.42), fill=(255, 255, 255, 235))
    d.ellipse(_box(cx, cy + r * 0.08, r * 0.19), fill=(*accent, 255))
    f = font(int(r * 0.2))
    d.text((cx, cy + r * 0.08), "×2", font=f, fill=(255, 236, 130, 255), anchor="mm")


def _motif_stripes(d, c, r, accent, dark, canvas):
    cx, cy = c
    for k in range(6):
        y = cy - r * 0.9 + k * r * 0.32
        d.polygon([(cx - r * 1.6 + k * 40, y), (cx - r * 0.2, y - 40), (cx - r * 0.2, y + 10),
                   (cx - r * 1.6 + k * 40, y + 30)], fill=(255, 255, 255, 110 + k * 15))
    d.ellipse(_box(cx + r * 0.25, cy, r * 0.7), fill=(255, 255, 255, 255))
    d.arc(_box(cx + r * 0.25 - r * 0.9, cy, r * 0.7), -40, 40, fill=(*accent, 255), width=22)
    d.arc(_box(cx + r * 0.25 + r * 0.9, cy, r * 0.7), 140, 220, fill=(*accent, 255), width=22)
    d.line([(cx + r * 0.25, cy - r * 0.7), (cx + r * 0.25, cy + r * 0.7)], fill=(*accent, 255), width=22)
    d.line([(cx - r * 0.45, cy), (cx + r * 0.95, cy)], fill=(*accent, 255), width=22)


def _motif_sparkles(d, c, r, accent, dark, canvas):
    cx, cy = c
    # a lipstick: case, sleeve, slanted bullet
    d.rounded_rectangle((cx - r * 0.22, cy + r * 0.05, cx + r * 0.22, cy + r * 0.95), radius=24,
                        fill=(40, 30, 40, 255))
    d.rectangle((cx - r * 0.2, cy - r * 0.15, cx + r * 0.2, cy + r * 0.08), fill=(212, 175, 55, 255))
    d.polygon([(cx - r * 0.15, cy - r * 0.15), (cx + r * 0.15, cy - r * 0.15), (cx + r * 0.15, cy - r * 0.55),
               (cx - r * 0.15, cy - r * 0.38)], fill=(*accent, 255))
    for dx, dy, size in ((-0.75, -0.55, 0.3), (0.7, -0.75, 0.22), (0.75, 0.35, 0.34), (-0.7, 0.55, 0.18)):
        d.polygon(_star(cx + dx * r, cy + dy * r, size * r, size * r * 0.22, points=4), fill=(255, 255, 255, 240))


MOTIFS = {
    "coffee": _motif_coffee, "balloons": _motif_balloons, "dining": _motif_dining,
    "leaves": _motif_leaves, "film": _motif_film, "stars": _motif_stars,
    "stripes": _motif_stripes, "sparkles": _motif_sparkles,
}


# ---------------------------------------------------------------- store logos
def draw_logo(spec, path: Path, size: int = 256) -> None:
    """A rounded square in the brand colour with the store's first two characters."""
    big = size * SCALE
    colour = hex_rgb(spec.logo)
    tile = Image.new("RGBA", (big, big), (*colour, 255))
    ImageDraw.Draw(tile).ellipse((big * 0.62, -big * 0.2, big * 1.2, big * 0.38),
                                 fill=mix(colour, (255, 255, 255), 0.16))
    mask = Image.new("L", (big, big), 0)
    ImageDraw.Draw(mask).rounded_rectangle((0, 0, big - 1, big - 1), radius=big // 5, fill=255)
    image = Image.new("RGBA", (big, big), (0, 0, 0, 0))
    image.paste(tile, (0, 0), mask)
    draw = ImageDraw.Draw(image)
    mark = drawable(spec.zh[:2]) or "".join(word[0] for word in spec.en.split()[:2]).upper()
    f = fit_font(draw, mark, int(big * 0.8), int(big * 0.4), 40)
    draw.text((big / 2, big * 0.44), mark, font=f, fill=(255, 255, 255, 255), anchor="mm")
    words = spec.en.upper()
    f = fit_font(draw, words, int(big * 0.84), int(big * 0.085), 16)
    draw.text((big / 2, big * 0.8), words, font=f, fill=(255, 255, 255, 230), anchor="mm")
    image.resize((size, size), Image.Resampling.LANCZOS).save(path, "PNG", optimize=True)


# ---------------------------------------------------------------- plan previews (for review)
PREVIEW_FILL = {
    "outline": (236, 236, 240), "corridor": (250, 250, 252), "atrium": (225, 240, 250),
    "void": (205, 215, 230), "unit": (255, 244, 214), "facility": (214, 234, 248),
    "landmark": (120, 200, 160),
}
EDGE_COLOUR = {"walk": (160, 160, 170), "ramp": (0, 150, 0), "stairs": (200, 120, 0),
               "escalator": (220, 0, 120), "lift": (0, 90, 220)}


def draw_plan_previews(content, out_dir: Path, px_per_m: int = 9) -> list[Path]:
    """One PNG per level: shapes, labels, the path graph and the kiosk points."""
    out_dir.mkdir(parents=True, exist_ok=True)
    nodes = {n.id: n for n in content.graph.nodes}
    written = []
    for level in content.levels:
        w, h = int(level.width_m * px_per_m), int(level.height_m * px_per_m)
        image = Image.new("RGB", (w, h), (255, 255, 255))
        draw = ImageDraw.Draw(image)

        def xy(x: float, y: float, h: int = h) -> tuple[float, float]:  # this level's height
            return x * px_per_m, h - y * px_per_m

        for shape in level.plan:
            draw.polygon([xy(*p) for p in shape.polygon], fill=PREVIEW_FILL[shape.kind], outline=(120, 120, 130))
        for edge in content.graph.edges:
            a, b = nodes[edge.a], nodes[edge.b]
            if a.level_id == level.id and b.level_id == level.id:
                draw.line([xy(a.x, a.y), xy(b.x, b.y)], fill=EDGE_COLOUR[edge.kind], width=2)
            elif level.id in (a.level_id, b.level_id):
                here = a if a.level_id == level.id else b
                px, py = xy(here.x, here.y)
                draw.ellipse((px - 5, py - 5, px + 5, py + 5), outline=EDGE_COLOUR[edge.kind], width=2)
        for node in nodes.values():
            if node.level_id == level.id:
                px, py = xy(node.x, node.y)
                colour = (200, 0, 0) if node.landmark else (90, 90, 100)
                draw.ellipse((px - 2, py - 2, px + 2, py + 2), fill=colour)
        small = font(11)
        for shape in level.plan:
            if shape.label and shape.kind in ("unit", "facility", "landmark"):
                xs = [p[0] for p in shape.polygon]
                ys = [p[1] for p in shape.polygon]
                cx, cy = xy((min(xs) + max(xs)) / 2, (min(ys) + max(ys)) / 2)
                draw.text((cx, cy), drawable(shape.label.zh_CN) or shape.label.en, font=small,
                          fill=(40, 40, 50), anchor="mm")
        for kiosk in content.kiosks:
            if kiosk.level_id == level.id:
                node = nodes[kiosk.node_id]
                px, py = xy(node.x, node.y)
                draw.rectangle((px - 6, py - 6, px + 6, py + 6), fill=(255, 0, 0))
                angle = math.radians(kiosk.heading_deg)
                draw.line([(px, py), (px + 30 * math.sin(angle), py - 30 * math.cos(angle))], fill=(255, 0, 0), width=3)
        path = out_dir / f"plan-{level.id}.png"
        image.save(path)
        written.append(path)
    return written
