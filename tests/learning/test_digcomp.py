"""The DigComp 2.2 titles the catalogues translate are exactly those of the data file."""

from __future__ import annotations

from learning import digcomp


def test_the_titles_match_the_data_file():
    rows = digcomp.read_file()

    assert len(rows) == 21
    assert {row.code: row.competence for row in rows} == {
        code: str(title) for code, title in digcomp.COMPETENCES.items()
    }
    areas = {digcomp.area_of(row.code): row.area for row in rows}
    assert areas == {code: str(title) for code, title in digcomp.AREAS.items()}
