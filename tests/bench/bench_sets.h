/* bench_sets.h: the engine benchmark's input sets, shared by bench_engine.c
 * (timings) and engine_insns.c (instruction counts), so both measure the same
 * questions. */
#ifndef SCOBOT_BENCH_SETS_H
#define SCOBOT_BENCH_SETS_H

static const char *const commands_en[] = {
	"sg", "sg 2011", "sg 2022", "sg 1999", "sg kazakhstan", "sg china", "sg norov",
	"sgs", "staff", "departments", "functions", "opened", "attendees", "appointment",
	"representatives", "help", "sg 2030", "fact staff.officials", "about", "source",
};
static const char *const questions_en[] = {
	"who was secretary-general in 2011?", "when did the secretariat open?",
	"how many officials work there?", "who represented Kazakhstan at the opening?",
	"who succeeded Rashid Alimov?", "what does the secretariat do?",
	"who attended the opening ceremony?", "who was secretery genral in 2016",
	"who is the current secretary general?", "what departments does it have?",
};
static const char *const commands_ru[] = {"генсек", "генсек 2011", "генсек 2022", "отделы",
	"сотрудники", "генсек казахстан", "функции", "открытие"};
static const char *const questions_ru[] = {"кто был генсеком в 2011 году?",
	"когда открылся секретариат?", "кто сменил Алимова?", "сколько сотрудников работает?",
	"кто представлял Казахстан на церемонии открытия?"};
static const char *const commands_zh[] = {"秘书长", "秘书长 2011", "秘书长 2022", "部门", "职员",
	"成立", "职能"};
static const char *const questions_zh[] = {"2011年的秘书长是谁？", "秘书处什么时候成立的？",
	"哈萨克斯坦的秘书长是谁", "现任秘书长是谁", "秘书处有多少工作人员？"};

#endif
