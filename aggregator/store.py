"""Every Redis key and command of the application, and nothing else touches Redis.

Keys, all under one prefix (default "agg"):

    {p}:config              hash   json, version: the published configuration
    {p}:due                 zset   source id -> next due, epoch seconds
    {p}:state:{source}      string JSON of a SourceState (article_count is the source index's size)
    {p}:article:{id}        string zlib-compressed JSON of an Article (the smallest form measured)
    {p}:source:{source}     zset   article id -> published epoch: the source's articles
    {p}:category:{slug}     zset   article id -> published epoch: a category's merged index
    {p}:all                 zset   article id -> published epoch: every category merged
    {p}:hashes:{source}     hash   article id -> "content hash\\ncategory\\ncategory..."
    {p}:tombstones:{source} zset   article id -> epoch the tombstone expires (inf: deleted by hand)
    {p}:versions            hash   category slug ("" = all) -> version, bumped on content change
    {p}:heartbeats          hash   process name -> epoch it last reported alive
    {p}:history:{source}    list   JSON of a source's newest 50 refresh outcomes, newest first
    {p}:sources             set    the published config's source ids
    {p}:health              hash   source id -> its state word (models.source_health)
    {p}:health:counts       hash   state word -> how many of {p}:sources are in it
    {p}:sources:to-purge    set    sources a published config removed, not purged yet
    {p}:sources:removed-at  zset   source id -> epoch a published config removed it (a day)
    {p}:config:problems     string JSON {path, problems} while the config file cannot be applied

An article lives as long as it is in its source's index; the category and all indexes are capped
views of those. Writes touching several keys are one Lua script or MULTI/EXEC. The scripts build
some keys at run time (an article's categories), so they need a standalone server or a primary
with replicas, not Redis Cluster.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, fields, replace
from datetime import UTC, datetime
from typing import Any, NamedTuple, cast

import orjson
from isal import isal_zlib
from redis import Redis

from aggregator import stories
from aggregator.config import RetentionConfig
from aggregator.models import (
    Article,
    Enclosure,
    Observed,
    Outcome,
    SaveResult,
    SourceState,
    source_health,
)

# "All categories" is None in every Python API here (and "all" only in URLs, web/embed.py). In
# Redis it is the empty field of the versions hash (the scripts' `changed['']`): no slug is empty.
_ALL_FIELD = ""

# --- stories' keys (see aggregator/stories.py) ------------------------------------------------
#
#   {p}:stories:fp          hash   article id -> "story\tsource\tpublished\tseen\thandle\t" +
#                                  the packed fingerprint (story "" when the article started it)
#   {p}:stories:handles     string the last handle given: a short number per filed article
#   {p}:stories:handle:{n}  hash   handle -> article id (n: the handle's shard)
#   {p}:stories:lsh:{n}     hash   LSH bucket token (5 bytes) -> the newest handle filed there
#   {p}:story:{story}       hash   article id -> "published\tseen\tsource" (stories of 2 or more)
#   {p}:boiler:{source}     zset   paragraph hash -> how many of the source's articles carried it
#                                  (halved every `half_life` articles counted: recent ones weigh)
#   {p}:boiler-n:{source}   string how many of the source's articles were counted
#   {p}:boiler-layout       string EVIDENCE_LAYOUT: what text the evidence's hashes were made of
#   {p}:stories:observed    hash   article id -> 1: paragraphs counted, article not filed yet (a
#                                  refresh cut short in between; counted once however often retried)
#   {p}:copies:{source}     hash   other source id -> how many of this source's articles copied its
#
# Buckets hold handles, not 20-character article ids: each article is in ~10 buckets, so that is
# most of what stories cost in memory. Buckets and handles are sharded over LSH_SHARDS small
# hashes (listpack-encoded, the compact form; a handle is an integer there). A story's id is the
# id of the article that started it and never changes; a story of one article has no record. An
# article's fingerprint, handle, buckets and membership go when the article goes.

LSH_SHARDS = 4096

_LUA_STORIES_COMMON = r"""
local function split_meta(value)
  local parts, cut = {}, string.find(value, '\n', 1, true)
  if not cut then return value, parts end
  local hash = string.sub(value, 1, cut - 1)
  while true do
    local at = cut + 1
    cut = string.find(value, '\n', at, true)
    if not cut then
      parts[#parts + 1] = string.sub(value, at)
      return hash, parts
    end
    parts[#parts + 1] = string.sub(value, at, cut - 1)
  end
end

-- Mark the categories an article is in as changed.
local function categories(p, source, id, changed)
  local meta = redis.call('HGET', p .. 'hashes:' .. source, id)
  if meta then
    local _, cats = split_meta(meta)
    for _, slug in ipairs(cats) do changed[slug] = true end
  end
end

local function lsh_key(p, token)
  return p .. 'stories:lsh:' .. ((string.byte(token, 2) * 256 + string.byte(token, 3)) % __SHARDS__)
end

local function handle_key(p, handle)
  return p .. 'stories:handle:' .. (tonumber(handle) % __SHARDS__)
end

-- The "L" token of a stored fingerprint record, as stories.template_token makes it, or nil:
-- the only "L" token filed (the others are looked up only).
local function template_token(packed)
  local length = string.byte(packed, 5) * 256 + string.byte(packed, 6)
  local lead = string.sub(packed, __LEAD__, __LEAD__ + 3)
  if lead == '\0\0\0\0' then return nil end
  if length >= __MIN_LENGTH__ then
    if lead ~= string.sub(packed, 9, 12) then return 'L' .. lead end
  elseif length == 0 and string.sub(packed, 1, 4) ~= '\0\0\0\0' then
    return 'L' .. lead
  end
  return nil
end

-- The bucket tokens a stored fingerprint record is filed under, as stories.bucket_tokens
-- makes them (less the "L" tokens only looked up).
local function fp_tokens(packed)
  local out = {}
  local length = string.byte(packed, 5) * 256 + string.byte(packed, 6)
  local template = template_token(packed)
  if length < __MIN_LENGTH__ then
    local lead, title = string.sub(packed, __LEAD__, __LEAD__ + 3), string.sub(packed, 1, 4)
    if title ~= '\0\0\0\0' and lead ~= '\0\0\0\0' then
      out[1] = length > 0 and 'S' .. lead or 'T' .. title  -- (an empty body: by its title)
      if template then out[2] = template end
    end
    return out
  end
  for band = 0, __BANDS__ - 1 do
    local from = __HEAD__ + band * __ROWS__ * 2 + 1
    out[#out + 1] = string.char(band) .. string.sub(packed, from, from + __ROWS__ * 2 - 1)
  end
  local title = string.sub(packed, 1, 4)
  if title ~= '\0\0\0\0' then out[#out + 1] = 'T' .. title end
  out[#out + 1] = 'P' .. string.sub(packed, 9, 12)
  if template then out[#out + 1] = template end
  return out
end

local function fp_split(record, id)
  local story, source, published, seen, handle, packed =
    string.match(record, '^([^\t]*)\t([^\t]*)\t([^\t]*)\t([^\t]*)\t([^\t]*)\t(.*)$')
  if story == '' then story = id end
  return story, source, published, seen, handle, packed
end

-- Whether an article is stored and not filed in a story yet (`article`: its key's prefix). An
-- article the save dropped at once, older than max age, is never filed.
local function unfiled(fpkey, article, id)
  return redis.call('HEXISTS', fpkey, id) == 0 and redis.call('EXISTS', article .. id) == 1
end

-- The `unfiled` ones of ids joined by ",", joined by ",". (Which are filed read 1,000 a command.)
local function unfiled_ids(fpkey, article, ids)
  local asked, out = {}, {}
  for id in string.gmatch(ids, '[^,]+') do asked[#asked + 1] = id end
  for from = 1, #asked, 1000 do
    local chunk = {unpack(asked, from, math.min(from + 999, #asked))}
    local filed = redis.call('HMGET', fpkey, unpack(chunk))
    for j, id in ipairs(chunk) do
      if not filed[j] and redis.call('EXISTS', article .. id) == 1 then out[#out + 1] = id end
    end
  end
  return table.concat(out, ',')
end

-- The articles a story script is given, in one string: each "id\tsource\tpublished\tstory\tvia\t"
-- (story "": a new one), the size of its bucket tokens (2 bytes), its packed fingerprint, its
-- bucket tokens (5 bytes each). Store._story_articles writes it.
local function read_articles(blob)
  local arts, at = {}, 1
  while at <= #blob do
    local a, from = {tokens = {}}, 0
    a.id, a.source, a.published, a.story, a.via, from =
      string.match(blob, '^([^\t]*)\t([^\t]*)\t([^\t]*)\t([^\t]*)\t([^\t]*)\t()', at)
    local size = string.byte(blob, from) * 256 + string.byte(blob, from + 1)
    a.packed = string.sub(blob, from + 2, from + 1 + __PACKED__)
    at = from + 2 + __PACKED__
    for j = at, at + size - 1, 5 do a.tokens[#a.tokens + 1] = string.sub(blob, j, j + 4) end
    at = at + size
    arts[#arts + 1] = a
  end
  return arts
end

-- Forget an article's story data: fingerprint, handle, the buckets still holding it, membership.
-- The other members credit it in their feeds and pages: their categories change too.
local function forget_story(p, id, changed)
  redis.call('HDEL', p .. 'stories:observed', id)
  local record = redis.call('HGET', p .. 'stories:fp', id)
  if not record then return end
  local story, _, _, _, handle, packed = fp_split(record, id)
  redis.call('HDEL', p .. 'stories:fp', id)
  redis.call('HDEL', handle_key(p, handle), handle)
  for _, token in ipairs(fp_tokens(packed)) do
    local key = lsh_key(p, token)
    if redis.call('HGET', key, token) == handle then redis.call('HDEL', key, token) end
  end
  local skey = p .. 'story:' .. story
  if redis.call('HDEL', skey, id) == 1 then
    local members = redis.call('HGETALL', skey)
    for j = 1, #members, 2 do
      categories(p, string.match(members[j + 1], '([^\t]*)$'), members[j], changed)
    end
    if #members < 4 then redis.call('DEL', skey) end
  end
end
"""
for _name, _value in {
    "__SHARDS__": LSH_SHARDS,
    "__MIN_LENGTH__": stories.MIN_LENGTH,
    "__BANDS__": stories.BANDS,
    "__ROWS__": stories.ROWS,
    "__HEAD__": stories.HEAD_SIZE,
    "__LEAD__": stories.HEAD_SIZE - 3,  # (the head's last 4 bytes)
    "__PACKED__": stories.PACKED_SIZE,
}.items():
    _LUA_STORIES_COMMON = _LUA_STORIES_COMMON.replace(_name, str(_value))

# How many tombstones of trims a source keeps, per article it keeps (retention.max_per_source).
# A refresh reads a feed's newest max_per_source entries (normalize.newest), so a tombstone keeps
# out an entry still among them, trimmed for its age or by the cap as newer ones came. A feed
# whose items all change at every poll (10,000 new guids each time) had its 500 trimmed each
# poll tombstoned for tombstone_days: 144,000 more a day at a 5-minute interval, 52 million in a
# year, ~100 bytes each, for one source. An entry that comes back after this many newer ones
# went is one no feed lists among its newest any more; one deleted by hand stays out for good.
TOMBSTONES_PER_KEPT = 10

# The article removal of a refresh's trims. Member comparison is bytewise, like sorted sets
# order members; Lua's own `<` uses the server's locale collation.
_LUA_COMMON = (
    _LUA_STORIES_COMMON
    + r"""
-- Remove one article from every index, delete its blob and tombstone it.
local function remove_article(id, k, changed, tomb_score)
  local cats = {}
  local meta = redis.call('HGET', k.hashes, id)
  if meta then
    local _, meta_cats = split_meta(meta)
    for _, slug in ipairs(meta_cats) do cats[#cats + 1] = slug end
  end
  for _, slug in ipairs(cats) do
    if redis.call('ZREM', k.cat .. slug, id) == 1 then changed[slug] = true end
  end
  if redis.call('ZREM', k.all, id) == 1 then changed[''] = true end
  redis.call('ZREM', k.src, id)
  redis.call('HDEL', k.hashes, id)
  redis.call('DEL', k.article .. id)
  redis.call('ZADD', k.tomb, tomb_score, id)
  forget_story(string.sub(k.article, 1, -9), id, changed)  -- k.article is "{p}:article:"
end

-- The writes `file_article` held back (with k.held, a table): one command per key for a batch,
-- not five commands an article (each redis.call costs the server a few microseconds). The same
-- values end up stored: a key's writes keep their order, and an article met again first writes
-- what was held (its categories' ZREM must see its earlier ZADD).
local function write_held(k)
  local held = k.held
  if held == nil or held.count == 0 then return end
  local function each(command, key, args)
    for from = 1, #args, 1000 do
      redis.call(command, key, unpack(args, from, math.min(from + 999, #args)))
    end
  end
  for from = 1, #held.blobs, 1000 do
    redis.call('MSET', unpack(held.blobs, from, math.min(from + 999, #held.blobs)))
  end
  each('ZADD', k.src, held.src)
  each('ZADD', k.all, held.src)
  for _, slug in ipairs(held.slugs) do each('ZADD', k.cat .. slug, held.cats[slug]) end
  each('HSET', k.hashes, held.metas)
  k.held = {count = 0, ids = {}, blobs = {}, src = {}, slugs = {}, cats = {}, metas = {}}
end

-- Write one article (blob, hashes value) and index it at `score` in its source, in all and in
-- its categories, out of the categories it left (`old`: its hashes value before, if any). With
-- k.held, the writes wait for `write_held`.
local function file_article(k, id, meta, score, blob, old, changed)
  local _, cats = split_meta(meta)
  local keep = {}
  for _, slug in ipairs(cats) do keep[slug] = true end
  local held = k.held
  if held and held.ids[id] then write_held(k); held = k.held end
  if old then
    for _, slug in ipairs(select(2, split_meta(old))) do
      if not keep[slug] and redis.call('ZREM', k.cat .. slug, id) == 1 then
        changed[slug] = true
      end
    end
  end
  changed[''] = true
  if held then
    held.count = held.count + 1
    held.ids[id] = true
    local n = #held.blobs
    held.blobs[n + 1], held.blobs[n + 2] = k.article .. id, blob
    n = #held.src
    held.src[n + 1], held.src[n + 2] = score, id
    for _, slug in ipairs(cats) do
      local list = held.cats[slug]
      if not list then
        list = {}
        held.cats[slug] = list
        held.slugs[#held.slugs + 1] = slug
      end
      list[#list + 1], list[#list + 2] = score, id
      changed[slug] = true
    end
    n = #held.metas
    held.metas[n + 1], held.metas[n + 2] = id, meta
    return
  end
  redis.call('SET', k.article .. id, blob)
  redis.call('ZADD', k.src, score, id)
  redis.call('ZADD', k.all, score, id)
  for _, slug in ipairs(cats) do
    redis.call('ZADD', k.cat .. slug, score, id)
    changed[slug] = true
  end
  redis.call('HSET', k.hashes, id, meta)
end

-- The newest `cap` tombstones that expire (one deleted by hand, which never does, is kept):
-- the oldest go first. See TOMBSTONES_PER_KEPT.
local function cap_tombstones(tomb, cap)
  local expiring = redis.call('ZCOUNT', tomb, '-inf', '(inf')
  if expiring > cap then redis.call('ZREMRANGEBYRANK', tomb, 0, expiring - cap - 1) end
end

-- Category caps trim only the views; the article stays in its source's index.
local function cap_categories(k, changed, cap)
  for slug, _ in pairs(changed) do
    local key = k.all
    if slug ~= '' then key = k.cat .. slug end
    local n = redis.call('ZCARD', key)
    if n > cap then redis.call('ZREMRANGEBYRANK', key, 0, n - cap - 1) end
  end
end

local function bump_versions(versions, changed)
  if next(changed) == nil then return end
  changed[''] = true
  -- When the content changed, to the microsecond (the feed's Last-Modified: two saves in one
  -- second are two changes), and the version: a count that starts from the clock, in ms, so
  -- that after Redis lost its data no version repeats one a web process keeps a rendering of.
  local now = redis.call('TIME')
  local at = now[1] .. '.' .. string.format('%06d', now[2])
  local start = now[1] .. string.format('%03d', math.floor(now[2] / 1000))
  for slug, _ in pairs(changed) do
    if redis.call('HSETNX', versions, slug, start) == 0 then
      redis.call('HINCRBY', versions, slug, 1)
    end
    redis.call('HSET', versions, slug .. '@', at)
  end
end
"""
)

# KEYS: source index, hashes, tombstones, all index, versions, state, due, paused, history
# ARGV: category key prefix, article key prefix, source id, now, tombstone expiry,
#       max per source, max-age cutoff, keep newest, max per category, state JSON,
#       due ("" keep, "-" unschedule, else score), history entry without its closing
#       `,"added":n,"updated":n,"trimmed":n}` ("" none), history size, state word if paused,
#       state word if not, the ids to tell unfiled, the marks the state was read with and its
#       unclaimed copy (_LUA_CLAIMS), ... (ARGV[19] to ARGV[25]: see the script), the lease
#       token (ARGV[26], "" none; KEYS[18] the claims: _LUA_FENCE), then per article: id, hashes
#       value, score, blob. Returns added, updated, trimmed, the unfiled ids, whether the
#       unclaimed copy was written; "stale" (nothing written) when the lease is another's.
# The due-set write of a state save. A paused source (an operator's flag, kept in its own set so a
# refresh running meanwhile can neither clear nor restore it) stays off the schedule.
_LUA_SCHEDULE = r"""
-- A refresh's line in its source's fetch history, written with the refresh it records.
local function record_fetch(history, entry, size)
  if entry ~= '' then
    redis.call('LPUSH', history, entry)
    redis.call('LTRIM', history, 0, tonumber(size) - 1)
  end
end

local function schedule(due, paused, source_id, action)
  if redis.call('SISMEMBER', paused, source_id) == 1 or action == '-' then
    redis.call('ZREM', due, source_id)
  elseif action ~= '' then
    redis.call('ZADD', due, action, source_id)
  end
end
"""

# What `/metrics` shows without reading every source: each source's state word, and how many
# sources of the published config are in each state, updated by the scripts that change a state.
# The word is models.source_health's, computed by the caller for both values of the paused flag:
# only the paused set, read here, knows which one holds.
_LUA_HEALTH = r"""
local function set_health(k, source_id, if_paused, if_not)
  local word = if_not
  if redis.call('SISMEMBER', k.paused, source_id) == 1 then word = if_paused end
  local old = redis.call('HGET', k.health, source_id)
  if old == word then return end
  redis.call('HSET', k.health, source_id, word)
  if redis.call('SISMEMBER', k.sources, source_id) == 1 then
    if old then redis.call('HINCRBY', k.counts, old, -1) end
    redis.call('HINCRBY', k.counts, word, 1)
  end
end
"""

# The site each source's feed links to (SourceState.site), for the OPML exports' htmlUrl, kept
# apart from the states so that an export reads one hash, not every state; its field "" holds
# when one last changed (the server's clock), the exports' version and Last-Modified.
_LUA_SITES = r"""
local function set_site(sites, source_id, site)
  if (redis.call('HGET', sites, source_id) or '') == site then return end
  if site == '' then
    redis.call('HDEL', sites, source_id)
  else
    redis.call('HSET', sites, source_id, site)
  end
  local now = redis.call('TIME')
  redis.call('HSET', sites, '', now[1] .. '.' .. string.format('%06d', tonumber(now[2])))
end
"""

# A source's state claims that its stored articles are what its entry marks say. A state read,
# changed and written back (a refresh, an operator's pause) is written as it is only if the stored
# state still has the marks it was read with; otherwise something wrote another state meanwhile
# (a refresh of the same source beside this one: an expired lease, `refresh --inline` beside the
# workers), whose articles this state's marks and validators do not describe, and its unclaimed
# copy (SourceState.unclaimed) is written instead: the next poll reads and cleans everything.
# The arguments (the state's, then `_claim`'s): the state, the marks it was read with (joined by
# ","; "-": write it regardless) and its unclaimed copy. Returns the state to write and whether
# it was the unclaimed copy.
_LUA_CLAIMS = r"""
local function claimed(key, state, read_with, unclaimed)
  if read_with == '-' then return state, false end
  local marks, stored = '', redis.call('GET', key)
  if stored then
    local ok, doc = pcall(cjson.decode, stored)
    if ok and type(doc) == 'table' and type(doc.entry_marks) == 'table' then
      marks = table.concat(doc.entry_marks, ',')
    end
  end
  if marks == read_with then return state, false end
  return unclaimed, true
end
"""

# A refresh's lease token: each job that begins a source counts up its field in the claims hash
# (`Store.take_leases`) and saves with the number. A save made with a token is written only
# while the token is still the source's last: a worker stopped past its lease (SIGSTOP, a paused
# VM, a swap storm) whose source was claimed and begun by another since wakes to a save that is
# dropped whole (state, articles, record, errors), never one that puts its older result over the
# newer one. Taken when the job begins, not when the scheduler claims: a job that waited in the
# queue past its lease (claimed again meanwhile) begins with a token of its own, so duplicates
# of a claim never fence each other out for good. (The due time cannot be the token: a save
# rewrites it.)
_LUA_FENCE = r"""
local function fenced(claims, source_id, token)
  return token ~= '' and redis.call('HGET', claims, source_id) ~= token
end
"""

# KEYS: state, due, paused, history, health, health counts, sources, sites, claims; ARGV: source
#       id, state JSON, due action, pause ("set"|"clear"|"keep"), history entry ("" none), history
#       size, state word if paused, state word if not, the marks it was read with, its unclaimed
#       copy, the site its feed links to, the lease token ("" none: _LUA_FENCE). Returns "stale"
#       when the lease is another's by now (nothing written).
_LUA_SAVE_STATE = (
    _LUA_SCHEDULE
    + _LUA_HEALTH
    + _LUA_SITES
    + _LUA_CLAIMS
    + _LUA_FENCE
    + r"""
local state, due, paused, history, health, counts, sources, sites = unpack(KEYS)
if fenced(KEYS[9], ARGV[1], ARGV[12]) then return 'stale' end
if ARGV[4] == 'set' then redis.call('SADD', paused, ARGV[1]) end
if ARGV[4] == 'clear' then redis.call('SREM', paused, ARGV[1]) end
redis.call('SET', state, (claimed(state, ARGV[2], ARGV[9], ARGV[10])))
schedule(due, paused, ARGV[1], ARGV[3])
record_fetch(history, ARGV[5], ARGV[6])
set_health({paused = paused, health = health, counts = counts, sources = sources},
           ARGV[1], ARGV[7], ARGV[8])
set_site(sites, ARGV[1], ARGV[11])
"""
)

# KEYS: source index, hashes, tombstones, all index, versions; ARGV: category key prefix, article
#       key prefix, tombstone expiry, then the ids to remove (a filter refuses them, a purge).
_LUA_REMOVE_ARTICLES = (
    _LUA_COMMON
    + r"""
local src, hashes, tomb, all, versions = unpack(KEYS)
local k = {src = src, hashes = hashes, tomb = tomb, all = all, cat = ARGV[1], article = ARGV[2]}
local changed = {}
for i = 4, #ARGV do
  if redis.call('ZSCORE', src, ARGV[i]) then remove_article(ARGV[i], k, changed, ARGV[3]) end
end
bump_versions(versions, changed)
"""
)

# KEYS: source index, hashes, tombstones, all index, versions; ARGV: category key prefix, article
#       key prefix, max per category, then per article: id, hashes value, blob. Rewrites stored
#       articles with their source's settings of now (categories, name): each keeps its place.
_LUA_RESTAMP_ARTICLES = (
    _LUA_COMMON
    + r"""
local src, hashes, tomb, all, versions = unpack(KEYS)
local k = {src = src, hashes = hashes, tomb = tomb, all = all, cat = ARGV[1], article = ARGV[2]}
local changed = {}
for i = 4, #ARGV, 3 do
  local id = ARGV[i]
  local score = redis.call('ZSCORE', src, id)
  local old = redis.call('HGET', hashes, id)
  if score and old then file_article(k, id, ARGV[i + 1], score, ARGV[i + 2], old, changed) end
end
cap_categories(k, changed, tonumber(ARGV[3]))
bump_versions(versions, changed)
"""
)

# KEYS: source index, hashes, tombstones, all index, versions; ARGV: category key prefix, article
#       key prefix, tombstone expiry, max-age cutoff, keep newest, tombstones kept at most.
#       Returns how many went.
_LUA_AGE_OUT = (
    _LUA_COMMON
    + r"""
local src, hashes, tomb, all, versions = unpack(KEYS)
local k = {src = src, hashes = hashes, tomb = tomb, all = all, cat = ARGV[1], article = ARGV[2]}
local keep_newest = tonumber(ARGV[5])
local count = redis.call('ZCARD', src)
if count <= keep_newest then return 0 end
local changed = {}
local victims = redis.call('ZRANGEBYSCORE', src, '-inf', '(' .. ARGV[4],
                           'LIMIT', 0, count - keep_newest)
for _, id in ipairs(victims) do remove_article(id, k, changed, ARGV[3]) end
if #victims > 0 then cap_tombstones(tomb, tonumber(ARGV[6])) end
bump_versions(versions, changed)
return #victims
"""
)


# KEYS: due; ARGV: now, now + lease, limit. Oldest first; each claimed id is re-scored to the end
# of its lease, so a lost job makes it due again and a second caller cannot claim it meanwhile.
_LUA_CLAIM_DUE = r"""
local ids = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, ARGV[3])
for _, id in ipairs(ids) do redis.call('ZADD', KEYS[1], ARGV[2], id) end
return ids
"""

# KEYS: due, claims; ARGV: until, then the ids. A job begins these sources: each one's lease
# token counts up (_LUA_FENCE), and its lease is extended to `until` as `extend_lease` does
# (never earlier, never a source that is not scheduled). Returns id, token, id, token…
_LUA_TAKE_LEASES = r"""
local taken = {}
for i = 2, #ARGV do
  redis.call('ZADD', KEYS[1], 'XX', 'GT', ARGV[1], ARGV[i])
  taken[#taken + 1] = ARGV[i]
  taken[#taken + 1] = tostring(redis.call('HINCRBY', KEYS[2], ARGV[i], 1))
end
return taken
"""

# KEYS: a source's history; ARGV: the opening of its line (`{"at":"…"`), the new `updated`.
# (In the line, `,"updated":` can only be the count: in a string, a quote is escaped.)
_LUA_AMEND_RECORD = r"""
local line = redis.call('LINDEX', KEYS[1], 0)
if not line or string.sub(line, 1, #ARGV[1]) ~= ARGV[1] then return 0 end
local amended, found = string.gsub(line, ',"updated":%d+,', ',"updated":' .. ARGV[2] .. ',', 1)
if found == 0 then return 0 end
redis.call('LSET', KEYS[1], 0, amended)
return 1
"""

# KEYS: config; ARGV: raw JSON. Returns the version, bumped only when the JSON changed.
_LUA_PUBLISH_CONFIG = r"""
if redis.call('HGET', KEYS[1], 'json') == ARGV[1] then
  return tonumber(redis.call('HGET', KEYS[1], 'version') or '0')
end
redis.call('HSET', KEYS[1], 'json', ARGV[1], 'published_at', ARGV[2])
return redis.call('HINCRBY', KEYS[1], 'version', 1)
"""

# KEYS: the feeds' settings; ARGV: feed, fingerprint of its settings, epoch seconds. The time
# the feed's settings last changed: `at` when the fingerprint differs from the one kept (kept
# with it then), else the time kept with it.
_LUA_FEED_SETTINGS = r"""
local kept = redis.call('HGET', KEYS[1], ARGV[1])
if kept then
  local space = string.find(kept, ' ', 1, true)
  if space and string.sub(kept, 1, space - 1) == ARGV[2] then
    return string.sub(kept, space + 1)
  end
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2] .. ' ' .. ARGV[3])
return ARGV[3]
"""

# KEYS: health, health counts, sources; ARGV: id, state word, id, state word... of every source
# of the newly published config. Removed sources stop counting (their state and word stay, in
# case they come back); an added source counts with its word, the one given when it has none.
_LUA_SET_SOURCES = r"""
local health, counts, sources = unpack(KEYS)
local wanted = {}
for i = 1, #ARGV, 2 do wanted[ARGV[i]] = ARGV[i + 1] end
for _, id in ipairs(redis.call('SMEMBERS', sources)) do
  if wanted[id] == nil then
    redis.call('SREM', sources, id)
    local word = redis.call('HGET', health, id)
    if word then redis.call('HINCRBY', counts, word, -1) end
  end
end
for id, given in pairs(wanted) do
  if redis.call('SADD', sources, id) == 1 then
    local word = redis.call('HGET', health, id)
    if not word then
      word = given
      redis.call('HSET', health, id, word)
    end
    redis.call('HINCRBY', counts, word, 1)
  end
end
"""

# Whether one member sorts before another as sorted sets order them, bytewise (Lua's own `<`
# uses the server's locale collation).
_LUA_BYTES_LESS = r"""
local function bytes_less(a, b)
  for i = 1, math.min(#a, #b) do
    local x, y = string.byte(a, i), string.byte(b, i)
    if x ~= y then return x < y end
  end
  return #a < #b
end
"""

# KEYS: an index; ARGV: article key prefix, cursor score ("+inf" for the first page), cursor id
# ("" for the first page), how many, and optionally "ids". Newest first, ties by member
# descending (the index's own order), strictly after the cursor; returns id, score, blob
# triples and skips missing blobs ("ids": each blob is "", for its article exists).
_LUA_PAGE = (
    _LUA_BYTES_LESS
    + r"""
local index, prefix, max, after, want = KEYS[1], ARGV[1], ARGV[2], ARGV[3], tonumber(ARGV[4])
local ids_only = ARGV[5] == 'ids'
local out, n = {}, 0
local function take(id, score)
  local blob
  if ids_only then
    if redis.call('EXISTS', prefix .. id) == 1 then blob = '' end
  else
    blob = redis.call('GET', prefix .. id)
  end
  if blob then
    out[#out + 1] = id
    out[#out + 1] = score
    out[#out + 1] = blob
    n = n + 1
  end
end
local bound = max
if after ~= '' then
  local tied = redis.call('ZRANGEBYSCORE', index, max, max, 'WITHSCORES')
  for i = #tied - 1, 1, -2 do
    if n >= want then break end
    if bytes_less(tied[i], after) then take(tied[i], tied[i + 1]) end
  end
  bound = '(' .. max
end
local offset = 0
while n < want do
  local batch = redis.call('ZREVRANGEBYSCORE', index, bound, '-inf', 'WITHSCORES',
                           'LIMIT', offset, want - n)
  if #batch == 0 then break end
  offset = offset + #batch / 2
  for i = 1, #batch, 2 do take(batch[i], batch[i + 1]) end
end
return out
"""
)


# KEYS: an index; ARGV: a cursor's score and id. The article of the index nearest the cursor at
# or before it in the newest-first list ((score, id) the least not below the cursor's), as id,
# score; nothing when the cursor is before every article.
_LUA_CURSOR = (
    _LUA_BYTES_LESS
    + r"""
local index, score, id = KEYS[1], ARGV[1], ARGV[2]
local tied = redis.call('ZRANGEBYSCORE', index, score, score, 'WITHSCORES')
for i = 1, #tied, 2 do
  if not bytes_less(tied[i], id) then return {tied[i], tied[i + 1]} end
end
return redis.call('ZRANGEBYSCORE', index, '(' .. score, '+inf', 'WITHSCORES', 'LIMIT', 0, 1)
"""
)


# KEYS: stories:fp; ARGV: the article key prefix, article ids joined by ",". The ids stored and
# not filed in a story yet, joined by ",". One string each way: a long list costs the client per
# element.
_LUA_UNFILED = _LUA_STORIES_COMMON + "return unfiled_ids(KEYS[1], ARGV[1], ARGV[2])"

# The text paragraph hashes are made of (boilerplate.paragraph_hash): "2", folded to simplified
# Chinese. Evidence of another layout is dropped when the scheduler publishes the config.
EVIDENCE_LAYOUT = "2"

# KEYS: stories:fp, boilerplate evidence, stories:observed, the source's count of articles
# counted; ARGV: max evidence, min articles, the article key prefix, then per article "id hashes"
# (its paragraph hashes concatenated, 10 hex digits each), joined by ",", then the half-life in
# articles, then the count of articles the learned junk is read at ("": none). Counts the
# paragraphs of stored articles not filed yet, once per article (a retried refresh counts nothing
# twice), a batch's counts added up before they are written; each time
# the source's count of articles passes a multiple of the half-life, the counts held are halved
# first (rounded down; none left at 0), so what the source stopped repeating makes room for what
# it repeats now. Returns their ids joined by ",", the source's boilerplate hashes and its learned
# junk's (those counted ARGV[6] times or more; read here, not in a round trip of its own). (Lists go
# to commands in chunks of 1,000: unpack has a limit.)
_LUA_OBSERVE_BODY = r"""
local fp, boiler, observed, seen = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local max_evidence, min_articles, article = tonumber(ARGV[1]), tonumber(ARGV[2]), ARGV[3]
local half_life = tonumber(ARGV[5])
local new, hashes_of, counted_articles = {}, {}, 0
-- Whether each is `unfiled`: ARGV.unfiled from a save, which just read it for the ids it asked
-- about; else read here for them all (`unfiled_ids`: which are filed, 1,000 a command).
local told = ARGV.unfiled
if not told then
  told = {}
  local ids = {}
  for id in string.gmatch(ARGV[4], '([^ ,]+) [^,]*') do
    ids[#ids + 1] = id
    told[id] = false
  end
  for id in string.gmatch(unfiled_ids(fp, article, table.concat(ids, ',')), '[^,]+') do
    told[id] = true
  end
end
for id, hashes in string.gmatch(ARGV[4], '([^ ,]+) ([^,]*)') do
  local open = told[id]
  if open == nil then open = unfiled(fp, article, id) end
  if open then
    new[#new + 1] = id
    hashes_of[id] = hashes
  end
end
local counts, order = {}, {}
for from = 1, #new, 1000 do
  local ids = {unpack(new, from, math.min(from + 999, #new))}
  local marks, mark = redis.call('HMGET', observed, unpack(ids)), {}
  for k, id in ipairs(ids) do
    if not marks[k] then
      mark[#mark + 1] = id
      mark[#mark + 1] = 1
      counted_articles = counted_articles + 1
      local hashes = hashes_of[id]
      for j = 1, #hashes, 10 do
        local h = string.sub(hashes, j, j + 9)
        if not counts[h] then
          counts[h] = 0
          order[#order + 1] = h
        end
        counts[h] = counts[h] + 1
      end
    end
  end
  if #mark > 0 then redis.call('HSET', observed, unpack(mark)) end
end
-- The counts merged into the evidence; the lowest go past max_evidence (among equal counts the
-- smallest hashes, compared as numbers: 10 hex digits are exact in a double, and no locale
-- orders numbers). Only what changes is written: a refresh of one article in a full evidence
-- removes a few members and adds a few, and the set stays in the compact encoding (past 128
-- members a sorted set leaves it for good: ~12 KB a source, not ~1.5 KB). A batch counting as
-- many hashes as the set holds reads all of it and writes it again, as does a set too large or
-- not compact.
local before = tonumber(redis.call('GET', seen) or '0')
local after = before + counted_articles
if counted_articles > 0 then redis.call('SET', seen, after) end
local halvings = math.floor(after / half_life) - math.floor(before / half_life)
local held, was, others, faded = redis.call('ZCARD', boiler), {}, {}, 0
local whole = halvings > 0 or #order >= held or held > max_evidence
              or redis.call('OBJECT', 'ENCODING', boiler) ~= 'listpack'
local function read_others(reply)  -- member, score pairs: the ones not counted are others
  for k = 1, #reply, 2 do
    local h, c = reply[k], tonumber(reply[k + 1])
    if halvings > 0 then c = math.floor(c / 2 ^ halvings) end
    if counts[h] then
      was[h] = c
    elseif c >= 1 then
      others[#others + 1] = {h, c}
    else
      faded = faded + 1  -- halved to nothing: not written again
    end
  end
end
if whole then
  read_others(redis.call('ZRANGE', boiler, 0, -1, 'WITHSCORES'))
else
  for from = 1, #order, 1000 do
    local chunk = {unpack(order, from, math.min(from + 999, #order))}
    for k, found in ipairs(redis.call('ZMSCORE', boiler, unpack(chunk))) do
      was[chunk[k]] = tonumber(found)
    end
  end
end
local score, pool, size = {}, {}, held - faded
for _, h in ipairs(order) do
  if not was[h] then size = size + 1 end
  score[h] = (was[h] or 0) + counts[h]
  pool[#pool + 1] = h
end
local over = size - max_evidence
local gone = {}
if halvings > 0 then  -- every score changed: all of them are written again
  for _, entry in ipairs(others) do
    score[entry[1]] = entry[2]
    pool[#pool + 1] = entry[1]
  end
  others = {}
end
if over > 0 then
  -- Those that can go: the counted ones and the lowest others, as many as were counted.
  if not whole then read_others(redis.call('ZRANGE', boiler, 0, #order - 1, 'WITHSCORES')) end
  for _, entry in ipairs(others) do
    score[entry[1]] = entry[2]
    pool[#pool + 1] = entry[1]
  end
  local groups, counted = {}, {}
  for _, h in ipairs(pool) do
    local c = score[h]
    if not groups[c] then
      groups[c] = {}
      counted[#counted + 1] = c
    end
    groups[c][#groups[c] + 1] = h
  end
  table.sort(counted)
  local left = over
  for _, c in ipairs(counted) do
    local group = groups[c]
    if #group <= left then
      for _, h in ipairs(group) do gone[h] = true end
      left = left - #group
    else
      local values = {}
      local named = {}  -- (each value's hash: 10 hex digits, as `string.format('%010x')` writes it)
      for k, h in ipairs(group) do
        values[k] = tonumber(h, 16)
        named[values[k]] = h
      end
      table.sort(values)
      for k = 1, left do gone[named[values[k]]] = true end
      left = 0
    end
    if left == 0 then break end
  end
end
local rewrite = (whole and over > 0) or halvings > 0
local removed, written = {}, {}
for _, h in ipairs(pool) do
  if gone[h] then
    if was[h] or not counts[h] then removed[#removed + 1] = h end
  elseif rewrite or counts[h] then
    written[#written + 1] = score[h]
    written[#written + 1] = h
  end
end
if rewrite then
  redis.call('DEL', boiler)
else
  for from = 1, #removed, 1000 do
    redis.call('ZREM', boiler, unpack(removed, from, math.min(from + 999, #removed)))
  end
end
for from = 1, #written, 2000 do
  redis.call('ZADD', boiler, unpack(written, from, math.min(from + 1999, #written)))
end
local known = redis.call('ZRANGEBYSCORE', boiler, min_articles, '+inf')
local learned = {}
if ARGV[6] ~= '' then learned = redis.call('ZRANGEBYSCORE', boiler, ARGV[6], '+inf') end
return {table.concat(new, ','), known, learned}
"""
_LUA_OBSERVE_PARAGRAPHS = _LUA_STORIES_COMMON + _LUA_OBSERVE_BODY

_LUA_SAVE_REFRESH = (
    _LUA_SCHEDULE
    + _LUA_HEALTH
    + _LUA_SITES
    + _LUA_CLAIMS
    + _LUA_FENCE
    + _LUA_COMMON
    + "local function observe_paragraphs(KEYS, ARGV)\n"
    + _LUA_OBSERVE_BODY
    + "end\n"
    + r"""
local src, hashes, tomb, all, versions, state, due, paused, history = unpack(KEYS)
local health, counts, sources = KEYS[10], KEYS[11], KEYS[12]
local k = {src = src, hashes = hashes, tomb = tomb, all = all, cat = ARGV[1], article = ARGV[2]}
k.held = {count = 0, ids = {}, blobs = {}, src = {}, slugs = {}, cats = {}, metas = {}}
local source_id, now, tomb_expiry = ARGV[3], ARGV[4], ARGV[5]
local max_per_source, age_cutoff = tonumber(ARGV[6]), ARGV[7]
local keep_newest, max_per_category = tonumber(ARGV[8]), tonumber(ARGV[9])
local changed = {}
local added, updated, trimmed = 0, 0, 0

-- The lease this refresh ran under is another's by now (ARGV[26], KEYS[18]): nothing is written.
if fenced(KEYS[18], source_id, ARGV[26]) then return 'stale' end

-- Sent without reading what is stored (ARGV[20], a source's first save): nothing is written
-- unless the source holds no article and no tombstone (then those reads found nothing).
if ARGV[20] ~= '' and redis.call('EXISTS', hashes, tomb) > 0 then return false end

redis.call('ZREMRANGEBYSCORE', tomb, '-inf', '(' .. now)

local dead, olds = {}, {}  -- the articles' tombstones and hashes values, read 1,000 at a time
for from = 27, #ARGV, 4000 do
  local ids = {}
  for i = from, math.min(from + 3999, #ARGV), 4 do ids[#ids + 1] = ARGV[i] end
  local scores = redis.call('ZMSCORE', tomb, unpack(ids))
  local metas = redis.call('HMGET', hashes, unpack(ids))
  for j, id in ipairs(ids) do
    dead[id] = dead[id] or scores[j]
    if olds[id] == nil then olds[id] = metas[j] end
  end
end
for i = 27, #ARGV, 4 do
  local id, meta, score, blob = ARGV[i], ARGV[i + 1], ARGV[i + 2], ARGV[i + 3]
  if not dead[id] then
    local old = olds[id]
    if old ~= meta then
      file_article(k, id, meta, score, blob, old, changed)
      olds[id] = meta
      if old then updated = updated + 1 else added = added + 1 end
    end
  end
end
write_held(k)
k.held = nil

-- Per-source cap, then max age without going below the newest keep_newest.
local count = redis.call('ZCARD', src)
if count > max_per_source then
  local victims = redis.call('ZRANGE', src, 0, count - max_per_source - 1)
  for _, id in ipairs(victims) do remove_article(id, k, changed, tomb_expiry) end
  trimmed = trimmed + #victims
  count = count - #victims
end
if count > keep_newest then
  local victims = redis.call('ZRANGEBYSCORE', src, '-inf', '(' .. age_cutoff,
                             'LIMIT', 0, count - keep_newest)
  for _, id in ipairs(victims) do remove_article(id, k, changed, tomb_expiry) end
  trimmed = trimmed + #victims
end
if trimmed > 0 then cap_tombstones(tomb, max_per_source * __TOMBSTONES_PER_KEPT__) end

cap_categories(k, changed, max_per_category)
bump_versions(versions, changed)

local written, unclaimed = claimed(state, ARGV[10], ARGV[17], ARGV[18])
redis.call('SET', state, written)
schedule(due, paused, source_id, ARGV[11])
if ARGV[12] ~= '' then
  local entry = ARGV[12] .. ',"added":' .. added .. ',"updated":' .. updated
                .. ',"trimmed":' .. trimmed .. '}'
  record_fetch(history, entry, ARGV[13])
end
set_health({paused = paused, health = health, counts = counts, sources = sources},
           source_id, ARGV[14], ARGV[15])
set_site(KEYS[14], source_id, ARGV[19])
-- The ids asked about (ARGV[16], joined by ","; stories: KEYS[13]) stored and not filed yet.
local left = unfiled_ids(KEYS[13], k.article, ARGV[16])
-- When that is all of them but those this save trimmed or found tombstoned (stored no more: a
-- new feed's items past max age), their paragraphs counted (ARGV[21] to ARGV[25]: ARGV[1],
-- ARGV[2], ARGV[4] to ARGV[6] of _LUA_OBSERVE_PARAGRAPHS, which counts the stored, unfiled ones
-- only; KEYS[15] to KEYS[17] its KEYS[2] to KEYS[4]): what the refresh counts next, here, not in
-- a script of its own.
local counted = false
local function none_filed()
  if left == ARGV[16] then return true end
  if left == '' then return false end
  for id in string.gmatch(ARGV[16], '[^,]+') do
    if redis.call('EXISTS', k.article .. id) == 1 and redis.call('HEXISTS', KEYS[13], id) == 1 then
      return false
    end
  end
  return true
end
if ARGV[21] ~= '' and none_filed() then
  -- (Which of its ids are unfiled was read above, and nothing was written since: not asked again.)
  local told = {}
  for id in string.gmatch(ARGV[16], '[^,]+') do told[id] = false end
  for id in string.gmatch(left, '[^,]+') do told[id] = true end
  local args = {ARGV[21], ARGV[22], k.article, ARGV[23], ARGV[24], ARGV[25]}
  args.unfiled = told
  counted = observe_paragraphs({KEYS[13], KEYS[15], KEYS[16], KEYS[17]}, args)
end
return {added, updated, trimmed, left, unclaimed and 1 or 0, counted}
"""
).replace("__TOMBSTONES_PER_KEPT__", str(TOMBSTONES_PER_KEPT))

# KEYS: stories:fp; ARGV: "{p}:", now, the articles (read_articles), oldest first. An article no
# filed one shares a bucket with (nor an earlier one of these that is not filed here) starts a
# story of its own, filed here: most articles, at once. For the others, returns the filed ids
# their buckets hold, "id:id,id" per article (joined by ";"), then id, record pairs of those,
# then the last handle given (every article filed later has a greater one). Articles filed
# already, or no longer stored, are skipped. KEYS[2], ARGV[4]: the source's state key and the
# state to save when every article is filed ("": none), ARGV[5], ARGV[6] its claim (_LUA_CLAIMS);
# KEYS[3], ARGV[7], ARGV[8]: the claims, the lease token and the source id (_LUA_FENCE: a stale
# lease files the articles, which its save stored, but writes no state over a newer one).
_LUA_FILE_STORIES = (
    _LUA_STORIES_COMMON
    + _LUA_CLAIMS
    + _LUA_FENCE
    + r"""
local fpkey, p, now, state = KEYS[1], ARGV[1], ARGV[2], ARGV[4]
local arts = read_articles(ARGV[3])
local last = redis.call('INCRBY', p .. 'stories:handles', #arts) - #arts  -- handles reserved
local found, records, listed, asked, filed = {}, {}, {}, {}, {}
-- Which were filed before, read 1,000 a command; the records filed here are written at the end
-- in a command or two (`written`: by id, for the articles after them that find them).
local before, written, rows = {}, {}, {}
for from = 1, #arts, 1000 do
  local ids = {}
  for j = from, math.min(from + 999, #arts) do ids[#ids + 1] = arts[j].id end
  for j, record in ipairs(redis.call('HMGET', fpkey, unpack(ids))) do
    if record then before[ids[j]] = true end
  end
end
for k, a in ipairs(arts) do
  if not before[a.id] and not written[a.id]
     and redis.call('EXISTS', p .. 'article:' .. a.id) == 1 then
    local ids, keys, near = {}, {}, false
    for t, token in ipairs(a.tokens) do
      keys[t] = lsh_key(p, token)
      near = near or asked[token]
      local handle = redis.call('HGET', keys[t], token)
      local id = handle and redis.call('HGET', handle_key(p, handle), handle)
      if id then
        if listed[id] == nil then
          local record = written[id] or redis.call('HGET', fpkey, id)
          listed[id] = record ~= false
          if record then records[#records + 1] = id; records[#records + 1] = record end
        end
        if listed[id] then ids[#ids + 1] = id end
      end
    end
    if near or #ids > 0 then
      for _, token in ipairs(a.tokens) do asked[token] = true end
      found[#found + 1] = a.id .. ':' .. table.concat(ids, ',')
    else
      local handle = last + k
      redis.call('HSET', handle_key(p, handle), handle, a.id)
      local record = '\t' .. a.source .. '\t' .. a.published .. '\t' .. now .. '\t' .. handle
                     .. '\t' .. a.packed
      written[a.id] = record
      rows[#rows + 1], rows[#rows + 2] = a.id, record
      local template = template_token(a.packed)
      for t, token in ipairs(a.tokens) do
        if string.sub(token, 1, 1) ~= 'L' or token == template then  -- (as fp_tokens)
          redis.call('HSET', keys[t], token, handle)
        end
      end
      filed[#filed + 1] = a.id
    end
  end
end
for from = 1, #rows, 1000 do
  redis.call('HSET', fpkey, unpack(rows, from, math.min(from + 999, #rows)))
end
for from = 1, #filed, 1000 do
  redis.call('HDEL', p .. 'stories:observed', unpack(filed, from, math.min(from + 999, #filed)))
end
if #found == 0 and state ~= '' and not fenced(KEYS[3], ARGV[8], ARGV[7]) then
  redis.call('SET', KEYS[2], (claimed(KEYS[2], state, ARGV[5], ARGV[6])))
end
return {table.concat(found, ';'), records, last + #arts}
"""
)

# KEYS: stories:fp; ARGV: "{p}:", now, force ("1"/"0"), the last handle given when the
# candidates were read, the ids filed since then that the decisions know of (joined by ","),
# then the articles (read_articles) with their decisions: story "" starts one, `via` is the
# article matched. A bucket now holding an article filed after the candidates were read (its
# handle is greater) that the decisions do not know of is a conflict: nothing is written and the
# conflicting records are returned, unless forced. Filed, the source's state is saved (KEYS[2],
# ARGV[7]; "": none; ARGV[8], ARGV[9] its claim, _LUA_CLAIMS; KEYS[3], ARGV[10], ARGV[11]: the
# claims, the lease token and the source id, as in _LUA_FILE_STORIES). Returns {"ok", joined} or
# {"conflict", id, record, ...}.
_LUA_JOIN_STORIES = (
    _LUA_COMMON
    + _LUA_CLAIMS
    + _LUA_FENCE
    + r"""
local fpkey, p, now, force, read = KEYS[1], ARGV[1], ARGV[2], ARGV[3] == '1', tonumber(ARGV[4])
local arts, batch, known = read_articles(ARGV[6]), {}, {}
for id in string.gmatch(ARGV[5], '[^,]+') do known[id] = true end
for _, a in ipairs(arts) do batch[a.id] = true end

-- Only articles filed since the candidates were read can be conflicts: a bucket's handle only
-- ever grows (or goes), so one no greater than `read` is the one the decision looked at.
local conflicts, listed = {'conflict'}, {}
local checked = {}
if not force and tonumber(redis.call('GET', p .. 'stories:handles') or '0') > read then
  checked = arts
end
for _, a in ipairs(checked) do
  for _, token in ipairs(a.tokens) do
    local handle = redis.call('HGET', lsh_key(p, token), token)
    local v = false
    if handle and tonumber(handle) > read then
      v = redis.call('HGET', handle_key(p, handle), handle)
    end
    if v and not batch[v] and not known[v] and not listed[v] then
      local record = redis.call('HGET', fpkey, v)
      if record then
        listed[v] = true
        conflicts[#conflicts + 1] = v
        conflicts[#conflicts + 1] = record
      end
    end
  end
end
if #conflicts > 1 then return conflicts end

-- Articles filed already, or no longer stored, are skipped; the others get handles in order.
local filing = {}
for _, a in ipairs(arts) do
  if unfiled(fpkey, p .. 'article:', a.id) then
    filing[#filing + 1] = a
  end
end
local last = 0
if #filing > 0 then last = redis.call('INCRBY', p .. 'stories:handles', #filing) - #filing end
local changed, joined, filed = {}, 0, {}
for k, a in ipairs(filing) do
  local via = a.via ~= '' and redis.call('HGET', fpkey, a.via)
  local story = a.story
  if not via or story == '' then story = a.id end
  local handle = last + k
  redis.call('HSET', handle_key(p, handle), handle, a.id)
  redis.call('HSET', fpkey, a.id, (story == a.id and '' or story) .. '\t' .. a.source .. '\t'
             .. a.published .. '\t' .. now .. '\t' .. handle .. '\t' .. a.packed)
  filed[#filed + 1] = a.id
  local template = template_token(a.packed)
  for _, token in ipairs(a.tokens) do
    if string.sub(token, 1, 1) ~= 'L' or token == template then
      redis.call('HSET', lsh_key(p, token), token, handle)
    end
  end
  if story ~= a.id then
    local skey = p .. 'story:' .. story
    if redis.call('EXISTS', skey) == 0 then
      local _, vsource, vpublished, vseen = fp_split(via, a.via)
      redis.call('HSET', skey, a.via, vpublished .. '\t' .. vseen .. '\t' .. vsource)
    end
    local members = redis.call('HGETALL', skey)
    local first, first_seen, first_source
    for j = 1, #members, 2 do
      local pub, seen, src = string.match(members[j + 1], '^([^\t]*)\t([^\t]*)\t(.*)$')
      pub, seen = tonumber(pub), tonumber(seen)
      if not first or pub < first or (pub == first and seen < first_seen) then
        first, first_seen, first_source = pub, seen, src
      end
      categories(p, src, members[j], changed)
    end
    categories(p, a.source, a.id, changed)
    redis.call('HSET', skey, a.id, a.published .. '\t' .. now .. '\t' .. a.source)
    -- A copy of another source's story (when this article is not its new original).
    if first_source ~= a.source and tonumber(a.published) >= first then
      redis.call('HINCRBY', p .. 'copies:' .. a.source, first_source, 1)
    end
    joined = joined + 1
  end
end
for from = 1, #filed, 1000 do
  redis.call('HDEL', p .. 'stories:observed', unpack(filed, from, math.min(from + 999, #filed)))
end
bump_versions(p .. 'versions', changed)
if ARGV[7] ~= '' and not fenced(KEYS[3], ARGV[11], ARGV[10]) then
  redis.call('SET', KEYS[2], (claimed(KEYS[2], ARGV[7], ARGV[8], ARGV[9])))
end
return {'ok', joined}
"""
)

# KEYS: stories:fp; ARGV: "{p}:", article ids. Per id: {story id or "", member, value, ...}.
_LUA_STORIES = r"""
local out = {}
for i = 2, #ARGV do
  local record = redis.call('HGET', KEYS[1], ARGV[i])
  local row = {''}
  if record then
    local story = string.match(record, '^([^\t]*)\t')
    if story == '' then story = ARGV[i] end
    row = {story}
    local members = redis.call('HGETALL', ARGV[1] .. 'story:' .. story)
    for _, v in ipairs(members) do row[#row + 1] = v end
  end
  out[#out + 1] = row
end
return out
"""


class Counting(NamedTuple):
    """The arguments of `Store.observe_paragraphs`, for a save to count with (`save_refresh`)."""

    hashes: dict[str, list[str]]
    max_evidence: int
    min_articles: int
    half_life: int
    learned_at: int | None = None


class ConfigNotes(NamedTuple):
    """What the service says of a config file: its problems, or its warnings."""

    path: str
    items: list[str]  # the first CONFIG_NOTES_KEPT of them
    total: int  # all of them


# A renamed key in a 60,000-source file is 60,000 of the same line: read on each admin page view.
CONFIG_NOTES_KEPT = 100


class LeaseLost(Exception):
    """A refresh's save was dropped: its source was claimed again after its lease ran out."""

    def __init__(self, source_id: str, token: str) -> None:
        super().__init__(
            f"source {source_id!r} was claimed again (lease {token} is no longer its last):"
            " this refresh's results are older than another's and were not saved"
        )
        self.source_id = source_id
        self.token = token


class Store:
    """The application's Redis storage: scheduling, source state, articles and their indexes."""

    def __init__(self, redis: Redis, prefix: str = "agg") -> None:
        self.redis = redis
        self.prefix = prefix
        self._save_refresh = redis.register_script(_LUA_SAVE_REFRESH)
        self._age_out = redis.register_script(_LUA_AGE_OUT)
        self._remove_articles = redis.register_script(_LUA_REMOVE_ARTICLES)
        self._restamp_articles = redis.register_script(_LUA_RESTAMP_ARTICLES)
        self._save_state = redis.register_script(_LUA_SAVE_STATE)
        self._claim_due = redis.register_script(_LUA_CLAIM_DUE)
        self._take_leases = redis.register_script(_LUA_TAKE_LEASES)
        self._amend_record = redis.register_script(_LUA_AMEND_RECORD)
        self._publish_config = redis.register_script(_LUA_PUBLISH_CONFIG)
        self._feed_settings = redis.register_script(_LUA_FEED_SETTINGS)
        self._page = redis.register_script(_LUA_PAGE)
        self._cursor = redis.register_script(_LUA_CURSOR)
        self._set_sources = redis.register_script(_LUA_SET_SOURCES)
        self._unfiled = redis.register_script(_LUA_UNFILED)
        self._observe_paragraphs = redis.register_script(_LUA_OBSERVE_PARAGRAPHS)
        self._file_stories = redis.register_script(_LUA_FILE_STORIES)
        self._join_stories = redis.register_script(_LUA_JOIN_STORIES)
        self._stories = redis.register_script(_LUA_STORIES)

    # --- keys ---------------------------------------------------------------------------------

    def _config_key(self) -> str:
        return f"{self.prefix}:config"

    def _due_key(self) -> str:
        return f"{self.prefix}:due"

    def _state_key(self, source_id: str) -> str:
        return f"{self.prefix}:state:{source_id}"

    def _article_key(self, article_id: str) -> str:
        return f"{self.prefix}:article:{article_id}"

    def _source_key(self, source_id: str) -> str:
        return f"{self.prefix}:source:{source_id}"

    def _category_key(self, slug: str | None) -> str:
        return f"{self.prefix}:all" if slug is None else self._category_prefix() + slug

    def _category_prefix(self) -> str:
        """What a category's key starts with: the scripts add the slug."""
        return f"{self.prefix}:category:"

    def _hashes_key(self, source_id: str) -> str:
        return f"{self.prefix}:hashes:{source_id}"

    def _tombstones_key(self, source_id: str) -> str:
        return f"{self.prefix}:tombstones:{source_id}"

    def _versions_key(self) -> str:
        return f"{self.prefix}:versions"

    def _paused_key(self) -> str:
        return f"{self.prefix}:paused"

    def _heartbeats_key(self) -> str:
        return f"{self.prefix}:heartbeats"

    def _health_keys(self) -> list[str]:
        """The keys of the state words and their counts, in the scripts' order."""
        return [f"{self.prefix}:health", f"{self.prefix}:health:counts", f"{self.prefix}:sources"]

    def _sites_key(self) -> str:
        return f"{self.prefix}:sites"

    def _claims_key(self) -> str:
        return f"{self.prefix}:claims"

    def _removal_keys(self, source_id: str) -> list[str]:
        """The keys the article-removing scripts take first, in their order."""
        return [
            self._source_key(source_id),
            self._hashes_key(source_id),
            self._tombstones_key(source_id),
            self._category_key(None),
            self._versions_key(),
        ]

    # --- published configuration --------------------------------------------------------------

    def publish_config(self, raw_json: str, now: datetime | None = None) -> int:
        """Store the validated config if it changed (and when); return its version."""
        at = _epoch(now or datetime.now(UTC))
        return int(self._publish_config(keys=[self._config_key()], args=[raw_json, at]))

    def remember_categories(self, served: Iterable[str], before: Iterable[str] = ()) -> None:
        """Note the categories a config being published serves (and the one it replaces
        served), so that one no longer served is Gone (410), not Not Found: feed readers stop
        polling a feed that says so. A new one is not Gone before the web has the new config."""
        now = set(served)
        ever_key, gone_key = self._categories_key("served"), self._categories_key("removed")
        if every := now | set(before):
            self.redis.sadd(ever_key, *every)
        ever = {m.decode() for m in cast(set[bytes], self.redis.smembers(ever_key))}
        with self.redis.pipeline() as pipe:  # MULTI: the web sees the old set or the new one
            pipe.delete(gone_key)
            if removed := ever - now:
                pipe.sadd(gone_key, *removed)
                pipe.delete(*(self._category_key(slug) for slug in removed))  # (its index)
            pipe.execute()

    def removed_categories(self) -> frozenset[str]:
        """The slugs that were categories of a published config and are no longer."""
        members = self.redis.smembers(self._categories_key("removed"))
        return frozenset(m.decode() for m in members)  # type: ignore[union-attr]

    def _categories_key(self, kind: str) -> str:
        return f"{self.prefix}:categories:{kind}"

    def set_config_problems(self, path: str, problems: Sequence[str]) -> None:
        """Record what is wrong with the config file the service cannot apply (none: clear it),
        for the admin pages and /metrics: a log line alone is easily missed."""
        self._set_config_notes("problems", path, problems)

    def config_problems(self) -> ConfigNotes | None:
        """The config file and what is wrong with it, while it cannot be applied."""
        return self._config_notes("problems")

    def set_config_warnings(self, path: str, warnings: Sequence[str]) -> None:
        """Record what in the config in force is probably a mistake (config_warnings; none:
        clear it), for the admin pages: an operator who edits the file under a running service
        runs no check-config."""
        self._set_config_notes("warnings", path, warnings)

    def config_warnings(self) -> ConfigNotes | None:
        """The config file in force and what in it is probably a mistake."""
        return self._config_notes("warnings")

    def _set_config_notes(self, kind: str, path: str, notes: Sequence[str]) -> None:
        key = f"{self.prefix}:config:{kind}"
        if notes:
            kept = list(notes[:CONFIG_NOTES_KEPT])
            self.redis.set(key, json.dumps({"path": path, "problems": kept, "total": len(notes)}))
        else:
            self.redis.delete(key)

    def _config_notes(self, kind: str) -> ConfigNotes | None:
        raw = self.redis.get(f"{self.prefix}:config:{kind}")
        if raw is None:
            return None
        doc = json.loads(raw)
        items = [str(p) for p in doc["problems"]]
        return ConfigNotes(str(doc["path"]), items, int(doc.get("total", len(items))))

    def config_published_at(self) -> datetime | None:
        """When the published config last changed (None before the first publish, or when it
        was published by a version that did not say)."""
        at = cast(bytes | None, self.redis.hget(self._config_key(), "published_at"))
        return None if at is None else datetime.fromtimestamp(float(at), UTC)

    def feed_settings_changed_at(
        self, slug: str | None, fingerprint: str, published_at: datetime
    ) -> datetime:
        """When the settings a category's (None: all) feed shows last changed: `published_at`,
        the published config's time, unless the fingerprint of those settings is the one kept
        from an earlier config (then that config's time). Another category's edit, or a new
        source, leaves this feed's date where it was."""
        field = _ALL_FIELD if slug is None else slug
        at = self._feed_settings(
            keys=[f"{self.prefix}:feeds:settings"], args=[field, fingerprint, _epoch(published_at)]
        )
        return datetime.fromtimestamp(float(at), UTC)

    def published_config(self) -> tuple[int, str] | None:
        """The published config as (version, raw JSON), or None before the first publish."""
        version, raw = cast(
            list[bytes | None], self.redis.hmget(self._config_key(), "version", "json")
        )
        if raw is None:
            return None
        return int(version or 0), raw.decode("utf-8")

    def config_version(self) -> int:
        """The published config's version; 0 when none was published."""
        return int(cast(bytes | None, self.redis.hget(self._config_key(), "version")) or 0)

    # --- scheduling ---------------------------------------------------------------------------

    def schedule(self, source_id: str, due: float) -> None:
        """Make a source due at `due` (epoch seconds)."""
        self.redis.zadd(self._due_key(), {source_id: due})

    def schedule_earlier(self, due_by_id: dict[str, float]) -> None:
        """Make scheduled sources due at these times where that is earlier than they are."""
        if due_by_id:
            self.redis.zadd(self._due_key(), due_by_id, xx=True, lt=True)

    def schedule_new(self, due_by_id: dict[str, float]) -> int:
        """Schedule only the sources not scheduled yet; return how many were added."""
        if not due_by_id:
            return 0
        return int(cast(int, self.redis.zadd(self._due_key(), dict(due_by_id), nx=True)))

    def unschedule(self, source_ids: Iterable[str]) -> None:
        """Stop polling these sources (until scheduled again)."""
        ids = list(source_ids)
        if ids:
            self.redis.zrem(self._due_key(), *ids)

    def claim_due(self, now: float, lease: float, limit: int) -> list[str]:
        """Atomically claim up to `limit` due sources, oldest first, each leased until now+lease."""
        if limit <= 0:
            return []
        ids = self._claim_due(keys=[self._due_key()], args=[_num(now), _num(now + lease), limit])
        return [_text(i) for i in cast(list[bytes], ids)]

    def take_leases(self, source_ids: Sequence[str], until: float) -> dict[str, str]:
        """Begin refreshing these sources: {source id: lease token}, each lease extended to
        `until` (as `extend_lease`). A save given an older token (`lease=`) is dropped, raising
        LeaseLost: another refresh of the source began since (_LUA_FENCE)."""
        if not source_ids:
            return {}
        keys = [self._due_key(), self._claims_key()]
        return _pairs(
            cast(list[bytes], self._take_leases(keys=keys, args=[_num(until), *source_ids]))
        )

    def extend_lease(self, source_ids: Iterable[str], until: float) -> None:
        """Push claimed sources' due time to `until`, unless it is later already or unscheduled.

        GT keeps a next due time a finished refresh has saved meanwhile; XX never reschedules a
        source that was unscheduled (paused, gone, removed).
        """
        ids = list(source_ids)
        if ids:
            self.redis.zadd(self._due_key(), dict.fromkeys(ids, until), xx=True, gt=True)

    def due_at(self, source_id: str) -> float | None:
        """When a source is due next (epoch seconds), or None when it is not scheduled."""
        return self.redis.zscore(self._due_key(), source_id)

    def due_times(self, source_ids: Sequence[str]) -> dict[str, float]:
        """When each of these sources is due next (epoch seconds); unscheduled ones are absent."""
        if not source_ids:
            return {}
        scores = self.redis.zmscore(self._due_key(), list(source_ids))
        return {i: d for i, d in zip(source_ids, scores, strict=True) if d is not None}

    def scheduled(self) -> dict[str, float]:
        """Every scheduled source id with its due time."""
        rows = cast(
            list[tuple[bytes, float]], self.redis.zrange(self._due_key(), 0, -1, withscores=True)
        )
        return {_text(member): score for member, score in rows}

    def scheduler_lag(self, now: float) -> float:
        """How many seconds the most overdue source is late (0 when none is)."""
        rows = cast(
            list[tuple[bytes, float]], self.redis.zrange(self._due_key(), 0, 0, withscores=True)
        )
        return max(0.0, now - rows[0][1]) if rows else 0.0

    # --- processes ----------------------------------------------------------------------------

    def heartbeat(self, name: str, when: datetime) -> None:
        """Record that a process (e.g. "scheduler") was alive at `when`."""
        self.redis.hset(self._heartbeats_key(), name, _num(_epoch(when)))

    def heartbeats(self) -> dict[str, datetime]:
        """When each process last reported alive (UTC)."""
        raw = cast(dict[bytes, bytes], self.redis.hgetall(self._heartbeats_key()))
        return {_text(k): datetime.fromtimestamp(float(v), UTC) for k, v in raw.items()}

    # --- source state -------------------------------------------------------------------------

    def get_state(self, source_id: str) -> SourceState:
        """A source's state; a default one when it was never seen."""
        return self.get_states([source_id])[source_id]

    def get_states(self, source_ids: Sequence[str]) -> dict[str, SourceState]:
        """The states of several sources in one round trip."""
        if not source_ids:
            return {}
        pipe = self.redis.pipeline(transaction=False)
        pipe.mget([self._state_key(i) for i in source_ids])
        pipe.smismember(self._paused_key(), list(source_ids))
        for source_id in source_ids:
            pipe.zcard(self._source_key(source_id))
        raw, paused, *counts = pipe.execute()
        return {
            source_id: _decode_state(source_id, blob, int(count), bool(flag))
            for source_id, blob, flag, count in zip(source_ids, raw, paused, counts, strict=True)
        }

    def iter_states(
        self, source_ids: Sequence[str], page: int = 500
    ) -> Iterator[tuple[SourceState, float | None]]:
        """Each source's state and due time (None: unscheduled), `page` sources per round trip.

        For views of every source: they start at once and hold one page, however many there are.
        """
        for start in range(0, len(source_ids), page):
            ids = list(source_ids[start : start + page])
            pipe = self.redis.pipeline(transaction=False)
            pipe.mget([self._state_key(i) for i in ids])
            pipe.smismember(self._paused_key(), ids)
            pipe.zmscore(self._due_key(), ids)
            for source_id in ids:
                pipe.zcard(self._source_key(source_id))
            raw, paused, due, *counts = pipe.execute()
            for source_id, blob, flag, when, count in zip(
                ids, raw, paused, due, counts, strict=True
            ):
                yield _decode_state(source_id, blob, int(count), bool(flag)), when

    def save_state(
        self,
        state: SourceState,
        *,
        keep_paused: bool = False,
        record: FetchRecord | None = None,
        read_with: Sequence[str] | None = None,
        lease: str | None = None,
    ) -> None:
        """Write a source's state, its next due time and (`record`) its fetch history in one step.

        `state.paused` is an operator's decision: a refresh passes keep_paused=True so that a
        pause or resume made while it ran is neither undone nor revived by its older copy.
        `read_with`: the entry marks of the state this one was made from; if the stored state has
        others by now, its unclaimed copy is written (_LUA_CLAIMS). None: written regardless.
        `lease`: the token of the claim the refresh ran under; when the source was claimed again
        since, nothing is written and LeaseLost is raised (_LUA_FENCE). None: no claim checked.
        """
        pause = "keep" if keep_paused else ("set" if state.paused else "clear")
        keys = [self._state_key(state.source_id), self._due_key(), self._paused_key()]
        saved = self._save_state(
            keys=[
                *keys,
                self._history_key(state.source_id),
                *self._health_keys(),
                self._sites_key(),
                self._claims_key(),
            ],
            args=[
                state.source_id,
                _encode_state(state),
                _due_action(state),
                pause,
                _encode_record(record) if record else "",
                HISTORY_SIZE,
                *_health_words(state),
                *_claim(state, read_with),
                state.site,
                lease or "",
            ],
        )
        if saved == b"stale":
            raise LeaseLost(state.source_id, lease or "")

    def set_sources(self, states: Mapping[str, SourceState]) -> None:
        """Make these (the published config's sources, with their states) the ones counted.

        Called on every publish; O(sources), as a publish is. The state words given stand only for
        sources that have none yet: a write since `states` were read has set its own.
        """
        args = [x for source_id, state in states.items() for x in (source_id, source_health(state))]
        self._set_sources(keys=self._health_keys(), args=args)

    def state_words(self, source_ids: Sequence[str]) -> dict[str, str]:
        """Each source's state word (models.source_health) in one small read: no state decoded.

        A source the counts do not know yet (published since) reads "pending".
        """
        if not source_ids:
            return {}
        words = cast(list[bytes | None], self.redis.hmget(self._health_keys()[0], source_ids))
        return {i: _text(w) if w else "pending" for i, w in zip(source_ids, words, strict=True)}

    def sites(self, source_ids: Sequence[str]) -> dict[str, str]:
        """The site each of these sources' feeds linked to when last read (SourceState.site),
        for those that linked to one: one read of one hash, no state decoded."""
        if not source_ids:
            return {}
        links = cast(list[bytes | None], self.redis.hmget(self._sites_key(), source_ids))
        return {i: _text(link) for i, link in zip(source_ids, links, strict=True) if link}

    def sites_changed_at(self) -> datetime | None:
        """When a source's site (`sites`) last changed; None if none was ever kept."""
        value = cast(bytes | None, self.redis.hget(self._sites_key(), ""))
        return datetime.fromtimestamp(float(value), UTC) if value else None

    def state_counts(self) -> dict[str, int]:
        """How many of the published config's sources are in each state word, in one small read."""
        raw = cast(dict[bytes, bytes], self.redis.hgetall(self._health_keys()[1]))
        return {_text(word): int(n) for word, n in raw.items() if int(n)}

    # --- a refresh's writes -------------------------------------------------------------------

    def _known(
        self, source_id: str, article_ids: Sequence[str]
    ) -> tuple[dict[str, bytes], dict[str, float]]:
        """The stored hashes-values and the tombstone expiries of these ids, in one round trip."""
        if not article_ids:
            return {}, {}
        pipe = self.redis.pipeline(transaction=False)
        pipe.hmget(self._hashes_key(source_id), list(article_ids))
        pipe.zmscore(self._tombstones_key(source_id), list(article_ids))
        metas, scores = pipe.execute()
        return (
            {i: m for i, m in zip(article_ids, metas, strict=True) if m is not None},
            {i: float(s) for i, s in zip(article_ids, scores, strict=True) if s is not None},
        )

    def missing(self, source_id: str, article_ids: Sequence[str], now: datetime) -> bool:
        """Whether any of these articles is neither stored nor tombstoned: a save would add it."""
        metas, tombstones = self._known(source_id, article_ids)
        cutoff = _epoch(now)
        return any(i not in metas and tombstones.get(i, -math.inf) < cutoff for i in article_ids)

    def tombstoned(self, source_id: str, article_ids: Sequence[str], now: datetime) -> set[str]:
        """The ids a save would skip: trimmed (or refused) before, their tombstones still on."""
        _, tombstones = self._known(source_id, article_ids)
        return {i for i, expiry in tombstones.items() if expiry >= _epoch(now)}

    def save_refresh(
        self,
        state: SourceState,
        articles: Sequence[Article],
        retention: RetentionConfig,
        now: datetime,
        record: FetchRecord | None = None,
        *,
        unfiled: bool = False,
        read_with: Sequence[str] | None = None,
        first: bool = False,
        counting: Callable[[], Counting] | None = None,
        stored: Mapping[str, Article] | None = None,
        lease: str | None = None,
    ) -> SaveResult:
        """Store a refresh's articles, trim, bump versions, save the state and `record`, atomically.

        The record's `added` and `updated` are what this save counted, whatever it says.
        `unfiled`: also tell which of the articles are stored and not filed in a story yet
        (`SaveResult.unfiled`; what `unfiled` answers, without a round trip of its own).
        `read_with`: as in `save_state` (`SaveResult.unclaimed` tells which was written).
        `first`: the source is likely to hold no article yet (its first read). `counting`, with
        `unfiled`: what `observe_paragraphs` would be given next, made when none of the articles
        is stored yet; when none of them turns out filed, the script counts the paragraphs of
        those it left stored (`SaveResult.observed`: not of those it trimmed, a new feed's items
        past max age; not when it would take more than one run).

        Two round trips: one reads what is stored, so unchanged and tombstoned articles are
        neither compressed nor sent; one script does every write (and checks again). Calling it
        with no articles still applies max age. With `first`, one: every article is sent, and
        the script writes only when the source holds no article and no tombstone (what that read
        would have found); when it does, the read is made and the articles are sent again.
        With `stored` (`SaveResult.kept` of the save just before: what it stored, and how),
        those articles are taken as stored so, not read back; only the others are read (no
        round trip when there are none). The script checks again what it writes, as ever; an
        article it is not sent because `stored` says it is stored so stays as it is (a refresh
        beside this one that wrote it meanwhile also saved a state: this one's is unclaimed).
        `lease`: as in `save_state` (nothing written, LeaseLost, when the claim is another's).
        """
        now_epoch = _epoch(now)
        unique: dict[str, Article] = {}
        for article in articles:
            if article.source_id != state.source_id:
                raise ValueError(
                    f"article {article.id} belongs to {article.source_id!r}, "
                    f"not to {state.source_id!r}"
                )
            unique.setdefault(article.id, article)  # duplicate guids happen; the first one wins
        first = first and bool(unique)
        stored = stored or {}
        unread = [] if first else [i for i in unique if i not in stored]
        metas, tombstones = self._known(state.source_id, unread)
        metas.update((i, _meta(a).encode("utf-8")) for i, a in stored.items() if i in unique)
        self._dated_edits(unique, metas, now, stored)
        made = None
        if counting is not None and unfiled and unique and not metas:
            try:
                made = counting()
            except Exception as fault:  # (a round trip saved, not the save itself)
                # (Imported here: a worker's RQ is loaded already, and a Store needs none.)
                from rq.timeouts import BaseTimeoutException

                # (Otherwise `made` stays None: the refresh counts after the save then, and
                # meets the same failure there, with the articles stored: nothing is lost to a
                # fault in reading their bodies.)
                if isinstance(fault, BaseTimeoutException):
                    raise  # RQ's job timeout, raised in the job's thread: the job ends timed out
        args: list[str | bytes | float | int] = [
            self._category_prefix(),
            self._article_key(""),
            state.source_id,
            _num(now_epoch),
            _num(now_epoch + retention.tombstone_days * 86400),
            retention.max_per_source,
            _num(now_epoch - retention.max_age_days * 86400),
            retention.keep_newest,
            retention.max_per_category,
            _encode_state(state),
            _due_action(state),
            _encode_record(record, counted_by_script=True) if record else "",
            HISTORY_SIZE,
            *_health_words(state),
            ",".join(unique) if unfiled else "",
            *_claim(state, read_with),
            state.site,
            "1" if first else "",
            *_counting_args(made),
            lease or "",
        ]
        for article_id, article in unique.items():
            meta = _meta(article)
            if tombstones.get(article_id, -math.inf) >= now_epoch:
                continue
            if metas.get(article_id) == meta.encode("utf-8"):
                continue
            args += [
                article_id,
                meta,
                _num(_epoch(article.published)),
                _encode_article(article),
            ]
        keys = [
            *self._removal_keys(state.source_id)[:4],
            self._versions_key(),
            self._state_key(state.source_id),
            self._due_key(),
            self._paused_key(),
            self._history_key(state.source_id),
            *self._health_keys(),
            self._story_fp_key(),
            self._sites_key(),
            self._boilerplate_key(state.source_id),
            self._observed_key(),
            self._boilerplate_seen_key(state.source_id),
            self._claims_key(),
        ]
        saved = self._save_refresh(keys=keys, args=args)
        if saved == b"stale":
            raise LeaseLost(state.source_id, lease or "")
        if saved is None:  # (`first`, and the source holds articles or tombstones)
            return self.save_refresh(
                state,
                articles,
                retention,
                now,
                record,
                unfiled=unfiled,
                read_with=read_with,
                counting=counting,
                lease=lease,
            )
        added, updated, trimmed, left, unclaimed, counted = cast(
            tuple[int, int, int, bytes, int, tuple[bytes, list[bytes], list[bytes]] | None], saved
        )
        left_ids = frozenset(_id_set(left)) if unfiled else None
        observed = _observed(*counted, made.learned_at) if made and counted else None
        return SaveResult(
            added=int(added),
            updated=int(updated),
            trimmed=int(trimmed),
            unfiled=left_ids,
            unclaimed=bool(unclaimed),
            observed=observed,
            # (Counted: none of them was stored, so each went as sent, and every one left
            # stored is unfiled.)
            kept={i: unique[i] for i in left_ids} if observed and left_ids is not None else None,
        )

    def _dated_edits(
        self,
        unique: dict[str, Article],
        metas: dict[str, bytes],
        now: datetime,
        known: Mapping[str, Article],
    ) -> None:
        """The dates of articles stored before that come back changed. One dated when first seen
        keeps that date (dated "now" at every edit, an undated item whose comment count changes
        would top its category for good). Its `updated` never goes back, and an edit of its title
        or text by the source (`written_hash`: not our cleaning of it, after a release or newly
        learned junk) that the source did not date is dated when it was seen: readers show an
        item again, or not, by its <updated> (date_modified in JSON Feed). `known`: stored
        articles the caller has, not read again."""
        edited = [
            article_id
            for article_id, article in unique.items()
            if article_id in metas and metas[article_id] != _meta(article).encode("utf-8")
        ]
        unread = [i for i in edited if i not in known]
        had = [known[i] for i in edited if i in known]
        for stored in [*had, *(self.articles(unread) if unread else ())]:
            article = unique[stored.id]
            published = article.published if article.dated else stored.published
            updated = max(article.updated, stored.updated, published)
            if stored.written_hash and article.written_hash != stored.written_hash:
                updated = max(updated, now)
            unique[stored.id] = replace(article, published=published, updated=updated)

    # --- reads --------------------------------------------------------------------------------

    def article(self, article_id: str) -> Article | None:
        """One article, or None."""
        blob = cast(bytes | None, self.redis.get(self._article_key(article_id)))
        return None if blob is None else _decode_article(blob)

    def articles(self, article_ids: Sequence[str]) -> list[Article]:
        """Several articles in one round trip, in the given order, skipping missing ones."""
        if not article_ids:
            return []
        blobs = cast(
            list[bytes | None], self.redis.mget([self._article_key(i) for i in article_ids])
        )
        return [_decode_article(blob) for blob in blobs if blob is not None]

    def category_page(
        self, slug: str | None, limit: int, before: str | None = None
    ) -> tuple[list[Article], str | None]:
        """A page of a category (None: all), newest first, and the cursor of the next page.

        `before` is a cursor returned by a previous call; a malformed one raises ValueError.
        """
        return self._index_page(self._category_key(slug), limit, before)

    def category_ids(self, slug: str | None, limit: int) -> list[str]:
        """The ids of a category's (None: all) newest `limit` articles, newest first: what
        category_page(slug, limit) reads, without reading the articles."""
        if limit <= 0:
            return []
        key = self._category_key(slug)
        rows = cast(
            list[bytes],
            self._page(keys=[key], args=[self._article_key(""), "+inf", "", limit, "ids"]),
        )
        return [_text(rows[i]) for i in range(0, len(rows), 3)]

    def published_times(self, source_id: str, article_ids: Sequence[str]) -> dict[str, float]:
        """The publication times (epoch seconds) of those of a source's articles it holds."""
        if not article_ids:
            return {}
        scores = self.redis.zmscore(self._source_key(source_id), list(article_ids))
        return {i: t for i, t in zip(article_ids, scores, strict=True) if t is not None}

    def source_articles(self, source_id: str, limit: int) -> list[Article]:
        """A source's newest articles."""
        return self._index_page(self._source_key(source_id), limit, None)[0]

    def source_page(
        self, source_id: str, limit: int, before: str | None = None
    ) -> tuple[list[Article], str | None]:
        """A page of a source's articles, newest first, and the cursor of the next page (as
        category_page)."""
        return self._index_page(self._source_key(source_id), limit, before)

    def category_version(self, slug: str | None) -> int:
        """A number that changes whenever the category's (None: all) content changes."""
        return self.category_versions([slug])[slug]

    def category_versions(self, slugs: Sequence[str | None]) -> dict[str | None, int]:
        """The versions of several categories in one round trip."""
        if not slugs:
            return {}
        fields_ = [_ALL_FIELD if slug is None else slug for slug in slugs]
        values = cast(list[bytes | None], self.redis.hmget(self._versions_key(), fields_))
        return {slug: int(v or 0) for slug, v in zip(slugs, values, strict=True)}

    def announced_versions(self) -> dict[str | None, tuple[int, float]]:
        """{category (None: all): (its content version last announced to the WebSub hub,
        when)}: aggregator.websub."""
        found = cast(dict[bytes, bytes], self.redis.hgetall(f"{self.prefix}:websub:announced"))
        announced: dict[str | None, tuple[int, float]] = {}
        for field, value in found.items():
            version, _, at = value.decode().partition(" ")
            slug = field.decode()
            announced[None if slug == _ALL_FIELD else slug] = (int(version), float(at or 0))
        return announced

    def note_announced(self, announced: dict[str | None, tuple[int, float]]) -> None:
        """Record categories' versions as announced (`announced_versions`)."""
        self.redis.hset(
            f"{self.prefix}:websub:announced",
            mapping={
                _ALL_FIELD if slug is None else slug: f"{version} {at}"
                for slug, (version, at) in announced.items()
            },
        )

    def category_changed_at(self, slug: str | None) -> datetime | None:
        """When the category's (None: all) content last changed; None if it never did."""
        field = (_ALL_FIELD if slug is None else slug) + "@"
        value = cast(bytes | None, self.redis.hget(self._versions_key(), field))
        return datetime.fromtimestamp(float(value), UTC) if value else None

    def category_cursor(self, slug: str | None, cursor: str) -> str | None:
        """The cursor `category_page` hands out that starts the same page as `cursor` (of a
        category; None: all): the page after the article nearest `cursor` at or before it in
        the list, for the articles after either are the same, and so are those listed before
        (`listed_before`). None when `cursor` is before every article: the list's first page.
        A made-up cursor between two articles was a page of its own, rendered for itself
        (h4, session 37); two cursors of one page are now one. A malformed one raises
        ValueError."""
        return self._cursor_of(self._category_key(slug), cursor)

    def source_cursor(self, source_id: str, cursor: str) -> str | None:
        """As `category_cursor`, in a source's list (`source_page`)."""
        return self._cursor_of(self._source_key(source_id), cursor)

    def _cursor_of(self, key: str, cursor: str) -> str | None:
        score, after = parse_cursor(cursor)
        found = cast(list[bytes], self._cursor(keys=[key], args=[score, after]))
        if not found:
            return None
        return f"{_text(found[1])}:{_text(found[0])}"  # (as _index_page hands it out)

    def category_count(self, slug: str | None) -> int:
        """How many articles a category's (None: all) index holds."""
        return self.redis.zcard(self._category_key(slug))

    def listed_before(self, slug: str | None, article_ids: Sequence[str], cursor: str) -> set[str]:
        """Those of `article_ids` a category's (None: all) newest-first list shows before
        `cursor` (a `category_page` cursor): on the pages before the one it starts."""
        if not article_ids:
            return set()
        score, after = parse_cursor(cursor)
        bound, tie = float(score), after.encode()  # (ties go by id, as _LUA_PAGE orders them)
        scores = self.redis.zmscore(self._category_key(slug), list(article_ids))
        return {
            article_id
            for article_id, found in zip(article_ids, scores, strict=True)
            if found is not None
            and (found > bound or (found == bound and article_id.encode() >= tie))
        }

    def _index_page(
        self, key: str, limit: int, before: str | None
    ) -> tuple[list[Article], str | None]:
        if limit <= 0:
            return [], None
        score, after = ("+inf", "") if before is None else parse_cursor(before)
        rows = cast(
            list[bytes],
            self._page(keys=[key], args=[self._article_key(""), score, after, limit + 1]),
        )
        triples = [(rows[i], rows[i + 1], rows[i + 2]) for i in range(0, len(rows), 3)]
        page = [_decode_article(blob) for _, _, blob in triples[:limit]]
        if len(triples) <= limit:
            return page, None
        last_id, last_score, _ = triples[limit - 1]
        return page, f"{_text(last_score)}:{_text(last_id)}"

    # --- fetch history (written by each refresh's save: the admin pages' data) --------------------

    def _history_key(self, source_id: str) -> str:
        return f"{self.prefix}:history:{source_id}"

    def amend_record(self, source_id: str, at: datetime, *, updated: int) -> None:
        """Set the `updated` count of the history line of the refresh that started `at`, when it
        is still the newest: a later save of that refresh edited more articles than the save
        that wrote the line (a new article's footer learned, and the older ones cleaned too)."""
        opening = json.dumps({"at": _iso(at)}, separators=(",", ":"))[:-1]
        self._amend_record(keys=[self._history_key(source_id)], args=[opening, updated])

    def fetch_history(self, source_id: str, limit: int = 50) -> list[FetchRecord]:
        """A source's recent refresh outcomes, newest first."""
        if limit <= 0:
            return []
        raw = cast(list[bytes], self.redis.lrange(self._history_key(source_id), 0, limit - 1))
        return [_decode_record(source_id, blob) for blob in raw]

    # --- admin sessions and login throttling (shared by every web process) -------------------

    def _admin_session_key(self, session_id: str) -> str:
        return f"{self.prefix}:admin:session:{session_id}"

    def _auth_failures_key(self, client: str) -> str:
        return f"{self.prefix}:admin:failures:{client}"

    def start_admin_session(self, session_id: str, seconds: int) -> None:
        """Remember a logged-in session for `seconds`; its cookie is valid only while it lasts."""
        self.redis.set(self._admin_session_key(session_id), b"1", ex=seconds)

    def admin_session_exists(self, session_id: str) -> bool:
        """Whether the session is still open (not logged out, not expired)."""
        return bool(self.redis.exists(self._admin_session_key(session_id)))

    def end_admin_session(self, session_id: str) -> None:
        """Log a session out everywhere: its cookie stops working at once."""
        self.redis.delete(self._admin_session_key(session_id))

    def record_auth_failure(self, client: str, window: int) -> tuple[int, int]:
        """Count one failure of `client`; (failures in the window, seconds until it ends).

        A fixed window that starts with the first failure: the count expires `window` seconds
        after it, whatever follows.
        """
        key = self._auth_failures_key(client)
        pipe = self.redis.pipeline(transaction=True)
        pipe.set(key, 0, ex=window, nx=True)  # not EXPIRE NX: that needs Redis 7
        pipe.incr(key)  # keeps the expiry
        pipe.ttl(key)
        _, count, ttl = pipe.execute()
        return int(count), max(int(ttl), 1)

    # --- stories (appended: aggregator/stories.py decides, this files) ------------------------

    def _story_fp_key(self) -> str:
        return f"{self.prefix}:stories:fp"

    def _observed_key(self) -> str:
        return f"{self.prefix}:stories:observed"

    def _boilerplate_key(self, source_id: str) -> str:
        return f"{self.prefix}:boiler:{source_id}"

    def _boilerplate_seen_key(self, source_id: str) -> str:
        return f"{self.prefix}:boiler-n:{source_id}"

    def _copies_key(self, source_id: str) -> str:
        return f"{self.prefix}:copies:{source_id}"

    def restamp_source(
        self,
        source_id: str,
        stamp: Callable[[Article], Article | None],
        retention: RetentionConfig,
        now: datetime,
        skip: Collection[str] = (),
        batch: int = 200,
    ) -> tuple[int, int]:
        """Apply a source's edited settings to the articles it stored before (the ones its
        feed no longer lists, which no refresh rewrites): `stamp` gives an article as the
        settings make it now, or None where a filter now refuses it. Returns (rewritten,
        removed). `skip`: ids just saved with the new settings."""
        ids = [
            i.decode()
            for i in cast(list[bytes], self.redis.zrange(self._source_key(source_id), 0, -1))
        ]
        ids = [i for i in ids if i not in skip]
        keys = self._removal_keys(source_id)
        prefixes = [self._category_prefix(), self._article_key("")]
        expiry = _num(_epoch(now) + retention.tombstone_days * 86400)
        rewritten = removed = 0
        for start in range(0, len(ids), batch):
            refused: list[str] = []
            writes: list[str | bytes] = []
            for article in self.articles(ids[start : start + batch]):
                stamped = stamp(article)
                if stamped is None:
                    refused.append(article.id)
                elif stamped != article:
                    writes += [article.id, _meta(stamped), _encode_article(stamped)]
            if refused:
                self._remove_articles(keys=keys, args=[*prefixes, expiry, *refused])
            if writes:
                cap = retention.max_per_category
                self._restamp_articles(keys=keys, args=[*prefixes, cap, *writes])
            rewritten += len(writes) // 3
            removed += len(refused)
        return rewritten, removed

    def age_out(self, source_ids: Sequence[str], retention: RetentionConfig, now: datetime) -> int:
        """Apply max age to sources no refresh saves (failing, paused, gone): a refresh applies
        it to its own source, and theirs would keep articles years old. Returns how many went."""
        epoch = _epoch(now)
        args: list[str | int] = [
            self._category_prefix(),
            self._article_key(""),
            _num(epoch + retention.tombstone_days * 86400),
            _num(epoch - retention.max_age_days * 86400),
            retention.keep_newest,
            retention.max_per_source * TOMBSTONES_PER_KEPT,
        ]
        pipe = self.redis.pipeline(transaction=False)
        for source_id in source_ids:
            self._age_out(keys=self._removal_keys(source_id), args=args, client=pipe)
        return sum(int(n) for n in pipe.execute()) if source_ids else 0

    def note_removed_sources(self, removed: Iterable[str], configured: Iterable[str]) -> None:
        """Remember the sources a published config removed, with when, and as to purge (and
        forget those it has again)."""
        when, to_purge = f"{self.prefix}:sources:removed-at", f"{self.prefix}:sources:to-purge"
        pipe = self.redis.pipeline(transaction=False)
        if gone := list(removed):
            pipe.zadd(when, dict.fromkeys(gone, time.time()))
            pipe.sadd(to_purge, *gone)
        if back := list(configured):
            pipe.zrem(when, *back)
            pipe.srem(to_purge, *back)
        pipe.execute()

    def sources_to_purge(self) -> set[str]:
        """The removed sources not purged yet (`note_removed_sources`, `purged`)."""
        members = cast(set[bytes], self.redis.smembers(f"{self.prefix}:sources:to-purge"))
        return {m.decode() for m in members}

    def purged(self, source_id: str) -> None:
        """`source_id` is purged (or configured again): off the to-purge set."""
        self.redis.srem(f"{self.prefix}:sources:to-purge", source_id)

    def removed_sources(self, since: float) -> set[str]:
        """The sources published configs removed since `since` (epoch seconds); those removed
        before are forgotten (`note_removed_sources`)."""
        key = f"{self.prefix}:sources:removed-at"
        pipe = self.redis.pipeline(transaction=False)
        pipe.zremrangebyscore(key, "-inf", f"({since}")
        pipe.zrange(key, 0, -1)
        members = cast(list[bytes], pipe.execute()[1])
        return {m.decode() for m in members}

    def purge_source(self, source_id: str, batch: int = 500) -> int:
        """Forget a source removed from the config: its articles leave every feed, page and
        story (a story keeps its other copies), then everything kept about it goes. Returns how
        many articles went. In scripts of `batch` articles, so no call blocks Redis for long."""
        removed = 0
        keys = self._removal_keys(source_id)
        prefixes = [self._category_prefix(), self._article_key("")]
        while ids := cast(list[bytes], self.redis.zrange(keys[0], 0, batch - 1)):
            # (Tombstones of no duration: the key goes below.)
            self._remove_articles(keys=keys, args=[*prefixes, 0, *ids])
            removed += len(ids)
        pipe = self.redis.pipeline(transaction=False)
        pipe.delete(
            self._state_key(source_id),
            self._hashes_key(source_id),
            self._tombstones_key(source_id),
            self._history_key(source_id),
            self._boilerplate_key(source_id),
            self._boilerplate_seen_key(source_id),
            self._copies_key(source_id),
        )
        pipe.zrem(self._due_key(), source_id)
        pipe.srem(self._paused_key(), source_id)
        pipe.hdel(self._health_keys()[0], source_id)  # (counts hold published sources only)
        pipe.hdel(self._sites_key(), source_id)  # (no export lists a purged source)
        pipe.execute()
        return removed

    def drop_old_paragraph_evidence(self) -> int:
        """Delete the paragraph evidence of an earlier layout; return how many keys went.

        Its hashes were made of other text (before traditional Chinese was folded): kept, they
        would hold their high counts while the same footers counted again from 1 under their new
        hashes and went first at every overflow, for ~160 articles. Without them, a footer on
        every article is learned again within the source's next five.
        """
        marker = f"{self.prefix}:boiler-layout"
        if self.redis.get(marker) == EVIDENCE_LAYOUT.encode():
            return 0
        keys = [
            key
            for pattern in (f"{self.prefix}:boiler:*", f"{self.prefix}:boiler-n:*")
            for key in self.redis.scan_iter(match=pattern, count=1000)
        ]
        self._delete(keys)
        self.redis.set(marker, EVIDENCE_LAYOUT)
        return len(keys)

    def drop_old_story_index(self) -> int:
        """Delete the story index of the first layout (buckets of article ids); return its keys.

        Its records cannot be read by this version. The articles it held are filed again when
        their feeds next list them; stories already shown stay (their member lists are kept).
        """
        old = f"{self.prefix}:story-fp"
        if not self.redis.exists(old):
            return 0
        keys = [old, *self.redis.scan_iter(match=f"{self.prefix}:lsh:*", count=1000)]
        self._delete(keys)
        return len(keys)

    def _delete(self, keys: Sequence[str | bytes]) -> None:
        """Delete `keys`, a thousand a command."""
        for start in range(0, len(keys), 1000):
            self.redis.delete(*keys[start : start + 1000])

    def unfiled(self, article_ids: Sequence[str]) -> set[str]:
        """The ids stored and not filed in a story yet (one round trip)."""
        if not article_ids:
            return set()
        found = self._unfiled(
            keys=[self._story_fp_key()], args=[self._article_key(""), ",".join(article_ids)]
        )
        return _id_set(cast(bytes, found))

    def boilerplate(self, source_id: str, min_articles: int) -> frozenset[str]:
        """The source's boilerplate: paragraph hashes carried by `min_articles` of its articles."""
        found = cast(
            list[bytes],
            self.redis.zrangebyscore(self._boilerplate_key(source_id), min_articles, "+inf"),
        )
        return frozenset(_text(h) for h in found)

    def boilerplates(
        self, source_ids: Sequence[str], min_articles: int
    ) -> dict[str, frozenset[str]]:
        """`boilerplate` of several sources, in one round trip."""
        if not source_ids:
            return {}
        pipe = self.redis.pipeline(transaction=False)
        for source_id in source_ids:
            pipe.zrangebyscore(self._boilerplate_key(source_id), min_articles, "+inf")
        rows = cast(list[list[bytes]], pipe.execute())
        return {
            source_id: frozenset(_text(h) for h in row)
            for source_id, row in zip(source_ids, rows, strict=True)
        }

    def observe_paragraphs(  # (one round trip per OBSERVED_PER_SCRIPT paragraphs)
        self,
        source_id: str,
        hashes: dict[str, list[str]],
        max_evidence: int,
        min_articles: int,
        half_life: int,
        learned_at: int | None = None,
    ) -> Observed:
        """Count the paragraphs of the stored articles not filed in a story yet (one round trip),
        once per article: a refresh retried after failing before it filed them counts nothing
        twice. Every `half_life` articles counted, the counts held are halved first.

        Returns those article ids, the source's boilerplate: the paragraph hashes carried by at
        least `min_articles` of its articles, of the `max_evidence` most counted hashes kept,
        and, with `learned_at`, what `boilerplate(source_id, learned_at)` answers after the
        counting (its learned junk, read by the same script: no round trip of its own).
        """
        keys = [
            self._story_fp_key(),
            self._boilerplate_key(source_id),
            self._observed_key(),
            self._boilerplate_seen_key(source_id),
        ]
        fresh: set[str] = set()
        known: list[bytes] = []
        learned: list[bytes] = []
        for batch in _batches(hashes, OBSERVED_PER_SCRIPT):
            args: list[str | int] = [
                max_evidence,
                min_articles,
                self._article_key(""),
                _evidence(batch),
            ]
            new, known, learned = cast(
                tuple[bytes, list[bytes], list[bytes]],
                self._observe_paragraphs(keys=keys, args=[*args, half_life, learned_at or ""]),
            )
            fresh |= _id_set(new)
        return _observed(new, known, learned, learned_at, fresh)

    def file_stories(
        self,
        new: Sequence[stories.New],
        now: datetime,
        state: SourceState | None = None,
        read_with: Sequence[str] | None = None,
        lease: str | None = None,
    ) -> tuple[dict[str, list[stories.Stored]], int]:
        """File each new (article id, source, published, fingerprint), oldest first, that no filed
        article shares a bucket with as a story of its own (one round trip): most articles.

        Returns the others' candidates, the filed articles sharing a bucket with each (their
        stories are for `stories.plan` to decide, then `join_stories`), and the last handle given
        then: `join_stories` checks only what was filed after it. `state` is saved with them
        when there are no others (as `save_state` with keep_paused: the refresh saved its
        schedule already; `read_with` as there; with a `lease` that is no longer the source's
        last, the articles are filed and the state is not written).
        """
        if not new:
            return {}, 0
        blob = _story_articles((i, s, p, "", "", fp) for i, s, p, fp in new)
        found, records, last = cast(
            tuple[bytes, list[bytes], int],
            self._file_stories(
                keys=[
                    self._story_fp_key(),
                    self._state_key(state.source_id if state else ""),
                    self._claims_key(),
                ],
                args=[
                    f"{self.prefix}:",
                    _num(_epoch(now)),
                    blob,
                    _encode_state(state) if state else "",
                    *_claim(state, read_with),
                    lease or "",
                    state.source_id if state else "",
                ],
            ),
        )
        stored = {
            _text(records[i]): _decode_stored(_text(records[i]), records[i + 1])
            for i in range(0, len(records), 2)
        }
        candidates = {}
        for entry in filter(None, _text(found).split(";")):
            article_id, ids = entry.split(":")
            candidates[article_id] = [stored[i] for i in sorted(set(ids.split(","))) if i in stored]
        return candidates, int(last)

    def join_stories(
        self,
        joins: Sequence[stories.Join],
        now: datetime,
        *,
        force: bool = False,
        read: int = 0,
        known: Collection[str] = (),
        state: SourceState | None = None,
        read_with: Sequence[str] | None = None,
        lease: str | None = None,
    ) -> tuple[int, list[stories.Stored]]:
        """File new articles in their stories atomically (one round trip).

        Returns (how many joined an existing story, []), or (0, the filed articles the decisions
        did not look at) when another worker filed a candidate meanwhile: decide again and retry.
        `read`: the last handle `file_stories` gave (0: check every article in the buckets);
        `known`: the articles filed since then that the decisions looked at (what earlier tries
        missed). `force` files regardless. Articles filed already, or no longer stored, are
        skipped. `state` is saved with them (as in `file_stories`, `read_with` and `lease` too).
        """
        if not joins:
            return 0, []
        args: list[str | bytes | int] = [
            f"{self.prefix}:",
            _num(_epoch(now)),
            int(force),
            read,
            ",".join(sorted(known)),
            _story_articles(
                (j.article_id, j.source_id, j.published, j.story_id, j.via, j.fingerprint)
                for j in joins
            ),
            _encode_state(state) if state else "",
            *_claim(state, read_with),
            lease or "",
            state.source_id if state else "",
        ]
        keys = [
            self._story_fp_key(),
            self._state_key(state.source_id if state else ""),
            self._claims_key(),
        ]
        reply = cast(list[Any], self._join_stories(keys=keys, args=args))
        if reply[0] == b"ok":
            return int(reply[1]), []
        return 0, [_decode_stored(_text(reply[i]), reply[i + 1]) for i in range(1, len(reply), 2)]

    def stories_of(self, article_ids: Sequence[str]) -> dict[str, stories.Story]:
        """The story of each article (one round trip); unfiled articles are stories of one."""
        if not article_ids:
            return {}
        rows = cast(
            list[list[bytes]],
            self._stories(keys=[self._story_fp_key()], args=[f"{self.prefix}:", *article_ids]),
        )
        out: dict[str, stories.Story] = {}
        for article_id, row in zip(article_ids, rows, strict=True):
            story_id = _text(row[0]) if row[0] else article_id
            members = []
            for i in range(1, len(row), 2):
                published, seen, source = _text(row[i + 1]).split("\t", 2)
                members.append(stories.Member(_text(row[i]), source, float(published), float(seen)))
            if not any(m.article_id == article_id for m in members):
                members = [stories.Member(article_id, "", 0.0, 0.0)]
            out[article_id] = stories.Story.of(story_id, members)
        return out

    def copy_counts(self, source_ids: Sequence[str]) -> dict[str, dict[str, int]]:
        """Per source: how many of its articles copied a story of each other source."""
        pipe = self.redis.pipeline(transaction=False)
        for source_id in source_ids:
            pipe.hgetall(self._copies_key(source_id))
        rows = cast(list[dict[bytes, bytes]], pipe.execute())
        return {
            source_id: {_text(k): int(v) for k, v in row.items()}
            for source_id, row in zip(source_ids, rows, strict=True)
        }


# --- conversions: Redis values stay in this module ------------------------------------------


def _text(value: bytes) -> str:
    return value.decode("utf-8")


def _id_set(joined: bytes) -> set[str]:
    """Article ids a story script joined by "," (ids are hex: never a comma)."""
    return set(filter(None, _text(joined).split(",")))


def _story_articles(
    rows: Iterable[tuple[str, str, float, str, str, stories.Fingerprint]],
) -> bytes:
    """(id, source, published, story, via, fingerprint) rows as the story scripts read them
    (`read_articles`): one string, as a list costs the client per element."""
    out = []
    for article_id, source_id, published, story_id, via, fp in rows:
        tokens = b"".join(stories.bucket_tokens(fp))
        head = f"{article_id}\t{source_id}\t{_num(published)}\t{story_id}\t{via}\t"
        out += [head.encode(), len(tokens).to_bytes(2, "big"), stories.pack(fp), tokens]
    return b"".join(out)


def _pairs(flat: Sequence[bytes]) -> dict[str, str]:
    """{id: token} of a script's id, token, id, token… answer."""
    return {_text(flat[i]): _text(flat[i + 1]) for i in range(0, len(flat), 2)}


def _num(value: float) -> str:
    """A float as Redis parses it back exactly."""
    return repr(float(value))


def _epoch(value: datetime) -> float:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"naive datetime {value!r}: the store needs timezone-aware ones")
    return value.timestamp()


def _iso(value: datetime | None) -> str | None:
    if value is None:
        return None
    _epoch(value)  # refuses naive datetimes
    return value.astimezone(UTC).isoformat()


def _from_iso(value: str | None) -> datetime | None:
    return None if value is None else datetime.fromisoformat(value)


# A cursor handed out is a time and an article's id, some 40 characters: a longer one is none
# (made up, each was kept in every web process's memo of cursors, 4,096 of them).
MAX_CURSOR_CHARS = 200


def parse_cursor(cursor: str) -> tuple[str, str]:
    """A cursor `_index_page` handed out: an article's score (a time) and its id. A malformed
    one (no id, a score that is no finite number: "inf:x" served the first page again under yet
    another address) raises ValueError."""
    if len(cursor) > MAX_CURSOR_CHARS:
        raise ValueError(f"not a page cursor: {cursor[:40]!r}…")
    score, sep, article_id = cursor.partition(":")
    try:
        number = float(score)
    except ValueError:
        number = math.nan
    if not sep or not article_id or not math.isfinite(number):
        raise ValueError(f"not a page cursor: {cursor!r}")
    return _num(number), article_id


def _meta(article: Article) -> str:
    """An article's hashes-value: its content hash and categories (a source moved to another
    category re-indexes its articles even when their content is the same)."""
    return "\n".join((article.content_hash, *article.categories))


def _encode_article(article: Article) -> bytes:
    # (Every field but `dated`, which only a save reads: tests/test_store.py checks them all.)
    doc: dict[str, object] = {
        "id": article.id,
        "source_id": article.source_id,
        "guid": article.guid,
        "url": article.url,
        "title": article.title,
        "summary": article.summary,
        "content": article.content,
        "author": article.author,
        "published": _iso(article.published),
        "updated": _iso(article.updated),
        "source_name": article.source_name,
        "source_url": article.source_url,
        "source_feed_url": article.source_feed_url,
        "categories": article.categories,
        "tags": article.tags,
        "language": article.language,
        # [url, type, length], and the duration when known (older articles have three).
        "enclosures": [
            [e.url, e.type, e.length, e.duration] if e.duration else [e.url, e.type, e.length]
            for e in article.enclosures
        ],
        "thumbnail": article.thumbnail,
        "content_hash": article.content_hash,
        "full_text": article.full_text,
    }
    if article.full_text_tries:
        doc["full_text_tries"] = article.full_text_tries
    if article.written_hash:
        doc["written_hash"] = article.written_hash
    if article.external_url:
        doc["external_url"] = article.external_url
    if article.day_only:
        doc["day_only"] = True
    try:
        # What json.dumps(ensure_ascii=False, separators=(",", ":")) writes, in UTF-8, ~12x as
        # fast (tests/test_store.py holds the two equal); it refuses what json writes anyway.
        data = orjson.dumps(doc)
    except TypeError:  # a lone surrogate (a broken feed's), an integer past 64 bits
        text = json.dumps(doc, ensure_ascii=False, separators=(",", ":"))
        # surrogatepass: a lone surrogate must not make the article unstorable.
        data = text.encode("utf-8", "surrogatepass")
    return isal_zlib.compress(data, ARTICLE_COMPRESSION)


# ISA-L's level for an article's JSON, a zlib stream as zlib writes (older articles: zlib's, at
# level 4, and 6 before that; read back alike). Measured on a cold round's 3,608 corpus
# articles (3.4 KB of JSON each): zlib at 4, 64 us an article and 1,391 bytes; ISA-L at 3, its
# highest, 25 us and 1,425 (+2.4%); at 1, 18 us and 1,444. Read back, 13 us to zlib's 21.
ARTICLE_COMPRESSION = 3


def _decode_article(blob: bytes) -> Article:
    # "replace": a lone surrogate stored by older code (parse now replaces them) comes back as
    # U+FFFD, which a page can encode, not as itself, which fails the whole page.
    doc: dict[str, Any] = json.loads(isal_zlib.decompress(blob).decode("utf-8", "replace"))
    return Article(
        id=doc["id"],
        source_id=doc["source_id"],
        guid=doc["guid"],
        url=doc["url"],
        title=doc["title"],
        summary=doc["summary"],
        content=doc["content"],
        author=doc["author"],
        published=datetime.fromisoformat(doc["published"]),
        updated=datetime.fromisoformat(doc["updated"]),
        source_name=doc["source_name"],
        source_url=doc["source_url"],
        source_feed_url=doc.get("source_feed_url", ""),  # absent in articles stored before it
        categories=tuple(doc.get("categories", ())),
        tags=tuple(doc.get("tags", ())),
        language=doc.get("language", ""),
        enclosures=tuple(
            Enclosure(url=url, type=type_, length=length, duration=(timed or [None])[0])
            for url, type_, length, *timed in doc.get("enclosures", ())
        ),
        thumbnail=doc.get("thumbnail", ""),
        content_hash=doc.get("content_hash", ""),
        full_text=doc.get("full_text", ""),
        full_text_tries=doc.get("full_text_tries", 0),
        written_hash=doc.get("written_hash", ""),  # absent in articles stored before it
        external_url=doc.get("external_url", ""),  # (only there when there is one)
        day_only=doc.get("day_only", False),
    )


def _decode_stored(article_id: str, record: bytes) -> stories.Stored:
    story, source, published, seen, _handle, packed = record.split(b"\t", 5)
    return stories.Stored(
        article_id=article_id,
        story_id=_text(story) or article_id,
        source_id=_text(source),
        published=float(published),
        seen=float(seen),
        fingerprint=stories.unpack(packed),
    )


_STATE_DATETIMES = frozenset({"last_fetch", "last_read", "next_due"})
# article_count is not stored: it is the size of the source's index, read with the state.
_STATE_FIELDS = tuple(
    f.name for f in fields(SourceState) if f.name not in ("source_id", "article_count")
)


def _encode_state(state: SourceState) -> str:
    doc: dict[str, Any] = {}
    for name in _STATE_FIELDS:
        value = getattr(state, name)
        if name in _STATE_DATETIMES:
            value = _iso(value)
        elif isinstance(value, Outcome):
            value = value.value
        doc[name] = value
    return json.dumps(doc, ensure_ascii=False, separators=(",", ":"))


def _claim(state: SourceState | None, read_with: Sequence[str] | None) -> tuple[str, str]:
    """The script arguments after a state's (_LUA_CLAIMS): the marks it was read with, and its
    unclaimed copy."""
    if state is None or read_with is None:
        return "-", ""
    return ",".join(read_with), _encode_state(state.unclaimed())


def _decode_state(
    source_id: str, raw: bytes | None, article_count: int, paused: bool = False
) -> SourceState:
    if raw is None:
        return SourceState(source_id, article_count=article_count, paused=paused)
    doc: dict[str, Any] = json.loads(raw)
    values: dict[str, Any] = {}
    for name in _STATE_FIELDS:
        if name not in doc:  # written by an older version: keep the default
            continue
        value = doc[name]
        if name in _STATE_DATETIMES:
            value = _from_iso(value)
        elif name == "outcome" and value is not None:
            value = Outcome(value)
        elif name in ("entry_marks", "shared_guids"):
            value = tuple(value)
        values[name] = value
    values["paused"] = paused  # the paused set is the truth, not the copy in the state
    return SourceState(source_id, article_count=article_count, **values)


def _due_action(state: SourceState) -> str:
    """What a state write does to the due set: "-" unschedule, "" leave it, else the new score.

    Whether the source is paused is decided in Redis, from the paused set, at write time.
    """
    if state.gone:
        return "-"
    if state.next_due is None:
        return ""
    return _num(_epoch(state.next_due))


def _health_words(state: SourceState) -> tuple[str, str]:
    """The source's state word if it is paused and if it is not: the script knows which holds."""
    return source_health(replace(state, paused=True)), source_health(replace(state, paused=False))


# --- fetch history records (appended) ---------------------------------------------------------

HISTORY_SIZE = 50  # refresh outcomes kept per source


@dataclass(frozen=True)
class FetchRecord:
    """One refresh of a source as the admin pages show it."""

    source_id: str
    at: datetime  # when the refresh started, UTC
    outcome: Outcome
    http_status: int | None
    duration: float  # seconds
    added: int = 0
    updated: int = 0
    error: str = ""
    # Articles removed by retention in the same save (max_per_source, or max_age_days beyond
    # the newest keep_newest): "added 54" of an archive's feed leaves 20, and this says why.
    trimmed: int = 0


def _encode_record(record: FetchRecord, *, counted_by_script: bool = False) -> str:
    """The history entry; `counted_by_script`: open-ended, for the script to add its counts."""
    doc: dict[str, Any] = {
        "at": _iso(record.at),
        "outcome": record.outcome.value,
        "status": record.http_status,
        "duration": round(record.duration, 4),
        "error": record.error,
    }
    if counted_by_script:
        return json.dumps(doc, ensure_ascii=False, separators=(",", ":"))[:-1]
    doc.update(added=record.added, updated=record.updated, trimmed=record.trimmed)
    return json.dumps(doc, ensure_ascii=False, separators=(",", ":"))


def _decode_record(source_id: str, raw: bytes) -> FetchRecord:
    doc: dict[str, Any] = json.loads(raw)
    return FetchRecord(
        source_id=source_id,
        at=datetime.fromisoformat(doc["at"]),
        outcome=Outcome(doc["outcome"]),
        http_status=doc.get("status"),
        duration=float(doc.get("duration", 0.0)),
        added=int(doc.get("added", 0)),
        updated=int(doc.get("updated", 0)),
        error=doc.get("error", ""),
        trimmed=int(doc.get("trimmed", 0)),  # (not in the entries of older releases)
    )


# The most paragraph hashes one run of the counting script takes: a feed of 500 articles of
# 1,500 short lines each, counted in one run, held Redis 5 s (a review); this many, ~50 ms.
OBSERVED_PER_SCRIPT = 8192


def _evidence(batch: Iterable[tuple[str, list[str]]]) -> str:
    """The counting script's articles: "id hashes" each (10 hex digits a hash), joined by ","."""
    return ",".join(f"{i} {''.join(h)}" for i, h in batch)


def _counting_args(counting: Counting | None) -> list[str | int]:
    """ARGV[21] to ARGV[25] of the save script: a `Counting` in one script, or "" each."""
    if counting is None or sum(map(len, counting.hashes.values())) > OBSERVED_PER_SCRIPT:
        return ["", "", "", "", ""]
    return [
        counting.max_evidence,
        counting.min_articles,
        _evidence(counting.hashes.items()),
        counting.half_life,
        counting.learned_at or "",
    ]


def _observed(
    new: bytes,
    known: list[bytes],
    learned: list[bytes],
    learned_at: int | None,
    fresh: set[str] | None = None,
) -> Observed:
    """The counting script's answer (`fresh`: the ids counted over its runs, when several)."""
    return Observed(
        _id_set(new) if fresh is None else fresh,
        frozenset(_text(h) for h in known),
        frozenset(_text(h) for h in learned) if learned_at else None,
    )


def _batches(hashes: dict[str, list[str]], size: int) -> Iterator[list[tuple[str, list[str]]]]:
    """The articles' (id, hashes) in runs of at most `size` hashes (an article's never split)."""
    batch: list[tuple[str, list[str]]] = []
    held = 0
    for item in hashes.items():
        if batch and held + len(item[1]) > size:
            yield batch
            batch, held = [], 0
        batch.append(item)
        held += len(item[1])
    if batch or not hashes:
        yield batch
