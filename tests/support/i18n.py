"""Which shopper-facing msgids have no Korean translation.

Msgids come from the templates (through ``django.utils.translation.templatize``, the same pass
``makemessages`` uses) and from the Python modules that put text on shopper pages and in emails (an
``ast`` walk over their gettext calls). A msgid counts as translated when the active Korean catalog
(the project's .mo, then Django's own) gives something else back."""
from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.utils import translation

ROOT = Path(settings.BASE_DIR)
# Every template a shopper sees or receives (admin templates live under */templates/admin/ and are skipped).
SHOPPER_TEMPLATE_DIRS = ("templates", "returns/templates/returns", "feedback/templates/feedback",
                         "tracking/templates/tracking")
# Python modules whose gettext strings end up on shopper pages or in shopper emails.
SHOPPER_MODULES = (
    "tracking/page/presenters.py", "tracking/page/rendering.py", "tracking/page/views.py", "tracking/page/forms.py",
    "tracking/page/selectors.py", "tracking/page/contributions.py", "tracking/templatetags",
    "returns/portal", "returns/errors.py", "returns/hooks.py", "returns/files/photos.py", "returns/files/photo_store.py",
    "returns/policy/engine.py", "returns/services/exchanges.py", "returns/services/logistics.py",
    "returns/services/workflow.py", "tracking/edd/formatting.py",
    "feedback/forms.py", "feedback/views.py", "feedback/page_blocks.py",
    "tracking/recommendations/selectors.py", "tracking/recommendations/views.py",
    "tracking/notifications/views.py",
)
_CALL = re.compile(r"\b(npgettext|pgettext|ngettext|gettext)\(((?:\s*u'(?:[^'\\]|\\.)*'\s*,?)+)")
_FUNCS = {"_", "gettext", "gettext_lazy", "pgettext", "pgettext_lazy", "ngettext", "ngettext_lazy",
          "npgettext", "npgettext_lazy", "gettext_noop", "_lazy"}


@dataclass(frozen=True)
class Msg:
    msgid: str
    context: str | None = None
    plural: str | None = None
    where: str = ""


def shopper_templates() -> list[Path]:
    found = []
    for folder in SHOPPER_TEMPLATE_DIRS:
        for path in sorted((ROOT / folder).rglob("*")):
            if path.suffix in (".html", ".txt") and "admin" not in path.relative_to(ROOT).parts:
                found.append(path)
    return found


def template_msgids(path: Path) -> list[Msg]:
    code = translation.templatize(path.read_text(encoding="utf-8"), origin=str(path))
    found = []
    for func, args in _CALL.findall(code):
        values = [ast.literal_eval(a.strip()) for a in re.findall(r"u'(?:[^'\\]|\\.)*'", args)]
        where = str(path.relative_to(ROOT))
        if func == "gettext":
            found.append(Msg(values[0], where=where))
        elif func == "pgettext":
            found.append(Msg(values[1], context=values[0], where=where))
        elif func == "ngettext":
            found.append(Msg(values[0], plural=values[1], where=where))
        else:
            found.append(Msg(values[1], context=values[0], plural=values[2], where=where))
    return found


def _python_files() -> list[Path]:
    files = []
    for entry in SHOPPER_MODULES:
        path = ROOT / entry
        if path.is_dir():
            files.extend(sorted(p for p in path.rglob("*.py") if "migrations" not in p.parts))
        elif path.exists():
            files.append(path)
    return files


def python_msgids(path: Path) -> list[Msg]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.Call):
            continue
        name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", "")
        if name not in _FUNCS:
            continue
        texts = [a.value if isinstance(a, ast.Constant) and isinstance(a.value, str) else None for a in node.args]
        where = f"{path.relative_to(ROOT)}:{node.lineno}"
        if name.startswith("np") and len(texts) >= 3 and None not in texts[:3]:
            found.append(Msg(texts[1], context=texts[0], plural=texts[2], where=where))
        elif name.startswith("p") and len(texts) >= 2 and None not in texts[:2]:
            found.append(Msg(texts[1], context=texts[0], where=where))
        elif name.startswith("n") and name != "gettext_noop" and len(texts) >= 2 and None not in texts[:2]:
            found.append(Msg(texts[0], plural=texts[1], where=where))
        elif (not name.startswith(("n", "p")) or name == "gettext_noop") and texts and texts[0]:
            found.append(Msg(texts[0], where=where))
    return found


def shopper_msgids() -> list[Msg]:
    found = []
    for path in shopper_templates():
        found.extend(template_msgids(path))
    for path in _python_files():
        found.extend(python_msgids(path))
    return found


def is_translated(msg: Msg, language: str = "ko") -> bool:
    with translation.override(language):
        if msg.plural and msg.context:
            got = [translation.npgettext(msg.context, msg.msgid, msg.plural, n) for n in (1, 2)]
        elif msg.plural:
            got = [translation.ngettext(msg.msgid, msg.plural, n) for n in (1, 2)]
        elif msg.context:
            got = [translation.pgettext(msg.context, msg.msgid)]
        else:
            got = [translation.gettext(msg.msgid)]
    originals = {msg.msgid, msg.plural}
    return all(text not in originals for text in got)


# Msgids that read the same in Korean (a code, a unit, a name).
SAME_IN_KOREAN = {"UTC", "Doorstep", "%(n)s%%", "QR", "PDF"}


def untranslated(language: str = "ko") -> list[Msg]:
    missing, seen = [], set()
    for msg in shopper_msgids():
        key = (msg.context, msg.msgid, msg.plural)
        if key in seen or msg.msgid in SAME_IN_KOREAN or not msg.msgid.strip():
            continue
        seen.add(key)
        if not is_translated(msg, language):
            missing.append(msg)
    return missing
