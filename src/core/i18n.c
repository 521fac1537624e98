/* i18n.c: the table of scobot's own sentences. Facts never live here: every
 * name, date and claim comes from facts/ through template arguments. */
#include "core/i18n.h"

static const char *const table[M_COUNT][LANG_COUNT] = {
	[M_AS_OF] = {"As of {0}.", "По состоянию на {0}.", "截至{0}。"},
	[M_TERM_RANGE] = {"{0}–{1}", "{0}–{1} гг.", "{0}—{1}年"},
	[M_TERM_OPEN] = {"from {0} onwards", "с {0} г.", "{0}年至今"},
	[M_SG_YEAR_ONE] = {
		"In {0} the Secretary-General was {*1} ({2}, {3}).",
		"В {0} году Генеральным секретарём был {*1} ({2}, {3}).",
		"{0}年的秘书长是{*1}（{2}，{3}）。"},
	[M_SG_YEAR_MANY] = {
		"In {0} the post was held by {1} people, one after the other:",
		"В {0} году эту должность поочерёдно занимали {1} человека:",
		"{0}年先后有{1}人担任秘书长："},
	[M_SG_ITEM] = {"{*0} ({1}, {2})", "{*0} ({1}, {2})", "{*0}（{1}，{2}）"},
	[M_SG_BEFORE] = {
		"The SCO Secretariat did not exist yet in {0}: it opened on {1} ({2}).",
		"В {0} году Секретариата ШОС ещё не было: он открылся {1} ({2}).",
		"{0}年上合组织秘书处尚未成立：秘书处于{1}成立（{2}）。"},
	[M_SG_COUNTRY_ONE] = {
		"Secretary-General from {0}: {*1} ({2}).",
		"Генеральный секретарь от страны «{0}»: {*1} ({2}).",
		"来自{0}的秘书长：{*1}（{2}）。"},
	[M_SG_COUNTRY_MANY] = {
		"Secretaries-General from {0}:",
		"Генеральные секретари от страны «{0}»:",
		"来自{0}的秘书长："},
	[M_SG_COUNTRY_NONE] = {
		"No Secretary-General has come from {0}.",
		"Генеральных секретарей от страны «{0}» не было.",
		"还没有来自{0}的秘书长。"},
	[M_SG_PERSON] = {
		"{*0} ({1}) was Secretary-General of the SCO, {2}.",
		"{*0} ({1}) — Генеральный секретарь ШОС, {2}",
		"{*0}（{1}）曾任上合组织秘书长，任期{2}。"},
	[M_SG_PERSON_MANY] = {
		"Secretaries-General matching “{!0}”:",
		"Генеральные секретари, подходящие под «{!0}»:",
		"与“{!0}”匹配的秘书长："},
	[M_SUCCESSOR] = {
		"{*0} ({1}, {2}) succeeded {3} ({4}).",
		"{*0} ({1}, {2}) сменил на посту {3} ({4}).",
		"{*0}（{1}，{2}）接替了{3}（{4}）。"},
	[M_SUCCESSOR_NONE] = {
		"{*0} is the current Secretary-General: there is no successor yet.",
		"{*0} — действующий Генеральный секретарь: преемника пока нет.",
		"{*0}是现任秘书长，尚无继任者。"},
	[M_PREDECESSOR] = {
		"Before {3}, the Secretary-General was {*0} ({1}, {2}).",
		"До того как пост занял {3}, Генеральным секретарём был {*0} ({1}, {2}).",
		"{3}的前任是{*0}（{1}，{2}）。"},
	[M_PREDECESSOR_NONE] = {
		"{*0} was the first head of the Secretariat: there was no one before.",
		"{*0} был первым руководителем Секретариата: предшественников не было.",
		"{*0}是秘书处首任负责人，此前没有前任。"},
	[M_FIRST] = {
		"The first head of the Secretariat was {*0} ({1}, {2}).",
		"Первым руководителем Секретариата был {*0} ({1}, {2}).",
		"秘书处首任负责人是{*0}（{1}，{2}）。"},
	[M_SGS_HEAD] = {
		"Secretaries-General of the SCO, in order:",
		"Генеральные секретари ШОС по порядку:",
		"历任上合组织秘书长："},
	[M_ATTENDEES_HEAD] = {
		"The opening ceremony on {0} ({1}) was attended by:",
		"На церемонии открытия {0} ({1}) присутствовали:",
		"{0}开幕式（{1}）的出席者："},
	[M_ATTENDEE_ITEM_COUNTRY] = {"{*0}, {1}, {2}", "{*0}, {1}, {2}", "{2}{1}{*0}"},
	[M_ATTENDEE_ITEM] = {"{*0}, {1}", "{*0}, {1}", "{1}{*0}"},
	[M_ATTENDEE_OF_COUNTRY] = {
		"At the opening ceremony on {0}, {1} was represented by {*2}, {3}.",
		"На церемонии открытия {0} страну «{1}» представлял {*2}, {3}.",
		"{0}的开幕式上，{1}由{3}{*2}出席。"},
	[M_PERSON_ATTENDED] = {
		"{*0} attended the opening ceremony on {1} as {2}.",
		"{*0} присутствовал на церемонии открытия {1}: {2}.",
		"{*0}以{2}身份出席了{1}的开幕式。"},
	/* Notes in facts/ say what they are ("Editorial note: ..."). */
	[M_NOTE] = {"{0}", "{0}", "{0}"},
	[M_SOURCE_QUOTE] = {"Source: “{0}”", "Источник: «{0}»", "出处：“{0}”"},
	[M_NOT_SURE] = {
		"I'm not sure what you mean by “{!0}”.",
		"Не уверен, что понял вопрос «{!0}».",
		"我不太确定您的意思：“{!0}”。"},
	[M_NOT_SURE_CLOSEST] = {
		"The closest facts I have:",
		"Ближайшие факты, которые я знаю:",
		"最相关的事实："},
	[M_NOT_SURE_NOTHING] = {
		"I answer questions about the SCO Secretariat: its opening in 2004, its Secretaries-General, staff, departments and functions. Try {`0}.",
		"Я отвечаю на вопросы о Секретариате ШОС: его открытии в 2004 году, генеральных секретарях, сотрудниках, отделах и функциях. Попробуйте {`0}.",
		"我可以回答关于上合组织秘书处的问题：2004年成立、历任秘书长、职员、部门和职能。试试{`0}。"},
	[M_UNKNOWN_CMD] = {
		"Unknown command “{!0}”.",
		"Неизвестная команда «{!0}».",
		"未知命令“{!0}”。"},
	[M_DID_YOU_MEAN] = {" Did you mean: ", " Возможно, вы имели в виду: ", "您是不是要找："},
	[M_TRY_HELP] = {" Try {`0}.", " Список команд: {`0}.", "输入{`0}查看命令列表。"},
	[M_USAGE] = {"Usage: {`0}", "Использование: {`0}", "用法：{`0}"},
	[M_SG_BAD_ARG] = {
		"I don't know “{!0}” as a year, a member state or a Secretary-General.",
		"Не знаю «{!0}» как год, государство-член или генерального секретаря.",
		"无法将“{!0}”识别为年份、成员国或秘书长。"},
	[M_HELP_HEAD] = {
		"scobot answers questions about the SCO Secretariat (knowledge as of {0}). Commands:",
		"scobot отвечает на вопросы о Секретариате ШОС (сведения на {0}). Команды:",
		"scobot回答有关上合组织秘书处的问题（资料截至{0}）。命令："},
	[M_HELP_FOOTER] = {
		"Or just ask: “who was secretary-general in 2011?”",
		"Можно спросить и своими словами: «кто был генсеком в 2011 году?»",
		"也可以直接提问：“2011年的秘书长是谁？”"},
	[M_HELP_LANG] = {
		"Answer language here: {0} (change it with {`1}).",
		"Язык ответов здесь: {0} (сменить: {`1}).",
		"此处的回答语言：{0}（用{`1}更改）。"},
	[M_HELP_COMMAND] = {"{`0} — {1}", "{`0} — {1}", "{`0}：{1}"},
	[M_ALIASES] = {"Also: {0}", "Также: {0}", "别名：{0}"},
	[M_ABOUT] = {
		"scobot answers questions about the SCO Secretariat from {0} facts and {1} sources: the January 2024 anniversary article, official SCO pages and news agencies. Its newest fact dates from {2}, {4} before today ({5}); source: {3}. Ask in English, Russian or Chinese.",
		/* "Фактов: N" needs no agreement with N (21 источник, 22 источника), and
		 * "от" takes the genitive that dates of a month alone are written in. */
		"scobot отвечает на вопросы о Секретариате ШОС. Фактов: {0}, источников: {1} — юбилейная статья января 2024 года, официальные страницы ШОС и информагентства. Самый новый факт — от {2}, {4} назад (сегодня {5}); источник: {3}. Спрашивайте по-русски, по-английски или по-китайски.",
		"scobot根据{1}个来源中的{0}条事实回答有关上合组织秘书处的问题：2024年1月的周年纪念文章、上合组织官方网页和通讯社报道。最新的事实日期为{2}，距今天（{5}）{4}；来源：{3}。可用中文、俄文或英文提问。"},
	[M_SOURCE_CMD] = {
		"Sources: {0} in all. The founding one is {1}, an article on the 20th anniversary of the opening of the SCO Secretariat; later events come from official SCO pages and news agencies (as of {2}). Every fact names its sources: try {`3}.",
		"Источники: всего {0}. Основной — {1}, статья к 20-летию открытия Секретариата ШОС; более поздние события — по официальным страницам ШОС и сообщениям информагентств (сведения на {2}). Каждый факт называет свои источники: попробуйте {`3}.",
		"来源：共{0}个。基础来源是{1}，一篇纪念上合组织秘书处成立二十周年的文章；此后的事件来自上合组织官方网页和通讯社报道（资料截至{2}）。每条事实都注明来源：试试{`3}。"},
	[M_LANG_SET] = {
		"Answers in this room will be in {0}.",
		"Ответы в этой комнате будут на языке: {0}.",
		"本聊天室将使用{0}回答。"},
	[M_LANG_SHOW] = {
		"Answer language here: {0}. Change it with {`1}.",
		"Язык ответов здесь: {0}. Сменить: {`1}.",
		"此处的回答语言：{0}。用{`1}更改。"},
	[M_LANG_NAME_EN] = {"English", "английский", "英文"},
	[M_LANG_NAME_RU] = {"Russian", "русский", "俄文"},
	[M_LANG_NAME_ZH] = {"Chinese", "китайский", "中文"},
	[M_FACT_UNKNOWN] = {
		"No fact has the id “{!0}”. Try {`1}.",
		"Факта с id «{!0}» нет. Попробуйте {`1}.",
		"没有id为“{!0}”的事实。试试{`1}。"},
	[M_SEARCH_HEAD] = {"Facts matching “{!0}”:", "Факты по запросу «{!0}»:", "与“{!0}”相关的事实："},
	[M_SEARCH_NONE] = {"No fact matches “{!0}”.", "По запросу «{!0}» ничего не найдено.", "没有与“{!0}”相关的事实。"},
	[M_FUNCTIONS_HEAD] = {
		"What the Secretariat does:",
		"Чем занимается Секретариат:",
		"秘书处的职能："},
	[M_TITLE_SGS] = {"Secretaries-General of the SCO", "Генеральные секретари ШОС", "上合组织历任秘书长"},
	[M_TITLE_ATTENDEES] = {"Opening ceremony, {0}", "Церемония открытия, {0}", "开幕式，{0}"},
	[M_TITLE_DEPARTMENTS] = {"Departments of the Secretariat", "Отделы Секретариата", "秘书处各部门"},
	[M_TITLE_FUNCTIONS] = {"Functions of the Secretariat", "Функции Секретариата", "秘书处职能"},
	[M_FIELD_TERM] = {"{0}, {1}", "{0}, {1}", "{0}，{1}"},
	[M_WELCOME] = {
		"You're welcome! Ask me anything about the SCO Secretariat ({`0}).",
		"Пожалуйста! Спрашивайте о Секретариате ШОС ({`0}).",
		"不客气！欢迎继续询问有关上合组织秘书处的问题（{`0}）。"},
	[M_TERM_DATES] = {"{0} to {1}", "с {0} по {1}", "{0}至{1}"},
	[M_TERM_FROM] = {"from {0}", "с {0}", "{0}起"},
	[M_SG_NOW] = {
		"The Secretary-General is {*0} ({1}), in office since {2}; the term runs to {3}.",
		"Генеральный секретарь ШОС — {*0} ({1}), в должности с {2}; срок полномочий — до {3}.",
		"现任秘书长是{*0}（{1}），自{2}起任职，任期至{3}。"},
	[M_SG_NOW_OPEN] = {
		"The Secretary-General is {*0} ({1}), in office since {2}.",
		"Генеральный секретарь ШОС — {*0} ({1}), в должности с {2}.",
		"现任秘书长是{*0}（{1}），自{2}起任职。"},
	[M_SG_UNKNOWN_NOW] = {
		"I don't know who the Secretary-General is today ({0}): the last term in my facts, that of {*1} ({2}), ended on {3}, and they name no successor.",
		"Не знаю, кто сегодня ({0}) Генеральный секретарь: последний известный мне срок — {*1} ({2}) — истёк {3}, а преемник в моих сведениях не назван.",
		"我不知道今天（{0}）的秘书长是谁：我所知的最后一任是{*1}（{2}），任期已于{3}结束，资料中没有继任者。"},
	[M_SG_FUTURE_ONE] = {
		"In {0} the post is held by {*1} ({2}), whose term runs from {3} to {4}.",
		"В {0} году эту должность занимает {*1} ({2}): срок полномочий — с {3} по {4}.",
		"{0}年担任秘书长的是{*1}（{2}），任期自{3}至{4}。"},
	[M_SG_FUTURE_UNKNOWN] = {
		"I don't know who will be Secretary-General in {0}: the last term in my facts, that of {*1} ({2}), runs to {3}, and they name no successor yet.",
		"Не знаю, кто будет Генеральным секретарём в {0} году: последний известный мне срок — {*1} ({2}) — продлится до {3}, а преемник пока не назван.",
		"我不知道{0}年的秘书长会是谁：我所知的最后一任是{*1}（{2}），任期至{3}，资料中尚无继任者。"},
	[M_SG_PAST_UNKNOWN] = {
		"I don't know who held the post in {0}: the last term in my facts, that of {*1} ({2}), ended on {3}, and they name no successor.",
		"Не знаю, кто занимал эту должность в {0} году: последний известный мне срок — {*1} ({2}) — истёк {3}, а преемник не назван.",
		"我不知道{0}年谁担任秘书长：我所知的最后一任是{*1}（{2}），任期已于{3}结束，资料中没有继任者。"},
	[M_SUCCESSOR_UNKNOWN] = {
		"The term of {*0} runs to {1}; my facts do not name a successor yet.",
		"{*0}: срок полномочий — до {1}; преемник в моих сведениях пока не назван.",
		"{*0}的任期至{1}；资料中尚未提到继任者。"},
	[M_SUCCESSOR_APPOINTED] = {
		"{*0} ({1}) was appointed on {2} to succeed {3}, taking office on {4}.",
		"Преемник: {*0} ({1}); назначен {2}, вступает в должность {4} (предшественник — {3}).",
		"{*0}（{1}）于{2}获任命接替{3}，于{4}就任。"},
	[M_STILL_YES] = {
		"Yes: {*0} is the Secretary-General, in office since {1}; the term runs to {2}.",
		"Да: {*0} — Генеральный секретарь ШОС, в должности с {1}; срок полномочий — до {2}.",
		"是的：{*0}是现任秘书长，自{1}起任职，任期至{2}。"},
	[M_STILL_NO] = {
		"No: the term of {*0} ended on {1}. The Secretary-General now is {*2} ({3}), since {4}.",
		"Нет: {*0} — срок полномочий истёк {1}. Сейчас Генеральный секретарь ШОС — {*2} ({3}), с {4}.",
		"不是：{*0}的任期已于{1}结束。现任秘书长是{*2}（{3}），自{4}起任职。"},
	[M_TERM_RUNS] = {
		"The term of {*0} ({1}) runs from {2} to {3}.",
		"{*0} ({1}): срок полномочий — с {2} по {3}.",
		"{*0}（{1}）的任期自{2}至{3}。"},
	[M_TERM_RAN] = {
		"The term of {*0} ({1}) ran from {2} to {3}.",
		"{*0} ({1}): срок полномочий длился с {2} по {3}.",
		"{*0}（{1}）的任期自{2}至{3}。"},
	/* {0} is the term in words: "three-year", "три года", "三年". */
	[M_TERM_RULE] = {
		"A Secretary-General serves one {0} term, which is not renewed.",
		"Генеральный секретарь назначается на один срок — {0}, без продления.",
		"秘书长任期{0}，只任一届，不得连任。"},
	[M_TERM_RULE_RENEWABLE] = {
		"A term is {0} and may be renewed.",
		"Срок полномочий — {0}, его можно продлить.",
		"任期{0}，可以连任。"},
	[M_APPOINTED] = {
		"Appointed on {0} {1}.",
		"Назначен {0} {1}.",
		"{1}于{0}任命。"},
	[M_ANNIV] = {
		"The Secretariat's {0} anniversary was on {1}; the Secretary-General then was {*2} ({3}).",
		"{0}-летие Секретариата отмечалось {1}; Генеральным секретарём тогда был {*2} ({3}).",
		"秘书处成立{0}周年是{1}，当时的秘书长是{*2}（{3}）。"},
	[M_ANNIV_FUTURE] = {
		"The Secretariat's {0} anniversary falls on {1}, within the term of {*2} ({3}), which runs to {4}.",
		"{0}-летие Секретариата придётся на {1}, на период полномочий: {*2} ({3}), срок — до {4}.",
		"秘书处成立{0}周年是{1}，届时在{*2}（{3}）的任期内，其任期至{4}。"},
	[M_ANNIV_UNKNOWN] = {
		"The Secretariat's {0} anniversary falls on {1}; who will be Secretary-General then is not in my facts.",
		"{0}-летие Секретариата придётся на {1}; кто тогда будет Генеральным секретарём, мне неизвестно.",
		"秘书处成立{0}周年是{1}；届时谁担任秘书长，我的资料中没有。"},
	[M_SOURCES] = {"Sources: {0}.", "Источники: {0}.", "来源：{0}。"},
	[M_SOURCE_ITEM] = {"{0} ({1})", "{0} ({1})", "{0}（{1}）"},
	[M_NOT_COVERED] = {
		"I'm not sure: my facts do not cover “{!0}”.",
		"Не уверен: мои сведения не охватывают вопрос «{!0}».",
		"我不确定：我的资料不涉及“{!0}”。"},
	[M_NOT_COVERED_WORDS] = {
		"I'm not sure: my facts about the SCO Secretariat say nothing about “{!0}”.",
		"Не уверен: в моих сведениях о Секретариате ШОС нет ничего о «{!0}».",
		"我不确定：我关于上合组织秘书处的资料中没有关于“{!0}”的内容。"},
	[M_UNDERSTOOD] = {"I understood: {0}.", "Я понял: {0}.", "我理解的部分：{0}。"},
	[M_CLOSEST_COMMANDS] = {"Closest commands: ", "Ближайшие команды: ", "最接近的命令："},
	[M_WORD_SG] = {"Secretary-General", "генеральный секретарь", "秘书长"},
	[M_WORD_SECRETARIAT] = {"the Secretariat", "Секретариат", "秘书处"},
	[M_WORD_SCO] = {"the SCO", "ШОС", "上合组织"},
	[M_COUNT_SGS] = {
		"{0} people have been Secretary-General (or, at first, Executive Secretary) so far:",
		"Генеральными секретарями (вначале — исполнительным секретарём) на сегодня были {0} человек:",
		"迄今共有{0}人担任秘书长（最初称执行秘书）："},
};

const char *i18n(enum lang lang, enum msg m)
{
	if (lang < 0 || lang >= LANG_COUNT)
		lang = LANG_EN;
	if (m < 0 || m >= M_COUNT || !table[m][lang])
		return "";
	return table[m][lang];
}
