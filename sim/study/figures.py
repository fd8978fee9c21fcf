"""Figures fit to print: one way to save them and one check that their text is legible.

:func:`save_figure` writes a figure as PNG, SVG and PDF (fonts embedded as TrueType,
``pdf.fonttype 42``: journal preflights reject Type 3 fonts), each file written to a
temporary name and renamed. Before writing it draws the figure and runs
:func:`text_issues`: every text artist (titles, axis labels, tick labels, legend texts,
colorbar labels, annotations) is measured in the rendered figure, and any two that overlap,
or any that reaches outside the figure, is reported. Issues are printed on stderr; with
``COGOV_STRICT_FIGURES=1`` (the tests) they raise :class:`FigureLayoutError`.

Chinese in labels: the Noto Sans SC font the app ships (:mod:`sim.app.assets`, fetched at
setup with its checksum) is registered with matplotlib's font manager and follows the
default sans serif (glyph by glyph: Latin from DejaVu Sans, Chinese from Noto Sans SC); the
file named by ``COGOV_CJK_FONT`` goes first, an installed Noto/Source Han/WenQuanYi family
serves when the shipped font is absent (with a one-line warning). Without any, the Chinese
words are dropped from the labels rather than drawn as empty boxes.
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

FORMATS = ("png", "svg", "pdf")
RC = {"pdf.fonttype": 42, "ps.fonttype": 42, "svg.fonttype": "path",
      "axes.formatter.useoffset": False}
CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]")
CJK_FAMILIES = ("Noto Sans CJK", "Noto Serif CJK", "Source Han", "WenQuanYi", "Droid Sans Fallback",
                "AR PL", "SimHei", "Microsoft YaHei", "PingFang", "Heiti", "Noto Sans SC")
TOLERANCE_PX = 1.0  # texts touching by a pixel (antialiasing) are not an overlap


class FigureLayoutError(RuntimeError):
    """Text of a figure overlaps other text or is cut at the figure's edge."""


_cjk_font: str | None | bool = False  # False: not looked up yet


def shipped_font() -> Path:
    """The TrueType copy of the app's Noto Sans SC (made by ``python -m sim.app.assets``)."""
    from ..app.assets import font_file
    return font_file(400, "ttf")


def cjk_font() -> str | None:
    """The family name of a CJK-capable font matplotlib can use, or None: the file of
    ``COGOV_CJK_FONT``, else the shipped Noto Sans SC, else an installed CJK family."""
    global _cjk_font
    if _cjk_font is not False:
        return _cjk_font
    from matplotlib import font_manager
    for path in (os.environ.get("COGOV_CJK_FONT"), shipped_font()):
        if path and Path(path).is_file():
            font_manager.fontManager.addfont(str(path))
            _cjk_font = font_manager.FontProperties(fname=str(path)).get_name()
            return _cjk_font
    names = {f.name for f in font_manager.fontManager.ttflist}
    _cjk_font = next((n for n in sorted(names) if any(n.startswith(c) for c in CJK_FAMILIES)), None)
    print(f"warning: the Chinese font {shipped_font().name} is not fetched (python -m "
          f"sim.app.assets); Chinese in figures "
          + (f"drawn in {_cjk_font}" if _cjk_font else "left out of the labels"), file=sys.stderr)
    return _cjk_font


def setup() -> None:
    """rcParams for every cogov figure (TrueType in PDF/PS, a CJK fallback font if any)."""
    import matplotlib
    matplotlib.rcParams.update(RC)
    family = cjk_font()
    if family:
        # a list of families: matplotlib falls back glyph by glyph (Latin from the first)
        families = list(matplotlib.rcParams["font.family"])
        if family not in families:
            matplotlib.rcParams["font.family"] = [*families, family]


def plain(text: str) -> str:
    """``text`` without its Chinese when no CJK font is installed ('court (诉讼)' -> 'court')."""
    if not CJK.search(text) or cjk_font():
        return text
    out = CJK.sub("", text)
    out = re.sub(r"[(（]\s*[)）]", "", out)  # a parenthesis left empty
    out = re.sub(r"[ \t]{2,}", " ", out)
    return "\n".join(line.rstrip() for line in out.split("\n")).strip()


def wrap(text: str, width: int) -> str:
    """``text`` in lines of at most ``width`` characters, broken at spaces, else after dots
    and underscores (key paths such as ``committee.pushed_down_duty_items``)."""
    import textwrap
    lines = []
    for para in text.split("\n"):
        words = re.sub(r"([._])(?=\w)", r"\1\0", para).replace(" ", " \0").split("\0")
        line = ""
        for w in words:
            if line and len((line + w).rstrip()) > width:
                lines.append(line.rstrip())
                line = w.lstrip()
            else:
                line += w
        lines.append(line.rstrip())
    return "\n".join(textwrap.dedent(ln) for ln in lines if ln)


def outcome_axis(name: str) -> str:
    """An outcome's label with its unit once ('spent (yuan)', not 'spent (yuan) (yuan)')."""
    from .. import catalog
    o = catalog.OUTCOMES.get(name)
    if o is None:
        return name
    unit = o.unit or catalog.UNIT_OF_KIND[o.kind]
    return plain(o.label if not unit or o.label.endswith(f"({unit})") else f"{o.label} ({unit})")


def pyplot():
    """pyplot on the Agg backend with cogov's settings."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    setup()
    return plt


# ------------------------------------------------------------------------------ the check
def _texts(fig) -> list[tuple[str, object]]:
    """(role, Text) for every visible, non-empty text artist of the figure."""
    found = []
    seen = set()

    def add(role, t):
        if t is not None and id(t) not in seen and t.get_visible() and t.get_text().strip():
            seen.add(id(t))
            found.append((role, t))

    if getattr(fig, "_suptitle", None) is not None:
        add("suptitle", fig._suptitle)
    for t in fig.texts:
        add("figure text", t)
    for ax in fig.axes:
        if not ax.get_visible():
            continue
        name = ax.get_label() or f"axes {fig.axes.index(ax)}"
        for attr in ("title", "_left_title", "_right_title"):
            add(f"{name} title", getattr(ax, attr, None))
        for axis, which in ((ax.xaxis, "x"), (ax.yaxis, "y")):
            if not axis.get_visible():
                continue
            add(f"{name} {which}-label", axis.label)
            add(f"{name} {which} offset", axis.offsetText)
            ticks = axis._update_ticks() if hasattr(axis, "_update_ticks") else axis.get_major_ticks()
            for tick in ticks:
                if not tick.get_visible():
                    continue
                for lab in (tick.label1, tick.label2):
                    if lab.get_visible():
                        add(f"{name} {which}-tick", lab)
        for t in ax.texts:
            add(f"{name} text", t)
        legends = [ax.get_legend()] + [c for c in ax.get_children()
                                       if type(c).__name__ == "Legend" and c is not ax.get_legend()]
        for leg in legends:
            if leg is not None and leg.get_visible():
                add(f"{name} legend title", leg.get_title())
                for t in leg.get_texts():
                    add(f"{name} legend", t)
    for leg in fig.legends:
        add("figure legend title", leg.get_title())
        for t in leg.get_texts():
            add("figure legend", t)
    return found


def text_issues(fig) -> list[str]:
    """Overlapping texts and texts outside the figure, as sentences (empty: fit to print).
    Tick labels of one axis that are rotated are not compared with each other (their
    rectangles, not their letters, overlap)."""
    if not hasattr(fig.canvas, "get_renderer"):  # a bare Figure(): draw it on Agg
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        FigureCanvasAgg(fig)
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    W, H = fig.bbox.width, fig.bbox.height
    items = []
    for role, t in _texts(fig):
        try:
            bb = t.get_window_extent(renderer)
        except (RuntimeError, ValueError):
            continue
        if bb.width <= 0 or bb.height <= 0:
            continue
        items.append((role, t, bb))
    issues = []
    tol = TOLERANCE_PX
    for role, t, bb in items:
        if bb.x0 < -tol or bb.y0 < -tol or bb.x1 > W + tol or bb.y1 > H + tol:
            issues.append(f"clipped: {role} {t.get_text()!r} reaches outside the figure")
    for i in range(len(items)):
        ri, ti, bi = items[i]
        for j in range(i + 1, len(items)):
            rj, tj, bj = items[j]
            w = min(bi.x1, bj.x1) - max(bi.x0, bj.x0)
            h = min(bi.y1, bj.y1) - max(bi.y0, bj.y0)
            if w <= tol or h <= tol:
                continue
            if ri == rj and ri.endswith("-tick") and (ti.get_rotation() % 180 or tj.get_rotation() % 180):
                continue
            issues.append(f"overlap: {ri} {ti.get_text()!r} and {rj} {tj.get_text()!r}")
    return issues


def strip_cjk(fig) -> None:
    """Drop Chinese from every text of ``fig`` when no CJK font can draw it."""
    if cjk_font():
        return
    for _, t in _texts(fig):
        text = t.get_text()
        if CJK.search(text):
            t.set_text(plain(text))


# ------------------------------------------------------------------------------- saving
def save_figure(fig, path_stem: str | Path, formats=FORMATS, dpi: int = 200,
                check: bool = True) -> list[Path]:
    """Write ``fig`` as ``path_stem.<format>`` for each format (temporary file, then
    rename); return the paths. The text check runs first (module docstring)."""
    setup()
    stem = Path(path_stem)
    strip_cjk(fig)
    if check:
        issues = text_issues(fig)
        if issues:
            message = f"{stem.name}: " + "; ".join(issues[:8]) + \
                (f" (and {len(issues) - 8} more)" if len(issues) > 8 else "")
            if os.environ.get("COGOV_STRICT_FIGURES") == "1":
                raise FigureLayoutError(message)
            print(f"warning: figure {message}", file=sys.stderr)
    written = []
    for fmt in formats:
        path = stem.with_name(f"{stem.name}.{fmt}")
        tmp = path.with_name(f".{path.name}.tmp.{fmt}")
        fig.savefig(tmp, dpi=dpi, format=fmt, metadata=_metadata(fmt))
        tmp.replace(path)
        written.append(path)
    return written


def _metadata(fmt: str) -> dict | None:
    # no creation date: the same figure gives the same file
    if fmt == "pdf":
        return {"CreationDate": None}
    if fmt == "svg":
        return {"Date": None}
    return None


def type3_fonts(pdf: str | Path) -> list[str]:
    """Names of the Type 3 fonts in a PDF, read with poppler's ``pdffonts``."""
    import subprocess
    out = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    lines = out.splitlines()[2:]  # a header and a rule
    return [ln.split()[0] for ln in lines if " Type 3 " in f" {ln} "]
