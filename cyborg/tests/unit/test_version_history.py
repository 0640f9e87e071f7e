"""The contributor's version history lists exactly the declared versions."""
import pathlib
import re
import unittest

from cyborg.api import microversion

HISTORY_RST = (pathlib.Path(__file__).resolve().parents[3] / 'doc' /
               'source' / 'contributor' / 'rest_api_version_history.rst')

# A section title: a line followed by a line of '-' of at least its length.
_UNDERLINE = re.compile(r'^-{3,}$')


def section_titles(text):
    lines = text.splitlines()
    return [title.strip() for title, under in zip(lines, lines[1:])
            if _UNDERLINE.match(under) and title.strip()
            and len(under) >= len(title.strip())]


class VersionHistoryTest(unittest.TestCase):

    def test_sections_match_declared_versions(self):
        titles = section_titles(HISTORY_RST.read_text())
        declared = [microversion.to_str(v)
                    for v in sorted(microversion.HISTORY)]
        self.assertEqual(declared, titles)

    def test_history_spans_min_to_max(self):
        versions = sorted(microversion.HISTORY)
        self.assertEqual(microversion.MIN_VERSION, versions[0])
        self.assertEqual(microversion.MAX_VERSION, versions[-1])
