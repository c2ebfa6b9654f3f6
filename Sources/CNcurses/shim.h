#ifndef CROSSTALK_CNCURSES_SHIM_H
#define CROSSTALK_CNCURSES_SHIM_H
/* Wide-character ncurses: cchar_t, setcchar, mvadd_wch, wget_wch need the X/Open extended API. */
#ifndef _XOPEN_SOURCE_EXTENDED
#define _XOPEN_SOURCE_EXTENDED 1
#endif
#include <locale.h>
#include <stdint.h>
#include <wchar.h>
#include <ncursesw/curses.h>

/* Swift cannot import macros with casts or globals under Swift 6 concurrency checking;
   these wrappers give the adapter typed, prefixed entry points. */
static inline WINDOW *cncurses_stdscr(void) { return stdscr; }
static inline int cncurses_rows(void) { int y, x; getmaxyx(stdscr, y, x); (void)x; return y; }
static inline int cncurses_cols(void) { int y, x; getmaxyx(stdscr, y, x); (void)y; return x; }
static inline attr_t cncurses_a_normal(void) { return A_NORMAL; }
static inline attr_t cncurses_a_bold(void) { return A_BOLD; }
static inline attr_t cncurses_a_dim(void) { return A_DIM; }
static inline attr_t cncurses_a_reverse(void) { return A_REVERSE; }
static inline attr_t cncurses_a_underline(void) { return A_UNDERLINE; }
static inline int cncurses_color_pair(int pair) { return (int)COLOR_PAIR(pair); }
static inline int cncurses_key_resize(void) { return KEY_RESIZE; }
static inline int cncurses_key_code_yes(void) { return KEY_CODE_YES; }
static inline int cncurses_err(void) { return ERR; }
static inline void cncurses_set_locale(void) { setlocale(LC_ALL, ""); }

/* Puts one character cell (a Unicode scalar) with attributes and a colour pair. */
static inline int cncurses_put(int y, int x, uint32_t scalar, attr_t attrs, short pair) {
    wchar_t text[2] = { (wchar_t)scalar, 0 };
    cchar_t cell;
    if (setcchar(&cell, text, attrs, pair, NULL) != OK) return ERR;
    return mvadd_wch(y, x, &cell);
}

/* Reads one key: returns OK with a character, KEY_CODE_YES with a function key, or ERR on timeout. */
static inline int cncurses_get_key(uint32_t *out) {
    wint_t ch = 0;
    int rc = get_wch(&ch);
    *out = (uint32_t)ch;
    return rc;
}

/* Initialises the screen: raw-ish keyboard, no echo, keypad keys, hidden cursor. */
static inline void cncurses_start(int timeout_ms) {
    initscr();
    cbreak();
    noecho();
    nonl();
    keypad(stdscr, TRUE);
    set_escdelay(25);
    curs_set(0);
    timeout(timeout_ms);
}
#endif
