#ifndef CROSSTALK_CESPEAK_SHIM_H
#define CROSSTALK_CESPEAK_SHIM_H
#include <espeak-ng/speak_lib.h>
#include <espeak-ng/espeak_ng.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

/*
 * espeak-ng keeps state between syntheses in static variables that neither espeak_Initialize nor
 * espeak_Terminate resets (e.g. the pitch flutter index in wavegen.c; espeak_Terminate also hangs in
 * synchronous mode in 1.51), so the same text gives different samples depending on what came
 * before. The only reset that covers all of it is a fresh copy of the library's memory: each
 * synthesis runs in a forked child that initializes espeak-ng, synthesizes once, streams the result
 * back over a pipe and exits. The child runs only this C code (no Swift runtime) and never returns.
 *
 * Wire format (native endianness), child to parent:
 *   header: int32 status, sample_rate, sample_count, word_count, message_bytes
 *   message_bytes of UTF-8 error text, sample_count int16 samples, word_count cespeak_word records.
 */

/** One espeakEVENT_WORD: character position (1-based), length in characters, first sample. */
typedef struct {
    int text_position;
    int length;
    int sample;
} cespeak_word;

enum {
    CESPEAK_OK = 0,
    CESPEAK_INIT_FAILED = 1,
    CESPEAK_VOICE_NOT_FOUND = 2,
    CESPEAK_SYNTH_FAILED = 3,
    CESPEAK_OUT_OF_MEMORY = 4,
    CESPEAK_HEADER_INTS = 5
};

/** What one child collects; reaches the callback as the events' user_data (headers cannot hold globals). */
typedef struct {
    short *samples;
    int sample_count, sample_capacity;
    cespeak_word *words;
    int word_count, word_capacity;
    int out_of_memory;
} cespeak_collector;

static inline int cespeak_child_callback(short *wav, int count, espeak_EVENT *events) {
    cespeak_collector *c = (cespeak_collector *)events->user_data; /* every list holds at least the terminator */
    if (c == NULL) return 1;
    if (wav != NULL && count > 0) {
        if (c->sample_count + count > c->sample_capacity) {
            int capacity = (c->sample_count + count) * 2;
            short *grown = (short *)realloc(c->samples, (size_t)capacity * sizeof(short));
            if (grown == NULL) { c->out_of_memory = 1; return 1; }
            c->samples = grown;
            c->sample_capacity = capacity;
        }
        memcpy(c->samples + c->sample_count, wav, (size_t)count * sizeof(short));
        c->sample_count += count;
    }
    for (; events->type != espeakEVENT_LIST_TERMINATED; events++) {
        if (events->type != espeakEVENT_WORD) continue;
        if (c->word_count == c->word_capacity) {
            int capacity = c->word_capacity * 2 + 16;
            cespeak_word *grown = (cespeak_word *)realloc(c->words, (size_t)capacity * sizeof(cespeak_word));
            if (grown == NULL) { c->out_of_memory = 1; return 1; }
            c->words = grown;
            c->word_capacity = capacity;
        }
        cespeak_word *word = &c->words[c->word_count++];
        word->text_position = events->text_position;
        word->length = events->length;
        word->sample = events->sample;
    }
    return 0;
}

/** Writes all of `bytes`, retrying on EINTR and short writes; 0 on success. */
static inline int cespeak_write_all(int fd, const void *bytes, size_t count) {
    const char *p = (const char *)bytes;
    while (count > 0) {
        ssize_t written = write(fd, p, count);
        if (written < 0 && errno == EINTR) continue;
        if (written <= 0) return -1;
        p += written;
        count -= (size_t)written;
    }
    return 0;
}

static inline void cespeak_child_reply(int fd, const cespeak_collector *c, int status, int rate, const char *message) {
    int message_bytes = message == NULL ? 0 : (int)strlen(message);
    int samples = status == CESPEAK_OK ? c->sample_count : 0;
    int words = status == CESPEAK_OK ? c->word_count : 0;
    int header[CESPEAK_HEADER_INTS] = { status, rate, samples, words, message_bytes };
    if (cespeak_write_all(fd, header, sizeof(header)) != 0) return;
    if (message_bytes > 0 && cespeak_write_all(fd, message, (size_t)message_bytes) != 0) return;
    if (samples > 0 && cespeak_write_all(fd, c->samples, (size_t)samples * sizeof(short)) != 0) return;
    if (words > 0) cespeak_write_all(fd, c->words, (size_t)words * sizeof(cespeak_word));
}

/** The child's whole life: fresh espeak-ng, one voice, explicit parameters, one synthesis. */
static inline void cespeak_child_main(int fd, const char *voice, const char *text) {
    char message[512];
    cespeak_collector collector;
    memset(&collector, 0, sizeof(collector));
    espeak_ng_InitializePath(NULL);
    espeak_ng_ERROR_CONTEXT context = NULL;
    espeak_ng_STATUS status = espeak_ng_Initialize(&context);
    if (status == ENS_OK) status = espeak_ng_InitializeOutput(ENOUTPUT_MODE_SYNCHRONOUS, 0, NULL);
    if (status != ENS_OK) {
        espeak_ng_GetStatusCodeMessage(status, message, sizeof(message));
        cespeak_child_reply(fd, &collector, CESPEAK_INIT_FAILED, 0, message);
        return;
    }
    int rate = espeak_ng_GetSampleRate();
    espeak_SetSynthCallback(cespeak_child_callback);
    /* A voice name (en-us, gmw/en) first, else a language tag one of the voices speaks (en-gb). */
    espeak_VOICE wanted;
    memset(&wanted, 0, sizeof(wanted));
    wanted.languages = voice;
    if (espeak_SetVoiceByName(voice) != EE_OK && espeak_SetVoiceByProperties(&wanted) != EE_OK) {
        cespeak_child_reply(fd, &collector, CESPEAK_VOICE_NOT_FOUND, rate, NULL);
        return;
    }
    /* The defaults, set explicitly so a changed library default shows up as a failing test. */
    espeak_SetParameter(espeakRATE, espeakRATE_NORMAL, 0);
    espeak_SetParameter(espeakVOLUME, 100, 0);
    espeak_SetParameter(espeakPITCH, 50, 0);
    espeak_SetParameter(espeakRANGE, 50, 0);
    espeak_SetParameter(espeakPUNCTUATION, espeakPUNCT_NONE, 0);
    espeak_SetParameter(espeakCAPITALS, 0, 0);
    espeak_SetParameter(espeakWORDGAP, 0, 0);
    espeak_ERROR result = espeak_Synth(text, strlen(text) + 1, 0, POS_CHARACTER, 0, espeakCHARS_UTF8, NULL, &collector);
    if (collector.out_of_memory) {
        cespeak_child_reply(fd, &collector, CESPEAK_OUT_OF_MEMORY, rate, "out of memory");
    } else if (result != EE_OK) {
        snprintf(message, sizeof(message), "espeak_Synth returned %d", (int)result);
        cespeak_child_reply(fd, &collector, CESPEAK_SYNTH_FAILED, rate, message);
    } else {
        cespeak_child_reply(fd, &collector, CESPEAK_OK, rate, NULL);
    }
}

/**
 * Forks a child that synthesizes `text` with `voice` and writes the result to a pipe.
 * Returns the child's pid and stores the pipe's read end in `*read_fd`; -1 with errno on failure.
 * Call with the caller's espeak lock held (one child at a time keeps memory use flat).
 */
static inline pid_t cespeak_spawn_synthesis(const char *voice, const char *text, int *read_fd) {
    int fds[2];
    if (pipe(fds) != 0) return -1;
    fcntl(fds[0], F_SETFD, FD_CLOEXEC);
    fcntl(fds[1], F_SETFD, FD_CLOEXEC);
    pid_t pid = fork();
    if (pid < 0) {
        int saved = errno;
        close(fds[0]);
        close(fds[1]);
        errno = saved;
        return -1;
    }
    if (pid == 0) {
        close(fds[0]);
        cespeak_child_main(fds[1], voice, text);
        _exit(0);
    }
    close(fds[1]);
    *read_fd = fds[0];
    return pid;
}
#endif
