/*
 * audit._scan: the fast check behind `verify_audit` on PostgreSQL (see audit/verify/fast.py).
 *
 * scan(conninfo, snapshot, first_seq, last_seq) opens its own connection, imports the
 * snapshot another connection exported, and streams the events first_seq..last_seq in seq
 * order by a binary COPY of four columns: seq, prev_hash, hash and canonical, the exact
 * bytes each event's hash covers (a column PostgreSQL generates from the others, migration
 * 0007). For each event it checks, as the rows arrive:
 *
 *   - its seq is the next one (first_seq, first_seq + 1, ...);
 *   - SHA-256 of its canonical bytes, in lowercase hex, is its stored hash;
 *   - its prev_hash is the stored hash of the event before it in the range.
 *
 * It returns (count, first_prev_hash, last_hash, bad_seq): how many events it read, the
 * first event's prev_hash and the last one's hash (for the caller to join ranges), and the
 * seq of the first event that failed a check, or None. It stops at that event: explaining
 * it is the thorough verifier's work, in Python.
 *
 * Everything between connecting and returning runs without the GIL, so two ranges scanned
 * from two Python threads use both cores, besides the two server processes streaming them.
 * It raises RuntimeError if the server refuses anything; the caller then verifies the
 * thorough way. It reads only.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <libpq-fe.h>
#include <openssl/evp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define HASH_HEX 64
/* PGCOPY\n\377\r\n\0, then 32-bit flags and the 32-bit length of a header extension. */
static const char SIGNATURE[11] = "PGCOPY\n\377\r\n";
#define HEADER_FIXED 19

typedef struct {
    long long count;
    long long bad_seq; /* 0: none */
    char first_prev[HASH_HEX + 1];
    char last_hash[HASH_HEX + 1];
    char error[512];
} Scan;

typedef struct {
    const unsigned char *at;
    const unsigned char *end;
} Cursor;

static int take_u32(Cursor *c, uint32_t *out) {
    if (c->end - c->at < 4) return 0;
    *out = ((uint32_t)c->at[0] << 24) | ((uint32_t)c->at[1] << 16) | ((uint32_t)c->at[2] << 8) |
           (uint32_t)c->at[3];
    c->at += 4;
    return 1;
}

/* One field of a binary COPY tuple: its bytes and length; NULL (-1) gives data NULL. */
static int take_field(Cursor *c, const unsigned char **data, int32_t *length) {
    uint32_t raw;
    if (!take_u32(c, &raw)) return 0;
    *length = (int32_t)raw;
    if (*length == -1) {
        *data = NULL;
        return 1;
    }
    if (*length < 0 || c->end - c->at < *length) return 0;
    *data = c->at;
    c->at += *length;
    return 1;
}

static void hex_of(const unsigned char *digest, char *out) {
    static const char digits[] = "0123456789abcdef";
    for (int i = 0; i < 32; i++) {
        out[2 * i] = digits[digest[i] >> 4];
        out[2 * i + 1] = digits[digest[i] & 15];
    }
}

static int is_hash(const unsigned char *data, int32_t length) {
    return data != NULL && length == HASH_HEX;
}

/* Checks one tuple; returns 0 at the first event that fails (scan->bad_seq set), 1 if it
 * fits, -1 for the trailer that ends the stream. */
static int check_tuple(Cursor *c, long long first_seq, EVP_MD_CTX *ctx, const EVP_MD *sha256,
                       Scan *scan) {
    long long expected = first_seq + scan->count;
    if (c->end - c->at < 2) goto malformed;
    int16_t fields = (int16_t)((c->at[0] << 8) | c->at[1]);
    c->at += 2;
    if (fields == -1) return -1;
    if (fields != 4) goto malformed;

    const unsigned char *seq_data, *prev, *stored, *canonical;
    int32_t seq_length, prev_length, stored_length, canonical_length;
    if (!take_field(c, &seq_data, &seq_length) || !take_field(c, &prev, &prev_length) ||
        !take_field(c, &stored, &stored_length) ||
        !take_field(c, &canonical, &canonical_length) || seq_data == NULL || seq_length != 8)
        goto malformed;
    uint64_t seq_bits = 0;
    for (int i = 0; i < 8; i++) seq_bits = (seq_bits << 8) | seq_data[i];
    long long seq = (long long)seq_bits;

    if (seq != expected || !is_hash(prev, prev_length) || !is_hash(stored, stored_length) ||
        canonical == NULL) {
        scan->bad_seq = expected;
        return 0;
    }
    if (scan->count == 0)
        memcpy(scan->first_prev, prev, HASH_HEX);
    else if (memcmp(prev, scan->last_hash, HASH_HEX) != 0) {
        scan->bad_seq = seq;
        return 0;
    }
    unsigned char digest[32];
    char computed[HASH_HEX];
    unsigned int digest_length = 0;
    if (!EVP_DigestInit_ex2(ctx, sha256, NULL) ||
        !EVP_DigestUpdate(ctx, canonical, (size_t)canonical_length) ||
        !EVP_DigestFinal_ex(ctx, digest, &digest_length) || digest_length != 32) {
        snprintf(scan->error, sizeof scan->error, "SHA-256 failed in OpenSSL");
        return 0;
    }
    hex_of(digest, computed);
    if (memcmp(computed, stored, HASH_HEX) != 0) {
        scan->bad_seq = seq;
        return 0;
    }
    memcpy(scan->last_hash, stored, HASH_HEX);
    scan->count++;
    return 1;

malformed:
    snprintf(scan->error, sizeof scan->error, "the server sent a row this scan cannot read");
    return 0;
}

static int run(PGconn *conn, const char *sql, ExecStatusType expected, Scan *scan) {
    PGresult *result = PQexec(conn, sql);
    int ok = PQresultStatus(result) == expected;
    if (!ok) snprintf(scan->error, sizeof scan->error, "%s", PQerrorMessage(conn));
    PQclear(result);
    return ok;
}

static void stream(PGconn *conn, long long first_seq, Scan *scan) {
    EVP_MD *sha256 = EVP_MD_fetch(NULL, "SHA256", NULL);
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    if (sha256 == NULL || ctx == NULL) {
        snprintf(scan->error, sizeof scan->error, "OpenSSL has no SHA-256");
        goto done;
    }
    int header = 1, going = 1;
    char *row;
    int length;
    while ((length = PQgetCopyData(conn, &row, 0)) > 0) {
        Cursor c = {(const unsigned char *)row, (const unsigned char *)row + length};
        if (going && header) {
            uint32_t flags, extension;
            c.at += sizeof SIGNATURE;
            if (length < HEADER_FIXED || memcmp(row, SIGNATURE, sizeof SIGNATURE) != 0 ||
                !take_u32(&c, &flags) || !take_u32(&c, &extension) ||
                (uint32_t)(c.end - c.at) < extension) {
                snprintf(scan->error, sizeof scan->error, "not a binary COPY stream");
                going = 0;
            } else
                c.at += extension;
            header = 0;
        }
        /* After the first event that fails, the rest is read and dropped: it ends the COPY
         * cleanly, and a server streams a range of it in a fraction of the scan's time. */
        if (going && c.at < c.end) going = check_tuple(&c, first_seq, ctx, sha256, scan) == 1;
        PQfreemem(row);
    }
    if (length == -2 && !scan->error[0])
        snprintf(scan->error, sizeof scan->error, "%s", PQerrorMessage(conn));
    PGresult *result;
    while ((result = PQgetResult(conn)) != NULL) {
        if (PQresultStatus(result) != PGRES_COMMAND_OK && !scan->error[0])
            snprintf(scan->error, sizeof scan->error, "%s", PQresultErrorMessage(result));
        PQclear(result);
    }
done:
    EVP_MD_CTX_free(ctx);
    EVP_MD_free(sha256);
}

static void scan_range(const char *conninfo, const char *snapshot, long long first_seq,
                       long long last_seq, Scan *scan) {
    PGconn *conn = PQconnectdb(conninfo);
    if (PQstatus(conn) != CONNECTION_OK) {
        snprintf(scan->error, sizeof scan->error, "%s", PQerrorMessage(conn));
        PQfinish(conn);
        return;
    }
    char sql[256];
    snprintf(sql, sizeof sql, "SET TRANSACTION SNAPSHOT '%s'", snapshot);
    if (run(conn, "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY", PGRES_COMMAND_OK, scan) &&
        run(conn, sql, PGRES_COMMAND_OK, scan)) {
        snprintf(sql, sizeof sql,
                 "COPY (SELECT seq, prev_hash, hash, canonical FROM audit_event "
                 "WHERE seq BETWEEN %lld AND %lld ORDER BY seq) TO STDOUT (FORMAT binary)",
                 first_seq, last_seq);
        if (run(conn, sql, PGRES_COPY_OUT, scan)) stream(conn, first_seq, scan);
    }
    PQfinish(conn);
}

/* An exported snapshot's name is hexadecimal digits and dashes; nothing else is quoted. */
static int is_snapshot_name(const char *name) {
    if (!*name || strlen(name) > 64) return 0;
    for (const char *p = name; *p; p++)
        if (!(('0' <= *p && *p <= '9') || ('A' <= *p && *p <= 'F') || *p == '-')) return 0;
    return 1;
}

static PyObject *hash_or_none(const char *hash, long long count) {
    if (count == 0) Py_RETURN_NONE;
    return PyUnicode_FromStringAndSize(hash, HASH_HEX);
}

static PyObject *scan(PyObject *Py_UNUSED(module), PyObject *args) {
    const char *conninfo, *snapshot;
    long long first_seq, last_seq;
    if (!PyArg_ParseTuple(args, "ssLL:scan", &conninfo, &snapshot, &first_seq, &last_seq))
        return NULL;
    if (!is_snapshot_name(snapshot)) {
        PyErr_SetString(PyExc_ValueError, "not the name of an exported snapshot");
        return NULL;
    }
    Scan result = {0};
    Py_BEGIN_ALLOW_THREADS
    scan_range(conninfo, snapshot, first_seq, last_seq, &result);
    Py_END_ALLOW_THREADS
    if (result.error[0]) {
        PyErr_SetString(PyExc_RuntimeError, result.error);
        return NULL;
    }
    PyObject *first_prev = hash_or_none(result.first_prev, result.count);
    PyObject *last_hash = hash_or_none(result.last_hash, result.count);
    PyObject *bad = result.bad_seq ? PyLong_FromLongLong(result.bad_seq) : Py_NewRef(Py_None);
    return Py_BuildValue("(LNNN)", result.count, first_prev, last_hash, bad);
}

static PyMethodDef methods[] = {
    {"scan", scan, METH_VARARGS,
     "scan(conninfo, snapshot, first_seq, last_seq) -> (count, first_prev_hash, last_hash, "
     "bad_seq): check the events first_seq..last_seq of the exported snapshot."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef definition = {
    .m_base = PyModuleDef_HEAD_INIT,
    .m_name = "audit._scan",
    .m_doc = "The fast check behind verify_audit on PostgreSQL (see audit/verify/fast.py).",
    .m_size = -1,
    .m_methods = methods,
};

PyMODINIT_FUNC PyInit__scan(void) { return PyModule_Create(&definition); }
