/* Hot loops of the worker in C, each with a Python reference that gives the same answers and
 * runs when this module was not built (setup.py makes it optional).
 *
 *     paragraphs(markup) -> list[str] | None
 *     words(paragraphs) -> tuple[list[bytes], list[str]]
 *     fingerprint_parts(items) -> list[tuple[int, tuple[...], tuple[int, ...], int, int, bytes, bool]]
 *
 * An article body as stories read it (references: boilerplate._paragraphs_python,
 * boilerplate._words_python, stories._fingerprint_parts_python; checked equal in
 * tests/test_stories.py). `paragraphs` cuts sanitized HTML into text paragraphs (None: a tag
 * it leaves to Python). `words` cuts each into stories.tokens, packed as stories.pack_tokens
 * lays them out (each token's hash, characters, CJK characters, UTF-8 bytes, then the text),
 * with boilerplate.hash_tokens of each: no Python object per token. `fingerprint_parts`
 * computes, per article, a fingerprint's numbers from its kept paragraphs' packed tokens: the
 * shingles and MinHash (each token hashed with two CRC-32s, n-grams mixed by odd multipliers,
 * one-permutation MinHash over the hashes' high bits, rotation densification, splitmix64's
 * finalizer) and the BLAKE2b hashes of the body's start.
 *
 *     dfa_counts(nextmove, rowbase, output, data) -> dict[int, int] | None
 *     nb_probabilities(nextmove, rowbase, output, ptc, pc, data) -> list[float] | None
 *
 * py3langid's visit_counts (language.py; checked equal in tests/test_language.py): the walk of
 * the model's byte automaton over a text, counting the features it passes, in order of first
 * visit; None when there is none. py3langid walks it in a Python loop, one step per byte.
 * `nb_probabilities` goes on as its _decide does under norm_probs: the naive Bayes sums of the
 * float16 table's rows, weighted by log1p of the counts, plus the priors, and their softmax at
 * temperature sqrt(len(data)), in float32 (summed in another order than numpy's: the same
 * probabilities to ~1e-5).
 *
 *     collapsed(text) -> str
 *     collapsed_utf8(text) -> bytes
 *
 * `" ".join(text.split())`, the white space collapsing the cleaning does on every title, body,
 * excerpt and line it reads (aggregator/text.py has the reference; checked equal in
 * tests/test_text.py): one pass to measure, one to write, no list of words. `collapsed_utf8`
 * writes it as UTF-8 ("surrogatepass") in one pass, for a hash of it.
 *
 *     markup_beyond(data, max_elements, max_depth, max_tag_bytes) -> int
 *
 * The walk of parse._beyond_feedparser over a large document's tags (reference:
 * parse._markup_beyond_python; checked equal in tests/test_parse.py): comments, CDATA sections
 * and instructions stepped over, elements counted and their nesting followed. 0 when the
 * document stays within the bounds, else which one it passes first: 1 an instruction, 2 a tag
 * (its bytes outside quoted values) longer than max_tag_bytes, 3 more elements than
 * max_elements, 4 nesting deeper than max_depth. A podcast's 1.6 MB of 19,771 tags took the
 * Python loop 21 ms, a tenth of its fast reading.
 *
 *     without_self_closing(data) -> bytes
 *
 * parse._without_self_closing (reference: parse._without_self_closing_python; checked equal in
 * tests/test_parse.py): each element written self-closing, "<x a='1'/>", written "<x a='1'></x>"
 * (but <enclosure>), outside comments, CDATA sections and instructions; `data` itself when
 * there is none. The pattern's walk, a piece at a time, was 3-4% of a fast reading.
 *
 *     markup_as_elements(data) -> list[int]
 *
 * parse._markup_as_elements (reference: parse._markup_as_elements_python; checked equal in
 * tests/test_parse.py): where each text element (<description>, <content:encoded>, <summary>,
 * <content>, <title>) whose text holds an element starts; comments, CDATA sections and
 * instructions stepped over, outside those elements and in their text.
 *
 *     entry_spans(data) -> list[tuple[int, int]]
 *
 * parse._entry_spans (reference: parse._entry_spans_python; checked equal in
 * tests/test_parse.py): where each <item> or <entry> (any prefix) starts and ends.
 *
 *     document_marks(data, max_name, max_tags) -> tuple[set[bytes] | None, int, int]
 *
 * parse._document_marks (reference: parse._document_marks_python; checked equal in
 * tests/test_parse.py): in one call, the names written after "<", which of the thirteen
 * patterns of parse._MARKED match somewhere (a bit each), and where the last "language>"
 * starts; each found from its literal (memchr, memmem; _ODD_FIELDS, at each "<"). Ten of those scans and the names' were 8% of a fast
 * reading.
 *
 *     odd_marks(data, start, end) -> int
 *
 * parse._odd_marks (reference: parse._odd_marks_python; checked equal in tests/test_parse.py):
 * which patterns of parse._ODD_MARKED match somewhere, and which of parse._ODD_ITEM_MARKED
 * between `start` and `end` (a bit each), each tried at every "<" of one walk. Their scans, as
 * four joined patterns, were 5% of a fast reading.
 *
 *     illegal_reference(text) -> int
 *
 * parse._illegal_reference (reference: parse._illegal_reference_python; checked equal in
 * tests/test_parse.py): where the first reference to a character XML forbids is in a
 * document's text (-1: none), so that the substitution runs only where there is one.
 *
 *     namespace_declarations(data) -> list[tuple[bytes, bytes]]
 *
 * parse._namespace_declarations (reference: parse._namespace_declarations_python; checked equal
 * in tests/test_parse.py): _NAMESPACE_DECLARATION.findall, each prefix declared and its address.
 *
 *     quick_lines(html_text, longest) -> tuple[str, list[str]] | None
 *
 * junk.strip_paragraphs' look at a body before it parses anything (reference:
 * junk._quick_lines_python; checked equal in tests/test_junk.py): block tags made line breaks,
 * other tags dropped, entities decoded (html.unescape, called), and the lines of at most
 * `longest` characters, collapsed. None when a tag's name is not ASCII.
 *
 *     too_deep(html_text, max_nesting) -> bool | None
 *
 * sanitize.too_deep's walk over the start and end tags before nh3 (reference:
 * sanitize._too_deep_python; checked equal in tests/test_sanitize.py): the open elements
 * followed as HTML's parser closes them. None when a tag's name is not ASCII.
 *
 *     without_mathml_tags(html_text) -> str
 *
 * sanitize._without_mathml_tags (reference: sanitize._without_mathml_tags_python; checked
 * equal in tests/test_sanitize.py): before the first <math> or <svg>, when a tag other than the
 * usual ones is there, the start and end tags of MathML's names dropped; else html_text itself.
 *
 *     may_hide_pictures(html_text) -> bool
 *
 * A look before lazy_images._MAY_HIDE.s search (checked in tests/test_sanitize.py: never False
 * where the pattern finds something): False when no <noscript>, <amp-img> or <img> could be
 * what it looks for (each <img> with a src of some value and no "data" in it), and the pattern
 * need not run. The pattern ran over every body, and finds something in 5 of 2,552.
 *
 *     mentions_caseless(text, word) -> bool
 *
 * Whether text holds `word` (lowercase ASCII, punctuation as written) in any ASCII case, as
 * CSS and HTML read names, or with a letter IGNORECASE reads as one of its (never False where
 * re.I finds the word): the look before sanitize's hidden-picture, hidden-frame and XML-break
 * checks ("dIsPlAy", "<IFrame", "</bR>" escaped two plain looks, and a pattern ignoring case
 * cost ~10% of clean_html).
 *
 *     misleading_urls(cleaned) -> bool
 *
 * The same before sanitize._MISLEADING_URL's substitution (checked in tests/test_sanitize.py):
 * False when no href, src or poster of nh3's holds an http(s) address without "//" (or with a
 * third slash or a backslash after it), with a user name, or with a character no one sees
 * (sanitize._INVISIBLE_IN_URLS), and the pattern need not run.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#define SLOTS 32
#define SLOT_SHIFT 59 /* 64 - log2(SLOTS) */
#define SLOT_LOW ((UINT64_C(1) << SLOT_SHIFT) - 1)
#define WORD_SHINGLE 3
#define CJK_SHINGLE 4
#define GOLDEN UINT64_C(0x9E3779B97F4A7C15)

static const uint64_t MIX[4] = {
    UINT64_C(0xBF58476D1CE4E5B9), UINT64_C(0x94D049BB133111EB),
    UINT64_C(0xD6E8FEB86659FD93), UINT64_C(0xC2B2AE3D27D4EB4F)};
static uint32_t crc_table[256];

static void crc_init(void) {
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;
        for (int k = 0; k < 8; k++)
            c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
        crc_table[i] = c;
    }
}

static int is_cjk(Py_UCS4 ch) {
    return (ch >= 0x3040 && ch <= 0x30FF) || (ch >= 0x3400 && ch <= 0x4DBF) ||
           (ch >= 0x4E00 && ch <= 0x9FFF) || (ch >= 0xF900 && ch <= 0xFAFF);
}

/* Distinct values of `values` (n of them), counted in an open-addressing set in `table`. */
static Py_ssize_t count_distinct(const uint64_t *values, Py_ssize_t n, uint64_t *table,
                                 Py_ssize_t capacity) {
    /* 0 marks an empty cell; a value 0 is counted on the side */
    memset(table, 0, (size_t)capacity * sizeof(uint64_t));
    Py_ssize_t distinct = 0;
    int zero = 0;
    uint64_t mask = (uint64_t)capacity - 1;
    for (Py_ssize_t i = 0; i < n; i++) {
        uint64_t v = values[i];
        if (v == 0) {
            zero = 1;
            continue;
        }
        uint64_t at = (v ^ (v >> 29)) & mask;
        while (table[at] != 0 && table[at] != v)
            at = (at + 1) & mask;
        if (table[at] == 0) {
            table[at] = v;
            distinct++;
        }
    }
    return distinct + zero;
}

static PyObject *signature_of(const uint64_t *shingles, Py_ssize_t n) {
    uint64_t minima[SLOTS];
    int filled[SLOTS] = {0};
    for (Py_ssize_t i = 0; i < n; i++) {
        int slot = (int)(shingles[i] >> SLOT_SHIFT);
        uint64_t low = shingles[i] & SLOT_LOW;
        if (!filled[slot] || low < minima[slot]) {
            minima[slot] = low;
            filled[slot] = 1;
        }
    }
    PyObject *out = PyTuple_New(SLOTS);
    if (out == NULL)
        return NULL;
    for (int s = 0; s < SLOTS; s++) {
        int t = s;
        while (!filled[t % SLOTS])
            t++; /* n > 0: some slot is filled */
        uint64_t z = minima[t % SLOTS] + (uint64_t)(t - s) * GOLDEN;
        z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
        z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
        z ^= z >> 31;
        PyObject *value = PyLong_FromUnsignedLong((unsigned long)(z >> 48));
        if (value == NULL) {
            Py_DECREF(out);
            return NULL;
        }
        PyTuple_SET_ITEM(out, s, value);
    }
    return out;
}

/* --- boilerplate.py: an article body's paragraphs, their tokens and their hashes ------------- */

static PyObject *unescape_fn;  /* html.unescape */
static PyObject *normalize_fn; /* unicodedata.normalize */
static PyObject *nfkc;         /* "NFKC" */

static const char *const BLOCK_NAMES[] = {
    "p",      "div",   "br",     "li",         "ul",     "ol",     "h1",      "h2",
    "h3",     "h4",    "h5",     "h6",         "blockquote", "pre", "table",  "tr",
    "section", "article", "figure", "figcaption", "header", "footer", "aside", "hr", NULL};

static int is_word(Py_UCS4 ch) { return Py_UNICODE_ISALNUM(ch) || ch == '_'; }

/* Whether text[at] ('<') starts a tag boilerplate._BLOCK matches; *end: the index after it.
 * -1 when a name has non-ASCII characters (IGNORECASE could match them to ASCII: the caller
 * leaves the whole text to the Python reference). */
static int block_tag(const Py_UCS4 *text, Py_ssize_t n, Py_ssize_t at, Py_ssize_t *end) {
    Py_ssize_t i = at + 1;
    while (i < n && Py_UNICODE_ISSPACE(text[i]))
        i++;
    if (i < n && text[i] == '/')
        i++;
    while (i < n && Py_UNICODE_ISSPACE(text[i]))
        i++;
    Py_ssize_t start = i;
    char name[12];
    while (i < n && is_word(text[i])) {
        if (text[i] >= 128)
            return -1;
        if (i - start < 11)
            name[i - start] = (char)Py_TOLOWER((int)text[i]);
        i++;
    }
    if (i - start == 0 || i - start > 10)
        return 0;
    name[i - start] = '\0';
    int found = 0;
    for (int k = 0; BLOCK_NAMES[k] != NULL && !found; k++)
        found = strcmp(name, BLOCK_NAMES[k]) == 0;
    if (!found)
        return 0;
    while (i < n && text[i] != '>')
        i++;
    if (i == n)
        return 0;
    *end = i + 1;
    return 1;
}

/* boilerplate.paragraphs, or None when the text needs the Python reference. */
/* Appends `item`, a new reference or NULL (a call that failed), to `list` and gives the
 * reference up: -1 when either failed, with the error set. */
static int append_new(PyObject *list, PyObject *item) {
    if (item == NULL)
        return -1;
    int failed = PyList_Append(list, item);
    Py_DECREF(item);
    return failed;
}

static PyObject *paragraphs(PyObject *module, PyObject *markup) {
    (void)module;
    if (!PyUnicode_Check(markup)) {
        PyErr_SetString(PyExc_TypeError, "markup must be str");
        return NULL;
    }
    Py_ssize_t n = PyUnicode_GET_LENGTH(markup);
    Py_UCS4 *text = PyUnicode_AsUCS4Copy(markup);
    if (text == NULL)
        return NULL;
    Py_UCS4 *out = PyMem_Malloc((size_t)(n + 1) * sizeof(Py_UCS4));
    PyObject *unescaped = NULL, *result = NULL;
    if (out == NULL) {
        PyErr_NoMemory();
        goto done;
    }
    /* _BLOCK.sub("\n", ...) */
    Py_ssize_t m = 0, end;
    for (Py_ssize_t i = 0; i < n;) {
        if (text[i] == '<') {
            int tag = block_tag(text, n, i, &end);
            if (tag < 0) {
                result = Py_NewRef(Py_None);
                goto done;
            }
            if (tag) {
                out[m++] = '\n';
                i = end;
                continue;
            }
        }
        out[m++] = text[i++];
    }
    /* _TAG.sub(" ", ...): from a '<' to the first '>' after it */
    Py_ssize_t k = 0;
    int amp = 0;
    for (Py_ssize_t i = 0; i < m;) {
        if (out[i] == '<') {
            Py_ssize_t j = i + 1;
            while (j < m && out[j] != '>')
                j++;
            if (j < m) {
                text[k++] = ' ';
                i = j + 1;
                continue;
            }
        }
        amp |= out[i] == '&';
        text[k++] = out[i++];
    }
    const Py_UCS4 *chars = text;
    Py_ssize_t length = k;
    if (amp) { /* html.unescape, the reference's own */
        PyObject *stripped = PyUnicode_FromKindAndData(PyUnicode_4BYTE_KIND, text, k);
        if (stripped == NULL)
            goto done;
        unescaped = PyObject_CallOneArg(unescape_fn, stripped);
        Py_DECREF(stripped);
        if (unescaped == NULL)
            goto done;
        if (!PyUnicode_Check(unescaped)) {
            PyErr_SetString(PyExc_TypeError, "html.unescape returned no str");
            goto done;
        }
        length = PyUnicode_GET_LENGTH(unescaped);
        PyMem_Free(text);
        text = PyUnicode_AsUCS4Copy(unescaped);
        if (text == NULL)
            goto done;
        PyMem_Free(out);
        out = PyMem_Malloc((size_t)(length + 1) * sizeof(Py_UCS4));
        if (out == NULL) {
            PyErr_NoMemory();
            goto done;
        }
        chars = text;
    }
    /* [" ".join(line.split()) for line in text.split("\n")], empty ones left out */
    PyObject *list = PyList_New(0);
    if (list == NULL)
        goto done;
    Py_ssize_t i = 0;
    while (i <= length) {
        Py_ssize_t p = 0;
        for (; i < length && chars[i] != '\n'; i++) {
            if (Py_UNICODE_ISSPACE(chars[i])) {
                if (p > 0 && out[p - 1] != ' ')
                    out[p++] = ' ';
            } else {
                out[p++] = chars[i];
            }
        }
        i++; /* past the line break, or past the end */
        if (p > 0 && out[p - 1] == ' ')
            p--;
        if (p == 0)
            continue;
        if (append_new(list, PyUnicode_FromKindAndData(PyUnicode_4BYTE_KIND, out, p)) < 0) {
            Py_DECREF(list);
            goto done;
        }
    }
    result = list;
done:
    PyMem_Free(text);
    PyMem_Free(out);
    Py_XDECREF(unescaped);
    return result;
}

/* BLAKE2b (RFC 7693), unkeyed, of up to 64 bytes out: hashlib.blake2b(data, digest_size=...) */
static const uint64_t B2_IV[8] = {
    UINT64_C(0x6a09e667f3bcc908), UINT64_C(0xbb67ae8584caa73b), UINT64_C(0x3c6ef372fe94f82b),
    UINT64_C(0xa54ff53a5f1d36f1), UINT64_C(0x510e527fade682d1), UINT64_C(0x9b05688c2b3e6c1f),
    UINT64_C(0x1f83d9abfb41bd6b), UINT64_C(0x5be0cd19137e2179)};
static const uint8_t B2_SIGMA[12][16] = {
    {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15},
    {14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3},
    {11, 8, 12, 0, 5, 2, 15, 13, 10, 14, 3, 6, 7, 1, 9, 4},
    {7, 9, 3, 1, 13, 12, 11, 14, 2, 6, 5, 10, 4, 0, 15, 8},
    {9, 0, 5, 7, 2, 4, 10, 15, 14, 1, 11, 12, 6, 8, 3, 13},
    {2, 12, 6, 10, 0, 11, 8, 3, 4, 13, 7, 5, 15, 14, 1, 9},
    {12, 5, 1, 15, 14, 13, 4, 10, 0, 7, 6, 3, 9, 2, 8, 11},
    {13, 11, 7, 14, 12, 1, 3, 9, 5, 0, 15, 4, 8, 6, 2, 10},
    {6, 15, 14, 9, 11, 3, 0, 8, 12, 2, 13, 7, 1, 4, 10, 5},
    {10, 2, 8, 4, 7, 6, 1, 5, 15, 11, 9, 14, 3, 12, 13, 0},
    {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15},
    {14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3}};

#define ROTR64(x, n) (((x) >> (n)) | ((x) << (64 - (n))))
#define B2_G(a, b, c, d, x, y)                                                                     \
    do {                                                                                           \
        a = a + b + (x);                                                                           \
        d = ROTR64(d ^ a, 32);                                                                     \
        c = c + d;                                                                                 \
        b = ROTR64(b ^ c, 24);                                                                     \
        a = a + b + (y);                                                                           \
        d = ROTR64(d ^ a, 16);                                                                     \
        c = c + d;                                                                                 \
        b = ROTR64(b ^ c, 63);                                                                     \
    } while (0)

static void b2_compress(uint64_t h[8], const unsigned char *block, uint64_t count, int last) {
    uint64_t m[16], v[16];
    for (int i = 0; i < 16; i++) {
        uint64_t word = 0;
        for (int b = 7; b >= 0; b--)
            word = (word << 8) | block[8 * i + b];
        m[i] = word;
    }
    for (int i = 0; i < 8; i++) {
        v[i] = h[i];
        v[i + 8] = B2_IV[i];
    }
    v[12] ^= count;
    if (last)
        v[14] = ~v[14];
    for (int r = 0; r < 12; r++) {
        const uint8_t *s = B2_SIGMA[r];
        B2_G(v[0], v[4], v[8], v[12], m[s[0]], m[s[1]]);
        B2_G(v[1], v[5], v[9], v[13], m[s[2]], m[s[3]]);
        B2_G(v[2], v[6], v[10], v[14], m[s[4]], m[s[5]]);
        B2_G(v[3], v[7], v[11], v[15], m[s[6]], m[s[7]]);
        B2_G(v[0], v[5], v[10], v[15], m[s[8]], m[s[9]]);
        B2_G(v[1], v[6], v[11], v[12], m[s[10]], m[s[11]]);
        B2_G(v[2], v[7], v[8], v[13], m[s[12]], m[s[13]]);
        B2_G(v[3], v[4], v[9], v[14], m[s[14]], m[s[15]]);
    }
    for (int i = 0; i < 8; i++)
        h[i] ^= v[i] ^ v[i + 8];
}

static void blake2b(const unsigned char *data, size_t n, size_t outlen, unsigned char *out) {
    uint64_t h[8];
    memcpy(h, B2_IV, sizeof h);
    h[0] ^= UINT64_C(0x01010000) ^ (uint64_t)outlen;
    uint64_t count = 0;
    while (n > 128) {
        count += 128;
        b2_compress(h, data, count, 0);
        data += 128;
        n -= 128;
    }
    unsigned char block[128] = {0};
    if (n > 0) /* (data may be NULL then: an empty paragraph's text was never allocated) */
        memcpy(block, data, n);
    count += n;
    b2_compress(h, block, count, 1);
    for (size_t i = 0; i < outlen; i++)
        out[i] = (unsigned char)(h[i / 8] >> (8 * (i % 8)));
}

/* --- stories.py: a paragraph's tokens, packed, and the numbers of a fingerprint ------------- */

typedef struct {
    unsigned char *data;
    Py_ssize_t size, room;
} Buf;

/* Room for n more bytes; -1 (MemoryError) when there is none to be had. */
static int buf_reserve(Buf *b, Py_ssize_t n) {
    if (b->size + n > b->room) {
        Py_ssize_t room = b->room ? b->room : 256;
        while (room < b->size + n)
            room *= 2;
        unsigned char *grown = PyMem_Realloc(b->data, (size_t)room);
        if (grown == NULL) {
            PyErr_NoMemory();
            return -1;
        }
        b->data = grown;
        b->room = room;
    }
    return 0;
}

static int buf_put(Buf *b, const void *src, Py_ssize_t n) {
    if (buf_reserve(b, n) < 0)
        return -1;
    if (n > 0)
        memcpy(b->data + b->size, src, (size_t)n);
    b->size += n;
    return 0;
}

#define BUF_APPEND(b, src, n) /* after buf_reserve */                                            \
    do {                                                                                           \
        memcpy((b)->data + (b)->size, (src), (size_t)(n));                                         \
        (b)->size += (n);                                                                          \
    } while (0)

/* One paragraph's tokens as stories.pack_tokens lays them out, and their text joined by spaces
 * (what boilerplate.hash_tokens hashes). */
typedef struct {
    Buf hashes, chars, cjk, bytes, text, spaced, word;
} Tokens;

static void tokens_clear(Tokens *t) {
    t->hashes.size = t->chars.size = t->cjk.size = t->bytes.size = 0;
    t->text.size = t->spaced.size = t->word.size = 0;
}

static void tokens_free(Tokens *t) {
    Buf *all[] = {&t->hashes, &t->chars, &t->cjk, &t->bytes, &t->text, &t->spaced, &t->word};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        PyMem_Free(all[i]->data);
}

/* stories._token_hash of a token's UTF-8 bytes: two CRC-32s (zlib.crc32 from 0 and from
 * 0x5BD1E995, computed side by side), spread by the golden ratio */
static uint64_t token_hash(const unsigned char *bytes, Py_ssize_t size) {
    uint32_t high = ~UINT32_C(0), low = ~UINT32_C(0x5BD1E995);
    for (Py_ssize_t i = 0; i < size; i++) {
        high = crc_table[(high ^ bytes[i]) & 0xFF] ^ (high >> 8);
        low = crc_table[(low ^ bytes[i]) & 0xFF] ^ (low >> 8);
    }
    return (((uint64_t)~high << 32) | ~low) * GOLDEN;
}

/* Room for the tokens of a paragraph of n characters (at most n tokens of 4 bytes each). */
static int tokens_reserve(Tokens *t, Py_ssize_t n) {
    return buf_reserve(&t->hashes, 8 * n) < 0 || buf_reserve(&t->chars, 4 * n) < 0 ||
                   buf_reserve(&t->cjk, 4 * n) < 0 || buf_reserve(&t->bytes, 4 * n) < 0 ||
                   buf_reserve(&t->text, 4 * n) < 0 || buf_reserve(&t->spaced, 5 * n) < 0 ||
                   buf_reserve(&t->word, 4 * n) < 0
               ? -1
               : 0;
}

/* Add the token in t->word (UTF-8, `chars` characters of which `cjk` CJK), and empty t->word.
 * Room was made by tokens_reserve. */
static void add_token(Tokens *t, uint32_t chars, uint32_t cjk) {
    uint64_t hash = token_hash(t->word.data, t->word.size);
    uint32_t size = (uint32_t)t->word.size;
    if (t->spaced.size > 0)
        BUF_APPEND(&t->spaced, " ", 1);
    BUF_APPEND(&t->hashes, &hash, 8);
    BUF_APPEND(&t->chars, &chars, 4);
    BUF_APPEND(&t->cjk, &cjk, 4);
    BUF_APPEND(&t->bytes, &size, 4);
    BUF_APPEND(&t->text, t->word.data, size);
    BUF_APPEND(&t->spaced, t->word.data, size);
    t->word.size = 0;
}

/* One character in UTF-8, after buf_reserve (a token holds no surrogate: not a word character) */
static void put_utf8(Buf *b, Py_UCS4 ch) {
    unsigned char *out = b->data + b->size;
    if (ch < 0x80) {
        out[0] = (unsigned char)ch;
        b->size += 1;
    } else if (ch < 0x800) {
        out[0] = (unsigned char)(0xC0 | (ch >> 6));
        out[1] = (unsigned char)(0x80 | (ch & 0x3F));
        b->size += 2;
    } else if (ch < 0x10000) {
        out[0] = (unsigned char)(0xE0 | (ch >> 12));
        out[1] = (unsigned char)(0x80 | ((ch >> 6) & 0x3F));
        out[2] = (unsigned char)(0x80 | (ch & 0x3F));
        b->size += 3;
    } else {
        out[0] = (unsigned char)(0xF0 | (ch >> 18));
        out[1] = (unsigned char)(0x80 | ((ch >> 12) & 0x3F));
        out[2] = (unsigned char)(0x80 | ((ch >> 6) & 0x3F));
        out[3] = (unsigned char)(0x80 | (ch & 0x3F));
        b->size += 4;
    }
}

/* \w without "_" (Python's re: str.isalnum), ASCII first */
static int is_alnum(Py_UCS4 ch) { return ch < 128 ? Py_ISALNUM(ch) : Py_UNICODE_ISALNUM(ch); }

/* stories.tokens of one paragraph, added to `t`. -1 on error. */
static int paragraph_tokens(PyObject *paragraph, Tokens *t) {
    if (!PyUnicode_Check(paragraph)) {
        PyErr_SetString(PyExc_TypeError, "paragraphs must be str");
        return -1;
    }
    if (PyUnicode_IS_ASCII(paragraph)) { /* lower-case, then [a-z0-9]+ */
        const unsigned char *c = PyUnicode_1BYTE_DATA(paragraph);
        Py_ssize_t n = PyUnicode_GET_LENGTH(paragraph);
        if (tokens_reserve(t, n) < 0)
            return -1;
        for (Py_ssize_t i = 0; i < n;) {
            if (!Py_ISALNUM(c[i])) {
                i++;
                continue;
            }
            Py_ssize_t start = i;
            for (; i < n && Py_ISALNUM(c[i]); i++)
                t->word.data[t->word.size++] = (unsigned char)Py_TOLOWER(c[i]);
            add_token(t, (uint32_t)(i - start), 0);
        }
        return 0;
    }
    /* NFKC and case folding, then single CJK characters and runs of other word characters
     * (stories._TOKEN: [CJK]|[^\W_CJK]+) */
    PyObject *normal = PyObject_CallFunctionObjArgs(normalize_fn, nfkc, paragraph, NULL);
    if (normal == NULL)
        return -1;
    PyObject *folded = PyObject_CallMethod(normal, "casefold", NULL);
    Py_DECREF(normal);
    if (folded == NULL)
        return -1;
    if (!PyUnicode_Check(folded)) { /* (a str subclass's casefold may return anything) */
        Py_DECREF(folded);
        PyErr_SetString(PyExc_TypeError, "casefold() did not return a str");
        return -1;
    }
    int kind = PyUnicode_KIND(folded);
    const void *data = PyUnicode_DATA(folded);
    Py_ssize_t n = PyUnicode_GET_LENGTH(folded);
    if (tokens_reserve(t, n) < 0) {
        Py_DECREF(folded);
        return -1;
    }
    for (Py_ssize_t i = 0; i < n;) {
        Py_UCS4 ch = PyUnicode_READ(kind, data, i);
        if (is_cjk(ch)) {
            put_utf8(&t->word, ch);
            add_token(t, 1, 1);
            i++;
        } else if (is_alnum(ch)) {
            Py_ssize_t start = i;
            for (; i < n; i++) {
                ch = PyUnicode_READ(kind, data, i);
                if (is_cjk(ch) || !is_alnum(ch))
                    break;
                put_utf8(&t->word, ch);
            }
            add_token(t, (uint32_t)(i - start), 0);
        } else {
            i++;
        }
    }
    Py_DECREF(folded);
    return 0;
}

/* The packed form of t's tokens: stories.pack_tokens. */
static PyObject *packed_tokens(const Tokens *t) {
    uint64_t count = (uint64_t)(t->hashes.size / 8);
    Py_ssize_t size =
        8 + t->hashes.size + t->chars.size + t->cjk.size + t->bytes.size + t->text.size;
    PyObject *blob = PyBytes_FromStringAndSize(NULL, size);
    if (blob == NULL)
        return NULL;
    unsigned char *p = (unsigned char *)PyBytes_AS_STRING(blob);
    memcpy(p, &count, 8);
    p += 8;
    const Buf *parts[] = {&t->hashes, &t->chars, &t->cjk, &t->bytes, &t->text};
    for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++) {
        if (parts[i]->size > 0)
            memcpy(p, parts[i]->data, (size_t)parts[i]->size);
        p += parts[i]->size;
    }
    return blob;
}

/* boilerplate.Body's tokens and hashes: per paragraph, its stories.tokens packed
 * (stories.pack_tokens) and their boilerplate.hash_tokens. */
static PyObject *words(PyObject *module, PyObject *paragraphs) {
    (void)module;
    /* A tuple: the loop runs Python code (a str subclass's casefold), which could shrink a list. */
    PyObject *seq = PySequence_Tuple(paragraphs);
    if (seq == NULL)
        return NULL;
    Py_ssize_t count = PyTuple_GET_SIZE(seq);
    PyObject *packed = PyList_New(count), *hashes = PyList_New(count);
    Tokens t = {0};
    if (packed == NULL || hashes == NULL)
        goto fail;
    for (Py_ssize_t i = 0; i < count; i++) {
        tokens_clear(&t);
        if (paragraph_tokens(PyTuple_GET_ITEM(seq, i), &t) < 0)
            goto fail;
        PyObject *blob = packed_tokens(&t);
        if (blob == NULL)
            goto fail;
        PyList_SET_ITEM(packed, i, blob);
        unsigned char digest[5];
        blake2b(t.spaced.data, (size_t)t.spaced.size, sizeof digest, digest);
        char hex[2 * sizeof digest];
        for (size_t k = 0; k < sizeof digest; k++) {
            hex[2 * k] = "0123456789abcdef"[digest[k] >> 4];
            hex[2 * k + 1] = "0123456789abcdef"[digest[k] & 15];
        }
        PyObject *hash = PyUnicode_FromStringAndSize(hex, sizeof hex);
        if (hash == NULL)
            goto fail;
        PyList_SET_ITEM(hashes, i, hash);
    }
    tokens_free(&t);
    Py_DECREF(seq);
    return Py_BuildValue("(NN)", packed, hashes);
fail:
    tokens_free(&t);
    Py_XDECREF(packed);
    Py_XDECREF(hashes);
    Py_DECREF(seq);
    return NULL;
}

/* " ".join(stories.tokens(text)): what stories.title_core keeps of a title. */
static PyObject *joined_tokens(PyObject *module, PyObject *text) {
    (void)module;
    Tokens t = {0};
    PyObject *joined = NULL;
    if (paragraph_tokens(text, &t) == 0)
        joined = PyUnicode_DecodeUTF8((const char *)t.spaced.data, t.spaced.size, "strict");
    tokens_free(&t);
    return joined;
}

/* A packed token list (stories.pack_tokens), read in place. */
typedef struct {
    Py_ssize_t count, text_size;
    const unsigned char *hashes, *chars, *cjk, *bytes, *text;
} Packed;

static uint32_t u32_at(const unsigned char *p, Py_ssize_t i) {
    uint32_t v;
    memcpy(&v, p + 4 * i, 4);
    return v;
}

static int read_packed(PyObject *blob, Packed *p) {
    if (!PyBytes_Check(blob)) {
        PyErr_SetString(PyExc_TypeError, "packed tokens must be bytes");
        return -1;
    }
    const unsigned char *d = (const unsigned char *)PyBytes_AS_STRING(blob);
    Py_ssize_t size = PyBytes_GET_SIZE(blob);
    uint64_t count = 0, total = 0;
    if (size >= 8)
        memcpy(&count, d, 8);
    if (size < 8 || count > (uint64_t)(size - 8) / 20)
        goto bad;
    p->count = (Py_ssize_t)count;
    p->hashes = d + 8;
    p->chars = p->hashes + 8 * count;
    p->cjk = p->chars + 4 * count;
    p->bytes = p->cjk + 4 * count;
    p->text = p->bytes + 4 * count;
    p->text_size = size - 8 - 20 * (Py_ssize_t)count;
    for (Py_ssize_t i = 0; i < p->count; i++)
        total += u32_at(p->bytes, i);
    if (total != (uint64_t)p->text_size)
        goto bad;
    return 0;
bad:
    PyErr_SetString(PyExc_ValueError, "not a packed token list (stories.pack_tokens)");
    return -1;
}

/* stories._hash32 of the first `chars` characters of a UTF-8 text that has at least that many */
static unsigned long hash32_start(const unsigned char *text, Py_ssize_t size, Py_ssize_t chars) {
    Py_ssize_t at = 0, seen = 0;
    for (; at < size; at++) {
        if ((text[at] & 0xC0) != 0x80) { /* a character starts here */
            if (seen == chars)
                break;
            seen++;
        }
    }
    unsigned char digest[8];
    blake2b(text, (size_t)at, sizeof digest, digest);
    unsigned long value = ((unsigned long)digest[0] << 24) | ((unsigned long)digest[1] << 16) |
                          ((unsigned long)digest[2] << 8) | digest[3];
    return value ? value : 1;
}

static const Py_ssize_t PREFIX_LEVELS[3] = {48, 96, 192}; /* stories.PREFIX_LEVELS */
#define CHARACTERS 72 /* stories._CHARACTERS: (PREFIX_LEVELS[2] - PREFIX_LEVELS[0]) / 2 */

/* stories._characters of a UTF-8 text: a 4-bit hash of each of its characters PREFIX_LEVELS[0]
 * to PREFIX_LEVELS[2] (stories._character_nibbles), two a byte, the first in the high half. */
static void characters_of(const unsigned char *text, Py_ssize_t size, unsigned char *out) {
    memset(out, 0, CHARACTERS);
    for (Py_ssize_t at = 0, seen = 0; at < size && seen < PREFIX_LEVELS[2]; seen++) {
        unsigned char c = text[at];
        int n = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
        uint32_t code = n == 1 ? c : c & (0x7Fu >> n);
        for (int k = 1; k < n && at + k < size; k++)
            code = code << 6 | (text[at + k] & 0x3Fu);
        at += n;
        if (seen >= PREFIX_LEVELS[0]) {
            Py_ssize_t i = seen - PREFIX_LEVELS[0];
            uint32_t nibble = (uint32_t)(code * 0x9E3779B1u) >> 28;
            out[i / 2] |= (unsigned char)(i % 2 ? nibble : nibble << 4);
        }
    }
}
#define START_LEVEL 112 /* stories.START_LEVEL */
#define MAX_LEAD_PARAGRAPHS 32 /* stories.MAX_LEAD_PARAGRAPHS */
#define MAX_TOKENS 1000                                   /* stories.MAX_TOKENS */

/* (distinct shingles, signature) of a stream of token hashes, `cjk` of them CJK characters;
 * the hashes are overwritten. `table` is scratch space. */
static PyObject *stream_signature(uint64_t *h, Py_ssize_t length, uint64_t cjk, Buf *table) {
    /* a mostly CJK stream (a character per token) is shingled by 4 */
    int size = cjk * 3 >= (uint64_t)length ? CJK_SHINGLE : WORD_SHINGLE;
    Py_ssize_t n;
    if (length == 0)
        return Py_BuildValue("(n())", (Py_ssize_t)0);
    if (length < size) { /* one "shingle" of what it has: the sum, as numpy's .sum() wraps */
        uint64_t sum = 0;
        for (Py_ssize_t k = 0; k < length; k++)
            sum += h[k] * MIX[k];
        h[0] = sum;
        n = 1;
    } else { /* in place: shingle j reads tokens j..j+size-1, all at or after j */
        n = length - size + 1;
        for (Py_ssize_t j = 0; j < n; j++) {
            uint64_t mixed = h[j] * MIX[0];
            for (int k = 1; k < size; k++)
                mixed ^= h[j + k] * MIX[k];
            h[j] = mixed;
        }
    }
    Py_ssize_t capacity = 16;
    while (capacity < 2 * n)
        capacity *= 2;
    table->size = 0;
    if (buf_reserve(table, capacity * (Py_ssize_t)sizeof(uint64_t)) < 0)
        return NULL;
    Py_ssize_t distinct = count_distinct(h, n, (uint64_t *)table->data, capacity);
    PyObject *signature = signature_of(h, n);
    return signature == NULL ? NULL : Py_BuildValue("(nN)", distinct, signature);
}

/* One (kept, raw) of stories.fingerprints: see fingerprint_parts. */
static PyObject *fingerprint_one(PyObject *item, Buf *hashes, Buf *start, Buf *table) {
    if (!PyTuple_Check(item) || PyTuple_GET_SIZE(item) != 2) {
        PyErr_SetString(PyExc_TypeError, "items must be (kept, raw) tuples");
        return NULL;
    }
    PyObject *kept = PySequence_Fast(PyTuple_GET_ITEM(item, 0), "kept must be a list of bytes");
    if (kept == NULL)
        return NULL;
    PyObject *raw = PyTuple_GET_ITEM(item, 1), *result = NULL;
    Packed p;
    Py_ssize_t count = 0, length = 0, start_chars = 0;
    uint64_t cjk = 0;
    hashes->size = start->size = 0;
    /* the stream: the kept paragraphs' first MAX_TOKENS tokens; and its start's text */
    for (Py_ssize_t b = 0; b < PySequence_Fast_GET_SIZE(kept) && count < MAX_TOKENS; b++) {
        if (read_packed(PySequence_Fast_GET_ITEM(kept, b), &p) < 0)
            goto done;
        Py_ssize_t take = p.count < MAX_TOKENS - count ? p.count : MAX_TOKENS - count;
        if (buf_put(hashes, p.hashes, 8 * take) < 0)
            goto done;
        Py_ssize_t offset = 0;
        for (Py_ssize_t i = 0; i < take; i++) {
            uint32_t chars = u32_at(p.chars, i), size = u32_at(p.bytes, i);
            length += chars;
            cjk += u32_at(p.cjk, i);
            if (start_chars < PREFIX_LEVELS[2]) {
                if (buf_put(start, p.text + offset, size) < 0)
                    goto done;
                start_chars += chars;
            }
            offset += size;
        }
        count += take;
    }
    unsigned long prefixes[3], lead, start_hash;
    for (int k = 0; k < 3; k++)
        prefixes[k] = length >= PREFIX_LEVELS[k]
                          ? hash32_start(start->data, start->size, PREFIX_LEVELS[k])
                          : 0;
    start_hash = length >= START_LEVEL ? hash32_start(start->data, start->size, START_LEVEL) : 0;
    unsigned char characters[CHARACTERS];
    characters_of((const unsigned char *)start->data, start->size, characters);
    lead = prefixes[0];
    if (raw != Py_None) { /* the start of the paragraphs before boilerplate removal: as many
                           * as its first PREFIX_LEVELS[0] characters take (list items are
                           * short), at most MAX_LEAD_PARAGRAPHS */
        PyObject *firsts = PySequence_Fast(raw, "raw must be a list of bytes or None");
        if (firsts == NULL)
            goto done;
        Py_ssize_t chars = 0;
        start->size = 0;
        for (Py_ssize_t b = 0; b < PySequence_Fast_GET_SIZE(firsts) && b < MAX_LEAD_PARAGRAPHS &&
                               chars < PREFIX_LEVELS[0];
             b++) {
            if (read_packed(PySequence_Fast_GET_ITEM(firsts, b), &p) < 0 ||
                buf_put(start, p.text, p.text_size) < 0) {
                Py_DECREF(firsts);
                goto done;
            }
            for (Py_ssize_t i = 0; i < p.count; i++)
                chars += u32_at(p.chars, i);
        }
        Py_DECREF(firsts);
        lead = chars >= PREFIX_LEVELS[0] ? hash32_start(start->data, start->size, PREFIX_LEVELS[0])
                                         : 0;
    }
    /* hashes->data is 8-aligned (PyMem) and holds `count` token hashes */
    PyObject *minhash = stream_signature((uint64_t *)hashes->data, count, cjk, table);
    if (minhash == NULL)
        goto done;
    /* mostly CJK characters, as stream_signature shingles it */
    PyObject *is_cjk = PyBool_FromLong(count > 0 && cjk * 3 >= (uint64_t)count);
    result = Py_BuildValue("(nO(kkk)kky#N)", length, minhash, prefixes[0], prefixes[1],
                           prefixes[2], lead, start_hash, (const char *)characters,
                           (Py_ssize_t)CHARACTERS, is_cjk);
    Py_DECREF(minhash);
done:
    Py_DECREF(kept);
    return result;
}

/* stories.fingerprints' numbers: per (kept, raw) of packed token lists, (characters of the
 * stream, (distinct shingles, signature), its prefix hashes, the lead hash, the hash of its first
 * START_LEVEL characters, its characters_of, whether it is mostly CJK). */
static PyObject *fingerprint_parts(PyObject *module, PyObject *items) {
    (void)module;
    /* A tuple: the loop runs Python code (iterating `kept`), which could shrink a list. */
    PyObject *seq = PySequence_Tuple(items);
    if (seq == NULL)
        return NULL;
    Py_ssize_t count = PyTuple_GET_SIZE(seq);
    PyObject *out = PyList_New(count);
    Buf hashes = {0}, start = {0}, table = {0};
    if (out == NULL)
        goto fail;
    for (Py_ssize_t i = 0; i < count; i++) {
        PyObject *one = fingerprint_one(PyTuple_GET_ITEM(seq, i), &hashes, &start, &table);
        if (one == NULL)
            goto fail;
        PyList_SET_ITEM(out, i, one);
    }
    PyMem_Free(hashes.data);
    PyMem_Free(start.data);
    PyMem_Free(table.data);
    Py_DECREF(seq);
    return out;
fail:
    PyMem_Free(hashes.data);
    PyMem_Free(start.data);
    PyMem_Free(table.data);
    Py_XDECREF(out);
    Py_DECREF(seq);
    return NULL;
}

/* The features an automaton's walk over `data` passes, distinct, in order of first visit. */
typedef struct {
    int32_t *feature;
    uint32_t *count;
    Py_ssize_t n;
} Visits;

static void visits_free(Visits *v) {
    PyMem_Free(v->feature);
    PyMem_Free(v->count);
    v->feature = NULL; /* freeing twice (an error path, then the caller's) is then harmless */
    v->count = NULL;
}

/* Walk py3langid's byte automaton (tk_nextmove as `moves`, its rows' bases, each state's
 * feature or -1) over `data`, counting the features it passes. 0, or -1 with an exception. */
static int walk(const Py_buffer *nextmove, const Py_buffer *rowbase, const Py_buffer *output,
                const Py_buffer *data, Visits *visits) {
    const uint32_t *moves = nextmove->buf, *rows = rowbase->buf;
    const int32_t *features = output->buf;
    const unsigned char *bytes = data->buf;
    Py_ssize_t n_moves = nextmove->len / 4, n_states = rowbase->len / 4;
    visits->n = 0;
    visits->feature = NULL;
    visits->count = NULL;
    if (output->len / 4 != n_states || n_states == 0) {
        PyErr_SetString(PyExc_ValueError, "rowbase and output differ in length, or are empty");
        return -1;
    }
    /* at most one new feature per byte; an open-addressing index of twice that, 0 = empty */
    Py_ssize_t slots = 16;
    while (slots < 2 * data->len)
        slots *= 2;
    Py_ssize_t *index = PyMem_Calloc((size_t)slots, sizeof(Py_ssize_t));
    visits->feature = PyMem_Malloc((size_t)(data->len + 1) * sizeof(int32_t));
    visits->count = PyMem_Malloc((size_t)(data->len + 1) * sizeof(uint32_t));
    if (index == NULL || visits->feature == NULL || visits->count == NULL) {
        PyMem_Free(index);
        visits_free(visits);
        PyErr_NoMemory();
        return -1;
    }
    uint32_t state = 0;
    for (Py_ssize_t i = 0; i < data->len; i++) {
        Py_ssize_t at = (Py_ssize_t)rows[state] + bytes[i];
        if (at >= n_moves || moves[at] >= (uint64_t)n_states) {
            PyMem_Free(index);
            visits_free(visits);
            PyErr_SetString(PyExc_ValueError, "the automaton leads outside itself");
            return -1;
        }
        state = moves[at];
        int32_t feature = features[state];
        if (feature < 0)
            continue;
        Py_ssize_t slot = ((uint32_t)feature * UINT32_C(2654435761)) & (slots - 1);
        while (index[slot] != 0 && visits->feature[index[slot] - 1] != feature)
            slot = (slot + 1) & (slots - 1);
        if (index[slot] == 0) {
            visits->feature[visits->n] = feature;
            visits->count[visits->n] = 0;
            index[slot] = ++visits->n;
        }
        visits->count[index[slot] - 1]++;
    }
    PyMem_Free(index);
    return 0;
}

/* A C-contiguous buffer of the given struct format and item size. */
static int typed_buffer(PyObject *object, Py_buffer *view, const char *format,
                        Py_ssize_t itemsize, const char *name) {
    if (PyObject_GetBuffer(object, view, PyBUF_FORMAT | PyBUF_C_CONTIGUOUS) < 0)
        return -1;
    if (view->itemsize != itemsize || view->format == NULL || strcmp(view->format, format) != 0) {
        PyErr_Format(PyExc_TypeError, "%s must be a buffer of format '%s'", name, format);
        PyBuffer_Release(view);
        return -1;
    }
    return 0;
}

/* Get `count` buffers of the formats given (NULL: any bytes-like object), releasing all on error. */
static int get_buffers(PyObject *const *args, Py_buffer *views, const char *const *formats,
                       const Py_ssize_t *itemsizes, const char *const *names, int count) {
    for (int i = 0; i < count; i++) {
        int failed = formats[i] == NULL
                         ? PyObject_GetBuffer(args[i], &views[i], PyBUF_SIMPLE)
                         : typed_buffer(args[i], &views[i], formats[i], itemsizes[i], names[i]);
        if (failed < 0) {
            while (i-- > 0)
                PyBuffer_Release(&views[i]);
            return -1;
        }
    }
    return 0;
}

static void release_buffers(Py_buffer *views, int count) {
    for (int i = 0; i < count; i++)
        PyBuffer_Release(&views[i]);
}

static PyObject *dfa_counts(PyObject *module, PyObject *const *args, Py_ssize_t nargs) {
    (void)module;
    static const char *const formats[] = {"I", "I", "i", NULL};
    static const Py_ssize_t sizes[] = {4, 4, 4, 1};
    static const char *const names[] = {"nextmove", "rowbase", "output", "data"};
    if (nargs != 4) {
        PyErr_SetString(PyExc_TypeError, "dfa_counts(nextmove, rowbase, output, data)");
        return NULL;
    }
    Py_buffer views[4];
    if (get_buffers(args, views, formats, sizes, names, 4) < 0)
        return NULL;
    Visits visits;
    PyObject *counts = NULL, *result = NULL;
    if (walk(&views[0], &views[1], &views[2], &views[3], &visits) < 0)
        goto done;
    if (visits.n == 0) {
        result = Py_NewRef(Py_None);
        goto done;
    }
    counts = PyDict_New();
    for (Py_ssize_t k = 0; counts != NULL && k < visits.n; k++) {
        PyObject *key = PyLong_FromLong(visits.feature[k]);
        PyObject *count = PyLong_FromUnsignedLong(visits.count[k]);
        int failed = key == NULL || count == NULL || PyDict_SetItem(counts, key, count) < 0;
        Py_XDECREF(key);
        Py_XDECREF(count);
        if (failed)
            Py_CLEAR(counts);
    }
    result = counts;
done:
    visits_free(&visits);
    release_buffers(views, 4);
    return result;
}

static float half_to_float[65536]; /* every IEEE half-precision value as a float */

static void half_init(void) {
    for (uint32_t h = 0; h < 65536; h++) {
        uint32_t exponent = (h >> 10) & 0x1F, mantissa = h & 0x3FF;
        float value = exponent == 0    ? ldexpf((float)mantissa, -24)
                      : exponent == 31 ? (mantissa ? NAN : INFINITY)
                                       : ldexpf((float)(mantissa | 0x400), (int)exponent - 25);
        half_to_float[h] = (h & 0x8000) ? -value : value;
    }
}

#define NB_AHEAD 4 /* rows of ptc read ahead of the one summed (nb_probabilities) */
#if defined(__GNUC__) || defined(__clang__)
#define READ_AHEAD(address) __builtin_prefetch(address)
#else
#define READ_AHEAD(address) ((void)(address))
#endif

static PyObject *nb_probabilities(PyObject *module, PyObject *const *args, Py_ssize_t nargs) {
    (void)module;
    static const char *const formats[] = {"I", "I", "i", "e", "f", NULL};
    static const Py_ssize_t sizes[] = {4, 4, 4, 2, 4, 1};
    static const char *const names[] = {"nextmove", "rowbase", "output", "ptc", "pc", "data"};
    if (nargs != 6) {
        PyErr_SetString(PyExc_TypeError,
                        "nb_probabilities(nextmove, rowbase, output, ptc, pc, data)");
        return NULL;
    }
    Py_buffer views[6];
    if (get_buffers(args, views, formats, sizes, names, 6) < 0)
        return NULL;
    const uint16_t *ptc = views[3].buf;
    const float *pc = views[4].buf;
    Py_ssize_t classes = views[4].len / 4;
    Py_ssize_t features = classes ? views[3].len / 2 / classes : 0;
    Visits visits;
    float *scores = NULL;
    PyObject *result = NULL;
    if (classes == 0 || features * classes * 2 != views[3].len) {
        PyErr_SetString(PyExc_ValueError, "ptc is not a features x classes table of pc's classes");
        release_buffers(views, 6);
        return NULL;
    }
    if (walk(&views[0], &views[1], &views[2], &views[5], &visits) < 0) {
        release_buffers(views, 6);
        return NULL;
    }
    if (visits.n == 0) {
        result = Py_NewRef(Py_None);
        goto done;
    }
    scores = PyMem_Calloc((size_t)classes, sizeof(float));
    if (scores == NULL) {
        PyErr_NoMemory();
        goto done;
    }
    /* py3langid's _sparse_score: log1p(counts) @ ptc[features] + pc */
    for (Py_ssize_t k = 0; k < visits.n; k++) {
        if (visits.feature[k] >= features) {
            PyErr_SetString(PyExc_ValueError, "a feature outside ptc");
            goto done;
        }
        /* The rows lie at random in 23 MB, and one row's sums are too long for the CPU to
         * start on the next row's read by itself: it is asked for NB_AHEAD rows ahead (each a
         * few cache lines; only a hint, which changes no number). */
        if (k + NB_AHEAD < visits.n && visits.feature[k + NB_AHEAD] < features) {
            const uint16_t *ahead = ptc + (Py_ssize_t)visits.feature[k + NB_AHEAD] * classes;
            for (Py_ssize_t b = 0; b < classes * 2; b += 64) /* (a cache line: 64 bytes) */
                READ_AHEAD((const char *)ahead + b);
        }
        float weight = log1pf((float)visits.count[k]);
        const uint16_t *row = ptc + (Py_ssize_t)visits.feature[k] * classes;
        for (Py_ssize_t c = 0; c < classes; c++)
            scores[c] += weight * half_to_float[row[c]];
    }
    /* and its _decide under norm_probs: a softmax at temperature sqrt(bytes) */
    float scale = (float)(1.0 / sqrt((double)views[5].len)), top = -INFINITY, sum = 0;
    for (Py_ssize_t c = 0; c < classes; c++) {
        scores[c] = (scores[c] + pc[c]) * scale;
        top = scores[c] > top ? scores[c] : top;
    }
    for (Py_ssize_t c = 0; c < classes; c++)
        sum += scores[c] = expf(scores[c] - top);
    result = PyList_New(classes);
    for (Py_ssize_t c = 0; result != NULL && c < classes; c++) {
        PyObject *probability = PyFloat_FromDouble((double)(scores[c] / sum));
        if (probability == NULL)
            Py_CLEAR(result);
        else
            PyList_SET_ITEM(result, c, probability);
    }
done:
    PyMem_Free(scores);
    visits_free(&visits);
    release_buffers(views, 6);
    return result;
}

/* --- text: white space collapsed -------------------------------------------------------------- */

/* Whether ch is white space as str.split reads it (Py_UNICODE_ISSPACE), asked only of ASCII
 * (a table) and of the characters that can be: none other is below U+1680 but U+0085 and U+00A0
 * (tests/test_text.py checks every code point). */
#define COLLAPSE_SPACE(ch)                                                                     \
    ((ch) < 128 ? Py_UNICODE_ISSPACE(ch)                                                      \
                : ((ch) == 0x85 || (ch) == 0xA0 || (ch) >= 0x1680) && Py_UNICODE_ISSPACE(ch))

/* Writes ch at out[at]: directly when the result is as wide as the text (the usual case). */
#define COLLAPSE_WRITE(TYPE, out, out_kind, at, ch)                                            \
    do {                                                                                      \
        if ((out_kind) == (int)sizeof(TYPE))                                                  \
            ((TYPE *)(out))[at] = (TYPE)(ch);                                                 \
        else                                                                                  \
            PyUnicode_WRITE(out_kind, out, at, ch);                                           \
    } while (0)

/* One pass over text of one width (TYPE): the result's length and widest character, and whether
 * the result is the text itself; then, with `out` set, a second pass writing the result. It
 * stops once the length is past `limit` (quick_lines wants no longer line: a long paragraph was
 * read to its end to find it too long). */
#define COLLAPSE_LOOP(TYPE)                                                                    \
    static void collapse_##TYPE(const TYPE *text, Py_ssize_t n, Py_ssize_t *length,           \
                                Py_UCS4 *widest, int *same, void *out, int out_kind,          \
                                Py_ssize_t limit) {                                           \
        Py_ssize_t at = 0;                                                                    \
        Py_UCS4 wide = 0;                                                                     \
        int gap = 0, unchanged = 1;                                                           \
        for (Py_ssize_t i = 0; i < n; i++) {                                                  \
            Py_UCS4 ch = text[i];                                                             \
            if (COLLAPSE_SPACE(ch)) {                                                         \
                if (ch != ' ' || gap || at == 0)                                              \
                    unchanged = 0;                                                            \
                gap = 1;                                                                      \
                continue;                                                                     \
            }                                                                                 \
            if (gap && at > 0) {                                                              \
                if (out != NULL)                                                              \
                    COLLAPSE_WRITE(TYPE, out, out_kind, at, ' ');                             \
                at++;                                                                         \
            }                                                                                 \
            gap = 0;                                                                          \
            if (ch > wide)                                                                    \
                wide = ch;                                                                    \
            if (out != NULL)                                                                  \
                COLLAPSE_WRITE(TYPE, out, out_kind, at, ch);                                  \
            if (++at > limit)                                                                 \
                break;                                                                        \
        }                                                                                     \
        *length = at;                                                                         \
        *widest = wide;                                                                       \
        *same = unchanged && !gap;                                                            \
    }
COLLAPSE_LOOP(Py_UCS1)
COLLAPSE_LOOP(Py_UCS2)
COLLAPSE_LOOP(Py_UCS4)

/* collapse_TYPE over text[start:stop]. */
static void collapse_range(PyObject *text, Py_ssize_t start, Py_ssize_t stop, Py_ssize_t *length,
                           Py_UCS4 *widest, int *same, void *out, int out_kind,
                           Py_ssize_t limit) {
    Py_ssize_t n = stop - start;
    switch (PyUnicode_KIND(text)) {
    case PyUnicode_1BYTE_KIND:
        collapse_Py_UCS1(PyUnicode_1BYTE_DATA(text) + start, n, length, widest, same, out,
                         out_kind, limit);
        break;
    case PyUnicode_2BYTE_KIND:
        collapse_Py_UCS2(PyUnicode_2BYTE_DATA(text) + start, n, length, widest, same, out,
                         out_kind, limit);
        break;
    default:
        collapse_Py_UCS4(PyUnicode_4BYTE_DATA(text) + start, n, length, widest, same, out,
                         out_kind, limit);
    }
}

static void collapse_any(PyObject *text, Py_ssize_t *length, Py_UCS4 *widest, int *same,
                         void *out, int out_kind) {
    collapse_range(text, 0, PyUnicode_GET_LENGTH(text), length, widest, same, out, out_kind,
                   PY_SSIZE_T_MAX);
}

/* text[start:stop] collapsed when that is 1 to `longest` characters (a new reference), else
 * Py_None (borrowed); NULL on an error. */
static PyObject *collapsed_range(PyObject *text, Py_ssize_t start, Py_ssize_t stop,
                                 Py_ssize_t longest) {
    Py_ssize_t length;
    Py_UCS4 widest;
    int same;
    collapse_range(text, start, stop, &length, &widest, &same, NULL, 0, longest);
    if (length == 0 || length > longest)
        return Py_None;
    if (widest < ' ')
        widest = ' ';
    PyObject *out = PyUnicode_New(length, widest);
    if (out == NULL)
        return NULL;
    collapse_range(text, start, stop, &length, &widest, &same, PyUnicode_DATA(out),
                   PyUnicode_KIND(out), PY_SSIZE_T_MAX);
    return out;
}

/* " ".join(text.split()): runs of white space (str.split's: Py_UNICODE_ISSPACE) made one space,
 * none at either end. The text itself when it is so already. */
static PyObject *collapsed(PyObject *module, PyObject *text) {
    (void)module;
    if (!PyUnicode_Check(text)) {
        PyErr_SetString(PyExc_TypeError, "collapsed() takes a str");
        return NULL;
    }
    Py_ssize_t length;
    Py_UCS4 widest;
    int same;
    collapse_any(text, &length, &widest, &same, NULL, 0);
    if (same) {
        Py_INCREF(text);
        return text;
    }
    if (length > 0 && widest < ' ')
        widest = ' ';
    PyObject *out = PyUnicode_New(length, widest);
    if (out == NULL || length == 0)
        return out;
    collapse_any(text, &length, &widest, &same, PyUnicode_DATA(out), PyUnicode_KIND(out));
    return out;
}

/* One pass over text of one width (TYPE), writing collapsed(text) as UTF-8 at out (room for
 * every character's longest form), a lone surrogate as its three bytes ("surrogatepass");
 * returns the bytes written. */
#define COLLAPSE_UTF8_LOOP(TYPE)                                                               \
    static Py_ssize_t collapse_utf8_##TYPE(const TYPE *text, Py_ssize_t n, unsigned char *out) { \
        Py_ssize_t at = 0;                                                                    \
        int gap = 0;                                                                          \
        for (Py_ssize_t i = 0; i < n; i++) {                                                  \
            Py_UCS4 ch = text[i];                                                             \
            if (COLLAPSE_SPACE(ch)) {                                                         \
                gap = 1;                                                                      \
                continue;                                                                     \
            }                                                                                 \
            if (gap && at > 0)                                                                \
                out[at++] = ' ';                                                              \
            gap = 0;                                                                          \
            if (ch < 0x80) {                                                                  \
                out[at++] = (unsigned char)ch;                                                \
            } else if (ch < 0x800) {                                                          \
                out[at++] = (unsigned char)(0xC0 | (ch >> 6));                                \
                out[at++] = (unsigned char)(0x80 | (ch & 0x3F));                              \
            } else if (ch < 0x10000) {                                                        \
                out[at++] = (unsigned char)(0xE0 | (ch >> 12));                               \
                out[at++] = (unsigned char)(0x80 | ((ch >> 6) & 0x3F));                       \
                out[at++] = (unsigned char)(0x80 | (ch & 0x3F));                              \
            } else {                                                                          \
                out[at++] = (unsigned char)(0xF0 | (ch >> 18));                               \
                out[at++] = (unsigned char)(0x80 | ((ch >> 12) & 0x3F));                      \
                out[at++] = (unsigned char)(0x80 | ((ch >> 6) & 0x3F));                       \
                out[at++] = (unsigned char)(0x80 | (ch & 0x3F));                              \
            }                                                                                 \
        }                                                                                     \
        return at;                                                                            \
    }
COLLAPSE_UTF8_LOOP(Py_UCS1)
COLLAPSE_UTF8_LOOP(Py_UCS2)
COLLAPSE_UTF8_LOOP(Py_UCS4)

/* collapsed(text).encode("utf-8", "surrogatepass") in one pass: no str in between, no second
 * copy (a hash of an entry's texts as written took three passes over each). */
static PyObject *collapsed_utf8(PyObject *module, PyObject *text) {
    (void)module;
    if (!PyUnicode_Check(text)) {
        PyErr_SetString(PyExc_TypeError, "collapsed_utf8() takes a str");
        return NULL;
    }
    Py_ssize_t n = PyUnicode_GET_LENGTH(text);
    int kind = PyUnicode_KIND(text);
    /* the longest UTF-8 of a character of each width: 2 bytes (Latin-1), 3 (BMP), 4 */
    Py_ssize_t most = PyUnicode_IS_ASCII(text) ? 1 : kind == PyUnicode_1BYTE_KIND ? 2
                                                : kind == PyUnicode_2BYTE_KIND   ? 3
                                                                                 : 4;
    if (n > PY_SSIZE_T_MAX / most)
        return PyErr_NoMemory();
    PyObject *out = PyBytes_FromStringAndSize(NULL, n * most);
    if (out == NULL)
        return NULL;
    unsigned char *bytes = (unsigned char *)PyBytes_AS_STRING(out);
    Py_ssize_t length;
    switch (kind) {
    case PyUnicode_1BYTE_KIND:
        length = collapse_utf8_Py_UCS1(PyUnicode_1BYTE_DATA(text), n, bytes);
        break;
    case PyUnicode_2BYTE_KIND:
        length = collapse_utf8_Py_UCS2(PyUnicode_2BYTE_DATA(text), n, bytes);
        break;
    default:
        length = collapse_utf8_Py_UCS4(PyUnicode_4BYTE_DATA(text), n, bytes);
    }
    if (length != n * most && _PyBytes_Resize(&out, length) < 0)
        return NULL;
    return out;
}

/* --- junk.py: strip_paragraphs' quick look at a body's lines ------------------------------- */

static const char *const JUNK_BLOCK_NAMES[] = {"p",  "div", "li", "br", "h1", "h2", "h3",
                                               "h4", "h5",  "h6", "blockquote", "figcaption",
                                               "tr", "td",  NULL};

/* Whether text[at] ('<') starts a tag junk._BLOCK_TAG matches (</?(?:p|div|...)\b[^>]*>, with
 * IGNORECASE); *end: the index after it. -1 when the name has a non-ASCII character, which
 * IGNORECASE may match to an ASCII one ('K' to k, 'ı' to i): the caller leaves the text to the
 * Python reference. */
static int junk_block_tag(int kind, const void *text, Py_ssize_t n, Py_ssize_t at,
                          Py_ssize_t *end) {
    Py_ssize_t i = at + 1;
    if (i < n && PyUnicode_READ(kind, text, i) == '/')
        i++;
    Py_ssize_t start = i;
    char name[12];
    while (i < n && is_word(PyUnicode_READ(kind, text, i))) {
        if (PyUnicode_READ(kind, text, i) >= 128)
            return -1;
        if (i - start < 11)
            name[i - start] = (char)Py_TOLOWER((int)PyUnicode_READ(kind, text, i));
        i++;
    }
    if (i - start == 0 || i - start > 10)
        return 0;
    name[i - start] = '\0';
    int found = 0;
    for (int k = 0; JUNK_BLOCK_NAMES[k] != NULL && !found; k++)
        found = strcmp(name, JUNK_BLOCK_NAMES[k]) == 0;
    if (!found)
        return 0;
    while (i < n && PyUnicode_READ(kind, text, i) != '>')
        i++;
    if (i == n)
        return 0;
    *end = i + 1;
    return 1;
}

/* quick_lines' pass over its copy of the text (TYPE wide), in place (never longer): line breaks
 * read as spaces and each block tag a line break (_BLOCK_TAG), and of what that leaves, every
 * other tag (_INLINE_TAG, <[^>]*>) gone: a "<" opens one, which the next ">" left closes (a
 * block tag's own ">" is gone by then), so what was written since goes. Without a ">" after
 * it, a "<" and all after it stay, as the pattern finds no tag from there. Returns the length
 * kept, or -1 when a tag's name is not ASCII (junk_block_tag: the reference's). */
#define QUICK_PASS(TYPE)                                                                       \
    static Py_ssize_t quick_pass_##TYPE(TYPE *text, Py_ssize_t n) {                           \
        Py_ssize_t m = 0, open = -1;                                                          \
        for (Py_ssize_t i = 0; i < n;) {                                                      \
            Py_UCS4 ch = text[i];                                                             \
            if (ch == '<') {                                                                  \
                Py_ssize_t end;                                                               \
                int found = junk_block_tag((int)sizeof(TYPE), text, n, i, &end);              \
                if (found < 0)                                                                \
                    return -1;                                                                \
                if (found) {                                                                  \
                    text[m++] = '\n';                                                         \
                    i = end;                                                                  \
                    continue;                                                                 \
                }                                                                             \
                if (open < 0)                                                                 \
                    open = m;                                                                 \
            } else if (ch == '>' && open >= 0) {                                              \
                m = open;                                                                     \
                open = -1;                                                                    \
                i++;                                                                          \
                continue;                                                                     \
            } else if (ch == '\r' || ch == '\n') {                                            \
                ch = ' ';                                                                     \
            }                                                                                 \
            text[m++] = (TYPE)ch;                                                             \
            i++;                                                                              \
        }                                                                                     \
        return m;                                                                             \
    }
QUICK_PASS(Py_UCS1)
QUICK_PASS(Py_UCS2)
QUICK_PASS(Py_UCS4)

/* junk._quick_lines_python: (the text, its short lines collapsed), or None: use the reference. */
static PyObject *quick_lines(PyObject *module, PyObject *const *args, Py_ssize_t nargs) {
    (void)module;
    if (nargs != 2 || !PyUnicode_Check(args[0]) || !PyLong_Check(args[1])) {
        PyErr_SetString(PyExc_TypeError, "quick_lines(html_text: str, longest: int)");
        return NULL;
    }
    Py_ssize_t longest = PyLong_AsSsize_t(args[1]);
    if (longest == -1 && PyErr_Occurred())
        return NULL;
    /* A copy in the text's own width, cut down in place (never longer). */
    int kind = PyUnicode_KIND(args[0]);
    Py_ssize_t n = PyUnicode_GET_LENGTH(args[0]);
    void *text = PyMem_Malloc(n > 0 ? (size_t)n * (size_t)kind : 1);
    if (text == NULL)
        return PyErr_NoMemory();
    memcpy(text, PyUnicode_DATA(args[0]), (size_t)n * (size_t)kind);
    PyObject *result = NULL, *quick = NULL, *unescaped = NULL, *lines = NULL;
    /* One pass in the text's own width: two through PyUnicode_READ, which asks the width at
     * each character, took a quarter more of the call (16.5 µs a body of a cold round, 12.4). */
    Py_ssize_t m;
    switch (kind) {
    case PyUnicode_1BYTE_KIND:
        m = quick_pass_Py_UCS1((Py_UCS1 *)text, n);
        break;
    case PyUnicode_2BYTE_KIND:
        m = quick_pass_Py_UCS2((Py_UCS2 *)text, n);
        break;
    default:
        m = quick_pass_Py_UCS4((Py_UCS4 *)text, n);
    }
    if (m < 0) {
        PyMem_Free(text);
        Py_RETURN_NONE;
    }
    quick = PyUnicode_FromKindAndData(kind, text, m);
    PyMem_Free(text);
    if (quick == NULL)
        return NULL;
    unescaped = PyObject_CallOneArg(unescape_fn, quick);
    if (unescaped == NULL || !PyUnicode_Check(unescaped))
        goto done;
    lines = PyList_New(0);
    if (lines == NULL)
        goto done;
    Py_ssize_t length = PyUnicode_GET_LENGTH(unescaped);
    for (Py_ssize_t start = 0; start <= length;) {
        Py_ssize_t stop = PyUnicode_FindChar(unescaped, '\n', start, length, 1);
        if (stop == -2)
            goto done;
        if (stop == -1)
            stop = length;
        PyObject *words = collapsed_range(unescaped, start, stop, longest);
        if (words == NULL)
            goto done;
        if (words != Py_None) {
            int failed = PyList_Append(lines, words) < 0;
            Py_DECREF(words);
            if (failed)
                goto done;
        }
        start = stop + 1;
    }
    result = PyTuple_Pack(2, unescaped, lines);
done:
    Py_XDECREF(quick);
    Py_XDECREF(unescaped);
    Py_XDECREF(lines);
    return result;
}

/* --- parse._beyond_feedparser's walk over the tags ------------------------------------------ */

/* Where `needle` first occurs in d[from:n], or -1 (bytes.find). */
static Py_ssize_t find_bytes(const char *d, Py_ssize_t n, Py_ssize_t from, const char *needle,
                             Py_ssize_t size) {
    while (from <= n - size) {
        const char *at = memchr(d + from, needle[0], (size_t)(n - size + 1 - from));
        if (at == NULL)
            return -1;
        if (memcmp(at, needle, (size_t)size) == 0)
            return at - d;
        from = at - d + 1;
    }
    return -1;
}

static int markup_space(unsigned char c) { /* \s of a bytes pattern */
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

static int markup_name_start(unsigned char c) { /* [A-Za-z_\x80-\xff] */
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_' || c >= 0x80;
}

static const char *const VOID_NAMES[] = {"area",  "base", "br",    "col",    "embed",
                                         "hr",    "img",  "input", "link",   "meta",
                                         "param", "source", "track", "wbr",  NULL};

/* Whether the name, in ASCII small letters, is an HTML void element's (parse._VOID). */
static int void_name(const char *name, Py_ssize_t size) {
    for (const char *const *v = VOID_NAMES; *v != NULL; v++) {
        if ((Py_ssize_t)strlen(*v) != size)
            continue;
        Py_ssize_t i = 0;
        while (i < size && Py_TOLOWER((unsigned char)name[i]) == (unsigned char)(*v)[i])
            i++;
        if (i == size)
            return 1;
    }
    return 0;
}

/* parse._unquoted: the bytes of d[start:end] outside its quoted values. */
static Py_ssize_t unquoted(const char *d, Py_ssize_t start, Py_ssize_t end) {
    Py_ssize_t quoted = 0, i = start;
    while (i < end) {
        char c = d[i];
        if (c == '"' || c == '\'') {
            const char *close = memchr(d + i + 1, c, (size_t)(end - i - 1));
            if (close != NULL) {
                quoted += close - d + 1 - i;
                i = close - d + 1;
                continue;
            }
        }
        i++;
    }
    return end - start - quoted;
}

static PyObject *markup_beyond(PyObject *module, PyObject *const *args, Py_ssize_t nargs) {
    Py_ssize_t max_elements, max_depth, max_tag;
    if (nargs != 4 || !PyBytes_Check(args[0])) {
        PyErr_SetString(PyExc_TypeError, "markup_beyond(data: bytes, max_elements, max_depth, "
                                         "max_tag_bytes)");
        return NULL;
    }
    if ((max_elements = PyLong_AsSsize_t(args[1])) == -1 && PyErr_Occurred())
        return NULL;
    if ((max_depth = PyLong_AsSsize_t(args[2])) == -1 && PyErr_Occurred())
        return NULL;
    if ((max_tag = PyLong_AsSsize_t(args[3])) == -1 && PyErr_Occurred())
        return NULL;
    const char *d = PyBytes_AS_STRING(args[0]);
    Py_ssize_t n = PyBytes_GET_SIZE(args[0]);
    Py_ssize_t position = 0, depth = 0, elements = 0;
    while (position < n) {
        const char *lt = memchr(d + position, '<', (size_t)(n - position));
        if (lt == NULL)
            break;
        Py_ssize_t start = lt - d, after = start + 1; /* the match's end, as _MARKUP_START's */
        unsigned char next = after < n ? (unsigned char)d[after] : 0;
        const char *closing = NULL; /* a comment, CDATA section or instruction: its closing */
        int instruction = 0, is_closing = 0, named = 0;
        if (next == '!' && n - start >= 4 && memcmp(lt, "<!--", 4) == 0) {
            closing = "-->", after = start + 4;
        } else if (next == '!' && n - start >= 9 && memcmp(lt, "<![CDATA[", 9) == 0) {
            closing = "]]>", after = start + 9;
        } else if (next == '?') {
            closing = "?>", after = start + 2, instruction = 1;
        } else if (next == '/') {
            is_closing = 1, after = start + 2;
        } else if (next == '!') {
            after = start + 2; /* a declaration: a tag, no element */
        } else if (after < n && markup_name_start(next)) {
            named = 1, after++;
            while (after < n && !markup_space((unsigned char)d[after]) && d[after] != '/' &&
                   d[after] != '>')
                after++;
        } else {
            position = start + 1;
            continue;
        }
        if (closing != NULL) {
            Py_ssize_t close = find_bytes(d, n, after, closing, (Py_ssize_t)strlen(closing));
            position = close < 0 ? -1 : close + (Py_ssize_t)strlen(closing);
            Py_ssize_t ends = position < 0 ? n : position;
            if (instruction && ends - start > max_tag)
                return PyLong_FromLong(1);
            if (position < 0)
                break; /* (the rest is a comment: no element) */
            continue;
        }
        const char *gt = memchr(d + after, '>', (size_t)(n - after));
        Py_ssize_t end = gt == NULL ? n : gt - d; /* (a tag never closed: as long as the rest) */
        position = end + 1;
        if (end - start > max_tag && unquoted(d, start, end) > max_tag)
            return PyLong_FromLong(2);
        if (is_closing) {
            depth--;
        } else if (named) {
            if (++elements > max_elements)
                return PyLong_FromLong(3);
            if (d[end - 1] != '/' && !void_name(lt + 1, after - start - 1))
                depth++;
            if (depth > max_depth)
                return PyLong_FromLong(4);
        }
    }
    return PyLong_FromLong(0);
}

/* [\w.:\x80-\xff-] of a bytes pattern: a name's (or an attribute's) byte after its first. */
static int markup_name_byte(unsigned char c) {
    return Py_ISALNUM(c) || c == '_' || c == '.' || c == ':' || c == '-' || c >= 0x80;
}

/* Where the element written self-closing at d[i] (a "<") ends, past its "/>", with the ends of
 * its name and of its attributes; 0 when none is written there. parse._EMPTY_ELEMENT, whose
 * quantifiers are all possessive: each run is read once, nothing is given back. */
static Py_ssize_t empty_element(const char *d, Py_ssize_t n, Py_ssize_t i, Py_ssize_t *name_end,
                                Py_ssize_t *attributes_end) {
    Py_ssize_t p = i + 1;
    if (n - p >= 9 && memcmp(d + p, "enclosure", 9) == 0 &&
        (p + 9 == n || !(Py_ISALNUM((unsigned char)d[p + 9]) || d[p + 9] == '_')))
        return 0; /* (?!enclosure\b) */
    if (p >= n || !markup_name_start((unsigned char)d[p]))
        return 0;
    for (p++; p < n && markup_name_byte((unsigned char)d[p]);)
        p++;
    *name_end = p;
    for (;;) { /* (?:\s++NAME\s*+=\s*+(?:"[^"<]*+"|'[^'<]*+'))*+ */
        Py_ssize_t q = p;
        if (q >= n || !markup_space((unsigned char)d[q]))
            break;
        while (q < n && markup_space((unsigned char)d[q]))
            q++;
        if (q >= n || !markup_name_byte((unsigned char)d[q]))
            break;
        while (q < n && markup_name_byte((unsigned char)d[q]))
            q++;
        while (q < n && markup_space((unsigned char)d[q]))
            q++;
        if (q >= n || d[q] != '=')
            break;
        for (q++; q < n && markup_space((unsigned char)d[q]);)
            q++;
        if (q >= n || (d[q] != '"' && d[q] != '\''))
            break;
        char quote = d[q];
        for (q++; q < n && d[q] != quote && d[q] != '<';)
            q++;
        if (q >= n || d[q] != quote)
            break;
        p = q + 1;
    }
    *attributes_end = p;
    while (p < n && markup_space((unsigned char)d[p]))
        p++;
    return n - p >= 2 && d[p] == '/' && d[p + 1] == '>' ? p + 2 : 0;
}

static PyObject *without_self_closing(PyObject *module, PyObject *data) {
    if (!PyBytes_Check(data)) {
        PyErr_SetString(PyExc_TypeError, "without_self_closing(data: bytes)");
        return NULL;
    }
    const char *d = PyBytes_AS_STRING(data);
    Py_ssize_t n = PyBytes_GET_SIZE(data), position = 0, copied = 0;
    Buf out = {NULL, 0, 0};
    while (position < n) {
        const char *lt = memchr(d + position, '<', (size_t)(n - position));
        if (lt == NULL)
            break;
        Py_ssize_t i = lt - d, name_end, attributes_end, end;
        const char *closing = NULL;
        Py_ssize_t opening = 0;
        if (n - i >= 4 && memcmp(lt, "<!--", 4) == 0)
            closing = "-->", opening = 4;
        else if (n - i >= 9 && memcmp(lt, "<![CDATA[", 9) == 0)
            closing = "]]>", opening = 9;
        else if (n - i >= 2 && lt[1] == '?')
            closing = "?>", opening = 2;
        if (closing != NULL) { /* stepped over whole: its text is no markup */
            Py_ssize_t close = find_bytes(d, n, i + opening, closing, (Py_ssize_t)strlen(closing));
            if (close < 0)
                break;
            position = close + (Py_ssize_t)strlen(closing);
            continue;
        }
        if ((end = empty_element(d, n, i, &name_end, &attributes_end)) == 0) {
            position = i + 1;
            continue;
        }
        Py_ssize_t name = name_end - i - 1;
        if (buf_put(&out, d + copied, attributes_end - copied) < 0 || buf_put(&out, "></", 3) < 0 ||
            buf_put(&out, d + i + 1, name) < 0 || buf_put(&out, ">", 1) < 0) {
            PyMem_Free(out.data);
            return NULL;
        }
        copied = position = end;
    }
    if (copied == 0) {
        PyMem_Free(out.data);
        Py_INCREF(data);
        return data;
    }
    PyObject *result = NULL;
    if (buf_put(&out, d + copied, n - copied) == 0)
        result = PyBytes_FromStringAndSize((const char *)out.data, out.size);
    PyMem_Free(out.data);
    return result;
}

/* The closing of the comment, CDATA section or instruction d[i:] opens, with the opening's
 * length; NULL when it opens none (parse._CLOSINGS, in its order). */
static const char *section_at(const char *d, Py_ssize_t n, Py_ssize_t i, Py_ssize_t *opening) {
    if (n - i >= 4 && memcmp(d + i, "<!--", 4) == 0)
        return *opening = 4, "-->";
    if (n - i >= 9 && memcmp(d + i, "<![CDATA[", 9) == 0)
        return *opening = 9, "]]>";
    if (n - i >= 2 && d[i] == '<' && d[i + 1] == '?')
        return *opening = 2, "?>";
    return NULL;
}

/* Past the section opening at d[i] (its closing found from past its opening), or -1. */
static Py_ssize_t past_section(const char *d, Py_ssize_t n, Py_ssize_t i, Py_ssize_t opening,
                               const char *closing) {
    Py_ssize_t size = (Py_ssize_t)strlen(closing), close = find_bytes(d, n, i + opening, closing, size);
    return close < 0 ? -1 : close + size;
}

static const char *const BODY_NAMES[] = {"description", "content:encoded", "summary", "content",
                                         "title", NULL};

/* Where the start tag of a text element at d[i] ("<") ends, past its ">"; 0 when there is none
 * (parse._BODY_OR_SKIPPED's last branch: a name, then ">" or white space and no "<" to a ">"). */
static Py_ssize_t body_start(const char *d, Py_ssize_t n, Py_ssize_t i) {
    for (const char *const *name = BODY_NAMES; *name != NULL; name++) {
        Py_ssize_t size = (Py_ssize_t)strlen(*name), p = i + 1 + size;
        if (n - i - 1 < size || memcmp(d + i + 1, *name, (size_t)size) != 0 || p >= n)
            continue;
        if (d[p] == '>')
            return p + 1;
        if (!markup_space((unsigned char)d[p]))
            continue;
        for (p++; p < n && d[p] != '<' && d[p] != '>';)
            p++;
        if (p < n && d[p] == '>')
            return p + 1;
    }
    return 0;
}

static PyObject *markup_as_elements(PyObject *module, PyObject *data) {
    if (!PyBytes_Check(data)) {
        PyErr_SetString(PyExc_TypeError, "markup_as_elements(data: bytes)");
        return NULL;
    }
    const char *d = PyBytes_AS_STRING(data);
    Py_ssize_t n = PyBytes_GET_SIZE(data), position = 0, opening, end;
    PyObject *found = PyList_New(0);
    if (found == NULL)
        return NULL;
    while (position < n) {
        const char *lt = memchr(d + position, '<', (size_t)(n - position));
        if (lt == NULL)
            break;
        Py_ssize_t start = lt - d;
        const char *closing = section_at(d, n, start, &opening);
        if (closing != NULL) {
            if ((position = past_section(d, n, start, opening, closing)) < 0)
                break;
            continue;
        }
        if ((end = body_start(d, n, start)) == 0) {
            position = start + 1;
            continue;
        }
        Py_ssize_t tag = -1; /* the element's text, to its first tag past the sections in it */
        for (position = end; position < n;) {
            const char *next = memchr(d + position, '<', (size_t)(n - position));
            if (next == NULL)
                break;
            tag = next - d;
            if ((closing = section_at(d, n, tag, &opening)) == NULL)
                break;
            if ((position = past_section(d, n, tag, opening, closing)) < 0)
                return found;
            tag = -1;
        }
        if (tag < 0)
            break;
        if (tag + 1 < n && Py_ISALPHA((unsigned char)d[tag + 1])) {
            if (append_new(found, PyLong_FromSsize_t(start)) < 0) {
                Py_DECREF(found);
                return NULL;
            }
        }
        position = tag;
    }
    return found;
}

/* Where an entry's name ends when one is written at d[p]: "item" or "entry", after a prefix
 * ("\w+:", as parse._ENTRY_TAG's and _ENTRY_END's (?:\w+:)?); -1 when none is. (A run of word
 * bytes followed by ":" can only be a prefix there, one followed by anything else only the name.) */
static Py_ssize_t entry_name(const char *d, Py_ssize_t n, Py_ssize_t p) {
    Py_ssize_t q = p;
    while (q < n && (Py_ISALNUM((unsigned char)d[q]) || d[q] == '_'))
        q++;
    if (q > p && q < n && d[q] == ':')
        p = q + 1;
    if (n - p >= 4 && memcmp(d + p, "item", 4) == 0)
        return p + 4;
    if (n - p >= 5 && memcmp(d + p, "entry", 5) == 0)
        return p + 5;
    return -1;
}

/* The end of the first entry's end tag from d[p] on (parse._ENTRY_END), or -1; *at: where
 * that tag starts. */
static Py_ssize_t entry_end(const char *d, Py_ssize_t n, Py_ssize_t p, Py_ssize_t *at) {
    while (p < n) {
        const char *lt = memchr(d + p, '<', (size_t)(n - p));
        if (lt == NULL)
            return -1;
        Py_ssize_t i = lt - d, e;
        p = i + 1;
        if (i + 1 >= n || d[i + 1] != '/' || (e = entry_name(d, n, i + 2)) < 0)
            continue;
        while (e < n && markup_space((unsigned char)d[e]))
            e++;
        if (e < n && d[e] == '>')
            return *at = i, e + 1;
    }
    return -1;
}

static PyObject *entry_spans(PyObject *module, PyObject *data) {
    if (!PyBytes_Check(data)) {
        PyErr_SetString(PyExc_TypeError, "entry_spans(data: bytes)");
        return NULL;
    }
    const char *d = PyBytes_AS_STRING(data);
    Py_ssize_t n = PyBytes_GET_SIZE(data), position = 0;
    /* The first ">" from the last start it was looked for from, and the first end tag (where it
     * starts, where it ends) from the last name's end: -2 not looked for yet, -1 none. Both are
     * looked for again only once an entry starts past them: each entry looking for its own
     * scanned the rest of the document, quadratic (20,000 "<item>" before 2 MB of "<" in a
     * CDATA section: 5 minutes). */
    Py_ssize_t gt = -2, end_at = -2, end_end = -1;
    PyObject *spans = PyList_New(0);
    if (spans == NULL)
        return NULL;
    while (position < n) {
        const char *lt = memchr(d + position, '<', (size_t)(n - position));
        if (lt == NULL)
            break;
        Py_ssize_t start = lt - d, e = entry_name(d, n, start + 1), end;
        if (e < 0 || e >= n || !(markup_space((unsigned char)d[e]) || d[e] == '>' || d[e] == '/')) {
            position = start + 1;
            continue;
        }
        position = e + 1; /* (the next start tag is looked for past this one's name, as finditer) */
        if (gt != -1 && gt < start) {
            const char *close = memchr(lt, '>', (size_t)(n - start));
            gt = close == NULL ? -1 : close - d;
        }
        if (gt > 0 && d[gt - 1] == '/') {
            end = gt + 1; /* <item/> */
        } else {
            if (end_at != -1 && end_at < position &&
                (end_end = entry_end(d, n, position, &end_at)) < 0)
                end_at = -1;
            end = end_at < 0 ? n : end_end;
        }
        if (append_new(spans, Py_BuildValue("(nn)", start, end)) < 0) {
            Py_DECREF(spans);
            return NULL;
        }
    }
    return spans;
}

/* --- parse._Document's marks: what its checks ask of every document, in one pass ------------- */

/* [\w.:-] of a bytes pattern: a byte of a name parse._WRITTEN_NAME collects. */
static int marks_name_byte(unsigned char c) {
    return Py_ISALNUM(c) || c == '_' || c == '.' || c == ':' || c == '-';
}

/* Past the run of \s at d[i]. */
static Py_ssize_t marks_space(const char *d, Py_ssize_t n, Py_ssize_t i) {
    while (i < n && markup_space((unsigned char)d[i]))
        i++;
    return i;
}

/* `\s*=` at d[i]: where it ends, or -1. */
static Py_ssize_t marks_equals(const char *d, Py_ssize_t n, Py_ssize_t i) {
    i = marks_space(d, n, i);
    return i < n && d[i] == '=' ? i + 1 : -1;
}

/* `\s*=\s*["']` at d[i]: where the value starts past its quote, or -1. */
static Py_ssize_t marks_value(const char *d, Py_ssize_t n, Py_ssize_t i) {
    i = marks_equals(d, n, i);
    if (i < 0)
        return -1;
    i = marks_space(d, n, i);
    return i < n && (d[i] == '"' || d[i] == '\'') ? i + 1 : -1;
}

static int marks_at(const char *d, Py_ssize_t n, Py_ssize_t i, const char *literal) {
    Py_ssize_t size = (Py_ssize_t)strlen(literal);
    return n - i >= size && memcmp(d + i, literal, (size_t)size) == 0;
}

/* parse._C1_REFERENCE at d[i] (an "&"): &#(?:[xX]0*[89][\da-fA-F]|0*(?:12[89]|1[3-5]\d)); */
static int marks_c1_reference(const char *d, Py_ssize_t n, Py_ssize_t i) {
    Py_ssize_t j = i + 1;
    if (j >= n || d[j] != '#')
        return 0;
    j++;
    if (j < n && (d[j] == 'x' || d[j] == 'X')) {
        j++;
        while (j < n && d[j] == '0')
            j++;
        return n - j >= 3 && (d[j] == '8' || d[j] == '9') && Py_ISXDIGIT(d[j + 1]) &&
               d[j + 2] == ';';
    }
    while (j < n && d[j] == '0')
        j++;
    if (n - j < 4 || d[j] != '1' || d[j + 3] != ';')
        return 0;
    return (d[j + 1] == '2' && (d[j + 2] == '8' || d[j + 2] == '9')) ||
           (d[j + 1] >= '3' && d[j + 1] <= '5' && Py_ISDIGIT(d[j + 2]));
}

/* parse._REFERENCE at d[i] (an "&"): &(?!(?:amp|lt|gt|quot|apos);)[#\w] */
static int marks_reference(const char *d, Py_ssize_t n, Py_ssize_t i) {
    static const char *const xml[] = {"amp;", "lt;", "gt;", "quot;", "apos;", NULL};
    for (const char *const *name = xml; *name != NULL; name++)
        if (marks_at(d, n, i + 1, *name))
            return 0;
    if (i + 1 >= n)
        return 0;
    unsigned char c = (unsigned char)d[i + 1];
    return c == '#' || Py_ISALNUM(c) || c == '_';
}

/* The bits of parse._MARKED, in its order. */
enum {
    MARK_XML_BASE = 1 << 0,
    MARK_XML_LANG = 1 << 1,
    MARK_HUB_LINK = 1 << 2,
    MARK_CAPITALIZED_REL = 1 << 3,
    MARK_BASE64 = 1 << 4,
    MARK_LANGUAGE_ELEMENT = 1 << 5,
    MARK_C1_CONTROL = 1 << 6,
    MARK_C1_REFERENCE = 1 << 7,
    MARK_MOJIBAKE = 1 << 8,
    MARK_REFERENCE = 1 << 9,
    MARK_ADDRESS_HINT = 1 << 10,
    MARK_NO_HOST = 1 << 11,
    MARK_ODD_FIELDS = 1 << 12,
};

static int marks_url_end(const char *d, Py_ssize_t n, Py_ssize_t i) { /* [/:?#"'] */
    return i < n && strchr("/:?#\"'", d[i]) != NULL && d[i] != '\0';
}

/* parse._ADDRESS_HINT past its "://" at d[i]: "[", a number in hexadecimal or of up to four
 * parts then a URL's end, or "localhost" in any case. (Each run ends at a byte no "://" has.) */
static int marks_address_hint(const char *d, Py_ssize_t n, Py_ssize_t i) {
    Py_ssize_t j;
    if (i >= n)
        return 0;
    if (d[i] == '[')
        return 1;
    if (n - i >= 2 && d[i] == '0' && (d[i + 1] == 'x' || d[i + 1] == 'X')) {
        for (j = i + 2; j < n && (Py_ISXDIGIT(d[j]) || d[j] == '.');)
            j++;
        if (marks_url_end(d, n, j))
            return 1;
    }
    if (Py_ISDIGIT(d[i])) {
        for (j = i; j < n && Py_ISDIGIT(d[j]);)
            j++;
        for (int part = 0; part < 3 && n - j >= 2 && d[j] == '.' && Py_ISDIGIT(d[j + 1]); part++)
            for (j++; j < n && Py_ISDIGIT(d[j]);)
                j++;
        return marks_url_end(d, n, j);
    }
    if (n - i < 9)
        return 0;
    for (j = 0; j < 9; j++)
        if (Py_TOLOWER((unsigned char)d[i + j]) != "localhost"[j])
            return 0;
    return 1;
}

/* Where `needle` next occurs in d[from:n], or -1 (memmem: fast, where most bytes are none of
 * its). */
static Py_ssize_t marks_find(const char *d, Py_ssize_t n, Py_ssize_t from, const char *needle) {
    size_t size = strlen(needle);
    if (from >= n)
        return -1;
    const char *at = memmem(d + from, (size_t)(n - from), needle, size);
    return at == NULL ? -1 : at - d;
}

/* The names written after "<" (parse._WRITTEN_NAME, cut at max_name bytes), in a new set; None
 * with more than max_tags "<". A name seen lately is not made again (most are repeated). */
static PyObject *marks_names(const char *d, Py_ssize_t n, Py_ssize_t max_name,
                             Py_ssize_t max_tags) {
    struct {
        const char *at;
        Py_ssize_t size;
    } seen[256] = {{NULL, 0}};
    Py_ssize_t tags = 0;
    PyObject *names = PySet_New(NULL);
    if (names == NULL)
        return NULL;
    for (const char *lt = memchr(d, '<', (size_t)n); lt != NULL;
         lt = memchr(lt + 1, '<', (size_t)(n - (lt + 1 - d)))) {
        if (++tags > max_tags) {
            Py_DECREF(names);
            Py_RETURN_NONE;
        }
        Py_ssize_t start = lt + 1 - d, j = start;
        unsigned int hash = 0;
        while (j < n && j - start < max_name && marks_name_byte((unsigned char)d[j]))
            hash = hash * 31 + (unsigned char)d[j++];
        Py_ssize_t size = j - start;
        if (size == 0)
            continue;
        hash = (hash ^ (unsigned int)size) & 255;
        if (seen[hash].size == size && memcmp(seen[hash].at, d + start, (size_t)size) == 0)
            continue;
        seen[hash].at = d + start;
        seen[hash].size = size;
        PyObject *name = PyBytes_FromStringAndSize(d + start, size);
        if (name == NULL || PySet_Add(names, name) < 0) {
            Py_XDECREF(name);
            Py_DECREF(names);
            return NULL;
        }
        Py_DECREF(name);
        if (j >= n)
            break;
    }
    return names;
}

static int odd_fields(const char *d, Py_ssize_t e, Py_ssize_t p); /* (below) */

/* parse._document_marks_python: the names written after "<" (a set; None past max_tags "<"),
 * which of parse._MARKED match somewhere, and where the last "language>" starts (-1: none). Each
 * rule looks for its literal (memchr, memmem) and reads on from each place it is; each run read
 * on (white space, zeros, a rel's value) ends where no other such place can start: linear. */
static PyObject *document_marks(PyObject *module, PyObject *const *args, Py_ssize_t nargs) {
    Py_ssize_t max_name, max_tags;
    if (nargs != 3 || !PyBytes_Check(args[0])) {
        PyErr_SetString(PyExc_TypeError, "document_marks(data: bytes, max_name, max_tags)");
        return NULL;
    }
    if ((max_name = PyLong_AsSsize_t(args[1])) < 0 || (max_tags = PyLong_AsSsize_t(args[2])) < 0) {
        if (!PyErr_Occurred())
            PyErr_SetString(PyExc_ValueError, "document_marks: negative bound");
        return NULL;
    }
    const char *d = PyBytes_AS_STRING(args[0]);
    Py_ssize_t n = PyBytes_GET_SIZE(args[0]), last_language = -1, i, j;
    long marks = 0;
    for (i = marks_find(d, n, 0, "xml:base"); i >= 0; i = marks_find(d, n, i + 1, "xml:base"))
        if (marks_equals(d, n, i + 8) >= 0) {
            marks |= MARK_XML_BASE;
            break;
        }
    for (i = marks_find(d, n, 0, "xml:lang"); i >= 0; i = marks_find(d, n, i + 1, "xml:lang"))
        if (marks_equals(d, n, i + 8) >= 0) {
            marks |= MARK_XML_LANG;
            break;
        }
    for (i = marks_find(d, n, 0, "rel"); i >= 0; i = marks_find(d, n, i + 1, "rel")) {
        if ((j = marks_value(d, n, i + 3)) < 0)
            continue;
        if (n - j >= 4 && memcmp(d + j, "hub", 3) == 0 && (d[j + 3] == '"' || d[j + 3] == '\''))
            marks |= MARK_HUB_LINK;
        if (!(marks & MARK_CAPITALIZED_REL)) {
            for (; j < n && d[j] != '"' && d[j] != '\'' && d[j] != '<' && d[j] != '>'; j++)
                if (d[j] >= 'A' && d[j] <= 'Z') {
                    marks |= MARK_CAPITALIZED_REL;
                    break;
                }
        }
        if ((marks & (MARK_HUB_LINK | MARK_CAPITALIZED_REL)) ==
            (MARK_HUB_LINK | MARK_CAPITALIZED_REL))
            break;
    }
    for (i = marks_find(d, n, 0, "mode"); i >= 0; i = marks_find(d, n, i + 1, "mode"))
        if ((j = marks_value(d, n, i + 4)) >= 0 && marks_at(d, n, j, "base64")) {
            marks |= MARK_BASE64;
            break;
        }
    for (i = marks_find(d, n, 0, "language>"); i >= 0; i = marks_find(d, n, i + 1, "language>")) {
        marks |= MARK_LANGUAGE_ELEMENT;
        last_language = i;
    }
    for (i = marks_find(d, n, 0, "\xc2"); i >= 0; i = marks_find(d, n, i + 1, "\xc2"))
        if (i + 1 < n && (unsigned char)d[i + 1] >= 0x80 && (unsigned char)d[i + 1] <= 0x9f) {
            marks |= MARK_C1_CONTROL;
            break;
        }
    for (i = marks_find(d, n, 0, "\xc3"); i >= 0; i = marks_find(d, n, i + 1, "\xc3"))
        if (n - i >= 4 && (unsigned char)d[i + 1] >= 0x82 && (unsigned char)d[i + 1] <= 0xb4 &&
            (unsigned char)d[i + 2] == 0xc2 && (unsigned char)d[i + 3] >= 0x80 &&
            (unsigned char)d[i + 3] <= 0xbf) {
            marks |= MARK_MOJIBAKE;
            break;
        }
    for (i = marks_find(d, n, 0, "&"); i >= 0; i = marks_find(d, n, i + 1, "&")) {
        if (!(marks & MARK_C1_REFERENCE) && marks_c1_reference(d, n, i))
            marks |= MARK_C1_REFERENCE;
        if (!(marks & MARK_REFERENCE) && marks_reference(d, n, i))
            marks |= MARK_REFERENCE;
        if ((marks & (MARK_C1_REFERENCE | MARK_REFERENCE)) == (MARK_C1_REFERENCE | MARK_REFERENCE))
            break;
    }
    for (i = marks_find(d, n, 0, "://"); i >= 0; i = marks_find(d, n, i + 1, "://")) {
        if (!(marks & MARK_ADDRESS_HINT) && marks_address_hint(d, n, i + 3))
            marks |= MARK_ADDRESS_HINT;
        if (i + 3 < n && (d[i + 3] == '/' || d[i + 3] == '?' || d[i + 3] == '#'))
            marks |= MARK_NO_HOST;
        if ((marks & (MARK_ADDRESS_HINT | MARK_NO_HOST)) == (MARK_ADDRESS_HINT | MARK_NO_HOST))
            break;
    }
    for (const char *lt = memchr(d, '<', (size_t)n); lt != NULL;
         lt = lt + 1 < d + n ? memchr(lt + 1, '<', (size_t)(n - (lt + 1 - d))) : NULL)
        if (odd_fields(d, n, lt - d)) {
            marks |= MARK_ODD_FIELDS;
            break;
        }
    PyObject *names = marks_names(d, n, max_name, max_tags);
    if (names == NULL)
        return NULL;
    return Py_BuildValue("(Nln)", names, marks, last_language);
}

/* --- sanitize.py: too_deep's walk over the tags (h1) ---------------------------------------- */

/* The element classes of sanitize.py's sets (_NOT_NESTING, _CLOSES_ITSELF, _SCOPE, _SPECIAL);
 * tests/test_sanitize.py compares the walk with the Python reference on names from all four. */
enum { NEST_VOID = 1, NEST_CLOSES_ITSELF = 2, NEST_SCOPE = 4, NEST_SPECIAL = 8 };

static const char *const NEST_VOID_NAMES[] = {
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param",
    "source", "track", "wbr", "p", "li", "dt", "dd", "tr", "td", "th", "thead", "tbody",
    "tfoot", "option", "optgroup", "rb", "rt", "rp", "colgroup", "caption", "html", "head",
    "body", NULL};
static const char *const NEST_CLOSES_ITSELF_NAMES[] = {
    "a", "b", "big", "code", "em", "font", "i", "nobr", "s", "small", "strike", "strong", "tt",
    "u", "form", NULL};
static const char *const NEST_SCOPE_NAMES[] = {"applet", "caption", "html", "table", "td",
                                               "th", "marquee", "object", "template", "svg",
                                               "math", NULL};
static const char *const NEST_SPECIAL_NAMES[] = {
    "address", "article", "aside", "blockquote", "button", "center", "details", "dialog",
    "dir", "div", "dl", "fieldset", "figcaption", "figure", "footer", "form", "frameset", "h1",
    "h2", "h3", "h4", "h5", "h6", "header", "hgroup", "iframe", "listing", "main", "menu", "nav",
    "noembed", "noframes", "noscript", "ol", "plaintext", "pre", "search", "section", "select",
    "style", "summary", "textarea", "title", "ul", "xmp", NULL};

#define NEST_HASH_START UINT64_C(1469598103934665603) /* FNV-1a */
#define NEST_HASH_STEP(hash, byte) (((hash) ^ (uint64_t)(byte)) * UINT64_C(1099511628211))

/* A table of names (open addressing by FNV-1a; `slots` a power of two, more than twice the
 * names), each with its flags: filled at module init, read-only after. */
typedef struct {
    const char *name;
    uint64_t hash;
    int flags;
} NameSlot;

static uint64_t name_hash(const char *name) {
    uint64_t hash = NEST_HASH_START;
    for (const char *c = name; *c; c++)
        hash = NEST_HASH_STEP(hash, (unsigned char)*c);
    return hash;
}

static void names_add(NameSlot *table, size_t slots, const char *const *names, int flags) {
    for (int k = 0; names[k] != NULL; k++) {
        uint64_t hash = name_hash(names[k]);
        size_t slot = (size_t)hash & (slots - 1);
        while (table[slot].name != NULL && strcmp(table[slot].name, names[k]) != 0)
            slot = (slot + 1) & (slots - 1);
        table[slot].name = names[k];
        table[slot].hash = hash;
        table[slot].flags |= flags;
    }
}

/* The flags of a NUL-terminated name in the table, 0 when it is not there. */
static int names_flags(const NameSlot *table, size_t slots, const char *name) {
    uint64_t hash = name_hash(name);
    size_t slot = (size_t)hash & (slots - 1);
    while (table[slot].name != NULL) {
        if (table[slot].hash == hash && strcmp(table[slot].name, name) == 0)
            return table[slot].flags;
        slot = (slot + 1) & (slots - 1);
    }
    return 0;
}

static NameSlot nest_table[256];

static void nest_init(void) { /* (module init) */
    names_add(nest_table, 256, NEST_VOID_NAMES, NEST_VOID);
    names_add(nest_table, 256, NEST_CLOSES_ITSELF_NAMES, NEST_CLOSES_ITSELF);
    names_add(nest_table, 256, NEST_SCOPE_NAMES, NEST_SCOPE | NEST_SPECIAL);
    names_add(nest_table, 256, NEST_SPECIAL_NAMES, NEST_SPECIAL);
}

/* The classes of a lowercased ASCII name (NUL-terminated, `size` characters): 0 for one with a
 * NUL in it ("<p\0>" names no p: the lookahead's [\s/>] refuses the NUL, and the tag nests). */
static int nest_flags(const char *name, Py_ssize_t size) {
    if (size > 15 || strlen(name) != (size_t)size)
        return 0; /* (none listed is as long) */
    return names_flags(nest_table, 256, name);
}

typedef struct {
    Py_ssize_t start, size; /* the name in the text (ASCII, compared lowercased) */
    uint64_t hash;
    int flags;
} NestOpen;

static int nest_same(int kind, const void *text, const NestOpen *a, Py_ssize_t start,
                     Py_ssize_t size, uint64_t hash) {
    if (a->hash != hash || a->size != size)
        return 0;
    for (Py_ssize_t k = 0; k < size; k++)
        if (Py_TOLOWER((int)PyUnicode_READ(kind, text, a->start + k)) !=
            Py_TOLOWER((int)PyUnicode_READ(kind, text, start + k)))
            return 0;
    return 1;
}

/* sanitize._too_deep_python(html_text) with MAX_NESTING = max_nesting: True, False, or None
 * when a tag's name has a non-ASCII character (IGNORECASE and str.lower may fold one to ASCII:
 * 'K' to k, 'ſ' to s): the caller runs the reference. One pass; each tag compares at most
 * max_nesting + 1 open elements, so the walk is linear in the text. */
static PyObject *too_deep(PyObject *module, PyObject *const *args, Py_ssize_t nargs) {
    (void)module;
    if (nargs != 2 || !PyUnicode_Check(args[0]) || !PyLong_Check(args[1])) {
        PyErr_SetString(PyExc_TypeError, "too_deep(html_text: str, max_nesting: int)");
        return NULL;
    }
    Py_ssize_t max_nesting = PyLong_AsSsize_t(args[1]);
    if (max_nesting == -1 && PyErr_Occurred())
        return NULL;
    if (max_nesting < 0 || max_nesting > 1 << 20) {
        PyErr_SetString(PyExc_ValueError, "max_nesting out of range");
        return NULL;
    }
    int kind = PyUnicode_KIND(args[0]);
    const void *text = PyUnicode_DATA(args[0]);
    Py_ssize_t n = PyUnicode_GET_LENGTH(args[0]);
    NestOpen *stack = PyMem_Malloc((size_t)(max_nesting + 1) * sizeof(NestOpen));
    if (stack == NULL)
        return PyErr_NoMemory();
    Py_ssize_t depth = 0;
    PyObject *result = Py_False;
    for (Py_ssize_t i = 0; i < n; i++) {
        if (kind == PyUnicode_1BYTE_KIND) {
            const char *lt = memchr((const char *)text + i, '<', (size_t)(n - i));
            if (lt == NULL)
                break;
            i = lt - (const char *)text;
        } else if (PyUnicode_READ(kind, text, i) != '<') {
            continue;
        }
        /* _NESTING_TAG at i: <(/?)(?!(?:names)[\s/>])([A-Za-z][^\s/>]*+), IGNORECASE */
        Py_ssize_t j = i + 1;
        int closing = j < n && PyUnicode_READ(kind, text, j) == '/';
        j += closing;
        if (j >= n)
            break;
        Py_UCS4 first = PyUnicode_READ(kind, text, j);
        if (first >= 128) {
            if (first == 0x130 || first == 0x131 || first == 0x17f || first == 0x212a) {
                result = Py_None; /* [A-Za-z] under IGNORECASE */
                break;
            }
            continue;
        }
        if (!Py_ISALPHA(first))
            continue; /* (without the slash, [A-Za-z] fails on it too) */
        Py_ssize_t end = j;
        uint64_t hash = NEST_HASH_START;
        char name[16];
        int ascii = 1;
        while (end < n) {
            Py_UCS4 ch = PyUnicode_READ(kind, text, end);
            if (ch == '/' || ch == '>' || Py_UNICODE_ISSPACE(ch))
                break;
            if (ch >= 128) {
                ascii = 0;
                break;
            }
            int lower = Py_TOLOWER((int)ch);
            if (end - j < 15)
                name[end - j] = (char)lower;
            hash = NEST_HASH_STEP(hash, lower);
            end++;
        }
        if (!ascii) {
            result = Py_None;
            break;
        }
        Py_ssize_t size = end - j;
        name[size < 15 ? size : 15] = '\0';
        int flags = nest_flags(name, size);
        if ((flags & NEST_VOID) && end < n) {
            /* The lookahead refuses: the search goes on at i + 1 (inside the name, no '<'). */
            continue;
        }
        i = end - 1; /* findall goes on at the match's end */
        if (!closing) {
            stack[depth].start = j;
            stack[depth].size = size;
            stack[depth].hash = hash;
            stack[depth].flags = flags;
            depth++;
            if (depth > max_nesting) {
                result = Py_True;
                break;
            }
            continue;
        }
        Py_ssize_t at = depth - 1;
        while (at >= 0 && !nest_same(kind, text, &stack[at], j, size, hash))
            at--;
        if (at < 0)
            continue;
        if (flags & NEST_CLOSES_ITSELF) {
            memmove(&stack[at], &stack[at + 1], (size_t)(depth - at - 1) * sizeof(NestOpen));
            depth--;
            continue;
        }
        int blockers = (flags & NEST_SPECIAL) ? NEST_SCOPE : NEST_SPECIAL;
        Py_ssize_t k = at + 1;
        while (k < depth && !(stack[k].flags & blockers))
            k++;
        if (k == depth)
            depth = at;
    }
    PyMem_Free(stack);
    return Py_NewRef(result);
}

/* --- sanitize.py: _without_mathml_tags before nh3 (h1) --------------------------------------- */

/* sanitize._MATHML_NAMES (tests/test_sanitize.py compares the two). */
static const char *const MATHML_NAMES[] = {
    "abs", "and", "annotation", "annotation-xml", "apply", "approx", "arccos", "arccosh",
    "arccot", "arccoth", "arccsc", "arccsch", "arcsec", "arcsech", "arcsin", "arcsinh", "arctan",
    "arctanh", "arg", "bind", "bvar", "card", "cartesianproduct", "cbytes", "ceiling", "cerror",
    "ci", "cn", "codomain", "complexes", "compose", "condition", "conjugate", "cos", "cosh",
    "cot", "coth", "cs", "csc", "csch", "csymbol", "curl", "declare", "degree", "determinant",
    "diff", "divergence", "divide", "domain", "domainofapplication", "emptyset", "eq",
    "equivalent", "eulergamma", "exists", "exp", "exponentiale", "factorial", "factorof",
    "false", "floor", "fn", "forall", "gcd", "geq", "grad", "gt", "ident", "imaginary",
    "imaginaryi", "implies", "in", "infinity", "int", "integers", "intersect", "interval",
    "inverse", "lambda", "laplacian", "lcm", "leq", "limit", "list", "ln", "log", "logbase",
    "lowlimit", "lt", "maction", "maligngroup", "malignmark", "matrix", "matrixrow", "max",
    "mean", "median", "menclose", "merror", "mfenced", "mfrac", "mglyph", "mi", "min", "minus",
    "mlabeledtr", "mlongdiv", "mmultiscripts", "mn", "mo", "mode", "moment", "momentabout",
    "mover", "mpadded", "mphantom", "mprescripts", "mroot", "mrow", "ms", "mscarries",
    "mscarry", "msgroup", "msline", "mspace", "msqrt", "msrow", "mstack", "mstyle", "msub",
    "msubsup", "msup", "mtable", "mtd", "mtext", "mtr", "munder", "munderover",
    "naturalnumbers", "neq", "none", "not", "notanumber", "notin", "notprsubset", "notsubset",
    "or", "otherwise", "outerproduct", "partialdiff", "pi", "piece", "piecewise", "plus",
    "power", "primes", "product", "prsubset", "quotient", "rationals", "real", "reals", "reln",
    "rem", "root", "scalarproduct", "sdev", "sec", "sech", "selector", "semantics", "sep",
    "set", "setdiff", "share", "sin", "sinh", "subset", "sum", "tan", "tanh", "tendsto",
    "times", "transpose", "true", "union", "uplimit", "variance", "vector", "vectorproduct",
    "xor", NULL};

/* sanitize._UNUSUAL_TAG's usual names (written as they are: the pattern minds case). */
static const char *const USUAL_TAG_NAMES[] = {
    "p", "a", "br", "img", "div", "span", "strong", "em", "b", "i", "u", "s", "li", "ul",
    "ol", "h1", "h2", "h3", "h4", "h5", "h6", "figure", "figcaption", "blockquote", "pre",
    "code", "table", "tr", "td", "th", "tbody", "thead", "hr", "iframe", "source", "video",
    "audio", "picture", "small", "sup", "sub", NULL};

static NameSlot mathml_table[512], usual_table[128]; /* (filled at module init) */

static void mathml_init(void) {
    names_add(mathml_table, 512, MATHML_NAMES, 1);
    names_add(usual_table, 128, USUAL_TAG_NAMES, 1);
}

/* The index of the first `ch` (ASCII) of text[i:n], or n. */
static Py_ssize_t next_char(int kind, const void *text, Py_ssize_t i, Py_ssize_t n, char ch) {
    if (kind == PyUnicode_1BYTE_KIND) {
        const char *at = i < n ? memchr((const char *)text + i, ch, (size_t)(n - i)) : NULL;
        return at == NULL ? n : at - (const char *)text;
    }
    while (i < n && PyUnicode_READ(kind, text, i) != (Py_UCS4)ch)
        i++;
    return i;
}

/* The index of the first '<' of text[i:n], or n. */
static Py_ssize_t next_lt(int kind, const void *text, Py_ssize_t i, Py_ssize_t n) {
    return next_char(kind, text, i, n, '<');
}

static int tag_end_char(Py_UCS4 ch) { return ch == '/' || ch == '>' || Py_UNICODE_ISSPACE(ch); }

/* Whether text[i + 1:] starts with `word` (lowercase ASCII) in any case, 'ſ' an 's' (the
 * IGNORECASE of _FOREIGN_CONTENT), then [\s/>]. */
static int foreign_at(int kind, const void *text, Py_ssize_t n, Py_ssize_t i, const char *word) {
    Py_ssize_t k = i + 1;
    for (const char *c = word; *c; c++, k++) {
        if (k >= n)
            return 0;
        Py_UCS4 ch = PyUnicode_READ(kind, text, k);
        if (!(ch < 128 && Py_TOLOWER((int)ch) == *c) && !(*c == 's' && ch == 0x17f))
            return 0;
    }
    return k < n && tag_end_char(PyUnicode_READ(kind, text, k));
}

/* Whether _UNUSUAL_TAG matches at text[i] ('<'), within text[:n]. */
static int unusual_at(int kind, const void *text, Py_ssize_t n, Py_ssize_t i) {
    Py_ssize_t j = i + 1;
    if (j < n && PyUnicode_READ(kind, text, j) == '/')
        j++; /* (without it, [A-Za-z] fails on the '/') */
    if (j >= n || PyUnicode_READ(kind, text, j) >= 128 || !Py_ISALPHA(PyUnicode_READ(kind, text, j)))
        return 0;
    char word[16];
    Py_ssize_t k = j;
    while (k < n && PyUnicode_READ(kind, text, k) < 128 && Py_ISALNUM(PyUnicode_READ(kind, text, k))) {
        if (k - j < 15)
            word[k - j] = (char)PyUnicode_READ(kind, text, k);
        k++;
    }
    if (k - j > 15 || k >= n || !tag_end_char(PyUnicode_READ(kind, text, k)))
        return 1; /* no usual name is followed by [\s/>] here */
    word[k - j] = '\0';
    return !names_flags(usual_table, 128, word);
}

/* sanitize._without_mathml_tags_python(html_text): a new string, or html_text itself. */
static PyObject *without_mathml_tags(PyObject *module, PyObject *html_text) {
    (void)module;
    if (!PyUnicode_Check(html_text)) {
        PyErr_SetString(PyExc_TypeError, "without_mathml_tags(html_text: str)");
        return NULL;
    }
    int kind = PyUnicode_KIND(html_text);
    const void *text = PyUnicode_DATA(html_text);
    Py_ssize_t n = PyUnicode_GET_LENGTH(html_text);
    /* The head: before the first <math or <svg (_FOREIGN_CONTENT); is there an unusual tag? */
    Py_ssize_t head = n;
    int unusual = 0;
    for (Py_ssize_t i = next_lt(kind, text, 0, n); i < n; i = next_lt(kind, text, i + 1, n)) {
        if (foreign_at(kind, text, n, i, "math") || foreign_at(kind, text, n, i, "svg")) {
            head = i;
            break;
        }
        unusual = unusual || unusual_at(kind, text, n, i);
    }
    if (!unusual)
        return Py_NewRef(html_text);
    /* _NAMED_TAG (</?([A-Za-z][\w-]*+)[^<>]*+>) over the head: the MathML names' tags go. */
    PyObject *parts = PyList_New(0);
    if (parts == NULL)
        return NULL;
    Py_ssize_t kept = 0; /* the head's text from here on is not yet in parts */
    for (Py_ssize_t i = next_lt(kind, text, 0, head); i < head;
         i = next_lt(kind, text, i + 1, head)) {
        Py_ssize_t j = i + 1;
        if (j < head && PyUnicode_READ(kind, text, j) == '/')
            j++;
        if (j >= head || PyUnicode_READ(kind, text, j) >= 128 ||
            !Py_ISALPHA(PyUnicode_READ(kind, text, j)))
            continue;
        char name[24];
        int listed = 1; /* still possibly one of MATHML_NAMES */
        Py_ssize_t k = j;
        for (; k < head; k++) {
            Py_UCS4 ch = PyUnicode_READ(kind, text, k);
            Py_UCS4 lower;
            if (ch < 128 && (Py_ISALNUM(ch) || ch == '_' || ch == '-'))
                lower = (Py_UCS4)Py_TOLOWER((int)ch);
            else if (ch >= 128 && Py_UNICODE_ISALNUM(ch))
                lower = ch == 0x212a ? 'k' : 0; /* (str.lower: KELVIN SIGN is k) */
            else
                break;
            if (lower == 0 || k - j >= 23)
                listed = 0;
            else
                name[k - j] = (char)lower;
        }
        Py_ssize_t end = k;
        while (end < head && PyUnicode_READ(kind, text, end) != '<' &&
               PyUnicode_READ(kind, text, end) != '>')
            end++;
        if (end >= head || PyUnicode_READ(kind, text, end) != '>')
            continue; /* no tag: the search goes on at i + 1 */
        if (listed) {
            name[k - j] = '\0';
            listed = names_flags(mathml_table, 512, name);
        }
        if (listed) {
            PyObject *part = PyUnicode_Substring(html_text, kept, i);
            if (part == NULL || PyList_Append(parts, part) < 0) {
                Py_XDECREF(part);
                Py_DECREF(parts);
                return NULL;
            }
            Py_DECREF(part);
            kept = end + 1;
        }
        i = end; /* the next match starts after this one */
    }
    PyObject *rest = PyUnicode_Substring(html_text, kept, n);
    if (rest == NULL || PyList_Append(parts, rest) < 0) {
        Py_XDECREF(rest);
        Py_DECREF(parts);
        return NULL;
    }
    Py_DECREF(rest);
    PyObject *empty = PyUnicode_FromStringAndSize("", 0);
    PyObject *result = empty == NULL ? NULL : PyUnicode_Join(empty, parts);
    Py_XDECREF(empty);
    Py_DECREF(parts);
    return result;
}

/* --- lazy_images.py: a look for _MAY_HIDE's pictures before the pattern (h1) ------------------- */

/* The letters IGNORECASE reads as ASCII ones: 'İ' and 'ı' as i, 'ſ' as s, 'K' as k. */
static int folds_to_ascii(Py_UCS4 ch) {
    return ch == 0x130 || ch == 0x131 || ch == 0x17f || ch == 0x212a;
}

/* Whether text[at:] starts with `word` (lowercase ASCII) in any ASCII case: 1; 0 when not;
 * -1 when a letter IGNORECASE may read as one of word's stands where it would. */
static int starts_caseless(int kind, const void *text, Py_ssize_t n, Py_ssize_t at,
                           const char *word) {
    for (const char *c = word; *c; c++, at++) {
        if (at >= n)
            return 0;
        Py_UCS4 ch = PyUnicode_READ(kind, text, at);
        if (folds_to_ascii(ch))
            return -1;
        if (ch >= 128 || Py_TOLOWER((int)ch) != *c)
            return 0;
    }
    return 1;
}

/* Whether the <img> tag whose text after "<img" is text[start:end] (up to its first '<' or '>',
 * or the end), then `closed` ('>' there), may be what lazy_images._MAY_HIDE finds: no
 * "\ssrc\s*=" in it, a "data" anywhere (an attribute of a lazy loader's, a data: address), or a
 * src whose value is empty ("", '', or none before '/' or '>'). */
static int img_may_hide(int kind, const void *text, Py_ssize_t start, Py_ssize_t end,
                        int closed) {
    int sources = 0;
    for (Py_ssize_t i = start; i < end; i++) {
        Py_UCS4 ch = PyUnicode_READ(kind, text, i);
        if (folds_to_ascii(ch))
            return 1;
        if ((ch == 'd' || ch == 'D') && starts_caseless(kind, text, end, i, "data") != 0)
            return 1;
        if (!Py_UNICODE_ISSPACE(ch))
            continue;
        int src = starts_caseless(kind, text, end, i + 1, "src");
        if (src < 0)
            return 1;
        if (src == 0)
            continue;
        Py_ssize_t j = i + 4;
        while (j < end && Py_UNICODE_ISSPACE(PyUnicode_READ(kind, text, j)))
            j++;
        if (j >= end || PyUnicode_READ(kind, text, j) != '=')
            continue;
        sources++;
        j++;
        while (j < end && Py_UNICODE_ISSPACE(PyUnicode_READ(kind, text, j)))
            j++;
        if (j >= end) {
            if (closed)
                return 1; /* src= then '>' */
            continue;
        }
        Py_UCS4 value = PyUnicode_READ(kind, text, j);
        if (value == '/')
            return 1;
        if (value == '"' || value == '\'') {
            j++;
            while (j < end && Py_UNICODE_ISSPACE(PyUnicode_READ(kind, text, j)))
                j++;
            if (j < end && (PyUnicode_READ(kind, text, j) == '"' ||
                            PyUnicode_READ(kind, text, j) == '\''))
                return 1; /* an empty value */
        }
    }
    return sources == 0;
}

/* lazy_images._MAY_HIDE.search(html_text) is not None: False only when it cannot be (the
 * pattern answers otherwise). One pass; each tag's text read once or twice. */
static PyObject *may_hide_pictures(PyObject *module, PyObject *html_text) {
    (void)module;
    if (!PyUnicode_Check(html_text)) {
        PyErr_SetString(PyExc_TypeError, "may_hide_pictures(html_text: str)");
        return NULL;
    }
    int kind = PyUnicode_KIND(html_text);
    const void *text = PyUnicode_DATA(html_text);
    Py_ssize_t n = PyUnicode_GET_LENGTH(html_text);
    for (Py_ssize_t i = next_lt(kind, text, 0, n); i < n; i = next_lt(kind, text, i + 1, n)) {
        int noscript = starts_caseless(kind, text, n, i + 1, "noscript");
        int amp = starts_caseless(kind, text, n, i + 1, "amp-img");
        int img = starts_caseless(kind, text, n, i + 1, "img");
        if (noscript != 0 || amp != 0 || img < 0)
            Py_RETURN_TRUE; /* (the \b after the name not looked at: more, never fewer) */
        if (img == 0)
            continue;
        Py_ssize_t end = i + 4;
        while (end < n && PyUnicode_READ(kind, text, end) != '<' &&
               PyUnicode_READ(kind, text, end) != '>')
            end++;
        if (img_may_hide(kind, text, i + 4, end, end < n && PyUnicode_READ(kind, text, end) == '>'))
            Py_RETURN_TRUE;
        i = end - 1; /* (the next '<' is at or after end) */
    }
    Py_RETURN_FALSE;
}

/* --- sanitize.py: a word in any case, before the checks of hidden pictures and frames -------- */

/* The first index from `i` where text[i] is `first` in either ASCII case or folds to ASCII. */
#define FIRST_CASELESS(TYPE)                                                                      \
    do {                                                                                          \
        const TYPE *t = (const TYPE *)text;                                                       \
        for (; i < n; i++)                                                                        \
            if ((t[i] | 0x20) == first || (t[i] >= 0x130 && folds_to_ascii(t[i])))               \
                break;                                                                            \
    } while (0)

static PyObject *mentions_caseless(PyObject *module, PyObject *const *args, Py_ssize_t nargs) {
    (void)module;
    if (nargs != 2 || !PyUnicode_Check(args[0]) || !PyUnicode_Check(args[1]) ||
        !PyUnicode_IS_ASCII(args[1]) || PyUnicode_GET_LENGTH(args[1]) == 0) {
        PyErr_SetString(PyExc_TypeError, "mentions_caseless(text: str, word: str)");
        return NULL;
    }
    const char *word = PyUnicode_AsUTF8(args[1]);
    if (word == NULL)
        return NULL;
    /* (A character with bit 0x20 set, as the first is looked for: lowercase letters, digits,
     * space and most punctuation, "</br"; not "@[\\]^_" nor a capital) */
    for (const char *c = word; *c; c++)
        if ((*c | 0x20) != *c || *c == 0x7f) {
            PyErr_SetString(PyExc_ValueError,
                            "mentions_caseless: word must be lowercase letters, digits or "
                            "punctuation (not @[\\]^_)");
            return NULL;
        }
    int kind = PyUnicode_KIND(args[0]);
    const void *text = PyUnicode_DATA(args[0]);
    Py_ssize_t n = PyUnicode_GET_LENGTH(args[0]);
    Py_UCS4 first = (Py_UCS4)(unsigned char)word[0];
    for (Py_ssize_t i = 0;; i++) {
        /* (| 0x20 lowers an ASCII letter; another character it maps onto a letter is no
         * match of starts_caseless below, which reads it again) */
        if (kind == PyUnicode_1BYTE_KIND)
            FIRST_CASELESS(Py_UCS1);
        else if (kind == PyUnicode_2BYTE_KIND)
            FIRST_CASELESS(Py_UCS2);
        else
            FIRST_CASELESS(Py_UCS4);
        if (i >= n)
            Py_RETURN_FALSE;
        if (starts_caseless(kind, text, n, i, word) != 0)
            Py_RETURN_TRUE; /* (-1: a letter IGNORECASE may read so: more, never fewer) */
    }
}
#undef FIRST_CASELESS

/* --- sanitize.py: a look for _MISLEADING_URL's addresses before the pattern (h1) ------------- */

/* Whether text[at - size:at] is `word` (ASCII, as written). */
static int ends_with_ascii(int kind, const void *text, Py_ssize_t at, const char *word) {
    Py_ssize_t size = (Py_ssize_t)strlen(word);
    if (at < size)
        return 0;
    for (Py_ssize_t k = 0; k < size; k++)
        if (PyUnicode_READ(kind, text, at - size + k) != (Py_UCS4)(unsigned char)word[k])
            return 0;
    return 1;
}

/* Whether a URL writes `ch` percent-encoded: sanitize._INVISIBLE_IN_URLS (Unicode's
 * Default_Ignorable_Code_Point and the blanks past ASCII; tests/test_sanitize.py checks every
 * code point). */
static int invisible_in_urls(Py_UCS4 ch) {
    if (ch < 0x85)
        return 0;
    if (ch < 0x2000)
        return ch == 0x85 || ch == 0xa0 || ch == 0xad || ch == 0x34f || ch == 0x61c ||
               ch == 0x115f || ch == 0x1160 || ch == 0x1680 || ch == 0x17b4 || ch == 0x17b5 ||
               (ch >= 0x180b && ch <= 0x180f);
    if (ch <= 0x206f)
        return ch <= 0x200f || (ch >= 0x2028 && ch <= 0x202f) || ch >= 0x205f;
    if (ch < 0x3000)
        return 0;
    if (ch <= 0xffff)
        return ch == 0x3000 || ch == 0x3164 || (ch >= 0xfe00 && ch <= 0xfe0f) || ch == 0xfeff ||
               ch == 0xffa0 || (ch >= 0xfff0 && ch <= 0xfff8);
    return (ch >= 0x1bca0 && ch <= 0x1bca3) || (ch >= 0x1d173 && ch <= 0x1d17a) ||
           (ch >= 0xe0000 && ch <= 0xe0fff);
}

/* sanitize._MISLEADING_URL.search(cleaned) is not None: False only when it cannot be (the
 * pattern answers otherwise). Each ` href="`, ` src="` or ` poster="` whose address is http(s)
 * (IGNORECASE) without "//", or with an "@" before the host's end. One pass. */
static PyObject *misleading_urls(PyObject *module, PyObject *cleaned) {
    (void)module;
    if (!PyUnicode_Check(cleaned)) {
        PyErr_SetString(PyExc_TypeError, "misleading_urls(cleaned: str)");
        return NULL;
    }
    int kind = PyUnicode_KIND(cleaned);
    const void *text = PyUnicode_DATA(cleaned);
    Py_ssize_t n = PyUnicode_GET_LENGTH(cleaned);
    for (Py_ssize_t i = next_char(kind, text, 1, n, '='); i + 1 < n;
         i = next_char(kind, text, i + 1, n, '=')) {
        if (PyUnicode_READ(kind, text, i + 1) != '"')
            continue;
        if (!ends_with_ascii(kind, text, i, " href") && !ends_with_ascii(kind, text, i, " src") &&
            !ends_with_ascii(kind, text, i, " poster"))
            continue;
        Py_ssize_t j = i + 2;
        int scheme = starts_caseless(kind, text, n, j, "http");
        if (scheme < 0)
            Py_RETURN_TRUE;
        if (scheme == 0)
            continue;
        j += 4;
        if (j < n && folds_to_ascii(PyUnicode_READ(kind, text, j)))
            Py_RETURN_TRUE; /* ('ſ' an s) */
        if (j < n && (PyUnicode_READ(kind, text, j) == 's' || PyUnicode_READ(kind, text, j) == 'S'))
            j++;
        if (j >= n || PyUnicode_READ(kind, text, j) != ':')
            continue;
        j++;
        if (j + 1 >= n || PyUnicode_READ(kind, text, j) != '/' ||
            PyUnicode_READ(kind, text, j + 1) != '/')
            Py_RETURN_TRUE; /* http: without "//" */
        if (j + 2 < n && (PyUnicode_READ(kind, text, j + 2) == '/' ||
                          PyUnicode_READ(kind, text, j + 2) == '\\'))
            Py_RETURN_TRUE; /* http:/// or http://\ (a host after them, to browsers) */
        int host = 1; /* (an "@" misleads in the host only) */
        for (j += 2; j < n; j++) { /* (up to the next '"': what one address scans, no other) */
            Py_UCS4 ch = PyUnicode_READ(kind, text, j);
            if (ch == '"')
                break;
            if ((host && ch == '@') || invisible_in_urls(ch))
                Py_RETURN_TRUE;
            if (ch == '/' || ch == '?' || ch == '#' || ch == '\\')
                host = 0;
        }
    }
    Py_RETURN_FALSE;
}

/* --- sanitize.clean_text: the tags of sanitized HTML out, paragraph marks in, in one walk (h1) - */

#define PARAGRAPH_MARK 0xE000 /* sanitize._PARAGRAPH_MARK */

/* _PARAGRAPH_TAG's and _BREAK_TAG's names (lowercase ASCII). */
static const char *const paragraph_names[] = {
    "p",       "div",     "li",     "dt",     "dd",     "h1",       "h2",         "h3",
    "h4",      "h5",      "h6",     "blockquote", "pre", "section",  "article",    "header",
    "footer",  "aside",   "figure", "figcaption", "ul",  "ol",       "dl",         "address",
    "details", "summary", NULL};
static const char *const break_names[] = {"br", "hr", "td", "th", "tr", "table", "caption", NULL};

/* What text[at] ('<') starts, as _PARAGRAPH_TAG and _BREAK_TAG read it: `/?`, then one of their
 * names (IGNORECASE) followed by no \w. 'p' for a paragraph's tag, 'b' for a break's, 0 for
 * neither, -1 when a letter IGNORECASE may read as an ASCII one stands in the name. */
static int marked_tag_kind(int kind, const void *text, Py_ssize_t n, Py_ssize_t at) {
    Py_ssize_t i = at + 1;
    if (i < n && PyUnicode_READ(kind, text, i) == '/')
        i++;
    char name[12];
    Py_ssize_t size = 0;
    for (; i < n; i++) {
        Py_UCS4 ch = PyUnicode_READ(kind, text, i);
        if (!is_word(ch))
            break;
        if (folds_to_ascii(ch))
            return -1;
        if (size == (Py_ssize_t)sizeof(name) - 1)
            return 0; /* longer than any name */
        name[size++] = ch < 128 ? (char)Py_TOLOWER((int)ch) : '\x01';
    }
    name[size] = '\0';
    for (const char *const *p = paragraph_names; *p; p++)
        if (strcmp(*p, name) == 0)
            return 'p';
    for (const char *const *b = break_names; *b; b++)
        if (strcmp(*b, name) == 0)
            return 'b';
    return 0;
}

/* sanitize._marked_text_python(cleaned): the text outside _TAG's tags, _PARAGRAPH_MARK before
 * each paragraph's tag and a space before each break's; None where the reference reads what
 * this does not (a "<" that starts no whole tag, a paragraph mark in the text already, a letter
 * IGNORECASE may read as an ASCII one in a tag's name). One pass: a tag's text is read once. */
static PyObject *marked_text(PyObject *module, PyObject *cleaned) {
    (void)module;
    if (!PyUnicode_Check(cleaned)) {
        PyErr_SetString(PyExc_TypeError, "marked_text(cleaned: str)");
        return NULL;
    }
    int kind = PyUnicode_KIND(cleaned);
    const void *text = PyUnicode_DATA(cleaned);
    Py_ssize_t n = PyUnicode_GET_LENGTH(cleaned);
    if (kind != PyUnicode_1BYTE_KIND &&
        PyUnicode_FindChar(cleaned, PARAGRAPH_MARK, 0, n, 1) != -1)
        Py_RETURN_NONE;
    /* (Each tag, two characters at least, leaves one at most: no more than n come out.) */
    Py_UCS4 *out = PyMem_Malloc(sizeof(Py_UCS4) * (size_t)(n > 0 ? n : 1));
    if (out == NULL)
        return PyErr_NoMemory();
    Py_ssize_t size = 0;
    Py_ssize_t i = 0;
    while (i < n) {
        Py_ssize_t lt = next_lt(kind, text, i, n);
        for (; i < lt; i++)
            out[size++] = PyUnicode_READ(kind, text, i);
        if (lt >= n)
            break;
        int mark = marked_tag_kind(kind, text, n, lt);
        /* _TAG: "<", then characters but '>' and quotes, or quoted runs, then '>'. A quote
         * without its closing one, or no '>', and the pattern matches nothing at this "<". */
        Py_ssize_t j = lt + 1;
        for (;;) {
            if (j >= n) {
                mark = -1;
                break;
            }
            Py_UCS4 ch = PyUnicode_READ(kind, text, j);
            if (ch == '>')
                break;
            if (ch == '"' || ch == '\'') {
                Py_ssize_t close = next_char(kind, text, j + 1, n, (char)ch);
                if (close >= n) {
                    mark = -1;
                    break;
                }
                j = close;
            }
            j++;
        }
        if (mark < 0) {
            PyMem_Free(out);
            Py_RETURN_NONE;
        }
        if (mark == 'p')
            out[size++] = PARAGRAPH_MARK;
        else if (mark == 'b')
            out[size++] = ' ';
        i = j + 1;
    }
    PyObject *result = PyUnicode_FromKindAndData(PyUnicode_4BYTE_KIND, out, size);
    PyMem_Free(out);
    return result;
}

/* sanitize._CLOSERS, _SENTENCE_END and _WIDE_SENTENCE_END. */
static int text_closer(Py_UCS4 ch) {
    return ch == '"' || ch == '\'' || ch == 0x201D || ch == 0x2019 || ch == 0xBB || ch == ')' ||
           ch == ']' || ch == 0xFF09 || ch == 0x300D || ch == 0x300F || ch == 0x3011;
}
static int sentence_end(Py_UCS4 ch) {
    return ch == '.' || ch == '!' || ch == '?' || ch == 0x2026 || ch == ':' || ch == ';';
}
static int wide_sentence_end(Py_UCS4 ch) {
    return ch == 0x3002 || ch == 0xFF01 || ch == 0xFF1F || ch == 0xFF1B || ch == 0xFF1A;
}

/* sanitize._joined_python(text): the pieces between paragraph marks unescaped once (html's own
 * unescape, where a piece has a "&"), white space collapsed, the empty ones dropped, joined by
 * " " after a sentence's end, by nothing after a wide one, else by " — " (closing quotes and
 * brackets before the end looked past). The last character that is no closer is kept as the
 * text grows, where the reference strips the whole text so far at each paragraph. */
static PyObject *joined_text(PyObject *module, PyObject *text) {
    if (!PyUnicode_Check(text)) {
        PyErr_SetString(PyExc_TypeError, "joined_text(text: str)");
        return NULL;
    }
    int kind = PyUnicode_KIND(text);
    const void *data = PyUnicode_DATA(text);
    Py_ssize_t n = PyUnicode_GET_LENGTH(text);
    PyObject *parts = PyList_New(0), *space = NULL, *dash = NULL;
    if (parts == NULL)
        return NULL;
    Py_UCS4 last = 0; /* the text's last character that is no closer, 0 before one */
    Py_ssize_t start = 0;
    while (start <= n) {
        Py_ssize_t stop = start;
        while (stop < n && PyUnicode_READ(kind, data, stop) != PARAGRAPH_MARK)
            stop++;
        PyObject *piece = PyUnicode_Substring(text, start, stop);
        if (piece == NULL)
            goto error;
        if (PyUnicode_FindChar(piece, '&', 0, stop - start, 1) >= 0) {
            Py_SETREF(piece, PyObject_CallOneArg(unescape_fn, piece));
            if (piece == NULL)
                goto error;
        }
        PyObject *words = collapsed(module, piece);
        Py_DECREF(piece);
        if (words == NULL)
            goto error;
        Py_ssize_t size = PyUnicode_GET_LENGTH(words);
        if (size > 0) {
            if (PyList_GET_SIZE(parts) > 0 && !wide_sentence_end(last)) {
                int ends = sentence_end(last);
                PyObject **joiner = ends ? &space : &dash;
                if (*joiner == NULL &&
                    (*joiner = PyUnicode_FromString(ends ? " " : " \xe2\x80\x94 ")) == NULL) {
                    Py_DECREF(words);
                    goto error;
                }
                if (PyList_Append(parts, *joiner) < 0) {
                    Py_DECREF(words);
                    goto error;
                }
                last = ' ';
            }
            int words_kind = PyUnicode_KIND(words);
            const void *words_data = PyUnicode_DATA(words);
            for (Py_ssize_t k = size - 1; k >= 0; k--) {
                Py_UCS4 ch = PyUnicode_READ(words_kind, words_data, k);
                if (!text_closer(ch)) {
                    last = ch;
                    break;
                }
            }
            if (PyList_Append(parts, words) < 0) {
                Py_DECREF(words);
                goto error;
            }
        }
        Py_DECREF(words);
        start = stop + 1;
    }
    Py_XDECREF(space);
    Py_XDECREF(dash);
    PyObject *empty = PyUnicode_New(0, 0);
    PyObject *result = empty == NULL ? NULL : PyUnicode_Join(empty, parts);
    Py_XDECREF(empty);
    Py_DECREF(parts);
    return result;
error:
    Py_XDECREF(space);
    Py_XDECREF(dash);
    Py_DECREF(parts);
    return NULL;
}

/* --- sanitize.clean_html: a look for addresses on a reader's network before _MEDIA_TAG's (h1) */

/* sanitize._MEDIA_TAG's substitution may change the HTML: False only when every ` src="` and
 * ` poster="` value in it (in a media tag or not) is "http://" or "https://" then a host of
 * ASCII letters, digits, hyphens and dots, of two labels or more, whose last is letters and none
 * of `labels` (the last labels of sanitize.LOCAL_SUFFIXES), then '/', '?', '#' or the closing
 * quote: a name on_readers_network finds public (no address literal, no local suffix, no user,
 * port, reference or escape). One pass. */
static PyObject *loaded_nearby(PyObject *module, PyObject *const *args, Py_ssize_t nargs) {
    (void)module;
    if (nargs != 2 || !PyUnicode_Check(args[0]) || !PyTuple_Check(args[1])) {
        PyErr_SetString(PyExc_TypeError, "loaded_nearby(cleaned: str, labels: tuple[str, ...])");
        return NULL;
    }
    PyObject *cleaned = args[0], *labels = args[1];
    int kind = PyUnicode_KIND(cleaned);
    const void *text = PyUnicode_DATA(cleaned);
    Py_ssize_t n = PyUnicode_GET_LENGTH(cleaned);
    for (Py_ssize_t i = next_char(kind, text, 1, n, '='); i + 1 < n;
         i = next_char(kind, text, i + 1, n, '=')) {
        if (PyUnicode_READ(kind, text, i + 1) != '"')
            continue;
        if (!ends_with_ascii(kind, text, i, " src") && !ends_with_ascii(kind, text, i, " poster"))
            continue;
        Py_ssize_t j = i + 2;
        if (j + 7 <= n && ends_with_ascii(kind, text, j + 7, "http://"))
            j += 7;
        else if (j + 8 <= n && ends_with_ascii(kind, text, j + 8, "https://"))
            j += 8;
        else
            Py_RETURN_TRUE;
        Py_ssize_t host = j, dot = -1;
        for (; j < n; j++) {
            Py_UCS4 ch = PyUnicode_READ(kind, text, j);
            if (ch == '.') {
                if (j == host || j == dot + 1)
                    Py_RETURN_TRUE; /* an empty label */
                dot = j;
            } else if (!(ch < 128 && (Py_ISALNUM(ch) || ch == '-'))) {
                break;
            }
        }
        if (j >= n || dot < 0 || dot == j - 1 || j - dot - 1 > 63)
            Py_RETURN_TRUE;
        Py_UCS4 end = PyUnicode_READ(kind, text, j);
        if (end != '/' && end != '?' && end != '#' && end != '"')
            Py_RETURN_TRUE;
        char label[64];
        Py_ssize_t size = 0;
        for (Py_ssize_t k = dot + 1; k < j; k++) {
            Py_UCS4 ch = PyUnicode_READ(kind, text, k);
            if (!Py_ISALPHA(ch))
                Py_RETURN_TRUE; /* (a number: an IPv4 address's, as browsers read one) */
            label[size++] = (char)Py_TOLOWER((int)ch);
        }
        label[size] = '\0';
        for (Py_ssize_t k = 0; k < PyTuple_GET_SIZE(labels); k++) {
            PyObject *local = PyTuple_GET_ITEM(labels, k);
            if (PyUnicode_Check(local) && PyUnicode_CompareWithASCIIString(local, label) == 0)
                Py_RETURN_TRUE;
        }
        i = j - 1; /* (the next '=' is at or after j) */
    }
    Py_RETURN_FALSE;
}

/* --- images.py: the pictures of sanitized HTML, as _LINKED_IMG finds them (h1) --------------- */

/* The first of text[p:n] that is `a` or `b`, or n, for p that never decreases from one call to
 * the next: each character is read once, whatever the number of calls. */
typedef struct {
    Py_ssize_t at; /* the answer to the last call, -1 before the first */
} Cursor;

static Py_ssize_t cursor_next(Cursor *c, int kind, const void *text, Py_ssize_t p, Py_ssize_t n,
                              Py_UCS4 a, Py_UCS4 b) {
    if (c->at >= p)
        return c->at; /* (nothing that is a or b lies between the last start and it) */
    Py_ssize_t i = p;
    if (a == b)
        i = next_char(kind, text, p, n, (char)a);
    else
        while (i < n && PyUnicode_READ(kind, text, i) != a && PyUnicode_READ(kind, text, i) != b)
            i++;
    c->at = i;
    return i;
}

/* Whether text[at:] starts with "<img" and a \b after it. */
static int img_at(int kind, const void *text, Py_ssize_t n, Py_ssize_t at) {
    return at + 4 <= n && ends_with_ascii(kind, text, at + 4, "<img") &&
           (at + 4 == n || !is_word(PyUnicode_READ(kind, text, at + 4)));
}

/* [(m[1] or "", m[2] or m[3]) for m in images._LINKED_IMG.finditer(content_html)]: each
 * picture's tag, and the address of the link it is all of the start of, or "". The pattern
 * (case-sensitive, each part greedy and with one way to match) read at every "<"; every scan
 * it makes goes on from where the last of its kind stopped, so each character is read at most
 * once by each: linear, where the pattern retried a quote's search at every `<a href="` of a
 * run of them. */
static PyObject *linked_images(PyObject *module, PyObject *content_html) {
    (void)module;
    if (!PyUnicode_Check(content_html)) {
        PyErr_SetString(PyExc_TypeError, "linked_images(content_html: str)");
        return NULL;
    }
    int kind = PyUnicode_KIND(content_html);
    const void *text = PyUnicode_DATA(content_html);
    Py_ssize_t n = PyUnicode_GET_LENGTH(content_html);
    PyObject *found = PyList_New(0);
    if (found == NULL)
        return NULL;
    /* The quote ending a link's address, the '<' or '>' after it, the white space after that,
     * the '>' ending a picture after a link, and one ending a picture alone. */
    Cursor quote = {-1}, angle = {-1}, linked_end = {-1}, alone_end = {-1};
    Py_ssize_t spaced_from = -1, spaced_to = -1;
    Py_ssize_t i = next_lt(kind, text, 0, n);
    while (i < n) {
        Py_ssize_t href = -1, href_end = -1, tag = -1, end = -1;
        if (i + 9 <= n && ends_with_ascii(kind, text, i + 9, "<a href=\"")) {
            Py_ssize_t q = cursor_next(&quote, kind, text, i + 9, n, '"', '"');
            Py_ssize_t k = q < n ? cursor_next(&angle, kind, text, q + 1, n, '<', '>') : n;
            if (k < n && PyUnicode_READ(kind, text, k) == '>') {
                if (spaced_from != k) {
                    spaced_from = k;
                    for (spaced_to = k + 1; spaced_to < n; spaced_to++)
                        if (!Py_UNICODE_ISSPACE(PyUnicode_READ(kind, text, spaced_to)))
                            break;
                }
                Py_ssize_t s = spaced_to;
                if (img_at(kind, text, n, s)) {
                    Py_ssize_t t = cursor_next(&linked_end, kind, text, s + 4, n, '>', '>');
                    if (t < n) {
                        href = i + 9, href_end = q, tag = s, end = t + 1;
                    }
                }
            }
        } else if (img_at(kind, text, n, i)) {
            Py_ssize_t t = cursor_next(&alone_end, kind, text, i + 4, n, '>', '>');
            if (t < n)
                tag = i, end = t + 1;
        }
        if (tag < 0) {
            i = next_lt(kind, text, i + 1, n);
            continue;
        }
        PyObject *pair = Py_BuildValue(
            "(NN)",
            href < 0 ? PyUnicode_New(0, 0) : PyUnicode_Substring(content_html, href, href_end),
            PyUnicode_Substring(content_html, tag, end));
        if (pair == NULL || PyList_Append(found, pair) < 0) {
            Py_XDECREF(pair);
            Py_DECREF(found);
            return NULL;
        }
        Py_DECREF(pair);
        i = next_lt(kind, text, end, n);
    }
    return found;
}

/* --- parse._odd_marks: the patterns of _odd_markup's rules, in one walk over the "<" -------- */

/* \w of a bytes pattern. */
static int odd_word(unsigned char c) { return Py_ISALNUM(c) || c == '_'; }

/* [a-z0-9_.:-]: an attribute name in lower case (parse._CAPITALIZED_ATTRIBUTE). */
static int odd_lower_name(unsigned char c) {
    return (c >= 'a' && c <= 'z') || Py_ISDIGIT(c) || c == '_' || c == '.' || c == ':' || c == '-';
}

static int odd_space(const char *d, Py_ssize_t e, Py_ssize_t i) { /* \s at d[i] */
    return i < e && markup_space((unsigned char)d[i]);
}

/* `\b` then `literal` at d[i] (the literal starting with a word byte): re's \b, which looks at
 * the byte before even before the search's start. */
static int odd_word_at(const char *d, Py_ssize_t e, Py_ssize_t i, const char *literal) {
    return (i == 0 || !odd_word((unsigned char)d[i - 1])) && marks_at(d, e, i, literal);
}

/* The first "<" or ">" in d[i:e], or e: where a run of [^<>]* from i ends. */
static Py_ssize_t odd_tag_end(const char *d, Py_ssize_t e, Py_ssize_t i) {
    while (i < e && d[i] != '<' && d[i] != '>')
        i++;
    return i;
}

/* Past `\w+:` at d[i] (a prefix), or -1. (\w+ backs off to no other ":": only the longest run
 * can be followed by one.) */
static Py_ssize_t odd_prefix(const char *d, Py_ssize_t e, Py_ssize_t i) {
    Py_ssize_t j = i;
    while (j < e && odd_word((unsigned char)d[j]))
        j++;
    return j > i && j < e && d[j] == ':' ? j + 1 : -1;
}

/* `\s[^<>]*` (in d[i:e]) then `word\s*=` at a word's start: whether that word is there. */
static int odd_attribute(const char *d, Py_ssize_t e, Py_ssize_t i, const char *word) {
    if (!odd_space(d, e, i))
        return 0;
    Py_ssize_t size = (Py_ssize_t)strlen(word), stop = odd_tag_end(d, e, i + 1);
    for (Py_ssize_t q = i + 1; q < stop; q++)
        if (odd_word_at(d, e, q, word) && marks_equals(d, e, q + size) >= 0)
            return 1;
    return 0;
}

/* `\b` past a word's last byte (at d[i - 1]): no word byte at d[i]. */
static int odd_word_end(const char *d, Py_ssize_t e, Py_ssize_t i) {
    return i >= e || !odd_word((unsigned char)d[i]);
}

/* Whether `word\s*=` is at a word's start in d[i:stop]. */
static int odd_attribute_in(const char *d, Py_ssize_t e, Py_ssize_t i, Py_ssize_t stop,
                            const char *word) {
    Py_ssize_t size = (Py_ssize_t)strlen(word);
    for (Py_ssize_t q = i; q < stop; q++)
        if (odd_word_at(d, e, q, word) && marks_equals(d, e, q + size) >= 0)
            return 1;
    return 0;
}

/* parse._ODD_FIELDS at d[p] (a "<"), each alternative in turn:
 * <fullitem\b|<tags>|<itunes:image\b[^<>]*?\burl\s*=
 * |<category\b[^<>]*+(?<!/)>[^<]*+<(?!!\[CDATA\[|/category>)|<atom10:category\b
 * |<category\b(?![^<>]*?\bterm\s*=)[^<>]*?\blabel\s*=
 * (A _document_marks mark, found in document_marks's walk.) */
static int odd_fields(const char *d, Py_ssize_t e, Py_ssize_t p) {
    Py_ssize_t q, stop;
    if ((marks_at(d, e, p + 1, "fullitem") && odd_word_end(d, e, p + 9)) ||
        marks_at(d, e, p + 1, "tags>") ||
        (marks_at(d, e, p + 1, "atom10:category") && odd_word_end(d, e, p + 16)))
        return 1;
    if (marks_at(d, e, p + 1, "itunes:image") && odd_word_end(d, e, p + 13) &&
        odd_attribute_in(d, e, p + 13, odd_tag_end(d, e, p + 13), "url"))
        return 1;
    if (!marks_at(d, e, p + 1, "category") || !odd_word_end(d, e, p + 9))
        return 0;
    stop = odd_tag_end(d, e, p + 9);
    if (stop < e && d[stop] == '>' && d[stop - 1] != '/') { /* (stop - 1 >= p + 8) */
        for (q = stop + 1; q < e && d[q] != '<';)
            q++;
        if (q < e && !marks_at(d, e, q + 1, "![CDATA[") && !marks_at(d, e, q + 1, "/category>"))
            return 1;
    }
    return !odd_attribute_in(d, e, p + 9, stop, "term") &&
           odd_attribute_in(d, e, p + 9, stop, "label");
}

/* `(?:\s[^<>]*)?>` at d[i]: past the ">", or -1. */
static Py_ssize_t odd_start_tag_end(const char *d, Py_ssize_t e, Py_ssize_t i) {
    if (i < e && d[i] == '>')
        return i + 1;
    if (!odd_space(d, e, i))
        return -1;
    i = odd_tag_end(d, e, i + 1);
    return i < e && d[i] == '>' ? i + 1 : -1;
}

/* `\s*+=\s*+(?:"[^"<]*+"|'[^'<]*+')` at d[i]: past the value's closing quote, or -1. */
static Py_ssize_t odd_quoted_value(const char *d, Py_ssize_t e, Py_ssize_t i) {
    i = marks_value(d, e, i);
    if (i < 0)
        return -1;
    char quote = d[i - 1];
    while (i < e && d[i] != quote && d[i] != '<')
        i++;
    return i < e && d[i] == quote ? i + 1 : -1;
}

/* _CAPITALIZED_ATTRIBUTE past its element's name at d[i]:
 * (?:\s++(?:[a-z0-9_.:-]++|isDefault|fileSize)\s*+=\s*+(?:"[^"<]*+"|'[^'<]*+'))*+
 * \s++[a-z0-9_.:-]*+[A-Z]
 * The repeat is possessive: each attribute taken in the first way it can be (the run of lower
 * case, then "isDefault", then "fileSize"), as many as there are, and never given back. */
static int odd_capitalized_attribute_rest(const char *d, Py_ssize_t e, Py_ssize_t i) {
    for (;;) {
        if (!odd_space(d, e, i))
            break;
        Py_ssize_t j = marks_space(d, e, i), k = j, next = -1;
        while (k < e && odd_lower_name((unsigned char)d[k]))
            k++;
        if (k > j)
            next = odd_quoted_value(d, e, k);
        if (next < 0 && marks_at(d, e, j, "isDefault"))
            next = odd_quoted_value(d, e, j + 9);
        if (next < 0 && marks_at(d, e, j, "fileSize"))
            next = odd_quoted_value(d, e, j + 8);
        if (next < 0)
            break;
        i = next;
    }
    if (!odd_space(d, e, i))
        return 0;
    i = marks_space(d, e, i);
    while (i < e && odd_lower_name((unsigned char)d[i]))
        i++;
    return i < e && d[i] >= 'A' && d[i] <= 'Z';
}

/* parse._CAPITALIZED_ATTRIBUTE at d[p] (a "<"): each name the alternation allows, tried. */
static int odd_capitalized_attribute(const char *d, Py_ssize_t e, Py_ssize_t p) {
    static const char *const names[] = {"enclosure",       "link",         "category", "media:content",
                                        "media:thumbnail", "itunes:image", NULL};
    for (const char *const *name = names; *name != NULL; name++)
        if (marks_at(d, e, p + 1, *name) &&
            odd_capitalized_attribute_rest(d, e, p + 1 + (Py_ssize_t)strlen(*name)))
            return 1;
    Py_ssize_t j = odd_prefix(d, e, p + 1); /* \w+:link */
    return j >= 0 && marks_at(d, e, j, "link") && odd_capitalized_attribute_rest(d, e, j + 4);
}

/* parse._PERMALINK_OTHERWISE at d[p]:
 * <guid\s[^<>]*?(?!isPermaLink)[iI][sS][pP][eE][rR][mM][aA][lL][iI][nN][kK]\s*= */
static int odd_permalink_otherwise(const char *d, Py_ssize_t e, Py_ssize_t p) {
    if (!marks_at(d, e, p + 1, "guid") || !odd_space(d, e, p + 5))
        return 0;
    Py_ssize_t stop = odd_tag_end(d, e, p + 6);
    for (Py_ssize_t q = p + 6; q < stop && e - q >= 11; q++) {
        int same = 1;
        for (int k = 0; k < 11 && same; k++)
            same = Py_TOLOWER((unsigned char)d[q + k]) == "ispermalink"[k];
        if (same && memcmp(d + q, "isPermaLink", 11) != 0 && marks_equals(d, e, q + 11) >= 0)
            return 1;
    }
    return 0;
}

/* parse._REDECLARED at d[p]:
 * <(?:title|link|description|summary|content|guid|pubDate|author|category)\s[^<>]*\bxmlns\s*= */
static int odd_redeclared(const char *d, Py_ssize_t e, Py_ssize_t p) {
    static const char *const names[] = {"title",   "link", "description", "summary",  "content",
                                        "guid",    "pubDate", "author",   "category", NULL};
    for (const char *const *name = names; *name != NULL; name++) /* (none begins another) */
        if (marks_at(d, e, p + 1, *name))
            return odd_attribute(d, e, p + 1 + (Py_ssize_t)strlen(*name), "xmlns");
    return 0;
}

/* parse._LINK_REFERENCE at d[p]: <link\s[^<>]*?\b(?:rel|type|length)\s*=\s*["'][^"'<>]*& */
static int odd_link_reference(const char *d, Py_ssize_t e, Py_ssize_t p) {
    static const char *const names[] = {"rel", "type", "length", NULL};
    if (!marks_at(d, e, p + 1, "link") || !odd_space(d, e, p + 5))
        return 0;
    Py_ssize_t stop = odd_tag_end(d, e, p + 6);
    for (Py_ssize_t q = p + 6; q < stop; q++)
        for (const char *const *name = names; *name != NULL; name++) {
            if (!odd_word_at(d, e, q, *name))
                continue;
            Py_ssize_t j = marks_value(d, e, q + (Py_ssize_t)strlen(*name));
            for (; j >= 0 && j < e && d[j] != '"' && d[j] != '\'' && d[j] != '<' && d[j] != '>';
                 j++)
                if (d[j] == '&')
                    return 1;
        }
    return 0;
}

/* `\s*</` then `name\s*>` (name NULL: no more) at d[i], after a start tag. */
static int odd_empty_after(const char *d, Py_ssize_t e, Py_ssize_t i, const char *name) {
    i = marks_space(d, e, i);
    if (!marks_at(d, e, i, "</"))
        return 0;
    if (name == NULL)
        return 1;
    if (!marks_at(d, e, i + 2, name))
        return 0;
    i = marks_space(d, e, i + 2 + (Py_ssize_t)strlen(name));
    return i < e && d[i] == '>';
}

/* parse._EMPTY_DC_DATE at d[p]: <dc:date(?:\s[^<>]*)?>\s*</dc:date\s*> */
static int odd_empty_dc_date(const char *d, Py_ssize_t e, Py_ssize_t p) {
    if (!marks_at(d, e, p + 1, "dc:date"))
        return 0;
    Py_ssize_t j = odd_start_tag_end(d, e, p + 8);
    return j >= 0 && odd_empty_after(d, e, j, "dc:date");
}

/* (?:author|creator)(?:\s[^<>]*)?>\s*</ at d[i]. */
static int odd_empty_author_at(const char *d, Py_ssize_t e, Py_ssize_t i) {
    Py_ssize_t j = marks_at(d, e, i, "author") ? i + 6 : marks_at(d, e, i, "creator") ? i + 7 : -1;
    return j >= 0 && (j = odd_start_tag_end(d, e, j)) >= 0 && odd_empty_after(d, e, j, NULL);
}

/* parse._EMPTY_AUTHOR at d[p]: <(?:\w+:)?(?:author|creator)(?:\s[^<>]*)?>\s*</ (with the
 * prefix, then without). */
static int odd_empty_author(const char *d, Py_ssize_t e, Py_ssize_t p) {
    Py_ssize_t j = odd_prefix(d, e, p + 1);
    return (j >= 0 && odd_empty_author_at(d, e, j)) || odd_empty_author_at(d, e, p + 1);
}

static int odd_name_end(const char *d, Py_ssize_t e, Py_ssize_t i) { /* [\s>/] */
    return i < e && (markup_space((unsigned char)d[i]) || d[i] == '>' || d[i] == '/');
}

/* parse._ATOM_BODY_IN_RSS at d[p]: <(?:atom\d*:)?(?:summary|content)[\s>/]
 * |<category\s[^<>]*\bterm\s*=|<content:encoded\s[^<>]*\btype\s*= */
static int odd_atom_body_in_rss(const char *d, Py_ssize_t e, Py_ssize_t p) {
    Py_ssize_t i = p + 1;
    for (int prefixed = 0; prefixed < 2; prefixed++) {
        if (prefixed) {
            if (!marks_at(d, e, p + 1, "atom"))
                break;
            for (i = p + 5; i < e && Py_ISDIGIT(d[i]);)
                i++;
            if (i >= e || d[i] != ':')
                break;
            i++;
        }
        if ((marks_at(d, e, i, "summary") || marks_at(d, e, i, "content")) &&
            odd_name_end(d, e, i + 7))
            return 1;
    }
    return (marks_at(d, e, p + 1, "category") && odd_attribute(d, e, p + 9, "term")) ||
           (marks_at(d, e, p + 1, "content:encoded") && odd_attribute(d, e, p + 16, "type"));
}

/* parse._PREFIXED_LINK at d[p]: <\w+:link\s[^<>]*href */
static int odd_prefixed_link(const char *d, Py_ssize_t e, Py_ssize_t p) {
    Py_ssize_t j = odd_prefix(d, e, p + 1);
    if (j < 0 || !marks_at(d, e, j, "link") || !odd_space(d, e, j + 4))
        return 0;
    Py_ssize_t stop = odd_tag_end(d, e, j + 5);
    for (Py_ssize_t q = j + 5; q < stop; q++)
        if (marks_at(d, e, q, "href"))
            return 1;
    return 0;
}

/* A value (past its quote at d[i]) that is `literal` then a quote. */
static int odd_value_is(const char *d, Py_ssize_t e, Py_ssize_t i, const char *literal) {
    Py_ssize_t size = (Py_ssize_t)strlen(literal);
    return marks_at(d, e, i, literal) && i + size < e && (d[i + size] == '"' || d[i + size] == '\'');
}

/* parse._ODD_TYPED_LINK at d[p]:
 * <link(?![^<>]*\brel\s*=\s*["'](?!alternate["']))
 * [^<>]*\btype\s*=\s*["'](?!text/html["']|application/xhtml\+xml["']) */
static int odd_typed_link(const char *d, Py_ssize_t e, Py_ssize_t p) {
    if (!marks_at(d, e, p + 1, "link"))
        return 0;
    Py_ssize_t stop = odd_tag_end(d, e, p + 5), q, j;
    for (q = p + 5; q < stop; q++)
        if (odd_word_at(d, e, q, "rel") && (j = marks_value(d, e, q + 3)) >= 0 &&
            !odd_value_is(d, e, j, "alternate"))
            return 0;
    for (q = p + 5; q < stop; q++)
        if (odd_word_at(d, e, q, "type") && (j = marks_value(d, e, q + 4)) >= 0 &&
            !odd_value_is(d, e, j, "text/html") && !odd_value_is(d, e, j, "application/xhtml+xml"))
            return 1;
    return 0;
}

/* The bits of parse._ODD_MARKED then parse._ODD_ITEM_MARKED, in their order. */
enum {
    ODD_CAPITALIZED_ATTRIBUTE = 1 << 0,
    ODD_PERMALINK_OTHERWISE = 1 << 1,
    ODD_REDECLARED = 1 << 2,
    ODD_LINK_REFERENCE = 1 << 3,
    ODD_EMPTY_DC_DATE = 1 << 4,
    ODD_EMPTY_AUTHOR = 1 << 5,
    ODD_RSS_ID = 1 << 6,
    ODD_ATOM_BODY_IN_RSS = 1 << 7,
    ODD_PREFIXED_LINK = 1 << 8,
    ODD_TYPED_LINK = 1 << 9,
    ODD_ALL = (1 << 10) - 1,
};

/* parse._odd_marks_python: which patterns of parse._ODD_MARKED match somewhere in the document,
 * and which of parse._ODD_ITEM_MARKED match in d[start:end] (`search(data, start, end)`: each
 * reads no byte from `end` on; \b looks before `start`). Every pattern starts with "<" and
 * a word byte: each is tried at each "<" (memchr), and reads on only to the next "<" or ">"
 * (a value: its quote or "<"): linear. */
static PyObject *odd_marks(PyObject *module, PyObject *const *args, Py_ssize_t nargs) {
    if (nargs != 3 || !PyBytes_Check(args[0])) {
        PyErr_SetString(PyExc_TypeError, "odd_marks(data: bytes, start, end)");
        return NULL;
    }
    Py_ssize_t start = PyLong_AsSsize_t(args[1]), end = PyLong_AsSsize_t(args[2]);
    if ((start == -1 || end == -1) && PyErr_Occurred())
        return NULL;
    const char *d = PyBytes_AS_STRING(args[0]);
    Py_ssize_t n = PyBytes_GET_SIZE(args[0]);
    start = start < 0 ? 0 : start > n ? n : start; /* (as re clamps pos and endpos) */
    end = end < 0 ? 0 : end > n ? n : end;
    long marks = 0;
    for (const char *lt = memchr(d, '<', (size_t)n); lt != NULL;
         lt = lt + 1 < d + n ? memchr(lt + 1, '<', (size_t)(n - (lt + 1 - d))) : NULL) {
        Py_ssize_t p = lt - d;
        if (p + 1 >= n || !odd_word((unsigned char)d[p + 1]))
            continue; /* (each pattern has a name's byte after its "<") */
        if (!(marks & ODD_CAPITALIZED_ATTRIBUTE) && odd_capitalized_attribute(d, n, p))
            marks |= ODD_CAPITALIZED_ATTRIBUTE;
        if (!(marks & ODD_PERMALINK_OTHERWISE) && odd_permalink_otherwise(d, n, p))
            marks |= ODD_PERMALINK_OTHERWISE;
        if (!(marks & ODD_REDECLARED) && odd_redeclared(d, n, p))
            marks |= ODD_REDECLARED;
        if (!(marks & ODD_LINK_REFERENCE) && odd_link_reference(d, n, p))
            marks |= ODD_LINK_REFERENCE;
        if (!(marks & ODD_EMPTY_DC_DATE) && odd_empty_dc_date(d, n, p))
            marks |= ODD_EMPTY_DC_DATE;
        if (p >= start && p < end) {
            if (!(marks & ODD_EMPTY_AUTHOR) && odd_empty_author(d, end, p))
                marks |= ODD_EMPTY_AUTHOR;
            if (!(marks & ODD_RSS_ID) && marks_at(d, end, p + 1, "id") &&
                odd_name_end(d, end, p + 3))
                marks |= ODD_RSS_ID;
            if (!(marks & ODD_ATOM_BODY_IN_RSS) && odd_atom_body_in_rss(d, end, p))
                marks |= ODD_ATOM_BODY_IN_RSS;
            if (!(marks & ODD_PREFIXED_LINK) && odd_prefixed_link(d, end, p))
                marks |= ODD_PREFIXED_LINK;
            if (!(marks & ODD_TYPED_LINK) && odd_typed_link(d, end, p))
                marks |= ODD_TYPED_LINK;
        }
        if (marks == ODD_ALL)
            break;
    }
    return PyLong_FromLong(marks);
}

/* --- parse._illegal_reference: where the first reference to a character XML forbids is ------ */

/* A code point XML 1.0 forbids (or none: past U+10FFFF). */
static int illegal_code(unsigned long long v) {
    return v <= 0x8 || v == 0xB || v == 0xC || (v >= 0xE && v <= 0x1F) ||
           (v >= 0xD800 && v <= 0xDFFF) || v == 0xFFFE || v == 0xFFFF || v > 0x10FFFF;
}

/* parse._ILLEGAL_REFERENCE at text[i] (an "&"): "&#", "x" or "X" for hexadecimal, then the
 * longest run of digits (zeros first, any number) and ";", its number one XML forbids. (Each
 * of the pattern's alternatives spells such numbers without leading zeros; `0*` gives back a
 * zero for "&#x0;".) More than 8 digits past the zeros: past U+10FFFF. */
static int illegal_at(int kind, const void *data, Py_ssize_t n, Py_ssize_t i) {
    Py_ssize_t j = i + 1, k, m;
    if (j >= n || PyUnicode_READ(kind, data, j) != '#')
        return 0;
    j++;
    Py_UCS4 c = j < n ? PyUnicode_READ(kind, data, j) : 0;
    int hex = c == 'x' || c == 'X';
    j += hex;
    for (k = j; k < n && PyUnicode_READ(kind, data, k) == '0';)
        k++;
    unsigned long long v = 0;
    for (m = k; m < n; m++) {
        c = PyUnicode_READ(kind, data, m);
        int digit = c >= '0' && c <= '9'   ? (int)(c - '0')
                    : !hex                 ? -1
                    : c >= 'a' && c <= 'f' ? (int)(c - 'a' + 10)
                    : c >= 'A' && c <= 'F' ? (int)(c - 'A' + 10)
                                           : -1;
        if (digit < 0)
            break;
        if (m - k < 9)
            v = v * (hex ? 16 : 10) + (unsigned long long)digit;
    }
    if (m == j || m >= n || PyUnicode_READ(kind, data, m) != ';')
        return 0;
    return m - k > 8 || illegal_code(v);
}

/* parse._illegal_reference_python: where _ILLEGAL_REFERENCE first matches in `text`, or -1
 * (each "&" found, memchr in a text of one byte a character, then read on over its digits:
 * linear). */
static PyObject *illegal_reference(PyObject *module, PyObject *text) {
    if (!PyUnicode_Check(text)) {
        PyErr_SetString(PyExc_TypeError, "illegal_reference(text: str)");
        return NULL;
    }
    int kind = PyUnicode_KIND(text);
    const void *data = PyUnicode_DATA(text);
    Py_ssize_t n = PyUnicode_GET_LENGTH(text), i;
    if (kind == PyUnicode_1BYTE_KIND) {
        const char *s = data, *at;
        for (i = 0; i < n && (at = memchr(s + i, '&', (size_t)(n - i))) != NULL; i++) {
            i = at - s;
            if (illegal_at(kind, data, n, i))
                return PyLong_FromSsize_t(i);
        }
    } else if (kind == PyUnicode_2BYTE_KIND) {
        const Py_UCS2 *s = data;
        for (i = 0; i < n; i++)
            if (s[i] == '&' && illegal_at(kind, data, n, i))
                return PyLong_FromSsize_t(i);
    } else {
        const Py_UCS4 *s = data;
        for (i = 0; i < n; i++)
            if (s[i] == '&' && illegal_at(kind, data, n, i))
                return PyLong_FromSsize_t(i);
    }
    return PyLong_FromLong(-1);
}

/* --- parse._namespace_declarations: the prefixes a document declares, with their addresses --- */

/* [\w.-]: a byte of a declared prefix. */
static int declared_prefix_byte(unsigned char c) {
    return Py_ISALNUM(c) || c == '_' || c == '.' || c == '-';
}

/* parse._NAMESPACE_DECLARATION.findall: each "xmlns:" (memmem), then the longest prefix,
 * `\s*=\s*`, a quote, the longest run of [^"'<>] and a quote of either kind (each run can end
 * only where it does: no shorter one is followed by what comes next). The next match is looked
 * for past this one's end, as findall does; past the "xmlns:" where none matched. */
static PyObject *namespace_declarations(PyObject *module, PyObject *data) {
    if (!PyBytes_Check(data)) {
        PyErr_SetString(PyExc_TypeError, "namespace_declarations(data: bytes)");
        return NULL;
    }
    const char *d = PyBytes_AS_STRING(data);
    Py_ssize_t n = PyBytes_GET_SIZE(data), i, j, k, m;
    PyObject *found = PyList_New(0);
    if (found == NULL)
        return NULL;
    for (i = marks_find(d, n, 0, "xmlns:"); i >= 0;) {
        for (j = k = i + 6; k < n && declared_prefix_byte((unsigned char)d[k]);)
            k++;
        Py_ssize_t value = k > j ? marks_value(d, n, k) : -1;
        for (m = value; m >= 0 && m < n && d[m] != '"' && d[m] != '\'' && d[m] != '<' &&
                        d[m] != '>';)
            m++;
        if (value < 0 || m >= n || (d[m] != '"' && d[m] != '\'')) {
            i = marks_find(d, n, i + 1, "xmlns:");
            continue;
        }
        PyObject *pair = Py_BuildValue("(y#y#)", d + j, k - j, d + value, m - value);
        if (pair == NULL || PyList_Append(found, pair) < 0) {
            Py_XDECREF(pair);
            Py_DECREF(found);
            return NULL;
        }
        Py_DECREF(pair);
        i = marks_find(d, n, m + 1, "xmlns:");
    }
    return found;
}

static PyMethodDef methods[] = {
    {"fingerprint_parts", fingerprint_parts, METH_O,
     "fingerprint_parts([(kept, raw)]) -> [(chars, (distinct, signature), prefixes, lead, start, "
     "characters, cjk)]"},
    {"paragraphs", paragraphs, METH_O,
     "paragraphs(markup) -> boilerplate.paragraphs(markup), or None: use the reference"},
    {"words", words, METH_O,
     "words(paragraphs) -> (stories.pack_tokens of each one's tokens, their hash_tokens)"},
    {"joined_tokens", joined_tokens, METH_O,
     "joined_tokens(text) -> \" \".join(stories.tokens(text))"},
    {"dfa_counts", (PyCFunction)(void (*)(void))dfa_counts, METH_FASTCALL,
     "dfa_counts(nextmove, rowbase, output, data) -> {feature: count} in order of first visit"},
    {"nb_probabilities", (PyCFunction)(void (*)(void))nb_probabilities, METH_FASTCALL,
     "nb_probabilities(nextmove, rowbase, output, ptc, pc, data) -> each class's probability"},
    {"quick_lines", (PyCFunction)(void (*)(void))quick_lines, METH_FASTCALL,
     "quick_lines(html_text, longest) -> junk._quick_lines_python(html_text, longest), or None"},
    {"collapsed", collapsed, METH_O, "collapsed(text) -> \" \".join(text.split())"},
    {"collapsed_utf8", collapsed_utf8, METH_O,
     "collapsed_utf8(text) -> collapsed(text).encode(\"utf-8\", \"surrogatepass\")"},
    {"markup_beyond", (PyCFunction)(void (*)(void))markup_beyond, METH_FASTCALL,
     "markup_beyond(data, max_elements, max_depth, max_tag_bytes) -> 0, or the bound passed"},
    {"without_self_closing", without_self_closing, METH_O,
     "without_self_closing(data) -> data with <x/> written <x></x> (parse._without_self_closing)"},
    {"markup_as_elements", markup_as_elements, METH_O,
     "markup_as_elements(data) -> where the text elements holding elements start"},
    {"entry_spans", entry_spans, METH_O,
     "entry_spans(data) -> [(start, end)] of each <item> or <entry> (parse._entry_spans)"},
    {"document_marks", (PyCFunction)(void (*)(void))document_marks, METH_FASTCALL,
     "document_marks(data, max_name, max_tags) -> (names, marks, last language>): parse's"},
    {"odd_marks", (PyCFunction)(void (*)(void))odd_marks, METH_FASTCALL,
     "odd_marks(data, start, end) -> which of parse's _ODD_MARKED, _ODD_ITEM_MARKED match"},
    {"illegal_reference", illegal_reference, METH_O,
     "illegal_reference(text) -> where parse._ILLEGAL_REFERENCE first matches, or -1"},
    {"namespace_declarations", namespace_declarations, METH_O,
     "namespace_declarations(data) -> parse._NAMESPACE_DECLARATION.findall(data)"},
    {"too_deep", (PyCFunction)(void (*)(void))too_deep, METH_FASTCALL,
     "too_deep(html_text, max_nesting) -> sanitize._too_deep_python(html_text), or None"},
    {"without_mathml_tags", without_mathml_tags, METH_O,
     "without_mathml_tags(html_text) -> sanitize._without_mathml_tags_python(html_text)"},
    {"may_hide_pictures", may_hide_pictures, METH_O,
     "may_hide_pictures(html_text) -> False only where lazy_images._MAY_HIDE finds nothing"},
    {"mentions_caseless", (PyCFunction)(void (*)(void))mentions_caseless, METH_FASTCALL,
     "mentions_caseless(text, word) -> False only where re.search(word, text, re.I) is None"},
    {"misleading_urls", misleading_urls, METH_O,
     "misleading_urls(cleaned) -> False only where sanitize._MISLEADING_URL finds nothing"},
    {"marked_text", marked_text, METH_O,
     "marked_text(cleaned) -> sanitize._marked_text_python(cleaned), or None"},
    {"joined_text", joined_text, METH_O, "joined_text(text) -> sanitize._joined_python(text)"},
    {"loaded_nearby", (PyCFunction)(void (*)(void))loaded_nearby, METH_FASTCALL,
     "loaded_nearby(cleaned, labels) -> False only where sanitize._MEDIA_TAG's sub changes nothing"},
    {"linked_images", linked_images, METH_O,
     "linked_images(content_html) -> images._linked_images_python(content_html)"},
    {NULL, NULL, 0, NULL}};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_native",
                                    "Hot loops of the worker in C (stories, language).",
                                    -1, methods};

/* The Python functions the body's loops call where C would differ: NFKC and html.unescape. */
static PyObject *import_function(const char *module_name, const char *name) {
    PyObject *imported = PyImport_ImportModule(module_name);
    if (imported == NULL)
        return NULL;
    PyObject *function = PyObject_GetAttrString(imported, name);
    Py_DECREF(imported);
    return function;
}

PyMODINIT_FUNC PyInit__native(void) {
    crc_init();
    half_init();
    nest_init();
    mathml_init();
    unescape_fn = import_function("html", "unescape");
    normalize_fn = import_function("unicodedata", "normalize");
    nfkc = PyUnicode_InternFromString("NFKC");
    if (unescape_fn == NULL || normalize_fn == NULL || nfkc == NULL)
        return NULL;
    return PyModule_Create(&module);
}
