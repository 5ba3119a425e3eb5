/* WordNet lookups through libWN.  libWN keeps open files and static buffers
 * in globals, so one mutex guards every call into it; answers are kept in
 * direct-mapped caches (guarded by the same mutex) because conflict
 * detection asks the same questions over and over.  libWN answers every
 * lookup with a binary search through the index files (fseek + getc), so a
 * miss costs tens of system calls: the caches are per word (lemmas, index
 * facts, the set of a word's antonyms), not per pair of words, so that they
 * fill up with the vocabulary of the news and stop missing; an antonym
 * question is then two lookups in word sets. */

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <wn.h>

#include "hash.h"
#include "utf8.h"
#include "wordnet.h"

#ifndef WORDNET_DIR
#define WORDNET_DIR "/usr/share/wordnet"
#endif

#define WN_MAX_WORD 128
#define CACHE_SLOTS 16384               /* questions without a per-word table */
#define WORD_CACHE_MAX 262144           /* answers per word table; then it starts afresh */

static pthread_mutex_t wn_lock = PTHREAD_MUTEX_INITIALIZER;
static bool wn_open;    /* wninit() succeeded; failures are retried */

enum query { Q_LEMMA = 1, Q_ANTONYMS, Q_SYNONYMS, Q_WORDINFO, Q_ANTSET, Q_SYNSETS };

/* What the index says about a word (Q_WORDINFO answers). */
enum {
        INFO_KNOWN = 1 << 0,    /* in the index of the part of speech */
        INFO_ANT   = 1 << 1,    /* some sense has an antonym pointer */
        INFO_SIM   = 1 << 2,    /* some sense has a similar-to pointer */
};

struct cache_slot {
        char *key;      /* "q|pos|a|b" */
        bool answer;
        int info;       /* Q_WORDINFO only */
        char *lemma;    /* Q_LEMMA only; Q_ANTSET: the antonyms, each ended by '\0', then "";
                         * Q_SYNSETS: the synset offsets (long[info]) */
};

static struct cache_slot cache[CACHE_SLOTS];

/* Per-word answers: a chained hash table that grows (a direct-mapped one
 * the size of a news vocabulary keeps evicting words that are asked again),
 * bounded by WORD_CACHE_MAX entries. */
struct word_entry {
        struct word_entry *next;
        uint32_t hash;
        struct cache_slot slot;         /* slot.key points into this allocation */
};

struct word_table {
        struct word_entry **buckets;
        size_t n_buckets, n;
};

static struct word_table lemma_cache, info_cache, antset_cache, synsets_cache;

/* libWN prints its complaints to stderr; a library must stay quiet. */
static int quiet(char *msg) {
        (void) msg;
        return -1;
}

/* libWN's binary search reads an index file with about 17 fseek()s and
 * getc()s per look-up, each seek a system call and a refilled stdio buffer:
 * 43% of the first pass of pipeline-bench over FNC-1, while the answer
 * caches fill.  The four index files (6 MiB) are mapped and handed to libWN
 * as fmemopen() streams in place of its own: the same bytes, read without
 * system calls (the pages are the page cache's).  The streams' buffers are
 * small: every seek refills one (a copy of the buffer's size), and a
 * look-up reads a line after each seek; with glibc's 8 KiB buffers the
 * copies were an eighth of the first pass.  A file that cannot be mapped
 * keeps libWN's stream.  (The data files, read once per synset, stay
 * libWN's: mapped, their pages would count in the daemon's RSS.)  Called
 * once, after wninit(). */
#define WN_STREAM_BUFFER 512
static void index_files_to_memory(const char *dir) {
        static char buffers[NUMPARTS + 1][WN_STREAM_BUFFER];
        static const char *const pos_names[NUMPARTS + 1] = {
                [NOUN] = "noun", [VERB] = "verb", [ADJ] = "adj", [ADV] = "adv",
        };
        char path[4096];

        for (int pos = 1; pos <= NUMPARTS; pos++) {
                if (!indexfps[pos] ||
                    (size_t) snprintf(path, sizeof(path), "%s/index.%s", dir, pos_names[pos]) >= sizeof(path))
                        continue;
                int fd = open(path, O_RDONLY | O_CLOEXEC);
                struct stat sb;
                if (fd < 0)
                        continue;
                void *m = fstat(fd, &sb) == 0 && sb.st_size > 0 ?
                        mmap(NULL, (size_t) sb.st_size, PROT_READ, MAP_PRIVATE, fd, 0) : MAP_FAILED;
                close(fd);
                if (m == MAP_FAILED)
                        continue;
                FILE *f = fmemopen(m, (size_t) sb.st_size, "r");
                if (!f) {
                        munmap(m, (size_t) sb.st_size);
                        continue;
                }
                (void) setvbuf(f, buffers[pos], _IOFBF, WN_STREAM_BUFFER);
                fclose(indexfps[pos]);
                indexfps[pos] = f;
        }
}

/* Opens the database; called with wn_lock held. */
static int init_locked(const char *dir) {
        char path[4096];

        if (wn_open)
                return 0;
        if (!dir)
                dir = WORDNET_DIR;
        if ((size_t) snprintf(path, sizeof(path), "%s/data.noun", dir) >= sizeof(path) ||
            access(path, R_OK) < 0)
                return -ENOENT;
        /* libWN finds its files through WNSEARCHDIR (else WNHOME, else its
         * built-in /usr/share/wordnet); the environment is only touched when
         * needed, since setenv() races with getenv() on other threads */
        const char *env = getenv("WNSEARCHDIR");
        bool builtin = strcmp(dir, "/usr/share/wordnet") == 0 && !env && !getenv("WNHOME");
        if (!builtin && !(env && strcmp(env, dir) == 0) && setenv("WNSEARCHDIR", dir, 1) < 0)
                return -errno;
        display_message = quiet;
        if (wninit() != 0)
                return -ENOENT;
        index_files_to_memory(dir);
        wn_open = true;
        return 0;
}

int wn_init(const char *dir) {
        pthread_mutex_lock(&wn_lock);
        int r = init_locked(dir);
        pthread_mutex_unlock(&wn_lock);
        return r;
}

/* WordNet spelling of a folded word: lower case, spaces as underscores.
 * Returns false when it does not fit. */
static bool wn_word(const char *w, char out[WN_MAX_WORD]) {
        size_t n = strlen(w);
        if (n == 0 || n >= WN_MAX_WORD)
                return false;
        for (size_t i = 0; i <= n; i++)
                out[i] = w[i] == ' ' ? '_' : ascii_lower(w[i]);
        return true;
}

/* Writes the cache key "q|pos|w" (w shorter than WN_MAX_WORD) into key,
 * which holds WN_MAX_WORD + 16 bytes: the hot path of every lookup, so no
 * printf. */
static void word_key(char *key, enum query q, int pos, const char *w) {
        size_t n = strlen(w);
        key[0] = (char) ('0' + q);
        key[1] = '|';
        key[2] = (char) ('0' + pos);
        key[3] = '|';
        memcpy(key + 4, w, n + 1);
}

/* Compares a synset word ("alive(p)", "Pull_Ahead") with a WordNet-spelt
 * word, ignoring case and the adjective position marker. */
static bool same_word(const char *syn_word, const char *w) {
        size_t n = strcspn(syn_word, "(");
        return strlen(w) == n && strncasecmp(syn_word, w, n) == 0;
}

/* 1-based position of w in synset s, 0 when absent. */
static int synset_pos(const Synset *s, const char *w) {
        for (int i = 0; i < s->wcount; i++)
                if (same_word(s->words[i], w))
                        return i + 1;
        return 0;
}

static int data_pos(int ppos) {
        return ppos == SATELLITE ? ADJ : ppos;
}

/* Index entry of w in pos, or of its base form; free with free_index(). */
static IndexPtr lookup_index(char *w, int pos, char base[WN_MAX_WORD]) {
        IndexPtr idx = index_lookup(w, pos);
        strcpy(base, w);
        if (idx)
                return idx;
        char *m = morphstr(w, pos);
        if (!m || strlen(m) >= WN_MAX_WORD)
                return NULL;
        strcpy(base, m);
        return index_lookup(base, pos);
}

/* A list of words, each ended by '\0', the list by an empty word. */
struct wordset {
        char *buf;
        size_t len, cap;
        bool oom;
};

/* Appends a synset word ("alive(p)", "Pull_Ahead") as "alive", "pull_ahead":
 * the spelling wn_word() gives, without the adjective position marker. */
static void wordset_add(struct wordset *ws, const char *syn_word) {
        size_t n = strcspn(syn_word, "(");
        if (ws->oom)
                return;
        if (ws->len + n + 2 > ws->cap) {
                size_t cap = ws->cap ? ws->cap * 2 : 64;
                while (cap < ws->len + n + 2)
                        cap *= 2;
                char *b = realloc(ws->buf, cap);
                if (!b) {
                        ws->oom = true;
                        return;
                }
                ws->buf = b;
                ws->cap = cap;
        }
        for (size_t i = 0; i < n; i++)
                ws->buf[ws->len + i] = ascii_lower(syn_word[i]);
        ws->buf[ws->len + n] = '\0';
        ws->len += n + 1;
}

static bool wordset_has(const char *set, const char *w) {
        for (; set && *set; set += strlen(set) + 1)
                if (strcmp(set, w) == 0)
                        return true;
        return false;
}

/* Adds the words of synset s and (adjectives) of its satellites. */
static void add_synset_or_similar(struct wordset *ws, const Synset *s, int pos) {
        for (int i = 0; i < s->wcount; i++)
                wordset_add(ws, s->words[i]);
        if (pos != ADJ)
                return;
        for (int p = 0; p < s->ptrcount; p++) {
                if (s->ptrtyp[p] != SIMPTR)
                        continue;
                SynsetPtr sat = read_synset(ADJ, s->ptroff[p], "");
                if (!sat)
                        continue;
                for (int i = 0; i < sat->wcount; i++)
                        wordset_add(ws, sat->words[i]);
                free_synset(sat);
        }
}

/* Adds the synsets the antonym pointers of s lead to (from word number
 * from, 0: any word). */
static void add_antonyms_in(struct wordset *ws, const Synset *s, int from, int pos) {
        for (int p = 0; p < s->ptrcount; p++) {
                if (s->ptrtyp[p] != ANTPTR)
                        continue;
                if (from != 0 && s->pfrm[p] != 0 && s->pfrm[p] != from)
                        continue;
                SynsetPtr t = read_synset(data_pos(s->ppos[p]), s->ptroff[p], "");
                if (!t)
                        continue;
                add_synset_or_similar(ws, t, pos);
                free_synset(t);
        }
}

/* Every word that is an antonym of a in some sense of pos (through the
 * head adjectives of satellites too).  Called with wn_lock held. */
static void antonym_set(char *a, int pos, struct wordset *ws) {
        char base[WN_MAX_WORD];
        IndexPtr idx = lookup_index(a, pos, base);

        if (!idx)
                return;
        for (int i = 0; i < idx->off_cnt; i++) {
                SynsetPtr s = read_synset(pos, (long) idx->offset[i], base);
                if (!s)
                        continue;
                if (pos == ADJ && s->pos && s->pos[0] == 's') {
                        /* a satellite: the antonyms of its head adjectives */
                        for (int p = 0; p < s->ptrcount; p++) {
                                if (s->ptrtyp[p] != SIMPTR)
                                        continue;
                                SynsetPtr head = read_synset(ADJ, s->ptroff[p], "");
                                if (!head)
                                        continue;
                                add_antonyms_in(ws, head, 0, pos);
                                free_synset(head);
                        }
                } else
                        add_antonyms_in(ws, s, synset_pos(s, base), pos);
                free_synset(s);
        }
        free_index(idx);
}

static struct cache_slot *cache_find(const char *key);
static void cache_put(const char *key, bool answer, int info, char *lemma);

/* The antonyms of a in pos (a word list ended by an empty word), read once
 * and cached; NULL when out of memory.  Called with wn_lock held; valid
 * until the next cache_put. */
static const char *antonym_words(char *a, int pos) {
        char key[WN_MAX_WORD + 16];
        word_key(key, Q_ANTSET, pos, a);
        struct cache_slot *c = cache_find(key);
        if (c)
                return c->lemma;

        struct wordset ws = {};
        antonym_set(a, pos, &ws);
        wordset_add(&ws, "");
        if (ws.oom) {
                free(ws.buf);
                return NULL;
        }
        cache_put(key, true, 0, ws.buf);
        c = cache_find(key);
        return c ? c->lemma : NULL;
}

/* Is b an antonym of a in some sense of pos?  Called with wn_lock held. */
static bool antonym_of(char *a, const char *b, int pos) {
        return wordset_has(antonym_words(a, pos), b);
}

/* The synsets of w (or its base form) in pos, read once and cached:
 * returns the offsets and their number in *ret_n (0: none), or NULL when
 * out of memory.  Called with wn_lock held; valid until the next cache_put. */
static const long *synsets_of(char *w, int pos, int *ret_n) {
        char key[WN_MAX_WORD + 16], base[WN_MAX_WORD];
        static const long none = 0;
        word_key(key, Q_SYNSETS, pos, w);
        struct cache_slot *c = cache_find(key);
        if (!c) {
                IndexPtr idx = lookup_index(w, pos, base);
                int n = idx ? idx->off_cnt : 0;
                long *v = malloc(sizeof(long) * (size_t) (n > 0 ? n : 1));
                if (!v) {
                        if (idx)
                                free_index(idx);
                        return NULL;
                }
                for (int i = 0; i < n; i++)
                        v[i] = (long) idx->offset[i];
                if (idx)
                        free_index(idx);
                cache_put(key, true, n, (char *) v);
                c = cache_find(key);
                if (!c)
                        return NULL;
        }
        *ret_n = c->info;
        return c->info > 0 ? (const long *) c->lemma : &none;
}

/* Do a and b share a synset of pos?  Called with wn_lock held. */
static bool synonym_of(char *a, char *b, int pos) {
        int na = 0, nb = 0;
        const long *oa = synsets_of(a, pos, &na);
        if (!oa || na == 0)
                return false;
        /* copied: looking b up may start the table afresh */
        long stack[64], *va = na <= 64 ? stack : malloc(sizeof(long) * (size_t) na);
        if (!va)
                return false;
        memcpy(va, oa, sizeof(long) * (size_t) na);
        const long *ob = synsets_of(b, pos, &nb);
        bool hit = false;
        for (int i = 0; ob && i < na && !hit; i++)
                for (int j = 0; j < nb && !hit; j++)
                        hit = va[i] == ob[j];
        if (va != stack)
                free(va);
        return hit;
}

static uint32_t hash(const char *s) {
        return hash_fnv1a32(s, strlen(s));
}

/* The per-word table that caches answers to the query key starts with,
 * or NULL for the pair table. */
static struct word_table *table_of(const char *key) {
        switch (key[0] - '0') {
        case Q_LEMMA:
                return &lemma_cache;
        case Q_WORDINFO:
                return &info_cache;
        case Q_ANTSET:
                return &antset_cache;
        case Q_SYNSETS:
                return &synsets_cache;
        default:
                return NULL;
        }
}

static void word_table_clear(struct word_table *t) {
        for (size_t i = 0; i < t->n_buckets; i++)
                for (struct word_entry *e = t->buckets[i], *next; e; e = next) {
                        next = e->next;
                        free(e->slot.lemma);
                        free(e);
                }
        free(t->buckets);
        *t = (struct word_table) {};
}

/* Doubles the bucket array (at least 1024); false when out of memory. */
static bool word_table_grow(struct word_table *t) {
        size_t nb = t->n_buckets ? t->n_buckets * 2 : 1024;
        struct word_entry **b = calloc(nb, sizeof(*b));
        if (!b)
                return false;
        for (size_t i = 0; i < t->n_buckets; i++)
                for (struct word_entry *e = t->buckets[i], *next; e; e = next) {
                        next = e->next;
                        e->next = b[e->hash & (nb - 1)];
                        b[e->hash & (nb - 1)] = e;
                }
        free(t->buckets);
        t->buckets = b;
        t->n_buckets = nb;
        return true;
}

/* Cached answer for key ("q|..."), with wn_lock held: the slot or NULL. */
static struct cache_slot *cache_find(const char *key) {
        uint32_t h = hash(key);
        struct word_table *t = table_of(key);
        if (!t) {
                struct cache_slot *c = &cache[h % CACHE_SLOTS];
                return c->key && strcmp(c->key, key) == 0 ? c : NULL;
        }
        if (!t->n_buckets)
                return NULL;
        for (struct word_entry *e = t->buckets[h & (t->n_buckets - 1)]; e; e = e->next)
                if (e->hash == h && strcmp(e->slot.key, key) == 0)
                        return &e->slot;
        return NULL;
}

/* Stores an answer, replacing an older answer to the same question or,
 * in the pair table, whatever held the slot (lemma is taken over). */
static void cache_put(const char *key, bool answer, int info, char *lemma) {
        uint32_t h = hash(key);
        struct word_table *t = table_of(key);
        if (t) {
                struct cache_slot *old = cache_find(key);
                if (old) {
                        free(old->lemma);
                        old->answer = answer;
                        old->info = info;
                        old->lemma = lemma;
                        return;
                }
                if (t->n >= WORD_CACHE_MAX)
                        word_table_clear(t);
                if (t->n >= t->n_buckets && !word_table_grow(t)) {
                        free(lemma);
                        return;
                }
                size_t klen = strlen(key) + 1;
                struct word_entry *e = malloc(sizeof(*e) + klen);
                if (!e) {
                        free(lemma);
                        return;
                }
                char *k = (char *) (e + 1);
                memcpy(k, key, klen);
                e->hash = h;
                e->slot = (struct cache_slot) { .key = k, .answer = answer, .info = info, .lemma = lemma };
                e->next = t->buckets[h & (t->n_buckets - 1)];
                t->buckets[h & (t->n_buckets - 1)] = e;
                t->n++;
                return;
        }
        struct cache_slot *c = &cache[h % CACHE_SLOTS];
        char *k = strdup(key);
        if (!k) {
                free(lemma);
                return;
        }
        free(c->key);
        free(c->lemma);
        *c = (struct cache_slot) { .key = k, .answer = answer, .info = info, .lemma = lemma };
}

/* INFO_* bits of w in pos (w or its base form), cached: lets most antonym
 * questions be answered without reading a synset.  wn_lock held. */
static int word_info(char *w, int pos) {
        char key[WN_MAX_WORD + 16], base[WN_MAX_WORD];
        word_key(key, Q_WORDINFO, pos, w);
        struct cache_slot *c = cache_find(key);
        if (c)
                return c->info;
        int info = 0;
        IndexPtr idx = lookup_index(w, pos, base);
        if (idx) {
                info |= INFO_KNOWN;
                for (int i = 0; i < idx->ptruse_cnt; i++) {
                        if (idx->ptruse[i] == ANTPTR)
                                info |= INFO_ANT;
                        else if (idx->ptruse[i] == SIMPTR)
                                info |= INFO_SIM;
                }
                free_index(idx);
        }
        cache_put(key, false, info, NULL);
        return info;
}

/* Can a and b be antonyms at all?  Antonym pointers come in pairs, so one of
 * two direct antonyms has them; adjective satellites reach theirs through a
 * similar-to pointer. */
static bool antonym_possible(char *a, char *b, int pos) {
        int ia = word_info(a, pos);
        if (!(ia & INFO_KNOWN))
                return false;
        int ib = word_info(b, pos);
        if (!(ib & INFO_KNOWN))
                return false;
        if (pos == ADJ)
                return (ia & (INFO_ANT | INFO_SIM)) && (ib & (INFO_ANT | INFO_SIM));
        return (ia | ib) & INFO_ANT;
}

static bool pos_ok(enum wn_pos pos) {
        return pos >= WN_NOUN && pos <= WN_ADV;
}

int wn_lemma(const char *word, enum wn_pos pos, char **ret) {
        char w[WN_MAX_WORD], key[WN_MAX_WORD + 16];
        char *r = NULL;
        int err = 0;

        if (!word || !ret || !pos_ok(pos))
                return -EINVAL;
        if (!wn_word(word, w)) {
                r = strdup(word);
                if (!r)
                        return -ENOMEM;
                *ret = r;
                return 0;
        }
        word_key(key, Q_LEMMA, (int) pos, w);

        pthread_mutex_lock(&wn_lock);
        err = init_locked(NULL);
        if (err == 0) {
                struct cache_slot *c = cache_find(key);
                if (c)
                        r = strdup(c->lemma);
                else {
                        const char *m = morphstr(w, (int) pos);
                        char *lemma = strdup(m ? m : w);
                        if (lemma) {
                                for (char *p = lemma; *p; p++)
                                        if (*p == '_')
                                                *p = ' ';
                                r = strdup(lemma);
                                cache_put(key, true, 0, lemma);
                        }
                }
                if (!r)
                        err = -ENOMEM;
        }
        pthread_mutex_unlock(&wn_lock);
        if (err < 0)
                return err;
        *ret = r;
        return 0;
}

/* Shared body of wn_antonyms and wn_synonyms: cached, ordered pair. */
static bool relation(enum query q, const char *a, const char *b, enum wn_pos pos) {
        char wa[WN_MAX_WORD], wb[WN_MAX_WORD];
        bool hit = false;

        if (!a || !b || !pos_ok(pos) || !wn_word(a, wa) || !wn_word(b, wb))
                return false;
        if (strcmp(wa, wb) > 0) {       /* both relations are symmetric */
                char t[WN_MAX_WORD];
                strcpy(t, wa);
                strcpy(wa, wb);
                strcpy(wb, t);
        }

        /* per-word caches only: pairs of words are too many to cache */
        pthread_mutex_lock(&wn_lock);
        if (init_locked(NULL) == 0) {
                if (q == Q_ANTONYMS)
                        hit = antonym_possible(wa, wb, (int) pos) &&
                                (antonym_of(wa, wb, (int) pos) || antonym_of(wb, wa, (int) pos));
                else
                        hit = strcmp(wa, wb) == 0 || synonym_of(wa, wb, (int) pos);
        }
        pthread_mutex_unlock(&wn_lock);
        return hit;
}

bool wn_antonyms(const char *a, const char *b, enum wn_pos pos) {
        return relation(Q_ANTONYMS, a, b, pos);
}

bool wn_synonyms(const char *a, const char *b, enum wn_pos pos) {
        return relation(Q_SYNONYMS, a, b, pos);
}

uint64_t wn_hash(const char *s) {
        return hash_fnv1a64(s, strlen(s));
}

static int cmp_long(const void *a, const void *b) {
        long x = *(const long *) a, y = *(const long *) b;
        return (x > y) - (x < y);
}

void wn_facts_clear(struct wn_facts *f) {
        if (!f)
                return;
        free(f->form);
        free(f->synsets);
        free(f->antonym_words);
        free(f->antonym_hashes);
        *f = (struct wn_facts) {};
}

/* Copies the word list set (ended by an empty word) into f with the hash of
 * each word; false when out of memory. */
static bool facts_take_antonyms(struct wn_facts *f, const char *set) {
        size_t len = 0, n = 0;
        for (const char *p = set; *p; p += strlen(p) + 1, n++)
                len += strlen(p) + 1;
        if (n == 0)
                return true;
        f->antonym_words = malloc(len + 1);
        f->antonym_hashes = malloc(sizeof(uint64_t) * n);
        if (!f->antonym_words || !f->antonym_hashes)
                return false;
        memcpy(f->antonym_words, set, len + 1);
        size_t i = 0;
        for (const char *p = f->antonym_words; *p; p += strlen(p) + 1)
                f->antonym_hashes[i++] = wn_hash(p);
        f->n_antonyms = n;
        return true;
}

/* Reads f's synsets, index facts and (with_antonyms) antonyms for the
 * WordNet-spelt word w; false when out of memory.  wn_lock held. */
static bool facts_read_locked(struct wn_facts *f, char *w, int pos, bool with_antonyms) {
        int n = 0;
        const long *offsets = synsets_of(w, pos, &n);
        if (!offsets)
                return false;
        if (n > 0) {
                f->synsets = malloc(sizeof(long) * (size_t) n);
                if (!f->synsets)
                        return false;
                memcpy(f->synsets, offsets, sizeof(long) * (size_t) n);
                qsort(f->synsets, (size_t) n, sizeof(long), cmp_long);
                f->n_synsets = (size_t) n;
                for (int i = 0; i < n; i++)
                        f->synset_bits |= UINT64_C(1) << (hash_mix64((uint64_t) f->synsets[i]) & 63);
        }
        f->info = word_info(w, pos);
        /* antonym questions about a word the index lacks are never asked
         * (antonym_possible) */
        if (with_antonyms && (f->info & INFO_KNOWN)) {
                const char *set = antonym_words(w, pos);
                if (!set || !facts_take_antonyms(f, set))
                        return false;
        }
        return true;
}

int wn_facts_get(const char *lemma, enum wn_pos pos, bool with_antonyms, struct wn_facts *ret) {
        char w[WN_MAX_WORD];

        if (!ret || !lemma || !pos_ok(pos))
                return -EINVAL;
        struct wn_facts f = { .pos = (int) pos };
        /* a word WordNet cannot spell answers false (as relation() does) */
        if (!wn_word(lemma, w)) {
                *ret = f;
                return 0;
        }
        int r = 0;
        pthread_mutex_lock(&wn_lock);
        r = init_locked(NULL);
        if (r == 0 && !facts_read_locked(&f, w, (int) pos, with_antonyms))
                r = -ENOMEM;
        pthread_mutex_unlock(&wn_lock);
        if (r == -ENOENT) {
                *ret = f;       /* no database: no relations, as relation() answers */
                return 0;
        }
        if (r == 0 && !(f.form = strdup(w)))
                r = -ENOMEM;
        if (r < 0) {
                wn_facts_clear(&f);
                return r;
        }
        f.hash = wn_hash(f.form);
        *ret = f;
        return 0;
}

/* ---- the shared facts table (wn_facts_shared) ---- */

#define SHARED_BUCKETS 16384

struct shared_facts {
        struct wn_facts f;
        bool with_antonyms;
        struct shared_facts *next;
};

static struct shared_facts *shared_buckets[SHARED_BUCKETS];
static pthread_mutex_t shared_lock = PTHREAD_MUTEX_INITIALIZER;

/* The entry for form in pos, or NULL.  shared_lock held. */
static struct shared_facts *shared_find_locked(uint64_t h, const char *form, int pos, bool with_antonyms) {
        for (struct shared_facts *e = shared_buckets[h % SHARED_BUCKETS]; e; e = e->next)
                if (e->f.hash == h && e->f.pos == pos && e->with_antonyms == with_antonyms &&
                    strcmp(e->f.form, form) == 0)
                        return e;
        return NULL;
}

const struct wn_facts *wn_facts_shared(const char *lemma, enum wn_pos pos, bool with_antonyms) {
        char w[WN_MAX_WORD];

        if (!lemma || !pos_ok(pos) || !wn_word(lemma, w))
                return NULL;
        uint64_t h = wn_hash(w);
        pthread_mutex_lock(&shared_lock);
        struct shared_facts *e = shared_find_locked(h, w, (int) pos, with_antonyms);
        pthread_mutex_unlock(&shared_lock);
        if (e)
                return &e->f;

        /* read outside the table's lock; another thread may read the same
         * word meanwhile, and the first to insert wins */
        struct shared_facts *n = calloc(1, sizeof(*n));
        if (!n)
                return NULL;
        if (wn_facts_get(lemma, pos, with_antonyms, &n->f) < 0 || !n->f.form) {
                wn_facts_clear(&n->f);
                free(n);
                return NULL;
        }
        n->with_antonyms = with_antonyms;
        pthread_mutex_lock(&shared_lock);
        e = shared_find_locked(n->f.hash, n->f.form, (int) pos, with_antonyms);
        if (!e) {
                n->next = shared_buckets[n->f.hash % SHARED_BUCKETS];
                shared_buckets[n->f.hash % SHARED_BUCKETS] = n;
                e = n;
                n = NULL;
        }
        pthread_mutex_unlock(&shared_lock);
        if (n) {
                wn_facts_clear(&n->f);
                free(n);
        }
        return &e->f;
}

/* Do the sorted arrays a and b share an element? */
static bool sorted_intersect(const long *a, size_t na, const long *b, size_t nb) {
        size_t i = 0, j = 0;
        while (i < na && j < nb) {
                if (a[i] == b[j])
                        return true;
                if (a[i] < b[j])
                        i++;
                else
                        j++;
        }
        return false;
}

static bool same_form(const struct wn_facts *a, const struct wn_facts *b) {
        return a->hash == b->hash && strcmp(a->form, b->form) == 0;
}

bool wn_facts_synonyms(const struct wn_facts *a, const struct wn_facts *b) {
        if (!a || !b || !a->form || !b->form)
                return false;
        return same_form(a, b) ||
               ((a->synset_bits & b->synset_bits) && sorted_intersect(a->synsets, a->n_synsets, b->synsets, b->n_synsets));
}

/* Is b (its form) among the antonyms read for a? */
static bool facts_antonym_of(const struct wn_facts *a, const struct wn_facts *b) {
        const char *p = a->antonym_words;
        for (size_t i = 0; i < a->n_antonyms; p += strlen(p) + 1, i++)
                if (a->antonym_hashes[i] == b->hash && strcmp(p, b->form) == 0)
                        return true;
        return false;
}

bool wn_facts_antonyms(const struct wn_facts *a, const struct wn_facts *b) {
        if (!a || !b || !a->form || !b->form)
                return false;
        /* antonym_possible() on the facts read */
        if (!(a->info & INFO_KNOWN) || !(b->info & INFO_KNOWN))
                return false;
        if (a->pos == ADJ) {
                if (!((a->info & (INFO_ANT | INFO_SIM)) && (b->info & (INFO_ANT | INFO_SIM))))
                        return false;
        } else if (!((a->info | b->info) & INFO_ANT))
                return false;
        return facts_antonym_of(a, b) || facts_antonym_of(b, a);
}
