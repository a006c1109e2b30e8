"""The README's "Repository" section matches the tree: every module of coverage/ is listed, and nothing else."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "coverage"


def listed_modules() -> set[str]:
    """Modules named in the package table: ``package/module``; a listed ``sub/`` covers its modules."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text[text.index("## Repository") : text.index("## Coordinates")]
    out = set()
    for package, cell in re.findall(r"^\| (top|`[a-z_/]+/`)[^|]*\| (.*) \|$", section, flags=re.M):
        prefix = "" if package == "top" else package.strip("`")
        while "(" in cell:  # descriptions in parentheses name no modules
            cell = re.sub(r"\([^()]*\)", "", cell)
        for name in re.findall(r"`([a-z0-9_/]+)`", cell):
            if name == "migrations/":  # Alembic's revisions, not modules of the package
                continue
            if name.endswith("/"):
                out |= {str(p.relative_to(PACKAGE).with_suffix("")) for p in (PACKAGE / prefix / name).glob("[!_]*.py")}
            else:
                out.add(f"{prefix}{name}")
    return out


def package_modules() -> set[str]:
    return {
        str(p.relative_to(PACKAGE).with_suffix(""))
        for p in PACKAGE.rglob("*.py")
        if "migrations" not in p.parts and not p.name.startswith("__")
    }


def test_readme_lists_every_module_and_no_other():
    listed, modules = listed_modules(), package_modules()
    assert sorted(modules - listed) == [], "modules missing from README's Repository section"
    assert sorted(listed - modules) == [], "README's Repository section lists modules that do not exist"
