/* Two hot loops of the worker in C, each with a Python reference that gives the same answers
 * and runs when this module was not built (setup.py makes it optional).
 *
 *     signatures(streams) -> list[tuple[int, tuple[int, ...]]]
 *
 * stories.py's shingles and MinHash (reference: stories._minhash_python, numpy; checked equal
 * in tests/test_stories.py). For each stream (a list of token strings), the number of distinct
 * shingles and the SLOTS 16-bit MinHash values (an empty tuple when it has no shingle): each
 * token hashed with two CRC-32s, n-grams mixed by odd multipliers (XOR), one-permutation
 * MinHash over the hashes' high bits, rotation densification, splitmix64's finalizer.
 *
 *     dfa_counts(nextmove, rowbase, output, data) -> dict[int, int] | None
 *
 * py3langid's visit_counts (language.py; checked equal in tests/test_language.py): the walk of
 * the model's byte automaton over a text, counting the features it passes, in order of first
 * visit; None when there is none. py3langid walks it in a Python loop, one step per byte.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
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

/* zlib.crc32(data, start) */
static uint32_t crc32_of(const unsigned char *p, Py_ssize_t n, uint32_t start) {
    uint32_t crc = ~start;
    while (n--)
        crc = crc_table[(crc ^ *p++) & 0xFF] ^ (crc >> 8);
    return ~crc;
}

static int is_cjk(Py_UCS4 ch) {
    return (ch >= 0x3040 && ch <= 0x30FF) || (ch >= 0x3400 && ch <= 0x4DBF) ||
           (ch >= 0x4E00 && ch <= 0x9FFF) || (ch >= 0xF900 && ch <= 0xFAFF);
}

/* stories._token_hash; adds the token's CJK characters to *cjk. -1 on error. */
static int token_hash(PyObject *token, uint64_t *out, Py_ssize_t *cjk) {
    if (!PyUnicode_Check(token)) {
        PyErr_SetString(PyExc_TypeError, "tokens must be str");
        return -1;
    }
    Py_ssize_t size;
    const char *data;
    PyObject *encoded = NULL;
    if (PyUnicode_IS_ASCII(token)) {
        data = (const char *)PyUnicode_DATA(token);
        size = PyUnicode_GET_LENGTH(token);
    } else {
        Py_ssize_t length = PyUnicode_GET_LENGTH(token);
        int kind = PyUnicode_KIND(token);
        const void *chars = PyUnicode_DATA(token);
        for (Py_ssize_t i = 0; i < length; i++)
            *cjk += is_cjk(PyUnicode_READ(kind, chars, i));
        /* utf-8 with surrogatepass, as stories.py encodes */
        encoded = PyUnicode_AsEncodedString(token, "utf-8", "surrogatepass");
        if (encoded == NULL)
            return -1;
        data = PyBytes_AS_STRING(encoded);
        size = PyBytes_GET_SIZE(encoded);
    }
    const unsigned char *bytes = (const unsigned char *)data;
    uint64_t high = crc32_of(bytes, size, 0);
    uint64_t low = crc32_of(bytes, size, 0x5BD1E995u);
    *out = ((high << 32) | low) * GOLDEN;
    Py_XDECREF(encoded);
    return 0;
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

/* One stream: its (distinct shingles, signature). `hashes` and `table` are scratch space. */
static PyObject *stream_signature(PyObject *stream, uint64_t **hashes, Py_ssize_t *room,
                                  uint64_t **table, Py_ssize_t *table_room) {
    PyObject *seq = PySequence_Fast(stream, "a stream must be a list of tokens");
    if (seq == NULL)
        return NULL;
    Py_ssize_t length = PySequence_Fast_GET_SIZE(seq);
    PyObject **items = PySequence_Fast_ITEMS(seq);
    PyObject *result = NULL;
    if (length > *room) {
        uint64_t *grown = PyMem_Realloc(*hashes, (size_t)length * sizeof(uint64_t));
        if (grown == NULL) {
            PyErr_NoMemory();
            goto done;
        }
        *hashes = grown;
        *room = length;
    }
    uint64_t *h = *hashes;
    Py_ssize_t cjk = 0;
    for (Py_ssize_t i = 0; i < length; i++)
        if (token_hash(items[i], &h[i], &cjk) < 0)
            goto done;
    /* a mostly CJK stream (a character per token) is shingled by 4 */
    int size = cjk * 3 >= length ? CJK_SHINGLE : WORD_SHINGLE;
    Py_ssize_t n;
    if (length == 0) {
        result = Py_BuildValue("(n())", (Py_ssize_t)0);
        goto done;
    }
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
    if (capacity > *table_room) {
        uint64_t *grown = PyMem_Realloc(*table, (size_t)capacity * sizeof(uint64_t));
        if (grown == NULL) {
            PyErr_NoMemory();
            goto done;
        }
        *table = grown;
        *table_room = capacity;
    }
    Py_ssize_t distinct = count_distinct(h, n, *table, capacity);
    PyObject *signature = signature_of(h, n);
    if (signature != NULL)
        result = Py_BuildValue("(nN)", distinct, signature);
done:
    Py_DECREF(seq);
    return result;
}

static PyObject *signatures(PyObject *module, PyObject *streams) {
    (void)module;
    PyObject *seq = PySequence_Fast(streams, "streams must be a list of lists of tokens");
    if (seq == NULL)
        return NULL;
    Py_ssize_t count = PySequence_Fast_GET_SIZE(seq);
    PyObject *out = PyList_New(count);
    uint64_t *hashes = NULL, *table = NULL;
    Py_ssize_t room = 0, table_room = 0;
    if (out == NULL)
        goto fail;
    for (Py_ssize_t i = 0; i < count; i++) {
        PyObject *one = stream_signature(PySequence_Fast_GET_ITEM(seq, i), &hashes, &room,
                                         &table, &table_room);
        if (one == NULL)
            goto fail;
        PyList_SET_ITEM(out, i, one);
    }
    PyMem_Free(hashes);
    PyMem_Free(table);
    Py_DECREF(seq);
    return out;
fail:
    PyMem_Free(hashes);
    PyMem_Free(table);
    Py_XDECREF(out);
    Py_DECREF(seq);
    return NULL;
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
        PyObject *paragraph = PyUnicode_FromKindAndData(PyUnicode_4BYTE_KIND, out, p);
        if (paragraph == NULL || PyList_Append(list, paragraph) < 0) {
            Py_XDECREF(paragraph);
            Py_DECREF(list);
            goto done;
        }
        Py_DECREF(paragraph);
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
    memcpy(block, data, n);
    count += n;
    b2_compress(h, block, count, 1);
    for (size_t i = 0; i < outlen; i++)
        out[i] = (unsigned char)(h[i / 8] >> (8 * (i % 8)));
}

/* stories.tokens of one paragraph, appended to `tokens`; its words joined by spaces, in UTF-8
 * (surrogatepass), appended to `joined`. -1 on error. */
static int paragraph_tokens(PyObject *paragraph, PyObject *tokens, PyObject **joined) {
    if (!PyUnicode_Check(paragraph)) {
        PyErr_SetString(PyExc_TypeError, "paragraphs must be str");
        return -1;
    }
    if (PyUnicode_IS_ASCII(paragraph)) { /* lower-case, then [a-z0-9]+ */
        const unsigned char *c = PyUnicode_1BYTE_DATA(paragraph);
        Py_ssize_t n = PyUnicode_GET_LENGTH(paragraph);
        PyObject *bytes = PyBytes_FromStringAndSize(NULL, n + 1);
        if (bytes == NULL)
            return -1;
        char *buffer = PyBytes_AS_STRING(bytes);
        Py_ssize_t size = 0;
        for (Py_ssize_t i = 0; i < n;) {
            if (!Py_ISALNUM(c[i])) {
                i++;
                continue;
            }
            Py_ssize_t start = i;
            while (i < n && Py_ISALNUM(c[i]))
                i++;
            PyObject *token = PyUnicode_New(i - start, 127);
            if (token == NULL) {
                Py_DECREF(bytes);
                return -1;
            }
            char *chars = (char *)PyUnicode_1BYTE_DATA(token);
            if (size > 0)
                buffer[size++] = ' ';
            for (Py_ssize_t k = start; k < i; k++)
                buffer[size++] = chars[k - start] = (char)Py_TOLOWER(c[k]);
            int failed = PyList_Append(tokens, token);
            Py_DECREF(token);
            if (failed < 0) {
                Py_DECREF(bytes);
                return -1;
            }
        }
        if (_PyBytes_Resize(&bytes, size) < 0)
            return -1;
        *joined = bytes;
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
    int kind = PyUnicode_KIND(folded);
    const void *data = PyUnicode_DATA(folded);
    Py_ssize_t n = PyUnicode_GET_LENGTH(folded), first = PyList_GET_SIZE(tokens);
    for (Py_ssize_t i = 0; i < n;) {
        Py_UCS4 ch = PyUnicode_READ(kind, data, i);
        Py_ssize_t start = i;
        if (is_cjk(ch)) {
            i++;
        } else if (Py_UNICODE_ISALNUM(ch)) {
            while (i < n && !is_cjk(ch = PyUnicode_READ(kind, data, i)) && Py_UNICODE_ISALNUM(ch))
                i++;
        } else {
            i++;
            continue;
        }
        PyObject *token = PyUnicode_Substring(folded, start, i);
        if (token == NULL || PyList_Append(tokens, token) < 0) {
            Py_XDECREF(token);
            Py_DECREF(folded);
            return -1;
        }
        Py_DECREF(token);
    }
    Py_DECREF(folded);
    PyObject *mine = PyList_GetSlice(tokens, first, PyList_GET_SIZE(tokens));
    if (mine == NULL)
        return -1;
    PyObject *space = PyUnicode_FromString(" ");
    PyObject *text = space == NULL ? NULL : PyUnicode_Join(space, mine);
    Py_XDECREF(space);
    Py_DECREF(mine);
    if (text == NULL)
        return -1;
    *joined = PyUnicode_AsEncodedString(text, "utf-8", "surrogatepass");
    Py_DECREF(text);
    return *joined == NULL ? -1 : 0;
}

/* boilerplate.Body's words and hashes: per paragraph its stories.tokens and hash_tokens. */
static PyObject *words(PyObject *module, PyObject *paragraphs) {
    (void)module;
    PyObject *seq = PySequence_Fast(paragraphs, "paragraphs must be a list of str");
    if (seq == NULL)
        return NULL;
    Py_ssize_t count = PySequence_Fast_GET_SIZE(seq);
    PyObject *all = PyList_New(count), *hashes = PyList_New(count);
    if (all == NULL || hashes == NULL)
        goto fail;
    for (Py_ssize_t i = 0; i < count; i++) {
        PyObject *tokens = PyList_New(0), *joined = NULL;
        if (tokens == NULL)
            goto fail;
        PyList_SET_ITEM(all, i, tokens);
        if (paragraph_tokens(PySequence_Fast_GET_ITEM(seq, i), tokens, &joined) < 0)
            goto fail;
        unsigned char digest[5];
        blake2b((const unsigned char *)PyBytes_AS_STRING(joined),
                (size_t)PyBytes_GET_SIZE(joined), sizeof digest, digest);
        Py_DECREF(joined);
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
    Py_DECREF(seq);
    return Py_BuildValue("(NN)", all, hashes);
fail:
    Py_XDECREF(all);
    Py_XDECREF(hashes);
    Py_DECREF(seq);
    return NULL;
}

/* A buffer of 4-byte integers of the given struct format ("I" or "i"). */
static int int32_buffer(PyObject *object, Py_buffer *view, const char *format, const char *name) {
    if (PyObject_GetBuffer(object, view, PyBUF_FORMAT | PyBUF_C_CONTIGUOUS) < 0)
        return -1;
    if (view->itemsize != 4 || view->format == NULL || strcmp(view->format, format) != 0) {
        PyErr_Format(PyExc_TypeError, "%s must be a buffer of format '%s'", name, format);
        PyBuffer_Release(view);
        return -1;
    }
    return 0;
}

static PyObject *dfa_counts(PyObject *module, PyObject *const *args, Py_ssize_t nargs) {
    (void)module;
    if (nargs != 4) {
        PyErr_SetString(PyExc_TypeError, "dfa_counts(nextmove, rowbase, output, data)");
        return NULL;
    }
    Py_buffer nextmove, rowbase, output, data;
    if (int32_buffer(args[0], &nextmove, "I", "nextmove") < 0)
        return NULL;
    if (int32_buffer(args[1], &rowbase, "I", "rowbase") < 0) {
        PyBuffer_Release(&nextmove);
        return NULL;
    }
    if (int32_buffer(args[2], &output, "i", "output") < 0) {
        PyBuffer_Release(&nextmove);
        PyBuffer_Release(&rowbase);
        return NULL;
    }
    if (PyObject_GetBuffer(args[3], &data, PyBUF_SIMPLE) < 0) {
        PyBuffer_Release(&nextmove);
        PyBuffer_Release(&rowbase);
        PyBuffer_Release(&output);
        return NULL;
    }
    const uint32_t *moves = nextmove.buf, *rows = rowbase.buf;
    const int32_t *features = output.buf;
    const unsigned char *bytes = data.buf;
    Py_ssize_t n_moves = nextmove.len / 4, n_states = rowbase.len / 4;
    PyObject *counts = NULL, *result = NULL;
    if (output.len / 4 != n_states) {
        PyErr_SetString(PyExc_ValueError, "rowbase and output differ in length");
        goto done;
    }
    counts = PyDict_New();
    if (counts == NULL)
        goto done;
    uint32_t state = 0;
    for (Py_ssize_t i = 0; i < data.len; i++) {
        Py_ssize_t at = (Py_ssize_t)rows[state] + bytes[i];
        if (at >= n_moves || moves[at] >= (uint64_t)n_states) {
            PyErr_SetString(PyExc_ValueError, "the automaton leads outside itself");
            goto done;
        }
        state = moves[at];
        if (features[state] < 0)
            continue;
        PyObject *key = PyLong_FromLong(features[state]);
        if (key == NULL)
            goto done;
        PyObject *seen = PyDict_GetItemWithError(counts, key);
        PyObject *count =
            seen == NULL ? (PyErr_Occurred() ? NULL : PyLong_FromLong(1))
                         : PyLong_FromLong(PyLong_AsLong(seen) + 1);
        int failed = count == NULL || PyDict_SetItem(counts, key, count) < 0;
        Py_DECREF(key);
        Py_XDECREF(count);
        if (failed)
            goto done;
    }
    if (PyDict_GET_SIZE(counts) == 0) {
        result = Py_NewRef(Py_None);
    } else {
        result = Py_NewRef(counts);
    }
done:
    Py_XDECREF(counts);
    PyBuffer_Release(&nextmove);
    PyBuffer_Release(&rowbase);
    PyBuffer_Release(&output);
    PyBuffer_Release(&data);
    return result;
}

static PyMethodDef methods[] = {
    {"signatures", signatures, METH_O,
     "signatures(streams) -> [(distinct shingles, MinHash signature)] per token stream"},
    {"paragraphs", paragraphs, METH_O,
     "paragraphs(markup) -> boilerplate.paragraphs(markup), or None: use the reference"},
    {"words", words, METH_O,
     "words(paragraphs) -> (stories.tokens of each, boilerplate.hash_tokens of each)"},
    {"dfa_counts", (PyCFunction)(void (*)(void))dfa_counts, METH_FASTCALL,
     "dfa_counts(nextmove, rowbase, output, data) -> {feature: count} in order of first visit"},
    {NULL, NULL, 0, NULL}};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_native",
                                    "Two hot loops of the worker in C (stories, language).",
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
    unescape_fn = import_function("html", "unescape");
    normalize_fn = import_function("unicodedata", "normalize");
    nfkc = PyUnicode_InternFromString("NFKC");
    if (unescape_fn == NULL || normalize_fn == NULL || nfkc == NULL)
        return NULL;
    return PyModule_Create(&module);
}
