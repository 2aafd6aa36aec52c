"""Text folding shared by search everywhere: accent-, case- and width-insensitive, on SQLite and PostgreSQL.

Searchable rows store `fold(text)` in a `search_text` column at write time, and queries fold the user's
words the same way, so the same `icontains` works on both databases without database extensions.
"""

import re
import unicodedata

_ARABIC_DIACRITICS = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640]")
_SPACES = re.compile(r"\s+")


def fold(text: str | None) -> str:
    if not text:
        return ""
    decomposed = unicodedata.normalize("NFKD", str(text))
    without_marks = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    without_marks = _ARABIC_DIACRITICS.sub("", without_marks)
    # Alef variants fold to bare alef, teh marbuta to heh, alef maqsura to yeh: how Arabic search is forgiving.
    without_marks = without_marks.translate(str.maketrans("أإآٱةى", "ااااهي"))
    return _SPACES.sub(" ", without_marks.casefold()).strip()


def search_terms(query: str | None) -> list[str]:
    """The folded words of a search query, in order, without duplicates."""
    seen: dict[str, None] = {}
    for word in fold(query).split(" "):
        if word:
            seen.setdefault(word, None)
    return list(seen)
