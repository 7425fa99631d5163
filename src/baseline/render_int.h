/*
 * render_int.h — what the three renderers (render_cfn.c, render_tf.c, render_cli.c) share
 * with render.c: which steps go into which file, which parameters a text uses, and the
 * header every generated file starts with.
 */
#ifndef ANSIM_BASELINE_RENDER_INT_H
#define ANSIM_BASELINE_RENDER_INT_H

#include "../util/util.h"
#include "baseline.h"

/* Does text use parameter prm, spelt the way format f spells it? */
int render_uses(const char *text, const struct bl_param *prm, enum bl_format f);
/* Does any step of the file use prm? */
int render_file_uses(const struct bl_plan *p, const char *account, const struct bl_param *prm);
/* Is step st in the file for account (NULL: the model's only file)? */
int render_in_file(const struct bl_step *st, const char *account);
/* One comment line: prefix, then a and b (either may be NULL) with newlines and other control
 * characters made spaces, so no text from a title or the account can end the comment. */
void render_comment(struct strbuf *sb, const char *prefix, const char *a, const char *b);
/* The header: comment lines (without the comment marker), one per line, into sb, each
 * prefixed by prefix ("# "). Says what the file is, where it came from, the safety
 * promise, and lists the steps and what they make pass. */
void render_header(struct strbuf *sb, const struct bl_plan *p, const char *account, const char *prefix);
/* A list parameter's value (JSON array text or comma-separated) as items; caller frees. */
char **render_list(const char *value, size_t *n);
void render_list_free(char **v, size_t n);
/* The items of a list parameter's value joined by sep (a new string). */
char *render_list_join(const char *value, const char *sep);

/* quote.c: s as one single-quoted shell word; as an HCL quoted string (escapes, and ${ / %{
 * doubled so no template expression survives). */
void bl_sh_quote(struct strbuf *sb, const char *s);
void bl_hcl_quote(struct strbuf *sb, const char *s);

/* The renderers: the text of the file for account (NULL, "security" or "service"), or NULL
 * with err. */
char *render_cfn(const struct bl_plan *p, const char *account, char *err, size_t errlen);
char *render_tf(const struct bl_plan *p, const char *account, char *err, size_t errlen);
char *render_cli(const struct bl_plan *p, const char *account, char *err, size_t errlen);

#endif
