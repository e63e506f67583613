// Our feeds as four JavaScript feed libraries read them: `node read.mjs atom|rss|json < document`
// prints {library: [item, ...] | {error}}, each item's fields as that library gives them, in one
// shape: id, title, link, published (Unix seconds: the date the library shows), authors,
// categories, enclosures (URLs), content (HTML). A field the library does not read is null, and
// a library that does not read the format is left out. (tests/test_feed_readers.py)
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const format = process.argv[2];
const text = readFileSync(0, "utf8");

// A date the library gives and cannot read, or none where it reads dates, is said as such (not
// null, which the test takes for a field the library does not read at all).
const seconds = (value) => {
  if (!value) return `no date (${JSON.stringify(value ?? null)})`;
  const ms = Date.parse(value instanceof Date ? value.toISOString() : value);
  return Number.isNaN(ms) ? `unreadable date: ${String(value)}` : Math.floor(ms / 1000);
};
const list = (value) => (value == null ? [] : Array.isArray(value) ? value : [value]);

const readers = {
  // rbren/rss-parser: RSS and Atom (xml2js underneath), the most used of them. Of an Atom
  // entry it reads neither categories nor enclosures.
  "rss-parser": async () => {
    if (format === "json") return null;
    const Parser = require("rss-parser");
    const feed = await new Parser().parseString(text);
    const atom = format === "atom";
    return feed.items.map((i) => ({
      id: i.guid ?? i.id ?? null,
      title: i.title ?? "",
      link: i.link ?? "",
      published: seconds(i.isoDate ?? i.pubDate),
      authors: list(i.creator ?? i.author).map((a) => (typeof a === "string" ? a : a?.name?.[0] ?? "")),
      categories: atom ? null : list(i.categories).map((c) => (typeof c === "string" ? c : c?._ ?? "")),
      enclosures: atom ? null : i.enclosure ? [i.enclosure.url] : [],
      content: i["content:encoded"] ?? i.content ?? "",
    }));
  },
  // @extractus/feed-extractor: RSS, Atom and JSON Feed, normalized to a few fields. Its date
  // of an Atom entry is <updated> before <published>.
  "feed-extractor": async () => {
    const { extractFromXml, extractFromJson } = await import("@extractus/feed-extractor");
    const options = { descriptionMaxLen: 0, useISODateFormat: true };
    const feed = format === "json" ? extractFromJson(text, options) : extractFromXml(text, options);
    return feed.entries.map((e) => ({
      id: e.id ?? null,
      title: e.title ?? "",
      link: e.link ?? "",
      published: seconds(e.published),
      updatedFirst: format === "atom",
      authors: null,
      categories: null,
      enclosures: null,
      content: null,
    }));
  },
  // feedsmith: a parser that keeps every namespace it knows, per format.
  feedsmith: async () => {
    const { parseFeed } = await import("feedsmith");
    const { format: kind, feed } = parseFeed(text);
    const items = kind === "atom" ? feed.entries : feed.items;
    return (items ?? []).map((i) => {
      if (kind === "atom") {
        const alternate = list(i.links).find((l) => !l.rel || l.rel === "alternate");
        return {
          id: i.id ?? null,
          title: i.title?.value ?? i.title ?? "",
          link: alternate?.href ?? "",
          published: seconds(i.published ?? i.updated),
          authors: list(i.authors).map((a) => a.name ?? ""),
          categories: list(i.categories).map((c) => c.term ?? ""),
          enclosures: list(i.links).filter((l) => l.rel === "enclosure").map((l) => l.href),
          content: i.content?.value ?? i.content ?? "",
        };
      }
      if (kind === "json") {
        return {
          id: i.id ?? null,
          title: i.title ?? "",
          link: i.url ?? "",
          published: seconds(i.date_published),
          authors: list(i.authors).map((a) => a.name ?? ""),
          categories: list(i.tags),
          enclosures: list(i.attachments).map((a) => a.url),
          content: i.content_html ?? "",
        };
      }
      return {
        id: i.guid?.value ?? i.guid ?? null,
        title: i.title ?? "",
        link: i.link ?? "",
        published: seconds(i.pubDate),
        authors: list(i.dc?.creators ?? i.dc?.creator ?? i.authors),
        categories: list(i.categories).map((c) => c.name ?? ""),
        enclosures: list(i.enclosures).map((e) => e.url),
        content: i.content?.encoded ?? i.description ?? "",
      };
    });
  },
  // @rowanmanning/feed-parser: RSS and Atom. It decodes HTML's entities in text the XML parser
  // has decoded already: "&lt;tag&gt;" in content, shown as text elsewhere, is a tag to it.
  "feed-parser": async () => {
    if (format === "json") return null;
    const { parseFeed } = require("@rowanmanning/feed-parser");
    const feed = parseFeed(text);
    return feed.items.map((i) => ({
      id: i.id ?? null,
      title: i.title ?? "",
      link: i.url ?? "",
      published: seconds(i.published),
      authors: list(i.authors).map((a) => a.name ?? ""),
      categories: list(i.categories).map((c) => c.term ?? c.label ?? ""),
      enclosures: list(i.media).map((m) => m.url),
      content: i.content ?? "",
    }));
  },
};

const out = {};
for (const [name, read] of Object.entries(readers)) {
  try {
    const items = await read();
    if (items !== null) out[name] = items;
  } catch (error) {
    out[name] = { error: String(error?.stack ?? error) };
  }
}
process.stdout.write(JSON.stringify(out));
