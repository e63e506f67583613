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
    {"dfa_counts", (PyCFunction)(void (*)(void))dfa_counts, METH_FASTCALL,
     "dfa_counts(nextmove, rowbase, output, data) -> {feature: count} in order of first visit"},
    {NULL, NULL, 0, NULL}};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_native",
                                    "Two hot loops of the worker in C (stories, language).",
                                    -1, methods};

PyMODINIT_FUNC PyInit__native(void) {
    crc_init();
    return PyModule_Create(&module);
}
