"""The page's front-end files, fetched once from the npm registry so the app runs offline.

Solara's page loads a few bundles from a CDN (``{cdn}/<package>@<version>/<file>``). Its
server can act as that CDN from a folder (its "proxy cache", ``<venv>/share/solara/cdn``):
we fill that folder at setup with ``npm pack`` of the exact versions Solara's page template
asks for, each tarball checked against the sha512 the registry published, so the browser
never reaches outside the machine and the server never fetches anything at run time.

The Chinese font (Noto Sans SC, its "chinese-simplified" subset of about 7,900 characters
with Latin) comes the same way, from Fontsource's npm package: the page declares it with
``@font-face`` (a machine without CJK fonts, Debian's default, shows Chinese in it, not as
boxes), and matplotlib draws the replications' forest plot with a TrueType copy made at
fetch time (matplotlib reads no WOFF). Of its 84 MB tarball only that subset is unpacked.

    python -m sim.app.assets          # fetch what is missing (``make app`` does this)
    python -m sim.app.assets --check  # exit 1 and say what is missing
"""

from __future__ import annotations

import base64
import hashlib
import json
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

# (package, version, npm "integrity") for Solara 1.64 with ipyvue/ipyvuetify 1.x (Vue 2):
# the template's solara-vuetify-app bundle, Font Awesome and RequireJS.
PACKAGES = (
    ("@widgetti/solara-vuetify-app", "10.1.1",
     "sha512-Cdu6G7KIBeohT2jyeQUEDr61dhEozY23St+iDwfA3+ZyPZyoIza/nS4W2g8+dbs0Xhb+WQnXlaRI92TLgeY/Jw=="),
    ("font-awesome", "4.5.0",
     "sha512-XGGY8CN/NT8e5fKOC/K7CESNQ3+2oYOfZqwZcKgEMtcmTiHtFIH+XZWRoU0HtcdwhtSkpWXLfTIUlTdJ4PhX8A=="),
    ("requirejs", "2.3.6",
     "sha512-ipEzlWQe6RK3jkzikgCupiTbTvm4S0/CAU5GlgptkN5SO6F3u0UD0K18wy6ErDqiCyP4J4YYe1HuAShvsxePLg=="),
    # 4.5.x is the last release with one file per script subset (5.x slices into ~100 files)
    ("@fontsource/noto-sans-sc", "4.5.12",
     "sha512-KQ8Bn8KCGVS6RKrEw7fp65GJYpKyKEJ/TkePoKGxvNy7smSaHoKV7vrmpIiA46hkqQyYdENix/NKSprxs4Soyw=="),
)
# what a browser loads of these (and of Solara's own static files) for the first page and the
# server compresses once per process (gzip -9): sim.app.server compresses them before it
# listens, so the first visitor's page does not wait for it (tests/test_app.py checks each)
FIRST_PAGE_FILES = (
    "/static/assets/style.css", "/static/assets/theme-light.css",
    "/_solara/cdn/font-awesome@4.5.0/css/font-awesome.min.css",
    "/_solara/cdn/requirejs@2.3.6/require.js",
    "/_solara/cdn/@widgetti/solara-vuetify-app@10.1.1/dist/main8.css",
    "/_solara/cdn/@widgetti/solara-vuetify-app@10.1.1/dist/fonts.css",
    "/_solara/cdn/@widgetti/solara-vuetify-app@10.1.1/dist/solara-vuetify-app8.min.js",
    "/jupyter/nbextensions/jupyter-vuetify/nodeps.js", "/jupyter/nbextensions/jupyter-vue/nodeps.js",
)
FONT_PACKAGE = "@fontsource/noto-sans-sc@4.5.12"
FONT_FAMILY = "Noto Sans SC"
FONT_FILES = {w: f"files/noto-sans-sc-chinese-simplified-{w}-normal" for w in (400, 700)}
# the files kept of a package whose tarball is mostly what the page never asks for
KEEP = {"@fontsource/noto-sans-sc": ("package/package.json", "package/README.md",
                                     *(f"package/{f}.{ext}" for f in FONT_FILES.values()
                                       for ext in ("woff2", "woff")))}
# one file of each package the page requests, to tell a complete folder from a partial one
MARKERS = {
    "@widgetti/solara-vuetify-app": "dist/solara-vuetify-app8.min.js",
    "font-awesome": "css/font-awesome.min.css",
    "requirejs": "require.js",
    "@fontsource/noto-sans-sc": FONT_FILES[400] + ".ttf",  # made last, from the .woff
}


def cache_dir() -> Path:
    """The folder the server serves ``/_solara/cdn/`` from (inside the virtual environment)."""
    return Path(sys.prefix) / "share" / "solara" / "cdn"


def missing(root: Path | None = None) -> list[str]:
    """``package@version`` of every bundle not (completely) in the folder."""
    root = root or cache_dir()
    return [f"{name}@{version}" for name, version, _ in PACKAGES
            if not (root / f"{name}@{version}" / MARKERS[name]).is_file()]


def font_file(weight: int = 400, ext: str = "woff2", root: Path | None = None) -> Path:
    """A file of the Chinese font in the folder (``ttf``: the copy for matplotlib)."""
    return (root or cache_dir()) / FONT_PACKAGE / f"{FONT_FILES[weight]}.{ext}"


def font_url(weight: int = 400, ext: str = "woff2") -> str:
    """Where the page loads the font from (the server's own ``/_solara/cdn/``)."""
    return f"/_solara/cdn/{FONT_PACKAGE}/{FONT_FILES[weight]}.{ext}"


def use_font_in_matplotlib() -> bool:
    """Register the shipped Chinese font with matplotlib and put it after its default sans
    serif (glyph fallback: Latin from DejaVu Sans, Chinese from Noto Sans SC). False when the
    font is not fetched (the text is drawn all the same, Chinese as boxes)."""
    path = font_file(400, "ttf")
    if not path.is_file():
        return False
    import matplotlib
    from matplotlib import font_manager
    font_manager.fontManager.addfont(str(path))
    families = list(matplotlib.rcParams["font.family"])
    if FONT_FAMILY not in families:  # a list of families: matplotlib falls back glyph by glyph
        matplotlib.rcParams["font.family"] = [*families, FONT_FAMILY]
    return True


def _truetype(folder: Path) -> None:
    """TrueType copies of the font's WOFF files (zlib only: fontTools, a matplotlib
    dependency, reads them without a brotli module), their cubic (CFF) outlines turned into
    quadratic ones (glyf): matplotlib embeds a glyf font in a PDF as TrueType (Type 42,
    what journal preflights accept), a CFF one as "Type 0C"."""
    from fontTools.ttLib import TTFont
    for stem in FONT_FILES.values():
        font = TTFont(folder / f"{stem}.woff")
        font.flavor = None
        if "CFF " in font:
            _cff_to_glyf(font)
        path = folder / f"{stem}.ttf"
        tmp = path.with_name(f".{path.name}.tmp")
        font.save(tmp)
        tmp.replace(path)  # a server starting meanwhile reads the old file or the new one


def _cff_to_glyf(font) -> None:
    """Quadratic outlines in place of a font's CFF ones (fontTools' otf2ttf recipe)."""
    from fontTools.pens.cu2quPen import Cu2QuPen
    from fontTools.pens.ttGlyphPen import TTGlyphPen
    from fontTools.ttLib import newTable
    order = font.getGlyphOrder()
    glyphs = font.getGlyphSet()
    quadratic = {}
    for name in order:
        pen = TTGlyphPen(glyphs)
        glyphs[name].draw(Cu2QuPen(pen, 1.0, reverse_direction=True))
        quadratic[name] = pen.glyph()
    font["loca"] = newTable("loca")
    font["glyf"] = glyf = newTable("glyf")
    glyf.glyphOrder, glyf.glyphs = order, quadratic
    del font["CFF "]
    if "VORG" in font:
        del font["VORG"]
    glyf.compile(font)
    hmtx = font["hmtx"]
    for name, g in glyf.glyphs.items():
        if hasattr(g, "xMin"):
            hmtx[name] = (hmtx[name][0], g.xMin)
    font["maxp"] = maxp = newTable("maxp")
    maxp.tableVersion = 0x00010000
    for field in ("maxZones",):
        setattr(maxp, field, 1)
    for field in ("maxTwilightPoints", "maxStorage", "maxFunctionDefs", "maxInstructionDefs",
                  "maxStackElements", "maxSizeOfInstructions", "maxComponentElements"):
        setattr(maxp, field, 0)
    maxp.compile(font)
    post = font["post"]
    post.formatType, post.extraNames, post.mapping, post.glyphOrder = 2.0, [], {}, order
    font.sfntVersion = "\000\001\000\000"


def truetype_outdated(root: Path | None = None) -> bool:
    """True when the font's TrueType copy is one made before its outlines were converted
    (a CFF font in a .ttf: PDFs would embed it as Type 0C)."""
    path = font_file(400, "ttf", root)
    if not path.is_file():
        return False
    from fontTools.ttLib import TTFont
    return "glyf" not in TTFont(path, lazy=True)


def _integrity(path: Path) -> str:
    return "sha512-" + base64.b64encode(hashlib.sha512(path.read_bytes()).digest()).decode()


def fetch(root: Path | None = None) -> list[str]:
    """Fetch each missing bundle with ``npm pack``, check its checksum, unpack it in place."""
    root = root or cache_dir()
    todo = [(n, v, i) for n, v, i in PACKAGES if f"{n}@{v}" in missing(root)]
    done = []
    if truetype_outdated(root):  # no download: the WOFF files are there
        _truetype((root or cache_dir()) / FONT_PACKAGE)
        done.append(f"{FONT_PACKAGE} (TrueType outlines)")
    if todo and shutil.which("npm") is None:
        raise SystemExit("npm is needed once to fetch the page's front-end files "
                         "(Debian: apt-get install -y npm)")
    for name, version, integrity in todo:
        with tempfile.TemporaryDirectory() as tmp:
            out = subprocess.run(["npm", "pack", f"{name}@{version}", "--json", "--silent",
                                  "--pack-destination", tmp], capture_output=True, text=True)
            if out.returncode != 0:
                raise SystemExit(f"npm pack {name}@{version} failed:\n{out.stderr.strip()}")
            tarball = Path(tmp) / json.loads(out.stdout)[0]["filename"]
            got = _integrity(tarball)
            if got != integrity:
                raise SystemExit(f"{name}@{version}: checksum mismatch (expected {integrity}, "
                                 f"got {got}); not installed")
            final = root / f"{name}@{version}"
            staging = Path(tempfile.mkdtemp(dir=tmp))
            with tarfile.open(tarball) as tar:
                keep = KEEP.get(name)
                members = [m for m in tar.getmembers() if keep is None or m.name in keep]
                tar.extractall(staging, members=members, filter="data")
            if name == "@fontsource/noto-sans-sc":
                _truetype(staging / "package")
            final.parent.mkdir(parents=True, exist_ok=True)
            if final.exists():
                shutil.rmtree(final)
            # npm tarballs hold one folder, "package/"; move it into place in one rename
            shutil.move(str(staging / "package"), str(final))
        done.append(f"{name}@{version}")
    return done


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if "--check" in argv:
        gone = missing() + ([f"{FONT_PACKAGE} TrueType outlines"] if truetype_outdated() else [])
        if gone:
            print("missing front-end files: " + ", ".join(gone)
                  + f"\n  fetch them with: {sys.executable} -m sim.app.assets", file=sys.stderr)
            return 1
        print(f"front-end files complete in {cache_dir()}")
        return 0
    for item in fetch():
        print(f"fetched and checked {item}")
    print(f"front-end files in {cache_dir()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
