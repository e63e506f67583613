"""A labelled set of corpus articles' dates, by kind of date, and written cases of kinds the
corpus lacks.

113 entries of the corpus's feeds (up to ten of each kind, spread over files, 2026-12-06), each
date checked by eye against the entry's markup: the instant it writes, in UTC; a date without a
time of day (or, in a feed whose every date is a midnight of no zone, a day: normalize's
midnight_days) at noon, as `day_only`; one naming no zone in its language's zone, else UTC; an
entry without a date (or with one that says nothing) dated when first seen (`""`). Updated is
never before published, and YouTube's <updated>, which moves with its views, is published (by
design). Beside them, written feeds of what the corpus does not have: Chinese and Japanese
年月日, seconds since 1970 (RSS and a JSON Feed number), German, French, Spanish and Russian
names, and a date only in the text (not read: a miss, kept as one). `bench/dates_eval.py`
prints the table; `tests/test_dates.py` holds its floor. (The corpus is read at run time.)
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

from aggregator.config import SourceConfig
from aggregator.models import Article, ParsedFeed
from aggregator.normalize import normalize
from aggregator.parse import parse
from tests.support.corpus import CORPUS, PRESENT

NOW = datetime(2026, 11, 24, tzinfo=UTC)
SOURCE = SourceConfig(id="s", name="S", url="https://example.com/feed", categories=(), interval=900)

# kind | corpus file | entry index | published in UTC, "-" when first seen | updated when other
# than published, else "-" | "day" when written without a time of day
_TABLE = """
ISO date only | real/feedrs_rss_1.0_biorxiv.xml | 0 | 2023-12-16T12:00:00Z | - | day
ISO date only | real/feedrs_rss_1.0_debian.xml | 0 | 2022-12-17T12:00:00Z | - | day
ISO date only | real/nnw_bio.rdf | 0 | 2019-08-27T12:00:00Z | - | day
ISO date only | real/nnw_bio.rdf | 1 | 2019-08-24T12:00:00Z | - | day
ISO date only | real/nnw_bio.rdf | 2 | 2019-08-24T12:00:00Z | - | day
ISO date only | real/nnw_bio.rdf | 3 | 2019-08-24T12:00:00Z | - | day
ISO without a zone | edge/feeder_rss_anon.xml | 0 | 2018-12-13T12:00:00Z | - | day
ISO without a zone | real/feeder_rss_nixers_newsletter.xml | 0 | 2019-01-25T12:00:00Z | - | day
ISO without a zone | real/feeder_rss_nixers_newsletter.xml | 1 | 2019-01-18T12:00:00Z | - | day
ISO without a zone | real/feeder_rss_nixers_newsletter.xml | 2 | 2019-01-11T12:00:00Z | - | day
ISO without a zone | real/feeder_rss_nixers_newsletter.xml | 3 | 2019-01-04T12:00:00Z | - | day
ISO without a zone | real/feeder_rss_nixers_newsletter.xml | 4 | 2018-12-28T12:00:00Z | - | day
ISO with a zone | edge/feedrs_atom_scattered.xml | 0 | 2023-12-01T00:00:00Z | -
ISO with a zone | edge/fp_namespace-atomthreadingwithentry.xml | 0 | 2009-12-09T00:59:02Z | -
ISO with a zone | real/feeder_atom_hnapp.xml | 0 | 2018-02-15T04:47:18Z | -
ISO with a zone | real/feeder_atom_research_rsc.xml | 5 | 2013-08-13T15:00:00Z | -
ISO with a zone | real/feeder_rss_lineageos.xml | 0 | 2018-02-25T00:00:00Z | -
ISO with a zone | real/feeder_rss_mediarss.xml | 0 | 2022-09-03T06:37:11Z | -
ISO with a zone | real/feedrs_atom_mediarss_reddit_1.xml | 0 | 2023-07-23T17:38:30Z | -
ISO with a zone | real/feedrs_rss_2.0_reddit.xml | 0 | 2021-11-02T00:46:08Z | -
ISO with a zone | real/mf_large_atom.xml | 0 | 2024-03-10T16:15:00Z | -
ISO with a zone | real/nfp_tpm.atom | 0 | 2017-11-08T23:15:58Z | -
updated after published | edge/fp_sanitize-large_atom_feed_that_needs_css_sanitisation.xml | 0 | 2009-09-09T14:19:45Z | -
updated after published | edge/nfp_non-text-alternate-links.xml | 0 | 2009-09-08T23:20:59Z | 2017-09-21T16:03:01Z
updated after published | edge/reader_full.atom | 0 | 2003-12-13T17:17:51Z | 2003-12-13T18:30:02Z
updated after published | real/feeder_atom_cornucopia.xml | 0 | 2017-03-05T13:34:00Z | 2017-03-05T13:35:26Z
updated after published | real/feeder_atom_research_rsc.xml | 0 | 2017-04-24T14:00:00Z | 2017-04-24T14:01:00Z
updated after published | real/feeder_atom_utdelningsseglaren.xml | 0 | 2017-12-12T17:24:00Z | 2017-12-12T17:24:53Z
updated after published | real/feeder_atom_youtube.xml | 0 | 2019-11-18T19:45:00Z | -
updated after published | real/feedrs_atom_mediarss_newscred_1.xml | 0 | 2019-04-05T21:04:40Z | 2019-04-05T21:04:41Z
updated after published | real/feedrs_atom_mediarss_youtube_1.xml | 0 | 2020-12-22T19:15:01Z | -
updated after published | real/nnw_4fsodonline.atom | 0 | 2007-12-15T07:15:00Z | 2007-12-15T19:35:51Z
updated only | edge/feeder_cowboyprogrammer_deleted_middle_atom.xml | 0 | 2018-03-05T21:00:00Z | -
updated only | edge/feedrs_atom_content_src.xml | 0 | 2024-03-08T00:00:00Z | -
updated only | edge/feedrs_atom_entry_1.xml | 0 | 2009-08-31T18:55:12Z | -
updated only | edge/feedrs_atom_relative.xml | 0 | 2003-12-13T18:30:02Z | -
updated only | edge/feedrs_atom_xml_base.xml | 0 | 2022-04-21T00:00:00Z | -
updated only | edge/feedrs_rss_1.0_example_1.xml | 0 | 2017-06-13T09:00:00Z | -
JavaScript Date | real/feeder_rss_nixos.xml | 0 | 2018-10-06T00:00:00Z | -
JavaScript Date | real/feeder_rss_nixos.xml | 1 | 2018-10-04T00:00:00Z | -
JavaScript Date | real/feeder_rss_nixos.xml | 2 | 2018-09-02T00:00:00Z | -
JavaScript Date | real/feeder_rss_nixos.xml | 3 | 2018-08-14T00:00:00Z | -
JavaScript Date | real/feeder_rss_nixos.xml | 4 | 2018-05-21T00:00:00Z | -
JavaScript Date | real/feeder_rss_nixos.xml | 5 | 2018-04-04T00:00:00Z | -
unreadable | malformed/reader_invalid.json | 0 | - | -
ISO without a zone | real/nnw_curt.json | 0 | 2018-01-06T08:00:00Z | -
ISO without a zone | real/nnw_curt.json | 1 | 2017-12-15T08:00:00Z | -
ISO without a zone | real/nnw_curt.json | 2 | 2017-10-27T07:00:00Z | -
ISO without a zone | real/nnw_curt.json | 3 | 2017-09-03T07:00:00Z | -
ISO without a zone | real/nnw_curt.json | 4 | 2017-08-28T07:00:00Z | -
updated after published | real/nnw_curt.json | 11 | 2017-03-19T07:00:00Z | 2017-04-04T07:00:00Z
ISO with a zone | edge/feedrs_jsonfeed_example_1.json | 0 | 2020-01-24T23:46:57Z | -
ISO with a zone | edge/feedrs_jsonfeed_spec_1.json | 0 | 2017-05-17T15:02:12Z | -
ISO with a zone | edge/gofeed_version_json_10.json | 0 | 2019-10-12T07:20:50Z | -
ISO with a zone | edge/gofeed_version_json_11.json | 0 | 2019-10-12T07:20:50Z | -
ISO with a zone | edge/gofeed_version_json_11_deprecated_author.json | 0 | 2019-10-12T07:20:50Z | -
ISO with a zone | edge/reader_full.json | 1 | 2020-01-02T12:00:00Z | -
updated after published | edge/feedrs_jsonfeed_example_1.json | 1 | 2020-01-21T01:07:00Z | 2020-01-21T20:58:36Z
updated after published | edge/reader_full.json | 0 | 2020-01-02T21:00:00Z | 2020-01-04T00:00:00Z
updated after published | real/nnw_3960.json | 1 | 2020-02-10T17:40:04Z | 2020-02-11T07:51:21Z
updated after published | real/nnw_DaringFireball.json | 0 | 2017-06-27T00:54:17Z | 2017-06-27T00:54:20Z
updated after published | real/nnw_pxlnv.json | 0 | 2018-02-13T23:23:12Z | 2018-02-13T23:51:35Z
updated after published | real/nnw_rose.json | 0 | 2018-08-24T05:00:00Z | 2018-08-24T12:55:45Z
RFC 822 with an offset | real/feedrs_jsonfeed_elastic_1.1.json | 0 | 2019-05-31T19:17:58Z | -
RFC 822 with an offset | real/feedrs_jsonfeed_elastic_1.1.json | 1 | 2018-02-06T13:34:12Z | -
RFC 822 in GMT | edge/feedrs_rss_2.0_relurl_2.xml | 0 | 2021-03-17T18:14:23Z | -
RFC 822 in GMT | edge/nfp_category-feed.xml | 0 | 2013-05-05T17:15:11Z | -
RFC 822 in GMT | edge/nfp_mediacontent-dupes.xml | 0 | 2013-02-03T04:13:03Z | -
RFC 822 in GMT | edge/nfp_relative-channel-image-url.xml | 0 | 2012-08-24T08:54:14Z | -
RFC 822 in GMT | edge/nfp_rss2sample.xml | 0 | 2003-06-03T09:39:21Z | -
RFC 822 in GMT | edge/rssp_narro.rss | 0 | 2015-02-20T09:51:15Z | -
RFC 822 in GMT | encodings/mf_no_encoding_ISO-8859-1.xml | 0 | 2018-10-17T10:30:00Z | -
RFC 822 in GMT | encodings/rssp_encoding.rss | 0 | 2018-01-03T13:47:00Z | -
RFC 822 in GMT | real/feeder_rss_lawnchair.xml | 0 | 2022-09-23T18:05:54Z | -
updated after published | edge/rssp_instant-article.rss | 0 | 2016-05-04T06:53:45Z | -
updated after published | real/feeder_rss_theguardian.xml | 0 | 2022-09-23T10:11:21Z | -
updated after published | real/nnw_489.rss | 0 | 2018-11-19T08:10:26Z | 2018-11-19T08:42:59Z
updated after published | real/rssp_content-encoded.rss | 0 | 2018-04-09T18:55:38Z | 2018-04-09T19:39:12Z
updated after published | real/rssp_guardian.rss | 0 | 2018-01-31T07:26:05Z | -
updated after published | real/feeder_rss_theguardian.xml | 1 | 2022-09-23T10:03:09Z | -
RFC 822, local names | encodings/rssp_uolNoticias.rss | 0 | 2018-09-24T22:42:40Z | -
RFC 822, local names | real/feedrs_rss_2.0_ilmessaggero.xml | 0 | 2022-11-15T23:38:15Z | -
RFC 822, local names | encodings/rssp_uolNoticias.rss | 1 | 2018-09-24T22:38:00Z | -
RFC 822, a zone named | edge/rssp_itunes-category.rss | 0 | 2015-11-07T17:00:00Z | -
RFC 822, a zone named | edge/rssp_itunes-keywords.rss | 0 | 2015-11-07T17:00:00Z | -
RFC 822, a zone named | real/feedrs_rss_2.0_nbcny.xml | 0 | 2023-12-16T19:02:33Z | -
RFC 822, a zone named | real/nfp_wapowellness.xml | 0 | 2012-08-21T15:33:00Z | -
RFC 822, a zone named | real/nnw_medscape.rss | 0 | 2025-11-05T18:52:10Z | -
RFC 822, a zone named | real/rssp_giantbomb-podcast.rss | 0 | 2019-10-01T22:30:00Z | -
RFC 822, a zone named | real/rssp_itunes-missing-image.rss | 0 | 2015-11-07T17:00:00Z | -
RFC 822, a zone named | real/nnw_medscape.rss | 1 | 2025-11-05T18:48:21Z | -
RFC 822, a zone named | real/rssp_giantbomb-podcast.rss | 1 | 2019-09-24T22:49:00Z | -
RFC 822 with an offset | edge/feeder_rss_diskuse.xml | 0 | 2020-04-15T14:30:29Z | -
RFC 822 with an offset | edge/feedrs_rss_2.0_relurl_1.xml | 0 | 2021-03-02T22:39:15Z | -
RFC 822 with an offset | edge/nfp_compressed.xml | 0 | 2014-01-22T14:31:31Z | -
RFC 822 with an offset | edge/nfp_rss-with-relative-urls.xml | 0 | 2017-12-07T18:00:29Z | -
RFC 822 with an offset | edge/reader_full.rss | 0 | 2009-09-06T16:20:00Z | -
RFC 822 with an offset | edge/rssp_item-itunes-episodeType.rss | 0 | 2019-11-18T19:14:32Z | -
RFC 822 with an offset | edge/rssp_itunes-href.rss | 0 | 2019-01-07T16:19:19Z | -
RFC 822 with an offset | edge/rssp_itunes-keywords-array.rss | 0 | 2020-03-10T15:05:00Z | -
RFC 822 with an offset | edge/rssp_pagination-links.rss | 0 | 2021-01-21T07:58:00Z | -
RFC 822 with an offset | encodings/feeder_empty_slash_comment.xml | 0 | 2017-12-09T14:44:00Z | -
undated | edge/feedrs_rss_2.0_ghost_1.xml | 0 | - | -
undated | edge/fp_atom10-entry_content_base64.xml | 0 | - | -
undated | edge/fp_atom10-entry_content_inline_markup.xml | 0 | - | -
undated | edge/fp_atom10-entry_id_no_normalization_1.xml | 0 | - | -
undated | edge/fp_atom10-entry_link_rel_enclosure.xml | 0 | - | -
Chinese y/m/d, no zone | encodings/nnw_kc0011.rss | 0 | 2020-01-10T06:33:00Z | -
Chinese y/m/d, no zone | encodings/nnw_kc0011.rss | 1 | 2020-01-10T06:28:00Z | -
Chinese y/m/d, no zone | encodings/nnw_kc0011.rss | 2 | 2020-01-10T06:26:00Z | -
Chinese y/m/d, no zone | encodings/nnw_kc0011.rss | 3 | 2020-01-10T06:26:00Z | -
Chinese y/m/d, no zone | encodings/nnw_kc0011.rss | 4 | 2020-01-10T06:25:00Z | -
Chinese y/m/d, no zone | encodings/nnw_kc0011.rss | 5 | 2020-01-10T06:23:00Z | -
"""  # noqa: E501
LABELS: list[tuple[str, str, int, str, str, bool]] = [
    (kind, name, int(index), published.strip("-"), updated.strip("-"), bool(day))
    for kind, name, index, published, updated, *day in (
        [cell.strip() for cell in line.split("|")] for line in _TABLE.strip().splitlines()
    )
]


def _rss(title: str, date: str, language: str = "", extra: str = "") -> bytes:
    declared = f"<language>{language}</language>" if language else ""
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>T</title>'
        f"<link>https://example.com/</link>{declared}<item><guid>1</guid><title>{title}</title>"
        f"<link>https://example.com/1</link>{date and f'<pubDate>{date}</pubDate>'}{extra}"
        "</item></channel></rss>"
    ).encode()


_JSON_SECONDS = json.dumps(
    {
        "version": "https://jsonfeed.org/version/1.1",
        "title": "T",
        "items": [{"id": "1", "url": "https://example.com/1", "date_published": 1709633400}],
    }
).encode()
# (kind, document, published in UTC or "", day_only)
WRITTEN: list[tuple[str, bytes, str, bool]] = [
    (
        "Chinese 年月日",
        _rss("国务院常务会议部署经济工作", "2024年3月5日 10:30"),
        "2024-03-05T02:30:00Z",
        False,
    ),
    (
        "Chinese 年月日",
        _rss("国务院常务会议部署经济工作", "2024年3月5日", "zh-CN"),
        "2024-03-05T04:00:00Z",
        True,
    ),
    (
        "Chinese 年月日",
        _rss("東京の天気は晴れです", "2024年3月5日 10:30"),
        "2024-03-05T01:30:00Z",
        False,
    ),
    (
        "seconds since 1970",
        _rss("Hello world post", "1709633400", "en"),
        "2024-03-05T10:10:00Z",
        False,
    ),
    (
        "seconds since 1970",
        _rss("Hello world post", "1709633400000", "en"),
        "2024-03-05T10:10:00Z",
        False,
    ),
    ("seconds since 1970", _JSON_SECONDS, "2024-03-05T10:10:00Z", False),
    (
        "RFC 822, local names",
        _rss("Budget beschlossen", "Di, 05 Mär 2024 10:30:00 +0100", "de"),
        "2024-03-05T09:30:00Z",
        False,
    ),
    (
        "RFC 822, local names",
        _rss("Le budget est adopté", "mar., 05 mars 2024 10:30:00 +0100", "fr"),
        "2024-03-05T09:30:00Z",
        False,
    ),
    (
        "RFC 822, local names",
        _rss("El consejo aprueba", "mar, 05 mar 2024 10:30:00 +0100", "es"),
        "2024-03-05T09:30:00Z",
        False,
    ),
    (
        "RFC 822, local names",
        _rss("Совет утвердил бюджет", "Вт, 05 мар 2024 10:30:00 +0300", "ru"),
        "2024-03-05T07:30:00Z",
        False,
    ),
    (
        "ISO without a zone",
        _rss("Neues Budget beschlossen", "2024-03-05T10:30:00", "de"),
        "2024-03-05T09:30:00Z",
        False,
    ),
    (
        "only in the text",
        _rss("A post", "", "en", "<description>Posted on March 5, 2024 at 10:30 AM</description>"),
        "2024-03-05T10:30:00Z",
        False,
    ),
]


@dataclass
class Report:
    right: Counter[str] = field(default_factory=Counter)
    wrong: Counter[str] = field(default_factory=Counter)
    misses: list[str] = field(default_factory=list)

    def table(self) -> str:
        lines = ["| kind | dates | right | wrong |", "|---|--:|--:|--:|"]
        for kind in sorted({*self.right, *self.wrong}, key=lambda k: (k == "all", k)):
            n = self.right[kind] + self.wrong[kind]
            lines.append(f"| {kind} | {n} | {self.right[kind]} | {self.wrong[kind]} |")
        return "\n".join(lines)

    def count(self, kind: str, ok: bool, miss: str) -> None:
        for k in (kind, "all"):
            (self.right if ok else self.wrong)[k] += 1
        if not ok:
            self.misses.append(miss)


def _reading(article: Article) -> tuple[str, str, bool]:
    if not article.dated:
        return "", "", False
    published = article.published.isoformat().replace("+00:00", "Z")
    updated = article.updated.isoformat().replace("+00:00", "Z")
    return published, "" if updated == published else updated, article.day_only


def _article(feed: ParsedFeed, index: int) -> Article:
    """Entry `index`'s article, made with the whole feed around it (its language's zone, whether
    it writes days); matched by id to the article the entry alone makes."""
    alone = normalize(replace(feed, entries=(feed.entries[index],)), SOURCE, now=NOW)[0]
    together = {a.id: a for a in normalize(feed, SOURCE, now=NOW)}
    return together.get(alone.id, alone)


def evaluate() -> Report:
    """Every labelled date read, against its label: the instant, updated, and day_only."""
    report = Report()
    documents: dict[str, ParsedFeed] = {}
    for kind, name, index, published, updated, day_only in LABELS if PRESENT else ():
        if name not in documents:
            documents[name] = parse((CORPUS / name).read_bytes(), url=SOURCE.url, headers={})
        got = _reading(_article(documents[name], index))
        label = (published, updated, day_only)
        report.count(kind, got == label, f"{name}[{index}]: read {got}, label {label}")
    for kind, document, published, day_only in WRITTEN:
        article = normalize(parse(document, url=SOURCE.url, headers={}), SOURCE, now=NOW)[0]
        got = _reading(article)
        label = (published, "", day_only)
        report.count(kind, got == label, f"written {kind}: read {got}, label {label}")
    return report
