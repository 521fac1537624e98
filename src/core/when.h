/* when.h: what "now" means for the fact table: which facts are known on a
 * given day, how far the facts run, and dates and ages written out in each
 * answer language. Pure functions of (facts, today, language): the engine gets
 * `today` from its caller and never reads a clock. */
#ifndef SCOBOT_CORE_WHEN_H
#define SCOBOT_CORE_WHEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/facts.h"
#include "core/lang.h"
#include "util/date.h"

/* A term is known on `today` once it was decided: its appointment date when
 * the facts give one, else its start. Facts from after today are never told,
 * so `--today 2023-06-01` answers as scobot would have answered then. */
bool when_term_known(const struct fact_sg *sg, int32_t today);
/* The term(s) in office on the day, among those known then. */
size_t when_sgs_on(const struct facts *f, int32_t day, int32_t today,
                   const struct fact_sg **out, size_t max);
/* The last known term on `today` (NULL before the first). */
const struct fact_sg *when_last_known(const struct facts *f, int32_t today);
/* The newest dated event known on `today` (a term starting, an appointment,
 * the opening): the date the facts run to. Sets *ret_sg to the term it
 * belongs to, or NULL for the opening; prec DATE_NONE when even the opening
 * is after today. */
struct pdate when_facts_run_to(const struct facts *f, int32_t today,
                               const struct fact_sg **ret_sg, bool *ret_appointed);

/* "1 January 2025", "1 января 2025 года", "2025年1月1日"; "January 2010",
 * "январь 2010 года" (or "января" with genitive), "2004", "2004 года". */
const char *when_date(enum lang lang, const struct pdate *d, bool genitive, char *buf,
                      size_t size);
/* "1 year 11 months", "1 год 11 месяцев", "1年11个月"; "less than a month". */
const char *when_age(enum lang lang, int32_t from, int32_t to, char *buf, size_t size);
/* "10th", "10-е", "10" : an ordinal number as it stands before "anniversary". */
const char *when_ordinal(enum lang lang, int n, char *buf, size_t size);
/* The anniversary a question names ("10th anniversary", "20-летие",
 * "十周年", "twentieth"), or 0. */
int when_anniversary_number(const char *text, size_t len);

#endif
