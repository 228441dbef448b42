"""The translation catalogues are complete and safe to use (no database needed).

Every configured language (settings.LANGUAGES) has a `locale/<code>/LC_MESSAGES/django.po` in
which every entry is translated (every msgstr, and every msgstr[N] of a plural), none is flagged
fuzzy, and each translation keeps the msgid's placeholders, HTML tags and outer spaces. A failing
test lists the offending msgids, so the fix is to translate those (and run compilemessages).

The catalogues are read with a small .po parser written here, so no extra dependency is needed.
"""

from __future__ import annotations

import gettext
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings

LANGUAGE_CODES = [code for code, _name in settings.LANGUAGES]
LOCALE_DIR = Path(settings.LOCALE_PATHS[0])

# %(name)s style placeholders, with their conversion (%(km)s and %(km)d are different).
PLACEHOLDER = re.compile(r"%\(([^)]+)\)[#0\- +]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa]")
HTML_TAG = re.compile(r"</?[a-zA-Z][^>]*>")

_KEYWORD = re.compile(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d+)\])?)\s+"(.*)"\s*$')
_CONTINUATION = re.compile(r'^"(.*)"\s*$')
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\"}


@dataclass
class Entry:
    msgid: str = ""
    msgid_plural: str | None = None
    msgctxt: str | None = None
    msgstr: str = ""
    msgstr_plural: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    line: int = 0

    @property
    def is_header(self) -> bool:
        return self.msgid == "" and self.msgctxt is None

    @property
    def translations(self) -> list[str]:
        if self.msgid_plural is None:
            return [self.msgstr]
        return [self.msgstr_plural[n] for n in sorted(self.msgstr_plural)]

    @property
    def label(self) -> str:
        return f"{self.msgid!r} (line {self.line})"


def _unescape(text: str) -> str:
    return re.sub(r"\\(.)", lambda m: _ESCAPES.get(m.group(1), m.group(1)), text)


def parse_po(text: str) -> list[Entry]:
    """The entries of a .po file, header included; obsolete (#~) entries are left out."""
    entries: list[Entry] = []
    current: Entry | None = None
    target: tuple[str, int | None] | None = None  # the field that continuation lines extend

    def start(lineno: int) -> Entry:
        nonlocal current
        if current is None:
            current = Entry(line=lineno)
        return current

    def finish() -> None:
        nonlocal current, target
        if current is not None:
            entries.append(current)
        current, target = None, None

    def append(entry: Entry, name: str, index: int | None, value: str) -> None:
        if name == "msgstr_plural":
            assert index is not None
            entry.msgstr_plural[index] = entry.msgstr_plural.get(index, "") + value
        else:
            setattr(entry, name, (getattr(entry, name) or "") + value)

    for lineno, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            finish()
            continue
        if line.startswith("#~"):
            continue
        if line.startswith("#"):
            if current is not None and target is not None:
                finish()  # a comment after a complete entry starts the next one
            entry = start(lineno)
            if line.startswith("#,"):
                entry.flags.update(f.strip() for f in line[2:].split(",") if f.strip())
            continue
        keyword = _KEYWORD.match(line)
        if keyword:
            name, index, value = keyword.group(1), keyword.group(2), keyword.group(3)
            if name in ("msgid", "msgctxt") and target and target[0].startswith("msgstr"):
                finish()  # a new entry without a blank line before it
            entry = start(lineno)
            if name == "msgid":
                entry.line = lineno
            if name.startswith("msgstr"):
                key = ("msgstr_plural", int(index)) if index is not None else ("msgstr", None)
            else:
                key = (name, None)
            target = key
            append(entry, key[0], key[1], _unescape(value))
            continue
        continuation = _CONTINUATION.match(line)
        if continuation and current is not None and target is not None:
            append(current, target[0], target[1], _unescape(continuation.group(1)))
            continue
        raise ValueError(f"line {lineno}: cannot parse {raw!r}")
    finish()
    return entries


def header_fields(entries: list[Entry]) -> dict[str, str]:
    header = next((e for e in entries if e.is_header), None)
    if header is None:
        return {}
    pairs = (line.split(":", 1) for line in header.msgstr.splitlines() if ":" in line)
    return {key.strip(): value.strip() for key, value in pairs}


def nplurals(entries: list[Entry]) -> int | None:
    match = re.search(r"nplurals\s*=\s*(\d+)", header_fields(entries).get("Plural-Forms", ""))
    return int(match[1]) if match else None


def untranslated_or_fuzzy(entries: list[Entry]) -> list[str]:
    """Msgids flagged fuzzy, or with an empty or missing translation (any plural form)."""
    forms = nplurals(entries)
    problems = []
    for entry in entries:
        if "fuzzy" in entry.flags:
            problems.append(f"fuzzy: {'<header>' if entry.is_header else entry.label}")
        elif entry.is_header:
            continue
        elif (
            entry.msgid_plural is not None
            and forms is not None
            and (sorted(entry.msgstr_plural) != list(range(forms)))
        ):
            problems.append(
                f"untranslated (has msgstr{sorted(entry.msgstr_plural)}, needs msgstr[0]"
                f" to msgstr[{forms - 1}]): {entry.label}"
            )
        elif not entry.translations or any(not text for text in entry.translations):
            problems.append(f"untranslated: {entry.label}")
    return problems


def _placeholders(text: str) -> set[str]:
    return {m.group(0) for m in PLACEHOLDER.finditer(text)}


def placeholder_mismatches(entries: list[Entry]) -> list[str]:
    """Msgids whose translations name other placeholders than the source does."""
    problems = []
    for entry in entries:
        if entry.is_header:
            continue
        expected = _placeholders(entry.msgid) | _placeholders(entry.msgid_plural or "")
        for text in entry.translations:
            found = _placeholders(text)
            if text and found != expected:
                problems.append(
                    f"{entry.label}: expected {sorted(expected)}, found {sorted(found)} in {text!r}"
                )
    return problems


def markup_mismatches(entries: list[Entry]) -> list[str]:
    """Msgids whose translations change the HTML tags or the leading/trailing spaces."""
    problems = []
    for entry in entries:
        if entry.is_header:
            continue
        tags = sorted(HTML_TAG.findall(entry.msgid))
        lead = entry.msgid[: len(entry.msgid) - len(entry.msgid.lstrip())]
        trail = entry.msgid[len(entry.msgid.rstrip()) :]
        for text in entry.translations:
            if not text:
                continue
            if sorted(HTML_TAG.findall(text)) != tags:
                problems.append(f"{entry.label}: HTML tags differ in {text!r}")
            if (
                text[: len(text) - len(text.lstrip())] != lead
                or text[len(text.rstrip()) :] != trail
            ):
                problems.append(f"{entry.label}: leading/trailing spaces differ in {text!r}")
    return problems


def load(code: str) -> list[Entry]:
    path = LOCALE_DIR / code / "LC_MESSAGES" / "django.po"
    assert path.is_file(), f"missing catalogue {path}"
    return parse_po(path.read_text(encoding="utf-8"))


def _report(code: str, what: str, problems: list[str]) -> str:
    return f"{len(problems)} {what} in locale/{code}:\n  " + "\n  ".join(problems)


# -- the real catalogues -----------------------------------------------------------------------


@pytest.mark.parametrize("code", LANGUAGE_CODES)
def test_every_entry_is_translated_and_not_fuzzy(code: str) -> None:
    entries = load(code)
    assert len(entries) > 1, f"locale/{code} has no messages"
    problems = untranslated_or_fuzzy(entries)
    assert not problems, _report(code, "untranslated or fuzzy entries", problems)


@pytest.mark.parametrize("code", LANGUAGE_CODES)
def test_the_committed_mo_file_matches_its_catalogue(code: str) -> None:
    """The compiled .mo files are committed (so `make run` needs no gettext tools): a .po change
    without `make messages` would silently show the old text."""
    path = LOCALE_DIR / code / "LC_MESSAGES" / "django.mo"
    assert path.is_file(), f"missing {path}: run make messages"
    with path.open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    stale = []
    for entry in load(code):
        if entry.is_header:
            continue
        if entry.msgid_plural is None:
            got = (
                compiled.pgettext(entry.msgctxt, entry.msgid)
                if entry.msgctxt
                else (compiled.gettext(entry.msgid))
            )
            if got != entry.msgstr:
                stale.append(entry.label)
        elif compiled.ngettext(entry.msgid, entry.msgid_plural, 1) != entry.msgstr_plural[0]:
            stale.append(entry.label)
    assert not stale, _report(code, "entries differ in the .mo file (run make messages)", stale)


@pytest.mark.parametrize("code", LANGUAGE_CODES)
def test_placeholders_match_the_source(code: str) -> None:
    problems = placeholder_mismatches(load(code))
    assert not problems, _report(code, "placeholder mismatches", problems)


@pytest.mark.parametrize("code", LANGUAGE_CODES)
def test_html_and_outer_spaces_match_the_source(code: str) -> None:
    problems = markup_mismatches(load(code))
    assert not problems, _report(code, "markup mismatches", problems)


@pytest.mark.parametrize("code", LANGUAGE_CODES)
def test_header_names_language_plurals_and_charset(code: str) -> None:
    fields = header_fields(load(code))
    assert fields.get("Language") == code
    assert fields.get("Project-Id-Version", "").startswith("Digipunt")
    assert "charset=UTF-8" in fields.get("Content-Type", "")
    plural = "(n > 1)" if code == "fr" else "(n != 1)"
    assert fields.get("Plural-Forms") == f"nplurals=2; plural={plural};"


def test_all_languages_have_the_same_messages() -> None:
    keys = {
        code: {(e.msgctxt, e.msgid) for e in load(code) if not e.is_header}
        for code in LANGUAGE_CODES
    }
    reference = LANGUAGE_CODES[0]
    for code in LANGUAGE_CODES[1:]:
        assert keys[code] == keys[reference], (
            f"locale/{code} and locale/{reference} differ: "
            f"only in {code}: {sorted(keys[code] - keys[reference])}, "
            f"only in {reference}: {sorted(keys[reference] - keys[code])}"
        )


def test_english_translation_is_the_source() -> None:
    if "en" not in LANGUAGE_CODES:
        pytest.skip("no English catalogue")
    wrong = [
        e.label
        for e in load("en")
        if not e.is_header
        and e.translations != ([e.msgid] if e.msgid_plural is None else [e.msgid, e.msgid_plural])
    ]
    assert not wrong, _report("en", "English entries that differ from the msgid", wrong)


# -- the parser and checks themselves, on small inline catalogues -------------------------------

SAMPLE = r"""# A translator comment.
#, fuzzy
msgid ""
msgstr ""
"Language: nl\n"
"Plural-Forms: nplurals=2; plural=(n != 1);\n"

#: templates/a.html:1
msgid "Search"
msgstr "Zoek"

#: templates/a.html:2
#, python-format
msgid ""
"Closed now. Opens %(day)s at "
"%(time)s"
msgstr "Nu gesloten. Opent %(day)s om %(time)s"

msgid "Say \"hi\""
msgstr ""

#, fuzzy, python-format
msgid "Open now, until %(time)s"
msgstr "Nu open, tot %(time)s"

#, python-format
msgid "%(counter)s Digipunt found."
msgid_plural "%(counter)s Digipunten found."
msgstr[0] "%(counter)s Digipunt gevonden."
msgstr[1] ""

#, python-format
msgid "Call <a href=\"tel:%(phone)s\">%(phone)s</a>."
msgstr "Bel <a href=\"tel:%(phone)s\">%(fone)s</a>."

msgid " and "
msgstr "en"

#~ msgid "Gone"
#~ msgstr "Weg"
"""


def test_parser_reads_multiline_plural_escaped_and_flagged_entries() -> None:
    entries = parse_po(SAMPLE)
    assert [e.msgid for e in entries] == [
        "",
        "Search",
        "Closed now. Opens %(day)s at %(time)s",
        'Say "hi"',
        "Open now, until %(time)s",
        "%(counter)s Digipunt found.",
        'Call <a href="tel:%(phone)s">%(phone)s</a>.',
        " and ",
    ]
    header, search, closed, _hi, open_, found, call, _and = entries
    assert header_fields(entries)["Language"] == "nl"
    assert "fuzzy" in header.flags
    assert search.msgstr == "Zoek"
    assert closed.flags == {"python-format"}
    assert open_.flags == {"fuzzy", "python-format"}
    assert found.msgid_plural == "%(counter)s Digipunten found."
    assert found.msgstr_plural == {0: "%(counter)s Digipunt gevonden.", 1: ""}
    assert call.msgstr == 'Bel <a href="tel:%(phone)s">%(fone)s</a>.'


def test_checker_lists_untranslated_and_fuzzy_msgids() -> None:
    problems = untranslated_or_fuzzy(parse_po(SAMPLE))
    assert len(problems) == 4
    assert "fuzzy: <header>" in problems[0]
    assert "'Say \"hi\"'" in problems[1]
    assert "fuzzy" in problems[2]
    assert "Open now, until %(time)s" in problems[2]
    assert "untranslated" in problems[3]
    assert "%(counter)s Digipunt found." in problems[3]


def test_checker_lists_placeholder_and_markup_mismatches() -> None:
    entries = parse_po(SAMPLE)
    placeholders = placeholder_mismatches(entries)
    assert len(placeholders) == 1
    assert "Call <a" in placeholders[0]
    assert "%(fone)s" in placeholders[0]
    markup = markup_mismatches(entries)
    assert len(markup) == 1
    assert "' and '" in markup[0]


def test_checker_passes_a_complete_catalogue() -> None:
    text = r"""msgid ""
msgstr "Language: fr\n"

#, python-format
msgid "%(km)s km"
msgstr "%(km)s km"

msgid "%(n)s place"
msgid_plural "%(n)s places"
msgstr[0] "%(n)s lieu"
msgstr[1] "%(n)s lieux"
"""
    entries = parse_po(text)
    assert untranslated_or_fuzzy(entries) == []
    assert placeholder_mismatches(entries) == []
    assert markup_mismatches(entries) == []


def test_checker_catches_a_wrong_conversion_and_a_missing_plural_form() -> None:
    text = r"""msgid ""
msgstr "Plural-Forms: nplurals=2; plural=(n > 1);\n"

msgid "%(km)s km"
msgstr "%(km)d km"

msgid "%(n)s place"
msgid_plural "%(n)s places"
msgstr[0] "%(n)s lieu"
"""
    entries = parse_po(text)
    assert nplurals(entries) == 2
    assert len(placeholder_mismatches(entries)) == 1
    problems = untranslated_or_fuzzy(entries)
    assert len(problems) == 1
    assert "needs msgstr[0] to msgstr[1]" in problems[0]


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="needs GNU gettext (CI installs it)")
def test_the_catalogues_hold_every_string_of_the_source(tmp_path) -> None:
    """makemessages, run in a scratch copy of the project, finds no message that the committed
    catalogues lack (a string added to the code but never extracted would stay English)."""
    root = LOCALE_DIR.parent
    copy = tmp_path / "project"
    ignore = shutil.ignore_patterns(".venv", "var", "tests", "bench", "__pycache__", ".git", "*.mo")
    shutil.copytree(root, copy, ignore=ignore)
    env = {**os.environ, "DIGIPUNT_INSECURE_DEV_KEY": "true", "PYTHONPATH": str(copy)}
    command = [sys.executable, "manage.py", "makemessages", "-l", "nl", "--no-obsolete"]
    subprocess.run(command, cwd=copy, env=env, check=True, capture_output=True)
    fresh_po = (copy / "locale/nl/LC_MESSAGES/django.po").read_text()
    fresh = {entry.msgid for entry in parse_po(fresh_po) if entry.msgid}
    committed = {entry.msgid for entry in load("nl") if entry.msgid}
    missing = sorted(fresh - committed)
    assert not missing, "not in the catalogues (run make messages):\n  " + "\n  ".join(missing)
