/* match.c: vocabulary, typo correction, Chinese segmentation and BM25 search.
 * Builds its indexes once in match_build(); match_analyze() then only reads
 * them and writes into the caller's struct analysis. */
#include "core/match.h"

#include <math.h>
#include <string.h>

#include "util/utf8.h"

struct phrase {
	enum concept c;
	const char *text;
};

/* Synonyms per idea in all three languages. Russian entries are stemmed at
 * build time, so one form covers the inflections (генсек, генсека, генсеком). */
static const struct phrase phrases[] = {
	/* The Secretary-General and the words people use for the post. */
	{C_SG, "secretary general"}, {C_SG, "secretary-general"}, {C_SG, "secretaries general"},
	{C_SG, "secretaries-general"}, {C_SG, "sg"}, {C_SG, "sgs"}, {C_SG, "secgen"},
	{C_SG, "head"}, {C_SG, "heads"}, {C_SG, "chief"}, {C_SG, "leader"}, {C_SG, "leaders"},
	{C_SG, "led"}, {C_SG, "lead"}, {C_SG, "leads"}, {C_SG, "boss"}, {C_SG, "director"},
	{C_SG, "in charge"}, {C_SG, "secretary"}, {C_SG, "held the post"}, {C_SG, "post"},
	{C_SG, "генсек"}, {C_SG, "генеральный секретарь"}, {C_SG, "секретарь"},
	{C_SG, "глава"}, {C_SG, "руководитель"}, {C_SG, "руководил"}, {C_SG, "возглавлял"},
	{C_SG, "возглавляет"}, {C_SG, "начальник"}, {C_SG, "лидер"}, {C_SG, "пост"},
	{C_SG, "должность"},
	{C_SG, "秘书长"}, {C_SG, "领导人"}, {C_SG, "负责人"}, {C_SG, "领导"}, {C_SG, "首脑"},
	{C_SG, "担任"}, {C_SG, "任职"},
	{C_EXEC_SEC, "executive secretary"}, {C_EXEC_SEC, "исполнительный секретарь"},
	{C_EXEC_SEC, "执行秘书"},
	{C_SECRETARIAT, "secretariat"}, {C_SECRETARIAT, "секретариат"}, {C_SECRETARIAT, "秘书处"},
	{C_SCO, "sco"}, {C_SCO, "шос"}, {C_SCO, "上合组织"}, {C_SCO, "上合"},
	{C_SCO, "上海合作组织"}, {C_SCO, "shanghai cooperation organisation"},
	{C_SCO, "shanghai cooperation organization"}, {C_SCO, "shanghai cooperation"},
	{C_SCO, "шанхайская организация сотрудничества"}, {C_SCO, "шанхайской организации сотрудничества"},
	{C_SCO, "organisation"}, {C_SCO, "organization"}, {C_SCO, "организация"},
	{C_SCO, "组织"},
	{C_PLURAL, "secretaries general"}, {C_PLURAL, "secretaries-general"},
	{C_PLURAL, "secretaries"}, {C_PLURAL, "sgs"},

	/* Opening. */
	{C_OPEN, "open"}, {C_OPEN, "opened"}, {C_OPEN, "opening"}, {C_OPEN, "opens"},
	{C_OPEN, "inaugurated"}, {C_OPEN, "inauguration"}, {C_OPEN, "founded"},
	{C_OPEN, "established"}, {C_OPEN, "launched"}, {C_OPEN, "start"}, {C_OPEN, "started"},
	{C_OPEN, "begin"}, {C_OPEN, "began"}, {C_OPEN, "created"}, {C_OPEN, "ceremony"},
	{C_OPEN, "открытие"}, {C_OPEN, "открыт"}, {C_OPEN, "открылся"}, {C_OPEN, "открыли"},
	{C_OPEN, "открыла"}, {C_OPEN, "открывался"}, {C_OPEN, "церемония"}, {C_OPEN, "основан"},
	{C_OPEN, "создан"}, {C_OPEN, "начал работу"}, {C_OPEN, "заработал"},
	{C_OPEN, "成立"}, {C_OPEN, "开幕"}, {C_OPEN, "开幕式"}, {C_OPEN, "揭牌"}, {C_OPEN, "启动"},
	{C_OPEN, "仪式"}, {C_OPEN, "建立"}, {C_OPEN, "开始运作"}, {C_OPEN, "开放"},
	/* Attending. */
	{C_ATTEND, "attend"}, {C_ATTEND, "attended"}, {C_ATTEND, "attendees"},
	{C_ATTEND, "attendee"}, {C_ATTEND, "guests"}, {C_ATTEND, "present"},
	{C_ATTEND, "participated"}, {C_ATTEND, "participants"}, {C_ATTEND, "represented"},
	{C_ATTEND, "was at"}, {C_ATTEND, "were at"}, {C_ATTEND, "came"}, {C_ATTEND, "come"},
	{C_ATTEND, "присутствовал"}, {C_ATTEND, "присутствовали"}, {C_ATTEND, "участник"},
	{C_ATTEND, "участвовал"}, {C_ATTEND, "гость"}, {C_ATTEND, "пришел"},
	{C_ATTEND, "представлял"}, {C_ATTEND, "был на"}, {C_ATTEND, "были на"},
	{C_ATTEND, "出席"}, {C_ATTEND, "参加"}, {C_ATTEND, "出席者"}, {C_ATTEND, "嘉宾"},
	{C_ATTEND, "到场"}, {C_ATTEND, "代表"},
	/* Staff. */
	{C_STAFF, "staff"}, {C_STAFF, "officials"},
	{C_STAFF, "employees"}, {C_STAFF, "employ"}, {C_STAFF, "personnel"},
	{C_STAFF, "workers"}, {C_STAFF, "people work"}, {C_STAFF, "technical staff"},
	{C_STAFF, "quota"}, {C_STAFF, "quotas"}, {C_STAFF, "hired"},
	{C_STAFF, "сотрудник"}, {C_STAFF, "персонал"}, {C_STAFF, "штат"},
	{C_STAFF, "должностные лица"}, {C_STAFF, "должностных лиц"}, {C_STAFF, "работник"},
	{C_STAFF, "квота"}, {C_STAFF, "职员"}, {C_STAFF, "工作人员"}, {C_STAFF, "官员"},
	{C_STAFF, "人员"}, {C_STAFF, "雇员"}, {C_STAFF, "配额"}, {C_STAFF, "技术人员"},
	{C_COUNT_WORD, "how many"}, {C_COUNT_WORD, "number of"}, {C_COUNT_WORD, "count"},
	{C_COUNT_WORD, "сколько"}, {C_COUNT_WORD, "число"}, {C_COUNT_WORD, "количество"},
	{C_COUNT_WORD, "多少"}, {C_COUNT_WORD, "几个"}, {C_COUNT_WORD, "几位"},
	{C_COUNT_WORD, "几名"}, {C_COUNT_WORD, "数量"},
	/* Departments and functions. */
	{C_DEPT, "department"}, {C_DEPT, "departments"}, {C_DEPT, "dept"}, {C_DEPT, "depts"},
	{C_DEPT, "division"}, {C_DEPT, "divisions"}, {C_DEPT, "units"}, {C_DEPT, "structure"},
	{C_DEPT, "отдел"}, {C_DEPT, "департамент"}, {C_DEPT, "подразделение"},
	{C_DEPT, "структура"}, {C_DEPT, "部门"}, {C_DEPT, "司"}, {C_DEPT, "机构设置"},
	{C_FUNC, "function"}, {C_FUNC, "functions"}, {C_FUNC, "role"}, {C_FUNC, "tasks"},
	{C_FUNC, "purpose"}, {C_FUNC, "responsibilities"}, {C_FUNC, "duties"},
	{C_FUNC, "job"}, {C_FUNC, "depository"}, {C_FUNC, "coordinate"},
	{C_FUNC, "coordinates"}, {C_FUNC, "support"},
	{C_FUNC, "функция"}, {C_FUNC, "задача"}, {C_FUNC, "роль"}, {C_FUNC, "занимается"},
	{C_FUNC, "делает"}, {C_FUNC, "обязанности"}, {C_FUNC, "депозитарий"},
	{C_FUNC, "职能"}, {C_FUNC, "作用"}, {C_FUNC, "任务"}, {C_FUNC, "职责"},
	{C_FUNC, "做什么"}, {C_FUNC, "负责什么"}, {C_FUNC, "保存"},
	{C_DO, "do"}, {C_DO, "does"}, {C_WORK, "work"}, {C_WORK, "works"},
	/* How the Secretary-General is chosen. */
	{C_APPOINT, "appointed"}, {C_APPOINT, "appoint"}, {C_APPOINT, "appointment"},
	{C_APPOINT, "approved"}, {C_APPOINT, "approve"}, {C_APPOINT, "chosen"},
	{C_APPOINT, "choose"}, {C_APPOINT, "elected"}, {C_APPOINT, "selected"},
	{C_APPOINT, "proposed"}, {C_APPOINT, "nominated"}, {C_APPOINT, "picked"},
	{C_APPOINT, "назначается"}, {C_APPOINT, "назначают"}, {C_APPOINT, "назначение"},
	{C_APPOINT, "утверждается"}, {C_APPOINT, "утверждает"}, {C_APPOINT, "избирается"},
	{C_APPOINT, "выбирают"}, {C_APPOINT, "выдвигает"},
	{C_APPOINT, "任命"}, {C_APPOINT, "批准"}, {C_APPOINT, "产生"}, {C_APPOINT, "提名"},
	{C_APPOINT, "选出"}, {C_APPOINT, "推选"},
	{C_REPR, "permanent representatives"}, {C_REPR, "permanent representative"},
	{C_REPR, "representatives"}, {C_REPR, "reps"}, {C_REPR, "rep"},
	{C_REPR, "representative"}, {C_REPR, "постоянные представители"},
	{C_REPR, "представитель"}, {C_REPR, "常驻代表"},
	{C_MESSAGE, "message"}, {C_MESSAGE, "send"}, {C_MESSAGE, "sent"},
	{C_MESSAGE, "greetings"}, {C_MESSAGE, "congratulate"}, {C_MESSAGE, "messages"}, {C_MESSAGE, "congratulatory"},
	{C_MESSAGE, "congratulations"}, {C_MESSAGE, "congratulated"},
	{C_MESSAGE, "поздравление"}, {C_MESSAGE, "поздравительные"}, {C_MESSAGE, "послание"},
	{C_MESSAGE, "贺电"}, {C_MESSAGE, "贺信"}, {C_MESSAGE, "祝贺"}, {C_MESSAGE, "贺词"},
	/* Relations between terms. */
	{C_SUCC, "succeeded"}, {C_SUCC, "succeed"}, {C_SUCC, "successor"}, {C_SUCC, "after"},
	{C_SUCC, "next"}, {C_SUCC, "replaced"}, {C_SUCC, "followed"}, {C_SUCC, "came after"},
	{C_SUCC, "сменил"}, {C_SUCC, "преемник"}, {C_SUCC, "после"}, {C_SUCC, "следующий"},
	{C_SUCC, "заменил"},
	{C_SUCC, "接替"}, {C_SUCC, "继任"}, {C_SUCC, "继任者"}, {C_SUCC, "之后"}, {C_SUCC, "接任"},
	{C_SUCC, "下一任"},
	{C_PREC, "preceded"}, {C_PREC, "precede"}, {C_PREC, "predecessor"}, {C_PREC, "before"},
	{C_PREC, "previous"}, {C_PREC, "prior"}, {C_PREC, "предшественник"}, {C_PREC, "до"},
	{C_PREC, "перед"}, {C_PREC, "предыдущий"}, {C_PREC, "前任"}, {C_PREC, "之前"},
	{C_PREC, "上一任"},
	{C_FIRST, "first"}, {C_FIRST, "initial"}, {C_FIRST, "original"}, {C_FIRST, "inaugural"},
	{C_FIRST, "первый"}, {C_FIRST, "первым"}, {C_FIRST, "首任"}, {C_FIRST, "第一"},
	{C_FIRST, "第一任"}, {C_FIRST, "首位"},
	{C_CURRENT, "current"}, {C_CURRENT, "currently"}, {C_CURRENT, "now"}, {C_CURRENT, "today"},
	{C_CURRENT, "incumbent"}, {C_CURRENT, "present"}, {C_CURRENT, "is"},
	{C_CURRENT, "сейчас"}, {C_CURRENT, "текущий"}, {C_CURRENT, "нынешний"},
	{C_CURRENT, "действующий"}, {C_CURRENT, "теперь"}, {C_CURRENT, "现任"},
	{C_CURRENT, "现在"}, {C_CURRENT, "目前"}, {C_CURRENT, "当前"}, {C_CURRENT, "如今"},
	{C_LAST, "last"}, {C_LAST, "latest"}, {C_LAST, "newest"}, {C_LAST, "most recent"},
	{C_LAST, "последний"}, {C_LAST, "最后"}, {C_LAST, "最新"}, {C_LAST, "最近"},
	{C_LIST, "all"}, {C_LIST, "list"}, {C_LIST, "every"}, {C_LIST, "ever"},
	{C_LIST, "history"}, {C_LIST, "все"}, {C_LIST, "список"}, {C_LIST, "всех"},
	{C_LIST, "перечисли"}, {C_LIST, "所有"}, {C_LIST, "历任"}, {C_LIST, "历届"}, {C_LIST, "列表"},
	{C_LIST, "哪些"},
	{C_WHEN, "when"}, {C_WHEN, "date"}, {C_WHEN, "what year"}, {C_WHEN, "когда"},
	{C_WHEN, "дата"}, {C_WHEN, "什么时候"}, {C_WHEN, "何时"}, {C_WHEN, "哪一年"},
	{C_WHEN, "日期"}, {C_WHEN, "哪年"},
	{C_WHERE, "where"}, {C_WHERE, "city"}, {C_WHERE, "place"}, {C_WHERE, "где"},
	{C_WHERE, "город"}, {C_WHERE, "哪里"}, {C_WHERE, "在哪"}, {C_WHERE, "地点"},
	{C_WHERE, "哪儿"},
	{C_WHO, "who"}, {C_WHO, "whom"}, {C_WHO, "whose"}, {C_WHO, "name"}, {C_WHO, "кто"},
	{C_WHO, "кого"}, {C_WHO, "谁"}, {C_WHO, "是谁"}, {C_WHO, "哪位"},
	{C_MINISTER, "foreign minister"}, {C_MINISTER, "minister"}, {C_MINISTER, "ministers"},
	{C_MINISTER, "министр"}, {C_MINISTER, "министр иностранных дел"},
	{C_MINISTER, "外长"}, {C_MINISTER, "外交部长"}, {C_MINISTER, "部长"},
	{C_RENAME, "renamed"}, {C_RENAME, "transformed"}, {C_RENAME, "title"},
	{C_RENAME, "called"}, {C_RENAME, "rename"}, {C_RENAME, "переименован"},
	{C_RENAME, "преобразован"}, {C_RENAME, "название"}, {C_RENAME, "называлась"},
	{C_RENAME, "改为"}, {C_RENAME, "更名"}, {C_RENAME, "改称"}, {C_RENAME, "职位名称"},
	{C_SOURCE, "source"}, {C_SOURCE, "article"}, {C_SOURCE, "источник"},
	{C_SOURCE, "статья"}, {C_SOURCE, "来源"}, {C_SOURCE, "出处"}, {C_SOURCE, "文章"},
	{C_HELP, "help"}, {C_HELP, "помощь"}, {C_HELP, "помоги"}, {C_HELP, "帮助"},
	{C_UN, "un"}, {C_UN, "united nations"}, {C_UN, "оон"}, {C_UN, "организация объединенных наций"},
	{C_UN, "联合国"},
	{C_HELLO, "hello"}, {C_HELLO, "hi"}, {C_HELLO, "hey"}, {C_HELLO, "good morning"},
	{C_HELLO, "привет"}, {C_HELLO, "здравствуйте"}, {C_HELLO, "добрый день"},
	{C_HELLO, "你好"}, {C_HELLO, "您好"},
	{C_THANKS, "thanks"}, {C_THANKS, "thank you"}, {C_THANKS, "thx"}, {C_THANKS, "спасибо"},
	{C_THANKS, "благодарю"}, {C_THANKS, "谢谢"}, {C_THANKS, "多谢"},
	{C_ORD2, "second"}, {C_ORD2, "2nd"}, {C_ORD2, "второй"}, {C_ORD2, "第二任"}, {C_ORD2, "第二"},
	{C_ORD3, "third"}, {C_ORD3, "3rd"}, {C_ORD3, "третий"}, {C_ORD3, "第三任"}, {C_ORD3, "第三"},
	{C_ORD4, "fourth"}, {C_ORD4, "4th"}, {C_ORD4, "четвертый"}, {C_ORD4, "第四任"}, {C_ORD4, "第四"},
	{C_ORD5, "fifth"}, {C_ORD5, "5th"}, {C_ORD5, "пятый"}, {C_ORD5, "第五任"}, {C_ORD5, "第五"},
	{C_ORD6, "sixth"}, {C_ORD6, "6th"}, {C_ORD6, "шестой"}, {C_ORD6, "第六任"}, {C_ORD6, "第六"},
	{C_ORD7, "seventh"}, {C_ORD7, "7th"}, {C_ORD7, "седьмой"}, {C_ORD7, "第七任"}, {C_ORD7, "第七"},
	/* Terms of office, time and place (issue 13). */
	{C_TERM, "term"}, {C_TERM, "terms"}, {C_TERM, "tenure"}, {C_TERM, "mandate"},
	{C_TERM, "term of office"}, {C_TERM, "срок"}, {C_TERM, "срок полномочий"},
	{C_TERM, "полномочия"}, {C_TERM, "каденция"}, {C_TERM, "任期"}, {C_TERM, "届"},
	{C_END, "end"}, {C_END, "ends"}, {C_END, "ending"}, {C_END, "expire"},
	{C_END, "expires"}, {C_END, "until"}, {C_END, "leave office"}, {C_END, "step down"},
	{C_END, "finish"}, {C_END, "до какого года"}, {C_END, "до какого"},
	{C_END, "до каких пор"}, {C_END, "по какой"}, {C_END, "закончится"}, {C_END, "заканчивается"},
	{C_END, "истекает"}, {C_END, "истечет"}, {C_END, "окончание"}, {C_END, "уйдет"},
	{C_END, "结束"}, {C_END, "到期"}, {C_END, "届满"}, {C_END, "卸任"}, {C_END, "离任"},
	{C_RENEW, "renew"}, {C_RENEW, "renewed"}, {C_RENEW, "renewable"}, {C_RENEW, "renewal"},
	{C_RENEW, "extend"}, {C_RENEW, "extended"}, {C_RENEW, "extension"},
	{C_RENEW, "re-elected"}, {C_RENEW, "reelected"}, {C_RENEW, "re-appointed"},
	{C_RENEW, "reappointed"}, {C_RENEW, "second term"}, {C_RENEW, "продлен"},
	{C_RENEW, "продлить"}, {C_RENEW, "продление"}, {C_RENEW, "переизбрать"},
	{C_RENEW, "переизбран"}, {C_RENEW, "второй срок"}, {C_RENEW, "повторно"},
	{C_RENEW, "连任"}, {C_RENEW, "延长"}, {C_RENEW, "续任"}, {C_RENEW, "连选连任"},
	{C_LENGTH, "how long"}, {C_LENGTH, "length"}, {C_LENGTH, "duration"},
	{C_LENGTH, "how many years"}, {C_LENGTH, "long"}, {C_LENGTH, "долго"},
	{C_LENGTH, "длится"}, {C_LENGTH, "продолжительность"}, {C_LENGTH, "сколько лет"},
	{C_LENGTH, "на сколько лет"}, {C_LENGTH, "多长"}, {C_LENGTH, "多久"}, {C_LENGTH, "几年"},
	{C_STILL, "still"}, {C_STILL, "все еще"}, {C_STILL, "всё ещё"}, {C_STILL, "по-прежнему"},
	{C_STILL, "до сих пор"}, {C_STILL, "仍然"}, {C_STILL, "还是"}, {C_STILL, "依然"},
	{C_STILL, "至今"}, {C_STILL, "仍"},
	{C_ANNIV, "anniversary"}, {C_ANNIV, "turned"}, {C_ANNIV, "birthday"}, {C_ANNIV, "jubilee"}, {C_ANNIV, "turned ten"},
	{C_ANNIV, "turned twenty"}, {C_ANNIV, "годовщина"}, {C_ANNIV, "юбилей"},
	{C_ANNIV, "летие"}, {C_ANNIV, "周年"},
	{C_HOST, "host"}, {C_HOST, "hosts"}, {C_HOST, "hosting"}, {C_HOST, "host country"},
	{C_HOST, "принимающая"}, {C_HOST, "принимает"}, {C_HOST, "东道国"},
	{C_HOST, "东道主"}, {C_HOST, "所在国"},
	{C_LOCATED, "located"}, {C_LOCATED, "based"}, {C_LOCATED, "seat"},
	{C_LOCATED, "headquarters"}, {C_LOCATED, "headquartered"}, {C_LOCATED, "hq"},
	{C_LOCATED, "находится"}, {C_LOCATED, "расположен"}, {C_LOCATED, "штаб-квартира"},
	{C_LOCATED, "位于"}, {C_LOCATED, "设在"}, {C_LOCATED, "总部"}, {C_LOCATED, "所在地"},
	/* Words found missing by the labelled question set (tests/qa): each makes
	 * a real question understood instead of "not sure". */
	{C_ROTATE, "rotation"}, {C_ROTATE, "rotate"}, {C_ROTATE, "rotates"},
	{C_ROTATE, "rotating"}, {C_ROTATE, "alphabetical"}, {C_ROTATE, "alphabet"},
	{C_ROTATE, "ротация"}, {C_ROTATE, "ротируется"}, {C_ROTATE, "ротации"},
	{C_ROTATE, "по очереди"}, {C_ROTATE, "алфавит"}, {C_ROTATE, "轮换"},
	{C_ROTATE, "轮流"}, {C_ROTATE, "字母"},
	{C_CITY, "moscow"}, {C_CITY, "beijing"}, {C_CITY, "peking"}, {C_CITY, "astana"},
	{C_CITY, "tashkent"}, {C_CITY, "bishkek"}, {C_CITY, "dushanbe"}, {C_CITY, "new delhi"},
	{C_CITY, "delhi"}, {C_CITY, "islamabad"}, {C_CITY, "tehran"}, {C_CITY, "minsk"},
	{C_CITY, "shanghai"}, {C_CITY, "almaty"}, {C_CITY, "москва"}, {C_CITY, "пекин"},
	{C_CITY, "астана"}, {C_CITY, "ташкент"}, {C_CITY, "бишкек"}, {C_CITY, "душанбе"},
	{C_CITY, "шанхай"}, {C_CITY, "алматы"}, {C_CITY, "минск"}, {C_CITY, "莫斯科"},
	{C_CITY, "北京"}, {C_CITY, "阿斯塔纳"}, {C_CITY, "塔什干"}, {C_CITY, "比什凯克"},
	{C_CITY, "杜尚别"}, {C_CITY, "上海"}, {C_CITY, "新德里"}, {C_CITY, "明斯克"},
	{C_SG, "runs"}, {C_SG, "run"}, {C_SG, "рулит"}, {C_SG, "руководит"}, {C_SG, "управляет"},
	{C_CURRENT, "these days"}, {C_CURRENT, "nowadays"}, {C_CURRENT, "at the moment"},
	{C_CURRENT, "right now"}, {C_CURRENT, "щас"}, {C_CURRENT, "на данный момент"},
	{C_LOCATED, "location"}, {C_LOCATED, "sits"}, {C_LOCATED, "сидит"},
	{C_LOCATED, "в какой стране"}, {C_LOCATED, "哪个国家"}, {C_LOCATED, "在哪里"},
	{C_OPEN, "set up"}, {C_OPEN, "setup"}, {C_OPEN, "проходила"},
	{C_FUNC, "secretariat for"}, {C_FUNC, "keep"}, {C_FUNC, "keeps"}, {C_FUNC, "store"},
	{C_FUNC, "stores"}, {C_FUNC, "checks"}, {C_FUNC, "check"}, {C_FUNC, "deal with"},
	{C_FUNC, "deals with"}, {C_FUNC, "хранит"}, {C_FUNC, "хранение"}, {C_FUNC, "干什么"},
	{C_FUNC, "干嘛"}, {C_FUNC, "负责"}, {C_FUNC, "文件"}, {C_FUNC, "条约"},
	{C_FUNC, "鉴定"}, {C_FUNC, "法律鉴定"},
	{C_STAFF, "recruited"}, {C_STAFF, "recruit"}, {C_STAFF, "recruits"}, {C_STAFF, "hire"},
	{C_STAFF, "сколько человек"}, {C_STAFF, "набирают"}, {C_STAFF, "набор"},
	{C_STAFF, "选派"}, {C_STAFF, "招"}, {C_STAFF, "招聘"}, {C_STAFF, "多少人"},
	{C_APPOINT, "approves"}, {C_APPOINT, "appoints"}, {C_APPOINT, "chooses"},
	{C_APPOINT, "назначили"}, {C_APPOINT, "назначил"}, {C_APPOINT, "назначен"},
	{C_APPOINT, "назначает"}, {C_APPOINT, "назначат"}, {C_APPOINT, "по чьему представлению"},
	{C_APPOINT, "представлению"},
	{C_ANNIV, "двадцатилетие"}, {C_ANNIV, "десятилетие"}, {C_ANNIV, "летию"},
	{C_MESSAGE, "поздравил"}, {C_MESSAGE, "поздравили"}, {C_MESSAGE, "присылал"},
	{C_MESSAGE, "прислал"}, {C_MESSAGE, "направил"}, {C_MESSAGE, "发来"}, {C_MESSAGE, "发"},
	{C_SUCC, "на смену"}, {C_SUCC, "replace"}, {C_SUCC, "replaces"}, {C_SUCC, "придет после"},
	{C_SUCC, "之后谁"},
	{C_COUNT_WORD, "кол-во"}, {C_COUNT_WORD, "кол во"}, {C_COUNT_WORD, "一共"},
	{C_COUNT_WORD, "几任"}, {C_COUNT_WORD, "多少任"},
	{C_LIST, "列出"}, {C_LIST, "列举"}, {C_LIST, "哪几任"}, {C_LIST, "有哪些"},
	{C_DEPT, "下设"},
	{C_RENAME, "叫什么"}, {C_RENAME, "以前叫"},
	{C_WHEN, "哪一天"}, {C_WHEN, "哪天"},
	{C_TERM, "上任"}, {C_TERM, "就任"},
	{C_ATTEND, "派"}, {C_WHERE, "峰会"}, {C_WHERE, "哪次峰会"}, {C_APPOINT, "上任命"},
	{C_RENEW, "again"}, {C_RENEW, "serve again"},
	{C_STAFF, "hires"}, {C_STAFF, "hiring"}, {C_FUNC, "responsible"},
	{C_FUNC, "responsible for"}, {C_FUNC, "responsibility"}, {C_FUNC, "responsibilities"},
	{C_MEMBERS, "member states"}, {C_MEMBERS, "members"}, {C_MEMBERS, "member"},
	{C_MEMBERS, "member countries"}, {C_MEMBERS, "государства-члены"},
	{C_MEMBERS, "члены"}, {C_MEMBERS, "член"}, {C_MEMBERS, "входят"}, {C_MEMBERS, "成员国"},
	{C_MEMBERS, "成员"},
	{C_EVENT, "happened"}, {C_EVENT, "happen"}, {C_EVENT, "случилось"},
	{C_EVENT, "произошло"}, {C_EVENT, "发生"},
	{C_TERM, "in office"}, {C_TERM, "at the helm"}, {C_TERM, "на посту"},
	{C_TERM, "в должности"}, {C_TERM, "在任"}, {C_TERM, "任内"},
	{C_RENEW, "two terms"}, {C_RENEW, "два срока"}, {C_RENEW, "两届"}, {C_RENEW, "两个任期"},
	{C_DO, "чем занимался"}, {C_DO, "чем занимается"},
	{C_YEAR_WORD, "year"}, {C_YEAR_WORD, "years"}, {C_YEAR_WORD, "год"}, {C_YEAR_WORD, "году"},
	{C_YEAR_WORD, "г"}, {C_YEAR_WORD, "гг"}, {C_YEAR_WORD, "年"},
};

/* Words that carry no topic: never typo-corrected, ignored when judging how
 * much of a question a fact covers. */
static const char *const stop_words[] = {
	"a", "an", "the", "is", "was", "were", "are", "be", "been", "who", "what", "when",
	"where", "which", "how", "many", "much", "did", "does", "do", "of", "in", "on",
	"at", "to", "for", "by", "with", "from", "and", "or", "it", "its", "this", "that",
	"there", "their", "they", "he", "she", "his", "her", "i", "you", "me", "my", "your",
	"about", "please", "tell", "us", "can", "could", "would", "will", "has", "have",
	"had", "any", "some", "whom", "whose", "as", "than", "then", "so", "if", "not",
	"no", "yes", "hi", "hello", "hey", "ok", "thanks", "know", "give", "show", "list",
	"name", "names", "year", "years", "one", "ones", "s", "held", "hold", "holds",
	"кто", "что", "когда", "где", "как", "какой", "какая", "какие", "сколько", "был",
	"была", "были", "было", "есть", "в", "во", "на", "с", "со", "о", "об", "и", "или",
	"а", "это", "этот", "эта", "его", "ее", "их", "он", "она", "они", "я", "мне",
	"скажи", "скажите", "расскажи", "пожалуйста", "ли", "же", "бы", "у", "по", "до",
	"для", "из", "за", "от", "при", "году", "год", "г", "гг", "такой", "чем",
	"的", "了", "是", "在", "谁", "吗", "呢", "什么", "哪", "有", "和", "与", "年", "请",
	"个", "位", "名", "那", "这", "我", "你", "他", "中", "时", "多",
	/* Fillers and function words people wrap a question in; they count as
	 * understood when scobot checks that every word of a question is. */
	"pls", "plz", "want", "wanna", "need", "should", "might", "may", "must", "shall",
	"done", "here", "right", "exactly", "actually", "really", "just", "also", "again",
	"so", "far", "yet", "bot", "scobot", "guys", "kindly", "oh", "um", "well", "like",
	"get", "got", "let", "lets", "m", "re", "ve", "ll", "d", "t", "th", "st", "nd", "rd",
	"okay", "thank", "dear", "sir", "quick", "question", "wondering", "wonder", "curious",
	"remind", "anyone", "anybody", "someone", "somebody", "does", "didn", "doesn", "isn",
	"wasn", "don", "whats", "whos", "wheres", "hows", "u", "ur", "we", "our", "them",
	"these", "those", "into", "over", "during", "while", "since", "upon", "same", "other",
	"else", "only", "very", "too", "more", "most", "out", "up", "way", "ago", "back",
	"holding", "serve", "served", "serving", "become",
	"became", "becomes", "take", "took", "taken", "office", "position",
	"person", "people", "guy", "man", "exact", "full", "complete", "official",
	"а", "ну", "вот", "бот", "слушай", "подскажи", "подскажите", "скажите", "расскажите",
	"знаешь", "знаете", "можешь", "можете", "хочу", "хотел", "хотела", "узнать",
	"интересно", "плиз", "нам", "вы", "ты", "то", "тот", "каким", "кому", "чего",
	"будет", "является", "являлся", "стал", "станет", "занимал", "занимает",
	"работает", "работал", "был", "кем", "какого", "каком", "которые", "который",
	"сейчас", "уже", "ещё", "еще", "тоже", "также", "вообще", "именно", "точно", "всего",
	"щас", "теперь", "тогда", "там", "тут", "здесь", "этой", "этом", "этого",
	"请问", "告诉", "想", "知道", "一下", "呀", "啊", "吧", "吗", "嘛", "呗", "啦", "哦",
	"么", "能", "可以", "会", "一", "二", "三", "四", "五", "六", "七", "八", "九", "十",
	"两", "月", "日", "号", "到", "从", "于", "及", "对", "给", "被", "把", "由", "都",
	"也", "还", "就", "才", "又", "再", "最", "很", "当时", "那时", "时候", "期间", "过",
	"着", "哪个", "们", "人", "当", "做", "叫", "称", "请教",
	"january", "february", "march", "april", "june", "july", "august", "september",
	"october", "november", "december", "jan", "feb", "mar", "apr", "jun", "jul", "aug",
	"sep", "sept", "oct", "nov", "dec", "between", "always", "signed", "legally", "days",
	"январе", "феврале", "марте", "апреле", "мае", "июне", "июле", "августе", "сентябре",
	"октябре", "ноябре", "декабре", "январь", "декабрь", "можно", "откуда", "про",
	"раньше", "м", "й", "го", "х", "мы", "проходило", "прошла", "состоялась",
	"曾", "任", "曾任", "出过", "籍", "来自", "国", "国家", "介绍", "次", "上", "里",
	"举行", "举办", "进行", "没有", "有没有", "怎么", "怎样", "如何", "职位", "以前",
	"政治", "经济", "人文", "信息", "分析", "行政", "法律", "国际", "关系",
	"事务", "天", "现",
};

static uint32_t hash_bytes(const char *s, size_t len)
{
	uint32_t h = 2166136261u; /* FNV-1a: short keys, no adversary controls the table */
	for (size_t i = 0; i < len; i++) {
		h ^= (unsigned char)s[i];
		h *= 16777619u;
	}
	return h;
}

/* Normalises a phrase into the key form used by every look-up: tokens joined
 * by single spaces, Cyrillic tokens stemmed. Returns the token count. */
static size_t key_form(const char *in, size_t len, char *out, size_t size, size_t *ret_len)
{
	char norm[512];
	struct token tok[8];
	size_t n = text_tokenize(in, len, norm, sizeof(norm), tok, 8), o = 0;
	for (size_t k = 0; k < n; k++) {
		char *t = norm + tok[k].off;
		size_t tl = tok[k].len;
		if (tok[k].script == TOK_CYR)
			tl = text_stem_ru(t, tl);
		if (o + tl + 2 > size)
			break;
		if (k)
			out[o++] = ' ';
		memcpy(out + o, t, tl);
		o += tl;
	}
	out[o] = '\0';
	*ret_len = o;
	return n;
}

struct vbuild {
	struct vocab_entry *v;
	size_t n, cap;
};

static void vocab_add(struct engine *e, struct vbuild *vb, const char *phrase,
                      enum vocab_kind kind, size_t id)
{
	char key[256];
	size_t len;
	size_t ntok = key_form(phrase, strlen(phrase), key, sizeof(key), &len);
	if (len == 0)
		return;
	uint32_t h = hash_bytes(key, len);
	for (size_t i = 0; i < vb->n; i++) /* build time only: a few hundred entries */
		if (vb->v[i].hash == h && vb->v[i].kind == kind && vb->v[i].id == id &&
		    vb->v[i].len == len && memcmp(vb->v[i].key, key, len) == 0)
			return;
	if (vb->n == vb->cap) {
		size_t cap = vb->cap ? vb->cap * 2 : 512;
		struct vocab_entry *nv = arena_array(&e->arena, cap, sizeof(*nv));
		if (vb->n)
			memcpy(nv, vb->v, vb->n * sizeof(*nv));
		vb->v = nv;
		vb->cap = cap;
	}
	struct vocab_entry *ve = &vb->v[vb->n++];
	ve->key = arena_strndup(&e->arena, key, len);
	ve->len = (uint16_t)len;
	ve->hash = h;
	ve->kind = (uint8_t)kind;
	ve->ntok = (uint8_t)ntok;
	ve->id = (uint16_t)id;
	size_t z = 0;
	if (ntok == 1 && utf8_is_han(utf8_next(key, len, &z))) {
		size_t chars = utf8_count(key, len);
		if (chars > e->max_han_chars)
			e->max_han_chars = chars;
	}
}

static void vocab_add_aliases(struct engine *e, struct vbuild *vb,
                              const struct fact_aliases *al, enum vocab_kind kind, size_t id)
{
	for (int l = 0; l < LANG_COUNT; l++)
		for (size_t k = 0; k < al[l].n; k++)
			vocab_add(e, vb, al[l].v[k], kind, id);
}

static void vocab_add_l10n(struct engine *e, struct vbuild *vb, const struct l10n *t,
                           enum vocab_kind kind, size_t id)
{
	for (int l = 0; l < LANG_COUNT; l++)
		if (t->s[l])
			vocab_add(e, vb, t->s[l], kind, id);
}

/* Looks up an exact key; calls back for each entry. */
static const struct vocab_entry *vocab_first(const struct engine *e, const char *key,
                                             size_t len)
{
	uint32_t h = hash_bytes(key, len);
	for (int32_t i = e->vslot[h & (e->nvslot - 1)]; i >= 0; i = e->vocab[i].next)
		if (e->vocab[i].hash == h && e->vocab[i].len == len &&
		    memcmp(e->vocab[i].key, key, len) == 0)
			return &e->vocab[i];
	return NULL;
}

static const struct vocab_entry *vocab_next(const struct engine *e,
                                            const struct vocab_entry *ve)
{
	for (int32_t i = ve->next; i >= 0; i = e->vocab[i].next)
		if (e->vocab[i].hash == ve->hash && e->vocab[i].len == ve->len &&
		    memcmp(e->vocab[i].key, ve->key, ve->len) == 0)
			return &e->vocab[i];
	return NULL;
}

/* Known words for typo correction. */
struct kbuild {
	const char **v;
	size_t n, cap;
};

static void known_add_tokens(struct engine *e, struct kbuild *kb, const char *s)
{
	char norm[2048];
	struct token tok[TEXT_MAX_TOKENS];
	size_t n = text_tokenize(s, strlen(s), norm, sizeof(norm), tok, TEXT_MAX_TOKENS);
	for (size_t k = 0; k < n; k++) {
		if (tok[k].script != TOK_LATIN && tok[k].script != TOK_CYR)
			continue;
		char *t = norm + tok[k].off;
		size_t tl = tok[k].len;
		if (tok[k].script == TOK_CYR)
			tl = text_stem_ru(t, tl);
		if (utf8_count(t, tl) < 3)
			continue;
		bool dup = false;
		for (size_t i = 0; i < kb->n && !dup; i++)
			dup = strlen(kb->v[i]) == tl && memcmp(kb->v[i], t, tl) == 0;
		if (dup)
			continue;
		if (kb->n == kb->cap) {
			size_t cap = kb->cap ? kb->cap * 2 : 1024;
			const char **nv = arena_array(&e->arena, cap, sizeof(*nv));
			if (kb->n)
				memcpy(nv, kb->v, kb->n * sizeof(*nv));
			kb->v = nv;
			kb->cap = cap;
		}
		kb->v[kb->n++] = arena_strndup(&e->arena, t, tl);
	}
}

/* --- Word sets --------------------------------------------------------- */

static void set_build(struct engine *e, const char **words, size_t n, const char ***ret_slots,
                      size_t *ret_n)
{
	size_t ns = 16;
	while (ns < n * 2 + 1)
		ns <<= 1;
	const char **slot = arena_array(&e->arena, ns, sizeof(*slot));
	for (size_t i = 0; i < n; i++) {
		size_t len = strlen(words[i]);
		size_t h = hash_bytes(words[i], len) & (ns - 1);
		while (slot[h] && strcmp(slot[h], words[i]) != 0)
			h = (h + 1) & (ns - 1);
		slot[h] = words[i];
	}
	*ret_slots = slot;
	*ret_n = ns;
}

static bool set_has(const char *const *slot, size_t ns, const char *t, size_t len)
{
	if (!slot)
		return false;
	size_t h = hash_bytes(t, len) & (ns - 1);
	while (slot[h]) {
		if (strncmp(slot[h], t, len) == 0 && slot[h][len] == '\0')
			return true;
		h = (h + 1) & (ns - 1);
	}
	return false;
}

/* --- Search index --------------------------------------------------------- */

#define TERM_MAX_BYTES 64

/* Emits the search terms of a text: Latin and Cyrillic words (stemmed), and for
 * Han runs every character bigram plus any dictionary word found in the run. */
typedef void (*term_fn)(void *ctx, const char *t, size_t len);

static void for_each_term(const struct engine *e, const char *s, size_t len,
                          term_fn fn, void *ctx)
{
	char norm[2 * 4096 + 64];
	struct token tok[TEXT_MAX_TOKENS];
	size_t n = text_tokenize(s, len, norm, sizeof(norm), tok, TEXT_MAX_TOKENS);
	(void)e;
	for (size_t k = 0; k < n; k++) {
		char *t = norm + tok[k].off;
		size_t tl = tok[k].len;
		if (tok[k].script == TOK_CYR)
			tl = text_stem_ru(t, tl);
		if (tok[k].script != TOK_HAN) {
			fn(ctx, t, tl);
			continue;
		}
		/* Han: bigrams (or the lone character). */
		size_t starts[TEXT_MAX_TOKEN_BYTES], ns = 0, i = 0;
		while (i < tl && ns < TEXT_MAX_TOKEN_BYTES - 1) {
			starts[ns++] = i;
			utf8_next(t, tl, &i);
		}
		starts[ns] = tl;
		if (ns == 1)
			fn(ctx, t, tl);
		for (size_t c = 0; c + 1 < ns; c++)
			fn(ctx, t + starts[c], starts[c + 2 <= ns ? c + 2 : ns] - starts[c]);
	}
}

static struct term *term_find(const struct engine *e, const char *t, size_t len)
{
	if (!e->tslot)
		return NULL;
	uint32_t h = hash_bytes(t, len);
	for (int32_t i = e->tslot[h & (e->ntslot - 1)]; i >= 0; i = e->terms[i].next)
		if (e->terms[i].hash == h && e->terms[i].len == len &&
		    memcmp(e->terms[i].key, t, len) == 0)
			return &e->terms[i];
	return NULL;
}

/* Index construction keeps (term, doc) pairs in a growable list first. */
struct pair {
	const char *t;
	uint16_t len;
	uint16_t doc;
};

struct ibuild {
	struct engine *e;
	struct pair *p;
	size_t n, cap;
	uint16_t doc;
};

static void ibuild_add(void *ctx, const char *t, size_t len)
{
	struct ibuild *ib = ctx;
	if (len == 0 || len > TERM_MAX_BYTES)
		return;
	if (ib->n == ib->cap) {
		size_t cap = ib->cap ? ib->cap * 2 : 4096;
		struct pair *np = arena_array(&ib->e->arena, cap, sizeof(*np));
		if (ib->n)
			memcpy(np, ib->p, ib->n * sizeof(*np));
		ib->p = np;
		ib->cap = cap;
	}
	ib->p[ib->n++] = (struct pair){arena_strndup(&ib->e->arena, t, len), (uint16_t)len, ib->doc};
	ib->e->docs[ib->doc].nterms++;
}

static void index_l10n(struct ibuild *ib, const struct l10n *t)
{
	for (int l = 0; l < LANG_COUNT; l++)
		if (t->s[l])
			for_each_term(ib->e, t->s[l], strlen(t->s[l]), ibuild_add, ib);
}

static void index_aliases(struct ibuild *ib, const struct fact_aliases *al)
{
	for (int l = 0; l < LANG_COUNT; l++)
		for (size_t k = 0; k < al[l].n; k++)
			for_each_term(ib->e, al[l].v[k], strlen(al[l].v[k]), ibuild_add, ib);
}

static void index_person(struct ibuild *ib, const struct fact_person *p)
{
	if (!p)
		return;
	index_l10n(ib, &p->name);
	index_aliases(ib, p->aliases);
}

static void index_country(struct ibuild *ib, const struct fact_country *c)
{
	if (!c)
		return;
	index_l10n(ib, &c->short_name);
	index_l10n(ib, &c->name);
}

static size_t pow2_at_least(size_t n)
{
	size_t p = 16;
	while (p < n)
		p <<= 1;
	return p;
}

static void build_index(struct engine *e)
{
	const struct facts *f = e->facts;
	struct ibuild ib = {.e = e};

	for (size_t i = 0; i < f->n_facts && e->ndocs < MATCH_MAX_DOCS; i++) {
		ib.doc = (uint16_t)e->ndocs;
		e->docs[e->ndocs++] = (struct doc){DOC_FACT, (uint16_t)i, 0};
		const struct fact *ft = &f->facts[i];
		index_l10n(&ib, &ft->text);
		for (size_t k = 0; k < ft->n_items; k++)
			index_l10n(&ib, &ft->items[k]);
		index_aliases(&ib, ft->keywords);
	}
	for (size_t i = 0; i < f->n_sgs && e->ndocs < MATCH_MAX_DOCS; i++) {
		ib.doc = (uint16_t)e->ndocs;
		e->docs[e->ndocs++] = (struct doc){DOC_SG, (uint16_t)i, 0};
		index_person(&ib, f->sgs[i].person);
		index_country(&ib, f->sgs[i].country);
		static const struct l10n sg_words = {{"secretary general", "генеральный секретарь", "秘书长"}};
		index_l10n(&ib, &sg_words);
	}
	for (size_t i = 0; i < f->n_attendees && e->ndocs < MATCH_MAX_DOCS; i++) {
		ib.doc = (uint16_t)e->ndocs;
		e->docs[e->ndocs++] = (struct doc){DOC_ATTENDEE, (uint16_t)i, 0};
		index_person(&ib, f->attendees[i].person);
		index_country(&ib, f->attendees[i].country);
		index_l10n(&ib, &f->attendees[i].role);
	}

	/* Group the pairs into terms with postings. Quadratic in distinct terms
	 * only at build time, over a few thousand pairs. */
	size_t total = 0;
	for (size_t d = 0; d < e->ndocs; d++)
		total += e->docs[d].nterms;
	e->avg_doc_len = e->ndocs ? (double)total / (double)e->ndocs : 1.0;

	e->ntslot = pow2_at_least(ib.n * 2 + 1);
	e->tslot = arena_array(&e->arena, e->ntslot, sizeof(*e->tslot));
	for (size_t i = 0; i < e->ntslot; i++)
		e->tslot[i] = -1;
	e->terms = arena_array(&e->arena, ib.n ? ib.n : 1, sizeof(*e->terms));
	uint32_t *counts = arena_array(&e->arena, ib.n ? ib.n : 1, sizeof(*counts));
	/* First pass: distinct terms and their posting counts (pairs of one doc are
	 * contiguous, so a new doc for a term shows as a change of doc id). */
	uint16_t *lastdoc = arena_array(&e->arena, ib.n ? ib.n : 1, sizeof(*lastdoc));
	for (size_t k = 0; k < ib.n; k++) {
		struct term *t = term_find(e, ib.p[k].t, ib.p[k].len);
		if (!t) {
			t = &e->terms[e->nterms];
			t->key = ib.p[k].t;
			t->len = ib.p[k].len;
			t->hash = hash_bytes(t->key, t->len);
			size_t s = t->hash & (e->ntslot - 1);
			t->next = e->tslot[s];
			e->tslot[s] = (int32_t)e->nterms;
			lastdoc[e->nterms] = UINT16_MAX;
			e->nterms++;
		}
		size_t ti = (size_t)(t - e->terms);
		if (lastdoc[ti] != ib.p[k].doc) {
			lastdoc[ti] = ib.p[k].doc;
			counts[ti]++;
		}
	}
	for (size_t ti = 0; ti < e->nterms; ti++) {
		e->terms[ti].post = arena_array(&e->arena, counts[ti], sizeof(struct posting));
		e->terms[ti].npost = 0;
		lastdoc[ti] = UINT16_MAX;
	}
	for (size_t k = 0; k < ib.n; k++) {
		struct term *t = term_find(e, ib.p[k].t, ib.p[k].len);
		size_t ti = (size_t)(t - e->terms);
		struct posting *post = (struct posting *)t->post;
		if (lastdoc[ti] != ib.p[k].doc) {
			lastdoc[ti] = ib.p[k].doc;
			post[t->npost++] = (struct posting){ib.p[k].doc, 0};
		}
		post[t->npost - 1].tf++;
	}
}

void match_build(struct engine *e)
{
	const struct facts *f = e->facts;
	struct vbuild vb = {0};

	for (size_t i = 0; i < sizeof(phrases) / sizeof(phrases[0]); i++)
		vocab_add(e, &vb, phrases[i].text, V_CONCEPT, phrases[i].c);
	for (size_t i = 0; i < f->n_countries; i++) {
		vocab_add_l10n(e, &vb, &f->countries[i].name, V_COUNTRY, i);
		vocab_add_l10n(e, &vb, &f->countries[i].short_name, V_COUNTRY, i);
		vocab_add_aliases(e, &vb, f->countries[i].aliases, V_COUNTRY, i);
	}
	for (size_t i = 0; i < f->n_people; i++) {
		vocab_add_l10n(e, &vb, &f->people[i].name, V_PERSON, i);
		vocab_add_aliases(e, &vb, f->people[i].aliases, V_PERSON, i);
	}
	e->commands = commands_list(&e->ncommands);
	for (size_t i = 0; i < e->ncommands; i++)
		for (const char *const *a = e->commands[i].aliases; *a; a++)
			vocab_add(e, &vb, *a, V_COMMAND, i);

	e->vocab = vb.v;
	e->nvocab = vb.n;
	e->nvslot = pow2_at_least(vb.n * 2 + 1);
	e->vslot = arena_array(&e->arena, e->nvslot, sizeof(*e->vslot));
	for (size_t i = 0; i < e->nvslot; i++)
		e->vslot[i] = -1;
	/* Insert in reverse so each chain lists entries in table order. */
	for (size_t i = vb.n; i-- > 0;) {
		size_t s = vb.v[i].hash & (e->nvslot - 1);
		vb.v[i].next = e->vslot[s];
		e->vslot[s] = (int32_t)i;
	}

	/* Known words: every vocabulary token, stop words, and fact text words. */
	struct kbuild kb = {0};
	for (size_t i = 0; i < vb.n; i++)
		/* City names are recognised but never a typo's correction: "асеан"
		 * must stay unknown, not become Astana. */
		/* Command words ("language", "search") mean nothing inside a
		 * question, so they do not make one understood. */
		if (!(vb.v[i].kind == V_CONCEPT && vb.v[i].id == C_CITY) &&
		    vb.v[i].kind != V_COMMAND)
			known_add_tokens(e, &kb, vb.v[i].key);
	for (size_t i = 0; i < sizeof(stop_words) / sizeof(stop_words[0]); i++)
		known_add_tokens(e, &kb, stop_words[i]);
	for (size_t i = 0; i < f->n_facts; i++) {
		for (int l = 0; l < LANG_COUNT; l++)
			if (f->facts[i].text.s[l])
				known_add_tokens(e, &kb, f->facts[i].text.s[l]);
		for (size_t k = 0; k < f->facts[i].n_items; k++)
			for (int l = 0; l < LANG_COUNT; l++)
				known_add_tokens(e, &kb, f->facts[i].items[k].s[l]);
	}
	size_t fill[TEXT_MAX_TOKEN_BYTES + 1] = {0};
	for (size_t i = 0; i < kb.n; i++) {
		size_t c = utf8_count(kb.v[i], strlen(kb.v[i]));
		if (c <= TEXT_MAX_TOKEN_BYTES)
			e->nknown[c]++;
	}
	for (size_t c = 0; c <= TEXT_MAX_TOKEN_BYTES; c++)
		e->known[c] = arena_array(&e->arena, e->nknown[c] ? e->nknown[c] : 1, sizeof(char *));
	for (size_t i = 0; i < kb.n; i++) {
		size_t c = utf8_count(kb.v[i], strlen(kb.v[i]));
		if (c <= TEXT_MAX_TOKEN_BYTES)
			e->known[c][fill[c]++] = kb.v[i];
	}

	set_build(e, kb.v, kb.n, &e->known_set, &e->nknown_set);
	{
		size_t nsw = sizeof(stop_words) / sizeof(stop_words[0]);
		const char **sw = arena_array(&e->arena, nsw, sizeof(*sw));
		for (size_t i = 0; i < nsw; i++) {
			char key[128];
			size_t kl;
			key_form(stop_words[i], strlen(stop_words[i]), key, sizeof(key), &kl);
			sw[i] = arena_strndup(&e->arena, key, kl);
		}
		set_build(e, sw, nsw, &e->stop_set, &e->nstop_set);
	}
	build_index(e);
}

/* --- Analysis -------------------------------------------------------------- */

static bool is_stop(const struct engine *e, const char *t, size_t len)
{
	return set_has(e->stop_set, e->nstop_set, t, len);
}

static bool is_known(const struct engine *e, const char *t, size_t len)
{
	return set_has(e->known_set, e->nknown_set, t, len);
}

/* Replaces an unknown word by the closest known one, if one is close enough
 * and no other is as close. Short words are never corrected: "sg" vs "sgs". */
/* The last code point of a UTF-8 string (continuation bytes are 10xxxxxx). */
static uint32_t last_cp(const char *s, size_t len)
{
	size_t i = len;
	while (i > 0 && ((unsigned char)s[i - 1] & 0xC0) == 0x80)
		i--;
	if (i == 0)
		return 0;
	i--;
	return utf8_next(s, len, &i);
}

static const char *correct(const struct engine *e, const char *t, size_t len)
{
	size_t c = utf8_count(t, len);
	/* Four-letter words are left alone (opec is not "open", send is not "end"),
	 * and two edits only in long words ("president" is not "present"). */
	if (c < 5 || is_known(e, t, len))
		return NULL;
	int max = c >= 10 ? 2 : 1;
	int best = max + 1;
	const char *pick = NULL;
	bool tie = false;
	size_t i0 = 0;
	uint32_t first = utf8_next(t, len, &i0), last = last_cp(t, len);
	for (size_t l = c > (size_t)max ? c - (size_t)max : 0; l <= c + (size_t)max && l <= TEXT_MAX_TOKEN_BYTES; l++)
		for (size_t i = 0; i < e->nknown[l]; i++) {
			const char *k = e->known[l][i];
			size_t kl = strlen(k), k0 = 0;
			/* One edit cannot change both the first and the last letter of a
			 * word of five or more: most candidates end here, unmeasured. */
			if (max == 1 && utf8_next(k, kl, &k0) != first && last_cp(k, kl) != last)
				continue;
			int d = text_distance(t, len, k, kl, best <= max ? best : max);
			if (d < best) {
				best = d;
				pick = k;
				tie = false;
			} else if (d == best && pick && strcmp(pick, k) != 0) {
				tie = true;
			}
		}
	if (!pick || best > max || tie)
		return NULL;
	return pick;
}

static void note_entity(struct analysis *an, const struct vocab_entry *ve)
{
	switch ((enum vocab_kind)ve->kind) {
	case V_CONCEPT:
		an->concepts |= 1ull << ve->id;
		break;
	case V_COUNTRY:
		for (size_t i = 0; i < an->ncountries; i++)
			if (an->countries[i] == ve->id)
				return;
		if (an->ncountries < MATCH_MAX_ENTITIES)
			an->countries[an->ncountries++] = ve->id;
		break;
	case V_PERSON:
		for (size_t i = 0; i < an->npersons; i++)
			if (an->persons[i] == ve->id)
				return;
		if (an->npersons < MATCH_MAX_ENTITIES)
			an->persons[an->npersons++] = ve->id;
		break;
	default:
		break;
	}
}

/* Notes every entry under key; returns whether there was any. */
static bool note_key(const struct engine *e, struct analysis *an, const char *key,
                     size_t len)
{
	const struct vocab_entry *ve = vocab_first(e, key, len);
	bool any = false;
	for (; ve; ve = vocab_next(e, ve))
		if (ve->kind != V_COMMAND) {
			note_entity(an, ve);
			any = true;
		}
	return any;
}

static void add_term(const struct engine *e, struct analysis *an, const char *t, size_t len)
{
	if (an->nterms >= MATCH_MAX_TERMS || len > TERM_MAX_BYTES)
		return;
	size_t used = an->nterms ? an->term_off[an->nterms - 1] + an->term_len[an->nterms - 1] : 0;
	if (used + len > sizeof(an->termbuf))
		return;
	memcpy(an->termbuf + used, t, len);
	an->term_off[an->nterms] = (uint16_t)used;
	an->term_len[an->nterms] = (uint16_t)len;
	an->nterms++;
	if (!is_stop(e, t, len))
		an->ncontent++;
}

struct term_sink {
	const struct engine *e;
	struct analysis *an;
};

static void add_term_cb(void *ctx, const char *t, size_t len)
{
	struct term_sink *ts = ctx;
	add_term(ts->e, ts->an, t, len);
}

/* Russian plurals of the post. Stemming folds them into the singular, so they
 * are told apart on the word as typed: "генсеки ШОС" asks for the list. */
static bool is_ru_plural(const char *t, size_t len)
{
	static const char *const forms[] = {
		"генсеки", "генсеков", "генсекам", "генсеками", "секретари", "секретарей",
		"секретарям", "руководители", "руководителей", "руководителям",
	};
	for (size_t i = 0; i < sizeof(forms) / sizeof(forms[0]); i++)
		if (strlen(forms[i]) == len && memcmp(forms[i], t, len) == 0)
			return true;
	return false;
}

static void note_unknown(struct analysis *an, const char *s, size_t len)
{
	size_t used = an->nunknown && an->nunknown <= MATCH_MAX_ENTITIES ?
		      an->unknown_off[an->nunknown - 1] + an->unknown_len[an->nunknown - 1] : 0;
	if (an->nunknown < MATCH_MAX_ENTITIES && used + len <= sizeof(an->unknown_buf)) {
		memcpy(an->unknown_buf + used, s, len);
		an->unknown_off[an->nunknown] = (uint16_t)used;
		an->unknown_len[an->nunknown] = (uint16_t)len;
		an->nunknown++;
	} else if (an->nunknown < MATCH_MAX_ENTITIES) {
		an->unknown_off[an->nunknown] = (uint16_t)used;
		an->unknown_len[an->nunknown] = 0;
		an->nunknown++;
	}
}

/* Longest-match segmentation of a Han run against the vocabulary. */
static void analyze_han(const struct engine *e, struct analysis *an, const char *t,
                        size_t len)
{
	size_t starts[TEXT_MAX_TOKEN_BYTES + 1], ns = 0, i = 0;
	while (i < len && ns < TEXT_MAX_TOKEN_BYTES) {
		starts[ns++] = i;
		utf8_next(t, len, &i);
	}
	starts[ns] = len;
	size_t c = 0;
	while (c < ns) {
		size_t maxw = e->max_han_chars < ns - c ? e->max_han_chars : ns - c;
		bool matched = false;
		for (size_t w = maxw; w >= 1; w--) {
			if (note_key(e, an, t + starts[c], starts[c + w] - starts[c])) {
				an->recognised++;
				c += w;
				matched = true;
				break;
			}
		}
		for (size_t w = maxw < 3 ? maxw : 3; !matched && w >= 1; w--) {
			/* Function words and politeness (的, 什么, 请问) carry no topic. */
			if (is_stop(e, t + starts[c], starts[c + w] - starts[c])) {
				c += w;
				matched = true;
			}
		}
		if (!matched) {
			note_unknown(an, t + starts[c], starts[c + 1] - starts[c]);
			c++;
		}
	}
	struct term_sink ts = {e, an};
	for_each_term(e, t, len, add_term_cb, &ts);
}

void match_analyze(const struct engine *e, const char *text, size_t len,
                   struct analysis *an)
{
	an->concepts = 0;
	an->nyears = an->ncountries = an->npersons = 0;
	an->corrected = false;
	an->recognised = 0;
	an->nterms = an->ncontent = 0;
	an->nunknown = 0;
	an->ntok = text_tokenize(text, len, an->norm, sizeof(an->norm), an->tok, TEXT_MAX_TOKENS);

	/* Stem and correct each word in place; numbers become years. */
	const char *w[TEXT_MAX_TOKENS];
	size_t wl[TEXT_MAX_TOKENS];
	size_t tries = 0;
	for (size_t k = 0; k < an->ntok; k++) {
		struct token *tk = &an->tok[k];
		w[k] = an->norm + tk->off;
		wl[k] = tk->len;
		if (tk->script == TOK_NUM) {
			int y;
			if (text_parse_year(w[k], wl[k], &y) && y >= FACTS_MIN_YEAR &&
			    y <= FACTS_MAX_YEAR && an->nyears < MATCH_MAX_ENTITIES) {
				an->years[an->nyears++] = y;
				an->recognised++;
			}
			continue;
		}
		if (tk->script == TOK_CYR) {
			if (is_ru_plural(w[k], wl[k]))
				an->concepts |= 1ull << C_PLURAL;
			/* Stemming writes a NUL into norm; keep the word as typed for
			 * naming it back if it turns out to be unknown. */
			wl[k] = text_stem_ru(an->norm + tk->off, wl[k]);
		}
		if ((tk->script == TOK_LATIN || tk->script == TOK_CYR) &&
		    tries < MATCH_MAX_CORRECTIONS && !is_known(e, w[k], wl[k])) {
			/* Known words live in the engine's arena, so the token can
			 * simply point at its correction. */
			tries++;
			const char *fix = correct(e, w[k], wl[k]);
			if (fix) {
				w[k] = fix;
				wl[k] = strlen(fix);
				an->corrected = true;
			}
		}
	}

	/* Phrases of up to four words, longest first. */
	for (size_t k = 0; k < an->ntok;) {
		if (an->tok[k].script == TOK_HAN) {
			analyze_han(e, an, w[k], wl[k]);
			k++;
			continue;
		}
		if (an->tok[k].script == TOK_NUM) {
			k++;
			continue;
		}
		size_t took = 0;
		for (size_t n = 4; n >= 1 && !took; n--) {
			if (k + n > an->ntok)
				continue;
			char key[256];
			size_t kl = 0;
			bool fits = true;
			for (size_t j = 0; j < n && fits; j++) {
				if (an->tok[k + j].script == TOK_HAN || an->tok[k + j].script == TOK_NUM) {
					fits = false;
					break;
				}
				if (kl + wl[k + j] + 2 > sizeof(key)) {
					fits = false;
					break;
				}
				if (j)
					key[kl++] = ' ';
				memcpy(key + kl, w[k + j], wl[k + j]);
				kl += wl[k + j];
			}
			if (fits && note_key(e, an, key, kl))
				took = n;
		}
		if (took)
			an->recognised += took;
		else if (!is_stop(e, w[k], wl[k]) && !is_known(e, w[k], wl[k]))
			note_unknown(an, text + an->tok[k].src_off, an->tok[k].src_len);
		for (size_t j = 0; j < (took ? took : 1); j++)
			add_term(e, an, w[k + j], wl[k + j]);
		k += took ? took : 1;
	}
}

bool match_plural_head(const char *text, size_t len)
{
	char norm[512];
	struct token tok[2];
	size_t head = len < 200 ? len : utf8_trim(text, len, 200);
	size_t n = text_tokenize(text, head, norm, sizeof(norm), tok, 2);
	for (size_t k = 0; k < n; k++) {
		const char *t = norm + tok[k].off;
		size_t tl = tok[k].len;
		if ((tok[k].script == TOK_CYR && is_ru_plural(t, tl)) ||
		    (tl == 11 && memcmp(t, "secretaries", 11) == 0))
			return true;
	}
	return false;
}

const struct command_info *match_command(const struct engine *e, const char *text,
                                         size_t len, size_t *ret_rest)
{
	char norm[512];
	struct token tok[3];
	/* Only the head matters: look at the first few hundred bytes. */
	size_t head = len < 256 ? len : utf8_trim(text, len, 256);
	size_t n = text_tokenize(text, head, norm, sizeof(norm), tok, 3);
	if (n == 0)
		return NULL;
	for (size_t take = n >= 2 ? 2 : 1; take >= 1; take--) {
		if (tok[0].script == TOK_NUM || (take == 2 && tok[1].script == TOK_NUM))
			continue;
		char key[256];
		size_t kl = 0;
		for (size_t j = 0; j < take; j++) {
			char *t = norm + tok[j].off;
			size_t tl = tok[j].len;
			if (tok[j].script == TOK_CYR)
				tl = text_stem_ru(t, tl);
			if (kl + tl + 2 > sizeof(key))
				return NULL;
			if (j)
				key[kl++] = ' ';
			memcpy(key + kl, t, tl);
			kl += tl;
		}
		for (const struct vocab_entry *ve = vocab_first(e, key, kl); ve; ve = vocab_next(e, ve)) {
			if (ve->kind != V_COMMAND || ve->ntok != take)
				continue;
			size_t end = (size_t)tok[take - 1].src_off + tok[take - 1].src_len;
			while (end < len && (text[end] == ' ' || text[end] == '\t'))
				end++;
			*ret_rest = end;
			return &e->commands[ve->id];
		}
	}
	return NULL;
}

size_t match_suggest_commands(const struct engine *e, const char *word, size_t len,
                              const struct command_info **out, size_t max)
{
	char norm[256];
	struct token tok[1];
	size_t n = text_tokenize(word, len, norm, sizeof(norm), tok, 1);
	if (n == 0 || max == 0)
		return 0;
	int bestd[8];
	size_t count = 0;
	if (max > 8)
		max = 8;
	for (size_t i = 0; i < e->ncommands; i++) {
		int best = 99;
		for (const char *const *a = e->commands[i].aliases; *a; a++) {
			int d = text_distance(norm + tok[0].off, tok[0].len, *a, strlen(*a), 3);
			/* A prefix ("depart") is as good as one typo. */
			if (tok[0].len >= 3 && strncmp(*a, norm + tok[0].off, tok[0].len) == 0 && d > 1)
				d = 1;
			if (d < best)
				best = d;
		}
		if (best > 2)
			continue;
		/* Insertion sort into the top `max`. */
		size_t pos = count;
		while (pos > 0 && bestd[pos - 1] > best)
			pos--;
		if (pos >= max)
			continue;
		size_t last = count < max ? count : max - 1;
		for (size_t j = last; j > pos; j--) {
			out[j] = out[j - 1];
			bestd[j] = bestd[j - 1];
		}
		out[pos] = &e->commands[i];
		bestd[pos] = best;
		if (count < max)
			count++;
	}
	return count;
}

size_t match_search(const struct engine *e, const struct analysis *an,
                    struct hit *out, size_t max)
{
	double score[MATCH_MAX_DOCS] = {0};
	uint8_t matched[MATCH_MAX_DOCS] = {0};
	const double k1 = 1.2, b = 0.75;
	double N = (double)e->ndocs;

	for (size_t q = 0; q < an->nterms; q++) {
		const char *t = an->termbuf + an->term_off[q];
		size_t tl = an->term_len[q];
		/* Stop words and single letters ("people's" -> "s") say nothing
		 * about which fact is meant. */
		if (tl < 2 || is_stop(e, t, tl))
			continue;
		const struct term *term = term_find(e, t, tl);
		if (!term)
			continue;
		double idf = log(1.0 + (N - term->npost + 0.5) / (term->npost + 0.5));
		for (size_t p = 0; p < term->npost; p++) {
			const struct posting *po = &term->post[p];
			double dl = e->docs[po->doc].nterms;
			double tf = po->tf;
			score[po->doc] += idf * tf * (k1 + 1) /
					  (tf + k1 * (1 - b + b * dl / e->avg_doc_len));
			if (matched[po->doc] < 255)
				matched[po->doc]++;
		}
	}
	size_t n = 0;
	for (size_t d = 0; d < e->ndocs; d++) {
		if (score[d] <= 0)
			continue;
		struct hit h = {(uint16_t)d, score[d],
				an->ncontent ? (double)matched[d] / (double)an->ncontent : 0};
		size_t pos = n < max ? n : max;
		while (pos > 0 && out[pos - 1].score < h.score)
			pos--;
		if (pos >= max)
			continue;
		size_t last = n < max ? n : max - 1;
		for (size_t j = last; j > pos; j--)
			out[j] = out[j - 1];
		out[pos] = h;
		if (n < max)
			n++;
	}
	return n;
}
