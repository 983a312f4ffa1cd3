"""A large page of studies decoded without making all its records at once.

``orjson.loads`` of a page of 1,000 studies makes every record of it as Python objects before
the first is read into tables: for multi-centre trials (50 sites a study) that is some 70 MB
at once for a 14 MB body. :func:`read_page` decodes such a page's envelope only
(``totalCount``, ``nextPageToken``) and hands its studies on as
:class:`~trialfinder.registries.ctgov.page.StudySlices`: where each record starts and ends in
the body, and its NCT id. Each record is then parsed when the search reads it, and freed once
it is in table columns.

The slices are found by the bytes the API writes between two records,
``},{"protocolSection":{"identificationModule":{"nctId":"``. Inside a JSON string a quote is
always escaped, so those bytes are never part of a text. A body written any other way (spaces
or line breaks between values, keys in another order, a record that does not start with its
id, a count of ``"protocolSection":`` keys other than the count of records) is decoded whole,
as before: the split is only an economy, never a second reading of the answer.
"""

from __future__ import annotations

import re
from typing import Any, Final

import orjson

from trialfinder.registries.ctgov.page import StudySlices

__all__ = ["SPLIT_FROM", "read_page"]

#: Bodies smaller than this are decoded whole (their records cost little memory).
SPLIT_FROM: Final = 1 << 20

_HEAD: Final = re.compile(rb'\{(?:"totalCount":\d{1,12},)?"studies":\[')
_TAIL: Final = re.compile(
    rb'\](?:,"(?:totalCount":\d{1,12}|nextPageToken":"[^"\\]{0,1024}"))*\}')
_FIRST: Final = b'{"protocolSection":{"identificationModule":{"nctId":"'
_BETWEEN: Final = b"}," + _FIRST
_ID: Final = re.compile(rb'NCT[0-9]{8}"')
_KEY: Final = b'"protocolSection":'


def read_page(content: bytes) -> Any:
    """``content`` decoded as ``orjson.loads`` would, but with the studies of a large page as
    :class:`StudySlices` (see the module docstring). Raises ``orjson.JSONDecodeError`` for a
    body that is not JSON."""
    if len(content) >= SPLIT_FROM:
        page = _split(content)
        if page is not None:
            return page
    return orjson.loads(content)


def _split(content: bytes) -> dict[str, Any] | None:
    """The page's envelope with its studies as slices, or ``None`` when the body is not
    written the way the API writes a page."""
    head = _HEAD.match(content)
    last = content.rfind(b"}]")
    if head is None or last < head.end() or _TAIL.fullmatch(content, last + 1) is None:
        return None
    begin, end = head.end(), last + 1  # the records: content[begin:end]
    if not content.startswith(_FIRST, begin):
        return None
    starts = [begin]
    at = content.find(_BETWEEN, begin, end)
    while at >= 0:
        starts.append(at + 2)
        at = content.find(_BETWEEN, at + 2, end)
    if content.count(_KEY, begin, end) != len(starts):
        return None
    ids: list[str] = []
    skip = len(_FIRST)
    for start in starts:
        if _ID.match(content, start + skip) is None:
            return None
        ids.append(content[start + skip:start + skip + 11].decode("ascii"))
    bounds = [(start, stop - 1) for start, stop in zip(starts, [*starts[1:], end + 1],
                                                         strict=True)]
    envelope = orjson.loads(content[:begin] + content[end:])
    if not isinstance(envelope, dict) or envelope.get("studies") != []:
        return None
    envelope["studies"] = StudySlices(content, bounds, ids)
    return envelope
