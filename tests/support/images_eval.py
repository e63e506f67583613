"""A labelled development set for the lead picture each article gets, by kind of case.

Two entries of every corpus document that offer a picture (or are an episode with artwork), and
one whose logo was chosen, 189 in all, each labelled with the picture a reader should see atop
it (or more than one, when either will do), or none when every picture it offers is a
non-picture: avatars, favicons, logos, 30-, 40- and 72-pixel thumbnails, 4:1 strips, pictures
on the author's machine. Labelled by eye on 2026-12-06, one entry at a time from its markup:
each offered address, its declared size, its alt and its place. Beside them, written podcast
episodes whose own artwork sits next to a small media:thumbnail (none in the corpus).
`bench/images_eval.py` prints the table; `tests/test_images.py` holds its floors. (The
corpus's cases are read from it at run time: nothing is copied.)
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

from aggregator.config import SourceConfig
from aggregator.images import content_images
from aggregator.models import EntryData, ParsedFeed
from aggregator.normalize import _content_base, _content_html, _site_hosts, normalize
from aggregator.parse import parse
from aggregator.sanitize import safe_url
from tests.support.corpus import CORPUS, PRESENT

KINDS = ("feed-named", "in content", "episode", "episode (written)", "none offered")
NOW = datetime(2026, 11, 24, tzinfo=UTC)
SOURCE = SourceConfig(id="s", name="S", url="https://example.com/feed", categories=(), interval=900)

# (corpus file, entry index): how the address of each right picture ends; () for none.
LABELS: dict[tuple[str, int], tuple[str, ...]] = {
    ("edge/feeder_cowboyprogrammer_deleted_middle_atom.xml", 0): ("5y_avg_rates.en.png",),
    ("edge/feedrs_atom_xml_base.xml", 0): ("IMG_1232.jpeg",),
    ("edge/fp_json-example.json", 0): (),
    ("edge/fp_media-rss-media_thumbnail.xml", 0): (),
    ("edge/fp_rss-item_enclosure_multiple.xml", 0): ("example.com/1",),
    ("edge/fp_sanitize-large_atom_feed_that_needs_css_sanitisation.xml", 0): ("protected.gif",),
    ("edge/fp_sanitize-large_atom_feed_that_needs_css_sanitisation.xml", 1): (
        "post-1-1243765219_thumb.jpg",
    ),
    ("edge/gofeed_feed_item_image_-_rss_channel_item_media.xml", 0): ("blog-open.png",),
    ("edge/gofeed_issue_217_enclosure_children.xml", 0): ("enclosure.jpg",),
    ("edge/gofeed_version_json_10.json", 0): ("sample-json-feed.com/image.png",),
    ("edge/gofeed_version_json_11.json", 0): ("sample-json-feed.com/image.png",),
    ("edge/gofeed_version_json_11_deprecated_author.json", 0): ("sample-json-feed.com/image.png",),
    ("edge/nfp_compressed.xml", 0): ("stroitelstvo_krany.jpg",),
    ("edge/nfp_compressed.xml", 1): ("draka_sinyak_3.jpg",),
    ("edge/nfp_mediacontent-dupes.xml", 0): ("article-2272640-174FCEE2000005DC-697_154x115.jpg",),
    ("edge/reader_full.rss", 0): ("enclosure-with-type",),
    ("edge/rssp_gulp-atom.atom", 0): (),
    ("edge/rssp_gulp-atom.atom", 1): (),
    ("edge/rssp_item-itunes-episodeType.rss", 0): ("6fd157b2-442d-4685-b78b-3bac68f0517f.jpg",),
    ("edge/rssp_itunes-keywords-array.rss", 0): (
        "e-afrika-100~_v-1x1@2dXL_-1f32c27c4978132dd0854e53b5ed30e10facc189.jpg",
    ),
    ("edge/rssp_narro.rss", 0): ("someImage.jpg",),
    ("edge/rssp_pagination-links.rss", 0): ("test-image.jpg",),
    ("edge/yarr_rss-enclosure-image.xml", 0): ("example.com/photo.jpg",),
    ("edge/yarr_rss-media-content-thumbnail.xml", 0): ("1092705247_960.jpg",),
    ("edge/yarr_rss-multiple-media.xml", 0): ("to/image1.png",),
    ("encodings/feeder_empty_slash_comment.xml", 0): ("131200-149083-i_rc.jpg",),
    ("encodings/feeder_golem-de.xml", 0): ("131200-149083-i_rc.jpg",),
    ("encodings/feeder_golem-de.xml", 1): ("99045-57584-i_rc.jpg",),
    ("encodings/feeder_rss_golem_2.xml", 0): ("138280-181914-181911_rc.jpg",),
    ("encodings/feeder_rss_golem_2.xml", 1): ("138281-181918-181915_rc.jpg",),
    ("encodings/feedrs_rss_1.0_iso8859.xml", 0): ("171451-364223-364219_rc.jpg",),
    ("encodings/feedrs_rss_2.0_encoding_1.xml", 0): ("010150200813-mini-tela-nanofotonica-3.jpg",),
    ("encodings/fp_encoding_attribute_crash_2.xml", 0): (),
    ("encodings/mf_encoding_ISO-8859-1.xml", 0): ("137358-177541-177538_rc.jpg",),
    ("encodings/mf_encoding_ISO-8859-1.xml", 1): ("137357-177536-177533_rc.jpg",),
    ("encodings/nfp_iconv.xml", 0): ("stroitelstvo_krany.jpg",),
    ("encodings/nfp_iconv.xml", 1): ("draka_sinyak_3.jpg",),
    ("encodings/nnw_kc0011.rss", 0): ("202011014255757825.jpg",),
    ("encodings/nnw_kc0011.rss", 5): ("202011014213676454.jpg",),
    ("encodings/rssp_uolNoticias.rss", 0): ("presidenciaveis-1537211917356_142x100.jpg",),
    ("encodings/rssp_uolNoticias.rss", 2): ("tn_4017f330b2_preapre.jpg",),
    ("real/feeder_atom_cornucopia.xml", 0): ("s640/konj.png",),
    ("real/feeder_atom_cornucopia.xml", 1): (
        "ear_a_burning_oil_well_in_the_Rumaylah_Oil_Fields_in_Southern_Iraq.jpg",
    ),
    ("real/feeder_atom_cowboy.xml", 1): (),
    ("real/feeder_atom_cowboy.xml", 2): (),
    ("real/feeder_atom_research_rsc.xml", 4): (),
    ("real/feeder_atom_research_rsc.xml", 6): ("example.com/pprof.png",),
    ("real/feeder_atom_utdelningsseglaren.xml", 0): ("ho%25CC%2588rlurar.jpg",),
    ("real/feeder_atom_utdelningsseglaren.xml", 1): ("Fo%25CC%2588rstasidan%2BDI.png",),
    ("real/feeder_atom_youtube.xml", 0): ("hqdefault.jpg",),
    ("real/feeder_atom_youtube.xml", 1): ("hqdefault.jpg",),
    ("real/feeder_cowboyprogrammer_feed.json", 0): ("5y_avg_rates.en.png",),
    ("real/feeder_cowboyprogrammer_feed.json", 1): ("gimp_image_mode_index.png",),
    ("real/feeder_openstreetmap.xml", 8): ("Screen-Shot-2021-05-10-at-9-36-22-PM.png",),
    ("real/feeder_rss_anime2you.xml", 0): ("jujutsu-kaisen-6.jpg",),
    ("real/feeder_rss_anime2you.xml", 1): ("one-piece-nami-1.jpg",),
    ("real/feeder_rss_cyklistbloggen.xml", 0): ("Danviksklippan-skyltad.jpg",),
    ("real/feeder_rss_cyklistbloggen.xml", 1): ("dödade-cyklister-1.jpg",),
    ("real/feeder_rss_geekpark.xml", 0): ("ba578c1401858825fa2e4ff71ecf6824.png",),
    ("real/feeder_rss_geekpark.xml", 1): ("0d6ac480d91a8f6bbdf43c8b9f10d51f.png",),
    ("real/feeder_rss_lawnchair.xml", 0): ("media%2FFdW95rCXEAI0XOy.jpg",),
    ("real/feeder_rss_lawnchair.xml", 4): ("media%2FFbhU8QbWAB4igQW.jpg",),
    ("real/feeder_rss_lemonde.xml", 0): (
        "5255112_3_a8dc_martin-fourcade_02be61d126b2da39d977b2e1902c819a.jpg",
    ),
    ("real/feeder_rss_lemonde.xml", 1): (
        "ran-procureur-de-la-republique-de_82fd7091778734ebf0260d79fda9dd62.jpg",
    ),
    ("real/feeder_rss_lineageos.xml", 0): ("lineageos-15.1-hero.png",),
    ("real/feeder_rss_lineageos.xml", 1): ("lineageos-1st-birthday-infographic.png",),
    ("real/feeder_rss_londoner.xml", 0): ("06/chip_2.jpg",),
    ("real/feeder_rss_londoner.xml", 1): ("dsc_5396.jpg",),
    ("real/feeder_rss_mediarss.xml", 0): ("93245691f0e18d063da5fa5cd60fa6de.jpg?size=l",),
    ("real/feeder_rss_mediarss.xml", 1): ("7464b718e5da92b2be23e6dfcbd3ccf7.jpg?size=l",),
    ("real/feeder_rss_morningpaper.xml", 0): ("js-libs-fig-1.jpeg?w=640",),
    ("real/feeder_rss_morningpaper.xml", 1): ("hopfs-fig-1.jpeg?w=640",),
    ("real/feeder_rss_myanimelist.xml", 0): ("1664092688-dd34666e64d7ae624e6e2c70087c181f.jpeg",),
    ("real/feeder_rss_myanimelist.xml", 1): ("1664094149-7003a2d793adb3058043c4506fd847b1.jpeg",),
    ("real/feeder_rss_nixers_newsletter.xml", 7): ("i.imgur.com/9odNCDc.png",),
    ("real/feeder_rss_nixos.xml", 0): (),
    ("real/feeder_rss_nixos.xml", 5): (),
    # "KDE now runs on NixOS" beside KDE's 128×128 logo, linked to kde.org: a name, not a picture.
    ("real/feeder_rss_nixos.xml", 83): (),
    ("real/feeder_rss_peertube.xml", 0): ("ed5c048d-01f3-4ceb-97db-6e278de512b0.jpg",),
    ("real/feeder_rss_peertube.xml", 1): ("fec25007-be8e-4e65-b461-40ce435179ec.jpg",),
    ("real/feeder_rss_theguardian.xml", 0): (
        "=460&quality=85&auto=format&fit=max&s=919d72fef6d4f3469aff69e94964126c",
    ),
    ("real/feeder_rss_theguardian.xml", 1): (
        "=460&quality=85&auto=format&fit=max&s=7b7739ad6767ab4b9ca1e2deafd32ebc",
    ),
    ("real/feeder_rss_ukrnet.xml", 6): ("e367c2c5b131946e.jpg",),
    ("real/feeder_rss_ukrnet.xml", 14): ("b07ebe8a5965fe8a.jpeg",),
    ("real/feedrs_atom_mediarss_newscred_1.xml", 0): (
        "Zz1hNjRiMWFjMzdhYWIzNTEwNjk2YjIzYjc5NWQxNWFlMA==/.jpeg",
    ),
    ("real/feedrs_atom_mediarss_reddit_1.xml", 23): (
        "_MXt-0n8VXQc-EQ7Q0vFioALFWFITAgVWu4Wf8dThhU.jpg",
    ),
    ("real/feedrs_atom_mediarss_youtube_1.xml", 0): ("hqdefault.jpg",),
    ("real/feedrs_rss_2.0_anchorfm.xml", 0): ("23591441-1649013735716-25c2d16df92e8.jpg",),
    ("real/feedrs_rss_2.0_bbc.xml", 0): ("p087hyhs.jpg",),
    ("real/feedrs_rss_2.0_ch9.xml", 0): ("azfr663_960.jpg",),
    ("real/feedrs_rss_2.0_cloudflare.xml", 0): ("image6-15.png",),
    ("real/feedrs_rss_2.0_element_io.xml", 0): ("Element.io-Redesign-v1.2.png",),
    ("real/feedrs_rss_2.0_ghost_2.xml", 0): ("email-without-publishing.png",),
    ("real/feedrs_rss_2.0_heated.xml", 0): (
        "Fpublic%2Fimages%2Fc3a98cc3-73ff-48f8-a8bb-7b71d3211fb6_3024x4032.jpeg",
    ),
    ("real/feedrs_rss_2.0_ilgiornale.xml", 0): (
        "1664568527-schermata-2022-09-30-214250.jpg?_=1664568527",
    ),
    ("real/feedrs_rss_2.0_ilmessaggero.xml", 0): ("7054869_16003922_missili_polonia_1_.jpg",),
    ("real/feedrs_rss_2.0_nightvale.xml", 0): ("nightvalelogo_web4.jpg",),
    ("real/feedrs_rss_2.0_rps.xml", 0): ("the-sunday-papers-big.jpg",),
    ("real/feedrs_rss_2.0_spiegel.xml", 0): ("image.jpg?t=1589902935&size=Large",),
    ("real/feedrs_rss_2.0_spreaker.xml", 0): ("0dcd53afca70854beb456079fa25d3f1.jpg",),
    ("real/feedrs_rss_2.0_vimeo_media.xml", 0): (
        "ea51f2799c4a4a4e058ed673e5587a0449778336fb866fad28a1ef7703a848dc-d_960",
    ),
    ("real/feedrs_rss_2.0_wirecutter.xml", 0): (
        "toteachboardgames-2048px-9549-3x2-1.jpg?auto=webp&quality=60&width=630",
    ),
    ("real/mf_large_atom.xml", 13): ("netra_ingrats.jpg",),
    ("real/mf_large_atom.xml", 15): ("locksport.png",),
    ("real/mf_large_rss.xml", 13): ("netra_ingrats.jpg",),
    ("real/mf_large_rss.xml", 15): ("locksport.png",),
    ("real/mf_small_atom.xml", 0): (),
    ("real/mf_small_atom.xml", 1): (),
    ("real/mf_urdu_UTF8.xml", 0): ("_99478824_gettyimages-856735580.jpg",),
    ("real/mf_urdu_UTF8.xml", 1): ("_99550908_3f6467e7-5086-43e5-9c31-918be66a17ad.jpg",),
    ("real/nfp_tpm.atom", 5): ("Screen-Shot-2017-11-08-at-3.43.12-PM-804x501-874f980.png",),
    ("real/nfp_tpm.atom", 16): ("joyce-craig-804x518-c5107ef.jpg",),
    ("real/nnw_3960.json", 0): (),
    ("real/nnw_3960.json", 1): (),
    ("real/nnw_489.rss", 3): ("1*T4YcnmS72gYkOBPYIWv5pg.png",),
    ("real/nnw_489.rss", 4): ("1*fKGPumd7UGnsqnLjV54iZg.png",),
    ("real/nnw_EMarley.rss", 2): ("1*9TewpOfYBlH8kDIbZmlWDA.jpeg",),
    ("real/nnw_EMarley.rss", 9): ("1*aTkSAe_3uz1xVtnszIL-Og.jpeg",),
    ("real/nnw_KatieFloyd.rss", 0): ("1471987830419/?format=1000w",),
    ("real/nnw_KatieFloyd.rss", 6): ("1470586271349/?format=1000w",),
    ("real/nnw_OneFootTsunami.atom", 3): ("swamthecharles.jpg",),
    ("real/nnw_OneFootTsunami.atom", 6): ("20150831bittenboard.jpg",),
    ("real/nnw_aktuality.rss", 0): (
        "20.jpg?t=LzE1OHgxMDYvc21hcnQ&h=OcgUSVfIJOH9QPOW-nqQxQ&e=2145916800&v=3",
    ),
    ("real/nnw_aktuality.rss", 1): (
        "ci.jpg?t=LzE1OHgxMDYvc21hcnQ&h=o5WAHblMYtS3LhTEGJqP5w&e=2145916800&v=2",
    ),
    ("real/nnw_allthis.atom", 0): ("20171123-Safari%20File%20menu.png",),
    ("real/nnw_allthis.atom", 2): ("20171119-Canonical%20Mac%20modifier%20key%20order.png",),
    ("real/nnw_allthis.json", 0): ("20171123-Safari%20File%20menu.png",),
    ("real/nnw_allthis.json", 2): ("20171119-Canonical%20Mac%20modifier%20key%20order.png",),
    ("real/nnw_atp.rss", 0): ("1500w/Artwork.jpg",),
    ("real/nnw_atp.rss", 1): ("1500w/Artwork.jpg",),
    ("real/nnw_cloudblog.rss", 0): ("shadow_IT.max-600x600.png",),
    ("real/nnw_cloudblog.rss", 1): ("Last_Month_Today_Aug19.max-600x600.jpg",),
    ("real/nnw_curt.json", 8): ("integrating-micro-blog-map.png",),
    ("real/nnw_curt.json", 9): ("fontsWithStyle-samples-default.jpg",),
    ("real/nnw_dcrainmaker.xml", 0): ("TheBigSale-720x479.png",),
    ("real/nnw_dcrainmaker.xml", 1): ("PowerMeterBuyersGuide2017-720x470.png",),
    ("real/nnw_donthitsave.xml", 0): ("dhs_2019-05-24_skipping-around.png",),
    ("real/nnw_donthitsave.xml", 1): ("dhs_2019-05-17_budgets.png",),
    ("real/nnw_draw-down.atom", 0): (
        "RevueFaire_no.56_ReadingUntilISleepManuelRaeder.jpg?v=1778874818",
    ),
    ("real/nnw_draw-down.atom", 1): ("ALineWhichFormsaVolume8.jpg?v=1775424142",),
    ("real/nnw_expertopinionent.atom", 42): ("6a017d3e79c482970c017eea56dccb970d-800wi",),
    ("real/nnw_inessential.json", 3): (),
    ("real/nnw_macworld.rss", 0): ("best-smart-locks-100730768-medium.jpg",),
    ("real/nnw_macworld.rss", 1): ("ios-11-ipad-iphone-100740804-large.3x2.jpg",),
    ("real/nnw_markdown1.rss", 4): ("10/matt.jpg",),
    # An app's announcement: its 256-px icon or its screenshot, either.
    ("real/nnw_monkeydom.rss", 0): ("PortMapAppIcon-512.png", "PortMapApp-Screenshot.png"),
    ("real/nnw_natasha.xml", 0): ("Screen-Shot-2017-07-07-at-12.35.13-PM.png",),
    ("real/nnw_natasha.xml", 3): ("Simulator_Screen_Shot_Mar_23__2017__12_44_22_PM.png",),
    ("real/nnw_neverworkintheory.atom", 1): ("zhou-shurui.png",),
    ("real/nnw_neverworkintheory.atom", 2): ("zeller-andreas.jpg",),
    ("real/nnw_pappacoda.atom", 2): ("c_su_windows_visual_studio_componenti.png",),
    ("real/nnw_phpxml.rss", 0): ("100/scheids.jpg",),
    # A club's news: each item's only picture, <img class=nieuws src=…_tn.jpg>, a photo of the
    # player it is about; the rule against thumb-named pictures in the text refuses it.
    ("real/nnw_phpxml.rss", 1): ("timber_tn.jpg",),
    ("real/nnw_root-author.atom", 0): ("rawpower-ui.png",),
    ("real/nnw_root-author.atom", 1): ("game-setup-screen.png",),
    ("real/nnw_rose.json", 0): (
        "1265115719ecc02bac67637b4-workflow-add-task-sub-tasks-to-omnifocus.png",
    ),
    ("real/nnw_rose.json", 2): ("079536e0ba319550ca3828263e3715883b2cbe5c-artwork.jpeg",),
    ("real/nnw_russcox.atom", 0): ("example.com/tlog-16.png",),
    ("real/nnw_russcox.atom", 1): (),
    ("real/nnw_scriptingNews.rss", 13): ("25/humor.png",),
    ("real/nnw_scriptingNews.rss", 24): ("24/spicer.png",),
    ("real/nnw_theomnishow.rss", 0): ("omnishow-cover-1x3000.jpg",),
    ("real/nnw_theomnishow.rss", 1): ("omnishow-cover-1x3000.jpg",),
    ("real/nnw_yakubin.atom", 2): ("canon-eos-5d-mark-iv-top.jpg",),
    ("real/nnw_yakubin.atom", 3): ("hilbert-matrix-rel-error.png",),
    ("real/rssp_atom-customfields.atom", 0): ("hqdefault.jpg",),
    ("real/rssp_atom-customfields.atom", 1): ("hqdefault.jpg",),
    ("real/rssp_content-encoded.rss", 0): ("1*C_nVpehD-NKBgtVEULabmQ.jpeg",),
    ("real/rssp_content-encoded.rss", 1): ("1*xltRxddhKmHSi9kqSSXAMQ.jpeg",),
    ("real/rssp_customfields.rss", 0): ("isuzu.gif?itok=AXklH9Sp",),
    ("real/rssp_customfields.rss", 1): ("career-development_0.jpg?itok=IyQiaHS4",),
    ("real/rssp_feedburner.atom", 0): (),
    ("real/rssp_feedburner.atom", 1): (),
    ("real/rssp_giantbomb-podcast.rss", 0): ("3132120-mspac-marquee-full.jpg?20191008",),
    ("real/rssp_giantbomb-podcast.rss", 1): ("3130741-number1.jpg?20191008",),
    ("real/rssp_guardian.rss", 0): (
        "460&q=55&auto=format&usm=12&fit=max&s=a606a273a90104e57b1e09bc4c0a1e11",
    ),
    ("real/rssp_guardian.rss", 1): (
        "460&q=55&auto=format&usm=12&fit=max&s=a215dbff94114679b56be38cf60f5611",
    ),
    ("real/rssp_heise.atom", 0): (
        "wildfly-2bf4ffd2935e38b6-90200def80b152e9-5ba35d3770232d92.jpeg",
    ),
    ("real/rssp_heise.atom", 1): ("header_scrumday_01-e4ef3375d4c003c4.jpeg",),
    ("real/rssp_itunes-keywords-astext.rss", 0): (
        "chologie-104~_v-1x1@2dXL_-1f32c27c4978132dd0854e53b5ed30e10facc189.jpg",
    ),
    ("real/rssp_itunes-keywords-astext.rss", 1): (
        "ntenclub-102~_v-1x1@2dXL_-1f32c27c4978132dd0854e53b5ed30e10facc189.jpg",
    ),
    ("real/rssp_many-links.rss", 8): ("Copy_of0.png",),
    ("real/rssp_many-links.rss", 9): ("Copy_of0.png",),
    ("real/rssp_reddit-atom.rss", 0): ("l50PUpLyyNMLwFrYMuCb3kwlDaq3k1Pwo5YhsdAz2jU.jpg",),
    ("real/rssp_reddit-atom.rss", 1): ("87QOWtbdf3hgDiMhBMTdEbfs7HJX0G3OgdgCO6Yeyso.jpg",),
    ("real/rssp_reddit-home.rss", 0): ("kfC3dt3PSrxdzzY44NAXXiS59AyPN3fM7202Bb3tT88.jpg",),
    ("real/rssp_reddit-home.rss", 1): ("VZEJH5kghDN71EcinI_I7V-yKgvP6uUkjTroj9eCHFM.jpg",),
    ("real/rssp_reddit.rss", 0): ("z4zzFBqZ54WT-rFfKXVor4EraZtJVw7AodDvOZ7kitQ.jpg",),
    ("real/rssp_reddit.rss", 2): ("tw1ncVqsrvR_pH9U8ZLz1cSiSCVGOKrch4PAc2WSIUI.jpg",),
}

# Written podcast episodes: (the item's picture elements, the channel's, the picture wanted).
_THUMB = '<media:thumbnail url="https://show.example/t.jpg" width="72" height="72"/>'
_ART = '<itunes:image href="https://show.example/art.jpg"/>'
_SHOW = '<itunes:image href="https://show.example/show.jpg"/>'
_BIG = '<media:thumbnail url="https://show.example/big.jpg" width="600" height="600"/>'
WRITTEN = (
    (_THUMB + _ART, "", "https://show.example/art.jpg"),
    (_ART + _THUMB, "", "https://show.example/art.jpg"),
    (_THUMB, _SHOW, "https://show.example/show.jpg"),
    (_THUMB + _ART, _SHOW, "https://show.example/art.jpg"),
    (_BIG + _ART, _SHOW, "https://show.example/big.jpg"),
)

# The kinds of non-picture an entry offers beside its picture, by address, then by size.
_NEGATIVES = (
    ("avatar", re.compile(r"avatar|gravatar|/profile_images/", re.I)),
    ("icon", re.compile(r"favicon|[-_/.]icons?[-_./\d]|\.svg|\.ico", re.I)),
    ("logo", re.compile(r"logo", re.I)),
    ("tracker", re.compile(r"1x1\.|pixel|/p\.php|pheedo|feedburner", re.I)),
    ("share button, badge or ad", re.compile(r"share|twitter|facebook|badge|/ads?/|468-60", re.I)),
    ("emoji", re.compile(r"emoji|smil", re.I)),
)


def negative_kind(url: str, width: int | None, height: int | None) -> str:
    """The kind of non-picture `url` looks like ("small", "strip"…), or "" for none known."""
    for kind, pattern in _NEGATIVES:
        if pattern.search(url):
            return kind
    if (width and width < 100) or (height and height < 80):
        return "small"
    if re.search(r"/s\d{2}-c/|[?&]s=\d\d(?:&|$)|width=75", url):
        return "small"
    if width and height and max(width, height) > 4 * min(width, height):
        return "strip"
    return "on the author's machine" if "localhost" in url else ""


@dataclass
class Report:
    n: Counter[str] = field(default_factory=Counter)
    with_picture: Counter[str] = field(default_factory=Counter)
    chosen: Counter[str] = field(default_factory=Counter)
    right: Counter[str] = field(default_factory=Counter)
    offered: Counter[str] = field(default_factory=Counter)  # non-pictures by kind
    taken: Counter[str] = field(default_factory=Counter)  # of them, chosen
    misses: list[str] = field(default_factory=list)

    def precision(self, kind: str) -> float:
        return self.right[kind] / self.chosen[kind] if self.chosen[kind] else 1.0

    def recall(self, kind: str) -> float:
        return self.right[kind] / self.with_picture[kind] if self.with_picture[kind] else 1.0

    def count(self, kind: str, chosen: str, right: bool, has_picture: bool) -> None:
        for k in (kind, "all"):
            self.n[k] += 1
            self.with_picture[k] += has_picture
            self.chosen[k] += bool(chosen)
            self.right[k] += right

    def table(self) -> str:
        lines = [
            "| kind | entries | with a picture | chosen | right | precision | recall |",
            "|---|--:|--:|--:|--:|--:|--:|",
        ]
        for k in (*KINDS, "all"):
            lines.append(
                f"| {k} | {self.n[k]} | {self.with_picture[k]} | {self.chosen[k]}"
                f" | {self.right[k]} | {self.precision(k):.3f} | {self.recall(k):.3f} |"
            )
        lines += ["", "| non-picture offered | offered | chosen |", "|---|--:|--:|"]
        for k, n in self.offered.most_common():
            lines.append(f"| {k} | {n} | {self.taken[k]} |")
        return "\n".join(lines)


Offered = list[tuple[str, int | None, int | None]]


def _offered(entry: EntryData, article_url: str, feed: ParsedFeed) -> Offered:
    """Every picture the entry offers, with its declared size: the feed's, then its text's."""
    found: Offered = [(i.url, i.width, i.height) for i in entry.images]
    named = [entry.thumbnail, entry.artwork]
    named += [x.url for x in entry.enclosures if x.type.startswith("image/")]
    found += [(u, None, None) for u in named if u]
    found = [(safe_url(u, feed.base_url), w, h) for u, w, h in found]
    base = _content_base(entry, article_url, feed.base_url, _site_hosts(feed, SOURCE))
    found += [(c.url, c.width, c.height) for c in content_images(_content_html(entry, base))]
    return found


def _kind(entry: EntryData, feed: ParsedFeed, rights: set[str]) -> str:
    if any(x.type.startswith(("audio/", "video/")) for x in entry.enclosures):
        return "episode"
    if not rights:
        return "none offered"
    named = {safe_url(u, feed.base_url) for u in (entry.thumbnail, entry.artwork) if u}
    named |= {safe_url(i.url, feed.base_url) for i in entry.images}
    return "feed-named" if rights & named else "in content"


def evaluate() -> Report:
    """Every case's lead picture, against its label; the non-pictures offered beside it."""
    report = Report()
    documents: dict[str, ParsedFeed] = {}
    for (name, index), tails in LABELS.items() if PRESENT else ():
        if name not in documents:
            documents[name] = parse((CORPUS / name).read_bytes(), url=SOURCE.url, headers={})
        feed = documents[name]
        entry = feed.entries[index]
        article = normalize(replace(feed, entries=(entry,)), SOURCE, now=NOW)[0]
        chosen = article.thumbnail
        offered = _offered(entry, article.url, feed)
        rights = {u for u, _, _ in offered if tails and u.endswith(tails)}
        right = bool(chosen and tails and chosen.endswith(tails))
        report.count(_kind(entry, feed, rights), chosen, right, bool(tails))
        if right != bool(tails) or (chosen and not right):
            report.misses.append(f"{name}[{index}]: chose {chosen!r}, want one ending {tails}")
        for url, width, height in {o[0]: o for o in offered}.values():
            if url not in rights and (k := negative_kind(url, width, height)):
                report.offered[k] += 1
                report.taken[k] += url == chosen
    for item, channel, wanted in WRITTEN:
        feed = parse(_episode(item, channel), url="https://show.example/feed", headers={})
        chosen = normalize(feed, SOURCE, now=NOW)[0].thumbnail
        report.count("episode (written)", chosen, chosen == wanted, True)
        report.offered["small"] += 1
        report.taken["small"] += chosen.endswith("/t.jpg")
        if chosen != wanted:
            report.misses.append(f"written {item[:30]}…: chose {chosen!r}, want {wanted!r}")
    return report


def _episode(item: str, channel: str) -> bytes:
    return (
        '<rss version="2.0" xmlns:media="http://search.yahoo.com/mrss/"'
        ' xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd"><channel><title>T</title>'
        f"<link>https://show.example/</link>{channel}<item><guid>1</guid><title>E</title>"
        "<link>https://show.example/1</link><description>Talk.</description>"
        '<enclosure url="https://show.example/1.mp3" type="audio/mpeg" length="1"/>'
        f"{item}</item></channel></rss>"
    ).encode()
