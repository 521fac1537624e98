/* commands.c: the one table of commands; help, usage, suggestions and the
 * slash-command manifest are derived from it. engine.c dispatches them
 * (run_command) to the engine_*.c file that answers each. */
#include "core/commands.h"

#include <string.h>

#define ALIASES(...) ((const char *const[]){__VA_ARGS__, NULL})

static const struct command_arg arg_command = {
	"command", {{"command", "команда", "命令"}},
	{{"The command to explain", "Команда, о которой рассказать", "要说明的命令"}},
	false, false};
static const struct command_arg arg_sg = {
	"query", {{"query", "запрос", "查询"}},
	{{"A year, a member state or a name (empty: the current one)",
	  "Год, государство-член или имя (пусто: нынешний)",
	  "年份、成员国或姓名（留空：现任）"}},
	false, true};
static const struct command_arg arg_words = {
	"words", {{"words", "слова", "关键词"}},
	{{"Words to look for in the facts", "Слова для поиска по фактам", "要在事实中查找的词"}},
	true, false};
static const struct command_arg arg_id = {
	"id", {{"id", "id", "id"}},
	{{"A fact id, e.g. staff.officials", "Идентификатор факта, например staff.officials",
	  "事实id，例如 staff.officials"}},
	true, false};
static const struct command_arg arg_lang = {
	"language", {{"language", "язык", "语言"}},
	{{"en, ru or zh (empty: show the current one)", "en, ru или zh (пусто: показать текущий)",
	  "en、ru 或 zh（留空：显示当前语言）"}},
	false, false};
static const struct command_arg arg_question = {
	"question", {{"question", "вопрос", "问题"}},
	{{"Your question about the SCO Secretariat", "Ваш вопрос о Секретариате ШОС",
	  "关于上合组织秘书处的问题"}},
	true, false};

static const struct command_info commands[] = {
	{"help", {{"help", "помощь", "帮助"}},
	 ALIASES("help", "h", "commands", "помощь", "справка", "команды", "хелп", "帮助", "说明", "命令"),
	 {{"[command]", "[команда]", "[命令]"}},
	 {{"This list, or help on one command", "Этот список или справка по команде", "本列表或某个命令的说明"}},
	 &arg_command, false},
	{"about", {{"about", "о-боте", "关于"}},
	 ALIASES("about", "info", "version", "о боте", "инфо", "информация", "关于", "简介"),
	 {{"", "", ""}},
	 {{"What scobot is and what it knows", "Что такое scobot и что он знает", "scobot是什么、知道什么"}},
	 NULL, false},
	{"source", {{"source", "источник", "来源"}},
	 ALIASES("source", "src", "sources", "источник", "источники", "来源", "出处"),
	 {{"", "", ""}},
	 {{"The source document and its date", "Исходный документ и его дата", "原始文件及其日期"}},
	 NULL, false},
	{"sg", {{"sg", "генсек", "秘书长"}},
	 ALIASES("sg", "secretary-general", "secretary", "secgen", "генсек", "секретарь",
	         "генеральный секретарь", "秘书长"),
	 {{"[year | member state | name]", "[год | государство | имя]", "[年份 | 成员国 | 姓名]"}},
	 {{"Secretary-General: now, in a year, from a country, or by name",
	   "Генеральный секретарь: сейчас, в году, от страны или по имени",
	   "秘书长：现任、某年、某国或按姓名"}},
	 &arg_sg, false},
	{"sgs", {{"sgs", "генсеки", "历任"}},
	 ALIASES("sgs", "list", "all", "генсеки", "список", "все", "历任", "历任秘书长", "秘书长列表"),
	 {{"", "", ""}},
	 {{"All Secretaries-General, in order", "Все генеральные секретари по порядку", "按顺序列出历任秘书长"}},
	 NULL, false},
	{"opened", {{"opened", "открытие", "成立"}},
	 ALIASES("opened", "opening", "open", "открытие", "открыт", "открылся", "成立", "开幕", "开幕式"),
	 {{"", "", ""}},
	 {{"When and where the Secretariat opened, and who came", "Когда и где открылся Секретариат и кто был",
	   "秘书处成立的时间、地点和出席者"}},
	 NULL, false},
	{"attendees", {{"attendees", "участники", "出席者"}},
	 ALIASES("attendees", "attended", "guests", "ceremony", "участники", "гости", "церемония",
	         "出席者", "出席", "嘉宾"),
	 {{"", "", ""}},
	 {{"Who attended the opening ceremony", "Кто присутствовал на церемонии открытия", "开幕式出席者"}},
	 NULL, false},
	{"staff", {{"staff", "сотрудники", "职员"}},
	 ALIASES("staff", "officials", "employees", "personnel", "сотрудники", "штат", "персонал",
	         "职员", "工作人员", "人员"),
	 {{"", "", ""}},
	 {{"Who works at the Secretariat", "Кто работает в Секретариате", "秘书处的工作人员"}},
	 NULL, false},
	{"departments", {{"departments", "отделы", "部门"}},
	 ALIASES("departments", "department", "depts", "dept", "отделы", "департаменты", "部门"),
	 {{"", "", ""}},
	 {{"The six departments", "Шесть отделов", "六个部门"}},
	 NULL, false},
	{"functions", {{"functions", "функции", "职能"}},
	 ALIASES("functions", "function", "tasks", "duties", "role", "функции", "задачи", "职能", "职责"),
	 {{"", "", ""}},
	 {{"What the Secretariat does", "Чем занимается Секретариат", "秘书处的职能"}},
	 NULL, false},
	{"appointment", {{"appointment", "назначение", "任命"}},
	 ALIASES("appointment", "appointed", "appoint", "назначение", "任命"),
	 {{"", "", ""}},
	 {{"How the Secretary-General is proposed and approved", "Как выдвигают и утверждают генсека",
	   "秘书长如何提名和批准"}},
	 NULL, false},
	{"representatives", {{"representatives", "представители", "常驻代表"}},
	 ALIASES("representatives", "reps", "представители", "常驻代表", "代表"),
	 {{"", "", ""}},
	 {{"The member states' permanent representatives", "Постоянные представители государств-членов",
	   "成员国常驻代表"}},
	 NULL, false},
	{"search", {{"search", "поиск", "搜索"}},
	 ALIASES("search", "find", "поиск", "найти", "搜索", "查找"),
	 {{"<words>", "<слова>", "<关键词>"}},
	 {{"Search all facts", "Поиск по всем фактам", "搜索所有事实"}},
	 &arg_words, false},
	{"fact", {{"fact", "факт", "事实"}},
	 ALIASES("fact", "факт", "事实"),
	 {{"<id>", "<id>", "<id>"}},
	 {{"One fact with the sentence it comes from", "Один факт и предложение-источник", "单条事实及其出处句子"}},
	 &arg_id, false},
	{"lang", {{"lang", "язык", "语言"}},
	 ALIASES("lang", "language", "язык", "语言"),
	 {{"[en | ru | zh]", "[en | ru | zh]", "[en | ru | zh]"}},
	 {{"Show or set this room's answer language", "Показать или задать язык ответов здесь",
	   "显示或设置此处的回答语言"}},
	 &arg_lang, false},
	{"ask", {{"ask", "вопрос", "提问"}},
	 ALIASES("ask", "q", "спросить", "вопрос", "提问", "问"),
	 {{"<question>", "<вопрос>", "<问题>"}},
	 {{"Ask a question in your own words", "Задать вопрос своими словами", "用自己的话提问"}},
	 &arg_question, false},
};

const struct command_info *commands_list(size_t *ret_n)
{
	*ret_n = sizeof(commands) / sizeof(commands[0]);
	return commands;
}

const struct command_info *commands_find(const char *name)
{
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	return NULL;
}
