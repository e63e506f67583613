/*
 * Aggregator embed: lists our newest articles inside a partner's page.
 *
 *   <div data-aggregator-category="world" data-limit="5"></div>
 *   <script src="https://our.site/embed.js" async></script>
 *
 * Options on the div: data-aggregator-category (a category slug, or "all"), data-limit (1-50,
 * default 10), data-images="1" to show thumbnails. Whatever the div holds (say, a plain link to
 * our site) stays there until the list has loaded, so it is also the fallback without JavaScript.
 *
 * It fetches our JSON Feed cross-origin and builds the list with createElement, textContent and
 * setAttribute only: nothing from the feed is ever parsed as HTML, and only http(s) links and
 * images are used. It also sizes our /embed/<slug> iframes on the page to their content (they
 * post their height). A div added to the page later (a single-page app) is filled when it
 * appears, and one whose options change is loaded again; divs and iframes in a web component's
 * open shadow root are found too. No dependencies; two global flags so
 * the listener and the observer are added once.
 */
(function () {
  "use strict";

  var MAX_LIMIT = 50;
  var DEFAULT_LIMIT = 10;

  // Our base URL comes from this script's own src. document.currentScript is set while a classic
  // script runs, async included; the fallback covers browsers or loaders that leave it null.
  function scriptBase() {
    var script = document.currentScript;
    if (!script || !script.src) {
      var scripts = document.querySelectorAll("script[src]");
      for (var i = scripts.length - 1; i >= 0; i--) {
        if (/\/embed\.js(?:[?#].*)?$/.test(scripts[i].src)) {
          script = scripts[i];
          break;
        }
      }
    }
    if (!script || !script.src) {
      return null;
    }
    var url = new URL(script.src, document.baseURI);
    return url.origin + url.pathname.replace(/\/embed\.js$/, "");
  }

  function httpUrl(value) {
    if (typeof value !== "string" || value === "") {
      return null;
    }
    try {
      var url = new URL(value);
      return url.protocol === "http:" || url.protocol === "https:" ? url.href : null;
    } catch (e) {
      return null;
    }
  }

  function text(value) {
    return typeof value === "string" ? value : "";
  }

  function limitOf(div) {
    var n = parseInt(div.getAttribute("data-limit") || "", 10);
    if (isNaN(n)) {
      return DEFAULT_LIMIT;
    }
    return Math.min(Math.max(n, 1), MAX_LIMIT);
  }

  // The limits our feeds keep rendered (aggregator/web/feeds.py, CACHED_LIMITS): any other is
  // rendered for every request, so the list asks for the next of these and shows its own count.
  var CACHED_LIMITS = [5, 10, 20, 25, 50];

  function feedUrl(base, slug, limit) {
    var path = slug === "all" ? "/feed.json" : "/c/" + encodeURIComponent(slug) + "/feed.json";
    for (var i = 0; i < CACHED_LIMITS.length; i++) {
      if (CACHED_LIMITS[i] >= limit) {
        return base + path + "?limit=" + CACHED_LIMITS[i];
      }
    }
    return base + path + "?limit=" + limit;
  }

  // An Intl formatter in `lang`, else the browser's own (a page's lang="en_US" is no locale to
  // Intl, which throws).
  function formatter(Kind, lang, options) {
    try {
      return new Kind(lang || undefined, options);
    } catch (e) {
      return new Kind(undefined, options);
    }
  }

  // "2005-12-27" as the pages write a day ("Dec 27, 2005"); "" when it is no such date.
  function dayOf(date, lang) {
    var when = /^\d{4}-\d{2}-\d{2}$/.test(date) ? Date.parse(date + "T12:00:00Z") : NaN;
    if (isNaN(when) || typeof Intl === "undefined") {
      return "";
    }
    var options = { year: "numeric", month: "short", day: "numeric", timeZone: "UTC" };
    return formatter(Intl.DateTimeFormat, lang, options).format(when);
  }

  // As the pages and the iframe write a time: "5 minutes ago", "yesterday", and from a week
  // back its date ("Dec 17, 2020"), not "6 years ago".
  function relativeTime(iso, lang) {
    var when = Date.parse(iso);
    if (isNaN(when) || typeof Intl === "undefined" || !Intl.RelativeTimeFormat) {
      return "";
    }
    var seconds = Math.round((when - Date.now()) / 1000);
    if (Math.abs(seconds) >= 7 * 86400) {
      var date = { year: "numeric", month: "short", day: "numeric" };
      return formatter(Intl.DateTimeFormat, lang, date).format(when);
    }
    var units = [
      ["day", 86400],
      ["hour", 3600],
      ["minute", 60],
    ];
    var format = formatter(Intl.RelativeTimeFormat, lang, { numeric: "auto" });
    for (var i = 0; i < units.length; i++) {
      if (Math.abs(seconds) >= units[i][1]) {
        return format.format(Math.round(seconds / units[i][1]), units[i][0]);
      }
    }
    return format.format(0, "minute");
  }

  // As the pages and the iframe decide (aggregator/web/pages.py, _rtl_test): "ar", "he-IL",
  // "ku-Arab" are written right to left.
  var RTL_LANGUAGES = ["ar", "he", "iw", "fa", "ur", "yi", "ps", "dv", "sd", "ug", "ckb"];
  var RTL_SCRIPTS = ["arab", "hebr", "thaa", "syrc", "nkoo", "adlm", "rohg"];

  function rightToLeft(tag) {
    var subtags = tag.toLowerCase().split("-");
    for (var i = 1; i < subtags.length; i++) {
      if (subtags[i].length === 4) {
        return RTL_SCRIPTS.indexOf(subtags[i]) >= 0;
      }
    }
    return RTL_LANGUAGES.indexOf(subtags[0]) >= 0;
  }

  var RTL_LETTER = /[\u0590-\u05ff\u0620-\u065f\u066e-\u06d3\u06fa-\u08ff\ufb1d-\ufdff\ufe70-\ufefc]/;
  var UNCASED_LETTER = /[\u0900-\u0eff\u1100-\u11ff\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]/;

  // Whether a title runs the other way than its article's language: "Super Market", the
  // English title of a Persian post, whose language was read from its body. As the pages
  // decide by script (aggregator/language.py, fits_script), by direction only: at least 8
  // letters, under a quarter of them in the language's direction.
  function otherDirection(title, rtl) {
    var letters = 0;
    var rtlLetters = 0;
    for (var i = 0; i < title.length && i < 240; i++) {
      var ch = title.charAt(i);
      if (RTL_LETTER.test(ch)) {
        letters++;
        rtlLetters++;
      } else if (ch.toLowerCase() !== ch.toUpperCase() || UNCASED_LETTER.test(ch)) {
        letters++;
      }
    }
    var own = rtl ? rtlLetters : letters - rtlLetters;
    return letters >= 8 && own * 4 < letters;
  }

  // A story's sources (its own, then our "_story.also"'s), credited to all as our cards are:
  // a name needs no translation. The first MAX_NAMES, then "+N" for the rest.
  var MAX_NAMES = 3;

  // Each with its name's language ("_source.language", each "also" one's "source_language"):
  // "" where the feed gives none.
  function sourcesOf(entry, own, ownLanguage) {
    var names = [own];
    var languages = [ownLanguage];
    var story = entry._story && typeof entry._story === "object" ? entry._story : null;
    var also = story && Array.isArray(story.also) ? story.also : [];
    for (var i = 0; i < also.length; i++) {
      var other = also[i] && typeof also[i] === "object" ? also[i] : {};
      var name = text(other.source);
      if (name && names.indexOf(name) < 0) {
        names.push(name);
        languages.push(text(other.source_language));
      }
    }
    return { names: names, languages: languages };
  }

  // The names joined the page's way ("A, B, C"; "A、B、C"), each isolated: a right-to-left name
  // ("BBC اردو") took the time's number into its run.
  // `sources`: sourcesOf's names and their languages (given where a name is written in its
  // article's language, or in the one its source's articles were in when last read).
  function appendSources(meta, sources, lang) {
    var names = sources.names;
    var shown = names.slice(0, MAX_NAMES);
    var parts = shown.map(function (name) {
      return { type: "element", value: name };
    });
    if (shown.length > 1 && typeof Intl !== "undefined" && Intl.ListFormat) {
      var list = formatter(Intl.ListFormat, lang, { style: "short", type: "unit" });
      parts = list.formatToParts(shown);
    } else if (shown.length > 1) {
      parts = [];
      for (var i = 0; i < shown.length; i++) {
        parts.push({ type: "literal", value: i ? ", " : "" }, { type: "element", value: shown[i] });
      }
    }
    for (var j = 0; j < parts.length; j++) {
      if (parts[j].type === "element") {
        var name = document.createElement("bdi");
        name.className = "aggregator-embed-source";
        name.textContent = parts[j].value;
        var language = sources.languages[names.indexOf(parts[j].value)] || "";
        if (language && language.toLowerCase() !== lang.toLowerCase()) {
          name.setAttribute("lang", language);
        }
        meta.appendChild(name);
      } else if (parts[j].value) {
        meta.appendChild(document.createTextNode(parts[j].value));
      }
    }
    if (names.length > shown.length) {
      meta.appendChild(document.createTextNode(" +" + (names.length - shown.length)));
    }
  }

  function item(entry, lang, images, feedLanguage) {
    var href = httpUrl(entry.url);
    var title = text(entry.title) || text(entry.summary);
    if (!href || !title) {
      return null;
    }
    var li = document.createElement("li");
    li.className = "aggregator-embed-item";
    var image = images ? httpUrl(entry.image) : null;
    if (image && image.indexOf("http:") === 0 && window.location.protocol === "https:") {
      // On an https page, as browsers upgrade a mixed-content picture themselves; a partner's
      // policy of `img-src https:` refused it first (a quarter of a corpus's thumbnails).
      image = "https:" + image.slice(5);
    }
    if (image) {
      var img = document.createElement("img");
      img.className = "aggregator-embed-thumb";
      img.setAttribute("src", image);
      img.setAttribute("alt", "");
      img.setAttribute("loading", "lazy");
      img.setAttribute("referrerpolicy", "no-referrer"); // (as our pages' pictures)
      // Never wider than the list: a feed's 2,000-pixel picture pushed the partner's column.
      // (Set through CSSOM, which a partner's style-src does not block; its CSS sets the size.)
      img.style.maxWidth = "100%";
      img.style.height = "auto";
      // A picture that fails to load is taken away, not shown as the broken-image icon.
      img.addEventListener("error", function () {
        this.remove();
      });
      li.appendChild(img);
    }
    var link = document.createElement("a");
    link.className = "aggregator-embed-link";
    link.setAttribute("href", href);
    link.setAttribute("target", "_blank");
    link.setAttribute("rel", "noopener");
    link.textContent = title;
    // The article's language on its title only, not on our source name and time beside it;
    // else the feed's; else unknown (lang=""), not the partner page's own, which would have
    // read an English title with a Chinese voice and hyphenation.
    var language = text(entry.language) || feedLanguage;
    if (language && otherDirection(title, rightToLeft(language))) {
      language = ""; // not its article's: unknown, laid out by its letters
    }
    link.setAttribute("lang", language);
    // Unknown: the direction of its first letters (an Arabic title on an English page).
    link.setAttribute("dir", language ? (rightToLeft(language) ? "rtl" : "ltr") : "auto");
    li.appendChild(link);

    var meta = document.createElement("span");
    meta.className = "aggregator-embed-meta";
    var from = entry._source && typeof entry._source === "object" ? entry._source : {};
    var source = text(from.title);
    // A day the source gave without a time (our "_day_only"): that day, as the pages show it,
    // not "5 hours ago" of an hour we made up (its noon).
    var day = entry._day_only && typeof entry._day_only === "object" ? text(entry._day_only.date) : "";
    var shownDay = day ? dayOf(day, lang) : "";
    var when = shownDay || relativeTime(text(entry.date_published), lang);
    if (source) {
      // (A Korean name with no lang was read with the page's English voice, and a Japanese one
      // drawn with Chinese glyphs.)
      appendSources(meta, sourcesOf(entry, source, text(from.language)), lang);
    }
    if (when) {
      var time = document.createElement("time");
      time.setAttribute("datetime", shownDay ? day : text(entry.date_published));
      time.textContent = when;
      if (source) {
        meta.appendChild(document.createTextNode(" · "));
      }
      meta.appendChild(time);
    }
    if (meta.childNodes.length) {
      li.appendChild(document.createTextNode(" "));
      li.appendChild(meta);
    }
    return li;
  }

  // A title running the other way than its item (an Arabic title on an English page) is a block
  // of its own, so its wrapped lines line up on its own side: an inline link's lines are
  // aligned as the item's, and an Arabic title's last line began at the left. It is aligned to
  // its own start when it would take the item's side: Firefox computes an <li>'s text-align
  // (match-parent) as "left" in a left-to-right list, which the block inherited. Known once the
  // list is in the page (dir="auto" is its letters'); a title running the item's way stays as
  // the partner styles it, and so does one the partner's CSS makes other than inline or aligns
  // otherwise (centred).
  function ownSides(list) {
    var links = list.querySelectorAll("a.aggregator-embed-link");
    for (var i = 0; i < links.length; i++) {
      var style = window.getComputedStyle(links[i]);
      var around = window.getComputedStyle(links[i].parentNode);
      if (style.direction === around.direction) {
        continue;
      }
      if (style.display === "inline") {
        links[i].style.display = "block";
      }
      if (style.textAlign === (style.direction === "rtl" ? "left" : "right")) {
        links[i].style.textAlign = "start";
      }
    }
  }

  function render(div, feed) {
    // Our words (the times) in the language of the page they stand in, else the feed's.
    var lang = document.documentElement.lang || text(feed.language) || "";
    var images = div.getAttribute("data-images") === "1";
    var list = document.createElement("ul");
    list.className = "aggregator-embed-list";
    var entries = Array.isArray(feed.items) ? feed.items : [];
    for (var i = 0; i < entries.length && i < limitOf(div); i++) {
      var entry = entries[i] && typeof entries[i] === "object" ? entries[i] : null;
      var li = entry ? item(entry, lang, images, text(feed.language)) : null;
      if (li) {
        list.appendChild(li);
      }
    }
    while (div.firstChild) {
      div.removeChild(div.firstChild);
    }
    div.appendChild(list);
    ownSides(list);
    var home = httpUrl(feed.home_page_url);
    if (home) {
      var more = document.createElement("a");
      more.className = "aggregator-embed-more";
      more.setAttribute("href", home);
      more.setAttribute("target", "_blank");
      more.setAttribute("rel", "noopener");
      more.textContent = text(feed.title) || home;
      div.appendChild(more);
    }
    div.setAttribute("data-aggregator-state", "ready");
  }

  function load(div, base) {
    var slug = div.getAttribute("data-aggregator-category") || "all";
    var ticket = {}; // the div's latest load: one its options changed during wins over this one
    div.__aggregatorLoad = ticket;
    div.setAttribute("data-aggregator-state", "loading");
    fetch(feedUrl(base, slug, limitOf(div)), { credentials: "omit", mode: "cors" })
      .then(function (response) {
        if (!response.ok) {
          throw new Error("HTTP " + response.status);
        }
        return response.json();
      })
      .then(function (feed) {
        if (div.__aggregatorLoad === ticket) {
          render(div, feed);
        }
      })
      .catch(function (error) {
        if (div.__aggregatorLoad !== ticket) {
          return;
        }
        // The div keeps whatever fallback the partner put in it; a list of another category
        // (the div's options changed since) is no fallback.
        var ours = div.querySelector(":scope > .aggregator-embed-list");
        if (ours) {
          while (div.firstChild) {
            div.removeChild(div.firstChild);
          }
        }
        div.setAttribute("data-aggregator-state", "error");
        if (window.console) {
          window.console.warn("aggregator embed: could not load " + slug + ": " + error);
        }
      });
  }

  var base = scriptBase();

  // watch()'s observer, once it runs, and how it watches: each open shadow root found is
  // watched too, so a component that fills its root after it is added (Lit, Stencil: in a
  // microtask or later) is seen when it does (a review: its div kept its fallback).
  var observer = null;
  var WATCHED = {
    childList: true,
    subtree: true,
    attributes: true,
    attributeOldValue: true,
    attributeFilter: ["data-aggregator-category", "data-limit", "data-images"],
  };

  function observeRoot(root) {
    if (observer && !root.__aggregatorEmbedWatched) {
      root.__aggregatorEmbedWatched = true;
      observer.observe(root, WATCHED);
    }
  }

  // What matches `selector` in the page and in the open shadow roots of its elements, however
  // deep: a partner's web component holding our div or iframe in its shadow root kept its
  // fallback and its frame's height (a document's queries do not enter shadow roots).
  function everywhere(selector) {
    var found = [];
    var roots = [document];
    while (roots.length) {
      var root = roots.pop();
      found.push.apply(found, root.querySelectorAll(selector));
      var all = root.querySelectorAll("*");
      for (var i = 0; i < all.length; i++) {
        if (all[i].shadowRoot) {
          roots.push(all[i].shadowRoot);
          observeRoot(all[i].shadowRoot);
        }
      }
    }
    return found;
  }

  function start() {
    if (!base || !window.fetch) {
      return;
    }
    askHeights();
    var divs = everywhere("div[data-aggregator-category]");
    for (var i = 0; i < divs.length; i++) {
      // The script may be included more than once on a page: each div loads once.
      if (!divs[i].hasAttribute("data-aggregator-state")) {
        load(divs[i], base);
      }
    }
  }

  function ours(frame) {
    return frame.src.indexOf(base + "/embed/") === 0;
  }

  // A partner's sandbox without allow-same-origin gives our frame an opaque origin ("null"):
  // its messages come from "null", and one addressed to our origin is refused.
  function opaque(frame) {
    var sandbox = frame.sandbox;
    return frame.hasAttribute("sandbox") && !(sandbox && sandbox.contains("allow-same-origin"));
  }

  // Our /embed/<slug> iframes report their content's height: size each to show all of it.
  // Only messages from one of the page's own iframes are believed, from our origin, or from
  // "null" when that iframe is one of ours the page sandboxed.
  function onMessage(event) {
    var data = event.data;
    if (!base || (event.origin !== new URL(base).origin && event.origin !== "null") || !data) {
      return;
    }
    if (data.type !== "aggregator-embed-height" || typeof data.height !== "number") {
      return;
    }
    var frames = everywhere("iframe");
    for (var i = 0; i < frames.length; i++) {
      if (event.origin === "null" && !(ours(frames[i]) && opaque(frames[i]))) {
        continue;
      }
      if (frames[i].contentWindow === event.source) {
        var height = Math.max(0, Math.min(Math.round(data.height), 10000));
        // A border-box height holds the frame's borders and padding too (a partner's reset
        // makes every box one: a padded frame's list was cut off by its padding).
        var style = window.getComputedStyle(frames[i]);
        var around = ["borderTopWidth", "borderBottomWidth", "paddingTop", "paddingBottom"];
        var extra = 0;
        for (var j = 0; j < around.length; j++) {
          extra += parseFloat(style[around[j]]) || 0;
        }
        frames[i].style.height = height + (style.boxSizing === "border-box" ? extra : 0) + "px";
      }
    }
  }

  // A frame that loaded before this script ran (it is loaded async) sent its height to no one:
  // ask our /embed/ frames for it again. A frame not loaded yet drops the question and sends its
  // height once it loads.
  // A frame still on its first about:blank document is the page's own origin: a message to
  // ours logged a warning on every partner page with a lazy iframe. Ours cannot be read.
  function stillBlank(frame) {
    try {
      return frame.contentWindow.location.href === "about:blank";
    } catch (e) {
      return false;
    }
  }

  function askHeights() {
    var origin = new URL(base).origin;
    var frames = everywhere("iframe");
    for (var i = 0; i < frames.length; i++) {
      if (ours(frames[i]) && frames[i].contentWindow) {
        if (stillBlank(frames[i])) {
          continue; // (a lazy frame not loaded yet: it sends its height once it is)
        }
        // (the question carries nothing: a sandboxed frame's opaque origin may have it)
        var target = opaque(frames[i]) ? "*" : origin;
        frames[i].contentWindow.postMessage({ type: "aggregator-embed-ask-height" }, target);
      }
    }
  }

  if (window.addEventListener && !window.__aggregatorEmbedSizing) {
    window.__aggregatorEmbedSizing = true; // the script may be included more than once
    window.addEventListener("message", onMessage);
  }

  // A div the page adds later (a single-page app moving to another view) is filled once it is
  // in the document: it kept its fallback for good. So is a div whose options the page sets or
  // changes (a framework reusing one div for the next view's category): it showed the first
  // category for good. One scan per burst of changes (what is watched: WATCHED).

  function watch() {
    if (!base || !window.fetch || !window.MutationObserver || window.__aggregatorEmbedWatching) {
      return;
    }
    window.__aggregatorEmbedWatching = true; // (one observer, however often the script is included)
    var scheduled = false;
    function added(node) {
      if (node.nodeType !== 1) {
        return false;
      }
      // (a web component: its shadow root watched, filled now or later)
      var hosts = [node].concat(Array.prototype.slice.call(node.querySelectorAll("*")));
      var inside = false;
      for (var i = 0; i < hosts.length; i++) {
        if (hosts[i].shadowRoot) {
          observeRoot(hosts[i].shadowRoot);
          inside = inside || hosts[i].shadowRoot.querySelector("div[data-aggregator-category]");
        }
      }
      return (
        node.hasAttribute("data-aggregator-category") ||
        node.querySelector("div[data-aggregator-category]") !== null ||
        Boolean(inside)
      );
    }
    function changed(mutation) {
      var div = mutation.target;
      if (
        !div.matches("div[data-aggregator-category]") || // (nodeName is "div" in XHTML)
        div.getAttribute(mutation.attributeName) === mutation.oldValue
      ) {
        return false;
      }
      div.removeAttribute("data-aggregator-state"); // to be loaded again, as it now asks
      return true;
    }
    function schedule() {
      if (!scheduled) {
        scheduled = true;
        setTimeout(function () {
          scheduled = false;
          start();
        }, 0);
      }
    }
    observer = new MutationObserver(function (mutations) {
      for (var i = 0; i < mutations.length; i++) {
        if (mutations[i].type === "attributes") {
          if (changed(mutations[i])) {
            schedule();
          }
          continue;
        }
        var nodes = mutations[i].addedNodes;
        for (var j = 0; j < nodes.length && !scheduled; j++) {
          if (added(nodes[j])) {
            schedule();
          }
        }
      }
    });
    observer.observe(document.documentElement, WATCHED);
  }

  function begin() {
    watch(); // (first: the shadow roots start() finds are watched too)
    start();
    // A component defined after this ran (a module script) has its shadow root only then.
    window.addEventListener("load", start);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", begin);
  } else {
    begin();
  }
})();
